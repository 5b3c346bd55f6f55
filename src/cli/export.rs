//! `crs export`: the submission spreadsheet (or the same data as CSV, JSON or YAML):
//! the records in scope, the changes since the last submission or a revision, and
//! what the export is of. Also the gathering that `crs submit` shares: the register
//! now, its baseline, and the column list from crs.toml.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::cli::Io;
use crate::cli::list::parse_status;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::export::columns::{Column, resolve};
use crate::export::csv::{CsvFlavour, write_csv};
use crate::export::document::{write_json, write_yaml};
use crate::export::output::{check_target, write_atomically};
use crate::export::scope::Scope;
use crate::export::state::{Item, Reading, RegisterState};
use crate::export::workbook::{About, Baseline, Plan, Workbook, build};
use crate::export::xlsx::to_xlsx;
use crate::framework::{Finding, Severity};
use crate::history::{self, Snapshot};
use crate::model::{Date, Status};
use crate::orgs::known_orgs;
use crate::register::config::SETTINGS_FILE;
use crate::register::locate::locate;
use crate::register::source::Without;
use crate::register::{Config, DiskSource, Source, load, read_config, read_records};

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
    /// Only records with these statuses (comma-separated or repeated), instead of the
    /// default scope.
    #[arg(long, value_delimiter = ',', value_parser = parse_status)]
    pub status: Vec<Status>,
    /// With CSV: for Excel and LibreOffice (a UTF-8 byte-order mark and CRLF line
    /// ends, so names such as "Gŵyr" open intact).
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

/// What changes are measured against.
pub enum Since<'a> {
    LastSubmission,
    Revision(&'a str),
}

/// The register read for an export: now (or as of), its baseline, its columns.
pub struct Gathered {
    pub root: PathBuf,
    pub config: Config,
    /// Every record with its row under `columns`.
    pub current: RegisterState,
    /// How the current state is named: "working tree", "as of 2025-03-31", …
    pub source: String,
    pub baseline: Option<Baseline>,
    pub columns: Vec<Column>,
    /// Findings of the current state (as `crs check` would report them).
    pub findings: Vec<Finding>,
    /// Candidate files that could not be read as records.
    pub unreadable: usize,
}

impl Gathered {
    /// Error-level findings.
    pub fn errors(&self) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Error).collect()
    }

    /// Builds the export of what was gathered, taking its rows.
    pub fn workbook(self, ctx: &Ctx, scope: &Scope, only_changes: bool) -> Workbook {
        let Gathered { root, config, current, source, baseline, columns, .. } = self;
        let settings = &config.settings;
        let about = About {
            register: root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            commissioner_code: settings.commissioner.ods.clone(),
            commissioner_name: settings.commissioner.name.clone(),
            contact: settings.commissioner.contact.clone(),
            framework: config.framework.id.clone(),
            framework_title: config.framework.title.clone(),
            source,
            commit: current.commit.clone(),
            uncommitted_files: current.uncommitted.len(),
            scope: String::new(),
            records: 0,
            changes_since: String::new(),
            baseline_commit: None,
            changes: Default::default(),
            generated_at: ctx.now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            generated_by: format!("crs {}", env!("CARGO_PKG_VERSION")),
        };
        build(Plan {
            current,
            baseline,
            scope,
            columns,
            only_changes,
            register_contact: &settings.commissioner.contact,
            about,
        })
    }
}

/// Reads the register (now, or as of `as_of`), its column list and its baseline.
pub fn gather(ctx: &Ctx, as_of: Option<&str>, since: Since<'_>) -> Result<Gathered> {
    let root = ctx.register_root()?;
    let (source, today, commit, uncommitted, label): (Box<dyn Source>, Date, _, _, String) = match as_of {
        None => {
            let tree = history::work_tree(&root)?.unwrap_or_default();
            (Box::new(DiskSource::new(&root)), ctx.today, tree.head, tree.changed, "working tree".to_owned())
        }
        Some(when) => {
            let snapshot = history::snapshot(&root, when)?;
            let today = snapshot.day.map_or(ctx.today, |day| day.min(ctx.today));
            let commit = snapshot.commit.clone();
            let label = match snapshot.day {
                Some(day) => format!("as of {day} (commit {})", short(&commit)),
                None => format!("as of revision {when} (commit {})", short(&commit)),
            };
            (Box::new(snapshot), today, Some(commit), Default::default(), label)
        }
    };
    let config = read_config(source.as_ref(), &root)?;
    let source = Without::new(source, config.own_files());
    let columns = columns_of(&source, &root, &config)?;

    // The baseline, and which files git says differ from it: only those are read
    // from it, and only their records are kept whole now.
    let in_git = commit.is_some() || as_of.is_some();
    let baseline = match since {
        Since::Revision(rev) => Some((history::snapshot(&root, rev)?, format!("revision {rev}"))),
        Since::LastSubmission if in_git => {
            match history::last_submission(&root, as_of.and(commit.as_deref()))? {
                Some(tag) => Some((history::snapshot(&root, &tag.commit)?, tag.name)),
                None => None,
            }
        }
        Since::LastSubmission => None,
    };
    let mut differing = BTreeSet::new();
    if let Some((snapshot, _)) = &baseline {
        differing = history::changed::changed_between(&root, &snapshot.commit, commit.as_deref())?;
        differing.extend(uncommitted.iter().cloned());
    }

    // The same checks as crs check, organisation codes included, so that submit
    // refuses exactly what check would fail.
    let known = known_orgs(&source, &root, &config.settings.orgs.files)?;
    let orgs = known.as_ref().map(|k| &k.index).filter(|index| !index.is_empty());
    let reading = Reading {
        columns: &columns,
        register_contact: &config.settings.commissioner.contact,
        commit: commit.as_deref(),
        uncommitted: &uncommitted,
        differing: &differing,
    };
    let loaded =
        load(&source, &config.framework, today, orgs, |p| reading.item(p.id, p.file, p.record, p.status))?;
    let unreadable = loaded.files - loaded.items.len();
    let current = RegisterState::new(loaded.items, commit, uncommitted);
    let baseline = baseline
        .map(|(snapshot, name)| baseline_state(snapshot, name, &config, &current, &differing))
        .transpose()?;
    Ok(Gathered {
        root,
        config,
        current,
        source: label,
        baseline,
        columns,
        findings: loaded.findings,
        unreadable,
    })
}

/// The state of `snapshot`, by fingerprint: read where its files differ from
/// `current`'s (and kept whole), taken from `current` elsewhere.
fn baseline_state(
    snapshot: Snapshot,
    name: String,
    config: &Config,
    current: &RegisterState,
    differing: &BTreeSet<String>,
) -> Result<Baseline> {
    let commit = snapshot.commit.clone();
    let label = format!("{name} (commit {})", short(&commit));
    let snapshot = Without::new(Box::new(snapshot), config.own_files());
    // Compared with, not checked: the rules are not run. The few records read are
    // kept whole, to name what changed; every file the baseline has is noted.
    let mut present = BTreeSet::new();
    let read = read_records(
        &snapshot,
        &config.framework,
        |path| {
            present.insert(path.to_owned());
            differing.contains(path)
        },
        |p| Item::whole(p.id, p.file, p.record, p.status),
    )?;
    let state = RegisterState::new(read.items, Some(commit), Default::default())
        .complete_from(current, differing, &present);
    Ok(Baseline { state, label })
}

fn short(commit: &str) -> &str {
    &commit[..12.min(commit.len())]
}

/// The columns named in crs.toml, or the built-in list; unknown names are an error
/// pointing at the line.
fn columns_of(source: &dyn Source, root: &Path, config: &Config) -> Result<Vec<Column>> {
    resolve(&config.settings.submission.columns, &config.framework).map_err(|e| {
        let text = source
            .read_file(SETTINGS_FILE)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let (line, column) = locate(&text, "submission.columns").unwrap_or((1, 1));
        Error::Config { file: root.join(SETTINGS_FILE), line, column, message: e.to_string() }
    })
}

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
    match (&to_file, format) {
        (None, ExportFormat::Xlsx) => {
            return Err(Error::Usage(
                "a workbook is written to a file: give -o FILE (e.g. -o crs-2026-11.xlsx), or --format csv, json or yaml for standard output".to_owned(),
            ));
        }
        (Some(path), _) => {
            check_target(path)?;
        }
        (None, _) => {}
    }
    let since = match args.changes_since.as_deref() {
        None | Some(LAST_SUBMISSION) => Since::LastSubmission,
        Some(rev) => Since::Revision(rev),
    };
    let gathered = gather(ctx, args.as_of.as_deref(), since)?;
    let scope =
        if args.status.is_empty() { Scope::default() } else { Scope::only(args.status.iter().copied()) };
    let (unreadable, errors) = (gathered.unreadable, gathered.errors().len());
    let workbook = gathered.workbook(ctx, &scope, args.changes_since.is_some());

    let bytes = match format {
        ExportFormat::Xlsx => to_xlsx(&workbook, ctx.now)?,
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
    if errors > 0 {
        io.status(&format!(
            "note: crs check finds {errors} error(s) in the register; fix them before submitting"
        ))?;
    }
    Ok(0)
}

/// One line on what changed since the baseline, for status messages.
pub fn changes_line(workbook: &Workbook) -> String {
    let about = &workbook.about;
    if about.baseline_commit.is_none() {
        format!("no previous submission: all {} record(s) in scope count as added", about.changes.added)
    } else {
        format!("changes since {}: {}", about.changes_since, about.changes)
    }
}
