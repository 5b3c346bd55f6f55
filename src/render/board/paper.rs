//! The board paper's content as a neutral model, built once from a `BoardReport`:
//! its sections in order, each a heading and blocks (sentences, lists, tables,
//! charts). The HTML page and the Markdown text render this one model, so they say
//! the same things in the same order; how a block looks is each renderer's choice
//! (a chart is drawn on the page and given as the table of its numbers in Markdown
//! where no table beside it gives them). Text here is raw: each renderer escapes it.

use crate::framework::finding::Severity;
use crate::ops::report::{BoardReport, ChangeGroup};
use crate::render::board::{
    AT_A_GLANCE, BY_PROVIDER, BY_STATUS, CHANGES, FINDINGS, INTRODUCTION, OPEN, REVIEWS, REVIEWS_BY_MONTH,
    SHOWN, SUMMARY, about, changes_intro, check_sentence, count, findings, findings_of, key_facts, more,
    plural, providers_shown, review_day, review_month, review_note, shown_reviews, subtitle, timeline_bars,
    title,
};

/// The whole paper.
pub(crate) struct Paper {
    /// The page's title, as a browser's tab and a printed file name give it.
    pub(crate) title: String,
    /// Whom the register speaks for: name and ODS code.
    pub(crate) commissioner: (String, String),
    pub(crate) subtitle: String,
    pub(crate) sections: Vec<Section>,
    /// Where the paper comes from, a paragraph a line, under "About this paper".
    pub(crate) about: Vec<String>,
}

/// One section: its heading and what it says.
pub(crate) struct Section {
    pub(crate) heading: &'static str,
    /// The heading, its words and its first chart print on one page.
    pub(crate) kept_with_chart: bool,
    pub(crate) blocks: Vec<Block>,
}

/// A piece of a section.
pub(crate) enum Block {
    Paragraph(String),
    /// The paper's key facts, as a list.
    Facts(Vec<String>),
    List(Vec<String>),
    /// A heading within the section, and the day its numbers stand at, which the
    /// page gives in the heading and Markdown leaves to the section's words.
    Subheading(String, Option<String>),
    /// What a part of the section says when it has nothing to list.
    Nothing(&'static str),
    /// How many more there are than the list or table shows.
    More(String),
    Chart(Chart),
    Table(Table),
}

/// A bar chart of counts.
pub(crate) struct Chart {
    /// The chart's id on the page.
    pub(crate) id: &'static str,
    pub(crate) title: String,
    /// What a bar's label is ("Month") and what it counts ("reviews due").
    pub(crate) label: &'static str,
    pub(crate) unit: &'static str,
    pub(crate) bars: Vec<(String, usize)>,
    /// Whether no table beside it gives its numbers: then the chart has a heading
    /// of its own on the page, and Markdown gives its numbers as a table.
    pub(crate) alone: bool,
}

/// A table: its caption, its columns (each with whether it holds numbers), its rows
/// and a row of totals.
pub(crate) struct Table {
    pub(crate) caption: String,
    pub(crate) columns: Vec<(&'static str, bool)>,
    pub(crate) rows: Vec<Vec<String>>,
    pub(crate) total: Option<Vec<String>>,
}

/// The paper `report` makes.
pub(crate) fn paper(report: &BoardReport) -> Paper {
    let commissioner = &report.commissioner;
    Paper {
        title: title(report),
        commissioner: (commissioner.name.trim().to_owned(), commissioner.ods.trim().to_owned()),
        subtitle: subtitle(report),
        sections: vec![
            Section::new(
                SUMMARY,
                vec![Block::Paragraph(INTRODUCTION.to_owned()), Block::Facts(key_facts(report))],
            ),
            Section::new(AT_A_GLANCE, glance(report)),
            Section::new(CHANGES, changes(report)),
            Section { kept_with_chart: true, ..Section::new(REVIEWS, reviews(report)) },
            Section::new(OPEN, open(report)),
            Section::new(FINDINGS, found(report)),
        ],
        about: about(report),
    }
}

impl Section {
    fn new(heading: &'static str, blocks: Vec<Block>) -> Section {
        Section { heading, kept_with_chart: false, blocks }
    }
}

/// The line of how many more there are, when there are more than shown.
fn more_line(blocks: &mut Vec<Block>, hidden: usize, what: &str) {
    if let Some(line) = more(hidden, what) {
        blocks.push(Block::More(line));
    }
}

/// Where the services stood at the period's end: by status and by provider, each a
/// chart and the table of its numbers.
fn glance(report: &BoardReport) -> Vec<Block> {
    let until = report.period.until.in_words();
    let mut blocks = vec![Block::Paragraph(format!(
        "Where the {} recorded stood on {until}.",
        count(report.records, "service", "services")
    ))];
    let statuses = &report.by_status;
    let bars = statuses.iter().map(|c| (c.status.label().to_owned(), c.count)).collect();
    let rows = statuses
        .iter()
        .map(|c| vec![c.status.label().to_owned(), c.count.to_string(), c.status.definition().to_owned()])
        .collect();
    let columns = vec![("Status", false), ("Services", true), ("What it means", false)];
    let total = Some(vec!["Total".to_owned(), report.records.to_string(), String::new()]);
    counts(
        &mut blocks,
        BY_STATUS,
        &until,
        ("chart-status", bars),
        Table { caption: String::new(), columns, rows, total },
    );

    let providers = providers_shown(&report.by_provider);
    let bars = providers.iter().map(|c| (c.name.clone(), c.total)).collect();
    let rows = providers
        .iter()
        .map(|c| {
            let numbers = [c.total, c.in_force, c.in_progress, c.not_in_force, c.draft];
            [c.name.clone(), c.ods.clone()].into_iter().chain(numbers.iter().map(usize::to_string)).collect()
        })
        .collect();
    let columns = vec![
        ("Provider", false),
        ("ODS code", false),
        ("Services", true),
        ("In force", true),
        ("Decided, not yet in force", true),
        ("Not designated or removed", true),
        ("Being assessed", true),
    ];
    let table = Table { caption: String::new(), columns, rows, total: None };
    counts(&mut blocks, BY_PROVIDER, &until, ("chart-provider", bars), table);
    blocks
}

/// Counts on `until` under `heading`: a chart of `bars` and `table`, or a line
/// saying there are none.
fn counts(
    blocks: &mut Vec<Block>,
    heading: &str,
    until: &str,
    (id, bars): (&'static str, Vec<(String, usize)>),
    table: Table,
) {
    blocks.push(Block::Subheading(heading.to_owned(), Some(until.to_owned())));
    if table.rows.is_empty() {
        blocks.push(Block::Nothing("The register holds no records."));
        return;
    }
    let title = format!("{heading} on {until}");
    blocks.push(Block::Chart(Chart {
        id,
        title: title.clone(),
        label: "",
        unit: "services",
        bars,
        alone: false,
    }));
    blocks.push(Block::Table(Table { caption: title, ..table }));
}

/// What was decided or done in the period, group by group.
fn changes(report: &BoardReport) -> Vec<Block> {
    let mut blocks = vec![Block::Paragraph(changes_intro(report))];
    if report.changes.is_empty() {
        blocks.push(Block::Nothing("Nothing was decided or done in the period."));
    }
    for group in ChangeGroup::ALL {
        let changes: Vec<_> = report.changes_in(group).collect();
        if changes.is_empty() {
            continue;
        }
        blocks.push(Block::Subheading(group.heading().to_owned(), None));
        // Cut, a list keeps the period's latest: the earliest are those left out.
        let hidden = changes.len().saturating_sub(SHOWN);
        blocks.push(Block::List(changes[hidden..].iter().map(|c| format!("{}.", c.sentence)).collect()));
        let what =
            format!("{}, earlier in the period, {} in all", plural(hidden, group.nouns()), changes.len());
        more_line(&mut blocks, hidden, &what);
    }
    blocks
}

/// The reviews falling due, by month and one by one.
fn reviews(report: &BoardReport) -> Vec<Block> {
    let until = report.reviews_until.in_words();
    let mut blocks = vec![
        Block::Paragraph(format!(
            "Designations whose review falls due by {until}, and reviews not yet complete. A designation stays in force during its review."
        )),
        Block::Chart(Chart {
            id: "chart-reviews",
            title: REVIEWS_BY_MONTH.to_owned(),
            label: "Month",
            unit: "reviews due",
            bars: timeline_bars(report),
            alone: true,
        }),
    ];
    if report.reviews_due.is_empty() {
        blocks.push(Block::Nothing("No reviews are due."));
        return blocks;
    }
    let (shown, noted) = shown_reviews(report);
    let width = if noted { 5 } else { 4 };
    let columns =
        [("Month", false), ("Service", false), ("Provider", false), ("Review due", false), ("Note", false)];
    let rows = shown
        .iter()
        .map(|item| {
            let row = [
                review_month(item),
                item.service.clone(),
                item.provider.clone(),
                review_day(item),
                review_note(item),
            ];
            row[..width].to_vec()
        })
        .collect();
    let caption = "Reviews due, by month".to_owned();
    blocks.push(Block::Table(Table { caption, columns: columns[..width].to_vec(), rows, total: None }));
    more_line(
        &mut blocks,
        report.reviews_due.len().saturating_sub(SHOWN),
        &format!("reviews due by {until}"),
    );
    blocks
}

/// The written requests, refusals, referrals and removals still open.
fn open(report: &BoardReport) -> Vec<Block> {
    if report.open.is_empty() {
        return vec![Block::Nothing("No written request, refusal, referral or removal is open.")];
    }
    let rows = report
        .open
        .iter()
        .take(SHOWN)
        .map(|item| {
            let what = if item.overdue { format!("{} (overdue)", item.what) } else { item.what.clone() };
            vec![item.service.clone(), item.provider.clone(), item.status.label().to_owned(), what]
        })
        .collect();
    let columns = vec![("Service", false), ("Provider", false), ("Status", false), ("What is open", false)];
    let caption = format!("Open on {}", report.period.until.in_words());
    let mut blocks = vec![Block::Table(Table { caption, columns, rows, total: None })];
    more_line(&mut blocks, report.open.len().saturating_sub(SHOWN), "open matters");
    blocks
}

/// The check's findings, summed up by kind.
fn found(report: &BoardReport) -> Vec<Block> {
    let mut blocks = vec![Block::Paragraph(format!(
        "{} The check is the one crs check runs, on {}; it says what to do about each finding.",
        check_sentence(report),
        report.prepared_on.in_words()
    ))];
    for severity in [Severity::Error, Severity::Warning] {
        let kinds = findings_of(report, severity);
        if kinds.is_empty() {
            continue;
        }
        blocks.push(Block::Subheading(findings::heading(severity).to_owned(), None));
        blocks.push(Block::List(
            kinds.into_iter().map(|kind| format!("{}.", findings::sentence(kind))).collect(),
        ));
    }
    blocks
}
