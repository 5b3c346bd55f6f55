//! `crs due`: what needs doing, soonest first, each with its next command; or the
//! reviews due as a calendar file.

use std::io::Write;

use clap::ValueEnum;

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::model::Date;
use crate::ops::due::{DueItem, calendar, due};
use crate::render::table::{new_table, row};

/// List what needs doing, soonest first, with the command for each next step
///
/// Lists reviews due, reviews to complete, written requests unanswered past the
/// response window, removals not yet told to the provider, referrals with no
/// finding, designations never sent to the regulator, and drafts untouched for 90
/// days. Anything overdue is listed whatever the window.
///
/// Examples:
///   crs due
///   crs due --within 365
///   crs due --before 2027-04-01 --format json
///   crs due --within 730 --format ics > crs-reviews.ics
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct DueArgs {
    /// What falls due within DAYS from today (default 90).
    #[arg(long, value_name = "DAYS", conflicts_with = "before")]
    pub within: Option<u32>,
    /// What falls due before DATE.
    #[arg(long, value_name = "DATE")]
    pub before: Option<Date>,
    /// Read the register as it stood at the end of DATE, or at a git revision.
    #[arg(long, value_name = "DATE|REV")]
    pub as_of: Option<String>,
    /// human, json, or ics (a calendar of the reviews due, for Outlook or Google
    /// Calendar).
    #[arg(long, value_enum, default_value = "human")]
    pub format: DueFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DueFormat {
    Human,
    Json,
    Ics,
}

pub fn run(ctx: &Ctx, args: &DueArgs, io: &mut Io<'_>) -> Result<u8> {
    let until = match (args.before, args.within) {
        (Some(before), _) => before.plus_days(-1).unwrap_or(before),
        (None, days) => ctx.today.plus_days(i64::from(days.unwrap_or(90))).unwrap_or(ctx.today),
    };
    let items = due(ctx, until, args.as_of.as_deref())?;
    let out = &mut *io.out;
    match args.format {
        DueFormat::Json => serde_json::to_writer_pretty(&mut *out, &items)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        DueFormat::Ics => out.write_all(calendar(&items, ctx.today, ctx.now).as_bytes()),
        DueFormat::Human => write_human(&items, out),
    }
    .map_err(Error::Output)?;
    if args.format == DueFormat::Human {
        io.status(&format!("{} thing(s) due by {}", items.len(), until.in_words()))?;
    }
    Ok(0)
}

fn write_human(items: &[DueItem], out: &mut dyn Write) -> std::io::Result<()> {
    if items.is_empty() {
        return writeln!(out, "Nothing is due.");
    }
    let mut table = new_table(&["day", "record", "what", "next step"]);
    for item in items {
        let due = match item.due {
            Some(due) if item.overdue => format!("{} (overdue)", due.in_words()),
            Some(due) => due.in_words(),
            None => "no day set".to_owned(),
        };
        let record = if item.record.is_empty() { "(the register)" } else { item.record.as_str() };
        table.add_row(row([due.as_str(), record, item.what.as_str(), item.next.as_str()]));
    }
    writeln!(out, "{table}")
}
