//! The rules of `crs check` that need one record and nothing else: pure functions of
//! (record, framework, today) to hits. No disk, no clock.

use std::collections::BTreeSet;

use crate::framework::assessed::{assess_again, assessed_since, imported_decision, stages_not_assessed_for};
use crate::framework::definition::Framework;
use crate::framework::finding::{Hit, Rule};
use crate::model::id::is_ods_code;
use crate::model::record::{
    Decision, DecisionOutcome, Event, EventKind, Licence, OLDEST_SCHEMA_VERSION, ProviderKind, Record,
    SCHEMA_VERSION, same_stage_key, stage_name,
};
use crate::model::status::{Lifecycle, Status, lifecycle};
use crate::model::suggest::did_you_mean;
use crate::model::{Date, RecordId};

/// Everything the single-record rules find in `record`, whose path names `id`.
pub fn check_record(record: &Record, id: &RecordId, framework: &Framework, today: Date) -> Vec<Hit> {
    let mut hits = Vec::new();
    let life = lifecycle(record);
    schema(record, framework, &mut hits);
    path(record, id, &mut hits);
    ods_format(record, &mut hits);
    co_commissioners(record, &mut hits);
    stages(record, id, framework, &mut hits);
    rationales(record, id, &mut hits);
    grounds(record, id, framework, life.status, &mut hits);
    dated_rules(record, id, framework, &mut hits);
    licence(record, id, life.status, &mut hits);
    events(record, &life, framework, today, &mut hits);
    review(record, id, life.status, today, &mut hits);
    involvement(record, id, &mut hits);
    review_requested(record, id, life.status, today, &mut hits);
    hits
}

/// The grounds whose stages are met, in the framework's order.
pub fn grounds_met<'f>(record: &Record, framework: &'f Framework) -> Vec<&'f str> {
    framework
        .stages
        .iter()
        .filter(|s| record.stage(&s.key).is_some_and(|(_, st)| st.met))
        .filter_map(|s| s.ground.as_deref())
        .collect()
}

fn schema(record: &Record, framework: &Framework, hits: &mut Vec<Hit>) {
    if !(OLDEST_SCHEMA_VERSION..=SCHEMA_VERSION).contains(&record.schema_version) {
        hits.push(Hit::new(
            Rule::Schema,
            "schema_version",
            format!(
                "schema_version is {}; this crs reads versions {OLDEST_SCHEMA_VERSION} and {SCHEMA_VERSION}",
                record.schema_version
            ),
        ));
    }
    if record.schema_version == 1 && !record.decisions.is_empty() {
        hits.push(Hit::new(
            Rule::Schema,
            "decisions",
            "a version 1 record keeps one [decision]; set schema_version = 2 to keep [[decisions]] (crs migrate does it)",
        ));
    }
    if record.schema_version >= 2 && record.decision.is_some() {
        hits.push(Hit::new(
            Rule::Schema,
            "decision",
            "a version 2 record keeps its decisions in [[decisions]], not [decision]; crs migrate rewrites it",
        ));
    }
    if record.framework != framework.id {
        hits.push(Hit::new(
            Rule::Schema,
            "framework",
            format!(
                "the record was assessed under framework '{}' but the register uses '{}'; reassess it or set framework = \"{}\"",
                record.framework, framework.id, framework.id
            ),
        ));
    }
    for (i, key) in record.stages.keys().enumerate() {
        if framework.stage(key).is_none() {
            let known: Vec<String> = framework.stages.iter().map(|s| stage_name(&s.key)).collect();
            let guess = did_you_mean(&stage_name(key), known.iter().map(String::as_str));
            hits.push(Hit::new(
                Rule::Schema,
                format!("stages.{key}"),
                format!(
                    "'{}' is not a stage of {}{guess}; the stages are {}",
                    stage_name(key),
                    framework.id,
                    framework.stage_list()
                ),
            ));
        } else if let Some(first) = record.stages.keys().take(i).find(|k| same_stage_key(k, key)) {
            hits.push(Hit::new(
                Rule::Schema,
                format!("stages.{key}"),
                format!(
                    "stage {} is assessed twice, as [stages.{first}] and [stages.{key}]; keep one",
                    stage_name(key)
                ),
            ));
        }
    }
    for (i, code) in record.service.treatment_functions.iter().enumerate() {
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            hits.push(Hit::new(
                Rule::Schema,
                format!("service.treatment_functions[{i}]"),
                format!("treatment function '{code}' is not a three-digit NHS treatment function code, e.g. \"501\""),
            ));
        }
    }
    for (what, key, value) in [
        ("service name", "service.name", &record.service.name),
        ("provider name", "provider.name", &record.provider.name),
        ("commissioner name", "commissioner.name", &record.commissioner.name),
    ] {
        if value.trim().is_empty() {
            hits.push(Hit::new(Rule::Schema, key, format!("the {what} is empty")));
        } else if value.contains(char::is_control) {
            hits.push(Hit::new(
                Rule::Schema,
                key,
                format!("the {what} must be one line, without tabs or control characters"),
            ));
        } else if value.chars().count() > MAX_NAME_CHARS {
            hits.push(Hit::new(
                Rule::Schema,
                key,
                format!("the {what} is {} characters long; keep names under {MAX_NAME_CHARS} and put detail in the description", value.chars().count()),
            ));
        }
    }
}

/// Longest name a record may give a service or an organisation.
const MAX_NAME_CHARS: usize = 200;

fn path(record: &Record, id: &RecordId, hits: &mut Vec<Hit>) {
    {
        if id.provider() != record.provider.ods {
            hits.push(Hit::new(
                Rule::PathMismatch,
                "provider.ods",
                format!(
                    "the record is in folder {} but names provider {}; move it to {}/{}.toml or correct provider.ods",
                    id.provider(),
                    record.provider.ods,
                    record.provider.ods,
                    id.slug()
                ),
            ));
        }
    }
}

fn ods_format(record: &Record, hits: &mut Vec<Hit>) {
    let mut check = |key: String, code: &str, what: &str| {
        if !is_ods_code(code) {
            hits.push(Hit::new(
                Rule::OdsFormat,
                key,
                format!("{what} '{code}' is not an ODS code: 3 or 5 capital letters or digits, e.g. RJ1, QKK or RJ122"),
            ));
        }
    };
    check("provider.ods".into(), &record.provider.ods, "provider code");
    check("commissioner.ods".into(), &record.commissioner.ods, "commissioner code");
    for (i, code) in record.commissioner.co_commissioners.iter().enumerate() {
        check(format!("commissioner.co_commissioners[{i}]"), code, "co-commissioner code");
    }
    for (i, code) in record.service.sites.iter().enumerate() {
        check(format!("service.sites[{i}]"), code, "site code");
    }
    for (i, decision) in record.decisions().iter().enumerate() {
        if let Some(then) = &decision.provider {
            check(format!("{}.provider.ods", record.decision_key(i)), &then.ods, "provider code");
        }
    }
}

fn co_commissioners(record: &Record, hits: &mut Vec<Hit>) {
    let commissioner = &record.commissioner;
    for (i, code) in commissioner.co_commissioners.iter().enumerate() {
        let message = if *code == commissioner.ods {
            format!(
                "co-commissioner {code} is the record's own commissioner; remove it from co_commissioners"
            )
        } else if commissioner.co_commissioners[..i].contains(code) {
            format!("co-commissioner {code} is listed twice; keep it once")
        } else {
            continue;
        };
        hits.push(Hit::new(
            Rule::CoCommissionerDuplicate,
            format!("commissioner.co_commissioners[{i}]"),
            message,
        ));
    }
}

/// A stage answered with no reason given: kept as the sheet said it, never made up.
fn rationales(record: &Record, id: &RecordId, hits: &mut Vec<Hit>) {
    for (key, stage) in record.stages.iter().filter(|(_, s)| s.rationale.trim().is_empty()) {
        hits.push(Hit::new(
            Rule::RationaleNotRecorded,
            format!("stages.{key}"),
            format!(
                "stage {} is {} with no rationale recorded; give the reasons with crs assess {id} --stage {} --{} --rationale TEXT",
                stage_name(key),
                if stage.met { "met" } else { "not met" },
                stage_name(key),
                if stage.met { "met" } else { "not-met" }
            ),
        ));
    }
}

/// Where a decision's own assessment starts: stages assessed before this day were
/// assessed for an earlier decision.
fn stages(record: &Record, id: &RecordId, framework: &Framework, hits: &mut Vec<Hit>) {
    let decisions = record.decisions();
    let Some(decision) = decisions.last() else { return };
    let index = decisions.len() - 1;
    let key = record.decision_key(index);
    let since = assessed_since(&decisions[..index], &record.events, decision.outcome, decision.decided_on);
    let not_assessed = stages_not_assessed_for(record, framework, decision.outcome, since.as_ref());
    let Some((first, _)) = not_assessed.first() else { return };
    // A decision imported from a spreadsheet had its assessment elsewhere: its
    // grounds stand as the sheet gave them, and nothing is made up for the stages.
    let (rule, message) = match record.source.as_ref().filter(|_| imported_decision(record, index)) {
        Some(source) => {
            let missing: Vec<String> = not_assessed
                .iter()
                .filter(|(_, on)| on.is_none())
                .map(|(s, _)| format!("{} {}", s.number, s.name()))
                .collect();
            if missing.is_empty() {
                return;
            }
            let place = match (&source.sheet, source.row) {
                (Some(sheet), Some(row)) => format!(" (sheet '{sheet}', row {row})"),
                (None, Some(row)) => format!(" (row {row})"),
                _ => String::new(),
            };
            let message = format!(
                "the {} was imported from {}{place} without its assessment: stage {} is not recorded here; its grounds are kept as the spreadsheet gave them; assess the stages at the next review (crs assess {id} --stage {})",
                decision.outcome.in_words(),
                source.imported_from,
                missing.join(", stage "),
                first.number
            );
            (Rule::AssessmentNotRecorded, message)
        }
        None => {
            let message = format!(
                "the {} of {}: {}",
                decision.outcome.in_words(),
                decision.decided_on.in_words(),
                assess_again(decision.outcome, id, &not_assessed, since.as_ref())
            );
            (Rule::StageMissing, message)
        }
    };
    hits.push(Hit::new(rule, key, message));
}

fn grounds(record: &Record, id: &RecordId, framework: &Framework, status: Status, hits: &mut Vec<Hit>) {
    for (i, decision) in record.decisions().iter().enumerate() {
        for ground in &decision.grounds {
            if framework.ground(ground).is_none() {
                let known: Vec<&str> = framework.grounds.iter().map(|g| g.key.as_str()).collect();
                hits.push(Hit::new(
                    Rule::GroundsMismatch,
                    format!("{}.grounds", record.decision_key(i)),
                    format!("'{ground}' is not a ground; the grounds are {}", known.join(", ")),
                ));
            }
        }
    }
    let Some(decision) = record.current_decision() else { return };
    let index = record.decisions().len() - 1;
    let key = record.decision_key(index);
    let grounds_key = format!("{key}.grounds");
    let met = grounds_met(record, framework);
    let keeps = matches!(decision.outcome, DecisionOutcome::Designate | DecisionOutcome::Confirm);
    // An imported decision keeps the grounds its spreadsheet gave, with no stages.
    let imported = imported_decision(record, index) && record.stages.is_empty();
    // A review, or the work towards a removal, reassesses the stages in place: once a
    // stage is assessed after the decision, the decision's grounds are not held
    // against it; the next decision carries the grounds they then support.
    let reassessed = record.stages.values().any(|stage| stage.assessed_on > decision.decided_on);
    let reviewing = status == Status::UnderReview && decision.outcome != DecisionOutcome::Remove;
    let judged = !(reassessed || reviewing);
    // No ground claimed is an error in every state; where the stages are judged and
    // none is met, no-ground-met says so.
    if keeps && decision.grounds.is_empty() && !(judged && met.is_empty() && !imported) {
        hits.push(Hit::new(
            Rule::GroundsMismatch,
            grounds_key.clone(),
            format!(
                "the {} claims no ground: a designation rests on at least one ground whose stage is met; {}",
                decision.outcome.in_words(),
                if imported_decision(record, index) {
                    "give the grounds in the sheet (map its ground columns to grounds.<ground> in the map), or record the decision again once the stages are assessed"
                } else {
                    "record the decision again once the stages are assessed"
                }
            ),
        ));
    }
    if imported {
        return;
    }
    if reassessed && keeps && status == Status::Designated {
        let latest = record.stages.values().map(|s| s.assessed_on).max().unwrap_or(decision.decided_on);
        hits.push(Hit::new(
            Rule::ReassessedOutsideReview,
            key.clone(),
            format!(
                "stages were assessed again on {}, after the {} of {}, with no review open: the designation's grounds still rest on the earlier assessment; start a review (crs review start {id}) to confirm the designation on the new assessment, or decide its removal (crs remove {id})",
                latest.in_words(),
                decision.outcome.short_name(),
                decision.decided_on.in_words()
            ),
        ));
    }
    if !judged {
        return;
    }
    match decision.outcome {
        DecisionOutcome::Designate | DecisionOutcome::Confirm => {
            if met.is_empty() {
                hits.push(Hit::new(
                    Rule::NoGroundMet,
                    key.clone(),
                    "designated although no ground is met: at least one of stages 1 to 3 must be met; reassess, or decide not to designate (crs decline)",
                ));
            }
            let claimed: BTreeSet<&str> = decision.grounds.iter().map(String::as_str).collect();
            let met_set: BTreeSet<&str> = met.iter().copied().collect();
            let unmet: BTreeSet<&str> = claimed.difference(&met_set).copied().collect();
            if !unmet.is_empty() && !met.is_empty() {
                hits.push(Hit::new(
                    Rule::GroundsMismatch,
                    grounds_key.clone(),
                    format!(
                        "the decision claims [{}] but the stages met support only [{}]: a ground claimed must have its stage met; reassess the stage or claim only grounds met",
                        join(&unmet),
                        join(&met_set),
                    ),
                ));
            } else if !claimed.is_empty() && claimed.len() < met_set.len() {
                hits.push(Hit::new(
                    Rule::GroundsFewerThanMet,
                    grounds_key.clone(),
                    format!(
                        "the decision relies on [{}] of the grounds met [{}]: a board may rely on fewer grounds than the stages support",
                        join(&claimed),
                        join(&met_set),
                    ),
                ));
            }
            for stage in framework.stages.iter().filter(|s| s.ground.is_none()) {
                if let Some((key, _)) = record.stage(&stage.key).filter(|(_, s)| !s.met) {
                    hits.push(Hit::new(
                        Rule::ProportionalityNotMet,
                        format!("stages.{key}"),
                        format!(
                            "designated although stage {} ({}) is not met; reassess it or decide not to designate",
                            stage.number, stage.title
                        ),
                    ));
                }
            }
        }
        DecisionOutcome::DoNotDesignate | DecisionOutcome::Remove if !decision.grounds.is_empty() => {
            hits.push(Hit::new(
                Rule::GroundsMismatch,
                grounds_key,
                format!("the {} claims grounds; remove the grounds list", decision.outcome.in_words()),
            ));
        }
        _ => {}
    }
}

fn join(set: &BTreeSet<&str>) -> String {
    set.iter().copied().collect::<Vec<_>>().join(", ")
}

/// The kind of the provider `decision` was made with: the one the decision keeps
/// when a move has changed the record's provider since, else the record's.
fn kind_at(record: &Record, decision: &Decision) -> ProviderKind {
    decision.provider.as_ref().map_or(record.provider.kind, |then| then.kind)
}

/// Where the kind of the provider decision `index` was made with is written.
fn kind_key(record: &Record, index: usize, decision: &Decision) -> String {
    match decision.provider {
        Some(_) => format!("{}.provider.kind", record.decision_key(index)),
        None => "provider.kind".to_owned(),
    }
}

/// The rules of the framework's dates. Those about a designation judge the provider
/// it was made with (a foundation trust's designation moved to an NHS trust was not
/// an NHS trust's); those about today judge the provider now.
fn dated_rules(record: &Record, id: &RecordId, framework: &Framework, hits: &mut Vec<Hit>) {
    let dates = &framework.dates;
    let designated_kind = record.designation().map(|(_, d)| kind_at(record, d));
    if record.provider.kind == ProviderKind::NhsTrust || designated_kind == Some(ProviderKind::NhsTrust) {
        nhs_trust(record, framework, hits);
    }
    if record.service.location_specific && record.provider.kind != ProviderKind::FoundationTrust {
        let kind = record.provider.kind.in_words();
        hits.push(Hit::new(
            Rule::LocationSpecificNotFt,
            "service.location_specific",
            format!(
                "location-specific services are those a foundation trust in special administration must keep running, but the provider is {kind}; set location_specific = false unless that applies"
            ),
        ));
    }
    let Some((index, decision)) = record.designation() else { return };
    let on = decision.decided_on;
    let until = dates.foundation_trust_transitional_until;
    let confirmed_since = record.events.iter().any(|e| e.on >= until && e.kind == EventKind::ReviewCompleted)
        || record.decisions().iter().any(|d| d.outcome == DecisionOutcome::Confirm && d.decided_on >= until);
    if kind_at(record, decision) == ProviderKind::FoundationTrust && on < until && !confirmed_since {
        hits.push(Hit::new(
            Rule::FtTransitional,
            format!("{}.decided_on", record.decision_key(index)),
            format!(
                "decided on {on}, while foundation-trust services were automatically CRS until {until}; confirm the designation with a review (crs review start {id}, then crs review complete {id} --confirm)"
            ),
        ));
    }
}

/// A service of an NHS trust: designating it broke the exemption before NHS trusts
/// were licensed; since then whether it can be designated is unconfirmed (a warning,
/// from the draft on, so the team knows before it assesses).
fn nhs_trust(record: &Record, framework: &Framework, hits: &mut Vec<Hit>) {
    let dates = &framework.dates;
    let exempt = |on: Date| {
        dates.nhs_trust_exempt_from.is_some_and(|from| on >= from)
            && dates.nhs_trust_exempt_until.is_none_or(|until| on < until)
            && dates.nhs_trust_licensed_from.is_none_or(|licensed| on < licensed)
    };
    let designation = record.designation();
    let of_nhs_trust = |d: &Decision| kind_at(record, d) == ProviderKind::NhsTrust;
    if let Some((index, decision)) = designation.filter(|(_, d)| of_nhs_trust(d) && exempt(d.decided_on)) {
        let key = kind_key(record, index, decision);
        hits.push(Hit::new(
            Rule::NhsTrustExempt,
            key.clone(),
            format!(
                "services of NHS trusts were exempt from designation under {} when this one was designated ({}); check {key}, or decide not to designate",
                framework.id,
                decision.decided_on
            ),
        ));
        return;
    }
    let Some(licensed) = dates.nhs_trust_licensed_from else { return };
    if dates.nhs_trust_exempt_until.is_some() {
        return;
    }
    // Now an NHS trust's: designated since NHS trusts were licensed, or designated
    // as another kind's service and moved to an NHS trust since.
    let concerns = record.provider.kind == ProviderKind::NhsTrust
        && match designation {
            Some((_, d)) => d.decided_on >= licensed || !of_nhs_trust(d),
            None => record.outcome().is_none(),
        };
    // A designation made with an NHS trust since then stays in question after the
    // service moves to another kind of provider: each decision is judged by its own.
    let made_with = designation.filter(|(_, d)| {
        record.provider.kind != ProviderKind::NhsTrust && of_nhs_trust(d) && d.decided_on >= licensed
    });
    if let Some((index, decision)) = made_with {
        hits.push(Hit::new(
            Rule::NhsTrustUnconfirmed,
            kind_key(record, index, decision),
            format!(
                "the designation was made with an NHS trust on or after {}, and whether NHS trusts' services can be designated is still not confirmed (the service has moved to another provider since): record why the designation stands in the proportionality rationale (crs assess --stage 4) and review it when NHS England confirms the position; this warning stays until the framework records that position (nhs_trust_exempt_until)",
                licensed.in_words()
            ),
        ));
    }
    if concerns {
        hits.push(Hit::new(
            Rule::NhsTrustUnconfirmed,
            "provider.kind",
            format!(
                "the provider is an NHS trust: NHS trusts hold the provider licence since {}, but whether their services can now be designated is not confirmed: record why the designation stands in the proportionality rationale (crs assess --stage 4) and review it when NHS England confirms the position; this warning stays until the framework records that position (nhs_trust_exempt_until)",
                licensed.in_words()
            ),
        ));
    }
}

fn licence(record: &Record, id: &RecordId, status: Status, hits: &mut Vec<Hit>) {
    if record.provider.kind == ProviderKind::FoundationTrust && record.provider.licence == Licence::Exempt {
        hits.push(Hit::new(
            Rule::FoundationTrustLicenceExempt,
            "provider.licence",
            "the provider is recorded as a foundation trust exempt from the provider licence, but foundation trusts are never licence-exempt; set licence = \"licensed\", or correct provider.kind",
        ));
    }
    // A refusal found reasonable leaves the decision standing but nothing designated.
    if matches!(record.outcome(), Some(DecisionOutcome::Designate | DecisionOutcome::Confirm))
        && status != Status::NotDesignated
        && matches!(record.provider.licence, Licence::Unlicensed | Licence::Exempt)
        && record.first_event(EventKind::LicenceRequested).is_none()
    {
        let licence = record.provider.licence.as_str();
        hits.push(Hit::new(
            Rule::UnlicensedProvider,
            "provider.licence",
            format!(
                "the provider is {licence} but the service is designated: ask the regulator to license the provider, then record crs event {id} licence-requested"
            ),
        ));
    }
}

fn events(record: &Record, life: &Lifecycle, framework: &Framework, today: Date, hits: &mut Vec<Hit>) {
    for problem in &life.problems {
        hits.push(Hit::new(Rule::EventOrder, problem.key.clone(), problem.message.clone()));
    }
    for (i, event) in record.events.iter().enumerate() {
        let says_why = matches!(event.kind, EventKind::InvolvementNotEngaged | EventKind::ReviewDeclined);
        if says_why && event.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            hits.push(Hit::new(
                Rule::Schema,
                format!("events[{i}]"),
                format!("event {} of {} needs a note saying why", event.kind, event.on),
            ));
        }
        if event.on > today {
            hits.push(Hit::new(
                Rule::EventOrder,
                format!("events[{i}]"),
                format!(
                    "{} is dated {}, after today ({}); record events once they happen",
                    event.kind.label(),
                    event.on.in_words(),
                    today.in_words()
                ),
            ));
        }
    }
    for (key, stage) in record.stages.iter().filter(|(_, s)| s.assessed_on > today) {
        hits.push(Hit::new(
            Rule::EventOrder,
            format!("stages.{key}.assessed_on"),
            format!(
                "stage {} is dated {}, after today ({}); record an assessment once it is made",
                stage_name(key),
                stage.assessed_on.in_words(),
                today.in_words()
            ),
        ));
    }
    for (i, decision) in record.decisions().iter().enumerate().filter(|(_, d)| d.decided_on > today) {
        hits.push(Hit::new(
            Rule::EventOrder,
            format!("{}.decided_on", record.decision_key(i)),
            format!(
                "the {} is dated {}, after today ({})",
                decision.outcome.in_words(),
                decision.decided_on.in_words(),
                today.in_words()
            ),
        ));
    }
    if life.status == Status::Requested
        && let Some(request) = record.last_event(EventKind::WrittenRequestSent)
    {
        let window = i64::from(framework.dates.written_request_response_days);
        let due = request.on.plus_days(window);
        if let Some(due) = due.filter(|due| *due < today) {
            hits.push(Hit::new(
                    Rule::RequestUnanswered,
                    "events",
                    format!(
                        "the written request of {} had no answer by {} ({window} days, this register's response window, not a rule of law); chase the provider or record provider-accepted / provider-refused",
                        request.on.in_words(),
                        due.in_words()
                    ),
                ));
        }
    }
}

fn review(record: &Record, id: &RecordId, status: Status, today: Date, hits: &mut Vec<Hit>) {
    if let (Some(review), Some(decision)) = (&record.review, record.current_decision())
        && review.next_due <= decision.decided_on
    {
        // A removed designation has no review to come: the date is a leftover.
        let todo = match decision.outcome {
            DecisionOutcome::Remove => "a removed designation has no review due: clear the review date",
            _ => "set a later date",
        };
        hits.push(Hit::new(
            Rule::Schema,
            "review.next_due",
            format!(
                "the review is due on {}, not after the {} of {}; {todo}",
                review.next_due,
                decision.outcome.short_name(),
                decision.decided_on
            ),
        ));
    }
    let kept = matches!(record.outcome(), Some(DecisionOutcome::Designate | DecisionOutcome::Confirm));
    if !kept || status == Status::NotDesignated {
        return;
    }
    match &record.review {
        None => hits.push(Hit::new(
            Rule::ReviewDateMissing,
            record.decision_key(record.decisions().len() - 1),
            format!("the designation has no review date; set one with crs edit {id} ([review] next_due = YYYY-MM-DD), or give --review-due when the next decision is recorded"),
        )),
        Some(review) if review.next_due < today && status == Status::UnderReview => {
            let started = record
                .last_event(EventKind::ReviewStarted)
                .map_or_else(|| "on a day not recorded".to_owned(), Event::day_text);
            hits.push(Hit::new(
                Rule::ReviewOverdue,
                "review.next_due",
                format!(
                    "the review was due on {} and started {started}; complete it: crs review complete {id} --confirm --next-due DATE, or --remove",
                    review.next_due
                ),
            ));
        }
        Some(review) if review.next_due < today && status.in_force() => hits.push(Hit::new(
            Rule::ReviewOverdue,
            "review.next_due",
            format!("the review was due on {}; start it: crs review start {id}", review.next_due),
        )),
        Some(_) => {}
    }
}

/// Public involvement, decision by decision: a designation, confirmation or removal
/// needs an engagement (or a recorded assessment that the duty was not engaged)
/// between the start of its work and the decision itself.
fn involvement(record: &Record, id: &RecordId, hits: &mut Vec<Hit>) {
    let decisions = record.decisions();
    let Some(decision) = decisions.last() else { return };
    if decision.outcome == DecisionOutcome::DoNotDesignate {
        return;
    }
    let index = decisions.len() - 1;
    let since = assessed_since(&decisions[..index], &record.events, decision.outcome, decision.decided_on);
    let involved = record.events.iter().any(|e| {
        matches!(e.kind, EventKind::PublicEngagement | EventKind::InvolvementNotEngaged)
            && e.on <= decision.decided_on
            && since.as_ref().is_none_or(|s| e.on >= s.from)
    });
    if involved {
        return;
    }
    let window = since.map_or_else(String::new, |s| format!(" since {}", s.after));
    hits.push(Hit::new(
        Rule::NoPublicInvolvement,
        record.decision_key(index),
        format!(
            "the {} of {} has no public involvement recorded on or before that day{window}: record the engagement (crs event {id} public-engagement --on DATE --note ...) or why the duty to involve the public was not engaged (crs event {id} involvement-not-engaged --on DATE --note REASON)",
            decision.outcome.in_words(),
            decision.decided_on.in_words(),
        ),
    ));
}

/// A provider's request for a review that has had no answer: no review started and
/// no decision not to review since.
fn review_requested(record: &Record, id: &RecordId, status: Status, today: Date, hits: &mut Vec<Hit>) {
    if status != Status::Designated {
        return;
    }
    let Some((index, request)) = open_review_request(record) else { return };
    let days = (today.0 - request.on.0).num_days();
    hits.push(Hit::new(
        Rule::ReviewRequested,
        format!("events[{index}]"),
        format!(
            "a review was asked for {} ({days} days ago) and has had no answer: start it (crs review start {id} --requested-by provider) or record the decision not to review and why (crs review decline {id} --reason TEXT)",
            request.when_in_words()
        ),
    ));
}

/// The last request for a review, with its index, when no review started and no
/// decision not to review was recorded after it.
pub fn open_review_request(record: &Record) -> Option<(usize, &Event)> {
    let (index, request) =
        record.events.iter().enumerate().rev().find(|(_, e)| e.kind == EventKind::ReviewRequested)?;
    let answered = record.events[index + 1..].iter().any(|e| {
        matches!(e.kind, EventKind::ReviewStarted | EventKind::ReviewDeclined | EventKind::ReviewCompleted)
    }) || record.decisions().iter().any(|d| d.decided_on > request.on);
    (!answered).then_some((index, request))
}
