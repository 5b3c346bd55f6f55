//! Which register files differ from a revision: committed since, staged, changed in
//! the work tree or new and untracked. For `crs check --changed-only`.

use std::collections::BTreeSet;
use std::path::Path;

use git2::DiffOptions;

use crate::error::{Error, Result};
use crate::history::repo::{git_error, open};

/// Register-relative paths of files that differ between `rev` and the work tree.
pub fn changed_since(root: &Path, rev: &str) -> Result<BTreeSet<String>> {
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
    let diff = repo
        .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut options))
        .map_err(|e| git_error("cannot compare with the work tree", &e))?;
    let prefix = if rr.prefix.is_empty() { String::new() } else { format!("{}/", rr.prefix) };
    Ok(diff
        .deltas()
        .filter_map(|d| d.new_file().path().map(|p| p.to_string_lossy().into_owned()))
        .filter_map(|p| p.strip_prefix(&prefix).map(str::to_owned))
        .collect())
}
