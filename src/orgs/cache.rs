//! The register's organisation cache, `.crs/orgs.csv`: the organisations of every
//! imported ODS file in one small CSV, sorted by code and kind with one line each,
//! so that it is committed like any other change, `crs check` needs no network,
//! and a re-import shows in `git diff` only what NHS Digital changed.

use chrono::Datelike;

use crate::model::Date;
use crate::orgs::index::OrgIndex;
use crate::orgs::kind::OdsKind;
use crate::orgs::org::Org;

/// Where the cache lives, relative to the register root. Hidden folders are not
/// walked for records.
pub const CACHE_PATH: &str = ".crs/orgs.csv";

/// The cache's columns, in the order written.
const COLUMNS: [&str; 9] =
    ["code", "kind", "name", "region", "parent", "postcode", "opened", "closed", "gor"];

/// Why the cache could not be read: the line and what is wrong there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheError {
    pub line: u64,
    pub message: String,
}

/// The cache file's text for `index`.
pub fn to_csv(index: &OrgIndex) -> Vec<u8> {
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let date = |d: Option<Date>| {
        d.map(|Date(d)| format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())).unwrap_or_default()
    };
    // Writing strings into a Vec cannot fail.
    let _ = writer.write_record(COLUMNS);
    for o in index.orgs() {
        let _ = writer.write_record([
            o.code.as_str(),
            o.kind.as_str(),
            &o.name,
            &o.region,
            &o.parent,
            &o.postcode,
            &date(o.opened),
            &date(o.closed),
            &o.gor,
        ]);
    }
    writer.into_inner().unwrap_or_default()
}

/// Reads the cache file's text. Columns are found by their header, so a later crs
/// may add some.
pub fn from_csv(bytes: &[u8]) -> std::result::Result<OrgIndex, CacheError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let error = |e: csv::Error| CacheError {
        line: e.position().map_or(1, csv::Position::line),
        message: match e.kind() {
            csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                format!("{len} field{} where the header has {expected_len}", if *len == 1 { "" } else { "s" })
            }
            csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_owned(),
            _ => e.to_string(),
        },
    };
    let header = reader.headers().map_err(error)?.clone();
    let mut at = [0usize; COLUMNS.len()];
    for (slot, name) in at.iter_mut().zip(COLUMNS) {
        *slot = header.iter().position(|h| h == name).ok_or_else(|| CacheError {
            line: 1,
            message: format!("the header has no '{name}' column; it should be {}", COLUMNS.join(",")),
        })?;
    }
    // Sized once: growing by doubling would hold two copies at the peak.
    let mut orgs = Vec::with_capacity(bytes.iter().filter(|b| **b == b'\n').count());
    let mut row = csv::StringRecord::new();
    while reader.read_record(&mut row).map_err(error)? {
        let line = row.position().map_or(0, csv::Position::line);
        let bad = |message: String| CacheError { line, message };
        let field = |i: usize| row.get(at[i]).unwrap_or("");
        let kind: OdsKind = field(1).parse().map_err(bad)?;
        let date = |i: usize| -> std::result::Result<Option<Date>, CacheError> {
            match field(i) {
                "" => Ok(None),
                text => Date::from_iso(text)
                    .map(Some)
                    .ok_or_else(|| bad(format!("{} '{text}' is not a date written YYYY-MM-DD", COLUMNS[i]))),
            }
        };
        if field(0).is_empty() {
            return Err(bad("no code".to_owned()));
        }
        orgs.push(Org {
            code: field(0).to_owned(),
            kind,
            name: field(2).to_owned(),
            region: field(3).to_owned(),
            parent: field(4).to_owned(),
            postcode: field(5).to_owned(),
            opened: date(6)?,
            closed: date(7)?,
            gor: field(8).to_owned(),
        });
    }
    Ok(OrgIndex::new(orgs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> OrgIndex {
        OrgIndex::new(vec![
            Org {
                code: "RJ1".into(),
                kind: OdsKind::Etr,
                name: "GUY'S AND ST THOMAS' NHS FOUNDATION TRUST".into(),
                region: "Y56".into(),
                parent: "QKK".into(),
                postcode: "SE1 7EH".into(),
                opened: Date::from_ymd(1993, 4, 1),
                closed: None,
                gor: "H".into(),
            },
            Org {
                code: "RCX".into(),
                kind: OdsKind::Etr,
                name: "THE QUEEN ELIZABETH HOSPITAL, KING'S LYNN, NHS FOUNDATION TRUST".into(),
                region: "Y61".into(),
                parent: "T6Y0W".into(),
                postcode: "PE30 4ET".into(),
                opened: Date::from_ymd(1992, 4, 1),
                closed: Date::from_ymd(2030, 1, 1),
                gor: "G".into(),
            },
        ])
    }

    #[test]
    fn round_trips_sorted_with_a_line_each() {
        let text = String::from_utf8(to_csv(&sample())).unwrap();
        assert_eq!(
            text,
            "code,kind,name,region,parent,postcode,opened,closed,gor\n\
             RCX,etr,\"THE QUEEN ELIZABETH HOSPITAL, KING'S LYNN, NHS FOUNDATION TRUST\",Y61,T6Y0W,PE30 4ET,1992-04-01,2030-01-01,G\n\
             RJ1,etr,GUY'S AND ST THOMAS' NHS FOUNDATION TRUST,Y56,QKK,SE1 7EH,1993-04-01,,H\n"
        );
        assert_eq!(from_csv(text.as_bytes()).unwrap(), sample());
    }

    #[test]
    fn a_broken_cache_names_the_line() {
        let mut text = String::from_utf8(to_csv(&sample())).unwrap();
        text.push_str("<<<<<<< HEAD\n");
        let err = from_csv(text.as_bytes()).unwrap_err();
        assert_eq!(err.line, 4);
        let err = from_csv(b"code,kind\nRJ1,etr\n").unwrap_err();
        assert!(err.message.contains("no 'name' column"), "{err:?}");
        let err = from_csv(text.replace(",1993-04-01,", ",1993-4-1,").as_bytes()).unwrap_err();
        assert_eq!(err.line, 3);
        assert_eq!(err.message, "opened '1993-4-1' is not a date written YYYY-MM-DD");
    }
}
