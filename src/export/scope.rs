//! `Scope`: which records a submission includes. By default the designations in
//! force or in progress (designated, under-review, requested, refused, referred) and
//! the records removed since the last submission; `--status` replaces that with an
//! explicit list, and the other criteria of a [`Filter`] narrow it.

use std::collections::BTreeSet;

use crate::model::filter::Filter;
use crate::model::record::Event;
use crate::model::{Record, Status};

/// The statuses a submission includes by default, besides recent removals.
pub const DEFAULT_STATUSES: [Status; 5] =
    [Status::Designated, Status::UnderReview, Status::Requested, Status::Refused, Status::Referred];

/// Which records are in scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    statuses: BTreeSet<Status>,
    /// Also records removed since the baseline (the default scope).
    removed_since_baseline: bool,
    /// What a record must match besides its status.
    filter: Filter,
    /// Whether the export tells each record's whole life on a History sheet
    /// (`--history`): what a register moving elsewhere needs, at several times the
    /// size and time of the one row a record.
    pub history: bool,
}

/// Where a record stood at the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Before {
    /// There is no baseline: no previous submission.
    NoBaseline,
    /// The record did not exist (or could not be read) at the baseline.
    Absent,
    /// The record's status at the baseline.
    Was(Status),
}

impl Default for Scope {
    fn default() -> Scope {
        Scope {
            statuses: DEFAULT_STATUSES.into_iter().collect(),
            removed_since_baseline: true,
            filter: Filter::default(),
            history: false,
        }
    }
}

impl Scope {
    /// Exactly the records with one of `statuses`.
    pub fn only(statuses: impl IntoIterator<Item = Status>) -> Scope {
        Scope {
            statuses: statuses.into_iter().collect(),
            removed_since_baseline: false,
            filter: Filter::default(),
            history: false,
        }
    }

    /// The scope `filter` asks for: its statuses, or the default scope when it names
    /// none, narrowed by its other criteria.
    pub fn of(filter: &Filter) -> Scope {
        let statuses = if !filter.statuses.is_empty() {
            Scope::only(filter.statuses.iter().copied())
        } else if filter.in_force_on.is_some() {
            Scope::only([Status::Designated, Status::UnderReview])
        } else {
            Scope::default()
        };
        Scope { filter: Filter { statuses: Vec::new(), ..filter.clone() }, ..statuses }
    }

    /// The record as the scope reads it, and its status: as it stood on the
    /// `--in-force-on` day, if one is given (the flag is false when not in force).
    pub fn on_day(&self, record: Record, status: Status) -> (Record, Status, bool) {
        self.filter.on_day(record, status)
    }

    /// The step with no recorded day that may have put `record` in force on the
    /// `--in-force-on` day, when only that keeps it out (see
    /// [`Filter::undated_step_after_day`]).
    pub(crate) fn undated_step_after_day(&self, record: &Record) -> Option<Event> {
        self.filter.undated_step_after_day(record)
    }

    /// True when `record` matches the scope's criteria other than its status; judged
    /// as each record is read, since records are not kept whole.
    pub fn selects(&self, record: &Record) -> bool {
        self.filter.matches_record(record)
    }

    /// True when a record with status `now` is in scope, given where it stood at the
    /// baseline. A removal is included until it has been submitted once.
    pub fn includes(&self, now: Status, before: Before) -> bool {
        self.statuses.contains(&now)
            || (self.removed_since_baseline
                && now == Status::Removed
                && before != Before::Was(Status::Removed))
    }

    /// True when a record with status `then` was in scope at the baseline itself. A
    /// removal already in force at the baseline was submitted before and is not.
    pub fn included_at_baseline(&self, then: Status) -> bool {
        self.statuses.contains(&then)
    }

    /// The scope in words, for the about sheet and messages.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self.statuses.iter().map(|s| s.label().to_lowercase()).collect();
        if self.removed_since_baseline {
            parts.push("removed since the last submission".to_owned());
        }
        let statuses = match parts.len() {
            0 => "no records".to_owned(),
            1 => parts[0].clone(),
            2 => format!("{} and {}", parts[0], parts[1]),
            n => format!("{}, and {}", parts[..n - 1].join(", "), parts[n - 1]),
        };
        let criteria = self.filter.describe_record();
        if criteria.is_empty() { statuses } else { format!("{statuses}; {}", criteria.join(", ")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scope_takes_designations_in_progress_and_new_removals() {
        let scope = Scope::default();
        for s in DEFAULT_STATUSES {
            assert!(scope.includes(s, Before::NoBaseline));
        }
        for s in [Status::Draft, Status::Proposed, Status::NotDesignated] {
            assert!(!scope.includes(s, Before::NoBaseline), "{s}");
        }
        assert!(scope.includes(Status::Removed, Before::NoBaseline));
        assert!(scope.includes(Status::Removed, Before::Absent));
        assert!(scope.includes(Status::Removed, Before::Was(Status::Designated)));
        assert!(!scope.includes(Status::Removed, Before::Was(Status::Removed)));
        assert!(!scope.included_at_baseline(Status::Removed));
    }

    #[test]
    fn explicit_statuses_replace_the_default() {
        let scope = Scope::only([Status::Draft, Status::Removed]);
        assert!(scope.includes(Status::Draft, Before::NoBaseline));
        assert!(scope.includes(Status::Removed, Before::Was(Status::Removed)));
        assert!(!scope.includes(Status::Designated, Before::NoBaseline));
        assert_eq!(scope.describe(), "draft and removed");
        assert_eq!(Scope::only([Status::NotDesignated]).describe(), "not designated");
    }

    #[test]
    fn default_scope_in_words() {
        assert_eq!(
            Scope::default().describe(),
            "requested, refused, referred, designated, under review, and removed since the last submission"
        );
    }
}
