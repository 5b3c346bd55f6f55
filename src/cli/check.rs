//! `crs check`: validate the whole register and report every finding.

use crate::cli::Io;
use crate::cli::common::open;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::finding::Summary;
use crate::history::changed::changed_since;
use crate::model::RecordSummary;
use crate::register::load;
use crate::report::{CheckFormat, CheckReport, render_check};

/// Check every record against the framework; exit 1 when any error is found
///
/// Examples:
///   crs check
///   crs check --strict --format json
///   crs check --as-of 2025-03-31
///   crs check --changed-only origin/main --format github
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
    /// Report only records changed since REV (committed, staged, edited or new);
    /// rules that compare records still see the whole register.
    #[arg(long, value_name = "REV", conflicts_with = "as_of")]
    pub changed_only: Option<String>,
}

pub fn run(ctx: &Ctx, args: &CheckArgs, io: &mut Io<'_>) -> Result<u8> {
    let opened = open(ctx, args.as_of.as_deref())?;
    let loaded = load(opened.source.as_ref(), &opened.config.framework, opened.today, |p| {
        RecordSummary::new(&p.id, p.file, &p.record, p.status)
    })?;
    let (mut findings, mut records, mut files, mut notes) =
        (loaded.findings, loaded.items, loaded.files, Vec::new());
    if let Some(rev) = &args.changed_only {
        let changed = changed_since(&opened.root, rev)?;
        findings.retain(|f| changed.contains(&f.file));
        records.retain(|r| changed.contains(&r.file));
        let checked = changed.iter().filter(|p| p.ends_with(".toml") && p.contains('/')).count();
        notes.push(format!("{checked} of {files} record files changed since {rev}; only those are reported"));
        files = checked;
    }
    let summary = Summary::of(files, &findings);
    let report = CheckReport { summary, findings, records, notes };
    render_check(args.format, &report, io.style, io.out).map_err(Error::Output)?;
    let failed = summary.errors > 0 || (args.strict && summary.warnings > 0);
    Ok(u8::from(failed))
}
