//! NHS Digital's successor file (`succ.csv`): one row a succession, as ODS
//! publishes it — column 1 the predecessor's code, 2 the successor's, 3 the reason,
//! 4 the legal date of the succession (YYYYMMDD); later columns are ignored. The
//! file has no header row; one whose first cell is no ODS code is read as a header
//! and skipped. The register keeps the links in `.crs/succ.csv`, in the same four
//! columns, sorted, written by `crs orgs import` only.

use crate::model::Date;
use crate::model::id::is_ods_code;
use crate::orgs::index::Succession;
use crate::orgs::ods_file::SkippedRow;

/// Where the register keeps ODS's successor links.
pub const SUCC_PATH: &str = ".crs/succ.csv";

/// True when `path` is named as NHS Digital names the successor file.
pub fn is_succ_file(path: &std::path::Path) -> bool {
    path.file_stem().and_then(|s| s.to_str()).is_some_and(|s| s.eq_ignore_ascii_case("succ"))
}

/// The successions of a successor file, and the rows it could not read.
pub fn read_succ(bytes: &[u8]) -> (Vec<Succession>, Vec<SkippedRow>) {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let (mut links, mut skipped) = (Vec::new(), Vec::new());
    let mut row = csv::ByteRecord::new();
    let mut line = 0;
    loop {
        line += 1;
        match reader.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                skipped.push(SkippedRow { line, message: e.to_string() });
                continue;
            }
        }
        let cell =
            |n: usize| row.get(n).map(|c| String::from_utf8_lossy(c).trim().to_owned()).unwrap_or_default();
        let (from, to) = (cell(0), cell(1));
        if row.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if line == 1 && !is_ods_code(&from) {
            continue; // a header
        }
        if !is_ods_code(&from) || !is_ods_code(&to) {
            skipped.push(SkippedRow {
                line,
                message: format!("'{from}' and '{to}' in columns 1 and 2 are not both ODS codes"),
            });
            continue;
        }
        let on = match cell(3) {
            text if text.is_empty() => None,
            text => match Date::from_basic(&text) {
                Some(on) => Some(on),
                None => {
                    skipped.push(SkippedRow {
                        line,
                        message: format!("'{text}' in column 4 is not a date written YYYYMMDD"),
                    });
                    continue;
                }
            },
        };
        links.push(Succession { from, to, reason: cell(2), on });
    }
    links.sort();
    links.dedup();
    (links, skipped)
}

/// The register's copy of `links`: the same four columns, sorted.
pub fn to_csv(links: &[Succession]) -> Vec<u8> {
    let mut out = String::new();
    for link in links {
        let on = link.on.map(|d| d.to_string().replace('-', "")).unwrap_or_default();
        let reason = link.reason.replace(['"', ',', '\n', '\r'], " ");
        out.push_str(&format!("{},{},{reason},{on}\n", link.from, link.to));
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_with_or_without_a_header_and_skips_bad_ones() {
        let text = "\"QMJ\",\"Z9B2Z\",\"S\",\"20260401\",\"\"\r\nQRV,Z9B2Z,S,20260401\nQXX,nope,S,20260401\nQWE,Z1X1Z,S,2026-04-01\n";
        let (links, skipped) = read_succ(text.as_bytes());
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].from, "QMJ");
        assert_eq!(links[0].on, Date::from_ymd(2026, 4, 1));
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        let (links, skipped) = read_succ(b"Predecessor,Successor,Reason,Date\nQMJ,Z9B2Z,S,20260401\n");
        assert_eq!((links.len(), skipped.len()), (1, 0));
        assert_eq!(read_succ(&to_csv(&links)).0, links, "the register's copy reads back");
    }
}
