//! `crs import`: a spreadsheet brought into the register in one transaction. The
//! file is read and every row mapped (`crate::import`); the rows are merged into
//! records one record at a time, and each record that would be new or changed is
//! written in memory and judged by the one checker as it is built; then either
//! nothing is written (a dry run, or a rejected row without `--skip-invalid`) or
//! every record is written in ONE commit naming the file and its SHA-256. A record
//! the sheet leaves as it is, is not touched, so importing the same file again makes
//! no commit.

use std::collections::BTreeMap;
use std::path::Path;

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::{Finding, Rule, Severity};
use crate::history::{Committed, FileWrite, Recovered};
use crate::import::digest::sha256_hex;
use crate::import::guard;
use crate::import::history::lives;
use crate::import::map::{Field, Map};
use crate::import::merge::{Context, Imported, is_stand_in, merge};
use crate::import::row::{Problem, layout, read_row};
use crate::import::sheet::{FileKind, read_sheet};
use crate::model::fields::changes;
use crate::model::record::Commissioner;
use crate::model::{Event, EventKind, Record, RecordId};
use crate::ops::checker::Services;
use crate::ops::transaction::{Transaction, WriteOptions};
use crate::register::edit::{NewRecord, RecordDoc};
use crate::register::source::{MAX_FILE_BYTES, plain_file};

/// What the import is asked to do.
pub struct ImportRequest<'a> {
    pub file: &'a Path,
    pub sheet: Option<&'a str>,
    pub map: Option<&'a Path>,
    pub dry_run: bool,
    /// Import the valid rows even when some are rejected.
    pub skip_invalid: bool,
}

/// One record of the import and what it does to the register.
#[derive(Clone, Debug)]
pub struct Planned {
    pub id: RecordId,
    /// The sheet rows it comes from, 1-based.
    pub rows: Vec<usize>,
    /// The fields that change (empty for a new or unchanged record).
    pub fields: Vec<String>,
    /// Warnings `crs check` will give the record.
    /// The rules whose warnings the record will have (kept as rules, not whole
    /// findings: an import of 100,000 rows would hold them all at once).
    pub warnings: Vec<Rule>,
}

/// What an import found and did.
pub struct ImportOutcome {
    /// The file's name and its SHA-256.
    pub file: String,
    pub sha256: String,
    pub sheet: String,
    /// True when the sheet was read as crs's own export, with no map.
    pub own_export: bool,
    /// Rows read as records, and rows passed over (blank, or a note with no provider,
    /// service or id).
    pub rows: usize,
    pub passed_over: usize,
    pub new: Vec<Planned>,
    pub changed: Vec<Planned>,
    pub unchanged: Vec<Planned>,
    pub rejected: Vec<Problem>,
    /// Whether the records were written (not a dry run, nothing refused).
    pub written: bool,
    /// The commit, when something was written.
    pub committed: Option<Committed>,
    pub recovered: Option<Recovered>,
}

/// Imports `request.file` into the register of `ctx`.
pub fn import(ctx: &Ctx, options: &WriteOptions, request: &ImportRequest<'_>) -> Result<ImportOutcome> {
    let tx = Transaction::begin(ctx, options)?;
    let framework = &tx.config.framework;
    let path = request.file;
    if path.is_dir() {
        return Err(Error::input(
            format!("{} is a folder, not a spreadsheet", path.display()),
            "give the spreadsheet file itself",
        ));
    }
    let bytes = guard::read_file(path)?;
    let sha256 = sha256_hex(&bytes);
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let map = match request.map {
        Some(map) => Map::read(map, framework)?,
        None => Map::crs_export(framework),
    };
    let kind = FileKind::of(path)?;
    let wanted = request.sheet.or(match kind {
        FileKind::Xlsx | FileKind::Ods => map.sheet.as_deref(),
        FileKind::Csv | FileKind::Json => None,
    });
    // crs's own workbook or JSON tells each record's whole life on its History sheet.
    let (mut sheet, history) = read_sheet(path, bytes, wanted, map.built_in)?;
    let (lives, mut history_problems) =
        history.map(|sheet| lives(&sheet, &map, framework)).unwrap_or_default();
    let layout = layout(&sheet, &map).map_err(|message| Error::Input {
        message,
        hint: if map.built_in {
            "a spreadsheet that crs did not export needs a map: write one (README \"Moving from a spreadsheet\"; crs import --fields lists the fields) and pass it with --map".to_owned()
        } else {
            "correct the header text in [columns] of the map, header_row, or the sheet (--sheet)".to_owned()
        },
    })?;

    let mut rejected = Vec::new();
    let mut rows = Vec::new();
    let mut passed_over = 0;
    for index in layout.first_row..sheet.rows.len() {
        match read_row(&sheet, &map, &layout, index) {
            None => passed_over += 1,
            Some(Ok(row)) => rows.push(row),
            Some(Err(mut problems)) => rejected.append(&mut problems),
        }
        // A row's cells are let go once it is read, so a large sheet is not held
        // twice, as cells and as rows.
        sheet.rows[index] = Vec::new();
    }
    let row_count =
        rows.len() + rejected.iter().map(|p| p.row).collect::<std::collections::BTreeSet<_>>().len();
    rejected.append(&mut history_problems);
    // The cells are read: only the rows are needed from here on.
    let sheet_name = sheet.name.clone();
    drop(sheet);
    let settings = &tx.config.settings;
    let context = Context {
        framework: &framework.id,
        commissioner: Commissioner {
            ods: settings.commissioner.ods.clone(),
            name: settings.commissioner.name.clone(),
            contact: settings.commissioner.contact.clone(),
            co_commissioners: Vec::new(),
        },
        file: &file,
        sheet: &sheet_name,
        grounds: framework.grounds.iter().map(|g| g.key.clone()).collect(),
        lives,
    };
    let (records, mut problems) = merge(rows, &context);
    rejected.append(&mut problems);

    let known = tx.orgs()?;
    let checker = tx.checker(ctx, known.as_ref());
    // Each provider folder is read once for the duplicate check, and knows the
    // records accepted before the one being checked.
    let mut services = Services::new(&tx.root);
    let (mut new, mut changed, mut unchanged) = (Vec::new(), Vec::new(), Vec::new());
    let mut files: Vec<FileWrite> = Vec::new();
    for imported in records {
        let imported = match imported {
            Ok(imported) => imported,
            Err(mut problems) => {
                rejected.append(&mut problems);
                continue;
            }
        };
        let path = imported.id.relative_path_string();
        let existing = match plain_file(&tx.root, &path, MAX_FILE_BYTES)? {
            Some(full) => Some(std::fs::read_to_string(&full).map_err(|e| Error::io(&full, e))?),
            None => None,
        };
        let planned = |fields: Vec<String>, warnings: Vec<Rule>| Planned {
            id: imported.id.clone(),
            rows: imported.rows.clone(),
            fields,
            warnings,
        };
        let (record, old_text) = match &existing {
            None => (imported.record.clone(), None),
            Some(text) => match Record::from_toml(text) {
                Ok(old) => {
                    let record = carried_over(&imported.record, &old);
                    let mut same = record.clone();
                    same.source = old.source.clone();
                    if same == old.normalized() {
                        unchanged.push(planned(Vec::new(), Vec::new()));
                        continue;
                    }
                    (record, Some(text.as_str()))
                }
                Err(_) => {
                    rejected.push(whole_record_problem(
                        &imported,
                        &sheet_name,
                        &format!("{path} is already in the register and is not a valid record"),
                        &format!("mend it first with crs edit {}, then import again", imported.id),
                    ));
                    continue;
                }
            },
        };
        let text = render(&record);
        if text.len() as u64 > MAX_FILE_BYTES {
            rejected.push(Problem {
                sheet: sheet_name.clone(),
                row: imported.rows[0],
                column: longest_column(&imported).unwrap_or_else(|| format!("record {}", imported.id)),
                value: String::new(),
                problem: format!(
                    "would make the record {} {}, more than the {} a record crs reads may take",
                    imported.id,
                    guard::size_text(text.len() as u64),
                    guard::size_text(MAX_FILE_BYTES)
                ),
                todo:
                    "shorten the longest cells of its rows, keeping long text in a document the record names"
                        .to_owned(),
            });
            continue;
        }
        let findings = checker.check_among(&mut services, &imported.id, &record, &text);
        let errors: Vec<&Finding> = findings.iter().filter(|f| f.severity == Severity::Error).collect();
        if !errors.is_empty() {
            let keys: BTreeMap<String, String> =
                checker.record_hits(&record, &imported.id).into_iter().map(|h| (h.message, h.key)).collect();
            for finding in errors {
                let column = keys.get(&finding.message).map_or_else(String::new, |k| column_of(k, &imported));
                rejected.push(Problem {
                    sheet: sheet_name.clone(),
                    row: imported.rows[0],
                    column: if column.is_empty() { format!("record {}", imported.id) } else { column },
                    value: String::new(),
                    problem: format!("breaks the rule {}: {}", finding.rule, finding.message),
                    todo: "correct the row (or the map) and import again".to_owned(),
                });
            }
            continue;
        }
        let warnings: Vec<Rule> =
            findings.into_iter().filter(|f| f.severity == Severity::Warning).map(|f| f.rule).collect();
        match old_text {
            None => new.push(planned(Vec::new(), warnings)),
            Some(old) => {
                let fields = changes(old, &text).into_iter().map(|c| c.field).collect();
                changed.push(planned(fields, warnings));
            }
        }
        services.hold(&imported.id, &record);
        files.push((path, text.into_bytes()));
    }
    rejected.sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));

    let refused = !rejected.is_empty() && !request.skip_invalid;
    let written = !request.dry_run && !refused && !files.is_empty();
    let committed = if written {
        for (path, _) in &files {
            tx.require_clean(path)?;
        }
        let message = commit_message(&file, &sha256, &sheet_name, new.len(), changed.len());
        Some(tx.commit(&files, &message, None)?)
    } else {
        None
    };
    Ok(ImportOutcome {
        file,
        sha256,
        sheet: sheet_name.clone(),
        own_export: map.built_in,
        rows: row_count,
        passed_over,
        new,
        changed,
        unchanged,
        rejected,
        written,
        committed,
        recovered: tx.recovered().cloned(),
    })
}

/// The imported record with what the register knows that the sheet cannot say:
/// the stages assessed since, the ids it had before, its long-term outcome, the
/// decisions made after the sheet's last, and the events recorded since (`crs
/// event`). The sheet's word stands for each kind of event it dates itself; a day
/// the import only stood in for gives way to the one the register recorded.
fn carried_over(imported: &Record, old: &Record) -> Record {
    let old = old.normalized();
    let mut record = imported.clone();
    if record.stages.is_empty() {
        record.stages = old.stages.clone();
    }
    record.previous_ids = old.previous_ids.clone();
    if record.outcome.is_none() {
        record.outcome = old.outcome.clone();
    }
    let last = record.decisions.iter().map(|d| d.decided_on).max();
    record.decisions.extend(old.decisions.iter().filter(|d| Some(d.decided_on) > last).cloned());
    let recorded: Vec<&Event> = old.events.iter().filter(|e| !is_stand_in(e)).collect();
    let dated = |kind: EventKind| record.events.iter().any(|e| e.kind == kind && !is_stand_in(e));
    let kept: Vec<Event> = recorded.iter().filter(|e| !dated(e.kind)).map(|e| (*e).clone()).collect();
    record.events.retain(|e| !(is_stand_in(e) && kept.iter().any(|k| k.kind == e.kind)));
    record.events.extend(kept);
    record.events.sort_by_key(|e| e.on);
    record
}

/// The record's text, as crs writes a new record: tables in reading order.
pub fn render(record: &Record) -> String {
    let mut doc = RecordDoc::new_record(&NewRecord {
        framework: &record.framework,
        service: &record.service,
        provider: &record.provider,
        commissioner: &record.commissioner,
        outcome: record.outcome.as_ref().map(|o| o.long_term.as_str()),
    });
    doc.set_previous_ids(&record.previous_ids);
    for (key, stage) in &record.stages {
        doc.set_stage(key, stage);
    }
    for decision in record.decisions() {
        doc.push_decision(decision);
    }
    if let Some(review) = &record.review {
        doc.set_review_due(review.next_due);
    }
    if let Some(source) = &record.source {
        doc.set_source(source);
    }
    for event in &record.events {
        doc.push_event(event);
    }
    doc.text()
}

/// The column a checker's key path points at, as the sheet heads it.
fn column_of(key: &str, imported: &Imported) -> String {
    let field = if key.starts_with("provider.ods") {
        Some(Field::ProviderOds)
    } else if key.starts_with("provider.name") {
        Some(Field::ProviderName)
    } else if key.starts_with("service.description") {
        Some(Field::ServiceDescription)
    } else if key.starts_with("commissioner.contact") {
        Some(Field::Contact)
    } else if key.starts_with("outcome") {
        Some(Field::LongTermOutcome)
    } else if key.starts_with("provider.kind") {
        Some(Field::ProviderKind)
    } else if key.starts_with("provider.licence") {
        Some(Field::ProviderLicence)
    } else if key.starts_with("service.sites") {
        Some(Field::ServiceSites)
    } else if key.starts_with("service.name") {
        Some(Field::ServiceName)
    } else if key.starts_with("service.location_specific") {
        Some(Field::ServiceLocationSpecific)
    } else if key.starts_with("service.treatment_functions") {
        Some(Field::ServiceTreatmentFunctions)
    } else if key.starts_with("commissioner.co_commissioners") {
        Some(Field::CoCommissioners)
    } else if key.starts_with("review") {
        Some(Field::ReviewDue)
    } else if key.starts_with("decision") {
        Some(Field::DecidedOn)
    } else if let Some(index) = key.strip_prefix("events[").and_then(|k| k.split(']').next()) {
        let kind = index.parse::<usize>().ok().and_then(|i| imported.record.events.get(i)).map(|e| e.kind);
        kind.map(Field::Event).filter(|f| imported.headers.contains_key(f)).or(Some(Field::Status))
    } else {
        None
    };
    field.and_then(|f| imported.headers.get(&f)).map_or_else(String::new, |h| h.to_string())
}

/// The column of the record's longest text, as the sheet heads it: where to look
/// when the record is too large.
fn longest_column(imported: &Imported) -> Option<String> {
    let record = &imported.record;
    let decided = |text: fn(&crate::model::Decision) -> Option<&String>| {
        record.decisions().iter().map(|d| text(d).map_or(0, String::len)).max().unwrap_or(0)
    };
    let sizes = [
        (Field::ProviderName, record.provider.name.len()),
        (Field::ServiceName, record.service.name.len()),
        (Field::ServiceDescription, record.service.description.len()),
        (Field::LongTermOutcome, record.outcome.as_ref().map_or(0, |o| o.long_term.len())),
        (Field::Contact, record.commissioner.contact.len()),
        (Field::DecidedBy, decided(|d| d.decided_by.as_ref())),
        (Field::DecisionReference, decided(|d| d.reference.as_ref())),
    ];
    let (field, _) =
        sizes.into_iter().filter(|(f, _)| imported.headers.contains_key(f)).max_by_key(|(_, n)| *n)?;
    imported.headers.get(&field).map(|h| h.to_string())
}

fn whole_record_problem(imported: &Imported, sheet: &str, problem: &str, todo: &str) -> Problem {
    Problem {
        sheet: sheet.to_owned(),
        row: imported.rows[0],
        column: format!("record {}", imported.id),
        value: String::new(),
        problem: problem.to_owned(),
        todo: todo.to_owned(),
    }
}

/// The import's commit message: what, from which file, and the file's SHA-256.
fn commit_message(file: &str, sha256: &str, sheet: &str, new: usize, changed: usize) -> String {
    // One line each, whatever the file is called, so no one can forge a trailer.
    let one_line =
        |text: &str| -> String { text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect() };
    let (file, sheet) = (one_line(file), one_line(sheet));
    format!(
        "import {file}: {new} new, {changed} changed record(s)\n\nFrom sheet '{sheet}' of {file}, SHA-256 {sha256}.\n\nCrs-Action: import\nCrs-Import-File: {file}\nCrs-Import-Sha256: {sha256}\n"
    )
}
