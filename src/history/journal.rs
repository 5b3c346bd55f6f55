//! `Journal`: what a write in progress is about to do, kept in git's folder until the
//! write is whole. A crs killed at any moment leaves it behind; the next crs write
//! reads it and either finishes the change (the branch moved: the commit stands) or
//! undoes it (the branch did not move: nothing was committed), so the repository is
//! never left between the two.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::atomic::write_atomic_streamed;
use crate::error::{Error, Result};

/// The file name of the journal in crs's folder of the git folder.
const JOURNAL_FILE: &str = "journal.json";

/// One write, as planned before the working tree is touched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    /// The commit's subject line, to say which change was interrupted.
    pub subject: String,
    /// The branch the commit goes on (`refs/heads/main`); `None` on a detached HEAD.
    pub branch: Option<String>,
    /// The commit the branch pointed at before; `None` for the first commit.
    pub old_head: Option<String>,
    /// The commit made, already in the object database.
    pub new_commit: String,
    pub files: Vec<JournalFile>,
    /// An annotated tag to point at the commit before the branch moves.
    pub tag: Option<JournalTag>,
    /// What the lock files crs itself makes (git's `index.lock`) hold, so that after
    /// a kill the next write can tell its own from another git's.
    #[serde(default)]
    pub lock_token: String,
}

/// A file the write changes. Contents are named by blob ids in git's object
/// database: `old` and `new` are the exact bytes of the working file (as written,
/// line endings and all), `old_staged` and `new_staged` what git stores for them;
/// `None` where there is no file (before it is made, after it is deleted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalFile {
    /// The path in the repository (`registers/crs/RJ1/maternity.toml`).
    pub repo_path: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub old_staged: Option<String>,
    pub new_staged: Option<String>,
}

/// A tag object already stored, whose reference is made once the branch moved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalTag {
    pub name: String,
    pub object: String,
}

impl Journal {
    /// Where the journal of the repository with crs folder `state_dir` is kept.
    pub fn path(state_dir: &Path) -> PathBuf {
        state_dir.join(JOURNAL_FILE)
    }

    /// Stores the journal durably (flushed to disk, then renamed into place).
    pub fn save(&self, state_dir: &Path) -> Result<()> {
        // Written as it is made: the journal of a write of many files is large.
        write_atomic_streamed(&Journal::path(state_dir), |out| {
            serde_json::to_writer_pretty(out, self).map_err(std::io::Error::other)
        })
    }

    /// The journal left by an unfinished write, if any.
    pub fn load(state_dir: &Path) -> Result<Option<Journal>> {
        let path = Journal::path(state_dir);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        // The journal is written whole by a rename, so a half one cannot exist; one
        // that does not read was not written by this crs, and is set aside.
        match serde_json::from_slice(&bytes) {
            Ok(journal) => Ok(Some(journal)),
            Err(e) => Err(Error::Journal { path: path.clone(), message: format!("cannot read it: {e}") }),
        }
    }

    /// A token no other write holds: the process and the moment.
    pub fn new_lock_token() -> String {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        format!("crs {} {nanos}\n", std::process::id())
    }

    /// Deletes the journal: the write is whole.
    pub fn remove(state_dir: &Path) -> Result<()> {
        let path = Journal::path(state_dir);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(&path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_journal_loads_back_and_goes_when_removed() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Journal::load(dir.path()).unwrap(), None);
        let journal = Journal {
            subject: "event RJ1/maternity: providers-notified".into(),
            branch: Some("refs/heads/main".into()),
            old_head: None,
            new_commit: "0".repeat(40),
            files: vec![JournalFile {
                repo_path: "RJ1/maternity.toml".into(),
                old: None,
                new: Some("1".repeat(40)),
                old_staged: None,
                new_staged: Some("1".repeat(40)),
            }],
            tag: None,
            lock_token: "crs 1 2".into(),
        };
        journal.save(dir.path()).unwrap();
        assert_eq!(Journal::load(dir.path()).unwrap(), Some(journal));
        Journal::remove(dir.path()).unwrap();
        assert_eq!(Journal::load(dir.path()).unwrap(), None);
    }
}
