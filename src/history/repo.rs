//! Opening the git repository that holds a register, where the register sits in it,
//! storing a file's content as `git add` would, and naming git failures in words a
//! commissioning analyst can act on.

use std::io::Write;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

use crate::error::{Error, Result};

/// A register's repository and where the register sits inside it.
pub struct RegisterRepo {
    pub repo: Repository,
    /// The register root relative to the work tree, `/`-separated; empty at the top.
    pub prefix: String,
}

/// Sets libgit2 up for crs, once: objects are not re-hashed on every read (git itself
/// does not; with SHA-1 collision detection it made reading history 4 times slower).
pub fn tune_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| git2::opts::strict_hash_verification(false));
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
    let workdir = repo
        .workdir()
        .ok_or_else(|| Error::git("the repository is bare", "run crs in a clone with a work tree"))?;
    let prefix = relative(workdir, root)?;
    Ok(RegisterRepo { repo, prefix })
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
    writer
        .write_all(bytes)
        .map_err(|e| Error::git(format!("cannot store {repo_path}: {e}"), "is the disk full?"))?;
    writer.commit().map_err(|e| failed(&e))
}

/// Where the register at `root` sits in its git repository's work tree
/// (`registers/crs`; empty at the top); `None` outside git.
pub fn prefix_of(root: &Path) -> Option<String> {
    let repo = Repository::discover(root).ok()?;
    relative(repo.workdir()?, root).ok()
}

/// The repository path of `register_path` in a register at `prefix`.
pub fn path_below(prefix: &str, register_path: &str) -> String {
    if prefix.is_empty() { register_path.to_owned() } else { format!("{prefix}/{register_path}") }
}

/// A git2 error as a crs error, with advice where the cause is plain.
pub fn git_error(what: &str, e: &git2::Error) -> Error {
    let message = e.message();
    let hint = if message.contains("No space left") {
        Some("free some disk space and run the command again".to_owned())
    } else if e.code() == git2::ErrorCode::Locked {
        Some("another git process is using the repository; wait for it and run the command again".to_owned())
    } else {
        None
    };
    Error::Git { message: format!("{what}: {message}"), hint }
}

/// Makes `dir` a git repository on branch `main`, unless it is inside one already.
/// Returns true when a repository was created.
pub fn init_if_needed(dir: &Path) -> Result<bool> {
    if Repository::discover(dir).is_ok() {
        return Ok(false);
    }
    let mut options = git2::RepositoryInitOptions::new();
    options.initial_head("main");
    Repository::init_opts(dir, &options)
        .map_err(|e| git_error(&format!("cannot create a git repository in {}", dir.display()), &e))?;
    Ok(true)
}
