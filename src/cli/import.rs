//! `crs import`: bring the team's spreadsheet (or crs's own export) into the register
//! in one commit. Parses the flags, runs `ops::import`, and renders its preview —
//! new, changed (each change in words), unchanged, conflicts (each told in words:
//! what crs did since the last import, what the sheet says) and rejected, and the
//! rows joined into each record — or, with `--quiet`, only what refuses it; and,
//! with `--skip-invalid`, writes the rejected rows to a CSV report. `--fields` lists
//! the field names a map file may use.

use std::path::{Path, PathBuf};

use crate::cli::Io;
use crate::cli::common::{committed_on, render_index_warning, render_recovered};
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::export::cell::neutralise_for_csv;
use crate::export::output::{kept_by_git_or_crs, write_atomically};
use crate::framework::Framework;
use crate::import::map::all_fields;
use crate::import::row::Problem;
use crate::model::fields::FieldChange;
use crate::model::labels::sentences;
use crate::ops::import::{Conflicting, ImportOutcome, ImportRequest, Kept, Planned, import};
use crate::ops::reimport::ConflictKind;
use crate::ops::transaction::WriteOptions;
use crate::register::{DiskSource, read_config};
use crate::text::{printable, printable_lines};

/// How many ids a line of the preview names before "… and N more".
const IDS_SHOWN: usize = 10;
/// Records of one earlier file left out of a sheet that are named one by one; more
/// are counted on one line.
const FEW_ABSENT: usize = 5;

/// How many changes of one record the preview tells before "… and N more".
const CHANGES_TOLD: usize = 6;

/// Bring an existing register in from a spreadsheet, in one commit
///
/// Reads .xlsx, .ods, .csv, or crs's own .json export. Each row becomes one record;
/// rows for the same provider and service merge into one record's decisions and
/// events. crs's own export needs no map; any other sheet needs a map file that
/// says which column holds which field (crs import --fields lists them).
/// Everything is checked first, and a preview says what is new, changed,
/// unchanged, in conflict and rejected. If any row is rejected nothing is written
/// (exit 1), unless --skip-invalid names a report for the rejected rows. Importing
/// the same file again changes nothing. With --quiet, only the rejected rows and the
/// conflicts that refuse the import come out, and the line that says so.
///
/// Run side by side with the sheet, each re-import compares every record with the
/// last import that wrote it: a record changed only in the sheet is updated, one
/// changed only in crs is kept, and one changed in both is a conflict, told in
/// words. crs never overwrites it: the import refuses (exit 1) unless
/// --keep-register keeps the register's version of those and imports the rest. A
/// row whose id a record had before crs move is that record's row.
///
/// Examples:
///   crs import "CRS register 2019.xlsx" --map crs-map.toml --dry-run
///   crs import "CRS register 2019.xlsx" --map crs-map.toml
///   crs import "CRS register 2026-12.xlsx" --map crs-map.toml --keep-register
///   crs import export.xlsx
///   crs import register.csv --map crs-map.toml --skip-invalid rejected.csv
///   crs import --fields
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ImportArgs {
    /// The spreadsheet: .xlsx, .ods, .csv, or crs's own .json export.
    #[arg(value_name = "FILE", required_unless_present = "fields")]
    pub file: Option<PathBuf>,
    /// The sheet to read (default: the map's sheet, else the first).
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub sheet: Option<String>,
    /// The map file: which column holds which field (not needed for crs's own export).
    #[arg(long, value_name = "MAP.toml")]
    pub map: Option<PathBuf>,
    /// Show what would be imported; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the valid rows and write the rejected ones to this CSV report.
    #[arg(long, value_name = "REPORT.csv")]
    pub skip_invalid: Option<PathBuf>,
    /// Keep the register's version of each record changed in crs since the last
    /// import that the sheet changes too (a conflict), and import the rest.
    #[arg(long)]
    pub keep_register: bool,
    /// List the field names a map file may use, and exit.
    #[arg(long, conflicts_with_all = ["file", "sheet", "map", "dry_run", "skip_invalid", "keep_register"])]
    pub fields: bool,
}

pub fn run(ctx: &Ctx, args: &ImportArgs, write: &WriteOptions, io: &mut Io<'_>) -> Result<u8> {
    let Some(file) = &args.file else { return list_fields(ctx, io) };
    // The report is checked before anything is imported: a commit is never made
    // whose rejected rows then cannot be listed.
    if let Some(report) = &args.skip_invalid {
        check_report(report)?;
    }
    let request = ImportRequest {
        file,
        sheet: args.sheet.as_deref(),
        map: args.map.as_deref(),
        dry_run: args.dry_run,
        skip_invalid: args.skip_invalid.is_some(),
        keep_register: args.keep_register,
    };
    let outcome = import(ctx, write, &request)?;
    if let Some(recovered) = &outcome.recovered {
        render_recovered(io, recovered)?;
    }
    match io.quiet {
        true => render_refusals(io, &outcome, args.keep_register),
        false => render_preview(io, &outcome),
    }
    .map_err(Error::Output)?;
    if let Some(report) = &args.skip_invalid {
        write_report(report, &outcome.rejected)?;
        if !outcome.rejected.is_empty() {
            io.status(&format!(
                "{} rejected row(s) are listed in {}, with what to do about each",
                rows_of(&outcome.rejected),
                report.display()
            ))?;
        }
    }
    let records = outcome.new.len() + outcome.changed.len();
    let conflicts = outcome.conflicts.len();
    let rejected = !outcome.rejected.is_empty() && args.skip_invalid.is_none();
    let in_conflict = conflicts > 0 && !args.keep_register;
    if rejected {
        result_line(
            io,
            &format!(
                "nothing was written: {} row(s) are rejected; correct them and import again, or import the rest with --skip-invalid REPORT.csv",
                rows_of(&outcome.rejected)
            ),
        )?;
    }
    if in_conflict {
        let what = match (rejected, args.dry_run) {
            (true, _) => "also",
            (false, true) => "crs import would write nothing",
            (false, false) => "nothing was written",
        };
        result_line(
            io,
            &format!(
                "{what}: {conflicts} record(s) changed in crs since {}, and the sheet changes them too (the conflicts above); crs never overwrites them: import again with --keep-register to keep the register's version of those and import the rest, or make the sheet say what the register says",
                agreed(&outcome)
            ),
        )?;
    }
    if rejected || in_conflict {
        return Ok(1);
    }
    let kept = |verb: &str| match conflicts {
        0 => String::new(),
        n => format!("; the register's version of {n} record(s) in conflict {verb} kept"),
    };
    match &outcome.committed {
        // Nothing imported, only conflicts kept: the commit changes no file and
        // records what was kept, so that the same sheet is no conflict again.
        Some(committed) if records == 0 => {
            io.status(
                &format!(
                    "nothing imported and no record changed: the register's version of {conflicts} record(s) in conflict was kept, as commit {} records (it changes no file), so this sheet is no conflict again",
                    committed_on(committed),
                ),
            )?;
            render_index_warning(io, committed)?;
        }
        Some(committed) => {
            io.status(
                &format!(
                    "imported {records} record(s) in one commit {}{}",
                    committed_on(committed),
                    kept("was")
                ),
            )?;
            render_index_warning(io, committed)?;
        }
        None if records == 0 && conflicts == 0 => {
            let kept = outcome.unchanged.iter().filter(|p| p.kept.is_some()).count();
            if kept == 0 {
                io.status(
                    "the sheet says nothing the register does not say already; nothing to commit",
                )?
            } else {
                io.status(
                    &format!(
                        "nothing to commit: the sheet says nothing new, and the register's version of {kept} record(s) it differs from stands (kept as crs has it, above)"
                    ),
                )?
            }
        }
        None => io.status(
            &format!(
                "dry run: nothing was written; without --dry-run crs import writes {records} record(s) in one commit{}",
                kept("would be")
            ),
        )?,
    }
    Ok(0)
}

/// Writes the line that says why nothing was written to stderr, even with
/// --quiet: it is the error a script needs beside the exit status.
fn result_line(io: &mut Io<'_>, message: &str) -> Result<()> {
    io.out.flush().map_err(Error::Output)?;
    writeln!(io.err, "{}", printable_lines(message)).map_err(Error::Output)
}

/// How many distinct rows the problems are about.
fn rows_of(problems: &[Problem]) -> usize {
    problems.iter().map(|p| (&p.sheet, p.row)).collect::<std::collections::BTreeSet<_>>().len()
}

fn list_fields(ctx: &Ctx, io: &mut Io<'_>) -> Result<u8> {
    // The register's framework names the grounds; outside a register, the built-in one.
    let framework = ctx
        .register_root()
        .ok()
        .and_then(|root| read_config(&DiskSource::new(&root), &root).ok())
        .map_or_else(Framework::default_built_in, |config| config.framework);
    let fields = all_fields(&framework);
    let width = fields.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, about) in fields {
        writeln!(io.out, "{name:width$}  {about}").map_err(Error::Output)?;
    }
    Ok(0)
}

fn render_preview(io: &mut Io<'_>, outcome: &ImportOutcome) -> std::io::Result<()> {
    // Every line may quote the sheet: its name, its cells, the ids made from them.
    let out = &mut *io.out;
    let mut say = |line: String| writeln!(out, "{}", printable(&line));
    let how = if outcome.own_export { "crs's own export, no map needed" } else { "with the map" };
    // A CSV file is its one sheet, named as the file.
    let is_file = Path::new(&outcome.file).file_name().is_some_and(|name| *name == *outcome.sheet);
    let sheet = if is_file { String::new() } else { format!(", sheet '{}'", outcome.sheet) };
    say(format!(
        "{}{sheet} ({how}): {} row(s) read, {} passed over (blank or no record)",
        outcome.file, outcome.rows, outcome.passed_over
    ))?;
    say(format!("  SHA-256 {}", outcome.sha256))?;
    if !outcome.hidden_rows.is_empty() {
        let rows: Vec<String> = outcome.hidden_rows.iter().map(usize::to_string).collect();
        say(format!(
            "  hidden in the sheet: row(s) {}; read like every other row (hiding a row does not leave it out: delete the row, or keep it in another sheet)",
            rows.join(", ")
        ))?;
    }
    if !outcome.unused_columns.is_empty() && !outcome.own_export {
        let quoted: Vec<String> = outcome.unused_columns.iter().map(|h| format!("'{h}'")).collect();
        say(format!(
            "  not imported: column(s) {} (the map does not name them; map them, or leave them behind)",
            quoted.join(", ")
        ))?;
    }
    for (row, label) in &outcome.totals {
        say(format!("  skipped row {row} ('{label}'): a total under the table, not a service"))?;
    }
    for (id, row, of) in &outcome.repeats {
        say(format!("  row {row} repeats row {of} ({id}) cell for cell: read once"))?;
    }
    let of_sheet = if is_file { outcome.sheet.clone() } else { format!("sheet '{}'", outcome.sheet) };
    for (id, rows) in joined(outcome) {
        say(format!(
            "  rows {} of {of_sheet} joined into one record, {id} (the same provider and service)",
            in_words(rows)
        ))?;
    }
    say(line("new", outcome.new.iter()))?;
    say(line("changed", outcome.changed.iter()))?;
    for planned in outcome.changed.iter().take(IDS_SHOWN) {
        say(format!("    {}: {}", name(planned), told(&planned.changes)))?;
    }
    // A record the sheet differs from but crs keeps is said once, under "kept".
    let (kept, unchanged): (Vec<&Planned>, Vec<&Planned>) =
        outcome.unchanged.iter().partition(|p| p.kept.is_some() || p.stays_deleted.is_some());
    say(line("unchanged", unchanged.into_iter()))?;
    if !kept.is_empty() {
        say(line("kept", kept.iter().copied()))?;
    }
    for planned in kept {
        match planned.stays_deleted {
            Some(since) => say(format!(
                "    {}: deleted from the register since the import of {}; the sheet says nothing new of it, so it is not made again",
                name(planned),
                since.in_words()
            ))?,
            None => say(kept_line(planned, outcome))?,
        }
    }
    for line in absent_lines(outcome) {
        say(line)?;
    }
    for line in conflicts_told(outcome).into_iter().chain(rejected_told(outcome)) {
        say(line)?;
    }
    let mut rules: std::collections::BTreeMap<String, usize> = Default::default();
    for planned in outcome.new.iter().chain(&outcome.changed) {
        for warning in &planned.warnings {
            *rules.entry(warning.name().to_owned()).or_default() += 1;
        }
    }
    if !rules.is_empty() {
        let listed: Vec<String> = rules.iter().map(|(rule, n)| format!("{rule} ({n})")).collect();
        say(format!("  warnings crs check will give: {}", listed.join(", ")))?;
    }
    Ok(())
}

/// The conflicts: how many, and each told in words.
fn conflicts_told(outcome: &ImportOutcome) -> Vec<String> {
    let conflicts = &outcome.conflicts;
    let mut lines = vec![format!(
        "  {:<10}{:>6}{}",
        "conflicts",
        conflicts.len(),
        listed(conflicts.len(), conflicts.iter().map(conflict_name))
    )];
    lines.extend(conflicts.iter().flat_map(conflict_lines));
    lines
}

/// The rejected rows: how many, and each problem with what to do.
fn rejected_told(outcome: &ImportOutcome) -> Vec<String> {
    let mut lines = vec![format!("  {:<10}{:>6} row(s)", "rejected", rows_of(&outcome.rejected))];
    // A line of another sheet (crs's History sheet) names its sheet.
    lines.extend(outcome.rejected.iter().map(|problem| match problem.sheet == outcome.sheet {
        true => format!("    {problem}"),
        false => format!("    sheet '{}', {problem}", problem.sheet),
    }));
    lines
}

/// With --quiet, only what refuses the import: the conflicts (unless kept with
/// --keep-register) and the rejected rows, each told as the preview tells it.
fn render_refusals(io: &mut Io<'_>, outcome: &ImportOutcome, keep_register: bool) -> std::io::Result<()> {
    let mut lines = Vec::new();
    if !outcome.conflicts.is_empty() && !keep_register {
        lines.extend(conflicts_told(outcome));
    }
    if !outcome.rejected.is_empty() {
        lines.extend(rejected_told(outcome));
    }
    for line in lines {
        writeln!(io.out, "{}", printable(&line))?;
    }
    Ok(())
}

/// Records an earlier sheet gave and this one leaves out, one line each, or one line
/// for each earlier file that gave many (another team's sheet, say).
fn absent_lines(outcome: &ImportOutcome) -> Vec<String> {
    let mut lines = Vec::new();
    let among = if outcome.unnamed_rows > 0 { " (unless among the rejected rows)" } else { "" };
    let mut by_file: Vec<(Option<&str>, Vec<&_>)> = Vec::new();
    for absent in &outcome.absent {
        let file = absent.1.file.as_deref();
        match by_file.iter_mut().find(|(f, _)| *f == file) {
            Some((_, records)) => records.push(absent),
            None => by_file.push((file, vec![absent])),
        }
    }
    for (file, records) in &by_file {
        if records.len() <= FEW_ABSENT {
            for (id, import) in records {
                let file = file.map_or_else(String::new, |f| format!(" ({f})"));
                lines.push(format!(
                    "  {id} was in the sheet imported on {}{file} and is not in this one{among}; nothing changed in the register",
                    import.day.in_words()
                ));
            }
        } else {
            let examples: Vec<String> = records.iter().take(3).map(|(id, _)| id.to_string()).collect();
            let from = file.map_or_else(|| "an earlier sheet".to_owned(), |f| f.to_owned());
            lines.push(format!(
                "  {} records last imported from {from} are not in this sheet{among}, e.g. {}; nothing changed in the register for them",
                records.len(),
                examples.join(", ")
            ));
        }
    }
    lines
}

/// Each record made of several rows, with its rows, in the order of its first row.
fn joined(outcome: &ImportOutcome) -> Vec<(String, &[usize])> {
    let planned = outcome.new.iter().chain(&outcome.changed).chain(&outcome.unchanged);
    let mut joined: Vec<(String, &[usize])> = planned
        .filter(|p| p.joined_rows.len() > 1)
        .map(|p| (name(p), p.joined_rows.as_slice()))
        .chain(
            outcome
                .conflicts
                .iter()
                .filter(|c| c.rows.len() > 1)
                .map(|c| (conflict_name(c), c.rows.as_slice())),
        )
        .collect();
    joined.sort_by_key(|(_, rows)| rows.first().copied());
    joined
}

/// Row numbers as a sentence says them: "4 and 8", "4, 8 and 9".
fn in_words(rows: &[usize]) -> String {
    match rows.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => {
            let rest: Vec<String> = rest.iter().map(usize::to_string).collect();
            format!("{} and {last}", rest.join(", "))
        }
        None => String::new(),
    }
}

/// Why a record the sheet differs from stands as crs has it, and, where the two
/// give different statuses, both.
fn kept_line(planned: &Planned, outcome: &ImportOutcome) -> String {
    let why = match planned.kept {
        Some(Kept::AtImport(day)) => {
            format!("--keep-register kept it against this sheet at the import of {}", day.in_words())
        }
        Some(Kept::ChangedInCrs) => format!("changed in crs since {}", agreed(outcome)),
        Some(Kept::BeyondTheSheet) | None => {
            "crs holds decisions or steps the sheet does not give".to_owned()
        }
    };
    match planned.statuses_differ {
        Some((register, sheet)) => format!(
            "    {}: the register and the sheet differ: the register says {}, the sheet says {}; the register's version is kept ({why})",
            name(planned),
            register.label().to_lowercase(),
            sheet.label().to_lowercase()
        ),
        None => format!("    {}: kept as crs has it ({why})", name(planned)),
    }
}

/// A record's id, and the sheet's when the record had it before `crs move`.
fn name(planned: &Planned) -> String {
    match &planned.sheet_id {
        Some(sheet_id) => format!("{} (the sheet's {sheet_id}, moved in crs)", planned.id),
        None => planned.id.to_string(),
    }
}

fn conflict_name(conflicting: &Conflicting) -> String {
    match &conflicting.sheet_id {
        Some(sheet_id) => format!("{} (the sheet's {sheet_id})", conflicting.id),
        None => conflicting.id.to_string(),
    }
}

/// Where the sheet last agreed with the register, in words: the last import, or
/// for crs's own export the commit it was made from (or an import after it).
fn agreed(outcome: &ImportOutcome) -> String {
    match outcome.exported_on {
        Some(day) => format!("the export of {}, or the last import after it", day.in_words()),
        None => "the last import".to_owned(),
    }
}

/// A conflict in words: what each side did, then each side's changes.
fn conflict_lines(conflicting: &Conflicting) -> Vec<String> {
    let conflict = &conflicting.conflict;
    let rows: Vec<String> = conflicting.rows.iter().map(ToString::to_string).collect();
    let sheet_id = conflicting.sheet_id.as_ref().map_or_else(String::new, |id| format!(", the sheet's {id}"));
    let mut lines =
        vec![format!("    {} (row {}{sheet_id}): {}", conflicting.id, rows.join(", "), conflict.headline)];
    let since = conflict.agreed.clone().unwrap_or_default();
    let mut side = |heading: String, changes: &[FieldChange]| {
        if changes.is_empty() {
            return;
        }
        lines.push(format!("      {heading}:"));
        let said = sentences(changes);
        lines.extend(said.iter().take(CHANGES_TOLD).map(|s| format!("        {s}")));
        if said.len() > CHANGES_TOLD {
            lines.push(format!(
                "        … and {} more (crs log {} tells them all)",
                said.len() - CHANGES_TOLD,
                conflicting.id
            ));
        }
    };
    side(format!("in crs since {since}"), &conflict.in_crs);
    let which = match conflict.kind {
        ConflictKind::ChangedInCrs | ConflictKind::Deleted => "in the sheet since then",
        ConflictKind::MadeInCrs | ConflictKind::KeptBefore => "the sheet would change",
    };
    side(which.to_owned(), &conflict.in_sheet);
    lines
}

/// Changes told as sentences, at most [`CHANGES_TOLD`].
fn told(changes: &[FieldChange]) -> String {
    let said = sentences(changes);
    let mut line = said.iter().take(CHANGES_TOLD).cloned().collect::<Vec<_>>().join("; ");
    if said.len() > CHANGES_TOLD {
        line.push_str(&format!("; … and {} more", said.len() - CHANGES_TOLD));
    }
    line
}

/// One line of the preview: how many records, and the first of their ids.
fn line<'p>(what: &str, planned: impl ExactSizeIterator<Item = &'p Planned>) -> String {
    let count = planned.len();
    format!("  {what:<10}{count:>6}{}", listed(count, planned.map(name)))
}

/// The first of `count` ids, after two spaces; nothing for none.
fn listed(count: usize, ids: impl Iterator<Item = String>) -> String {
    if count == 0 {
        return String::new();
    }
    let mut line = format!("  {}", ids.take(IDS_SHOWN).collect::<Vec<_>>().join(", "));
    if count > IDS_SHOWN {
        line.push_str(&format!(", … and {} more", count - IDS_SHOWN));
    }
    line
}

/// Refuses a report that could not be written, or that would replace a file of git
/// or crs: it must be a `.csv` file in a folder that exists and can be written, and
/// not inside a `.git` or `.crs` folder.
fn check_report(path: &Path) -> Result<()> {
    let refuse =
        |why: &str, hint: &str| Err(Error::input(format!("--skip-invalid {}: {why}", path.display()), hint));
    let pick = "give a new file outside .git and .crs, e.g. --skip-invalid rejected.csv";
    if !path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
        return refuse("the report of rejected rows is a CSV file, and this name does not end in .csv", pick);
    }
    if path.is_dir() {
        return refuse("is a folder", pick);
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(folder) = folder
        .canonicalize()
        .and_then(|f| if f.is_dir() { Ok(f) } else { Err(std::io::ErrorKind::NotADirectory.into()) })
    else {
        return refuse(
            &format!("the folder {} does not exist", folder.display()),
            "create the folder first, or give another path",
        );
    };
    if kept_by_git_or_crs(&folder) {
        return refuse("is inside a .git or .crs folder, which git and crs keep for themselves", pick);
    }
    if let Err(e) = tempfile::Builder::new().prefix(".crs-report").tempfile_in(&folder) {
        return refuse(
            &format!("cannot write in {}: {e}", folder.display()),
            "give a path in a folder you may write to",
        );
    }
    Ok(())
}

/// The rejected rows as CSV: sheet, row, column, value, problem, what to do.
fn write_report(path: &Path, problems: &[Problem]) -> Result<()> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let failed = |e: csv::Error| Error::Output(std::io::Error::other(e));
    writer.write_record(["sheet", "row", "column", "value", "problem", "what to do"]).map_err(failed)?;
    for p in problems {
        let row = p.row.to_string();
        let cells = [&p.sheet, &row, &p.column, &p.value, &p.problem, &p.todo];
        writer.write_record(cells.map(|c| neutralise_for_csv(c).into_owned())).map_err(failed)?;
    }
    let bytes = writer.into_inner().map_err(|e| Error::Output(std::io::Error::other(e.to_string())))?;
    write_atomically(path, &bytes)
}
