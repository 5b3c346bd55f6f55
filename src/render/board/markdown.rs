//! The board paper as Markdown, for pasting into a board paper's template: the same
//! sections and words as the HTML page, with each chart given as the table of its
//! numbers. Record text is escaped so that a service name cannot start a list, a
//! heading, a link or a table cell.

use std::io::{self, Write};

use crate::framework::finding::Severity;
use crate::ops::report::{BoardReport, ChangeGroup};
use crate::render::board::{
    ABOUT, AT_A_GLANCE, BY_PROVIDER, BY_STATUS, CHANGES, FINDINGS, INTRODUCTION, OPEN, REVIEWS, SHOWN,
    SUMMARY, TITLE, about, changes_intro, check_sentence, count, findings, findings_of, key_facts, more,
    plural, providers_shown, review_month, review_note, shown_reviews, subtitle, timeline_bars,
};
use crate::text::markdown_escaped;

/// Writes `report` as Markdown.
pub fn render(report: &BoardReport, out: &mut dyn Write) -> io::Result<()> {
    let mut page = String::with_capacity(8 * 1024 + report.changes.len() * 200);
    write_page(report, &mut page);
    out.write_all(page.as_bytes())
}

fn table(p: &mut String, headers: &[(&str, bool)], rows: &[Vec<String>]) {
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

fn write_page(report: &BoardReport, p: &mut String) {
    write_summary(report, p);
    write_at_a_glance(report, p);
    write_changes(report, p);
    write_reviews(report, p);
    write_open(report, p);
    write_findings(report, p);
    write_about(report, p);
}

/// The title, the subtitle and the summary's key facts.
fn write_summary(report: &BoardReport, p: &mut String) {
    p.push_str(&format!("# {TITLE}: {}\n\n", markdown_escaped(report.commissioner.name.trim())));
    p.push_str(&format!("{}\n\n", markdown_escaped(&subtitle(report))));

    p.push_str(&format!("## {SUMMARY}\n\n{}\n\n", markdown_escaped(INTRODUCTION)));
    for fact in key_facts(report) {
        p.push_str(&format!("- {}\n", markdown_escaped(&fact)));
    }
    p.push('\n');
}

/// Where the services stood at the period's end: by status and by provider.
fn write_at_a_glance(report: &BoardReport, p: &mut String) {
    let until = report.period.until.in_words();
    p.push_str(&format!("## {AT_A_GLANCE}\n\n"));
    p.push_str(&format!(
        "Where the {} recorded stood on {until}.\n\n",
        markdown_escaped(&count(report.records, "service", "services"))
    ));
    p.push_str(&format!("### {BY_STATUS}\n\n"));
    if report.by_status.is_empty() {
        p.push_str("The register holds no records.\n\n");
    } else {
        let mut rows: Vec<Vec<String>> = report
            .by_status
            .iter()
            .map(|c| vec![c.status.label().to_owned(), c.count.to_string(), c.status.definition().to_owned()])
            .collect();
        rows.push(vec!["Total".to_owned(), report.records.to_string(), String::new()]);
        table(p, &[("Status", false), ("Services", true), ("What it means", false)], &rows);
    }
    p.push_str(&format!("### {BY_PROVIDER}\n\n"));
    if report.by_provider.is_empty() {
        p.push_str("The register holds no records.\n\n");
    } else {
        let rows: Vec<Vec<String>> = providers_shown(&report.by_provider)
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    c.ods.clone(),
                    c.total.to_string(),
                    c.in_force.to_string(),
                    c.in_progress.to_string(),
                    c.not_in_force.to_string(),
                    c.draft.to_string(),
                ]
            })
            .collect();
        table(
            p,
            &[
                ("Provider", false),
                ("ODS code", false),
                ("Services", true),
                ("In force", true),
                ("Decided, not yet in force", true),
                ("Not designated or removed", true),
                ("Being assessed", true),
            ],
            &rows,
        );
    }
}

/// What was decided or done in the period, group by group.
fn write_changes(report: &BoardReport, p: &mut String) {
    p.push_str(&format!("## {CHANGES}\n\n"));
    p.push_str(&format!("{}\n\n", markdown_escaped(&changes_intro(report))));
    if report.changes.is_empty() {
        p.push_str("Nothing was decided or done in the period.\n\n");
    }
    for group in ChangeGroup::ALL {
        let changes: Vec<_> = report.changes_in(group).collect();
        if changes.is_empty() {
            continue;
        }
        p.push_str(&format!("### {}\n\n", markdown_escaped(group.heading())));
        for change in changes.iter().take(SHOWN) {
            p.push_str(&format!("- {}.\n", markdown_escaped(&change.sentence)));
        }
        p.push('\n');
        let hidden = changes.len().saturating_sub(SHOWN);
        if let Some(line) = more(
            hidden,
            &format!("{} in the period, {} in all", plural(hidden, group.nouns()), changes.len()),
        ) {
            p.push_str(&format!("{}\n\n", markdown_escaped(&line)));
        }
    }
}

/// The reviews falling due, by month and one by one.
fn write_reviews(report: &BoardReport, p: &mut String) {
    p.push_str(&format!("## {REVIEWS}\n\n"));
    p.push_str(&format!(
        "Designations whose review falls due by {}, and reviews not yet complete. A designation stays in force during its review.\n\n",
        report.reviews_until.in_words()
    ));
    let bars: Vec<Vec<String>> =
        timeline_bars(report).into_iter().map(|(l, n)| vec![l, n.to_string()]).collect();
    table(p, &[("Month", false), ("Reviews due", true)], &bars);
    if report.reviews_due.is_empty() {
        p.push_str("No reviews are due.\n\n");
    } else {
        let (shown, noted) = shown_reviews(report);
        let columns = if noted { 5 } else { 4 };
        let rows: Vec<Vec<String>> = shown
            .iter()
            .map(|i| {
                let mut row = vec![
                    review_month(i),
                    i.service.clone(),
                    i.provider.clone(),
                    i.due.in_words(),
                    review_note(i),
                ];
                row.truncate(columns);
                row
            })
            .collect();
        let headings = [
            ("Month", false),
            ("Service", false),
            ("Provider", false),
            ("Review due", false),
            ("Note", false),
        ];
        table(p, &headings[..columns], &rows);
        let hidden = report.reviews_due.len().saturating_sub(SHOWN);
        if let Some(line) = more(hidden, &format!("reviews due by {}", report.reviews_until.in_words())) {
            p.push_str(&format!("{}\n\n", markdown_escaped(&line)));
        }
    }
}

/// The written requests, refusals, referrals and removals still open.
fn write_open(report: &BoardReport, p: &mut String) {
    p.push_str(&format!("## {OPEN}\n\n"));
    if report.open.is_empty() {
        p.push_str("No written request, refusal, referral or removal is open.\n\n");
    } else {
        let rows: Vec<Vec<String>> = report
            .open
            .iter()
            .take(SHOWN)
            .map(|i| {
                let what = if i.overdue { format!("{} (overdue)", i.what) } else { i.what.clone() };
                vec![i.service.clone(), i.provider.clone(), i.status.label().to_owned(), what]
            })
            .collect();
        table(
            p,
            &[("Service", false), ("Provider", false), ("Status", false), ("What is open", false)],
            &rows,
        );
        if let Some(line) = more(report.open.len().saturating_sub(SHOWN), "open matters") {
            p.push_str(&format!("{}\n\n", markdown_escaped(&line)));
        }
    }
}

/// The check's findings, summed up by kind.
fn write_findings(report: &BoardReport, p: &mut String) {
    p.push_str(&format!("## {FINDINGS}\n\n"));
    p.push_str(&format!(
        "{} The check is the one crs check runs, on {}; it says what to do about each finding.\n\n",
        markdown_escaped(&check_sentence(report)),
        report.prepared_on.in_words()
    ));
    for severity in [Severity::Error, Severity::Warning] {
        let kinds = findings_of(report, severity);
        if kinds.is_empty() {
            continue;
        }
        p.push_str(&format!("### {}\n\n", findings::heading(severity)));
        for kind in kinds {
            p.push_str(&format!("- {}.\n", markdown_escaped(&findings::sentence(kind))));
        }
        p.push('\n');
    }
}

/// Where the paper comes from.
fn write_about(report: &BoardReport, p: &mut String) {
    p.push_str(&format!("## {ABOUT}\n\n"));
    for line in about(report) {
        p.push_str(&format!("{}\n\n", markdown_escaped(&line)));
    }
}
