//! `WorkTree`: where the register's working tree stands against git — the commit it
//! is on and which of its TOML files differ from that commit — so an export can say
//! which commit its rows come from, and a submission can refuse uncommitted work.
//! Reads only.

use std::collections::BTreeSet;
use std::path::Path;

use git2::{Repository, Status, StatusOptions};

use crate::error::Result;
use crate::history::repo::{git_error, open};

/// The working tree of a register kept in git.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkTree {
    /// The commit HEAD is on; `None` before the first commit.
    pub head: Option<String>,
    /// Register-relative paths (`RJ1/maternity.toml`, `crs.toml`) of TOML files that are
    /// new, changed or deleted against HEAD, staged or not.
    pub changed: BTreeSet<String>,
}

/// The state of the register's working tree, or `None` when the register is not in a
/// git repository (a plain folder, which export still reads).
pub fn work_tree(root: &Path) -> Result<Option<WorkTree>> {
    if Repository::discover(root).is_err() {
        return Ok(None);
    }
    let rr = open(root)?;
    let repo = &rr.repo;
    let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok()).map(|c| c.id().to_string());
    let mut options = StatusOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .exclude_submodules(true);
    if !rr.prefix.is_empty() {
        options.pathspec(format!("{}/", rr.prefix));
    }
    let statuses = repo
        .statuses(Some(&mut options))
        .map_err(|e| git_error("cannot read the working tree's status", &e))?;
    let mut changed = BTreeSet::new();
    for entry in statuses.iter() {
        if entry.status() == Status::CURRENT || entry.status().contains(Status::IGNORED) {
            continue;
        }
        let Some(path) = entry.path() else { continue };
        let relative = if rr.prefix.is_empty() {
            Some(path)
        } else {
            path.strip_prefix(rr.prefix.as_str()).and_then(|p| p.strip_prefix('/'))
        };
        if let Some(relative) = relative.filter(|p| p.ends_with(".toml")) {
            changed.insert(relative.to_owned());
        }
    }
    Ok(Some(WorkTree { head, changed }))
}
