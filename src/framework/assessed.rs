//! Which stage assessments count for a decision: each decision rests on its own
//! assessment, made since the decision before it (or, for a confirmation, since its
//! review started). `crs check` judges a record by these; the deciding commands
//! refuse by them.

use crate::framework::definition::{Framework, StageDef};
use crate::model::record::{Decision, DecisionOutcome, Event, EventKind, Record};
use crate::model::{Date, RecordId};

/// Where the assessments that count for a decision begin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssessedSince {
    /// The first day an assessment counts for the decision.
    pub from: Date,
    /// What starts the decision's work, for messages: "the review started on 1 March
    /// 2026", "the designation of 10 February 2022".
    pub after: String,
}

/// The day from which stages count as assessed for a decision of `outcome` on
/// `decided_on`, made after the decisions `before` of a record with `events`: a
/// confirmation's from the day its review started, any other decision's from the
/// day after the decision before it. `None` for a record's first decision: every
/// assessment up to it counts.
pub fn assessed_since(
    before: &[Decision],
    events: &[Event],
    outcome: DecisionOutcome,
    decided_on: Date,
) -> Option<AssessedSince> {
    let previous = before.last();
    if outcome == DecisionOutcome::Confirm
        && let Some(start) = events.iter().rev().find(|e| {
            e.kind == EventKind::ReviewStarted
                && e.on <= decided_on
                && previous.is_none_or(|p| e.on >= p.decided_on)
        })
    {
        return Some(AssessedSince {
            from: start.on,
            after: format!("the review started on {}", start.on.in_words()),
        });
    }
    let previous = previous?;
    let what = match previous.outcome {
        DecisionOutcome::Designate => "the designation",
        DecisionOutcome::Confirm => "the confirmation",
        DecisionOutcome::Remove => "the removal",
        DecisionOutcome::DoNotDesignate => "the decision not to designate",
    };
    Some(AssessedSince {
        from: previous.decided_on.plus_days(1)?,
        after: format!("{what} of {}", previous.decided_on.in_words()),
    })
}

/// The stages a decision of `outcome` needs that `record` has not assessed for it:
/// missing (`None`), or assessed before `since` (the day of that assessment).
pub fn stages_not_assessed_for<'f>(
    record: &Record,
    framework: &'f Framework,
    outcome: DecisionOutcome,
    since: Option<&AssessedSince>,
) -> Vec<(&'f StageDef, Option<Date>)> {
    framework
        .stages
        .iter()
        .filter(|s| needed(outcome, s))
        .filter_map(|def| match record.stage(&def.key) {
            None => Some((def, None)),
            Some((_, stage)) if since.is_some_and(|s| stage.assessed_on < s.from) => {
                Some((def, Some(stage.assessed_on)))
            }
            Some(_) => None,
        })
        .collect()
}

/// The stages a decision of `outcome` on `decided_on` needs that `record` assessed
/// only after that day (the day of that assessment): the decision cannot rest on
/// them. A later review's reassessment of an earlier decision's stages is ordinary,
/// so this judges a decision being made, not the record's past ones.
pub fn stages_assessed_after<'f>(
    record: &Record,
    framework: &'f Framework,
    outcome: DecisionOutcome,
    decided_on: Date,
) -> Vec<(&'f StageDef, Date)> {
    framework
        .stages
        .iter()
        .filter(|s| needed(outcome, s))
        .filter_map(|def| record.stage(&def.key).map(|(_, stage)| (def, stage.assessed_on)))
        .filter(|(_, assessed)| *assessed > decided_on)
        .collect()
}

/// Whether a decision of `outcome` rests on `stage`: the stages that can give a
/// ground, unless the outcome needs every stage.
fn needed(outcome: DecisionOutcome, stage: &StageDef) -> bool {
    outcome.needs_every_stage() || stage.ground.is_some()
}

/// True when decision `index` of `record` came from a spreadsheet import.
pub fn imported_decision(record: &Record, index: usize) -> bool {
    record.source.as_ref().is_some_and(|s| s.decisions.is_none_or(|n| index < n as usize))
}

/// What to do about stages not assessed for a decision, as a sentence.
pub fn assess_again(
    outcome: DecisionOutcome,
    id: &RecordId,
    stages: &[(&StageDef, Option<Date>)],
    since: Option<&AssessedSince>,
) -> String {
    let named = |old: bool| -> Vec<String> {
        stages
            .iter()
            .filter(|(_, on)| on.is_some() == old)
            .map(|(s, on)| match on {
                Some(on) => format!("stage {} {} (assessed on {})", s.number, s.name(), on.in_words()),
                None => format!("stage {} {}", s.number, s.name()),
            })
            .collect()
    };
    let (missing, old) = (named(false), named(true));
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("{} not assessed", missing.join(", ")));
    }
    if let (false, Some(since)) = (old.is_empty(), since) {
        parts.push(format!("{} assessed before {}", old.join(", "), since.after));
    }
    let first = stages.first().map_or(1, |(s, _)| s.number);
    format!(
        "{}; a {} rests on its own assessment: assess {} with crs assess {id} --stage {first} --met|--not-met --rationale TEXT",
        parts.join("; "),
        outcome.short_name(),
        if stages.len() == 1 { "it" } else { "each" }
    )
}

#[cfg(test)]
mod tests {
    use super::assessed_since;
    use crate::model::Date;
    use crate::model::record::{Decision, DecisionOutcome, Event, EventKind};

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn decided(outcome: DecisionOutcome, on: &str) -> Decision {
        Decision {
            outcome,
            grounds: Vec::new(),
            decided_on: day(on),
            decided_by: None,
            reference: None,
            provider: None,
            commissioner: None,
        }
    }

    #[test]
    fn each_decision_counts_assessments_from_its_own_start() {
        let designated = [decided(DecisionOutcome::Designate, "2024-03-01")];
        let review = [Event::dated(day("2026-02-01"), EventKind::ReviewStarted, None)];
        assert_eq!(assessed_since(&[], &review, DecisionOutcome::Designate, day("2024-03-01")), None);
        let confirmed =
            assessed_since(&designated, &review, DecisionOutcome::Confirm, day("2026-04-01")).unwrap();
        assert_eq!(
            (confirmed.from, confirmed.after.as_str()),
            (day("2026-02-01"), "the review started on 1 February 2026")
        );
        let removed =
            assessed_since(&designated, &review, DecisionOutcome::Remove, day("2026-04-01")).unwrap();
        assert_eq!(
            (removed.from, removed.after.as_str()),
            (day("2024-03-02"), "the designation of 1 March 2024")
        );
        // A review that started before the designation is not this confirmation's.
        let early = [Event::dated(day("2024-01-01"), EventKind::ReviewStarted, None)];
        let confirmed =
            assessed_since(&designated, &early, DecisionOutcome::Confirm, day("2026-04-01")).unwrap();
        assert_eq!(confirmed.from, day("2024-03-02"));
    }
}
