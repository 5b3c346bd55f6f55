//! The designations rows as CSV (RFC 4180: comma-separated, CRLF line ends, quotes
//! where needed; UTF-8, with a byte-order mark only for spreadsheets), headed like
//! the workbook. Plain CSV, for programs, holds the values as the JSON does; in CSV
//! for spreadsheets (`--excel`) text a spreadsheet would run as a formula gets a
//! leading single quote. Also the CSV writer every CSV output of crs starts from.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::export::cell::{Cell, neutralise_for_csv};
use crate::export::workbook::Workbook;
use crate::export::xlsx::{CHANGE_HEADING, CHANGED_FIELDS_HEADING};

/// The UTF-8 byte-order mark: without it Excel reads a CSV file in the system's
/// legacy code page and turns "Gŵyr" into "GÅµyr".
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Who the CSV is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CsvFlavour {
    /// Programs: plain UTF-8, no byte-order mark.
    #[default]
    Plain,
    /// Spreadsheets (Excel, LibreOffice): a UTF-8 byte-order mark and CRLF line ends.
    Excel,
}

impl CsvFlavour {
    /// `text` as a cell of this flavour: as it is for programs; for a spreadsheet,
    /// with a single quote before anything it would run as a formula.
    pub fn cell(self, text: &str) -> Cow<'_, str> {
        match self {
            CsvFlavour::Plain => Cow::Borrowed(text),
            CsvFlavour::Excel => neutralise_for_csv(text),
        }
    }
}

/// A CSV writer on `out` for `flavour`, with lines ending in `terminator` (CRLF for
/// Excel whatever is asked); the byte-order mark is written first when it is needed.
pub fn csv_writer<W: Write>(
    mut out: W,
    flavour: CsvFlavour,
    terminator: ::csv::Terminator,
) -> io::Result<::csv::Writer<W>> {
    let terminator = match flavour {
        CsvFlavour::Plain => terminator,
        CsvFlavour::Excel => {
            out.write_all(UTF8_BOM)?;
            ::csv::Terminator::CRLF
        }
    };
    Ok(::csv::WriterBuilder::new().terminator(terminator).from_writer(out))
}

/// Writes the designations rows (with the change columns when the export lists
/// changes only).
pub fn write_csv(workbook: &Workbook, flavour: CsvFlavour, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv_writer(out, flavour, ::csv::Terminator::CRLF)?;
    let mut header: Vec<&str> = Vec::new();
    if workbook.only_changes {
        header.extend([CHANGE_HEADING, CHANGED_FIELDS_HEADING]);
    }
    header.extend(workbook.columns.iter().map(|c| c.heading()));
    writer.write_record(header.iter().map(|h| flavour.cell(h).into_owned()))?;
    let mut record: Vec<String> = Vec::new();
    for row in &workbook.rows {
        record.clear();
        if let Some((kind, fields)) = &row.change {
            record.push(kind.as_str().to_owned());
            record.push(Cell::list(fields).display().into_owned());
        }
        record.extend(row.cells.unpack().iter().map(|cell| flavour.cell(&cell.display()).into_owned()));
        writer.write_record(&record)?;
    }
    writer.flush()
}
