//! `WorkTree`: where the register's working tree stands against git — the commit it
//! is on and which of its TOML files differ from that commit — so an export can say
//! which commit its rows come from, and a submission can refuse uncommitted work.
//! Files are compared as git compares them, through the filter driver
//! `.gitattributes` names, if any. Changes nothing a person sees.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use git2::{Repository, Status, StatusOptions};

use crate::error::Result;
use crate::history::config::GitConfig;
use crate::history::filters::CleanFilters;
use crate::history::repo::{git_error, open};

/// The working tree of a register kept in git.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkTree {
    /// The commit HEAD is on; `None` before the first commit.
    pub head: Option<String>,
    /// Register-relative paths (`RJ1/maternity.toml`, `crs.toml`) of TOML files that are
    /// new, changed or deleted against HEAD, staged or not; also files git is told not
    /// to look at (marked assume-unchanged or skip-worktree) whose content differs.
    pub changed: BTreeSet<String>,
}

/// The state of the register's working tree, or `None` when the register is not in a
/// git repository (a plain folder, which export still reads).
/// `vars` is the environment, for git's configuration and the filters it names.
pub fn work_tree(root: &Path, vars: &BTreeMap<String, String>) -> Result<Option<WorkTree>> {
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
    let register_toml = |path: &str| {
        let relative = if rr.prefix.is_empty() {
            Some(path)
        } else {
            path.strip_prefix(rr.prefix.as_str()).and_then(|p| p.strip_prefix('/'))
        };
        relative.filter(|p| p.ends_with(".toml")).map(str::to_owned)
    };
    let branch = repo.head().ok().and_then(|h| h.shorthand().map(str::to_owned));
    let config = GitConfig::read(vars, Some(repo.path()), Some(repo.commondir()), branch.as_deref());
    let drivers = CleanFilters { config: &config, vars, workdir: &rr.workdir };
    let index = repo.index().map_err(|e| git_error("cannot read the index", &e))?;
    let mut changed = BTreeSet::new();
    for entry in statuses.iter() {
        let status = entry.status();
        if status == Status::CURRENT || status.contains(Status::IGNORED) {
            continue;
        }
        let Some(path) = entry.path() else { continue };
        let Some(relative) = register_toml(path) else { continue };
        // libgit2 runs no filter driver: a file that differs only in the working tree
        // and has one is compared as git compares it, through the driver.
        if status == Status::WT_MODIFIED && CleanFilters::applies(repo, path) {
            let staged = index.get_path(Path::new(path), 0).map(|e| e.id);
            let working = match std::fs::read(rr.workdir.join(path)) {
                Ok(bytes) => Some(drivers.store(repo, repo, path, &bytes)?),
                Err(_) => None,
            };
            if working == staged {
                continue;
            }
        }
        changed.insert(relative);
    }
    // Status takes files marked assume-unchanged or skip-worktree at their word: read
    // those few and compare their content.
    let head_tree = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
    for entry in index.iter() {
        if entry.flags & ASSUME_UNCHANGED == 0 && entry.flags_extended & SKIP_WORKTREE == 0 {
            continue;
        }
        let Ok(path) = std::str::from_utf8(&entry.path) else { continue };
        let Some(relative) = register_toml(path) else { continue };
        let committed = head_tree.as_ref().and_then(|t| t.get_path(Path::new(path)).ok()).map(|e| e.id());
        let working = match std::fs::read(root.join(&relative)) {
            Ok(bytes) => Some(drivers.store(repo, repo, path, &bytes)?),
            Err(_) => None,
        };
        if working != committed {
            changed.insert(relative);
        }
    }
    Ok(Some(WorkTree { head, changed }))
}

/// Index entry flags (git's index format): `git update-index --assume-unchanged`,
/// and `--skip-worktree` (also what sparse checkouts set).
const ASSUME_UNCHANGED: u16 = 0x8000;
const SKIP_WORKTREE: u16 = 0x4000;
