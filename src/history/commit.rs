//! `Writer`: the only way crs changes a repository. It refuses a repository mid-merge
//! or on a detached HEAD, takes the register lock, and commits exactly the files it
//! is given — built from HEAD's tree plus those blobs, with only their index entries
//! updated — so other staged and unstaged work is left exactly as it was.

use std::path::{Path, PathBuf};

use git2::build::TreeUpdateBuilder;
use git2::{ErrorCode, FileMode, ObjectType, Oid, Repository, RepositoryState};

use crate::error::{Error, Result};
use crate::history::identity::Identity;
use crate::history::lock::{RegisterLock, wait_for_index};
use crate::history::repo::{RegisterRepo, git_error, open};
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
        let lock = RegisterLock::acquire(rr.repo.path())?;
        Ok(Writer { rr, root: root.to_path_buf(), _lock: lock })
    }

    /// The repository, for resolving who is committing.
    pub fn repo(&self) -> &Repository {
        &self.rr.repo
    }

    /// The committed content of a register file at HEAD, if any.
    pub fn head_content(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let repo = &self.rr.repo;
        let Some(tree) = head_tree(repo)? else { return Ok(None) };
        let Ok(entry) = tree.get_path(Path::new(&self.rr.repo_path(path))) else { return Ok(None) };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        let blob = repo.find_blob(entry.id()).map_err(|e| git_error("cannot read a file from HEAD", &e))?;
        Ok(Some(blob.content().to_vec()))
    }

    /// Refuses when `path` has changes not committed (in the work tree or staged), so
    /// that a crs commit never carries someone's unfinished edit.
    pub fn require_clean(&self, path: &str) -> Result<()> {
        let repo = &self.rr.repo;
        let repo_path = self.rr.repo_path(path);
        let head = head_tree(repo)?.and_then(|t| t.get_path(Path::new(&repo_path)).ok()).map(|e| e.id());
        let full = self.root.join(path);
        let working = if full.is_file() {
            Some(
                Oid::hash_file(ObjectType::Blob, &full)
                    .map_err(|e| git_error("cannot read the record", &e))?,
            )
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
    /// those files on the current branch. If the commit fails, the files are put back.
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
        for (path, contents) in files {
            let full = self.root.join(path);
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            write_atomic(&full, contents)?;
        }
        let result = self.commit_written(files, message, identity);
        if result.is_err() {
            for ((path, _), old) in files.iter().zip(previous) {
                let full = self.root.join(path);
                let _ = match old {
                    Some(bytes) => write_atomic(&full, &bytes),
                    None => std::fs::remove_file(&full).map_err(|e| Error::io(&full, e)),
                };
            }
        }
        result
    }

    fn commit_written(
        &self,
        files: &[(String, Vec<u8>)],
        message: &str,
        identity: &Identity,
    ) -> Result<Committed> {
        let repo = &self.rr.repo;
        let mut index = repo.index().map_err(|e| git_error("cannot read the index", &e))?;
        let mut update = TreeUpdateBuilder::new();
        for (path, _) in files {
            let repo_path = self.rr.repo_path(path);
            index
                .add_path(Path::new(&repo_path))
                .map_err(|e| git_error(&format!("cannot stage {path}"), &e))?;
            let entry = index.get_path(Path::new(&repo_path), 0).ok_or_else(|| {
                Error::git(format!("{path} did not reach the index"), "run the command again")
            })?;
            update.upsert(repo_path.as_str(), entry.id, FileMode::Blob);
        }
        let parent = head_commit(repo)?;
        let tree_id = match &parent {
            Some(commit) => {
                let base = commit.tree().map_err(|e| git_error("cannot read HEAD's tree", &e))?;
                update.create_updated(repo, &base).map_err(|e| git_error("cannot build the new tree", &e))?
            }
            // The first commit holds just these files, whatever else is staged.
            None => {
                let mut first = git2::Index::new().map_err(|e| git_error("cannot build a tree", &e))?;
                for (path, _) in files {
                    let repo_path = self.rr.repo_path(path);
                    let entry = index.get_path(Path::new(&repo_path), 0).expect("staged above");
                    first.add(&entry).map_err(|e| git_error("cannot build a tree", &e))?;
                }
                first.write_tree_to(repo).map_err(|e| git_error("cannot build a tree", &e))?
            }
        };
        let tree = repo.find_tree(tree_id).map_err(|e| git_error("cannot build the new tree", &e))?;
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let id = repo
            .commit(
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
            })?;
        index.write().map_err(|e| {
            Error::git(
                format!("committed {id}, but the index could not be updated: {}", e.message()),
                "run git status; git reset -- <file> brings the index in line with the commit",
            )
        })?;
        let branch = repo.head().ok().and_then(|h| h.shorthand().map(str::to_owned)).filter(|b| b != "HEAD");
        Ok(Committed { id: id.to_string(), branch })
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
