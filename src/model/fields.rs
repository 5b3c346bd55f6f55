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

/// The fields that differ between two flattened versions, in key order.
pub fn changes_between(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<FieldChange> {
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| FieldChange { field: k.clone(), old: old.get(k).cloned(), new: new.get(k).cloned() })
        .collect()
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

    #[test]
    fn reports_added_changed_and_removed_fields() {
        let old = "[decision]\noutcome = \"designate\"\nreference = \"A\"\n[[events]]\non = 2025-01-01\nkind = \"x\"\n";
        let new = "[decision]\noutcome = \"remove\"\n[[events]]\non = 2025-01-01\nkind = \"x\"\n[[events]]\non = 2025-02-01\nkind = \"y\"\n";
        let c = changes(old, new);
        let fields: Vec<&str> = c.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["decision.outcome", "decision.reference", "events[1].kind", "events[1].on"]);
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
    fn an_upgraded_decision_is_the_same_decision() {
        let v1 = "schema_version = 1\n[decision]\noutcome = \"designate\"\ndecided_on = 2025-01-01\n";
        let v2 = "schema_version = 2\n[[decisions]]\noutcome = \"designate\"\ndecided_on = 2025-01-01\nprovider = { ods = \"RJ1\" }\n";
        let c = changes_across_versions(&flatten(v1), &flatten(v2));
        let fields: Vec<&str> = c.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["decisions[0].provider.ods", "schema_version"]);
        assert_eq!(changes_across_versions(&flatten(v2), &flatten(v1)).len(), 2, "and back");
    }

    #[test]
    fn unchanged_text_has_no_changes() {
        assert!(changes("a = [1, 2]\n", "a = [1, 2] # same\n").is_empty());
    }
}
