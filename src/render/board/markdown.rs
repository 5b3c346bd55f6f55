//! The board paper as Markdown, for pasting into a board paper's template: the same
//! sections and words as the HTML page, with each chart given as the table of its
//! numbers. Record text is escaped so that a service name cannot start a list, a
//! heading, a link or a table cell.

use std::io::{self, Write};

use crate::ops::report::BoardReport;
use crate::render::board::paper::{Block, Chart, Paper, paper};
use crate::render::board::{ABOUT, TITLE};
use crate::text::{capitalised, markdown_escaped};

/// Writes `report` as Markdown.
pub fn render(report: &BoardReport, out: &mut dyn Write) -> io::Result<()> {
    let mut page = String::with_capacity(8 * 1024 + report.changes.len() * 200);
    write_page(&paper(report), &mut page);
    out.write_all(page.as_bytes())
}

fn write_page(paper: &Paper, p: &mut String) {
    p.push_str(&format!("# {TITLE}: {}\n\n", markdown_escaped(&paper.commissioner.0)));
    p.push_str(&format!("{}\n\n", markdown_escaped(&paper.subtitle)));
    for section in &paper.sections {
        p.push_str(&format!("## {}\n\n", section.heading));
        for block in &section.blocks {
            write_block(block, p);
        }
    }
    p.push_str(&format!("## {ABOUT}\n\n"));
    for line in &paper.about {
        p.push_str(&format!("{}\n\n", markdown_escaped(line)));
    }
}

fn write_block(block: &Block, p: &mut String) {
    match block {
        Block::Paragraph(text) | Block::More(text) => p.push_str(&format!("{}\n\n", markdown_escaped(text))),
        Block::Nothing(text) => p.push_str(&format!("{}\n\n", markdown_escaped(text))),
        Block::Facts(items) | Block::List(items) => {
            for item in items {
                p.push_str(&format!("- {}\n", markdown_escaped(item)));
            }
            p.push('\n');
        }
        // The section's words give the day.
        Block::Subheading(text, _) => p.push_str(&format!("### {}\n\n", markdown_escaped(text))),
        Block::Chart(chart) => write_chart(chart, p),
        Block::Table(table) => write_table(p, &table.columns, table.rows.iter().chain(&table.total)),
    }
}

/// A chart alone, as the table of its numbers; one beside a table adds nothing to it.
fn write_chart(chart: &Chart, p: &mut String) {
    if chart.alone {
        let unit = capitalised(chart.unit);
        let columns = [(chart.label, false), (unit.as_str(), true)];
        let rows: Vec<Vec<String>> = chart.bars.iter().map(|(l, n)| vec![l.clone(), n.to_string()]).collect();
        write_table(p, &columns, rows.iter());
    }
}

fn write_table<'a>(p: &mut String, headers: &[(&str, bool)], rows: impl Iterator<Item = &'a Vec<String>>) {
    p.push('|');
    for (header, _) in headers {
        p.push_str(&format!(" {} |", markdown_escaped(header)));
    }
    p.push_str("\n|");
    for (_, number) in headers {
        p.push_str(if *number { "---:|" } else { "---|" });
    }
    p.push('\n');
    for row in rows {
        p.push('|');
        for cell in row {
            p.push_str(&format!(" {} |", markdown_escaped(cell)));
        }
        p.push('\n');
    }
    p.push('\n');
}
