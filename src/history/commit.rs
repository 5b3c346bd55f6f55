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

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use git2::build::TreeUpdateBuilder;
use git2::{ErrorCode, FileMode, ObjectType, Oid, Repository, RepositoryState};

use crate::error::{Error, Result};
use crate::history::config::GitConfig;
use crate::history::durable::{self, Durability};
use crate::history::faults::{Faults, Step};
use crate::history::filters::CleanFilters;
use crate::history::hooks::{Hooks, clean_message};
use crate::history::identity::{self, Identity, Person};
use crate::history::journal::{Journal, JournalFile, JournalTag};
use crate::history::large_write::{LargeWrite, StoredFile};
use crate::history::leftovers;
use crate::history::lock::{RegisterLock, leftover_lock, reference_lock, take_git_lock, wait_for_index};
use crate::history::moved;
use crate::history::new_repo;
use crate::history::pack::PackWriter;
use crate::history::repo::{RegisterRepo, git_error, open, storage_error};
use crate::history::signing::Signer;
use crate::register::write::{Flush, remove_leftover_temps, write_atomic_via};

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
        self.commit_changes(files, &[], message, identity, tag)
    }

    /// As [`Writer::commit`], also deleting the files at `removed` (register-relative
    /// paths) in the same commit: how a record moves.
    pub fn commit_changes(
        &self,
        files: &[FileWrite],
        removed: &[String],
        message: &str,
        identity: &Identity,
        tag: Option<(&str, &str)>,
    ) -> Result<Committed> {
        self.commit_reviewed(files, removed, message, identity, tag, &|_, _, _| Ok(None))
    }

    /// As [`Writer::commit_changes`], with each file the hooks left other than crs
    /// wrote it judged by `review` before the commit is made: a reason it gives stops
    /// the write (the files put back, nothing committed).
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
        Ok(LargeWrite {
            repo,
            packer: PackWriter::new(PACK_BYTES),
            files: Vec::new(),
            filtered: Vec::new(),
            staging: self.state_dir.join(PACK_STAGING),
            packs: self.rr.repo.commondir().join("objects/pack"),
        })
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
        large: Option<&mut LargeWrite>,
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
        let plan = self.store_tree(files, removed, large).map_err(|e| self.explain_storage(e))?;
        let (journal, message) = if hooked {
            plan.journal.save(&self.state_dir)?;
            self.faults.after(Step::Journal);
            // A change of the hooks refused by the review is put back with crs's own.
            let mut undo_hooked: Option<Journal> = None;
            let made = self.write_files(files, removed).and_then(|()| {
                self.faults.after(Step::Files);
                let (message, staged) = self.run_hooks_before(&plan, message, identity, &mut hook_output)?;
                let hooked = self.as_hooks_left_it(&plan, staged)?;
                if let Err(error) = self.review_hooks_changes(&plan, &hooked, review, &mut hook_output) {
                    undo_hooked = Some(hooked.journal);
                    return Err(error);
                }
                let plan = hooked;
                let journal =
                    self.store_commit(&plan, &message, identity, tag).map_err(|e| self.explain_storage(e))?;
                journal.save(&self.state_dir)?;
                Ok((journal, message))
            });
            match made {
                Ok(made) => made,
                Err(error) => return Err(self.undone(undo_hooked.as_ref().unwrap_or(&plan.journal), error)),
            }
        } else {
            let journal =
                self.store_commit(&plan, message, identity, tag).map_err(|e| self.explain_storage(e))?;
            journal.save(&self.state_dir)?;
            self.faults.after(Step::Journal);
            if let Err(error) = self.write_files(files, removed) {
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

    /// The environment git gives commit hooks, with `index` as `GIT_INDEX_FILE`.
    fn hook_env(&self, identity: &Identity, index: Option<&Path>) -> Vec<(&'static str, String)> {
        let Person { name, email, when } = &identity.author;
        let mut env = vec![
            ("GIT_EDITOR", ":".to_owned()),
            ("GIT_AUTHOR_NAME", name.clone()),
            ("GIT_AUTHOR_EMAIL", email.clone()),
            ("GIT_AUTHOR_DATE", format!("@{} {}", when.timestamp(), zone(when.offset().local_minus_utc()))),
        ];
        if let Some(index) = index {
            env.push(("GIT_INDEX_FILE", index.display().to_string()));
        }
        env
    }

    /// Runs `pre-commit`, `prepare-commit-msg` and `commit-msg` as `git commit --only`
    /// does, on the working files already written; returns the message as the hooks
    /// left it and the tree of the index they saw, with whatever they staged in it.
    fn run_hooks_before(
        &self,
        plan: &Plan,
        message: &str,
        identity: &Identity,
        said: &mut String,
    ) -> Result<(String, Oid)> {
        let index = self.state_dir.join(HOOK_INDEX);
        let result = self.write_hook_index(&index, plan.tree).and_then(|()| {
            let env = self.hook_env(identity, Some(&index));
            let mut run = |hook: &str, args: &[&OsStr]| match self.hooks.run(hook, args, &env) {
                Ok(output) => {
                    said.push_str(&output.0);
                    Ok(())
                }
                Err(Error::Hook { hook, status, output }) => {
                    said.push_str(&output);
                    Err(Error::Hook { hook, status, output: std::mem::take(said) })
                }
                Err(e) => Err(e),
            };
            if self.verify {
                run("pre-commit", &[])?;
            }
            let file = self.rr.repo.path().join("COMMIT_EDITMSG");
            fs::write(&file, message).map_err(|e| Error::io(&file, e))?;
            run("prepare-commit-msg", &[file.as_os_str(), OsStr::new("message")])?;
            if self.verify {
                run("commit-msg", &[file.as_os_str()])?;
            }
            let edited = fs::read(&file).map_err(|e| Error::io(&file, e))?;
            let edited = clean_message(&String::from_utf8_lossy(&edited));
            if edited.is_empty() {
                return Err(Error::Hook {
                    hook: "commit-msg".into(),
                    status: "it left the message empty".into(),
                    output: std::mem::take(said),
                });
            }
            Ok((edited, self.hook_index_tree(&index)?))
        });
        let _ = fs::remove_file(&index);
        result
    }

    /// The tree of the index the hooks saw, as they left it.
    fn hook_index_tree(&self, path: &Path) -> Result<Oid> {
        let failed = |e: git2::Error| git_error("cannot read the index the hooks saw", &e);
        let mut index = git2::Index::open(path).map_err(failed)?;
        index.read(true).map_err(failed)?;
        index.write_tree_to(&self.rr.repo).map_err(failed)
    }

    /// `plan` with what the `pre-commit` hook staged (a formatter's fix): the tree the
    /// hooks left is the one committed, as `git commit --only` commits it, and a file
    /// of the write the hook changed and staged is committed and staged as the hook
    /// left it. A hook that changed such a file without staging the change, or staged
    /// a version other than the one it left on disk, stops the write: crs commits its
    /// files only as they are, and stages nothing that is not.
    fn as_hooks_left_it(&self, plan: &Plan, staged: Oid) -> Result<Plan> {
        let repo = &self.rr.repo;
        let tree =
            repo.find_tree(staged).map_err(|e| git_error("cannot read the tree the hooks left", &e))?;
        let mut journal = plan.journal.clone();
        for file in &mut journal.files {
            let path = file.repo_path.clone();
            let committed = tree.get_path(Path::new(&path)).ok().map(|e| e.id().to_string());
            let working = read_plain(&self.rr.workdir.join(&path))?;
            let refused = |what: &str| {
                Error::git(
                    format!("the pre-commit hook {what} {path}, so crs committed nothing"),
                    format!(
                        "the file is left as the hook left it, with crs's change in it: see git diff -- {path}, put it back with git restore -- {path}, make the hook stage exactly what it writes (git add), and run the command again"
                    ),
                )
            };
            if committed == file.new_staged {
                if working.as_deref().map(raw_id) != maybe_oid(file.new.as_deref())? {
                    return Err(refused("changed, without staging the change,"));
                }
                continue;
            }
            let as_stored = match &working {
                Some(bytes) => Some(self.blob_as_git_would(repo, &path, bytes)?.to_string()),
                None => None,
            };
            if as_stored != committed {
                return Err(refused("staged a version other than the one it left in the file of"));
            }
            file.new = match &working {
                Some(bytes) => Some(self.store_raw(repo, &path, bytes)?.to_string()),
                None => None,
            };
            file.new_staged = committed;
        }
        journal.files.extend(self.staged_by_hooks(plan, &tree, &journal)?);
        Ok(Plan { journal, tree: staged, parent: plan.parent })
    }

    /// Judges by `review` each file whose committed version the hooks changed from
    /// what crs wrote (or added): a reason given stops the write, naming the hooks;
    /// a change accepted is said in `said`.
    fn review_hooks_changes(
        &self,
        plan: &Plan,
        hooked: &Plan,
        review: Review<'_>,
        said: &mut String,
    ) -> Result<()> {
        let repo = &self.rr.repo;
        let blob = |id: Option<&str>| -> Result<Option<Vec<u8>>> {
            match id {
                Some(id) => repo
                    .find_blob(oid(id)?)
                    .map(|b| Some(b.content().to_vec()))
                    .map_err(|e| git_error("cannot read a file the hooks staged", &e)),
                None => Ok(None),
            }
        };
        for file in &hooked.journal.files {
            let ours = plan.journal.files.iter().find(|f| f.repo_path == file.repo_path);
            let ours_staged = ours.and_then(|f| f.new_staged.as_deref());
            if ours.is_some() && ours_staged == file.new_staged.as_deref() {
                continue;
            }
            let Some(path) = self.register_path(&file.repo_path) else { continue };
            let theirs = blob(file.new_staged.as_deref())?;
            let wrote = blob(ours_staged)?;
            let hooks = self.hooks_that_ran();
            if let Some(reason) = review(&path, wrote.as_deref(), theirs.as_deref())? {
                return Err(Error::git(
                    format!("{hooks} changed {path} so that {reason}, so crs committed nothing"),
                    format!(
                        "the file is put back as it was; make the hook leave crs's records as crs writes them (see {path} in the hook), or pass --no-verify, and run the command again"
                    ),
                ));
            }
            if ours.is_some() {
                said.push_str(&format!(
                    "note: {hooks} changed {path}, and the commit holds the hook's version, not what crs wrote (see git show HEAD:{})\n",
                    file.repo_path
                ));
            }
        }
        Ok(())
    }

    /// The register-relative path of `repo_path`, when it is inside the register.
    fn register_path(&self, repo_path: &str) -> Option<String> {
        match self.rr.prefix.trim_end_matches('/') {
            "" => Some(repo_path.to_owned()),
            prefix => repo_path.strip_prefix(prefix)?.strip_prefix('/').map(str::to_owned),
        }
    }

    /// The hooks that ran before the commit, in words: "the pre-commit hook".
    fn hooks_that_ran(&self) -> String {
        let names: Vec<&str> =
            [("pre-commit", self.verify), ("prepare-commit-msg", true), ("commit-msg", self.verify)]
                .into_iter()
                .filter(|(name, runs)| *runs && self.hooks.exists(name))
                .map(|(name, _)| name)
                .collect();
        match names.as_slice() {
            [one] => format!("the {one} hook"),
            many => format!("the {} hooks", many.join(" and ")),
        }
    }

    /// The paths outside the write that the hooks staged (a stamp file a hook adds),
    /// as journal entries whose working file crs leaves as it is (`old` and `new`
    /// both what the file holds now), so that git's index is brought to what the
    /// commit holds, as plain `git commit` leaves it: where the index held HEAD's
    /// version, and no other staged work of the user.
    fn staged_by_hooks(
        &self,
        plan: &Plan,
        left: &git2::Tree<'_>,
        journal: &Journal,
    ) -> Result<Vec<JournalFile>> {
        let repo = &self.rr.repo;
        let failed = |e: git2::Error| git_error("cannot compare the tree the hooks left", &e);
        let planned = repo.find_tree(plan.tree).map_err(failed)?;
        let base = self.head_tree()?;
        let diff = repo.diff_tree_to_tree(Some(&planned), Some(left), None).map_err(failed)?;
        let mut extra = Vec::new();
        for delta in diff.deltas() {
            let Some(path) = delta.new_file().path().or_else(|| delta.old_file().path()) else { continue };
            let repo_path = path.to_string_lossy().into_owned();
            if journal.files.iter().any(|f| f.repo_path == repo_path) {
                continue;
            }
            let working = match read_plain(&self.rr.workdir.join(&repo_path))? {
                Some(bytes) => Some(self.store_raw(repo, &repo_path, &bytes)?.to_string()),
                None => None,
            };
            let new_staged = left.get_path(path).ok().map(|e| e.id().to_string());
            let old_staged = base.as_ref().and_then(|t| t.get_path(path).ok()).map(|e| e.id().to_string());
            extra.push(JournalFile { repo_path, old: working.clone(), new: working, old_staged, new_staged });
        }
        Ok(extra)
    }

    /// Writes the index the hooks see: exactly the tree being committed.
    fn write_hook_index(&self, path: &Path, tree: Oid) -> Result<()> {
        let _ = fs::remove_file(path);
        let failed = |e: git2::Error| git_error("cannot write the index the hooks see", &e);
        let tree = self.rr.repo.find_tree(tree).map_err(failed)?;
        let mut index = git2::Index::open(path).map_err(failed)?;
        index.read_tree(&tree).map_err(failed)?;
        index.write().map_err(failed)
    }

    /// Stores the blobs and the tree of a write and reads each back; returns them
    /// with the journal of a write whose commit is not made yet.
    fn store_tree(
        &self,
        files: &[Incoming<'_>],
        removed: &[String],
        large: Option<&mut LargeWrite>,
    ) -> Result<Plan> {
        let repo = &self.rr.repo;
        let parent = head_commit(repo)?;
        let base = match &parent {
            Some(commit) => Some(commit.tree().map_err(|e| git_error("cannot read HEAD's tree", &e))?),
            None => None,
        };
        // A write of many files streams its blobs into packs of its own (see
        // [`LargeWrite`]) instead of a loose file an object.
        let mut own = None;
        let mut large = match large {
            Some(large) => Some(large),
            None if files.len() + removed.len() > FLUSH_EACH_UP_TO => {
                own = Some(self.large_write()?);
                own.as_mut()
            }
            None => None,
        };
        let mut planned = Vec::with_capacity(files.len());
        let mut stored = Vec::with_capacity(2 * files.len() + 1);
        for file in files {
            let repo_path = self.rr.repo_path(file.path);
            let old = match read_plain(&self.root.join(file.path))? {
                Some(bytes) => Some(self.store_either(large.as_deref_mut(), &repo_path, &bytes)?),
                None => None,
            };
            let (new, new_staged) = match (file.contents, large.as_deref_mut()) {
                (Contents::Stored { new, staged }, _) => (new, staged),
                (Contents::Bytes(bytes), Some(large)) => self.store_large(large, &repo_path, bytes)?,
                (Contents::Bytes(bytes), None) => {
                    let new = self.store_raw(repo, &repo_path, bytes)?;
                    match self.may_filter(&repo_path) {
                        true => (new, self.blob_as_git_would(repo, &repo_path, bytes)?),
                        false => (new, new),
                    }
                }
            };
            let old_staged = base
                .as_ref()
                .and_then(|t| t.get_path(Path::new(&repo_path)).ok())
                .map(|e| e.id().to_string());
            stored.push(new);
            if new_staged != new {
                stored.push(new_staged);
            }
            planned.push(JournalFile {
                repo_path,
                old: old.map(|o| o.to_string()),
                new: Some(new.to_string()),
                old_staged,
                new_staged: Some(new_staged.to_string()),
            });
        }
        for path in removed {
            let repo_path = self.rr.repo_path(path);
            let old = match read_plain(&self.root.join(path))? {
                Some(bytes) => Some(self.store_either(large.as_deref_mut(), &repo_path, &bytes)?),
                None => None,
            };
            let old = old.map(|o| o.to_string());
            let old_staged = base
                .as_ref()
                .and_then(|t| t.get_path(Path::new(&repo_path)).ok())
                .map(|e| e.id().to_string());
            planned.push(JournalFile { repo_path, old, new: None, old_staged, new_staged: None });
        }
        let target = large.as_deref().map_or(repo, |l| &l.repo);
        let tree = self.build_tree(target, base.as_ref(), &planned)?;
        stored.push(tree);
        if let Some(large) = large {
            let mut objects: std::collections::BTreeSet<Oid> = large.filtered.drain(..).collect();
            objects.insert(tree);
            // The trees the write made: the folders of the files it changed.
            let root = large.repo.find_tree(tree).map_err(|e| storage_error("the new tree", e.message()))?;
            for file in &planned {
                let mut dir = Path::new(&file.repo_path).parent();
                while let Some(folder) = dir.filter(|d| !d.as_os_str().is_empty()) {
                    objects.extend(root.get_path(folder).ok().map(|e| e.id()));
                    dir = folder.parent();
                }
            }
            let failed = |e: git2::Error| storage_error("the new tree", e.message());
            let held = large.repo.odb().map_err(failed)?;
            for id in objects {
                // One git had already (an unchanged folder) is packed again: harmless.
                let object = held.read(id).map_err(failed)?;
                large
                    .packer
                    .add(id, object.kind(), object.data())
                    .map_err(|e| storage_error("the new tree", &e))?;
            }
            drop(held);
            self.stage_pack(&mut large.packer)?;
            self.publish_packs()?;
            let odb = repo.odb().map_err(|e| git_error("cannot open git's object database", &e))?;
            odb.refresh().map_err(|e| storage_error("the pack of the new files", e.message()))?;
        }
        drop(own);
        self.verify_stored(&stored)?;
        Ok(Plan {
            journal: Journal {
                subject: String::new(),
                branch: head_branch(repo)?,
                old_head: parent.as_ref().map(|c| c.id().to_string()),
                new_commit: String::new(),
                files: planned,
                tag: None,
                lock_token: Journal::new_lock_token(),
            },
            tree,
            parent: parent.map(|c| c.id()),
        })
    }

    /// Stores the commit of `plan` (signed if git is configured to sign) and the
    /// tag, reads them back, and returns the journal naming them.
    fn store_commit(
        &self,
        plan: &Plan,
        message: &str,
        identity: &Identity,
        tag: Option<(&str, &str)>,
    ) -> Result<Journal> {
        let repo = &self.rr.repo;
        let tree = repo.find_tree(plan.tree).map_err(|e| storage_error("the new tree", e.message()))?;
        let parent = match plan.parent {
            Some(id) => Some(repo.find_commit(id).map_err(|e| git_error("cannot read HEAD", &e))?),
            None => None,
        };
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let author = identity.author.signature()?;
        let committer = identity.committer.signature()?;
        let who = format!("{} <{}>", identity.committer.name, identity.committer.email);
        let commit_id = match Signer::for_commits(&self.config, &self.vars)? {
            None => repo
                .commit(None, &author, &committer, message, &tree, &parents)
                .map_err(|e| storage_error("the commit", e.message()))?,
            Some(signer) => {
                let buffer = repo
                    .commit_create_buffer(&author, &committer, message, &tree, &parents)
                    .map_err(|e| storage_error("the commit", e.message()))?;
                let text = buffer.as_str().ok_or_else(|| {
                    storage_error("the commit", "its text is not UTF-8, so it cannot be signed")
                })?;
                let signature = signer.sign(text.as_bytes(), &who, &self.state_dir)?;
                repo.commit_signed(text, &signature, Some("gpgsig"))
                    .map_err(|e| storage_error("the signed commit", e.message()))?
            }
        };
        let mut stored = vec![commit_id];
        let tag = match tag {
            Some((name, tag_message)) => {
                let object = match Signer::for_tags(&self.config, &self.vars)? {
                    None => {
                        let target = repo
                            .find_object(commit_id, None)
                            .map_err(|e| storage_error("the commit", e.message()))?;
                        repo.tag_annotation_create(name, &target, &committer, tag_message)
                            .map_err(|e| storage_error(&format!("the tag {name}"), e.message()))?
                    }
                    Some(signer) => {
                        let mut text = format!(
                            "object {commit_id}\ntype commit\ntag {name}\ntagger {who} {} {}\n\n{tag_message}",
                            identity.committer.when.timestamp(),
                            zone(identity.committer.when.offset().local_minus_utc())
                        );
                        if !text.ends_with('\n') {
                            text.push('\n');
                        }
                        text.push_str(&signer.sign(text.as_bytes(), &who, &self.state_dir)?);
                        let odb =
                            repo.odb().map_err(|e| git_error("cannot open git's object database", &e))?;
                        odb.write(ObjectType::Tag, text.as_bytes())
                            .map_err(|e| storage_error(&format!("the tag {name}"), e.message()))?
                    }
                };
                stored.push(object);
                Some(JournalTag { name: name.to_owned(), object: object.to_string() })
            }
            None => None,
        };
        self.verify_stored(&stored)?;
        Ok(Journal {
            subject: message.lines().next().unwrap_or_default().to_owned(),
            new_commit: commit_id.to_string(),
            tag,
            ..plan.journal.clone()
        })
    }

    /// HEAD's tree, read once a write (the branch cannot move under crs's lock
    /// without the commit's compare-and-swap noticing).
    fn head_tree(&self) -> Result<Option<git2::Tree<'_>>> {
        let id = match self.head_tree.get() {
            Some(id) => *id,
            None => {
                let id = head_tree(&self.rr.repo)?.map(|t| t.id());
                let _ = self.head_tree.set(id);
                id
            }
        };
        id.map(|id| self.rr.repo.find_tree(id).map_err(|e| git_error("cannot read HEAD's tree", &e)))
            .transpose()
    }

    /// Whether git could store the file at `repo_path` other than as its bytes are:
    /// line-ending conversion (`core.autocrlf`), or an attributes file that applies
    /// to it (`info/attributes`, `core.attributesFile`, the XDG attributes file, or a
    /// `.gitattributes` in the work tree's top folder or one of the file's folders,
    /// as `git add` reads them) and names an attribute that converts (see
    /// [`attributes_may_filter`]).
    fn may_filter(&self, repo_path: &str) -> bool {
        let everywhere = *self.filters.get_or_init(|| {
            self.config.string("core.autocrlf").is_some_and(|v| !v.eq_ignore_ascii_case("false"))
                || self.config.string("core.attributesfile").is_some()
                || self.rr.repo.path().join("info/attributes").exists()
                || self.xdg_attributes().is_some_and(|p| p.exists())
        });
        everywhere
            || Path::new(repo_path).ancestors().skip(1).any(|dir| {
                let mut known = self.attribute_folders.borrow_mut();
                *known.entry(dir.to_path_buf()).or_insert_with(|| {
                    attributes_may_filter(&self.rr.workdir.join(dir).join(".gitattributes"))
                })
            })
    }

    /// Stores `bytes` in `repo` as `git add` stores the file at `repo_path`: through
    /// its filter driver, if `.gitattributes` names one, then git's own filters.
    fn blob_as_git_would(&self, repo: &Repository, repo_path: &str, bytes: &[u8]) -> Result<Oid> {
        let drivers = CleanFilters { config: &self.config, vars: &self.vars, workdir: &self.rr.workdir };
        drivers.store(&self.rr.repo, repo, repo_path, bytes)
    }

    /// git's per-user attributes file.
    fn xdg_attributes(&self) -> Option<PathBuf> {
        let var = |k: &str| self.vars.get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        var("XDG_CONFIG_HOME")
            .or_else(|| var("HOME").map(|h| h.join(".config")))
            .map(|base| base.join("git").join("attributes"))
    }

    /// libgit2 can fail to store an object with no reason given ("no error"); a test
    /// write beside the objects tells whether the disk is full.
    fn explain_storage(&self, error: Error) -> Error {
        let Error::Storage { what, detail } = error else { return error };
        let probe = self.state_dir.join(".space-probe.crs-tmp");
        let full = fs::File::create(&probe)
            .and_then(|mut f| std::io::Write::write_all(&mut f, &[0; 64 * 1024]).and_then(|()| f.sync_all()))
            .err()
            .filter(|e| e.kind() == std::io::ErrorKind::StorageFull);
        let _ = fs::remove_file(&probe);
        match full {
            Some(e) if !detail.contains("No space left") => {
                Error::Storage { what, detail: format!("{e} ({detail})") }
            }
            _ => Error::Storage { what, detail },
        }
    }

    /// Stores `bytes` exactly as they are (no filters), to be able to put a working
    /// file back byte for byte; usually the same object as the staged blob.
    fn store_raw(&self, repo: &Repository, repo_path: &str, bytes: &[u8]) -> Result<Oid> {
        let id = raw_id(bytes);
        let odb = repo.odb().map_err(|e| git_error("cannot open git's object database", &e))?;
        // Looked up without rescanning the packs for every new file of a large write.
        if odb.exists_ext(id, git2::OdbLookupFlags::NO_REFRESH) {
            return Ok(id);
        }
        repo.blob(bytes).map_err(|e| storage_error(repo_path, e.message()))
    }

    /// Stores `bytes`, the content of the file at `repo_path`, in `large`; returns
    /// the blob of the bytes and the blob git stores for the file (the same, unless
    /// git's filters change it).
    fn store_large(&self, large: &mut LargeWrite, repo_path: &str, bytes: &[u8]) -> Result<(Oid, Oid)> {
        let new = self.store_packed(large, repo_path, bytes)?;
        if !self.may_filter(repo_path) {
            return Ok((new, new));
        }
        let staged = self.blob_as_git_would(&large.repo, repo_path, bytes)?;
        if staged != new {
            large.filtered.push(staged);
        }
        Ok((new, staged))
    }

    /// Stores `bytes` exactly as they are: in `large` if given, else as a loose
    /// object (see [`Writer::store_raw`]).
    fn store_either(&self, large: Option<&mut LargeWrite>, repo_path: &str, bytes: &[u8]) -> Result<Oid> {
        match large {
            Some(large) => self.store_packed(large, repo_path, bytes),
            None => self.store_raw(&self.rr.repo, repo_path, bytes),
        }
    }

    /// Stores `bytes` exactly as they are in the packs of `large` (a blob git has
    /// already, or the write has packed, is not stored again), writing the pack
    /// being filled once it holds [`PACK_BYTES`].
    fn store_packed(&self, large: &mut LargeWrite, repo_path: &str, bytes: &[u8]) -> Result<Oid> {
        let id = raw_id(bytes);
        if large.packer.has(id) {
            return Ok(id);
        }
        let odb = self.rr.repo.odb().map_err(|e| git_error("cannot open git's object database", &e))?;
        // Looked up without rescanning the packs for every new file.
        if odb.exists_ext(id, git2::OdbLookupFlags::NO_REFRESH) {
            return Ok(id);
        }
        large.packer.add(id, ObjectType::Blob, bytes).map_err(|e| storage_error(repo_path, &e))?;
        if large.packer.held() >= PACK_BYTES {
            self.stage_pack(&mut large.packer)?;
        }
        Ok(id)
    }

    /// Writes the objects `packer` holds as a pack in crs's folder (where a kill
    /// leaves it, or its half-written temp files, for the next write to delete),
    /// flushed as `core.fsync` asks.
    fn stage_pack(&self, packer: &mut PackWriter) -> Result<()> {
        let staging = self.state_dir.join(PACK_STAGING);
        fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        let pack =
            packer.write(&staging).map_err(|message| storage_error("the pack of the new files", &message))?;
        if let Some(pack) = pack.filter(|_| self.durability.packs) {
            durable::sync_file(&pack)?;
            durable::sync_file(&pack.with_extension("idx"))?;
        }
        Ok(())
    }

    /// Moves the packs made in crs's folder in beside git's, each pack before its
    /// index, flushed as `core.fsync` asks.
    fn publish_packs(&self) -> Result<()> {
        let staging = self.state_dir.join(PACK_STAGING);
        let packs = self.rr.repo.commondir().join("objects/pack");
        if !staging.exists() {
            return Ok(());
        }
        move_staged_packs(&staging, &packs)?;
        if self.durability.packs {
            durable::sync_folder(&packs)?;
        }
        let _ = fs::remove_dir(&staging);
        Ok(())
    }

    /// Reads back every object just stored: libgit2 can report an object stored that
    /// a full disk kept from being written.
    fn verify_stored(&self, ids: &[Oid]) -> Result<()> {
        let odb = self.rr.repo.odb().map_err(|e| git_error("cannot open git's object database", &e))?;
        if self.faults.object_write_fails() {
            return Err(storage_error("the new commit", "No space left on device (simulated)"));
        }
        for id in ids {
            odb.read(*id)
                .map_err(|e| storage_error(&format!("object {}", short(&id.to_string())), e.message()))?;
        }
        Ok(())
    }

    /// HEAD's tree with the planned blobs in place; for a first commit, just them.
    fn build_tree(
        &self,
        repo: &Repository,
        base: Option<&git2::Tree<'_>>,
        planned: &[JournalFile],
    ) -> Result<Oid> {
        let failed = |e: git2::Error| storage_error("the new tree", e.message());
        match base {
            Some(base) => {
                let mut update = TreeUpdateBuilder::new();
                for file in planned {
                    match &file.new_staged {
                        Some(id) => update.upsert(file.repo_path.as_str(), oid(id)?, FileMode::Blob),
                        None => update.remove(file.repo_path.as_str()),
                    };
                }
                update.create_updated(repo, base).map_err(failed)
            }
            None => {
                let mut first = git2::Index::new().map_err(failed)?;
                for file in planned {
                    if let Some(id) = &file.new_staged {
                        first.add(&index_entry(&file.repo_path, oid(id)?)).map_err(failed)?;
                    }
                }
                first.write_tree_to(repo).map_err(failed)
            }
        }
    }

    /// Writes the files into the working tree, following no links.
    /// A file stored already is read back from its blob.
    fn write_files(&self, files: &[Incoming<'_>], removed: &[String]) -> Result<()> {
        let flush = if files.len() > FLUSH_EACH_UP_TO { Flush::Batch } else { Flush::Each };
        let mut folders: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
        let odb = self.rr.repo.odb().map_err(|e| git_error("cannot open git's object database", &e))?;
        for file in files {
            let full = self.root.join(file.path);
            if let Some(parent) = full.parent().filter(|p| !folders.contains(*p)) {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                folders.insert(parent.to_path_buf());
            }
            match file.contents {
                Contents::Bytes(bytes) => write_atomic_via(&full, bytes, Some(&self.state_dir), flush)?,
                Contents::Stored { new, .. } => {
                    let blob = odb.read(new).map_err(|e| storage_error(file.path, e.message()))?;
                    write_atomic_via(&full, blob.data(), Some(&self.state_dir), flush)?;
                }
            }
        }
        for path in removed {
            remove_file(&self.root.join(path))?;
        }
        Ok(())
    }

    /// Moves the branch from the old commit to the new one, only if it is still on
    /// the old one, with HEAD locked as git locks it (a branch or HEAD git holds
    /// locked stops the write before it moves). Then checks that the branch points at
    /// the new commit.
    fn move_branch(&self, journal: &Journal, message: &str) -> Result<()> {
        let repo = &self.rr.repo;
        let new = oid(&journal.new_commit)?;
        let subject = message.lines().next().unwrap_or_default();
        let log = match journal.old_head {
            Some(_) => format!("commit: {subject}"),
            None => format!("commit (initial): {subject}"),
        };
        let Some(branch) = journal.branch.as_deref() else {
            repo.set_head_detached(new).map_err(|e| storage_error("the branch", e.message()))?;
            return self.check_tip(journal, new);
        };
        // HEAD names the branch, so git locks it too while the branch moves: a
        // HEAD.lock another git holds (mid-commit) stops the write here. Taken with the
        // journal's token, so that a lock a killed crs left is provably its own.
        let head_lock = repo.path().join("HEAD.lock");
        let token = match journal.lock_token.is_empty() {
            true => Journal::new_lock_token(),
            false => journal.lock_token.clone(),
        };
        take_git_lock(&head_lock, &self.state_dir, &token, "HEAD")?;
        let moved = self.move_named_branch(journal, branch, new, &log);
        let _ = fs::remove_file(&head_lock);
        moved
    }

    /// [`Writer::move_branch`] for the branch `branch` that HEAD names, HEAD locked:
    /// moved only if it is still on the journal's old commit, as git moves a branch.
    /// crs takes the branch's lock itself with the new commit's id already in it (a
    /// file linked into place whole), so a lock a killed crs left always holds that id
    /// and is provably its own ([`Writer::recover`]); libgit2 would hold it empty
    /// while it checks the old value and writes the reflog. Then the reflogs of the
    /// branch and HEAD are appended to and the lock renamed over the branch.
    fn move_named_branch(&self, journal: &Journal, branch: &str, new: Oid, log: &str) -> Result<()> {
        let common = self.rr.repo.commondir().to_path_buf();
        let lock = reference_lock(&common, branch);
        if let Some(folder) = lock.parent() {
            fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
        }
        take_git_lock(&lock, &self.state_dir, &format!("{new}\n"), &format!("the branch {branch}"))?;
        let moved = self.move_locked_branch(journal, branch, new, log, &lock);
        if moved.is_err() {
            let _ = fs::remove_file(&lock);
        }
        moved?;
        self.check_tip(journal, new)
    }

    /// The branch's lock `lock` taken: checks the branch is still on the journal's
    /// old commit, appends the reflogs and renames the lock over the branch.
    fn move_locked_branch(
        &self,
        journal: &Journal,
        branch: &str,
        new: Oid,
        log: &str,
        lock: &Path,
    ) -> Result<()> {
        let repo = &self.rr.repo;
        let old = journal.old_head.as_deref().map(oid).transpose()?;
        if self.tip(journal)? != old {
            return Err(Error::Busy {
                message: "the branch moved while crs was committing".into(),
                hint: "nothing was changed; run the command again".into(),
            });
        }
        let commit = repo.find_commit(new).map_err(|e| git_error("cannot read the new commit", &e))?;
        let line = reflog_line(old, new, &commit.committer(), log);
        for reflog in [repo.commondir().join("logs").join(branch), repo.path().join("logs").join("HEAD")] {
            append_reflog(&reflog, &line)?;
        }
        let target = repo.commondir().join(branch);
        fs::rename(lock, &target).map_err(|e| storage_error(&format!("the branch {branch}"), &e.to_string()))
    }

    /// Checks that the journal's branch points at `new` after moving it.
    fn check_tip(&self, journal: &Journal, new: Oid) -> Result<()> {
        if self.tip(journal)? != Some(new) {
            return Err(storage_error("the branch", "it does not point at the new commit after moving it"));
        }
        moved::note_branch_moved();
        Ok(())
    }

    /// Where the journal's branch (or a detached HEAD) points now.
    fn tip(&self, journal: &Journal) -> Result<Option<Oid>> {
        let name = journal.branch.as_deref().unwrap_or("HEAD");
        match self.rr.repo.refname_to_id(name) {
            Ok(id) => Ok(Some(id)),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(git_error(&format!("cannot read {name}"), &e)),
        }
    }

    /// Points the tag's reference at its stored tag object, unless it is there.
    fn make_tag(&self, tag: &JournalTag) -> Result<()> {
        let repo = &self.rr.repo;
        let name = format!("refs/tags/{}", tag.name);
        let object = oid(&tag.object)?;
        match repo.refname_to_id(&name) {
            Ok(existing) if existing == object => return Ok(()),
            Ok(_) => {
                return Err(Error::git(
                    format!("tag {} already exists", tag.name),
                    "see git tag -l 'crs/*' for the submissions recorded",
                ));
            }
            Err(_) => {}
        }
        repo.reference(&name, object, false, "crs: submission").map_err(|e| match e.code() {
            ErrorCode::Locked => {
                leftover_lock(&reference_lock(repo.commondir(), &name), &format!("the tag {}", tag.name))
            }
            ErrorCode::Exists => Error::git(
                format!("tag {} already exists", tag.name),
                "see git tag -l 'crs/*' for the submissions recorded",
            ),
            _ => storage_error(&format!("the tag {}", tag.name), e.message()),
        })?;
        Ok(())
    }

    /// Updates the index entries of the journal's files to their new blobs, where
    /// they still hold the old ones. crs takes git's `index.lock` itself (waiting
    /// briefly while another git holds it), with the journal's token in it, writes
    /// the new index beside it in crs's folder and renames it over git's.
    fn stage(&self, journal: &Journal) -> Result<()> {
        let git_dir = self.rr.repo.path();
        let lock = git_dir.join("index.lock");
        let token = match journal.lock_token.is_empty() {
            true => Journal::new_lock_token(),
            false => journal.lock_token.clone(),
        };
        take_git_lock(&lock, &self.state_dir, &token, "git's index")?;
        self.faults.after(Step::IndexLock);
        let written = self.write_index(journal, &git_dir.join("index"));
        let _ = fs::remove_file(&lock);
        written
    }

    /// Writes git's index at `index_path` with the journal's files staged, through
    /// a copy in crs's folder (flushed to disk if `core.fsync` says so).
    fn write_index(&self, journal: &Journal, index_path: &Path) -> Result<()> {
        let next = self.state_dir.join(NEXT_INDEX);
        let _ = fs::remove_file(&next);
        match fs::copy(index_path, &next) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(index_path, e)),
        }
        let failed = |e: git2::Error| git_error("cannot update the index", &e);
        let mut index = git2::Index::open(&next).map_err(failed)?;
        for file in &journal.files {
            let path = Path::new(&file.repo_path);
            let staged = index.get_path(path, 0).map(|e| e.id.to_string());
            match &file.new_staged {
                _ if staged != file.old_staged => {}
                Some(id) => {
                    let entry = match self.stat_entry(&file.repo_path, id) {
                        Some(entry) => entry,
                        None => index_entry(&file.repo_path, oid(id)?),
                    };
                    index.add(&entry).map_err(failed)?;
                }
                None => index.remove_path(path).map_err(failed)?,
            }
        }
        index.write().map_err(failed)?;
        if self.durability.index {
            durable::sync_file(&next)?;
        }
        fs::rename(&next, index_path).map_err(|e| Error::io(index_path, e))?;
        if self.durability.index {
            durable::sync_folder(index_path.parent().unwrap_or(Path::new(".")))?;
        }
        Ok(())
    }

    /// Flushes to disk, as `core.fsync` asks, the loose objects a write made: its
    /// commit, tag, trees and blobs, and their folders. Packs are flushed as they
    /// are written.
    fn flush_objects(&self, journal: &Journal) -> Result<()> {
        if !self.durability.loose_objects || journal.new_commit.is_empty() {
            return Ok(());
        }
        let repo = &self.rr.repo;
        let commit = repo
            .find_commit(oid(&journal.new_commit)?)
            .map_err(|e| git_error("cannot read the commit", &e))?;
        let tree = commit.tree().map_err(|e| git_error("cannot read the commit's tree", &e))?;
        let mut ids = vec![commit.id(), tree.id()];
        ids.extend(journal.tag.as_ref().and_then(|t| Oid::from_str(&t.object).ok()));
        for file in &journal.files {
            for id in [&file.old, &file.new, &file.new_staged].into_iter().flatten() {
                ids.push(oid(id)?);
            }
            let mut dir = Path::new(&file.repo_path).parent();
            while let Some(folder) = dir.filter(|d| !d.as_os_str().is_empty()) {
                ids.extend(tree.get_path(folder).ok().map(|e| e.id()));
                dir = folder.parent();
            }
        }
        ids.sort();
        ids.dedup();
        let objects = repo.commondir().join("objects");
        let mut flushed = Vec::new();
        let mut folders = std::collections::BTreeSet::new();
        for id in ids {
            let hex = id.to_string();
            let folder = objects.join(&hex[..2]);
            let loose = folder.join(&hex[2..]);
            if loose.exists() {
                flushed.push(loose);
                folders.insert(folder);
            }
        }
        if !folders.is_empty() {
            folders.insert(objects);
        }
        flushed.extend(folders);
        durable::sync_all(&flushed)
    }

    /// Flushes to disk, as `core.fsync` asks, the references a write moved or made.
    fn flush_references(&self, journal: &Journal) -> Result<()> {
        if !self.durability.references {
            return Ok(());
        }
        let common = self.rr.repo.commondir();
        let mut names: Vec<String> = journal.branch.iter().cloned().collect();
        names.extend(journal.tag.as_ref().map(|t| format!("refs/tags/{}", t.name)));
        let mut flushed = Vec::new();
        for name in names {
            let loose = common.join(&name);
            let file = if loose.exists() { loose } else { common.join("packed-refs") };
            if file.exists() {
                flushed.push(file.parent().unwrap_or(common).to_path_buf());
                flushed.push(file);
            }
        }
        durable::sync_all(&flushed)
    }

    /// Puts back the working files a write changed, where they still hold what it
    /// wrote; deletes the journal. Returns the files left alone.
    fn undo(&self, journal: &Journal) -> Result<Settled> {
        let settled = self.settle(journal, Settle::Before)?;
        self.remove_tag(journal)?;
        self.done()?;
        Ok(settled)
    }

    /// Deletes the tag reference of `journal` if it points at the write's own tag
    /// object: a tag of the same name made by someone else stays.
    fn remove_tag(&self, journal: &Journal) -> Result<()> {
        let Some(tag) = &journal.tag else { return Ok(()) };
        let name = format!("refs/tags/{}", tag.name);
        let ours =
            self.rr.repo.refname_to_id(&name).is_ok_and(|id| Some(id) == Oid::from_str(&tag.object).ok());
        if ours {
            let mut reference =
                self.rr.repo.find_reference(&name).map_err(|e| git_error("cannot read the tag", &e))?;
            reference.delete().map_err(|e| git_error(&format!("cannot delete the tag {}", tag.name), &e))?;
        }
        Ok(())
    }

    /// Brings each working file of `journal` to how it was before the write, or to
    /// what the write made. A file someone changed since, being neither, is left as
    /// it is; so is one whose content HEAD holds (someone committed it as it is).
    fn settle(&self, journal: &Journal, to: Settle) -> Result<Settled> {
        let mut settled = Settled::default();
        let head = head_tree(&self.rr.repo)?;
        for file in &journal.files {
            let (wanted, other, other_staged) = match to {
                Settle::Before => (file.old.as_deref(), file.new.as_deref(), file.new_staged.as_deref()),
                Settle::After => (file.new.as_deref(), file.old.as_deref(), file.old_staged.as_deref()),
            };
            let full = self.rr.workdir.join(&file.repo_path);
            let working = read_plain(&full)?.map(|bytes| raw_id(&bytes));
            if working == maybe_oid(wanted)? {
                continue;
            }
            if working != maybe_oid(other)? {
                settled.left_alone.push(file.repo_path.clone());
                continue;
            }
            let committed =
                head.as_ref().and_then(|t| t.get_path(Path::new(&file.repo_path)).ok()).map(|e| e.id());
            let holds = match committed {
                Some(id) => working == Some(id) || maybe_oid(other_staged)? == Some(id),
                None => working.is_none(),
            };
            if holds {
                settled.committed_since.push(file.repo_path.clone());
                continue;
            }
            self.put(&full, wanted)?;
        }
        Ok(settled)
    }

    /// Completes a write whose commit is on the branch: working files, tag, index.
    fn finish(&self, journal: &Journal) -> Result<Settled> {
        let settled = self.settle(journal, Settle::After)?;
        // A tag made meanwhile by someone else is theirs to keep.
        if let Some(tag) = journal.tag.as_ref().filter(|t| !self.tag_exists(&t.name)) {
            self.make_tag(tag)?;
        }
        self.stage(journal)?;
        self.flush_references(journal)?;
        self.done()?;
        Ok(settled)
    }

    /// Finishes or undoes the write a killed crs left, if any.
    fn recover(&self) -> Result<Option<Recovered>> {
        let Some(journal) = Journal::load(&self.state_dir)? else { return Ok(None) };
        let removed_locks = self.remove_own_git_locks(&journal);
        // A journal that names no commit was saved while the hooks ran: nothing landed.
        let landed = match (journal.new_commit.is_empty(), self.tip(&journal)?) {
            (false, Some(tip)) => {
                let new = oid(&journal.new_commit)?;
                tip == new || self.rr.repo.graph_descendant_of(tip, new).unwrap_or(false)
            }
            _ => false,
        };
        let settled = if landed { self.finish(&journal)? } else { self.undo(&journal)? };
        Ok(Some(Recovered {
            subject: journal.subject.clone(),
            finished: landed,
            commit: short(&journal.new_commit).to_owned(),
            tag: journal.tag.as_ref().filter(|_| landed).map(|t| t.name.clone()),
            left_alone: settled.left_alone,
            committed_since: settled.committed_since,
            removed_locks,
        }))
    }

    /// The write is whole: the journal goes.
    fn done(&self) -> Result<()> {
        Journal::remove(&self.state_dir)
    }

    /// Deletes the lock files of git's that the killed crs of `journal` provably
    /// made, each by what it holds: the index lock crs takes itself holds the
    /// journal's token; a branch's or tag's lock that libgit2 was writing holds the
    /// id of the write's own commit or tag object, which no other program can know.
    /// Any other lock (an empty one, another git's) is left for its owner, and the
    /// step that needs it says which file and whom to look for.
    fn remove_own_git_locks(&self, journal: &Journal) -> Vec<String> {
        let repo = &self.rr.repo;
        let mut candidates: Vec<(PathBuf, &str)> = Vec::new();
        if !journal.lock_token.is_empty() {
            candidates.push((repo.path().join("index.lock"), journal.lock_token.as_str()));
            candidates.push((repo.path().join("HEAD.lock"), journal.lock_token.as_str()));
        }
        if let Some(branch) = journal.branch.as_deref().filter(|_| !journal.new_commit.is_empty()) {
            candidates.push((reference_lock(repo.commondir(), branch), journal.new_commit.as_str()));
        }
        if let Some(tag) = &journal.tag {
            candidates.push((
                reference_lock(repo.commondir(), &format!("refs/tags/{}", tag.name)),
                tag.object.as_str(),
            ));
        }
        let own = |lock: &Path, holds: &str| {
            fs::read(lock).is_ok_and(|bytes| String::from_utf8_lossy(&bytes).trim_end() == holds.trim_end())
        };
        candidates
            .into_iter()
            .filter(|(lock, holds)| own(lock, holds) && fs::remove_file(lock).is_ok())
            .map(|(lock, _)| lock.display().to_string())
            .collect()
    }

    /// The index entry of the working file at `repo_path` whose blob is `id`, with
    /// the file's stat data as git records it (so `git status` need not hash it
    /// again); `None` when the file cannot be read.
    fn stat_entry(&self, repo_path: &str, id: &str) -> Option<git2::IndexEntry> {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::symlink_metadata(self.rr.workdir.join(repo_path)).ok()?;
        let time = |secs: i64, nanos: i64| git2::IndexTime::new(secs as i32, nanos as u32);
        let executable = meta.mode() & 0o111 != 0;
        Some(git2::IndexEntry {
            ctime: time(meta.ctime(), meta.ctime_nsec()),
            mtime: time(meta.mtime(), meta.mtime_nsec()),
            dev: meta.dev() as u32,
            ino: meta.ino() as u32,
            mode: if executable { 0o100755 } else { 0o100644 },
            uid: meta.uid(),
            gid: meta.gid(),
            file_size: meta.size() as u32,
            id: Oid::from_str(id).ok()?,
            flags: (repo_path.len().min(0xfff)) as u16,
            flags_extended: 0,
            path: repo_path.as_bytes().to_vec(),
        })
    }

    /// Makes the working file at `full` hold the stored bytes `id`, or deletes it.
    fn put(&self, full: &Path, id: Option<&str>) -> Result<()> {
        match id {
            Some(id) => {
                if let Some(parent) = full.parent() {
                    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                }
                write_atomic_via(full, &self.blob_bytes(id)?, Some(&self.state_dir), Flush::Each)
            }
            None => remove_file(full),
        }
    }

    fn blob_bytes(&self, id: &str) -> Result<Vec<u8>> {
        let blob =
            self.rr.repo.find_blob(oid(id)?).map_err(|e| git_error("cannot read a stored file", &e))?;
        Ok(blob.content().to_vec())
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

/// Moves the whole packs in `staging` into git's `packs` folder: the pack first,
/// its index last, as git finds a pack by its index.
fn move_staged_packs(staging: &Path, packs: &Path) -> Result<()> {
    let mut names: Vec<String> = fs::read_dir(staging)
        .map_err(|e| Error::io(staging, e))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("pack-") && (n.ends_with(".pack") || n.ends_with(".idx")))
        .collect();
    names.sort_by_key(|n| n.ends_with(".idx"));
    for name in names {
        let to = packs.join(&name);
        fs::rename(staging.join(&name), &to)
            .map_err(|e| storage_error("the pack of the new files", &Error::io(&to, e).to_string()))?;
    }
    Ok(())
}

/// Deletes what a killed write left in `staging` (only under crs's lock, so none of
/// it is being written): a half-made pack, or one made and not yet moved into git's
/// `packs`; an index whose pack was moved already is moved after it.
pub(crate) fn remove_staged_packs(staging: &Path, packs: &Path) {
    let Ok(entries) = fs::read_dir(staging) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let moved = name.strip_suffix(".idx").is_some_and(|p| packs.join(format!("{p}.pack")).exists());
        if !(moved && fs::rename(entry.path(), packs.join(&name)).is_ok()) {
            let _ = fs::remove_file(entry.path());
        }
    }
    let _ = fs::remove_dir(staging);
}

/// Whether the attributes file at `path` could have git store a file other than as
/// its bytes are: it names `text`, `eol`, `crlf`, `filter`, `ident` or
/// `working-tree-encoding`, or defines a macro (which could stand for them). A file
/// that cannot be read as text is taken to convert. A register's own `.gitattributes`
/// (`merge=crs`) converts nothing, so its files are stored as written, without
/// asking git's attribute machinery file by file.
fn attributes_may_filter(path: &Path) -> bool {
    const CONVERTING: [&str; 6] = ["text", "eol", "crlf", "filter", "ident", "working-tree-encoding"];
    let text = match fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => return true,
        },
        Err(e) => return e.kind() != std::io::ErrorKind::NotFound,
    };
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).any(|line| {
        line.starts_with("[attr]")
            || line.split_whitespace().skip(1).any(|attribute| {
                let name = attribute.trim_start_matches(['-', '!']);
                let name = name.split('=').next().unwrap_or(name);
                CONVERTING.iter().any(|c| name.eq_ignore_ascii_case(c))
            })
    })
}

/// The bytes of the plain file at `path`, `None` when there is none.
fn read_plain(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => fs::read(path).map(Some).map_err(|e| Error::io(path, e)),
        Ok(_) => Err(Error::Link { path: path.to_path_buf() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Refuses a write below `root` through a symbolic link, which could put the file
/// outside the register.
/// `plain_folders` holds the folders already found to be no link, so that a write
/// of many files looks at each folder once.
fn refuse_links(
    root: &Path,
    path: &str,
    plain_folders: &mut std::collections::HashSet<PathBuf>,
) -> Result<()> {
    let mut at = root.to_path_buf();
    let parts: Vec<&str> = path.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        let folder = i + 1 < parts.len();
        if folder && plain_folders.contains(&at) {
            continue;
        }
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(Error::Link { path: at }),
            Ok(_) if folder => {
                plain_folders.insert(at.clone());
            }
            Ok(meta) if meta.file_type().is_symlink() => return Err(Error::Link { path: at }),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(&at, e)),
        }
    }
    Ok(())
}

/// The id git gives `bytes` as a blob, without storing them.
fn raw_id(bytes: &[u8]) -> Oid {
    Oid::hash_object(ObjectType::Blob, bytes).unwrap_or_else(|_| Oid::zero())
}

/// A zone as git writes it: `+0100`.
fn zone(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

fn maybe_oid(text: Option<&str>) -> Result<Option<Oid>> {
    text.map(oid).transpose()
}

/// Deletes the file at `path` if it is there, and its folder if that is left empty.
fn remove_file(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(path, e)),
    }
    if let Some(parent) = path.parent() {
        let _ = fs::remove_dir(parent);
    }
    Ok(())
}

fn oid(text: &str) -> Result<Oid> {
    Oid::from_str(text).map_err(|e| git_error("the journal names an object that is not an id", &e))
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

/// A reflog line as git writes it: old and new ids, who, when, and the message.
fn reflog_line(old: Option<Oid>, new: Oid, who: &git2::Signature<'_>, message: &str) -> String {
    let when = who.when();
    let offset = when.offset_minutes();
    let sign = if offset < 0 { '-' } else { '+' };
    let (hours, minutes) = (offset.abs() / 60, offset.abs() % 60);
    let old = old.unwrap_or_else(Oid::zero);
    let message = message.replace('\n', " ");
    format!(
        "{old} {new} {} <{}> {} {sign}{hours:02}{minutes:02}\t{message}\n",
        who.name().unwrap_or_default(),
        who.email().unwrap_or_default(),
        when.seconds()
    )
}

/// Appends `line` to the reflog at `path`, as git does (no lock: git appends).
fn append_reflog(path: &Path, line: &str) -> Result<()> {
    if let Some(folder) = path.parent() {
        fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
    }
    let mut file =
        fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| Error::io(path, e))?;
    std::io::Write::write_all(&mut file, line.as_bytes()).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::{attributes_may_filter, fs};

    #[test]
    fn only_attributes_that_convert_count() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".gitattributes");
        assert!(!attributes_may_filter(&path), "no file");
        for (text, converts) in [
            ("# Records merge field by field\n*/*.toml merge=crs\n", false),
            ("*.toml -diff linguist-generated\n", false),
            ("*.toml text eol=lf\n", true),
            ("* -text\n", true),
            ("*.toml filter=lfs\n", true),
            ("[attr]records merge=crs\n", true),
            ("*.toml !ident\n", true),
            ("\"a b.toml\" filter=redact\n", true),
        ] {
            fs::write(&path, text).unwrap();
            assert_eq!(attributes_may_filter(&path), converts, "{text}");
        }
        fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(attributes_may_filter(&path), "not text");
    }
}
