//! The workbook as one JSON or YAML document: `about` (with `sections`: the records
//! and changes `in_force`, `pending` and `removed`), `columns` (name and heading),
//! `designations` (one object a row, keyed by column key, in column order, with
//! `change` and `changed_fields` first when the export lists changes only; in
//! force, then pending, then removed), `assessments` (one object a stage of a
//! record, keyed as `assessments::ASSESSMENTS_COLUMNS` names them), `changes` (each
//! with its `section`, and a removal with the `removal` decision's day, maker and
//! reference), and with `--history` `history` (one object a line of the History
//! sheet, keyed as `history::HISTORY_COLUMNS` names them). Every key is
//! snake_case. Dates are `YYYY-MM-DD` strings, yes/no columns booleans, lists arrays.

use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use crate::export::assessments::ASSESSMENTS_COLUMNS;
use crate::export::cell::Cell;
use crate::export::changes::ChangeKind;
use crate::export::history::HISTORY_COLUMNS;
use crate::export::section::Section;
use crate::export::workbook::{About, ChangeLine, Row, Workbook};
use crate::export::yaml;
use crate::model::{Date, Status};

#[derive(Serialize)]
struct Document<'a> {
    about: &'a About,
    columns: Vec<ColumnView>,
    designations: Vec<RowView<'a>>,
    assessments: AssessmentsView<'a>,
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

/// The lines of the Assessments sheet, each keyed by its columns' names.
struct AssessmentsView<'a>(&'a Workbook);

impl Serialize for AssessmentsView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for line in self.0.assessments() {
            let line = line.map_err(|e| {
                serde::ser::Error::custom(format!("could not read the stage assessments back: {e}"))
            })?;
            seq.serialize_element(&KeyedLine(&ASSESSMENTS_COLUMNS, &line))?;
        }
        seq.end()
    }
}

/// A line keyed by its columns' names.
struct KeyedLine<'a, const N: usize>(&'a [(&'a str, &'a str); N], &'a [Cell]);

impl<const N: usize> Serialize for KeyedLine<'_, N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.1.len()))?;
        for ((name, _), cell) in self.0.iter().zip(self.1) {
            map.serialize_entry(name, cell)?;
        }
        map.end()
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

/// A column: its name (as `crs.toml` calls it), its key in each row, its heading.
#[derive(Serialize)]
struct ColumnView {
    name: String,
    key: String,
    heading: String,
}

struct RowView<'a> {
    workbook: &'a Workbook,
    row: &'a Row,
}

impl Serialize for RowView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let extra = if self.row.change.is_some() { 2 + usize::from(self.row.carried_over) } else { 0 };
        let cells = self.row.cells.unpack();
        let mut map = serializer.serialize_map(Some(cells.len() + extra))?;
        if let Some((kind, fields)) = &self.row.change {
            map.serialize_entry("change", kind)?;
            map.serialize_entry("changed_fields", fields)?;
            if self.row.carried_over {
                map.serialize_entry("carried_over", &true)?;
            }
        }
        for (column, cell) in self.workbook.columns.iter().zip(&cells) {
            map.serialize_entry(&column.key(), cell)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct ChangeView<'a> {
    section: Section,
    change: ChangeKind,
    record_id: String,
    provider_code: &'a str,
    provider_name: &'a str,
    service_name: &'a str,
    /// `None` when the record was deleted.
    status: Option<Status>,
    previous_status: Option<Status>,
    changed_fields: Vec<String>,
    /// True when the record only passed to a successor (an ICB or trust merger):
    /// neither added nor removed, whatever `change` says it is.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    carried_over: bool,
    /// The decision that removed the designation, for a removal.
    #[serde(skip_serializing_if = "Option::is_none")]
    removal: Option<RemovalView<'a>>,
}

/// A removal decision's own day, maker and reference, keyed as the record's
/// `[[decisions]]` are.
#[derive(Serialize)]
struct RemovalView<'a> {
    decided_on: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    decided_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
}

fn document(workbook: &Workbook) -> Document<'_> {
    Document {
        about: &workbook.about,
        columns: workbook
            .columns
            .iter()
            .map(|c| ColumnView { name: c.name(), key: c.key(), heading: c.heading().to_owned() })
            .collect(),
        designations: workbook.rows.iter().map(|row| RowView { workbook, row }).collect(),
        assessments: AssessmentsView(workbook),
        changes: workbook.changes.iter().map(change_view).collect(),
        history: workbook.history.is_some().then_some(HistoryView(workbook)),
    }
}

fn change_view(line: &ChangeLine) -> ChangeView<'_> {
    let removal = line.label.removal.as_deref().filter(|_| line.change.kind == ChangeKind::Removed);
    ChangeView {
        section: line.change.section,
        change: line.change.kind,
        record_id: line.change.id.to_string(),
        provider_code: &line.label.provider_code,
        provider_name: &line.label.provider_name,
        service_name: &line.label.service,
        status: line.change.status,
        previous_status: line.change.previous_status,
        changed_fields: line.change.field_paths(),
        carried_over: line.change.carried_over,
        removal: removal.map(|d| RemovalView {
            decided_on: d.decided_on,
            decided_by: d.decided_by.as_deref(),
            reference: d.reference.as_deref(),
        }),
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
