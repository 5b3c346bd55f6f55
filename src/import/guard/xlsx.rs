//! The `.xlsx` side of the guard: its shared texts (`xl/sharedStrings.xml`) counted
//! as calamine keeps them, and each part calamine may read as a sheet streamed as
//! calamine reads one (its `<dimension>`, rows, cells, shared-text references and
//! merged regions), measured against the limits. The sheets' names come from the
//! workbook's relationships, for messages only.

use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use zip::ZipArchive;

use super::{
    Budget, GRID_COLUMNS, GRID_ROWS, MAX_CELLS, MAX_MERGED, MAX_SHARED, MAX_UNPACKED_BYTES, RESAVE, Scan,
    TRIM, attribute, cell_name, cell_reference, count_text, next, row_number, shown, xml_reader,
};
use crate::error::{Error, Result};

impl Scan<'_> {
    /// One part of an `.xlsx`, read as calamine reads a worksheet: its `<dimension>`
    /// before `<sheetData>`, then each row and cell, positioned as calamine positions
    /// them (a cell without a reference follows the one before), and its merged
    /// regions.
    pub(super) fn xlsx_part<R: BufRead>(&mut self, xml: &mut Reader<R>, sheet: &str) -> Result<()> {
        let item = &*self.item.clone();
        let mut buf = Vec::new();
        let mut in_data = false;
        let mut seen_data = false;
        let (mut row, mut col) = (0u64, 0u64);
        let (mut rows, mut columns) = (0u64, 0u64);
        let mut merged = 0u64;
        loop {
            buf.clear();
            let start = match next(xml, &mut buf, item) {
                Ok(Event::Start(e)) => e,
                Ok(Event::End(e)) => {
                    match e.local_name().as_ref() {
                        b"row" if in_data => (row, col) = (row + 1, 0),
                        b"sheetData" if in_data => in_data = false,
                        _ => {}
                    }
                    continue;
                }
                Ok(Event::Eof) | Err(_) => break,
                Ok(_) => continue,
            };
            match start.local_name().as_ref() {
                // calamine reads the extent as it meets it, sheet data to follow or not.
                b"dimension" if !seen_data => {
                    if let Some(range) = attribute(&start, b"ref") {
                        self.xlsx_range(sheet, "its extent is given as", &range)?;
                    }
                }
                b"sheetData" if !seen_data => (in_data, seen_data) = (true, true),
                b"mergeCell" => {
                    if let Some(range) = attribute(&start, b"ref") {
                        self.xlsx_range(sheet, "a merged region is", &range)?;
                    }
                    merged += 1;
                    if merged > MAX_MERGED {
                        return Err(self.in_sheet(
                            sheet,
                            format!(
                                ": it has more than {} merged regions, more than crs reads",
                                count_text(MAX_MERGED)
                            ),
                            TRIM,
                        ));
                    }
                }
                b"row" if in_data => {
                    if let Some(r) = attribute(&start, b"r") {
                        row = match row_number(&r) {
                            Some(number) => number - 1,
                            None => return Err(self.bad_reference(sheet, "a row", &r)),
                        };
                    }
                    let hidden =
                        attribute(&start, b"hidden").is_some_and(|h| matches!(h.as_slice(), b"1" | b"true"));
                    if hidden && row < GRID_ROWS && (self.hidden_rows.len() as u64) < MAX_CELLS {
                        self.hidden_rows.push(row as u32);
                    }
                }
                b"c" if in_data => {
                    if let Some(r) = attribute(&start, b"r") {
                        (row, col) = match cell_reference(&r) {
                            Some(at) => at,
                            None => return Err(self.bad_reference(sheet, "a cell", &r)),
                        };
                    }
                    let kind = attribute(&start, b"t");
                    let shared = kind.as_deref() == Some(b"s".as_slice());
                    // A formula's empty value is its value only when the formula
                    // gives text (`t="str"`): an empty text. A number cannot be empty.
                    let text_result = kind.as_deref() == Some(b"str".as_slice());
                    let mut cell = read_cell(xml, item);
                    if cell.formula && cell.value && cell.text == 0 && !text_result {
                        cell.value = false;
                    }
                    if cell.value {
                        if row >= GRID_ROWS || col >= GRID_COLUMNS {
                            return Err(self.in_sheet(
                                sheet,
                                format!(
                                    ": its cells run on past the last cell a spreadsheet has, XFD1048576, to {}; the file is damaged, or was not made by a spreadsheet program",
                                    cell_name(row, col)
                                ),
                                RESAVE,
                            ));
                        }
                        (rows, columns) = (rows.max(row + 1), columns.max(col + 1));
                        self.reach(sheet, rows, columns)?;
                        let bytes = match (shared, cell.index) {
                            (true, Some(index)) => self.shared_text(sheet, (row, col), index)?,
                            _ => cell.text,
                        };
                        self.add_text(sheet, (row, col), bytes, 1)?;
                    } else {
                        self.add_text(sheet, (row, col), cell.text, 1)?;
                        // A formula saved without its value: calamine reads it as an
                        // empty cell, which it is not.
                        if cell.formula
                            && row < GRID_ROWS
                            && col < GRID_COLUMNS
                            && (self.uncalculated.len() as u64) < MAX_CELLS
                        {
                            self.uncalculated.push((row as u32, col as u32));
                        }
                    }
                    col += 1;
                }
                _ => {}
            }
        }
        self.cells = self.cells.saturating_add(rows.saturating_mul(columns));
        Ok(())
    }

    /// The size of shared text `index`, which a cell at `at` of `sheet` shows;
    /// refused when the workbook has no such text, as calamine would panic on it.
    fn shared_text(&self, sheet: &str, at: (u64, u64), index: u64) -> Result<u64> {
        let count = self.shared.sizes.len() as u64;
        match usize::try_from(index).ok().and_then(|i| self.shared.sizes.get(i)) {
            Some(size) => Ok(u64::from(*size)),
            None if !self.shared.present => Err(self.in_sheet(
                sheet,
                format!(
                    ", cell {}: the cell shows shared text number {index}, but the workbook has no shared texts (its part xl/sharedStrings.xml is missing): the file is incomplete",
                    cell_name(at.0, at.1)
                ),
                RESAVE,
            )),
            None => Err(self.in_sheet(
                sheet,
                format!(
                    ", cell {}: the cell shows shared text number {index}, but the workbook has {} (xl/sharedStrings.xml): the file is damaged",
                    cell_name(at.0, at.1),
                    if count == 0 { "none".to_owned() } else { format!("only {}", count_text(count)) }
                ),
                RESAVE,
            )),
        }
    }

    /// A range such as `A1:D20` in a sheet's `<dimension>` or a merged region:
    /// refused unless both ends are cells of the grid and the first is not below or
    /// right of the last (calamine subtracts one from the other).
    fn xlsx_range(&self, sheet: &str, what: &str, range: &[u8]) -> Result<()> {
        let mut ends = range.split(|b| *b == b':');
        let first = ends.next().and_then(cell_reference);
        let last = match ends.next() {
            Some(end) => cell_reference(end),
            None => first,
        };
        match (first, last, ends.next()) {
            (Some(a), Some(b), None) if a.0 <= b.0 && a.1 <= b.1 => Ok(()),
            _ => Err(self.in_sheet(
                sheet,
                format!(
                    ": {what} '{}', which is not a range of cells between A1 and XFD1048576: the file is damaged, or was not made by a spreadsheet program",
                    shown(range)
                ),
                RESAVE,
            )),
        }
    }

    fn bad_reference(&self, sheet: &str, what: &str, reference: &[u8]) -> Error {
        self.in_sheet(
            sheet,
            format!(
                ": it names {what} '{}', which is not one between A1 and XFD1048576: the file is damaged, or was not made by a spreadsheet program",
                shown(reference)
            ),
            RESAVE,
        )
    }
}

/// Whether calamine may read the part `name` of an `.xlsx` as a sheet. calamine
/// 0.31 takes a sheet's part from the workbook's relationships, as `xl/` and the
/// target, and reads it only when its folder is `worksheets`, `chartsheets` or
/// `dialogsheets`, finding the part in any case and with either slash; so a part
/// elsewhere (a picture, say) is never read as one.
pub(super) fn may_be_sheet(name: &str) -> bool {
    let name = name.replace('\\', "/").to_ascii_lowercase();
    ["xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/"].iter().any(|folder| name.starts_with(folder))
}

/// The shared texts of an `.xlsx` as calamine counts them.
#[derive(Default)]
pub(super) struct Shared {
    /// Whether the workbook has a `sharedStrings.xml`.
    present: bool,
    /// The length of each text calamine keeps, in bytes.
    sizes: Vec<u32>,
    /// More texts than [`MAX_SHARED`]: counting stopped.
    pub(super) too_many: bool,
    /// A piece of its XML larger than calamine should be given.
    pub(super) oversized: bool,
}

/// What a cell of an `.xlsx` holds, as far as the limits care.
struct XlsxCell {
    /// Whether it has a `<v>` or `<is>`: a value calamine keeps.
    value: bool,
    /// Bytes of text in it.
    text: u64,
    /// The number in its `<v>`, read as calamine reads a shared text's index
    /// (0 when it is not a number).
    index: Option<u64>,
    /// Whether it has a formula (`<f>`).
    formula: bool,
}

/// The rest of a cell of an `.xlsx`, up to its end, consumed exactly as calamine
/// consumes it: a `<v>` up to its own end, an `<is>` as a shared text is read, an
/// `<f>` skipped whole. calamine's reading of a `<v>` or `<is>` can run past a
/// `</c>` or `</row>` in a broken file; reading the same way keeps the cells and
/// their places the ones calamine will see.
fn read_cell<R: BufRead>(xml: &mut Reader<R>, item: &Cell<u64>) -> XlsxCell {
    let mut buf = Vec::new();
    let mut cell = XlsxCell { value: false, text: 0, index: None, formula: false };
    loop {
        buf.clear();
        let start = match next(xml, &mut buf, item) {
            Ok(Event::Start(e)) => e,
            Ok(Event::End(e)) if e.local_name().as_ref() == b"c" => break,
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => continue,
        };
        let name = start.name().as_ref().to_vec();
        match start.local_name().as_ref() {
            b"v" => {
                cell.value = true;
                let Some((size, digits)) = value_text(xml, &name, item) else { break };
                cell.text = cell.text.saturating_add(size);
                let parsed = std::str::from_utf8(&digits).ok().and_then(|d| d.parse::<u64>().ok());
                cell.index = Some(parsed.unwrap_or(0));
            }
            b"is" => {
                cell.value = true;
                match si_text(xml, &name, item) {
                    Some(size) => cell.text = cell.text.saturating_add(size.unwrap_or(0)),
                    None => break,
                }
            }
            b"f" => {
                cell.formula = true;
                item.set(0);
                if xml.read_to_end_into(QName(&name), &mut Vec::new()).is_err() {
                    break;
                }
            }
            // calamine stops with an error here; reading on counts more, not less.
            _ => {}
        }
    }
    cell
}

/// The text of a `<v>` named `name`, up to its own end: its size, and its first
/// few bytes (only a number matters); `None` where calamine stops with an error.
fn value_text<R: BufRead>(xml: &mut Reader<R>, name: &[u8], item: &Cell<u64>) -> Option<(u64, Vec<u8>)> {
    let mut buf = Vec::new();
    let (mut size, mut digits) = (0u64, Vec::new());
    loop {
        buf.clear();
        match next(xml, &mut buf, item).ok()? {
            Event::Text(t) => {
                size = size.saturating_add(t.len() as u64);
                if digits.len() < 32 {
                    digits.extend_from_slice(&t);
                }
            }
            Event::GeneralRef(r) => {
                size = size.saturating_add(4);
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    let mut utf8 = [0u8; 4];
                    digits.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                }
            }
            Event::End(end) if end.name().as_ref() == name => return Some((size, digits)),
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// The shared texts of an `.xlsx`: the part calamine reads (the first whose name is
/// `xl/sharedStrings.xml` in any case), each `<si>` that gives calamine a text.
pub(super) fn shared_strings<R: Read + io::Seek>(archive: &mut ZipArchive<R>) -> Shared {
    let name = archive
        .file_names()
        .find(|n| n.replace('\\', "/").eq_ignore_ascii_case("xl/sharedStrings.xml"))
        .unwrap_or("xl/sharedStrings.xml")
        .to_owned();
    let Ok(part) = archive.by_name(&name) else { return Shared::default() };
    let mut shared = Shared { present: true, ..Shared::default() };
    let item = Rc::default();
    let mut budget = Budget::new(part, MAX_UNPACKED_BYTES);
    budget.watch(&item);
    let mut xml = xml_reader(&mut budget);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match next(&mut xml, &mut buf, &item) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"si" => {
                let closing = e.name().as_ref().to_vec();
                match si_text(&mut xml, &closing, &item) {
                    Some(Some(size)) => {
                        if shared.sizes.len() as u64 >= MAX_SHARED {
                            shared.too_many = true;
                            break;
                        }
                        shared.sizes.push(u32::try_from(size).unwrap_or(u32::MAX));
                    }
                    Some(None) => {}
                    None => break,
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == b"sst" => break,
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    shared
}

/// One `<si>` (or a cell's `<is>`) up to `closing`, as calamine's `read_string`
/// reads it: the size of its text, `Some(None)` when it gives none, `None` where
/// the XML breaks.
fn si_text<R: BufRead>(xml: &mut Reader<R>, closing: &[u8], item: &Cell<u64>) -> Option<Option<u64>> {
    let mut buf = Vec::new();
    let mut rich: Option<u64> = None;
    let mut phonetic = false;
    loop {
        buf.clear();
        match next(xml, &mut buf, item).ok()? {
            Event::Start(e) if e.local_name().as_ref() == b"r" => {
                rich.get_or_insert(0);
            }
            Event::Start(e) if e.local_name().as_ref() == b"rPh" => phonetic = true,
            Event::End(e) if e.name().as_ref() == closing => return Some(rich),
            Event::End(e) if e.local_name().as_ref() == b"rPh" => phonetic = false,
            Event::Start(e) if e.local_name().as_ref() == b"t" && !phonetic => {
                let t = e.name().as_ref().to_vec();
                let mut size = 0u64;
                let mut inner = Vec::new();
                loop {
                    inner.clear();
                    match next(xml, &mut inner, item).ok()? {
                        Event::Text(text) => size = size.saturating_add(text.len() as u64),
                        Event::GeneralRef(_) => size = size.saturating_add(4),
                        Event::End(end) if end.name().as_ref() == t => break,
                        Event::Eof => return None,
                        _ => {}
                    }
                }
                match rich.as_mut() {
                    Some(total) => *total = total.saturating_add(size),
                    None => {
                        item.set(0);
                        xml.read_to_end_into(QName(closing), &mut inner).ok()?;
                        return Some(Some(size));
                    }
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// Each sheet part of an `.xlsx` (in lower case) and the sheet's name, from
/// `xl/workbook.xml` and its relationships, for messages only: the scan reads every
/// part whatever this finds.
pub(super) fn sheet_parts<R: Read + io::Seek>(archive: &mut ZipArchive<R>) -> Vec<(String, String)> {
    let mut targets: Vec<(Vec<u8>, String)> = Vec::new();
    each_start(archive, "xl/_rels/workbook.xml.rels", |e| {
        if e.local_name().as_ref() == b"Relationship"
            && let (Some(id), Some(target)) = (attribute(e, b"Id"), attribute(e, b"Target"))
        {
            targets.push((id, String::from_utf8_lossy(&target).into_owned()));
        }
    });
    let mut parts = Vec::new();
    each_start(archive, "xl/workbook.xml", |e| {
        if e.local_name().as_ref() != b"sheet" {
            return;
        }
        let name = attribute(e, b"name").map(|raw| {
            let raw = String::from_utf8_lossy(&raw);
            quick_xml::escape::unescape(&raw).map_or_else(|_| raw.to_string(), |v| v.into_owned())
        });
        let id = attribute(e, b"r:id").or_else(|| attribute(e, b"relationships:id"));
        let target = id.and_then(|id| targets.iter().find(|(i, _)| *i == id)).map(|(_, t)| t.as_str());
        if let (Some(name), Some(target)) = (name, target) {
            let path = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_owned(),
                None if target.starts_with("xl/") => target.to_owned(),
                None => format!("xl/{target}"),
            };
            parts.push((path.replace('\\', "/").to_lowercase(), name));
        }
    });
    parts
}

/// Calls `each` with every element start of the part `name` (matched as calamine
/// matches it: any case, either slash).
fn each_start<R: Read + io::Seek>(
    archive: &mut ZipArchive<R>,
    name: &str,
    mut each: impl FnMut(&BytesStart<'_>),
) {
    let Some(found) =
        archive.file_names().find(|n| n.replace('\\', "/").eq_ignore_ascii_case(name)).map(str::to_owned)
    else {
        return;
    };
    let Ok(part) = archive.by_name(&found) else { return };
    let mut xml = xml_reader(Budget::new(part, 16 << 20));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => each(&e),
            Ok(Event::Eof) | Err(_) => return,
            Ok(_) => {}
        }
    }
}
