//! Writing a file so that it is either wholly the old content or wholly the new:
//! a temp file, flushed to disk, then renamed over the target. Writes into a
//! register keep their temp files in git's folder, where no `git add -A` sees them;
//! other writes (and a git folder on another disk) put them beside the target.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Replaces (or creates) `path` with `contents`, atomically. The folder must exist.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    write_atomic_via(path, contents, None, Flush::Each)
}

/// Whether a write waits for its bytes to reach the disk before the rename.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flush {
    /// Each file is flushed: a change of one record, a journal.
    Each,
    /// Not flushed one by one: a write of many files (an import), which, like a git
    /// checkout, leaves it to the filesystem; its journal is flushed.
    Batch,
}

/// As [`write_atomic`], with the temp file in `temp_dir` when it is on the same disk
/// as `path` (a rename cannot cross disks; then the temp file goes beside `path`).
pub fn write_atomic_via(path: &Path, contents: &[u8], temp_dir: Option<&Path>, flush: Flush) -> Result<()> {
    let beside = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match temp_dir.map(|dir| write_via(dir, &name, path, contents, flush)) {
        Some(Err(e)) if e.kind() == std::io::ErrorKind::CrossesDevices => {}
        Some(result) => return result.map_err(|e| Error::io(path, e)),
        None => {}
    }
    write_via(beside, &name, path, contents, flush).map_err(|e| Error::io(path, e))
}

/// As [`write_atomic`], the contents written to the temp file by `write` as they
/// are made (a journal of many files is never held whole in memory), and flushed.
pub fn write_atomic_streamed(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<&File>) -> std::io::Result<()>,
) -> Result<()> {
    let beside = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    write_streamed_via(beside, &name, path, Flush::Each, |file| {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        write(&mut out)?;
        out.flush()
    })
    .map_err(|e| Error::io(path, e))
}

fn write_via(dir: &Path, name: &str, path: &Path, contents: &[u8], flush: Flush) -> std::io::Result<()> {
    write_streamed_via(dir, name, path, flush, |mut file| file.write_all(contents))
}

fn write_streamed_via(
    dir: &Path,
    name: &str,
    path: &Path,
    flush: Flush,
    write: impl FnOnce(&File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let (temp, file) = create_temp(dir, name)?;
    let result = (|| {
        write(&file)?;
        if flush == Flush::Each {
            file.sync_all()?;
        }
        if let Ok(meta) = fs::metadata(path) {
            fs::set_permissions(&temp, meta.permissions())?;
        }
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// A new temporary file beside the target, never one that exists already (nor a
/// link someone left in its place).
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    for attempt in 0..100 {
        let temp = dir.join(format!(".{name}.{pid}-{attempt}.crs-tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("could not create a temporary file"))
}

/// Deletes the temp files a killed writer left in `dir`; only while holding the
/// register lock, so none of them belongs to a write still running.
pub fn remove_leftover_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        // A temp file, or the lock git's library takes on one (the index the hooks
        // see), left by a crs that was killed while writing it.
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".crs-tmp") || name.ends_with(".crs-tmp.lock") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftover_temps_and_their_locks_go_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.toml.crs-tmp", "next-index.crs-tmp.lock", "lock", "journal.json"] {
            fs::write(dir.path().join(name), b"x").unwrap();
        }
        remove_leftover_temps(dir.path());
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["journal.json", "lock"]);
    }

    #[test]
    fn replaces_content_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn missing_folder_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomic(&dir.path().join("no/such/a.toml"), b"x").unwrap_err();
        assert!(err.to_string().contains("a.toml"), "{err}");
    }
}
