//! Loading a whole register: every candidate file is read, parsed and checked by the
//! single-record rules in parallel, keeping only what the caller asks for; then the
//! cross-record rules run on small per-record keys. A bad file is a finding, never a
//! reason to stop.

use std::ops::Range;

use crate::error::Result;
use crate::framework::RecordRules;
use crate::framework::definition::Framework;
use crate::framework::finding::{Finding, Hit, Rule};
use crate::framework::register_rules::{ServiceKey, duplicate_services};
use crate::model::date::DateParseError;
use crate::model::fields::{changes_between, flatten_checked};
use crate::model::status::Status;
use crate::model::{Date, Record, RecordId};
use crate::register::locate::{line_column, locate};
use crate::register::markers::{settled, sides};
use crate::register::parallel::{available_threads, map_indexed};
use crate::register::source::{Entry, EntryKind, EntryReader, Source};

/// Files larger than this are not records (records are a few KB) and are not read.
pub const MAX_RECORD_BYTES: u64 = crate::register::source::MAX_FILE_BYTES;

/// A record that parsed, as handed to the caller's `keep` function.
pub struct Parsed<'a> {
    pub id: RecordId,
    pub file: &'a str,
    pub record: Record,
    pub status: Status,
    pub text: &'a str,
}

/// What loading a register found.
pub struct Loaded<T> {
    /// What `keep` returned for each record that parsed, in path order.
    pub items: Vec<T>,
    /// Every finding, sorted by file and position.
    pub findings: Vec<Finding>,
    /// How many candidate files there were.
    pub files: usize,
}

struct Outcome<T> {
    item: Option<T>,
    key: Option<(String, ServiceKey)>,
    findings: Vec<Finding>,
}

/// Reads, parses and checks every record of `source` with `rules`, then the rules
/// across records.
pub fn load<T: Send>(
    source: &dyn Source,
    framework: &Framework,
    rules: &dyn RecordRules,
    keep: impl Fn(Parsed<'_>) -> T + Sync,
) -> Result<Loaded<T>> {
    load_with(source, Checks { framework, rules: Some(rules) }, |_| true, keep)
}

/// Reads and parses the records of `source` at the paths `wanted` accepts (it is asked
/// of every candidate path, once, in path order), without
/// checking them against the rules: for a state that is only compared with, such as
/// an export's baseline. The findings are only of files that are not records.
pub fn read_records<T: Send>(
    source: &dyn Source,
    framework: &Framework,
    wanted: impl FnMut(&str) -> bool,
    keep: impl Fn(Parsed<'_>) -> T + Sync,
) -> Result<Loaded<T>> {
    load_with(source, Checks { framework, rules: None }, wanted, keep)
}

fn load_with<T: Send>(
    source: &dyn Source,
    checks: Checks<'_>,
    mut wanted: impl FnMut(&str) -> bool,
    keep: impl Fn(Parsed<'_>) -> T + Sync,
) -> Result<Loaded<T>> {
    let framework = checks.framework;
    let mut entries = source.entries()?;
    entries.retain(|entry| wanted(&entry.path));
    let init = || Ok::<_, crate::error::Error>((source.reader()?, Vec::new()));
    let outcomes = map_indexed(entries.len(), available_threads(), init, |(reader, buf), i| {
        load_entry(reader.as_mut(), buf, &entries[i], &checks, &keep)
    })?;

    let mut items = Vec::with_capacity(outcomes.len());
    let mut keys = Vec::with_capacity(outcomes.len());
    let mut findings = Vec::new();
    for (index, outcome) in outcomes.into_iter().enumerate() {
        items.extend(outcome.item);
        keys.extend(outcome.key.map(|(id, k)| (index, id, k)));
        findings.extend(outcome.findings);
    }
    if checks.rules.is_some() {
        findings.extend(cross_record_findings(source, &entries, &keys, framework)?);
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Ok(Loaded { items, findings, files: entries.len() })
}

/// What each record is checked against.
#[derive(Clone, Copy)]
struct Checks<'a> {
    framework: &'a Framework,
    /// `None` to only parse.
    rules: Option<&'a dyn RecordRules>,
}

fn load_entry<T>(
    reader: &mut dyn EntryReader,
    buf: &mut Vec<u8>,
    entry: &Entry,
    checks: &Checks<'_>,
    keep: &impl Fn(Parsed<'_>) -> T,
) -> Outcome<T> {
    let Checks { framework, rules } = *checks;
    let file_id: Option<RecordId> = entry.path.parse().ok();
    let mut outcome = Outcome { item: None, key: None, findings: Vec::new() };
    let mut report = |hit: Hit, text: &str| {
        if let Some(finding) = place(hit, &entry.path, file_id.as_ref(), text, framework) {
            outcome.findings.push(finding);
        }
    };

    if entry.kind != EntryKind::File {
        let what = match entry.kind {
            EntryKind::Dir => "a directory where a record file should be; rename it or move its contents",
            EntryKind::Symlink => {
                "a symbolic link; crs does not follow links, so that nothing outside the register is read: put the record file itself here"
            }
            EntryKind::BadName => "named with bytes that are not UTF-8 text; rename it with a-z, 0-9 and '-'",
            _ => "not a regular file; a record is a plain text file",
        };
        report(Hit::new(Rule::NotAFile, "", format!("{} is {what}", entry.path)), "");
        return outcome;
    }
    if let Some(size) = entry.size.filter(|s| *s > MAX_RECORD_BYTES) {
        report(Hit::new(Rule::ParseError, "", too_large(size)), "");
        return outcome;
    }
    if let Err(e) = reader.read_into(entry, MAX_RECORD_BYTES + 1, buf) {
        report(Hit::new(Rule::ParseError, "", format!("could not read the file: {e}")), "");
        return outcome;
    }
    if buf.len() as u64 > MAX_RECORD_BYTES {
        report(Hit::new(Rule::ParseError, "", too_large(buf.len() as u64)), "");
        return outcome;
    }
    let text = match std::str::from_utf8(buf) {
        Ok(text) => text,
        Err(e) => {
            let line = buf[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            let hit = Hit::new(
                Rule::ParseError,
                "",
                format!(
                    "the file is not UTF-8 text (line {line}, byte {}); save it as UTF-8",
                    e.valid_up_to()
                ),
            );
            report(hit, "");
            return outcome;
        }
    };
    if let Some(hits) = merge_conflicts(text, &entry.path, file_id.as_ref()) {
        for hit in hits {
            report(hit, text);
        }
        return outcome;
    }
    if let Some(problem) = unreadable_text(text) {
        report(problem, text);
        return outcome;
    }
    let record = match Record::from_toml(text) {
        Ok(record) => record,
        Err(e) => {
            report(toml_error_hit(text, &e), text);
            return outcome;
        }
    };
    let Some(id) = file_id.clone() else {
        let hit = Hit::new(
            Rule::PathMismatch,
            "",
            format!(
                "{} is not where a record lives: records are PROVIDER/service.toml, with the provider's ODS code as the folder and a lower-case slug as the name (e.g. RJ1/maternity.toml); {}",
                entry.path,
                entry.path.parse::<RecordId>().err().map(|e| e.to_string()).unwrap_or_default()
            ),
        );
        report(hit, text);
        return outcome;
    };
    if let Some(rules) = rules {
        for hit in rules.hits(&record, &id) {
            report(hit, text);
        }
    }
    outcome.key = Some((id.to_string(), ServiceKey::of(&record)));
    let status = crate::model::status::derive_status(&record);
    outcome.item = Some(keep(Parsed { id, file: &entry.path, record, status, text }));
    outcome
}

fn too_large(size: u64) -> String {
    format!(
        "the file is {:.1} MB; records are a few KB, so this is probably not a record: move it out of the register",
        size as f64 / 1_000_000.0
    )
}

/// Text that parses as TOML but is plainly not a record, explained better than the
/// parser would.
pub fn unreadable_text(text: &str) -> Option<Hit> {
    if text.trim().is_empty() {
        return Some(Hit::new(
            Rule::ParseError,
            "",
            "the file is empty; write the record, or delete the file",
        ));
    }
    if text.contains('\0') {
        return Some(Hit::new(Rule::ParseError, "", "the file holds binary data, not TOML text"));
    }
    text.lines().position(|l| l.starts_with("<<<<<<< ") || l == "=======" || l.starts_with(">>>>>>> ")).map(
        |i| {
            Hit::new(
                Rule::MergeConflict,
                format!("@{}", i + 1),
                format!(
                    "unresolved merge conflict markers at line {}; resolve the conflict, then run crs check",
                    i + 1
                ),
            )
        },
    )
}

/// A record a merge left with conflict markers that pair up: one hit for each
/// conflict, at its first marker, naming the record, the fields the two sides
/// disagree on there, and what to do. `None` when the text has no such markers.
pub fn merge_conflicts(text: &str, file: &str, id: Option<&RecordId>) -> Option<Vec<Hit>> {
    let regions = sides(text)?;
    let ours = flatten_checked(&settled(&regions, |_| true)).ok();
    let who = id.map_or_else(|| file.to_owned(), ToString::to_string);
    let shown = |v: &Option<String>| v.as_ref().map_or_else(|| "absent".to_owned(), |v| format!("\"{v}\""));
    let hits = regions
        .iter()
        .enumerate()
        .filter(|(_, region)| region.line > 0)
        .map(|(i, region)| {
            let theirs = flatten_checked(&settled(&regions, |k| k != i));
            let what = match (&ours, theirs) {
                (Some(ours), Ok(theirs)) => match changes_between(ours, &theirs).as_slice() {
                    [] => "the two sides of a merge differ only in layout".to_owned(),
                    [one] if fact_of(&one.field).is_none() => format!(
                        "{} changed on both sides of a merge (ours: {}; theirs: {})",
                        one.field,
                        shown(&one.old),
                        shown(&one.new)
                    ),
                    many => format!(
                        "{} changed on both sides of a merge",
                        conflicting_facts(many, ours, &theirs).join(", ")
                    ),
                },
                _ => "the two sides of a merge differ, and one of them is not a record".to_owned(),
            };
            Hit::new(
                Rule::MergeConflict,
                format!("@{}", region.line),
                format!("{who}: {what}; {}", resolve_hint(file, region.line, &ConflictState::Unknown)),
            )
        })
        .collect();
    Some(hits)
}

/// Where a record with conflict markers stands, for what to do about them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConflictState {
    /// Not known (the register is read without its repository).
    Unknown,
    /// Git merged the record line by line (no merge driver in this clone), in the
    /// middle of an operation finished by the command given.
    LineByLine { finish: String },
    /// In the middle of a merge, rebase or cherry-pick, finished by the command given.
    InProgress { finish: String },
    /// No operation in progress: the markers were committed.
    Committed,
}

/// What to do about the conflict at `line` of `file`.
pub fn resolve_hint(file: &str, line: usize, state: &ConflictState) -> String {
    let keep = format!("keep the lines you want between the markers at line {line}, delete the marker lines");
    match state {
        ConflictState::Unknown => format!(
            "{keep}, then git add {file} and finish the merge (git merge --continue, or git rebase --continue)"
        ),
        ConflictState::LineByLine { finish } => format!(
            "git merged this record line by line, as this clone has no merge driver: run crs setup, then git checkout -m {file} to merge it again by meaning, keeping both sides' facts; then resolve only what is still named here, git add {file} and {finish}"
        ),
        ConflictState::InProgress { finish } => format!("{keep}, then git add {file} and {finish}"),
        ConflictState::Committed => {
            format!("the conflict markers were committed with the record: {keep}, then git commit {file}")
        }
    }
}

/// The fact a field belongs to, when it is part of one kept or changed whole: an
/// event or a decision (`events[4]`), or a stage's assessment (`stages.interdependencies`).
fn fact_of(field: &str) -> Option<&str> {
    if let Some(rest) = field.strip_prefix("stages.") {
        let end = "stages.".len() + rest.find('.')?;
        return Some(&field[..end]);
    }
    let (list, rest) = field.split_once('[')?;
    let end = list.len() + 1 + rest.find(']')? + 1;
    (!list.contains('.')).then(|| &field[..end])
}

/// The facts and fields two versions differ in, each named once and an item in
/// words: "event 5 (provider-refused on 4 December 2026)", "decision 3 (remove on 29
/// November 2026)", "the assessment of stage interdependencies", "service.description".
fn conflicting_facts(
    changes: &[crate::model::fields::FieldChange],
    ours: &std::collections::BTreeMap<String, String>,
    theirs: &std::collections::BTreeMap<String, String>,
) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for change in changes {
        let name = match fact_of(&change.field) {
            None => change.field.clone(),
            Some(fact) => fact_in_words(fact, ours, theirs),
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// One fact named in words, from our version of it (or theirs, where ours has none).
fn fact_in_words(
    fact: &str,
    ours: &std::collections::BTreeMap<String, String>,
    theirs: &std::collections::BTreeMap<String, String>,
) -> String {
    if let Some(stage) = fact.strip_prefix("stages.") {
        return format!("the assessment of stage {}", crate::model::labels::code_in_words(stage));
    }
    let value = |part: &str| {
        let key = format!("{fact}.{part}");
        ours.get(&key).or_else(|| theirs.get(&key)).cloned()
    };
    let day = |key: &str| {
        value(key).map(|d| d.parse::<Date>().map_or_else(|_| d.clone(), |d| format!(" on {}", d.in_words())))
    };
    let (list, rest) = fact.split_once('[').unwrap_or((fact, "0]"));
    let number = rest.trim_end_matches(']').parse::<usize>().map_or(0, |n| n + 1);
    let (noun, what, when) = match list {
        "events" => ("event", value("kind"), day("on")),
        "decisions" => ("decision", value("outcome"), day("decided_on")),
        other => (other, None, None),
    };
    match what {
        Some(what) => format!("{noun} {number} ({what}{})", when.unwrap_or_default()),
        None => format!("{noun} {number}"),
    }
}

/// A TOML error as a hit: `parse-error` for syntax, `schema` for content the record
/// type refuses. The key field carries the byte span as `@start-end` so `place` can
/// turn it into a line and column.
pub fn toml_error_hit(text: &str, error: &toml::de::Error) -> Hit {
    let rule = if text.parse::<toml::Table>().is_err() { Rule::ParseError } else { Rule::Schema };
    let message = error.message().trim().replace('\n', " ");
    let message = no_such_day(text, error).unwrap_or(message);
    let message = match rule {
        Rule::Schema if message.starts_with("unknown field") => {
            format!("{message}; check the spelling (unknown keys are usually typos)")
        }
        _ => message,
    };
    let key =
        error.span().map_or(String::new(), |span: Range<usize>| format!("@{}-{}", span.start, span.end));
    Hit::new(rule, key, message)
}

/// For a date that is written as one but is not in the calendar (`2025-02-30`), the
/// same words the command line gives ("February 2025 has 28 days") instead of toml's.
fn no_such_day(text: &str, error: &toml::de::Error) -> Option<String> {
    let written = text.get(error.span()?)?.trim_start();
    match written.get(..10)?.parse::<Date>() {
        Err(e @ DateParseError::NoSuchDay { .. }) => Some(e.to_string()),
        _ => None,
    }
}

/// Turns a hit into a finding: severity from the framework (or none when the rule is
/// off), line and column from the text.
pub fn place(
    hit: Hit,
    file: &str,
    id: Option<&RecordId>,
    text: &str,
    framework: &Framework,
) -> Option<Finding> {
    let severity = framework.severity(hit.rule)?;
    let position =
        if let Some(at) = hit.key.strip_prefix('@') { position_of(text, at) } else { locate(text, &hit.key) };
    Some(Finding {
        rule: hit.rule,
        severity,
        record: id.map(ToString::to_string),
        file: file.to_owned(),
        line: position.map(|p| p.0),
        column: position.map(|p| p.1),
        message: hit.message,
    })
}

/// `@start-end` (a byte span) or `@line` to a 1-based line and column.
fn position_of(text: &str, at: &str) -> Option<(usize, usize)> {
    match at.split_once('-') {
        Some((start, _)) => Some(line_column(text, start.parse().ok()?)),
        None => Some((at.parse().ok()?, 1)),
    }
}

fn cross_record_findings(
    source: &dyn Source,
    entries: &[Entry],
    keys: &[(usize, String, ServiceKey)],
    framework: &Framework,
) -> Result<Vec<Finding>> {
    let hits = duplicate_services(keys);
    if hits.is_empty() {
        return Ok(Vec::new());
    }
    // Only the few files with findings are read again, to place them.
    let mut reader = source.reader()?;
    let mut buf = Vec::new();
    let mut findings = Vec::new();
    for (index, hit) in hits {
        let entry = &entries[index];
        let text = match reader.read_into(entry, MAX_RECORD_BYTES, &mut buf) {
            Ok(()) => String::from_utf8_lossy(&buf).into_owned(),
            Err(_) => String::new(),
        };
        findings.extend(place(hit, &entry.path, entry.path.parse().ok().as_ref(), &text, framework));
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_spans_become_lines_and_columns() {
        let text = "a = 1\nbb = x\n";
        assert_eq!(position_of(text, "11-12"), Some((2, 6)));
        assert_eq!(position_of(text, "0-1"), Some((1, 1)));
        assert_eq!(position_of(text, "3"), Some((3, 1)));
    }

    #[test]
    fn syntax_and_content_errors_get_different_rules() {
        let bad_syntax = "a = [";
        let err = toml::from_str::<Record>(bad_syntax).unwrap_err();
        assert_eq!(toml_error_hit(bad_syntax, &err).rule, Rule::ParseError);
        let unknown = "schema_version = 1\nsurprise = 2\n";
        let err = toml::from_str::<Record>(unknown).unwrap_err();
        assert_eq!(toml_error_hit(unknown, &err).rule, Rule::Schema);
    }

    #[test]
    fn conflict_markers_are_reported_on_their_line() {
        let hit = unreadable_text("a = 1\n<<<<<<< HEAD\nb = 2\n").unwrap();
        assert_eq!(hit.key, "@2");
    }
}
