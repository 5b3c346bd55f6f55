//! The History sheet of crs's own export read back: each line a stage assessment, a
//! decision or an event of one record (its Code says which), so that an export
//! imported again gives its records whole — stages with the day they were assessed,
//! every decision, every event — rather than what the one-row summary implies. A
//! line that cannot be read is a `Problem` naming the sheet, row and column.

use std::collections::BTreeMap;

use crate::export::cell::LIST_SEPARATOR;
use crate::export::history::{DECISION_CODE, EVENT_CODE, HISTORY_COLUMNS, Life, STAGE_CODE, made_by_read};
use crate::framework::Framework;
use crate::import::map::{Field, Map};
use crate::import::row::{Problem, Value, read_cell};
use crate::import::sheet::{Cell, Sheet, clean, export_columns};
use crate::model::record::Stage;
use crate::model::{Date, Decision, DecisionOutcome, Event, RecordId};

/// The lives of the records `sheet` tells, by record id, and the lines it cannot read.
pub fn lives(sheet: &Sheet, map: &Map, framework: &Framework) -> (BTreeMap<RecordId, Life>, Vec<Problem>) {
    let mut lives: BTreeMap<RecordId, Life> = BTreeMap::new();
    let mut problems = Vec::new();
    let columns = match export_columns(
        sheet,
        &HISTORY_COLUMNS,
        "import the History sheet as crs export wrote it, or delete the sheet to import the Designations sheet alone",
    ) {
        Ok(columns) => columns,
        Err(problem) => return (lives, vec![*problem]),
    };
    for index in 1..sheet.rows.len() {
        let line = Line { sheet, index, columns: &columns, map };
        if line.text(0).is_empty() && line.text(3).is_empty() {
            continue;
        }
        match line.read(framework) {
            Ok((id, entry)) => {
                let life = lives.entry(id).or_default();
                match entry {
                    Entry::Stage(key, stage) => {
                        life.stages.insert(key, stage);
                    }
                    Entry::Decision(decision) => life.decisions.push(decision),
                    Entry::Event(event) => life.events.push(event),
                }
            }
            Err(problem) => problems.push(*problem),
        }
    }
    (lives, problems)
}

enum Entry {
    Stage(String, Stage),
    Decision(Decision),
    Event(Event),
}

/// One line of the sheet: row `index` (0-based), its columns in `HISTORY_COLUMNS` order.
struct Line<'a> {
    sheet: &'a Sheet,
    index: usize,
    columns: &'a [usize],
    map: &'a Map,
}

impl Line<'_> {
    fn cell(&self, n: usize) -> &Cell {
        self.sheet.cell(self.index, self.columns[n])
    }

    fn text(&self, n: usize) -> String {
        clean(&self.cell(n).text())
    }

    fn optional(&self, n: usize) -> Option<String> {
        Some(self.text(n)).filter(|t| !t.is_empty())
    }

    fn list(&self, n: usize) -> Vec<String> {
        self.text(n).split(LIST_SEPARATOR.trim()).map(clean).filter(|s| !s.is_empty()).collect()
    }

    fn problem(&self, n: usize, problem: &str, todo: &str) -> Box<Problem> {
        Box::new(Problem {
            sheet: self.sheet.name.clone(),
            row: self.index + 1,
            column: HISTORY_COLUMNS[n].1.to_owned(),
            value: self.text(n),
            problem: problem.to_owned(),
            todo: todo.to_owned(),
        })
    }

    /// The line's day, and whether it is known (else the latest day a step can
    /// have happened: "by 2020-03-01 (day not recorded)").
    fn date(&self) -> Result<(Date, bool), Box<Problem>> {
        let step = Field::Event(crate::model::EventKind::ProvidersNotified);
        match read_cell(self.cell(1), &step, self.map) {
            Ok(Some(Value::Date(date))) => Ok((date, true)),
            Ok(Some(Value::DateBy(date))) => Ok((date, false)),
            _ => Err(self.problem(1, "is not a date", "write the day as a date, e.g. 2019-03-14")),
        }
    }

    fn read(&self, framework: &Framework) -> Result<(RecordId, Entry), Box<Problem>> {
        let id: RecordId = self.text(0).parse().map_err(|e: crate::model::id::IdError| {
            self.problem(
                0,
                &format!("is not a record id: {e}"),
                "write it as PROVIDER/service-slug, as the export wrote it",
            )
        })?;
        let (on, known) = self.date()?;
        let code = self.text(3);
        let undated = || {
            self.problem(
                1,
                "leaves the day unrecorded, which only a step can",
                "write the day as a date, e.g. 2019-03-14",
            )
        };
        let unknown = |what: &str| {
            self.problem(
                3,
                &format!("is not {what}"),
                "keep the Code as the export wrote it: stage:NAME, decision:OUTCOME or event:KIND",
            )
        };
        let entry = if let Some(name) = code.strip_prefix(STAGE_CODE) {
            let def = framework.stage_by_name(name).ok_or_else(|| unknown("a stage of the framework"))?;
            if !known {
                return Err(undated());
            }
            let met = match read_cell(self.cell(4), &Field::ServiceLocationSpecific, self.map) {
                Ok(Some(Value::Yes(met))) => met,
                _ => return Err(self.problem(4, "is neither yes nor no", "write Yes or No")),
            };
            let stage = Stage {
                met,
                rationale: self.text(8),
                evidence: self.list(9),
                assessed_on: on,
                assessed_by: self.optional(6),
            };
            Entry::Stage(def.key.clone(), stage)
        } else if let Some(outcome) = code.strip_prefix(DECISION_CODE) {
            let outcome = [
                DecisionOutcome::Designate,
                DecisionOutcome::DoNotDesignate,
                DecisionOutcome::Confirm,
                DecisionOutcome::Remove,
            ]
            .into_iter()
            .find(|o| o.as_str() == outcome)
            .ok_or_else(|| unknown("a decision"))?;
            if !known {
                return Err(undated());
            }
            Entry::Decision(Decision {
                outcome,
                grounds: self.list(5),
                decided_on: on,
                decided_by: self.optional(6),
                reference: self.optional(7),
                provider: None,
                commissioner: self
                    .optional(8)
                    .as_deref()
                    .and_then(made_by_read)
                    .map(|(ods, name)| crate::model::record::DecisionCommissioner { ods, name }),
            })
        } else if let Some(kind) = code.strip_prefix(EVENT_CODE) {
            let kind = kind.parse().map_err(|_: String| unknown("an event"))?;
            Entry::Event(Event { on, kind, date_known: known, note: self.optional(8) })
        } else {
            return Err(unknown("a stage, a decision or an event"));
        };
        Ok((id, entry))
    }
}
