//! `Filter`: which records a reader asks for — by status, provider, service name,
//! treatment function, co-commissioner, review date and decision date — and `Sort`,
//! the order to list them in. One type serves `crs list` and `crs export`; a pure
//! function of a record and its status, with no I/O.

use crate::model::record::{Event, Record};
use crate::model::status::derive_status;
use crate::model::{Date, RecordId, Status};

/// What a record must match; every criterion left empty matches all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// One of these statuses; empty: any (`crs export` then takes its default scope).
    pub statuses: Vec<Status>,
    /// The provider's ODS code, in any case.
    pub provider: Option<String>,
    /// Part of the service's name, in any case.
    pub service: Option<String>,
    /// A treatment function code the service has, e.g. 501.
    pub treatment_function: Option<String>,
    /// A co-commissioner's ODS code, in any case.
    pub co_commissioner: Option<String>,
    /// A review due before this day.
    pub review_due_before: Option<Date>,
    /// A decision taken on or after this day.
    pub decided_since: Option<Date>,
    /// The second clock: only designations in force at the end of this day, by the
    /// dates of the decisions and events, each record read as it stood then.
    pub in_force_on: Option<Date>,
}

impl Filter {
    /// The record as the filter reads it, with its status: as it stood at the end of
    /// the `in_force_on` day, when one is given. The flag is false when it was not in
    /// force then (the record is then returned as it is).
    pub fn on_day(&self, record: Record, status: Status) -> (Record, Status, bool) {
        let Some(day) = self.in_force_on else { return (record, status, true) };
        let then = record.as_on(day);
        match derive_status(&then) {
            then_status if then_status.in_force() => (then, then_status, true),
            _ => (record, status, false),
        }
    }

    /// For a record not known to be in force at the end of the `in_force_on` day
    /// only because a step that would have put it in force has no recorded day (kept
    /// as "by D (day not recorded)", D after that day): that step. The record may
    /// have been in force on the day asked, or not: the register cannot say, and it
    /// is known in force from D.
    pub(crate) fn undated_step_after_day(&self, record: &Record) -> Option<Event> {
        let day = self.in_force_on?;
        let mut then = record.as_on(day);
        if derive_status(&then).in_force() {
            return None;
        }
        let mut undated: Vec<&Event> = record.events.iter().filter(|e| !e.date_known && e.on > day).collect();
        undated.sort_by_key(|e| e.on);
        for event in undated {
            then.events.push(event.clone());
            if derive_status(&then).in_force() {
                return derive_status(&record.as_on(event.on)).in_force().then(|| event.clone());
            }
        }
        None
    }

    /// The note `crs list` and `crs export` give for the records that
    /// [`Filter::undated_step_after_day`] found, each with its step: a line for all,
    /// then a line a record. `left_out` says where they are not ("listed").
    pub(crate) fn undated_note(&self, left_out: &str, records: &[(RecordId, Event)]) -> Vec<String> {
        let Some(day) = self.in_force_on.filter(|_| !records.is_empty()) else { return Vec::new() };
        let mut lines = vec![format!(
            "note: {} designation(s) may have been in force on {} and are not {left_out}: the step that put each in force has no recorded day, only the latest it can have happened:",
            records.len(),
            day.in_words()
        )];
        lines.extend(records.iter().map(|(id, step)| {
            format!(
                "  {id}: {} {}; known in force from {}",
                step.kind.label().to_lowercase(),
                step.when_in_words(),
                step.on.in_words()
            )
        }));
        lines
    }

    /// True when `record`, whose status is `status`, matches every criterion.
    pub fn matches(&self, record: &Record, status: Status) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(&status)) && self.matches_record(record)
    }

    /// True when `record` matches every criterion but the status.
    pub fn matches_record(&self, record: &Record) -> bool {
        let same = |given: &Option<String>, code: &str| {
            given.as_deref().is_none_or(|g| g.eq_ignore_ascii_case(code))
        };
        let service = &record.service;
        same(&self.provider, &record.provider.ods)
            && self
                .service
                .as_deref()
                .is_none_or(|part| service.name.to_lowercase().contains(&part.trim().to_lowercase()))
            && self
                .treatment_function
                .as_deref()
                .is_none_or(|code| service.treatment_functions.iter().any(|t| t == code.trim()))
            && self.co_commissioner.as_deref().is_none_or(|code| {
                record.commissioner.co_commissioners.iter().any(|c| c.eq_ignore_ascii_case(code.trim()))
            })
            && self
                .review_due_before
                .is_none_or(|day| record.review.as_ref().is_some_and(|r| r.next_due < day))
            && self
                .decided_since
                .is_none_or(|day| record.current_decision().is_some_and(|d| d.decided_on >= day))
    }

    /// The criteria but the status in words, e.g. `service containing 'maternity'`;
    /// empty when there are none.
    pub fn describe_record(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(code) = &self.provider {
            parts.push(format!("provider {code}"));
        }
        if let Some(text) = &self.service {
            parts.push(format!("service containing '{text}'"));
        }
        if let Some(code) = &self.treatment_function {
            parts.push(format!("treatment function {code}"));
        }
        if let Some(code) = &self.co_commissioner {
            parts.push(format!("co-commissioner {code}"));
        }
        if let Some(day) = self.review_due_before {
            parts.push(format!("review due before {day}"));
        }
        if let Some(day) = self.decided_since {
            parts.push(format!("decided since {day}"));
        }
        if let Some(day) = self.in_force_on {
            parts.push(format!("in force on {day}"));
        }
        parts
    }
}

/// The order records are listed in; records without the date sort last, ties by id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// By record id (provider code, then service slug).
    #[default]
    Id,
    /// Soonest review first.
    ReviewDue,
    /// Most recent decision first.
    Decided,
    /// By provider name, then service name.
    Provider,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::record::MINIMAL_TEST_RECORD;

    fn record(extra: &str) -> Record {
        Record::from_toml(&MINIMAL_TEST_RECORD.replace("ods = \"QKK\"\n", &format!("ods = \"QKK\"\n{extra}")))
            .unwrap()
    }

    #[test]
    fn each_criterion_narrows_and_empty_matches_all() {
        let r = record("co_commissioners = [\"QMF\"]\n");
        assert!(Filter::default().matches(&r, Status::Draft));
        let service = Filter { service: Some("MATERN".into()), ..Filter::default() };
        assert!(service.matches(&r, Status::Draft));
        let other = Filter { service: Some("renal".into()), ..Filter::default() };
        assert!(!other.matches(&r, Status::Draft));
        let co = Filter { co_commissioner: Some("qmf".into()), ..Filter::default() };
        assert!(co.matches(&r, Status::Draft));
        let status = Filter { statuses: vec![Status::Designated, Status::UnderReview], ..Filter::default() };
        assert!(!status.matches(&r, Status::Draft) && status.matches(&r, Status::UnderReview));
        let undecided = Filter { decided_since: Date::from_ymd(2025, 1, 1), ..Filter::default() };
        assert!(!undecided.matches(&r, Status::Draft), "no decision is not decided since");
    }
}
