//! The Assessments sheet of crs's own export read back: one line a stage of a
//! record (Record id, Stage, Met, Rationale, Evidence, Date assessed, Assessed by),
//! so that the default export imported again keeps each stage's assessment, not
//! only the one row a record. A line that cannot be read is a `Problem` naming the
//! sheet, row and column.

use std::collections::BTreeMap;

use crate::export::assessments::{ASSESSMENTS_COLUMNS, stage_named};
use crate::export::cell::LIST_SEPARATOR;
use crate::framework::Framework;
use crate::import::map::{Field, Map};
use crate::import::row::{Problem, Value, read_cell};
use crate::import::sheet::{Sheet, clean, export_columns};
use crate::model::record::Stage;
use crate::model::{EventKind, RecordId};

/// The stages each record's lines give, by record id and stage key.
pub type Assessed = BTreeMap<RecordId, BTreeMap<String, Stage>>;

/// The stages `sheet` gives, and the lines it cannot read.
pub fn assessed(sheet: &Sheet, map: &Map, framework: &Framework) -> (Assessed, Vec<Problem>) {
    let mut assessed = Assessed::new();
    let mut problems = Vec::new();
    let columns = match export_columns(
        sheet,
        &ASSESSMENTS_COLUMNS,
        "import the Assessments sheet as crs export wrote it, or delete the sheet to import the Designations sheet alone",
    ) {
        Ok(columns) => columns,
        Err(problem) => return (assessed, vec![*problem]),
    };
    for index in 1..sheet.rows.len() {
        let line = Line { sheet, index, columns: &columns, map };
        if (0..columns.len()).all(|n| line.text(n).is_empty()) {
            continue;
        }
        match line.read(framework) {
            Ok((id, key, stage)) => {
                assessed.entry(id).or_default().insert(key, stage);
            }
            Err(problem) => problems.push(*problem),
        }
    }
    (assessed, problems)
}

/// One line of the sheet: row `index` (0-based), its columns in
/// `ASSESSMENTS_COLUMNS` order.
struct Line<'a> {
    sheet: &'a Sheet,
    index: usize,
    columns: &'a [usize],
    map: &'a Map,
}

impl Line<'_> {
    fn text(&self, n: usize) -> String {
        clean(&self.sheet.cell(self.index, self.columns[n]).text())
    }

    fn problem(&self, n: usize, problem: &str, todo: &str) -> Box<Problem> {
        Box::new(Problem {
            sheet: self.sheet.name.clone(),
            row: self.index + 1,
            column: ASSESSMENTS_COLUMNS[n].1.to_owned(),
            value: self.text(n),
            problem: problem.to_owned(),
            todo: todo.to_owned(),
        })
    }

    fn read(&self, framework: &Framework) -> Result<(RecordId, String, Stage), Box<Problem>> {
        let id: RecordId = self.text(0).parse().map_err(|e: crate::model::id::IdError| {
            self.problem(
                0,
                &format!("is not a record id: {e}"),
                "write it as PROVIDER/service-slug, as the export wrote it",
            )
        })?;
        let def = stage_named(&self.text(1), &framework.stages).ok_or_else(|| {
            self.problem(
                1,
                "is not a stage of the framework",
                "keep the Stage as the export wrote it: Stage NUMBER: TITLE",
            )
        })?;
        let cell = |n: usize| self.sheet.cell(self.index, self.columns[n]);
        let met = match read_cell(cell(2), &Field::ServiceLocationSpecific, self.map) {
            Ok(Some(Value::Yes(met))) => met,
            _ => return Err(self.problem(2, "is neither yes nor no", "write Yes or No")),
        };
        let assessed_on = match read_cell(cell(5), &Field::Event(EventKind::ProvidersNotified), self.map) {
            Ok(Some(Value::Date(date))) => date,
            _ => return Err(self.problem(5, "is not a date", "write the day as a date, e.g. 2019-03-14")),
        };
        let evidence =
            self.text(4).split(LIST_SEPARATOR.trim()).map(clean).filter(|s| !s.is_empty()).collect();
        let stage = Stage {
            met,
            rationale: self.text(3),
            evidence,
            assessed_on,
            assessed_by: Some(self.text(6)).filter(|t| !t.is_empty()),
        };
        Ok((id, def.key.clone(), stage))
    }
}
