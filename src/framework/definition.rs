//! `Framework`: a designation framework as data — its stages, grounds, dated rules
//! and the severity of each check rule. The built-in one is compiled in from
//! `schema/frameworks/`; a register may bring its own file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::framework::finding::{Rule, Severity};
use crate::model::Date;
use crate::model::record::{Licence, ProviderKind, same_stage_key, stage_name};
use crate::model::settings::DEFAULT_FRAMEWORK;

/// Built-in frameworks: name and TOML text.
const BUILT_IN: &[(&str, &str)] =
    &[("monitor-2013", include_str!("../../schema/frameworks/monitor-2013.toml"))];

/// A designation framework.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub id: String,
    pub title: String,
    /// What of this definition is confirmed from public guidance.
    #[serde(default)]
    pub confirmed: String,
    /// What a designation rests on in law, as the framework cites it.
    #[serde(default, alias = "statute")]
    pub legal_basis: String,
    pub grounds: Vec<GroundDef>,
    pub stages: Vec<StageDef>,
    pub dates: DatedRules,
    pub rules: BTreeMap<String, RuleDef>,
}

/// A ground on which a service can be designated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroundDef {
    pub key: String,
    pub title: String,
    /// Its column heading in the submission spreadsheet.
    pub column: String,
}

/// A stage of the framework.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageDef {
    /// The key under `[stages]` in a record.
    pub key: String,
    pub number: u32,
    pub title: String,
    pub question: String,
    pub weighs: String,
    /// The ground this stage supports when met; none for a judgement stage, which a
    /// designation needs met.
    #[serde(default)]
    pub ground: Option<String>,
}

impl StageDef {
    /// The stage's name as people read and type it: `alternative-provision`.
    pub fn name(&self) -> String {
        stage_name(&self.key)
    }
}

/// The regime's dated rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatedRules {
    pub foundation_trust_transitional_until: Date,
    #[serde(default)]
    pub nhs_trust_exempt_from: Option<Date>,
    #[serde(default)]
    pub nhs_trust_exempt_until: Option<Date>,
    /// The day NHS trusts came to hold the provider licence: designations of their
    /// services from then on are unconfirmed rather than exempt.
    #[serde(default)]
    pub nhs_trust_licensed_from: Option<Date>,
    pub written_request_response_days: u32,
}

impl DatedRules {
    /// The licence an NHS provider of `kind` held on `day`, when the law settles it:
    /// a foundation trust is always licensed; an NHS trust was exempt (licence-exemption
    /// regulations, reg 4) until NHS trusts were licensed. `None` for other providers,
    /// whose licence is a fact to be asked for.
    pub fn licence_on(&self, kind: ProviderKind, day: Date) -> Option<Licence> {
        match kind {
            ProviderKind::FoundationTrust => Some(Licence::Licensed),
            ProviderKind::NhsTrust => Some(match self.nhs_trust_licensed_from {
                Some(from) if day < from => Licence::Exempt,
                _ => Licence::Licensed,
            }),
            ProviderKind::Independent | ProviderKind::Other => None,
        }
    }
}

/// A rule's setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub severity: Level,
    pub summary: String,
    /// What the rule rests on.
    #[serde(default)]
    pub basis: Basis,
    /// The citation: the statute, guidance or setting the rule comes from.
    #[serde(default)]
    pub source: String,
}

/// What a rule rests on: the law, guidance, NHS Digital's data, the register's own
/// files, or a setting of this register (never to be told as law).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    #[default]
    Record,
    Ods,
    Statute,
    Guidance,
    Setting,
}

impl Basis {
    /// The basis as people read it.
    pub fn in_words(self) -> &'static str {
        match self {
            Basis::Record => "the register's own format",
            Basis::Ods => "NHS Digital's organisation data",
            Basis::Statute => "statute",
            Basis::Guidance => "guidance",
            Basis::Setting => "a setting of this register, not law",
        }
    }
}

/// A rule's severity, or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Note,
    Off,
}

/// Why a framework definition cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FrameworkError {
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    #[error("{0}")]
    Invalid(String),
}

impl Framework {
    /// The built-in framework called `name`.
    pub fn built_in(name: &str) -> Option<Framework> {
        BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| Framework::from_toml(text).expect("built-in framework is valid (tested)"))
    }

    /// The built-in framework a register is kept under unless it names another.
    pub fn default_built_in() -> Framework {
        Framework::built_in(DEFAULT_FRAMEWORK).expect("the default framework is built in (tested)")
    }

    /// Names of the built-in frameworks.
    pub fn built_in_names() -> impl Iterator<Item = &'static str> {
        BUILT_IN.iter().map(|(n, _)| *n)
    }

    /// Reads and checks a framework definition.
    pub fn from_toml(text: &str) -> Result<Framework, FrameworkError> {
        let framework: Framework = toml::from_str(text)?;
        framework.validate()?;
        Ok(framework)
    }

    fn validate(&self) -> Result<(), FrameworkError> {
        let invalid = |m: String| Err(FrameworkError::Invalid(m));
        for name in self.rules.keys() {
            if Rule::from_name(name).is_none() {
                return invalid(format!("[rules] names '{name}', which is not a rule of crs check"));
            }
        }
        for rule in Rule::ALL {
            if !self.rules.contains_key(rule.name()) {
                return invalid(format!("[rules] has no entry for rule '{}'", rule.name()));
            }
        }
        for stage in &self.stages {
            if let Some(ground) = &stage.ground
                && self.ground(ground).is_none()
            {
                return invalid(format!(
                    "stage '{}' supports ground '{ground}', which [[grounds]] does not define",
                    stage.key
                ));
            }
        }
        if self.stages.is_empty() {
            return invalid("a framework needs at least one stage".to_owned());
        }
        for (i, stage) in self.stages.iter().enumerate() {
            if self.stages[..i].iter().any(|s| s.key == stage.key || s.number == stage.number) {
                return invalid(format!(
                    "stage {} '{}' repeats the key or number of an earlier stage",
                    stage.number, stage.key
                ));
            }
        }
        if self.dates.written_request_response_days > 3650 {
            return invalid(format!(
                "written_request_response_days is {}; a response window is days or weeks, at most 3650",
                self.dates.written_request_response_days
            ));
        }
        Ok(())
    }

    /// The severity findings of `rule` get, or `None` when the rule is off.
    pub fn severity(&self, rule: Rule) -> Option<Severity> {
        match self.rules.get(rule.name()).map(|r| r.severity) {
            Some(Level::Error) | None => Some(Severity::Error),
            Some(Level::Warning) => Some(Severity::Warning),
            Some(Level::Note) => Some(Severity::Note),
            Some(Level::Off) => None,
        }
    }

    /// The one-line summary of `rule`.
    pub fn summary(&self, rule: Rule) -> &str {
        self.rules.get(rule.name()).map_or("", |r| r.summary.as_str())
    }

    /// What `rule` rests on, and its citation.
    pub fn basis(&self, rule: Rule) -> (Basis, &str) {
        self.rules.get(rule.name()).map_or((Basis::Record, ""), |r| (r.basis, r.source.as_str()))
    }

    /// The ground called `key`.
    pub fn ground(&self, key: &str) -> Option<&GroundDef> {
        self.grounds.iter().find(|g| g.key == key)
    }

    /// The stage with key `key`, in either spelling (`alternative_provision` or
    /// `alternative-provision`).
    pub fn stage(&self, key: &str) -> Option<&StageDef> {
        self.stages.iter().find(|s| same_stage_key(&s.key, key))
    }

    /// The stage a user means by `name`: its number (`1`) or its name, in either
    /// spelling (`alternative-provision` or `alternative_provision`).
    pub fn stage_by_name(&self, name: &str) -> Option<&StageDef> {
        let number = name.trim().parse::<u32>().ok();
        self.stages.iter().find(|s| number == Some(s.number) || same_stage_key(&s.key, name))
    }

    /// Every stage as people read it, numbered: `1 alternative-provision, 2 …`.
    pub fn stage_list(&self) -> String {
        self.stages.iter().map(|s| format!("{} {}", s.number, s.name())).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_frameworks_are_valid_and_cover_every_rule() {
        for name in Framework::built_in_names() {
            let text = BUILT_IN.iter().find(|(n, _)| *n == name).unwrap().1;
            let fw = Framework::from_toml(text).unwrap();
            assert_eq!(fw.id, name);
            for rule in Rule::ALL {
                assert!(!fw.summary(*rule).is_empty(), "{rule} has no summary");
                assert!(!fw.basis(*rule).1.is_empty(), "{rule} cites no source");
            }
        }
    }

    #[test]
    fn an_nhs_trust_was_licence_exempt_until_1_april_2023_and_a_foundation_trust_never() {
        let dates = Framework::default_built_in().dates;
        let day = |text: &str| text.parse::<Date>().unwrap();
        assert_eq!(dates.licence_on(ProviderKind::NhsTrust, day("2023-03-31")), Some(Licence::Exempt));
        assert_eq!(dates.licence_on(ProviderKind::NhsTrust, day("2023-04-01")), Some(Licence::Licensed));
        assert_eq!(
            dates.licence_on(ProviderKind::FoundationTrust, day("2014-01-01")),
            Some(Licence::Licensed)
        );
        assert_eq!(dates.licence_on(ProviderKind::Independent, day("2026-01-01")), None);
    }

    #[test]
    fn monitor_2013_has_four_stages_and_three_grounds() {
        let fw = Framework::default_built_in();
        assert_eq!(fw.stages.len(), 4);
        assert_eq!(fw.grounds.len(), 3);
        assert_eq!(fw.stage_by_name("1").unwrap().key, "alternative_provision");
        assert_eq!(fw.stage_by_name("health-inequalities").unwrap().number, 2);
        assert_eq!(fw.stage_by_name("health_inequalities").unwrap().number, 2);
        assert_eq!(fw.stage_by_name("Interdependencies").unwrap().number, 3);
        assert_eq!(
            fw.stage_list(),
            "1 alternative-provision, 2 health-inequalities, 3 interdependencies, 4 proportionality"
        );
        assert!(fw.stage_by_name("5").is_none());
        assert_eq!(fw.dates.written_request_response_days, 28);
    }

    #[test]
    fn unknown_rule_name_is_refused() {
        let text = BUILT_IN[0].1.replace("duplicate-service =", "duplicate-services =");
        let err = Framework::from_toml(&text).unwrap_err().to_string();
        assert!(err.contains("duplicate-services"), "{err}");
    }
}
