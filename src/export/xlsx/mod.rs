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
//! byte-identical files. The large sheets stream their rows through a temporary file
//! in the output's folder, with their text inline (rust_xlsxwriter's constant-memory
//! mode), rather than holding every cell and a table of shared strings; and a large
//! sheet's rows of its usual height (the sheet's default) get no height of their own,
//! which rust_xlsxwriter would keep until the file is saved (benches/README.md has
//! the measurements; holding it all in memory took 100,000 records from 0.5 to 1.4 GB).
//!
//! This file holds the sheets; `table` fills a sheet row by row, `print` sets up
//! how it prints, `widths` sizes the designations sheet's columns.

mod print;
mod table;
mod widths;

use std::mem::take;
use std::path::Path;

use chrono::{DateTime, Timelike, Utc};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook as XlsxWorkbook, Worksheet};

use crate::error::{Error, Result};
use crate::export::assessments::{self, ASSESSMENTS_COLUMNS, ASSESSMENTS_SHEET};
use crate::export::cell::Cell;
use crate::export::columns::Column;
use crate::export::history::{self, HISTORY_COLUMNS, HISTORY_SHEET};
use crate::export::summary::what_changed;
use crate::export::workbook::Workbook;
use crate::export::xlsx::print::{A3, A4, page_setup};
use crate::export::xlsx::table::{Formats, Table, excel_date, xlsx_error};
use crate::export::xlsx::widths::print_width;
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
/// The large sheets stream their rows through temporary files in `scratch`, the
/// folder the output goes to (a disk with room for the workbook has room for
/// them); failing to write them is an error naming that folder.
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
        designations_sheet(book.add_worksheet_with_constant_memory(), workbook, &formats)?;
        assessments_sheet(book.add_worksheet_with_constant_memory(), workbook, &formats)?;
        changes_sheet(book.add_worksheet_with_constant_memory(), workbook, &formats)?;
        if workbook.history.is_some() {
            history_sheet(book.add_worksheet_with_constant_memory(), workbook, &formats)?;
        }
        notes_sheet(book.add_worksheet(), workbook, &formats)?;
        about_sheet(book.add_worksheet(), workbook, &formats)?;
        book.save_to_buffer().map_err(|e| xlsx_error("could not assemble the workbook", &e))
    })
    .unwrap_or_else(|message| {
        let full = message.contains("StorageFull") || message.contains("No space left");
        let why = if full { "the disk is full".to_owned() } else { message };
        Err(Error::export(
            format!("could not write the workbook's temporary files in {}: {why}", scratch.display()),
            "make room on that disk, or write to a folder on another disk with -o",
        ))
    })
}

fn designations_sheet(sheet: &mut Worksheet, workbook: &mut Workbook, formats: &Formats) -> Result<()> {
    let mut headings: Vec<&str> = Vec::new();
    if workbook.only_changes {
        headings.extend([CHANGE_HEADING, CHANGED_FIELDS_HEADING]);
    }
    // The section is the heading over its rows, not a column of its own.
    let shown: Vec<bool> = workbook.columns.iter().map(|c| *c != Column::Section).collect();
    let columns = || workbook.columns.iter().zip(&shown).filter(|(_, shown)| **shown).map(|(c, _)| c);
    headings.extend(columns().map(|c| c.heading()));
    let mut table = Table::new(sheet, DESIGNATIONS_SHEET, &headings, formats)?;
    table.paper = A3;
    let mut widths: Vec<usize> = Vec::new();
    if workbook.only_changes {
        widths.extend([10, 20]);
    }
    widths.extend(columns().map(print_width));
    table.fix_widths(widths, &headings)?;
    // Spread across pages, each page repeats the columns up to the service's name.
    let change_columns = usize::from(workbook.only_changes) * 2;
    let service = columns().position(|c| *c == Column::ServiceName);
    table.repeat = service.filter(|at| *at < 8).map_or(1, |at| at + 1) + change_columns;
    let mut section = None;
    for row in &mut workbook.rows {
        if section != Some(row.section) {
            // Each section under a heading of its own, after a blank row.
            if section.is_some() {
                table.gap(formats)?;
            }
            table.heading(row.section.heading(), formats)?;
            section = Some(row.section);
        }
        let cells = take(&mut row.cells).unpack();
        let visible = cells.iter().zip(&shown).filter(|(_, shown)| **shown).map(|(cell, _)| cell);
        match &row.change {
            Some((kind, fields)) => {
                let labels = fields.iter().map(|f| field_label(f)).collect();
                let change = [Cell::text(kind.label()), Cell::List(labels)];
                table.push(change.iter().chain(visible), formats)?;
            }
            None => table.push(visible, formats)?,
        }
    }
    table.finish(&workbook.about, formats)
}

fn assessments_sheet(sheet: &mut Worksheet, workbook: &mut Workbook, formats: &Formats) -> Result<()> {
    let headings = ASSESSMENTS_COLUMNS.map(|(_, heading)| heading);
    let mut table = Table::new(sheet, ASSESSMENTS_SHEET, &headings, formats)?;
    table.caps.fill(34);
    table.repeat = 2;
    let spill = workbook.spill.clone();
    for row in &mut workbook.rows {
        let assessed = take(&mut row.assessed).unpack(spill.as_deref()).map_err(|e| {
            Error::export(
                format!("could not read the stage assessments back from a temporary file: {e}"),
                "check that the disk of the temporary folder (TMPDIR) is sound, and try again",
            )
        })?;
        for line in assessments::lines(&row.id, &assessed, &workbook.stages) {
            table.push(line.iter(), formats)?;
        }
    }
    table.finish(&workbook.about, formats)
}

fn changes_sheet(sheet: &mut Worksheet, workbook: &Workbook, formats: &Formats) -> Result<()> {
    let mut table = Table::new(sheet, CHANGES_SHEET, &CHANGES_HEADINGS, formats)?;
    table.repeat = 3;
    table.fix_widths(CHANGES_WIDTHS.to_vec(), &CHANGES_HEADINGS)?;
    for line in &workbook.changes {
        let c = &line.change;
        let status = |s: Option<crate::model::Status>| Cell::text(s.map_or("", |s| s.label()));
        let cells = [
            Cell::text(c.section.label()),
            Cell::text(c.kind.label()),
            Cell::text(c.id.to_string()),
            Cell::text(&line.provider_code),
            Cell::text(&line.provider_name),
            Cell::text(&line.service),
            if c.status.is_none() { Cell::text("Deleted from the register") } else { status(c.status) },
            status(c.previous_status),
            Cell::text(what_changed(line).join("\n")),
        ];
        table.push(cells.iter(), formats)?;
    }
    table.finish(&workbook.about, formats)
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
    table.finish(&workbook.about, formats)
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
    table.finish(&workbook.about, formats)
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
