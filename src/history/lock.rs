//! `RegisterLock`: one crs change at a time per repository. Two commands started at
//! once would otherwise both read a record, and the second write would lose the
//! first; with the lock the second waits briefly, then fails cleanly.
//!
//! The lock is an advisory lock the operating system holds on `crs/lock` in the git
//! folder: it is released when the process ends, however it ends, so a killed crs
//! never leaves a stale lock behind. git's own lock files (`index.lock`,
//! `refs/heads/main.lock`) do outlive a killed git; `wait_for_index` and
//! [`leftover_lock`] name them and say when they are safe to delete.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How long a command waits for another crs command to finish.
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(25);

/// Held while a change is made; the operating system releases it when the file is
/// closed, on drop or when the process dies.
#[derive(Debug)]
pub struct RegisterLock {
    _file: File,
}

impl RegisterLock {
    /// Takes the lock in `state_dir` (crs's folder in the git folder), waiting up to
    /// a few seconds for another crs command to finish.
    pub fn acquire(state_dir: &Path) -> Result<RegisterLock> {
        fs::create_dir_all(state_dir).map_err(|e| Error::io(state_dir, e))?;
        let path = state_dir.join("lock");
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(RegisterLock { _file: file }),
                Err(TryLockError::WouldBlock) if started.elapsed() < WAIT => thread::sleep(POLL),
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::Busy {
                        message: "another crs command is changing this register".into(),
                        hint: "wait for it to finish and run the command again; the lock goes by itself when that command ends"
                            .into(),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
        }
    }
}

/// Waits briefly for git's own index lock to go; explains if it stays.
pub fn wait_for_index(git_dir: &Path) -> Result<()> {
    let index_lock = git_dir.join("index.lock");
    let started = Instant::now();
    while index_lock.exists() {
        if started.elapsed() > Duration::from_secs(2) {
            return Err(leftover_lock(&index_lock, "git's index"));
        }
        thread::sleep(POLL);
    }
    Ok(())
}

/// Takes git's lock file `lock` as git takes it, with `token` in it from the moment
/// it exists (a file made in `scratch`, linked into place), so that a crs killed
/// while holding it can later prove it its own. Waits briefly for another git.
pub fn take_git_lock(lock: &Path, scratch: &Path, token: &str, what: &str) -> Result<()> {
    let made = scratch.join("git-lock.crs-tmp");
    fs::write(&made, token).map_err(|e| Error::io(&made, e))?;
    let started = Instant::now();
    let taken = loop {
        match fs::hard_link(&made, lock) {
            Ok(()) => break Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if started.elapsed() > Duration::from_secs(2) {
                    break Err(leftover_lock(lock, what));
                }
                thread::sleep(POLL);
            }
            // A file system without links: made empty, then filled.
            Err(_) => {
                break OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(lock)
                    .and_then(|mut f| std::io::Write::write_all(&mut f, token.as_bytes()))
                    .map_err(|e| match e.kind() {
                        std::io::ErrorKind::AlreadyExists => leftover_lock(lock, what),
                        _ => Error::io(lock, e),
                    });
            }
        }
    };
    let _ = fs::remove_file(&made);
    taken
}

/// The error for a lock file of git's that stays: which file, whom to look for, and
/// when deleting it is safe.
pub fn leftover_lock(lock: &Path, what: &str) -> Error {
    Error::Busy {
        message: format!("{what} is locked by another git process ({} exists)", lock.display()),
        hint: format!(
            "wait for that git command to finish and run crs again; if no git is running (ps -C git lists none: a git that was killed leaves its lock behind), delete {} and run crs again",
            lock.display()
        ),
    }
}

/// The lock file git keeps while it changes `reference` (`refs/heads/main`).
pub fn reference_lock(git_dir: &Path, reference: &str) -> PathBuf {
    git_dir.join(format!("{reference}.lock"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_waits_then_gets_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = RegisterLock::acquire(dir.path()).unwrap();
        let path = dir.path().to_path_buf();
        let waiter = thread::spawn(move || RegisterLock::acquire(&path).map(|_| ()));
        thread::sleep(Duration::from_millis(100));
        drop(first);
        waiter.join().unwrap().unwrap();
    }

    #[test]
    fn a_lock_file_left_behind_does_not_block() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("lock"), "12345\n").unwrap();
        RegisterLock::acquire(dir.path()).unwrap();
    }
}
