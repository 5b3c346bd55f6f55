//! `crs check`: validate the whole register and report every finding.

use crate::cli::Io;
use crate::cli::common::open;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::finding::Summary;
use crate::model::RecordSummary;
use crate::register::load;
use crate::report::{CheckFormat, CheckReport, render_check};

/// Check every record against the framework; exit 1 when any error is found.
///
/// Examples:
///   crs check
///   crs check --strict --format json
///   crs check --as-of 2025-03-31
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct CheckArgs {
    /// How to write the report.
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
    /// Treat warnings as failures too (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Check the register as it stood at the end of DATE, or at a git revision.
    #[arg(long, value_name = "DATE|REV")]
    pub as_of: Option<String>,
}

pub fn run(ctx: &Ctx, args: &CheckArgs, io: &mut Io<'_>) -> Result<u8> {
    let opened = open(ctx, args.as_of.as_deref())?;
    let loaded = load(opened.source.as_ref(), &opened.config.framework, opened.today, |p| {
        RecordSummary::new(&p.id, p.file, &p.record, p.status)
    })?;
    let summary = Summary::of(loaded.files, &loaded.findings);
    let report = CheckReport { summary, findings: loaded.findings, records: loaded.items, notes: Vec::new() };
    render_check(args.format, &report, io.style, io.out).map_err(Error::Output)?;
    let failed = summary.errors > 0 || (args.strict && summary.warnings > 0);
    Ok(u8::from(failed))
}
