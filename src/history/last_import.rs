//! The last import of each record: the newest commit made by `crs import`
//! (`Crs-Action: import`) that wrote the record's file, at its id or at an id it had
//! before a `crs move` (its `previous_ids`, followed as `crs log` follows them), or
//! that kept the register's version of it against the sheet's (`Crs-Import-Kept`);
//! and the same for the ids of records deleted from the register since. A re-import
//! compares each record with it.
//!
//! One walk of history serves the whole register: the message of every commit is
//! read, but trees are compared only for import commits, so the cost is what history
//! and the imports hold, never records times commits. Nothing here parses a record.

use std::collections::HashMap;
use std::path::Path;

use git2::{Odb, Oid, Repository, Tree};

use crate::error::Result;
use crate::history::changed::paths_between;
use crate::history::log::trailer;
use crate::history::repo::{git_error, open};
use crate::history::walk::{History, Walk, WalkAids, Walked, author_day};
use crate::model::id::path_below;
use crate::model::{Date, RecordId};

/// The trailer an import commit names a record with whose register version it kept
/// against the sheet's: `Crs-Import-Kept: RJ1/maternity <SHA-256 of the sheet's>`.
pub const KEPT_TRAILER: &str = "Crs-Import-Kept";

/// The trailer of an import of crs's own export (`Crs-Import-Source: crs-export`):
/// an edit made in crs through its export, not a version of the team's sheet.
pub const SOURCE_TRAILER: &str = "Crs-Import-Source";

/// [`SOURCE_TRAILER`]'s value for crs's own export.
pub const OWN_EXPORT: &str = "crs-export";

/// A record of the register now, and the ids it had before, oldest first, as its
/// `previous_ids` lists them.
pub struct RecordIds {
    pub id: RecordId,
    pub previous: Vec<RecordId>,
}

/// What an import did to a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportedVersion {
    /// It wrote the record's file: this version.
    Written(BlobId),
    /// It kept the register's version; the sheet's had this SHA-256.
    Kept(String),
}

/// A version of a file in git; read it with [`LastImports::text`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlobId(Oid);

/// The last import of one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastImport {
    pub commit: String,
    /// The day of the import commit, in its author's time zone.
    pub day: Date,
    /// The file it imported, as its `Crs-Import-File` trailer names it.
    pub file: Option<String>,
    pub version: ImportedVersion,
}

/// The last import of every record of the register, and of every record id an
/// import wrote that is now neither a record nor an id a record had before.
pub struct LastImports {
    repo: Option<Repository>,
    found: HashMap<RecordId, LastImport>,
}

impl LastImports {
    /// Walks the history of the register at `root` once, for the `records` it holds.
    /// A register with no commit yet has no imports.
    /// `sheets_only`: imports of crs's own export are passed over, as a team's sheet
    /// is weighed against the last version of a sheet.
    pub fn read(root: &Path, records: &[RecordIds], sheets_only: bool) -> Result<LastImports> {
        let rr = open(root)?;
        let Some(head) = rr.repo.head().ok().and_then(|h| h.peel_to_commit().ok()).map(|c| c.id()) else {
            return Ok(LastImports { repo: None, found: HashMap::new() });
        };
        let odb = rr.repo.odb().map_err(|e| git_error("cannot read the object database", &e))?;
        let aids = WalkAids::of(&rr.repo);
        let history = aids.history(&odb);
        let finder = Finder::new(&rr.repo, &rr.prefix, records, sheets_only);
        let find =
            |history: History<'_, '_>| Walk::new(history, head).and_then(|walk| finder.find(&odb, walk));
        let found = match find(history) {
            // A graph that does not match the objects is no graph, as git has it.
            Err(_) if history.graph.is_some() => find(History { graph: None, ..history }),
            found => found,
        }?;
        drop(odb);
        Ok(LastImports { repo: Some(rr.repo), found })
    }

    /// The last import of the record `id` (a record of the register, or an id whose
    /// record was deleted since).
    pub fn of(&self, id: &RecordId) -> Option<&LastImport> {
        self.found.get(id)
    }

    /// The text of a version an import wrote.
    pub fn text(&self, blob: BlobId) -> Result<String> {
        let Some(repo) = &self.repo else { return Ok(String::new()) };
        let blob =
            repo.find_blob(blob.0).map_err(|e| git_error("cannot read a record's earlier version", &e))?;
        Ok(String::from_utf8_lossy(blob.content()).into_owned())
    }
}

/// A record id path of the register claimed by a record: at `at` of its paths (0: its
/// id now; then the ids it had before, newest first).
#[derive(Clone, Copy)]
struct Claim {
    record: usize,
    at: usize,
}

struct Finder<'r> {
    repo: &'r Repository,
    prefix: &'r str,
    /// Each record's ids, its own first, then those it had before, newest first.
    ids: Vec<Vec<RecordId>>,
    /// Record id → the records that had it.
    claims: HashMap<RecordId, Vec<Claim>>,
    /// Imports of crs's own export are passed over.
    sheets_only: bool,
}

impl<'r> Finder<'r> {
    fn new(repo: &'r Repository, prefix: &'r str, records: &[RecordIds], sheets_only: bool) -> Finder<'r> {
        let mut ids = Vec::with_capacity(records.len());
        let mut claims: HashMap<RecordId, Vec<Claim>> = HashMap::with_capacity(records.len());
        for (record, r) in records.iter().enumerate() {
            let paths: Vec<RecordId> =
                std::iter::once(&r.id).chain(r.previous.iter().rev()).cloned().collect();
            for (at, id) in paths.iter().enumerate() {
                claims.entry(id.clone()).or_default().push(Claim { record, at });
            }
            ids.push(paths);
        }
        Finder { repo, prefix, ids, claims, sheets_only }
    }

    /// Walks history newest first; each record's last import is the first met.
    fn find(&self, odb: &Odb<'_>, walk: Walk<'_, '_>) -> Result<HashMap<RecordId, LastImport>> {
        let mut found: HashMap<RecordId, LastImport> = HashMap::new();
        for walked in walk {
            let walked = walked?;
            let object = odb.read(walked.commit).map_err(|e| git_error("cannot read a commit", &e))?;
            let (header, message) = split_commit(object.data());
            if trailer(&message, "Crs-Action").as_deref() != Some("import")
                || (self.sheets_only && trailer(&message, SOURCE_TRAILER).as_deref() == Some(OWN_EXPORT))
            {
                continue;
            }
            let tree = self.tree(walked.tree)?;
            let mut folders = Folders::new(self.repo, self.prefix, &tree);
            let import = |version| LastImport {
                commit: walked.commit.to_string(),
                day: author_day(&header),
                file: trailer(&message, "Crs-Import-File"),
                version,
            };
            for (id, digest) in kept(&message) {
                for owner in self.owners(&id, &mut folders) {
                    found.entry(owner).or_insert_with(|| import(ImportedVersion::Kept(digest.clone())));
                }
            }
            for (id, blob) in self.written(&walked, &tree, &mut folders)? {
                for owner in self.owners(&id, &mut folders) {
                    found.entry(owner).or_insert_with(|| import(ImportedVersion::Written(BlobId(blob))));
                }
            }
        }
        Ok(found)
    }

    fn tree(&self, id: Oid) -> Result<Tree<'r>> {
        self.repo.find_tree(id).map_err(|e| git_error("cannot read a tree", &e))
    }

    /// The record files the commit wrote (against its first parent), with their
    /// versions; files it deleted are not among them.
    fn written(
        &self,
        walked: &Walked,
        tree: &Tree<'_>,
        folders: &mut Folders<'r, '_>,
    ) -> Result<Vec<(RecordId, Oid)>> {
        let parent = walked.parents.first().map(|(_, tree)| self.tree(*tree)).transpose()?;
        let paths = paths_between(self.repo, self.prefix, parent.as_ref(), Some(tree))?;
        let mut out = Vec::new();
        for path in paths {
            let Some(id) = path.strip_suffix(".toml").and_then(|id| id.parse::<RecordId>().ok()) else {
                continue;
            };
            if let Some(blob) = folders.blob_of(&id) {
                out.push((id, blob));
            }
        }
        Ok(out)
    }

    /// Whose the file of `id` was in `tree`, by the record ids now: a record that
    /// had the id before a move, if it was not yet at a later id of its own then (as
    /// `crs log` finds a record at the first of its ids a tree holds); else the
    /// record with that id now; else none, and the id stands for a record deleted
    /// since.
    fn owners(&self, id: &RecordId, folders: &mut Folders<'r, '_>) -> Vec<RecordId> {
        let claims = self.claims.get(id).map_or(&[][..], Vec::as_slice);
        let mut moved = Vec::new();
        for claim in claims.iter().filter(|c| c.at > 0) {
            let later = &self.ids[claim.record][..claim.at];
            if later.iter().all(|later| folders.blob_of(later).is_none()) {
                moved.push(self.ids[claim.record][0].clone());
            }
        }
        if !moved.is_empty() {
            return moved;
        }
        claims
            .iter()
            .find(|c| c.at == 0)
            .map_or_else(|| vec![id.clone()], |c| vec![self.ids[c.record][0].clone()])
    }
}

/// The provider folders of one commit's tree, each read once: a folder of thousands
/// of records is one large tree object, which git does not keep parsed between
/// look-ups, so finding each record's file by its whole path would read the folder
/// again for every record.
struct Folders<'r, 't> {
    repo: &'r Repository,
    prefix: &'r str,
    tree: &'t Tree<'r>,
    read: HashMap<String, Option<Tree<'r>>>,
}

impl<'r, 't> Folders<'r, 't> {
    fn new(repo: &'r Repository, prefix: &'r str, tree: &'t Tree<'r>) -> Folders<'r, 't> {
        Folders { repo, prefix, tree, read: HashMap::new() }
    }

    /// The version of the file of `id` in the tree, if it holds one.
    fn blob_of(&mut self, id: &RecordId) -> Option<Oid> {
        let (repo, prefix, tree) = (self.repo, self.prefix, self.tree);
        let folder = self.read.entry(id.provider().to_owned()).or_insert_with(|| {
            let path = path_below(prefix, id.provider());
            tree.get_path(Path::new(&path)).ok()?.to_object(repo).ok()?.into_tree().ok()
        });
        let entry = folder.as_ref()?.get_name(&format!("{}.toml", id.slug()))?;
        Some(entry.id())
    }
}

/// A raw commit's header lines and its message.
fn split_commit(data: &[u8]) -> (String, String) {
    let text = String::from_utf8_lossy(data);
    match text.split_once("\n\n") {
        Some((header, message)) => (header.to_owned(), message.to_owned()),
        None => (text.into_owned(), String::new()),
    }
}

/// The records an import commit kept as the register had them, with the SHA-256 of
/// the sheet's version of each.
fn kept(message: &str) -> Vec<(RecordId, String)> {
    message
        .lines()
        .filter_map(|line| line.strip_prefix(KEPT_TRAILER)?.strip_prefix(':'))
        .filter_map(|rest| {
            let (id, digest) = rest.trim().split_once(' ')?;
            Some((id.parse().ok()?, digest.trim().to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_records_are_read_from_their_trailers() {
        let message = "import a.csv: 0 new\n\nCrs-Action: import\nCrs-Import-Kept: RJ1/maternity abc\nCrs-Import-Kept: bad id\n";
        assert_eq!(kept(message), [("RJ1/maternity".parse().unwrap(), "abc".to_owned())]);
    }
}
