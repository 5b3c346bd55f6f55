//! `Checker`: the one record checker. `crs check`, every export and submission, every
//! write command and `crs edit` judge a record by it, so none of them can accept what
//! another refuses: the framework's rules, the organisation codes against the ODS
//! files the register knows, and, for a single record being written, whether another
//! record already holds the same service.

use std::path::Path;

use crate::error::Result;
use crate::framework::register_rules::ServiceKey;
use crate::framework::rules::check_record;
use crate::framework::{Finding, Framework, Hit, RecordRules, Rule};
use crate::model::{Date, Record, RecordId};
use crate::orgs::rules::check_orgs;
use crate::orgs::{KnownOrgs, OrgIndex, known_orgs};
use crate::register::load::place;
use crate::register::source::{MAX_FILE_BYTES, Source, plain_file};
use crate::register::{Config, DiskSource};

/// The rules a register's records are held to, on one day.
pub struct Checker<'a> {
    framework: &'a Framework,
    today: Date,
    orgs: Option<&'a OrgIndex>,
}

impl<'a> Checker<'a> {
    /// A checker of `framework` on `today`, with the organisations of `known` if any.
    pub fn new(framework: &'a Framework, today: Date, known: Option<&'a KnownOrgs>) -> Checker<'a> {
        let orgs = known.map(|k| &k.index).filter(|index| !index.is_empty());
        Checker { framework, today, orgs }
    }

    /// Every hit of one record on its own (the loader adds the rules across records).
    pub fn record_hits(&self, record: &Record, id: &RecordId) -> Vec<Hit> {
        let mut hits = check_record(record, id, self.framework, self.today);
        if let Some(index) = self.orgs {
            hits.extend(check_orgs(record, index, self.today));
        }
        hits
    }

    /// The findings of one record about to be written at `id` in the register at
    /// `root`, as `crs check` would report them once it is: its own rules and, when
    /// `other_records` is set, a duplicate of another record's service.
    pub fn check_one(
        &self,
        root: &Path,
        id: &RecordId,
        record: &Record,
        text: &str,
        other_records: bool,
    ) -> Vec<Finding> {
        let mut hits = self.record_hits(record, id);
        if other_records {
            hits.extend(duplicate_of(root, id, record));
        }
        let file = id.relative_path_string();
        hits.into_iter().filter_map(|h| place(h, &file, Some(id), text, self.framework)).collect()
    }
}

impl RecordRules for Checker<'_> {
    fn hits(&self, record: &Record, id: &RecordId) -> Vec<Hit> {
        self.record_hits(record, id)
    }
}

/// The organisations the register at `root` knows, read from `source`.
pub fn register_orgs(source: &dyn Source, root: &Path, config: &Config) -> Result<Option<KnownOrgs>> {
    known_orgs(source, root, &config.settings.orgs.files)
}

/// The organisations the register at `root` knows now, from the working tree.
pub fn working_orgs(root: &Path, config: &Config) -> Result<Option<KnownOrgs>> {
    register_orgs(&DiskSource::new(root), root, config)
}

/// A `duplicate-service` hit when another record of the same provider has the same
/// service name. Reads only plain record files, following no links.
fn duplicate_of(root: &Path, id: &RecordId, record: &Record) -> Option<Hit> {
    let key = ServiceKey::of(record);
    let mut names: Vec<String> = std::fs::read_dir(root.join(id.provider()))
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    names.into_iter().find_map(|name| {
        let other_id: RecordId = format!("{}/{name}", id.provider()).parse().ok()?;
        if &other_id == id {
            return None;
        }
        let full = plain_file(root, &other_id.relative_path_string(), MAX_FILE_BYTES).ok()??;
        let other = Record::from_toml(&std::fs::read_to_string(full).ok()?).ok()?;
        (ServiceKey::of(&other) == key).then(|| {
            Hit::new(
                Rule::DuplicateService,
                "service.name",
                format!(
                    "{other_id} is already a record of provider {} for '{}'; change that record instead",
                    id.provider(),
                    record.service.name
                ),
            )
        })
    })
}
