//! The one table of words for people: what each code of a record means in plain
//! English ("NHS foundation trust", "Under review"), what each field path of the one
//! field diff is called ("Decision date", "Review due"), dates written out
//! ("27 November 2026"), and a change told as sentences ("The provider accepted the
//! designation on 28 February 2025"). The log, the workbook, the submission summary
//! and the board report all take their words from here; JSON and CSV keep the codes
//! and field paths, which this module never changes.

use crate::model::fields::FieldChange;
use crate::model::record::{DecisionOutcome, EventKind, Licence, ProviderKind};
use crate::model::{Date, Record, Status};

impl Status {
    /// The status as people read it: "Under review".
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::NotDesignated => "Not designated",
            Status::Proposed => "Proposed",
            Status::Requested => "Requested",
            Status::Refused => "Refused",
            Status::Referred => "Referred",
            Status::Designated => "Designated",
            Status::UnderReview => "Under review",
            Status::Removed => "Removed",
        }
    }

    /// What the status means, for the workbook's notes and the board report.
    pub fn definition(self) -> &'static str {
        match self {
            Status::Draft => "Being assessed; no decision yet.",
            Status::NotDesignated => "The commissioner decided not to designate the service.",
            Status::Proposed => {
                "The commissioner decided to designate; no written request sent to the provider yet."
            }
            Status::Requested => "Written request sent to the provider; no answer yet.",
            Status::Refused => "The provider refused the designation; not (yet) referred to the regulator.",
            Status::Referred => "The provider's refusal was referred to the regulator; no finding yet.",
            Status::Designated => {
                "In force: the provider accepted, or the regulator found its refusal unreasonable."
            }
            Status::UnderReview => {
                "In force and under review: the designation stays in place during the review."
            }
            Status::Removed => "The designation was removed and the provider notified.",
        }
    }
}

impl ProviderKind {
    /// The kind as people read it: "NHS foundation trust".
    pub fn label(self) -> &'static str {
        match self {
            ProviderKind::FoundationTrust => "NHS foundation trust",
            ProviderKind::NhsTrust => "NHS trust",
            ProviderKind::Independent => "Independent sector provider",
            ProviderKind::Other => "Other",
        }
    }
}

impl Licence {
    /// The licence state as people read it.
    pub fn label(self) -> &'static str {
        match self {
            Licence::Licensed => "Licensed",
            Licence::Unlicensed => "Not licensed",
            Licence::Applied => "Licence applied for",
            Licence::Exempt => "Exempt from the licence",
        }
    }
}

impl DecisionOutcome {
    /// The decision as a cell reads it: "Designate".
    pub fn label(self) -> &'static str {
        match self {
            DecisionOutcome::Designate => "Designate",
            DecisionOutcome::DoNotDesignate => "Do not designate",
            DecisionOutcome::Confirm => "Keep the designation",
            DecisionOutcome::Remove => "Remove the designation",
        }
    }
}

impl DecisionOutcome {
    /// The decision as a verb after who made it: "decided to designate".
    pub fn past_tense(self) -> &'static str {
        match self {
            DecisionOutcome::Designate => "decided to designate the service",
            DecisionOutcome::DoNotDesignate => "decided not to designate the service",
            DecisionOutcome::Confirm => "decided, on review, to keep the designation",
            DecisionOutcome::Remove => "decided to remove the designation",
        }
    }
}

impl EventKind {
    /// The event as a cell reads it: "Written request sent".
    pub fn label(self) -> &'static str {
        match self {
            EventKind::ProvidersNotified => "Providers notified",
            EventKind::PublicEngagement => "Public engagement",
            EventKind::WrittenRequestSent => "Written request sent",
            EventKind::ProviderAccepted => "Provider accepted",
            EventKind::ProviderRefused => "Provider refused",
            EventKind::ReferredToRegulator => "Referred to the regulator",
            EventKind::RefusalFoundUnreasonable => "Refusal found unreasonable",
            EventKind::RefusalFoundReasonable => "Refusal found reasonable",
            EventKind::LicenceRequested => "Licence requested",
            EventKind::ReviewRequested => "Review requested",
            EventKind::ReviewDeclined => "Review declined",
            EventKind::InvolvementNotEngaged => "Involvement duty not engaged",
            EventKind::ReviewStarted => "Review started",
            EventKind::ReviewCompleted => "Review completed",
            EventKind::ProviderNotifiedOfRemoval => "Provider notified of removal",
            EventKind::Submitted => "Submitted to the regulator",
        }
    }

    /// The event told as a sentence, without its date: "The provider accepted the
    /// designation".
    pub fn sentence(self) -> &'static str {
        match self {
            EventKind::ProvidersNotified => {
                "The providers and others affected were told the work was starting"
            }
            EventKind::PublicEngagement => "The public was involved",
            EventKind::WrittenRequestSent => "The written request was sent to the provider",
            EventKind::ProviderAccepted => "The provider accepted the designation",
            EventKind::ProviderRefused => "The provider refused the designation",
            EventKind::ReferredToRegulator => "The provider's refusal was referred to the regulator",
            EventKind::RefusalFoundUnreasonable => "The regulator found the provider's refusal unreasonable",
            EventKind::RefusalFoundReasonable => "The regulator found the provider's refusal reasonable",
            EventKind::LicenceRequested => "The regulator was asked to license the provider",
            EventKind::ReviewRequested => "A review of the designation was requested",
            EventKind::ReviewDeclined => "The commissioner decided not to review the designation",
            EventKind::InvolvementNotEngaged => {
                "The commissioner assessed that the duty to involve the public was not engaged"
            }
            EventKind::ReviewStarted => "A review of the designation started",
            EventKind::ReviewCompleted => "The review of the designation was completed",
            EventKind::ProviderNotifiedOfRemoval => "The provider was told the designation is removed",
            EventKind::Submitted => "The record was submitted to the regulator",
        }
    }
}

impl DecisionOutcome {
    /// The decision about a named service, after who made it: "decided to designate
    /// Maternity at Guy's and St Thomas' NHS Foundation Trust".
    pub fn decided_about(self, service: &str, provider: &str) -> String {
        match self {
            DecisionOutcome::Designate => format!("decided to designate {service} at {provider}"),
            DecisionOutcome::DoNotDesignate => format!("decided not to designate {service} at {provider}"),
            DecisionOutcome::Confirm => {
                format!("decided, on review, to keep the designation of {service} at {provider}")
            }
            DecisionOutcome::Remove => {
                format!("decided to remove the designation of {service} at {provider}")
            }
        }
    }
}

/// Who decided, to start a sentence: "The ICB Board" for a body named without an
/// article ("ICB Board"), a person's name as it is, "The commissioner" when unknown.
pub fn deciding_body(decided_by: Option<&str>) -> String {
    const BODIES: [&str; 8] =
        ["Board", "Body", "Committee", "Group", "Panel", "Executive", "Team", "Meeting"];
    match decided_by.map(str::trim).filter(|by| !by.is_empty()) {
        None => "The commissioner".to_owned(),
        Some(by) if by.starts_with("The ") || by.starts_with("the ") => {
            format!("The {}", &by[4..])
        }
        Some(by) if by.split_whitespace().last().is_some_and(|w| BODIES.contains(&w)) => format!("The {by}"),
        Some(by) => by.to_owned(),
    }
}

impl EventKind {
    /// The event told as a sentence about a named service, without its date:
    /// "Guy's and St Thomas' NHS Foundation Trust accepted the designation of Maternity".
    pub fn sentence_about(self, service: &str, provider: &str) -> String {
        match self {
            EventKind::ProvidersNotified => {
                format!("{provider} and others affected were notified of the work to decide on {service}")
            }
            EventKind::PublicEngagement => {
                format!("The public was involved in the decision on {service} at {provider}")
            }
            EventKind::WrittenRequestSent => {
                format!("The written request to designate {service} was sent to {provider}")
            }
            EventKind::ProviderAccepted => format!("{provider} accepted the designation of {service}"),
            EventKind::ProviderRefused => format!("{provider} refused the designation of {service}"),
            EventKind::ReferredToRegulator => format!(
                "The refusal by {provider} of the designation of {service} was referred to the regulator"
            ),
            EventKind::RefusalFoundUnreasonable => format!(
                "The regulator found that {provider} was unreasonable to refuse the designation of {service}"
            ),
            EventKind::RefusalFoundReasonable => format!(
                "The regulator found that {provider} was reasonable to refuse the designation of {service}"
            ),
            EventKind::LicenceRequested => {
                format!("The regulator was asked to license {provider}, which provides {service}")
            }
            EventKind::ReviewRequested => {
                format!("A review of the designation of {service} at {provider} was requested")
            }
            EventKind::ReviewDeclined => {
                format!("The commissioner decided not to review the designation of {service} at {provider}")
            }
            EventKind::InvolvementNotEngaged => format!(
                "The commissioner assessed that the decision on {service} at {provider} did not engage the duty to involve the public"
            ),
            EventKind::ReviewStarted => {
                format!("A review of the designation of {service} at {provider} started")
            }
            EventKind::ReviewCompleted => {
                format!("The review of the designation of {service} at {provider} was completed")
            }
            EventKind::ProviderNotifiedOfRemoval => {
                format!("{provider} was notified of the removal of the designation of {service}")
            }
            EventKind::Submitted => {
                format!("The designation of {service} at {provider} was submitted to the regulator")
            }
        }
    }
}

/// `n` and the noun: "1 service", "3 services", "no services".
pub fn count(n: usize, one: &str, many: &str) -> String {
    match n {
        0 => format!("no {many}"),
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// A code written with hyphens or underscores, as words: "no alternative provider".
pub fn code_in_words(code: &str) -> String {
    code.replace(['-', '_'], " ")
}

/// Fixed field paths and their labels.
const FIELDS: &[(&str, &str)] = &[
    ("status", "Status"),
    ("schema_version", "Record format version"),
    ("framework", "Framework"),
    ("local_id", "The team's own reference"),
    ("notes", "Notes"),
    ("service.name", "Service name"),
    ("service.site_names", "Site names"),
    ("service.description", "Service description"),
    ("service.treatment_functions", "Treatment function codes"),
    ("service.sites", "Site ODS codes"),
    ("service.location_specific", "Location specific"),
    ("provider.ods", "Provider ODS code"),
    ("provider.name", "Provider name"),
    ("provider.kind", "Provider type"),
    ("provider.licence", "Provider licence"),
    ("commissioner.ods", "Commissioner ODS code"),
    ("commissioner.name", "Commissioner name"),
    ("commissioner.contact", "Contact"),
    ("commissioner.co_commissioners", "Co-commissioners"),
    ("outcome.long_term", "Long-term outcome sought"),
    ("decision.outcome", "Decision"),
    ("decision.grounds", "Grounds"),
    ("decision.decided_on", "Decision date"),
    ("decision.decided_by", "Decided by"),
    ("decision.reference", "Decision reference"),
    ("decision.provider.ods", "Provider ODS code at the decision"),
    ("decision.provider.name", "Provider name at the decision"),
    ("decision.provider.kind", "Provider type at the decision"),
    ("review.next_due", "Review due"),
    ("previous_ids", "Earlier record ids"),
    ("source.imported_from", "Imported from"),
    ("source.sheet", "Imported from sheet"),
    ("source.row", "Imported from row"),
];

/// The parts of a decision, under `decisions[N].` (format 2) as under `decision.`.
const DECISION_FIELDS: &[(&str, &str)] = &[
    ("outcome", "decision"),
    ("grounds", "grounds"),
    ("decided_on", "date"),
    ("decided_by", "decided by"),
    ("reference", "reference"),
    ("provider.ods", "provider ODS code then"),
    ("provider.name", "provider name then"),
    ("provider.kind", "provider type then"),
];

/// The parts of a stage, under `stages.<key>.`.
const STAGE_FIELDS: &[(&str, &str)] = &[
    ("met", "met or not"),
    ("rationale", "rationale"),
    ("evidence", "evidence"),
    ("assessed_on", "assessment date"),
    ("assessed_by", "assessed by"),
];

/// The parts of an event, under `events[N].`.
const EVENT_FIELDS: &[(&str, &str)] =
    &[("on", "date"), ("kind", "kind"), ("date_known", "day recorded"), ("note", "note")];

/// The label of a field path of the one field diff: `decision.decided_on` →
/// "Decision date", `events[3].kind` → "Event 4: kind",
/// `stages.alternative_provision.met` → "Stage alternative provision: met or not".
/// A path the table does not know is shown as it is.
pub fn field_label(path: &str) -> String {
    if let Some((_, label)) = FIELDS.iter().find(|(p, _)| *p == path) {
        return (*label).to_owned();
    }
    if let Some(rest) = path.strip_prefix("stages.")
        && let Some((stage, part)) = rest.split_once('.')
    {
        let part = STAGE_FIELDS.iter().find(|(p, _)| *p == part).map_or(part, |(_, l)| l);
        return format!("Stage {}: {part}", code_in_words(stage));
    }
    if let Some((number, part)) = event_part(path) {
        let part = EVENT_FIELDS.iter().find(|(p, _)| *p == part).map_or(part, |(_, l)| l);
        return format!("Event {}: {part}", number + 1);
    }
    if let Some((number, part)) = indexed_part(path, "decisions[") {
        let part = DECISION_FIELDS.iter().find(|(p, _)| *p == part).map_or(part, |(_, l)| l);
        return format!("Decision {}: {part}", number + 1);
    }
    path.to_owned()
}

/// The label of a part of a decision whose outcome is known: "Decision 2 (the
/// removal): reference" rather than "Decision 2: reference".
fn decision_part_label(path: &str, outcome: DecisionOutcome) -> String {
    let Some((number, part)) = indexed_part(path, "decisions[") else { return field_label(path) };
    let part = DECISION_FIELDS.iter().find(|(p, _)| *p == part).map_or(part, |(_, l)| l);
    let which = match outcome {
        DecisionOutcome::Designate => "the designation",
        DecisionOutcome::DoNotDesignate => "not to designate",
        DecisionOutcome::Confirm => "a review's confirmation",
        DecisionOutcome::Remove => "the removal",
    };
    format!("Decision {} ({which}): {part}", number + 1)
}

/// `decisions[1].outcome` with prefix `decisions[` → `(1, "outcome")`.
fn indexed_part<'p>(path: &'p str, prefix: &str) -> Option<(usize, &'p str)> {
    let rest = path.strip_prefix(prefix)?;
    let (number, part) = rest.split_once("].")?;
    Some((number.parse().ok()?, part))
}

/// `events[3].kind` → `(3, "kind")`.
fn event_part(path: &str) -> Option<(usize, &str)> {
    indexed_part(path, "events[")
}

/// A value of the field `path` as people read it: dates written out, codes as labels,
/// booleans as words.
pub fn value_in_words(path: &str, value: &str) -> String {
    if let Ok(date) = value.parse::<Date>() {
        return date.in_words();
    }
    let last = path.rsplit('.').next().unwrap_or(path);
    let coded = match last {
        "status" => value.parse::<Status>().ok().map(|s| s.label().to_owned()),
        "kind" if path.starts_with("provider") || path.contains(".provider.") => {
            value.parse::<ProviderKind>().ok().map(|k| k.label().to_owned())
        }
        "kind" => value.parse::<EventKind>().ok().map(|k| k.label().to_owned()),
        "licence" => value.parse::<Licence>().ok().map(|l| l.label().to_owned()),
        "outcome" if path.starts_with("decision") => decision_outcome(value).map(|d| d.label().to_owned()),
        "met" => Some(if value == "true" { "met" } else { "not met" }.to_owned()),
        "grounds" => Some(code_in_words(value.trim_start_matches('[').trim_end_matches(']'))),
        _ => None,
    };
    coded.unwrap_or_else(|| match value {
        "true" => "yes".to_owned(),
        "false" => "no".to_owned(),
        other => other.to_owned(),
    })
}

fn decision_outcome(code: &str) -> Option<DecisionOutcome> {
    [
        DecisionOutcome::Designate,
        DecisionOutcome::DoNotDesignate,
        DecisionOutcome::Confirm,
        DecisionOutcome::Remove,
    ]
    .into_iter()
    .find(|d| d.as_str() == code)
}

/// The changes of one record told as sentences, in the order of the fields: a new
/// event, stage assessment or decision is one sentence ("The provider accepted the
/// designation on 28 February 2025"), a date that moved says so ("Review due moved
/// from 1 February 2028 to 1 February 2029"), every other field is named by its
/// label.
pub fn sentences(changes: &[FieldChange]) -> Vec<String> {
    let mut groups: Vec<(String, Vec<&FieldChange>)> = Vec::new();
    for change in changes {
        let group = group_of(&change.field);
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, fields)) if !group.is_empty() => fields.push(change),
            _ => groups.push((group, vec![change])),
        }
    }
    let mut out = Vec::new();
    for (group, fields) in groups {
        let whole = fields.iter().all(|c| c.old.is_none()) && !group.is_empty();
        let value = |part: &str| {
            fields.iter().find(|c| c.field.rsplit('.').next() == Some(part)).and_then(|c| c.new.as_deref())
        };
        // A new provider: one sentence naming both, and its licence if it changed.
        if group == "provider"
            && !whole
            && let Some(sentence) = provider_changed(&fields)
        {
            out.push(sentence);
            out.extend(fields.iter().filter(|c| c.field == "provider.licence").map(|c| field_sentence(c)));
            continue;
        }
        let reassessed =
            group.starts_with("stages.") && fields.iter().any(|c| c.field.ends_with(".assessed_on"));
        let told = match whole {
            true if group.starts_with("events[") => added_event(&value),
            true if group.starts_with("stages.") => added_stage(&group, &value),
            false if reassessed => reassessed_stage(&group, &value),
            true if group.ends_with(".provider") => kept_provider(&group, &value),
            true if group.ends_with(".commissioner") => kept_commissioner(&group, &value),
            false if group == "commissioner" => commissioner_changed(&fields),
            true if group == "decision" || group.starts_with("decisions[") => added_decision(&value),
            _ => None,
        };
        match told {
            Some(sentence) => out.push(sentence),
            None => out.extend(fields.iter().map(|c| field_sentence(c))),
        }
    }
    out
}

/// The part of a record a field belongs to, when a whole part can be told as one
/// sentence: `events[3]`, `stages.alternative_provision`, `decision`; else empty.
fn group_of(path: &str) -> String {
    if let Some((n, _)) = event_part(path) {
        return format!("events[{n}]");
    }
    if let Some(rest) = path.strip_prefix("stages.")
        && let Some((stage, _)) = rest.split_once('.')
    {
        return format!("stages.{stage}");
    }
    if matches!(path, "provider.ods" | "provider.name" | "provider.kind" | "provider.licence") {
        return "provider".to_owned();
    }
    if matches!(path, "commissioner.ods" | "commissioner.name") {
        return "commissioner".to_owned();
    }
    if path.starts_with("decision.commissioner.") {
        return "decision.commissioner".to_owned();
    }
    if path.starts_with("decision.provider.") {
        return "decision.provider".to_owned();
    }
    if path.starts_with("decision.") {
        return "decision".to_owned();
    }
    if let Some((n, part)) = indexed_part(path, "decisions[") {
        let kept = match part {
            _ if part.starts_with("provider.") => ".provider",
            _ if part.starts_with("commissioner.") => ".commissioner",
            _ => "",
        };
        return format!("decisions[{n}]{kept}");
    }
    String::new()
}

fn on_date(value: Option<&str>) -> String {
    value.and_then(|d| d.parse::<Date>().ok()).map_or_else(String::new, |d| format!(" on {}", d.in_words()))
}

/// An event that was added whole, as one sentence with its date and note.
fn added_event<'a>(value: &impl Fn(&str) -> Option<&'a str>) -> Option<String> {
    let kind: EventKind = value("kind")?.parse().ok()?;
    let day = match value("date_known") {
        Some("false") => value("on")
            .and_then(|d| d.parse::<Date>().ok())
            .map_or_else(String::new, |d| format!(" by {} (day not recorded)", d.in_words())),
        _ => on_date(value("on")),
    };
    Some(with_note(format!("{}{day}", kind.sentence()), value("note")))
}

/// "QRV, a co-commissioner, was succeeded by Z9B2Z, now the commissioner
/// responsible": a co-commissioner `old` taken over by each of `by` in turn (a
/// successor succeeded again), the last of them now responsible or not.
pub fn co_commissioner_succeeded(old: &str, by: &[&str], responsible: bool) -> String {
    let mut text = format!("{old}, a co-commissioner, was succeeded by");
    let mut was = old;
    for (i, next) in by.iter().enumerate() {
        match i {
            0 => text.push_str(&format!(" {next}")),
            _ => text.push_str(&format!(", and {was} by {next}")),
        }
        was = next;
    }
    if responsible {
        text.push_str(", now the commissioner responsible");
    }
    text
}

/// `sentence` followed by the note a person gave its step, set off by a colon as a
/// stage's rationale is: a note has brackets of its own ("board meeting (closed
/// session)") that brackets around it would double. A note that goes on with the
/// sentence, as crs's own do ("by the commissioner", "at the provider's request"),
/// follows a comma. An empty note adds nothing.
pub(crate) fn with_note(sentence: String, note: Option<&str>) -> String {
    match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(note) if note.starts_with("by ") || note.starts_with("at ") => format!("{sentence}, {note}"),
        Some(note) => format!("{sentence}: {note}"),
        None => sentence,
    }
}

/// A stage assessed for the first time.
fn added_stage<'a>(group: &str, value: &impl Fn(&str) -> Option<&'a str>) -> Option<String> {
    let stage = code_in_words(group.strip_prefix("stages.")?);
    let met = if value("met")? == "true" { "met" } else { "not met" };
    let by = value("assessed_by").map_or_else(String::new, |by| format!(" by {by}"));
    let why = value("rationale")
        .filter(|r| !r.trim().is_empty())
        .map_or_else(String::new, |r| format!(": {}", r.trim()));
    Some(format!("Stage {stage} assessed as {met}{}{by}{why}", on_date(value("assessed_on"))))
}

/// A stage assessed again (a review, or the work towards a removal): a new
/// assessment, told as one, who then when then what: "Stage proportionality
/// reassessed by Ann Analyst on 20 November 2026: now not met. Its rationale", or
/// "…, its answer unchanged: Its rationale" when met or not is as it was.
fn reassessed_stage<'a>(group: &str, value: &impl Fn(&str) -> Option<&'a str>) -> Option<String> {
    let stage = code_in_words(group.strip_prefix("stages.")?);
    let by = value("assessed_by").map_or_else(String::new, |by| format!(" by {by}"));
    let mut sentence = format!("Stage {stage} reassessed{by}{}", on_date(value("assessed_on")));
    let met = value("met").map(|met| if met == "true" { "now met" } else { "now not met" });
    let why = value("rationale").map(str::trim).filter(|why| !why.is_empty());
    // `met` is always recorded: a change that leaves it out left the answer as it was.
    match (met, why) {
        (Some(met), Some(why)) => sentence.push_str(&format!(": {met}. {why}")),
        (Some(met), None) => sentence.push_str(&format!(": {met}")),
        (None, Some(why)) => sentence.push_str(&format!(", its answer unchanged: {why}")),
        (None, None) => sentence.push_str(", its answer unchanged"),
    }
    Some(sentence)
}

/// A decision recorded where there was none.
fn added_decision<'a>(value: &impl Fn(&str) -> Option<&'a str>) -> Option<String> {
    let outcome = decision_outcome(value("outcome")?)?;
    let who = value("decided_by").unwrap_or("The commissioner");
    let mut sentence = format!("{who} {}{}", outcome.past_tense(), on_date(value("decided_on")));
    if let Some(grounds) = value("grounds") {
        sentence.push_str(&format!(", on the grounds: {}", value_in_words("decision.grounds", grounds)));
    }
    if let Some(reference) = value("reference") {
        sentence.push_str(&format!(" ({reference})"));
    }
    Some(sentence)
}

/// The provider a decision was made with, set on it when a move changed the
/// record's: "Decision 1 keeps the provider it was made with: Guy's and St Thomas' NHS
/// Foundation Trust (RJ1, NHS foundation trust)".
fn kept_provider<'a>(group: &str, value: &impl Fn(&str) -> Option<&'a str>) -> Option<String> {
    let which = match group.strip_prefix("decisions[").and_then(|rest| rest.split_once(']')) {
        Some((n, _)) => format!("Decision {}", n.parse::<usize>().ok()? + 1),
        None => "The decision".to_owned(),
    };
    let kind = value("kind").and_then(|k| k.parse::<ProviderKind>().ok());
    let kind = kind.map_or_else(String::new, |k| format!(", {}", k.label()));
    Some(format!("{which} keeps the provider it was made with: {} ({}{kind})", value("name")?, value("ods")?))
}

/// The commissioner that made a decision, set on it when a succession changed the
/// record's: "Decision 1 keeps the commissioner that made it: NHS North Central London
/// ICB (QMJ)".
fn kept_commissioner<'a>(group: &str, value: &impl Fn(&str) -> Option<&'a str>) -> Option<String> {
    let which = match group.strip_prefix("decisions[").and_then(|rest| rest.split_once(']')) {
        Some((n, _)) => format!("Decision {}", n.parse::<usize>().ok()? + 1),
        None => "The decision".to_owned(),
    };
    Some(format!("{which} keeps the commissioner that made it: {} ({})", value("name")?, value("ods")?))
}

/// The commissioner responsible changed in code and name (a succession): "Commissioner
/// responsible changed from NHS North Central London ICB (QMJ) to NHS North London ICB
/// (Z9B2Z)". `None` when only one of them changed.
fn commissioner_changed(fields: &[&FieldChange]) -> Option<String> {
    let changed = |part: &str| {
        fields
            .iter()
            .find(|c| c.field == format!("commissioner.{part}"))
            .and_then(|c| Some((c.old.as_deref()?, c.new.as_deref()?)))
    };
    let ((old_ods, new_ods), (old_name, new_name)) = (changed("ods")?, changed("name")?);
    Some(format!("Commissioner responsible changed from {old_name} ({old_ods}) to {new_name} ({new_ods})"))
}

/// A provider changed in more than one of its code, name and kind (a move to a new
/// provider), as one sentence naming both: "Provider changed from Guy's and St
/// Thomas' NHS Foundation Trust (RJ1, NHS foundation trust) to London North West
/// University Healthcare NHS Trust (R1K, NHS trust)". `None` for one part changed.
fn provider_changed<'a>(fields: &[&'a FieldChange]) -> Option<String> {
    let changed = |part: &str| {
        fields
            .iter()
            .find(|c| c.field == format!("provider.{part}"))
            .and_then(|c| Some((c.old.as_deref()?, c.new.as_deref()?)))
    };
    let (name, ods, kind) = (changed("name"), changed("ods"), changed("kind"));
    if [name.is_some(), ods.is_some(), kind.is_some()].iter().filter(|c| **c).count() < 2 {
        return None;
    }
    let kind_label =
        |k: &str| k.parse::<ProviderKind>().map_or_else(|_| k.to_owned(), |k| k.label().to_owned());
    let side = |old: bool| {
        let pick = |(was, now): (&'a str, &'a str)| if old { was } else { now };
        let parts: Vec<String> =
            ods.map(|o| pick(o).to_owned()).into_iter().chain(kind.map(|k| kind_label(pick(k)))).collect();
        match (name.map(pick), parts.is_empty()) {
            (Some(name), true) => name.to_owned(),
            (Some(name), false) => format!("{name} ({})", parts.join(", ")),
            (None, _) => parts.join(", "),
        }
    };
    Some(format!("Provider changed from {} to {}", side(true), side(false)))
}

/// One field's change as a sentence.
pub fn field_sentence(change: &FieldChange) -> String {
    let label = match change.item.as_deref().and_then(decision_outcome) {
        Some(outcome) => decision_part_label(&change.field, outcome),
        None => field_label(&change.field),
    };
    let words = |v: &str| value_in_words(&change.field, v);
    match (&change.old, &change.new) {
        (None, Some(new)) => format!("{label} set to {}", words(new)),
        (Some(old), None) => format!("{label} removed (was {})", words(old)),
        (Some(old), Some(new)) => {
            let verb =
                if old.parse::<Date>().is_ok() && new.parse::<Date>().is_ok() { "moved" } else { "changed" };
            format!("{label} {verb} from {} to {}", words(old), words(new))
        }
        (None, None) => label,
    }
}

/// The designation in force and the reviews that kept it, with their days:
/// "designated 1 April 2019, confirmed 26 March 2026". `None` when the record has no
/// designation.
pub fn designation_in_words(record: &Record) -> Option<String> {
    let decisions = record.decisions();
    let (index, designation) = record.designation().or_else(|| {
        // A record kept here from its first confirmation was designated before.
        decisions.first().filter(|d| d.outcome == DecisionOutcome::Confirm).map(|d| (0, d))
    })?;
    let mut words = match designation.outcome {
        DecisionOutcome::Designate => format!("designated {}", designation.decided_on.in_words()),
        _ => "designated before this register".to_owned(),
    };
    let confirmed = decisions[index..].iter().filter(|d| d.outcome == DecisionOutcome::Confirm);
    for confirmation in confirmed {
        words.push_str(&format!(", confirmed {}", confirmation.decided_on.in_words()));
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(field: &str, old: Option<&str>, new: Option<&str>) -> FieldChange {
        FieldChange {
            field: field.into(),
            old: old.map(String::from),
            new: new.map(String::from),
            item: None,
        }
    }

    #[test]
    fn field_paths_have_labels() {
        assert_eq!(field_label("decision.decided_on"), "Decision date");
        assert_eq!(field_label("review.next_due"), "Review due");
        assert_eq!(field_label("events[3].kind"), "Event 4: kind");
        assert_eq!(
            field_label("stages.alternative_provision.met"),
            "Stage alternative provision: met or not"
        );
        assert_eq!(field_label("something.new"), "something.new");
    }

    #[test]
    fn codes_and_dates_read_as_words() {
        assert_eq!(Date::from_ymd(2026, 11, 27).unwrap().in_words(), "27 November 2026");
        assert_eq!(ProviderKind::FoundationTrust.label(), "NHS foundation trust");
        assert_eq!(Status::UnderReview.label(), "Under review");
        assert_eq!(value_in_words("provider.kind", "nhs-trust"), "NHS trust");
        assert_eq!(value_in_words("events[0].kind", "written-request-sent"), "Written request sent");
        assert_eq!(value_in_words("stages.x.met", "false"), "not met");
    }

    #[test]
    fn decisions_and_events_about_a_service_read_as_sentences() {
        let said = format!(
            "{} {}",
            deciding_body(Some("ICB Board")),
            DecisionOutcome::Designate.decided_about("Maternity", "Guy's and St Thomas'")
        );
        assert_eq!(said, "The ICB Board decided to designate Maternity at Guy's and St Thomas'");
        assert_eq!(deciding_body(Some("A. Analyst")), "A. Analyst");
        assert_eq!(deciding_body(Some("the Governing Body")), "The Governing Body");
        assert_eq!(deciding_body(None), "The commissioner");
        assert_eq!(
            EventKind::ProviderAccepted.sentence_about("Maternity", "GSTT"),
            "GSTT accepted the designation of Maternity"
        );
    }

    #[test]
    fn changes_read_as_sentences() {
        let told = sentences(&[
            change("events[3].kind", None, Some("provider-accepted")),
            change("events[3].on", None, Some("2025-02-28")),
            change("review.next_due", Some("2028-02-01"), Some("2029-02-01")),
            change("status", Some("requested"), Some("designated")),
        ]);
        assert_eq!(
            told,
            [
                "The provider accepted the designation on 28 February 2025",
                "Review due moved from 1 February 2028 to 1 February 2029",
                "Status changed from Requested to Designated",
            ]
        );
        let decided = sentences(&[
            change("decision.decided_by", None, Some("ICB Board")),
            change("decision.decided_on", None, Some("2026-02-10")),
            change("decision.grounds", None, Some("[no-alternative-provider, dependent-services]")),
            change("decision.outcome", None, Some("designate")),
        ]);
        assert_eq!(
            decided,
            [
                "ICB Board decided to designate the service on 10 February 2026, on the grounds: no alternative provider, dependent services"
            ]
        );
        let assessed = sentences(&[
            change("stages.health_inequalities.assessed_on", None, Some("2026-02-02")),
            change("stages.health_inequalities.met", None, Some("false")),
        ]);
        assert_eq!(assessed, ["Stage health inequalities assessed as not met on 2 February 2026"]);
        // Assessed again with the same answer: said so, never left unsaid.
        let again = sentences(&[
            change("stages.health_inequalities.assessed_on", Some("2026-02-02"), Some("2026-08-01")),
            change("stages.health_inequalities.rationale", Some("Close to average"), Some("Still close")),
        ]);
        assert_eq!(
            again,
            ["Stage health inequalities reassessed on 1 August 2026, its answer unchanged: Still close"]
        );
    }

    #[test]
    fn a_move_to_another_provider_reads_as_one_change_and_the_decisions_keep_the_old() {
        let moved = sentences(&[
            change("decisions[0].provider.kind", None, Some("foundation-trust")),
            change("decisions[0].provider.name", None, Some("Guy's and St Thomas' NHS Foundation Trust")),
            change("decisions[0].provider.ods", None, Some("RJ1")),
            change("provider.kind", Some("foundation-trust"), Some("nhs-trust")),
            change("provider.licence", Some("exempt"), Some("licensed")),
            change(
                "provider.name",
                Some("Guy's and St Thomas' NHS Foundation Trust"),
                Some("London North West"),
            ),
            change("provider.ods", Some("RJ1"), Some("R1K")),
        ]);
        assert_eq!(
            moved,
            [
                "Decision 1 keeps the provider it was made with: Guy's and St Thomas' NHS Foundation Trust (RJ1, NHS foundation trust)",
                "Provider changed from Guy's and St Thomas' NHS Foundation Trust (RJ1, NHS foundation trust) to London North West (R1K, NHS trust)",
                "Provider licence changed from Exempt from the licence to Licensed",
            ]
        );
        let renamed = sentences(&[change("provider.name", Some("A Trust"), Some("B Trust"))]);
        assert_eq!(renamed, ["Provider name changed from A Trust to B Trust"]);
        assert_eq!(field_label("decisions[1].provider.kind"), "Decision 2: provider type then");
        assert_eq!(value_in_words("decisions[1].provider.kind", "nhs-trust"), "NHS trust");
    }

    #[test]
    fn a_changed_part_of_a_decision_names_the_decision_by_its_outcome() {
        let old = "[[decisions]]\noutcome = \"designate\"\ndecided_on = 2019-03-05\nreference = \"GB/19/031\"\n\n\
                   [[decisions]]\noutcome = \"remove\"\ndecided_on = 2026-02-03\nreference = \"BD/26/014\"\n";
        let new = old.replace("BD/26/014", "BD/26/015").replace("GB/19/031", "GB/19/032");
        assert_eq!(
            sentences(&crate::model::fields::changes(old, &new)),
            [
                "Decision 1 (the designation): reference changed from GB/19/031 to GB/19/032",
                "Decision 2 (the removal): reference changed from BD/26/014 to BD/26/015",
            ]
        );
    }
}
