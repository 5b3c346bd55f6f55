//! The guard: the limits of what `crs import` reads, and a look over a workbook
//! (`.xlsx`, `.ods`) before calamine reads it, so that a hostile or broken file is
//! refused quickly, in bounded memory and with a message naming the limit, instead of
//! crashing crs. calamine builds a sheet as one rectangle of cells reaching from its
//! first to its last cell with a value, holds shared text once but copies it into
//! every cell, and builds an `.ods` whole, repeated rows and columns spelled out; a
//! 5 KB file can ask it for 512 GiB. Here the zip's parts are counted and each is
//! unpacked once, streaming, its real size counted (a zip bomb is refused); each
//! sheet's XML is streamed, never held whole, and its extent (`<dimension>`), its
//! cells' references, its shared-text references and its text are measured as
//! calamine would build them. It owns only that looking: it builds no cells
//! (`sheet` does) and prints nothing.
//!
//! The scan counts at least what calamine will build: where calamine's reading is
//! subtle the guard counts more, never less, and it stops reading a part only where
//! the XML itself is broken, where calamine stops too.

mod ods;
mod xlsx;

use std::cell::Cell;
use std::fmt::Display;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::rc::Rc;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use self::xlsx::Shared;
use crate::error::{Error, Result};
use crate::model::id::MAX_FILE_BYTES;

/// Largest file `crs import` reads, of any kind.
pub const MAX_INPUT_BYTES: u64 = 256 << 20;
/// Largest size a workbook's parts may unpack to, together.
pub const MAX_UNPACKED_BYTES: u64 = 256 << 20;
/// Most parts a workbook's zip may hold (a register's has a few dozen).
pub const MAX_PARTS: usize = 10_000;
/// Most cells a sheet may reach, from A1 to its last row and column with a value:
/// 100,000 rows of 50 columns.
pub const MAX_CELLS: u64 = 5_000_000;
/// Most cells the sheets of a workbook may reach together.
pub const MAX_BOOK_CELLS: u64 = 2 * MAX_CELLS;
/// Most text one cell may hold: no more than a whole record crs reads.
pub const MAX_CELL_BYTES: u64 = MAX_FILE_BYTES;
/// Most text the cells of a workbook may hold together, shared and repeated text
/// counted in each cell that shows it.
pub const MAX_TEXT_BYTES: u64 = 128 << 20;
/// Most merged regions a sheet may have.
pub const MAX_MERGED: u64 = 10_000;
/// Most bytes one piece of a sheet's XML (a tag, or the text between two tags) may
/// take: a cell's text is one piece, and a few more.
const MAX_XML_ITEM: u64 = 4 * MAX_CELL_BYTES;
/// Most shared texts (`sharedStrings.xml`) an `.xlsx` may have: a text for each cell
/// of a full sheet.
pub const MAX_SHARED: u64 = MAX_CELLS;

/// The grid of a spreadsheet: Excel's last cell is XFD1048576.
const GRID_ROWS: u64 = 1 << 20;
const GRID_COLUMNS: u64 = 1 << 14;

/// What to do about a file that is damaged or built to harm.
const RESAVE: &str = "open it in Excel or LibreOffice and save it again as .xlsx or .ods, or save the register's sheet as CSV UTF-8 and import that";
/// What to do about a sheet that reaches too far.
const TRIM: &str = "delete what lies beyond the register's table (Ctrl+End goes to the last cell in Excel and LibreOffice), or copy the table alone into a new workbook, then import again";
/// What to do about a cell that holds too much.
const SHORTEN: &str = "shorten the cell, keeping long text in a document the record names, then import again";

/// The workbook formats the guard knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workbook {
    Xlsx,
    Ods,
}

/// The bytes of the file at `path`, refused beyond [`MAX_INPUT_BYTES`].
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let too_large = |size: u64| {
        refused(
            path,
            format!(
                "is {}, more than the {} crs imports; a register's spreadsheet is far smaller",
                size_text(size),
                size_text(MAX_INPUT_BYTES)
            ),
            "import the register's sheet alone: copy it into a new workbook, or save it as CSV UTF-8",
        )
    };
    if let Ok(meta) = file.metadata()
        && meta.len() > MAX_INPUT_BYTES
    {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Refuses a sheet read as text (a CSV file) once it holds more than
/// [`MAX_CELLS`] cells, as a workbook's sheet would be.
pub fn check_cells(path: &Path, cells: u64) -> Result<()> {
    if cells <= MAX_CELLS {
        return Ok(());
    }
    let (most, rows) = (count_text(MAX_CELLS), count_text(MAX_CELLS / 50));
    let what =
        format!("holds more than {most} cells, more than crs reads in a sheet ({rows} rows of 50 columns)");
    Err(refused(path, what, TRIM))
}

/// Refuses JSON with more values than crs's export of the largest register crs
/// reads would have ([`MAX_BOOK_CELLS`], as its sheets together), counted over
/// the bytes before any value is built: every value but the first follows a `,`,
/// `:`, `[` or `{` outside a string.
pub fn check_json(path: &Path, bytes: &[u8]) -> Result<()> {
    let (mut values, mut in_string, mut escaped) = (0u64, false, false);
    for byte in bytes {
        match (in_string, escaped, byte) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (true, false, _) => {}
            (false, _, b'"') => in_string = true,
            (false, _, b',' | b':' | b'[' | b'{') => values += 1,
            (false, _, _) => {}
        }
    }
    if values <= MAX_BOOK_CELLS {
        return Ok(());
    }
    Err(refused(
        path,
        format!(
            "holds more than {} values, more than crs's export of the largest register crs reads would",
            count_text(MAX_BOOK_CELLS)
        ),
        "import the JSON that crs export --format json writes, or the spreadsheet itself",
    ))
}

/// What the look over a workbook found that calamine does not say.
#[derive(Debug, Default)]
pub struct Looked {
    /// Each sheet (by name) with the cells (row, column, 0-based) that hold a
    /// formula saved without its value: calamine reads them as empty.
    pub uncalculated: Vec<(String, Vec<(u32, u32)>)>,
    /// Each sheet (by name) with its rows (0-based) the workbook hides: calamine
    /// reads them as any other row.
    pub hidden_rows: Vec<(String, Vec<u32>)>,
}

impl Looked {
    /// The cells of sheet `name` that hold a formula saved without its value.
    pub fn uncalculated_in(&self, name: &str) -> &[(u32, u32)] {
        self.uncalculated.iter().find(|(sheet, _)| sheet == name).map_or(&[], |(_, cells)| cells.as_slice())
    }

    /// The rows (0-based) of sheet `name` the workbook hides.
    pub fn hidden_rows_in(&self, name: &str) -> &[u32] {
        self.hidden_rows.iter().find(|(sheet, _)| sheet == name).map_or(&[], |(_, rows)| rows.as_slice())
    }
}

/// Looks the workbook `bytes` (named `path`) over before calamine reads it: `Err`
/// naming the limit or the missing part when calamine must not be given it.
pub fn check_workbook(path: &Path, bytes: &[u8], kind: Workbook) -> Result<Looked> {
    let mut archive =
        ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(path, &format!("Zip error: {e}")))?;
    if archive.len() > MAX_PARTS {
        return Err(refused(
            path,
            format!(
                "holds {} parts, more than the {} a workbook crs reads may have; a register's workbook has a few dozen",
                count_text(archive.len() as u64),
                count_text(MAX_PARTS as u64)
            ),
            RESAVE,
        ));
    }
    let mut declared: u64 = 0;
    for index in 0..archive.len() {
        if let Ok(part) = archive.by_index_raw(index) {
            declared = declared.saturating_add(part.size());
        }
    }
    if declared > MAX_UNPACKED_BYTES {
        return Err(unpacks_to(path, Some(declared)));
    }
    let mut scan = Scan::new(path);
    if kind == Workbook::Xlsx {
        scan.names = xlsx::sheet_parts(&mut archive);
        scan.shared = xlsx::shared_strings(&mut archive);
        if scan.shared.oversized {
            return Err(oversized(path, "xl/sharedStrings.xml"));
        }
        if scan.shared.too_many {
            return Err(refused(
                path,
                format!(
                    "has more than {} shared texts (xl/sharedStrings.xml), more than crs reads",
                    count_text(MAX_SHARED)
                ),
                RESAVE,
            ));
        }
    }
    let mut unpacked: u64 = 0;
    let mut looked = Looked::default();
    for index in 0..archive.len() {
        let Ok(part) = archive.by_index(index) else { continue };
        let name = part.name().to_owned();
        let mut budget = Budget::new(part, MAX_UNPACKED_BYTES - unpacked);
        match kind {
            Workbook::Xlsx if xlsx::may_be_sheet(&name) => {
                let sheet = scan.sheet_name(&name);
                budget.watch(&scan.item);
                let mut xml = xml_reader(&mut budget);
                scan.xlsx_part(&mut xml, &sheet)?;
                drain(xml.into_inner().into_inner());
                let cells = std::mem::take(&mut scan.uncalculated);
                let hidden = std::mem::take(&mut scan.hidden_rows);
                if let Some(name) = scan.raw_sheet_name(&name) {
                    if !cells.is_empty() {
                        looked.uncalculated.push((name.clone(), cells));
                    }
                    if !hidden.is_empty() {
                        looked.hidden_rows.push((name, hidden));
                    }
                }
            }
            Workbook::Ods if name == "content.xml" => {
                budget.watch(&scan.item);
                let mut xml = xml_reader(&mut budget);
                scan.ods_content(&mut xml)?;
                drain(xml.into_inner().into_inner());
            }
            Workbook::Xlsx | Workbook::Ods => drain(&mut budget),
        }
        if budget.over {
            return Err(unpacks_to(path, None));
        }
        if budget.oversized {
            return Err(oversized(path, &name));
        }
        unpacked += MAX_UNPACKED_BYTES - unpacked - budget.left;
    }
    Ok(looked)
}

/// A reader that stops with an error once more than `left` bytes come through (and
/// says so in `over`), or, watching an XML part, once one piece of its XML (a tag,
/// or the text between two tags) passes [`MAX_XML_ITEM`] (`oversized`): the
/// scanner sets `item` to 0 before each piece. A piece that large is held whole by
/// the XML reader, the guard's and calamine's; no spreadsheet writes one.
struct Budget<R> {
    inner: R,
    left: u64,
    over: bool,
    item: Option<Rc<Cell<u64>>>,
    oversized: bool,
}

impl<R> Budget<R> {
    fn new(inner: R, left: u64) -> Budget<R> {
        Budget { inner, left, over: false, item: None, oversized: false }
    }

    /// Counts each piece of XML read into `item`.
    fn watch(&mut self, item: &Rc<Cell<u64>>) {
        self.item = Some(item.clone());
    }
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() || self.oversized {
            return Ok(0);
        }
        if self.left == 0 {
            // One byte more than the budget, and the part is too large.
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.over = true;
            return Err(io::Error::other("the workbook unpacks to more than crs reads"));
        }
        let room = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let read = self.inner.read(&mut buf[..room])?;
        self.left -= read as u64;
        if let Some(item) = &self.item {
            item.set(item.get() + read as u64);
            if item.get() > MAX_XML_ITEM {
                self.oversized = true;
                return Err(io::Error::other("a piece of XML larger than crs reads"));
            }
        }
        Ok(read)
    }
}

/// The next event of `xml`, its size counted afresh in `item` (see [`Budget`]).
fn next<'b, R: BufRead>(
    xml: &mut Reader<R>,
    buf: &'b mut Vec<u8>,
    item: &Cell<u64>,
) -> quick_xml::Result<Event<'b>> {
    item.set(0);
    xml.read_event_into(buf)
}

/// Reads the rest of `reader` for its size alone; a damaged part simply ends.
fn drain(mut reader: impl Read) {
    let _ = io::copy(&mut reader, &mut io::sink());
}

/// An XML reader over `part` configured as calamine configures its own, so that
/// both see the same events and stop at the same broken place.
fn xml_reader<R: Read>(part: R) -> Reader<BufReader<R>> {
    let mut xml = Reader::from_reader(BufReader::new(part));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    xml
}

/// What the scan has seen so far, over the whole workbook.
struct Scan<'a> {
    path: &'a Path,
    /// (part path in lower case, sheet name) of an `.xlsx`, for messages.
    names: Vec<(String, String)>,
    shared: Shared,
    /// Cells the sheets reach together, and the text their cells hold.
    cells: u64,
    text: u64,
    /// The size of the piece of XML being read (see [`Budget`]).
    item: Rc<Cell<u64>>,
    /// The cells of the part being read that hold a formula without its value.
    uncalculated: Vec<(u32, u32)>,
    /// The rows of the part being read that the workbook hides.
    hidden_rows: Vec<u32>,
}

impl<'a> Scan<'a> {
    fn new(path: &'a Path) -> Scan<'a> {
        Scan {
            path,
            names: Vec::new(),
            shared: Shared::default(),
            cells: 0,
            text: 0,
            item: Rc::default(),
            uncalculated: Vec::new(),
            hidden_rows: Vec::new(),
        }
    }

    /// The sheet a part of an `.xlsx` holds, as messages name it.
    fn sheet_name(&self, part: &str) -> String {
        let key = part.replace('\\', "/").to_lowercase();
        match self.names.iter().find(|(p, _)| *p == key) {
            Some((_, name)) => format!("sheet '{}'", shown(name.as_bytes())),
            None => format!("part {part}"),
        }
    }

    /// The name of the sheet a part of an `.xlsx` holds, as the workbook gives it.
    fn raw_sheet_name(&self, part: &str) -> Option<String> {
        let key = part.replace('\\', "/").to_lowercase();
        self.names.iter().find(|(p, _)| *p == key).map(|(_, name)| name.clone())
    }

    /// A refusal about `sheet` of the file: `what` follows the sheet's name.
    fn in_sheet(&self, sheet: &str, what: impl Display, hint: &str) -> Error {
        Error::input(format!("{}, {sheet}{what}", self.path.display()), hint)
    }

    /// A cell with `bytes` of text, `times` over: refused beyond the cell and the
    /// workbook's limits.
    fn add_text(&mut self, sheet: &str, cell: (u64, u64), bytes: u64, times: u64) -> Result<()> {
        if bytes > MAX_CELL_BYTES {
            return Err(self.in_sheet(
                sheet,
                format!(
                    ", cell {} (row {}, column {}): the cell holds {} of text, more than the {} a whole record crs reads may take",
                    cell_name(cell.0, cell.1),
                    count_text(cell.0 + 1),
                    column_name(cell.1),
                    size_text(bytes),
                    size_text(MAX_CELL_BYTES)
                ),
                SHORTEN,
            ));
        }
        self.text = self.text.saturating_add(bytes.saturating_mul(times));
        if self.text > MAX_TEXT_BYTES {
            return Err(refused(
                self.path,
                format!(
                    "holds more than {} of text in its cells (shared and repeated text counted in each cell that shows it), more than crs reads; {sheet} passes that at cell {}",
                    size_text(MAX_TEXT_BYTES),
                    cell_name(cell.0, cell.1)
                ),
                TRIM,
            ));
        }
        Ok(())
    }

    /// A sheet that reaches `rows` by `columns` from A1: refused beyond the limits.
    fn reach(&self, sheet: &str, rows: u64, columns: u64) -> Result<()> {
        let cells = rows.saturating_mul(columns);
        let last = cell_name(rows.saturating_sub(1), columns.saturating_sub(1));
        if cells > MAX_CELLS {
            return Err(self.in_sheet(
                sheet,
                format!(
                    ": its cells with values reach from A1 to {last}, {} cells, more than the {} crs reads in a sheet ({} rows of {} columns)",
                    count_text(cells),
                    count_text(MAX_CELLS),
                    count_text(MAX_CELLS / 50),
                    50
                ),
                TRIM,
            ));
        }
        if self.cells.saturating_add(cells) > MAX_BOOK_CELLS {
            return Err(refused(
                self.path,
                format!(
                    "has sheets that reach more than {} cells together, more than crs reads in a workbook; {sheet} reaches from A1 to {last}",
                    count_text(MAX_BOOK_CELLS)
                ),
                TRIM,
            ));
        }
        Ok(())
    }
}

/// The first attribute `key` of `start`, as written.
fn attribute(start: &BytesStart<'_>, key: &[u8]) -> Option<Vec<u8>> {
    start
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .map(|a| a.value.into_owned())
}

/// A cell reference such as `B7` as (row, column), 0-based, when it is a cell of
/// the grid: one to three letters, then a row number from 1 to 1,048,576 of at most
/// seven digits (calamine's own reading overflows on longer ones).
fn cell_reference(text: &[u8]) -> Option<(u64, u64)> {
    let letters = text.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if !(1..=3).contains(&letters) {
        return None;
    }
    let column =
        text[..letters].iter().fold(0u64, |n, b| n * 26 + u64::from(b.to_ascii_uppercase() - b'A') + 1);
    let row = row_number(&text[letters..])?;
    (column <= GRID_COLUMNS).then_some((row - 1, column - 1))
}

/// A row number from 1 to 1,048,576, of at most seven digits.
fn row_number(text: &[u8]) -> Option<u64> {
    if !(1..=7).contains(&text.len()) || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let row = text.iter().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    (1..=GRID_ROWS).contains(&row).then_some(row)
}

/// A column as letters: 0 is A, 16,383 is XFD.
fn column_name(column: u64) -> String {
    let mut letters = Vec::new();
    let mut n = column.saturating_add(1);
    while n > 0 {
        let rest = (n - 1) % 26;
        letters.push(b'A' + rest as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// A cell's name, such as `B7`, from its 0-based row and column.
fn cell_name(row: u64, column: u64) -> String {
    format!("{}{}", column_name(column), row.saturating_add(1))
}

/// A few bytes of a file shown in a message: at most 40 characters.
fn shown(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let clean: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if clean.chars().count() > 40 {
        format!("{}…", clean.chars().take(40).collect::<String>())
    } else {
        clean
    }
}

/// A number with thousands separated: 5,000,000.
fn count_text(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A size as people read it: 2.1 MB, 1 MiB.
pub fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    } else if bytes >= 1_000 {
        format!("{:.0} KB", bytes as f64 / 1_000.0)
    } else {
        format!("{bytes} bytes")
    }
}

fn refused(path: &Path, what: impl Display, hint: &str) -> Error {
    Error::input(format!("{} {what}", path.display()), hint)
}

fn oversized(path: &Path, part: &str) -> Error {
    refused(
        path,
        format!(
            "has, in its part {}, a single piece of XML larger than {}, which no spreadsheet writes: the file is damaged or built to harm",
            shown(part.as_bytes()),
            size_text(MAX_XML_ITEM)
        ),
        RESAVE,
    )
}

fn damaged(path: &Path, why: &str) -> Error {
    refused(
        path,
        format!("is damaged or incomplete, and cannot be read as a workbook ({why})"),
        // As calamine's own complaints are answered (`sheet::unreadable`).
        "open it in Excel or LibreOffice and save it again as .xlsx or .ods (without a password), or save the sheet as CSV UTF-8 and import that",
    )
}

/// A workbook whose parts claim to unpack to `declared` bytes, or (`None`) whose
/// parts ran past the limit as they were unpacked.
fn unpacks_to(path: &Path, declared: Option<u64>) -> Error {
    let size = match declared {
        Some(size) => format!("claims to unpack to {}, more than", size_text(size)),
        None => "unpacks to more than".to_owned(),
    };
    refused(
        path,
        format!(
            "{size} the {} crs reads: a register's workbook is far smaller, so this one is damaged or built to harm",
            size_text(MAX_UNPACKED_BYTES)
        ),
        RESAVE,
    )
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    #[test]
    fn cell_references_are_cells_of_the_grid() {
        assert_eq!(cell_reference(b"A1"), Some((0, 0)));
        assert_eq!(cell_reference(b"b7"), Some((6, 1)));
        assert_eq!(cell_reference(b"XFD1048576"), Some((1_048_575, 16_383)));
        for bad in [&b"XFE1"[..], b"A1048577", b"A0", b"1A", b"A", b"AAAA1", b"A00000001", b"$A$1", b"A1B"] {
            assert_eq!(cell_reference(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    /// An `.xlsx` of `parts` (name, XML), stored.
    pub(in crate::import::guard) fn zipped(parts: &[(&str, String)]) -> Vec<u8> {
        use std::io::Write;
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in parts {
            let stored =
                zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
            out.start_file(*name, stored).unwrap();
            out.write_all(text.as_bytes()).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    /// A sheet part whose `<sheetData>` holds `rows`, after `before`.
    fn sheet(before: &str, rows: &str) -> String {
        format!(
            r#"<?xml version="1.0"?><worksheet xmlns="x">{before}<sheetData>{rows}</sheetData></worksheet>"#
        )
    }

    /// What the guard says of an `.xlsx` whose one sheet is `sheet_xml`.
    fn said(parts: &[(&str, String)]) -> String {
        match check_workbook(Path::new("book.xlsx"), &zipped(parts), Workbook::Xlsx) {
            Ok(_) => "ok".to_owned(),
            Err(e) => e.to_string(),
        }
    }

    fn strings(count: usize) -> (&'static str, String) {
        let si = "<si><t>x</t></si>".repeat(count);
        ("xl/sharedStrings.xml", format!("<sst>{si}</sst>"))
    }

    #[test]
    fn a_workbook_a_spreadsheet_writes_passes() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Provider code").unwrap();
        sheet.merge_range(2, 0, 2, 3, "Title", &rust_xlsxwriter::Format::new()).unwrap();
        sheet.write_number(99, 49, 1.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        check_workbook(Path::new("book.xlsx"), &bytes, Workbook::Xlsx).unwrap();
    }

    #[test]
    fn cells_without_references_are_placed_as_calamine_places_them() {
        // 16,384 cells fill a row to XFD; one more runs past the grid.
        let full = "<c><v>1</v></c>".repeat(16_384);
        assert_eq!(said(&[("xl/worksheets/sheet1.xml", sheet("", &format!("<row>{full}</row>")))]), "ok");
        let past = format!("<row>{full}<c><v>1</v></c></row>");
        let message = said(&[("xl/worksheets/sheet1.xml", sheet("", &past))]);
        assert!(
            message.contains("run on past the last cell a spreadsheet has, XFD1048576, to XFE1"),
            "{message}"
        );
        // calamine reads a value up to its own end, past a `</c></row>`: its next cells
        // go on along the same row, and so do the guard's.
        let half = "<c><v>1</v></c>".repeat(9_000);
        let eaten = format!("<row>{half}<c><v>1</c></row><row><c><v>1</v></c>{half}</row>");
        let message = said(&[("xl/worksheets/sheet1.xml", sheet("", &eaten))]);
        assert!(message.contains("run on past"), "{message}");
    }

    #[test]
    fn extents_and_merged_regions_must_be_ranges_of_the_grid() {
        let cell = r#"<row r="1"><c r="A1"><v>1</v></c></row>"#;
        for (before, what) in [
            (r#"<dimension ref="B2:A1"/>"#, "its extent is given as 'B2:A1'"),
            (r#"<dimension ref="A1:XFE1"/>"#, "its extent is given as 'A1:XFE1'"),
            (r#"<dimension ref="A1:B2:C3"/>"#, "its extent is given as 'A1:B2:C3'"),
        ] {
            let message = said(&[("xl/worksheets/sheet1.xml", sheet(before, cell))]);
            assert!(message.contains(what), "{message}");
        }
        // calamine reads the extent as it meets it, whatever follows.
        let cut = r#"<worksheet><dimension ref="A2:A1"/><sheetDa"#.to_owned();
        assert!(said(&[("xl/worksheets/sheet1.xml", cut)]).contains("its extent is given as 'A2:A1'"));
        // A huge extent asks calamine for nothing: only cells with values count.
        let wide = sheet(r#"<dimension ref="A1:XFD1048576"/>"#, cell);
        assert_eq!(said(&[("xl/worksheets/sheet1.xml", wide)]), "ok");
        let merged = |m: &str| {
            format!(r#"<worksheet><sheetData>{cell}</sheetData><mergeCells>{m}</mergeCells></worksheet>"#)
        };
        let message = said(&[("xl/worksheets/sheet1.xml", merged(r#"<mergeCell ref="C3:A1"/>"#))]);
        assert!(message.contains("a merged region is 'C3:A1'"), "{message}");
        let many = r#"<mergeCell ref="A1:B1"/>"#.repeat(10_001);
        let message = said(&[("xl/worksheets/sheet1.xml", merged(&many))]);
        assert!(message.contains("more than 10,000 merged regions"), "{message}");
    }

    #[test]
    fn shared_texts_must_exist() {
        let cells = r#"<row r="1"><c r="A1" t="s"><v>2</v></c></row>"#;
        let part = ("xl/worksheets/sheet1.xml", sheet("", cells));
        assert_eq!(said(&[strings(3), part.clone()]), "ok");
        let message = said(&[strings(2), part.clone()]);
        assert!(
            message.contains("cell A1: the cell shows shared text number 2, but the workbook has only 2"),
            "{message}"
        );
        // calamine keeps no text for an `<si>` without a `<t>`: it does not count.
        let hollow =
            ("xl/sharedStrings.xml", "<sst><si><t>a</t></si><si/><si><t>b</t></si></sst>".to_owned());
        assert!(said(&[hollow, part.clone()]).contains("has only 2"));
        // A number calamine cannot read is text number 0.
        let odd = ("xl/worksheets/sheet1.xml", sheet("", r#"<row><c t="s"><v>x</v></c></row>"#));
        assert!(said(&[odd]).contains("shared text number 0, but the workbook has no shared texts"));
    }

    #[test]
    fn a_piece_of_xml_too_large_is_refused_where_it_is() {
        let huge = format!(r#"<row><c t="inlineStr"><is><t>{}</t></is></c></row>"#, "x".repeat(5 << 20));
        let message = said(&[("xl/worksheets/sheet1.xml", sheet("", &huge))]);
        assert!(
            message.contains("its part xl/worksheets/sheet1.xml, a single piece of XML larger than 4 MiB"),
            "{message}"
        );
        // A part calamine never reads as a sheet is only measured.
        assert_eq!(said(&[("xl/media/image1.png", "x".repeat(5 << 20))]), "ok");
        // A sheet found in any case and with either slash is still a sheet.
        let message = said(&[(
            "XL\\WorkSheets\\odd.xml",
            sheet("", r#"<row r="1"><c r="XFD1048576"><v>1</v></c></row>"#),
        )]);
        assert!(message.contains("reach from A1 to XFD1048576"), "{message}");
    }

    #[test]
    fn json_values_are_counted_before_any_is_built() {
        let path = Path::new("export.json");
        check_json(path, br#"{"columns": [{"name": "a,b:[{"}], "designations": []}"#).unwrap();
        let many = format!("[{}0]", "0,".repeat(MAX_BOOK_CELLS as usize));
        let message = check_json(path, many.as_bytes()).unwrap_err().to_string();
        assert!(message.contains("more than 10,000,000 values"), "{message}");
        let quoted = format!("[\"{}\"]", r#"\","#.repeat(1000));
        check_json(path, quoted.as_bytes()).unwrap();
        assert!(check_cells(path, MAX_CELLS).is_ok() && check_cells(path, MAX_CELLS + 1).is_err());
    }

    #[test]
    fn names_and_sizes_read_as_people_write_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(column_name(26), "AA");
        assert_eq!(count_text(5_000_000), "5,000,000");
        assert_eq!(count_text(999), "999");
        assert_eq!(size_text(1 << 20), "1 MiB");
        assert_eq!(size_text(2_100_000), "2.1 MB");
    }
}
