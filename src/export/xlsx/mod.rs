//! The workbook as an `.xlsx` file (rust_xlsxwriter): the designations sheet (by
//! section: in force, pending, removed, each under a heading row of its own, in
//! columns of fixed widths printed on A3), the assessments sheet,
//! the changes sheet, the history sheet (`--history`), the notes sheet and the about
//! sheet, each with a styled header row, frozen panes, a filter and column widths
//! fitted to the content (capped, the text wrapped and top-aligned, dates centred),
//! and set up to print legibly: landscape, the header row on every page, the sheet's
//! name and the page number in the header and footer, and never smaller than 8 pt. A
//! sheet that fits one page wide at that size prints one page wide (on A4, or A3 for
//! the designations); a wider one (the designations' default columns, or a long
//! list in `crs.toml`) prints across pages, as large as it can on no more pages
//! across than at 8 pt, its first columns (the record id, provider and service)
//! repeated on each and the pages of the same rows in turn. Cells hold words for people
//! ("NHS foundation trust"); codes keep their own columns. Dates are real Excel dates.
//! Text is only ever written as text — never as a formula — and text a spreadsheet
//! would take for a formula also gets Excel's quote prefix, so editing the cell keeps
//! it text. The creation time comes from crs's clock: the same register and clock give
//! byte-identical files. The large sheets (designations, assessments, changes)
//! have their rows written by crs itself (`rows`), compressed as they are made,
//! the assessments on a thread of their own, and spliced into the sheets
//! rust_xlsxwriter writes around them (`package`): rust_xlsxwriter spent most of
//! the time of a large export finding each cell's style. A large sheet's rows of
//! its usual height (the sheet's default) get no height of their own.
//! The History sheet streams its rows through a temporary file in the output's
//! folder, with their text inline (rust_xlsxwriter's constant-memory mode).
//! benches/README.md has the measurements.
//!
//! This file holds the sheets; `table` fills a sheet row by row, `print` sets up
//! how it prints, `widths` sizes the designations sheet's columns, `rows` writes a
//! large sheet's rows and `package` the file.

mod package;
mod print;
mod rows;
mod table;
mod widths;

use std::borrow::Cow;
use std::mem::take;
use std::path::Path;

use chrono::{DateTime, Timelike, Utc};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook as XlsxWorkbook, Worksheet};

use crate::error::{Error, Result};
use crate::export::assessments::{self, ASSESSMENTS_COLUMNS, ASSESSMENTS_SHEET};
use crate::export::cell::{Cell, LIST_SEPARATOR};
use crate::export::changes::{CARRIED_OVER, ChangeKind};
use crate::export::columns::Column;
use crate::export::history::{self, HISTORY_COLUMNS, HISTORY_SHEET};
use crate::export::packed::{Assessed, Cells, views};
use crate::export::section::Section;
use crate::export::spill::Spill;
use crate::export::summary::what_changed;
use crate::export::workbook::{About, ChangeLine, Row, Workbook};
use crate::export::xlsx::package::splice;
use crate::export::xlsx::print::{A3, A4, page_setup};
use crate::export::xlsx::rows::{Deflated, Styles};
use crate::export::xlsx::table::{Formats, Shown, Table, excel_date, xlsx_error};
use crate::export::xlsx::widths::print_width;
use crate::framework::definition::StageDef;
use crate::model::RecordId;
use crate::model::labels::field_label;

/// The sheets' names.
pub const DESIGNATIONS_SHEET: &str = "Designations";
pub const CHANGES_SHEET: &str = "Changes";
pub const NOTES_SHEET: &str = "Notes";
pub const ABOUT_SHEET: &str = "About";

/// The headings of the change columns, on both sheets that have them.
pub const CHANGE_HEADING: &str = "Change";
pub const CHANGED_FIELDS_HEADING: &str = "Changed fields";
pub const WHAT_CHANGED_HEADING: &str = "What changed";

/// The changes sheet's headings.
pub const CHANGES_HEADINGS: [&str; 9] = [
    "Section",
    CHANGE_HEADING,
    "Record id",
    "Provider ODS code",
    "Provider name",
    "Service name",
    "Status",
    "Status at the baseline",
    WHAT_CHANGED_HEADING,
];

/// The Changes sheet's columns, as wide as `CHANGES_HEADINGS`: its sentences of
/// what changed wide, so they do not run tall, and all of it one page of A4 wide.
const CHANGES_WIDTHS: [usize; 9] = [9, 9, 16, 9, 16, 16, 11, 11, 45];

/// The workbook as `.xlsx` bytes, created at `created`. Each row's cells, stage
/// assessments and History lines are taken from `workbook` as they are written, so
/// that they are let go before the file is assembled: the rows are left in place,
/// empty, and the rest of the workbook (about, changes, included records) whole.
/// The History sheet streams its rows through a temporary file in `scratch`, the
/// folder the output goes to (a disk with room for the workbook has room for
/// it); failing to write it is an error naming that folder.
pub fn to_xlsx(workbook: &mut Workbook, created: DateTime<Utc>, scratch: &Path) -> Result<Vec<u8>> {
    let formats = Formats::new();
    let mut book = XlsxWorkbook::new();
    let title = format!(
        "Commissioner Requested Services: {} ({})",
        workbook.about.commissioner_name, workbook.about.commissioner_code
    );
    let properties = DocProperties::new()
        .set_title(title)
        .set_author(&workbook.about.commissioner_name)
        .set_comment(format!("Written by {}", workbook.about.generated_by))
        .set_creation_datetime(&excel_moment(created)?);
    book.set_properties(&properties);

    // The library opens (and at once lets go of) a temporary file in the system's
    // temporary folder for every sheet, wherever it is told to put the rows, and
    // panics if it cannot: checked first, so that this is a plain error.
    let system_temp = std::env::temp_dir();
    book.set_tempdir(&system_temp).map_err(|e| {
        Error::export(
            format!("cannot create a temporary file in {} (TMPDIR): {e}", system_temp.display()),
            "set TMPDIR to a folder you can write to",
        )
    })?;
    book.set_tempdir(scratch).map_err(|e| {
        Error::export(
            format!("cannot create a temporary file in {}: {e}", scratch.display()),
            "write the workbook to a folder you can write to, with -o",
        )
    })?;
    // The library panics when a temporary file cannot be written (a full disk):
    // that is caught here and said as an error.
    crate::caught::caught(|| -> Result<Vec<u8>> {
        let styles = formats.register(&mut book);
        let large = large_sheets(workbook, &formats, styles, scratch)?;
        let mut rows = Vec::new();
        for (number, (sheet, written)) in (1..).zip(large) {
            book.push_worksheet(sheet);
            rows.extend(written.map(|written| (number, written)));
        }
        if workbook.history.is_some() {
            history_sheet(book.add_worksheet_with_constant_memory(), workbook, &formats)?;
        }
        notes_sheet(book.add_worksheet(), workbook, &formats)?;
        about_sheet(book.add_worksheet(), workbook, &formats)?;
        let skeleton =
            book.save_to_buffer().map_err(|e| xlsx_error("could not assemble the workbook", &e))?;
        splice(&skeleton, rows)
    })
    .unwrap_or_else(|message| Err(library_panicked(message, scratch)))
}

/// The error for a panic of rust_xlsxwriter's, `message`: its temporary files could
/// not be written in `scratch`.
fn library_panicked(message: String, scratch: &Path) -> Error {
    let full = message.contains("StorageFull") || message.contains("No space left");
    let why = if full { "the disk is full".to_owned() } else { message };
    Error::export(
        format!("could not write the workbook's temporary files in {}: {why}", scratch.display()),
        "make room on that disk, or write to a folder on another disk with -o",
    )
}

/// A row of the designations sheet, as it is written: its section, its change (when
/// the export lists changes only) and whether that only carried it over to a
/// successor, and its cells, taken as they are written.
type DesignationRow<'a> = (Section, &'a Option<(ChangeKind, Vec<String>)>, bool, &'a mut Cells);

/// A sheet, and the rows crs wrote for it.
type Written = (Worksheet, Option<Deflated>);

/// The Designations, Assessments and Changes sheets, their rows written by crs:
/// the Assessments sheet (four rows a record) on a thread of its own, the other
/// two meanwhile. What each holds depends on the rows alone, not on the threads.
fn large_sheets(
    workbook: &mut Workbook,
    formats: &Formats,
    styles: Styles,
    scratch: &Path,
) -> Result<[Written; 3]> {
    let Workbook { rows, about, spill, stages, .. } = workbook;
    let (about, spill, stages) = (&*about, spill.as_deref(), &stages[..]);
    let mut assessed = Vec::with_capacity(rows.len());
    let mut designations = Vec::with_capacity(rows.len());
    for Row { id, section, change, carried_over, cells, assessed: stages_of, .. } in rows.iter_mut() {
        assessed.push((&*id, stages_of));
        designations.push((*section, &*change, *carried_over, cells));
    }
    let columns = &workbook.columns;
    std::thread::scope(|scope| {
        // A panic on the thread is caught there too, and said as the error it is.
        let assessments = scope.spawn(move || {
            crate::caught::caught(|| -> Result<Written> {
                let mut sheet = Worksheet::new();
                let rows = assessments_sheet(&mut sheet, assessed, spill, stages, about, formats, styles)?;
                Ok((sheet, rows))
            })
        });
        let mut sheet = Worksheet::new();
        let rows = designations_sheet(
            &mut sheet,
            designations,
            columns,
            workbook.only_changes,
            about,
            formats,
            styles,
        )?;
        let designations = (sheet, rows);
        let mut sheet = Worksheet::new();
        let rows = changes_sheet(&mut sheet, &workbook.changes, about, formats, styles)?;
        let changes = (sheet, rows);
        let assessments = assessments
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            .unwrap_or_else(|message| Err(library_panicked(message, scratch)))?;
        Ok([designations, assessments, changes])
    })
}

fn designations_sheet(
    sheet: &mut Worksheet,
    rows: Vec<DesignationRow<'_>>,
    columns: &[Column],
    only_changes: bool,
    about: &About,
    formats: &Formats,
    styles: Styles,
) -> Result<Option<Deflated>> {
    let mut headings: Vec<&str> = Vec::new();
    if only_changes {
        headings.extend([CHANGE_HEADING, CHANGED_FIELDS_HEADING]);
    }
    // The section is the heading over its rows, not a column of its own.
    let shown: Vec<bool> = columns.iter().map(|c| *c != Column::Section).collect();
    let columns = || columns.iter().zip(&shown).filter(|(_, shown)| **shown).map(|(c, _)| c);
    headings.extend(columns().map(|c| c.heading()));
    let mut table = Table::streamed(sheet, DESIGNATIONS_SHEET, &headings, formats, styles)?;
    table.paper = A3;
    let mut widths: Vec<usize> = Vec::new();
    if only_changes {
        widths.extend([10, 20]);
    }
    widths.extend(columns().map(print_width));
    table.fix_widths(widths, &headings)?;
    // Spread across pages, each page repeats the columns up to the service's name.
    let change_columns = usize::from(only_changes) * 2;
    let service = columns().position(|c| *c == Column::ServiceName);
    table.repeat = service.filter(|at| *at < 8).map_or(1, |at| at + 1) + change_columns;
    let mut section = None;
    for (row_section, change, carried_over, cells) in rows {
        if section != Some(row_section) {
            // Each section under a heading of its own, after a blank row.
            if section.is_some() {
                table.gap(formats)?;
            }
            table.heading(row_section.heading(), formats)?;
            section = Some(row_section);
        }
        let cells = take(cells).unpack();
        let visible = cells.iter().zip(&shown).filter(|(_, shown)| **shown).map(|(cell, _)| cell);
        match change {
            Some((kind, fields)) => {
                let labels = fields.iter().map(|f| field_label(f)).collect();
                let label = if carried_over { CARRIED_OVER } else { kind.label() };
                let change = [Cell::text(label), Cell::List(labels)];
                table.push(change.iter().chain(visible), formats)?;
            }
            None => table.push(visible, formats)?,
        }
    }
    table.finish(about, formats)
}

fn assessments_sheet(
    sheet: &mut Worksheet,
    rows: Vec<(&RecordId, &mut Assessed)>,
    spill: Option<&Spill>,
    stages: &[StageDef],
    about: &About,
    formats: &Formats,
    styles: Styles,
) -> Result<Option<Deflated>> {
    let headings = ASSESSMENTS_COLUMNS.map(|(_, heading)| heading);
    let mut table = Table::streamed(sheet, ASSESSMENTS_SHEET, &headings, formats, styles)?;
    table.caps.fill(34);
    table.repeat = 2;
    // The stages are written from their packed bytes, their text not copied; the
    // columns are ASSESSMENTS_COLUMNS, as `assessments::lines` makes them.
    for (id, assessed) in rows {
        let bytes = take(assessed).bytes_from(spill).map(Cow::into_owned).map_err(|e| {
            Error::export(
                format!("could not read the stage assessments back from a temporary file: {e}"),
                "check that the disk of the temporary folder (TMPDIR) is sound, and try again",
            )
        })?;
        let id = id.to_string();
        for (heading, stage) in assessments::in_order(views(&bytes), |view| &view.key, stages) {
            let evidence = match &stage.evidence[..] {
                [one] => Shown::text(one.as_ref()),
                many => Shown::text(many.join(LIST_SEPARATOR)),
            };
            let line = vec![
                Shown::text(id.as_str()),
                Shown::text(heading),
                Shown::text(if stage.met { "Yes" } else { "No" }),
                Shown::text(stage.rationale.trim()),
                evidence,
                Shown::date(stage.assessed_on),
                Shown::text(stage.assessed_by.as_deref().unwrap_or_default()),
            ];
            table.push_shown(line, formats)?;
        }
    }
    table.finish(about, formats)
}

fn changes_sheet(
    sheet: &mut Worksheet,
    changes: &[ChangeLine],
    about: &About,
    formats: &Formats,
    styles: Styles,
) -> Result<Option<Deflated>> {
    let mut table = Table::streamed(sheet, CHANGES_SHEET, &CHANGES_HEADINGS, formats, styles)?;
    table.repeat = 3;
    table.fix_widths(CHANGES_WIDTHS.to_vec(), &CHANGES_HEADINGS)?;
    for line in changes {
        let c = &line.change;
        let status = |s: Option<crate::model::Status>| Cell::text(s.map_or("", |s| s.label()));
        let cells = [
            Cell::text(c.section.label()),
            Cell::text(c.label()),
            Cell::text(c.id.to_string()),
            Cell::text(&line.label.provider_code),
            Cell::text(&line.label.provider_name),
            Cell::text(&line.label.service),
            if c.status.is_none() { Cell::text("Deleted from the register") } else { status(c.status) },
            status(c.previous_status),
            Cell::text(what_changed(line).join("\n")),
        ];
        table.push(cells.iter(), formats)?;
    }
    table.finish(about, formats)
}

fn history_sheet(sheet: &mut Worksheet, workbook: &mut Workbook, formats: &Formats) -> Result<()> {
    let headings = HISTORY_COLUMNS.map(|(_, heading)| heading);
    let mut table = Table::new(sheet, HISTORY_SHEET, &headings, formats)?;
    table.repeat = 1;
    let stages = workbook.history.as_deref().unwrap_or_default();
    for (id, life) in workbook.rows.iter_mut().filter_map(|row| row.history.take()) {
        for line in history::lines(&id, &life, stages) {
            table.push(line.iter(), formats)?;
        }
    }
    table.finish(&workbook.about, formats)?;
    Ok(())
}

fn notes_sheet(sheet: &mut Worksheet, workbook: &Workbook, formats: &Formats) -> Result<()> {
    let mut table = Table::new(sheet, NOTES_SHEET, &["Section", "Term", "Meaning"], formats)?;
    table.caps.fill(90);
    table.flush(formats)?;
    for note in &workbook.notes {
        table.push(
            [Cell::text(note.section), Cell::text(&note.term), Cell::text(&note.meaning)].iter(),
            formats,
        )?;
    }
    table.finish(&workbook.about, formats)?;
    Ok(())
}

fn about_sheet(sheet: &mut Worksheet, workbook: &Workbook, formats: &Formats) -> Result<()> {
    let mut table = Table::new(sheet, ABOUT_SHEET, &["About this export", ""], formats)?;
    table.caps.fill(90);
    table.flush(formats)?;
    for (what, value) in workbook.about.lines() {
        table.push([Cell::text(what), Cell::text(value)].iter(), formats)?;
    }
    table.sheet.set_freeze_panes(1, 0).map_err(|e| xlsx_error("could not freeze the header", &e))?;
    let widths = table.widen();
    page_setup(table.sheet, &workbook.about, A4, &widths, 0)
}

fn excel_moment(at: DateTime<Utc>) -> Result<ExcelDateTime> {
    excel_date(at.date_naive())
        .and_then(|d| d.and_hms(at.hour() as u16, at.minute() as u8, at.second() as f64).ok())
        .ok_or_else(|| {
            Error::export(
                format!("the clock reads {at}, which a workbook cannot record"),
                "check the system clock, or SOURCE_DATE_EPOCH if it is set",
            )
        })
}
