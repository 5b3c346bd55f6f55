//! The decisions and events one row of a sheet gives: its decision, the events it
//! dates, the later decisions its removal and confirmation columns give, and the
//! steps its status and the provider's answer imply. Every fact comes from a cell
//! or the map's stated defaults: a step the sheet does not date is kept undated
//! (`date_known = false`) with the latest day it can have happened, never a
//! neighbour's day; a removal or a confirmation takes its own date, maker and
//! reference from its own columns, never the designation's; a status the
//! provider's answer contradicts is refused. `merge` builds a record from them.

use crate::export::row::deciding_commissioner_read;
use crate::import::map::Field;
use crate::import::merge::{Context, problem};
use crate::import::row::{Problem, Response, RowFields, Value};
use crate::model::{Date, Decision, DecisionOutcome, Event, EventKind, Status};

/// The decisions and events of one row: its decision, the events it dates, the
/// later decisions its removal and confirmation columns give, and the steps its
/// status and the provider's answer imply. A step the sheet does not date is kept
/// undated, with the latest day it can have happened.
pub(crate) fn row_history(
    row: &RowFields,
    context: &Context<'_>,
    given: &[Event],
) -> Result<(Vec<Decision>, Vec<Event>), Vec<Problem>> {
    let (status, response) = status_and_response(row);
    let decided_on = row.date(&Field::DecidedOn);
    let mut events = dated_events(row);
    let Some(outcome) = decision_outcome(row, context, status, decided_on)? else {
        return Ok((Vec::new(), events));
    };
    let (confirmation, removal) = later_decisions(row, context)?;
    let Some(decided_on) = decided_on else {
        return later_decisions_alone(row, context, status, outcome, [confirmation, removal], events, given)
            .ok_or_else(|| vec![missing_decision_day(row, context, status, outcome)]);
    };
    let mut decisions = vec![row_decision(row, context, outcome, decided_on)];
    let Some(status) = status else {
        decisions.extend(confirmation);
        decisions.extend(removal);
        return Ok((decisions, events));
    };
    if outcome != DecisionOutcome::Designate {
        // A row of a later decision: a removal brings in its notice, undated unless
        // the sheet dates it.
        if status == Status::Removed
            && outcome == DecisionOutcome::Remove
            && !events.iter().chain(given).any(|e| e.kind == EventKind::ProviderNotifiedOfRemoval)
        {
            events.push(undated(EventKind::ProviderNotifiedOfRemoval, context.today, status, context, row));
        }
        return Ok((decisions, events));
    }

    // What the status says happened after the designation, and what the provider's
    // answer says; the two must agree.
    let answer = provider_answer(row, context, status, response, &events, given)?;
    // The day the provider answered dates the answer's first step.
    if let (Some((on, known)), Some(first)) = (row.step_day(&Field::ResponseOn), answer.steps().first())
        && !events.iter().any(|e| e.kind == *first)
    {
        events.push(Event { on, kind: *first, date_known: known, note: None });
    }
    let chain = implied_steps(status, answer);
    if status == Status::Removed && removal.is_none() {
        return Err(vec![problem(
            context,
            row,
            &Field::Status,
            "removed",
            "gives no day for the decision to remove the designation",
            "map the column with the day of the removal decision to removal.decided_on (with removal.decided_by and removal.reference if the sheet has them), or add a row for the removal (decision.outcome = remove, with its decision date)",
        )]);
    }
    decisions.extend(confirmation);
    decisions.extend(removal);
    with_steps(decisions, events, &chain, given, decided_on, status, context, row)
}

/// The row's status, and the provider's answer it gives (a map default only for a designation in force).
fn status_and_response(row: &RowFields) -> (Option<Status>, Option<Response>) {
    let status = match row.get(&Field::Status) {
        Some(Value::Status(status)) => Some(*status),
        _ => None,
    };
    // A default answer in the map speaks for the designations in force that leave
    // it blank, not for a row whose status says no answer came.
    let in_force = matches!(status, Some(Status::Designated | Status::UnderReview | Status::Removed));
    let response = match row.get(&Field::Response) {
        Some(Value::Response(_)) if !in_force && row.is_default(&Field::Response) => None,
        Some(Value::Response(response)) => Some(*response),
        _ => None,
    };
    (status, response)
}

/// The events the row's step columns date, each as known or undated as its cell says.
fn dated_events(row: &RowFields) -> Vec<Event> {
    let mut events: Vec<Event> = Vec::new();
    for (field, _) in row.values() {
        if let Field::Event(kind) = field
            && let Some((on, known)) = row.step_day(field)
        {
            events.push(Event { on, kind: *kind, date_known: known, note: None });
        }
    }
    events
}

/// The outcome of the row's decision, none for a draft, refusing a decision date on a draft.
fn decision_outcome(
    row: &RowFields,
    context: &Context<'_>,
    status: Option<Status>,
    decided_on: Option<Date>,
) -> Result<Option<DecisionOutcome>, Vec<Problem>> {
    let given_outcome = match row.get(&Field::DecisionOutcome) {
        Some(Value::Outcome(outcome)) => Some(*outcome),
        _ => None,
    };
    let outcome = given_outcome.or(match status {
        Some(Status::Draft) => None,
        Some(Status::NotDesignated) => Some(DecisionOutcome::DoNotDesignate),
        Some(_) => Some(DecisionOutcome::Designate),
        None => decided_on.map(|_| DecisionOutcome::Designate),
    });
    if outcome.is_none()
        && let Some(on) = decided_on
    {
        return Err(vec![problem(
            context,
            row,
            &Field::DecidedOn,
            &on.to_string(),
            "is a decision date on a row whose status is draft",
            "give the status the decision led to, or leave the date out",
        )]);
    }
    Ok(outcome)
}

/// A row that dates no decision of its own but a later one, a removal or a
/// confirmation, in that decision's columns (a removal row beside the row of its
/// designation): its history is that decision alone, with its events, and a
/// removal's notice undated unless the sheet dates it. `None` when the row gives no
/// later decision, or its outcome names another.
fn later_decisions_alone(
    row: &RowFields,
    context: &Context<'_>,
    status: Option<Status>,
    outcome: DecisionOutcome,
    later: [Option<Decision>; 2],
    mut events: Vec<Event>,
    given: &[Event],
) -> Option<(Vec<Decision>, Vec<Event>)> {
    let given_outcome = row.get(&Field::DecisionOutcome).is_some();
    let decisions: Vec<Decision> = later.into_iter().flatten().collect();
    let named = !given_outcome || decisions.iter().any(|d| d.outcome == outcome);
    if decisions.is_empty() || !named {
        return None;
    }
    let removed = decisions.iter().any(|d| d.outcome == DecisionOutcome::Remove);
    if status == Some(Status::Removed)
        && removed
        && !events.iter().chain(given).any(|e| e.kind == EventKind::ProviderNotifiedOfRemoval)
    {
        let status = Status::Removed;
        events.push(undated(EventKind::ProviderNotifiedOfRemoval, context.today, status, context, row));
    }
    Some((decisions, events))
}

/// The problem of a decision whose row gives no day for it: the empty column, or the map to mend.
fn missing_decision_day(
    row: &RowFields,
    context: &Context<'_>,
    status: Option<Status>,
    outcome: DecisionOutcome,
) -> Problem {
    let what = status.map_or_else(|| format!("decision '{}'", outcome.as_str()), |s| format!("status '{s}'"));
    // A column the map reads the day from, left empty in this row, is named by
    // its header; without one, the map is what to mend.
    match context.headers.get(&Field::DecidedOn) {
        Some(header) => Problem {
            column: header.to_string(),
            ..problem(
                context,
                row,
                &Field::DecidedOn,
                "",
                &format!("is empty, but the {what} needs the day of the decision"),
                "fill in the decision date",
            )
        },
        None => problem(
            context,
            row,
            &Field::DecidedOn,
            "",
            &format!("gives no day for the decision, but the {what} needs it"),
            "map the column that holds the decision date to decision.decided_on",
        ),
    }
}

/// The row's own decision, with its grounds unless a confirmation in the row holds them.
fn row_decision(
    row: &RowFields,
    context: &Context<'_>,
    outcome: DecisionOutcome,
    decided_on: Date,
) -> Decision {
    let keeps = matches!(outcome, DecisionOutcome::Designate | DecisionOutcome::Confirm);
    // The ground columns speak of the latest decision to keep the designation: the
    // confirmation where the row gives one (the designation's own grounds are then
    // not in the row), else the row's decision.
    let confirmed = row.date(&Field::ConfirmationDecidedOn).is_some();
    let grounds = if keeps && !confirmed { row_grounds(row, context) } else { Vec::new() };
    Decision {
        outcome,
        grounds,
        decided_on,
        decided_by: row.text(&Field::DecidedBy).map(str::to_owned),
        reference: row.text(&Field::DecisionReference).map(str::to_owned),
        provider: None,
        commissioner: row
            .text(&Field::DecisionCommissioner)
            .and_then(deciding_commissioner_read)
            .map(|(ods, name)| crate::model::record::DecisionCommissioner { ods, name }),
    }
}

/// The grounds the row's ground columns mark yes, in the map's order of grounds.
fn row_grounds(row: &RowFields, context: &Context<'_>) -> Vec<String> {
    let mut grounds: Vec<String> = row
        .values()
        .filter_map(|(field, value)| match (field, value) {
            (Field::Ground(key), Value::Yes(true)) => Some(key.clone()),
            _ => None,
        })
        .collect();
    grounds.sort_by_key(|g| context.grounds.iter().position(|k| k == g));
    grounds
}

/// The confirmation and removal the row dates, refusing a maker or reference given without its day.
fn later_decisions(
    row: &RowFields,
    context: &Context<'_>,
) -> Result<(Option<Decision>, Option<Decision>), Vec<Problem>> {
    let mut problems = Vec::new();
    // The later decisions of the same designation, each from its own columns (the
    // record's name of the decision, as in `confirmation.decided_on`): none without
    // its day, and then neither who made it nor its reference may be given.
    let mut later = |[on, by, reference]: [&Field; 3], outcome: DecisionOutcome, name: &str| {
        let Some(decided_on) = row.date(on) else {
            for field in [by, reference].into_iter().filter(|field| row.get(field).is_some()) {
                problems.push(problem(
                    context,
                    row,
                    field,
                    "",
                    &format!("is given without the day of the {name}"),
                    &format!("map the column with its day to {name}.decided_on"),
                ));
            }
            return None;
        };
        Some(Decision {
            outcome,
            grounds: Vec::new(),
            decided_on,
            decided_by: row.text(by).map(str::to_owned),
            reference: row.text(reference).map(str::to_owned),
            provider: None,
            commissioner: None,
        })
    };
    let confirmation = later(
        [&Field::ConfirmationDecidedOn, &Field::ConfirmationDecidedBy, &Field::ConfirmationReference],
        DecisionOutcome::Confirm,
        "confirmation",
    )
    .map(|confirmation| Decision { grounds: row_grounds(row, context), ..confirmation });
    let removal = later(
        [&Field::RemovalDecidedOn, &Field::RemovalDecidedBy, &Field::RemovalReference],
        DecisionOutcome::Remove,
        "removal",
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok((confirmation, removal))
}

/// The provider's answer to a designation: as the row gives it if the status agrees, else as the status implies.
fn provider_answer(
    row: &RowFields,
    context: &Context<'_>,
    status: Status,
    response: Option<Response>,
    events: &[Event],
    given: &[Event],
) -> Result<Response, Vec<Problem>> {
    let answer = match (status, response) {
        (_, Some(response)) => {
            if let Some(contradiction) = contradiction(status, response) {
                return Err(vec![contradicting_answer(row, context, status, response, contradiction)]);
            }
            response
        }
        (Status::Draft | Status::NotDesignated | Status::Proposed | Status::Requested, None) => {
            Response::Awaiting
        }
        (Status::Refused, None) => Response::Refused,
        (Status::Referred, None) => Response::Referred,
        // A designation in force came by the provider's acceptance or by the
        // regulator's finding; which one, only a cell can say: a step the row dates,
        // or else the row is refused, never taken to have been accepted.
        (Status::Designated | Status::UnderReview | Status::Removed, None) => {
            let dated = |kind: EventKind| events.iter().chain(given).any(|e| e.kind == kind);
            if dated(EventKind::RefusalFoundUnreasonable) {
                Response::FoundUnreasonable
            } else if dated(EventKind::ProviderAccepted) {
                Response::Accepted
            } else {
                return Err(vec![problem(
                    context,
                    row,
                    &Field::Status,
                    status.as_str(),
                    "says the designation was in force, which needs the provider's acceptance or a refusal the regulator found unreasonable, and the row says neither",
                    "fill in the provider's answer (in a column mapped to response, or the day of the acceptance in one mapped to event.provider-accepted); if the team knows every designation in the sheet was accepted, say so in the map: \"response\" = \"accepted\" under [defaults]",
                )]);
            }
        }
    };
    Ok(answer)
}

/// The problem of an answer the status contradicts, with the cells as the sheet writes them.
fn contradicting_answer(
    row: &RowFields,
    context: &Context<'_>,
    status: Status,
    response: Response,
    contradiction: &str,
) -> Problem {
    // The cells as the sheet writes them, with what the map made of them.
    let written = row.written(&Field::Response);
    let status_written = match row.written(&Field::Status) {
        Some(text) => format!("'{text}' (which the map translates to '{status}')"),
        None => format!("'{status}'"),
    };
    let todo = match written {
        Some(text) => format!(
            "correct the status or the answer, or the map's translation of '{text}' under [values.\"response\"]"
        ),
        None => "correct the status or the answer, or translate the sheet's words for the answer with [values.\"response\"] in the map".to_owned(),
    };
    problem(
        context,
        row,
        &Field::Response,
        written.unwrap_or(response.as_str()),
        &format!(
            "{}contradicts the status {status_written} (column '{}'): {contradiction}",
            written
                .map_or(String::new(), |_| format!("(which the map translates to '{}') ", response.as_str())),
            row.header(&Field::Status)
        ),
        &todo,
    )
}

/// The steps the status and the provider's answer imply happened after the designation, in order.
fn implied_steps(status: Status, answer: Response) -> Vec<EventKind> {
    let mut chain: Vec<EventKind> = Vec::new();
    if !matches!(status, Status::Draft | Status::NotDesignated | Status::Proposed) {
        chain.push(EventKind::WrittenRequestSent);
        chain.extend(answer.steps());
    }
    if status == Status::UnderReview {
        chain.push(EventKind::ReviewStarted);
    }
    if status == Status::Removed {
        chain.push(EventKind::ProviderNotifiedOfRemoval);
    }
    chain
}

/// Why a status and the provider's answer cannot both be true, if they cannot.
fn contradiction(status: Status, response: Response) -> Option<&'static str> {
    use Response::*;
    match (status, response) {
        (Status::Designated | Status::UnderReview | Status::Removed, Accepted | FoundUnreasonable) => None,
        (Status::Designated | Status::UnderReview | Status::Removed, _) => Some(
            "a designation in force needs the provider's acceptance, or a refusal the regulator found unreasonable",
        ),
        (Status::Requested, Awaiting) => None,
        (Status::Requested, _) => Some("a request still awaiting an answer has no answer"),
        (Status::Refused, Refused) | (Status::Referred, Referred) => None,
        (Status::Refused | Status::Referred, _) => Some("the answer does not lead to that status"),
        (Status::NotDesignated, FoundReasonable | Awaiting) => None,
        (Status::Draft | Status::Proposed, Awaiting) => None,
        (Status::Draft | Status::NotDesignated | Status::Proposed, _) => {
            Some("no written request was sent at that status, so there is no answer to it")
        }
    }
}

/// A step the status implies and no cell dates: on the latest day it can have
/// happened, marked as such.
fn undated(kind: EventKind, latest: Date, status: Status, context: &Context<'_>, row: &RowFields) -> Event {
    Event {
        on: latest,
        kind,
        date_known: false,
        note: Some(format!(
            "implied by the status '{status}' ({} row {}); the sheet gives no day for it",
            context.sheet, row.row
        )),
    }
}

/// The decisions, and the events with the steps of `chain` that no cell dates added
/// undated: each on the latest day it can have happened, which is the day of the
/// next step the sheet dates, or of the next decision, or the import's day.
#[allow(clippy::too_many_arguments)]
fn with_steps(
    decisions: Vec<Decision>,
    mut events: Vec<Event>,
    chain: &[EventKind],
    given: &[Event],
    decided_on: Date,
    status: Status,
    context: &Context<'_>,
    row: &RowFields,
) -> Result<(Vec<Decision>, Vec<Event>), Vec<Problem>> {
    let known = |kind: EventKind| events.iter().chain(given).find(|e| e.kind == kind).map(|e| e.on);
    // A decision goes before the events of its day: the designation's steps came on
    // the day before the decision after it, at the latest.
    let next_decision = decisions
        .iter()
        .map(|d| d.decided_on)
        .filter(|d| *d > decided_on)
        .min()
        .and_then(|d| d.plus_days(-1));
    // Backwards: the latest day of each step is bounded by the step after it.
    let mut latest = context.today;
    // The step the sheet dates that set `latest`, to name its cell.
    let mut latest_step: Option<EventKind> = None;
    let mut added = Vec::new();
    for kind in chain.iter().rev() {
        // A removal's notice follows the removal decision; the steps before it, the
        // designation's, came before that decision.
        let bound = match kind {
            EventKind::ProviderNotifiedOfRemoval => context.today,
            EventKind::ReviewStarted => latest,
            // The designation's own steps came before the decision after it.
            _ => latest.min(next_decision.unwrap_or(context.today)),
        };
        match known(*kind) {
            Some(on) => (latest, latest_step) = (on, Some(*kind)),
            None => {
                if bound < decided_on {
                    let step = kind.label().to_lowercase();
                    // The cell that dates the later step, where the row gives it.
                    let cell = latest_step
                        .filter(|_| bound == latest)
                        .and_then(|later| step_cell(row, later).map(|field| (later, field)));
                    let problem = match cell {
                        Some((later, field)) => problem(
                            context,
                            row,
                            &field,
                            &bound.to_string(),
                            &format!(
                                "dates {} before the decision of {decided_on}, though {step} came between them (the status '{}' says so)",
                                later.label().to_lowercase(),
                                status.as_str()
                            ),
                            "correct the date, the decision's date or the status in the sheet",
                        ),
                        None => problem(
                            context,
                            row,
                            &Field::Status,
                            status.as_str(),
                            &format!(
                                "implies {step} after the decision of {decided_on}, but the sheet dates a later step before it ({bound})"
                            ),
                            "correct the dates or the status in the sheet",
                        ),
                    };
                    return Err(vec![problem]);
                }
                added.push(undated(*kind, bound, status, context, row));
                latest = bound;
            }
        }
    }
    events.extend(added);
    Ok((decisions, events))
}

/// The cell of `row` that dates a step of `kind`: its own column, or the day of the
/// provider's answer.
fn step_cell(row: &RowFields, kind: EventKind) -> Option<Field> {
    let own = Field::Event(kind);
    if row.step_day(&own).is_some() {
        return Some(own);
    }
    let answer = matches!(kind, EventKind::ProviderAccepted | EventKind::ProviderRefused);
    (answer && row.step_day(&Field::ResponseOn).is_some()).then_some(Field::ResponseOn)
}
