//! `crs log`: the register's audit trail from git — who changed what, when, and
//! which fields went from what to what.

use clap_complete::engine::ArgValueCandidates;

use crate::cli::complete;
use std::io::Write;

use clap::ValueEnum;

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::history::log::{ChangeKind, LogEntry, log};
use crate::model::RecordId;
use crate::report::style::printable;

/// Show the audit trail: who changed which record, when, and what changed
///
/// Examples:
///   crs log
///   crs log RJ1/maternity
///   crs log --format json -n 20
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct LogArgs {
    /// Only this record, e.g. RJ1/maternity.
    #[arg(add = ArgValueCandidates::new(complete::record_ids))]
    pub id: Option<RecordId>,
    /// At most this many commits.
    #[arg(long, short = 'n', value_name = "N")]
    pub limit: Option<usize>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

pub fn run(ctx: &Ctx, args: &LogArgs, io: &mut Io<'_>) -> Result<u8> {
    let root = ctx.register_root()?;
    let entries = log(&root, args.id.as_ref(), args.limit)?;
    if let Some(id) = args.id.as_ref().filter(|_| entries.is_empty())
        && !root.join(id.relative_path()).exists()
    {
        return Err(Error::NoSuchRecord { id: id.to_string(), path: id.relative_path_string() });
    }
    let out = &mut *io.out;
    match args.format {
        LogFormat::Json => serde_json::to_writer_pretty(&mut *out, &entries)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        LogFormat::Human => write_human(&entries, io.style, out),
    }
    .map_err(Error::Output)?;
    Ok(0)
}

fn write_human(
    entries: &[LogEntry],
    style: crate::report::style::Style,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let how = if entry.by_crs {
            String::new()
        } else {
            format!("  {}", style.warning("(by hand, not through crs)"))
        };
        writeln!(
            out,
            "{}  {}  {} <{}>{how}",
            style.bold(&entry.commit[..10.min(entry.commit.len())]),
            entry.date.format("%Y-%m-%d %H:%M %:z"),
            printable(&entry.author),
            printable(&entry.email)
        )?;
        writeln!(out, "    {}", printable(&entry.subject))?;
        for record in &entry.records {
            let what = match record.change {
                ChangeKind::Added => "added",
                ChangeKind::Changed => "changed",
                ChangeKind::Removed => "removed",
            };
            writeln!(out, "    {} {what}", record.record)?;
            for field in &record.fields {
                let old = field.old.as_deref().unwrap_or("(none)");
                let new = field.new.as_deref().unwrap_or("(none)");
                writeln!(
                    out,
                    "      {}: {} → {}",
                    printable(&field.field),
                    style.dim(&printable(old)),
                    printable(new)
                )?;
            }
        }
    }
    Ok(())
}
