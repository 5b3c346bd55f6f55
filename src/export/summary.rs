//! The words of a submission: the markdown summary that goes in the bundle (and the
//! submission tag) and the plain-text body of the e-mail, both in three sections —
//! in force, pending (not yet CRS), removed (with the day of each removal and of
//! the provider's notice of it) — each saying what changed since the last
//! submission, in the words of `model::labels`, a service only carried over to a
//! successor counted apart, as neither added nor removed, and a co-commissioner
//! succeeded told as succeeded, never as removed. Tag names and
//! commits stay out of both: they are on the workbook's About sheet and in the
//! bundle's manifest.

use std::fmt::Write as _;

use crate::export::changes::{CARRIED_OVER, Change, ChangeKind, CoCommissionersSucceeded};
use crate::export::section::Section;
use crate::export::workbook::{About, ChangeLine, Workbook};
use crate::model::fields::FieldChange;
use crate::model::labels::{co_commissioner_succeeded, sentences};
use crate::model::{Date, Status};
use crate::text::one_line;

/// How the About sheet names the baseline of a register never submitted.
pub const NO_PREVIOUS_SUBMISSION: &str = "no previous submission";

/// Facts about the submission that are not in the workbook.
pub struct SubmissionFacts<'a> {
    pub date: Date,
    /// The workbook's file name in the bundle.
    pub workbook_file: &'a str,
    /// The regulator's address.
    pub to: &'a str,
}

fn cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

/// The commissioner by name and code, each written with `write`: "NHS South East
/// London ICB (QKK)".
fn named(about: &About, write: impl Fn(&str) -> String) -> String {
    format!("{} ({})", write(&about.commissioner_name), write(&about.commissioner_code))
}

/// A status as people read it; "Deleted from the register" when there is none.
fn status_words(status: Option<Status>) -> &'static str {
    status.map_or("Deleted from the register", Status::label)
}

/// The provider now, and the one the service was designated with when it has moved
/// since: "King's College Hospital NHS Foundation Trust (RJZ); designated with South
/// London Healthcare NHS Trust (RYQ)".
fn provider(line: &ChangeLine) -> String {
    let now = format!("{} ({})", line.label.provider_name, line.label.provider_code);
    match line.label.designated_with.as_str() {
        "" => now,
        then => format!("{now}; designated with {then}"),
    }
}

/// The change lines of one section in the groups they are listed in, each with its
/// heading and none empty: each kind of change ("Added", "Changed", "Moved",
/// "Removed"), then the records carried over to a successor, which are neither.
fn groups(workbook: &Workbook, section: Section) -> Vec<(&'static str, Vec<&ChangeLine>)> {
    let lines = |keep: &dyn Fn(&ChangeLine) -> bool| -> Vec<&ChangeLine> {
        workbook.changes_in(section).filter(|l| keep(l)).collect()
    };
    let mut groups: Vec<(&'static str, Vec<&ChangeLine>)> = ChangeKind::ALL
        .iter()
        .map(|kind| (kind.label(), lines(&|l| l.change.kind == *kind && !l.change.carried_over)))
        .collect();
    groups.push((CARRIED_OVER, lines(&|l| l.change.carried_over)));
    groups.retain(|(_, lines)| !lines.is_empty());
    groups
}

/// "Removed on 3 February 2026 by ICB Board (BD/26/014); the provider was told on
/// 10 February 2026": the removal decision's own day, maker and reference, as far as
/// they are recorded, and the day the provider was told of it, or that the register
/// does not record that day.
pub fn removal_words(line: &ChangeLine) -> Option<String> {
    let removal = line.label.removal.as_deref()?;
    let mut text = format!("Removed on {}", removal.decided_on.in_words());
    if let Some(by) = removal.decided_by.as_deref().filter(|b| !b.trim().is_empty()) {
        text.push_str(&format!(" by {}", by.trim()));
    }
    if let Some(reference) = removal.reference.as_deref().filter(|r| !r.trim().is_empty()) {
        text.push_str(&format!(" ({})", reference.trim()));
    }
    match line.label.removal_notified.as_deref() {
        Some(notice) => text.push_str(&format!("; the provider was told {}", notice.when_in_words())),
        None => text.push_str("; the day the provider was told is not recorded"),
    }
    Some(text)
}

/// "QRV, a co-commissioner, was succeeded by Z9B2Z, now the commissioner
/// responsible": each co-commissioner that successions took over since the
/// baseline, by its successor (and that one's, where it was succeeded too).
fn co_commissioners_succeeded(told: &CoCommissionersSucceeded) -> Vec<String> {
    told.succeeded
        .iter()
        .map(|co| {
            let by: Vec<&str> = co.by.iter().map(String::as_str).collect();
            let responsible = by.last().is_some_and(|last| *last == told.responsible);
            format!("{}.", co_commissioner_succeeded(&co.old, &by, responsible))
        })
        .collect()
}

/// What changed in a record, as sentences ending with a full stop; the status is
/// left out, since it is shown beside them.
pub fn what_changed(line: &ChangeLine) -> Vec<String> {
    let removed =
        removal_words(line).filter(|_| line.change.kind == ChangeKind::Removed).map(|w| format!("{w}."));
    // The removal decision and its notice, added since the baseline, are told by the
    // removal's words.
    let told: Vec<String> = removed
        .as_ref()
        .map(|_| added_removal_decision(line).into_iter().chain(added_removal_notice(line)).collect())
        .unwrap_or_default();
    let co_succeeded = line.change.co_succeeded.as_ref();
    let fields: Vec<FieldChange> = line
        .change
        .fields
        .iter()
        .filter(|f| f.field != "status" && f.field != "previous_ids")
        .filter(|f| !told.iter().any(|part| f.field.starts_with(part.as_str())))
        // The co-commissioners successions took over are told as succeeded; what
        // changed in the list besides, against the list they left.
        .filter_map(|f| match co_succeeded {
            Some(co) if f.field == "commissioner.co_commissioners" => co.besides.clone(),
            _ => Some(f.clone()),
        })
        .collect();
    let moved =
        line.change.previous_id.as_ref().map(|old| format!("Moved from {old} to {}.", line.change.id));
    let succeeded = co_succeeded.map(co_commissioners_succeeded).unwrap_or_default();
    removed
        .into_iter()
        .chain(moved)
        .chain(sentences(&fields).into_iter().map(|s| format!("{s}.")))
        .chain(succeeded)
        .collect()
}

/// True when the change of `line` sets `field` to `value`.
fn added_as(line: &ChangeLine, field: &str, value: &str) -> bool {
    line.change.fields.iter().any(|f| f.field == field && f.new.as_deref() == Some(value))
}

/// The part of the record (`decisions[2].`) that holds the removal decision of
/// `line`, when that decision was added whole since the baseline.
fn added_removal_decision(line: &ChangeLine) -> Option<String> {
    let removal = line.label.removal.as_deref()?;
    let outcome =
        line.change.fields.iter().find(|f| {
            f.old.is_none() && f.new.as_deref() == Some("remove") && f.field.ends_with(".outcome")
        })?;
    let part = outcome.field.strip_suffix("outcome")?;
    let same_day = added_as(line, &format!("{part}decided_on"), &removal.decided_on.to_string());
    let whole = line.change.fields.iter().filter(|f| f.field.starts_with(part)).all(|f| f.old.is_none());
    (same_day && whole).then(|| part.to_owned())
}

/// The part of the record (`events[4].`) that holds the notice to the provider of
/// the removal of `line`, when that step was added whole since the baseline and
/// holds nothing the removal's words do not say (no note).
fn added_removal_notice(line: &ChangeLine) -> Option<String> {
    let notice = line.label.removal_notified.as_deref()?;
    let kind = line.change.fields.iter().find(|f| {
        f.old.is_none()
            && f.new.as_deref() == Some(notice.kind.as_str())
            && f.field.starts_with("events[")
            && f.field.ends_with(".kind")
    })?;
    let part = kind.field.strip_suffix("kind")?;
    let same_day = added_as(line, &format!("{part}on"), &notice.on.to_string());
    // Added whole, and nothing in it the removal's words leave out (a note).
    let told = |f: &&FieldChange| {
        f.old.is_none() && ["kind", "on", "date_known"].iter().any(|k| f.field == format!("{part}{k}"))
    };
    let whole = line.change.fields.iter().filter(|f| f.field.starts_with(part)).all(|f| told(&f));
    (same_day && whole).then(|| part.to_owned())
}

/// "Status now Designated (was Requested)": the status, and the one before when it
/// differs.
fn status_now(change: &Change) -> String {
    let mut text = status_words(change.status).to_owned();
    if let Some(before) = change.previous_status.filter(|b| Some(*b) != change.status) {
        text.push_str(&format!(" (was {})", before.label()));
    }
    text
}

/// The bundle's markdown summary: the services in force, pending and removed, each
/// section with its changes (added, changed, moved, removed) under their own
/// headings, a removal with its own day, dates written out, changes as sentences;
/// no tag names or commits (those are on the workbook's About sheet and in the
/// bundle's manifest).
pub fn summary_markdown(workbook: &Workbook, facts: &SubmissionFacts<'_>) -> String {
    let about = &workbook.about;
    let mut md = String::new();
    let _ = writeln!(md, "# Commissioner Requested Services submission\n");
    let _ = writeln!(md, "{}, {}.\n", named(about, cell), facts.date.in_words());
    let _ = writeln!(md, "| | |\n|---|---|");
    let rows = [
        ("To", facts.to.to_owned()),
        ("Workbook", facts.workbook_file.to_owned()),
        ("Services in scope", format!("{}: {}", about.records, about.sections)),
        ("Scope", about.scope.clone()),
        ("Changes since", about.changes_since_in_words.clone()),
        ("Changes", about.changes.to_string()),
    ];
    for (what, value) in rows {
        let _ = writeln!(md, "| {what} | {} |", cell(&value));
    }
    for section in about.sections.shown() {
        let counts = about.sections.get(section);
        let _ = writeln!(md, "\n## {} ({})\n", section.heading(), counts.records);
        let _ = writeln!(md, "Changes: {}.", counts.changes);
        for (heading, lines) in groups(workbook, section) {
            let _ = writeln!(md, "\n### {heading} ({})\n", lines.len());
            let _ = writeln!(
                md,
                "| Record | Service | Provider | Status | What changed |\n|---|---|---|---|---|"
            );
            for line in lines {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} |",
                    line.change.id,
                    cell(&line.label.service),
                    cell(&provider(line)),
                    cell(&status_now(&line.change)),
                    cell(&what_changed(line).join(" "))
                );
            }
        }
    }
    let _ = writeln!(md, "\nGenerated by {} on {}.", about.generated_by, facts.date.in_words());
    md
}

/// The e-mail's plain-text body, in words: no tag names or commits.
pub fn email_body(workbook: &Workbook, facts: &SubmissionFacts<'_>) -> String {
    let about = &workbook.about;
    let commissioner = one_line(&about.commissioner_name);
    let mut text = String::new();
    let _ = writeln!(text, "Dear colleagues,\n");
    let _ = writeln!(
        text,
        "Please find attached the register of Commissioner Requested Services of {}, as at {}.\n",
        named(about, one_line),
        facts.date.in_words()
    );
    let _ = writeln!(
        text,
        "The workbook {} lists {} service(s) in scope ({}).\n",
        facts.workbook_file, about.records, about.scope
    );
    let _ = writeln!(text, "In the workbook: {}.\n", about.sections);
    if about.changes_since_in_words == NO_PREVIOUS_SUBMISSION {
        let _ = writeln!(
            text,
            "This is our first submission from this register, so every service in force or pending is listed as added, and every removal as removed.\n"
        );
    } else {
        let _ = writeln!(text, "Changes since {}: {}.\n", about.changes_since_in_words, about.changes);
    }
    for section in about.sections.shown() {
        let counts = about.sections.get(section);
        let _ = writeln!(text, "{} ({}):", section.heading(), counts.records);
        if counts.changes.total() == 0 {
            let _ = writeln!(text, "  No changes.\n");
            continue;
        }
        for (heading, lines) in groups(workbook, section) {
            let _ = writeln!(text, "  {heading}:");
            for line in lines {
                let c = &line.change;
                let _ = writeln!(
                    text,
                    "    - {}, {}: {}. [{}]",
                    one_line(&line.label.service),
                    one_line(&provider(line)),
                    status_now(c).to_lowercase(),
                    c.id
                );
                for sentence in what_changed(line) {
                    let _ = writeln!(text, "        {}", one_line(&sentence));
                }
            }
        }
        let _ = writeln!(text);
    }
    let _ =
        writeln!(text, "For questions about this submission, please contact {}.\n", one_line(&about.contact));
    let _ = writeln!(text, "{commissioner}\n");
    let _ = writeln!(text, "--\nGenerated by {} on {}.", about.generated_by, facts.date.in_words());
    text
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn a_table_cell_is_one_line_with_its_bars_escaped() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }
}
