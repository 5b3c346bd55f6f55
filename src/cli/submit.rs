//! `crs submit`: write the submission bundle — the workbook, a summary of the changes
//! since the last submission and a ready-to-send `.eml` — and record the submission
//! in git (a `submitted` event on each record included, one commit, one tag).

use std::path::PathBuf;

use crate::cli::Io;
use crate::cli::change::keep_line_endings;
use crate::cli::export::{Since, changes_line, gather};
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::export::bundle::{Sending, build_bundle, commit_message};
use crate::export::output::{prepare_folder, write_atomically};
use crate::export::scope::Scope;
use crate::history::identity::{self, Identity};
use crate::history::{self, Committed, Writer, submission_tag_name};
use crate::model::RecordId;
use crate::model::record::{Event, EventKind};
use crate::register::edit::RecordDoc;
use crate::register::source::{MAX_FILE_BYTES, plain_file};

/// Write the submission bundle and record the submission in git.
///
/// Writes into DIR (default: crs-submission-DATE in the working directory) the
/// workbook, a markdown summary of the changes since the last submission, and an
/// .eml message to the regulator ([submission] to in crs.toml, default
/// nhsi.crs@nhs.net) from the commissioner's contact, with the workbook attached.
/// Then records the submission: a submitted event on each record included, one
/// commit, and the annotated tag crs/submission/DATE. The register must be
/// committed and free of errors (crs check).
///
/// Examples:
///   crs submit --dry-run
///   crs submit -o submissions/2026-11
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct SubmitArgs {
    /// The folder to write the bundle into (created if its parent exists).
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Write the bundle only; record nothing in git.
    #[arg(long)]
    pub dry_run: bool,
}

/// Findings listed before a refusal; the rest are counted.
const FINDINGS_SHOWN: usize = 20;

pub fn run(ctx: &Ctx, args: &SubmitArgs, io: &mut Io<'_>) -> Result<u8> {
    let root = ctx.register_root()?;
    let tree = history::work_tree(&root)?.ok_or_else(|| {
        Error::git(
            format!("{} is not in a git repository; a submission is recorded in the register's history", root.display()),
            "put the register in git (git init, then commit it), or use crs export -o FILE for the workbook alone",
        )
    })?;
    let Some(head) = tree.head.clone() else {
        return Err(Error::git("the repository has no commits yet", "commit the register first"));
    };
    if !tree.changed.is_empty() {
        let files: Vec<&str> = tree.changed.iter().map(String::as_str).collect();
        let listed = format!(
            "{}{}",
            files.iter().take(10).copied().collect::<Vec<_>>().join(", "),
            if files.len() > 10 { ", …" } else { "" }
        );
        if !args.dry_run {
            return Err(Error::export(
                format!("the register has uncommitted changes ({listed}); a submission must match a commit"),
                "commit (or undo) them first; crs submit --dry-run writes the bundle without recording anything",
            ));
        }
        io.status(&format!("note: uncommitted changes ({listed}) are in this dry run's bundle"))?;
    }

    let gathered = gather(ctx, None, Since::LastSubmission)?;
    let errors = gathered.errors();
    if !errors.is_empty() || gathered.unreadable > 0 {
        for f in errors.iter().take(FINDINGS_SHOWN) {
            let place = f.line.map_or(String::new(), |l| format!(":{l}"));
            io.status(&format!("  {}[{}] {}{place}: {}", f.severity, f.rule, f.file, f.message))?;
        }
        if errors.len() > FINDINGS_SHOWN {
            io.status(&format!("  … and {} more", errors.len() - FINDINGS_SHOWN))?;
        }
        // Findings, not a failure to run: exit 1, as crs check would.
        let count = errors.len().max(gathered.unreadable);
        let (error, hint) = (io.style.error("error:"), io.style.bold("hint:"));
        writeln!(io.err, "{error} the register has {count} error(s); nothing was submitted")
            .map_err(Error::Output)?;
        writeln!(io.err, "{hint} fix what crs check reports, commit, and run crs submit again")
            .map_err(Error::Output)?;
        return Ok(1);
    }
    let tag = submission_tag_name(&ctx.today.to_string());
    let recording = match args.dry_run {
        true => None,
        false => Some(prepare_recording(ctx, &root, &head, &tag)?),
    };

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
        },
    )?;
    let dir = ctx
        .cwd
        .join(args.output.clone().unwrap_or_else(|| PathBuf::from(format!("crs-submission-{}", ctx.today))));
    prepare_folder(&dir)?;
    for file in bundle.files() {
        write_atomically(&dir.join(&file.name), &file.bytes)?;
    }
    io.status(&format!("wrote {}:", dir.display()))?;
    io.status(&format!(
        "  {}  the workbook: {} record(s) in scope",
        bundle.workbook.name,
        workbook.included.len()
    ))?;
    io.status(&format!("  {}  {}", bundle.summary.name, changes_line(&workbook)))?;
    io.status(&format!("  {}  the e-mail to {}, ready to send", bundle.email.name, settings.submission.to))?;

    if args.dry_run {
        io.status(&format!(
            "dry run: nothing recorded; crs submit would add a submitted event to {} record(s), commit, and tag {tag}",
            workbook.included.len()
        ))?;
        return Ok(0);
    }
    let recording = recording.expect("prepared unless --dry-run");
    let message = commit_message(&workbook, &tag, &settings.submission.to);
    let committed = record(ctx, &recording, &workbook.included, &tag, &message, &bundle.summary_text)?;
    io.status(&format!(
        "recorded the submission: a submitted event on {} record(s) in commit {}, tagged {tag}",
        workbook.included.len(),
        committed.short()
    ))?;
    Ok(0)
}

/// A repository opened, and checked, for recording a submission before anything
/// is written: so a refusal leaves no bundle that was never recorded.
struct Recording {
    writer: Writer,
    identity: Identity,
}

fn prepare_recording(ctx: &Ctx, root: &std::path::Path, built_from: &str, tag: &str) -> Result<Recording> {
    let writer = Writer::open(root, false)?;
    let identity = identity::resolve(writer.repo(), &ctx.vars, None, ctx.now)?;
    if writer.tag_exists(tag) {
        return Err(Error::NotAllowed {
            message: format!("a submission was already recorded today ({tag})"),
            hint: "send the bundle of today's submission (crs submit --dry-run writes it again), or submit tomorrow".to_owned(),
        });
    }
    if writer.head_id()?.as_deref() != Some(built_from) {
        return Err(Error::git(
            "the branch moved while the submission was being prepared",
            "run crs submit again",
        ));
    }
    Ok(Recording { writer, identity })
}

/// Records the submission: a `submitted` event on each record included, in one
/// commit of exactly those files, and the annotated tag `tag` on that commit.
fn record(
    ctx: &Ctx,
    recording: &Recording,
    records: &[RecordId],
    tag: &str,
    message: &str,
    summary: &str,
) -> Result<Committed> {
    let root = ctx.register_root()?;
    let event = Event { on: ctx.today, kind: EventKind::Submitted, note: Some(tag.to_owned()) };
    let mut files = Vec::with_capacity(records.len());
    for id in records {
        let path = id.relative_path_string();
        recording.writer.require_clean(&path)?;
        let full = plain_file(&root, &path, MAX_FILE_BYTES)?
            .ok_or_else(|| Error::NoSuchRecord { id: id.to_string(), path: path.clone() })?;
        let text = std::fs::read_to_string(&full).map_err(|e| Error::io(&full, e))?;
        let mut doc =
            RecordDoc::parse(&text).map_err(|e| Error::Invalid { message: format!("{path}: {e}") })?;
        doc.push_event(&event);
        doc.record().map_err(|e| Error::Invalid { message: format!("{path}: {}", e.message()) })?;
        files.push((path, keep_line_endings(&text, doc.text()).into_bytes()));
    }
    let committed = recording.writer.commit(&files, message, &recording.identity)?;
    recording.writer.tag_head(tag, summary, &recording.identity)?;
    Ok(committed)
}
