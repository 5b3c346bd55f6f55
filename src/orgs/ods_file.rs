//! Reading one NHS Digital ODS CSV file (`etr.csv`, `ets.csv`, …) into organisations.
//! The files have no header; current ones have 27 columns with every field quoted,
//! older ones 24 unquoted columns with some fields missing. A row that cannot be read
//! is skipped with its line number and the reason; the rest load. No I/O here: the
//! caller reads the bytes.

use std::collections::HashMap;

use crate::model::Date;
use crate::orgs::kind::OdsKind;
use crate::orgs::org::Org;

// Columns, 0-based (ODS documents them 1-based: code is column 1).
const CODE: usize = 0;
const NAME: usize = 1;
const NATIONAL_GROUPING: usize = 2;
const HEALTH_GEOGRAPHY: usize = 3;
const POSTCODE: usize = 9;
const OPEN_DATE: usize = 10;
const CLOSE_DATE: usize = 11;
const PARENT: usize = 14;
const GOR: usize = 23;

/// A row needs the columns up to the close date to be read.
pub const MIN_COLUMNS: usize = CLOSE_DATE + 1;
/// The most columns an ODS row has (the current layout).
pub const MAX_COLUMNS: usize = 27;

/// What was read from one ODS file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OdsFile {
    pub kind: OdsKind,
    /// The organisations read, in file order.
    pub orgs: Vec<Org>,
    /// The rows that could not be read.
    pub skipped: Vec<SkippedRow>,
}

/// A row of an ODS file that was not loaded, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedRow {
    /// 1-based line where the row starts.
    pub line: u64,
    pub message: String,
}

/// Reads the rows of an ODS file of `kind` from its bytes.
pub fn read_ods(bytes: &[u8], kind: OdsKind) -> OdsFile {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut file = OdsFile { kind, orgs: Vec::new(), skipped: Vec::new() };
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut lines = LineCounter::new(bytes);
    let mut row = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                // Reading from memory, the csv reader fails only on what it cannot
                // resynchronise after; stop there and keep what was read.
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                file.skipped.push(SkippedRow {
                    line,
                    message: format!("unreadable CSV, the rest of the file was not read: {e}"),
                });
                break;
            }
        }
        let line = row.position().map_or(0, |p| lines.line_at(p.byte()));
        match read_row(&row, kind) {
            Ok(org) => match first_line.get(&org.code) {
                Some(first) => file.skipped.push(SkippedRow {
                    line,
                    message: format!(
                        "code {} is listed again (first at line {first}); the first row is kept",
                        org.code
                    ),
                }),
                None => {
                    first_line.insert(org.code.clone(), line);
                    file.orgs.push(org);
                }
            },
            Err(message) => file.skipped.push(SkippedRow { line, message }),
        }
    }
    file
}

/// Line numbers of byte offsets, counted as the reader moves forward. The csv
/// reader's own line count is off after blank lines, which it skips.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> LineCounter<'a> {
        LineCounter { bytes, offset: 0, line: 1 }
    }

    /// The line of the first byte at or after `offset` that is not a line break:
    /// where the row starting at `offset` really begins.
    fn line_at(&mut self, offset: u64) -> u64 {
        let mut offset = usize::try_from(offset).unwrap_or(usize::MAX).min(self.bytes.len());
        while offset < self.bytes.len() && matches!(self.bytes[offset], b'\r' | b'\n') {
            offset += 1;
        }
        if offset > self.offset {
            self.line += self.bytes[self.offset..offset].iter().filter(|b| **b == b'\n').count() as u64;
            self.offset = offset;
        }
        self.line
    }
}

fn read_row(row: &csv::ByteRecord, kind: OdsKind) -> Result<Org, String> {
    if row.len() == 1 && row[0].iter().all(u8::is_ascii_whitespace) {
        return Err("blank line".to_owned());
    }
    if row.len() < MIN_COLUMNS {
        return Err(format!(
            "{} column{}; an ODS row has 24 or 27 (at least {MIN_COLUMNS}, up to the close date, are needed)",
            row.len(),
            if row.len() == 1 { "" } else { "s" }
        ));
    }
    if row.len() > MAX_COLUMNS {
        return Err(format!(
            "{} columns, more than the {MAX_COLUMNS} of an ODS row (a comma in a field that is not quoted?)",
            row.len()
        ));
    }
    let field = |i: usize| -> Result<&str, String> {
        match row.get(i) {
            None => Ok(""),
            Some(bytes) => std::str::from_utf8(bytes).map(str::trim).map_err(|e| {
                format!(
                    "column {} is not UTF-8 text (at byte {} of the field); ODS files are plain text: download the file again",
                    i + 1,
                    e.valid_up_to() + 1
                )
            }),
        }
    };
    let code = field(CODE)?;
    if code.is_empty() {
        return Err("no organisation code in column 1".to_owned());
    }
    if !(3..=10).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!("'{}' in column 1 is not an organisation code", shorten(code)));
    }
    let name = field(NAME)?;
    if name.is_empty() {
        return Err(format!("{code} has no name in column 2"));
    }
    let opened = date(field(OPEN_DATE)?, "open date", OPEN_DATE)?;
    let closed = date(field(CLOSE_DATE)?, "close date", CLOSE_DATE)?;
    let parent = match field(PARENT)? {
        "" => field(HEALTH_GEOGRAPHY)?,
        parent => parent,
    };
    Ok(Org {
        code: code.to_ascii_uppercase(),
        kind,
        name: name.to_owned(),
        region: field(NATIONAL_GROUPING)?.to_owned(),
        parent: parent.to_owned(),
        postcode: field(POSTCODE)?.to_owned(),
        opened,
        closed,
        gor: field(GOR)?.to_owned(),
    })
}

/// A YYYYMMDD date; blank is `None`.
fn date(text: &str, what: &str, column: usize) -> Result<Option<Date>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    Date::from_basic(text).map(Some).ok_or_else(|| {
        format!("{what} '{}' in column {} is not a date written YYYYMMDD", shorten(text), column + 1)
    })
}

/// At most 40 characters of `text`, for messages.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CURRENT: &str = "\"RJ1\",\"GUY'S AND ST THOMAS' NHS FOUNDATION TRUST\",\"Y56\",\"QKK\",\"ST THOMAS' HOSPITAL\",\"WESTMINSTER BRIDGE ROAD\",\"\",\"LONDON\",\"\",\"SE1 7EH\",\"19930401\",\"\",\"\",\"\",\"\",\"\",\"\",\"020 7188 7188\",\"\",\"\",\"\",\"1\",\"\",\"H\",\"\",\"\",\"\"\r\n";
    const OLD: &str = "RGZ,QUEEN MARY'S SIDCUP NHS TRUST,Y56,Q71,FROGNAL AVENUE,,,SIDCUP,KENT,DA14 6LT,19930401,20090331,,,,,,,,,,0,,H\n";

    #[test]
    fn reads_both_layouts() {
        let file = read_ods(format!("{CURRENT}{OLD}").as_bytes(), OdsKind::Etr);
        assert_eq!(file.skipped, vec![]);
        assert_eq!(file.orgs.len(), 2);
        let gstt = &file.orgs[0];
        assert_eq!(gstt.code, "RJ1");
        assert_eq!(gstt.parent, "QKK");
        assert_eq!(gstt.postcode, "SE1 7EH");
        assert_eq!(gstt.opened, Date::from_ymd(1993, 4, 1));
        assert_eq!(gstt.closed, None);
        assert_eq!(gstt.gor, "H");
        assert_eq!(file.orgs[1].closed, Date::from_ymd(2009, 3, 31));
    }

    #[test]
    fn bad_rows_are_skipped_with_their_line() {
        let text = format!(
            "{OLD}R1X,SHORT ROW,Y56\n\nR1Y,BAD DATE,Y56,Q71,,,,,,,2015-04-01,,,,,,,,,,,0,,H\n,NO CODE,Y56,Q71,,,,,,,,,,,,,,,,,,0,,H\n{OLD}R1Z,\"MULTI\nLINE\",Y56,Q71,,,,,,,20150401,,,,,,,,,,,0,,H\n{OLD}"
        );
        let file = read_ods(text.as_bytes(), OdsKind::Etr);
        let lines: Vec<u64> = file.skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, vec![2, 4, 5, 6, 9], "{:?}", file.skipped);
        assert!(file.skipped[0].message.starts_with("3 columns"), "{:?}", file.skipped[0]);
        assert!(file.skipped[1].message.contains("'2015-04-01'"), "{:?}", file.skipped[1]);
        assert!(file.skipped[3].message.contains("listed again (first at line 1)"), "{:?}", file.skipped[3]);
        assert_eq!(file.orgs.len(), 2);
        assert_eq!(file.orgs[1].name, "MULTI\nLINE");
    }

    #[test]
    fn non_utf8_and_impossible_dates_are_reported_not_panicked_on() {
        let mut bytes = OLD.replace("QUEEN", "QU\u{e9}EN").into_bytes();
        let at = bytes.iter().position(|b| *b == 0xc3).unwrap();
        bytes.remove(at); // Latin-1 é: 0xe9 alone
        bytes.extend_from_slice(b"R2A,X,Y56,Q71,,,,,,,20150231,,,,,,,,,,,0,,H\n");
        let file = read_ods(&bytes, OdsKind::Etr);
        assert!(file.orgs.is_empty());
        assert!(file.skipped[0].message.contains("column 2 is not UTF-8"), "{:?}", file.skipped);
        assert!(file.skipped[1].message.contains("20150231"), "{:?}", file.skipped);
    }

    #[test]
    fn empty_input_reads_nothing() {
        let file = read_ods(b"", OdsKind::Ets);
        assert!(file.orgs.is_empty() && file.skipped.is_empty());
    }
}
