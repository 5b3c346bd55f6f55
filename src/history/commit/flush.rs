//! Step 5 of a write, its second half: what the write made (objects, packs,
//! references and their logs) flushed to disk as `core.fsync` asks.

use std::path::Path;

use git2::Oid;

use crate::error::Result;
use crate::history::durable;
use crate::history::journal::Journal;
use crate::history::repo::git_error;

use super::{Writer, oid};

impl Writer {
    /// Flushes to disk, as `core.fsync` asks, the loose objects a write made: its
    /// commit, tag, trees and blobs, and their folders. Packs are flushed as they
    /// are written.
    pub(super) fn flush_objects(&self, journal: &Journal) -> Result<()> {
        if !self.durability.loose_objects || journal.new_commit.is_empty() {
            return Ok(());
        }
        let repo = &self.rr.repo;
        let commit = repo
            .find_commit(oid(&journal.new_commit)?)
            .map_err(|e| git_error("cannot read the commit", &e))?;
        let tree = commit.tree().map_err(|e| git_error("cannot read the commit's tree", &e))?;
        let mut ids = vec![commit.id(), tree.id()];
        ids.extend(journal.tag.as_ref().and_then(|t| Oid::from_str(&t.object).ok()));
        for file in &journal.files {
            for id in [&file.old, &file.new, &file.new_staged].into_iter().flatten() {
                ids.push(oid(id)?);
            }
            let mut dir = Path::new(&file.repo_path).parent();
            while let Some(folder) = dir.filter(|d| !d.as_os_str().is_empty()) {
                ids.extend(tree.get_path(folder).ok().map(|e| e.id()));
                dir = folder.parent();
            }
        }
        ids.sort();
        ids.dedup();
        let objects = repo.commondir().join("objects");
        let mut flushed = Vec::new();
        let mut folders = std::collections::BTreeSet::new();
        for id in ids {
            let hex = id.to_string();
            let folder = objects.join(&hex[..2]);
            let loose = folder.join(&hex[2..]);
            if loose.exists() {
                flushed.push(loose);
                folders.insert(folder);
            }
        }
        if !folders.is_empty() {
            folders.insert(objects);
        }
        flushed.extend(folders);
        durable::sync_all(&flushed)
    }

    /// Flushes to disk, as `core.fsync` asks, the references a write moved or made.
    pub(super) fn flush_references(&self, journal: &Journal) -> Result<()> {
        if !self.durability.references {
            return Ok(());
        }
        let common = self.rr.repo.commondir();
        let mut names: Vec<String> = journal.branch.iter().cloned().collect();
        names.extend(journal.tag.as_ref().map(|t| format!("refs/tags/{}", t.name)));
        let mut flushed = Vec::new();
        for name in names {
            let loose = common.join(&name);
            let file = if loose.exists() { loose } else { common.join("packed-refs") };
            if file.exists() {
                flushed.push(file.parent().unwrap_or(common).to_path_buf());
                flushed.push(file);
            }
        }
        durable::sync_all(&flushed)
    }
}
