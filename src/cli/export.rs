//! `crs export`: the submission spreadsheet (or the same data as CSV, JSON or YAML):
//! the records in scope, the changes since the last submission or a revision, and
//! what the export is of.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::cli::Io;
use crate::cli::common::FilterArgs;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::export::csv::{CsvFlavour, write_csv};
use crate::export::document::{write_json, write_yaml};
use crate::export::output::{check_target, write_atomically};
use crate::export::scope::Scope;
use crate::export::xlsx::to_xlsx;
use crate::ops::export::{Since, changes_line, gather_in};

/// Write the submission spreadsheet, or the same data as CSV, JSON or YAML.
///
/// The workbook has a sheet of designations (one row per record in scope), a sheet
/// of the changes since the last submission, and an About sheet. By default the
/// records in scope are those designated, under review, requested, refused or
/// referred, and those removed since the last submission; --status replaces that.
/// The columns are set in crs.toml ([submission] columns = [...]).
///
/// Examples:
///   crs export -o crs-2026-11.xlsx
///   crs export --format csv > designations.csv
///   crs export --format csv --excel -o designations.csv
///   crs export --changes-since last-submission -o changes.xlsx
///   crs export --as-of 2025-03-31 --format json -o register-2025-03.json
///   crs export --status designated,under-review -o in-force.xlsx
///   crs export --history -o whole-register.xlsx
///   crs export --service maternity --review-due-before 2027-04-01 --format csv
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ExportArgs {
    /// The file to write. Without it (or with -), CSV, JSON and YAML go to standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The format [default: from the file's extension, else xlsx].
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    /// Export the register as it stood at the end of DATE, or at a git revision.
    #[arg(long, value_name = "DATE|REV")]
    pub as_of: Option<String>,
    /// Only the records added, changed or removed since REV (a date, commit, tag or
    /// branch) or since the last submission, with the change and the changed fields.
    #[arg(long, value_name = "REV|last-submission")]
    pub changes_since: Option<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Add a History sheet (JSON and YAML: `history`) with every stage assessment,
    /// decision and event of each record on a dated line: what crs import needs to
    /// bring the records back whole, into this register or another.
    #[arg(long)]
    pub history: bool,
    /// With CSV: for Excel and LibreOffice (a UTF-8 byte-order mark and CRLF line
    /// ends, so names such as "Gŵyr" open intact, and a single quote before text a
    /// spreadsheet would run as a formula). Without it the CSV holds the values as
    /// the JSON does, for programs.
    #[arg(long)]
    pub excel: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// An Excel workbook: designations, changes and about sheets.
    Xlsx,
    /// The designations rows, RFC 4180, UTF-8.
    Csv,
    /// The whole export as one JSON document.
    Json,
    /// The whole export as one YAML document.
    Yaml,
}

/// `--changes-since` says this for the newest submission tag.
pub const LAST_SUBMISSION: &str = "last-submission";

/// The format asked for, or told by the file's extension.
fn format_of(args: &ExportArgs, to_file: Option<&Path>) -> Result<ExportFormat> {
    if let Some(format) = args.format {
        return Ok(format);
    }
    let Some(path) = to_file else { return Ok(ExportFormat::Xlsx) };
    let extension = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "xlsx" => Ok(ExportFormat::Xlsx),
        "csv" => Ok(ExportFormat::Csv),
        "json" => Ok(ExportFormat::Json),
        "yaml" | "yml" => Ok(ExportFormat::Yaml),
        _ => Err(Error::Usage(format!(
            "cannot tell the format from the file name {}; give --format xlsx, csv, json or yaml",
            path.display()
        ))),
    }
}

pub fn run(ctx: &Ctx, args: &ExportArgs, io: &mut Io<'_>) -> Result<u8> {
    let to_file = args.output.as_deref().filter(|p| p.as_os_str() != "-").map(|p| ctx.cwd.join(p));
    let format = format_of(args, to_file.as_deref())?;
    if args.excel && format != ExportFormat::Csv {
        return Err(Error::Usage("--excel is for CSV: add --format csv, or write to a .csv file".to_owned()));
    }
    let flavour = if args.excel { CsvFlavour::Excel } else { CsvFlavour::Plain };
    let folder = match (&to_file, format) {
        (None, ExportFormat::Xlsx) => {
            return Err(Error::Usage(
                "a workbook is written to a file: give -o FILE (e.g. -o crs-2026-11.xlsx), or --format csv, json or yaml for standard output".to_owned(),
            ));
        }
        (Some(path), _) => check_target(path)?,
        (None, _) => ctx.cwd.clone(),
    };
    let since = match args.changes_since.as_deref() {
        None | Some(LAST_SUBMISSION) => Since::LastSubmission,
        Some(rev) => Since::Revision(rev),
    };
    let filter = args.filter.filter();
    let mut scope = Scope::of(&filter);
    scope.history = args.history;
    let gathered = gather_in(ctx, args.as_of.as_deref(), since, &scope)?;
    let (unreadable, errors) = (gathered.unreadable, gathered.errors().len());
    let undated: Vec<_> = gathered
        .current
        .items()
        .iter()
        .filter_map(|i| Some((i.id.clone(), i.undated_step.clone()?)))
        .collect();
    let mut workbook = gathered.workbook(ctx, &scope, args.changes_since.is_some());

    let bytes = match format {
        ExportFormat::Xlsx => {
            let stamp = workbook.about.stamp;
            to_xlsx(&mut workbook, stamp, &folder)?
        }
        text => {
            let mut buffer = Vec::new();
            match text {
                ExportFormat::Csv => write_csv(&workbook, flavour, &mut buffer),
                ExportFormat::Json => write_json(&workbook, &mut buffer),
                _ => write_yaml(&workbook, &mut buffer),
            }
            .map_err(Error::Output)?;
            buffer
        }
    };
    match &to_file {
        Some(path) => write_atomically(path, &bytes)?,
        None => io.out.write_all(&bytes).map_err(Error::Output)?,
    }

    let rows = workbook.rows.len();
    let what = if args.changes_since.is_some() { "changed record(s)" } else { "record(s) in scope" };
    let done = match &to_file {
        Some(path) => format!("wrote {}", path.display()),
        None => "exported".to_owned(),
    };
    io.status(&format!("{done}: {rows} {what} ({})", workbook.about.scope))?;
    io.status(&changes_line(&workbook))?;
    if unreadable > 0 {
        io.status(&format!(
            "note: {unreadable} file(s) could not be read as records and are not in the export; crs check says why"
        ))?;
    }
    for line in filter.undated_note("in the export", &undated) {
        io.status(&line)?;
    }
    if errors > 0 {
        io.status(&format!(
            "note: crs check finds {errors} error(s) in the register; fix them before submitting"
        ))?;
    }
    Ok(0)
}
