//! Writing export files safely: into a folder that exists, through a temp file beside
//! the target that is renamed over it, so a reader never sees half a file and a
//! failed write leaves the old file as it was.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::register::write::write_atomic;

/// Writes `bytes` to `path` atomically, after checking the target is a file in a
/// folder that exists.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    check_target(path)?;
    write_atomic(path, bytes)
}

/// Checks that `path` can be written as a file: its folder exists and it is not a
/// folder itself. Returns the folder.
pub fn check_target(path: &Path) -> Result<PathBuf> {
    if path.is_dir() {
        return Err(Error::export(
            format!("{} is a folder", path.display()),
            "give the file to write, e.g. -o crs-2026-11.xlsx",
        ));
    }
    if path.file_name().is_none() {
        return Err(Error::export(
            format!("{} does not name a file", path.display()),
            "give the file to write, e.g. -o crs-2026-11.xlsx",
        ));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(missing_folder(&parent));
    }
    Ok(parent)
}

/// Makes sure `dir` is a folder to write into: creates it when its own parent exists.
pub fn prepare_folder(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if dir.exists() {
        return Err(Error::export(
            format!("{} exists and is not a folder", dir.display()),
            "give a folder for the submission bundle with -o DIR",
        ));
    }
    match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() && !parent.is_dir() => Err(missing_folder(parent)),
        _ => fs::create_dir(dir).map_err(|e| Error::io(dir, e)),
    }
}

fn missing_folder(folder: &Path) -> Error {
    Error::export(
        format!("cannot write there: the folder {} does not exist", folder.display()),
        "create the folder first, or give another path with -o",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "crs-output-test-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn writes_replaces_and_leaves_no_temp_file() {
        let dir = temp_dir();
        let file = dir.join("out.csv");
        write_atomically(&file, b"one").unwrap();
        write_atomically(&file, b"two").unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"two");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refuses_a_missing_folder_and_a_folder_as_file() {
        let dir = temp_dir();
        let err = write_atomically(&dir.join("nope/out.csv"), b"x").unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
        let err = write_atomically(&dir, b"x").unwrap_err();
        assert!(err.to_string().contains("is a folder"), "{err}");
        assert!(prepare_folder(&dir.join("a/b")).is_err());
        prepare_folder(&dir.join("a")).unwrap();
        assert!(dir.join("a").is_dir());
        fs::remove_dir_all(dir).unwrap();
    }
}
