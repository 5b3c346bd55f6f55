//! The board paper as one self-contained HTML page: no fonts, scripts, images or
//! styles from anywhere else, so it opens offline and can be e-mailed whole. It
//! prints to A4 (`@page`) with its own page numbers ("Page 2 of 5", in the page's
//! bottom margin), repeats table headers on each printed page and keeps table rows
//! whole. It is written to be read by anyone: `lang="en-GB"`, headings in
//! order, `<th scope>` on every header cell, dark text on white, and nothing told by
//! colour alone. Every piece of record text is escaped: records are user input.

use std::io::{self, Write};

use crate::framework::finding::Severity;
use crate::ops::report::{BoardReport, ChangeGroup};
use crate::render::board::chart::bar_chart;
use crate::render::board::{
    ABOUT, AT_A_GLANCE, BY_PROVIDER, BY_STATUS, CHANGES, FINDINGS, INTRODUCTION, OPEN, REVIEWS,
    REVIEWS_BY_MONTH, SHOWN, SUMMARY, TITLE, about, changes_intro, check_sentence, count, findings,
    findings_of, key_facts, more, plural, providers_shown, review_month, review_note, shown_reviews,
    subtitle, timeline_bars, title,
};
use crate::text::html_escaped;

/// The page's style: for the screen, and for A4 paper.
const STYLE: &str = r#"
:root { color: #212b32; background: #ffffff; }
body { font-family: Arial, "Liberation Sans", "Helvetica Neue", Helvetica, sans-serif; font-size: 11pt;
  line-height: 1.4; max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; color: #212b32; background: #ffffff; }
header { border-bottom: 3px solid #005eb8; margin-bottom: 1rem; }
.organisation { font-weight: bold; margin: 0; }
h1 { font-size: 20pt; margin: 0.2rem 0 0.4rem; }
h2 { font-size: 15pt; margin: 1.6rem 0 0.5rem; border-bottom: 1px solid #b1b4b6; padding-bottom: 0.15rem; }
h3 { font-size: 12pt; margin: 1.1rem 0 0.4rem; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
p, li { overflow-wrap: break-word; hyphens: manual; }
.subtitle { margin-top: 0; }
ul.facts li { margin-bottom: 0.2rem; }
table { width: 100%; border-collapse: collapse; margin: 0.4rem 0 0.8rem; font-size: 10pt; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
th, td { text-align: left; vertical-align: top; padding: 0.25rem 0.4rem; border-bottom: 1px solid #b1b4b6;
  overflow-wrap: break-word; word-break: normal; }
thead th { border-bottom: 2px solid #212b32; }
td.number, th.number { text-align: right; white-space: nowrap; }
th.number { white-space: normal; }
tr.total th, tr.total td { font-weight: bold; border-top: 2px solid #212b32; }
thead { display: table-header-group; }
tr, li, figure, .keep { break-inside: avoid; page-break-inside: avoid; }
figure { margin: 0.4rem 0 0.6rem; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg .label, svg .value { font-family: Arial, "Liberation Sans", Helvetica, sans-serif; font-size: 12px; fill: #212b32; }
svg .bar { fill: #005eb8; }
svg .axis { stroke: #212b32; stroke-width: 1; }
.none { font-style: italic; }
footer { margin-top: 2rem; border-top: 1px solid #b1b4b6; font-size: 9.5pt; }
.more { font-style: italic; }
@page { size: A4; margin: 16mm 15mm 18mm 15mm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages);
    font-family: Arial, "Liberation Sans", Helvetica, sans-serif; font-size: 9pt; color: #212b32; } }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  h2 { margin-top: 1.1rem; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// Writes `report` as one HTML page.
pub fn render(report: &BoardReport, out: &mut dyn Write) -> io::Result<()> {
    let mut page = String::with_capacity(16 * 1024 + report.changes.len() * 200);
    write_page(report, &mut page);
    out.write_all(page.as_bytes())
}

fn write_page(report: &BoardReport, p: &mut String) {
    let title = title(report);
    p.push_str("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n");
    p.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    p.push_str(&format!("<title>{}</title>\n", html_escaped(&title)));
    p.push_str(&format!("<style>{STYLE}</style>\n</head>\n<body>\n"));

    p.push_str("<header>\n");
    p.push_str(&format!(
        "<p class=\"organisation\">{} ({})</p>\n",
        html_escaped(report.commissioner.name.trim()),
        html_escaped(report.commissioner.ods.trim())
    ));
    p.push_str(&format!("<h1>{TITLE}</h1>\n"));
    p.push_str(&format!("<p class=\"subtitle\">{}</p>\n", html_escaped(&subtitle(report))));
    p.push_str("</header>\n<main>\n");

    p.push_str(&format!(
        "<section>\n<h2>{SUMMARY}</h2>\n<p>{}</p>\n<ul class=\"facts\">\n",
        html_escaped(INTRODUCTION)
    ));
    for fact in key_facts(report) {
        p.push_str(&format!("<li>{}</li>\n", html_escaped(&fact)));
    }
    p.push_str("</ul>\n</section>\n");

    write_glance(report, p);
    write_changes(report, p);
    write_reviews(report, p);
    write_open(report, p);
    write_findings(report, p);

    p.push_str("</main>\n<footer>\n");
    p.push_str(&format!("<h2>{ABOUT}</h2>\n"));
    for line in about(report) {
        p.push_str(&format!("<p>{}</p>\n", html_escaped(&line)));
    }
    p.push_str("</footer>\n</body>\n</html>\n");
}

/// The opening tag and header row of a table.
fn table_head(p: &mut String, caption: &str, headers: &[(&str, bool)]) {
    p.push_str(&format!("<table>\n<caption>{}</caption>\n<thead><tr>", html_escaped(caption)));
    for (header, number) in headers {
        let class = if *number { " class=\"number\"" } else { "" };
        p.push_str(&format!("<th scope=\"col\"{class}>{}</th>", html_escaped(header)));
    }
    p.push_str("</tr></thead>\n<tbody>\n");
}

/// One body row: the first cell is the row's header.
fn table_row(p: &mut String, cells: &[(&str, bool)]) {
    p.push_str("<tr>");
    for (i, (cell, number)) in cells.iter().enumerate() {
        let class = if *number { " class=\"number\"" } else { "" };
        if i == 0 {
            p.push_str(&format!("<th scope=\"row\"{class}>{}</th>", html_escaped(cell)));
        } else {
            p.push_str(&format!("<td{class}>{}</td>", html_escaped(cell)));
        }
    }
    p.push_str("</tr>\n");
}

fn none(p: &mut String, text: &str) {
    p.push_str(&format!("<p class=\"none\">{}</p>\n", html_escaped(text)));
}

fn write_glance(report: &BoardReport, p: &mut String) {
    let until = report.period.until.in_words();
    p.push_str(&format!("<section>\n<h2>{AT_A_GLANCE}</h2>\n"));
    p.push_str(&format!(
        "<p>Where the {} recorded stood on {until}.</p>\n",
        html_escaped(&count(report.records, "service", "services"))
    ));

    p.push_str(&format!("<h3>{BY_STATUS} on {until}</h3>\n"));
    if report.by_status.is_empty() {
        none(p, "The register holds no records.");
    } else {
        let bars: Vec<(String, usize)> =
            report.by_status.iter().map(|c| (c.status.label().to_owned(), c.count)).collect();
        let description = bars.iter().map(|(l, n)| format!("{l}: {n}")).collect::<Vec<_>>().join("; ");
        p.push_str("<figure>\n");
        p.push_str(&bar_chart(
            "chart-status",
            &format!("{BY_STATUS} on {until}"),
            "services",
            &description,
            &bars,
        ));
        p.push_str("\n</figure>\n");
        table_head(
            p,
            &format!("{BY_STATUS} on {until}"),
            &[("Status", false), ("Services", true), ("What it means", false)],
        );
        for c in &report.by_status {
            table_row(
                p,
                &[(c.status.label(), false), (&c.count.to_string(), true), (c.status.definition(), false)],
            );
        }
        p.push_str(&format!(
            "<tr class=\"total\"><th scope=\"row\">Total</th><td class=\"number\">{}</td><td></td></tr>\n</tbody>\n</table>\n",
            report.records
        ));
    }

    p.push_str(&format!("<h3>{BY_PROVIDER} on {until}</h3>\n"));
    if report.by_provider.is_empty() {
        none(p, "The register holds no records.");
    } else {
        let bars: Vec<(String, usize)> =
            providers_shown(&report.by_provider).iter().map(|c| (c.name.clone(), c.total)).collect();
        let description = bars.iter().map(|(l, n)| format!("{l}: {n}")).collect::<Vec<_>>().join("; ");
        p.push_str("<figure>\n");
        p.push_str(&bar_chart(
            "chart-provider",
            &format!("{BY_PROVIDER} on {until}"),
            "services",
            &description,
            &bars,
        ));
        p.push_str("\n</figure>\n");
        table_head(
            p,
            &format!("{BY_PROVIDER} on {until}"),
            &[
                ("Provider", false),
                ("ODS code", false),
                ("Services", true),
                ("In force", true),
                ("Decided, not yet in force", true),
                ("Not designated or removed", true),
                ("Being assessed", true),
            ],
        );
        for c in &providers_shown(&report.by_provider) {
            table_row(
                p,
                &[
                    (&c.name, false),
                    (&c.ods, false),
                    (&c.total.to_string(), true),
                    (&c.in_force.to_string(), true),
                    (&c.in_progress.to_string(), true),
                    (&c.not_in_force.to_string(), true),
                    (&c.draft.to_string(), true),
                ],
            );
        }
        p.push_str("</tbody>\n</table>\n");
    }
    p.push_str("</section>\n");
}

fn write_changes(report: &BoardReport, p: &mut String) {
    p.push_str(&format!("<section>\n<h2>{CHANGES}</h2>\n"));
    p.push_str(&format!("<p>{}</p>\n", html_escaped(&changes_intro(report))));
    if report.changes.is_empty() {
        none(p, "Nothing was decided or done in the period.");
    }
    for group in ChangeGroup::ALL {
        let changes: Vec<_> = report.changes_in(group).collect();
        if changes.is_empty() {
            continue;
        }
        p.push_str(&format!("<h3>{}</h3>\n<ul>\n", html_escaped(group.heading())));
        for change in changes.iter().take(SHOWN) {
            p.push_str(&format!("<li>{}.</li>\n", html_escaped(&change.sentence)));
        }
        p.push_str("</ul>\n");
        let hidden = changes.len().saturating_sub(SHOWN);
        if let Some(line) = more(
            hidden,
            &format!("{} in the period, {} in all", plural(hidden, group.nouns()), changes.len()),
        ) {
            p.push_str(&format!("<p class=\"more\">{}</p>\n", html_escaped(&line)));
        }
    }
    p.push_str("</section>\n");
}

fn write_reviews(report: &BoardReport, p: &mut String) {
    // The heading, its words and its chart print on one page.
    p.push_str(&format!("<section>\n<div class=\"keep\">\n<h2>{REVIEWS}</h2>\n"));
    p.push_str(&format!(
        "<p>Designations whose review falls due by {}, and reviews not yet complete. A designation stays in force during its review.</p>\n",
        report.reviews_until.in_words()
    ));
    let bars = timeline_bars(report);
    let description = bars.iter().map(|(l, n)| format!("{l}: {n}")).collect::<Vec<_>>().join("; ");
    p.push_str(&format!("<h3>{REVIEWS_BY_MONTH}</h3>\n<figure>\n"));
    p.push_str(&bar_chart("chart-reviews", REVIEWS_BY_MONTH, "reviews due", &description, &bars));
    p.push_str("\n</figure>\n</div>\n");
    if report.reviews_due.is_empty() {
        none(p, "No reviews are due.");
    } else {
        let (shown, noted) = shown_reviews(report);
        let headings = [
            ("Month", false),
            ("Service", false),
            ("Provider", false),
            ("Review due", false),
            ("Note", false),
        ];
        table_head(p, "Reviews due, by month", &headings[..if noted { 5 } else { 4 }]);
        for item in shown {
            let (month, due, note) = (review_month(item), item.due.in_words(), review_note(item));
            let cells = [
                (month.as_str(), false),
                (item.service.as_str(), false),
                (item.provider.as_str(), false),
                (due.as_str(), false),
                (note.as_str(), false),
            ];
            table_row(p, &cells[..if noted { 5 } else { 4 }]);
        }
        p.push_str("</tbody>\n</table>\n");
        let hidden = report.reviews_due.len().saturating_sub(SHOWN);
        if let Some(line) = more(hidden, &format!("reviews due by {}", report.reviews_until.in_words())) {
            p.push_str(&format!("<p class=\"more\">{}</p>\n", html_escaped(&line)));
        }
    }
    p.push_str("</section>\n");
}

fn write_open(report: &BoardReport, p: &mut String) {
    p.push_str(&format!("<section>\n<h2>{OPEN}</h2>\n"));
    if report.open.is_empty() {
        none(p, "No written request, refusal, referral or removal is open.");
    } else {
        table_head(
            p,
            &format!("Open on {}", report.period.until.in_words()),
            &[("Service", false), ("Provider", false), ("Status", false), ("What is open", false)],
        );
        for item in report.open.iter().take(SHOWN) {
            let what = if item.overdue { format!("{} (overdue)", item.what) } else { item.what.clone() };
            table_row(
                p,
                &[
                    (&item.service, false),
                    (&item.provider, false),
                    (item.status.label(), false),
                    (&what, false),
                ],
            );
        }
        p.push_str("</tbody>\n</table>\n");
        if let Some(line) = more(report.open.len().saturating_sub(SHOWN), "open matters") {
            p.push_str(&format!("<p class=\"more\">{}</p>\n", html_escaped(&line)));
        }
    }
    p.push_str("</section>\n");
}

fn write_findings(report: &BoardReport, p: &mut String) {
    p.push_str(&format!("<section>\n<h2>{FINDINGS}</h2>\n"));
    p.push_str(&format!(
        "<p>{} The check is the one crs check runs, on {}; it says what to do about each finding.</p>\n",
        html_escaped(&check_sentence(report)),
        report.prepared_on.in_words()
    ));
    for severity in [Severity::Error, Severity::Warning] {
        let kinds = findings_of(report, severity);
        if kinds.is_empty() {
            continue;
        }
        p.push_str(&format!("<h3>{}</h3>\n<ul>\n", findings::heading(severity)));
        for kind in kinds {
            p.push_str(&format!("<li>{}.</li>\n", html_escaped(&findings::sentence(kind))));
        }
        p.push_str("</ul>\n");
    }
    p.push_str("</section>\n");
}
