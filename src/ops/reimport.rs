//! A re-import's three-way rule, one record at a time, for teams that run their
//! spreadsheet and crs side by side. For each record the sheet gives there are three
//! versions: BASE, the record as the last import wrote it (`history::last_import`);
//! OURS, the register now; THEIRS, what the sheet gives. They are compared in
//! substance: parsed, in version 2's shape, without `[source]` (which file and row
//! a version came from) and without the note of each step no cell dated (which names
//! the file and row), so a renamed or reordered sheet is not a change; and a step no
//! cell dates, which an import keeps with the latest day it can have happened, is
//! not moved to a later day because a later import made it. Then:
//!
//! - the sheet says nothing new (THEIRS laid over BASE is BASE): the register's
//!   version stands, whatever crs did to it since;
//! - the register already says what the sheet says (THEIRS laid over OURS is OURS):
//!   nothing to write;
//! - nothing changed in crs since the last import (OURS is BASE): the sheet's version
//!   is written, laid over the register's;
//! - otherwise a conflict: the record changed in crs since the last import (or was
//!   made in crs, or deleted from the register) and the sheet changes it too. crs's
//!   version is never overwritten; `--keep-register` keeps it and records the
//!   sheet's version as seen (`Kept`), so the same sheet is not a conflict again.
//!
//! "Laid over" is [`carried_over`]: the sheet's version with what a sheet cannot
//! hold taken from the register's. It no longer decides whether a record is
//! overwritten; it is how a version the rule lets through is written, and how a
//! sheet that has caught up with crs is recognised as saying nothing to change.
//! Pure: no disk, no git, no clock.

use crate::digest::sha256_hex;
use crate::history::last_import::LastImport;
use crate::import::given::Given;
use crate::import::merge::is_stand_in;
use crate::model::Status;
use crate::model::fields::{FieldChange, changes_between, flatten_record};
use crate::model::labels::deciding_body;
use crate::model::status::derive_status;
use crate::model::{Date, DecisionOutcome, Event, EventKind, Record};

/// Where the sheet last agreed with the register for a record: what the last import
/// did with it, or the commit crs's own export (the file imported) was made from.
/// Made and matched once a record: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Base {
    /// It wrote the record: this version.
    Written { record: Record, import: LastImport },
    /// It kept the register's version against the sheet's, of this SHA-256
    /// ([`digest`]).
    Kept { digest: String, import: LastImport },
    /// The record at the commit the export was made from, on that commit's day.
    Exported { record: Record, day: Date },
}

impl Base {
    /// The day the sheet last agreed with the register.
    pub fn day(&self) -> Date {
        match self {
            Base::Written { import, .. } | Base::Kept { import, .. } => import.day,
            Base::Exported { day, .. } => *day,
        }
    }

    /// The version the sheet agreed with, when it is known whole.
    pub fn record(&self) -> Option<&Record> {
        match self {
            Base::Written { record, .. } | Base::Exported { record, .. } => Some(record),
            Base::Kept { .. } => None,
        }
    }

    /// When the sheet last agreed with the register, in words: "the import of 12
    /// October 2026", "the export of 7 December 2026".
    pub fn since(&self) -> String {
        match self {
            Base::Exported { day, .. } => format!("the export of {}", day.in_words()),
            _ => format!("the import of {}", self.day().in_words()),
        }
    }
}

/// What the import does with one record the sheet gives. Made and matched once a
/// record: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Verdict {
    /// Not in the register, and never imported: the sheet's version is written.
    New,
    /// The sheet's version, laid over the register's, is written.
    Apply(Record),
    /// Nothing is written: the sheet says nothing new, or the register says it already.
    Unchanged,
    /// Deleted from the register since the last import, and the sheet says nothing
    /// new of it: it is not made again.
    StaysDeleted { since: Date },
    /// Both sides changed: nothing is written for the record.
    Conflict(Conflict),
}

/// Why a record is a conflict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictKind {
    /// Changed in crs since the last import wrote it.
    ChangedInCrs,
    /// Made in crs: no import ever wrote it.
    MadeInCrs,
    /// The register's version was kept against an earlier sheet's (`--keep-register`).
    KeptBefore,
    /// Deleted from the register since the last import wrote it.
    Deleted,
}

/// A record both crs and the sheet changed, told in words and field by field.
#[derive(Clone, Debug)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// What happened on each side, in a line: "removed in crs on 25 November 2026 by
    /// the ICB Board; the sheet still says designated".
    pub headline: String,
    /// When the sheet last agreed with the register, in words: "the import of 12
    /// October 2026", "the export of 7 December 2026".
    pub agreed: Option<String>,
    /// What crs changed since the last import (`ChangedInCrs`).
    pub in_crs: Vec<FieldChange>,
    /// What the sheet changes: since the last import (`ChangedInCrs`, `Deleted`),
    /// else against the register.
    pub in_sheet: Vec<FieldChange>,
    /// The SHA-256 of the sheet's version, recorded when the register's is kept.
    pub digest: String,
}

/// What the sheet gives for one record: its version, as an import on `imported_on`
/// built it.
#[derive(Clone, Copy)]
pub struct Theirs<'a> {
    pub record: &'a Record,
    /// The day of this import: the latest day of a step no cell dates, when nothing
    /// later in the sheet bounds it.
    pub imported_on: Date,
    /// The parts of the record the sheet gives: every other part is the register's.
    pub given: &'a Given,
}

/// The three-way rule for one record: `theirs` from the sheet, `ours` in the
/// register (if it is there), `base` from the last import (if there was one).
pub fn judge(theirs: Theirs<'_>, ours: Option<&Record>, base: Option<&Base>) -> Verdict {
    let says_nothing_new = base.is_some_and(|base| match base {
        Base::Written { record, .. } | Base::Exported { record, .. } => {
            same(&carried_over(theirs, record), record)
        }
        Base::Kept { digest: kept, .. } => *kept == digest(theirs),
    });
    let Some(ours) = ours else {
        return match base {
            None => Verdict::New,
            Some(base) if says_nothing_new => Verdict::StaysDeleted { since: base.day() },
            Some(base) => Verdict::Conflict(conflict(ConflictKind::Deleted, theirs, None, Some(base))),
        };
    };
    if says_nothing_new {
        return Verdict::Unchanged;
    }
    let laid_over = carried_over(theirs, ours);
    if same(&laid_over, ours) {
        return Verdict::Unchanged;
    }
    match base {
        Some(Base::Written { record, .. } | Base::Exported { record, .. }) if same(ours, record) => {
            Verdict::Apply(laid_over)
        }
        Some(Base::Written { .. } | Base::Exported { .. }) => {
            Verdict::Conflict(conflict(ConflictKind::ChangedInCrs, theirs, Some(ours), base))
        }
        Some(Base::Kept { .. }) => {
            Verdict::Conflict(conflict(ConflictKind::KeptBefore, theirs, Some(ours), base))
        }
        None => Verdict::Conflict(conflict(ConflictKind::MadeInCrs, theirs, Some(ours), None)),
    }
}

/// The sheet's version with what the register's version `old` knows that the sheet
/// does not say: every part it gives no column for ([`Given::keep_unsaid`]: the
/// service's description, the stages it does not assess, a decision's maker, …),
/// the ids it had before, the decisions made after the sheet's last, and the events
/// recorded since (`crs event`). The sheet's word stands for each kind of event it dates itself; a
/// step it does not date gives way to the one the register recorded. A step no cell
/// dates, which this import would keep with its own day as the latest it can have
/// happened, keeps the earlier latest day (and note) the register has for it
/// undated: the step happened by then, as the earlier sheet said.
pub fn carried_over(theirs: Theirs<'_>, old: &Record) -> Record {
    let old = old.normalized();
    let mut record = theirs.record.clone();
    let last = record.decisions.iter().map(|d| d.decided_on).max();
    theirs.given.keep_unsaid(&mut record, &old);
    record.previous_ids = old.previous_ids.clone();
    let since: Vec<_> = old
        .decisions
        .iter()
        .filter(|d| Some(d.decided_on) > last && !record.decisions.contains(d))
        .cloned()
        .collect();
    record.decisions.extend(since);
    record.decisions.sort_by_key(|d| d.decided_on);
    // A step the register recorded stays when the sheet does not date one of its
    // kind; one it recorded undated stays when the sheet has no step of its kind
    // at all (a review the register has started stays started when the sheet no
    // longer says "under review": a review ends with a decision, never by being
    // left out).
    let has_kind = |kind: EventKind| record.events.iter().any(|e| e.kind == kind);
    let recorded: Vec<&Event> = old.events.iter().filter(|e| !is_stand_in(e) || !has_kind(e.kind)).collect();
    let dated = |kind: EventKind| record.events.iter().any(|e| e.kind == kind && !is_stand_in(e));
    let kept: Vec<Event> = recorded.iter().filter(|e| !dated(e.kind)).map(|e| (*e).clone()).collect();
    record.events.retain(|e| !(is_stand_in(e) && kept.iter().any(|k| k.kind == e.kind)));
    record.events.extend(kept);
    let mut earlier: Vec<&Event> = old.events.iter().filter(|e| is_stand_in(e)).collect();
    for event in record.events.iter_mut().filter(|e| is_stand_in(e)) {
        if let Some(at) = earlier.iter().position(|o| o.kind == event.kind && o.on <= event.on) {
            let was = earlier.remove(at);
            (event.on, event.note) = (was.on, was.note.clone());
        }
    }
    // The steps of one day in the register's order, so an order alone is no change.
    record.events.sort_by_key(|e| (e.on, old.events.iter().position(|o| o == e).unwrap_or(usize::MAX)));
    record
}

/// The start of the register's review of a record, when the sheet now says the
/// designation is simply designated, where the last import's sheet said it was
/// under review, and gives no decision that ended the review (a confirmation or a
/// removal): a review ends with a decision, which needs its own day, maker and
/// reference.
pub fn review_ended_unsaid(theirs: Theirs<'_>, ours: &Record, base: Option<&Base>) -> Option<Event> {
    let base = base.and_then(Base::record)?;
    if derive_status(base) != Status::UnderReview || derive_status(theirs.record) != Status::Designated {
        return None;
    }
    let laid_over = carried_over(theirs, ours);
    if derive_status(&laid_over) != Status::UnderReview {
        return None;
    }
    laid_over.events.into_iter().rev().find(|e| e.kind == EventKind::ReviewStarted)
}

/// The record as the three-way rule compares it: version 2's shape, no `[source]`,
/// and no note on a step no cell dated (it names the file and row).
pub fn substance(record: &Record) -> Record {
    let mut record = record.normalized();
    record.source = None;
    for event in record.events.iter_mut().filter(|e| is_stand_in(e)) {
        event.note = None;
    }
    record
}

/// True when two versions say the same in substance.
pub fn same(a: &Record, b: &Record) -> bool {
    substance(a) == substance(b)
}

/// The SHA-256 of a sheet's version of a record, in substance, and without the day
/// of a step no cell dates when that day is only the import's: what an import that
/// keeps the register's version records, to know the sheet again.
pub fn digest(theirs: Theirs<'_>) -> String {
    let mut record = substance(theirs.record);
    let mut undated = Vec::new();
    record.events.retain(|e| {
        let by_import = is_stand_in(e) && e.on == theirs.imported_on;
        if by_import {
            undated.push(e.kind.as_str());
        }
        !by_import
    });
    let text = toml::to_string(&record).unwrap_or_else(|_| format!("{record:?}"));
    sha256_hex(format!("{text}\nundated: {}\n", undated.join(", ")).as_bytes())
}

/// What changed from `old` to `new`, in substance, field by field. A field told as
/// removed and set again to the same value (a decision that gained the provider it
/// was made with, in a move, reads as a new decision) is no change.
pub fn changes(old: &Record, new: &Record) -> Vec<FieldChange> {
    let all = changes_between(&flatten_record(&substance(old)), &flatten_record(&substance(new)));
    let again = |c: &FieldChange| {
        all.iter().any(|o| {
            o.field == c.field && o.old == c.new && o.new == c.old && c.old.is_some() != c.new.is_some()
        })
    };
    all.iter().filter(|c| !again(c)).cloned().collect()
}

fn conflict(kind: ConflictKind, theirs: Theirs<'_>, ours: Option<&Record>, base: Option<&Base>) -> Conflict {
    let since = base.map(Base::day);
    let agreed = base.map(Base::since);
    let written = base.and_then(Base::record);
    let (in_crs, in_sheet) = match (written, ours) {
        (Some(base), Some(ours)) if kind == ConflictKind::ChangedInCrs => {
            (changes(base, ours), changes(base, &carried_over(theirs, base)))
        }
        (Some(base), _) => (Vec::new(), changes(base, &carried_over(theirs, base))),
        (None, Some(ours)) => (Vec::new(), changes(ours, &carried_over(theirs, ours))),
        (None, None) => (Vec::new(), Vec::new()),
    };
    let crs_side = match (kind, written, ours) {
        (ConflictKind::ChangedInCrs, Some(base), Some(ours)) => done_in_crs(base, ours, agreed.as_deref()),
        (ConflictKind::MadeInCrs, ..) => "made in crs, never imported".to_owned(),
        (ConflictKind::KeptBefore, ..) => format!(
            "the register's version was kept at the import of {} (--keep-register), and the sheet has changed since",
            since.map_or_else(String::new, Date::in_words)
        ),
        _ => format!("deleted from the register since {}", agreed.as_deref().unwrap_or_default()),
    };
    // The sheet's own word: a decision crs made after the sheet's last is not it.
    let status = |record: &Record| derive_status(record).label().to_lowercase();
    let says = status(theirs.record);
    let sheet_side = match (written, ours.map(status)) {
        // Both say the same: what differs is in the fields listed, not the status.
        (_, Some(ours)) if ours == says && !in_sheet.is_empty() => {
            format!("the sheet changed it too (both say {says})")
        }
        (Some(base), _) if status(base) == says => format!("the sheet still says {says}"),
        _ => format!("the sheet says {says}"),
    };
    Conflict {
        kind,
        headline: format!("{crs_side}; {sheet_side}"),
        agreed,
        in_crs,
        in_sheet,
        digest: digest(theirs),
    }
}

/// What crs did to a record since the import wrote `base`, in a few words: its move,
/// and its newest decision or else its newest step.
fn done_in_crs(base: &Record, ours: &Record, agreed: Option<&str>) -> String {
    let (base, ours) = (base.normalized(), ours.normalized());
    let mut told = Vec::new();
    if let Some(from) = ours.previous_ids.iter().rev().find(|id| !base.previous_ids.contains(id)) {
        told.push(format!("moved in crs from {from}"));
    }
    // A move keeps on each decision the provider it was made with: not a new decision.
    let same_decision = |a: &crate::model::Decision, b: &crate::model::Decision| {
        a.outcome == b.outcome && a.decided_on == b.decided_on && a.grounds == b.grounds
    };
    let decided = ours.decisions.iter().rev().find(|d| !base.decisions.iter().any(|b| same_decision(b, d)));
    let stepped = ours.events.iter().rev().find(|e| !base.events.contains(e));
    if let Some(decision) = decided {
        let verb = match decision.outcome {
            DecisionOutcome::Designate => "designated",
            DecisionOutcome::DoNotDesignate => "decided in crs not to designate",
            DecisionOutcome::Confirm => "confirmed on review",
            DecisionOutcome::Remove => "removed",
        };
        let verb = if verb.contains("in crs") { verb.to_owned() } else { format!("{verb} in crs") };
        let by = match decision.decided_by.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            Some(by) => format!(" by {}", lowercase_article(&deciding_body(Some(by)))),
            None => String::new(),
        };
        told.push(format!("{verb} on {}{by}", decision.decided_on.in_words()));
    } else if let Some(event) = stepped {
        told.push(format!(
            "{} {}, recorded in crs",
            lowercase_article(event.kind.sentence()),
            event.when_in_words()
        ));
    }
    if told.is_empty() {
        told.push(format!("changed in crs since {}", agreed.unwrap_or_default()));
    }
    told.join(", and ")
}

/// "The ICB Board" → "the ICB Board", "A review …" → "a review …", for the middle
/// of a sentence; a name stays as it is.
fn lowercase_article(text: &str) -> String {
    for (article, lower) in [("The ", "the "), ("A ", "a ")] {
        if let Some(rest) = text.strip_prefix(article) {
            return format!("{lower}{rest}");
        }
    }
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::last_import::{ImportedVersion, LastImport};
    use crate::import::map::Field;

    fn record() -> Record {
        crate::model::record::designated_example().normalized()
    }

    fn import() -> LastImport {
        LastImport {
            commit: "0".repeat(40),
            day: Date::from_ymd(2026, 10, 12).unwrap(),
            file: Some("sheet.csv".to_owned()),
            version: ImportedVersion::Kept(String::new()),
        }
    }

    fn written(record: &Record) -> Base {
        Base::Written { record: record.clone(), import: import() }
    }

    /// A sheet with a column for each part these tests change.
    fn columns() -> &'static Given {
        let fields = [Field::ServiceDescription, Field::ReviewDue, Field::Status, Field::DecidedOn];
        Box::leak(Box::new(Given {
            fields: std::sync::Arc::new(fields.into_iter().collect()),
            ..Given::default()
        }))
    }

    /// The sheet's version as an import today would give it.
    fn now(record: &Record) -> Theirs<'_> {
        Theirs { record, imported_on: day(2026, 11, 23), given: columns() }
    }

    fn day(y: i32, m: u32, d: u32) -> Date {
        Date::from_ymd(y, m, d).unwrap()
    }

    #[test]
    fn each_side_alone_decides_and_both_are_a_conflict() {
        let base = record();
        let mut sheet = base.clone();
        sheet.review = Some(crate::model::record::Review { next_due: day(2031, 1, 1) });
        let mut register = base.clone();
        register.events.push(Event::dated(day(2026, 11, 2), EventKind::ReviewStarted, None));

        // Only the sheet changed: applied.
        assert!(
            matches!(judge(now(&sheet), Some(&base), Some(&written(&base))), Verdict::Apply(r) if r.review == sheet.review)
        );
        // Only crs changed: the register's stands.
        assert!(matches!(judge(now(&base), Some(&register), Some(&written(&base))), Verdict::Unchanged));
        // Both changed: a conflict, told.
        let Verdict::Conflict(conflict) = judge(now(&sheet), Some(&register), Some(&written(&base))) else {
            panic!("a conflict")
        };
        assert_eq!(conflict.kind, ConflictKind::ChangedInCrs);
        assert_eq!(
            conflict.headline,
            "a review of the designation started on 2 November 2026, recorded in crs; the sheet still says designated"
        );
        // Kept once: the same sheet again is not a conflict; a newer one is.
        let kept = Base::Kept { digest: conflict.digest.clone(), import: import() };
        assert!(matches!(judge(now(&sheet), Some(&register), Some(&kept)), Verdict::Unchanged));
        let mut newer = sheet.clone();
        newer.service.description.push_str(" (new wording)");
        assert!(
            matches!(judge(now(&newer), Some(&register), Some(&kept)), Verdict::Conflict(c) if c.kind == ConflictKind::KeptBefore)
        );
    }

    #[test]
    fn a_removal_in_crs_is_told_with_its_day_and_maker() {
        let base = record();
        let mut register = base.clone();
        register.decisions.push(crate::model::Decision {
            outcome: DecisionOutcome::Remove,
            grounds: Vec::new(),
            decided_on: day(2026, 11, 25),
            decided_by: Some("ICB Board".to_owned()),
            reference: None,
            provider: None,
            commissioner: None,
        });
        register.events.push(Event::dated(day(2026, 11, 26), EventKind::ProviderNotifiedOfRemoval, None));
        let mut sheet = base.clone();
        sheet.service.description = "Another wording".to_owned();
        let Verdict::Conflict(conflict) = judge(now(&sheet), Some(&register), Some(&written(&base))) else {
            panic!("a conflict")
        };
        assert_eq!(
            conflict.headline,
            "removed in crs on 25 November 2026 by the ICB Board; the sheet still says designated"
        );
    }

    #[test]
    fn a_record_made_in_crs_or_deleted_is_never_overwritten_or_made_again() {
        let ours = record();
        let mut sheet = ours.clone();
        sheet.service.description = "Another wording".to_owned();
        assert!(
            matches!(judge(now(&sheet), Some(&ours), None), Verdict::Conflict(c) if c.kind == ConflictKind::MadeInCrs)
        );
        assert!(matches!(judge(now(&ours), Some(&ours), None), Verdict::Unchanged));
        assert!(matches!(judge(now(&ours), None, Some(&written(&ours))), Verdict::StaysDeleted { .. }));
        assert!(
            matches!(judge(now(&sheet), None, Some(&written(&ours))), Verdict::Conflict(c) if c.kind == ConflictKind::Deleted)
        );
        assert!(matches!(judge(now(&sheet), None, None), Verdict::New));
    }

    #[test]
    fn the_file_row_and_import_day_of_a_step_no_cell_dates_are_not_a_change() {
        let (october, november) = (day(2026, 10, 12), day(2026, 11, 23));
        let undated = |on: Date, note: &str| Event {
            on,
            kind: EventKind::ReviewStarted,
            date_known: false,
            note: Some(note.to_owned()),
        };
        let mut base = record();
        base.events.push(undated(october, "implied by the status 'under-review' (a.csv row 2)"));
        let mut sheet = record();
        sheet.events.push(undated(november, "implied by the status 'under-review' (b.csv row 9)"));
        sheet.source = None;
        let theirs = Theirs { record: &sheet, imported_on: november, given: columns() };
        // The register's earlier latest day stands: nothing new.
        assert!(same(&carried_over(theirs, &base), &base));
        assert!(matches!(judge(theirs, Some(&base), Some(&written(&base))), Verdict::Unchanged));
        // The same sheet a month later has the same digest.
        let later = day(2026, 12, 21);
        let mut again = sheet.clone();
        again.events.last_mut().unwrap().on = later;
        assert_eq!(digest(theirs), digest(Theirs { record: &again, imported_on: later, given: columns() }));
        assert!(toml::to_string(&substance(&sheet)).is_ok(), "the digest is of the record's TOML");
    }
}
