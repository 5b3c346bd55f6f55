//! The Assessments sheet: one line per record and stage of the framework, with
//! whether it was met, why, on what evidence, on which day and by whom. The
//! Designations sheet keeps to one row a service that prints legibly; the stages,
//! long text as they are, live here. `crs import` reads the sheet back, so that crs's
//! default export comes back with its assessments.

use crate::export::cell::Cell;
use crate::framework::definition::StageDef;
use crate::model::RecordId;
use crate::model::record::{Stage, same_stage_key};

/// The sheet's name in the workbook, and its key in the JSON and YAML exports.
pub(crate) const ASSESSMENTS_SHEET: &str = "Assessments";

/// The Assessments columns: the name JSON and YAML give each (the record's own
/// field names), and its heading.
pub(crate) const ASSESSMENTS_COLUMNS: [(&str, &str); 7] = [
    ("record_id", "Record id"),
    ("stage", "Stage"),
    ("met", "Met"),
    ("rationale", "Rationale"),
    ("evidence", "Evidence"),
    ("assessed_on", "Date assessed"),
    ("assessed_by", "Assessed by"),
];

/// How a stage is named in the Stage column: "Stage 1: Alternative provision".
pub(crate) fn stage_heading(stage: &StageDef) -> String {
    format!("Stage {}: {}", stage.number, stage.title)
}

/// The stage a Stage cell names, by its number ("Stage 1: …"), among `stages`.
pub(crate) fn stage_named<'s>(text: &str, stages: &'s [StageDef]) -> Option<&'s StageDef> {
    let number: u32 = text.trim().strip_prefix("Stage ")?.split(':').next()?.trim().parse().ok()?;
    stages.iter().find(|s| s.number == number)
}

/// The lines of record `id`, in the framework's order of stages; stages the
/// framework does not name follow, under their own key. The stages' text is moved
/// into the cells, not copied.
pub(crate) fn lines(id: &RecordId, assessed: Vec<(String, Stage)>, stages: &[StageDef]) -> Vec<Vec<Cell>> {
    let id = id.to_string();
    in_order(assessed, |(key, _)| key, stages)
        .into_iter()
        .map(|(heading, (_, stage))| {
            let rationale = match stage.rationale.trim() {
                trimmed if trimmed.len() == stage.rationale.len() => stage.rationale,
                trimmed => trimmed.to_owned(),
            };
            vec![
                Cell::text(id.as_str()),
                Cell::text(heading),
                Cell::YesNo(stage.met),
                Cell::text(rationale),
                Cell::List(stage.evidence.into_boxed_slice()),
                Cell::Date(stage.assessed_on),
                Cell::text(stage.assessed_by.unwrap_or_default()),
            ]
        })
        .collect()
}

/// A record's stages, each `key`ed, in the framework's order, each with how the
/// Stage column names it ("Stage 1: Alternative provision", or its own key for a
/// stage the framework does not name; those follow).
pub(crate) fn in_order<S>(
    assessed: impl IntoIterator<Item = S>,
    key: impl Fn(&S) -> &str,
    stages: &[StageDef],
) -> Vec<(String, S)> {
    let mut ordered: Vec<(u32, String, S)> = assessed
        .into_iter()
        .map(|stage| {
            let key = key(&stage);
            // As written, most keys are the framework's own: compared as they are first.
            let def = stages
                .iter()
                .find(|d| d.key == key)
                .or_else(|| stages.iter().find(|d| same_stage_key(&d.key, key)));
            match def {
                Some(def) => (def.number, stage_heading(def), stage),
                None => (u32::MAX, key.to_owned(), stage),
            }
        })
        .collect();
    ordered.sort_by_key(|(number, _, _)| *number);
    ordered.into_iter().map(|(_, heading, stage)| (heading, stage)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Framework;

    #[test]
    fn a_stage_is_named_by_its_number_and_read_back() {
        let framework = Framework::default_built_in();
        let first = &framework.stages[0];
        assert_eq!(stage_heading(first), "Stage 1: Alternative provision");
        assert_eq!(stage_named("Stage 1: Alternative provision", &framework.stages), Some(first));
        assert_eq!(stage_named("Stage 9: Nothing", &framework.stages), None);
        assert_eq!(stage_named("alternative provision", &framework.stages), None);
    }
}
