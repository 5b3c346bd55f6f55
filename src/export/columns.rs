//! `Column`: the columns of the submission spreadsheet, as data. A built-in default
//! list holds what the regulator reads of each service (section, record id,
//! provider, service, sites, co-commissioners, grounds, the decision to designate:
//! its day, who made it, the commissioner then if another is responsible now, its
//! minute, and the provider it was made with if the service has moved since; the days of the written request, the provider's answer and the next
//! review; the latest review that kept the designation, with its day, who decided
//! it and its minute; the removal, with its day, who removed it and on what minute;
//! contact), printed two A3 pages across; the stage assessments have a sheet of their own. A register may name its
//! own list, in its own order, in `crs.toml` (`[submission] columns = [...]`) to
//! match the regulator's template. Ground columns come from the framework, one
//! yes/no column per ground, and so do stage columns, met or not and the rationale
//! for each stage. Each column has a name (for `crs.toml`, JSON and YAML), a heading
//! and a meaning (for the workbook's Notes sheet).

use crate::framework::Framework;
use crate::framework::definition::StageDef;
pub(crate) use crate::model::keys::json_key;
use crate::model::record::stage_name;

/// One column of the designations sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    /// In force, pending or removed: the part of the submission the row belongs to.
    Section,
    CommissionerCode,
    CommissionerName,
    CoCommissioners,
    ProviderCode,
    ProviderName,
    ProviderKind,
    ProviderLicence,
    ServiceName,
    ServiceDescription,
    TreatmentFunctions,
    Sites,
    LocationSpecific,
    /// Yes when the decision relies on this ground of the framework.
    Ground {
        key: String,
        heading: String,
    },
    /// Yes when this stage of the framework was met, no when not, empty when not
    /// assessed.
    StageMet {
        key: String,
        heading: String,
    },
    /// The rationale recorded for this stage.
    StageRationale {
        key: String,
        heading: String,
    },
    Status,
    StatusCode,
    Decision,
    DecisionDate,
    DecidedBy,
    /// The commissioner that made that decision, when a merger has since made
    /// another responsible; empty when the one responsible now made it.
    DecisionCommissioner,
    DecisionReference,
    /// The provider the designation in the row was decided with, when the service has
    /// moved since to another provider code or name (crs move, crs succeed: a trust
    /// merger); empty when it was designated with the provider the row names.
    DesignatedWith,
    /// The day of the last decision to designate; empty when never designated.
    DesignationDate,
    WrittenRequestDate,
    ProviderResponse,
    ProviderResponseDate,
    /// The day the provider accepted the written request.
    AcceptanceDate,
    ReviewDue,
    /// The day of the latest review that kept the designation (a confirmation), who
    /// decided it and its reference; empty when no review has.
    ConfirmationDate,
    ConfirmedBy,
    ConfirmationReference,
    /// The day of the decision to remove the designation, who made it and its
    /// reference; empty unless the governing decision is a removal.
    RemovalDate,
    RemovedBy,
    RemovalReference,
    /// The day the provider was told the designation is removed; empty until then.
    RemovalNotified,
    LongTermOutcome,
    Contact,
    RecordId,
    File,
    Commit,
}

/// In `crs.toml`, this name stands for one column per ground of the framework.
pub const GROUNDS: &str = "grounds";

/// The prefix of one ground's column name: `ground:no-alternative-provider`.
pub const GROUND_PREFIX: &str = "ground:";

/// In `crs.toml`, this name stands for two columns per stage of the framework: met
/// or not, and the rationale.
pub const STAGES: &str = "stages";

/// The prefixes of one stage's columns: `stage-met:alternative-provision`,
/// `stage-rationale:alternative-provision`.
pub const STAGE_MET_PREFIX: &str = "stage-met:";
pub const STAGE_RATIONALE_PREFIX: &str = "stage-rationale:";

/// The built-in column list, by name.
pub const DEFAULT_COLUMNS: &[&str] = &[
    "section",
    // The record, its provider and service first: printed across pages, each page
    // repeats them.
    "record-id",
    "provider-name",
    "service-name",
    "provider-code",
    "status",
    "sites",
    // The commissioner is in every page's header and on the About sheet; a service
    // bought with others (NHS England and an ICB for a delegated specialised
    // service) names them here.
    "co-commissioners",
    GROUNDS,
    "designation-date",
    "decided-by",
    "decision-commissioner",
    "decision-reference",
    "designated-with",
    "written-request-date",
    "provider-response",
    "provider-response-date",
    "review-due",
    "confirmation-date",
    "confirmed-by",
    "confirmation-reference",
    "removal-date",
    "removal-notified",
    "removed-by",
    "removal-reference",
    "provider-kind",
    "contact",
];

/// A fixed column: its name (in `crs.toml`), heading (in the sheet) and meaning (on
/// the Notes sheet).
struct Fixed {
    column: Column,
    name: &'static str,
    heading: &'static str,
    meaning: &'static str,
}

/// Every fixed column.
const FIXED: &[Fixed] = &[
    Fixed {
        column: Column::Section,
        name: "section",
        heading: "Section",
        meaning: "In force (designated, or under review with the designation in place), pending (requested, refused or referred: not yet CRS) or removed (the designation removed; see the date removed).",
    },
    Fixed {
        column: Column::CommissionerCode,
        name: "commissioner-code",
        heading: "Commissioner ODS code",
        meaning: "The NHS Digital (ODS) code of the commissioner the register speaks for: for an ICB formed in 2022 three characters such as QKK; for an ICB formed by a merger since April 2026 five characters such as Z9B2Z.",
    },
    Fixed {
        column: Column::CommissionerName,
        name: "commissioner-name",
        heading: "Commissioner name",
        meaning: "The commissioner's name.",
    },
    Fixed {
        column: Column::CoCommissioners,
        name: "co-commissioners",
        heading: "Co-commissioner ODS codes",
        meaning: "Other commissioners buying the same service, by ODS code.",
    },
    Fixed {
        column: Column::ProviderCode,
        name: "provider-code",
        heading: "Provider ODS code",
        meaning: "The provider's ODS organisation code.",
    },
    Fixed {
        column: Column::ProviderName,
        name: "provider-name",
        heading: "Provider name",
        meaning: "The provider's name now; after a merger or a move to a new ODS code, the provider the service was designated with is in the Designated with column.",
    },
    Fixed {
        column: Column::ProviderKind,
        name: "provider-kind",
        heading: "Provider type",
        meaning: "NHS foundation trust, NHS trust, independent sector provider or other.",
    },
    Fixed {
        column: Column::ProviderLicence,
        name: "provider-licence",
        heading: "Provider licence",
        meaning: "Whether the provider holds the NHS provider licence.",
    },
    Fixed {
        column: Column::ServiceName,
        name: "service-name",
        heading: "Service name",
        meaning: "The service designated or considered.",
    },
    Fixed {
        column: Column::ServiceDescription,
        name: "service-description",
        heading: "Service description",
        meaning: "What the service is and where it is provided.",
    },
    Fixed {
        column: Column::TreatmentFunctions,
        name: "treatment-functions",
        heading: "Treatment function codes",
        meaning: "NHS Data Dictionary treatment function codes of the service (e.g. 501 obstetrics).",
    },
    Fixed {
        column: Column::Sites,
        name: "sites",
        heading: "Site ODS codes",
        meaning: "ODS codes of the sites where the service is provided.",
    },
    Fixed {
        column: Column::LocationSpecific,
        name: "location-specific",
        heading: "Location specific",
        meaning: "Yes for a Location Specific Service: one a foundation trust in special administration must keep running (NHS Act 2006 s65DA). It applies to foundation trusts only.",
    },
    Fixed {
        column: Column::Status,
        name: "status",
        heading: "Status",
        meaning: "Where the designation stands, derived from the decision and the events (see the statuses below).",
    },
    Fixed {
        column: Column::StatusCode,
        name: "status-code",
        heading: "Status code",
        meaning: "The status as crs writes it, for programs (e.g. under-review).",
    },
    Fixed {
        column: Column::Decision,
        name: "decision",
        heading: "Decision",
        meaning: "The commissioner's latest decision: designate, do not designate, keep the designation after a review, or remove it.",
    },
    Fixed {
        column: Column::DecisionDate,
        name: "decision-date",
        heading: "Decision date",
        meaning: "The day the service was designated, kept when a review confirms or a later decision removes it; for a service never designated, the day of the decision not to.",
    },
    Fixed {
        column: Column::DesignationDate,
        name: "designation-date",
        heading: "Date of decision to designate",
        meaning: "The day the commissioner decided to designate the service, kept when a review confirms it or a later decision removes it. For a pending service (requested, refused, referred) the designation is not in force: the provider has not accepted. Empty for a service never designated.",
    },
    Fixed {
        column: Column::DecidedBy,
        name: "decided-by",
        heading: "Decided by",
        meaning: "Who decided to designate (e.g. the ICB Board); for a service never designated, who decided not to.",
    },
    Fixed {
        column: Column::DecisionCommissioner,
        name: "decision-commissioner",
        heading: "Deciding commissioner",
        meaning: "The commissioner that made the decision in the Decided by column when another is responsible now, its designations carried over after a merger: \"NHS North Central London ICB (QMJ), now NHS North London ICB\"; its code and name are read back on import. Empty when the commissioner responsible now made it.",
    },
    Fixed {
        column: Column::DecisionReference,
        name: "decision-reference",
        heading: "Decision reference",
        meaning: "Board minute or other reference for the decision in the Decided by column.",
    },
    Fixed {
        column: Column::DesignatedWith,
        name: "designated-with",
        heading: "Designated with",
        meaning: "The provider the designation was decided with, by name and ODS code, when the service has moved since to another provider code or name (crs move, or crs succeed after a trust merger): \"South London Healthcare NHS Trust (RYQ)\". Empty when it was designated with the provider in the Provider columns, or never designated.",
    },
    Fixed {
        column: Column::WrittenRequestDate,
        name: "written-request-date",
        heading: "Written request date",
        meaning: "The day of the latest written request to the provider; the licence protections apply only after one.",
    },
    Fixed {
        column: Column::ProviderResponse,
        name: "provider-response",
        heading: "Provider response",
        meaning: "The provider's answer to the written request, and what the regulator found on a refusal.",
    },
    Fixed {
        column: Column::ProviderResponseDate,
        name: "provider-response-date",
        heading: "Provider response date",
        meaning: "The day the provider answered the written request, whether it accepted or refused; empty while it has not answered.",
    },
    Fixed {
        column: Column::AcceptanceDate,
        name: "acceptance-date",
        heading: "Date accepted",
        meaning: "The day the provider accepted the written request; empty until it does.",
    },
    Fixed {
        column: Column::ReviewDue,
        name: "review-due",
        heading: "Review due",
        meaning: "When the designation is next to be reviewed.",
    },
    Fixed {
        column: Column::ConfirmationDate,
        name: "confirmation-date",
        heading: "Review confirmed on",
        meaning: "The day of the decision of the latest review to keep the designation (a confirmation); empty when no review has.",
    },
    Fixed {
        column: Column::ConfirmedBy,
        name: "confirmed-by",
        heading: "Review confirmed by",
        meaning: "Who decided, on that review, to keep the designation.",
    },
    Fixed {
        column: Column::ConfirmationReference,
        name: "confirmation-reference",
        heading: "Review reference",
        meaning: "Board minute or other reference for the decision of that review to keep the designation.",
    },
    Fixed {
        column: Column::RemovalDate,
        name: "removal-date",
        heading: "Date removed",
        meaning: "The day the commissioner decided to remove the designation (the designation ends when the provider is told: 'Provider told of removal'); empty unless it was removed.",
    },
    Fixed {
        column: Column::RemovedBy,
        name: "removed-by",
        heading: "Removed by",
        meaning: "Who decided to remove the designation.",
    },
    Fixed {
        column: Column::RemovalReference,
        name: "removal-reference",
        heading: "Removal reference",
        meaning: "Board minute or other reference for the decision to remove the designation.",
    },
    Fixed {
        column: Column::RemovalNotified,
        name: "removal-notified",
        heading: "Provider told of removal",
        meaning: "The day the provider was told the designation is removed; empty until it is.",
    },
    Fixed {
        column: Column::LongTermOutcome,
        name: "long-term-outcome",
        heading: "Long-term outcome sought",
        meaning: "Step 1 of the process: the outcome sought for the local population.",
    },
    Fixed {
        column: Column::Contact,
        name: "contact",
        heading: "Contact",
        meaning: "Whom to ask about this designation.",
    },
    Fixed {
        column: Column::RecordId,
        name: "record-id",
        heading: "Record id",
        meaning: "The record's id in the register: provider ODS code / service.",
    },
    Fixed {
        column: Column::File,
        name: "file",
        heading: "File",
        meaning: "The record's file in the register.",
    },
    Fixed {
        column: Column::Commit,
        name: "commit",
        heading: "Register commit",
        meaning: "The git commit the row was read from.",
    },
];

/// The table's entry of a fixed column.
fn fixed_entry(column: &Column) -> Option<&'static Fixed> {
    FIXED.iter().find(|f| f.column == *column)
}

impl Column {
    /// The column's key in the JSON and YAML exports, from the one table of keys
    /// (see [`json_key`]).
    pub(crate) fn key(&self) -> String {
        json_key(&self.name())
    }

    /// The column's name: how `crs.toml` calls it.
    pub fn name(&self) -> String {
        match self {
            Column::Ground { key, .. } => format!("{GROUND_PREFIX}{key}"),
            Column::StageMet { key, .. } => format!("{STAGE_MET_PREFIX}{}", stage_name(key)),
            Column::StageRationale { key, .. } => format!("{STAGE_RATIONALE_PREFIX}{}", stage_name(key)),
            fixed => fixed_entry(fixed).map_or_else(String::new, |f| f.name.to_owned()),
        }
    }

    /// What the column holds, for the Notes sheet; ground and stage columns take
    /// theirs from the framework.
    pub fn meaning(&self, framework: &Framework) -> String {
        match self {
            Column::Ground { key, .. } => framework.ground(key).map_or_else(String::new, |g| {
                format!("Yes when the decision relies on this ground: {}.", g.title)
            }),
            Column::StageMet { key, .. } => framework.stage(key).map_or_else(String::new, |st| {
                format!(
                    "Stage {}: {} Yes when met, no when not, empty when not assessed.",
                    st.number, st.question
                )
            }),
            Column::StageRationale { key, .. } => framework
                .stage(key)
                .map_or_else(String::new, |st| format!("Stage {}: why it was judged met or not.", st.number)),
            fixed => fixed_entry(fixed).map_or_else(String::new, |f| f.meaning.to_owned()),
        }
    }

    /// The column's heading in the spreadsheet and the CSV.
    pub fn heading(&self) -> &str {
        match self {
            Column::Ground { heading, .. }
            | Column::StageMet { heading, .. }
            | Column::StageRationale { heading, .. } => heading,
            fixed => fixed_entry(fixed).map_or("", |f| f.heading),
        }
    }
}

/// Column names in `crs.toml` that crs does not know (or names given twice).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnError {
    pub unknown: Vec<String>,
    pub repeated: Vec<String>,
    /// Every name crs knows, for the message.
    pub known: Vec<String>,
}

impl std::fmt::Display for ColumnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let quoted = |names: &[String]| names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ");
        if !self.unknown.is_empty() {
            write!(f, "[submission] columns names unknown column(s) {}", quoted(&self.unknown))?;
        }
        if !self.repeated.is_empty() {
            let sep = if self.unknown.is_empty() { "[submission] columns names" } else { "; and names" };
            write!(f, "{sep} column(s) more than once: {}", quoted(&self.repeated))?;
        }
        write!(f, "; known columns: {}", self.known.join(", "))
    }
}

/// Every column name crs knows for `framework`, in the order of the help.
pub fn known_names(framework: &Framework) -> Vec<String> {
    let mut names: Vec<String> = FIXED.iter().map(|f| f.name.to_owned()).collect();
    names.push(GROUNDS.to_owned());
    names.extend(framework.grounds.iter().map(|g| format!("{GROUND_PREFIX}{}", g.key)));
    names.push(STAGES.to_owned());
    for stage in &framework.stages {
        names.push(format!("{STAGE_MET_PREFIX}{}", stage.name()));
        names.push(format!("{STAGE_RATIONALE_PREFIX}{}", stage.name()));
    }
    names
}

/// The columns named by `names` (the built-in list when empty), with ground columns
/// from `framework`.
pub fn resolve(names: &[String], framework: &Framework) -> Result<Vec<Column>, ColumnError> {
    let defaults: Vec<String>;
    let names = if names.is_empty() {
        defaults = DEFAULT_COLUMNS.iter().map(|n| (*n).to_owned()).collect();
        &defaults
    } else {
        names
    };
    let mut columns = Vec::new();
    let mut unknown = Vec::new();
    let mut repeated = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for name in names {
        let name = name.trim();
        if !seen.insert(name.to_owned()) {
            repeated.push(name.to_owned());
            continue;
        }
        if name == GROUNDS {
            columns.extend(framework.grounds.iter().map(|g| ground(&g.key, &g.column)));
        } else if name == STAGES {
            for stage in &framework.stages {
                columns.extend([stage_met(stage), stage_rationale(stage)]);
            }
        } else if let Some(stage) = name.strip_prefix(STAGE_MET_PREFIX) {
            match framework.stage_by_name(stage) {
                Some(st) => columns.push(stage_met(st)),
                None => unknown.push(name.to_owned()),
            }
        } else if let Some(stage) = name.strip_prefix(STAGE_RATIONALE_PREFIX) {
            match framework.stage_by_name(stage) {
                Some(st) => columns.push(stage_rationale(st)),
                None => unknown.push(name.to_owned()),
            }
        } else if let Some(key) = name.strip_prefix(GROUND_PREFIX) {
            match framework.ground(key) {
                Some(g) => columns.push(ground(&g.key, &g.column)),
                None => unknown.push(name.to_owned()),
            }
        } else if let Some(fixed) = FIXED.iter().find(|f| f.name == name) {
            columns.push(fixed.column.clone());
        } else {
            unknown.push(name.to_owned());
        }
    }
    // A ground or stage named both on its own and through "grounds" or "stages" is a
    // repeat too.
    let mut framework_seen = std::collections::BTreeSet::new();
    for column in &columns {
        if matches!(column, Column::Ground { .. } | Column::StageMet { .. } | Column::StageRationale { .. })
            && !framework_seen.insert(column.name())
        {
            repeated.push(column.name());
        }
    }
    if unknown.is_empty() && repeated.is_empty() {
        Ok(columns)
    } else {
        Err(ColumnError { unknown, repeated, known: known_names(framework) })
    }
}

fn ground(key: &str, heading: &str) -> Column {
    Column::Ground { key: key.to_owned(), heading: heading.to_owned() }
}

fn stage_met(stage: &StageDef) -> Column {
    Column::StageMet {
        key: stage.key.clone(),
        heading: format!("Stage {}: {}: met", stage.number, stage.title),
    }
}

fn stage_rationale(stage: &StageDef) -> Column {
    Column::StageRationale {
        key: stage.key.clone(),
        heading: format!("Stage {}: {}: rationale", stage.number, stage.title),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_list_expands_grounds_from_the_framework() {
        let columns = resolve(&[], &Framework::default_built_in()).unwrap();
        let names: Vec<String> = columns.iter().map(Column::name).collect();
        assert_eq!(names.len(), DEFAULT_COLUMNS.len() - 1 + 3);
        assert!(names.contains(&"ground:health-inequalities".to_owned()));
        assert!(names.contains(&"removal-date".to_owned()));
        let stages = resolve(&[STAGES.to_owned()], &Framework::default_built_in()).unwrap();
        let met = stages.iter().find(|c| matches!(c, Column::StageMet { .. })).unwrap();
        assert_eq!(met.heading(), "Stage 1: Alternative provision: met");
        let ground = columns.iter().find(|c| matches!(c, Column::Ground { .. })).unwrap();
        assert_eq!(ground.heading(), "Ground: no alternative provider");
    }

    #[test]
    fn every_fixed_column_has_a_unique_name_and_a_heading() {
        let mut names = std::collections::BTreeSet::new();
        for Fixed { column, name, heading, meaning } in FIXED {
            assert_eq!(&column.name(), name);
            assert!(!heading.is_empty() && !meaning.is_empty());
            assert!(names.insert(*name), "{name} twice");
        }
    }

    #[test]
    fn unknown_and_repeated_names_are_all_reported() {
        let names: Vec<String> =
            ["record-id", "provider", "ground:nope", "record-id", "grounds", "ground:health-inequalities"]
                .map(String::from)
                .to_vec();
        let err = resolve(&names, &Framework::default_built_in()).unwrap_err();
        assert_eq!(err.unknown, ["provider", "ground:nope"]);
        assert_eq!(err.repeated, ["record-id", "ground:health-inequalities"]);
        let message = err.to_string();
        assert!(
            message.contains("'provider'") && message.contains("known columns: section, commissioner-code"),
            "{message}"
        );
    }

    #[test]
    fn a_register_picks_and_orders_its_columns() {
        let names: Vec<String> =
            ["record-id", "ground:dependent-services", "status"].map(String::from).to_vec();
        let columns = resolve(&names, &Framework::default_built_in()).unwrap();
        assert_eq!(columns.iter().map(Column::name).collect::<Vec<_>>(), names);
    }
}
