//! The three-way merge of a record by meaning, as git's merge driver for records
//! does it: two versions changed from a common one are merged field by field, not
//! line by line. Pure: text in, text out; no disk, no rules (the caller checks the
//! merged record with the one checker).
//!
//! A field changed on one side takes that side's value; changed the same way on both,
//! it is taken once; changed two ways, it is a conflict. The items of `events` and
//! `decisions` (and the ids of `previous_ids`) added on either side are all kept,
//! one added identically on both sides once, in date order; an item changed on one
//! side takes the change. The merged text keeps our version's comments and layout
//! (toml_edit), with what came from their side written as they wrote it. A conflict
//! is written as both versions of the record, git's markers around the lines where
//! they differ: just the fields in conflict, so a person keeps one value, deletes
//! the marker lines and the record reads again (`markers.rs` writes and reads them).

use std::collections::BTreeMap;

use toml::Value;

use crate::model::fields::{Aligned, align, flatten_table, same_item};
use crate::model::{EventKind, Record};
use crate::register::layout::write;
use crate::register::markers::conflict_text;

/// A field the two sides changed, each its own way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Conflict {
    /// Its dotted key path: `service.description`, `events[3].note`, `review`.
    pub field: String,
    /// Our value, as the log shows values; `None` when our side removed it.
    pub ours: Option<String>,
    /// Their value; `None` when their side removed it.
    pub theirs: Option<String>,
}

impl Conflict {
    /// The conflict in words: "service.description changed on both sides (ours:
    /// "A"; theirs: "B")".
    pub(crate) fn in_words(&self) -> String {
        if self.field == "decisions" {
            return format!(
                "different decisions added on both sides (ours: {}; theirs: {})",
                self.ours.as_deref().unwrap_or_default(),
                self.theirs.as_deref().unwrap_or_default()
            );
        }
        let value =
            |v: &Option<String>| v.as_ref().map_or_else(|| "removed".to_owned(), |v| format!("\"{v}\""));
        format!(
            "{} changed on both sides (ours: {}; theirs: {})",
            self.field,
            value(&self.ours),
            value(&self.theirs)
        )
    }
}

/// What merging three versions of a record gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Merge {
    /// Every change of both sides: the merged record's text.
    Clean(String),
    /// Fields changed two ways: both versions with markers around those fields.
    Conflicted { text: String, conflicts: Vec<Conflict> },
    /// A version that is not a record (or no common version: added on both sides),
    /// so nothing can be merged by meaning: both versions with markers around every
    /// line where they differ, and why.
    Unmergeable { text: String, reason: String },
}

/// Which side a conflict is settled to, to write each side's version of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Ours,
    Theirs,
}

/// Merges `ours` and `theirs`, both changed from `base`.
pub(crate) fn merge(base: &str, ours: &str, theirs: &str) -> Merge {
    if base.trim().is_empty() {
        return unmergeable(ours, theirs, "the record was added on both sides, differently".to_owned());
    }
    let mut read = Vec::with_capacity(3);
    for (text, name) in [(base, "the common version"), (ours, "our version"), (theirs, "their version")] {
        match parse(text) {
            Ok(table) => read.push(table),
            Err(why) => return unmergeable(ours, theirs, format!("{name} is not a record ({why})")),
        }
    }
    let [b, o, t] = [&read[0], &read[1], &read[2]];
    let (merged, conflicts) = merged_table(b, o, t, Side::Ours);
    let text = write(ours, o, &merged, theirs, t);
    if conflicts.is_empty() {
        return Merge::Clean(text);
    }
    let (their_merged, _) = merged_table(b, o, t, Side::Theirs);
    let their_text = write(ours, o, &their_merged, theirs, t);
    Merge::Conflicted { text: conflict_text(&text, &their_text), conflicts }
}

/// Both versions, markers around the lines where they differ, and why.
fn unmergeable(ours: &str, theirs: &str, reason: String) -> Merge {
    Merge::Unmergeable { text: conflict_text(ours, theirs), reason }
}

/// A version's TOML, when it is a record.
fn parse(text: &str) -> Result<toml::Table, String> {
    let table = text.parse::<toml::Table>().map_err(|e| e.message().trim().to_owned())?;
    Record::from_toml(text).map_err(|e| e.message().trim().to_owned())?;
    Ok(table)
}

/// The merged record as data, with each conflict settled to `side`; and the
/// conflicts.
fn merged_table(
    b: &toml::Table,
    o: &toml::Table,
    t: &toml::Table,
    side: Side,
) -> (toml::Table, Vec<Conflict>) {
    let mut merger = Merger { side, conflicts: Vec::new() };
    let table = merger.table("", Some(b), o, t);
    (table, merger.conflicts)
}

struct Merger {
    side: Side,
    conflicts: Vec<Conflict>,
}

impl Merger {
    /// One value at `path`, from its three versions (`None` where it is absent).
    fn value(
        &mut self,
        path: &str,
        b: Option<&Value>,
        o: Option<&Value>,
        t: Option<&Value>,
    ) -> Option<Value> {
        if o == t || b == t {
            return o.cloned();
        }
        if b == o {
            return t.cloned();
        }
        let top = !path.contains(['.', '[']);
        match (b, o, t) {
            // An event, a decision or a stage's assessment is one fact: two versions
            // of it are one conflict, never merged field by field.
            _ if is_one_fact(path) => self.conflict(path, o, t),
            (b, Some(Value::Table(ot)), Some(Value::Table(tt))) if b.is_none_or(Value::is_table) => {
                Some(Value::Table(self.table(path, b.and_then(Value::as_table), ot, tt)))
            }
            _ if top && [b, o, t].iter().all(|v| v.is_none_or(is_list_of_tables)) => {
                Some(Value::Array(self.list(path, items(b), items(o), items(t))))
            }
            _ if path == "previous_ids" && [b, o, t].iter().all(|v| v.is_none_or(Value::is_array)) => {
                Some(Value::Array(union(items(b), items(o), items(t))))
            }
            _ => self.conflict(path, o, t),
        }
    }

    /// A table, key by key.
    fn table(
        &mut self,
        path: &str,
        b: Option<&toml::Table>,
        o: &toml::Table,
        t: &toml::Table,
    ) -> toml::Table {
        let mut keys: Vec<&String> =
            o.keys().chain(t.keys()).chain(b.into_iter().flat_map(|b| b.keys())).collect();
        keys.sort();
        keys.dedup();
        let mut out = toml::Table::new();
        for key in keys {
            let sub = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            if let Some(value) = self.value(&sub, b.and_then(|b| b.get(key)), o.get(key), t.get(key)) {
                out.insert(key.clone(), value);
            }
        }
        out
    }

    /// A list of tables: each item of the common version as the sides left it, and
    /// every item either side added, in date order.
    fn list(&mut self, path: &str, b: &[Value], o: &[Value], t: &[Value]) -> Vec<Value> {
        let (ours, theirs) = (item_states(b, o), item_states(b, t));
        let mut kept = Vec::with_capacity(b.len() + 1);
        for (i, base) in b.iter().enumerate() {
            let item = format!("{path}[{i}]");
            let value = match (ours.states[i], theirs.states[i]) {
                (State::Same, State::Same) => Some(base.clone()),
                (State::Same, State::Changed(k)) => Some(t[k].clone()),
                (State::Changed(j), State::Same) => Some(o[j].clone()),
                (State::Changed(j), State::Changed(k)) => {
                    self.value(&item, Some(base), Some(&o[j]), Some(&t[k]))
                }
                (State::Removed, State::Same | State::Removed) | (State::Same, State::Removed) => None,
                (State::Removed, State::Changed(k)) => self.conflict(&item, None, Some(&t[k])),
                (State::Changed(j), State::Removed) => self.conflict(&item, Some(&o[j]), None),
            };
            kept.extend(value);
        }
        let mut added: Vec<Value> = ours.added.iter().map(|j| o[*j].clone()).collect();
        let mut theirs_added: Vec<&Value> = theirs.added.iter().map(|k| &t[*k]).collect();
        // One added identically on both sides is one item.
        let mut twins = Vec::new();
        for item in &added {
            if let Some(twin) = theirs_added.iter().position(|v| *v == item) {
                twins.push(theirs_added.remove(twin).clone());
            }
        }
        // Two people deciding differently at once (one confirms, one removes) is a
        // conflict: a designation cannot stand on both decisions.
        if path == "decisions" && added.len() > twins.len() && !theirs_added.is_empty() {
            let ours_only: Vec<Value> = added.iter().filter(|v| !twins.contains(v)).cloned().collect();
            let theirs_only: Vec<Value> = theirs_added.iter().map(|v| (*v).clone()).collect();
            self.conflicts.push(Conflict {
                field: path.to_owned(),
                ours: Some(decisions_in_words(&ours_only)),
                theirs: Some(decisions_in_words(&theirs_only)),
            });
            if self.side == Side::Theirs {
                added = twins.into_iter().chain(theirs_only).collect();
            }
            added.sort_by_cached_key(|v| (date_of(v), kind_rank(v), v.to_string()));
            return in_date_order(kept, added);
        }
        added.extend(theirs_added.into_iter().cloned());
        added.sort_by_cached_key(|v| (date_of(v), kind_rank(v), v.to_string()));
        in_date_order(kept, added)
    }

    /// A conflict at `path`, settled to this merger's side.
    fn conflict(&mut self, path: &str, o: Option<&Value>, t: Option<&Value>) -> Option<Value> {
        self.conflicts.push(Conflict { field: path.to_owned(), ours: o.map(shown), theirs: t.map(shown) });
        match self.side {
            Side::Ours => o.cloned(),
            Side::Theirs => t.cloned(),
        }
    }
}

/// Decisions as a conflict names them: "confirm on 2026-11-28 (BD/26/140)".
fn decisions_in_words(decisions: &[Value]) -> String {
    let one = |d: &Value| {
        let part = |key: &str| d.get(key).map(shown).unwrap_or_default();
        let reference = d.get("reference").map_or_else(String::new, |r| format!(" ({})", shown(r)));
        format!("{} on {}{reference}", part("outcome"), part("decided_on"))
    };
    decisions.iter().map(one).collect::<Vec<_>>().join("; ")
}

/// How each item of the common version stands on one side, and the side's new items.
struct ItemStates {
    states: Vec<State>,
    added: Vec<usize>,
}

#[derive(Clone, Copy)]
enum State {
    Same,
    Changed(usize),
    Removed,
}

/// One item of a list, compared by its value and likened by its fields (flattened
/// only when an item is likened: most items of a long list are simply equal).
struct ListItem<'v> {
    value: &'v Value,
    fields: std::cell::OnceCell<BTreeMap<String, String>>,
}

impl ListItem<'_> {
    fn fields(&self) -> &BTreeMap<String, String> {
        self.fields.get_or_init(|| self.value.as_table().map(flatten_table).unwrap_or_default())
    }
}

impl PartialEq for ListItem<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

fn listed(items: &[Value]) -> Vec<ListItem<'_>> {
    items.iter().map(|value| ListItem { value, fields: std::cell::OnceCell::new() }).collect()
}

fn item_states(base: &[Value], side: &[Value]) -> ItemStates {
    let (old, new) = (listed(base), listed(side));
    let mut out = ItemStates { states: vec![State::Removed; base.len()], added: Vec::new() };
    for aligned in align(&old, &new, |a, b| same_item(a.fields(), b.fields())) {
        match aligned {
            Aligned::Same(i, _) => out.states[i] = State::Same,
            Aligned::Changed(i, j) => out.states[i] = State::Changed(j),
            Aligned::Removed(i) => out.states[i] = State::Removed,
            Aligned::Added(j) => out.added.push(j),
        }
    }
    out
}

/// `kept` with each of `added` after the kept items of its day or earlier.
fn in_date_order(kept: Vec<Value>, added: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::with_capacity(kept.len() + added.len());
    let mut added = added.into_iter().peekable();
    for item in kept {
        let day = date_of(&item);
        while let Some(new) = added.next_if(|new| date_of(new) < day) {
            out.push(new);
        }
        out.push(item);
    }
    out.extend(added);
    out
}

/// An item's day (`on` or `decided_on`) as it sorts: `2025-03-10`.
fn date_of(item: &Value) -> String {
    ["on", "decided_on"].iter().find_map(|key| item.get(key)).map(ToString::to_string).unwrap_or_default()
}

/// Where an event's kind comes in the process, so that two steps of one day added on
/// two sides stand in the order the process meets them.
fn kind_rank(item: &Value) -> usize {
    let kind = item.get("kind").and_then(Value::as_str).and_then(|k| k.parse::<EventKind>().ok());
    kind.and_then(|k| EventKind::ALL.iter().position(|x| *x == k)).unwrap_or(usize::MAX)
}

/// The ids of the common version both sides kept, then those either added (in their
/// order when one side added any, sorted when both did).
fn union(b: &[Value], o: &[Value], t: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = b.iter().filter(|v| o.contains(v) && t.contains(v)).cloned().collect();
    let ours: Vec<&Value> = o.iter().filter(|v| !b.contains(v)).collect();
    let theirs: Vec<&Value> = t.iter().filter(|v| !b.contains(v) && !ours.contains(v)).collect();
    let mut added: Vec<Value> = ours.iter().chain(&theirs).map(|v| (*v).clone()).collect();
    if !ours.is_empty() && !theirs.is_empty() {
        added.sort_by_cached_key(ToString::to_string);
    }
    for value in added {
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

/// Whether the value at `path` is one fact, kept or changed whole: an item of a
/// list (`events[3]`), a stage (`stages.interdependencies`) or a version 1 record's
/// one `decision`.
fn is_one_fact(path: &str) -> bool {
    let stage = path.strip_prefix("stages.").is_some_and(|rest| !rest.contains(['.', '[']));
    stage || path == "decision" || (path.ends_with(']') && !path[..path.len() - 1].contains(['.', ']']))
}

/// Whether a line of a record opens a table that is one fact: an item of a list
/// (`[[events]]`) or a stage (`[stages.interdependencies]`), as [`is_one_fact`].
pub(super) fn opens_one_fact(line: &str) -> bool {
    let line = line.trim();
    (line.starts_with("[[") && !line[2..].contains('.'))
        || (line.starts_with("[stages.") && !line["[stages.".len()..].contains('.'))
        || line == "[decision]"
}

fn is_list_of_tables(value: &Value) -> bool {
    value.as_array().is_some_and(|items| items.iter().all(Value::is_table))
}

fn items(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// A value as the log shows it: text without quotes, anything else as TOML writes it.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::record::MINIMAL_TEST_RECORD;
    use crate::register::markers::{settled, sides};

    fn with(extra: &str) -> String {
        format!("{MINIMAL_TEST_RECORD}{extra}")
    }

    fn event(on: &str, kind: &str) -> String {
        format!("\n[[events]]\non = {on}\nkind = \"{kind}\"\n")
    }

    fn clean(m: Merge) -> String {
        match m {
            Merge::Clean(text) => text,
            other => panic!("not clean: {other:?}"),
        }
    }

    #[test]
    fn events_added_on_two_sides_are_both_kept_in_date_order() {
        let base = with(&event("2025-01-01", "providers-notified"));
        let ours = format!("{base}{}", event("2025-03-01", "written-request-sent"));
        let theirs = format!("{base}{}", event("2025-02-01", "public-engagement"));
        let text = clean(merge(&base, &ours, &theirs));
        let kinds: Vec<String> =
            Record::from_toml(&text).unwrap().events.iter().map(|e| e.kind.to_string()).collect();
        assert_eq!(kinds, ["providers-notified", "public-engagement", "written-request-sent"], "{text}");
        assert_eq!(clean(merge(&base, &theirs, &ours)).parse::<toml::Table>(), text.parse::<toml::Table>());
    }

    #[test]
    fn an_event_added_on_both_sides_is_kept_once() {
        let base = with("");
        let ours = with(&event("2025-01-01", "providers-notified"));
        let text = clean(merge(&base, &ours, &ours.clone()));
        assert_eq!(Record::from_toml(&text).unwrap().events.len(), 1);
    }

    #[test]
    fn comments_and_layout_of_our_version_survive() {
        let base = with("");
        let ours = base.replace("name = \"Maternity\"", "name = \"Maternity\" # as the board calls it");
        let theirs = format!("{base}{}", event("2025-02-01", "public-engagement"));
        let text = clean(merge(&base, &ours, &theirs));
        assert!(text.contains("name = \"Maternity\" # as the board calls it"), "{text}");
        assert!(text.ends_with(&event("2025-02-01", "public-engagement")), "{text}");
    }

    #[test]
    fn one_field_changed_two_ways_is_a_conflict_with_markers_around_it() {
        let base = with("");
        let ours = base.replace("name = \"Maternity\"", "name = \"Maternity\"\ndescription = \"A\"");
        let theirs = base.replace("name = \"Maternity\"", "name = \"Maternity\"\ndescription = \"B\"");
        let Merge::Conflicted { text, conflicts } = merge(&base, &ours, &theirs) else { panic!() };
        assert_eq!(conflicts.len(), 1);
        assert_eq!(
            conflicts[0].in_words(),
            "service.description changed on both sides (ours: \"A\"; theirs: \"B\")"
        );
        assert!(
            text.contains(
                "<<<<<<< ours\ndescription = \"A\"\n=======\ndescription = \"B\"\n>>>>>>> theirs\n"
            ),
            "{text}"
        );
        let regions = sides(&text).unwrap();
        assert_eq!(settled(&regions, |_| true), ours);
        assert_eq!(settled(&regions, |_| false), theirs);
    }

    #[test]
    fn a_new_table_from_their_side_goes_where_a_reader_expects_it() {
        let base = with(&event("2025-01-01", "providers-notified"));
        let theirs = base.replace("\n[[events]]", "\n[review]\nnext_due = 2028-01-01\n\n[[events]]");
        let ours = format!("{base}{}", event("2025-03-01", "public-engagement"));
        let text = clean(merge(&base, &ours, &theirs));
        assert!(text.find("[review]").unwrap() < text.find("[[events]]").unwrap(), "{text}");
        assert_eq!(Record::from_toml(&text).unwrap().events.len(), 2);
    }

    #[test]
    fn added_on_both_sides_or_not_a_record_is_unmergeable_and_loses_nothing() {
        let ours = with("");
        let theirs = ours.replace("Maternity", "Births");
        let Merge::Unmergeable { text, .. } = merge("", &ours, &theirs) else { panic!() };
        let regions = sides(&text).unwrap();
        assert_eq!(
            (settled(&regions, |_| true), settled(&regions, |_| false)),
            (ours.clone(), theirs.clone())
        );
        let Merge::Unmergeable { reason, .. } = merge(&ours, &ours, "not = [toml") else { panic!() };
        assert!(reason.starts_with("their version is not a record"), "{reason}");
    }

    /// One change a command makes to a record.
    #[derive(Clone, Debug)]
    enum Change {
        Event { day: u8, kind: usize, note: Option<u8> },
        Decision { day: u8, outcome: u8 },
        Description(u8),
        Review(u8),
        Stage { stage: u8, met: bool },
    }

    fn change() -> impl proptest::strategy::Strategy<Value = Change> {
        use proptest::prelude::*;
        prop_oneof![
            4 => (1u8..28, 0usize..EventKind::ALL.len(), proptest::option::of(0u8..3))
                .prop_map(|(day, kind, note)| Change::Event { day, kind, note }),
            1 => (1u8..28, 0u8..3).prop_map(|(day, outcome)| Change::Decision { day, outcome }),
            1 => (0u8..3).prop_map(Change::Description),
            1 => (1u8..28).prop_map(Change::Review),
            1 => (0u8..2, any::<bool>()).prop_map(|(stage, met)| Change::Stage { stage, met }),
        ]
    }

    /// The record after `changes`, made as crs's commands make them.
    fn apply(base: &str, changes: &[Change]) -> String {
        use crate::model::record::{Decision, DecisionOutcome, Stage};
        use crate::register::edit::RecordDoc;
        let day = |d: u8| format!("2025-03-{d:02}").parse().unwrap();
        let mut doc = RecordDoc::parse(base).unwrap();
        for change in changes {
            match change {
                Change::Event { day: d, kind, note } => doc.push_event(&crate::model::Event::dated(
                    day(*d),
                    EventKind::ALL[*kind],
                    note.map(|n| format!("note {n}")),
                )),
                Change::Decision { day: d, outcome } => doc.push_decision(&Decision {
                    outcome: [
                        DecisionOutcome::Designate,
                        DecisionOutcome::DoNotDesignate,
                        DecisionOutcome::Remove,
                    ][usize::from(*outcome)],
                    grounds: Vec::new(),
                    decided_on: day(*d),
                    decided_by: Some("ICB Board".into()),
                    reference: None,
                    provider: None,
                    commissioner: None,
                }),
                Change::Description(n) => {
                    let text = doc.text().replace("name = \"Maternity\"\n", "");
                    let text = match text.find("description = ") {
                        Some(_) => text,
                        None => text.replace("[service]\n", "[service]\ndescription = \"\"\n"),
                    };
                    let at = text.find("description = ").unwrap();
                    let end = at + text[at..].find('\n').unwrap();
                    let text = format!(
                        "{}description = \"text {n}\"\nname = \"Maternity\"{}",
                        &text[..at],
                        &text[end..]
                    );
                    doc = RecordDoc::parse(&text).unwrap();
                }
                Change::Review(d) => doc.set_review_due(day(*d)),
                Change::Stage { stage, met } => doc.set_stage(
                    ["alternative_provision", "health_inequalities"][usize::from(*stage)],
                    &Stage {
                        met: *met,
                        rationale: "r".into(),
                        evidence: Vec::new(),
                        assessed_on: day(1),
                        assessed_by: None,
                    },
                ),
            }
        }
        doc.text()
    }

    proptest::proptest! {
        /// Two sides' changes merge to the same record in either order, holding every
        /// event and decision of both sides; or both orders name the same conflicts.
        #[test]
        fn merging_either_way_gives_one_record_with_every_fact(
            first in proptest::collection::vec(change(), 0..6),
            second in proptest::collection::vec(change(), 0..6),
        ) {
            let base = apply(MINIMAL_TEST_RECORD, &[Change::Event { day: 1, kind: 0, note: None }]);
            let (a, b) = (apply(&base, &first), apply(&base, &second));
            match (merge(&base, &a, &b), merge(&base, &b, &a)) {
                (Merge::Clean(ab), Merge::Clean(ba)) => {
                    let (ab, ba) = (Record::from_toml(&ab).unwrap(), Record::from_toml(&ba).unwrap());
                    proptest::prop_assert_eq!(&ab, &ba);
                    for side in [&a, &b] {
                        let side = Record::from_toml(side).unwrap();
                        for event in &side.events {
                            proptest::prop_assert!(ab.events.contains(event), "{:?} lost", event);
                        }
                        for decision in &side.decisions {
                            proptest::prop_assert!(ab.decisions.contains(decision), "{:?} lost", decision);
                        }
                    }
                    let days: Vec<_> = ab.events.iter().map(|e| e.on).collect();
                    proptest::prop_assert!(days.windows(2).all(|w| w[0] <= w[1]), "{:?}", days);
                }
                (Merge::Conflicted { conflicts: x, text }, Merge::Conflicted { conflicts: y, .. }) => {
                    let fields = |c: &[Conflict]| c.iter().map(|c| c.field.clone()).collect::<Vec<_>>();
                    proptest::prop_assert_eq!(fields(&x), fields(&y));
                    let regions = sides(&text).unwrap();
                    proptest::prop_assert!(Record::from_toml(&settled(&regions, |_| true)).is_ok());
                    proptest::prop_assert!(Record::from_toml(&settled(&regions, |_| false)).is_ok());
                }
                (x, y) => proptest::prop_assert!(false, "{:?} but {:?}", x, y),
            }
        }
    }
}
