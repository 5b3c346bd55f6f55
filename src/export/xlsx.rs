//! The workbook as an `.xlsx` file (rust_xlsxwriter): the designations sheet, the
//! changes sheet and the about sheet, each with a styled header row, frozen panes, a
//! filter and column widths fitted to the content. Dates are real Excel dates. Text
//! is only ever written as text — never as a formula — and text a spreadsheet would
//! take for a formula also gets Excel's quote prefix, so editing the cell keeps it
//! text. The creation time comes from crs's clock: the same register and clock give
//! byte-identical files. The two large sheets stream their rows through a temporary
//! file with their text inline (rust_xlsxwriter's constant-memory mode), rather than
//! holding every cell and a table of shared strings (benches/README.md has the
//! measurements).

use chrono::{DateTime, Datelike, Timelike, Utc};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook as XlsxWorkbook, Worksheet, XlsxError,
};

use crate::error::{Error, Result};
use crate::export::cell::{Cell, looks_like_formula};
use crate::export::summary::what_changed;
use crate::export::workbook::Workbook;
use crate::model::labels::field_label;

/// The sheets' names.
pub const DESIGNATIONS_SHEET: &str = "Designations";
pub const CHANGES_SHEET: &str = "Changes";
pub const ABOUT_SHEET: &str = "About";

/// The headings of the change columns, on both sheets that have them.
pub const CHANGE_HEADING: &str = "Change";
pub const CHANGED_FIELDS_HEADING: &str = "Changed fields";
pub const WHAT_CHANGED_HEADING: &str = "What changed";

/// The changes sheet's headings.
pub const CHANGES_HEADINGS: [&str; 8] = [
    CHANGE_HEADING,
    "Record id",
    "Provider ODS code",
    "Provider name",
    "Service name",
    "Status",
    "Status at the baseline",
    WHAT_CHANGED_HEADING,
];

/// Excel's limits.
const MAX_CELL_CHARS: usize = 32_767;
const MAX_ROWS: usize = 1_048_576;
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;

struct Formats {
    header: Format,
    date: Format,
    quoted: Format,
}

/// The workbook as `.xlsx` bytes, created at `created`.
pub fn to_xlsx(workbook: &Workbook, created: DateTime<Utc>) -> Result<Vec<u8>> {
    let formats = Formats {
        header: Format::new()
            .set_bold()
            .set_font_color(Color::White)
            .set_background_color(Color::RGB(0x005EB8))
            .set_border_bottom(FormatBorder::Thin),
        date: Format::new().set_num_format("yyyy-mm-dd"),
        quoted: Format::new().set_quote_prefix(),
    };
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

    // The large sheets stream their rows to a temporary file instead of holding
    // every cell in memory; check first that one can be made, so that failing to is
    // an error rather than a panic inside the library.
    book.set_tempdir(std::env::temp_dir()).map_err(|e| {
        Error::export(
            format!("cannot create a temporary file in {}: {e}", std::env::temp_dir().display()),
            "set TMPDIR to a folder you can write to",
        )
    })?;
    designations_sheet(book.add_worksheet_with_constant_memory(), workbook, &formats)?;
    changes_sheet(book.add_worksheet_with_constant_memory(), workbook, &formats)?;
    about_sheet(book.add_worksheet(), workbook, &formats)?;
    book.save_to_buffer().map_err(|e| xlsx_error("could not assemble the workbook", &e))
}

fn designations_sheet(sheet: &mut Worksheet, workbook: &Workbook, formats: &Formats) -> Result<()> {
    let mut headings: Vec<&str> = Vec::new();
    if workbook.only_changes {
        headings.extend([CHANGE_HEADING, CHANGED_FIELDS_HEADING]);
    }
    headings.extend(workbook.columns.iter().map(|c| c.heading()));
    let mut table = Table::new(sheet, DESIGNATIONS_SHEET, &headings, formats)?;
    for row in &workbook.rows {
        match &row.change {
            Some((kind, fields)) => {
                let labels = fields.iter().map(|f| field_label(f)).collect();
                let change = [Cell::text(kind.label()), Cell::List(labels)];
                table.push(change.iter().chain(&row.cells), formats)?;
            }
            None => table.push(row.cells.iter(), formats)?,
        }
    }
    table.finish()
}

fn changes_sheet(sheet: &mut Worksheet, workbook: &Workbook, formats: &Formats) -> Result<()> {
    let mut table = Table::new(sheet, CHANGES_SHEET, &CHANGES_HEADINGS, formats)?;
    for line in &workbook.changes {
        let c = &line.change;
        let status = |s: Option<crate::model::Status>| Cell::text(s.map_or("", |s| s.label()));
        let cells = [
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
    table.finish()
}

fn about_sheet(sheet: &mut Worksheet, workbook: &Workbook, formats: &Formats) -> Result<()> {
    let mut table = Table::new(sheet, ABOUT_SHEET, &["About this export", ""], formats)?;
    for (what, value) in workbook.about.lines() {
        table.push([Cell::text(what), Cell::text(value)].iter(), formats)?;
    }
    table.sheet.set_freeze_panes(1, 0).map_err(|e| xlsx_error("could not freeze the header", &e))?;
    table.widen();
    Ok(())
}

/// A sheet being filled: one header row, then data rows, tracking column widths.
struct Table<'w> {
    sheet: &'w mut Worksheet,
    name: &'static str,
    widths: Vec<usize>,
    next_row: u32,
}

impl<'w> Table<'w> {
    fn new(
        sheet: &'w mut Worksheet,
        name: &'static str,
        headings: &[&str],
        formats: &Formats,
    ) -> Result<Table<'w>> {
        sheet.set_name(name).map_err(|e| xlsx_error("could not name a sheet", &e))?;
        for (col, heading) in headings.iter().enumerate() {
            sheet
                .write_string_with_format(0, col_num(col)?, *heading, &formats.header)
                .map_err(|e| xlsx_error("could not write a heading", &e))?;
        }
        let widths = headings.iter().map(|h| h.chars().count()).collect();
        Ok(Table { sheet, name, widths, next_row: 1 })
    }

    fn push<'c>(&mut self, cells: impl Iterator<Item = &'c Cell>, formats: &Formats) -> Result<()> {
        if self.next_row as usize >= MAX_ROWS {
            return Err(Error::export(
                format!(
                    "the {} sheet would have more than {MAX_ROWS} rows, the most a spreadsheet holds",
                    self.name
                ),
                "export a smaller scope (--status) or to --format csv",
            ));
        }
        let row = self.next_row;
        for (col, cell) in cells.enumerate() {
            let width = write_cell(self.sheet, row, col_num(col)?, cell, formats, self.name)?;
            if let Some(w) = self.widths.get_mut(col) {
                *w = (*w).max(width);
            }
        }
        self.next_row += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<()> {
        let last_col = col_num(self.widths.len().saturating_sub(1))?;
        self.sheet.set_freeze_panes(1, 0).map_err(|e| xlsx_error("could not freeze the header", &e))?;
        self.sheet
            .autofilter(0, 0, self.next_row - 1, last_col)
            .map_err(|e| xlsx_error("could not add the filter", &e))?;
        self.widen();
        Ok(())
    }

    fn widen(&mut self) {
        for (col, width) in self.widths.iter().enumerate() {
            // Room for the filter button, within bounds that keep the sheet readable.
            let width = (width + 3).clamp(MIN_WIDTH, MAX_WIDTH);
            if let Ok(col) = u16::try_from(col) {
                let _ = self.sheet.set_column_width(col, width as f64);
            }
        }
    }
}

/// Writes one cell; returns its width in characters.
fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    formats: &Formats,
    name: &str,
) -> Result<usize> {
    let failed = |e: XlsxError| xlsx_error("could not write a cell", &e);
    match cell {
        Cell::Empty => Ok(0),
        Cell::List(items) if items.is_empty() => Ok(0),
        Cell::Date(date) => match excel_date(date.0) {
            Some(day) => {
                sheet.write_date_with_format(row, col, &day, &formats.date).map_err(failed)?;
                Ok(10)
            }
            // Excel has no dates before 1900 or after 9999: keep the day as text.
            None => write_text(sheet, row, col, &date.to_string(), formats, name),
        },
        other => write_text(sheet, row, col, &other.display(), formats, name),
    }
}

fn write_text(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    formats: &Formats,
    name: &str,
) -> Result<usize> {
    let chars = text.chars().count();
    if chars > MAX_CELL_CHARS {
        return Err(Error::export(
            format!(
                "a cell of the {name} sheet (row {}, column {}) would hold {chars} characters; a spreadsheet cell holds at most {MAX_CELL_CHARS}",
                row + 1,
                col + 1
            ),
            "shorten that field of the record, or export to --format csv or json",
        ));
    }
    let written = if looks_like_formula(text) {
        sheet.write_string_with_format(row, col, text, &formats.quoted)
    } else {
        sheet.write_string(row, col, text)
    };
    written.map_err(|e| xlsx_error("could not write a cell", &e))?;
    Ok(text.lines().map(|l| l.chars().count()).max().unwrap_or(0))
}

fn excel_date(day: chrono::NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(day.year()).ok().filter(|y| (1900..=9999).contains(y))?;
    ExcelDateTime::from_ymd(year, day.month() as u8, day.day() as u8).ok()
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

fn col_num(col: usize) -> Result<u16> {
    u16::try_from(col).ok().filter(|c| *c < 16_384).ok_or_else(|| {
        Error::export(
            "the export has more columns than a spreadsheet holds",
            "name fewer columns in [submission] columns in crs.toml",
        )
    })
}

fn xlsx_error(what: &str, e: &XlsxError) -> Error {
    Error::export(format!("{what}: {e}"), "this is a bug in crs if it persists; please report it")
}
