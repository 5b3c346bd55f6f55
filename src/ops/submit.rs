//! A submission: the bundle for the regulator (workbook, summary of changes, e-mail)
//! written to a folder, and the submission recorded in one transaction — a
//! `submitted` event on each record included, one commit, and the tag
//! `crs/submission/DATE` (`DATE.2`, … for later ones the same day) on that commit.
//! A submission killed between its commit and its tag is finished by the next crs
//! write; `crs submit` run again then stops there rather than record it twice.

use std::path::{Path, PathBuf};

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::export::bundle::{Sending, build_bundle, commit_message};
use crate::export::output::{prepare_folder, write_atomically};
use crate::export::scope::Scope;
use crate::framework::Finding;
use crate::history::repo::prefix_of;
use crate::history::{self, Committed, Recovered, submission_tag_name};
use crate::model::RecordId;
use crate::model::record::{Event, EventKind};
use crate::ops::change::keep_line_endings;
use crate::ops::export::{Since, changes_line, gather};
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
/// working directory) and, unless `dry_run`, records it.
pub fn submit(ctx: &Ctx, output: Option<&Path>, dry_run: bool, options: &WriteOptions) -> Result<Submission> {
    let root = ctx.register_root()?;
    if prefix_of(&root).is_none() {
        return Err(Error::git(
            format!(
                "{} is not in a git repository; a submission is recorded in the register's history",
                root.display()
            ),
            "put the register in git (git init, then commit it), or use crs export -o FILE for the workbook alone",
        ));
    }
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
    let tree = history::work_tree(&root)?.unwrap_or_default();
    // A submission recorded today on the very commit HEAD is on, whose bundle is in
    // the folder this one would write, was made by a crs killed after it finished (in
    // a post-commit hook, or while printing): run again, it is not recorded twice.
    if tx.is_some()
        && let Some(head) = &tree.head
        && let Some(tag) = history::tags::submissions_on(&root, head)?.into_iter().find(|name| {
            let day = name.strip_prefix(history::tags::SUBMISSION_TAG_PREFIX).unwrap_or(name);
            day.split('.').next() == Some(ctx.today.to_string().as_str())
                && bundle_of(&bundle_folder(ctx, output, day), name)
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

    let gathered = gather(ctx, None, Since::LastSubmission)?;
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

    let settings = gathered.config.settings.clone();
    let workbook = gathered.workbook(ctx, &Scope::default(), false);
    let bundle = build_bundle(
        &workbook,
        &Sending {
            date: ctx.today,
            now: ctx.now,
            to: &settings.submission.to,
            from_name: &settings.commissioner.name,
            from_address: &settings.commissioner.contact,
            commissioner_code: &settings.commissioner.ods,
            tag: &tag,
        },
    )?;
    let day_part = tag.strip_prefix(history::tags::SUBMISSION_TAG_PREFIX).unwrap_or(&tag);
    let dir = bundle_folder(ctx, output, day_part);
    prepare_folder(&dir)?;
    for file in bundle.files() {
        write_atomically(&dir.join(&file.name), &file.bytes)?;
    }
    let recorded = match &tx {
        Some(tx) => {
            let message = commit_message(&workbook, &tag, &settings.submission.to);
            Some(record(ctx, tx, &workbook.included, &tag, &message, &bundle.summary_text)?)
        }
        None => None,
    };
    Ok(Submission::Written(Box::new(Written {
        dir,
        workbook: bundle.workbook.name.clone(),
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

/// The folder a submission's bundle goes to: `output`, or `crs-submission-DAY` (the
/// day part of its tag, `2026-11-23.2`) in the working directory.
fn bundle_folder(ctx: &Ctx, output: Option<&Path>, day_part: &str) -> PathBuf {
    ctx.cwd
        .join(output.map_or_else(|| PathBuf::from(format!("crs-submission-{day_part}")), Path::to_path_buf))
}

/// Whether `folder` holds the bundle of the submission tagged `tag`: a manifest
/// naming it.
fn bundle_of(folder: &Path, tag: &str) -> bool {
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
