//! `Settings`: the register's `crs.toml` — whom the register speaks for, which
//! framework is in force, where the submission goes.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The settings file at the register root.
pub const SETTINGS_FILE: &str = "crs.toml";

/// The regulator's address for CRS register submissions.
pub const DEFAULT_SUBMISSION_ADDRESS: &str = "nhsi.crs@nhs.net";

/// The contents of `crs.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Settings format version; 1.
    #[serde(default = "one")]
    pub schema_version: u32,
    /// The commissioner this register speaks for.
    pub commissioner: RegisterCommissioner,
    /// The framework in force: a built-in name ("monitor-2013") or a path to a
    /// framework file, relative to the register root.
    #[serde(default = "default_framework")]
    pub framework: String,
    #[serde(default)]
    pub submission: Submission,
    #[serde(default)]
    pub orgs: Orgs,
}

/// Who the register speaks for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterCommissioner {
    pub ods: String,
    pub name: String,
    /// E-mail address the submission comes from and questions go to.
    pub contact: String,
}

/// Where and how the submission is sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    /// The regulator's address.
    #[serde(default = "default_address")]
    pub to: String,
    /// Spreadsheet columns, in order, by name; empty means the built-in list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
}

impl Default for Submission {
    fn default() -> Submission {
        Submission { to: default_address(), columns: Vec::new() }
    }
}

/// ODS organisation data used to check codes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Orgs {
    /// Extra ODS CSV files to read, relative to the register root.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<PathBuf>,
}

/// Why `address` is not a plain e-mail address (`local@domain`, ASCII, no spaces,
/// quotes, brackets or line breaks), or `Ok` when it is.
pub fn check_address(address: &str) -> Result<(), String> {
    const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~.-";
    let Some((local, domain)) = address.split_once('@') else {
        return Err(format!(
            "'{}' is not an e-mail address: it has no @",
            address.split_whitespace().collect::<Vec<_>>().join(" ")
        ));
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.chars().all(|c| c.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let domain_ok = domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if local_ok && domain_ok {
        Ok(())
    } else {
        Err(format!(
            "'{}' is not a plain e-mail address like crs@icb.example (ASCII letters, digits and . - _ + only, no spaces)",
            address.split_whitespace().collect::<Vec<_>>().join(" ").escape_debug()
        ))
    }
}

/// The framework a register is kept under unless crs.toml names another.
pub const DEFAULT_FRAMEWORK: &str = "monitor-2013";

fn one() -> u32 {
    1
}

fn default_framework() -> String {
    DEFAULT_FRAMEWORK.to_owned()
}

fn default_address() -> String {
    DEFAULT_SUBMISSION_ADDRESS.to_owned()
}

/// Longest commissioner name crs.toml may give: the longest name a record may hold,
/// since every new record copies it.
pub const MAX_NAME_CHARS: usize = 200;

impl Settings {
    /// Reads `crs.toml` text.
    pub fn from_toml(text: &str) -> Result<Settings, toml::de::Error> {
        toml::from_str(text)
    }

    /// The first value that cannot be right, by key path, and why; `None` when all
    /// are. `crs init` checks what it is given with this before it writes anything.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        let c = &self.commissioner;
        if self.schema_version != 1 {
            return Some((
                "schema_version",
                format!("schema_version is {}; this crs reads version 1", self.schema_version),
            ));
        }
        if !crate::model::id::is_ods_code(&c.ods) {
            return Some((
                "commissioner.ods",
                format!("'{}' is not an ODS code: 3 or 5 capital letters or digits, e.g. QKK", c.ods),
            ));
        }
        for (key, value) in [("commissioner.contact", &c.contact), ("submission.to", &self.submission.to)] {
            if let Err(message) = check_address(value) {
                return Some((key, format!("{key}: {message}")));
            }
        }
        if c.name.trim().is_empty() || c.name.contains(char::is_control) {
            return Some((
                "commissioner.name",
                "the commissioner's name must be one line of text, without tabs or control characters"
                    .to_owned(),
            ));
        }
        if c.name.chars().count() > MAX_NAME_CHARS {
            return Some((
                "commissioner.name",
                format!(
                    "the commissioner's name is {} characters long; keep it under {MAX_NAME_CHARS}",
                    c.name.chars().count()
                ),
            ));
        }
        if self.framework.trim().is_empty() {
            return Some((
                "framework",
                "framework is empty; name a built-in framework (monitor-2013) or a file".to_owned(),
            ));
        }
        None
    }
}
