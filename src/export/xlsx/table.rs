//! A sheet filled row by row: the header row, the rows held until the sheet's usual
//! row height is known, then written as they come, each as tall as its wrapped
//! text needs; the columns as wide as their text (within bounds) or fixed; the cells
//! written as text, dates or the quoted text of what looks like a formula.

use std::borrow::Cow;
use std::mem::take;

use chrono::Datelike;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use crate::error::{Error, Result};
use crate::export::cell::{Cell, looks_like_formula};
use crate::export::workbook::About;
use crate::export::xlsx::print::{A4, Paper, fitting_scale, page_setup};
use crate::export::xlsx::rows::{Deflated, SheetRows, Styles};
use crate::model::Date;

/// Excel's limits.
const MAX_CELL_CHARS: usize = 32_767;
const MAX_ROWS: usize = 1_048_576;
pub(super) const MIN_WIDTH: usize = 8;
/// Wider text wraps: a column of a printed page stays readable.
const MAX_WIDTH: usize = 24;
/// A heading wraps too, so it widens its column only up to this, or its longest word.
const HEADING_WIDTH: usize = 10;
/// A line of wrapped text, in points (Calibri 11 in Excel takes about 14.4, DejaVu
/// Sans in LibreOffice 12.8), and the most lines a row is grown for.
const LINE_POINTS: f64 = 14.5;
const MAX_LINES: usize = 40;

/// The cells' formats.
pub(super) struct Formats {
    header: Format,
    /// A section's heading row on the designations sheet: bold, not wrapped, so it
    /// reads across the empty cells beside it.
    section: Format,
    /// The same heading merged across the columns every printed page repeats, and
    /// wrapped within them.
    section_wrapped: Format,
    text: Format,
    date: Format,
    quoted: Format,
}

impl Formats {
    /// Text wrapped and top-aligned; the header white on NHS blue; dates centred.
    pub(super) fn new() -> Formats {
        let body = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        Formats {
            header: body
                .clone()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(0x005EB8))
                .set_border_bottom(FormatBorder::Thin),
            section: Format::new().set_bold().set_font_size(12).set_align(FormatAlign::Bottom),
            section_wrapped: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_align(FormatAlign::Bottom)
                .set_text_wrap(),
            text: body.clone(),
            // Centred: a date never touches the text of the column beside it.
            date: body.clone().set_num_format("d mmm yyyy").set_align(FormatAlign::Center),
            quoted: body.set_quote_prefix(),
        }
    }

    /// Registers the formats with `book` before any sheet is written, so that each
    /// has the same number in the workbook whichever sheet uses it first (the large
    /// sheets are written at once, on threads): the header 1, then in order.
    /// Returns their numbers, for the rows crs writes itself.
    pub(super) fn register(&self, book: &mut rust_xlsxwriter::Workbook) -> Styles {
        for format in
            [&self.header, &self.section, &self.text, &self.date, &self.quoted, &self.section_wrapped]
        {
            book.register_format(format);
        }
        Styles { section: 2, text: 3, date: 4, quoted: 5, section_wrapped: 6 }
    }
}

/// How many rows a sheet's usual height is chosen from.
const SAMPLE_ROWS: usize = 1000;

/// A row of a sheet waiting to be written: its number, and its cells and lines, or
/// a section's heading, or a gap.
enum Held {
    Cells(u32, usize, Vec<Shown<'static>>),
    Heading(u32, String),
    Gap(u32),
}

/// A cell as it is written: nothing, a day, or text.
pub(super) enum Shown<'c> {
    Nothing,
    /// A day Excel has (1900 to 9999), and the day as the record has it.
    Day(ExcelDateTime, Date),
    Text(Cow<'c, str>),
}

impl<'c> Shown<'c> {
    /// `cell` as people read it in the workbook.
    pub(super) fn of(cell: &'c Cell) -> Shown<'c> {
        match cell {
            Cell::Empty => Shown::Nothing,
            Cell::List(items) if items.is_empty() => Shown::Nothing,
            Cell::Date(date) => Shown::date(*date),
            other => Shown::text(other.for_people()),
        }
    }

    /// Text; nothing when empty, as [`Cell::text`] makes it.
    pub(super) fn text(text: impl Into<Cow<'c, str>>) -> Shown<'c> {
        let text = text.into();
        if text.is_empty() { Shown::Nothing } else { Shown::Text(text) }
    }

    /// A day: a date where Excel has it, else text.
    pub(super) fn date(date: Date) -> Shown<'c> {
        match excel_date(date.0) {
            Some(day) => Shown::Day(day, date),
            // Excel has no dates before 1900 or after 9999: the day is kept as text.
            None => Shown::Text(Cow::Owned(date.to_string())),
        }
    }

    fn into_owned(self) -> Shown<'static> {
        match self {
            Shown::Nothing => Shown::Nothing,
            Shown::Day(day, date) => Shown::Day(day, date),
            Shown::Text(text) => Shown::Text(Cow::Owned(text.into_owned())),
        }
    }
}

/// The height of a row of `lines` lines of text, in points: one line is a
/// spreadsheet's own height.
/// How tall a section's heading row is, its `text` wrapped across columns `width`
/// characters wide in all: two lines at least, as an unwrapped heading has. The
/// heading is bold and larger than the cells' text, so each line holds about three
/// quarters of the characters the columns are wide.
fn heading_points(text: &str, width: usize) -> f64 {
    let lines = lines_of(text, (width * 3 / 4).max(1)).max(2);
    lines as f64 * HEADING_LINE_POINTS + 3.0
}

/// A line of a section's heading (12 pt bold), in points.
const HEADING_LINE_POINTS: f64 = 16.0;

fn row_points(lines: usize) -> f64 {
    if lines <= 1 { 15.0 } else { (lines.min(MAX_LINES) as f64) * LINE_POINTS + 3.0 }
}

/// A sheet being filled: one header row, then data rows, tracking column widths.
pub(super) struct Table<'w> {
    pub(super) sheet: &'w mut Worksheet,
    name: &'static str,
    widths: Vec<usize>,
    next_row: u32,
    /// The widest each column grows; wider text wraps.
    pub(super) caps: Vec<usize>,
    /// Added to the widest text of a column: room for the filter's button.
    pad: usize,
    /// Each column as wide as its cap, whatever it holds.
    fixed: bool,
    /// The lines of the sheet's usual row, once its first rows have been seen.
    usual_lines: Option<usize>,
    /// The first rows, until then.
    held: Vec<Held>,
    /// The paper it prints on.
    pub(super) paper: Paper,
    /// The leading columns repeated on each page when the sheet prints across pages.
    pub(super) repeat: usize,
    /// A large sheet's rows below its header, written by crs (`rows`) rather than
    /// given to rust_xlsxwriter cell by cell; `None` for a small sheet.
    rows: Option<(SheetRows, Styles)>,
}

impl<'w> Table<'w> {
    pub(super) fn new(
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
            paper: A4,
            repeat: 1,
            rows: None,
        })
    }

    /// A large sheet: its rows below the header are written as XML by crs, in
    /// `styles`, and handed back by [`Table::finish`] to be spliced into the sheet.
    pub(super) fn streamed(
        sheet: &'w mut Worksheet,
        name: &'static str,
        headings: &[&str],
        formats: &Formats,
        styles: Styles,
    ) -> Result<Table<'w>> {
        let mut table = Table::new(sheet, name, headings, formats)?;
        table.rows = Some((SheetRows::new(), styles));
        Ok(table)
    }

    /// Makes each column `widths` wide whatever it holds (the text wraps within it),
    /// and the heading row tall enough for `headings` wrapped at those widths.
    pub(super) fn fix_widths(&mut self, widths: Vec<usize>, headings: &[&str]) -> Result<()> {
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
    pub(super) fn heading(&mut self, text: &str, formats: &Formats) -> Result<()> {
        self.check_room()?;
        self.hold(Held::Heading(self.next_row, text.to_owned()), formats)?;
        self.next_row += 1;
        Ok(())
    }

    /// A blank row of one line.
    pub(super) fn gap(&mut self, formats: &Formats) -> Result<()> {
        self.check_room()?;
        self.hold(Held::Gap(self.next_row), formats)?;
        self.next_row += 1;
        Ok(())
    }

    pub(super) fn push<'c>(
        &mut self,
        cells: impl Iterator<Item = &'c Cell>,
        formats: &Formats,
    ) -> Result<()> {
        self.push_shown(cells.map(Shown::of).collect(), formats)
    }

    /// A row of cells as they are written: each cell's text made once, for its
    /// lines and to be written.
    pub(super) fn push_shown(&mut self, shown: Vec<Shown<'_>>, formats: &Formats) -> Result<()> {
        self.check_room()?;
        let row = self.next_row;
        let lines = self.lines_of_row(&shown);
        if self.usual_lines.is_none() {
            let owned = shown.into_iter().map(Shown::into_owned).collect();
            self.hold(Held::Cells(row, lines, owned), formats)?;
        } else {
            self.write_row(row, lines, &shown, formats)?;
        }
        self.next_row += 1;
        Ok(())
    }

    /// The lines of the tallest cell of a row.
    fn lines_of_row(&self, shown: &[Shown<'_>]) -> usize {
        shown
            .iter()
            .zip(self.caps.iter().chain(std::iter::repeat(&MAX_WIDTH)))
            .map(|(shown, cap)| match shown {
                Shown::Nothing => 1,
                // A date is counted as written in a record ("2025-01-14").
                Shown::Day(_, _) if *cap >= 10 => 1,
                Shown::Day(_, date) => lines_of(&date.to_string(), *cap),
                Shown::Text(text) => lines_of(text, *cap),
            })
            .max()
            .unwrap_or(1)
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
            if let Some((rows, _)) = &mut self.rows {
                rows.set_usual_height(row_points(usual));
            }
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
            Held::Cells(row, lines, cells) => self.write_row(row, lines, &cells, formats),
            Held::Heading(row, text) => match self.heading_span() {
                Some((last, width)) => {
                    let points = heading_points(&text, width);
                    if let Some((rows, styles)) = &mut self.rows {
                        rows.row(row, Some(points));
                        rows.text(row, 0, &text, styles.section_wrapped);
                        rows.merge(row, 0, last);
                        return Ok(());
                    }
                    self.sheet.set_row_height(row, points).map_err(sized)?;
                    self.sheet
                        .merge_range(row, 0, row, last, &text, &formats.section_wrapped)
                        .map_err(|e| xlsx_error("could not write a heading", &e))?;
                    Ok(())
                }
                None => {
                    if let Some((rows, styles)) = &mut self.rows {
                        rows.row(row, Some(2.0 * LINE_POINTS));
                        rows.text(row, 0, &text, styles.section);
                        return Ok(());
                    }
                    self.sheet.set_row_height(row, 2.0 * LINE_POINTS).map_err(sized)?;
                    self.sheet
                        .write_string_with_format(row, 0, &text, &formats.section)
                        .map_err(|e| xlsx_error("could not write a heading", &e))?;
                    Ok(())
                }
            },
            Held::Gap(row) => {
                if let Some((rows, _)) = &mut self.rows {
                    rows.row(row, Some(row_points(1)));
                    return Ok(());
                }
                self.sheet.set_row_height(row, row_points(1)).map_err(sized)?;
                Ok(())
            }
        }
    }

    /// Writes `cells` to row `row`, tall enough for `lines` lines of wrapped text:
    /// spreadsheets do not all grow a row for wrapped text themselves (LibreOffice
    /// does not, for a row it reads from a file), so a long cell would be cut off
    /// or overprint.
    fn write_row(&mut self, row: u32, lines: usize, cells: &[Shown<'_>], formats: &Formats) -> Result<()> {
        let height = (Some(lines.min(MAX_LINES)) != self.usual_lines).then(|| row_points(lines));
        match (&mut self.rows, height) {
            (Some((rows, _)), height) => rows.row(row, height),
            (None, Some(points)) => {
                self.sheet.set_row_height(row, points).map_err(|e| xlsx_error("could not size a row", &e))?;
            }
            (None, None) => {}
        }
        for (col, cell) in cells.iter().enumerate() {
            let width = self.write_cell(row, col_num(col)?, cell, formats)?;
            if let Some(w) = self.widths.get_mut(col) {
                *w = (*w).max(width);
            }
        }
        Ok(())
    }

    /// Writes one cell; returns its width in characters.
    fn write_cell(&mut self, row: u32, col: u16, cell: &Shown<'_>, formats: &Formats) -> Result<usize> {
        match cell {
            Shown::Nothing => Ok(0),
            Shown::Day(day, _) => {
                match &mut self.rows {
                    // Days since 1900 are whole numbers.
                    Some((rows, styles)) => rows.number(row, col, day.to_excel() as u32, styles.date),
                    None => {
                        self.sheet
                            .write_date_with_format(row, col, day, &formats.date)
                            .map_err(|e| xlsx_error("could not write a cell", &e))?;
                    }
                }
                Ok(11)
            }
            Shown::Text(text) => self.write_text(row, col, text, formats),
        }
    }

    fn write_text(&mut self, row: u32, col: u16, text: &str, formats: &Formats) -> Result<usize> {
        let chars = text.chars().count();
        if chars > MAX_CELL_CHARS {
            return Err(Error::export(
                format!(
                    "a cell of the {} sheet (row {}, column {}) would hold {chars} characters; a spreadsheet cell holds at most {MAX_CELL_CHARS}",
                    self.name,
                    row + 1,
                    col + 1
                ),
                "shorten that field of the record, or export to --format csv or json",
            ));
        }
        let quoted = looks_like_formula(text);
        match &mut self.rows {
            Some((rows, styles)) => {
                rows.text(row, col, text, if quoted { styles.quoted } else { styles.text })
            }
            None => {
                let format = if quoted { &formats.quoted } else { &formats.text };
                let written = self.sheet.write_string_with_format(row, col, text, format);
                written.map_err(|e| xlsx_error("could not write a cell", &e))?;
            }
        }
        Ok(if text.contains('\n') {
            text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
        } else {
            chars
        })
    }

    /// Writes the rows held back, if any.
    pub(super) fn flush(&mut self, formats: &Formats) -> Result<()> {
        if self.usual_lines.is_none() { self.settle(formats) } else { Ok(()) }
    }

    /// Writes what is held, freezes the header, adds the filter, sizes the columns
    /// and sets up the printing; returns a large sheet's rows.
    pub(super) fn finish(mut self, about: &About, formats: &Formats) -> Result<Option<Deflated>> {
        self.flush(formats)?;
        let last_col = col_num(self.widths.len().saturating_sub(1))?;
        self.sheet.set_freeze_panes(1, 0).map_err(|e| xlsx_error("could not freeze the header", &e))?;
        self.sheet
            .autofilter(0, 0, self.next_row - 1, last_col)
            .map_err(|e| xlsx_error("could not add the filter", &e))?;
        let widths = self.widen();
        page_setup(self.sheet, about, self.paper, &widths, self.repeat)?;
        Ok(self.rows.take().map(|(rows, _)| rows.finish()))
    }

    /// Where a section's heading is written when the sheet prints across pages: over
    /// the columns repeated on every page (the last of them, and their width in
    /// characters), wrapped within them, so that no page cuts it where its own
    /// columns begin; `None` when the sheet prints one page wide (or its widths are
    /// not fixed yet, or only one column repeats), where it reads across the empty
    /// cells beside it.
    fn heading_span(&self) -> Option<(u16, usize)> {
        let repeated = self.caps.get(..self.repeat).filter(|r| self.fixed && r.len() > 1)?;
        if fitting_scale(self.paper, &self.caps).is_some() {
            return None;
        }
        Some((col_num(repeated.len() - 1).ok()?, repeated.iter().sum()))
    }

    /// Sets each column's width; returns them.
    pub(super) fn widen(&mut self) -> Vec<usize> {
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

/// How wide a heading makes its column: it wraps, so its longest word, or the
/// whole heading when short.
fn heading_width(heading: &str) -> usize {
    let longest_word = heading.split_whitespace().map(|w| w.chars().count()).max().unwrap_or(0);
    longest_word.max(heading.chars().count().min(HEADING_WIDTH))
}

pub(super) fn excel_date(day: chrono::NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(day.year()).ok().filter(|y| (1900..=9999).contains(y))?;
    ExcelDateTime::from_ymd(year, day.month() as u8, day.day() as u8).ok()
}

fn col_num(col: usize) -> Result<u16> {
    u16::try_from(col).ok().filter(|c| *c < 16_384).ok_or_else(|| {
        Error::export(
            "the export has more columns than a spreadsheet holds",
            "name fewer columns in [submission] columns in crs.toml",
        )
    })
}

pub(super) fn xlsx_error(what: &str, e: &XlsxError) -> Error {
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

    /// The styles crs writes its rows in are the numbers rust_xlsxwriter gives the
    /// same formats.
    #[test]
    fn the_formats_registered_first_have_the_numbers_crs_writes() {
        let formats = Formats::new();
        let mut book = rust_xlsxwriter::Workbook::new();
        let styles = formats.register(&mut book);
        let sheet = book.add_worksheet();
        let cells = [
            (&formats.header, 1),
            (&formats.section, styles.section),
            (&formats.text, styles.text),
            (&formats.date, styles.date),
            (&formats.quoted, styles.quoted),
            (&formats.section_wrapped, styles.section_wrapped),
        ];
        for (col, (format, _)) in (0..).zip(cells) {
            sheet.write_string_with_format(0, col, "x", format).unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut xml)
            .unwrap();
        for (col, (_, style)) in ["A1", "B1", "C1", "D1", "E1", "F1"].iter().zip(cells) {
            assert!(xml.contains(&format!(r#"<c r="{col}" s="{style}""#)), "{col}: {xml}");
        }
    }

    /// The rows of a large sheet that need its usual number of lines carry no
    /// height of their own; the others do, and every row is written with its height.
    #[test]
    fn a_large_sheet_sizes_only_its_unusual_rows() {
        let formats = Formats {
            header: Format::new(),
            section: Format::new(),
            section_wrapped: Format::new(),
            text: Format::new().set_text_wrap(),
            date: Format::new(),
            quoted: Format::new(),
        };
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let mut table = Table::new(sheet, "Designations", &["Text"], &formats).unwrap();
        table.fix_widths(vec![10], &["Text"]).unwrap();
        let two_lines = Cell::text("two short lines");
        let one_line = Cell::text("one");
        for n in 0..SAMPLE_ROWS + 10 {
            let cell = if n % 100 == 7 { &one_line } else { &two_lines };
            table.push([cell].into_iter(), &formats).unwrap();
        }
        assert_eq!(table.usual_lines, Some(2));
        table.finish(&About::default(), &formats).unwrap();
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

    /// A large sheet whose rows crs writes reads back as the same sheet: the rows
    /// after the header, each of its usual height or its own, the dimension over
    /// them all, and the zip's checks (CRC-32, sizes) sound.
    #[test]
    fn a_streamed_sheet_reads_back_whole() {
        let formats = Formats::new();
        let mut book = rust_xlsxwriter::Workbook::new();
        let styles = formats.register(&mut book);
        let mut sheet = Worksheet::new();
        let mut table =
            Table::streamed(&mut sheet, "Designations", &["Text", "Day"], &formats, styles).unwrap();
        table.fix_widths(vec![10, 10], &["Text", "Day"]).unwrap();
        let three_lines = Cell::text("three lines & more");
        let one_line = Cell::text("=one");
        let day = Cell::Date("2025-01-14".parse().unwrap());
        for n in 0..SAMPLE_ROWS + 10 {
            let cell = if n % 100 == 7 { &one_line } else { &three_lines };
            table.push([cell, &day].into_iter(), &formats).unwrap();
        }
        let rows = table.finish(&About::default(), &formats).unwrap().unwrap();
        book.push_worksheet(sheet);
        let skeleton = book.save_to_buffer().unwrap();
        let bytes = crate::export::xlsx::package::splice(&skeleton, vec![(1, rows)]).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut xml)
            .unwrap();
        assert!(xml.contains(r#"<dimension ref="A1:B1011"/>"#), "{}", &xml[..400]);
        assert!(
            xml.contains(r#"<sheetFormatPr defaultRowHeight="46.5" customHeight="1"/>"#),
            "{}",
            &xml[..1500]
        );
        assert!(xml.contains(concat!(
            r#"<row r="9" ht="15" customHeight="1"><c r="A9" s="5" t="inlineStr"><is><t>=one</t></is></c>"#,
            r#"<c r="B9" s="4"><v>45671</v></c></row>"#
        )));
        assert!(xml.contains(r#"<row r="1011" ht="46.5" customHeight="1"><c r="A1011" s="3" t="inlineStr"><is><t>three lines &amp; more</t>"#));
        assert!(
            xml.ends_with("</worksheet>\n") || xml.ends_with("</worksheet>"),
            "{}",
            &xml[xml.len() - 200..]
        );
        assert_eq!(xml.matches("<row ").count(), SAMPLE_ROWS + 11);
    }
}
