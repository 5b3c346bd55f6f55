//! A repository `crs init` makes, made so that a kill at any moment leaves either no
//! repository or one the next `crs init` knows as its own unfinished work.
//!
//! The repository is made whole in a temp folder beside the register's files
//! (`.crs-init.crs-tmp`, its `.git` and config written there by libgit2, locks and
//! all) and marked unfinished; only then is its `.git` moved into place with one
//! rename. The mark stays until the register's first commit is on the branch. A
//! repository marked so whose branch has no commit is what a killed init left: the
//! next `crs init` mends any write of it that its journal names and deletes it, and
//! starts again.

use std::fs;
use std::path::{Path, PathBuf};

use git2::Repository;

use crate::error::{Error, Result};
use crate::history::commit::STATE_DIR;
use crate::history::faults::{Faults, Step};
use crate::history::merge_driver::set_driver_in;
use crate::history::repo::git_error;

/// The temp folder a new repository is made in, in the register's folder.
const MAKING: &str = ".crs-init.crs-tmp";

/// The mark of a repository crs init made whose first commit has not landed, in
/// crs's folder of the git folder.
const UNFINISHED: &str = "init-unfinished";

/// Makes `dir` (which is in no repository) a git repository on branch `main`, marked
/// unfinished, with crs's merge `driver` in its configuration when given (written
/// before the repository is moved into place, so a kill never leaves its lock).
pub(crate) fn create(dir: &Path, faults: &Faults, driver: Option<&str>) -> Result<()> {
    let making = dir.join(MAKING);
    discard_temp(dir);
    let failed = |e: std::io::Error, at: &Path| Error::io(at, e);
    let mut options = git2::RepositoryInitOptions::new();
    options.initial_head("main");
    Repository::init_opts(&making, &options)
        .map_err(|e| git_error(&format!("cannot create a git repository in {}", dir.display()), &e))?;
    if let Some(command) = driver {
        set_driver_in(&making.join(".git").join("config"), command)?;
    }
    let state = making.join(".git").join(STATE_DIR);
    fs::create_dir_all(&state).map_err(|e| failed(e, &state))?;
    fs::write(state.join(UNFINISHED), b"").map_err(|e| failed(e, &state))?;
    let git_dir = dir.join(".git");
    fs::rename(making.join(".git"), &git_dir).map_err(|e| failed(e, &git_dir))?;
    let _ = fs::remove_dir(&making);
    faults.after(Step::Repository);
    Ok(())
}

/// Deletes the temp folder of a repository a killed init was making in `dir`.
pub(crate) fn discard_temp(dir: &Path) {
    let _ = fs::remove_dir_all(dir.join(MAKING));
}

/// The git folder at `dir` if it is a repository crs init made and left unfinished:
/// marked so, its branch without a commit.
pub(crate) fn unfinished(dir: &Path) -> Option<PathBuf> {
    let git_dir = dir.join(".git");
    if !git_dir.join(STATE_DIR).join(UNFINISHED).exists() {
        return None;
    }
    let repo = Repository::open(&git_dir).ok()?;
    let born = repo.head().ok().and_then(|h| h.target()).is_some();
    (!born).then_some(git_dir)
}

/// Notes that the first commit of the repository at `git_dir` landed.
pub(crate) fn mark_finished(git_dir: &Path) {
    let _ = fs::remove_file(git_dir.join(STATE_DIR).join(UNFINISHED));
}
