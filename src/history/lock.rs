//! `RegisterLock`: one crs change at a time per repository. Two commands started at
//! once would otherwise both read a record, and the second write would lose the
//! first; with the lock the second waits briefly, then fails cleanly.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How long a command waits for another crs command to finish.
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(25);

/// Held while a change is made; removed when dropped.
#[derive(Debug)]
pub struct RegisterLock {
    path: PathBuf,
}

impl RegisterLock {
    /// Takes `crs.lock` in the repository's git folder, waiting up to a few seconds.
    pub fn acquire(git_dir: &Path) -> Result<RegisterLock> {
        let path = git_dir.join("crs.lock");
        let started = Instant::now();
        loop {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    let _ = writeln!(file, "{}", std::process::id());
                    return Ok(RegisterLock { path });
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists && started.elapsed() < WAIT => {
                    thread::sleep(POLL)
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    return Err(Error::git(
                        "another crs command is changing this register",
                        format!(
                            "run the command again in a moment; if no crs command is running, delete {}",
                            path.display()
                        ),
                    ));
                }
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
    }
}

impl Drop for RegisterLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Waits briefly for git's own index lock to go; explains if it stays.
pub fn wait_for_index(git_dir: &Path) -> Result<()> {
    let index_lock = git_dir.join("index.lock");
    let started = Instant::now();
    while index_lock.exists() {
        if started.elapsed() > Duration::from_secs(2) {
            return Err(Error::git(
                "another git process is using the repository (index.lock exists)",
                format!(
                    "wait for it to finish and run the command again; if no git process is running, delete {}",
                    index_lock.display()
                ),
            ));
        }
        thread::sleep(POLL);
    }
    Ok(())
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
        assert!(!dir.path().join("crs.lock").exists());
    }
}
