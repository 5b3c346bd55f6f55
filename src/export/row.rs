//! The cells of one record's row: each column's value, derived from the record (its
//! status, the dates of its events, the provider's response) without any I/O.

use crate::export::cell::{Cell, Code};
use crate::export::columns::Column;
use crate::export::section::Section;
use crate::model::{Event, EventKind, Record, RecordId, Status};

/// What a row needs besides the record itself: where it is, its status, and the
/// register's.
pub struct RowContext<'a> {
    pub id: &'a RecordId,
    /// Register-relative path, `RJ1/maternity.toml`.
    pub file: &'a str,
    pub status: Status,
    /// The commit the row comes from.
    pub commit: &'a str,
    /// The register's contact, for records that name none.
    pub register_contact: &'a str,
}

/// The cells of `record` (whose id, file and status `context` gives) under `columns`.
pub fn cells(columns: &[Column], record: &Record, context: &RowContext<'_>) -> Vec<Cell> {
    columns.iter().map(|column| cell(column, record, context)).collect()
}

fn cell(column: &Column, r: &Record, context: &RowContext<'_>) -> Cell {
    // A removed or reviewed designation keeps its own date and grounds beside the
    // later decisions: the row speaks of the designation, the Decision column of now.
    let decision = r.designation().map(|(_, d)| d).or(r.current_decision());
    let grounds = r.decisions().iter().rev().find(|d| {
        matches!(d.outcome, crate::model::DecisionOutcome::Designate | crate::model::DecisionOutcome::Confirm)
    });
    let removal = r.removal();
    let confirmation = latest_confirmation(r);
    match column {
        Column::Section => Cell::Coded(Code::Section(Section::of(context.status))),
        Column::CommissionerCode => Cell::text(&r.commissioner.ods),
        Column::CommissionerName => Cell::text(&r.commissioner.name),
        Column::CoCommissioners => Cell::list(&r.commissioner.co_commissioners),
        Column::ProviderCode => Cell::text(&r.provider.ods),
        Column::ProviderName => Cell::text(&r.provider.name),
        Column::ProviderKind => Cell::Coded(Code::ProviderKind(r.provider.kind)),
        Column::ProviderLicence => Cell::Coded(Code::Licence(r.provider.licence)),
        Column::ServiceName => Cell::text(&r.service.name),
        Column::ServiceDescription => Cell::text(&r.service.description),
        Column::TreatmentFunctions => Cell::list(&r.service.treatment_functions),
        Column::Sites => Cell::list(&r.service.sites),
        Column::LocationSpecific => Cell::YesNo(r.service.location_specific),
        Column::Ground { key, .. } => {
            Cell::YesNo(grounds.is_some_and(|d| d.grounds.iter().any(|g| g == key)))
        }
        Column::StageMet { key, .. } => r.stage(key).map_or(Cell::Empty, |(_, st)| Cell::YesNo(st.met)),
        Column::StageRationale { key, .. } => {
            r.stage(key).map_or(Cell::Empty, |(_, st)| Cell::text(st.rationale.trim()))
        }
        Column::Status => Cell::Coded(Code::Status(context.status)),
        Column::StatusCode => Cell::text(context.status.as_str()),
        Column::Decision => r.outcome().map_or(Cell::Empty, |o| Cell::Coded(Code::Outcome(o))),
        Column::DecisionDate => Cell::date(decision.map(|d| d.decided_on)),
        Column::DecidedBy => Cell::text(decision.and_then(|d| d.decided_by.clone()).unwrap_or_default()),
        Column::DecisionCommissioner => {
            Cell::text(decision.map(|d| deciding_commissioner(r, d)).unwrap_or_default())
        }
        Column::DecisionReference => {
            Cell::text(decision.and_then(|d| d.reference.clone()).unwrap_or_default())
        }
        Column::DesignationDate => Cell::date(r.designation().map(|(_, d)| d.decided_on)),
        Column::DesignatedWith => Cell::text(designated_with(r)),
        Column::AcceptanceDate => Cell::event_day(r.last_event(EventKind::ProviderAccepted)),
        Column::ConfirmationDate => Cell::date(confirmation.map(|d| d.decided_on)),
        Column::ConfirmedBy => {
            Cell::text(confirmation.and_then(|d| d.decided_by.clone()).unwrap_or_default())
        }
        Column::ConfirmationReference => {
            Cell::text(confirmation.and_then(|d| d.reference.clone()).unwrap_or_default())
        }
        Column::RemovalDate => Cell::date(removal.map(|d| d.decided_on)),
        Column::RemovedBy => Cell::text(removal.and_then(|d| d.decided_by.clone()).unwrap_or_default()),
        Column::RemovalReference => Cell::text(removal.and_then(|d| d.reference.clone()).unwrap_or_default()),
        Column::RemovalNotified => Cell::event_day(removal_notice(r)),
        Column::WrittenRequestDate => Cell::event_day(r.last_event(EventKind::WrittenRequestSent)),
        Column::ProviderResponse => Cell::text(provider_response(r).0),
        Column::ProviderResponseDate => Cell::event_day(provider_response(r).1),
        Column::ReviewDue => Cell::date(r.review.as_ref().map(|rv| rv.next_due)),
        Column::LongTermOutcome => {
            Cell::text(r.outcome.as_ref().map(|o| o.long_term.clone()).unwrap_or_default())
        }
        Column::Contact if r.commissioner.contact.is_empty() => Cell::text(context.register_contact),
        Column::Contact => Cell::text(&r.commissioner.contact),
        Column::RecordId => Cell::text(context.id.to_string()),
        Column::File => Cell::text(context.file),
        Column::Commit => Cell::text(context.commit),
    }
}

/// The latest decision of a review to keep the designation: of those since the last
/// designation (an earlier one kept an earlier designation), or of all when none is
/// recorded.
fn latest_confirmation(record: &Record) -> Option<&crate::model::Decision> {
    let decisions = record.decisions();
    let since = record.designation().map_or(0, |(at, _)| at + 1);
    decisions[since..].iter().rev().find(|d| d.outcome == crate::model::DecisionOutcome::Confirm)
}

/// The commissioner that made `decision` when another is responsible for `record`
/// now (a merger since): "NHS Lambeth CCG (08K), now NHS South East London ICB";
/// empty when the one responsible now made it. [`deciding_commissioner_read`] reads
/// it back.
pub(crate) fn deciding_commissioner(record: &Record, decision: &crate::model::Decision) -> String {
    match decision.commissioner.as_ref().filter(|c| c.ods != record.commissioner.ods) {
        Some(then) => {
            format!("{} ({}){NOW}{}", then.name.trim(), then.ods.trim(), record.commissioner.name.trim())
        }
        None => String::new(),
    }
}

const NOW: &str = ", now ";

/// The provider the designation of `record` was decided with, when the service has
/// moved since to another provider code or name: "South London Healthcare NHS Trust
/// (RYQ)"; empty when it was designated with the record's provider, or never. Only
/// what the decision keeps: a decision that names no provider was made with the
/// record's own.
pub(crate) fn designated_with(record: &Record) -> String {
    let Some((_, decision)) = record.designation() else { return String::new() };
    match decision.provider.as_ref().filter(|then| {
        then.ods.trim() != record.provider.ods.trim() || then.name.trim() != record.provider.name.trim()
    }) {
        Some(then) => format!("{} ({})", then.name.trim(), then.ods.trim()),
        None => String::new(),
    }
}

/// The code and name of the commissioner a cell written by [`deciding_commissioner`]
/// names ("NHS Lambeth CCG (08K)", with or without what follows).
pub(crate) fn deciding_commissioner_read(text: &str) -> Option<(String, String)> {
    let then = match text.split_once(&format!("){NOW}")) {
        Some((then, _)) => then,
        None => text.trim().strip_suffix(')')?,
    };
    let (name, ods) = then.rsplit_once(" (")?;
    let (ods, name) = (ods.trim(), name.trim());
    (!ods.is_empty() && !name.is_empty()).then(|| (ods.to_owned(), name.to_owned()))
}

/// The step that told the provider of the removal that governs `record`: the last
/// notice of removal on or after the day of that decision (an earlier one told of an
/// earlier removal); `None` when the designation is not removed or the provider has
/// not been told.
pub(crate) fn removal_notice(record: &Record) -> Option<&Event> {
    let removal = record.removal()?;
    record
        .events
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::ProviderNotifiedOfRemoval && e.on >= removal.decided_on)
}

/// The provider's answer to the latest written request, and the day it answered:
/// awaiting, accepted or refused, and where a refusal went with the regulator.
pub fn provider_response(record: &Record) -> (&'static str, Option<&Event>) {
    let mut response = ("", None);
    for event in &record.events {
        response = match event.kind {
            EventKind::WrittenRequestSent => ("awaiting response", None),
            EventKind::ProviderAccepted => ("accepted", Some(event)),
            EventKind::ProviderRefused => ("refused", Some(event)),
            EventKind::ReferredToRegulator => ("refused; referred to the regulator", response.1),
            EventKind::RefusalFoundUnreasonable => {
                ("refused; the regulator found the refusal unreasonable", response.1)
            }
            EventKind::RefusalFoundReasonable => {
                ("refused; the regulator found the refusal reasonable", response.1)
            }
            _ => response,
        };
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Event, RecordId};

    fn record(events: &[(&str, EventKind)]) -> Record {
        let mut record = Record::from_toml(
            "schema_version = 1\nframework = \"monitor-2013\"\n[service]\nname = \"S\"\n[provider]\nods = \"RJ1\"\nname = \"T\"\nkind = \"nhs-trust\"\nlicence = \"licensed\"\n[commissioner]\nods = \"QKK\"\nname = \"ICB\"\n",
        )
        .unwrap();
        record.events =
            events.iter().map(|(on, kind)| Event::dated(on.parse().unwrap(), *kind, None)).collect();
        record
    }

    #[test]
    fn provider_response_follows_the_events() {
        use EventKind::*;
        assert_eq!(provider_response(&record(&[])), ("", None));
        assert_eq!(provider_response(&record(&[("2025-01-01", WrittenRequestSent)])).0, "awaiting response");
        let refused = record(&[
            ("2025-01-01", WrittenRequestSent),
            ("2025-01-20", ProviderRefused),
            ("2025-02-01", ReferredToRegulator),
        ]);
        let (words, answered) = provider_response(&refused);
        assert_eq!(words, "refused; referred to the regulator");
        assert_eq!(answered.map(|e| e.on.to_string()).as_deref(), Some("2025-01-20"));
    }

    #[test]
    fn the_removal_notice_is_that_of_the_removal_in_force() {
        use crate::model::{Decision, DecisionOutcome};
        let decision = |outcome, on: &str| Decision {
            outcome,
            grounds: Vec::new(),
            decided_on: on.parse().unwrap(),
            decided_by: None,
            reference: None,
            provider: None,
            commissioner: None,
        };
        let mut record = record(&[("2024-03-10", EventKind::ProviderNotifiedOfRemoval)]);
        record.decisions = vec![
            decision(DecisionOutcome::Designate, "2020-01-01"),
            decision(DecisionOutcome::Remove, "2024-03-01"),
        ];
        assert_eq!(removal_notice(&record).map(|e| e.on.to_string()).as_deref(), Some("2024-03-10"));
        // Designated again, then a removal decided that the provider has not been told of.
        record.decisions.push(decision(DecisionOutcome::Designate, "2025-01-01"));
        assert_eq!(removal_notice(&record), None, "no removal in force");
        record.decisions.push(decision(DecisionOutcome::Remove, "2026-05-01"));
        assert_eq!(removal_notice(&record), None, "the notice of 2024 told of the earlier removal");
    }

    #[test]
    fn the_deciding_commissioner_is_named_after_a_merger_and_read_back() {
        let mut record = record(&[]);
        let mut decision = crate::model::Decision {
            outcome: crate::model::DecisionOutcome::Designate,
            grounds: Vec::new(),
            decided_on: "2019-03-05".parse().unwrap(),
            decided_by: None,
            reference: None,
            provider: None,
            commissioner: None,
        };
        assert_eq!(deciding_commissioner(&record, &decision), "");
        decision.commissioner = Some(crate::model::record::DecisionCommissioner {
            ods: "08K".into(),
            name: "NHS Lambeth CCG (old)".into(),
        });
        record.commissioner.name = "NHS South East London ICB".into();
        let cell = deciding_commissioner(&record, &decision);
        assert_eq!(cell, "NHS Lambeth CCG (old) (08K), now NHS South East London ICB");
        let read = Some(("08K".to_owned(), "NHS Lambeth CCG (old)".to_owned()));
        assert_eq!(deciding_commissioner_read(&cell), read);
        assert_eq!(deciding_commissioner_read("NHS Lambeth CCG (old) (08K)"), read);
        assert_eq!(deciding_commissioner_read("NHS Lambeth CCG"), None);
    }

    #[test]
    fn contact_falls_back_to_the_register_and_empty_lists_are_empty() {
        let record = record(&[]);
        let id: RecordId = "RJ1/s".parse().unwrap();
        let context = RowContext {
            id: &id,
            file: "RJ1/s.toml",
            status: crate::model::status::derive_status(&record),
            commit: "abc",
            register_contact: "crs@icb.example",
        };
        let row = cells(
            &[Column::Contact, Column::Sites, Column::Commit, Column::LocationSpecific],
            &record,
            &context,
        );
        assert_eq!(
            row,
            [Cell::text("crs@icb.example"), Cell::list(&[]), Cell::text("abc"), Cell::YesNo(false)]
        );
    }
}
