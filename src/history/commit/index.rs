//! Step 5 of a write: the written files' index entries brought in line with the
//! commit, stat data and all, into a new index that replaces git's, leaving every
//! other entry as it was.

use std::fs;
use std::path::Path;

use git2::Oid;

use crate::error::{Error, Result};
use crate::history::durable;
use crate::history::faults::Step;
use crate::history::journal::Journal;
use crate::history::lock::take_git_lock;
use crate::history::repo::git_error;

use super::{NEXT_INDEX, Writer, oid};

impl Writer {
    /// Updates the index entries of the journal's files to their new blobs, where
    /// they still hold the old ones. crs takes git's `index.lock` itself (waiting
    /// briefly while another git holds it), with the journal's token in it, writes
    /// the new index beside it in crs's folder and renames it over git's.
    pub(super) fn stage(&self, journal: &Journal) -> Result<()> {
        let git_dir = self.rr.repo.path();
        let lock = git_dir.join("index.lock");
        let token = match journal.lock_token.is_empty() {
            true => Journal::new_lock_token(),
            false => journal.lock_token.clone(),
        };
        take_git_lock(&lock, &self.state_dir, &token, "git's index")?;
        self.faults.after(Step::IndexLock);
        let written = self.write_index(journal, &git_dir.join("index"));
        let _ = fs::remove_file(&lock);
        written
    }

    /// Writes git's index at `index_path` with the journal's files staged, through
    /// a copy in crs's folder (flushed to disk if `core.fsync` says so).
    pub(super) fn write_index(&self, journal: &Journal, index_path: &Path) -> Result<()> {
        let next = self.state_dir.join(NEXT_INDEX);
        let _ = fs::remove_file(&next);
        match fs::copy(index_path, &next) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(index_path, e)),
        }
        let failed = |e: git2::Error| git_error("cannot update the index", &e);
        let mut index = git2::Index::open(&next).map_err(failed)?;
        for file in &journal.files {
            let path = Path::new(&file.repo_path);
            let staged = index.get_path(path, 0).map(|e| e.id.to_string());
            match &file.new_staged {
                _ if staged != file.old_staged => {}
                Some(id) => {
                    let entry = match self.stat_entry(&file.repo_path, id) {
                        Some(entry) => entry,
                        None => index_entry(&file.repo_path, oid(id)?),
                    };
                    index.add(&entry).map_err(failed)?;
                }
                None => index.remove_path(path).map_err(failed)?,
            }
        }
        index.write().map_err(failed)?;
        if self.durability.index {
            durable::sync_file(&next)?;
        }
        fs::rename(&next, index_path).map_err(|e| Error::io(index_path, e))?;
        if self.durability.index {
            durable::sync_folder(index_path.parent().unwrap_or(Path::new(".")))?;
        }
        Ok(())
    }

    /// The index entry of the working file at `repo_path` whose blob is `id`, with
    /// the file's stat data as git records it (so `git status` need not hash it
    /// again); `None` when the file cannot be read.
    pub(super) fn stat_entry(&self, repo_path: &str, id: &str) -> Option<git2::IndexEntry> {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::symlink_metadata(self.rr.workdir.join(repo_path)).ok()?;
        let time = |secs: i64, nanos: i64| git2::IndexTime::new(secs as i32, nanos as u32);
        let executable = meta.mode() & 0o111 != 0;
        Some(git2::IndexEntry {
            ctime: time(meta.ctime(), meta.ctime_nsec()),
            mtime: time(meta.mtime(), meta.mtime_nsec()),
            dev: meta.dev() as u32,
            ino: meta.ino() as u32,
            mode: if executable { 0o100755 } else { 0o100644 },
            uid: meta.uid(),
            gid: meta.gid(),
            file_size: meta.size() as u32,
            id: Oid::from_str(id).ok()?,
            flags: (repo_path.len().min(0xfff)) as u16,
            flags_extended: 0,
            path: repo_path.as_bytes().to_vec(),
        })
    }
}

/// An index entry for a blob, as a tree needs it (no work-tree stat data).
pub(super) fn index_entry(path: &str, id: Oid) -> git2::IndexEntry {
    git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: 0,
        id,
        flags: (path.len().min(0xfff)) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use git2::Oid;

    use super::index_entry;

    #[test]
    fn an_entry_is_a_plain_file_of_the_blob_with_its_path_length() {
        let id = Oid::from_str("ce013625030ba8dba906f756967f9e9ca394464a").unwrap();
        let entry = index_entry("RJ1/maternity.toml", id);
        assert_eq!((entry.mode, entry.id, entry.flags), (0o100644, id, 18));
        assert_eq!(entry.path, b"RJ1/maternity.toml");
        assert_eq!(
            index_entry(&"a".repeat(5000), id).flags,
            0xfff,
            "a long path's length is capped as git caps it"
        );
    }
}
