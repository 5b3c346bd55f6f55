//! What an import knows of the register before it reads a record: every record's
//! id now and the ids it had before `crs move`, each record's last import, and the
//! commit crs's own export was made from. From these it places each sheet row at
//! its record, refuses two rows for one record, names the imported records the
//! sheet no longer gives, and finds where the sheet last agreed with the register
//! (the base of the three-way rule in `ops::reimport`).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::error::Result;
use crate::history::exported::ExportedFrom;
use crate::history::last_import::{ImportedVersion, LastImport, LastImports, RecordIds};
use crate::import::merge::Imported;
use crate::import::row::Problem;
use crate::model::{Record, RecordId};
use crate::ops::import::whole_record_problem;
use crate::ops::reimport::Base;
use crate::register::DiskSource;
use crate::register::load::read_records;

/// What the import needs to know of the register before it reads a record: where
/// each id is now (a record that had it before `crs move`) and each record's last
/// import, found in one walk of history.
pub(crate) struct Register {
    /// An id a record had before → the records that had it.
    moved_to: HashMap<RecordId, Vec<RecordId>>,
    /// Every id of a record now.
    ids: HashSet<RecordId>,
    imports: LastImports,
    /// The commit crs's own export (the file imported) was made from, when the
    /// register's branch holds it: where the sheet last agreed with the register.
    pub(crate) exported_from: Option<ExportedFrom>,
    /// Every id records moved to (`crs move`): only there can two rows of the
    /// sheet meet.
    move_targets: HashSet<RecordId>,
    /// Each of those ids a row of the sheet went to already, with that row.
    taken: HashMap<RecordId, usize>,
}

impl Register {
    /// The ids, moves and last imports of the register at `root`, in one walk of history.
    pub(crate) fn read(
        root: &Path,
        framework: &crate::framework::Framework,
        exported: Option<&str>,
        own_export: bool,
    ) -> Result<Register> {
        let loaded = read_records(
            &DiskSource::new(root),
            framework,
            |_| true,
            |parsed| RecordIds {
                id: parsed.id,
                previous: parsed.record.previous_ids.iter().filter_map(|p| p.parse().ok()).collect(),
            },
        )?;
        let mut moved_to: HashMap<RecordId, Vec<RecordId>> = HashMap::new();
        for record in &loaded.items {
            for previous in &record.previous {
                moved_to.entry(previous.clone()).or_default().push(record.id.clone());
            }
        }
        let ids = loaded.items.iter().map(|r| r.id.clone()).collect();
        // A team's sheet is weighed against the team's last sheet: an edit made
        // through crs's own export since is an edit in crs, never the sheet's base.
        let imports = LastImports::read(root, &loaded.items, !own_export)?;
        let exported_from = match exported {
            Some(commit) => ExportedFrom::find(root, commit)?,
            None => None,
        };
        let move_targets = moved_to.values().flatten().cloned().collect();
        Ok(Register { moved_to, ids, imports, exported_from, move_targets, taken: HashMap::new() })
    }

    /// The record the rows of `imported` go to: the record with the sheet's id, or,
    /// when there is none, the one record that had it before a move (with the sheet's
    /// id beside it). Two rows for one record, or an id two records say they had, are
    /// refused.
    pub(crate) fn place_of(
        &mut self,
        imported: &Imported,
        sheet: &str,
    ) -> std::result::Result<(RecordId, Option<RecordId>), Box<Problem>> {
        let sheet_id = &imported.id;
        let place = match self.moved_to.get(sheet_id).map(Vec::as_slice) {
            Some([one]) if !self.ids.contains(sheet_id) => (one.clone(), Some(sheet_id.clone())),
            Some(many) if many.len() > 1 && !self.ids.contains(sheet_id) => {
                let names: Vec<String> = many.iter().map(ToString::to_string).collect();
                return Err(Box::new(whole_record_problem(
                    imported,
                    sheet,
                    &format!("{sheet_id} was moved, and {} each say they had that id", names.join(" and ")),
                    "give the row the id of the record it is about now (an id column mapped to id), or mend the records' previous_ids with crs edit",
                )));
            }
            _ => (sheet_id.clone(), None),
        };
        // The rows of one id are one record already: two meet only at an id a
        // record was moved to, which one gives and another had before the move.
        if !self.move_targets.contains(&place.0) {
            return Ok(place);
        }
        if let Some(row) = self.taken.get(&place.0) {
            return Err(Box::new(whole_record_problem(
                imported,
                sheet,
                &format!(
                    "is about {}, which row {row} gives too: crs move gave the service a new id",
                    place.0
                ),
                "keep one row for the service: the one with its id now",
            )));
        }
        self.taken.insert(place.0.clone(), imported.rows[0]);
        Ok(place)
    }

    /// Whether `id` is the id of a record of the register, now or before a move.
    pub(crate) fn knows(&self, id: &RecordId) -> bool {
        self.ids.contains(id) || self.moved_to.contains_key(id)
    }

    /// The records of the register now that an import wrote and the sheet, whose
    /// records the register knows are `sheet_ids`, does not give (at their id, or at one they had
    /// before a move), by id, with their last import.
    pub(crate) fn absent(&self, sheet_ids: &HashSet<RecordId>) -> Vec<(RecordId, LastImport)> {
        let mut given: HashSet<&RecordId> = HashSet::new();
        for id in sheet_ids {
            match self.moved_to.get(id) {
                Some(now) if !self.ids.contains(id) => given.extend(now),
                _ => {
                    given.insert(id);
                }
            }
        }
        let mut absent: Vec<(RecordId, LastImport)> = self
            .ids
            .iter()
            .filter(|id| !given.contains(id))
            .filter_map(|id| self.imports.of(id).map(|import| (id.clone(), import.clone())))
            .collect();
        absent.sort_by(|a, b| a.0.cmp(&b.0));
        absent
    }

    /// Where the sheet last agreed with the register for the record `id` (the
    /// sheet's `sheet_id`): for crs's own export, the commit it was made from (a
    /// later import, of another sheet or of another copy of this export, is a change
    /// on the register's side, never the sheet's), unless a later import kept the
    /// register's version against a sheet's (`--keep-register`); else the last
    /// import that wrote it.
    pub(crate) fn base(&self, id: &RecordId, sheet_id: &RecordId) -> Result<Option<Base>> {
        let import = self.imports.of(id);
        let kept_since = |exported: &ExportedFrom| {
            import.is_some_and(|import| {
                matches!(import.version, ImportedVersion::Kept(_)) && exported.is_before(&import.commit)
            })
        };
        if let Some(exported) = &self.exported_from
            && !kept_since(exported)
        {
            let text = exported.text(&sheet_id.relative_path_string())?;
            return Ok(text
                .and_then(|text| Record::from_toml(&text).ok())
                .map(|record| Base::Exported { record, day: exported.day }));
        }
        let Some(import) = import else { return Ok(None) };
        Ok(match &import.version {
            ImportedVersion::Kept(digest) => {
                Some(Base::Kept { digest: digest.clone(), import: import.clone() })
            }
            // A version this build cannot read is no base: the record then counts as
            // made in crs, and is never overwritten.
            ImportedVersion::Written(blob) => Record::from_toml(&self.imports.text(*blob)?)
                .ok()
                .map(|record| Base::Written { record, import: import.clone() }),
        })
    }
}
