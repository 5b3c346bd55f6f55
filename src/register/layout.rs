//! A merged record written in our version's text: the tables and fields it holds
//! unchanged keep our comments and layout (toml_edit), what came from their side is
//! written as they wrote it, and a table new to our version goes where a reader
//! expects it, in the order a write places tables.

use toml::Value;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, TableLike};

use crate::model::Record;
use crate::register::edit::{for_each_table, tables_after};

/// Room left between the tables of our version for the tables a merge adds.
const ROOM: isize = 1 << 20;

/// `merged` written in our version's text: what it holds unchanged keeps its
/// comments and layout, what came from their side is written as they wrote it, and
/// anything else as TOML writes it. Text that would not read back as `merged` (a
/// shape this cannot follow) gives way to `merged` written plainly.
pub(super) fn write(
    ours: &str,
    o: &toml::Table,
    merged: &toml::Table,
    theirs: &str,
    t: &toml::Table,
) -> String {
    try_write(ours, o, merged, theirs, t).unwrap_or_else(|| toml::to_string(merged).unwrap_or_default())
}

/// A record changed as a whole (by an import), written in the text it replaces,
/// `ours`: the tables and fields it holds unchanged keep their comments and layout,
/// and a field `ours` left to its default stays unwritten. `text` is the record as
/// crs writes a new one, and what is returned where `ours` cannot be followed.
pub fn rewrite(ours: &str, text: &str) -> String {
    let (Ok(o), Ok(written)) = (ours.parse::<toml::Table>(), text.parse::<toml::Table>()) else {
        return text.to_owned();
    };
    let mut target = written.clone();
    leave_defaults_unwritten(&o, &mut target);
    try_write(ours, &o, &target, text, &written).unwrap_or_else(|| text.to_owned())
}

/// Takes out of `target` each field `ours` does not write whose value is its
/// default: the record reads the same without it.
fn leave_defaults_unwritten(ours: &toml::Table, target: &mut toml::Table) {
    let Some(record) = as_record(target) else { return };
    let mut candidates: Vec<(String, Option<String>)> = Vec::new();
    for (key, value) in target.iter() {
        match (ours.get(key), value) {
            (None, _) => candidates.push((key.clone(), None)),
            (Some(Value::Table(had)), Value::Table(wanted)) => candidates.extend(
                wanted.keys().filter(|k| !had.contains_key(*k)).map(|k| (key.clone(), Some(k.clone()))),
            ),
            _ => {}
        }
    }
    for (key, inner) in candidates {
        let mut without = target.clone();
        match &inner {
            None => drop(without.remove(&key)),
            Some(inner) => drop(without.get_mut(&key).and_then(Value::as_table_mut).map(|t| t.remove(inner))),
        }
        if as_record(&without).as_ref() == Some(&record) {
            *target = without;
        }
    }
}

/// `table` read as a record, if it is one.
fn as_record(table: &toml::Table) -> Option<Record> {
    Record::from_toml(&toml::to_string(table).ok()?).ok()
}

/// `merged` written in our version's text, or `None` where the text would not read
/// back as `merged`.
fn try_write(
    ours: &str,
    o: &toml::Table,
    merged: &toml::Table,
    theirs: &str,
    t: &toml::Table,
) -> Option<String> {
    let (Ok(mut doc), Ok(their_doc)) = (ours.parse::<DocumentMut>(), theirs.parse::<DocumentMut>()) else {
        return None;
    };
    for (_, item) in doc.as_table_mut().iter_mut() {
        for_each_table(item, true, &mut |table| {
            if let Some(p) = table.position() {
                table.set_position(p * ROOM);
            }
        });
    }
    let theirs = Some((their_doc.as_table() as &dyn TableLike, t));
    sync_table(doc.as_table_mut(), o, merged, theirs, true);
    let text = doc.to_string();
    text.parse::<toml::Table>().is_ok_and(|read| &read == merged).then_some(text)
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
                // In place where the key is there already: inserting would clear the
                // key's own comments (the lines above it).
                match edit.get_mut(key) {
                    Some(slot) => *slot = item,
                    None => drop(edit.insert(key, item)),
                }
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
/// follows it in reading order (as a write places a table new to our version),
/// else after every table.
fn root_anchor(root: &dyn TableLike, key: &str) -> isize {
    let following = tables_after(key);
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
    for_each_table(item, true, &mut |table| {
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
    for_each_table(&mut item, true, &mut |t| found.extend(t.position()));
    found
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    const OURS: &str = r#"schema_version = 2
framework = "monitor-2013"

# Written by hand.
[service]
name = "Maternity"

[provider]
ods = "RJ1"
name = "Guy's and St Thomas' NHS Foundation Trust"
kind = "foundation-trust"
licence = "licensed"

[commissioner]
ods = "QKK"
name = "NHS South East London ICB"

[review]
# Brought forward if the unit moves.
next_due = 2027-04-01 # the board's date
"#;

    #[test]
    fn a_rewrite_keeps_comments_and_leaves_defaults_unwritten() {
        let text = OURS
            .replace("# Written by hand.\n", "")
            .replace(" # the board's date", "")
            .replace("# Brought forward if the unit moves.\n", "")
            .replace("name = \"Maternity\"\n", "name = \"Maternity\"\nlocation_specific = false\n");
        let changed = text.replace("2027-04-01", "2028-06-01");
        let written = rewrite(OURS, &changed);
        assert_eq!(written, OURS.replace("2027-04-01", "2028-06-01"));
    }

    #[test]
    fn a_default_given_a_value_is_written() {
        let changed =
            OURS.replace("name = \"Maternity\"\n", "name = \"Maternity\"\nlocation_specific = true\n");
        let written = rewrite(OURS, &changed);
        assert!(
            written
                .contains("# Written by hand.\n[service]\nname = \"Maternity\"\nlocation_specific = true\n")
        );
    }

    #[test]
    fn text_that_is_no_record_is_written_as_given() {
        assert_eq!(rewrite("not = [toml", OURS), OURS);
    }
}
