//! `crs submit`: write the submission bundle — the workbook, its JSON twin, a summary
//! of the changes since the last submission, a ready-to-send `.eml` and the manifest
//! that `crs verify` checks — and record the submission
//! in git (a `submitted` event on each record included, one commit, one tag).

use std::path::PathBuf;

use crate::cli::Io;
use crate::cli::common::{render_index_warning, render_recovered};
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::model::Date;
use crate::ops::submit::{Submission, listed, submit};
use crate::ops::transaction::WriteOptions;

/// Write the submission bundle and record the submission in git.
///
/// Writes into DIR (default: crs-submission-DATE in the working directory) the
/// workbook, the same rows as JSON, a markdown summary of the changes since the last
/// submission, an .eml message to the regulator ([submission] to in crs.toml,
/// default nhsi.crs@nhs.net) from the commissioner's contact with the workbook, the
/// JSON and the manifest attached, and manifest.json: the commit, the tag and the
/// SHA-256 of each file. The files are made from the commit alone, so crs verify
/// can make them again and compare them byte for byte.
/// Then records the submission: a submitted event on each record included, one
/// commit, and the annotated tag crs/submission/DATE (DATE.2, DATE.3 for later
/// submissions the same day). The register must be
/// committed and free of errors (crs check).
///
/// The changes are those since the last submission crs recorded. For a register
/// whose last submission was sent some other way, --last-sent DATE gives its day:
/// the changes are then those the records date after it (decisions, events and
/// stage assessments; a step whose day is not recorded counts on the latest day it
/// can have happened), and the submission crs records is the baseline from then on.
///
/// Examples:
///   crs submit --dry-run
///   crs submit -o submissions/2026-11
///   crs submit --last-sent 2026-05-01
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct SubmitArgs {
    /// The folder to write the bundle into (created if its parent exists).
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Write the bundle only; record nothing in git.
    #[arg(long)]
    pub dry_run: bool,
    /// The day the last submission was sent outside crs: the changes are those the
    /// records date after it.
    #[arg(long, value_name = "DATE")]
    pub last_sent: Option<Date>,
}

/// Findings listed before a refusal; the rest are counted.
const FINDINGS_SHOWN: usize = 20;

pub fn run(ctx: &Ctx, args: &SubmitArgs, io: &mut Io<'_>) -> Result<u8> {
    let options = WriteOptions::default();
    let written = match submit(ctx, args.output.as_deref(), args.dry_run, args.last_sent, &options)? {
        Submission::Refused { errors, unreadable } => {
            for f in errors.iter().take(FINDINGS_SHOWN) {
                let place = f.line.map_or(String::new(), |l| format!(":{l}"));
                io.status(&format!("  {}[{}] {}{place}: {}", f.severity, f.rule, f.file, f.message))?;
            }
            if errors.len() > FINDINGS_SHOWN {
                io.status(&format!("  … and {} more", errors.len() - FINDINGS_SHOWN))?;
            }
            // Findings, not a failure to run: exit 1, as crs check would.
            let count = errors.len().max(unreadable);
            let (error, hint) = (io.style.error("error:"), io.style.bold("hint:"));
            writeln!(io.err, "{error} the register has {count} error(s); nothing was submitted")
                .map_err(Error::Output)?;
            writeln!(io.err, "{hint} fix what crs check reports, commit, and run crs submit again")
                .map_err(Error::Output)?;
            return Ok(1);
        }
        Submission::Finished { recovered } => {
            render_recovered(io, &recovered)?;
            io.status(
                "the interrupted submission is now recorded; its bundle is the one written then, so nothing more was done",
            )?;
            return Ok(0);
        }
        Submission::AlreadyRecorded { tag, commit } => {
            io.status(&format!(
                "this submission is recorded already: {tag} is on commit {}, where the register still is; nothing more was done",
                &commit[..commit.len().min(10)]
            ))?;
            return Ok(0);
        }
        Submission::Written(written) => written,
    };
    if let Some(recovered) = &written.recovered {
        render_recovered(io, recovered)?;
    }
    if !written.uncommitted.is_empty() {
        io.status(&format!(
            "note: uncommitted changes ({}) are in this dry run's bundle",
            listed(&written.uncommitted)
        ))?;
    }
    io.status(&format!("wrote {}:", written.dir.display()))?;
    io.status(&format!("  {}  the workbook: {} record(s) in scope", written.workbook, written.records))?;
    io.status(&format!("  {}  the workbook's rows as data", written.json))?;
    io.status(&format!("  {}  {}", written.summary, written.changes))?;
    io.status(&format!(
        "  {}  the e-mail to {}, ready to send, with the workbook, the JSON and the manifest attached",
        written.email, written.to
    ))?;
    io.status(&format!(
        "  {}  the commit, the tag and each file's SHA-256: crs verify {} checks them",
        written.manifest,
        written.dir.display()
    ))?;
    match &written.recorded {
        None => io.status(&format!(
            "dry run: nothing recorded; crs submit would add a submitted event to {} record(s), commit, and tag {}",
            written.records, written.tag
        ))?,
        Some(committed) => {
            io.status(&format!(
                "recorded the submission: a submitted event on {} record(s) in commit {}, tagged {}",
                written.records,
                committed.short(),
                written.tag
            ))?;
            render_index_warning(io, committed)?;
        }
    }
    Ok(0)
}
