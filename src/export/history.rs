//! The History sheet: every stage assessment, decision and event of a record as one
//! dated line, oldest first. The Designations sheet sums a record up in one row; this
//! is its whole life, and what `crs import` reads back so that crs's own export comes
//! back whole (stages with the day they were assessed, every decision, every event).

use std::collections::BTreeMap;

use crate::export::cell::Cell;
use crate::framework::definition::StageDef;
use crate::model::record::{Stage, same_stage_key};
use crate::model::{Decision, Event, Record, RecordId};

/// The sheet's name in the workbook, and its key in the JSON and YAML exports.
pub const HISTORY_SHEET: &str = "History";

/// The History columns: the name JSON and YAML give each, and its heading.
pub const HISTORY_COLUMNS: [(&str, &str); 10] = [
    ("record_id", "Record id"),
    ("date", "Date"),
    ("what", "What"),
    ("code", "Code"),
    ("met", "Met"),
    ("grounds", "Grounds"),
    ("by", "By"),
    ("reference", "Reference"),
    ("note", "Note or rationale"),
    ("evidence", "Evidence"),
];

/// The start of the Code of a line: what kind of line it is.
pub const STAGE_CODE: &str = "stage:";
pub const DECISION_CODE: &str = "decision:";
pub const EVENT_CODE: &str = "event:";

/// The Note of a decision made by a commissioner other than the one responsible now
/// (after a succession): "Made by NHS Lambeth CCG (08K)"; `made_by_read` reads it back.
pub fn made_by(ods: &str, name: &str) -> String {
    format!("{MADE_BY}{name} ({ods})")
}

const MADE_BY: &str = "Made by ";

/// The commissioner's code and name of a decision's Note written by [`made_by`].
pub fn made_by_read(note: &str) -> Option<(String, String)> {
    let (name, ods) = note.strip_prefix(MADE_BY)?.strip_suffix(')')?.rsplit_once(" (")?;
    Some((ods.trim().to_owned(), name.trim().to_owned()))
}

/// What the History sheet tells of one record: its stage assessments, decisions and
/// events, kept as the record has them (an export holds this, not the lines' cells,
/// for each of its records, and makes the cells as it writes them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Life {
    /// By the stage key the record uses.
    pub stages: BTreeMap<String, Stage>,
    pub decisions: Vec<Decision>,
    pub events: Vec<Event>,
}

impl Life {
    pub fn of(record: &Record) -> Life {
        Life {
            stages: record.stages.clone(),
            decisions: record.decisions().to_vec(),
            events: record.events.clone(),
        }
    }
}

/// The History lines of record `id`, oldest first; on one day, stages before the
/// decision that rests on them, and the decision before what followed it. `stages`
/// are the framework's, for the stages' numbers and titles.
pub fn lines(id: &RecordId, life: &Life, stages: &[StageDef]) -> Vec<Vec<Cell>> {
    let line = |date: Cell, what: String, code: String, rest: [Cell; 6]| {
        let mut cells = vec![Cell::text(id.to_string()), date, Cell::text(what), Cell::text(code)];
        cells.extend(rest);
        cells
    };
    let mut dated = Vec::new();
    for (key, stage) in &life.stages {
        let def = stages.iter().find(|d| same_stage_key(&d.key, key));
        let what = def.map_or_else(|| key.clone(), |d| format!("Stage {}: {}", d.number, d.title));
        let name = def.map_or_else(|| key.clone(), |d| d.name());
        let rest = [
            Cell::YesNo(stage.met),
            Cell::Empty,
            Cell::text(stage.assessed_by.clone().unwrap_or_default()),
            Cell::Empty,
            Cell::text(stage.rationale.trim()),
            Cell::list(&stage.evidence),
        ];
        let order = (0, def.map_or(u32::MAX, |d| d.number));
        dated.push((
            stage.assessed_on,
            order,
            line(Cell::Date(stage.assessed_on), what, format!("{STAGE_CODE}{name}"), rest),
        ));
    }
    for decision in &life.decisions {
        let rest = [
            Cell::Empty,
            Cell::list(&decision.grounds),
            Cell::text(decision.decided_by.clone().unwrap_or_default()),
            Cell::text(decision.reference.clone().unwrap_or_default()),
            decision.commissioner.as_ref().map_or(Cell::Empty, |c| Cell::text(made_by(&c.ods, &c.name))),
            Cell::Empty,
        ];
        let (what, code) =
            (decision.outcome.label().to_owned(), format!("{DECISION_CODE}{}", decision.outcome.as_str()));
        dated.push((decision.decided_on, (1, 0), line(Cell::Date(decision.decided_on), what, code, rest)));
    }
    for event in &life.events {
        let rest = [
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::text(event.note.clone().unwrap_or_default()),
            Cell::Empty,
        ];
        let (what, code) = (event.kind.label().to_owned(), format!("{EVENT_CODE}{}", event.kind.as_str()));
        dated.push((event.on, (2, 0), line(Cell::event_day(Some(event)), what, code, rest)));
    }
    dated.sort_by_key(|(date, order, _)| (*date, *order));
    dated.into_iter().map(|(_, _, cells)| cells).collect()
}
