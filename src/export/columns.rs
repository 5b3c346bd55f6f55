//! `Column`: the columns of the submission spreadsheet, as data. A built-in default
//! list follows DESIGN.md §5; a register may name its own list, in its own order, in
//! `crs.toml` (`[submission] columns = [...]`) to match the regulator's template.
//! Ground columns come from the framework, one yes/no column per ground.

use crate::framework::Framework;

/// One column of the designations sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
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
    Status,
    Decision,
    DecisionDate,
    DecidedBy,
    DecisionReference,
    WrittenRequestDate,
    ProviderResponse,
    ProviderResponseDate,
    ReviewDue,
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

/// The built-in column list, by name.
pub const DEFAULT_COLUMNS: &[&str] = &[
    "commissioner-code",
    "commissioner-name",
    "co-commissioners",
    "provider-code",
    "provider-name",
    "provider-kind",
    "service-name",
    "service-description",
    "treatment-functions",
    "sites",
    "location-specific",
    GROUNDS,
    "status",
    "decision-date",
    "written-request-date",
    "provider-response",
    "review-due",
    "contact",
    "record-id",
    "commit",
];

/// Every fixed column, with its name and heading.
const FIXED: &[(Column, &str, &str)] = &[
    (Column::CommissionerCode, "commissioner-code", "Commissioner ODS code"),
    (Column::CommissionerName, "commissioner-name", "Commissioner name"),
    (Column::CoCommissioners, "co-commissioners", "Co-commissioner ODS codes"),
    (Column::ProviderCode, "provider-code", "Provider ODS code"),
    (Column::ProviderName, "provider-name", "Provider name"),
    (Column::ProviderKind, "provider-kind", "Provider type"),
    (Column::ProviderLicence, "provider-licence", "Provider licence"),
    (Column::ServiceName, "service-name", "Service name"),
    (Column::ServiceDescription, "service-description", "Service description"),
    (Column::TreatmentFunctions, "treatment-functions", "Treatment function codes"),
    (Column::Sites, "sites", "Site ODS codes"),
    (Column::LocationSpecific, "location-specific", "Location specific"),
    (Column::Status, "status", "Status"),
    (Column::Decision, "decision", "Decision"),
    (Column::DecisionDate, "decision-date", "Decision date"),
    (Column::DecidedBy, "decided-by", "Decided by"),
    (Column::DecisionReference, "decision-reference", "Decision reference"),
    (Column::WrittenRequestDate, "written-request-date", "Written request date"),
    (Column::ProviderResponse, "provider-response", "Provider response"),
    (Column::ProviderResponseDate, "provider-response-date", "Provider response date"),
    (Column::ReviewDue, "review-due", "Review due"),
    (Column::LongTermOutcome, "long-term-outcome", "Long-term outcome sought"),
    (Column::Contact, "contact", "Contact"),
    (Column::RecordId, "record-id", "Record id"),
    (Column::File, "file", "File"),
    (Column::Commit, "commit", "Register commit"),
];

impl Column {
    /// The column's name: how `crs.toml` and the JSON and YAML exports call it.
    pub fn name(&self) -> String {
        match self {
            Column::Ground { key, .. } => format!("{GROUND_PREFIX}{key}"),
            fixed => FIXED
                .iter()
                .find(|(c, _, _)| c == fixed)
                .map_or_else(String::new, |(_, n, _)| (*n).to_owned()),
        }
    }

    /// The column's heading in the spreadsheet and the CSV.
    pub fn heading(&self) -> &str {
        match self {
            Column::Ground { heading, .. } => heading,
            fixed => FIXED.iter().find(|(c, _, _)| c == fixed).map_or("", |(_, _, h)| h),
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
    let mut names: Vec<String> = FIXED.iter().map(|(_, n, _)| (*n).to_owned()).collect();
    names.push(GROUNDS.to_owned());
    names.extend(framework.grounds.iter().map(|g| format!("{GROUND_PREFIX}{}", g.key)));
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
        } else if let Some(key) = name.strip_prefix(GROUND_PREFIX) {
            match framework.ground(key) {
                Some(g) => columns.push(ground(&g.key, &g.column)),
                None => unknown.push(name.to_owned()),
            }
        } else if let Some((column, _, _)) = FIXED.iter().find(|(_, n, _)| *n == name) {
            columns.push(column.clone());
        } else {
            unknown.push(name.to_owned());
        }
    }
    // A ground named both on its own and through "grounds" is a repeat too.
    let mut ground_seen = std::collections::BTreeSet::new();
    for column in &columns {
        if let Column::Ground { key, .. } = column
            && !ground_seen.insert(key.clone())
        {
            repeated.push(format!("{GROUND_PREFIX}{key}"));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn framework() -> Framework {
        Framework::built_in("monitor-2013").unwrap()
    }

    #[test]
    fn default_list_expands_grounds_from_the_framework() {
        let columns = resolve(&[], &framework()).unwrap();
        let names: Vec<String> = columns.iter().map(Column::name).collect();
        assert_eq!(names.len(), DEFAULT_COLUMNS.len() - 1 + 3);
        assert!(names.contains(&"ground:health-inequalities".to_owned()));
        let ground = columns.iter().find(|c| matches!(c, Column::Ground { .. })).unwrap();
        assert_eq!(ground.heading(), "Ground: no alternative provider");
    }

    #[test]
    fn every_fixed_column_has_a_unique_name_and_a_heading() {
        let mut names = std::collections::BTreeSet::new();
        for (column, name, heading) in FIXED {
            assert_eq!(&column.name(), name);
            assert!(!heading.is_empty());
            assert!(names.insert(*name), "{name} twice");
        }
    }

    #[test]
    fn unknown_and_repeated_names_are_all_reported() {
        let names: Vec<String> =
            ["record-id", "provider", "ground:nope", "record-id", "grounds", "ground:health-inequalities"]
                .map(String::from)
                .to_vec();
        let err = resolve(&names, &framework()).unwrap_err();
        assert_eq!(err.unknown, ["provider", "ground:nope"]);
        assert_eq!(err.repeated, ["record-id", "ground:health-inequalities"]);
        let message = err.to_string();
        assert!(
            message.contains("'provider'") && message.contains("known columns: commissioner-code"),
            "{message}"
        );
    }

    #[test]
    fn a_register_picks_and_orders_its_columns() {
        let names: Vec<String> =
            ["record-id", "ground:dependent-services", "status"].map(String::from).to_vec();
        let columns = resolve(&names, &framework()).unwrap();
        assert_eq!(columns.iter().map(Column::name).collect::<Vec<_>>(), names);
    }
}
