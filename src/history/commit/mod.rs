//! `Writer`: the only way crs changes a repository, one crash-safe write at a time.
//!
//! Opening refuses a repository mid-merge or on a detached HEAD, takes the register
//! lock, reads git's configuration as git reads it, and first mends any write a
//! killed crs left unfinished. A write then goes in an order that a kill at any
//! moment cannot leave half done:
//!
//! 1. every object (blobs, tree, commit — signed when `commit.gpgSign` says so —
//!    and tag, signed when `tag.gpgSign` does) is stored and read back, so a full
//!    disk or a signing failure stops the write here, before anything a person sees
//!    has changed. A write of many files (a [`LargeWrite`]) stores each blob as it
//!    is given, in packs made in crs's folder, and moves them into git's here;
//! 2. a journal of the write is saved in git's folder;
//! 3. the working files are written (each atomically, temp files in git's folder);
//! 4. the tag, if any, is made (a tag git holds locked, or one that exists, stops
//!    the write here, and the undo takes a tag it made away); then, HEAD locked as
//!    git locks it, the branch is moved from the commit it was on to the new one,
//!    and read back. libgit2 writes each reference's new value into its lock before
//!    renaming it, and crs writes its token into the HEAD and index locks it takes,
//!    so a lock a killed crs left is provably its own;
//! 5. the files' index entries are updated, and what was written is flushed to disk
//!    as `core.fsync` asks; 6. the journal is deleted; 7. the `post-commit` hook runs
//!    (its failure is ignored, as git ignores it).
//!
//! When the repository has a `pre-commit`, `prepare-commit-msg` or `commit-msg`
//! hook (and `--no-verify` does not skip the first and last), the commit cannot be
//! made before they have run: they see the working files, and `commit-msg` may edit
//! the message. Step 1 then stores only the blobs and the tree, the journal of step
//! 2 names no commit yet, and after step 3 the hooks run as `git commit --only
//! FILE…` runs them: in the work tree, with `GIT_INDEX_FILE` naming a temporary
//! index that holds exactly the commit being made (HEAD's tree with crs's files),
//! the message in `COMMIT_EDITMSG`. Then the commit (and tag) is stored, read back
//! and written into the journal, and step 4 follows; the commit holds that index as
//! the hooks left it, so a `pre-commit` hook's staged fix is committed (and staged),
//! and so is a file outside the write that a hook staged (a stamp file) — staged
//! where the index held HEAD's version, as plain `git commit` leaves it. A file the
//! hooks left other than crs wrote it is first judged by the caller's review (crs's
//! checker, for a record): one it refuses stops the write like a failing hook.
//! A hook that fails, like any failure before step 4, puts the files back through
//! the same undo.
//!
//! A failure before the branch moves (step 4) puts the files back; after it,
//! the commit stands. A kill anywhere leaves the journal, from which the next write
//! finishes the change (the branch moved) or undoes it (it did not, or no commit was
//! made yet). Only the given files and their index entries are touched, so other
//! staged and unstaged work is left exactly as it was; a lock file of git's is
//! deleted only when it is provably the killed crs's own (see [`Writer::recover`]),
//! and recovery never rewrites a file whose content HEAD holds.

mod branch;
mod files;
mod flush;
mod hook_run;
mod index;
mod objects;
mod packs;
mod recovery;
mod tag;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{ErrorCode, Oid, Repository, RepositoryState};

use crate::atomic::remove_leftover_temps;
use crate::error::{Error, Result};
use crate::history::config::GitConfig;
use crate::history::durable::Durability;
use crate::history::faults::{Faults, Step};
use crate::history::hooks::Hooks;
use crate::history::identity::{self, Identity};
use crate::history::journal::Journal;
use crate::history::large_write::{LargeWrite, StoredFile};
use crate::history::lock::{RegisterLock, wait_for_index};
use crate::history::repo::{RegisterRepo, git_error, open, storage_error};
use crate::history::{leftovers, new_repo};

use files::{read_plain, refuse_links};
use objects::raw_id;

pub(crate) use packs::{remove_staged_packs, stage_pack_in};

/// Writes of more files than this are not flushed file by file (see [`Flush`]), and
/// their objects are written as packs.
const FLUSH_EACH_UP_TO: usize = 16;

/// The compressed bytes a pack holds, in a write of many files, before it is
/// written and the next begun.
const PACK_BYTES: usize = 8 << 20;

/// crs's folder inside the git folder: its lock, its journal and its temp files.
pub(crate) const STATE_DIR: &str = "crs";

/// The folder in crs's folder where a write's packs are made before they join git's.
const PACK_STAGING: &str = "packs";

/// The temporary index the hooks see, in crs's folder.
const HOOK_INDEX: &str = "next-index.crs-tmp";

/// The index being written, in crs's folder, before it replaces git's.
const NEXT_INDEX: &str = "index.crs-tmp";

/// A repository opened for one change.
pub struct Writer {
    rr: RegisterRepo,
    root: PathBuf,
    state_dir: PathBuf,
    faults: Faults,
    recovered: Option<Recovered>,
    config: GitConfig,
    /// What a write flushes to disk (`core.fsync`).
    durability: Durability,
    hooks: Hooks,
    verify: bool,
    vars: BTreeMap<String, String>,
    /// Whether git could change any file's bytes on the way in (line endings, an
    /// attributes file that applies everywhere); see [`Writer::may_filter`].
    filters: std::cell::OnceCell<bool>,
    /// HEAD's tree when the write began.
    head_tree: std::cell::OnceCell<Option<Oid>>,
    /// Folders of the work tree known to hold a `.gitattributes` that could change a
    /// file's bytes on the way in, or not.
    attribute_folders: std::cell::RefCell<std::collections::HashMap<PathBuf, bool>>,
    _lock: RegisterLock,
}

/// How a [`Writer`] is opened: the flags of the command and its environment.
#[derive(Clone, Copy, Debug)]
pub struct WriterSetup<'a> {
    /// Commit even on a detached HEAD.
    pub allow_detached: bool,
    /// Run the `pre-commit` and `commit-msg` hooks (false with `--no-verify`).
    pub verify: bool,
    /// The environment, from the context.
    pub vars: &'a BTreeMap<String, String>,
}

/// The blobs and tree of a write, stored; its commit not yet made.
struct Plan {
    journal: Journal,
    tree: Oid,
    parent: Option<Oid>,
}

/// What a commit made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committed {
    pub id: String,
    pub branch: Option<String>,
    /// Set when the commit was made but git's index could not be brought in line yet.
    pub index_warning: Option<String>,
    /// What the repository's hooks printed, for the cli to show on stderr.
    pub hook_output: String,
}

impl Committed {
    /// The short commit id people quote.
    pub fn short(&self) -> &str {
        short(&self.id)
    }
}

fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}

/// A write that an earlier crs left unfinished, and what opening did about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovered {
    /// The interrupted commit's subject, e.g. `event RJ1/maternity: …`.
    pub subject: String,
    /// True when the commit had been made and the write was finished; false when it
    /// had not, and the files were put back.
    pub finished: bool,
    /// The commit, when finished.
    pub commit: String,
    /// The tag made to finish it, if any.
    pub tag: Option<String>,
    /// Files left as they were because someone changed them after the kill.
    pub left_alone: Vec<String>,
    /// Files left as they were because HEAD holds them so: someone committed them.
    pub committed_since: Vec<String>,
    /// git lock files the killed crs had made, deleted to finish or undo its write.
    pub removed_locks: Vec<String>,
}

/// What bringing an interrupted write's files to one side left as they were.
#[derive(Default)]
struct Settled {
    /// Files someone changed after the kill.
    left_alone: Vec<String>,
    /// Files HEAD holds as they are: someone committed them.
    committed_since: Vec<String>,
}

/// Which side of an interrupted write its files are brought to.
#[derive(Clone, Copy)]
enum Settle {
    Before,
    After,
}

/// One file a write replaces: its register-relative path and its new bytes.
pub type FileWrite = (String, Vec<u8>);

/// A file of a write, as the write is given it.
struct Incoming<'a> {
    /// Register-relative.
    path: &'a str,
    contents: Contents<'a>,
}

/// A file's new content: its bytes, or the blobs a [`LargeWrite`] stored for them.
#[derive(Clone, Copy)]
enum Contents<'a> {
    Bytes(&'a [u8]),
    Stored { new: Oid, staged: Oid },
}

/// Judges a file the hooks left in the commit other than crs wrote it: its
/// register-relative path, what crs wrote (`None` when crs did not write it) and
/// what the hooks staged (`None`: deleted). Returns why it may not be committed.
pub type Review<'r> = &'r dyn Fn(&str, Option<&[u8]>, Option<&[u8]>) -> Result<Option<String>>;

impl Writer {
    /// Opens the repository holding the register at `root` for a change, and mends
    /// what an interrupted crs left.
    pub fn open(root: &Path, setup: WriterSetup<'_>, faults: Faults) -> Result<Writer> {
        let rr = open(root)?;
        refuse_unfinished_operation(&rr.repo)?;
        if !setup.allow_detached && rr.repo.head_detached().unwrap_or(false) {
            return Err(Error::git(
                "HEAD is detached, so a commit would belong to no branch",
                "check out the register's branch (git switch main), or pass --allow-detached",
            ));
        }
        if !rr.prefix.is_empty() && rr.repo.is_path_ignored(Path::new(&rr.prefix)).unwrap_or(false) {
            let top = rr.workdir.display().to_string();
            return Err(Error::git(
                format!(
                    "the register is in a folder that the repository at {top} ignores, so crs will not commit there"
                ),
                "give the register a repository of its own (git init in its folder), or stop ignoring its folder",
            ));
        }
        let state_dir = rr.repo.path().join(STATE_DIR);
        let lock = RegisterLock::acquire(&state_dir)?;
        remove_leftover_temps(&state_dir);
        leftovers::remove_temp_objects(&rr.repo.commondir().join("objects"));
        leftovers::remove_abandoned_edit_folders(&state_dir);
        remove_staged_packs(&state_dir.join(PACK_STAGING), &rr.repo.commondir().join("objects/pack"));
        if rr.repo.head().ok().and_then(|h| h.target()).is_some() {
            new_repo::mark_finished(rr.repo.path());
        }
        let branch = head_branch(&rr.repo)?;
        let short_branch = branch.as_deref().map(|b| b.strip_prefix("refs/heads/").unwrap_or(b));
        let config =
            GitConfig::read(setup.vars, Some(rr.repo.path()), Some(rr.repo.commondir()), short_branch);
        let hooks = Hooks::new(&config, rr.repo.commondir(), &rr.workdir, setup.vars);
        let mut writer = Writer {
            rr,
            root: root.to_path_buf(),
            state_dir,
            faults,
            recovered: None,
            durability: Durability::from_config(&config),
            config,
            hooks,
            verify: setup.verify,
            vars: setup.vars.clone(),
            filters: std::cell::OnceCell::new(),
            head_tree: std::cell::OnceCell::new(),
            attribute_folders: Default::default(),
            _lock: lock,
        };
        writer.recovered = writer.recover()?;
        Ok(writer)
    }

    /// Whether the repository around `dir` (or its nearest folder that exists) holds
    /// the journal of a write a killed crs left.
    pub fn interrupted_write_near(dir: &Path) -> Option<PathBuf> {
        let existing = dir.ancestors().find(|a| a.is_dir())?;
        let repo = Repository::discover(existing).ok()?;
        Journal::path(&repo.path().join(STATE_DIR)).exists().then(|| existing.to_path_buf())
    }

    /// The write an earlier, interrupted crs left, finished or undone on opening.
    pub fn recovered(&self) -> Option<&Recovered> {
        self.recovered.as_ref()
    }

    /// Who is making the change: author and committer as git would record them.
    pub fn identity(&self, author: Option<&str>, now: chrono::DateTime<chrono::Utc>) -> Result<Identity> {
        identity::resolve(&self.config, &self.vars, author, now)
    }

    /// Refuses when `path` has changes not committed (in the work tree or staged), so
    /// that a crs commit never carries someone's unfinished edit.
    pub fn require_clean(&self, path: &str) -> Result<()> {
        self.require_all_clean(&[path])
    }

    /// [`Writer::require_clean`] for each of `paths`, reading HEAD's tree and the
    /// index once for all of them.
    pub fn require_all_clean(&self, paths: &[&str]) -> Result<()> {
        let repo = &self.rr.repo;
        let tree = self.head_tree()?;
        let index = repo.index().map_err(|e| git_error("cannot read the index", &e))?;
        for path in paths {
            let repo_path = self.rr.repo_path(path);
            let head = tree.as_ref().and_then(|t| t.get_path(Path::new(&repo_path)).ok()).map(|e| e.id());
            let full = self.root.join(path);
            // The working file as git would store it: with core.autocrlf, a file checked
            // out with CRLF endings is unchanged. Read whole, so that a file marked
            // assume-unchanged is not taken at its word.
            let working = match read_plain(&full)? {
                // Most files need no filter: their plain hash is HEAD's, and nothing is stored.
                Some(bytes) if head == Some(raw_id(&bytes)) => head,
                Some(bytes) => Some(
                    self.blob_as_git_would(repo, &repo_path, &bytes).map_err(|e| self.explain_storage(e))?,
                ),
                None => None,
            };
            let staged = index.get_path(Path::new(&repo_path), 0).map(|e| e.id);
            if working != head || staged != head {
                let what = if head.is_none() {
                    "is not committed yet"
                } else {
                    "has changes that are not committed"
                };
                return Err(Error::git(
                    format!("{path} {what}"),
                    format!(
                        "commit or discard them first (git diff -- {repo_path}; git commit or git restore), so that crs's commit holds only its own change"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Writes each file into the register and commits exactly those files on the
    /// current branch, with `tag` (name, message) on the commit if given. Crash-safe
    /// in the order the module notes give; `Ok` means the commit is stored and the
    /// branch points at it.
    pub fn commit(
        &self,
        files: &[FileWrite],
        message: &str,
        identity: &Identity,
        tag: Option<(&str, &str)>,
    ) -> Result<Committed> {
        self.commit_reviewed(files, &[], message, identity, tag, &|_, _, _| Ok(None))
    }

    /// As [`Writer::commit`], also deleting the files at `removed` (register-relative
    /// paths) in the same commit (how a record moves), with each file the hooks left
    /// other than crs wrote it judged by `review` before the commit is made: a reason
    /// it gives stops the write (the files put back, nothing committed).
    pub fn commit_reviewed(
        &self,
        files: &[FileWrite],
        removed: &[String],
        message: &str,
        identity: &Identity,
        tag: Option<(&str, &str)>,
        review: Review<'_>,
    ) -> Result<Committed> {
        let incoming: Vec<Incoming<'_>> =
            files.iter().map(|(path, bytes)| Incoming { path, contents: Contents::Bytes(bytes) }).collect();
        self.commit_incoming(&incoming, removed, message, identity, tag, review, None)
    }

    /// Begins a write of many files, each stored as it is given to
    /// [`Writer::add_to`]; [`Writer::commit_large`] commits them.
    pub fn large_write(&self) -> Result<LargeWrite> {
        let repo =
            Repository::open(self.rr.repo.path()).map_err(|e| git_error("cannot open the repository", &e))?;
        let odb = repo.odb().map_err(|e| git_error("cannot open git's object database", &e))?;
        odb.add_new_mempack_backend(1000).map_err(|e| storage_error("the new files", e.message()))?;
        drop(odb);
        Ok(LargeWrite::new(
            repo,
            PACK_BYTES,
            self.state_dir.join(PACK_STAGING),
            self.rr.repo.commondir().join("objects/pack"),
            self.durability.packs,
        ))
    }

    /// Stores `bytes`, the new content of the file at `path` (register-relative), in
    /// `large`; nothing a person sees changes until the write is committed.
    pub fn add_to(&self, large: &mut LargeWrite, path: &str, bytes: &[u8]) -> Result<()> {
        let repo_path = self.rr.repo_path(path);
        let (new, staged) =
            self.store_large(large, &repo_path, bytes).map_err(|e| self.explain_storage(e))?;
        large.files.push(StoredFile { path: path.to_owned(), new, staged });
        Ok(())
    }

    /// As [`Writer::commit_reviewed`], for the files of `large`.
    pub fn commit_large(
        &self,
        mut large: LargeWrite,
        message: &str,
        identity: &Identity,
        tag: Option<(&str, &str)>,
        review: Review<'_>,
    ) -> Result<Committed> {
        let files = std::mem::take(&mut large.files);
        let incoming: Vec<Incoming<'_>> = files
            .iter()
            .map(|f| Incoming { path: &f.path, contents: Contents::Stored { new: f.new, staged: f.staged } })
            .collect();
        self.commit_incoming(&incoming, &[], message, identity, tag, review, Some(&mut large))
    }

    /// The write of [`Writer::commit_reviewed`] and [`Writer::commit_large`].
    #[allow(clippy::too_many_arguments)]
    fn commit_incoming(
        &self,
        files: &[Incoming<'_>],
        removed: &[String],
        message: &str,
        identity: &Identity,
        tag: Option<(&str, &str)>,
        review: Review<'_>,
        mut large: Option<&mut LargeWrite>,
    ) -> Result<Committed> {
        let repo = &self.rr.repo;
        wait_for_index(repo.path())?;
        let mut plain_folders = std::collections::HashSet::new();
        for path in files.iter().map(|f| f.path).chain(removed.iter().map(String::as_str)) {
            refuse_links(&self.root, path, &mut plain_folders)?;
        }
        let mut hook_output = String::new();
        let hooked = self.hooks.exists("prepare-commit-msg")
            || (self.verify && (self.hooks.exists("pre-commit") || self.hooks.exists("commit-msg")));
        let plan =
            self.store_tree(files, removed, large.as_deref_mut()).map_err(|e| self.explain_storage(e))?;
        let (journal, message) = if hooked {
            plan.journal.save(&self.state_dir)?;
            self.faults.after(Step::Journal);
            // A change of the hooks refused by the review is put back with crs's own.
            let mut undo_hooked: Option<Journal> = None;
            let made = self.write_files(files, removed, large.as_deref()).and_then(|()| {
                self.faults.after(Step::Files);
                let (message, staged) = self.run_hooks_before(&plan, message, identity, &mut hook_output)?;
                let hooked = self.as_hooks_left_it(&plan, staged)?;
                if let Err(error) = self.review_hooks_changes(&plan, &hooked, review, &mut hook_output) {
                    undo_hooked = Some(hooked.journal);
                    return Err(error);
                }
                let plan = hooked;
                let journal =
                    self.store_commit(plan, &message, identity, tag).map_err(|e| self.explain_storage(e))?;
                journal.save(&self.state_dir)?;
                Ok((journal, message))
            });
            match made {
                Ok(made) => made,
                Err(error) => return Err(self.undone(undo_hooked.as_ref().unwrap_or(&plan.journal), error)),
            }
        } else {
            let journal =
                self.store_commit(plan, message, identity, tag).map_err(|e| self.explain_storage(e))?;
            journal.save(&self.state_dir)?;
            self.faults.after(Step::Journal);
            if let Err(error) = self.write_files(files, removed, large.as_deref()) {
                return Err(self.undone(&journal, error));
            }
            self.faults.after(Step::Files);
            (journal, message.to_owned())
        };
        if let Err(error) = self.flush_objects(&journal) {
            return Err(self.undone(&journal, error));
        }
        // The tag is part of the write: made before the branch moves, so that a tag
        // that cannot be made (locked, or there already) leaves nothing recorded; the
        // undo takes it away again if the branch then cannot move.
        if let Some(tag) = &journal.tag
            && let Err(error) = self.make_tag(tag)
        {
            return Err(self.undone(&journal, error));
        }
        self.faults.after(Step::Tag);
        if let Err(error) = self.move_branch(&journal, &message) {
            return Err(self.undone(&journal, error));
        }
        if journal.old_head.is_none() {
            new_repo::mark_finished(self.rr.repo.path());
        }
        self.faults.after(Step::Branch);
        // From here the commit stands: nothing below turns it into a failure.
        let index_warning = match self.stage(&journal) {
            Ok(()) => {
                if let Err(e) = self.flush_references(&journal) {
                    hook_output.push_str(&format!(
                        "warning: the commit is made, but it could not be flushed to disk ({e})\n"
                    ));
                }
                let _ = self.done();
                None
            }
            Err(e) => Some(format!(
                "committed, but git's index could not be updated yet ({e}); the next crs command updates it, or run git reset -q -- {}",
                journal.files.iter().map(|f| f.repo_path.as_str()).collect::<Vec<_>>().join(" ")
            )),
        };
        self.faults.after(Step::Index);
        // git ignores how post-commit ends; so does crs, but shows what it said.
        match self.hooks.run("post-commit", &[], &self.hook_env(identity, None)) {
            Ok(said) => hook_output.push_str(&said.0),
            Err(Error::Hook { output, status, .. }) => {
                hook_output.push_str(&output);
                hook_output.push_str(&format!(
                    "warning: the post-commit hook failed ({status}); the commit stands\n"
                ));
            }
            Err(_) => {}
        }
        let branch = journal.branch.as_deref().map(|b| b.strip_prefix("refs/heads/").unwrap_or(b).to_owned());
        Ok(Committed { id: journal.new_commit, branch, index_warning, hook_output })
    }

    /// The error of a write that failed before its branch moved, once its files are
    /// put back.
    fn undone(&self, journal: &Journal, error: Error) -> Error {
        match self.undo(journal) {
            Ok(_) => error,
            Err(undo) => Error::Unfinished { cause: Box::new(error), undo: Box::new(undo) },
        }
    }

    /// Whether git ignores the register-relative `path`.
    pub fn ignores(&self, path: &str) -> bool {
        self.rr.repo.is_path_ignored(Path::new(&self.rr.repo_path(path))).unwrap_or(false)
    }

    /// The id of the commit HEAD points at, if any.
    pub fn head_id(&self) -> Result<Option<String>> {
        Ok(head_commit(&self.rr.repo)?.map(|c| c.id().to_string()))
    }

    /// Whether a tag `name` exists.
    pub fn tag_exists(&self, name: &str) -> bool {
        self.rr.repo.find_reference(&format!("refs/tags/{name}")).is_ok()
    }
}

fn maybe_oid(text: Option<&str>) -> Result<Option<Oid>> {
    text.map(oid).transpose()
}

fn oid(text: &str) -> Result<Oid> {
    Oid::from_str(text).map_err(|e| git_error("the journal names an object that is not an id", &e))
}

fn head_commit(repo: &Repository) -> Result<Option<git2::Commit<'_>>> {
    match repo.head() {
        Ok(head) => head.peel_to_commit().map(Some).map_err(|e| git_error("cannot read HEAD", &e)),
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(git_error("cannot read HEAD", &e)),
    }
}

/// The branch HEAD names (`refs/heads/main`), born or not; `None` when detached.
fn head_branch(repo: &Repository) -> Result<Option<String>> {
    let head = repo.find_reference("HEAD").map_err(|e| git_error("cannot read HEAD", &e))?;
    Ok(head.symbolic_target().map(str::to_owned))
}

fn head_tree(repo: &Repository) -> Result<Option<git2::Tree<'_>>> {
    match head_commit(repo)? {
        Some(commit) => commit.tree().map(Some).map_err(|e| git_error("cannot read HEAD's tree", &e)),
        None => Ok(None),
    }
}

fn refuse_unfinished_operation(repo: &Repository) -> Result<()> {
    let Some((what, finish)) = unfinished_operation(repo) else { return Ok(()) };
    Err(Error::git(
        format!("the repository is in the middle of {what}"),
        format!("finish it first ({finish}), then run the crs command again"),
    ))
}

/// The git operation the repository at `root` is in the middle of, and how to finish
/// it: ("a cherry-pick", "git cherry-pick --continue or git cherry-pick --abort");
/// `None` when there is none (or no repository).
pub fn operation_in_progress(root: &Path) -> Option<(&'static str, &'static str)> {
    unfinished_operation(&open(root).ok()?.repo)
}

fn unfinished_operation(repo: &Repository) -> Option<(&'static str, &'static str)> {
    Some(match repo.state() {
        RepositoryState::Clean => return None,
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
    })
}

#[cfg(test)]
mod tests {
    use super::{short, unfinished_operation};

    #[test]
    fn a_short_id_is_ten_characters_or_the_whole_id() {
        assert_eq!(short("ce013625030ba8dba906f756967f9e9ca394464a"), "ce01362503");
        assert_eq!(short("ce01"), "ce01");
    }

    #[test]
    fn a_repository_mid_merge_names_the_command_that_ends_it() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        assert_eq!(unfinished_operation(&repo), None);
        std::fs::write(repo.path().join("MERGE_HEAD"), "ce013625030ba8dba906f756967f9e9ca394464a\n").unwrap();
        let (what, how) = unfinished_operation(&repo).expect("a merge is in progress");
        assert!(what.contains("merge") && how.contains("merge"), "{what}: {how}");
    }
}
