//! Whether git tracks a file: crs writes exports, board papers and submission
//! bundles only where they replace nothing a repository holds (a README, a
//! `.gitignore`, a CI workflow, a record). Reads the index of the repository around
//! the file, which need not be the register's; writes nothing.

use std::path::Path;

use git2::Repository;

/// True when `path` is a file in the index of the git repository around it (at any
/// stage, so a file mid-merge counts). A path outside any repository, or one that
/// cannot be read, is not tracked.
pub(crate) fn tracked_by_git(path: &Path) -> bool {
    let Some(name) = path.file_name() else { return false };
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(folder) = folder.canonicalize() else { return false };
    let Ok(repo) = Repository::discover(&folder) else { return false };
    let Some(top) = repo.workdir().and_then(|w| w.canonicalize().ok()) else { return false };
    let Ok(below) = folder.strip_prefix(&top) else { return false };
    let parts: Vec<String> =
        below.join(name).components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    let repo_path = parts.join("/");
    let Ok(index) = repo.index() else { return false };
    (0..=3).any(|stage| index.get_path(Path::new(&repo_path), stage).is_some())
}
