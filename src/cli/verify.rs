//! `crs verify`: check a submission bundle against the register, and say which of
//! its files, if any, the commit it names does not give.

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::ops::verify::{Verdict, Verification, verify};

/// Check a submission bundle against the register it came from.
///
/// BUNDLE is the folder crs submit wrote, or the .eml it wrote (as sent to the
/// regulator). Its manifest names the register commit; crs makes every file of the
/// bundle again from that commit and compares them byte for byte, and checks each
/// file's SHA-256 against the manifest. In an .eml the attached workbook, JSON and
/// manifest are checked.
///
/// Exit status: 0 when every file matches, 1 when a file differs or is missing
/// (each is named), 2 when the bundle or its manifest cannot be read or the
/// repository does not hold the commit.
///
/// Examples:
///   crs verify crs-submission-2026-11-23
///   crs verify crs-submission-2026-11-23/crs-QKK-2026-11-23.eml
///   crs verify crs-submission-2026-11-23 --format json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct VerifyArgs {
    /// The bundle: a folder crs submit wrote, or its .eml.
    #[arg(value_name = "BUNDLE")]
    pub bundle: PathBuf,
    /// human, or json for scripts.
    #[arg(long, value_enum, default_value = "human")]
    pub format: VerifyFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Human,
    Json,
}

pub fn run(ctx: &Ctx, args: &VerifyArgs, io: &mut Io<'_>) -> Result<u8> {
    let verification = verify(ctx, &args.bundle)?;
    let out = &mut *io.out;
    match args.format {
        VerifyFormat::Json => serde_json::to_writer_pretty(&mut *out, &verification)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        VerifyFormat::Human => write_human(&verification, out),
    }
    .map_err(Error::Output)?;
    Ok(if verification.all_match() { 0 } else { 1 })
}

fn write_human(v: &Verification, out: &mut dyn Write) -> std::io::Result<()> {
    let short = &v.commit[..7.min(v.commit.len())];
    let tag = if v.tag_in_repository {
        format!("tag {}", v.tag)
    } else {
        format!("tag {}, which this repository does not hold", v.tag)
    };
    let total = v.files.len();
    if v.all_match() {
        writeln!(out, "All {total} files match commit {short} ({tag}):")?;
        for file in &v.files {
            writeln!(out, "  {}", file.name)?;
        }
        return Ok(());
    }
    for file in &v.files {
        let what = match file.verdict {
            Verdict::Missing => "missing from the bundle".to_owned(),
            Verdict::Differs => format!("differs from what commit {short} gives"),
            Verdict::Matches => format!("is what commit {short} gives"),
        };
        let digest = match file.sha256_matches_manifest {
            Some(false) => ", and its SHA-256 is not the one in the manifest",
            _ => "",
        };
        if !file.ok() {
            writeln!(out, "{}: {what}{digest}", file.name)?;
        }
    }
    let failing = v.files.iter().filter(|f| !f.ok()).count();
    if failing > 0 {
        let verb = if failing == 1 { "does" } else { "do" };
        writeln!(out, "{failing} of {total} files {verb} not match commit {short} ({tag})")?;
    }
    if v.tag_records_commit == Some(false) {
        writeln!(
            out,
            "The tag {} records another submission, not one made on commit {short}: this bundle was never recorded as sent (its submission was interrupted and undone, or the tag was moved); do not send it, and run crs submit again",
            v.tag
        )?;
    }
    if v.uncommitted_files > 0 {
        writeln!(
            out,
            "note: the bundle was written with uncommitted changes to {} file(s) (a dry run), which no commit holds",
            v.uncommitted_files
        )?;
    }
    if v.baseline_in_bundle != v.baseline_here {
        let name = |c: &Option<String>| {
            c.as_deref()
                .map_or("no previous submission".to_owned(), |c| format!("commit {}", &c[..7.min(c.len())]))
        };
        writeln!(
            out,
            "note: the bundle's changes are measured from {}, but this repository's submission tags give {}: fetch the tags (git fetch --tags)",
            name(&v.baseline_in_bundle),
            name(&v.baseline_here)
        )?;
    }
    if v.written_by != v.verified_by {
        writeln!(
            out,
            "note: the bundle was written by crs {}, and this is crs {}, which may write the same register differently",
            v.written_by, v.verified_by
        )?;
    }
    Ok(())
}
