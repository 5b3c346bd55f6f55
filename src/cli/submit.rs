//! `crs submit`: write the submission bundle — the workbook, a summary of the changes
//! since the last submission and a ready-to-send `.eml` — and record the submission
//! in git (a `submitted` event on each record included, one commit, one tag).

use std::path::PathBuf;

use crate::cli::Io;
use crate::cli::export::{Gathered, Since, changes_line, gather};
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::export::bundle::{Sending, build_bundle, commit_message};
use crate::export::email::check_address;
use crate::export::output::{prepare_folder, write_atomically};
use crate::export::scope::Scope;
use crate::history::{self, SubmissionRequest, record_submission, submission_tag_name};
use crate::register::config::SETTINGS_FILE;
use crate::register::locate::locate;

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
    check_addresses(&gathered)?;

    let settings = &gathered.config.settings;
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

    let tag = submission_tag_name(&ctx.today.to_string());
    if args.dry_run {
        io.status(&format!(
            "dry run: nothing recorded; crs submit would add a submitted event to {} record(s), commit, and tag {tag}",
            workbook.included.len()
        ))?;
        return Ok(0);
    }
    let request = SubmissionRequest {
        date: ctx.today,
        tag: tag.clone(),
        records: workbook.included.clone(),
        event_note: tag.clone(),
        commit_message: commit_message(&workbook, &tag, &settings.submission.to),
        tag_message: bundle.summary_text.clone(),
        built_from: head,
    };
    let recorded = record_submission(&root, &request)?;
    io.status(&format!(
        "recorded the submission: a submitted event on {} record(s) in commit {}, tagged {}",
        request.records.len(),
        &recorded.commit[..12.min(recorded.commit.len())],
        recorded.tag
    ))?;
    Ok(0)
}

/// The e-mail's addresses must be plain addresses: they go into headers.
fn check_addresses(gathered: &Gathered) -> Result<()> {
    let settings = &gathered.config.settings;
    for (key, address) in
        [("commissioner.contact", &settings.commissioner.contact), ("submission.to", &settings.submission.to)]
    {
        if let Err(message) = check_address(address) {
            let path = gathered.root.join(SETTINGS_FILE);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let (line, column) = locate(&text, key).unwrap_or((1, 1));
            return Err(Error::Config { file: path, line, column, message: format!("{key}: {message}") });
        }
    }
    Ok(())
}
