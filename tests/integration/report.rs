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
