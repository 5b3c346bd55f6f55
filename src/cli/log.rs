//! `crs log`: the register's audit trail from git — who changed what, when, and
//! which fields went from what to what: in sentences for people (the words of
//! `model::labels`), with field paths in `--format json` for scripts.

use clap_complete::engine::ArgValueCandidates;

use crate::cli::complete;
use std::io::Write;

use clap::ValueEnum;

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::model::RecordId;
use crate::model::fields::FieldChange;
use crate::model::labels::{co_commissioner_succeeded, sentences};
use crate::ops::log::{ChangeKind, LogEntry, log};
use crate::text::printable;

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
    let entries = log(ctx, args.id.as_ref(), args.limit)?;
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
    style: crate::render::style::Style,
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
            let what = match (record.change, &record.unreadable) {
                (_, Some(why)) => format!("could not be read ({why})"),
                (ChangeKind::Added, None) => "added".to_owned(),
                (ChangeKind::Changed, None) => "changed".to_owned(),
                (ChangeKind::Moved, None) => {
                    let on = record.moved_on.map(|d| format!(" on {}", d.in_words())).unwrap_or_default();
                    format!("moved from {}{on}", record.previous_id.as_deref().unwrap_or("another id"))
                }
                // A record moved away from this id: not a designation removed.
                (ChangeKind::Removed, None) if entry.action.as_deref() == Some("move") => {
                    let to = entry
                        .subject
                        .strip_prefix(&format!("move {} to ", record.record))
                        .and_then(|rest| rest.split([':', ' ']).next())
                        .unwrap_or("a new id");
                    writeln!(
                        out,
                        "    {} moved to {} (crs log {} goes on from there)",
                        printable(&record.record),
                        printable(to),
                        printable(to)
                    )?;
                    continue;
                }
                (ChangeKind::Removed, None) => "removed".to_owned(),
            };
            writeln!(out, "    {} {}", printable(&record.record), printable(&what))?;
            // A move says where from above; the list of earlier ids would say it again.
            let moved = record.change == ChangeKind::Moved;
            let mut fields: Vec<_> =
                record.fields.iter().filter(|f| !(moved && f.field == "previous_ids")).cloned().collect();
            // A co-commissioner that closed was succeeded, not removed.
            if let Some(succession) = &entry.succession
                && let Some(at) = fields.iter().position(|f| co_commissioner_left(f, &succession.predecessor))
            {
                let change = fields.remove(at);
                let kept = change.new.as_deref().is_some_and(|list| lists(list, &succession.successor));
                let sentence =
                    co_commissioner_succeeded(&succession.predecessor, &[&succession.successor], !kept);
                writeln!(out, "      {}", printable(&sentence))?;
            }
            for sentence in sentences(&fields) {
                writeln!(out, "      {}", printable(&sentence))?;
            }
            // Each fact told as it was recorded, then said to be gone.
            let removed: Vec<FieldChange> = record
                .removed_in_merge
                .iter()
                .map(|c| FieldChange { field: c.field.clone(), old: None, new: c.old.clone(), item: None })
                .collect();
            for sentence in sentences(&removed) {
                writeln!(out, "      Removed in a merge: {}", printable(&sentence))?;
            }
        }
    }
    Ok(())
}

/// True when `change` takes `code` out of the record's co-commissioners.
fn co_commissioner_left(change: &FieldChange, code: &str) -> bool {
    change.field.ends_with("co_commissioners")
        && change.old.as_deref().is_some_and(|list| lists(list, code))
        && !change.new.as_deref().is_some_and(|list| lists(list, code))
}

/// True when the list value `list` ("[QRV, QKK]") holds the code `code`.
fn lists(list: &str, code: &str) -> bool {
    list.split(|c: char| !c.is_ascii_alphanumeric()).any(|item| item == code)
}
