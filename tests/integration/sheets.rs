//! Reading workbooks back with calamine: every sheet as a grid of cells, each cell
//! marked with its type so a snapshot shows real dates as dates and text as text.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

/// The workbook's sheets, by name, as rows of cells rendered for snapshots: text as
/// is, dates as `date:YYYY-MM-DD`, other types named.
pub fn sheets(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("calamine opens the workbook");
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).expect("a sheet");
            let rows = range.rows().map(|row| row.iter().map(render).collect()).collect();
            (name, rows)
        })
        .collect()
}

/// One sheet's cells.
pub fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    sheets(bytes).into_iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no sheet {name}")).1
}

/// Every formula in the workbook, as `sheet!row,col: formula`.
pub fn formulas(bytes: &[u8]) -> Vec<String> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let mut found = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_formula(&name).unwrap();
        for (row, col, formula) in range.used_cells() {
            if !formula.is_empty() {
                found.push(format!("{name}!{row},{col}: {formula}"));
            }
        }
    }
    found
}

fn render(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        Data::DateTime(dt) => {
            let (y, m, d, h, min, s, _) = dt.to_ymd_hms_milli();
            if (h, min, s) == (0, 0, 0) {
                format!("date:{y:04}-{m:02}-{d:02}")
            } else {
                format!("datetime:{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}")
            }
        }
        other => format!("{other:?}"),
    }
}

/// The whole workbook as text: each sheet, then its rows, cells separated by ` | `.
pub fn grid(bytes: &[u8]) -> String {
    let mut text = String::new();
    for (name, rows) in sheets(bytes) {
        text.push_str(&format!("## {name}\n"));
        for row in rows {
            text.push_str(&row.join(" | "));
            text.push('\n');
        }
    }
    text
}
