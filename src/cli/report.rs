//! `crs report`: the board paper — one self-contained HTML page that prints to A4,
//! or the same content as Markdown — for the period asked for, written to a file
//! atomically or to standard output.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::export::output::{check_target, write_atomically};
use crate::model::Date;
use crate::ops::report::{PeriodStart, report};
use crate::render::board::{BoardFormat, render};

/// `--since` says this for the day of the newest submission tag.
const LAST_SUBMISSION: &str = "last-submission";

/// Write a paper on the register for the board or the public, as HTML or Markdown
///
/// One HTML page with nothing to fetch from elsewhere, which prints to A4: services
/// by status and by provider (with bar charts), the decisions and steps dated in the
/// period, the reviews due in the next 12 months, the open written requests and
/// referrals, and what crs check finds. --format md gives the same for pasting into
/// a board paper. The period goes by the dates recorded for decisions and events.
///
/// Examples:
///   crs report -o crs-board-2026-11.html
///   crs report --since 2025-04-01 --until 2026-03-31 -o crs-2025-26.html
///   crs report --since last-submission --format md > crs-board.md
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ReportArgs {
    /// The period's first day, or last-submission for the day of the last
    /// submission to the regulator [default: 12 months before --until].
    #[arg(long, value_name = "DATE|last-submission")]
    pub since: Option<String>,
    /// The period's last day [default: today].
    #[arg(long, value_name = "DATE")]
    pub until: Option<Date>,
    /// The file to write [default: standard output].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// html (one page that prints to A4) or md (Markdown) [default: from the file's
    /// extension, else html].
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML page.
    Html,
    /// Markdown, with the charts as tables.
    Md,
}

/// The format asked for, or told by the file's extension.
fn format_of(args: &ReportArgs, to_file: Option<&Path>) -> Result<BoardFormat> {
    let format = match (args.format, to_file) {
        (Some(format), _) => format,
        (None, None) => ReportFormat::Html,
        (None, Some(path)) => {
            let extension =
                path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
            match extension.as_str() {
                "html" | "htm" => ReportFormat::Html,
                "md" | "markdown" => ReportFormat::Md,
                _ => {
                    return Err(Error::Usage(format!(
                        "cannot tell the format from the file name {}; give --format html or md",
                        path.display()
                    )));
                }
            }
        }
    };
    Ok(match format {
        ReportFormat::Html => BoardFormat::Html,
        ReportFormat::Md => BoardFormat::Markdown,
    })
}

fn start_of(since: Option<&str>) -> Result<PeriodStart> {
    match since {
        None => Ok(PeriodStart::Default),
        Some(LAST_SUBMISSION) => Ok(PeriodStart::LastSubmission),
        Some(day) => day.parse::<Date>().map(PeriodStart::On).map_err(|e| {
            Error::Usage(format!("--since: {e}, or last-submission for the day of the last submission"))
        }),
    }
}

pub fn run(ctx: &Ctx, args: &ReportArgs, io: &mut Io<'_>) -> Result<u8> {
    let to_file = args.output.as_deref().filter(|p| p.as_os_str() != "-").map(|p| ctx.cwd.join(p));
    let format = format_of(args, to_file.as_deref())?;
    if let Some(path) = &to_file {
        check_target(path)?;
    }
    let start = start_of(args.since.as_deref())?;
    let paper = report(ctx, &start, args.until)?;
    let mut bytes = Vec::new();
    render(&paper, format, &mut bytes).map_err(Error::Output)?;
    match &to_file {
        Some(path) => {
            write_atomically(path, &bytes)?;
            io.status(&format!(
                "wrote {}: {} records, {} changes from {} to {}",
                path.display(),
                paper.records,
                paper.changes.len(),
                paper.period.since.in_words(),
                paper.period.until.in_words()
            ))?;
        }
        None => io.out.write_all(&bytes).map_err(Error::Output)?,
    }
    Ok(0)
}
