//! `Transaction`: one write to a register, from start to commit. It opens the
//! repository for writing (the lock taken, an interrupted write mended, the git
//! identity resolved), reads the register's settings and its checker, and commits
//! any number of files in one crash-safe commit. Every command that writes — a change
//! to one record, a submission, an organisation import — is one transaction.

use std::path::{Path, PathBuf};

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::finding::Severity;
use crate::history::new_repo;
use crate::history::{Committed, FileWrite, Identity, LargeWrite, Recovered, Writer, WriterSetup};
use crate::model::{Date, RecordId};
use crate::ops::change::parse;
use crate::ops::checker::{Checker, working_orgs};
use crate::orgs::KnownOrgs;
use crate::register::config::SETTINGS_FILE;
use crate::register::{Config, DiskSource, read_config};

// Whether this command's write has moved its branch, which the command line asks
// before it turns a failure into an exit status: once it moved, the change is recorded.
pub(crate) use crate::history::moved::{begin_command, branch_moved};

/// How a write is to be made, from the flags every writing command takes.
#[derive(Clone, Debug, Default)]
pub struct WriteOptions {
    /// "Name <email>" to record as the author instead of the git identity.
    pub author: Option<String>,
    /// Commit even on a detached HEAD.
    pub allow_detached: bool,
    /// Skip the repository's `pre-commit` and `commit-msg` hooks, as
    /// `git commit --no-verify` does.
    pub no_verify: bool,
}

impl WriteOptions {
    /// How the writer is opened for these options in `ctx`.
    fn setup<'a>(&self, ctx: &'a Ctx) -> WriterSetup<'a> {
        WriterSetup { allow_detached: self.allow_detached, verify: !self.no_verify, vars: &ctx.vars }
    }
}

/// A write in progress.
pub struct Transaction {
    pub root: PathBuf,
    pub config: Config,
    pub identity: Identity,
    /// The day the write is judged on.
    today: Date,
    writer: Writer,
}

impl Transaction {
    /// Starts a write to the register of `ctx`: refuses early (no git, mid-merge, no
    /// identity) before anything is read or written.
    pub fn begin(ctx: &Ctx, options: &WriteOptions) -> Result<Transaction> {
        Transaction::begin_in(ctx, ctx.register_root()?, options)
    }

    /// As [`Transaction::begin`], for the register at `root` (one `crs init` made).
    pub fn begin_in(ctx: &Ctx, root: PathBuf, options: &WriteOptions) -> Result<Transaction> {
        let writer = Writer::open(&root, options.setup(ctx), ctx.faults.clone())?;
        // Read after an interrupted write is mended: an undone crs init takes the
        // register's settings away with it.
        if writer.recovered().is_some() && !root.join(SETTINGS_FILE).exists() {
            return Err(Error::Invalid {
                message: format!(
                    "{} has no register: the crs init that was making it was interrupted, and crs undid it; run crs init again",
                    root.display()
                ),
            });
        }
        let config = read_config(&DiskSource::new(&root), &root)?;
        let identity = writer.identity(options.author.as_deref(), ctx.now)?;
        Ok(Transaction { root, config, identity, today: ctx.today, writer })
    }

    /// The write an interrupted crs left, finished or undone as this one began.
    pub fn recovered(&self) -> Option<&Recovered> {
        self.writer.recovered()
    }

    /// The organisations the register knows, for [`Transaction::checker`].
    pub fn orgs(&self) -> Result<Option<KnownOrgs>> {
        working_orgs(&self.root, &self.config)
    }

    /// The register's checker on `today`, with the organisations of `known`.
    pub fn checker<'a>(&'a self, ctx: &Ctx, known: Option<&'a KnownOrgs>) -> Checker<'a> {
        Checker::new(&self.config.framework, ctx.today, known)
    }

    /// Refuses when `path` (register-relative) has changes that are not committed.
    pub fn require_clean(&self, path: &str) -> Result<()> {
        self.writer.require_clean(path)
    }

    /// Refuses when any of `paths` has changes that are not committed.
    pub fn require_all_clean(&self, paths: &[&str]) -> Result<()> {
        self.writer.require_all_clean(paths)
    }

    /// The commit HEAD is on, if any.
    pub fn head(&self) -> Result<Option<String>> {
        self.writer.head_id()
    }

    /// Writes `files` and commits them, and only them, with `message`; tags the
    /// commit with `tag` (name, message) if given.
    pub fn commit(&self, files: &[FileWrite], message: &str, tag: Option<(&str, &str)>) -> Result<Committed> {
        self.commit_judged(files, &[], message, tag)
    }

    /// Begins a write of many files, each stored as it is given to
    /// [`Transaction::add_to`] so that their text is not held until the commit;
    /// [`Transaction::commit_large`] commits them. Dropped uncommitted, it leaves
    /// nothing behind.
    pub fn large_write(&self) -> Result<LargeWrite> {
        self.writer.large_write()
    }

    /// Stores `bytes` as the new content of `path` (register-relative) in `large`.
    pub fn add_to(&self, large: &mut LargeWrite, path: &str, bytes: &[u8]) -> Result<()> {
        self.writer.add_to(large, path, bytes)
    }

    /// As [`Transaction::commit`], for the files of `large`.
    pub fn commit_large(
        &self,
        large: LargeWrite,
        message: &str,
        tag: Option<(&str, &str)>,
    ) -> Result<Committed> {
        self.writer.commit_large(large, message, &self.identity, tag, &|path, ours, theirs| {
            self.hooked_record_problem(path, ours, theirs)
        })
    }

    /// Writes `files`, deletes `removed`, and commits those changes only.
    pub fn commit_changes(
        &self,
        files: &[FileWrite],
        removed: &[String],
        message: &str,
    ) -> Result<Committed> {
        self.commit_judged(files, removed, message, None)
    }

    /// The commit of both: a record the hooks changed is judged by the one checker.
    fn commit_judged(
        &self,
        files: &[FileWrite],
        removed: &[String],
        message: &str,
        tag: Option<(&str, &str)>,
    ) -> Result<Committed> {
        self.writer.commit_reviewed(files, removed, message, &self.identity, tag, &|path, ours, theirs| {
            self.hooked_record_problem(path, ours, theirs)
        })
    }

    /// Why a record the commit hooks left as `theirs` (crs wrote `ours`) may not be
    /// committed: it does not read as a record, or the one checker finds an error in
    /// it that crs's version did not have. `None` for a file that is not a record.
    fn hooked_record_problem(
        &self,
        path: &str,
        ours: Option<&[u8]>,
        theirs: Option<&[u8]>,
    ) -> Result<Option<String>> {
        let Some(id) = path.strip_suffix(".toml").and_then(|_| path.parse::<RecordId>().ok()) else {
            return Ok(None);
        };
        let Some(theirs) = theirs else {
            return Ok(ours.map(|_| "the record is deleted".to_owned()));
        };
        let read = |bytes: &[u8]| match std::str::from_utf8(bytes) {
            Ok(text) => parse(text).map(|record| (text.to_owned(), record)),
            Err(e) => Err(format!("it is not UTF-8 text ({e})")),
        };
        let (text, record) = match read(theirs) {
            Ok(read) => read,
            Err(message) => return Ok(Some(format!("it does not read as a record: {message}"))),
        };
        let known = self.orgs()?;
        let checker = Checker::new(&self.config.framework, self.today, known.as_ref());
        let errors = |text: &str, record: &crate::model::Record| {
            checker
                .check_one(&self.root, &id, record, text, true)
                .into_iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| (f.rule.name().to_owned(), f.message))
                .collect::<Vec<_>>()
        };
        let before = match ours.map(read) {
            Some(Ok((text, record))) => errors(&text, &record),
            _ => Vec::new(),
        };
        Ok(errors(&text, &record)
            .into_iter()
            .find(|error| !before.contains(error))
            .map(|(rule, message)| format!("it breaks the rule {rule}: {message}")))
    }
}

/// Commits the files of a new register in `dir` (its repository made already), but
/// those git ignores: the one write that has no register settings to read yet.
/// Returns the commit and the files committed.
pub fn commit_new_register(
    ctx: &Ctx,
    dir: &Path,
    options: &WriteOptions,
    mut files: Vec<FileWrite>,
    message: &str,
) -> Result<(Committed, Vec<FileWrite>)> {
    let writer = Writer::open(dir, options.setup(ctx), ctx.faults.clone())?;
    let identity = writer.identity(options.author.as_deref(), ctx.now)?;
    files.retain(|(path, _)| !writer.ignores(path));
    let committed = writer.commit(&files, message, &identity, None)?;
    Ok((committed, files))
}

/// What a killed `crs init` (or `crs init --adopt`) left in `dir`, mended before
/// init begins again: the write its journal names undone (or finished, if its
/// branch moved), and a repository it made that has no commit yet deleted, so that
/// init starts from nothing. Returns the write mended, if any.
pub fn mend_interrupted_init(ctx: &Ctx, dir: &Path, options: &WriteOptions) -> Result<Option<Recovered>> {
    if dir.is_dir() {
        new_repo::discard_temp(dir);
    }
    let recovered = match Writer::interrupted_write_near(dir) {
        Some(at) => Writer::open(&at, options.setup(ctx), ctx.faults.clone())?.recovered().cloned(),
        None => None,
    };
    if let Some(git_dir) = new_repo::unfinished(dir) {
        std::fs::remove_dir_all(&git_dir).map_err(|e| Error::io(&git_dir, e))?;
    }
    Ok(recovered)
}
