//! The `.ods` side of the guard: `content.xml` streamed as calamine reads it, every
//! named table row by row, repeated rows and columns counted as calamine spells them
//! out, and the ends of the file where calamine would read for ever.

use std::cell::Cell;
use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;

use super::{MAX_CELLS, RESAVE, Scan, TRIM, attribute, count_text, next, refused, shown};
use crate::error::Result;

impl Scan<'_> {
    /// The `content.xml` of an `.ods`, read as calamine reads it: every named table,
    /// row by row, repeated rows and columns counted as calamine spells them out.
    pub(super) fn ods_content<R: BufRead>(&mut self, xml: &mut Reader<R>) -> Result<()> {
        let item = &*self.item.clone();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match next(xml, &mut buf, item) {
                Ok(Event::Start(e)) if e.name().as_ref() == b"table:table" => {
                    let Some(name) = attribute(&e, b"table:name") else { continue };
                    let sheet = format!("sheet '{}'", shown(&name));
                    if self.ods_table(xml, &sheet)? == Flow::Stop {
                        return Ok(());
                    }
                }
                Ok(Event::Eof) | Err(_) => return Ok(()),
                Ok(_) => {}
            }
        }
    }

    /// One table of an `.ods`, up to its end.
    fn ods_table<R: BufRead>(&mut self, xml: &mut Reader<R>, sheet: &str) -> Result<Flow> {
        let item = &*self.item.clone();
        let mut buf = Vec::new();
        // Rows so far (each repeat counted), rows up to the last with a value, the
        // widest row with a value, and cells spelled out before rows repeat.
        let (mut rows, mut rows_used, mut columns, mut spelled) = (0u64, 0u64, 0u64, 0u64);
        loop {
            buf.clear();
            match next(xml, &mut buf, item) {
                Ok(Event::Start(e)) if e.name().as_ref() == b"table:table-row" => {
                    let repeats = match attribute(&e, b"table:number-rows-repeated") {
                        Some(text) => match repeat_count(&text) {
                            Some(n) => n,
                            None => return Ok(Flow::Stop),
                        },
                        None => 1,
                    };
                    let row = self.ods_row(xml, sheet, rows, repeats.max(1))?;
                    let Some(row) = row else { return Ok(Flow::Stop) };
                    rows = rows.saturating_add(repeats.max(1));
                    spelled = spelled.saturating_add(row.width);
                    if row.value {
                        rows_used = rows;
                        columns = columns.max(row.width);
                    }
                    self.reach(sheet, rows_used, columns)?;
                    if spelled > MAX_CELLS {
                        return Err(self.in_sheet(
                            sheet,
                            format!(
                                ": it spells out more than {} cells (rows and cells it repeats), more than crs reads in a sheet",
                                count_text(MAX_CELLS)
                            ),
                            TRIM,
                        ));
                    }
                }
                Ok(Event::End(e)) if e.name().as_ref() == b"table:table" => break,
                Ok(Event::Eof) => {
                    // calamine waits for the end of the table for ever.
                    return Err(refused(
                        self.path,
                        format!("ends inside {sheet}: the file is incomplete"),
                        RESAVE,
                    ));
                }
                Err(_) => return Ok(Flow::Stop),
                Ok(_) => {}
            }
        }
        self.cells = self.cells.saturating_add(rows_used.saturating_mul(columns));
        Ok(Flow::Go)
    }

    /// One row of an `.ods` table, the `row`-th, repeated `repeats` times: its width
    /// as calamine spells it out (every cell but a last empty one), or `None` where
    /// calamine stops with an error.
    fn ods_row<R: BufRead>(
        &mut self,
        xml: &mut Reader<R>,
        sheet: &str,
        row: u64,
        repeats: u64,
    ) -> Result<Option<OdsRow>> {
        let item = &*self.item.clone();
        let mut buf = Vec::new();
        let mut out = OdsRow { width: 0, value: false };
        let mut empty_after = 0u64;
        loop {
            buf.clear();
            match next(xml, &mut buf, item) {
                Ok(Event::Start(e))
                    if matches!(e.name().as_ref(), b"table:table-cell" | b"table:covered-table-cell") =>
                {
                    let name = e.name().as_ref().to_vec();
                    let Some(cell) = ods_cell_attributes(&e) else { return Ok(None) };
                    let mut bytes = cell.bytes;
                    if cell.content {
                        match ods_text(xml, item) {
                            Text::Bytes(n) => bytes = bytes.saturating_add(n),
                            Text::Broken => return Ok(None),
                            Text::Endless => {
                                return Err(refused(
                                    self.path,
                                    format!("ends inside a note of {sheet}: the file is incomplete"),
                                    RESAVE,
                                ));
                            }
                        }
                    } else {
                        item.set(0);
                        if xml.read_to_end_into(QName(&name), &mut Vec::new()).is_err() {
                            return Ok(None);
                        }
                    }
                    out.width = out.width.saturating_add(empty_after);
                    empty_after = 0;
                    let at = (row, out.width);
                    if cell.value {
                        out.width = out.width.saturating_add(cell.repeats);
                        out.value = true;
                        self.reach(sheet, row.saturating_add(repeats), out.width)?;
                        self.add_text(sheet, at, bytes, cell.repeats.saturating_mul(repeats))?;
                    } else {
                        empty_after = cell.repeats;
                    }
                }
                Ok(Event::End(e)) if e.name().as_ref() == b"table:table-row" => return Ok(Some(out)),
                // calamine takes anything else in a row for an error.
                _ => return Ok(None),
            }
        }
    }
}

/// Whether reading goes on after a table.
#[derive(PartialEq, Eq)]
enum Flow {
    Go,
    Stop,
}

/// A row of an `.ods` as calamine builds it.
struct OdsRow {
    /// Cells spelled out.
    width: u64,
    /// Whether any has a value.
    value: bool,
}

/// A cell of an `.ods`, from its attributes.
struct OdsCell {
    /// Times the cell is repeated across.
    repeats: u64,
    /// Whether calamine gives it a value (a formula counts).
    value: bool,
    /// Whether its text is its content (`office:value-type="string"` without a value).
    content: bool,
    /// Bytes of its value and formula attributes.
    bytes: u64,
}

/// A cell's attributes read as calamine reads them; `None` where calamine stops
/// with an error.
fn ods_cell_attributes(start: &BytesStart<'_>) -> Option<OdsCell> {
    let mut cell = OdsCell { repeats: 1, value: false, content: false, bytes: 0 };
    let mut repeats_seen = false;
    let mut value_set = false;
    let mut string = false;
    for attribute in start.attributes() {
        let attribute = attribute.ok()?;
        let value = attribute.value.as_ref();
        match attribute.key.as_ref() {
            b"table:number-columns-repeated" if !repeats_seen => {
                cell.repeats = repeat_count(value)?;
                repeats_seen = true;
            }
            b"office:value"
            | b"office:string-value"
            | b"office:date-value"
            | b"office:time-value"
            | b"office:boolean-value"
                if !value_set =>
            {
                value_set = true;
                cell.bytes = cell.bytes.saturating_add(value.len() as u64);
            }
            b"office:value-type" if !value_set => string = value == b"string",
            b"table:formula" => {
                cell.bytes = cell.bytes.saturating_add(value.len() as u64);
                if !value.is_empty() {
                    cell.value = true;
                }
            }
            _ => {}
        }
    }
    cell.content = string && !value_set;
    cell.value |= value_set || cell.content;
    Some(cell)
}

/// How the text of a cell ended.
enum Text {
    /// At the end of the cell, with this many bytes.
    Bytes(u64),
    /// At broken XML or the end of the file, where calamine stops with an error.
    Broken,
    /// Inside a note at the end of the file, where calamine reads for ever.
    Endless,
}

/// The text of an `.ods` cell whose content is its value, up to the cell's end, as
/// calamine gathers it (spaces spelled out, a line break between paragraphs).
fn ods_text<R: BufRead>(xml: &mut Reader<R>, item: &Cell<u64>) -> Text {
    let mut buf = Vec::new();
    let mut bytes = 0u64;
    loop {
        buf.clear();
        match next(xml, &mut buf, item) {
            Ok(Event::Text(t)) => bytes = bytes.saturating_add(t.len() as u64),
            Ok(Event::CData(t)) => bytes = bytes.saturating_add(t.len() as u64),
            Ok(Event::GeneralRef(_)) => bytes = bytes.saturating_add(4),
            Ok(Event::End(e))
                if matches!(e.name().as_ref(), b"table:table-cell" | b"table:covered-table-cell") =>
            {
                return Text::Bytes(bytes);
            }
            Ok(Event::Start(e)) if e.name().as_ref() == b"office:annotation" => loop {
                buf.clear();
                match next(xml, &mut buf, item) {
                    Ok(Event::End(e)) if e.name().as_ref() == b"office:annotation" => break,
                    Ok(Event::Eof) => return Text::Endless,
                    Err(_) => return Text::Broken,
                    Ok(_) => {}
                }
            },
            Ok(Event::Start(e)) if e.name().as_ref() == b"text:p" => bytes = bytes.saturating_add(1),
            Ok(Event::Start(e)) if e.name().as_ref() == b"text:s" => {
                let count = match attribute(&e, b"text:c") {
                    Some(text) => match repeat_count(&text) {
                        Some(n) => n,
                        None => return Text::Broken,
                    },
                    None => 1,
                };
                bytes = bytes.saturating_add(count);
            }
            Ok(Event::Eof) | Err(_) => return Text::Broken,
            Ok(_) => {}
        }
    }
}

/// A repeat count or a number of spaces as calamine parses it (after unescaping):
/// `None` where calamine fails.
fn repeat_count(text: &[u8]) -> Option<u64> {
    let text = quick_xml::escape::unescape(std::str::from_utf8(text).ok()?).ok()?;
    let text = text.strip_prefix('+').unwrap_or(&text);
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // A count beyond u64 is refused by the limits all the same.
    Some(text.parse().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::tests::zipped;
    use super::super::{Workbook, check_workbook};
    use super::*;

    /// What the guard says of an `.ods` whose table "Register" holds `rows`.
    fn said(rows: &str) -> String {
        let content = format!(
            r#"<office:document-content><office:body><office:spreadsheet><table:table table:name="Register">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        );
        let bytes = zipped(&[
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet".to_owned()),
            ("content.xml", content),
        ]);
        match check_workbook(Path::new("book.ods"), &bytes, Workbook::Ods) {
            Ok(_) => "ok".to_owned(),
            Err(e) => e.to_string(),
        }
    }

    const TEXT: &str =
        r#"<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>"#;

    #[test]
    fn repeated_rows_and_cells_count_as_calamine_spells_them_out() {
        let row = |rows: u64, cells: u64| {
            format!(
                r#"<table:table-row table:number-rows-repeated="{rows}"><table:table-cell table:number-columns-repeated="{cells}" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#
            )
        };
        assert_eq!(said(&row(1_000, 1_000)), "ok");
        assert!(
            said(&row(1_000, 5_001)).contains("reach from A1 to GJI1000, 5,001,000 cells"),
            "{}",
            said(&row(1_000, 5_001))
        );
        // Empty rows and cells at the end are not spelled out, as LibreOffice writes them.
        let trailing = r#"<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#;
        assert_eq!(said(&format!("{}{trailing}", row(1, 3))), "ok");
        // Rows repeated no times are spelled out all the same, before calamine drops them.
        let nothing = r#"<table:table-row table:number-rows-repeated="0"><table:table-cell table:number-columns-repeated="1000000"/><table:table-cell/></table:table-row>"#.repeat(6);
        assert!(said(&nothing).contains("spells out more than 5,000,000 cells"), "{}", said(&nothing));
    }

    #[test]
    fn spaces_and_repeated_text_count_in_every_cell() {
        let spaces = r#"<table:table-row><table:table-cell office:value-type="string"><text:p><text:s text:c="2000000"/></text:p></table:table-cell></table:table-row>"#;
        assert!(
            said(spaces).contains("cell A1 (row 1, column A): the cell holds 2.0 MB of text"),
            "{}",
            said(spaces)
        );
        let long = format!(
            r#"<table:table-row table:number-rows-repeated="200"><table:table-cell table:number-columns-repeated="10" office:value-type="string" office:string-value="{}"/></table:table-row>"#,
            "y".repeat(100_000)
        );
        assert!(said(&long).contains("more than 128 MiB of text"), "{}", said(&long));
    }

    #[test]
    fn files_that_end_where_calamine_would_wait_for_ever_are_refused() {
        assert!(said(&format!("<table:table-row>{TEXT}</table:table-row>")).eq("ok"));
        let unended = format!(
            r#"<office:document-content><table:table table:name="Register"><table:table-row>{TEXT}</table:table-row>"#
        );
        let bytes = zipped(&[("content.xml", unended)]);
        let message = check_workbook(Path::new("book.ods"), &bytes, Workbook::Ods).unwrap_err().to_string();
        assert!(message.contains("ends inside sheet 'Register'"), "{message}");
        let note = r#"<office:document-content><table:table table:name="Register"><table:table-row><table:table-cell office:value-type="string"><office:annotation><text:p>a note"#;
        let message = check_workbook(
            Path::new("book.ods"),
            &zipped(&[("content.xml", note.to_owned())]),
            Workbook::Ods,
        )
        .unwrap_err()
        .to_string();
        assert!(message.contains("ends inside a note of sheet 'Register'"), "{message}");
    }

    #[test]
    fn repeat_counts_read_as_calamine_reads_them() {
        assert_eq!(repeat_count(b"1024"), Some(1024));
        assert_eq!(repeat_count(b"&#49;0"), Some(10));
        assert_eq!(repeat_count(b"99999999999999999999999"), Some(u64::MAX));
        assert_eq!(repeat_count(b"-1"), None);
        assert_eq!(repeat_count(b""), None);
    }
}
