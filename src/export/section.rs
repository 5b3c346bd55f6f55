//! `Section`: the part of a submission a record belongs to, by its status. The
//! regulator reads apart what is **in force** (designated, or under review: the
//! designation stays in place), what is **pending** (requested, refused, referred:
//! not yet CRS) and what was **removed**; any other status a `--status` scope asks
//! for (draft, proposed, not designated) is **other**. Every output groups its rows
//! and its changes by section, in this order, under these names.

use serde::Serialize;

use crate::model::Status;

/// A part of the submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    InForce,
    Pending,
    Removed,
    Other,
}

impl Section {
    /// Every section, in the order the outputs list them.
    pub const ALL: [Section; 4] = [Section::InForce, Section::Pending, Section::Removed, Section::Other];

    /// The section of a record with status `status`.
    pub fn of(status: Status) -> Section {
        match status {
            Status::Designated | Status::UnderReview => Section::InForce,
            Status::Requested | Status::Refused | Status::Referred => Section::Pending,
            Status::Removed => Section::Removed,
            Status::Draft | Status::Proposed | Status::NotDesignated => Section::Other,
        }
    }

    /// The section as programs name it: `in_force`, `pending`, `removed`, `other`.
    pub fn key(self) -> &'static str {
        match self {
            Section::InForce => "in_force",
            Section::Pending => "pending",
            Section::Removed => "removed",
            Section::Other => "other",
        }
    }

    /// The section as people read it, in a cell: "In force".
    pub fn label(self) -> &'static str {
        match self {
            Section::InForce => "In force",
            Section::Pending => "Pending",
            Section::Removed => "Removed",
            Section::Other => "Other",
        }
    }

    /// The section's heading in the summary and the e-mail, saying what it holds.
    pub fn heading(self) -> &'static str {
        match self {
            Section::InForce => "In force: designated, or under review with the designation in place",
            Section::Pending => "Pending: requested, refused or referred, not yet CRS",
            Section::Removed => "Removed: designations removed, with the day of the removal decision",
            Section::Other => "Other: not designated, proposed or draft",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_is_never_in_force() {
        for status in Status::ALL {
            let section = Section::of(status);
            assert_eq!(section == Section::InForce, status.in_force(), "{status}");
        }
        assert_eq!(Section::of(Status::Referred), Section::Pending);
        assert_eq!(Section::of(Status::Removed), Section::Removed);
        assert_eq!(Section::Pending.key(), "pending");
    }
}
