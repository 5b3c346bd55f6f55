//! Opening the git repository that holds a register, where the register sits in it,
//! storing a file's content as `git add` would, and naming git failures in words a
//! commissioning analyst can act on.

use std::io::Write;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

use crate::error::{Error, Result};
use crate::model::id::path_below;

/// A register's repository and where the register sits inside it.
pub struct RegisterRepo {
    pub repo: Repository,
    /// The work tree's top folder.
    pub workdir: PathBuf,
    /// The register root relative to the work tree, `/`-separated; empty at the top.
    pub prefix: String,
}

/// Sets libgit2 up for crs, once:
/// - objects are not re-hashed on every read (git itself does not; with SHA-1
///   collision detection it made reading history 4 times slower);
/// - a tree or index entry is made without libgit2 looking up the object it names
///   again: a write reads back every object it stored before its branch moves
///   (`history::commit`), and the second look-up, through packs of deltas, was a
///   tenth of a 100,000-record import.
pub fn tune_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
        git2::opts::strict_object_creation(false);
    });
}

/// Opens the repository that contains `root`.
pub fn open(root: &Path) -> Result<RegisterRepo> {
    tune_libgit2();
    let repo = Repository::discover(root).map_err(|e| {
        Error::git(
            format!("{} is not inside a git repository ({})", root.display(), e.message()),
            "crs keeps the register's history in git: run crs init --adopt in the register's folder to make it a git repository with everything committed, or run git init there and commit the register (git add -A, then git commit)",
        )
    })?;
    let workdir = work_tree_top(&repo, root)?;
    let prefix = relative(&workdir, root)?;
    Ok(RegisterRepo { repo, workdir, prefix })
}

/// The top of the work tree holding `root`. Where `.git` is a file naming a git folder
/// elsewhere (`git init --separate-git-dir`, submodules), libgit2 may take the git
/// folder's parent for the work tree; git takes the folder holding that file, and so
/// does crs, unless `core.worktree` says otherwise.
fn work_tree_top(repo: &Repository, root: &Path) -> Result<PathBuf> {
    let reported = repo
        .workdir()
        .ok_or_else(|| Error::git("the repository is bare", "run crs in a clone with a work tree"))?
        .to_path_buf();
    let configured = repo.config().ok().and_then(|c| c.get_path("core.worktree").ok());
    if configured.is_some() {
        return Ok(reported);
    }
    let gitlink = root.ancestors().find(|dir| dir.join(".git").exists());
    match gitlink {
        Some(top) if top.join(".git").is_file() => {
            repo.set_workdir(top, false).map_err(|e| git_error("cannot use the work tree", &e))?;
            Ok(top.to_path_buf())
        }
        _ => Ok(reported),
    }
}

fn relative(workdir: &Path, root: &Path) -> Result<String> {
    let canon = |p: &Path| p.canonicalize().map_err(|e| Error::io(p, e));
    let (workdir, root) = (canon(workdir)?, canon(root)?);
    let rel: PathBuf = root
        .strip_prefix(&workdir)
        .map_err(|_| {
            Error::git(
                "the register is outside the repository's work tree",
                "run crs from inside the repository",
            )
        })?
        .to_path_buf();
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    Ok(parts.join("/"))
}

impl RegisterRepo {
    /// The repository path of a register-relative path.
    pub fn repo_path(&self, register_path: &str) -> String {
        path_below(&self.prefix, register_path)
    }
}

/// Stores `bytes` as the blob of the file at `repo_path`, as `git add` would: through
/// git's filters, so that line endings are converted as `core.autocrlf` and
/// `.gitattributes` say (Git for Windows checks text out with CRLF and stores LF).
/// Content that git has already is not stored again.
pub fn blob_as_git_would(repo: &Repository, repo_path: &str, bytes: &[u8]) -> Result<Oid> {
    let failed = |e: &git2::Error| git_error(&format!("cannot store {repo_path}"), e);
    let mut writer = repo.blob_writer(Some(Path::new(repo_path))).map_err(|e| failed(&e))?;
    writer.write_all(bytes).map_err(|e| storage_error(repo_path, &e.to_string()))?;
    writer.commit().map_err(|e| storage_error(repo_path, e.message()))
}

/// Where the register at `root` sits in its git repository's work tree
/// (`registers/crs`; empty at the top); `None` outside git.
pub fn prefix_of(root: &Path) -> Option<String> {
    let repo = Repository::discover(root).ok()?;
    relative(repo.workdir()?, root).ok()
}

/// Storing `what` in git failed (on a full disk, most often); nothing was changed.
pub fn storage_error(what: &str, detail: &str) -> Error {
    unreadable_index(what, detail)
        .unwrap_or_else(|| Error::Storage { what: what.to_owned(), detail: detail.trim().to_owned() })
}

/// An index that git keeps in a form libgit2 cannot read (split or sparse), said
/// with what to do about it.
fn unreadable_index(what: &str, message: &str) -> Option<Error> {
    message.contains("unsupported mandatory extension").then(|| {
        Error::git(
            format!("{what}: git's index is split or sparse, which crs cannot read ({message})"),
            "turn the split or sparse index off with git update-index --no-split-index (and git sparse-checkout disable, if you use one), then run crs again; nothing was changed",
        )
    })
}

/// A git2 error as a crs error, with advice where the cause is plain.
pub fn git_error(what: &str, e: &git2::Error) -> Error {
    let message = e.message();
    if message.contains("No space left") {
        return storage_error(what, message);
    }
    if let Some(error) = unreadable_index(what, message) {
        return error;
    }
    let hint = if e.code() == git2::ErrorCode::Locked {
        Some("another git process is using the repository; wait for it and run the command again".to_owned())
    } else {
        None
    };
    Error::Git { message: format!("{what}: {message}"), hint }
}

/// Makes `dir` a git repository on branch `main`, unless it is inside one already
/// (see [`crate::history::new_repo`]), with crs's merge `driver` set in a new one.
/// Returns true when a repository was created.
pub fn init_if_needed(
    dir: &Path,
    faults: &crate::history::faults::Faults,
    driver: Option<&str>,
) -> Result<bool> {
    if Repository::discover(dir).is_ok() {
        return Ok(false);
    }
    crate::history::new_repo::create(dir, faults, driver)?;
    Ok(true)
}
