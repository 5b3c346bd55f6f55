//! A sheet filled row by row: the header row, the rows held until the sheet's usual
//! row height is known, then written as they come, each as tall as its wrapped
//! text needs; the columns as wide as their text (within bounds) or fixed; the cells
//! written as text, dates or the quoted text of what looks like a formula.

use std::mem::take;

use chrono::Datelike;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use crate::error::{Error, Result};
use crate::export::cell::{Cell, looks_like_formula};
use crate::export::workbook::About;
use crate::export::xlsx::print::{A4, Paper, page_setup};

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
            text: body.clone(),
            // Centred: a date never touches the text of the column beside it.
            date: body.clone().set_num_format("d mmm yyyy").set_align(FormatAlign::Center),
            quoted: body.set_quote_prefix(),
        }
    }
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
        })
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
    pub(super) fn flush(&mut self, formats: &Formats) -> Result<()> {
        if self.usual_lines.is_none() { self.settle(formats) } else { Ok(()) }
    }

    pub(super) fn finish(mut self, about: &About, formats: &Formats) -> Result<()> {
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
}
