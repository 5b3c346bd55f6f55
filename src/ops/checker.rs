//! `Checker`: the one record checker. `crs check`, every export and submission, every
//! write command and `crs edit` judge a record by it, so none of them can accept what
//! another refuses: the framework's rules, the organisation codes against the ODS
//! files the register knows, and, for a single record being written, whether another
//! record already holds the same service.

use std::collections::HashMap;
use std::path::Path;

use crate::error::Result;
use crate::framework::register_rules::{ServiceKey, duplicate_service};
use crate::framework::rules::check_record;
use crate::framework::{Finding, Framework, Hit, RecordRules, Severity};
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
            hits.extend(Services::new(root).duplicate_of(id, record));
        }
        self.placed(hits, id, text)
    }

    /// As [`Checker::check_one`] with the other records, for one of many records being
    /// written together (an import): `services` reads each provider folder once, and
    /// knows the records accepted so far ([`Services::hold`]).
    pub fn check_among(
        &self,
        services: &mut Services<'_>,
        id: &RecordId,
        record: &Record,
        text: &str,
    ) -> Vec<Finding> {
        self.placed(self.hits_among(services, id, record), id, text)
    }

    /// As [`Checker::check_among`], each hit with its severity but not placed on a
    /// line of the record's text: for a writer of many records (an import), which
    /// needs only the rules broken and their keys.
    pub fn judge_among(
        &self,
        services: &mut Services<'_>,
        id: &RecordId,
        record: &Record,
    ) -> Vec<(Severity, Hit)> {
        let hits = self.hits_among(services, id, record);
        hits.into_iter().filter_map(|h| Some((self.framework.severity(h.rule)?, h))).collect()
    }

    /// The record's own hits and a duplicate of a service `services` holds.
    fn hits_among(&self, services: &mut Services<'_>, id: &RecordId, record: &Record) -> Vec<Hit> {
        let mut hits = self.record_hits(record, id);
        hits.extend(services.duplicate_of(id, record));
        hits
    }

    fn placed(&self, hits: Vec<Hit>, id: &RecordId, text: &str) -> Vec<Finding> {
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

/// The services the register's records hold, by provider folder: each folder is
/// read the first time a record of that provider is checked, so checking many records
/// (an import) does not read a folder again for every one, and each look-up and
/// each record accepted costs the same however many the folder holds. Reads only
/// plain record files, following no links.
pub struct Services<'r> {
    root: &'r Path,
    folders: HashMap<String, Folder>,
}

/// One provider folder's services, both ways round.
#[derive(Default)]
struct Folder {
    /// Record id → its service.
    by_id: HashMap<RecordId, ServiceKey>,
    /// Service → the records that hold it, in id order (a sorted list: almost every
    /// service has one record, and a tree's node would take ten times its room).
    by_key: HashMap<ServiceKey, Vec<RecordId>>,
}

impl Folder {
    fn hold(&mut self, id: &RecordId, key: ServiceKey) {
        self.release(id);
        self.by_id.insert(id.clone(), key.clone());
        let ids = self.by_key.entry(key).or_default();
        if let Err(at) = ids.binary_search(id) {
            ids.insert(at, id.clone());
        }
    }

    fn release(&mut self, id: &RecordId) {
        if let Some(old) = self.by_id.remove(id)
            && let Some(ids) = self.by_key.get_mut(&old)
            && let Ok(at) = ids.binary_search(id)
        {
            ids.remove(at);
        }
    }
}

impl<'r> Services<'r> {
    pub fn new(root: &'r Path) -> Services<'r> {
        Services { root, folders: HashMap::new() }
    }

    /// A `duplicate-service` hit when a record other than `id` of the same provider has
    /// the service name of `record`.
    pub fn duplicate_of(&mut self, id: &RecordId, record: &Record) -> Option<Hit> {
        let key = ServiceKey::of(record);
        let other_id = self.folder(id).by_key.get(&key)?.iter().find(|other| *other != id)?.clone();
        Some(duplicate_service(
            &other_id.to_string(),
            id.provider(),
            &record.service.name,
            "change that record instead",
        ))
    }

    /// Counts `record` as what `id` holds from now on: a record accepted for writing.
    pub fn hold(&mut self, id: &RecordId, record: &Record) {
        let key = ServiceKey::of(record);
        self.folder(id).hold(id, key);
    }

    /// Counts `id` as holding nothing from now on: a record moving away (`crs move`)
    /// is not another record at its new place.
    pub fn release(&mut self, id: &RecordId) {
        self.folder(id).release(id);
    }

    /// The services of the folder of `id`'s provider, read on first use.
    fn folder(&mut self, id: &RecordId) -> &mut Folder {
        let root = self.root;
        self.folders.entry(id.provider().to_owned()).or_insert_with(|| {
            let names = std::fs::read_dir(root.join(id.provider())).into_iter().flatten();
            let mut folder = Folder::default();
            for name in
                names.filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|n| n.ends_with(".toml"))
            {
                let Ok(other) = format!("{}/{name}", id.provider()).parse::<RecordId>() else { continue };
                let Ok(Some(full)) = plain_file(root, &other.relative_path_string(), MAX_FILE_BYTES) else {
                    continue;
                };
                let Some(record) =
                    std::fs::read_to_string(full).ok().and_then(|t| Record::from_toml(&t).ok())
                else {
                    continue;
                };
                folder.hold(&other, ServiceKey::of(&record));
            }
            folder
        })
    }
}
