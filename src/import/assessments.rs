//! The Assessments sheet of crs's own export read back: one line a stage of a
//! record (Record id, Stage, Met, Rationale, Evidence, Date assessed, Assessed by),
//! so that the default export imported again keeps each stage's assessment, not
//! only the one row a record. A line that cannot be read is a `Problem` naming the
//! sheet, row and column.

use std::collections::BTreeMap;

use crate::export::assessments::{ASSESSMENTS_COLUMNS, stage_named};
use crate::export::cell::LIST_SEPARATOR;
use crate::framework::Framework;
use crate::import::export_line::{ExportLine, read_lines};
use crate::import::map::Map;
use crate::import::row::Problem;
use crate::import::sheet::Sheet;
use crate::model::RecordId;
use crate::model::record::Stage;

/// The stages each record's lines give, by record id and stage key.
pub type Assessed = BTreeMap<RecordId, BTreeMap<String, Stage>>;

/// The stages `sheet` gives, and the lines it cannot read.
pub fn assessed(sheet: &Sheet, map: &Map, framework: &Framework) -> (Assessed, Vec<Problem>) {
    let (stages, problems) = read_lines(
        sheet,
        &ASSESSMENTS_COLUMNS,
        map,
        "import the Assessments sheet as crs export wrote it, or delete the sheet to import the Designations sheet alone",
        |line| (0..line.width()).all(|n| line.text(n).is_empty()),
        |line| read(line, framework),
    );
    let mut assessed = Assessed::new();
    for (id, key, stage) in stages {
        assessed.entry(id).or_default().insert(key, stage);
    }
    (assessed, problems)
}

/// One line: its record, the stage's key and the stage as assessed.
fn read(line: &ExportLine<'_>, framework: &Framework) -> Result<(RecordId, String, Stage), Box<Problem>> {
    let id = line.record_id(0)?;
    let def = stage_named(&line.text(1), &framework.stages).ok_or_else(|| {
        line.problem(
            1,
            "is not a stage of the framework",
            "keep the Stage as the export wrote it: Stage NUMBER: TITLE",
        )
    })?;
    let stage = Stage {
        met: line.yes_no(2)?,
        rationale: line.text(3),
        evidence: line.list(4, LIST_SEPARATOR),
        assessed_on: line.known_day(5)?,
        assessed_by: line.optional(6),
    };
    Ok((id, def.key.clone(), stage))
}
