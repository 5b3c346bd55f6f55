//! The workbook as one JSON or YAML document: `about`, `columns` (name and heading),
//! `designations` (one object a row, keyed by column name, in column order, with
//! `change` and `changed-fields` first when the export lists changes only) and
//! `changes`, and with `--history` `history` (one object a line of the History sheet, keyed as
//! `history::HISTORY_COLUMNS` names them). Dates are `YYYY-MM-DD` strings, yes/no columns booleans, lists arrays.

use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use crate::export::cell::Cell;
use crate::export::changes::ChangeKind;
use crate::export::history::HISTORY_COLUMNS;
use crate::export::workbook::{About, ChangeLine, Row, Workbook};
use crate::export::yaml;
use crate::model::Status;

#[derive(Serialize)]
struct Document<'a> {
    about: &'a About,
    columns: Vec<ColumnView>,
    designations: Vec<RowView<'a>>,
    changes: Vec<ChangeView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<HistoryView<'a>>,
}

/// The lines of the History sheet, each keyed by its columns' names, made one at a
/// time as they are written.
struct HistoryView<'a>(&'a Workbook);

impl Serialize for HistoryView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for line in self.0.history() {
            seq.serialize_element(&LineView(&line))?;
        }
        seq.end()
    }
}

/// A line of the History sheet, keyed by its columns' names.
struct LineView<'a>(&'a [Cell]);

impl Serialize for LineView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for ((name, _), cell) in HISTORY_COLUMNS.iter().zip(self.0) {
            map.serialize_entry(name, cell)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct ColumnView {
    name: String,
    heading: String,
}

struct RowView<'a> {
    workbook: &'a Workbook,
    row: &'a Row,
}

impl Serialize for RowView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let extra = if self.row.change.is_some() { 2 } else { 0 };
        let mut map = serializer.serialize_map(Some(self.row.cells.len() + extra))?;
        if let Some((kind, fields)) = &self.row.change {
            map.serialize_entry("change", kind)?;
            map.serialize_entry("changed-fields", fields)?;
        }
        for (column, cell) in self.workbook.columns.iter().zip(&self.row.cells) {
            map.serialize_entry(&column.name(), cell)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ChangeView<'a> {
    change: ChangeKind,
    record_id: String,
    provider_code: &'a str,
    provider_name: &'a str,
    service_name: &'a str,
    /// `None` when the record was deleted.
    status: Option<Status>,
    previous_status: Option<Status>,
    changed_fields: Vec<String>,
}

fn document(workbook: &Workbook) -> Document<'_> {
    Document {
        about: &workbook.about,
        columns: workbook
            .columns
            .iter()
            .map(|c| ColumnView { name: c.name(), heading: c.heading().to_owned() })
            .collect(),
        designations: workbook.rows.iter().map(|row| RowView { workbook, row }).collect(),
        changes: workbook.changes.iter().map(change_view).collect(),
        history: workbook.history.is_some().then_some(HistoryView(workbook)),
    }
}

fn change_view(line: &ChangeLine) -> ChangeView<'_> {
    ChangeView {
        change: line.change.kind,
        record_id: line.change.id.to_string(),
        provider_code: &line.provider_code,
        provider_name: &line.provider_name,
        service_name: &line.service,
        status: line.change.status,
        previous_status: line.change.previous_status,
        changed_fields: line.change.field_paths(),
    }
}

/// Writes the workbook as pretty JSON with a final newline.
pub fn write_json(workbook: &Workbook, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(workbook))?;
    writeln!(out)
}

/// Writes the workbook as a YAML document.
pub fn write_yaml(workbook: &Workbook, out: &mut dyn Write) -> io::Result<()> {
    yaml::write(out, &document(workbook))
}
