//! `RegisterState`: the register's records at one point — the working tree or a past
//! commit — as the export selects, compares and writes them. A record is not kept
//! whole: each keeps its status, a fingerprint of its content for finding changes, and
//! (for the state being exported) its row, made as it is read. Only the files that may
//! differ between the two states keep the whole record, to name the fields that
//! changed; on a register of 100,000 records that is the difference between holding a
//! few hundred megabytes and holding a few hundred records. A baseline is read only
//! where git says its files may differ; the rest are the current state's. Loading is
//! the caller's business; this holds the result.

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::export::columns::Column;
use crate::export::history::Life;
use crate::export::packed::{Assessed, Cells};
use crate::export::row::{RowContext, cells, designated_with, removal_notice};
use crate::export::scope::Scope;
use crate::export::spill::Spill;
use crate::model::record::Event;
use crate::model::{Decision, EventKind, Record, RecordId, Status};

/// One record of a state.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub id: RecordId,
    /// Register-relative path, `RJ1/maternity.toml`.
    pub file: String,
    pub status: Status,
    /// What a change compares, hashed: versions with equal fingerprints say the same.
    pub fingerprint: u64,
    /// The record whole, where its file may differ from the other state's.
    pub record: Option<Box<Record>>,
    /// The record's row, made as it was read (the state being exported).
    pub row: Option<ItemRow>,
    /// Whether the record matches the export's criteria other than status (service,
    /// dates, codes), judged as it was read.
    pub selected: bool,
    /// With `--in-force-on`, for a record left out only because the step that put it
    /// in force has no recorded day (it may have been in force that day): that step.
    pub undated_step: Option<Event>,
}

/// A record's row, made as it was read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemRow {
    pub label: Label,
    pub cells: Cells,
    /// What its lines of the History sheet tell, when the export has one.
    pub life: Option<Box<Life>>,
    /// Its stage assessments by key, for the Assessments sheet.
    pub assessed: Assessed,
}

/// How the changes sheet, the summary and the e-mail name a record, the provider it
/// was designated with if it has moved since, and the decision that removed its
/// designation and the notice of it to the provider, whose days they give.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Label {
    pub provider_code: String,
    pub provider_name: String,
    pub service: String,
    /// "South London Healthcare NHS Trust (RYQ)"; empty when never moved.
    pub designated_with: String,
    pub removal: Option<Box<Decision>>,
    /// The provider told of that removal; `None` when the record holds no such step.
    pub removal_notified: Option<Box<Event>>,
}

impl Label {
    pub fn of(record: &Record) -> Label {
        Label {
            provider_code: record.provider.ods.clone(),
            provider_name: record.provider.name.clone(),
            service: record.service.name.clone(),
            designated_with: designated_with(record),
            removal: record.removal().cloned().map(Box::new),
            removal_notified: removal_notice(record).cloned().map(Box::new),
        }
    }
}

impl Item {
    /// The record's identity, status and fingerprint; nothing more is kept.
    pub fn new(id: RecordId, file: &str, record: &Record, status: Status) -> Item {
        Item {
            id,
            file: file.to_owned(),
            status,
            fingerprint: fingerprint(record),
            record: None,
            row: None,
            selected: true,
            undated_step: None,
        }
    }

    /// The item with the whole record kept.
    pub fn whole(id: RecordId, file: &str, record: Record, status: Status) -> Item {
        let mut item = Item::new(id, file, &record, status);
        item.record = Some(Box::new(record));
        item
    }
}

/// A hash of everything [`changed_fields`](crate::export::changes::changed_fields)
/// compares: the record in version 2's shape, less its `submitted` events, which are
/// bookkeeping (so a migration alone is no change).
pub fn fingerprint(record: &Record) -> u64 {
    let Record {
        schema_version: _,
        framework,
        previous_ids,
        local_id,
        notes,
        service,
        provider,
        commissioner,
        outcome,
        stages,
        decision: _,
        decisions: _,
        review,
        source,
        events,
    } = record;
    let mut hasher = DefaultHasher::new();
    (
        framework,
        previous_ids,
        (local_id, notes),
        service,
        provider,
        commissioner,
        outcome,
        stages,
        record.decisions(),
        review,
        source,
    )
        .hash(&mut hasher);
    for event in events.iter().filter(|e| e.kind != EventKind::Submitted) {
        event.hash(&mut hasher);
    }
    hasher.finish()
}

/// How the state being exported makes its items as records are read.
pub struct Reading<'a> {
    pub columns: &'a [Column],
    /// The register's contact, for records that name none.
    pub register_contact: &'a str,
    /// The commit the records come from, and the files changed since.
    pub commit: Option<&'a str>,
    pub uncommitted: &'a BTreeSet<String>,
    /// The files that may differ from the baseline's: their records are kept whole.
    pub differing: &'a BTreeSet<String>,
    /// Every record kept whole: the baseline is made from the records themselves
    /// (`crs submit --last-sent`).
    pub keep_whole: bool,
    /// The export's scope, which says whether each record is selected.
    pub scope: &'a Scope,
    /// Where the records' stage assessments wait for the Assessments sheet.
    pub spill: Option<&'a Spill>,
}

impl Reading<'_> {
    /// The item of a record just read, with its row.
    pub fn item(&self, id: RecordId, file: &str, record: Record, status: Status) -> Item {
        // With --in-force-on, the record as it stood that day; one not in force then
        // is kept as it is now, but not selected.
        let undated_step = self.scope.undated_step_after_day(&record);
        let (record, status, selected) = self.scope.on_day(record, status);
        let mut item = Item::new(id, file, &record, status);
        item.selected = selected && self.scope.selects(&record);
        item.undated_step = undated_step.filter(|_| self.scope.selects(&record));
        let context = RowContext {
            id: &item.id,
            file,
            status,
            commit: commit_cell(self.commit, self.uncommitted, file),
            register_contact: self.register_contact,
        };
        let keep_whole = self.keep_whole || self.differing.contains(file);
        let mut record = record;
        let row_cells = cells(self.columns, &record, &context);
        let life = self.scope.history.then(|| Box::new(Life::of(&record)));
        let assessed = Assessed::pack(&record.stages, self.spill);
        if !keep_whole {
            record.stages.clear();
        }
        item.row =
            Some(ItemRow { label: Label::of(&record), cells: Cells::pack(&row_cells), life, assessed });
        if keep_whole {
            item.record = Some(Box::new(record));
        }
        item
    }
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

/// The commit a record's row comes from: the state's commit, or a note that the
/// record has changed since.
fn commit_cell<'a>(commit: Option<&'a str>, uncommitted: &BTreeSet<String>, file: &str) -> &'a str {
    if uncommitted.contains(file) { UNCOMMITTED } else { commit.unwrap_or("") }
}

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

    /// Every record, by id, to take from.
    pub fn into_items(self) -> Vec<Item> {
        self.items
    }

    /// The record `id`, if present.
    pub fn get(&self, id: &RecordId) -> Option<&Item> {
        self.items.binary_search_by(|i| i.id.cmp(id)).ok().map(|at| &self.items[at])
    }

    /// The record `id`, to take its row from.
    pub fn get_mut(&mut self, id: &RecordId) -> Option<&mut Item> {
        self.items.binary_search_by(|i| i.id.cmp(id)).ok().map(|at| &mut self.items[at])
    }

    /// What the commit column says of `item`.
    pub fn commit_of(&self, item: &Item) -> &str {
        commit_cell(self.commit.as_deref(), &self.uncommitted, &item.file)
    }

    /// The state as a submission sent on `day` outside crs saw it, by the dates the
    /// records themselves give: each record (kept whole in `self`) as it stood at the
    /// end of that day — its decisions, events and stage assessments up to then, a
    /// step whose day is not recorded counted by the latest day it can have
    /// happened. A record that dates nothing up to then was not there.
    pub fn as_sent_on(&self, day: crate::model::Date) -> RegisterState {
        let items = self
            .items
            .iter()
            .filter_map(|item| {
                let mut then = item.record.as_deref()?.as_on(day);
                then.stages.retain(|_, stage| stage.assessed_on <= day);
                if then.decisions().is_empty() && then.events.is_empty() && then.stages.is_empty() {
                    return None;
                }
                let status = crate::model::status::derive_status(&then);
                Some(Item {
                    selected: item.selected,
                    ..Item::whole(item.id.clone(), &item.file, then, status)
                })
            })
            .collect();
        RegisterState::new(items, None, BTreeSet::new())
    }

    /// Completes a baseline read only where it may differ from `current`: every
    /// other record it has (`present`) is the same file as in `current`, so the same
    /// record.
    pub fn complete_from(
        mut self,
        current: &RegisterState,
        differing: &BTreeSet<String>,
        present: &BTreeSet<String>,
    ) -> RegisterState {
        let same = current
            .items
            .iter()
            .filter(|item| !differing.contains(&item.file) && present.contains(&item.file));
        self.items.extend(same.map(|item| Item {
            id: item.id.clone(),
            file: item.file.clone(),
            status: item.status,
            fingerprint: item.fingerprint,
            record: None,
            row: None,
            selected: item.selected,
            undated_step: None,
        }));
        RegisterState::new(self.items, self.commit, self.uncommitted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::record::MINIMAL_TEST_RECORD;
    use crate::model::status::derive_status;

    fn item(id: &str, text: &str) -> Item {
        let record = Record::from_toml(text).unwrap();
        let id: RecordId = id.parse().unwrap();
        Item::new(id.clone(), &id.relative_path_string(), &record, derive_status(&record))
    }

    #[test]
    fn the_fingerprint_ignores_layout_and_submissions_but_not_content() {
        let plain = item("RJ1/a", MINIMAL_TEST_RECORD);
        let commented = item("RJ1/a", &format!("# a note\n{MINIMAL_TEST_RECORD}"));
        let submitted = item(
            "RJ1/a",
            &format!("{MINIMAL_TEST_RECORD}[[events]]\non = 2026-01-05\nkind = \"submitted\"\n"),
        );
        let renamed = item("RJ1/a", &MINIMAL_TEST_RECORD.replace("Maternity", "Maternity services"));
        assert_eq!(plain.fingerprint, commented.fingerprint);
        assert_eq!(plain.fingerprint, submitted.fingerprint);
        assert_ne!(plain.fingerprint, renamed.fingerprint);
    }

    #[test]
    fn a_baseline_read_where_it_differs_takes_the_rest_from_the_current_state() {
        let changed = MINIMAL_TEST_RECORD.replace("Maternity", "Maternity services");
        let now = RegisterState::new(
            vec![
                item("RJ1/changed", &changed),
                item("RJ1/new", MINIMAL_TEST_RECORD),
                item("RJ1/same", MINIMAL_TEST_RECORD),
            ],
            None,
            BTreeSet::new(),
        );
        let read = vec![item("RJ1/changed", MINIMAL_TEST_RECORD), item("RJ1/gone", MINIMAL_TEST_RECORD)];
        let differing: BTreeSet<String> =
            ["RJ1/changed.toml", "RJ1/gone.toml", "RJ1/new.toml"].map(str::to_owned).into();
        let present: BTreeSet<String> =
            ["RJ1/changed.toml", "RJ1/gone.toml", "RJ1/same.toml"].map(str::to_owned).into();
        let then = RegisterState::new(read, Some("base".into()), BTreeSet::new())
            .complete_from(&now, &differing, &present);
        let ids: Vec<String> = then.items().iter().map(|i| i.id.to_string()).collect();
        assert_eq!(ids, ["RJ1/changed", "RJ1/gone", "RJ1/same"]);
        assert_ne!(then.items()[0].fingerprint, now.items()[0].fingerprint);
        assert_eq!(then.items()[2], Item { row: None, ..now.items()[2].clone() });
        assert_eq!(then.commit.as_deref(), Some("base"));
    }
}
