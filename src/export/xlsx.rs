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

use std::path::Path;

use chrono::{DateTime, Datelike, Timelike, Utc};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook as XlsxWorkbook,
    Worksheet, XlsxError,
};

use crate::error::{Error, Result};
use std::mem::take;

use crate::export::assessments::{self, ASSESSMENTS_COLUMNS, ASSESSMENTS_SHEET};
use crate::export::cell::{Cell, looks_like_formula};
use crate::export::columns::Column;
use crate::export::history::{self, HISTORY_COLUMNS, HISTORY_SHEET};
use crate::export::summary::what_changed;
use crate::export::workbook::Workbook;
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

/// Excel's limits.
const MAX_CELL_CHARS: usize = 32_767;
const MAX_ROWS: usize = 1_048_576;
const MIN_WIDTH: usize = 8;
/// Wider text wraps: a column of a printed page stays readable.
const MAX_WIDTH: usize = 24;
/// The Changes sheet's columns, as wide as `CHANGES_HEADINGS`: its sentences of
/// what changed wide, so they do not run tall, and all of it one page of A4 wide.
const CHANGES_WIDTHS: [usize; 9] = [9, 9, 16, 9, 16, 16, 11, 11, 45];
/// A heading wraps too, so it widens its column only up to this, or its longest word.
const HEADING_WIDTH: usize = 10;
/// A line of wrapped text, in points (Calibri 11 in Excel takes about 14.4, DejaVu
/// Sans in LibreOffice 12.8), and the most lines a row is grown for.
const LINE_POINTS: f64 = 14.5;
const MAX_LINES: usize = 40;
/// Excel's paper sizes: A4, and A3 for the wide designations sheet.
const PAPER_A4: u8 = 9;
const PAPER_A3: u8 = 8;
/// The width of each paper, landscape, in points.
const A4_POINTS: f64 = 842.0;
const A3_POINTS: f64 = 1191.0;
/// The left and right margins, in inches: narrower on the A3 designations sheet,
/// whose columns fill the page.
const SIDE_MARGIN: f64 = 0.4;
const A3_SIDE_MARGIN: f64 = 0.25;
/// The text is the workbook's default font, Calibri 11, printed no smaller than
/// `MIN_SCALE` percent of that: 8.25 pt. A sheet is fitted one page wide only when
/// the scale that takes stays above `FIT_SCALE`, which leaves room for a
/// spreadsheet measuring text a little wider than crs does.
const MIN_SCALE: u16 = 75;
const FIT_SCALE: f64 = 0.79;

struct Formats {
    header: Format,
    /// A section's heading row on the designations sheet: bold, not wrapped, so it
    /// reads across the empty cells beside it.
    section: Format,
    text: Format,
    date: Format,
    quoted: Format,
}

/// The workbook as `.xlsx` bytes, created at `created`. Each row's cells, stage
/// assessments and History lines are taken from `workbook` as they are written, so
/// that they are let go before the file is assembled: the rows are left in place,
/// empty, and the rest of the workbook (about, changes, included records) whole.
/// The large sheets stream their rows through temporary files in `scratch`, the
/// folder the output goes to (a disk with room for the workbook has room for
/// them); failing to write them is an error naming that folder.
pub fn to_xlsx(workbook: &mut Workbook, created: DateTime<Utc>, scratch: &Path) -> Result<Vec<u8>> {
    let body = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let formats = Formats {
        header: body
            .clone()
            .set_bold()
            .set_font_color(Color::White)
            .set_background_color(Color::RGB(0x005EB8))
            .set_border_bottom(FormatBorder::Thin),
        section: Format::new().set_bold().set_font_size(12).set_align(FormatAlign::Bottom),
        text: body.clone(),
        // Centred: a date never touches the text of the column beside it.
        date: body.clone().set_num_format("d mmm yyyy").set_align(FormatAlign::Center),
        quoted: body.set_quote_prefix(),
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
    table.paper = PAPER_A3;
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
        let cells = take(&mut row.cells);
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
    for row in &mut workbook.rows {
        let assessed = take(&mut row.assessed);
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
    page_setup(table.sheet, &workbook.about, PAPER_A4, &widths, 0)
}

/// How a sheet prints: landscape on `paper`, the header row on every page,
/// gridlines, and the sheet's name, the commissioner and the page number in the page
/// header and footer. Fitted one page wide when its columns (`widths`, in
/// characters) fit at a scale that keeps the text 8 pt or larger; else at that
/// scale or larger across pages, the first `repeat` columns on each, the pages of
/// the same rows one after another.
fn page_setup(
    sheet: &mut Worksheet,
    about: &crate::export::workbook::About,
    paper: u8,
    widths: &[usize],
    repeat: usize,
) -> Result<()> {
    // In a page header `&` starts a code; a name's own `&` is written `&&`.
    let name: String = about.commissioner_name.chars().take(80).collect::<String>().replace('&', "&&");
    sheet
        .set_landscape()
        .set_paper_size(paper)
        .set_margins(side_margin(paper), side_margin(paper), -1.0, -1.0, -1.0, -1.0)
        .set_print_gridlines(true)
        .set_header(format!("&L&\"-,Bold\"Commissioner Requested Services: &A&R{name}"))
        .set_footer("&LGenerated by crs&CPage &P of &N");
    match fitting_scale(paper, widths) {
        Some(_) => {
            sheet.set_print_fit_to_pages(1, 0);
        }
        None => {
            // Over, then down: the pages of the same rows follow one another.
            sheet.set_print_scale(across_scale(paper, widths, repeat)).set_page_order(false);
            if let Some(last) = repeat.checked_sub(1).and_then(|last| u16::try_from(last).ok()) {
                sheet.set_repeat_columns(0, last).map_err(|e| xlsx_error("could not repeat columns", &e))?;
            }
        }
    }
    sheet.set_repeat_rows(0, 0).map_err(|e| xlsx_error("could not repeat the header row", &e))?;
    Ok(())
}

fn side_margin(paper: u8) -> f64 {
    if paper == PAPER_A3 { A3_SIDE_MARGIN } else { SIDE_MARGIN }
}

/// The scale at which columns `widths` (in characters of the default font) fill one
/// page of `paper` wide, when that keeps the text legible; `None` when they need
/// more than one page at the smallest legible scale.
fn fitting_scale(paper: u8, widths: &[usize]) -> Option<f64> {
    let sheet: f64 = widths.iter().map(|w| column_points(*w)).sum();
    let scale = (printable_points(paper) / sheet.max(1.0)).min(1.0);
    (scale >= FIT_SCALE).then_some(scale)
}

/// The width of `paper`, landscape, less its side margins, in points.
fn printable_points(paper: u8) -> f64 {
    let page = if paper == PAPER_A3 { A3_POINTS } else { A4_POINTS };
    page - 2.0 * side_margin(paper) * 72.0
}

/// The width of a column `width` characters wide at full scale, in points. A column
/// of width w takes 7w + 5 pixels at 96 pixels an inch (0.75 pt each) in Calibri;
/// where Calibri is missing a spreadsheet measures in a wider font (LibreOffice
/// falls back to DejaVu Sans, about 9 pixels a character), so crs counts 9 and the
/// text stays legible there too.
fn column_points(width: usize) -> f64 {
    (width as f64 * 9.0 + 5.0) * 0.75
}

/// The print scale, in percent, of a sheet too wide for one page: the largest, up
/// to full size, that prints it on no more pages across than the smallest legible
/// scale does, its first `repeat` columns on every page. The pages are counted as
/// a spreadsheet fills them, column by column, with room to spare for a
/// spreadsheet measuring text a little wider than crs does.
fn across_scale(paper: u8, widths: &[usize], repeat: usize) -> u16 {
    let fewest = pages_across(paper, widths, repeat, f64::from(MIN_SCALE));
    (MIN_SCALE..=100)
        .rev()
        .find(|percent| pages_across(paper, widths, repeat, f64::from(*percent)) <= fewest)
        .unwrap_or(MIN_SCALE)
}

/// How many pages across columns `widths` take at `percent`, the first `repeat`
/// on every page.
fn pages_across(paper: u8, widths: &[usize], repeat: usize, percent: f64) -> usize {
    // At the smallest legible scale one page holds what `fitting_scale` fits.
    let room = f64::from(MIN_SCALE) / 100.0 / FIT_SCALE;
    let page = printable_points(paper) * room * 100.0 / percent;
    let titles: f64 = widths.iter().take(repeat).map(|w| column_points(*w)).sum();
    let (mut pages, mut used) = (1, 0.0);
    for (at, width) in widths.iter().enumerate() {
        let width = column_points(*width);
        if used > 0.0 && used + width > page {
            pages += 1;
            used = if at >= repeat { titles } else { 0.0 };
        }
        used += width;
    }
    pages
}

/// How many rows a sheet's usual height is chosen from.
const SAMPLE_ROWS: usize = 1000;

/// A row of a sheet waiting to be written: its number, and its cells and lines, or
/// a section's heading, or a gap.
enum Held {
    Cells(u32, usize, Vec<Cell>),
    Heading(u32, String),
    Gap(u32),
}

/// The height of a row of `lines` lines of text, in points: one line is a
/// spreadsheet's own height.
fn row_points(lines: usize) -> f64 {
    if lines <= 1 { 15.0 } else { (lines.min(MAX_LINES) as f64) * LINE_POINTS + 3.0 }
}

/// A sheet being filled: one header row, then data rows, tracking column widths.
struct Table<'w> {
    sheet: &'w mut Worksheet,
    name: &'static str,
    widths: Vec<usize>,
    next_row: u32,
    /// The widest each column grows; wider text wraps.
    caps: Vec<usize>,
    /// Added to the widest text of a column: room for the filter's button.
    pad: usize,
    /// Each column as wide as its cap, whatever it holds.
    fixed: bool,
    /// The lines of the sheet's usual row, once its first rows have been seen.
    usual_lines: Option<usize>,
    /// The first rows, until then.
    held: Vec<Held>,
    /// The paper it prints on.
    paper: u8,
    /// The leading columns repeated on each page when the sheet prints across pages.
    repeat: usize,
}

impl<'w> Table<'w> {
    fn new(
        sheet: &'w mut Worksheet,
        name: &'static str,
        headings: &[&str],
        formats: &Formats,
    ) -> Result<Table<'w>> {
        sheet.set_name(name).map_err(|e| xlsx_error("could not name a sheet", &e))?;
        let lines = headings.iter().map(|h| lines_of(h, heading_width(h) + 3)).max().unwrap_or(1);
        if lines > 1 {
            let points = lines as f64 * LINE_POINTS + 3.0;
            sheet.set_row_height(0, points).map_err(|e| xlsx_error("could not size a row", &e))?;
        }
        for (col, heading) in headings.iter().enumerate() {
            sheet
                .write_string_with_format(0, col_num(col)?, *heading, &formats.header)
                .map_err(|e| xlsx_error("could not write a heading", &e))?;
        }
        let widths = headings.iter().map(|h| heading_width(h)).collect();
        let caps = vec![MAX_WIDTH; headings.len()];
        Ok(Table {
            sheet,
            name,
            widths,
            next_row: 1,
            caps,
            pad: 2,
            fixed: false,
            usual_lines: None,
            held: Vec::new(),
            paper: PAPER_A4,
            repeat: 1,
        })
    }

    /// Makes each column `widths` wide whatever it holds (the text wraps within it),
    /// and the heading row tall enough for `headings` wrapped at those widths.
    fn fix_widths(&mut self, widths: Vec<usize>, headings: &[&str]) -> Result<()> {
        let lines = headings.iter().zip(&widths).map(|(h, w)| lines_of(h, *w)).max().unwrap_or(1);
        let points = lines as f64 * LINE_POINTS + 3.0;
        self.sheet.set_row_height(0, points).map_err(|e| xlsx_error("could not size a row", &e))?;
        self.caps = widths;
        self.pad = 0;
        self.fixed = true;
        Ok(())
    }

    fn check_room(&self) -> Result<()> {
        if self.next_row as usize >= MAX_ROWS {
            return Err(Error::export(
                format!(
                    "the {} sheet would have more than {MAX_ROWS} rows, the most a spreadsheet holds",
                    self.name
                ),
                "export a smaller scope (--status) or to --format csv",
            ));
        }
        Ok(())
    }

    /// A row holding only `text`, a heading of the rows below it.
    fn heading(&mut self, text: &str, formats: &Formats) -> Result<()> {
        self.check_room()?;
        self.hold(Held::Heading(self.next_row, text.to_owned()), formats)?;
        self.next_row += 1;
        Ok(())
    }

    /// A blank row of one line.
    fn gap(&mut self, formats: &Formats) -> Result<()> {
        self.check_room()?;
        self.hold(Held::Gap(self.next_row), formats)?;
        self.next_row += 1;
        Ok(())
    }

    fn push<'c>(&mut self, cells: impl Iterator<Item = &'c Cell>, formats: &Formats) -> Result<()> {
        self.check_room()?;
        let row = self.next_row;
        let cells: Vec<&Cell> = cells.collect();
        let lines = cells
            .iter()
            .zip(self.caps.iter().chain(std::iter::repeat(&MAX_WIDTH)))
            .map(|(c, cap)| lines_of(&c.for_people(), *cap))
            .max()
            .unwrap_or(1);
        if self.usual_lines.is_none() {
            let owned = cells.into_iter().cloned().collect();
            self.hold(Held::Cells(row, lines, owned), formats)?;
        } else {
            self.write_row(row, lines, &cells, formats)?;
        }
        self.next_row += 1;
        Ok(())
    }

    /// Keeps `held` until the sheet's usual row height is known, from its first
    /// `SAMPLE_ROWS` rows.
    fn hold(&mut self, held: Held, formats: &Formats) -> Result<()> {
        match self.usual_lines {
            None => {
                self.held.push(held);
                if self.held.len() >= SAMPLE_ROWS {
                    self.settle(formats)?;
                }
                Ok(())
            }
            Some(_) => self.write_held(held, formats),
        }
    }

    /// Chooses the sheet's usual row height, the one most of its first rows need
    /// (the fewer lines of two as common): rows of that height need none of their
    /// own, and rust_xlsxwriter keeps about 300 bytes for each row given one until
    /// the file is saved. Then writes the rows held until now.
    fn settle(&mut self, formats: &Formats) -> Result<()> {
        let mut counts: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
        for held in &self.held {
            if let Held::Cells(_, lines, _) = held {
                *counts.entry((*lines).min(MAX_LINES)).or_default() += 1;
            }
        }
        // A sheet of fewer rows gives each row its own height, as needed.
        let sample = self.held.len() >= SAMPLE_ROWS;
        let usual = counts
            .iter()
            .filter(|_| sample)
            .max_by_key(|(lines, count)| (**count, std::cmp::Reverse(**lines)))
            .map_or(1, |(l, _)| *l);
        if usual > 1 {
            self.sheet.set_default_row_height(row_points(usual));
        }
        self.usual_lines = Some(usual);
        for held in take(&mut self.held) {
            self.write_held(held, formats)?;
        }
        Ok(())
    }

    fn write_held(&mut self, held: Held, formats: &Formats) -> Result<()> {
        let sized = |e: XlsxError| xlsx_error("could not size a row", &e);
        match held {
            Held::Cells(row, lines, cells) => {
                self.write_row(row, lines, &cells.iter().collect::<Vec<_>>(), formats)
            }
            Held::Heading(row, text) => {
                self.sheet.set_row_height(row, 2.0 * LINE_POINTS).map_err(sized)?;
                self.sheet
                    .write_string_with_format(row, 0, &text, &formats.section)
                    .map_err(|e| xlsx_error("could not write a heading", &e))?;
                Ok(())
            }
            Held::Gap(row) => {
                self.sheet.set_row_height(row, row_points(1)).map_err(sized)?;
                Ok(())
            }
        }
    }

    /// Writes `cells` to row `row`, tall enough for `lines` lines of wrapped text:
    /// spreadsheets do not all grow a row for wrapped text themselves (LibreOffice
    /// does not, for a row it reads from a file), so a long cell would be cut off
    /// or overprint.
    fn write_row(&mut self, row: u32, lines: usize, cells: &[&Cell], formats: &Formats) -> Result<()> {
        if Some(lines.min(MAX_LINES)) != self.usual_lines {
            self.sheet
                .set_row_height(row, row_points(lines))
                .map_err(|e| xlsx_error("could not size a row", &e))?;
        }
        for (col, cell) in cells.iter().enumerate() {
            let width = write_cell(self.sheet, row, col_num(col)?, cell, formats, self.name)?;
            if let Some(w) = self.widths.get_mut(col) {
                *w = (*w).max(width);
            }
        }
        Ok(())
    }

    /// Writes the rows held back, if any.
    fn flush(&mut self, formats: &Formats) -> Result<()> {
        if self.usual_lines.is_none() { self.settle(formats) } else { Ok(()) }
    }

    fn finish(mut self, about: &crate::export::workbook::About, formats: &Formats) -> Result<()> {
        self.flush(formats)?;
        let last_col = col_num(self.widths.len().saturating_sub(1))?;
        self.sheet.set_freeze_panes(1, 0).map_err(|e| xlsx_error("could not freeze the header", &e))?;
        self.sheet
            .autofilter(0, 0, self.next_row - 1, last_col)
            .map_err(|e| xlsx_error("could not add the filter", &e))?;
        let widths = self.widen();
        page_setup(self.sheet, about, self.paper, &widths, self.repeat)
    }

    /// Sets each column's width; returns them.
    fn widen(&mut self) -> Vec<usize> {
        let mut set = Vec::with_capacity(self.widths.len());
        for (col, width) in self.widths.iter().enumerate() {
            // Room for the filter button, within bounds that keep the sheet readable.
            let cap = self.caps.get(col).copied().unwrap_or(MAX_WIDTH);
            let width = if self.fixed { cap } else { (width + self.pad).clamp(MIN_WIDTH.min(cap), cap) };
            if let Ok(col) = u16::try_from(col) {
                let _ = self.sheet.set_column_width(col, width as f64);
            }
            set.push(width);
        }
        set
    }
}

/// How many lines `text` takes in a column at most `max_width` wide. A column
/// narrower than that holds its longest line whole, so only lines longer than the
/// cap wrap, at the cap, whatever width the column ends up with. Lines break
/// between words, as a spreadsheet wraps them; a word longer than a line is broken.
fn lines_of(text: &str, max_width: usize) -> usize {
    // A width unit is a digit's width; text runs a little narrower, which leaves
    // room for the cell's own margins.
    let per_line = max_width.max(1);
    text.split('\n')
        .map(|line| {
            let (mut lines, mut used) = (1, 0);
            for word in line.split(' ').map(|w| w.chars().count()) {
                if used > 0 && used + 1 + word <= per_line {
                    used += 1 + word;
                } else {
                    if used > 0 {
                        lines += 1;
                    }
                    lines += word.saturating_sub(1) / per_line;
                    used = word - word.saturating_sub(1) / per_line * per_line;
                }
            }
            lines
        })
        .sum()
}

/// How wide column `column` of the designations sheet grows before its text wraps:
/// a date's width, a code's, a few words of a name; so that the default columns
/// print one page of A3 wide at 8 pt or larger.
fn print_width(column: &Column) -> usize {
    // A date's heading wraps to words that fit its width; other headings widen
    // their column to their longest word; a yes/no column's words are all heading,
    // in bold, which runs wider (to a point: a long word has narrow letters).
    let bold = usize::from(text_width(column) == MIN_WIDTH && heading_word(column.heading()) > MIN_WIDTH);
    let heading = (heading_word(column.heading()) + bold).min(12);
    match column {
        Column::DesignationDate
        | Column::DecisionDate
        | Column::WrittenRequestDate
        | Column::ProviderResponseDate
        | Column::AcceptanceDate
        | Column::ReviewDue
        | Column::RemovalDate
        | Column::RemovalNotified => 10,
        _ => heading.max(text_width(column)),
    }
}

/// How wide column `column` of the designations sheet is for its text.
fn text_width(column: &Column) -> usize {
    match column {
        Column::Section
        | Column::ProviderCode
        | Column::CommissionerCode
        | Column::CoCommissioners
        | Column::Sites
        | Column::TreatmentFunctions
        | Column::Ground { .. }
        | Column::StageMet { .. }
        | Column::LocationSpecific
        | Column::ProviderLicence => MIN_WIDTH,
        Column::RemovedBy | Column::DecidedBy => 9,
        Column::DecisionCommissioner => 14,
        Column::Status => 11,
        Column::StatusCode | Column::RemovalReference | Column::DecisionReference => 10,
        Column::ProviderKind | Column::Decision => 11,
        Column::ProviderName | Column::ServiceName => 12,
        Column::ProviderResponse | Column::Contact | Column::RecordId => 10,
        Column::DesignationDate
        | Column::DecisionDate
        | Column::WrittenRequestDate
        | Column::ProviderResponseDate
        | Column::AcceptanceDate
        | Column::ReviewDue
        | Column::RemovalDate
        | Column::RemovalNotified => 10,
        Column::ServiceDescription
        | Column::StageRationale { .. }
        | Column::LongTermOutcome
        | Column::CommissionerName
        | Column::File
        | Column::Commit => 20,
    }
}

/// The longest word of `heading` (a hyphen ends a word): its column is no narrower.
fn heading_word(heading: &str) -> usize {
    heading.split([' ', '-']).map(|w| w.chars().count()).max().unwrap_or(0)
}

/// How wide a heading makes its column: it wraps, so its longest word, or the
/// whole heading when short.
fn heading_width(heading: &str) -> usize {
    let longest_word = heading.split_whitespace().map(|w| w.chars().count()).max().unwrap_or(0);
    longest_word.max(heading.chars().count().min(HEADING_WIDTH))
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
                Ok(11)
            }
            // Excel has no dates before 1900 or after 9999: keep the day as text.
            None => write_text(sheet, row, col, &date.to_string(), formats, name),
        },
        other => write_text(sheet, row, col, &other.for_people(), formats, name),
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
    let format = if looks_like_formula(text) { &formats.quoted } else { &formats.text };
    let written = sheet.write_string_with_format(row, col, text, format);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_wraps_between_words_and_breaks_a_long_word() {
        assert_eq!(lines_of("Guy's and St Thomas' NHS Foundation Trust", 12), 4);
        assert_eq!(lines_of("accepted", 10), 1);
        assert_eq!(lines_of("crs@selondon.icb.example", 10), 3);
        assert_eq!(lines_of("one\ntwo", 24), 2);
        assert_eq!(lines_of("", 10), 1);
    }

    /// The rows of a large sheet that need its usual number of lines carry no
    /// height of their own; the others do, and every row is written with its height.
    #[test]
    fn a_large_sheet_sizes_only_its_unusual_rows() {
        let formats = Formats {
            header: Format::new(),
            section: Format::new(),
            text: Format::new().set_text_wrap(),
            date: Format::new(),
            quoted: Format::new(),
        };
        let mut book = XlsxWorkbook::new();
        let sheet = book.add_worksheet();
        let mut table = Table::new(sheet, DESIGNATIONS_SHEET, &["Text"], &formats).unwrap();
        table.fix_widths(vec![10], &["Text"]).unwrap();
        let two_lines = Cell::text("two short lines");
        let one_line = Cell::text("one");
        for n in 0..SAMPLE_ROWS + 10 {
            let cell = if n % 100 == 7 { &one_line } else { &two_lines };
            table.push([cell].into_iter(), &formats).unwrap();
        }
        assert_eq!(table.usual_lines, Some(2));
        let about = crate::export::workbook::About {
            register: String::new(),
            commissioner_code: String::new(),
            commissioner_name: String::new(),
            contact: String::new(),
            framework: String::new(),
            framework_title: String::new(),
            source: String::new(),
            commit: None,
            uncommitted_files: 0,
            scope: String::new(),
            records: 0,
            changes_since: String::new(),
            changes_since_in_words: String::new(),
            baseline_commit: None,
            changes: Default::default(),
            sections: Default::default(),
            committed_at: None,
            generated_by: String::new(),
            stamp: DateTime::<Utc>::default(),
        };
        table.finish(&about, &formats).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut xml)
            .unwrap();
        assert!(
            xml.contains(r#"<sheetFormatPr defaultRowHeight="32" customHeight="1"/>"#),
            "{}",
            &xml[..600]
        );
        let row = |r: u32| {
            xml.split(&format!("<row r=\"{r}\"")).nth(1).unwrap().split('>').next().unwrap().to_owned()
        };
        assert!(row(9).ends_with(r#"ht="15" customHeight="1""#), "a row of one line: {}", row(9));
        assert!(row(10).ends_with(r#"ht="32" customHeight="1""#), "a row of the usual two: {}", row(10));
    }
}
