//! Rows → records: the rows of one provider's service (the same id, given or made
//! from the provider code and a slug of the service name) merged into one record
//! with every decision and event the rows give (`row_history`: each from a cell or
//! the map's stated defaults, never a neighbour's day), in date order, and which
//! parts of the record the sheet gives (`Given`). No stage text is made up: the
//! record says where it came from in `[source]`.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::export::history::Life;
use crate::import::assessments::Assessed;
use crate::import::given::Given;
use crate::import::map::Field;
use crate::import::row::{Problem, RowFields, Value};
use crate::import::row_history::row_history;
use crate::model::record::{
    Commissioner, ImportSource, Outcome, Provider, Review, SCHEMA_VERSION, Service, Stage, stage_name,
};
use crate::model::{Date, Decision, Event, Licence, ProviderKind, Record, RecordId};

/// What every imported record shares.
pub struct Context<'a> {
    pub framework: &'a str,
    pub commissioner: Commissioner,
    /// The file's name, as `[source]` records it.
    pub file: &'a str,
    pub sheet: &'a str,
    /// The day of the import: no step the sheet implies can have happened after it.
    pub today: Date,
    /// The framework's grounds, in its order: decisions list them so.
    pub grounds: Vec<String>,
    /// What the History sheet of crs's own export says of each record: where it
    /// speaks, its stages, decisions and events are the record's, and the status
    /// column implies nothing.
    pub lives: BTreeMap<RecordId, Life>,
    /// What the Assessments sheet of crs's own export says of each record's stages:
    /// each stage it gives is the record's (the History sheet, where there is one,
    /// has the last word).
    pub assessed: Assessed,
    /// The header of the column the map reads each field from (the first, where
    /// several): a problem with a cell left empty names it.
    pub headers: BTreeMap<Field, Arc<str>>,
    /// The fields the sheet gives for every record: a column the map reads, or a
    /// default the team's map states.
    pub given: Arc<BTreeSet<Field>>,
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
    /// Rows that repeat an earlier row of the record cell for cell, read once: (the
    /// row, the row it repeats), 1-based.
    pub repeats: Vec<(usize, usize)>,
    /// The parts of the record the sheet gives: a re-import keeps the register's
    /// value of every other part.
    pub given: Given,
}

/// True for a step whose day no one recorded: one a sheet's status implied, kept
/// with the latest day it can have happened.
pub fn is_stand_in(event: &Event) -> bool {
    !event.date_known
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
                let group = groups.entry(id).or_default();
                // Most records have one row: room for that one, not the four a
                // first push makes.
                if group.is_empty() {
                    group.reserve_exact(1);
                }
                group.push(row);
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

impl Merge<'_> {
    /// The ids of the records still to be built: every record the sheet gives,
    /// before the first is asked for.
    pub fn ids(&self) -> impl Iterator<Item = &RecordId> {
        self.order.as_slice().iter()
    }
}

impl Iterator for Merge<'_> {
    type Item = Result<Imported, Vec<Problem>>;

    fn next(&mut self) -> Option<Self::Item> {
        let id = self.order.next()?;
        let rows = self.groups.remove(&id).unwrap_or_default();
        let (rows, repeats) = without_repeats(rows);
        if let Err(problems) = agree(&id, &rows, self.context) {
            return Some(Err(problems));
        }
        Some(build(&id, &rows, self.context).map(|imported| Imported { repeats, ..imported }))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.order.size_hint()
    }
}

pub(crate) fn problem(
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
        // A cell left empty is not among the row's fields: its column is the map's.
        column: context.headers.get(field).map_or_else(|| row.header(field), |header| header.to_string()),
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
    // Without an id, the provider's code and the service's name make it.
    let required = |field: &Field, what: &str, written: &str| {
        row.text(field).ok_or_else(|| {
            let todo = format!("fill in {written}, or map the column that holds it to {}", field.name());
            problem(context, row, field, "", &format!("has no {what}"), &todo)
        })
    };
    let ods = required(&Field::ProviderOds, "provider code", "the provider's ODS code (e.g. RJ1)")?;
    let name = required(&Field::ServiceName, "service name", "the service's name")?;
    let slug = slug(name);
    RecordId::new(ods, &slug).map_err(|e| match e {
        crate::model::id::IdError::Provider(_) => problem(
            context,
            row,
            &Field::ProviderOds,
            row.written(&Field::ProviderOds).unwrap_or(ods),
            "is not an ODS code: 3 or 5 capital letters or digits",
            "write the provider's ODS code (e.g. RJ1), not its name; a code the spreadsheet stored as a number lost its leading zeros: say its width with [pad] \"provider.ods\" = 3 in the map",
        ),
        crate::model::id::IdError::ReservedProvider(_) => problem(
            context,
            row,
            &Field::ProviderOds,
            ods,
            "is a name Windows keeps for a device, so the provider's folder could not be checked out there",
            "correct the provider's ODS code",
        ),
        other => problem(context, row, &Field::ServiceName, name, &format!("gives no record id: {other}"), "give the row an id column (mapped to id), or a service name with letters or digits"),
    })
}

/// The rows of one record without those that repeat an earlier one cell for cell,
/// and which those were: (the row, the row it repeats).
fn without_repeats(rows: Vec<RowFields>) -> (Vec<RowFields>, Vec<(usize, usize)>) {
    let mut kept: Vec<RowFields> = Vec::with_capacity(rows.len());
    // The rows kept, by a hash of their values: each row is compared only with
    // those that may be equal, so the rows of one record cost linear time.
    let mut by_hash: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut repeats = Vec::new();
    for row in rows {
        let hash = values_hash(&row);
        let same = by_hash
            .get(&hash)
            .and_then(|at| at.iter().map(|&i| &kept[i]).find(|k| k.values().eq(row.values())));
        match same {
            Some(earlier) => repeats.push((row.row, earlier.row)),
            None => {
                by_hash.entry(hash).or_default().push(kept.len());
                kept.push(row);
            }
        }
    }
    (kept, repeats)
}

/// A hash of a row's fields and values (not its row number).
fn values_hash(row: &RowFields) -> u64 {
    let mut hasher = DefaultHasher::new();
    row.values().for_each(|value| value.hash(&mut hasher));
    hasher.finish()
}

/// True for the fields that describe the service, its provider and its
/// assessment: one value for the record, where the rows of its decisions must agree.
fn describes(field: &Field) -> bool {
    matches!(
        field,
        Field::ProviderName
            | Field::ProviderKind
            | Field::ProviderLicence
            | Field::ServiceName
            | Field::ServiceDescription
            | Field::ServiceSites
            | Field::ServiceSiteNames
            | Field::ServiceTreatmentFunctions
            | Field::ServiceLocationSpecific
            | Field::CoCommissioners
            | Field::Contact
            | Field::LongTermOutcome
            | Field::LocalId
            | Field::StageMet(_)
            | Field::StageRationale(_)
            | Field::StageAssessedOn(_)
    )
}

/// Refuses the rows of one record that say different things of the service (its
/// name, provider, description, the team's reference, a stage): two rows of one
/// service, and crs does not pick one. Each difference is named once, with both rows.
fn agree(id: &RecordId, rows: &[RowFields], context: &Context<'_>) -> Result<(), Vec<Problem>> {
    let mut problems = Vec::new();
    let mut told: Vec<&Field> = Vec::new();
    // The first row to give each field: the rows before a difference all agree, so
    // each row is compared with that one only, and the check is linear in the rows.
    let mut first: Vec<(&Field, &RowFields, &Value)> = Vec::new();
    for row in rows {
        for (field, value) in row.values().filter(|(f, _)| describes(f)) {
            if told.contains(&field) {
                continue;
            }
            let Some(&(_, earlier, said)) = first.iter().find(|(f, _, _)| *f == field) else {
                first.push((field, row, value));
                continue;
            };
            if said != value {
                told.push(field);
                problems.push(problem(
                    context,
                    row,
                    field,
                    &shown(value),
                    &format!(
                        "differs from row {}, which gives '{}' for the same service, {id}: two rows of one service, and crs does not choose between them",
                        earlier.row,
                        shown(said)
                    ),
                    "make the two rows agree, or delete the one that is wrong; if they are two services, give them different names (or ids)",
                ));
            }
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// A value as the sheet would write it, for messages.
fn shown(value: &Value) -> String {
    match value {
        Value::Text(text) => text.clone(),
        Value::List(items) => items.join("; "),
        Value::Date(date) => date.to_string(),
        Value::DateBy(date) => format!("by {date} (day not recorded)"),
        Value::Yes(true) => "yes".to_owned(),
        Value::Yes(false) => "no".to_owned(),
        Value::Kind(kind) => kind.as_str().to_owned(),
        Value::Licence(licence) => licence.as_str().to_owned(),
        Value::Outcome(outcome) => outcome.as_str().to_owned(),
        Value::Status(status) => status.as_str().to_owned(),
        Value::Response(response) => response.as_str().to_owned(),
    }
}

/// One record from its rows: what they say of the provider and the service, its
/// stages, its decisions and events, and which parts the sheet gives.
fn build(id: &RecordId, rows: &[RowFields], context: &Context<'_>) -> Result<Imported, Vec<Problem>> {
    let mut problems = Vec::new();
    let first = &rows[0];
    let described = described(rows, context, &mut problems);
    let (contact, registers_contact) = contact_of(rows, context);
    let sheet_stages = stages_of(rows, context, &mut problems);
    // What the History sheet says of the record replaces what its status implies.
    let life = context.lives.get(id);
    let (decisions, events) = match life {
        Some(_) => (Vec::new(), Vec::new()),
        None => history_of(rows, context, &mut problems),
    };
    let review_due = rows.iter().filter_map(|r| r.date(&Field::ReviewDue)).max();
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut stages = sheet_stages;
    let mut whole_stages = BTreeSet::new();
    if let Some(assessed) = context.assessed.get(id) {
        stages.extend(assessed.iter().map(|(key, stage)| (key.clone(), stage.clone())));
        whole_stages.extend(assessed.keys().cloned());
    }
    let (stages, decisions, events) = match life {
        Some(life) => {
            whole_stages = life.stages.keys().cloned().collect();
            (life.stages.clone(), life.decisions.clone(), life.events.clone())
        }
        None => (stages, decisions, events),
    };
    let given =
        Given { fields: context.given.clone(), whole_stages, life: life.is_some(), registers_contact };
    let sheet_decisions = u32::try_from(decisions.len()).ok();
    let last_text = |field: &Field| rows.iter().rev().find_map(|r| r.text(field).map(str::to_owned));
    let last_list =
        |field: &Field| rows.iter().rev().map(|r| r.list(field)).find(|l| !l.is_empty()).unwrap_or_default();
    let record = Record {
        schema_version: SCHEMA_VERSION,
        framework: context.framework.to_owned(),
        previous_ids: Vec::new(),
        local_id: last_text(&Field::LocalId),
        notes: notes_of(rows),
        service: Service {
            name: described.service_name,
            description: last_text(&Field::ServiceDescription).unwrap_or_default(),
            treatment_functions: last_list(&Field::ServiceTreatmentFunctions),
            sites: last_list(&Field::ServiceSites),
            site_names: last_list(&Field::ServiceSiteNames),
            location_specific: rows
                .iter()
                .rev()
                .find_map(|r| r.yes(&Field::ServiceLocationSpecific))
                .unwrap_or(false),
        },
        provider: Provider {
            ods: id.provider().to_owned(),
            name: described.provider_name,
            kind: described.kind.unwrap_or(ProviderKind::Other),
            licence: described.licence.unwrap_or(Licence::Licensed),
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
        headers.extend(row.entries().map(|(field, _, header)| (field.clone(), header.clone())));
    }
    Ok(Imported {
        id: id.clone(),
        record,
        rows: rows.iter().map(|r| r.row).collect(),
        headers,
        repeats: Vec::new(),
        given,
    })
}

/// What a record's rows say of its provider and service that it cannot be without.
struct Described {
    provider_name: String,
    service_name: String,
    kind: Option<ProviderKind>,
    licence: Option<Licence>,
}

/// The provider's name, kind and licence and the service's name (the last row that
/// gives one wins: a later row is the newer word); a problem for each the rows
/// leave out.
fn described(rows: &[RowFields], context: &Context<'_>, problems: &mut Vec<Problem>) -> Described {
    let first = &rows[0];
    let last_text = |field: &Field| rows.iter().rev().find_map(|r| r.text(field).map(str::to_owned));
    let last_value = |field: &Field| rows.iter().rev().find_map(|r| r.get(field).cloned());
    let kind = match last_value(&Field::ProviderKind) {
        Some(Value::Kind(kind)) => Some(kind),
        _ => None,
    };
    let licence = match last_value(&Field::ProviderLicence) {
        Some(Value::Licence(licence)) => Some(licence),
        _ => None,
    };
    let mut required = |found: Option<String>, field: Field, todo: &str| {
        found.unwrap_or_else(|| {
            problems.push(problem(context, first, &field, "", &format!("has no {}", field.name()), todo));
            String::new()
        })
    };
    let provider_name = required(
        last_text(&Field::ProviderName),
        Field::ProviderName,
        "fill in the provider's name, or map its column to provider.name",
    );
    let service_name = required(
        last_text(&Field::ServiceName),
        Field::ServiceName,
        "fill in the service's name, or map its column to service.name",
    );
    if kind.is_none() {
        problems.push(problem(context, first, &Field::ProviderKind, "", "has no provider kind", "map a column to provider.kind, or give it in [defaults] of the map (foundation-trust, nhs-trust, independent or other)"));
    }
    if licence.is_none() {
        problems.push(problem(context, first, &Field::ProviderLicence, "", "has no licence state", "map a column to provider.licence, or give it in [defaults] of the map (licensed, unlicensed, applied or exempt)"));
    }
    Described { provider_name, service_name, kind, licence }
}

/// The contact the record names, and the register's own when the rows give that or
/// none: a contact that is the register's own, or none, is left to crs.toml; a
/// re-import keeps the register's spelling of it (named in the record, or left to
/// crs.toml).
fn contact_of(rows: &[RowFields], context: &Context<'_>) -> (String, Option<String>) {
    let mut contact =
        rows.iter().rev().find_map(|r| r.text(&Field::Contact).map(str::to_owned)).unwrap_or_default();
    let registers_contact = (contact.is_empty() || contact == context.commissioner.contact)
        .then(|| context.commissioner.contact.clone());
    if contact == context.commissioner.contact {
        contact.clear();
    }
    (contact, registers_contact)
}

/// The decisions and events the rows give, decisions in date order and events by
/// day and kind: two rows that decide the same day differently are a problem.
fn history_of(
    rows: &[RowFields],
    context: &Context<'_>,
    problems: &mut Vec<Problem>,
) -> (Vec<Decision>, Vec<Event>) {
    // Each decision with the row that gave it first.
    let mut decisions: Vec<(Decision, usize)> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    // The events the rows date themselves: a status on one row takes its steps'
    // dates from any row of the same record.
    let given: Vec<Event> = rows
        .iter()
        .flat_map(RowFields::values)
        .filter_map(|(field, value)| match (field, value) {
            (Field::Event(kind), Value::Date(on)) => Some(Event::dated(*on, *kind, None)),
            _ => None,
        })
        .collect();
    for row in rows {
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
    let mut decisions: Vec<Decision> = decisions.into_iter().map(|(d, _)| d).collect();
    decisions.sort_by_key(|d| d.decided_on);
    events.sort_by_key(|e| (e.on, e.kind));
    (decisions, events)
}

/// The notes of the rows, each once, in row order: a service's comments across its
/// rows are all kept.
fn notes_of(rows: &[RowFields]) -> Option<String> {
    let mut notes: Vec<&str> = Vec::new();
    for note in rows.iter().filter_map(|r| r.text(&Field::Notes)) {
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    (!notes.is_empty()).then(|| notes.join("\n"))
}

/// The stages the rows assess (the last row that answers a stage wins): met or not,
/// the rationale if the sheet gives one (else none is recorded, and crs check says
/// so), and the day it was assessed, which must come from a cell or the map.
fn stages_of(
    rows: &[RowFields],
    context: &Context<'_>,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, Stage> {
    let mut stages = BTreeMap::new();
    for row in rows {
        for (field, value) in row.values() {
            let (Field::StageMet(key), Value::Yes(met)) = (field, value) else { continue };
            let Some(assessed_on) = row.date(&Field::StageAssessedOn(key.clone())) else {
                problems.push(problem(
                    context,
                    row,
                    field,
                    if *met { "yes" } else { "no" },
                    "answers the stage without the day it was assessed",
                    &format!(
                        "map the column with the day to stages.{}.assessed_on, or state it in [defaults] of the map",
                        stage_name(key)
                    ),
                ));
                continue;
            };
            let rationale = row.text(&Field::StageRationale(key.clone())).unwrap_or_default().to_owned();
            stages.insert(
                key.clone(),
                Stage { met: *met, rationale, evidence: Vec::new(), assessed_on, assessed_by: None },
            );
        }
        for (field, _) in row.values() {
            if let Field::StageRationale(key) | Field::StageAssessedOn(key) = field
                && row.get(&Field::StageMet(key.clone())).is_none()
            {
                problems.push(problem(
                    context,
                    row,
                    field,
                    "",
                    "is given for a stage the row does not say is met or not",
                    &format!("map the stage's yes/no column to stages.{}.met", stage_name(key)),
                ));
            }
        }
    }
    stages
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
