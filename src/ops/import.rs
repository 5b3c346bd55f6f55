//! `crs import`: a spreadsheet brought into the register in one transaction. The
//! file is read and every row mapped (`crate::import`); the rows are merged into
//! records one record at a time, and each is judged against the register and the
//! last import that wrote it by the three-way rule (`ops::reimport`): a record the
//! sheet says nothing new of is left as it is, one changed only in the sheet is
//! written, one changed on both sides since the last import is a conflict and is
//! never overwritten. A row whose id a record had before `crs move` is that record's.
//! Each record that would be new or changed is written in memory and judged by the
//! one checker as it is built; then either nothing is written (a dry run, a rejected
//! row without `--skip-invalid`, a conflict without `--keep-register`) or every
//! record is written in ONE commit naming the file and its SHA-256, and the records
//! whose register version was kept. Importing the same file again makes no commit.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use crate::context::Ctx;
use crate::digest::sha256_hex;
use crate::error::{Error, Result};
use crate::framework::{Rule, Severity};
use crate::history::last_import::{KEPT_TRAILER, LastImport, OWN_EXPORT, SOURCE_TRAILER};
use crate::history::{Committed, LargeWrite, Recovered};
use crate::import::assessments::assessed;
use crate::import::given::sheet_fields;
use crate::import::guard;
use crate::import::history::lives;
use crate::import::map::{Field, Map};
use crate::import::merge::{Context, Imported, Merge, merge};
use crate::import::row::{Layout, Problem, RowFields, is_section_heading, layout, read_row, total_label};
use crate::import::sheet::{Companions, FileKind, Sheet, read_sheet};
use crate::model::fields::FieldChange;
use crate::model::record::Commissioner;
use crate::model::settings::RegisterCommissioner;
use crate::model::status::derive_status;
use crate::model::{Date, DecisionOutcome, Record, RecordId, Status};
use crate::ops::checker::{Checker, Services};
use crate::ops::import_register::Register;
use crate::ops::reimport::{
    Base, Conflict, Theirs, Verdict, carried_over, changes, judge, review_ended_unsaid, same,
};
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
    /// Keep the register's version of each record in conflict, and import the rest.
    pub keep_register: bool,
}

/// One record of the import and what it does to the register.
#[derive(Clone, Debug)]
pub struct Planned {
    pub id: RecordId,
    /// The id the sheet gives, when the record had it before `crs move`.
    pub sheet_id: Option<RecordId>,
    /// What changes, field by field (empty for a new or unchanged record).
    pub changes: Vec<FieldChange>,
    /// The day of the last import, for a record deleted from the register since that
    /// the sheet says nothing new of: it is not made again.
    pub stays_deleted: Option<Date>,
    /// Why the register's version of the record stands though the sheet says
    /// otherwise, for such a record: it is kept as crs has it.
    pub kept: Option<Kept>,
    /// The register's status and the sheet's, when a record whose register version
    /// stands has a status the sheet does not give.
    pub statuses_differ: Option<(Status, Status)>,
    /// The sheet rows (1-based) joined into this record, when there are several;
    /// empty for a record of one row.
    pub joined_rows: Vec<usize>,
    /// The rules whose warnings the record will have (kept as rules, not whole
    /// findings: an import of 100,000 rows would hold them all at once).
    pub warnings: Vec<Rule>,
}

/// Why the register's version of a record stands though the sheet says otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    /// It changed in crs since the sheet last agreed with the register.
    ChangedInCrs,
    /// The import of this day kept it against the sheet's (`--keep-register`).
    AtImport(Date),
    /// crs holds decisions or steps the sheet does not give, which make its status
    /// another than the sheet's.
    BeyondTheSheet,
}

/// A record changed both in crs (or made, or deleted there) and in the sheet since
/// the last import: nothing is written for it.
#[derive(Clone, Debug)]
pub struct Conflicting {
    pub id: RecordId,
    /// The id the sheet gives, when the record had it before `crs move`.
    pub sheet_id: Option<RecordId>,
    pub rows: Vec<usize>,
    pub conflict: Conflict,
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
    pub conflicts: Vec<Conflicting>,
    pub rejected: Vec<Problem>,
    /// The sheet's columns the map does not use: what does not come in.
    pub unused_columns: Vec<String>,
    /// The rows (1-based) the workbook hides that were read as records: hidden is
    /// not deleted.
    pub hidden_rows: Vec<usize>,
    /// Rows skipped as totals under the table: each row (1-based) and its label.
    pub totals: Vec<(usize, String)>,
    /// The records of the register an earlier import wrote that this sheet does
    /// not give (it left nothing of them changed), with that import.
    pub absent: Vec<(RecordId, LastImport)>,
    /// Rows refused before they named a record (an absent record may be among them).
    pub unnamed_rows: usize,
    /// Rows that repeat an earlier row of the same record cell for cell, read once:
    /// the record, the row and the row it repeats.
    pub repeats: Vec<(RecordId, usize, usize)>,
    /// The day of the commit crs's own export (the file imported) was made from,
    /// when the register's branch holds it: where the sheet last agreed with the
    /// register (unless a later import kept the register's version of a record).
    pub exported_on: Option<Date>,
    /// The commit, when something was written.
    pub committed: Option<Committed>,
    pub recovered: Option<Recovered>,
}

/// Imports `request.file` into the register of `ctx`.
pub fn import(ctx: &Ctx, options: &WriteOptions, request: &ImportRequest<'_>) -> Result<ImportOutcome> {
    let tx = Transaction::begin(ctx, options)?;
    let framework = &tx.config.framework;
    let path = request.file;
    let bytes = read_spreadsheet(path)?;
    let sha256 = sha256_hex(&bytes);
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (map, mut sheet, companions) = read_with_map(request, framework, bytes)?;
    let companions_commit = companions.commit.clone();
    let (lives, mut history_problems) =
        companions.history.map(|sheet| lives(&sheet, &map, framework)).unwrap_or_default();
    let (assessed, mut assessment_problems) =
        companions.assessments.map(|sheet| assessed(&sheet, &map, framework)).unwrap_or_default();
    let layout =
        layout(&sheet, &map).map_err(|message| Error::Input { message, hint: layout_hint(map.built_in) })?;

    let SheetRows { rows, mut rejected, passed_over, totals, hidden_rows } =
        read_rows(&mut sheet, &map, &layout);
    let row_count =
        rows.len() + rejected.iter().map(|p| p.row).collect::<std::collections::BTreeSet<_>>().len();
    rejected.append(&mut history_problems);
    rejected.append(&mut assessment_problems);
    // The cells are read: only the rows are needed from here on.
    let sheet_name = sheet.name.clone();
    drop(sheet);
    let settings = &tx.config.settings;
    let context = Context {
        framework: &framework.id,
        commissioner: imported_commissioner(&settings.commissioner),
        file: &file,
        sheet: &sheet_name,
        today: ctx.today,
        grounds: framework.grounds.iter().map(|g| g.key.clone()).collect(),
        lives,
        assessed,
        headers: first_headers(&layout),
        given: sheet_fields(&layout, &map),
    };
    let (records, mut problems) = merge(rows, &context);
    // Rows refused before they name a record: a record not in the sheet may be one.
    let unnamed = problems.len();
    rejected.append(&mut problems);

    let known = tx.orgs()?;
    let checker = tx.checker(ctx, known.as_ref());
    let mut planner = Planner {
        tx: &tx,
        // Each record to write is stored as it is checked, and only its path held.
        large: if request.dry_run { None } else { Some(tx.large_write()?) },
        root: &tx.root,
        checker: &checker,
        services: Services::new(&tx.root),
        register: Register::read(&tx.root, framework, companions_commit.as_deref(), map.built_in)?,
        sheet: &sheet_name,
        own_export: map.built_in,
        today: ctx.today,
        plan: Plan { rejected, ..Plan::default() },
    };
    // The sheet's ids the register knows (at them, or as ids records had before a
    // move): only those can tell which of its records the sheet leaves out.
    let sheet_ids: HashSet<RecordId> =
        records.ids().filter(|id| planner.register.knows(id)).cloned().collect();
    let repeats = planner.add_all(records)?;
    let Planner { large, register, services, plan, .. } = planner;
    // The duplicate check's services, the register as read and the sheet's ids are
    // let go before the commit, which takes memory of its own (for 100,000 rows,
    // the services alone held 75 MiB).
    drop(services);
    // crs's own export holds the records in its scope, not the team's sheet: what it
    // leaves out is no record the sheet dropped.
    let absent = if map.built_in { Vec::new() } else { register.absent(&sheet_ids) };
    let exported_on = register.exported_from.as_ref().map(|e| e.day);
    drop(register);
    drop(sheet_ids);
    let Plan { new, changed, unchanged, conflicts, mut rejected, files } = plan;
    rejected.sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));

    let refused =
        (!rejected.is_empty() && !request.skip_invalid) || (!conflicts.is_empty() && !request.keep_register);
    let written = !request.dry_run && !refused && (files > 0 || !conflicts.is_empty());
    let committed = if written {
        let large = large
            .ok_or_else(|| Error::Invalid { message: "the import's records were not stored".to_owned() })?;
        tx.require_all_clean(&large.paths().collect::<Vec<_>>())?;
        let kept: Vec<(&RecordId, &str)> =
            conflicts.iter().map(|c| (&c.id, c.conflict.digest.as_str())).collect();
        let counts = (new.len(), changed.len());
        let message = commit_message(&file, &sha256, &sheet_name, counts, &kept, map.built_in);
        Some(tx.commit_large(large, &message, None)?)
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
        conflicts,
        rejected,
        unused_columns: layout.unused.clone(),
        hidden_rows,
        totals,
        repeats,
        absent,
        unnamed_rows: unnamed,
        exported_on,
        committed,
        recovered: tx.recovered().cloned(),
    })
}

/// The map the file is read with (crs's own for its export), and the sheet it or
/// the request names with its companions: crs's own workbook or JSON tells each
/// record's whole life on its History sheet, and each stage's assessment on its
/// Assessments sheet.
fn read_with_map(
    request: &ImportRequest<'_>,
    framework: &crate::framework::Framework,
    bytes: Vec<u8>,
) -> Result<(Map, Sheet, Companions)> {
    let map = match request.map {
        Some(map) => Map::read(map, framework)?,
        None => Map::crs_export(framework),
    };
    let wanted = request.sheet.or(match FileKind::of(request.file)? {
        FileKind::Xlsx | FileKind::Ods => map.sheet.as_deref(),
        FileKind::Csv | FileKind::Json => None,
    });
    let (sheet, companions) = read_sheet(request.file, bytes, wanted, map.built_in)?;
    Ok((map, sheet, companions))
}

/// The bytes of the spreadsheet at `path`, read within crs's limits; an error
/// naming a folder given in its place.
fn read_spreadsheet(path: &Path) -> Result<Vec<u8>> {
    if path.is_dir() {
        return Err(Error::input(
            format!("{} is a folder, not a spreadsheet", path.display()),
            "give the spreadsheet file itself",
        ));
    }
    guard::read_file(path)
}

/// What to do when the sheet's headers do not match the map: write a map for a
/// spreadsheet crs did not export, or correct the one given.
fn layout_hint(built_in: bool) -> String {
    if built_in {
        "a spreadsheet that crs did not export needs a map: write one (README \"Moving from a spreadsheet\"; crs import --fields lists the fields) and pass it with --map".to_owned()
    } else {
        "correct the header text in [columns] of the map, header_row, or the sheet (--sheet)".to_owned()
    }
}

/// The commissioner an imported record names: the register's own, with no
/// co-commissioners.
fn imported_commissioner(register: &RegisterCommissioner) -> Commissioner {
    Commissioner {
        ods: register.ods.clone(),
        name: register.name.clone(),
        contact: register.contact.clone(),
        co_commissioners: Vec::new(),
    }
}

/// The header of the column each field is read from: the first, where several.
fn first_headers(layout: &Layout) -> BTreeMap<Field, Arc<str>> {
    layout.columns.iter().rev().map(|(_, header, field)| (field.clone(), header.clone())).collect()
}

/// The sheet's rows below its headers, as read.
struct SheetRows {
    rows: Vec<RowFields>,
    /// The problems of the rows refused.
    rejected: Vec<Problem>,
    /// Rows that hold no record (blank, or a section's heading).
    passed_over: usize,
    /// Rows of totals: the 1-based row and its label.
    totals: Vec<(usize, String)>,
    /// The rows (1-based) the workbook hides that were read as records.
    hidden_rows: Vec<usize>,
}

/// Reads each row below the headers, letting go of its cells once read, so that a
/// large sheet is not held twice, as cells and as rows.
fn read_rows(sheet: &mut Sheet, map: &Map, layout: &Layout) -> SheetRows {
    let mut read = SheetRows {
        rows: Vec::new(),
        rejected: Vec::new(),
        passed_over: 0,
        totals: Vec::new(),
        hidden_rows: Vec::new(),
    };
    let hidden: std::collections::BTreeSet<u32> = sheet.hidden_rows.iter().copied().collect();
    for index in layout.first_row..sheet.rows.len() {
        // crs's own workbook heads each section with a row of its own, after a blank
        // row: part of its table, not rows passed over.
        let own_layout = map.built_in && sheet.rows[index].iter().all(|cell| cell.is_blank());
        if own_layout || is_section_heading(sheet, map, index) {
            sheet.rows[index] = Vec::new();
            continue;
        }
        if let Some(label) = total_label(sheet, index) {
            read.totals.push((index + 1, label));
            sheet.rows[index] = Vec::new();
            continue;
        }
        let row = read_row(sheet, map, layout, index);
        if row.is_some() && u32::try_from(index).is_ok_and(|i| hidden.contains(&i)) {
            read.hidden_rows.push(index + 1);
        }
        match row {
            None => read.passed_over += 1,
            Some(Ok(row)) => read.rows.push(row),
            Some(Err(mut problems)) => read.rejected.append(&mut problems),
        }
        // A row's cells are let go once it is read, so a large sheet is not held
        // twice, as cells and as rows.
        sheet.rows[index] = Vec::new();
    }
    read
}

/// What the import does, record by record.
#[derive(Default)]
struct Plan {
    new: Vec<Planned>,
    changed: Vec<Planned>,
    unchanged: Vec<Planned>,
    conflicts: Vec<Conflicting>,
    rejected: Vec<Problem>,
    /// How many records are to be written (their text is stored already, with
    /// their paths).
    files: usize,
}

/// Judges and checks the sheet's records one at a time, as they are built.
struct Planner<'a> {
    tx: &'a Transaction,
    /// The write the records go into as they are checked; none on a dry run.
    large: Option<LargeWrite>,
    root: &'a Path,
    checker: &'a Checker<'a>,
    /// Each provider folder is read once for the duplicate check, and knows the
    /// records accepted before the one being checked.
    services: Services<'a>,
    register: Register,
    sheet: &'a str,
    /// True for crs's own export: a record edited there came from the register, so
    /// its `[source]` (the sheet it was first imported from, if any) stays.
    own_export: bool,
    /// The day of the import.
    today: Date,
    plan: Plan,
}

impl Planner<'_> {
    /// Plans every record the sheet gives, in order, keeping the problems of those
    /// refused; returns the rows that repeat another: the record, the row and the
    /// row it repeats.
    fn add_all(&mut self, records: Merge<'_>) -> Result<Vec<(RecordId, usize, usize)>> {
        let mut repeats = Vec::new();
        // Room for every record in each list at once, not grown by doubling: the
        // room a list is not given a record for is never touched, so takes no memory.
        let count = records.size_hint().0;
        for list in [&mut self.plan.new, &mut self.plan.changed, &mut self.plan.unchanged] {
            list.reserve_exact(count);
        }
        for imported in records {
            match imported {
                Ok(imported) => {
                    repeats.extend(imported.repeats.iter().map(|(row, of)| (imported.id.clone(), *row, *of)));
                    self.add(imported)?
                }
                Err(mut problems) => self.plan.rejected.append(&mut problems),
            }
        }
        Ok(repeats)
    }

    /// Places one record of the sheet, judges it against the register and its last
    /// import, and checks what would be written.
    fn add(&mut self, imported: Imported) -> Result<()> {
        let (id, sheet_id) = match self.register.place_of(&imported, self.sheet) {
            Ok(place) => place,
            Err(problem) => {
                self.plan.rejected.push(*problem);
                return Ok(());
            }
        };
        let path = id.relative_path_string();
        let existing = match plain_file(self.root, &path, MAX_FILE_BYTES)? {
            Some(full) => Some(std::fs::read_to_string(&full).map_err(|e| Error::io(&full, e))?),
            None => None,
        };
        let Ok(old) = existing.as_deref().map(Record::from_toml).transpose() else {
            self.plan.rejected.push(whole_record_problem(
                &imported,
                self.sheet,
                &format!("{path} is already in the register and is not a valid record"),
                &format!("mend it first with crs edit {id}, then import again"),
            ));
            return Ok(());
        };
        let planned = Planned {
            id: id.clone(),
            sheet_id: sheet_id.clone(),
            changes: Vec::new(),
            stays_deleted: None,
            kept: None,
            statuses_differ: None,
            joined_rows: if imported.rows.len() > 1 { imported.rows.clone() } else { Vec::new() },
            warnings: Vec::new(),
        };
        let base = self.register.base(&id, &imported.id)?;
        let theirs = Theirs { record: &imported.record, imported_on: self.today, given: &imported.given };
        if let Some(started) = old.as_ref().and_then(|ours| review_ended_unsaid(theirs, ours, base.as_ref()))
        {
            let said = match base.as_ref() {
                Some(Base::Exported { day, .. }) => format!("the export of {}", day.in_words()),
                other => format!(
                    "the sheet imported on {}",
                    other.map_or_else(String::new, |b| b.day().in_words())
                ),
            };
            self.plan.rejected.push(Problem {
                sheet: self.sheet.to_owned(),
                row: imported.rows[0],
                column: imported.headers.get(&Field::Status).map_or_else(|| "(status)".to_owned(), |h| h.to_string()),
                value: "designated".to_owned(),
                problem: format!(
                    "ends the review of {id}, which {said} said was under review (started {}), but the row gives no decision that ended it",
                    started.when_in_words()
                ),
                todo: "a review ends with a decision of its own: give its day, who decided and the reference in columns mapped to confirmation.decided_on, confirmation.decided_by and confirmation.reference (or removal.*), or record it in crs with crs review complete, then import again".to_owned(),
            });
            return Ok(());
        }
        let record = match judge(theirs, old.as_ref(), base.as_ref()) {
            Verdict::New => imported.record.clone(),
            Verdict::Apply(mut record) => {
                if self.own_export {
                    record.source = old.as_ref().and_then(|ours| ours.source.clone());
                }
                record
            }
            Verdict::Unchanged => {
                // The register's version stands: say so where crs changed it since the
                // last import, or kept it then against a sheet that still differs, or
                // where its status is not the one the sheet gives (what the sheet
                // cannot hold, laid over it, may make the rest agree).
                let statuses_differ = old.as_ref().and_then(|ours| {
                    let (register, sheet) = (derive_status(ours), derive_status(theirs.record));
                    (register != sheet).then_some((register, sheet))
                });
                let differs = old.as_ref().is_some_and(|ours| match base.as_ref() {
                    Some(Base::Written { record, .. } | Base::Exported { record, .. }) => !same(ours, record),
                    Some(Base::Kept { .. }) => !same(&carried_over(theirs, ours), ours),
                    None => false,
                });
                let kept = match base.as_ref() {
                    _ if !differs && statuses_differ.is_none() => None,
                    _ if differs => Some(Kept::ChangedInCrs),
                    Some(Base::Kept { import, .. }) => Some(Kept::AtImport(import.day)),
                    _ => Some(Kept::BeyondTheSheet),
                };
                self.plan.unchanged.push(Planned { kept, statuses_differ, ..planned });
                return Ok(());
            }
            Verdict::StaysDeleted { since } => {
                self.plan.unchanged.push(Planned { stays_deleted: Some(since), ..planned });
                return Ok(());
            }
            Verdict::Conflict(conflict) => {
                self.plan.conflicts.push(Conflicting { id, sheet_id, rows: imported.rows, conflict });
                return Ok(());
            }
        };
        // A record already in the register keeps the comments and layout of what
        // the sheet leaves as it was.
        let text = match existing.as_deref() {
            Some(ours) => crate::register::layout::rewrite(ours, &render(&record)),
            None => render(&record),
        };
        if text.len() as u64 > MAX_FILE_BYTES {
            self.plan.rejected.push(Problem {
                sheet: self.sheet.to_owned(),
                row: imported.rows[0],
                column: longest_column(&imported).unwrap_or_else(|| format!("record {id}")),
                value: String::new(),
                problem: format!(
                    "would make the record {id} {}, more than the {} a record crs reads may take",
                    guard::size_text(text.len() as u64),
                    guard::size_text(MAX_FILE_BYTES)
                ),
                todo:
                    "shorten the longest cells of its rows, keeping long text in a document the record names"
                        .to_owned(),
            });
            return Ok(());
        }
        let Some(warnings) = self.checked(&imported, &id, &record) else { return Ok(()) };
        match &old {
            None => self.plan.new.push(Planned { warnings, ..planned }),
            Some(old) => {
                self.plan.changed.push(Planned { changes: changes(old, &record), warnings, ..planned })
            }
        }
        self.services.hold(&id, &record);
        if let Some(large) = self.large.as_mut() {
            self.tx.add_to(large, &path, text.as_bytes())?;
        }
        self.plan.files += 1;
        Ok(())
    }

    /// The rules whose warnings `record` will have; `None`, with its errors rejected
    /// as the sheet's columns say them, when it breaks a rule.
    fn checked(&mut self, imported: &Imported, id: &RecordId, record: &Record) -> Option<Vec<Rule>> {
        let judged = self.checker.judge_among(&mut self.services, id, record);
        let (errors, rest): (Vec<_>, Vec<_>) =
            judged.into_iter().partition(|(severity, _)| *severity == Severity::Error);
        if errors.is_empty() {
            return Some(
                rest.into_iter().filter(|(s, _)| *s == Severity::Warning).map(|(_, hit)| hit.rule).collect(),
            );
        }
        for (_, finding) in errors {
            let column = column_of(&finding.key, imported);
            self.plan.rejected.push(Problem {
                sheet: self.sheet.to_owned(),
                row: imported.rows[0],
                column: if column.is_empty() { format!("record {id}") } else { column },
                value: String::new(),
                problem: format!("breaks the rule {}: {}", finding.rule, finding.message),
                todo: "correct the row (or the map) and import again".to_owned(),
            });
        }
        None
    }
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
    doc.set_local_id_and_notes(record.local_id.as_deref(), record.notes.as_deref());
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

/// The field of a decision's key path (`decisions[1].decided_by`): the removal's or
/// the confirmation's own column when the sheet has it, else the designation's.
fn decision_column(key: &str, imported: &Imported) -> Field {
    let index = key.strip_prefix("decisions[").and_then(|k| k.split(']').next()).and_then(|i| i.parse().ok());
    let outcome = index.and_then(|i: usize| imported.record.decisions().get(i)).map(|d| d.outcome);
    let part = key.rsplit('.').next().unwrap_or_default();
    let own = match (outcome, part) {
        (Some(DecisionOutcome::Remove), "decided_by") => Field::RemovalDecidedBy,
        (Some(DecisionOutcome::Remove), "reference") => Field::RemovalReference,
        (Some(DecisionOutcome::Remove), _) => Field::RemovalDecidedOn,
        (Some(DecisionOutcome::Confirm), "decided_by") => Field::ConfirmationDecidedBy,
        (Some(DecisionOutcome::Confirm), "reference") => Field::ConfirmationReference,
        (Some(DecisionOutcome::Confirm), _) => Field::ConfirmationDecidedOn,
        (_, "decided_by") => Field::DecidedBy,
        (_, "reference") => Field::DecisionReference,
        _ => Field::DecidedOn,
    };
    if imported.headers.contains_key(&own) { own } else { Field::DecidedOn }
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
        Some(decision_column(key, imported))
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

/// A problem with a whole record, named by the first of its rows.
pub(crate) fn whole_record_problem(imported: &Imported, sheet: &str, problem: &str, todo: &str) -> Problem {
    Problem {
        sheet: sheet.to_owned(),
        row: imported.rows[0],
        column: format!("record {}", imported.id),
        value: String::new(),
        problem: problem.to_owned(),
        todo: todo.to_owned(),
    }
}

/// The import's commit message: what, from which file, the file's SHA-256, and each
/// record whose register version was kept against the sheet's (with the SHA-256 of
/// the sheet's version, so that the next import knows it again).
fn commit_message(
    file: &str,
    sha256: &str,
    sheet: &str,
    (new, changed): (usize, usize),
    kept: &[(&RecordId, &str)],
    own_export: bool,
) -> String {
    // One line each, whatever the file is called, so no one can forge a trailer.
    let one_line =
        |text: &str| -> String { text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect() };
    let (file, sheet) = (one_line(file), one_line(sheet));
    let mut subject = format!("import {file}: {new} new, {changed} changed record(s)");
    let mut body = format!("From sheet '{sheet}' of {file}, SHA-256 {sha256}.");
    if !kept.is_empty() {
        subject.push_str(&format!(", {} kept as the register has it", kept.len()));
        body.push_str(&format!(
            "\n\nThe register's version of {} record(s) changed in crs since the last import was kept (--keep-register).",
            kept.len()
        ));
    }
    let mut message = format!(
        "{subject}\n\n{body}\n\nCrs-Action: import\nCrs-Import-File: {file}\nCrs-Import-Sha256: {sha256}\n"
    );
    if own_export {
        message.push_str(&format!("{SOURCE_TRAILER}: {OWN_EXPORT}\n"));
    }
    for (id, digest) in kept {
        message.push_str(&format!("{KEPT_TRAILER}: {id} {digest}\n"));
    }
    message
}
