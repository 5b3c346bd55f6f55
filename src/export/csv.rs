//! The designations rows as CSV (RFC 4180: comma-separated, CRLF line ends, quotes
//! where needed; UTF-8 without a byte-order mark), headed like the workbook. Text a
//! spreadsheet would run as a formula gets a leading single quote.

use std::io::{self, Write};

use crate::export::cell::{Cell, neutralise_for_csv};
use crate::export::workbook::Workbook;
use crate::export::xlsx::{CHANGE_HEADING, CHANGED_FIELDS_HEADING};

/// Writes the designations rows (with the change columns when the export lists
/// changes only).
pub fn write_csv(workbook: &Workbook, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(out);
    let mut header: Vec<&str> = Vec::new();
    if workbook.only_changes {
        header.extend([CHANGE_HEADING, CHANGED_FIELDS_HEADING]);
    }
    header.extend(workbook.columns.iter().map(|c| c.heading()));
    writer.write_record(header.iter().map(|h| neutralise_for_csv(h).into_owned()))?;
    let mut record: Vec<String> = Vec::new();
    for row in &workbook.rows {
        record.clear();
        if let Some((kind, fields)) = &row.change {
            record.push(kind.as_str().to_owned());
            record.push(Cell::List(fields.clone()).display().into_owned());
        }
        record.extend(row.cells.iter().map(|cell| neutralise_for_csv(&cell.display()).into_owned()));
        writer.write_record(&record)?;
    }
    writer.flush()
}
