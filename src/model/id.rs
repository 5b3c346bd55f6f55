//! Record ids (`RJ1/maternity`) and ODS organisation codes: the only names from
//! which crs derives paths, so they are checked before any file is touched.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Largest record crs reads.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// The repository path of `register_path` in a register at `prefix` (the register's
/// folder in its repository, `/`-separated; empty at the top).
pub fn path_below(prefix: &str, register_path: &str) -> String {
    if prefix.is_empty() { register_path.to_owned() } else { format!("{prefix}/{register_path}") }
}

/// Longest service slug allowed in a record id.
pub const MAX_SLUG_LEN: usize = 64;

/// True when `code` has the shape of an ODS code: 3 or 5 upper-case letters or digits.
pub fn is_ods_code(code: &str) -> bool {
    matches!(code.len(), 3 | 5) && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// True when `slug` is a service slug: lower-case `[a-z0-9-]`, at most 64 characters,
/// not starting or ending with a hyphen.
pub fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= MAX_SLUG_LEN
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// True when `name` is a name Windows reserves for a device (`con`, `nul`, `aux`,
/// `prn`, `com1`–`com9`, `lpt1`–`lpt9`, in any case): a file or folder of that name,
/// even with `.toml` after it, cannot be created or checked out there. Both parts of
/// a record id name a path, so both are checked against it.
pub fn is_reserved_on_windows(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let numbered = |prefix: &str| {
        lower.strip_prefix(prefix).is_some_and(|n| n.len() == 1 && matches!(n.as_bytes()[0], b'1'..=b'9'))
    };
    matches!(lower.as_str(), "con" | "nul" | "aux" | "prn") || numbered("com") || numbered("lpt")
}

/// `<PROVIDER-ODS>/<service-slug>`, e.g. `RJ1/maternity`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordId {
    provider: String,
    slug: String,
}

/// Why a string is not a record id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("record id '{0}' must look like PROVIDER/service, e.g. RJ1/maternity")]
    Shape(String),
    #[error("'{0}' in record id is not an ODS code: 3 or 5 capital letters or digits, e.g. RJ1 or G6V2S")]
    Provider(String),
    #[error(
        "'{0}' in record id is not a service slug: use a-z, 0-9 and '-', at most 64 characters, e.g. maternity or emergency-department"
    )]
    Slug(String),
    #[error(
        "'{0}' in record id is a name Windows keeps for a device, so the record's file could not be checked out there; name the service in words, e.g. {0}-service"
    )]
    Reserved(String),
    #[error(
        "'{0}' in record id is a name Windows keeps for a device, so the provider's folder could not be checked out there; give the provider's ODS code"
    )]
    ReservedProvider(String),
}

impl RecordId {
    /// Builds an id from its two parts, checking both.
    pub fn new(provider: &str, slug: &str) -> Result<RecordId, IdError> {
        if !is_ods_code(provider) {
            return Err(IdError::Provider(provider.to_owned()));
        }
        if is_reserved_on_windows(provider) {
            return Err(IdError::ReservedProvider(provider.to_owned()));
        }
        if !is_slug(slug) {
            return Err(IdError::Slug(slug.to_owned()));
        }
        if is_reserved_on_windows(slug) {
            return Err(IdError::Reserved(slug.to_owned()));
        }
        Ok(RecordId { provider: provider.to_owned(), slug: slug.to_owned() })
    }

    /// The provider's ODS code, which is also the record's folder.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The service slug, which is also the record's file stem.
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// The record's path relative to the register root: `RJ1/maternity.toml`.
    pub fn relative_path(&self) -> PathBuf {
        PathBuf::from(&self.provider).join(format!("{}.toml", self.slug))
    }

    /// The same path with `/` separators on every platform, as git and reports name it.
    pub fn relative_path_string(&self) -> String {
        format!("{}/{}.toml", self.provider, self.slug)
    }
}

impl FromStr for RecordId {
    type Err = IdError;

    fn from_str(text: &str) -> Result<RecordId, IdError> {
        let trimmed = text.strip_suffix(".toml").unwrap_or(text);
        match trimmed.split_once('/') {
            Some((provider, slug)) if !slug.contains('/') => RecordId::new(provider, slug),
            _ => Err(IdError::Shape(text.to_owned())),
        }
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.provider, self.slug)
    }
}

impl Serialize for RecordId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RecordId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<RecordId, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_ids() {
        let id: RecordId = "RJ1/maternity".parse().unwrap();
        assert_eq!(id.provider(), "RJ1");
        assert_eq!(id.relative_path_string(), "RJ1/maternity.toml");
        assert!("G6V2S/emergency-department".parse::<RecordId>().is_ok());
        assert!("RJ1/maternity.toml".parse::<RecordId>().is_ok());
    }

    #[test]
    fn rejects_ids_that_could_name_other_paths() {
        for bad in [
            "../etc/passwd",
            "RJ1/../x",
            "RJ1/..",
            "/RJ1/maternity",
            "RJ1/sub/maternity",
            "RJ1\\maternity",
            "rj1/maternity",
            "RJ1/Maternity",
            "RJ1/mat_ernity",
            "RJ1/",
            "RJ1",
            "",
            "RJ1/-x",
            "RJ1/mat ernity",
            "RJ1/maternité",
            "RJ1/maternity\0",
        ] {
            assert!(bad.parse::<RecordId>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn names_windows_reserves_are_refused() {
        for bad in ["RJ1/con", "RJ1/nul", "RJ1/aux", "RJ1/prn", "RJ1/com1", "RJ1/lpt9", "RJ1/com9.toml"] {
            assert_eq!(
                bad.parse::<RecordId>(),
                Err(IdError::Reserved(bad[4..].trim_end_matches(".toml").to_owned()))
            );
        }
        for good in ["RJ1/con-service", "RJ1/console", "RJ1/com10", "RJ1/com0", "RJ1/lpt", "RJ1/auxiliary"] {
            assert!(good.parse::<RecordId>().is_ok(), "{good}");
        }
        assert!(is_reserved_on_windows("COM3") && is_reserved_on_windows("Nul"));
        for bad in ["CON", "PRN", "AUX", "NUL"] {
            let id = format!("{bad}/maternity");
            assert_eq!(id.parse::<RecordId>(), Err(IdError::ReservedProvider(bad.to_owned())));
        }
    }

    #[test]
    fn slug_length_is_bounded() {
        assert!(is_slug(&"a".repeat(64)));
        assert!(!is_slug(&"a".repeat(65)));
    }

    #[test]
    fn ods_code_shape() {
        assert!(is_ods_code("RJ1"));
        assert!(is_ods_code("G6V2S"));
        assert!(is_ods_code("08K"));
        assert!(!is_ods_code("RJ"));
        assert!(!is_ods_code("RJ12"));
        assert!(!is_ods_code("rj1"));
    }
}
