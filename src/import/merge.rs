//! Rows → records: the rows of one provider's service (the same id, given or made
//! from the provider code and a slug of the service name) merged into one record
//! with every decision and event the rows give, in date order. A status brings in
//! the steps it implies, dated by the nearest date the row knows (the decision date
//! when nothing better is known, and the event's note says so). Historical
//! decisions keep their own dates and the grounds the sheet gives; no stage text is
//! ever made up: the record says where it came from in `[source]`.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::export::history::Life;
use crate::import::map::Field;
use crate::import::row::{Problem, RowFields, Value};
use crate::model::record::{Commissioner, ImportSource, Outcome, Provider, Review, SCHEMA_VERSION, Service};
use crate::model::{
    Date, Decision, DecisionOutcome, Event, EventKind, Licence, ProviderKind, Record, RecordId, Status,
};

/// What every imported record shares.
pub struct Context<'a> {
    pub framework: &'a str,
    pub commissioner: Commissioner,
    /// The file's name, as `[source]` records it.
    pub file: &'a str,
    pub sheet: &'a str,
    /// The framework's grounds, in its order: decisions list them so.
    pub grounds: Vec<String>,
    /// What the History sheet of crs's own export says of each record: where it
    /// speaks, its stages, decisions and events are the record's, and the status
    /// column implies nothing.
    pub lives: BTreeMap<RecordId, Life>,
}

/// One record made from the rows of the sheet.
#[derive(Clone, Debug)]
pub struct Imported {
    pub id: RecordId,
    pub record: Record,
    /// The sheet rows it came from, 1-based.
    pub rows: Vec<usize>,
    /// Field → the header it came from, for explaining what the checker finds.
    pub headers: BTreeMap<Field, Arc<str>>,
}

/// How the note of an event the import dated itself starts: a step a status implies,
/// for which the sheet gives no day.
pub const STAND_IN: &str = "imported from status";

/// True for an event an import dated itself ([`STAND_IN`]).
pub fn is_stand_in(event: &Event) -> bool {
    event.note.as_deref().is_some_and(|note| note.starts_with(STAND_IN))
}

/// The longest slug a record id takes.
const MAX_SLUG: usize = 64;

/// `name` as a record slug: lowercase letters, digits and single hyphens.
pub fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let mut slug: String = slug.chars().take(MAX_SLUG).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// The rows merged into records, in the order of their first row; and the rows that
/// cannot become part of a record. Records are built one at a time as the returned
/// `Merge` is iterated, each row let go as its record is built, so a large sheet is
/// never held as rows and records at once.
pub fn merge<'a>(rows: Vec<RowFields>, context: &'a Context<'a>) -> (Merge<'a>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut order: Vec<RecordId> = Vec::new();
    let mut groups: BTreeMap<RecordId, Vec<RowFields>> = BTreeMap::new();
    for row in rows {
        match record_id(&row, context) {
            Ok(id) => {
                if !groups.contains_key(&id) {
                    order.push(id.clone());
                }
                groups.entry(id).or_default().push(row);
            }
            Err(problem) => problems.push(problem),
        }
    }
    (Merge { order: order.into_iter(), groups, context }, problems)
}

/// The records of a sheet, built as they are asked for: each is one record, or the
/// problems of the rows that would have made it.
pub struct Merge<'a> {
    order: std::vec::IntoIter<RecordId>,
    groups: BTreeMap<RecordId, Vec<RowFields>>,
    context: &'a Context<'a>,
}

impl Iterator for Merge<'_> {
    type Item = Result<Imported, Vec<Problem>>;

    fn next(&mut self) -> Option<Self::Item> {
        let id = self.order.next()?;
        let rows = self.groups.remove(&id).unwrap_or_default();
        Some(build(&id, &rows, self.context))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.order.size_hint()
    }
}

fn problem(
    context: &Context<'_>,
    row: &RowFields,
    field: &Field,
    value: &str,
    what: &str,
    todo: &str,
) -> Problem {
    Problem {
        sheet: context.sheet.to_owned(),
        row: row.row,
        column: row.header(field),
        value: value.to_owned(),
        problem: what.to_owned(),
        todo: todo.to_owned(),
    }
}

// A problem is made once for a bad row; its size does not matter.
#[allow(clippy::result_large_err)]
fn record_id(row: &RowFields, context: &Context<'_>) -> Result<RecordId, Problem> {
    if let Some(text) = row.text(&Field::Id) {
        let id: RecordId = text.parse().map_err(|e: crate::model::id::IdError| {
            problem(context, row, &Field::Id, text, &format!("is not a record id: {e}"), "write it as PROVIDER/service-slug, e.g. RJ1/maternity, or leave the id column out of the map")
        })?;
        // The record's provider is the id's: a provider code that says otherwise
        // would be dropped without a word.
        if let Some(ods) = row.text(&Field::ProviderOds).filter(|ods| *ods != id.provider()) {
            return Err(problem(
                context,
                row,
                &Field::ProviderOds,
                ods,
                &format!("is not the provider of the row's id {id}"),
                "make the id and the provider code agree, or leave one of the two columns out of the map",
            ));
        }
        return Ok(id);
    }
    let Some(ods) = row.text(&Field::ProviderOds) else {
        return Err(problem(
            context,
            row,
            &Field::ProviderOds,
            "",
            "has no provider code",
            "fill in the provider's ODS code (e.g. RJ1), or map the column that holds it to provider.ods",
        ));
    };
    let Some(name) = row.text(&Field::ServiceName) else {
        return Err(problem(
            context,
            row,
            &Field::ServiceName,
            "",
            "has no service name",
            "fill in the service's name, or map the column that holds it to service.name",
        ));
    };
    let slug = slug(name);
    RecordId::new(ods, &slug).map_err(|e| match e {
        crate::model::id::IdError::Provider(_) => problem(
            context,
            row,
            &Field::ProviderOds,
            ods,
            "is not an ODS code: 3 or 5 capital letters or digits",
            "correct the code; a code the spreadsheet stored as a number lost its leading zeros: say its width with [pad] \"provider.ods\" = 3 in the map",
        ),
        other => problem(context, row, &Field::ServiceName, name, &format!("gives no record id: {other}"), "give the row an id column (mapped to id), or a service name with letters or digits"),
    })
}

/// One record from its rows.
fn build(id: &RecordId, rows: &[RowFields], context: &Context<'_>) -> Result<Imported, Vec<Problem>> {
    let mut problems = Vec::new();
    let first = &rows[0];
    // Descriptive fields: the last row that gives one wins (a later row is the newer word).
    let last_text = |field: &Field| rows.iter().rev().find_map(|r| r.text(field).map(str::to_owned));
    let last_list =
        |field: &Field| rows.iter().rev().map(|r| r.list(field)).find(|l| !l.is_empty()).unwrap_or_default();
    let last_value = |field: &Field| rows.iter().rev().find_map(|r| r.get(field).cloned());
    let kind = match last_value(&Field::ProviderKind) {
        Some(Value::Kind(kind)) => Some(kind),
        _ => None,
    };
    let licence = match last_value(&Field::ProviderLicence) {
        Some(Value::Licence(licence)) => Some(licence),
        _ => None,
    };
    let required = |found: Option<String>, field: Field, todo: &str, problems: &mut Vec<Problem>| {
        found.unwrap_or_else(|| {
            problems.push(problem(context, first, &field, "", &format!("has no {}", field.name()), todo));
            String::new()
        })
    };
    let provider_name = required(
        last_text(&Field::ProviderName),
        Field::ProviderName,
        "fill in the provider's name, or map its column to provider.name",
        &mut problems,
    );
    let service_name = required(
        last_text(&Field::ServiceName),
        Field::ServiceName,
        "fill in the service's name, or map its column to service.name",
        &mut problems,
    );
    if kind.is_none() {
        problems.push(problem(context, first, &Field::ProviderKind, "", "has no provider kind", "map a column to provider.kind, or give it in [defaults] of the map (foundation-trust, nhs-trust, independent or other)"));
    }
    if licence.is_none() {
        problems.push(problem(context, first, &Field::ProviderLicence, "", "has no licence state", "map a column to provider.licence, or give it in [defaults] of the map (licensed, unlicensed, applied or exempt)"));
    }
    let mut contact = last_text(&Field::Contact).unwrap_or_default();
    if contact == context.commissioner.contact {
        contact.clear();
    }
    let location_specific =
        rows.iter().rev().find_map(|r| r.yes(&Field::ServiceLocationSpecific)).unwrap_or(false);

    // Each decision with the row that gave it first.
    let mut decisions: Vec<(Decision, usize)> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    // The events the rows date themselves: a status on one row takes its steps'
    // dates from any row of the same record.
    let given: Vec<Event> = rows
        .iter()
        .flat_map(RowFields::values)
        .filter_map(|(field, value)| match (field, value) {
            (Field::Event(kind), Value::Date(on)) => Some(Event { on: *on, kind: *kind, note: None }),
            _ => None,
        })
        .collect();
    // What the History sheet says of the record replaces what its status implies.
    let life = context.lives.get(id);
    for row in rows.iter().filter(|_| life.is_none()) {
        match row_history(row, context, &given) {
            Ok((row_decisions, row_events)) => {
                for decision in row_decisions {
                    // Two rows that decide the same day differently contradict each
                    // other: crs does not pick one.
                    match decisions.iter().find(|(d, _)| d.decided_on == decision.decided_on) {
                        Some((same, _)) if *same == decision => {}
                        Some((_, earlier)) => problems.push(problem(
                            context,
                            row,
                            &Field::DecidedOn,
                            &decision.decided_on.to_string(),
                            &format!("is the day of another decision, on row {earlier}, which this row contradicts (its outcome, grounds, decided by or reference differ)"),
                            "make the rows for the service agree about that decision, or delete the one that is wrong",
                        )),
                        None => decisions.push((decision, row.row)),
                    }
                }
                for event in row_events {
                    if !events.iter().any(|e| e.kind == event.kind && e.on == event.on) {
                        events.push(event);
                    }
                }
            }
            Err(mut found) => problems.append(&mut found),
        }
    }
    let review_due = rows.iter().filter_map(|r| r.date(&Field::ReviewDue)).max();
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut decisions: Vec<Decision> = decisions.into_iter().map(|(d, _)| d).collect();
    decisions.sort_by_key(|d| d.decided_on);
    events.sort_by_key(|e| (e.on, e.kind));
    let mut stages = BTreeMap::new();
    if let Some(life) = life {
        (stages, decisions, events) = (life.stages.clone(), life.decisions.clone(), life.events.clone());
    }
    let sheet_decisions = u32::try_from(decisions.len()).ok();

    let record = Record {
        schema_version: SCHEMA_VERSION,
        framework: context.framework.to_owned(),
        previous_ids: Vec::new(),
        service: Service {
            name: service_name,
            description: last_text(&Field::ServiceDescription).unwrap_or_default(),
            treatment_functions: last_list(&Field::ServiceTreatmentFunctions),
            sites: last_list(&Field::ServiceSites),
            location_specific,
        },
        provider: Provider {
            ods: id.provider().to_owned(),
            name: provider_name,
            kind: kind.unwrap_or(ProviderKind::Other),
            licence: licence.unwrap_or(Licence::Licensed),
        },
        commissioner: Commissioner {
            co_commissioners: last_list(&Field::CoCommissioners),
            contact,
            ..context.commissioner.clone()
        },
        outcome: last_text(&Field::LongTermOutcome).map(|long_term| Outcome { long_term }),
        stages,
        decision: None,
        decisions,
        review: review_due.map(|next_due| Review { next_due }),
        source: Some(ImportSource {
            imported_from: context.file.to_owned(),
            sheet: Some(context.sheet.to_owned()),
            row: u32::try_from(first.row).ok(),
            decisions: sheet_decisions,
        }),
        events,
    };
    let mut headers = BTreeMap::new();
    for row in rows.iter().rev() {
        headers.extend(row.fields.iter().map(|(field, _, header)| (field.clone(), header.clone())));
    }
    Ok(Imported { id: id.clone(), record, rows: rows.iter().map(|r| r.row).collect(), headers })
}

/// The decisions and events of one row: its decision, the events it dates, and the
/// steps its status implies.
fn row_history(
    row: &RowFields,
    context: &Context<'_>,
    given: &[Event],
) -> Result<(Vec<Decision>, Vec<Event>), Vec<Problem>> {
    let status = match row.get(&Field::Status) {
        Some(Value::Status(status)) => Some(*status),
        _ => None,
    };
    let given_outcome = match row.get(&Field::DecisionOutcome) {
        Some(Value::Outcome(outcome)) => Some(*outcome),
        _ => None,
    };
    let decided_on = row.date(&Field::DecidedOn);
    let mut events: Vec<Event> = Vec::new();
    for (field, value) in row.values() {
        if let (Field::Event(kind), Value::Date(on)) = (field, value) {
            events.push(Event { on: *on, kind: *kind, note: None });
        }
    }
    let outcome = given_outcome.or(match status {
        Some(Status::Draft) => None,
        Some(Status::NotDesignated) => Some(DecisionOutcome::DoNotDesignate),
        Some(_) => Some(DecisionOutcome::Designate),
        None => decided_on.map(|_| DecisionOutcome::Designate),
    });
    let Some(outcome) = outcome else {
        if let Some(on) = decided_on {
            return Err(vec![problem(
                context,
                row,
                &Field::DecidedOn,
                &on.to_string(),
                "is a decision date on a row whose status is draft",
                "give the status the decision led to, or leave the date out",
            )]);
        }
        return Ok((Vec::new(), events));
    };
    let Some(decided_on) = decided_on else {
        let what =
            status.map_or_else(|| format!("decision '{}'", outcome.as_str()), |s| format!("status '{s}'"));
        return Err(vec![problem(
            context,
            row,
            &Field::DecidedOn,
            "",
            &format!("is empty, but the {what} needs the day of the decision"),
            "fill in the decision date, or map the column that holds it to decision.decided_on",
        )]);
    };
    let grounds: Vec<String> = row
        .values()
        .filter_map(|(field, value)| match (field, value) {
            (Field::Ground(key), Value::Yes(true)) => Some(key.clone()),
            _ => None,
        })
        .collect();
    let mut grounds = grounds;
    grounds.sort_by_key(|g| context.grounds.iter().position(|k| k == g));
    let decision = |outcome: DecisionOutcome, on: Date, grounds: Vec<String>| Decision {
        outcome,
        grounds,
        decided_on: on,
        decided_by: row.text(&Field::DecidedBy).map(str::to_owned),
        reference: row.text(&Field::DecisionReference).map(str::to_owned),
        provider: None,
    };
    let mut decisions = vec![decision(
        outcome,
        decided_on,
        if matches!(outcome, DecisionOutcome::Designate | DecisionOutcome::Confirm) {
            grounds
        } else {
            Vec::new()
        },
    )];
    let Some(status) = status else { return Ok((decisions, events)) };
    if outcome != DecisionOutcome::Designate {
        // A row of a later decision: a removal brings in only its notice.
        if status == Status::Removed
            && outcome == DecisionOutcome::Remove
            && !events.iter().any(|e| e.kind == EventKind::ProviderNotifiedOfRemoval)
        {
            events.push(Event {
                on: decided_on,
                kind: EventKind::ProviderNotifiedOfRemoval,
                note: Some(format!(
                    "{STAND_IN} '{status}' ({} row {}); the sheet gives no date for this step, so the decision date stands in",
                    context.sheet, row.row
                )),
            });
        }
        return Ok((decisions, events));
    }

    // The steps the status implies, each dated by the latest date known before it.
    let response = row.text(&Field::Response).unwrap_or("").to_lowercase();
    let by_regulator = response.contains("regulator found the refusal unreasonable");
    let mut chain: Vec<EventKind> = Vec::new();
    let designated_chain = |chain: &mut Vec<EventKind>| {
        chain.push(EventKind::WrittenRequestSent);
        if by_regulator {
            chain.extend([
                EventKind::ProviderRefused,
                EventKind::ReferredToRegulator,
                EventKind::RefusalFoundUnreasonable,
            ]);
        } else {
            chain.push(EventKind::ProviderAccepted);
        }
    };
    match status {
        Status::Draft | Status::NotDesignated | Status::Proposed => {}
        Status::Requested => chain.push(EventKind::WrittenRequestSent),
        Status::Refused => chain.extend([EventKind::WrittenRequestSent, EventKind::ProviderRefused]),
        Status::Referred => chain.extend([
            EventKind::WrittenRequestSent,
            EventKind::ProviderRefused,
            EventKind::ReferredToRegulator,
        ]),
        Status::Designated => designated_chain(&mut chain),
        Status::UnderReview => {
            designated_chain(&mut chain);
            chain.push(EventKind::ReviewStarted);
        }
        Status::Removed => designated_chain(&mut chain),
    }
    let response_on = row.date(&Field::ResponseOn);
    let mut known = decided_on;
    for kind in chain {
        if let Some(given) = events.iter().chain(given).find(|e| e.kind == kind) {
            known = known.max(given.on);
            continue;
        }
        let answer = matches!(kind, EventKind::ProviderAccepted | EventKind::ProviderRefused);
        let (on, from) = match response_on.filter(|_| answer) {
            Some(on) => (on.max(known), "the provider's response date"),
            None if known == decided_on => (known, "the decision date"),
            None => (known, "the date of the step before it"),
        };
        known = on;
        events.push(Event {
            on,
            kind,
            note: Some(format!(
                "{STAND_IN} '{status}' ({} row {}); the sheet gives no date for this step, so {from} stands in",
                context.sheet, row.row
            )),
        });
    }
    if status == Status::Removed {
        // The removal took effect when the provider was told; a sheet that gives no
        // day for it cannot be read as a removal without making one up.
        match events
            .iter()
            .chain(given)
            .find(|e| e.kind == EventKind::ProviderNotifiedOfRemoval)
            .map(|e| e.on)
        {
            Some(notice) if notice > known => {
                decisions.push(decision(DecisionOutcome::Remove, notice, Vec::new()))
            }
            _ => {
                return Err(vec![problem(
                    context,
                    row,
                    &Field::Status,
                    "removed",
                    "gives no day for the removal, after the designation's steps",
                    "map the column with the day the provider was told of the removal to event.provider-notified-of-removal, or add a row for the removal (decision.outcome = remove, with its decision date)",
                )]);
            }
        }
    }
    Ok((decisions, events))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_hyphenated_and_bounded() {
        assert_eq!(slug("Maternity: consultant-led unit"), "maternity-consultant-led-unit");
        assert_eq!(slug("  A&E  "), "a-e");
        assert_eq!(slug(&"x".repeat(80)).len(), 64);
    }
}
