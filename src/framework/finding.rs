//! `Finding`: one thing wrong with the register, as every report and exit code sees
//! it; and `Rule`, the stable names findings are filed under.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};

/// How bad a finding is. Errors fail `crs check`; warnings fail it only with `--strict`;
/// notes never fail it and are shown only with `--verbose`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! rules {
    ($($variant:ident => $name:literal,)+) => {
        /// A rule of `crs check`. Names are a contract: scripts and CI filter on them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $($variant,)+
        }

        impl Rule {
            /// Every rule, in the order reports and the README list them.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)+];

            /// The rule's stable, hyphenated name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Rule::$variant => $name,)+
                }
            }
        }
    };
}

rules! {
    ParseError => "parse-error",
    MergeConflict => "merge-conflict",
    NotAFile => "not-a-file",
    Schema => "schema",
    PathMismatch => "path-mismatch",
    OdsFormat => "ods-format",
    OdsUnknown => "ods-unknown",
    OdsClosed => "ods-closed",
    OdsSucceeded => "ods-succeeded",
    OdsNameChanged => "ods-name-changed",
    ProviderKindMismatch => "provider-kind-mismatch",
    OutOfScope => "out-of-scope",
    StageMissing => "stage-missing",
    AssessmentNotRecorded => "assessment-not-recorded",
    RationaleNotRecorded => "rationale-not-recorded",
    NoGroundMet => "no-ground-met",
    GroundsMismatch => "grounds-mismatch",
    GroundsFewerThanMet => "grounds-fewer-than-met",
    ReassessedOutsideReview => "reassessed-outside-review",
    ProportionalityNotMet => "proportionality-not-met",
    NhsTrustExempt => "nhs-trust-exempt",
    NhsTrustUnconfirmed => "nhs-trust-unconfirmed",
    LocationSpecificNotFt => "location-specific-not-ft",
    FtTransitional => "ft-transitional",
    UnlicensedProvider => "unlicensed-provider",
    FoundationTrustLicenceExempt => "foundation-trust-licence-exempt",
    EventOrder => "event-order",
    RequestUnanswered => "request-unanswered",
    ReviewOverdue => "review-overdue",
    ReviewDateMissing => "review-date-missing",
    ReviewRequested => "review-requested",
    NoPublicInvolvement => "no-public-involvement",
    DuplicateService => "duplicate-service",
    CoCommissionerDuplicate => "co-commissioner-duplicate",
}

impl Rule {
    /// The rule named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.name() == name)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// What a rule says about one record, before it is placed in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub rule: Rule,
    /// Where in the record: a dotted key path such as `decision.grounds`,
    /// `stages.proportionality` or `events[2]`; empty for the whole file.
    pub key: String,
    pub message: String,
}

impl Hit {
    pub fn new(rule: Rule, key: impl Into<String>, message: impl Into<String>) -> Hit {
        Hit { rule, key: key.into(), message: message.into() }
    }
}

/// One finding of `crs check`, placed in a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    /// The record id, when the file names one.
    pub record: Option<String>,
    /// Path relative to the register root, with `/` separators.
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl Finding {
    /// Orders findings by file, position, then rule, so reports are stable.
    pub fn sort_key(&self) -> (&str, usize, usize, Rule) {
        (&self.file, self.line.unwrap_or(0), self.column.unwrap_or(0), self.rule)
    }
}

/// Which findings a report shows: those of the rules named (all when none are) at
/// the severity named (both when none is). The exit status follows what is shown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FindingFilter {
    pub rules: Vec<Rule>,
    pub severity: Option<Severity>,
}

impl FindingFilter {
    /// True when `finding` is one the report shows.
    pub fn keeps(&self, finding: &Finding) -> bool {
        (self.rules.is_empty() || self.rules.contains(&finding.rule))
            && self.severity.is_none_or(|s| s == finding.severity)
    }

    /// What the filter leaves out, in words, or `None` when it shows everything.
    pub fn describe(&self) -> Option<String> {
        let severity = self.severity.map(|s| format!("{s}s"));
        let rules = (!self.rules.is_empty()).then(|| {
            let names: Vec<&str> = self.rules.iter().map(|r| r.name()).collect();
            format!("of rule{} {}", if names.len() == 1 { "" } else { "s" }, names.join(", "))
        });
        match (severity, rules) {
            (None, None) => None,
            (Some(s), None) => Some(format!("only {s} are reported")),
            (None, Some(r)) => Some(format!("only findings {r} are reported")),
            (Some(s), Some(r)) => Some(format!("only {s} {r} are reported")),
        }
    }
}

/// How many findings each rule has, most first (then by rule name).
pub fn count_by_rule(findings: &[Finding]) -> Vec<(Rule, usize)> {
    let mut counts: BTreeMap<Rule, usize> = BTreeMap::new();
    for f in findings {
        *counts.entry(f.rule).or_default() += 1;
    }
    let mut counts: Vec<(Rule, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.name().cmp(b.0.name())));
    counts
}

/// Counts of a check, as the JSON summary reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub records: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    /// Counts `findings` over `records` records.
    pub fn of(records: usize, findings: &[Finding]) -> Summary {
        let count = |severity: Severity| findings.iter().filter(|f| f.severity == severity).count();
        Summary { records, errors: count(Severity::Error), warnings: count(Severity::Warning) }
    }
}
