//! A submission: the bundle for the regulator (workbook, its JSON twin, summary of
//! changes, e-mail, manifest) made from the commit submitted and written to a
//! folder, and the submission recorded in one transaction — a `submitted` event on
//! each record included, one commit, and the tag
//! `crs/submission/DATE` (`DATE.2`, … for later ones the same day) on that commit.
//! A submission killed between its commit and its tag is finished by the next crs
//! write; `crs submit` run again then stops there rather than record it twice. One
//! that cannot be recorded (its tag locked, say) deletes the bundle files it wrote.

use std::path::{Path, PathBuf};

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::export::bundle::{Bundle, Sending, build_bundle, commit_message};
use crate::export::output::{prepare_folder, refuse_tracked, write_atomically};
use crate::export::scope::Scope;
use crate::export::workbook::Workbook;
use crate::framework::Finding;
use crate::history::repo::prefix_of;
use crate::history::{self, Committed, Recovered, submission_tag_name};
use crate::model::record::{Event, EventKind};
use crate::model::{Date, RecordId};
use crate::ops::change::keep_line_endings;
use crate::ops::export::{Gathered, Since, changes_line, gather};
use crate::ops::transaction::{Transaction, WriteOptions};
use crate::register::edit::RecordDoc;
use crate::register::source::{MAX_FILE_BYTES, plain_file};

/// What `submit` did.
pub enum Submission {
    /// The register has errors; nothing was written.
    Refused { errors: Vec<Finding>, unreadable: usize },
    /// An interrupted submission was finished; nothing else was done.
    Finished { recovered: Recovered },
    /// HEAD is the commit of a submission recorded today (`tag`) whose bundle is in
    /// the folder asked for: a re-run of a finished submission; nothing was done.
    AlreadyRecorded { tag: String, commit: String },
    /// The bundle was written, and the submission recorded unless a dry run.
    Written(Box<Written>),
}

/// A bundle written.
pub struct Written {
    pub dir: PathBuf,
    pub workbook: String,
    pub json: String,
    pub summary: String,
    pub email: String,
    pub manifest: String,
    pub records: usize,
    /// One line on the changes since the last submission.
    pub changes: String,
    pub to: String,
    pub tag: String,
    /// Uncommitted files a dry run's bundle includes.
    pub uncommitted: Vec<String>,
    /// The commit recording the submission; `None` for a dry run.
    pub recorded: Option<Committed>,
    pub recovered: Option<Recovered>,
}

/// Writes the submission bundle into `output` (default `crs-submission-DATE` in the
/// working directory) and, unless `dry_run`, records it. With `last_sent`, the
/// changes are measured from the day the last submission was sent outside crs,
/// by the dates the records give, rather than from the last submission crs made.
pub fn submit(
    ctx: &Ctx,
    output: Option<&Path>,
    dry_run: bool,
    last_sent: Option<Date>,
    options: &WriteOptions,
) -> Result<Submission> {
    let root = ctx.register_root()?;
    require_git(&root)?;
    // The transaction first, as every write takes it: it waits for another crs write
    // to finish before the tree is looked at, and finishes an interrupted submission
    // before anything is read, so that a re-run never records it twice.
    let tx = match dry_run {
        true => None,
        false => Some(Transaction::begin(ctx, options)?),
    };
    let recovered = tx.as_ref().and_then(|tx| tx.recovered().cloned());
    if let Some(recovered) = recovered.clone().filter(|r| r.tag.is_some()) {
        return Ok(Submission::Finished { recovered });
    }
    let tree = history::work_tree(&root, &ctx.vars)?.unwrap_or_default();
    // A submission recorded today on the very commit HEAD is on, whose bundle is in
    // the folder this one would write, was made by a crs killed after it finished (in
    // a post-commit hook, or while printing): run again, it is not recorded twice.
    if tx.is_some()
        && let Some(head) = &tree.head
        && let Some(tag) = history::tags::submissions_on(&root, head)?.into_iter().find(|name| {
            let day = name.strip_prefix(history::tags::SUBMISSION_TAG_PREFIX).unwrap_or(name);
            day.split('.').next() == Some(ctx.today.to_string().as_str())
                && holds_bundle_of(&bundle_folder(ctx, output, day), name)
        })
    {
        return Ok(Submission::AlreadyRecorded { tag, commit: head.clone() });
    }
    let Some(head) = tree.head.clone() else {
        return Err(Error::git("the repository has no commits yet", "commit the register first"));
    };
    let uncommitted: Vec<String> = tree.changed.iter().cloned().collect();
    if !uncommitted.is_empty() && !dry_run {
        return Err(Error::export(
            format!(
                "the register has uncommitted changes ({}); a submission must match a commit",
                listed(&uncommitted)
            ),
            "commit (or undo) them first; crs submit --dry-run writes the bundle without recording anything",
        ));
    }

    if let Some(day) = last_sent {
        check_last_sent(&root, day, ctx.today)?;
    }
    // A submission is read from its commit, as crs verify reads it again; only a
    // dry run with uncommitted changes reads the working tree.
    let gathered = gather_submission(ctx, uncommitted.is_empty().then_some(head.as_str()), last_sent)?;
    let errors: Vec<Finding> = gathered.errors().into_iter().cloned().collect();
    if !errors.is_empty() || gathered.unreadable > 0 {
        return Ok(Submission::Refused { errors, unreadable: gathered.unreadable });
    }
    let tag = submission_tag_name(&ctx.today.to_string(), |name| history::tags::tag_exists(&root, name));
    if let Some(tx) = &tx
        && tx.head()?.as_deref() != Some(head.as_str())
    {
        return Err(Error::Busy {
            message: "the branch moved while the submission was being prepared".into(),
            hint: "nothing was recorded; run crs submit again".into(),
        });
    }

    let day_part = tag.strip_prefix(history::tags::SUBMISSION_TAG_PREFIX).unwrap_or(&tag);
    let dir = bundle_folder(ctx, output, day_part);
    // The bundle's folder may not be made yet; its parent is on the same disk.
    let scratch = if dir.is_dir() { dir.clone() } else { dir.parent().unwrap_or(&ctx.cwd).to_path_buf() };
    let settings = gathered.config.settings.clone();
    let (workbook, bundle) = bundle_of(ctx, gathered, ctx.today, &tag, None, last_sent, &scratch)?;
    let (new_folder, new_files) = write_bundle(&dir, &bundle)?;
    let recorded = match &tx {
        Some(tx) => {
            let message = commit_message(&workbook, &tag, &settings.submission.to, last_sent);
            match record(ctx, tx, &workbook.included, &tag, &message, &bundle.summary_text) {
                Ok(committed) => Some(committed),
                Err(error) => {
                    // Only while the branch is where it was: a commit that stands
                    // keeps its bundle.
                    if tx.head().ok().flatten().as_deref() == Some(head.as_str()) {
                        remove_unrecorded(&dir, new_folder, &new_files);
                    }
                    return Err(error);
                }
            }
        }
        None => None,
    };
    Ok(Submission::Written(Box::new(Written {
        dir,
        workbook: bundle.workbook.name.clone(),
        json: bundle.json.name.clone(),
        summary: bundle.summary.name.clone(),
        email: bundle.email.name.clone(),
        manifest: bundle.manifest.name.clone(),
        records: workbook.included.len(),
        changes: changes_line(&workbook),
        to: settings.submission.to.clone(),
        tag,
        uncommitted,
        recorded,
        recovered,
    })))
}

/// Refuses a register that is not in a git repository: a submission is recorded in
/// its history.
fn require_git(root: &Path) -> Result<()> {
    if prefix_of(root).is_none() {
        return Err(Error::git(
            format!(
                "{} is not in a git repository; a submission is recorded in the register's history",
                root.display()
            ),
            "put the register in git (git init, then commit it), or use crs export -o FILE for the workbook alone",
        ));
    }
    Ok(())
}

/// Writes the bundle's files into `dir` (made if need be), refusing first any that
/// git tracks; returns whether the folder is new and the files that are, so that a
/// submission that cannot be recorded can take them away again.
fn write_bundle(dir: &Path, bundle: &Bundle) -> Result<(bool, Vec<PathBuf>)> {
    for file in bundle.files() {
        refuse_tracked(&dir.join(&file.name))?;
    }
    let new_folder = !dir.exists();
    prepare_folder(dir)?;
    let mut new_files = Vec::new();
    for file in bundle.files() {
        let path = dir.join(&file.name);
        let new_file = !path.exists();
        if let Err(e) = write_atomically(&path, &file.bytes) {
            // A bundle half written is taken away again: what was new goes.
            for written in &new_files {
                let _ = std::fs::remove_file(written);
            }
            if new_folder {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(e);
        }
        if new_file {
            new_files.push(path);
        }
    }
    Ok((new_folder, new_files))
}

/// Refuses a `--last-sent` day after today, or before the last submission crs
/// recorded: that one, not an earlier one sent by hand, is what was last sent.
fn check_last_sent(root: &Path, day: Date, today: Date) -> Result<()> {
    if day > today {
        return Err(Error::Usage(format!(
            "--last-sent {day} is after today ({today}); give the day the last submission was sent"
        )));
    }
    let Some(tag) = history::last_submission(root, None)? else { return Ok(()) };
    let recorded = tag
        .name
        .strip_prefix(history::tags::SUBMISSION_TAG_PREFIX)
        .and_then(|rest| rest.split('.').next())
        .and_then(|d| d.parse::<Date>().ok());
    match recorded {
        Some(recorded) if recorded > day => Err(Error::Input {
            message: format!(
                "--last-sent {day} is before the last submission crs recorded ({}, of {}); a later submission is measured from that one",
                tag.name,
                recorded.in_words()
            ),
            hint: format!(
                "drop --last-sent: the last submission crs recorded, {}, is the baseline; run crs submit again without it",
                tag.name
            ),
        }),
        _ => Ok(()),
    }
}

/// Deletes the bundle files a submission that could not be recorded wrote anew (and
/// its folder, when it made it), so that no bundle names a submission git does not
/// hold. Files that were there before are left.
fn remove_unrecorded(dir: &Path, new_folder: bool, new_files: &[PathBuf]) {
    for path in new_files {
        let _ = std::fs::remove_file(path);
    }
    if new_folder {
        let _ = std::fs::remove_dir(dir);
    }
}

/// The register gathered for a submission, from `commit` (or the working tree when
/// `None`), its changes measured since the last submission before it, or with
/// `last_sent` since that day (a submission sent outside crs).
pub(crate) fn gather_submission(
    ctx: &Ctx,
    commit: Option<&str>,
    last_sent: Option<Date>,
) -> Result<Gathered> {
    let since = last_sent.map_or(Since::LastSubmission, Since::LastSent);
    let mut gathered = gather(ctx, commit, since)?;
    if let Some(commit) = commit {
        gathered.source = format!("commit {}", &commit[..12.min(commit.len())]);
    }
    Ok(gathered)
}

/// The workbook and bundle of a submission made on `date` and tagged `tag`, from
/// what was gathered; `register` names the register in place of its folder's name
/// (the name a bundle being verified was made with); the workbook's temporary files
/// go in `scratch`.
pub(crate) fn bundle_of(
    ctx: &Ctx,
    gathered: Gathered,
    date: Date,
    tag: &str,
    register: Option<&str>,
    last_sent: Option<Date>,
    scratch: &Path,
) -> Result<(Workbook, Bundle)> {
    let settings = gathered.config.settings.clone();
    let mut workbook = gathered.workbook(ctx, &Scope::default(), false);
    if let Some(name) = register {
        workbook.about.register = name.to_owned();
    }
    let bundle = build_bundle(
        &mut workbook,
        &Sending {
            date,
            to: &settings.submission.to,
            from_name: &settings.commissioner.name,
            from_address: &settings.commissioner.contact,
            commissioner_code: &settings.commissioner.ods,
            tag,
            last_sent,
            scratch,
        },
    )?;
    Ok((workbook, bundle))
}

/// The folder a submission's bundle goes to: `output`, or `crs-submission-DAY` (the
/// day part of its tag, `2026-11-23.2`) in the working directory.
fn bundle_folder(ctx: &Ctx, output: Option<&Path>, day_part: &str) -> PathBuf {
    ctx.cwd
        .join(output.map_or_else(|| PathBuf::from(format!("crs-submission-{day_part}")), Path::to_path_buf))
}

/// Whether `folder` holds the bundle of the submission tagged `tag`: a manifest
/// naming it.
fn holds_bundle_of(folder: &Path, tag: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(folder) else { return false };
    entries.flatten().any(|entry| {
        entry.file_name().to_string_lossy().ends_with("manifest.json")
            && std::fs::read(entry.path())
                .ok()
                .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
                .is_some_and(|manifest| manifest["tag"] == tag)
    })
}

/// Up to ten names, then an ellipsis.
pub fn listed(files: &[String]) -> String {
    let shown: Vec<&str> = files.iter().take(10).map(String::as_str).collect();
    format!("{}{}", shown.join(", "), if files.len() > 10 { ", …" } else { "" })
}

/// Records the submission: a `submitted` event on each record included, in one
/// commit of exactly those files, tagged `tag`.
fn record(
    ctx: &Ctx,
    tx: &Transaction,
    records: &[RecordId],
    tag: &str,
    message: &str,
    summary: &str,
) -> Result<Committed> {
    let event = Event::dated(ctx.today, EventKind::Submitted, Some(tag.to_owned()));
    let mut files = Vec::with_capacity(records.len());
    for id in records {
        let path = id.relative_path_string();
        tx.require_clean(&path)?;
        let full = plain_file(&tx.root, &path, MAX_FILE_BYTES)?
            .ok_or_else(|| Error::NoSuchRecord { id: id.to_string(), path: path.clone() })?;
        let text = std::fs::read_to_string(&full).map_err(|e| Error::io(&full, e))?;
        let mut doc = RecordDoc::parse(&text)
            .map_err(|e| Error::RecordText { path: path.clone(), message: e.to_string() })?;
        doc.push_event(&event);
        doc.record()
            .map_err(|e| Error::RecordText { path: path.clone(), message: e.message().to_owned() })?;
        files.push((path, keep_line_endings(&text, doc.text()).into_bytes()));
    }
    tx.commit(&files, message, Some((tag, summary)))
}
