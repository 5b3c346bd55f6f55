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
//! the marker lines and the record reads again. [`sides`] reads such a file back.

use std::collections::BTreeMap;

use toml::Value;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, TableLike};

use crate::model::fields::{Aligned, align, common_subsequence, flatten_table, same_item};
use crate::model::{EventKind, Record};

/// The marker lines of a conflict, as git writes them.
const OURS_MARKER: &str = "<<<<<<< ours";
const SPLIT_MARKER: &str = "=======";
const THEIRS_MARKER: &str = ">>>>>>> theirs";

/// Line pairs above which two versions are not compared line by line (a table of
/// this many counters): their differing middle becomes one conflict.
const MAX_LINE_TABLE: usize = 4_000_000;

/// Room left between the tables of our version for the tables a merge adds.
const ROOM: isize = 1 << 20;

/// Top-level tables in reading order: a table new to our version goes before the
/// first of those that follow it (as a write places it).
const ORDER: [&str; 10] = [
    "service",
    "provider",
    "commissioner",
    "outcome",
    "stages",
    "decision",
    "decisions",
    "review",
    "source",
    "events",
];

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
fn opens_one_fact(line: &str) -> bool {
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

/// `merged` written in our version's text: what it holds unchanged keeps its
/// comments and layout, what came from their side is written as they wrote it, and
/// anything else as TOML writes it. Text that would not read back as `merged` (a
/// shape this cannot follow) gives way to `merged` written plainly.
fn write(ours: &str, o: &toml::Table, merged: &toml::Table, theirs: &str, t: &toml::Table) -> String {
    let plain = || toml::to_string(merged).unwrap_or_default();
    let (Ok(mut doc), Ok(their_doc)) = (ours.parse::<DocumentMut>(), theirs.parse::<DocumentMut>()) else {
        return plain();
    };
    for (_, item) in doc.as_table_mut().iter_mut() {
        for_each_table(item, &mut |table| {
            if let Some(p) = table.position() {
                table.set_position(p * ROOM);
            }
        });
    }
    let theirs = Some((their_doc.as_table() as &dyn TableLike, t));
    sync_table(doc.as_table_mut(), o, merged, theirs, true);
    let text = doc.to_string();
    match text.parse::<toml::Table>() {
        Ok(read) if &read == merged => text,
        _ => plain(),
    }
}

/// Our version of a table, `edit` (read as `have`), made to hold `target`; `theirs`,
/// their version of it, lends what it holds as `target` does.
fn sync_table(
    edit: &mut dyn TableLike,
    have: &toml::Table,
    target: &toml::Table,
    theirs: Option<(&dyn TableLike, &toml::Table)>,
    root: bool,
) {
    for key in have.keys().filter(|k| !target.contains_key(*k)) {
        edit.remove(key);
    }
    for (key, wanted) in target {
        let had = have.get(key);
        if had == Some(wanted) {
            continue;
        }
        let their_item = theirs.and_then(|(e, s)| e.get(key).filter(|_| s.get(key) == Some(wanted)));
        let their_part = theirs.and_then(|(e, s)| Some((e.get(key)?, s.get(key)?)));
        let how = match (had, wanted, edit.get(key)) {
            (Some(Value::Table(_)), Value::Table(_), Some(item)) if item.is_table_like() => How::Table,
            (Some(Value::Array(_)), Value::Array(w), Some(Item::ArrayOfTables(_)))
                if w.iter().all(Value::is_table) =>
            {
                How::List
            }
            (_, _, item) => How::Replace(item.and_then(Item::as_value).map(|v| v.decor().clone())),
        };
        match how {
            How::Table => {
                let theirs = their_part.and_then(|(e, s)| Some((e.as_table_like()?, s.as_table()?)));
                let (Some(Value::Table(had)), Value::Table(wanted)) = (had, wanted) else { continue };
                if let Some(table) = edit.get_mut(key).and_then(Item::as_table_like_mut) {
                    sync_table(table, had, wanted, theirs, false);
                }
            }
            How::List => {
                let theirs =
                    their_part.and_then(|(e, s)| Some((e.as_array_of_tables()?, s.as_array()?.as_slice())));
                let (Some(Value::Array(had)), Value::Array(wanted)) = (had, wanted) else { continue };
                if let Some(Item::ArrayOfTables(tables)) = edit.get_mut(key) {
                    sync_list(tables, had, wanted, theirs);
                }
            }
            How::Replace(decor) => {
                let mut item = their_item.cloned().unwrap_or_else(|| fresh(wanted));
                if let (Some(decor), Item::Value(new)) = (decor, &mut item) {
                    *new.decor_mut() = decor;
                }
                let start = match root {
                    true => root_anchor(&*edit, key),
                    false => edit.iter().filter_map(|(_, i)| max_position(i)).max().map_or(0, |p| p + 1),
                };
                renumber(&mut item, start);
                edit.insert(key, item);
            }
        }
    }
}

/// How our version of a field is made to hold its merged value.
enum How {
    /// A table: key by key.
    Table,
    /// A list of tables: item by item.
    List,
    /// Replaced whole, a plain value keeping our comments around it.
    Replace(Option<toml_edit::Decor>),
}

/// Our version of a list of tables made to hold `target`: each item we hold kept as
/// we wrote it, one of theirs as they wrote it, in `target`'s order.
fn sync_list(
    tables: &mut ArrayOfTables,
    have: &[Value],
    target: &[Value],
    theirs: Option<(&ArrayOfTables, &[Value])>,
) {
    let first = tables.iter().filter_map(Table::position).min();
    let mut ours: Vec<Option<Table>> = tables.iter().cloned().map(Some).collect();
    let mut rebuilt = ArrayOfTables::new();
    let mut last = first.map_or(0, |p| p - ROOM / 2);
    // Our items mostly come in their order: each is looked for after the last found.
    let mut next = 0;
    for wanted in target {
        let mine = (next..have.len()).chain(0..next).find(|&i| ours[i].is_some() && have[i] == *wanted);
        next = mine.map_or(next, |i| i + 1);
        let table = match mine.and_then(|i| ours[i].take()) {
            Some(table) => table,
            None => {
                let theirs = theirs.and_then(|(e, s)| e.get(s.iter().position(|v| v == wanted)?)).cloned();
                let mut item =
                    Item::Table(theirs.unwrap_or_else(|| fresh(wanted).into_table().unwrap_or_default()));
                renumber(&mut item, last + 1);
                item.into_table().unwrap_or_default()
            }
        };
        last = table_positions(&table).into_iter().max().unwrap_or(last);
        rebuilt.push(table);
    }
    *tables = rebuilt;
}

/// Where a new top-level table `key` goes: before the first table of a key that
/// follows it in [`ORDER`], else after every table.
fn root_anchor(root: &dyn TableLike, key: &str) -> isize {
    let following: Vec<&str> = ORDER.iter().skip_while(|k| **k != key).skip(1).copied().collect();
    let before =
        root.iter().filter(|(k, _)| following.contains(k)).filter_map(|(_, item)| min_position(item)).min();
    match before {
        Some(p) => p - ROOM / 2,
        None => root.iter().filter_map(|(_, item)| max_position(item)).max().unwrap_or(0) + ROOM / 2,
    }
}

/// A value as a TOML item, written plainly.
fn fresh(value: &Value) -> Item {
    let mut holder = toml::Table::new();
    holder.insert("v".to_owned(), value.clone());
    let text = toml::to_string(&holder).unwrap_or_default();
    let doc = text.parse::<DocumentMut>().unwrap_or_default();
    doc.as_table().get("v").cloned().unwrap_or(Item::None)
}

/// Gives the tables in `item` positions from `start` on, in the order they are met.
fn renumber(item: &mut Item, start: isize) {
    let mut next = start;
    for_each_table(item, &mut |table| {
        table.set_position(next);
        next += 1;
    });
}

fn max_position(item: &Item) -> Option<isize> {
    positions(item).into_iter().max()
}

fn min_position(item: &Item) -> Option<isize> {
    positions(item).into_iter().min()
}

/// The positions of `table` and the tables within it.
fn table_positions(table: &Table) -> Vec<isize> {
    let mut found: Vec<isize> = table.position().into_iter().collect();
    for (_, child) in table.iter() {
        match child {
            Item::Table(inner) => found.extend(table_positions(inner)),
            Item::ArrayOfTables(array) => array.iter().for_each(|inner| found.extend(table_positions(inner))),
            _ => {}
        }
    }
    found
}

fn positions(item: &Item) -> Vec<isize> {
    let mut found = Vec::new();
    let mut item = item.clone();
    for_each_table(&mut item, &mut |t| found.extend(t.position()));
    found
}

fn for_each_table(item: &mut Item, f: &mut impl FnMut(&mut Table)) {
    match item {
        Item::Table(table) => {
            f(table);
            for (_, child) in table.iter_mut() {
                for_each_table(child, f);
            }
        }
        Item::ArrayOfTables(array) => {
            for table in array.iter_mut() {
                f(table);
                for (_, child) in table.iter_mut() {
                    for_each_table(child, f);
                }
            }
        }
        _ => {}
    }
}

/// Both versions of a text as one, git's markers around each run of lines where they
/// differ.
pub(crate) fn conflict_text(ours: &str, theirs: &str) -> String {
    let a: Vec<&str> = ours.split_inclusive('\n').collect();
    let b: Vec<&str> = theirs.split_inclusive('\n').collect();
    let start = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let end = a[start..].iter().rev().zip(b[start..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (mid_a, mid_b) = (&a[start..a.len() - end], &b[start..b.len() - end]);
    let mut pairs: Vec<(usize, usize)> = match mid_a.len().saturating_mul(mid_b.len()) <= MAX_LINE_TABLE {
        true => common_subsequence(mid_a, mid_b).into_iter().map(|(i, j)| (start + i, start + j)).collect(),
        false => Vec::new(),
    };
    pairs.splice(0..0, (0..start).map(|k| (k, k)));
    pairs.extend((0..end).map(|k| (a.len() - end + k, b.len() - end + k)));
    let mut pairs = whole_facts(&a, b.len(), pairs);
    pairs.push((a.len(), b.len()));
    let mut out = String::with_capacity(ours.len() + theirs.len() / 4);
    let line = |out: &mut String, text: &str| {
        out.push_str(text);
        if !text.ends_with('\n') {
            out.push('\n');
        }
    };
    let (mut i, mut j) = (0, 0);
    for (mi, mj) in pairs {
        if i < mi || j < mj {
            line(&mut out, OURS_MARKER);
            a[i..mi].iter().for_each(|l| line(&mut out, l));
            line(&mut out, SPLIT_MARKER);
            b[j..mj].iter().for_each(|l| line(&mut out, l));
            line(&mut out, THEIRS_MARKER);
        }
        if mi < a.len() {
            out.push_str(a[mi]);
        }
        (i, j) = (mi + 1, mj + 1);
    }
    out
}

/// The matched lines of two versions, less those inside a table that is one fact
/// (an event, a decision, a stage) where the versions differ: such a table is
/// between the markers whole, so that a person keeps one version of the fact, not
/// some lines of each.
fn whole_facts(a: &[&str], b_len: usize, pairs: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    // The table each line of our version is in, by its header's line, when it is a fact.
    let mut fact_of = Vec::with_capacity(a.len());
    let mut current = None;
    for (n, line) in a.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            current = opens_one_fact(trimmed).then_some(n);
            fact_of.push(None);
        } else {
            fact_of.push(current.filter(|_| !trimmed.is_empty()));
        }
    }
    // The facts a run of differing lines falls in: those of its lines of our
    // version, or of the line before it.
    let mut differing = std::collections::BTreeSet::new();
    let (mut i, mut j) = (0, 0);
    for &(mi, mj) in pairs.iter().chain(std::iter::once(&(a.len(), b_len))) {
        if i < mi || j < mj {
            differing.extend((i..mi).filter_map(|k| fact_of[k]));
            differing.extend(i.checked_sub(1).and_then(|k| fact_of.get(k).copied().flatten()));
        }
        (i, j) = (mi + 1, mj + 1);
    }
    pairs.into_iter().filter(|(mi, _)| fact_of[*mi].is_none_or(|f| !differing.contains(&f))).collect()
}

/// The two versions a text with conflict markers holds (a base section, `|||||||`,
/// is left out), each with the line of its first marker; `None` when the text has no
/// markers or they do not pair up.
pub(crate) fn sides(text: &str) -> Option<Vec<Region>> {
    let mut regions = Vec::new();
    let mut common = String::new();
    let mut current: Option<Region> = None;
    #[derive(PartialEq)]
    enum In {
        Ours,
        Base,
        Theirs,
    }
    let mut state = None;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        let marker = |m: &str| bare == m || bare.strip_prefix(m).is_some_and(|rest| rest.starts_with(' '));
        match &state {
            None if marker("<<<<<<<") => {
                regions.extend(current.take());
                current = Some(Region {
                    line: n + 1,
                    before: std::mem::take(&mut common),
                    ours: String::new(),
                    theirs: String::new(),
                });
                state = Some(In::Ours);
            }
            Some(In::Ours) if marker("|||||||") => state = Some(In::Base),
            Some(In::Ours | In::Base) if bare == SPLIT_MARKER => state = Some(In::Theirs),
            Some(In::Theirs) if marker(">>>>>>>") => state = None,
            None if marker(">>>>>>>") || bare == SPLIT_MARKER || marker("|||||||") => return None,
            None => common.push_str(line),
            Some(In::Ours) => current.as_mut()?.ours.push_str(line),
            Some(In::Base) => {}
            Some(In::Theirs) => current.as_mut()?.theirs.push_str(line),
        }
    }
    if state.is_some() {
        return None;
    }
    regions.extend(current);
    if regions.is_empty() {
        return None;
    }
    regions.push(Region { line: 0, before: common, ours: String::new(), theirs: String::new() });
    Some(regions)
}

/// One run of a conflict file: the common lines before it, then each side's lines.
/// The last region of [`sides`] holds only the common lines after every conflict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Region {
    /// The line of its `<<<<<<<` marker, 1-based (0 for the closing region).
    pub line: usize,
    pub before: String,
    pub ours: String,
    pub theirs: String,
}

/// The text with every conflict settled to `pick(region)`'s side: true for ours.
pub(crate) fn settled(regions: &[Region], pick: impl Fn(usize) -> bool) -> String {
    let mut out = String::new();
    for (i, region) in regions.iter().enumerate() {
        out.push_str(&region.before);
        out.push_str(if pick(i) { &region.ours } else { &region.theirs });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::record::MINIMAL_TEST_RECORD;

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
