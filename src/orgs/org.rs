//! `Org`: one organisation as an ODS file lists it — code, name, region, parent,
//! postcode, open and close dates — and what crs reads from it (Welsh or English,
//! NHS trust or foundation trust, open on a given day).

use serde::Serialize;

use crate::model::{Date, ProviderKind};
use crate::orgs::kind::OdsKind;
use crate::orgs::name::title_case;

/// One organisation of an ODS file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Org {
    pub code: String,
    pub kind: OdsKind,
    /// The name as ODS writes it (upper case).
    pub name: String,
    /// National grouping (column 3): an NHS England region such as Y56, or W00 for Wales.
    pub region: String,
    /// The organisation above this one: the parent organisation code (column 15)
    /// where ODS gives one, as it does for sites; otherwise the high-level health
    /// geography (column 4), which for a trust is its ICB or region.
    pub parent: String,
    pub postcode: String,
    pub opened: Option<Date>,
    /// The day it closed; `None` while it is open.
    pub closed: Option<Date>,
    /// Government office region letter (column 24); W is Wales.
    pub gor: String,
}

impl Org {
    /// True for a Welsh organisation: national grouping W00, or (as current files
    /// write Welsh trusts, with no grouping) government office region W.
    pub fn is_welsh(&self) -> bool {
        self.region == "W00" || self.gor == "W"
    }

    /// True when the name says it is a foundation trust.
    pub fn is_foundation_trust(&self) -> bool {
        const FT: &[u8] = b"NHS FOUNDATION TRUST";
        self.name.as_bytes().windows(FT.len()).any(|w| w.eq_ignore_ascii_case(FT))
    }

    /// The provider kind ODS implies: from the file for independent providers, from
    /// the name for trusts; `None` for kinds that are not providers.
    pub fn provider_kind(&self) -> Option<ProviderKind> {
        match self.kind {
            OdsKind::Etr if self.is_foundation_trust() => Some(ProviderKind::FoundationTrust),
            OdsKind::Etr => Some(ProviderKind::NhsTrust),
            OdsKind::Ephp => Some(ProviderKind::Independent),
            _ => None,
        }
    }

    /// True when it had closed on or before `day`.
    pub fn closed_by(&self, day: Date) -> bool {
        self.closed.is_some_and(|closed| closed <= day)
    }

    /// The name in title case, as a record would write it.
    pub fn display_name(&self) -> String {
        title_case(&self.name)
    }

    /// An English organisation open since 1 April 1993, under QKK in region Y56, for
    /// unit tests to build on.
    #[cfg(test)]
    pub(crate) fn for_test(code: &str, kind: OdsKind, name: &str) -> Org {
        Org {
            code: code.into(),
            kind,
            name: name.into(),
            region: "Y56".into(),
            parent: "QKK".into(),
            postcode: String::new(),
            opened: Date::from_ymd(1993, 4, 1),
            closed: None,
            gor: "H".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(kind: OdsKind, name: &str) -> Org {
        Org::for_test("RJ1", kind, name)
    }

    #[test]
    fn provider_kind_comes_from_the_file_and_the_name() {
        let ft = org(OdsKind::Etr, "GUY'S AND ST THOMAS' NHS FOUNDATION TRUST");
        assert_eq!(ft.provider_kind(), Some(ProviderKind::FoundationTrust));
        assert_eq!(
            org(OdsKind::Etr, "LEWISHAM AND GREENWICH NHS TRUST").provider_kind(),
            Some(ProviderKind::NhsTrust)
        );
        assert_eq!(
            org(OdsKind::Ephp, "SPIRE HEALTHCARE LIMITED").provider_kind(),
            Some(ProviderKind::Independent)
        );
        assert_eq!(org(OdsKind::Ets, "ST THOMAS' HOSPITAL").provider_kind(), None);
    }

    #[test]
    fn welsh_by_grouping_or_region_letter() {
        let mut o = org(OdsKind::Etr, "VELINDRE NHS TRUST");
        assert!(!o.is_welsh());
        o.region = "W00".into();
        assert!(o.is_welsh());
        o.region = String::new();
        o.gor = "W".into();
        assert!(o.is_welsh());
    }

    #[test]
    fn closed_on_the_day_counts_as_closed() {
        let mut o = org(OdsKind::Etr, "X");
        let day = Date::from_ymd(2009, 3, 31).unwrap();
        assert!(!o.closed_by(day));
        o.closed = Some(day);
        assert!(o.closed_by(day));
        assert!(!o.closed_by(day.plus_days(-1).unwrap()));
    }
}
