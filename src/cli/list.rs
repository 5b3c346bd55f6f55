//! `crs list`: one line a record, with its derived status.

use std::io::Write;

use clap::ValueEnum;

use crate::cli::Io;
use crate::cli::common::{FilterArgs, SortArg};
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::export::csv::{CsvFlavour, csv_writer};
use crate::export::yaml;
use crate::model::RecordSummary;
use crate::model::keys;
use crate::ops::list::{Listed, list};
use crate::render::table::{new_table, row};

/// List the records with their derived status
///
/// Examples:
///   crs list
///   crs list --status designated,under-review --format csv
///   crs list --format csv --excel > register.csv
///   crs list --provider RJ1 --as-of 2025-12-31
///   crs list --service maternity --sort review-due
///   crs list --review-due-before 2027-04-01 --co-commissioner QMF
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// The order of the lines: id, review-due (soonest first), decided (most recent
    /// first) or provider (by name); records without the date come last.
    #[arg(long, value_enum, default_value = "id")]
    pub sort: SortArg,
    /// List the register as it stood at the end of DATE, or at a git revision.
    #[arg(long, value_name = "DATE|REV")]
    pub as_of: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
    /// With --format csv: CSV for Excel and LibreOffice (a UTF-8 byte-order mark and
    /// CRLF line ends, so names such as "Gŵyr" open intact, and a single quote before
    /// text a spreadsheet would run as a formula). Without it the CSV holds the
    /// values as the JSON does, for programs.
    #[arg(long)]
    pub excel: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
    Yaml,
}

pub fn run(ctx: &Ctx, args: &ListArgs, io: &mut Io<'_>) -> Result<u8> {
    if args.excel && args.format != ListFormat::Csv {
        return Err(Error::Usage("--excel is for CSV: add --format csv".to_owned()));
    }
    let flavour = if args.excel { CsvFlavour::Excel } else { CsvFlavour::Plain };
    let filter = args.filter.filter();
    let Listed { rows, unreadable, undated } = list(ctx, args.as_of.as_deref(), &filter, args.sort.into())?;
    write_rows(&rows, args.format, flavour, io.out).map_err(Error::Output)?;
    if unreadable > 0 {
        io.status(&format!("note: {unreadable} file(s) could not be read as records; crs check says why"))?;
    }
    for line in filter.undated_note("listed", &undated) {
        io.status(&line)?;
    }
    if let Some(day) = filter.in_force_on.filter(|_| !rows.is_empty()) {
        // The dates of decisions and events say what was in force; a review date
        // or a provider as it was that day is known only from what was recorded then.
        io.status(&format!(
            "note: each status and decision as it stood on {}; provider, review due and names as the register holds them {}",
            day.in_words(),
            match args.as_of.as_deref() {
                Some(rev) => format!("as of {rev}"),
                None => format!("now (add --as-of {} for what it recorded then)", day),
            }
        ))?;
    }
    Ok(0)
}

fn write_rows(
    rows: &[RecordSummary],
    format: ListFormat,
    flavour: CsvFlavour,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        ListFormat::Table => {
            let mut table = new_table(&[
                "record",
                "service",
                "provider",
                "status",
                "designated",
                "decided",
                "review due",
            ]);
            for r in rows {
                let date = |d: Option<crate::model::Date>| d.map(|d| d.to_string()).unwrap_or_default();
                let (designated, decided, review) =
                    (date(r.designated_on), date(r.decided_on), date(r.review_due));
                table.add_row(row([
                    r.id.as_str(),
                    &r.service,
                    &r.provider_name,
                    r.status.as_str(),
                    &designated,
                    &decided,
                    &review,
                ]));
            }
            writeln!(out, "{table}")
        }
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, rows)?;
            writeln!(out)
        }
        ListFormat::Csv => {
            // Names are the user's text: with --excel a leading = or @ must not run in
            // a spreadsheet; for programs the values stay as the JSON has them.
            let mut writer = csv_writer(out, flavour, csv::Terminator::Any(b'\n'))?;
            let header = [
                keys::RECORD_ID,
                keys::PROVIDER_CODE,
                keys::PROVIDER_NAME,
                keys::SERVICE_NAME,
                keys::STATUS,
                keys::DESIGNATION_DATE,
                keys::DECISION_DATE,
                keys::REVIEW_DUE,
                keys::FILE,
            ];
            writer.write_record(header).map_err(std::io::Error::other)?;
            for r in rows {
                let date = |d: Option<crate::model::Date>| d.map(|d| d.to_string()).unwrap_or_default();
                let (designated, decided, review) =
                    (date(r.designated_on), date(r.decided_on), date(r.review_due));
                let fields = [
                    &r.id,
                    &r.provider,
                    &r.provider_name,
                    &r.service,
                    r.status.as_str(),
                    &designated,
                    &decided,
                    &review,
                    &r.file,
                ];
                writer
                    .write_record(fields.iter().map(|f| flavour.cell(f).into_owned()))
                    .map_err(std::io::Error::other)?;
            }
            writer.flush()
        }
        ListFormat::Yaml => yaml::write(out, rows),
    }
}
