//! Field-by-field comparison of two versions of a record: each leaf value under a
//! dotted key path (`decision.outcome`, `events[2].kind`), and what changed between
//! them: the one field diff, used by the audit log, the export's changes and
//! `crs edit`'s commit message, so that all of them name a field the same way.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Record;

/// One field that differs between two versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    /// The old value; `None` when the field was added.
    pub old: Option<String>,
    /// The new value; `None` when the field was removed.
    pub new: Option<String>,
    /// What the item of a list the field belongs to is, where both versions agree:
    /// a decision's outcome (`remove`), so that "Decision 2" can be told as a removal.
    #[serde(skip)]
    pub item: Option<String>,
}

/// How a record differs between two versions (two commits of the log, or a
/// submission and its baseline): added, changed, moved to a new id (`crs move`, its
/// fields compared with those at the old one), or removed (gone; for a submission,
/// also out of its scope, or a designation removed since the baseline).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Changed,
    Moved,
    Removed,
}

impl ChangeKind {
    /// Every kind, in the order a summary lists them.
    pub const ALL: [ChangeKind; 4] =
        [ChangeKind::Added, ChangeKind::Changed, ChangeKind::Moved, ChangeKind::Removed];

    /// The kind as people read it: "Added", "Changed", "Moved", "Removed".
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Added => "Added",
            ChangeKind::Changed => "Changed",
            ChangeKind::Moved => "Moved",
            ChangeKind::Removed => "Removed",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Changed => "changed",
            ChangeKind::Moved => "moved",
            ChangeKind::Removed => "removed",
        }
    }
}

/// Why a version of a record could not be read: "line 57: invalid date".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    /// The line of the first error, 1-based, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Every leaf of a TOML document under its dotted key path. Text that does not
/// parse gives an empty map (the log still shows the commit, without fields).
pub fn flatten(text: &str) -> BTreeMap<String, String> {
    flatten_checked(text).unwrap_or_default()
}

/// Every leaf of a TOML document under its dotted key path, or why the text is not
/// TOML.
pub fn flatten_checked(text: &str) -> Result<BTreeMap<String, String>, Unreadable> {
    let table = text.parse::<toml::Table>().map_err(|e| Unreadable {
        line: e.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1),
        message: e.message().trim().to_owned(),
    })?;
    let mut out = BTreeMap::new();
    for (key, value) in &table {
        walk(key, value, &mut out);
    }
    Ok(out)
}

/// Every leaf of a record under its dotted key path, named as [`flatten`] names the
/// fields of its text.
pub fn flatten_record(record: &Record) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(toml::Value::Table(table)) = toml::Value::try_from(record) {
        for (key, value) in &table {
            walk(key, value, &mut out);
        }
    }
    out
}

/// Every leaf of one table (an item of a list of tables) under its dotted key path.
pub(crate) fn flatten_table(table: &toml::Table) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (key, value) in table {
        walk(key, value, &mut out);
    }
    out
}

fn walk(path: &str, value: &toml::Value, out: &mut BTreeMap<String, String>) {
    match value {
        toml::Value::Table(table) => {
            for (key, value) in table {
                walk(&format!("{path}.{key}"), value, out);
            }
        }
        toml::Value::Array(items) if items.iter().all(toml::Value::is_table) && !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                walk(&format!("{path}[{i}]"), item, out);
            }
        }
        other => {
            out.insert(path.to_owned(), render(other));
        }
    }
}

fn render(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(items) => format!("[{}]", items.iter().map(render).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// The fields that differ between `old` and `new` text, in key order.
pub fn changes(old: &str, new: &str) -> Vec<FieldChange> {
    changes_between(&flatten(old), &flatten(new))
}

/// The fields that differ between two flattened versions, in key order. The items of
/// a list of tables (`events`, `decisions`) are matched by content, not by position:
/// an event recorded late, between two others, is one event added, and the events
/// after it are not "changed".
pub fn changes_between(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<FieldChange> {
    let (old_plain, old_lists) = split_lists(old);
    let (new_plain, new_lists) = split_lists(new);
    let mut out: Vec<FieldChange> = Vec::new();
    let mut keys: Vec<&String> = old_plain.keys().chain(new_plain.keys()).copied().collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let (a, b) = (old_plain.get(key), new_plain.get(key));
        if a != b {
            out.push(FieldChange {
                field: key.clone(),
                old: a.map(|v| (*v).clone()),
                new: b.map(|v| (*v).clone()),
                item: None,
            });
        }
    }
    let empty = Vec::new();
    let mut lists: Vec<&str> = old_lists.keys().chain(new_lists.keys()).copied().collect();
    lists.sort_unstable();
    lists.dedup();
    for list in lists {
        let a = old_lists.get(list).unwrap_or(&empty);
        let b = new_lists.get(list).unwrap_or(&empty);
        list_changes(list, a, b, &mut out);
    }
    out.sort_by(|x, y| x.field.cmp(&y.field));
    out
}

/// One item of a list of tables: its fields by their part of the path (`kind`, `on`).
type Item<'m> = BTreeMap<&'m str, &'m String>;

/// The fields of `map` that are not in a list of tables, and the items of each list
/// (`events[2].kind` is part `kind` of item 2 of list `events`).
#[allow(clippy::type_complexity)]
fn split_lists(
    map: &BTreeMap<String, String>,
) -> (BTreeMap<&String, &String>, BTreeMap<&str, Vec<Item<'_>>>) {
    let mut plain = BTreeMap::new();
    let mut lists: BTreeMap<&str, Vec<Item<'_>>> = BTreeMap::new();
    for (key, value) in map {
        match list_part(key) {
            Some((list, index, part)) => {
                let items = lists.entry(list).or_default();
                if items.len() <= index {
                    items.resize_with(index + 1, BTreeMap::new);
                }
                items[index].insert(part, value);
            }
            None => {
                plain.insert(key, value);
            }
        }
    }
    (plain, lists)
}

/// `events[2].kind` → `("events", 2, "kind")`, for a list at the top of a record.
fn list_part(key: &str) -> Option<(&str, usize, &str)> {
    let (list, rest) = key.split_once('[')?;
    if list.contains('.') {
        return None;
    }
    let (index, part) = rest.split_once("].")?;
    Some((list, index.parse().ok()?, part))
}

/// How one item of an old list stands in a new one, or an item new in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Aligned {
    /// Old item `.0` is new item `.1`, unchanged.
    Same(usize, usize),
    /// Old item `.0` became new item `.1` (a note corrected).
    Changed(usize, usize),
    /// Old item `.0` is gone.
    Removed(usize),
    /// New item `.0` was added.
    Added(usize),
}

/// The old and new items of one list matched up: items equal in both are matched in
/// order (a longest common subsequence); between two matches, an old item and a new
/// one that `similar` calls the same item are that item changed; the rest were
/// removed or added. In the order the items are met, old before new.
pub(crate) fn align<T: PartialEq>(old: &[T], new: &[T], similar: impl Fn(&T, &T) -> bool) -> Vec<Aligned> {
    let mut matched = common_subsequence(old, new);
    matched.push((old.len(), new.len()));
    let mut out = Vec::with_capacity(old.len().max(new.len()));
    let (mut i, mut j) = (0, 0);
    for (mi, mj) in matched {
        let mut gap_new: Vec<Option<usize>> = (j..mj).map(Some).collect();
        for (o, old_item) in old.iter().enumerate().take(mi).skip(i) {
            let twin = gap_new.iter_mut().find(|n| n.is_some_and(|n| similar(old_item, &new[n])));
            match twin.and_then(Option::take) {
                Some(n) => out.push(Aligned::Changed(o, n)),
                None => out.push(Aligned::Removed(o)),
            }
        }
        out.extend(gap_new.into_iter().flatten().map(Aligned::Added));
        if mi < old.len() {
            out.push(Aligned::Same(mi, mj));
        }
        (i, j) = (mi + 1, mj + 1);
    }
    out
}

/// The changes between two versions of one list of tables, as [`align`] matches
/// their items: a changed item is named at its new place, a removed one at its old
/// place, an added one at its new place.
fn list_changes(list: &str, old: &[Item<'_>], new: &[Item<'_>], out: &mut Vec<FieldChange>) {
    for aligned in align(old, new, same_item) {
        match aligned {
            Aligned::Same(..) => {}
            Aligned::Changed(o, n) => item_changes(list, n, Some(&old[o]), Some(&new[n]), out),
            Aligned::Removed(o) => item_changes(list, o, Some(&old[o]), None, out),
            Aligned::Added(n) => item_changes(list, n, None, Some(&new[n]), out),
        }
    }
}

/// The index pairs of a longest common subsequence of equal items, in order. The
/// common start and end are matched first, so the usual change (one item added)
/// costs no table.
pub(crate) fn common_subsequence<T: PartialEq>(old: &[T], new: &[T]) -> Vec<(usize, usize)> {
    let start = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let end = old[start..].iter().rev().zip(new[start..].iter().rev()).take_while(|(a, b)| a == b).count();
    let (a, b) = (&old[start..old.len() - end], &new[start..new.len() - end]);
    // lengths[x][y]: the longest common subsequence of a[x..] and b[y..].
    let mut lengths = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for x in (0..a.len()).rev() {
        for y in (0..b.len()).rev() {
            lengths[x][y] = if a[x] == b[y] {
                lengths[x + 1][y + 1] + 1
            } else {
                lengths[x + 1][y].max(lengths[x][y + 1])
            };
        }
    }
    let mut pairs: Vec<(usize, usize)> = (0..start).map(|k| (k, k)).collect();
    let (mut x, mut y) = (0, 0);
    while x < a.len() && y < b.len() {
        if a[x] == b[y] {
            pairs.push((start + x, start + y));
            (x, y) = (x + 1, y + 1);
        } else if lengths[x + 1][y] >= lengths[x][y + 1] {
            x += 1;
        } else {
            y += 1;
        }
    }
    pairs.extend((0..end).map(|k| (old.len() - end + k, new.len() - end + k)));
    pairs
}

/// True when two items agree on more than half of their fields: one item changed.
pub(crate) fn same_item<K: Ord, V: PartialEq>(a: &BTreeMap<K, V>, b: &BTreeMap<K, V>) -> bool {
    let parts: std::collections::BTreeSet<&K> = a.keys().chain(b.keys()).collect();
    let equal = parts.iter().filter(|p| a.get(**p) == b.get(**p)).count();
    equal * 2 > parts.len()
}

/// The field changes of item `index` of `list`, from `old` to `new`.
fn item_changes(
    list: &str,
    index: usize,
    old: Option<&Item<'_>>,
    new: Option<&Item<'_>>,
    out: &mut Vec<FieldChange>,
) {
    let empty = BTreeMap::new();
    let (a, b) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
    let parts: std::collections::BTreeSet<&str> = a.keys().chain(b.keys()).copied().collect();
    let outcome =
        (list == "decisions").then(|| a.get("outcome").filter(|o| b.get("outcome") == Some(o))).flatten();
    for part in parts {
        let (x, y) = (a.get(part), b.get(part));
        if x != y {
            out.push(FieldChange {
                field: format!("{list}[{index}].{part}"),
                old: x.map(|v| (*v).clone()),
                new: y.map(|v| (*v).clone()),
                item: outcome.map(|o| (*o).clone()),
            });
        }
    }
}

/// As [`changes_between`], a version 1 record's one `decision` compared as the first
/// of version 2's `decisions`: upgrading a record's format (crs migrate, or a write
/// that upgrades it) changes no decision, and a later change to it is named once.
pub fn changes_across_versions(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Vec<FieldChange> {
    let one_decision = |flat: &BTreeMap<String, String>| flat.keys().any(|k| k.starts_with("decision."));
    match (one_decision(old), one_decision(new)) {
        (true, false) => changes_between(&as_version_2(old), new),
        (false, true) => changes_between(old, &as_version_2(new)),
        _ => changes_between(old, new),
    }
}

/// A flattened version 1 record with its `decision.*` fields named `decisions[0].*`.
fn as_version_2(flat: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    flat.iter()
        .map(|(key, value)| match key.strip_prefix("decision.") {
            Some(rest) => (format!("decisions[0].{rest}"), value.clone()),
            None => (key.clone(), value.clone()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The changed fields' dotted names, in the order told.
    fn field_names(changes: &[FieldChange]) -> Vec<&str> {
        changes.iter().map(|c| c.field.as_str()).collect()
    }

    #[test]
    fn reports_added_changed_and_removed_fields() {
        let old = "[decision]\noutcome = \"designate\"\nreference = \"A\"\n[[events]]\non = 2025-01-01\nkind = \"x\"\n";
        let new = "[decision]\noutcome = \"remove\"\n[[events]]\non = 2025-01-01\nkind = \"x\"\n[[events]]\non = 2025-02-01\nkind = \"y\"\n";
        let c = changes(old, new);
        assert_eq!(
            field_names(&c),
            ["decision.outcome", "decision.reference", "events[1].kind", "events[1].on"]
        );
        assert_eq!(c[0].old.as_deref(), Some("designate"));
        assert_eq!(c[1].new, None);
        assert_eq!(c[3].new.as_deref(), Some("2025-02-01"));
    }

    #[test]
    fn text_that_is_not_toml_says_where() {
        let err = flatten_checked("a = 1\nb = 2025-13-45\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        assert!(err.to_string().starts_with("line 2: "), "{err}");
    }

    #[test]
    fn an_event_recorded_late_is_one_event_added() {
        let old = "[[events]]\non = 2025-01-01\nkind = \"a\"\n[[events]]\non = 2025-03-01\nkind = \"c\"\nnote = \"n\"\n";
        let new = "[[events]]\non = 2025-01-01\nkind = \"a\"\n[[events]]\non = 2025-02-01\nkind = \"b\"\n[[events]]\non = 2025-03-01\nkind = \"c\"\nnote = \"n\"\n";
        let c = changes(old, new);
        assert_eq!(field_names(&c), ["events[1].kind", "events[1].on"]);
        assert!(c.iter().all(|c| c.old.is_none()));
    }

    #[test]
    fn a_corrected_note_is_one_field_changed_and_a_dropped_event_is_named() {
        let old = "[[events]]\non = 2025-01-01\nkind = \"a\"\nnote = \"x\"\n[[events]]\non = 2025-03-01\nkind = \"c\"\n";
        let new = "[[events]]\non = 2025-01-01\nkind = \"a\"\nnote = \"y\"\n";
        let c = changes(old, new);
        let fields: Vec<(&str, Option<&str>)> =
            c.iter().map(|c| (c.field.as_str(), c.new.as_deref())).collect();
        assert_eq!(fields, [("events[0].note", Some("y")), ("events[1].kind", None), ("events[1].on", None)]);
    }

    #[test]
    fn an_upgraded_decision_is_the_same_decision() {
        let v1 = "schema_version = 1\n[decision]\noutcome = \"designate\"\ndecided_on = 2025-01-01\n";
        let v2 = "schema_version = 2\n[[decisions]]\noutcome = \"designate\"\ndecided_on = 2025-01-01\nprovider = { ods = \"RJ1\" }\n";
        let c = changes_across_versions(&flatten(v1), &flatten(v2));
        assert_eq!(field_names(&c), ["decisions[0].provider.ods", "schema_version"]);
        assert_eq!(changes_across_versions(&flatten(v2), &flatten(v1)).len(), 2, "and back");
    }

    #[test]
    fn unchanged_text_has_no_changes() {
        assert!(changes("a = [1, 2]\n", "a = [1, 2] # same\n").is_empty());
    }

    proptest::proptest! {
        /// Items added anywhere in a list of tables are told as added, and nothing
        /// recorded before reads as changed or removed.
        #[test]
        fn items_added_anywhere_are_only_added(
            old in proptest::collection::vec((0u8..5, proptest::option::of(0u8..3)), 0..8),
            added in proptest::collection::vec((0usize..9, 0u8..5, proptest::option::of(0u8..3)), 1..4),
        ) {
            let table = |(kind, note): (u8, Option<u8>)| match note {
                Some(note) => format!("[[events]]\nkind = \"k{kind}\"\nnote = \"n{note}\"\n"),
                None => format!("[[events]]\nkind = \"k{kind}\"\n"),
            };
            let mut new: Vec<(u8, Option<u8>)> = old.clone();
            for (at, kind, note) in &added {
                new.insert((*at).min(new.len()), (*kind, *note));
            }
            let text = |items: &[(u8, Option<u8>)]| items.iter().map(|i| table(*i)).collect::<String>();
            let found = changes(&text(&old), &text(&new));
            proptest::prop_assert!(found.iter().all(|c| c.old.is_none()), "{:?}", found);
            let parts = added.iter().map(|(_, _, note)| 1 + usize::from(note.is_some())).sum::<usize>();
            proptest::prop_assert_eq!(found.len(), parts);
        }
    }
}
