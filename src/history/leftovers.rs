//! What a killed crs can leave outside its journal, and its cleaning by the next
//! write (under crs's lock): libgit2's half-written objects in `objects/`
//! (`tmp_object_git2_*`), and the folders `crs edit` keeps its working copy in
//! (`edit-*` in crs's folder). Only leftovers are removed, never what a live process
//! is writing: an object's temp file only once it is old (libgit2 writes one in a
//! moment), an edit folder only when no crs edit holds its lock.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::{Error, Result};

/// How old a temp object must be to be a leftover: libgit2 writes one, then renames
/// it, within moments.
const TEMP_OBJECT_AGE: Duration = Duration::from_secs(15 * 60);

/// What the temp objects of libgit2 are called.
const TEMP_OBJECT_PREFIX: &str = "tmp_object_git2_";

/// What the folders of `crs edit` are called, in crs's folder.
const EDIT_PREFIX: &str = "edit-";

/// The file in an edit folder that its `crs edit` holds locked while it runs.
const EDIT_HELD: &str = "held";

/// Deletes libgit2's temp objects in `objects` older than a live write's.
pub(crate) fn remove_temp_objects(objects: &Path) {
    let Ok(entries) = fs::read_dir(objects) else { return };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|made| now.duration_since(made).is_ok_and(|age| age > TEMP_OBJECT_AGE));
        if old && entry.file_name().to_string_lossy().starts_with(TEMP_OBJECT_PREFIX) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Deletes the edit folders in `state_dir` whose `crs edit` is gone.
pub(crate) fn remove_abandoned_edit_folders(state_dir: &Path) {
    let Ok(entries) = fs::read_dir(state_dir) else { return };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(EDIT_PREFIX) || !entry.path().is_dir() {
            continue;
        }
        let held = OpenOptions::new().write(true).open(entry.path().join(EDIT_HELD));
        let free = match &held {
            Ok(file) => !matches!(file.try_lock(), Err(TryLockError::WouldBlock)),
            // A folder with no lock file: its crs edit was killed while making it.
            Err(_) => true,
        };
        if free {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// A folder of `crs edit`'s in crs's folder, locked while it lives and deleted when
/// it is dropped; a killed `crs edit` leaves it for the next write to delete.
#[derive(Debug)]
pub struct EditFolder {
    path: PathBuf,
    _held: File,
}

impl EditFolder {
    /// Makes a new edit folder in crs's folder of the repository holding the
    /// register at `root`.
    pub fn for_register(root: &Path) -> Result<EditFolder> {
        let rr = crate::history::repo::open(root)?;
        EditFolder::create(&rr.repo.path().join(crate::history::commit::STATE_DIR))
    }

    /// Makes a new edit folder in `state_dir`, crs's folder in the git folder.
    pub fn create(state_dir: &Path) -> Result<EditFolder> {
        fs::create_dir_all(state_dir).map_err(|e| Error::io(state_dir, e))?;
        let dir = tempfile::Builder::new()
            .prefix(EDIT_PREFIX)
            .tempdir_in(state_dir)
            .map_err(|e| Error::io(state_dir, e))?
            .keep();
        let held_path = dir.join(EDIT_HELD);
        let held = File::create(&held_path).and_then(|f| f.lock().map(|()| f));
        match held {
            Ok(held) => Ok(EditFolder { path: dir, _held: held }),
            Err(e) => {
                let _ = fs::remove_dir_all(&dir);
                Err(Error::io(&held_path, e))
            }
        }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for EditFolder {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_folder_in_use_stays_and_an_abandoned_one_goes() {
        let state = tempfile::tempdir().unwrap();
        let live = EditFolder::create(state.path()).unwrap();
        let abandoned = state.path().join("edit-abandoned");
        fs::create_dir_all(&abandoned).unwrap();
        fs::write(abandoned.join(EDIT_HELD), "").unwrap();
        remove_abandoned_edit_folders(state.path());
        assert!(live.path().exists());
        assert!(!abandoned.exists());
        let path = live.path().to_path_buf();
        drop(live);
        assert!(!path.exists());
    }

    #[test]
    fn only_old_temp_objects_go() {
        let objects = tempfile::tempdir().unwrap();
        let old = objects.path().join("tmp_object_git2_old");
        let new = objects.path().join("tmp_object_git2_new");
        let other = objects.path().join("info");
        for path in [&old, &new, &other] {
            fs::write(path, "x").unwrap();
        }
        let long_ago = SystemTime::now() - Duration::from_secs(3600);
        for path in [&old, &other] {
            File::options().write(true).open(path).unwrap().set_modified(long_ago).unwrap();
        }
        remove_temp_objects(objects.path());
        assert!(!old.exists());
        assert!(new.exists() && other.exists());
    }
}
