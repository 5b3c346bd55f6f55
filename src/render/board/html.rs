//! The board paper as one self-contained HTML page: no fonts, scripts, images or
//! styles from anywhere else, so it opens offline and can be e-mailed whole. It
//! prints to A4 (`@page`) with its own page numbers ("Page 2 of 5", in the page's
//! bottom margin), repeats table headers on each printed page and keeps table rows
//! whole. It is written to be read by anyone: `lang="en-GB"`, headings in
//! order, `<th scope>` on every header cell, dark text on white, and nothing told by
//! colour alone. Every piece of record text is escaped: records are user input.

use std::io::{self, Write};

use crate::ops::report::BoardReport;
use crate::render::board::chart::bar_chart;
use crate::render::board::paper::{Block, Chart, Paper, Section, Table, paper};
use crate::render::board::{ABOUT, TITLE};
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
    write_page(&paper(report), &mut page);
    out.write_all(page.as_bytes())
}

fn write_page(paper: &Paper, p: &mut String) {
    p.push_str("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n");
    p.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    p.push_str(&format!("<title>{}</title>\n", html_escaped(&paper.title)));
    p.push_str(&format!("<style>{STYLE}</style>\n</head>\n<body>\n"));

    let (name, ods) = &paper.commissioner;
    p.push_str("<header>\n");
    p.push_str(&format!("<p class=\"organisation\">{} ({})</p>\n", html_escaped(name), html_escaped(ods)));
    p.push_str(&format!("<h1>{TITLE}</h1>\n"));
    p.push_str(&format!("<p class=\"subtitle\">{}</p>\n", html_escaped(&paper.subtitle)));
    p.push_str("</header>\n<main>\n");
    for section in &paper.sections {
        write_section(section, p);
    }
    p.push_str("</main>\n<footer>\n");
    p.push_str(&format!("<h2>{ABOUT}</h2>\n"));
    for line in &paper.about {
        p.push_str(&format!("<p>{}</p>\n", html_escaped(line)));
    }
    p.push_str("</footer>\n</body>\n</html>\n");
}

/// One section; one kept with its chart holds its heading, words and chart in a
/// block that prints on one page.
fn write_section(section: &Section, p: &mut String) {
    let mut kept = section.kept_with_chart;
    p.push_str(if kept { "<section>\n<div class=\"keep\">\n" } else { "<section>\n" });
    p.push_str(&format!("<h2>{}</h2>\n", section.heading));
    for block in &section.blocks {
        write_block(block, p);
        if kept && matches!(block, Block::Chart(_)) {
            p.push_str("</div>\n");
            kept = false;
        }
    }
    p.push_str("</section>\n");
}

fn write_block(block: &Block, p: &mut String) {
    match block {
        Block::Paragraph(text) => p.push_str(&format!("<p>{}</p>\n", html_escaped(text))),
        Block::Facts(items) => write_list(p, " class=\"facts\"", items),
        Block::List(items) => write_list(p, "", items),
        Block::Subheading(text, on) => {
            let on = on.as_ref().map(|day| format!(" on {day}")).unwrap_or_default();
            p.push_str(&format!("<h3>{}{on}</h3>\n", html_escaped(text)));
        }
        Block::Nothing(text) => p.push_str(&format!("<p class=\"none\">{}</p>\n", html_escaped(text))),
        Block::More(text) => p.push_str(&format!("<p class=\"more\">{}</p>\n", html_escaped(text))),
        Block::Chart(chart) => write_chart(chart, p),
        Block::Table(table) => write_table(table, p),
    }
}

fn write_list(p: &mut String, class: &str, items: &[String]) {
    p.push_str(&format!("<ul{class}>\n"));
    for item in items {
        p.push_str(&format!("<li>{}</li>\n", html_escaped(item)));
    }
    p.push_str("</ul>\n");
}

/// A chart drawn as inline SVG, with its numbers in words for a screen reader; one
/// alone has its own heading.
fn write_chart(chart: &Chart, p: &mut String) {
    if chart.alone {
        p.push_str(&format!("<h3>{}</h3>\n", html_escaped(&chart.title)));
    }
    let description = chart.bars.iter().map(|(l, n)| format!("{l}: {n}")).collect::<Vec<_>>().join("; ");
    p.push_str("<figure>\n");
    p.push_str(&bar_chart(chart.id, &chart.title, chart.unit, &description, &chart.bars));
    p.push_str("\n</figure>\n");
}

fn write_table(table: &Table, p: &mut String) {
    p.push_str(&format!("<table>\n<caption>{}</caption>\n<thead><tr>", html_escaped(&table.caption)));
    for (header, number) in &table.columns {
        p.push_str(&format!("<th scope=\"col\"{}>{}</th>", number_class(*number), html_escaped(header)));
    }
    p.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        table_row(p, "<tr>", &table.columns, row);
    }
    if let Some(total) = &table.total {
        table_row(p, "<tr class=\"total\">", &table.columns, total);
    }
    p.push_str("</tbody>\n</table>\n");
}

/// One body row: the first cell is the row's header.
fn table_row(p: &mut String, open: &str, columns: &[(&str, bool)], cells: &[String]) {
    p.push_str(open);
    for (i, (cell, (_, number))) in cells.iter().zip(columns).enumerate() {
        let class = number_class(*number);
        if i == 0 {
            p.push_str(&format!("<th scope=\"row\"{class}>{}</th>", html_escaped(cell)));
        } else {
            p.push_str(&format!("<td{class}>{}</td>", html_escaped(cell)));
        }
    }
    p.push_str("</tr>\n");
}

fn number_class(number: bool) -> &'static str {
    if number { " class=\"number\"" } else { "" }
}
