//! The board paper: a `BoardReport` (gathered by `ops::report`) written for the ICB
//! board or the public, as one self-contained HTML page that prints to A4
//! (`html`), or as Markdown for pasting into board papers (`markdown`). Both render
//! one model of the paper (`paper`), built from the words here and in
//! `model::labels`, so they say the same things in the same order; the bar charts
//! are inline SVG (`chart`). Renderers write to the writer they are
//! given and never decide what the paper holds.

pub mod chart;
pub mod findings;
pub mod html;
pub mod markdown;
pub mod paper;

use std::io::{self, Write};

use crate::framework::finding::Severity;
use crate::model::Date;
use crate::ops::due::DueItem;
use crate::ops::due::DueKind;
use crate::ops::report::{BoardReport, ProviderCount};
use crate::text::capitalised;

/// The headings of the paper's sections, in order.
pub const SUMMARY: &str = "Summary";
pub const AT_A_GLANCE: &str = "The register at a glance";
pub const BY_STATUS: &str = "Services by status";
/// Every service of each provider counts, whatever its status; the table beside the
/// chart keeps those in force apart.
pub const BY_PROVIDER: &str = "Services by provider (all statuses)";
pub const CHANGES: &str = "What changed in the period";
pub const REVIEWS: &str = "Reviews due in the next 12 months";
/// The review timeline's chart.
pub const REVIEWS_BY_MONTH: &str = "Reviews due by month";
pub const OPEN: &str = "Open requests, refusals and referrals";
pub const FINDINGS: &str = "Findings of the register check";
pub const ABOUT: &str = "About this paper";

/// The formats the paper is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoardFormat {
    Html,
    Markdown,
}

/// Writes `report` in `format` to `out`.
pub fn render(report: &BoardReport, format: BoardFormat, out: &mut dyn Write) -> io::Result<()> {
    match format {
        BoardFormat::Html => html::render(report, out),
        BoardFormat::Markdown => markdown::render(report, out),
    }
}

/// The paper's title, as its heading gives it (the commissioner's name is above it).
pub const TITLE: &str = "Commissioner Requested Services";

/// The page's title, as a browser's tab and a printed file name give it.
pub fn title(report: &BoardReport) -> String {
    format!("{TITLE}: {}: {}", report.commissioner.name.trim(), period_words(report))
}

/// The period in words: "24 November 2025 to 23 November 2026".
pub fn period_words(report: &BoardReport) -> String {
    format!("{} to {}", report.period.since.in_words(), report.period.until.in_words())
}

/// The subtitle: what the paper covers and when it was made.
pub fn subtitle(report: &BoardReport) -> String {
    let since = if report.period.since_submission.is_some() {
        " (since the last submission to the regulator)"
    } else {
        ""
    };
    format!(
        "Report on the register for {}{since}, prepared on {}",
        period_words(report),
        report.prepared_on.in_words()
    )
}

/// What "What changed in the period" tells, and by which dates.
pub fn changes_intro(report: &BoardReport) -> String {
    let mut intro = format!(
        "The decisions and steps dated from {}, by the dates recorded for them; the services moved to a new \
         provider code (on the day given for the move, else the day it was recorded), the organisations succeeded (on the day the successor \
         took over) and the submissions to the regulator in that time.",
        period_words(report)
    );
    match report.undated_steps {
        0 => {}
        1 => intro.push_str(
            " One step whose day was not recorded, which may have come before the period, is not told here; \
             crs show gives it with the latest day it can have happened.",
        ),
        n => intro.push_str(&format!(
            " {n} steps whose days were not recorded, which may have come before the period, are not told here; \
             crs show gives each with the latest day it can have happened."
        )),
    }
    intro
}

/// What Commissioner Requested Services are, for a reader who has not met them.
pub const INTRODUCTION: &str = "Commissioner Requested Services are the services a provider must keep \
providing locally even if it gets into financial difficulty. The commissioner designates a service when \
there is no alternative provider close enough, when losing it would increase health inequalities, or \
when other services depend on it. This paper reports where the commissioner's register of these \
services stands, what was decided in the period, and what is to come.";

/// The paper's key facts, as sentences.
pub fn key_facts(report: &BoardReport) -> Vec<String> {
    let mut facts: Vec<String> = vec![
        format!(
            "{} recorded; {} in force on {}.",
            count(report.records, "service", "services"),
            count(report.in_force(), "designation", "designations"),
            report.period.until.in_words()
        ),
        format!(
            "{} in the period from {}.",
            count(
                report.changes.len(),
                "dated decision, step or change",
                "dated decisions, steps and changes"
            ),
            period_words(report)
        ),
        reviews_fact(report),
        format!(
            "{} open: written requests awaiting an answer, refusals, referrals and requests for a review.",
            count(report.open.len(), "matter", "matters")
        ),
        check_sentence(report),
    ];
    if report.unreadable > 0 {
        facts.push(format!(
            "{} in the register could not be read as records and {} not counted.",
            count(report.unreadable, "file", "files"),
            if report.unreadable == 1 { "is" } else { "are" }
        ));
    }
    facts.iter().map(|f| capitalised(f)).collect()
}

/// What the register check found, in a sentence.
pub fn check_sentence(report: &BoardReport) -> String {
    let s = report.summary;
    if s.errors == 0 && s.warnings == 0 {
        return "The register check found nothing to put right.".to_owned();
    }
    format!(
        "The register check found {} to put right and {} worth acting on.",
        count(s.errors, "error", "errors"),
        count(s.warnings, "warning", "warnings")
    )
}

pub use crate::model::labels::count;

/// A month in words: "December 2026".
pub fn month_words(day: Date) -> String {
    day.0.format("%B %Y").to_string()
}

/// The months the review timeline spans: the one the period ends in to the one
/// reviews are listed until, as their first days.
pub fn timeline_months(report: &BoardReport) -> Vec<Date> {
    use chrono::Datelike;
    let first = |d: Date| Date::from_ymd(d.0.year(), d.0.month(), 1);
    let (Some(mut month), Some(last)) = (first(report.period.until), first(report.reviews_until)) else {
        return Vec::new();
    };
    let mut months = Vec::new();
    while month <= last {
        months.push(month);
        match month.0.checked_add_months(chrono::Months::new(1)) {
            Some(next) => month = Date(next),
            None => break,
        }
    }
    months
}

/// The reviews due by the paper's horizon, and those under way (whatever their
/// date: not yet complete).
fn reviews_fact(report: &BoardReport) -> String {
    let under_way = report.reviews_due.iter().filter(|r| r.kind == DueKind::ReviewToComplete).count();
    let due = report.reviews_due.len() - under_way;
    let mut fact = format!("{} due by {}", count(due, "review", "reviews"), report.reviews_until.in_words());
    if under_way > 0 {
        fact.push_str(&format!(", and {} under way", count(under_way, "review", "reviews")));
    }
    fact + "."
}

/// What the paper says of a review under way whose record gives no day for it.
pub const NO_DAY_RECORDED: &str = "No day recorded";

/// The bars of the review timeline: overdue reviews, reviews under way with no day
/// recorded for them, then one bar a month.
pub fn timeline_bars(report: &BoardReport) -> Vec<(String, usize)> {
    let mut bars = Vec::new();
    let overdue = report.reviews_due.iter().filter(|r| r.overdue).count();
    if overdue > 0 {
        bars.push(("Overdue".to_owned(), overdue));
    }
    let undated = report.reviews_due.iter().filter(|r| r.due.is_none()).count();
    if undated > 0 {
        bars.push((NO_DAY_RECORDED.to_owned(), undated));
    }
    for month in timeline_months(report) {
        let n = report
            .reviews_due
            .iter()
            .filter(|r| !r.overdue && r.due.is_some_and(|due| month_words(due) == month_words(month)))
            .count();
        bars.push((month_words(month), n));
    }
    bars
}

/// The reviews the paper lists (at most `SHOWN`), and whether any of them has a
/// note: a note column only then.
pub fn shown_reviews(report: &BoardReport) -> (&[DueItem], bool) {
    let shown = &report.reviews_due[..report.reviews_due.len().min(SHOWN)];
    (shown, shown.iter().any(|item| !review_note(item).is_empty()))
}

/// The month column of a review: its month, "Overdue", or that no day is recorded.
pub fn review_month(review: &DueItem) -> String {
    match review.due {
        _ if review.overdue => "Overdue".to_owned(),
        Some(due) => month_words(due),
        None => NO_DAY_RECORDED.to_owned(),
    }
}

/// The day a review is due, as the record gives it.
pub fn review_day(review: &DueItem) -> String {
    review.due.map_or_else(|| NO_DAY_RECORDED.to_owned(), Date::in_words)
}

/// A note on a review: under review already, or overdue.
pub fn review_note(review: &DueItem) -> String {
    match (review.kind, review.due) {
        (DueKind::ReviewToComplete, _) => capitalised(&review.what),
        (_, Some(due)) if review.overdue => format!("Overdue since {}", due.in_words()),
        _ => String::new(),
    }
}

/// How many rows a list or table of the paper shows before it says how many more
/// there are: a register of hundreds of services still makes a paper of a few pages.
pub const SHOWN: usize = 12;

/// The line that ends a list cut at `SHOWN`: "And 14 more decisions in the period,
/// 26 in all."
pub fn more(hidden: usize, what: &str) -> Option<String> {
    (hidden > 0).then(|| format!("And {hidden} more {what}."))
}

/// The providers of `providers` (by name) the paper shows, each with its services: all of them when there are
/// no more than `SHOWN`; else the `SHOWN - 1` with the most services (by name among
/// equals), by name, then one row that adds up the rest ("14 other providers"), so
/// the chart and table still count every service.
pub(crate) fn providers_shown(providers: &[ProviderCount]) -> Vec<ProviderCount> {
    if providers.len() <= SHOWN {
        return providers.to_vec();
    }
    let mut biggest: Vec<&ProviderCount> = providers.iter().collect();
    biggest.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| (&a.name, &a.ods).cmp(&(&b.name, &b.ods))));
    let (shown, rest) = biggest.split_at(SHOWN - 1);
    let mut rows: Vec<ProviderCount> = shown.iter().map(|&c| c.clone()).collect();
    rows.sort_by(|a, b| (&a.name, &a.ods).cmp(&(&b.name, &b.ods)));
    let mut others =
        ProviderCount { name: format!("{} other providers", rest.len()), ..ProviderCount::default() };
    for c in rest {
        others.total += c.total;
        others.in_force += c.in_force;
        others.in_progress += c.in_progress;
        others.draft += c.draft;
        others.not_in_force += c.not_in_force;
    }
    rows.push(others);
    rows
}

/// The noun of `nouns` (one, many) that goes with `n`.
pub fn plural(n: usize, (one, many): (&'static str, &'static str)) -> &'static str {
    if n == 1 { one } else { many }
}

/// The findings of the check of `severity`, with the heading the paper gives them.
pub fn findings_of(report: &BoardReport, severity: Severity) -> Vec<&crate::ops::report::FindingKind> {
    report.findings.iter().filter(|k| k.severity == severity).collect()
}

/// How the paper was made, for its last section.
pub fn about(report: &BoardReport) -> Vec<String> {
    let mut lines = vec![
        format!(
            "This paper was produced by crs from the register of {} ({}) on {}.",
            report.commissioner.name.trim(),
            report.commissioner.ods.trim(),
            report.prepared_on.in_words()
        ),
        "Each service's status is worked out from its recorded decisions and the dated steps that followed them; \
         what changed in the period goes by the dates of those decisions and steps. Each step names the provider \
         the service had on its day, before any later move."
            .to_owned(),
    ];
    if let Some(tag) = &report.period.since_submission {
        lines.push(format!("The period starts on the day of the last submission to the regulator ({tag})."));
    }
    if !report.commissioner.contact.trim().is_empty() {
        lines.push(format!("Questions about this paper: {}.", report.commissioner.contact.trim()));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(ods: &str, total: usize) -> ProviderCount {
        ProviderCount {
            ods: ods.to_owned(),
            name: format!("Trust {ods}"),
            total,
            in_force: total,
            ..Default::default()
        }
    }

    #[test]
    fn providers_beyond_the_list_are_added_up_in_one_row() {
        let few: Vec<ProviderCount> = (0..SHOWN).map(|i| provider(&format!("R{i:02}"), 1)).collect();
        assert_eq!(providers_shown(&few), few);
        // 20 providers, the one with the code ending in i having i services.
        let many: Vec<ProviderCount> = (0..20).map(|i| provider(&format!("R{i:02}"), i)).collect();
        let shown = providers_shown(&many);
        assert_eq!(shown.len(), SHOWN);
        let names: Vec<&str> = shown.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names[0], "Trust R09", "the 11 with the most services, by name: {names:?}");
        assert_eq!(names[SHOWN - 2], "Trust R19");
        let others = &shown[SHOWN - 1];
        assert_eq!((others.name.as_str(), others.total, others.in_force), ("9 other providers", 36, 36));
        assert_eq!(shown.iter().map(|c| c.total).sum::<usize>(), (0..20).sum::<usize>());
    }
}
