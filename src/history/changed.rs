//! Which register files differ from a revision: committed since, staged, changed in
//! the work tree or new and untracked (for `crs check --changed-only`); or between
//! two commits or trees (for an export's baseline, and for `crs log`).

use std::collections::BTreeSet;
use std::path::Path;

use git2::DiffOptions;

use crate::error::{Error, Result};
use crate::history::repo::{git_error, open};

/// Register-relative paths of files that differ between `rev` and the work tree.
pub fn changed_since(root: &Path, rev: &str) -> Result<BTreeSet<String>> {
    with_diff_since(root, rev, false, register_paths)
}

/// How many records differ between `rev` and the work tree: a record moved to
/// another path (crs move) is one record, not one gone and one new.
pub fn records_changed_since(root: &Path, rev: &str) -> Result<usize> {
    with_diff_since(root, rev, true, |diff, prefix| {
        let prefix = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
        let is_record = |path: Option<&Path>| {
            path.is_some_and(|p| {
                p.to_string_lossy()
                    .strip_prefix(&prefix)
                    .is_some_and(|p| p.ends_with(".toml") && p.contains('/') && !p.starts_with('.'))
            })
        };
        diff.deltas().filter(|d| is_record(d.new_file().path()) || is_record(d.old_file().path())).count()
    })
}

/// `read` of the diff between `rev` and the work tree (with the index), renames
/// found when `renames`, and of the register's folder within the repository.
fn with_diff_since<T>(
    root: &Path,
    rev: &str,
    renames: bool,
    read: impl FnOnce(&git2::Diff<'_>, &str) -> T,
) -> Result<T> {
    let rr = open(root)?;
    let repo = &rr.repo;
    let tree = repo.revparse_single(rev).and_then(|o| o.peel_to_tree()).map_err(|e| {
        Error::git(
            format!("'{rev}' is not a revision of this repository ({})", e.message()),
            "give a commit id, a branch (origin/main) or a tag",
        )
    })?;
    let mut options = DiffOptions::new();
    options.include_untracked(true).recurse_untracked_dirs(true);
    if !rr.prefix.is_empty() {
        options.pathspec(format!("{}/", rr.prefix));
    }
    let mut diff = repo
        .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut options))
        .map_err(|e| git_error("cannot compare with the work tree", &e))?;
    if renames {
        let mut find = git2::DiffFindOptions::new();
        find.renames(true).for_untracked(true);
        diff.find_similar(Some(&mut find)).map_err(|e| git_error("cannot follow moved records", &e))?;
    }
    Ok(read(&diff, &rr.prefix))
}

/// Register-relative paths of files that differ between the commits `from` and
/// `to` (`None`: no commit, an empty register). Subtrees with the same id are not
/// descended into, so this costs what changed, not what the register holds.
pub fn changed_between(root: &Path, from: &str, to: Option<&str>) -> Result<BTreeSet<String>> {
    let rr = open(root)?;
    let repo = &rr.repo;
    let tree = |rev: &str| {
        repo.revparse_single(rev)
            .and_then(|o| o.peel_to_tree())
            .map_err(|e| git_error(&format!("cannot read the tree of {rev}"), &e))
    };
    let old = tree(from)?;
    let new = to.map(tree).transpose()?;
    paths_between(repo, &rr.prefix, Some(&old), new.as_ref())
}

/// Register-relative paths of the files that differ between two trees (`None`: an
/// empty tree) of the repository holding a register at `prefix`.
pub fn paths_between(
    repo: &git2::Repository,
    prefix: &str,
    old: Option<&git2::Tree<'_>>,
    new: Option<&git2::Tree<'_>>,
) -> Result<BTreeSet<String>> {
    let mut options = DiffOptions::new();
    if !prefix.is_empty() {
        options.pathspec(format!("{prefix}/"));
    }
    let diff = repo
        .diff_tree_to_tree(old, new, Some(&mut options))
        .map_err(|e| git_error("cannot compare commits", &e))?;
    Ok(register_paths(&diff, prefix))
}

/// The register-relative paths a diff touches.
fn register_paths(diff: &git2::Diff<'_>, prefix: &str) -> BTreeSet<String> {
    let prefix = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
    diff.deltas()
        .flat_map(|d| [d.old_file().path(), d.new_file().path()])
        .flatten()
        .filter_map(|p| p.to_string_lossy().strip_prefix(&prefix).map(str::to_owned))
        .collect()
}
