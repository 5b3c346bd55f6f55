//! `OdsKind`: which NHS Digital ODS file an organisation comes from (`etr`, `ets`,
//! `ephp`, `ephpsite`, `eccg`), recognised from a file's name, and the role the codes
//! of each kind can play in a record.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// NHS Digital's ODS data downloads page, where the ODS files are published. The
/// one place crs holds the address.
pub const ODS_DOWNLOADS: &str =
    "https://digital.nhs.uk/services/organisation-data-service/export-data-files/csv-downloads";

/// Which ODS file is which and where to get them, for hints: `the ODS files,
/// etr.csv (NHS trusts), …, are on NHS Digital's ODS data downloads page, https://…`
/// (the address last, so that no punctuation sticks to it).
pub fn where_to_get_ods_files() -> String {
    let files: Vec<String> = OdsKind::ALL.iter().map(|k| format!("{k}.csv ({})", k.lists())).collect();
    format!("the ODS files, {}, are on {}", files.join(", "), downloads_page())
}

/// `NHS Digital's ODS data downloads page, https://…`.
pub fn downloads_page() -> String {
    format!("NHS Digital's ODS data downloads page, {ODS_DOWNLOADS}")
}

/// An ODS file kind. The order is the order reports list them in.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
#[value(rename_all = "lowercase")]
pub enum OdsKind {
    /// NHS trusts and foundation trusts.
    Etr,
    /// Sites of NHS trusts.
    Ets,
    /// Independent sector healthcare providers.
    Ephp,
    /// Sites of independent sector healthcare providers.
    Ephpsite,
    /// Commissioners: clinical commissioning groups, since July 2022 sub-ICB locations.
    Eccg,
    /// Other NHS organisations, integrated care boards (QKK, QMF, …) among them.
    Eother,
}

impl OdsKind {
    /// Every kind.
    pub const ALL: [OdsKind; 6] =
        [OdsKind::Etr, OdsKind::Ets, OdsKind::Ephp, OdsKind::Ephpsite, OdsKind::Eccg, OdsKind::Eother];

    /// The kind as ODS names its file (`etr` for `etr.csv`).
    pub fn as_str(self) -> &'static str {
        match self {
            OdsKind::Etr => "etr",
            OdsKind::Ets => "ets",
            OdsKind::Ephp => "ephp",
            OdsKind::Ephpsite => "ephpsite",
            OdsKind::Eccg => "eccg",
            OdsKind::Eother => "eother",
        }
    }

    /// What the whole file lists, for people choosing which to download.
    pub fn lists(self) -> &'static str {
        match self {
            OdsKind::Etr => "NHS trusts",
            OdsKind::Ets => "NHS trust sites",
            OdsKind::Ephp => "independent providers",
            OdsKind::Ephpsite => "independent provider sites",
            OdsKind::Eccg => "sub-ICB locations, formerly CCGs",
            OdsKind::Eother => "other NHS organisations, ICBs among them",
        }
    }

    /// What the file lists, for people.
    pub fn describe(self) -> &'static str {
        match self {
            OdsKind::Etr => "NHS trust",
            OdsKind::Ets => "NHS trust site",
            OdsKind::Ephp => "independent sector provider",
            OdsKind::Ephpsite => "independent sector provider site",
            OdsKind::Eccg => "clinical commissioning group or sub-ICB location",
            OdsKind::Eother => "other NHS organisation",
        }
    }

    /// The kind of the ODS file at `path`, from its name: the letters its name starts
    /// with (`etr.csv`, `etr-2015.csv`, `ETR.CSV` are all `etr`).
    pub fn from_file_name(path: &Path) -> Option<OdsKind> {
        let name = path.file_name()?.to_str()?;
        let letters: String =
            name.chars().take_while(char::is_ascii_alphabetic).map(|c| c.to_ascii_lowercase()).collect();
        letters.parse().ok()
    }
}

impl fmt::Display for OdsKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OdsKind {
    type Err = String;

    fn from_str(text: &str) -> Result<OdsKind, String> {
        OdsKind::ALL.into_iter().find(|k| k.as_str() == text).ok_or_else(|| {
            format!("'{text}' is not an ODS file kind; the kinds are {}", kind_list(&OdsKind::ALL))
        })
    }
}

/// A set of kinds, small enough to keep one per record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindSet(u8);

impl KindSet {
    pub fn insert(&mut self, kind: OdsKind) {
        self.0 |= 1 << kind as u8;
    }

    pub fn contains(self, kind: OdsKind) -> bool {
        self.0 & (1 << kind as u8) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Both sets together.
    pub fn union(self, other: KindSet) -> KindSet {
        KindSet(self.0 | other.0)
    }

    /// The kinds in the set, in `OdsKind::ALL` order.
    pub fn to_vec(self) -> Vec<OdsKind> {
        OdsKind::ALL.into_iter().filter(|k| self.contains(*k)).collect()
    }
}

/// `etr, ets and eccg`: kinds as a sentence lists them.
pub fn kind_list(kinds: &[OdsKind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// The part a code plays in a record, which decides the ODS files it is looked up in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Provider,
    Site,
    Commissioner,
}

impl Role {
    /// The kinds that list organisations in this role, most likely first.
    pub fn kinds(self) -> &'static [OdsKind] {
        match self {
            Role::Provider => &[OdsKind::Etr, OdsKind::Ephp],
            Role::Site => &[OdsKind::Ets, OdsKind::Ephpsite],
            Role::Commissioner => &[OdsKind::Eccg, OdsKind::Eother],
        }
    }

    /// The one kind that should list `code` in this role, given the kinds
    /// `imported`: independent sector codes start with N, NHS ones do not. A
    /// commissioner's code says nothing of its kind (ICBs of 2022 are QKK, merged ICBs
    /// of 2026 are Z9B2Z, CCGs 08K or W2U3Z), so it is looked for in the first
    /// commissioner file not imported. Only used to tell whether a code could have
    /// been checked at all: what a code is comes from looking it up.
    pub fn expected_kind(self, code: &str, imported: KindSet) -> OdsKind {
        let independent = code.starts_with('N');
        match self {
            Role::Provider if independent => OdsKind::Ephp,
            Role::Provider => OdsKind::Etr,
            Role::Site if independent => OdsKind::Ephpsite,
            Role::Site => OdsKind::Ets,
            Role::Commissioner => [OdsKind::Eother, OdsKind::Eccg]
                .into_iter()
                .find(|kind| !imported.contains(*kind))
                .unwrap_or(OdsKind::Eother),
        }
    }

    /// The role as a message names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Provider => "provider",
            Role::Site => "site",
            Role::Commissioner => "commissioner",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_comes_from_the_leading_letters_of_the_name() {
        let kind = |name: &str| OdsKind::from_file_name(Path::new(name));
        assert_eq!(kind("etr.csv"), Some(OdsKind::Etr));
        assert_eq!(kind("/data/ods/etr-2015.csv"), Some(OdsKind::Etr));
        assert_eq!(kind("EPHPSITE.CSV"), Some(OdsKind::Ephpsite));
        assert_eq!(kind("ephp.csv"), Some(OdsKind::Ephp));
        assert_eq!(kind("eccg_2024.csv"), Some(OdsKind::Eccg));
        assert_eq!(kind("trusts.csv"), None);
        assert_eq!(kind("etrx.csv"), None);
    }

    #[test]
    fn kind_sets_hold_each_kind_once() {
        let mut set = KindSet::default();
        assert!(set.is_empty());
        set.insert(OdsKind::Eother);
        set.insert(OdsKind::Ets);
        set.insert(OdsKind::Ets);
        assert_eq!(set.to_vec(), vec![OdsKind::Ets, OdsKind::Eother]);
        let mut other = KindSet::default();
        other.insert(OdsKind::Etr);
        assert_eq!(set.union(other).to_vec(), vec![OdsKind::Etr, OdsKind::Ets, OdsKind::Eother]);
    }

    #[test]
    fn lists_read_as_sentences() {
        assert_eq!(kind_list(&[OdsKind::Etr]), "etr");
        assert_eq!(kind_list(&[OdsKind::Etr, OdsKind::Ets, OdsKind::Eccg]), "etr, ets and eccg");
    }
}
