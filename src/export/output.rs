//! Writing export files safely: into a folder that exists, never over the register's
//! own files (a `.toml` file, anything in `.git` or `.crs`, any file git tracks), through a temp file beside
//! the target that is renamed over it, so a reader never sees half a file and a
//! failed write leaves the old file as it was; a device or a pipe is written into.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::history::tracked::tracked_by_git;
use crate::register::write::write_atomic;

/// Writes `bytes` to `path` atomically, after checking the target is a file in a
/// folder that exists. A device or a pipe already there (`-o /dev/stdout`, a named
/// pipe) is written into, never renamed over: that would replace it with a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    check_target(path)?;
    if fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let written = fs::OpenOptions::new().write(true).open(path).and_then(|mut f| f.write_all(bytes));
        return written.map_err(|e| Error::io(path, e));
    }
    write_atomic(path, bytes)
}

/// Checks that `path` can be written as a file: its folder exists, it is not a folder
/// itself, and it is none of the register's own files. Returns the folder.
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
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
        return Err(Error::export(
            format!(
                "{} is a .toml file: crs.toml and the records are .toml files, and crs writes none",
                path.display()
            ),
            "give a name for what crs writes, e.g. -o crs-2026-11.xlsx, .csv, .json, .yaml or .html",
        ));
    }
    if kept_by_git_or_crs(&parent) {
        return Err(kept_folder(path));
    }
    refuse_tracked(path)?;
    Ok(parent)
}

/// Refuses to write over `path` when git tracks it: an export would replace a file
/// of the repository (a README, a CI workflow) with no word from git.
pub(crate) fn refuse_tracked(path: &Path) -> Result<()> {
    if !tracked_by_git(path) {
        return Ok(());
    }
    Err(Error::export(
        format!("{} is a file git tracks, so crs will not write over it", path.display()),
        "choose another path with -o, outside the repository or one git does not track (e.g. -o crs-2026-11.xlsx, listed in .gitignore)",
    ))
}

/// True when `folder` is, or is inside, a `.git` or `.crs` folder: git's and crs's own.
pub fn kept_by_git_or_crs(folder: &Path) -> bool {
    let full = folder.canonicalize().unwrap_or_else(|_| folder.to_path_buf());
    full.components().any(|c| c.as_os_str() == ".git" || c.as_os_str() == ".crs")
}

fn kept_folder(target: &Path) -> Error {
    Error::export(
        format!(
            "{} is inside a .git or .crs folder, which git and crs keep for themselves",
            target.display()
        ),
        "give a path outside them with -o",
    )
}

/// Makes sure `dir` is a folder to write into: creates it when its own parent exists.
pub fn prepare_folder(dir: &Path) -> Result<()> {
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if kept_by_git_or_crs(dir) || kept_by_git_or_crs(parent) {
        return Err(kept_folder(dir));
    }
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
        let err = write_atomically(&dir.join("crs.toml"), b"x").unwrap_err();
        assert!(err.to_string().contains("crs writes none"), "{err}");
        fs::create_dir_all(dir.join(".git")).unwrap();
        let err = write_atomically(&dir.join(".git/HEAD.csv"), b"x").unwrap_err();
        assert!(err.to_string().contains("keep for themselves"), "{err}");
        assert!(prepare_folder(&dir.join(".git/bundle")).is_err());
        assert!(prepare_folder(&dir.join("a/b")).is_err());
        prepare_folder(&dir.join("a")).unwrap();
        assert!(dir.join("a").is_dir());
        fs::remove_dir_all(dir).unwrap();
    }
}
