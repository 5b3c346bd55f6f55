//! `Writer`: the only way crs changes a repository. It refuses a repository mid-merge
//! or on a detached HEAD, takes the register lock, and commits exactly the files it
//! is given — built from HEAD's tree plus those blobs, with only their index entries
//! updated — so other staged and unstaged work is left exactly as it was.

use std::path::{Path, PathBuf};

use git2::build::TreeUpdateBuilder;
use git2::{ErrorCode, FileMode, Oid, Repository, RepositoryState};

use crate::error::{Error, Result};
use crate::history::identity::Identity;
use crate::history::lock::{RegisterLock, wait_for_index};
use crate::history::repo::{RegisterRepo, blob_as_git_would, git_error, open};
use crate::register::write::write_atomic;

/// A repository opened for one change.
pub struct Writer {
    rr: RegisterRepo,
    root: PathBuf,
    _lock: RegisterLock,
}

/// What a commit made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committed {
    pub id: String,
    pub branch: Option<String>,
    /// Set when the commit was made but git's index could not be brought in line.
    pub index_warning: Option<String>,
}

impl Committed {
    /// The short commit id people quote.
    pub fn short(&self) -> &str {
        &self.id[..self.id.len().min(10)]
    }
}

impl Writer {
    /// Opens the repository holding the register at `root` for a change.
    pub fn open(root: &Path, allow_detached: bool) -> Result<Writer> {
        let rr = open(root)?;
        refuse_unfinished_operation(&rr.repo)?;
        if !allow_detached && rr.repo.head_detached().unwrap_or(false) {
            return Err(Error::git(
                "HEAD is detached, so a commit would belong to no branch",
                "check out the register's branch (git switch main), or pass --allow-detached",
            ));
        }
        if !rr.prefix.is_empty() && rr.repo.is_path_ignored(Path::new(&rr.prefix)).unwrap_or(false) {
            let top = rr.repo.workdir().map(|w| w.display().to_string()).unwrap_or_default();
            return Err(Error::git(
                format!(
                    "the register is in a folder that the repository at {top} ignores, so crs will not commit there"
                ),
                "give the register a repository of its own (git init in its folder), or stop ignoring its folder",
            ));
        }
        let lock = RegisterLock::acquire(rr.repo.path())?;
        Ok(Writer { rr, root: root.to_path_buf(), _lock: lock })
    }

    /// The repository, for resolving who is committing.
    pub fn repo(&self) -> &Repository {
        &self.rr.repo
    }

    /// Refuses when `path` has changes not committed (in the work tree or staged), so
    /// that a crs commit never carries someone's unfinished edit.
    pub fn require_clean(&self, path: &str) -> Result<()> {
        let repo = &self.rr.repo;
        let repo_path = self.rr.repo_path(path);
        let head = head_tree(repo)?.and_then(|t| t.get_path(Path::new(&repo_path)).ok()).map(|e| e.id());
        let full = self.root.join(path);
        // The working file as git would store it: with core.autocrlf, a file checked
        // out with CRLF endings is unchanged. Read whole, so that a file marked
        // assume-unchanged is not taken at its word.
        let working = if full.is_file() {
            let bytes = std::fs::read(&full).map_err(|e| Error::io(&full, e))?;
            Some(blob_as_git_would(repo, &repo_path, &bytes)?)
        } else {
            None
        };
        let staged = repo
            .index()
            .map_err(|e| git_error("cannot read the index", &e))?
            .get_path(Path::new(&repo_path), 0)
            .map(|e| e.id);
        if working != head || staged != head {
            let what =
                if head.is_none() { "is not committed yet" } else { "has changes that are not committed" };
            return Err(Error::git(
                format!("{path} {what}"),
                format!(
                    "commit or discard them first (git diff -- {repo_path}; git commit or git restore), so that crs's commit holds only its own change"
                ),
            ));
        }
        Ok(())
    }

    /// Writes each `(path, contents)` into the register atomically and commits exactly
    /// those files on the current branch. If the commit cannot be made, the files are
    /// put back; once it is made, it stands, and the index is brought in line.
    pub fn commit(
        &self,
        files: &[(String, Vec<u8>)],
        message: &str,
        identity: &Identity,
    ) -> Result<Committed> {
        let repo = &self.rr.repo;
        wait_for_index(repo.path())?;
        let previous: Vec<Option<Vec<u8>>> =
            files.iter().map(|(path, _)| std::fs::read(self.root.join(path)).ok()).collect();
        let written = files.iter().try_for_each(|(path, contents)| {
            let full = self.root.join(path);
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            write_atomic(&full, contents)
        });
        let result = written.and_then(|()| self.create_commit(files, message, identity));
        let id = match result {
            Ok(id) => id,
            Err(error) => return Err(self.restore(files, previous, error)),
        };
        let index_warning = self.stage(files).err().map(|e| {
            format!(
                "committed, but git's index could not be updated ({e}); run git reset -q -- {} to bring it in line",
                files.iter().map(|(p, _)| self.rr.repo_path(p)).collect::<Vec<_>>().join(" ")
            )
        });
        let branch = repo.head().ok().and_then(|h| h.shorthand().map(str::to_owned)).filter(|b| b != "HEAD");
        Ok(Committed { id: id.to_string(), branch, index_warning })
    }

    /// Puts back what `commit` wrote after a failure, and says so if it cannot.
    fn restore(&self, files: &[(String, Vec<u8>)], previous: Vec<Option<Vec<u8>>>, error: Error) -> Error {
        let mut unrestored = Vec::new();
        for ((path, _), old) in files.iter().zip(previous) {
            let full = self.root.join(path);
            let restored = match old {
                Some(bytes) => write_atomic(&full, &bytes),
                None if full.exists() => std::fs::remove_file(&full).map_err(|e| Error::io(&full, e)),
                None => Ok(()),
            };
            if restored.is_err() {
                unrestored.push(self.rr.repo_path(path));
            }
        }
        if unrestored.is_empty() {
            return error;
        }
        Error::git(
            format!(
                "{error}; and {} could not be put back, so it holds the new, uncommitted content",
                unrestored.join(", ")
            ),
            format!(
                "fix the cause (is the disk full?), then undo with git restore -- {}",
                unrestored.join(" ")
            ),
        )
    }

    /// Creates the commit of `files` (already written) on HEAD, touching no index.
    fn create_commit(&self, files: &[(String, Vec<u8>)], message: &str, identity: &Identity) -> Result<Oid> {
        let repo = &self.rr.repo;
        let mut blobs = Vec::with_capacity(files.len());
        for (path, contents) in files {
            let repo_path = self.rr.repo_path(path);
            let id = blob_as_git_would(repo, &repo_path, contents)?;
            blobs.push((repo_path, id));
        }
        let parent = head_commit(repo)?;
        let tree_id = match &parent {
            Some(commit) => {
                let base = commit.tree().map_err(|e| git_error("cannot read HEAD's tree", &e))?;
                let mut update = TreeUpdateBuilder::new();
                for (repo_path, id) in &blobs {
                    update.upsert(repo_path.as_str(), *id, FileMode::Blob);
                }
                update.create_updated(repo, &base).map_err(|e| git_error("cannot build the new tree", &e))?
            }
            // The first commit holds just these files, whatever else is staged.
            None => {
                let mut first = git2::Index::new().map_err(|e| git_error("cannot build a tree", &e))?;
                for (repo_path, id) in &blobs {
                    first
                        .add(&index_entry(repo_path, *id))
                        .map_err(|e| git_error("cannot build a tree", &e))?;
                }
                first.write_tree_to(repo).map_err(|e| git_error("cannot build a tree", &e))?
            }
        };
        let tree = repo.find_tree(tree_id).map_err(|e| git_error("cannot build the new tree", &e))?;
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        repo.commit(
            Some("HEAD"),
            &identity.author.signature()?,
            &identity.committer.signature()?,
            message,
            &tree,
            &parents,
        )
        .map_err(|e| match e.code() {
            ErrorCode::Modified => Error::git(
                "the branch moved while crs was committing",
                "nothing was changed; run the command again",
            ),
            _ => git_error("cannot commit", &e),
        })
    }

    /// Stages exactly `files` in git's index, re-reading it just before so that what
    /// other git commands staged meanwhile is kept; retries while another git process
    /// holds the index.
    fn stage(&self, files: &[(String, Vec<u8>)]) -> Result<()> {
        let repo = &self.rr.repo;
        let started = std::time::Instant::now();
        loop {
            let attempt = (|| -> std::result::Result<(), git2::Error> {
                let mut index = repo.index()?;
                index.read(true)?;
                for (path, _) in files {
                    index.add_path(Path::new(&self.rr.repo_path(path)))?;
                }
                index.write()
            })();
            match attempt {
                Ok(()) => return Ok(()),
                Err(e)
                    if e.code() == ErrorCode::Locked
                        && started.elapsed() < std::time::Duration::from_secs(2) =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(git_error("cannot update the index", &e)),
            }
        }
    }

    /// The id of the commit HEAD points at, if any.
    pub fn head_id(&self) -> Result<Option<String>> {
        Ok(head_commit(&self.rr.repo)?.map(|c| c.id().to_string()))
    }

    /// Whether a tag `name` exists.
    pub fn tag_exists(&self, name: &str) -> bool {
        self.rr.repo.find_reference(&format!("refs/tags/{name}")).is_ok()
    }

    /// Creates an annotated tag `name` on HEAD.
    pub fn tag_head(&self, name: &str, message: &str, identity: &Identity) -> Result<()> {
        let repo = &self.rr.repo;
        let head = head_commit(repo)?
            .ok_or_else(|| Error::git("the repository has no commits", "commit the register first"))?;
        repo.tag(name, head.as_object(), &identity.committer.signature()?, message, false).map_err(|e| {
            match e.code() {
                ErrorCode::Exists => Error::git(
                    format!("tag {name} already exists"),
                    "a submission was already recorded today; see git tag -l 'crs/*'",
                ),
                _ => git_error(&format!("cannot create tag {name}"), &e),
            }
        })?;
        Ok(())
    }
}

/// An index entry for a blob, as a tree needs it (no work-tree stat data).
fn index_entry(path: &str, id: Oid) -> git2::IndexEntry {
    git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: 0,
        id,
        flags: (path.len().min(0xfff)) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

fn head_commit(repo: &Repository) -> Result<Option<git2::Commit<'_>>> {
    match repo.head() {
        Ok(head) => head.peel_to_commit().map(Some).map_err(|e| git_error("cannot read HEAD", &e)),
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(git_error("cannot read HEAD", &e)),
    }
}

fn head_tree(repo: &Repository) -> Result<Option<git2::Tree<'_>>> {
    match head_commit(repo)? {
        Some(commit) => commit.tree().map(Some).map_err(|e| git_error("cannot read HEAD's tree", &e)),
        None => Ok(None),
    }
}

fn refuse_unfinished_operation(repo: &Repository) -> Result<()> {
    let (what, finish) = match repo.state() {
        RepositoryState::Clean => return Ok(()),
        RepositoryState::Merge => ("a merge", "git merge --continue or git merge --abort"),
        RepositoryState::Revert | RepositoryState::RevertSequence => {
            ("a revert", "git revert --continue or git revert --abort")
        }
        RepositoryState::CherryPick | RepositoryState::CherryPickSequence => {
            ("a cherry-pick", "git cherry-pick --continue or git cherry-pick --abort")
        }
        RepositoryState::Bisect => ("a bisect", "git bisect reset"),
        RepositoryState::Rebase | RepositoryState::RebaseInteractive | RepositoryState::RebaseMerge => {
            ("a rebase", "git rebase --continue or git rebase --abort")
        }
        RepositoryState::ApplyMailbox | RepositoryState::ApplyMailboxOrRebase => {
            ("git am", "git am --continue or git am --abort")
        }
    };
    Err(Error::git(
        format!("the repository is in the middle of {what}"),
        format!("finish it first ({finish}), then run the crs command again"),
    ))
}
