//! The History sheet of crs's own export read back: each line a stage assessment, a
//! decision or an event of one record (its Code says which), so that an export
//! imported again gives its records whole — stages with the day they were assessed,
//! every decision, every event — rather than what the one-row summary implies. A
//! line that cannot be read is a `Problem` naming the sheet, row and column.

use std::collections::BTreeMap;

use crate::export::cell::LIST_SEPARATOR;
use crate::export::history::{DECISION_CODE, EVENT_CODE, HISTORY_COLUMNS, Life, STAGE_CODE, made_by_read};
use crate::framework::Framework;
use crate::import::export_line::{ExportLine, read_lines};
use crate::import::map::Map;
use crate::import::row::Problem;
use crate::import::sheet::Sheet;
use crate::model::record::Stage;
use crate::model::{Decision, DecisionOutcome, Event, RecordId};

/// The lives of the records `sheet` tells, by record id, and the lines it cannot read.
pub fn lives(sheet: &Sheet, map: &Map, framework: &Framework) -> (BTreeMap<RecordId, Life>, Vec<Problem>) {
    let (entries, problems) = read_lines(
        sheet,
        &HISTORY_COLUMNS,
        map,
        "import the History sheet as crs export wrote it, or delete the sheet to import the Designations sheet alone",
        |line| line.text(0).is_empty() && line.text(3).is_empty(),
        |line| read(line, framework),
    );
    let mut lives: BTreeMap<RecordId, Life> = BTreeMap::new();
    for (id, entry) in entries {
        let life = lives.entry(id).or_default();
        match entry {
            Entry::Stage(key, stage) => {
                life.stages.insert(key, stage);
            }
            Entry::Decision(decision) => life.decisions.push(decision),
            Entry::Event(event) => life.events.push(event),
        }
    }
    (lives, problems)
}

enum Entry {
    Stage(String, Stage),
    Decision(Decision),
    Event(Event),
}

/// One line: its record and the stage, decision or event it gives.
fn read(line: &ExportLine<'_>, framework: &Framework) -> Result<(RecordId, Entry), Box<Problem>> {
    let id = line.record_id(0)?;
    let (on, known) = line.day(1)?;
    let code = line.text(3);
    let undated = || {
        line.problem(
            1,
            "leaves the day unrecorded, which only a step can",
            "write the day as a date, e.g. 2019-03-14",
        )
    };
    let unknown = |what: &str| {
        line.problem(
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
        let stage = Stage {
            met: line.yes_no(4)?,
            rationale: line.text(8),
            evidence: line.list(9, LIST_SEPARATOR),
            assessed_on: on,
            assessed_by: line.optional(6),
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
            grounds: line.list(5, LIST_SEPARATOR),
            decided_on: on,
            decided_by: line.optional(6),
            reference: line.optional(7),
            provider: None,
            commissioner: line
                .optional(8)
                .as_deref()
                .and_then(made_by_read)
                .map(|(ods, name)| crate::model::record::DecisionCommissioner { ods, name }),
        })
    } else if let Some(kind) = code.strip_prefix(EVENT_CODE) {
        let kind = kind.parse().map_err(|_: String| unknown("an event"))?;
        Entry::Event(Event { on, kind, date_known: known, note: line.optional(8) })
    } else {
        return Err(unknown("a stage, a decision or an event"));
    };
    Ok((id, entry))
}
