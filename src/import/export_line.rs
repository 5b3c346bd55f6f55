//! A line of a sheet that crs's own export wrote (Assessments, History), read back:
//! the sheet's columns found by the export's headings, each line's cells read by
//! them (text, a list, yes or no, a day, a record id), and a `Problem` naming the
//! sheet, row and column of what cannot be read. What a line means is its sheet's
//! reader's to say.

use crate::import::map::{Field, Map};
use crate::import::row::{Problem, Value, read_cell};
use crate::import::sheet::{Cell, Sheet, clean, export_columns};
use crate::model::{Date, EventKind, RecordId};

/// One line of the sheet: row `index` (0-based), its columns in `headings` order.
pub(crate) struct ExportLine<'a> {
    sheet: &'a Sheet,
    index: usize,
    headings: &'a [(&'a str, &'a str)],
    columns: &'a [usize],
    map: &'a Map,
}

/// Reads each line of `sheet` below its headings that is not `blank` with `read`:
/// what was read, in the sheet's order, and a problem for each line that could not
/// be. When a heading is missing, nothing is read and the problem says what to do
/// (`todo`).
pub(crate) fn read_lines<const N: usize, T>(
    sheet: &Sheet,
    headings: &[(&str, &str); N],
    map: &Map,
    todo: &str,
    blank: impl Fn(&ExportLine<'_>) -> bool,
    read: impl Fn(&ExportLine<'_>) -> Result<T, Box<Problem>>,
) -> (Vec<T>, Vec<Problem>) {
    let columns = match export_columns(sheet, headings, todo) {
        Ok(columns) => columns,
        Err(problem) => return (Vec::new(), vec![*problem]),
    };
    let (mut read_ones, mut problems) = (Vec::new(), Vec::new());
    for index in 1..sheet.rows.len() {
        let line = ExportLine { sheet, index, headings, columns: &columns, map };
        if blank(&line) {
            continue;
        }
        match read(&line) {
            Ok(value) => read_ones.push(value),
            Err(problem) => problems.push(*problem),
        }
    }
    (read_ones, problems)
}

impl ExportLine<'_> {
    /// How many columns the line has.
    pub(crate) fn width(&self) -> usize {
        self.columns.len()
    }

    pub(crate) fn cell(&self, n: usize) -> &Cell {
        self.sheet.cell(self.index, self.columns[n])
    }

    /// Column `n`'s text, cleaned as every cell is.
    pub(crate) fn text(&self, n: usize) -> String {
        clean(&self.cell(n).text())
    }

    /// Column `n`'s text; `None` when it is empty.
    pub(crate) fn optional(&self, n: usize) -> Option<String> {
        Some(self.text(n)).filter(|t| !t.is_empty())
    }

    /// Column `n`'s items, as the export joins them with `separator`.
    pub(crate) fn list(&self, n: usize, separator: &str) -> Vec<String> {
        self.text(n).split(separator.trim()).map(clean).filter(|s| !s.is_empty()).collect()
    }

    /// The problem with column `n`, quoting its value.
    pub(crate) fn problem(&self, n: usize, problem: &str, todo: &str) -> Box<Problem> {
        Box::new(Problem {
            sheet: self.sheet.name.clone(),
            row: self.index + 1,
            column: self.headings[n].1.to_owned(),
            value: self.text(n),
            problem: problem.to_owned(),
            todo: todo.to_owned(),
        })
    }

    /// Column `n` as a record id.
    pub(crate) fn record_id(&self, n: usize) -> Result<RecordId, Box<Problem>> {
        self.text(n).parse().map_err(|e: crate::model::id::IdError| {
            self.problem(
                n,
                &format!("is not a record id: {e}"),
                "write it as PROVIDER/service-slug, as the export wrote it",
            )
        })
    }

    /// Column `n` as yes or no.
    pub(crate) fn yes_no(&self, n: usize) -> Result<bool, Box<Problem>> {
        match read_cell(self.cell(n), &Field::ServiceLocationSpecific, self.map) {
            Ok(Some(Value::Yes(yes))) => Ok(yes),
            _ => Err(self.problem(n, "is neither yes nor no", "write Yes or No")),
        }
    }

    /// Column `n` as a day, and whether it is known (else the latest day a step can
    /// have happened: "by 2020-03-01 (day not recorded)").
    pub(crate) fn day(&self, n: usize) -> Result<(Date, bool), Box<Problem>> {
        let step = Field::Event(EventKind::ProvidersNotified);
        match read_cell(self.cell(n), &step, self.map) {
            Ok(Some(Value::Date(date))) => Ok((date, true)),
            Ok(Some(Value::DateBy(date))) => Ok((date, false)),
            _ => Err(self.not_a_date(n)),
        }
    }

    /// Column `n` as a day that is known.
    pub(crate) fn known_day(&self, n: usize) -> Result<Date, Box<Problem>> {
        match self.day(n)? {
            (date, true) => Ok(date),
            (_, false) => Err(self.not_a_date(n)),
        }
    }

    fn not_a_date(&self, n: usize) -> Box<Problem> {
        self.problem(n, "is not a date", "write the day as a date, e.g. 2019-03-14")
    }
}
