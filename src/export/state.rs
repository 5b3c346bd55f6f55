//! `RegisterState`: the register's records at one point — the working tree or a past
//! commit — with the commit they come from, as the export selects, compares and
//! writes them. Loading is the caller's business; this only holds the result.

use std::collections::BTreeSet;

use crate::model::{Record, RecordId, Status};

/// One record, whole, with its derived status.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub id: RecordId,
    /// Register-relative path, `RJ1/maternity.toml`.
    pub file: String,
    pub record: Record,
    pub status: Status,
}

/// The records of a register at one point.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegisterState {
    /// Sorted by id.
    items: Vec<Item>,
    /// The commit the records come from (HEAD for the working tree); `None` outside
    /// git or before the first commit.
    pub commit: Option<String>,
    /// Files of the working tree that differ from `commit`.
    pub uncommitted: BTreeSet<String>,
}

/// What the commit column says of a record changed since the last commit.
pub const UNCOMMITTED: &str = "uncommitted changes";

impl RegisterState {
    pub fn new(mut items: Vec<Item>, commit: Option<String>, uncommitted: BTreeSet<String>) -> RegisterState {
        items.sort_by(|a, b| a.id.cmp(&b.id));
        items.dedup_by(|a, b| a.id == b.id);
        RegisterState { items, commit, uncommitted }
    }

    /// Every record, by id.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The record `id`, if present.
    pub fn get(&self, id: &RecordId) -> Option<&Item> {
        self.items.binary_search_by(|i| i.id.cmp(id)).ok().map(|at| &self.items[at])
    }

    /// The commit a record's row comes from: the state's commit, or a note that the
    /// record has changed since.
    pub fn commit_of(&self, item: &Item) -> &str {
        if self.uncommitted.contains(&item.file) { UNCOMMITTED } else { self.commit.as_deref().unwrap_or("") }
    }
}
