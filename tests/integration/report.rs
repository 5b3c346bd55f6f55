//! `crs report`: the board paper. Its HTML is read with Python's `html.parser` as a
//! browser would parse it (structure, accessibility, nothing fetched from
//! elsewhere), its Markdown is snapshotted for a fixed period, and the period goes
//! by the dates of decisions and events, not by commits.

use std::process::Command;

use crate::harness::TestEnv;

/// The sample register in a git repository, all committed today (2026-11-23): a
/// register adopted today that reports on its past.
fn sample() -> TestEnv {
    TestEnv::copy_of("designations").committed()
}

/// What Python's HTML parser finds wrong with the page at `path`: one line a problem.
fn html_problems(path: &std::path::Path) -> String {
    let script = r#"
import re, sys
from html.parser import HTMLParser

class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.headings, self.stack = [], [], []
        self.lang = None
        self.titles = 0
        self.tables = self.theads = 0
        self.svgs = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "title" and "svg" not in self.stack:
            self.titles += 1
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "th" and a.get("scope") not in ("col", "row", "colgroup", "rowgroup"):
            self.problems.append(f"a th without scope: {attrs}")
        if tag == "table":
            self.tables += 1
        if tag == "thead":
            self.theads += 1
        if tag in ("script", "link", "iframe", "img", "object", "embed", "base"):
            self.problems.append(f"<{tag}> on a self-contained page")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"an event handler {name}")
            if name in ("src", "href", "xlink:href", "action", "srcset", "poster") and value:
                self.problems.append(f"a reference to a resource: {name}={value}")
            if value and re.search(r"(?i)\b(https?:)?//|url\(", value):
                self.problems.append(f"an address in {tag} {name}={value}")
        if tag == "svg":
            self.svgs.append(a)
        if tag not in ("meta", "br", "rect", "line", "hr"):
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass
    def handle_data(self, data):
        if self.stack and self.stack[-1] == "style" and re.search(r"(?i)@import|url\(|https?:", data):
            self.problems.append("the style fetches something")

text = open(sys.argv[1], encoding="utf-8").read()
page = Page()
page.feed(text)
p = page.problems
if not text.startswith("<!DOCTYPE html>"):
    p.append("no doctype")
if page.lang != "en-GB":
    p.append(f"lang is {page.lang!r}")
if page.titles != 1:
    p.append(f"{page.titles} page titles")
h = page.headings
if not h or h[0] != 1 or h.count(1) != 1:
    p.append(f"not one h1 first: {h}")
for a, b in zip(h, h[1:]):
    if b > a + 1:
        p.append(f"heading level jumps from {a} to {b}")
if page.tables < 4 or page.theads != page.tables:
    p.append(f"{page.tables} tables, {page.theads} with a thead")
if len(page.svgs) < 3:
    p.append(f"{len(page.svgs)} charts")
for svg in page.svgs:
    if svg.get("role") != "img" or not svg.get("aria-labelledby"):
        p.append(f"a chart with no text alternative: {svg}")
if re.search(r"(?i)https?:", text):
    p.append("an http(s) address on the page")
if "@page" not in text or "size: A4" not in text:
    p.append("no A4 page size")
print("\n".join(p))
"#;
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python3 is needed to read the report's HTML");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn report_html_is_one_accessible_page_that_fetches_nothing() {
    let env = sample();
    let run = env.crs(&["report", "-o", "paper.html"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    assert!(run.stderr.contains("wrote"), "{run}");
    let path = env.root.join("paper.html");
    assert_eq!(html_problems(&path).trim(), "", "the page has problems");
    let page = env.read("paper.html");
    for words in [
        "<html lang=\"en-GB\">",
        "NHS South East London ICB",
        "Reviews due in the next 12 months",
        "24 November 2025 to 23 November 2026",
        "<th scope=\"col\">",
        "<th scope=\"row\">Designated</th>",
        "<title id=\"chart-status-title\">",
        "The ICB Board decided to designate Paediatric inpatients at King&#39;s College Hospital NHS Foundation Trust on 10 November 2026",
    ] {
        assert!(page.contains(words), "the page lacks {words:?}");
    }
    // Codes stay out of the reader's way: labels and dates in words.
    assert!(!page.contains("under-review") && !page.contains("2026-11-10"), "codes on the page");
}

#[test]
fn report_writes_html_to_standard_output_by_default_the_same_as_to_a_file() {
    let env = sample();
    let to_file = env.crs(&["report", "-o", "paper.html"]);
    assert_eq!(to_file.code, 0, "{to_file}");
    let to_stdout = env.crs(&["report"]);
    assert_eq!(to_stdout.code, 0, "{to_stdout}");
    assert_eq!(to_stdout.stdout, env.read("paper.html"));
}

#[test]
fn report_markdown_of_a_year() {
    let env = sample();
    let run = env.crs(&["report", "--since", "2025-11-24", "--until", "2026-11-23", "--format", "md"]);
    assert_eq!(run.code, 0, "{run}");
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn report_period_goes_by_the_dates_of_decisions_not_commits() {
    let env = sample();
    let run = env.crs(&["report", "--since", "2025-01-01", "--until", "2025-06-30", "--format", "md"]);
    assert_eq!(run.code, 0, "{run}");
    let md = &run.stdout;
    // Decided on 3 February 2025, committed on 23 November 2026: in the period.
    assert!(
        md.contains("The ICB Board decided to designate Maternity: consultant-led obstetric unit at Guy's and St Thomas' NHS Foundation Trust on 3 February 2025"),
        "{md}"
    );
    assert!(
        md.contains("The written request to designate Emergency department was sent to Lewisham and Greenwich NHS Trust on 10 June 2025"),
        "{md}"
    );
    // Accepted on 1 July 2025, the day after the period ends.
    assert!(!md.contains("accepted the designation of Emergency department"), "{md}");
    // Decided on 2 September 2025, after the period: not in it.
    assert!(!md.contains("decided to designate Elective orthopaedic surgery"), "{md}");
    assert!(!md.contains("2 September 2025"), "{md}");
    // The register as it stood at the period's end: Paediatric inpatients (decided
    // in November 2026) was not yet designated, and nothing was removed.
    assert!(!md.contains("| Removed |"), "{md}");
}

#[test]
fn report_since_last_submission_starts_on_its_day() {
    let env = sample();
    env.git_cmd(&["tag", "-a", "crs/submission/2026-06-01", "-m", "submission"]);
    let run = env.crs(&["report", "--since", "last-submission", "--format", "md"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("1 June 2026 to 23 November 2026 (since the last submission"), "{run}");
    assert!(!run.stdout.contains("on 3 March 2026"), "{run}");
    assert!(run.stdout.contains("on 7 July 2026"), "{run}");
}

#[test]
fn report_since_last_submission_with_none_says_what_to_do() {
    let env = sample();
    let run = env.crs(&["report", "--since", "last-submission"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("no submission"), "{run}");
    assert!(run.stderr.contains("hint: give the period's first day with --since DATE"), "{run}");
    let backwards = env.crs(&["report", "--since", "2026-01-01", "--until", "2025-01-01"]);
    assert_eq!(backwards.code, 2, "{backwards}");
    assert!(backwards.stderr.contains("give --since before --until"), "{backwards}");
}

#[test]
fn report_escapes_record_text() {
    let env = sample();
    let record = env.read("RJZ/paediatric-inpatients.toml").replace(
        "name = \"Paediatric inpatients\"",
        "name = \"<script>alert('x')</script> | *children* [a](http://x)\"",
    );
    env.write("RJZ/paediatric-inpatients.toml", record);
    let html = env.crs(&["report", "-o", "paper.html"]);
    assert_eq!(html.code, 0, "{html}");
    let page = env.read("paper.html");
    assert!(!page.contains("<script>"), "a script on the page");
    assert!(
        page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        "the name is not shown escaped"
    );
    let md = env.crs(&["report", "--format", "md"]);
    assert!(
        md.stdout.contains("\\<script\\>alert('x')\\</script\\> \\| \\*children\\* \\[a\\](http://x)"),
        "{md}"
    );
}

#[test]
fn report_refuses_to_write_over_a_file_git_tracks() {
    let env = TestEnv::copy_of("designations");
    env.write("README.md", "# Our register\n");
    env.git_init();
    let run = env.crs(&["report", "-o", "README.md"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("README.md") && run.stderr.contains("another path"), "{run}");
    assert_eq!(env.read("README.md"), "# Our register\n");
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "");
}

#[test]
fn report_numbers_its_printed_pages_itself() {
    let env = sample();
    let page = env.crs(&["report"]).stdout;
    // Chromium prints @page margin boxes: "Page 2 of 5" at the foot of each page.
    let at_page = &page[page.find("@page").expect("an @page rule")..];
    assert!(at_page.contains("@bottom-center"), "no bottom margin box: {at_page}");
    assert!(at_page.contains(r#"content: "Page " counter(page) " of " counter(pages)"#), "{at_page}");
}

/// The `<desc>` of the chart `id`: its numbers, as a screen reader reads them.
fn chart_desc(page: &str, id: &str) -> String {
    let start = page.find(&format!("<desc id=\"{id}-desc\">")).expect("the chart") + id.len() + 16;
    page[start..start + page[start..].find("</desc>").unwrap()].to_owned()
}

#[test]
fn report_charts_say_what_they_count() {
    let env = sample();
    let page = env.crs(&["report"]).stdout;
    // South London and Maudsley has 3 services and none in force: the chart of
    // services by provider counts its services.
    assert!(page.contains(
        "<title id=\"chart-provider-title\">Services by provider (all statuses) on 23 November 2026</title>"
    ));
    let providers = chart_desc(&page, "chart-provider");
    assert!(providers.contains("South London and Maudsley NHS Foundation Trust: 3"), "{providers}");
    assert!(providers.contains("Guy&#39;s and St Thomas&#39; NHS Foundation Trust: 4"), "{providers}");
    let statuses = chart_desc(&page, "chart-status");
    assert!(statuses.contains("Designated: 5") && statuses.contains("Under review: 1"), "{statuses}");
    assert!(page.contains("<title id=\"chart-reviews-title\">Reviews due by month</title>"));
    // Each chart says under its axis what its bars count.
    assert_eq!(page.matches(">Number of services</text>").count(), 2, "{page}");
    assert_eq!(page.matches(">Number of reviews due</text>").count(), 1, "{page}");
    // The table beside it keeps the designations in force apart.
    let md = env.crs(&["report", "--format", "md"]).stdout;
    assert!(
        md.contains("| South London and Maudsley NHS Foundation Trust | RV5 | 3 | 0 | 2 | 1 | 0 |"),
        "{md}"
    );
}

#[test]
fn report_sums_up_findings_by_kind_in_words_without_commands() {
    let env = sample();
    // Eight services whose review was asked for and has had no answer.
    let record = env.read("RJ1/adult-critical-care.toml");
    for i in 1..=7 {
        let copy = record
            .replace("name = \"Adult critical care\"", &format!("name = \"Adult critical care, unit {i}\""));
        env.write(&format!("RJ1/adult-critical-care-{i}.toml"), copy);
    }
    for format in ["md", "html"] {
        let paper = env.crs(&["report", "--format", format]).stdout.replace("&#39;", "'");
        assert!(
            paper.contains(
                "8 requests for a review have had no answer: Adult critical care, unit 1 (Guy's and St Thomas' NHS \
                 Foundation Trust); Adult critical care, unit 2 (Guy's and St Thomas' NHS Foundation Trust); Adult \
                 critical care, unit 3 (Guy's and St Thomas' NHS Foundation Trust); Adult critical care, unit 4 (Guy's \
                 and St Thomas' NHS Foundation Trust); Adult critical care, unit 5 (Guy's and St Thomas' NHS Foundation \
                 Trust); and 3 more."
            ),
            "{paper}"
        );
        assert!(
            paper.contains("1 written request has had no answer within the register's response window: Neonatal intensive care (King's College Hospital NHS Foundation Trust)."),
            "{paper}"
        );
        assert!(paper.contains("Worth acting on"), "{paper}");
        // What to do, and the commands that do it, are crs check's to say.
        for command in ["crs review", "crs assess", "--next-due", "--requested-by", "provider-accepted"] {
            assert!(!paper.contains(command), "{command} in the paper");
        }
    }
}

#[test]
fn report_tells_moves_successions_and_submissions_in_what_changed() {
    let env = sample();
    let bundle = env.outside().join("bundle");
    let submitted = env.crs(&["submit", "-o", bundle.to_str().unwrap()]);
    assert_eq!(submitted.code, 0, "{submitted}");
    let moved = env.crs(&[
        "move",
        "RJZ/neonatal-intensive-care",
        "R1K/neonatal-intensive-care",
        "--provider-name",
        "London North West University Healthcare NHS Trust",
        "--provider-kind",
        "nhs-trust",
    ]);
    assert_eq!(moved.code, 0, "{moved}");
    let succeeded = env.crs(&[
        "succeed",
        "RV5",
        "R1X",
        "--on",
        "2026-10-01",
        "--name",
        "South London Mental Health NHS Trust",
        "--provider-kind",
        "nhs-trust",
    ]);
    assert_eq!(succeeded.code, 0, "{succeeded}");

    let md = env.crs(&["report", "--format", "md"]).stdout;
    let changes = &md[md.find("## What changed").unwrap()..md.find("## Reviews due").unwrap()];
    assert!(changes.contains("### Services moved and organisations succeeded"), "{changes}");
    assert!(
        changes.contains("- Neonatal intensive care moved from King's College Hospital NHS Foundation Trust (RJZ) to London North West University Healthcare NHS Trust (R1K) on 23 November 2026."),
        "{changes}"
    );
    assert!(
        changes.contains("- South London Mental Health NHS Trust (R1X) took over from South London and Maudsley NHS Foundation Trust (RV5) as provider on 1 October 2026: 3 services moved to it."),
        "{changes}"
    );
    assert!(changes.contains("### Submissions to the regulator"), "{changes}");
    assert!(
        changes
            .contains("- The register was submitted to the regulator on 23 November 2026, with 10 services."),
        "{changes}"
    );
    // Told once a submission, not once a record.
    assert!(
        !changes.contains("was submitted to the regulator on 23 November 2026 (crs/submission"),
        "{changes}"
    );
}

#[test]
fn report_tells_a_moved_records_earlier_steps_of_the_provider_it_had_then() {
    let env = sample();
    let moved = env.crs(&[
        "move",
        "RJZ/neonatal-intensive-care",
        "R1K/neonatal-intensive-care",
        "--provider-name",
        "London North West University Healthcare NHS Trust",
        "--provider-kind",
        "nhs-trust",
    ]);
    assert_eq!(moved.code, 0, "{moved}");
    let md = env.crs(&["report", "--format", "md"]).stdout;
    for step in [
        "King's College Hospital NHS Foundation Trust and others affected were notified of the work to decide on Neonatal intensive care on 11 May 2026",
        "The public was involved in the decision on Neonatal intensive care at King's College Hospital NHS Foundation Trust on 2 June 2026",
        "The ICB Board decided to designate Neonatal intensive care at King's College Hospital NHS Foundation Trust on 1 September 2026",
        "The written request to designate Neonatal intensive care was sent to King's College Hospital NHS Foundation Trust on 15 September 2026",
    ] {
        assert!(md.contains(step), "{step:?} not in {md}");
    }
    assert!(!md.contains("Neonatal intensive care was sent to London North West"), "{md}");
    // What is open now is the new provider's.
    assert!(
        md.contains(
            "| Neonatal intensive care | London North West University Healthcare NHS Trust | Requested |"
        ),
        "{md}"
    );
}

/// The sample register grown to `records` services under 30 providers: each
/// sample record copied with a numbered name, under its own provider or one of five
/// made from it (RJ1 gives R11 to R51), as a large ICB's register is.
fn large_register(records: usize) -> TestEnv {
    let env = TestEnv::copy_of("designations");
    let sample = crate::harness::repo_dir().join("designations");
    let mut originals: Vec<(String, String)> = Vec::new();
    for provider in std::fs::read_dir(&sample).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()) {
        let files = std::fs::read_dir(&provider).unwrap().map(|e| e.unwrap().path());
        for file in files.filter(|f| f.extension().is_some_and(|e| e == "toml")) {
            let ods = provider.file_name().unwrap().to_str().unwrap().to_owned();
            let slug = file.file_stem().unwrap().to_str().unwrap().to_owned();
            originals.push((ods, slug));
        }
    }
    originals.sort();
    let mut made = originals.len();
    for copy in 1.. {
        for (ods, slug) in &originals {
            if made == records {
                return env;
            }
            let mut text = env.read(&format!("{ods}/{slug}.toml")).replacen(
                "[service]\nname = \"",
                &format!("[service]\nname = \"Unit {copy}, "),
                1,
            );
            let group = copy % 6;
            let mut folder = ods.clone();
            if group > 0 {
                folder = format!("{}{group}{}", &ods[..1], &ods[2..]);
                text = text.replacen(
                    &format!("[provider]\nods = \"{ods}\"\nname = \""),
                    &format!("[provider]\nods = \"{folder}\"\nname = \"{folder} "),
                    1,
                );
            }
            env.write(&format!("{folder}/{slug}-{copy}.toml"), text);
            made += 1;
        }
    }
    env
}

/// How many times `item` opens in each `open` .. `close` block of `page`.
fn items_per_block(page: &str, open: &str, close: &str, item: &str) -> Vec<usize> {
    page.split(open).skip(1).map(|block| block[..block.find(close).unwrap()].matches(item).count()).collect()
}

#[test]
fn report_of_300_services_stays_a_few_pages_of_summaries() {
    let env = large_register(300);
    let html = env.crs(&["report"]);
    assert_eq!(html.code, 0, "{html}");
    let page = &html.stdout;
    assert!(page.contains("300 services recorded"), "{page}");
    // Every list and table stops at 12 rows (a table's total row aside) and says
    // how many more there are.
    for (i, n) in items_per_block(page, "<ul>", "</ul>", "<li>").into_iter().enumerate() {
        assert!(n <= 12, "list {i} has {n} items");
    }
    for (i, n) in items_per_block(page, "<tbody>", "</tbody>", "<tr").into_iter().enumerate() {
        assert!(n <= 13, "table {i} has {n} rows");
    }
    assert!(page.contains("more decisions, earlier in the period"), "{page}");
    assert!(page.contains("more open matters."), "{page}");
    // The providers beyond the 11 with the most services are added up in one row
    // and one bar, so every service is still counted.
    assert!(page.contains("<th scope=\"row\">19 other providers</th>"), "{page}");
    assert!(chart_desc(page, "chart-provider").contains("19 other providers: "), "{page}");
    // Findings summed up by kind: one line a kind, not one a finding.
    let findings = &page[page.find("Findings of the register check").unwrap()..];
    assert!(findings.matches("<li>").count() < 10, "{findings}");
    // Summaries, not a line a record: the paper of 300 services is not much longer
    // than the sample's 13 (Chromium prints them on 9 and 5 A4 pages).
    let sample = sample().crs(&["report"]).stdout;
    assert!(page.len() < sample.len() * 3, "{} bytes against the sample's {}", page.len(), sample.len());
    let md = env.crs(&["report", "--format", "md"]).stdout;
    assert!(md.lines().filter(|l| l.starts_with("- ") || l.starts_with("| ")).count() < 150, "{md}");
}

#[test]
fn report_tells_two_submissions_on_one_day_as_two_steps_each_with_its_own_count() {
    let env = sample();
    let first = env.crs(&["submit", "-o", env.outside().join("first").to_str().unwrap()]);
    assert_eq!(first.code, 0, "{first}");
    let second = env.crs(&["submit", "-o", env.outside().join("second").to_str().unwrap()]);
    assert_eq!(second.code, 0, "{second}");

    let md = env.crs(&["report", "--format", "md"]).stdout;
    let changes = &md[md.find("## What changed").unwrap()..md.find("## Reviews due").unwrap()];
    assert!(
        changes.contains(
            "- The register was submitted to the regulator on 23 November 2026 (crs/submission/2026-11-23), with 10 services.\n\
             - The register was submitted to the regulator on 23 November 2026 (crs/submission/2026-11-23.2), with 9 services.\n"
        ),
        "{changes}"
    );
    assert!(!changes.contains("19 services"), "{changes}");
}

/// A review under way is in the paper's reviews however far off the record's next
/// review date is: it is not yet complete.
#[test]
fn report_lists_a_review_under_way_whatever_its_due_date() {
    let env = TestEnv::copy_of("designations");
    let file = "RJ1/emergency-department.toml";
    env.write(file, env.read(file).replace("next_due = 2026-12-31", "next_due = 2031-12-31"));
    env.git_init();
    let paper = env.crs(&["report", "--format", "md"]);
    assert_eq!(paper.code, 0, "{paper}");
    assert!(paper.stdout.contains("and 1 review under way."), "{paper}");
    let reviews = paper.stdout.split("## Reviews due in the next").nth(1).expect("the reviews section");
    assert!(reviews.contains("Emergency department"), "{paper}");
}

#[test]
fn report_sets_off_a_note_with_brackets_of_its_own_without_doubling_them() {
    let env = sample();
    let noted = env.crs(&[
        "event",
        "RJ2/maternity",
        "public-engagement",
        "--on",
        "2026-11-02",
        "--note",
        "Maternity Voices Partnership (closed session).",
    ]);
    assert_eq!(noted.code, 0, "{noted}");
    let md = env.crs(&["report", "--format", "md"]).stdout;
    assert!(
        md.contains("- The public was involved in the decision on Maternity at Lewisham and Greenwich NHS Trust on 2 November 2026: Maternity Voices Partnership (closed session).\n"),
        "{md}"
    );
    assert!(!md.contains("((closed") && !md.contains("session))") && !md.contains(".."), "{md}");
}

#[test]
fn report_gives_no_review_day_where_a_review_under_way_has_none_recorded() {
    let env = sample();
    let record = env.read("RJ1/emergency-department.toml");
    assert!(record.contains("[review]\nnext_due = 2026-12-31\n"), "{record}");
    env.write("RJ1/emergency-department.toml", record.replace("[review]\nnext_due = 2026-12-31\n", ""));
    env.commit_all("a review under way with no day for it");
    let md = env.crs(&["report", "--format", "md"]).stdout;
    let reviews = &md[md.find("## Reviews due").unwrap()..md.find("## Open").unwrap()];
    assert!(
        reviews.contains("| No day recorded | Emergency department | Guy's and St Thomas' NHS Foundation Trust | No day recorded | Review started on 1 September 2026;"),
        "{reviews}"
    );
    // The day the review started is not its due day, and it is not overdue.
    assert!(!reviews.contains("| 1 September 2026 |") && !reviews.contains("Overdue"), "{reviews}");
    assert!(reviews.contains("| No day recorded | 1 |\n"), "{reviews}");
}

#[test]
fn due_gives_no_day_where_a_review_under_way_has_none_recorded() {
    let env = sample();
    let record = env.read("RJ1/emergency-department.toml");
    env.write("RJ1/emergency-department.toml", record.replace("[review]\nnext_due = 2026-12-31\n", ""));
    env.commit_all("a review under way with no day for it");
    let text = env.crs(&["due"]).stdout;
    let line = text
        .lines()
        .find(|l| l.contains("RJ1/emergency-department") && l.contains("review started"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("no day set") && !line.contains("overdue"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&env.crs(&["due", "--format", "json"]).stdout).unwrap();
    let item = json.as_array().unwrap().iter().find(|i| i["kind"] == "review-to-complete").unwrap();
    assert_eq!(item["record_id"], "RJ1/emergency-department");
    assert_eq!((&item["due"], &item["overdue"]), (&serde_json::Value::Null, &serde_json::Value::Bool(false)));
    // The day the review started is no day for a calendar to call it due or overdue.
    let ics = env.crs(&["due", "--format", "ics"]).stdout;
    assert!(!ics.contains("emergency-department") && !ics.contains("Emergency department"), "{ics}");
}

#[test]
fn report_counts_no_days_to_a_day_the_reader_cannot_see() {
    let env = sample();
    // A paper on a past period: the request was 35 days old on its last day, not
    // on the day the paper is read.
    let md = env.crs(&["report", "--until", "2026-11-23", "--format", "md"]).stdout;
    let open = &md[md.find("## Open").unwrap()..md.find("## Findings").unwrap()];
    assert!(
        open.contains("| Adult critical care | Guy's and St Thomas' NHS Foundation Trust | Designated | A review was asked for on 19 October 2026; no answer yet |"),
        "{open}"
    );
    assert!(!md.contains("days ago"), "{md}");
}

#[test]
fn report_gives_an_open_referral_whose_day_was_not_recorded_no_day() {
    let env = sample();
    let record = env.read("RV5/crisis-home-treatment.toml");
    let referral = "on = 2026-04-20\nkind = \"referred-to-regulator\"\n";
    assert!(record.contains(referral), "{record}");
    env.write(
        "RV5/crisis-home-treatment.toml",
        record.replace(referral, &format!("{referral}date_known = false\n")),
    );
    env.commit_all("the referral's day not recorded");
    let md = env.crs(&["report", "--format", "md"]).stdout;
    let open = &md[md.find("## Open").unwrap()..md.find("## Findings").unwrap()];
    assert!(
        open.contains(
            "| Referred | Referred to the regulator by 20 April 2026 (day not recorded); no finding yet |"
        ),
        "{open}"
    );
    assert!(!open.contains("on 20 April 2026"), "{open}");
}

/// A move whose record could not be read before it (broken by hand, then moved
/// and mended by hand with crs's trailers) is not told as a rename at the new
/// provider: the provider it left is named by its code and the name the register
/// gives it.
#[test]
fn report_tells_a_move_from_an_unreadable_record_with_the_provider_its_folder_names() {
    let env = sample();
    let (from, to) = ("RJZ/neonatal-intensive-care", "R1K/neonatal-intensive-care");
    let record = env.read(&format!("{from}.toml"));
    env.write(&format!("{from}.toml"), format!("{record}\nbroken = [\n"));
    env.commit_all("broken by hand");
    env.remove(&format!("{from}.toml"));
    let moved = record.replace("ods = \"RJZ\"", "ods = \"R1K\"").replace(
        "name = \"King's College Hospital NHS Foundation Trust\"",
        "name = \"London North West University Healthcare NHS Trust\"",
    );
    assert_ne!(moved, record);
    env.write(&format!("{to}.toml"), moved);
    env.commit_all(&format!(
        "move {from} to {to}\n\nCrs-Record: {to}\nCrs-Action: move\nCrs-Previous: {from}\n"
    ));
    let md = env.crs(&["report", "--format", "md"]).stdout;
    let changes = &md[md.find("### Services moved").unwrap()..md.find("## Reviews due").unwrap()];
    assert!(
        changes.contains("- Neonatal intensive care moved from King's College Hospital NHS Foundation Trust (RJZ) to London North West University Healthcare NHS Trust (R1K) on 23 November 2026."),
        "{changes}"
    );
    assert!(!changes.contains("renamed"), "{changes}");
}
