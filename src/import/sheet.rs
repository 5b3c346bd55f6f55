//! `Sheet`: the cells of one sheet of the file being imported, read from `.xlsx` or
//! `.ods` (calamine, once `guard` has looked the workbook over, and with a panic in
//! it caught as an error), `.csv`, or crs's own `.json` export, as rows of typed
//! cells.
//! It owns only reading: which sheet, and each cell's value as the file stores it
//! (text as text, so `010` stays `010`; numbers as numbers; dates as dates). What a
//! cell means is the map's and the row's business. Nothing here prints.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Ods, Reader, Xlsx};

use crate::error::{Error, Result};
use crate::export::assessments::{ASSESSMENTS_COLUMNS, ASSESSMENTS_SHEET};
use crate::export::columns::json_key;
use crate::export::history::{HISTORY_COLUMNS, HISTORY_SHEET};
use crate::export::xlsx::ABOUT_SHEET;
use crate::import::guard::{self, Workbook};
use crate::model::Date;

/// One cell as the file stores it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number the file stores as a number (its display format, such as a "000"
    /// that shows leading zeros, is not kept).
    Number(f64),
    Date(Date),
    Bool(bool),
    /// A formula that failed: the error as the sheet shows it, e.g. `#REF!`.
    Error(String),
    /// A formula saved without its value (the workbook was written by a program
    /// that does not calculate, or saved without recalculating): its cell's name.
    Uncalculated(String),
}

impl Cell {
    /// The cell as text: numbers without a trailing `.0`, dates as `YYYY-MM-DD`,
    /// booleans as Yes or No.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty | Cell::Uncalculated(_) => String::new(),
            Cell::Text(text) | Cell::Error(text) => text.clone(),
            Cell::Number(n) => number_text(*n),
            Cell::Date(date) => date.to_string(),
            Cell::Bool(true) => "Yes".to_owned(),
            Cell::Bool(false) => "No".to_owned(),
        }
    }

    /// True when the cell holds nothing but spaces.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => clean(text).is_empty(),
            _ => false,
        }
    }
}

/// A number as text: whole numbers without a decimal point.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { n.to_string() }
}

/// `text` without the stray spaces spreadsheets collect: non-breaking and other
/// Unicode spaces become plain spaces, zero-width characters go, and the ends are
/// trimmed. Line breaks inside the text are kept.
pub fn clean(text: &str) -> String {
    // Most cells have nothing to change but their ends: one pass to find out.
    if text.bytes().all(|b| b.is_ascii_graphic() || b == b' ' || b == b'\n' || b == b'\r') {
        return text.trim().to_owned();
    }
    respaced(text)
}

/// [`clean`] character by character.
fn respaced(text: &str) -> String {
    let mapped: String = text
        .chars()
        .filter(|c| !matches!(c, '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}'))
        .map(|c| if c != '\n' && c != '\r' && c.is_whitespace() { ' ' } else { c })
        .collect();
    mapped.trim().to_owned()
}

/// One sheet: its name and its rows (row 0 is the file's first row).
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<Cell>>,
    /// Merged regions: (first row, first column, last row, last column), 0-based.
    pub merged: Vec<(u32, u32, u32, u32)>,
    /// The rows (0-based) the workbook hides: read as any other row, and said.
    pub hidden_rows: Vec<u32>,
}

impl Sheet {
    /// The cell at `row`, `col` (0-based), empty beyond the data.
    pub fn cell(&self, row: usize, col: usize) -> &Cell {
        self.rows.get(row).and_then(|r| r.get(col)).unwrap_or(&Cell::Empty)
    }

    /// The top-left cell of the merged region holding `row`, `col`, if it is merged.
    pub fn merged_origin(&self, row: usize, col: usize) -> Option<(usize, usize)> {
        let (row, col) = (row as u32, col as u32);
        self.merged
            .iter()
            .find(|(r0, c0, r1, c1)| (*r0..=*r1).contains(&row) && (*c0..=*c1).contains(&col))
            .map(|(r0, c0, _, _)| (*r0 as usize, *c0 as usize))
    }
}

/// What kind of file is being imported, from its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Xlsx,
    Ods,
    Csv,
    Json,
}

impl FileKind {
    /// The kind named by `path`'s extension.
    pub fn of(path: &Path) -> Result<FileKind> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" | "xlsm" => Ok(FileKind::Xlsx),
            "ods" => Ok(FileKind::Ods),
            "csv" => Ok(FileKind::Csv),
            "json" => Ok(FileKind::Json),
            _ => Err(Error::Usage(format!(
                "crs import reads .xlsx, .ods, .csv or crs's own .json export; {} is none of these",
                path.display()
            ))),
        }
    }
}

/// The sheets of crs's own export that tell what its one row a record cannot: the
/// History sheet (each record's whole life, with `--history`) and the Assessments
/// sheet (each stage of each record).
#[derive(Debug, Default)]
pub struct Companions {
    pub history: Option<Sheet>,
    pub assessments: Option<Sheet>,
    /// The commit the export was made from, as its About sheet (the JSON's
    /// `about.commit`) names it: the register as the sheet last agreed with it.
    pub commit: Option<String>,
}

impl Companions {
    fn of(
        history: Option<Vec<Vec<Cell>>>,
        assessments: Option<Vec<Vec<Cell>>>,
        commit: Option<String>,
    ) -> Companions {
        let sheet = |name: &str, rows| Sheet {
            name: name.to_owned(),
            rows,
            merged: Vec::new(),
            hidden_rows: Vec::new(),
        };
        Companions {
            history: history.map(|rows| sheet(HISTORY_SHEET, rows)),
            assessments: assessments.map(|rows| sheet(ASSESSMENTS_SHEET, rows)),
            commit: commit.filter(|c| is_commit_id(c)),
        }
    }
}

/// True for a full commit id: 40 hexadecimal digits.
fn is_commit_id(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The commit the About sheet's rows name ("Commit", then the id, perhaps followed
/// by ", with uncommitted changes to …").
fn about_commit(rows: &[Vec<Cell>]) -> Option<String> {
    let row = rows.iter().find(|r| r.first().is_some_and(|c| clean(&c.text()) == "Commit"))?;
    let text = clean(&row.get(1)?.text());
    Some(text.split(|c: char| !c.is_ascii_hexdigit()).next()?.to_owned())
}

/// The sheet of the file `bytes` (named `path`) to import: the one named `wanted`,
/// or the first. A CSV or JSON file has one sheet, named for the file (JSON: its
/// designations). With `companions`, also the History and Assessments sheets of
/// crs's own export: the sheets of those names in a workbook, or the `history` and
/// `assessments` of a JSON export (none for a CSV file or a file without them). The
/// file is opened and parsed once for all.
pub fn read_sheet(
    path: &Path,
    bytes: Vec<u8>,
    wanted: Option<&str>,
    companions: bool,
) -> Result<(Sheet, Companions)> {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match FileKind::of(path)? {
        kind @ (FileKind::Xlsx | FileKind::Ods) => {
            if !bytes.starts_with(b"PK") {
                // Not a zip at all: no need to ask calamine (whose check for an
                // encrypted workbook would parse whatever this is).
                return Err(unreadable(path, &bytes, &"not a zip file"));
            }
            let ods = kind == FileKind::Ods;
            caught(path, || read_workbook(path, &bytes, ods, wanted, companions))
        }
        FileKind::Csv => {
            let name = file_name;
            only_sheet(path, &name, wanted)?;
            let rows = csv_rows(path, &bytes)?;
            Ok((Sheet { name, rows, merged: Vec::new(), hidden_rows: Vec::new() }, Companions::default()))
        }
        FileKind::Json => {
            let name = crate::export::xlsx::DESIGNATIONS_SHEET.to_owned();
            only_sheet(path, &name, wanted)?;
            let value = json_export(path, &bytes)?;
            let found = if companions {
                Companions::of(
                    json_lines(&value["history"], &HISTORY_COLUMNS),
                    json_lines(&value["assessments"], &ASSESSMENTS_COLUMNS),
                    value["about"]["commit"].as_str().map(str::to_owned),
                )
            } else {
                Companions::default()
            };
            Ok((
                Sheet { name, rows: json_rows(path, &value)?, merged: Vec::new(), hidden_rows: Vec::new() },
                found,
            ))
        }
    }
}

/// The sheet `wanted` (or the first) of the workbook `bytes` (named `path`), an
/// `.ods` or an `.xlsx`, once the guard has looked it over; with `companions`, its
/// History and Assessments sheets too.
fn read_workbook(
    path: &Path,
    bytes: &[u8],
    ods: bool,
    wanted: Option<&str>,
    companions: bool,
) -> Result<(Sheet, Companions)> {
    let looked = guard::check_workbook(path, bytes, if ods { Workbook::Ods } else { Workbook::Xlsx })?;
    if ods {
        let mut book: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(|e| unreadable(path, bytes, &e))?;
        let name = pick_sheet(path, &book.sheet_names(), wanted)?;
        let range = book.worksheet_range(&name).map_err(|e| unreadable(path, bytes, &e))?;
        let found = companion_sheets(path, bytes, &mut book, companions)?;
        return Ok((Sheet { name, rows: grid(&range), merged: Vec::new(), hidden_rows: Vec::new() }, found));
    }
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(path, bytes, &e))?;
    let name = pick_sheet(path, &book.sheet_names(), wanted)?;
    let mut rows = streamed_rows(&mut book, &name).map_err(|e| unreadable(path, bytes, &e))?;
    // This sheet's merged regions only: calamine's load_merged_regions reads every
    // sheet of the workbook again.
    let merged = match book.worksheet_merge_cells(&name) {
        Some(Ok(regions)) => regions.iter().map(|d| (d.start.0, d.start.1, d.end.0, d.end.1)).collect(),
        _ => Vec::new(),
    };
    let found = companion_sheets(path, bytes, &mut book, companions)?;
    mark_uncalculated(&mut rows, looked.uncalculated_in(&name));
    let hidden_rows = looked.hidden_rows_in(&name).to_vec();
    Ok((Sheet { name, rows, merged, hidden_rows }, found))
}

/// The cells of the sheet `name` of `book` as rows from the sheet's first row and
/// column, read cell by cell as the file stores them: the same rows `grid` makes of
/// calamine's range, without the range (for 100,000 rows, the range and its sparse
/// list of cells held the sheet twice over beside the rows made from it).
fn streamed_rows<RS: std::io::Read + std::io::Seek>(
    book: &mut Xlsx<RS>,
    name: &str,
) -> std::result::Result<Vec<Vec<Cell>>, calamine::XlsxError> {
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(reader) => reader,
        // A chart sheet or the like: no cells, as calamine's range reads it.
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    // The width of the last row begun: a row is made with room for as many cells,
    // neither grown cell by cell nor left with room to spare in each of 100,000 rows.
    let mut width = 0;
    while let Some(cell) = reader.next_cell()? {
        let (row, col) = (cell.get_position().0 as usize, cell.get_position().1 as usize);
        let value = cell_from(Data::from(cell.get_value().clone()));
        if value == Cell::Empty {
            continue;
        }
        if rows.len() <= row {
            rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut rows[row];
        if cells.capacity() == 0 {
            cells.reserve_exact(width.max(col + 1));
        }
        if cells.len() <= col {
            cells.resize(col + 1, Cell::Empty);
            width = width.max(col + 1);
        }
        cells[col] = value;
    }
    Ok(rows)
}

/// Marks each cell of `rows` at `cells` that calamine read as empty (or as empty
/// text) as a formula
/// saved without its value, so that it is refused rather than read as blank.
fn mark_uncalculated(rows: &mut Vec<Vec<Cell>>, cells: &[(u32, u32)]) {
    for &(row, col) in cells {
        let (row, col) = (row as usize, col as usize);
        if rows.len() <= row {
            rows.resize(row + 1, Vec::new());
        }
        let cells = &mut rows[row];
        if cells.len() <= col {
            cells.resize(col + 1, Cell::Empty);
        }
        // calamine reads an empty `<v/>` as empty text.
        if matches!(&cells[col], Cell::Empty) || matches!(&cells[col], Cell::Text(t) if t.is_empty()) {
            cells[col] = Cell::Uncalculated(crate::import::row::cell_name(row, col));
        }
    }
}

/// The History and Assessments sheets of `book` (read from `bytes`), those it has,
/// when `wanted`.
fn companion_sheets<RS, R>(path: &Path, bytes: &[u8], book: &mut R, wanted: bool) -> Result<Companions>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    if !wanted {
        return Ok(Companions::default());
    }
    let history = named_rows(path, bytes, book, HISTORY_SHEET)?;
    let assessments = named_rows(path, bytes, book, ASSESSMENTS_SHEET)?;
    let about = named_rows(path, bytes, book, ABOUT_SHEET)?;
    Ok(Companions::of(history, assessments, about.as_deref().and_then(about_commit)))
}

/// The rows of the sheet `name` of `book` (read from `bytes`), if it has one.
fn named_rows<RS, R>(path: &Path, bytes: &[u8], book: &mut R, name: &str) -> Result<Option<Vec<Vec<Cell>>>>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    if !book.sheet_names().iter().any(|n| n == name) {
        return Ok(None);
    }
    let range = book.worksheet_range(name).map_err(|e| unreadable(path, bytes, &e))?;
    Ok(Some(grid(&range)))
}

/// What `read` returns, or an error naming `path` if it panicked: the last line of
/// defence should a workbook the guard let through still trip calamine (or the zip
/// and XML readers under it).
fn caught<T>(path: &Path, read: impl FnOnce() -> Result<T>) -> Result<T> {
    crate::caught::caught(read).unwrap_or_else(|message| {
        Err(Error::input(
            format!("{} could not be read: the workbook reader failed on it ({message})", path.display()),
            "open it in Excel or LibreOffice and save it again as .xlsx or .ods, or save the sheet as CSV UTF-8 and import that; if that file fails too, please report it",
        ))
    })
}

/// Why the workbook `bytes` (named `path`) cannot be read, in words: what the file
/// is instead, judged from its first bytes, or the reader's own complaint.
fn unreadable(path: &Path, bytes: &[u8], e: &dyn std::fmt::Display) -> Error {
    let what = if bytes.is_empty() {
        "is empty (0 bytes)".to_owned()
    } else if bytes.starts_with(b"\xd0\xcf\x11\xe0") {
        "is password-protected, or an old-style .xls workbook: crs cannot open either".to_owned()
    } else if !bytes.starts_with(b"PK") {
        let text = std::str::from_utf8(&bytes[..bytes.len().min(512)]).is_ok();
        format!(
            "is not a workbook: it {}, whatever its name says",
            if text {
                "is plain text, perhaps CSV"
            } else {
                "is not a zip file, as .xlsx and .ods files are"
            }
        )
    } else {
        format!("is damaged or incomplete, and cannot be read as a workbook ({e})")
    };
    Error::input(
        format!("{} {what}", path.display()),
        "open it in Excel or LibreOffice and save it again as .xlsx or .ods (without a password), or save the sheet as CSV UTF-8 and import that",
    )
}

/// The sheet named `wanted` (trimmed, any case), or the first one.
fn pick_sheet(path: &Path, names: &[String], wanted: Option<&str>) -> Result<String> {
    match wanted {
        None => names.first().cloned().ok_or_else(|| {
            Error::input(
                format!("{} has no sheets", path.display()),
                "import a workbook with the register's sheet in it",
            )
        }),
        Some(wanted) => {
            let key = clean(wanted).to_lowercase();
            names.iter().find(|n| clean(n).to_lowercase() == key).cloned().ok_or_else(|| Error::Input {
                message: format!("{} has no sheet '{wanted}'", path.display()),
                hint: format!(
                    "name one of its sheets with --sheet or sheet = in the map: {}",
                    names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")
                ),
            })
        }
    }
}

fn only_sheet(path: &Path, name: &str, wanted: Option<&str>) -> Result<()> {
    match wanted {
        Some(w) if clean(w).to_lowercase() != clean(name).to_lowercase() => Err(Error::Input {
            message: format!("{} has one sheet only, '{name}'; there is no sheet '{w}'", path.display()),
            hint: "leave out --sheet (and sheet = in the map) for a CSV or JSON file".to_owned(),
        }),
        _ => Ok(()),
    }
}

/// The range's cells as rows from the sheet's first row and column, so row and
/// column numbers are the ones people see.
fn grid(range: &calamine::Range<Data>) -> Vec<Vec<Cell>> {
    let Some((top, left)) = range.start() else { return Vec::new() };
    let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); top as usize];
    for row in range.rows() {
        let mut cells = vec![Cell::Empty; left as usize];
        cells.extend(row.iter().map(cell_of));
        while cells.last().is_some_and(|c| *c == Cell::Empty) {
            cells.pop();
        }
        rows.push(cells);
    }
    rows
}

/// The cell `data` is, its text moved rather than copied.
fn cell_from(data: Data) -> Cell {
    match data {
        Data::String(text) => Cell::Text(text),
        Data::DateTimeIso(text) => {
            text.get(..10).and_then(|d| d.parse().ok()).map_or_else(|| Cell::Text(text.clone()), Cell::Date)
        }
        Data::DurationIso(text) => Cell::Text(text),
        other => cell_of(&other),
    }
}

fn cell_of(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::Error(e) => Cell::Error(e.to_string()),
        Data::String(text) => Cell::Text(text.clone()),
        Data::Int(n) => Cell::Number(*n as f64),
        Data::Float(n) => Cell::Number(*n),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            serial_date(dt.as_f64()).map_or(Cell::Number(dt.as_f64()), Cell::Date)
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(text) => {
            text.get(..10).and_then(|d| d.parse().ok()).map_or_else(|| Cell::Text(text.clone()), Cell::Date)
        }
        Data::DurationIso(text) => Cell::Text(text.clone()),
    }
}

/// The day of an Excel serial date (the 1900 system, as Excel and LibreOffice
/// write it): `None` outside 1900–9999.
pub fn serial_date(serial: f64) -> Option<Date> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // Excel counts a 29 February 1900 that never was; from 1 March 1900 on, day 0
    // is 30 December 1899.
    let days = serial.floor() as i64;
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, if days < 61 { 31 } else { 30 })?;
    base.checked_add_signed(chrono::Duration::days(days)).map(Date)
}

fn csv_rows(path: &Path, bytes: &[u8]) -> Result<Vec<Vec<Cell>>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut rows = Vec::new();
    let mut cells = 0u64;
    for (i, record) in reader.byte_records().enumerate() {
        let record = record.map_err(|e| {
            Error::input(
                format!("{} row {} cannot be read as CSV: {e}", path.display(), i + 1),
                "save the sheet again as CSV UTF-8, or import the .xlsx or .ods itself",
            )
        })?;
        cells += record.len() as u64;
        guard::check_cells(path, cells)?;
        let mut row = Vec::with_capacity(record.len());
        for (col, field) in record.iter().enumerate() {
            let text = std::str::from_utf8(field).map_err(|_| {
                Error::input(
                    format!(
                        "{} row {}, column {}: the text is not UTF-8; the file was saved in another character set, such as the Windows-1252 of Excel's plain \"CSV\"",
                        path.display(),
                        i + 1,
                        col + 1
                    ),
                    "save it again as \"CSV UTF-8\" (Excel) or with the character set \"Unicode (UTF-8)\" (LibreOffice), or import the .xlsx or .ods itself",
                )
            })?;
            row.push(match text {
                "" => Cell::Empty,
                // A spreadsheet saved as CSV writes a failed formula as its error.
                error if FORMULA_ERRORS.contains(&error.trim()) => Cell::Error(error.trim().to_owned()),
                // The export's quote before formula-like text is taken off again.
                text => Cell::Text(unquote(text).to_owned()),
            });
        }
        rows.push(row);
    }
    Ok(rows)
}

/// What Excel and LibreOffice show for a formula that failed.
const FORMULA_ERRORS: &[&str] = &[
    "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "Err:502", "Err:504", "Err:508",
    "Err:522",
];

/// `text` without the single quote crs's CSV export puts before formula-like text.
fn unquote(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if crate::export::cell::looks_like_formula(rest) => rest,
        _ => text,
    }
}

/// crs's own JSON export as a sheet: the column headings, then one row a record.
fn json_rows(path: &Path, value: &serde_json::Value) -> Result<Vec<Vec<Cell>>> {
    let not_export = |why: &str| not_json_export(path, why);
    let columns = value["columns"].as_array().ok_or_else(|| not_export("it has no columns"))?;
    let designations =
        value["designations"].as_array().ok_or_else(|| not_export("it has no designations"))?;
    let keys: Vec<String> = columns.iter().map(|c| json_key(c["name"].as_str().unwrap_or(""))).collect();
    let mut rows =
        vec![columns.iter().map(|c| Cell::Text(c["heading"].as_str().unwrap_or("").to_owned())).collect()];
    for row in designations {
        rows.push(keys.iter().map(|key| json_cell(&row[key.as_str()])).collect());
    }
    Ok(rows)
}

/// The file `bytes` (named `path`) read as JSON.
fn json_export(path: &Path, bytes: &[u8]) -> Result<serde_json::Value> {
    guard::check_json(path, bytes)?;
    serde_json::from_slice(bytes).map_err(|e| not_json_export(path, &format!("not JSON ({e})")))
}

fn not_json_export(path: &Path, why: &str) -> Error {
    Error::Input {
        message: format!("{} is not a crs JSON export: {why}", path.display()),
        hint: "import the .json that crs export --format json writes, or the spreadsheet itself".to_owned(),
    }
}

/// The `history` or `assessments` of crs's JSON export as the rows of the sheet of
/// `columns` (key and heading): its headings, then a line each.
fn json_lines<const N: usize>(
    value: &serde_json::Value,
    columns: &[(&str, &str); N],
) -> Option<Vec<Vec<Cell>>> {
    let lines = value.as_array()?;
    let headings = columns.iter().map(|(_, heading)| Cell::Text((*heading).to_owned())).collect();
    let lines = lines.iter().map(|line| columns.iter().map(|(key, _)| json_cell(&line[*key])).collect());
    Some(std::iter::once(headings).chain(lines).collect())
}

/// A value of crs's JSON export as the cell the workbook would hold.
fn json_cell(value: &serde_json::Value) -> Cell {
    match value {
        serde_json::Value::String(text) => Cell::Text(text.clone()),
        serde_json::Value::Bool(b) => Cell::Bool(*b),
        serde_json::Value::Number(n) => Cell::Number(n.as_f64().unwrap_or_default()),
        serde_json::Value::Array(items) => Cell::Text(
            items
                .iter()
                .filter_map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join(crate::export::cell::LIST_SEPARATOR),
        ),
        _ => Cell::Empty,
    }
}

/// Where each heading of a sheet crs's own export wrote stands in `sheet`'s first
/// row (`headings` as the export names them), or the problem naming the first one
/// it lacks, with `todo` as the fix.
pub(crate) fn export_columns<const N: usize>(
    sheet: &Sheet,
    headings: &[(&str, &str); N],
    todo: &str,
) -> std::result::Result<[usize; N], Box<crate::import::row::Problem>> {
    let found: Vec<String> = (0..sheet.rows.first().map_or(0, Vec::len))
        .map(|c| crate::import::map::header_key(&sheet.cell(0, c).text()))
        .collect();
    let mut columns = [0usize; N];
    for (slot, (_, heading)) in columns.iter_mut().zip(headings) {
        *slot =
            found.iter().position(|h| *h == crate::import::map::header_key(heading)).ok_or_else(|| {
                crate::import::row::Problem {
                    sheet: sheet.name.clone(),
                    row: 1,
                    column: (*heading).to_owned(),
                    value: String::new(),
                    problem: "is not a heading of this sheet".to_owned(),
                    todo: todo.to_owned(),
                }
            })?;
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_one_by_one_make_the_rows_the_range_makes() {
        // Rows and columns before the first cell, gaps, a row wider than the one
        // before and one narrower, empty text, a date, a number, a boolean.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
        sheet.write_string(2, 2, "Provider").unwrap();
        sheet.write_string(2, 4, "Service").unwrap();
        sheet.write_string(3, 2, "RJ1").unwrap();
        sheet.write_number(3, 3, 10.0).unwrap();
        sheet.write_string(3, 6, "wider").unwrap();
        sheet.write_string(5, 3, "").unwrap();
        sheet.write_boolean(5, 5, true).unwrap();
        sheet.write_with_format(6, 2, 43_538.0, &date).unwrap();
        let bytes = book.save_to_buffer().unwrap();

        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        let name = book.sheet_names()[0].clone();
        let streamed = streamed_rows(&mut book, &name).unwrap();
        let from_range = grid(&book.worksheet_range(&name).unwrap());
        assert_eq!(streamed, from_range);
        assert_eq!(streamed[6][2], Cell::Date("2019-03-14".parse().unwrap()));
    }

    #[test]
    fn serial_dates_follow_excel() {
        assert_eq!(serial_date(43_538.0), Some("2019-03-14".parse().unwrap()));
        assert_eq!(serial_date(61.0), Some("1900-03-01".parse().unwrap()));
        assert_eq!(serial_date(0.0), None);
    }

    #[test]
    fn stray_spaces_go_and_numbers_read_plainly() {
        assert_eq!(clean("\u{a0} Maternity\u{a0}unit \u{200b}"), "Maternity unit");
        assert_eq!(number_text(10.0), "10");
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(unquote("'=SUM(1)"), "=SUM(1)");
        assert_eq!(unquote("'quoted"), "'quoted");
    }

    proptest::proptest! {
        #[test]
        fn plain_text_is_cleaned_as_any_other(text in "[ -~\t\n\r\u{a0}\u{200b}\u{feff}\u{2003}é]{0,24}") {
            proptest::prop_assert_eq!(clean(&text), respaced(&text));
        }
    }

    #[test]
    fn a_panic_while_reading_is_an_error_naming_the_file() {
        let path = Path::new("book.xlsx");
        let error = caught(path, || -> Result<()> { panic!("index out of bounds") }).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("book.xlsx could not be read: the workbook reader failed on it"),
            "{message}"
        );
        assert!(message.contains("index out of bounds at src/import/sheet.rs:"), "{message}");
        assert_eq!(error.exit_code(), 2);
        assert_eq!(caught(path, || Ok(7)).unwrap(), 7, "and then reads as before");
    }
}
