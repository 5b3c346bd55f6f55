//! `Record`: one provider service's designation record, exactly as its TOML file
//! holds it. Unknown keys are refused (they are usually typos); nothing here reads
//! files or knows the framework's rules.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::date::Date;
use crate::model::suggest::did_you_mean;

/// The smallest valid record, a draft, for unit tests to build on.
#[cfg(test)]
pub const MINIMAL_TEST_RECORD: &str = r#"schema_version = 1
framework = "monitor-2013"
[service]
name = "Maternity"
[provider]
ods = "RJ1"
name = "Trust"
kind = "foundation-trust"
licence = "licensed"
[commissioner]
ods = "QKK"
name = "ICB"
"#;

/// The example record of a designated service (`examples/records/valid/RJ1/designated.toml`),
/// for unit tests that want a whole record.
#[cfg(test)]
pub fn designated_example() -> Record {
    Record::from_toml(include_str!("../../examples/records/valid/RJ1/designated.toml")).unwrap()
}

/// The item of `all` whose name is `text`, or a message with the nearest name and
/// all the names.
pub fn parse_named<T: Copy>(
    text: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    what: &str,
) -> Result<T, String> {
    all.iter().copied().find(|item| name(*item) == text).ok_or_else(|| {
        let known: Vec<&str> = all.iter().map(|item| name(*item)).collect();
        let guess = did_you_mean(text, known.iter().copied());
        format!("'{text}' is not {what}{guess}; use one of: {}", known.join(", "))
    })
}

/// True when `a` and `b` name the same stage: a stage is written with `_` in a record
/// key (`alternative_provision`) and with `-` on the command line and in messages
/// (`alternative-provision`); either spelling is read anywhere.
pub fn same_stage_key(a: &str, b: &str) -> bool {
    let normal = |s: &str| s.trim().to_ascii_lowercase().replace('-', "_");
    normal(a) == normal(b)
}

/// A stage key as people read it: `alternative-provision`.
pub fn stage_name(key: &str) -> String {
    key.replace('_', "-")
}

/// The record format version this build writes: 2 keeps every decision in
/// `[[decisions]]`; version 1 (one `[decision]`) is still read.
pub const SCHEMA_VERSION: u32 = 2;

/// The oldest record format this build reads.
pub const OLDEST_SCHEMA_VERSION: u32 = 1;

/// An ODS organisation or site code as the schema states it: 3 or 5 capital letters
/// or digits (`is_ods_code`).
const ODS_PATTERN: &str = "^[A-Z0-9]{3}([A-Z0-9]{2})?$";

/// One provider service's record.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Commissioner Requested Services designation record")]
// A record keeps its decisions in one form: [decision] (version 1) or [[decisions]].
#[schemars(extend("not" = { "required": ["decision", "decisions"] }))]
pub struct Record {
    /// Record format version: 2 (every decision kept in [[decisions]]), or 1 (one
    /// [decision]; crs migrate upgrades it).
    #[schemars(range(min = OLDEST_SCHEMA_VERSION, max = SCHEMA_VERSION))]
    pub schema_version: u32,
    /// The designation framework the stages were assessed under, e.g. "monitor-2013".
    pub framework: String,
    /// The ids this record had before `crs move` (a merger or a new ODS code), oldest
    /// first; the log follows them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_ids: Vec<String>,
    /// The team's own reference for the service (e.g. "CRS-02"), kept beside the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_id: Option<String>,
    /// Free text the team keeps with the record: comments from its spreadsheet, say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub service: Service,
    pub provider: Provider,
    pub commissioner: Commissioner,
    /// Step 1 of the process: the long-term outcome sought for the local population.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The framework's stages, keyed by stage name (e.g. alternative_provision).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stages: BTreeMap<String, Stage>,
    /// The one decision of a version 1 record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// Every decision, oldest first (version 2); the last one governs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Review>,
    /// Where an imported record came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ImportSource>,
    /// Process events, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
}

/// The service the record is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// The service's name: one line of at most 200 characters.
    #[schemars(length(min = 1, max = 200), regex(pattern = r"\S"))]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// NHS Data Dictionary treatment function codes, three digits each (e.g. "501").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(regex(pattern = "^[0-9]{3}$")))]
    pub treatment_functions: Vec<String>,
    /// ODS site codes where the service is provided (e.g. "RJ122").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(regex(pattern = ODS_PATTERN)))]
    pub sites: Vec<String>,
    /// Sites written as names, where no ODS site code is known (e.g. "St Thomas'
    /// Hospital").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub site_names: Vec<String>,
    /// True for a Location Specific Service: one a foundation trust in special
    /// administration must keep running (NHS Act 2006 s65DA). Not a general "stays
    /// on this site" flag; only foundation trusts have such services.
    #[serde(default)]
    pub location_specific: bool,
}

/// The organisation providing the service.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// ODS code; also the record's folder.
    #[schemars(regex(pattern = ODS_PATTERN))]
    pub ods: String,
    /// The provider's name as at designation: one line of at most 200 characters.
    #[schemars(length(min = 1, max = 200), regex(pattern = r"\S"))]
    pub name: String,
    pub kind: ProviderKind,
    pub licence: Licence,
}

/// What kind of organisation a provider is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    FoundationTrust,
    NhsTrust,
    Independent,
    Other,
}

/// The provider's NHS provider licence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Licence {
    Licensed,
    Unlicensed,
    Applied,
    Exempt,
}

/// The commissioner this record speaks for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Commissioner {
    /// ODS code, e.g. QKK.
    #[schemars(regex(pattern = ODS_PATTERN))]
    pub ods: String,
    /// The commissioner's name: one line of at most 200 characters.
    #[schemars(length(min = 1, max = 200), regex(pattern = r"\S"))]
    pub name: String,
    /// E-mail address for questions about this designation.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contact: String,
    /// ODS codes of other commissioners buying the same service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(inner(regex(pattern = ODS_PATTERN)))]
    pub co_commissioners: Vec<String>,
}

/// The long-term outcome sought.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub long_term: String,
}

/// One stage of the framework, assessed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub met: bool,
    /// Why the stage is met or not; empty when none was recorded (an imported yes or
    /// no), which crs check warns of.
    #[serde(default)]
    pub rationale: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    pub assessed_on: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessed_by: Option<String>,
}

/// The commissioner's decision.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub outcome: DecisionOutcome,
    /// Grounds relied on, as the framework names them (e.g. "no-alternative-provider").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grounds: Vec<String>,
    pub decided_on: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// Board minute or other reference for the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The provider as it was when the decision was made, kept once the record's
    /// [provider] has changed (crs move: a new ODS code, name or kind). A decision
    /// without it was made with the record's [provider].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<DecisionProvider>,
    /// The commissioner that made the decision, kept once the register's
    /// [commissioner] has been succeeded (crs succeed: an ICB merger). A decision
    /// without it was made by the record's [commissioner], the one responsible now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commissioner: Option<DecisionCommissioner>,
}

/// The commissioner that made a decision: its ODS code and name on that day. It must
/// have been open on the day of the decision; the one responsible now may differ.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionCommissioner {
    /// ODS code then, e.g. QMJ.
    #[schemars(regex(pattern = ODS_PATTERN))]
    pub ods: String,
    /// The commissioner's name then.
    pub name: String,
}

/// The provider a decision was made with: its ODS code, name and kind on that day.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionProvider {
    /// ODS code then, e.g. RJ1.
    #[schemars(regex(pattern = ODS_PATTERN))]
    pub ods: String,
    /// The provider's name then.
    pub name: String,
    pub kind: ProviderKind,
}

/// What was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionOutcome {
    Designate,
    DoNotDesignate,
    /// A review kept the designation.
    Confirm,
    Remove,
}

/// The spreadsheet an imported record came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportSource {
    pub imported_from: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    /// How many of the record's first decisions the spreadsheet gave; the decisions
    /// after them were recorded in crs. Absent in records imported before crs kept
    /// the count: then every decision counts as imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decisions: Option<u32>,
}

/// When the designation is next to be reviewed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub next_due: Date,
}

/// A dated step of the process.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The day of the step; when `date_known` is false, the latest day it can have
    /// happened.
    pub on: Date,
    pub kind: EventKind,
    /// False when no one recorded the day of the step (a spreadsheet's status implied
    /// it): every output then says "by D (day not recorded)".
    #[serde(default = "known", skip_serializing_if = "is_known")]
    pub date_known: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn known() -> bool {
    true
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if takes a reference
fn is_known(known: &bool) -> bool {
    *known
}

impl Event {
    /// A step on a known day.
    pub fn dated(on: Date, kind: EventKind, note: Option<String>) -> Event {
        Event { on, kind, date_known: true, note }
    }

    /// The step's day as a sentence ends: "on 1 March 2020", or "by 1 March 2020 (day
    /// not recorded)" when only the latest day it can have happened is known.
    pub fn when_in_words(&self) -> String {
        match self.date_known {
            true => format!("on {}", self.on.in_words()),
            false => format!("by {} (day not recorded)", self.on.in_words()),
        }
    }

    /// The step's day as a cell or a list writes it: "2020-03-01", or "by 2020-03-01
    /// (day not recorded)".
    pub fn day_text(&self) -> String {
        match self.date_known {
            true => self.on.to_string(),
            false => format!("by {} (day not recorded)", self.on),
        }
    }
}

/// The kinds of process event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    ProvidersNotified,
    PublicEngagement,
    WrittenRequestSent,
    ProviderAccepted,
    ProviderRefused,
    ReferredToRegulator,
    RefusalFoundUnreasonable,
    RefusalFoundReasonable,
    LicenceRequested,
    ReviewRequested,
    /// The commissioner decided not to review a designation a provider asked it to
    /// review; the note says why.
    ReviewDeclined,
    ReviewStarted,
    ReviewCompleted,
    ProviderNotifiedOfRemoval,
    Submitted,
    /// The commissioner assessed that its duty to involve the public was not engaged
    /// by the decision; the note says why.
    InvolvementNotEngaged,
}

impl EventKind {
    /// Every kind, in the order the process usually meets them.
    pub const ALL: [EventKind; 16] = [
        EventKind::ProvidersNotified,
        EventKind::PublicEngagement,
        EventKind::InvolvementNotEngaged,
        EventKind::WrittenRequestSent,
        EventKind::ProviderAccepted,
        EventKind::ProviderRefused,
        EventKind::ReferredToRegulator,
        EventKind::RefusalFoundUnreasonable,
        EventKind::RefusalFoundReasonable,
        EventKind::LicenceRequested,
        EventKind::ReviewRequested,
        EventKind::ReviewDeclined,
        EventKind::ReviewStarted,
        EventKind::ReviewCompleted,
        EventKind::ProviderNotifiedOfRemoval,
        EventKind::Submitted,
    ];

    /// The kind as records and the command line write it.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ProvidersNotified => "providers-notified",
            EventKind::PublicEngagement => "public-engagement",
            EventKind::WrittenRequestSent => "written-request-sent",
            EventKind::ProviderAccepted => "provider-accepted",
            EventKind::ProviderRefused => "provider-refused",
            EventKind::ReferredToRegulator => "referred-to-regulator",
            EventKind::RefusalFoundUnreasonable => "refusal-found-unreasonable",
            EventKind::RefusalFoundReasonable => "refusal-found-reasonable",
            EventKind::LicenceRequested => "licence-requested",
            EventKind::ReviewRequested => "review-requested",
            EventKind::ReviewDeclined => "review-declined",
            EventKind::ReviewStarted => "review-started",
            EventKind::ReviewCompleted => "review-completed",
            EventKind::ProviderNotifiedOfRemoval => "provider-notified-of-removal",
            EventKind::Submitted => "submitted",
            EventKind::InvolvementNotEngaged => "involvement-not-engaged",
        }
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EventKind {
    type Err = String;

    fn from_str(text: &str) -> Result<EventKind, String> {
        parse_named(text, &EventKind::ALL, |k| k.as_str(), "an event kind")
    }
}

impl DecisionOutcome {
    /// The outcome as records write it.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionOutcome::Designate => "designate",
            DecisionOutcome::DoNotDesignate => "do-not-designate",
            DecisionOutcome::Confirm => "confirm",
            DecisionOutcome::Remove => "remove",
        }
    }

    /// The decision as people read it: "decision to designate", "decision not to
    /// designate", "decision to remove the designation". Codes stay for JSON and files.
    pub fn in_words(self) -> &'static str {
        match self {
            DecisionOutcome::Designate => "decision to designate",
            DecisionOutcome::DoNotDesignate => "decision not to designate",
            DecisionOutcome::Confirm => "decision to keep the designation",
            DecisionOutcome::Remove => "decision to remove the designation",
        }
    }

    /// The decision in two words: "designation", "confirmation", "removal",
    /// "decision not to designate".
    pub fn short_name(self) -> &'static str {
        match self {
            DecisionOutcome::Designate => "designation",
            DecisionOutcome::DoNotDesignate => "decision not to designate",
            DecisionOutcome::Confirm => "confirmation",
            DecisionOutcome::Remove => "removal",
        }
    }

    /// True when the decision needs every stage of the framework assessed; a decision
    /// not to designate rests on the stages that could give a ground finding none.
    pub fn needs_every_stage(self) -> bool {
        self != DecisionOutcome::DoNotDesignate
    }
}

impl ProviderKind {
    /// Every kind, in the order the help lists them.
    pub const ALL: [ProviderKind; 4] = [
        ProviderKind::FoundationTrust,
        ProviderKind::NhsTrust,
        ProviderKind::Independent,
        ProviderKind::Other,
    ];

    /// The kind as people read it: "an NHS foundation trust".
    pub fn in_words(self) -> &'static str {
        match self {
            ProviderKind::FoundationTrust => "an NHS foundation trust",
            ProviderKind::NhsTrust => "an NHS trust",
            ProviderKind::Independent => "an independent provider",
            ProviderKind::Other => "another kind of organisation",
        }
    }

    /// The kind as records write it.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::FoundationTrust => "foundation-trust",
            ProviderKind::NhsTrust => "nhs-trust",
            ProviderKind::Independent => "independent",
            ProviderKind::Other => "other",
        }
    }
}

impl std::str::FromStr for ProviderKind {
    type Err = String;

    fn from_str(text: &str) -> Result<ProviderKind, String> {
        parse_named(text, &ProviderKind::ALL, |k| k.as_str(), "a provider kind")
    }
}

impl std::str::FromStr for Licence {
    type Err = String;

    fn from_str(text: &str) -> Result<Licence, String> {
        parse_named(text, &Licence::ALL, |k| k.as_str(), "a licence state")
    }
}

impl Licence {
    /// Every licence state.
    pub const ALL: [Licence; 4] = [Licence::Licensed, Licence::Unlicensed, Licence::Applied, Licence::Exempt];

    /// The licence state as records write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Licence::Licensed => "licensed",
            Licence::Unlicensed => "unlicensed",
            Licence::Applied => "applied",
            Licence::Exempt => "exempt",
        }
    }
}

impl Record {
    /// Reads a record from TOML text.
    pub fn from_toml(text: &str) -> Result<Record, toml::de::Error> {
        toml::from_str(text)
    }

    /// The first event of `kind`, if any.
    pub fn first_event(&self, kind: EventKind) -> Option<&Event> {
        self.events.iter().find(|e| e.kind == kind)
    }

    /// The last event of `kind`, if any.
    pub fn last_event(&self, kind: EventKind) -> Option<&Event> {
        self.events.iter().rev().find(|e| e.kind == kind)
    }

    /// The stage `key` as the record writes it, in either spelling, and its assessment.
    pub fn stage(&self, key: &str) -> Option<(&str, &Stage)> {
        self.stages.iter().find(|(k, _)| same_stage_key(k, key)).map(|(k, s)| (k.as_str(), s))
    }

    /// Every decision, oldest first: the `[[decisions]]` of version 2, or the one
    /// `[decision]` of version 1.
    pub fn decisions(&self) -> &[Decision] {
        if self.decisions.is_empty() { self.decision.as_slice() } else { &self.decisions }
    }

    /// The decision that governs: the last one.
    pub fn current_decision(&self) -> Option<&Decision> {
        self.decisions().last()
    }

    /// The current decision's outcome, if decided.
    pub fn outcome(&self) -> Option<DecisionOutcome> {
        self.current_decision().map(|d| d.outcome)
    }

    /// The decision that removed the designation: the governing decision, when it is
    /// a removal. Its own day, maker and reference, never the designation's.
    pub fn removal(&self) -> Option<&Decision> {
        self.current_decision().filter(|d| d.outcome == DecisionOutcome::Remove)
    }

    /// The last decision to designate, with its index: the designation a
    /// confirmation or a removal speaks of.
    pub fn designation(&self) -> Option<(usize, &Decision)> {
        self.decisions().iter().enumerate().rev().find(|(_, d)| d.outcome == DecisionOutcome::Designate)
    }

    /// The commissioner that made `decision` and the one responsible now, when they
    /// differ (a succession since): "NHS North Central London ICB, now NHS North
    /// London ICB". `None` when the decision was made by the one responsible now.
    pub fn made_by_then(&self, decision: &Decision) -> Option<String> {
        let then = decision.commissioner.as_ref().filter(|c| c.ods != self.commissioner.ods)?;
        Some(format!("{}, now {}", then.name.trim(), self.commissioner.name.trim()))
    }

    /// The key path of decision `index`, as `crs check` points at it:
    /// `decisions[2]` (version 2) or `decision` (version 1).
    pub fn decision_key(&self, index: usize) -> String {
        if self.decisions.is_empty() { "decision".to_owned() } else { format!("decisions[{index}]") }
    }

    /// The record in version 2's shape: every decision in `decisions`.
    pub fn normalized(&self) -> Record {
        let mut record = self.clone();
        if let Some(decision) = record.decision.take() {
            record.decisions.insert(0, decision);
        }
        record.schema_version = SCHEMA_VERSION;
        record
    }

    /// The record as it stood at the end of `day`, by the dates of its decisions and
    /// events: what was in force then (the second clock, `--in-force-on`).
    pub fn as_on(&self, day: Date) -> Record {
        let mut then = self.clone();
        if then.decisions.is_empty() {
            then.decision = then.decision.filter(|d| d.decided_on <= day);
        } else {
            then.decisions.retain(|d| d.decided_on <= day);
        }
        then.events.retain(|e| e.on <= day);
        then
    }
}
