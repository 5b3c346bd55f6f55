//! `OrgIndex`: every organisation known to a register, sorted by code, looked up by
//! binary search. Built once per command and shared read-only by the rules.

use std::sync::OnceLock;

use crate::orgs::kind::{KindSet, OdsKind};
use crate::orgs::name::normalise;
use crate::orgs::org::Org;

/// The organisations of the imported ODS files, sorted by code then kind.
#[derive(Clone, Debug, Default)]
pub struct OrgIndex {
    orgs: Vec<Org>,
    /// `key(code)` of each organisation, in the same order: a lookup searches
    /// this compact array (16 bytes an organisation, in cache) rather than chasing a
    /// pointer to a string at every step.
    keys: Vec<u128>,
    /// `normalise(name)` of each organisation, made the first time a record names
    /// it: the rules compare names without redoing the ODS side for every record,
    /// and organisations no record names cost nothing.
    names: Vec<OnceLock<String>>,
    kinds: KindSet,
    /// The successor links of ODS's succ file, sorted by predecessor code.
    successions: Vec<Succession>,
}

/// One link of ODS's successor file: `from` closed and `to` took it over, by law
/// on `on`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Succession {
    pub from: String,
    pub to: String,
    /// ODS's reason code or text, e.g. "S" for a statutory succession.
    pub reason: String,
    /// The legal date of the succession, when the file gives one.
    pub on: Option<crate::model::Date>,
}

impl PartialEq for OrgIndex {
    fn eq(&self, other: &OrgIndex) -> bool {
        self.orgs == other.orgs && self.successions == other.successions
    }
}

impl Eq for OrgIndex {}

/// How the rows of one kind changed between two indexes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindChanges {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
}

/// A code's first 16 bytes, packed so that keys sort as codes do.
fn key(code: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let code = code.as_bytes();
    let n = code.len().min(16);
    bytes[..n].copy_from_slice(&code[..n]);
    u128::from_be_bytes(bytes)
}

impl OrgIndex {
    /// An index of `orgs`, in any order.
    pub fn new(mut orgs: Vec<Org>) -> OrgIndex {
        if !orgs.is_sorted_by(|a, b| order(a) <= order(b)) {
            orgs.sort_by(|a, b| order(a).cmp(&order(b)));
        }
        let keys = orgs.iter().map(|o| key(&o.code)).collect();
        let names = orgs.iter().map(|_| OnceLock::new()).collect();
        let mut kinds = KindSet::default();
        orgs.iter().for_each(|o| kinds.insert(o.kind));
        OrgIndex { orgs, keys, names, kinds, successions: Vec::new() }
    }

    /// This index with ODS's successor links `successions`.
    pub fn with_successions(mut self, mut successions: Vec<Succession>) -> OrgIndex {
        successions.sort();
        successions.dedup();
        self.successions = successions;
        self
    }

    /// The successor ODS names for `code`, the latest when it names several.
    pub fn successor(&self, code: &str) -> Option<&Succession> {
        let start = self.successions.partition_point(|s| s.from.as_str() < code);
        self.successions[start..].iter().take_while(|s| s.from == code).max_by_key(|s| s.on)
    }

    /// Every organisation, sorted by code then kind.
    pub fn orgs(&self) -> &[Org] {
        &self.orgs
    }

    pub fn len(&self) -> usize {
        self.orgs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.orgs.is_empty()
    }

    /// The kinds of file with at least one organisation here.
    pub fn kinds(&self) -> KindSet {
        self.kinds
    }

    /// True when organisations of `kind` were imported.
    pub fn has_kind(&self, kind: OdsKind) -> bool {
        self.kinds.contains(kind)
    }

    /// Every organisation with `code`, one per kind that lists it.
    pub fn get(&self, code: &str) -> &[Org] {
        let range = self.range(code);
        &self.orgs[range]
    }

    /// The organisation with `code` among `kinds` (the first kind listing it wins),
    /// with its normalised name.
    pub fn find(&self, code: &str, kinds: &[OdsKind]) -> Option<(&Org, &str)> {
        let range = self.range(code);
        kinds.iter().find_map(|kind| {
            range.clone().find(|&i| self.orgs[i].kind == *kind).map(|i| {
                (&self.orgs[i], self.names[i].get_or_init(|| normalise(&self.orgs[i].name)).as_str())
            })
        })
    }

    /// The organisations of `kind`, in code order.
    pub fn of_kind(&self, kind: OdsKind) -> impl Iterator<Item = &Org> {
        self.orgs.iter().filter(move |o| o.kind == kind)
    }

    /// This index with every organisation of `kind` replaced by `orgs`.
    pub fn with_kind_replaced(&self, kind: OdsKind, orgs: Vec<Org>) -> OrgIndex {
        let kept = self.orgs.iter().filter(|o| o.kind != kind).cloned();
        OrgIndex::new(kept.chain(orgs).collect()).with_successions(self.successions.clone())
    }

    /// How the organisations of `kind` differ from those of `before`.
    pub fn changes_since(&self, before: &OrgIndex, kind: OdsKind) -> KindChanges {
        let old: Vec<&Org> = before.of_kind(kind).collect();
        let new: Vec<&Org> = self.of_kind(kind).collect();
        let mut changes = KindChanges::default();
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < new.len() {
            match (old.get(i), new.get(j)) {
                (Some(a), Some(b)) if a.code == b.code => {
                    changes.changed += usize::from(a != b);
                    i += 1;
                    j += 1;
                }
                (Some(a), Some(b)) if a.code < b.code => {
                    changes.removed += 1;
                    i += 1;
                }
                (Some(_), None) => {
                    changes.removed += 1;
                    i += 1;
                }
                _ => {
                    changes.added += 1;
                    j += 1;
                }
            }
        }
        changes
    }

    fn range(&self, code: &str) -> std::ops::Range<usize> {
        let wanted = key(code);
        let start = self.keys.partition_point(|k| *k < wanted);
        let end = start + self.keys[start..].partition_point(|k| *k == wanted);
        if code.len() < 16 {
            return start..end;
        }
        // Codes of 16 bytes or more share their key with longer codes that start alike.
        let within = &self.orgs[start..end];
        let first = within.partition_point(|o| o.code.as_str() < code);
        let last = first + within[first..].partition_point(|o| o.code == code);
        start + first..start + last
    }
}

fn order(org: &Org) -> (&str, OdsKind) {
    (&org.code, org.kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_codes_by_kind_in_role_order() {
        let index = OrgIndex::new(vec![
            Org::for_test("RJ2", OdsKind::Etr, "B"),
            Org::for_test("RJ1", OdsKind::Ets, "SITE"),
            Org::for_test("RJ1", OdsKind::Etr, "TRUST"),
            Org::for_test("QKK", OdsKind::Eccg, "ICB"),
        ]);
        assert_eq!(index.get("RJ1").len(), 2);
        assert_eq!(index.find("RJ1", &[OdsKind::Etr, OdsKind::Ephp]).unwrap().0.name, "TRUST");
        assert_eq!(index.find("RJ1", &[OdsKind::Ets]).unwrap().0.name, "SITE");
        assert!(index.find("RJ1", &[OdsKind::Eccg]).is_none());
        assert!(index.get("RJ0").is_empty());
        assert!(index.get("ZZZ").is_empty());
        assert_eq!(index.kinds().to_vec(), [OdsKind::Etr, OdsKind::Ets, OdsKind::Eccg]);
    }

    #[test]
    fn codes_longer_than_a_key_are_told_apart() {
        let long = "ABCDEFGHIJKLMNOPQ";
        let index = OrgIndex::new(vec![
            Org::for_test(&format!("{long}2"), OdsKind::Etr, "TWO"),
            Org::for_test(&format!("{long}1"), OdsKind::Ets, "ONE SITE"),
            Org::for_test(&format!("{long}1"), OdsKind::Etr, "ONE"),
            Org::for_test(long, OdsKind::Etr, "BARE"),
        ]);
        assert_eq!(index.get(&format!("{long}1")).len(), 2);
        assert_eq!(index.find(&format!("{long}2"), &[OdsKind::Etr]).unwrap().0.name, "TWO");
        assert_eq!(index.find(long, &[OdsKind::Etr]).unwrap().0.name, "BARE");
        assert!(index.get(&format!("{long}3")).is_empty());
    }

    #[test]
    fn replacing_a_kind_keeps_the_others_and_counts_changes() {
        let before = OrgIndex::new(vec![
            Org::for_test("RJ1", OdsKind::Etr, "A"),
            Org::for_test("RJ2", OdsKind::Etr, "B"),
            Org::for_test("QKK", OdsKind::Eccg, "ICB"),
        ]);
        let after = before.with_kind_replaced(
            OdsKind::Etr,
            vec![
                Org::for_test("RJ1", OdsKind::Etr, "A"),
                Org::for_test("RJ2", OdsKind::Etr, "B2"),
                Org::for_test("RJZ", OdsKind::Etr, "C"),
            ],
        );
        assert_eq!(after.len(), 4);
        assert!(after.has_kind(OdsKind::Eccg));
        assert_eq!(
            after.changes_since(&before, OdsKind::Etr),
            KindChanges { added: 1, changed: 1, removed: 0 }
        );
        let emptied = after.with_kind_replaced(OdsKind::Etr, vec![Org::for_test("RJ1", OdsKind::Etr, "A")]);
        assert_eq!(
            emptied.changes_since(&after, OdsKind::Etr),
            KindChanges { added: 0, changed: 0, removed: 2 }
        );
    }
}
