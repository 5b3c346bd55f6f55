//! Importing NHS Digital's ODS files into the register's organisation cache
//! (`.crs/orgs.csv`): every file read and checked before anything is written, then
//! the cache committed in one transaction.

use std::fs;
use std::path::PathBuf;

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::history::{Committed, Recovered};
use crate::ops::transaction::{Transaction, WriteOptions};
use crate::orgs::cache::{self, CACHE_PATH, from_csv};
use crate::orgs::index::KindChanges;
use crate::orgs::kind::{downloads_page, where_to_get_ods_files};
use crate::orgs::known::loaded;
use crate::orgs::ods_file::{OdsFile, SkippedRow, read_ods};
use crate::orgs::succ_file::{SUCC_PATH, is_succ_file, read_succ, to_csv as succ_csv};
use crate::orgs::{OdsKind, OrgIndex, Succession};

/// One ODS file as imported.
pub struct ImportedFile {
    pub path: PathBuf,
    pub kind: OdsKind,
    /// How many organisations it holds.
    pub count: usize,
    pub skipped: Vec<SkippedRow>,
    /// What it changed in the cache, for its kind.
    pub changes: KindChanges,
}

/// What an import did.
pub struct Imported {
    pub files: Vec<ImportedFile>,
    /// The cache after the import.
    pub cache: OrgIndex,
    /// The successor file imported, with its number of links and skipped rows.
    pub successions: Option<(PathBuf, usize, Vec<SkippedRow>)>,
    /// `None` when the cache came out as it was: nothing was committed.
    pub committed: Option<Committed>,
    pub recovered: Option<Recovered>,
}

/// Imports `files` (relative to the working directory), each of the kind its name
/// says or of `kind`, replacing the cache's organisations of those kinds.
pub fn import_orgs(
    ctx: &Ctx,
    options: &WriteOptions,
    files: &[PathBuf],
    kind: Option<OdsKind>,
) -> Result<Imported> {
    // Refuse early (not in git, mid-merge, no identity) before reading large files.
    let tx = Transaction::begin(ctx, options)?;
    tx.require_clean(CACHE_PATH)?;
    // Every file is read before anything is written: one bad file changes nothing.
    let mut read: Vec<(&PathBuf, OdsFile)> = Vec::new();
    let mut succ: Option<(PathBuf, Vec<Succession>, Vec<SkippedRow>)> = None;
    for file in files {
        if kind.is_none() && is_succ_file(file) {
            let bytes = fs::read(ctx.cwd.join(file)).map_err(|e| Error::io(file, e))?;
            let (links, skipped) = read_succ(&bytes);
            if links.is_empty() {
                return Err(Error::Orgs {
                    message: format!(
                        "{} holds no successor links ODS's way: predecessor code, successor code, reason, legal date YYYYMMDD",
                        file.display()
                    ),
                    hint: format!("import NHS Digital's succ.csv; {}", where_to_get_ods_files()),
                });
            }
            succ = Some((file.clone(), links, skipped));
            continue;
        }
        let file_kind = kind.or_else(|| OdsKind::from_file_name(file)).ok_or_else(|| Error::Orgs {
            message: format!("cannot tell which ODS file {} is from its name", file.display()),
            hint: format!(
                "keep NHS Digital's file names, or say which it is with --kind; {}",
                where_to_get_ods_files()
            ),
        })?;
        if let Some((other, _)) = read.iter().find(|(_, f)| f.kind == file_kind) {
            return Err(Error::Orgs {
                message: format!("{} and {} are both {file_kind} files", other.display(), file.display()),
                hint: "import one file of each kind: a file replaces all the organisations of its kind"
                    .into(),
            });
        }
        let bytes = fs::read(ctx.cwd.join(file)).map_err(|e| Error::io(file, e))?;
        read.push((file, loaded(read_ods(&bytes, file_kind), file)?));
    }

    let cache_path = tx.root.join(CACHE_PATH);
    let old_bytes = match fs::read(&cache_path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(cache_path, e)),
    };
    let before = match &old_bytes {
        Some(bytes) => from_csv(bytes).map_err(|e| Error::OdsFile {
            path: cache_path.clone(),
            line: Some(e.line),
            message: e.message,
            hint: format!(
                "resolve any merge conflict in {CACHE_PATH}, or delete it and import every ODS file again; the files are on {}",
                downloads_page()
            ),
        })?,
        None => OrgIndex::default(),
    };
    let mut cache = before.clone();
    let mut imported = Vec::new();
    for (path, ods) in read {
        let (kind, count) = (ods.kind, ods.orgs.len());
        cache = cache.with_kind_replaced(kind, ods.orgs);
        let changes = cache.changes_since(&before, kind);
        imported.push(ImportedFile { path: path.clone(), kind, count, skipped: ods.skipped, changes });
    }
    let bytes = cache::to_csv(&cache);
    let mut writes = Vec::new();
    if old_bytes.as_deref() != Some(bytes.as_slice()) && !(old_bytes.is_none() && imported.is_empty()) {
        writes.push((CACHE_PATH.to_owned(), bytes));
    }
    let mut successions = None;
    if let Some((path, links, skipped)) = succ {
        tx.require_clean(SUCC_PATH)?;
        let bytes = succ_csv(&links);
        let old = fs::read(tx.root.join(SUCC_PATH)).ok();
        if old.as_deref() != Some(bytes.as_slice()) {
            writes.push((SUCC_PATH.to_owned(), bytes));
        }
        cache = cache.with_successions(links.clone());
        successions = Some((path, links.len(), skipped));
    }
    let committed = if writes.is_empty() {
        None
    } else {
        let mut kinds: Vec<String> = imported
            .iter()
            .map(|f| {
                let c = &f.changes;
                format!("{} ({} added, {} changed, {} removed)", f.kind, c.added, c.changed, c.removed)
            })
            .collect();
        if let Some((_, count, _)) = &successions {
            kinds.push(format!("succ ({count} successor links)"));
        }
        let message = format!("orgs import: {}\n\nCrs-Action: orgs-import\n", kinds.join(", "));
        Some(tx.commit(&writes, &message, None)?)
    };
    Ok(Imported { files: imported, cache, successions, committed, recovered: tx.recovered().cloned() })
}
