//! The merge driver of a clone: `merge.crs.driver` (and its name) in the
//! repository's own git configuration, which git cannot carry in the repository
//! itself, read as git reads it and written where `git config --local` writes it.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Result;
use crate::history::config::GitConfig;
use crate::history::repo::{git_error, open};

/// The configuration key of the command git runs to merge a record.
pub const DRIVER_KEY: &str = "merge.crs.driver";

/// The configuration key of the driver's name, shown by git.
const NAME_KEY: &str = "merge.crs.name";

/// The driver's name, as `git config merge.crs.name` shows it.
const NAME: &str = "crs: records merged field by field";

/// The command git runs to merge a record in the repository holding `root`, as git
/// reads its configuration; `None` when there is none.
pub fn configured_driver(root: &Path, vars: &BTreeMap<String, String>) -> Result<Option<String>> {
    let rr = open(root)?;
    let config = GitConfig::read(vars, Some(rr.repo.path()), Some(rr.repo.commondir()), None);
    Ok(config.string(DRIVER_KEY).map(str::to_owned))
}

/// Whether the repository holding `root` has a remote: a clone shared with others,
/// whose changes it merges.
pub fn has_remote(root: &Path) -> Result<bool> {
    let rr = open(root)?;
    let remotes = rr.repo.remotes().map_err(|e| git_error("cannot read the repository's remotes", &e))?;
    Ok(!remotes.is_empty())
}

/// Sets the merge driver's command to `command` in the repository's own
/// configuration (shared by its linked worktrees).
pub fn set_driver(root: &Path, command: &str) -> Result<()> {
    let rr = open(root)?;
    set_driver_in(&rr.repo.commondir().join("config"), command)
}

/// Sets the driver in the git configuration file at `path` (a repository's own,
/// as `crs init` makes it, before the repository is moved into place).
pub(crate) fn set_driver_in(path: &Path, command: &str) -> Result<()> {
    let mut config = git2::Config::open(path)
        .map_err(|e| git_error("cannot open the repository's git configuration", &e))?;
    let failed = |e: git2::Error| git_error("cannot write the repository's git configuration", &e);
    config.set_str(NAME_KEY, NAME).map_err(failed)?;
    config.set_str(DRIVER_KEY, command).map_err(failed)
}
