//! `Note`: the lines of the workbook's Notes sheet, which tells a reader what the
//! workbook means without crs at hand: the framework and its source, every column
//! of the designations sheet, every status, every ground and every stage. Built
//! from the column list and the framework, so it always matches the sheet it
//! explains.

use crate::export::columns::Column;
use crate::framework::{Framework, Rule};
use crate::model::Status;

/// One line of the Notes sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// "Framework", "Column", "Status", "Ground", "Stage", "Rule".
    pub section: &'static str,
    pub term: String,
    pub meaning: String,
}

fn note(section: &'static str, term: impl Into<String>, meaning: impl Into<String>) -> Note {
    Note { section, term: term.into(), meaning: meaning.into() }
}

/// The Notes sheet of a workbook with `columns`, under `framework`, and with a History
/// sheet when `history` says so.
pub fn notes(columns: &[Column], framework: &Framework, history: bool) -> Vec<Note> {
    let mut out = vec![
        note("Framework", "Framework", format!("{} ({})", framework.title, framework.id)),
        note(
            "Framework",
            "Source",
            "Monitor, Guidance for commissioners on ensuring the continuity of health care services (2013): \
             guidance, a process commissioners are recommended to follow. The regulator is now NHS England.",
        ),
    ];
    if !framework.legal_basis.is_empty() {
        out.push(note("Framework", "Legal basis", framework.legal_basis.clone()));
    }
    if !framework.confirmed.is_empty() {
        out.push(note("Framework", "What is confirmed", framework.confirmed.clone()));
    }
    out.push(note(
        "Sheet",
        crate::export::assessments::ASSESSMENTS_SHEET,
        "Each stage of each record: met or not, the rationale, the evidence, the day assessed and by whom. \
         crs import reads it back with the Designations sheet.",
    ));
    if history {
        out.push(note(
            "Sheet",
            crate::export::history::HISTORY_SHEET,
            "Every stage assessment, decision and event of each record, one dated line each, oldest first. \
             crs import reads it back, so this workbook imported into a register gives the records whole.",
        ));
    }
    out.extend(columns.iter().map(|c| note("Column", c.heading(), c.meaning(framework))));
    out.extend(Status::ALL.iter().map(|s| note("Status", s.label(), s.definition())));
    out.extend(framework.grounds.iter().map(|g| note("Ground", &g.column, format!("{}.", g.title))));
    out.extend(framework.stages.iter().map(|st| {
        let ground = st.ground.as_deref().and_then(|g| framework.ground(g)).map_or_else(
            || "A judgement; supports no ground.".to_owned(),
            |g| format!("Supports the ground: {}.", g.title),
        );
        note(
            "Stage",
            format!("Stage {}: {}", st.number, st.title),
            format!("{} Weighs: {} {ground}", st.question, st.weighs),
        )
    }));
    out.extend(Rule::ALL.iter().map(|rule| {
        let (basis, source) = framework.basis(*rule);
        note(
            "Rule",
            rule.name(),
            format!("{} Rests on {}: {source}", framework.summary(*rule), basis.in_words()),
        )
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::columns::resolve;

    #[test]
    fn every_column_status_ground_and_stage_is_defined() {
        let framework = Framework::default_built_in();
        let columns = resolve(&[], &framework).unwrap();
        let notes = notes(&columns, &framework, true);
        let count = |section: &str| notes.iter().filter(|n| n.section == section).count();
        assert_eq!(count("Column"), columns.len());
        assert_eq!(count("Status"), Status::ALL.len());
        assert_eq!(count("Ground"), framework.grounds.len());
        assert_eq!(count("Stage"), framework.stages.len());
        assert_eq!(count("Sheet"), 2, "the Assessments sheet, and the History sheet, asked for");
        assert!(notes.iter().all(|n| !n.meaning.is_empty()), "{notes:?}");
    }
}
