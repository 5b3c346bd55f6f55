//! `crs merge-file`: the merge driver git runs for a record (registered by `crs
//! setup`). The three versions git hands over are merged by meaning
//! (`register::merge`), the merged record is judged by the one checker, and the
//! result is written over our version, as git expects: the merged record, or a file
//! a person can resolve with the conflict between markers. Nothing is lost: a
//! version that is not a record, or a merge that would break a rule, leaves both
//! versions between markers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::atomic::write_atomic;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::{Hit, Severity};
use crate::model::{Record, RecordId};
use crate::ops::checker::{Checker, working_orgs};
use crate::register::config::{SETTINGS_FILE, check_root};
use crate::register::markers::conflict_text;
use crate::register::merge::{Conflict, Merge, merge};
use crate::register::{Config, DiskSource, read_config};

/// The files git names for one merge, as `%O %A %B %P`.
#[derive(Clone, Debug)]
pub(crate) struct MergeFiles<'a> {
    /// The common version.
    pub base: &'a Path,
    /// Our version; the result is written here.
    pub ours: &'a Path,
    /// Their version.
    pub theirs: &'a Path,
    /// The record's path in the repository, e.g. `RJ1/maternity.toml`.
    pub path: &'a str,
}

/// What a merge of a record came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FileMerge {
    /// Both sides' changes are in the record.
    Merged,
    /// Fields changed two ways, between markers.
    Conflicts(Vec<Conflict>),
    /// The merged record would break rules of the register (their messages): both
    /// versions between markers.
    BreaksRules(Vec<String>),
    /// Nothing could be merged by meaning (why): both versions between markers.
    Unmergeable(String),
}

/// A merge of one record: its id (as the path names it) and what came of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MergedFile {
    pub record: String,
    pub merge: FileMerge,
}

/// Merges the record git names in `files` and writes the result over our version.
pub(crate) fn merge_file(ctx: &Ctx, files: &MergeFiles<'_>) -> Result<MergedFile> {
    let read = |path: &Path| std::fs::read(ctx.cwd.join(path)).map_err(|e| Error::io(path, e));
    let (base, ours, theirs) = (read(files.base)?, read(files.ours)?, read(files.theirs)?);
    let record = files.path.rsplitn(3, '/').take(2).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>();
    let record = record.join("/").trim_end_matches(".toml").to_owned();
    let out = ctx.cwd.join(files.ours);
    let (Ok(base), Ok(ours_text), Ok(theirs_text)) =
        (String::from_utf8(base), std::str::from_utf8(&ours), std::str::from_utf8(&theirs))
    else {
        write_atomic(&out, &both_bytes(&ours, &theirs))?;
        let why = "a version is not UTF-8 text".to_owned();
        return Ok(MergedFile { record, merge: FileMerge::Unmergeable(why) });
    };
    let (text, merge) = match merge(&base, ours_text, theirs_text) {
        Merge::Clean(text) => match broken_rules(ctx, files.path, &text, ours_text, theirs_text)? {
            broken if broken.is_empty() => (text, FileMerge::Merged),
            broken => (conflict_text(ours_text, theirs_text), FileMerge::BreaksRules(broken)),
        },
        Merge::Conflicted { text, conflicts } => (text, FileMerge::Conflicts(conflicts)),
        Merge::Unmergeable { text, reason } => (text, FileMerge::Unmergeable(reason)),
    };
    write_atomic(&out, text.as_bytes())?;
    Ok(MergedFile { record, merge })
}

/// Two versions that are not text, one after the other between markers.
fn both_bytes(ours: &[u8], theirs: &[u8]) -> Vec<u8> {
    let mut out = b"<<<<<<< ours\n".to_vec();
    out.extend_from_slice(ours);
    out.extend_from_slice(b"\n=======\n");
    out.extend_from_slice(theirs);
    out.extend_from_slice(b"\n>>>>>>> theirs\n");
    out
}

/// The errors the merged record has that neither side had (more of a rule than
/// either side has), as the one checker finds them in the record's register.
fn broken_rules(ctx: &Ctx, path: &str, merged: &str, ours: &str, theirs: &str) -> Result<Vec<String>> {
    let Some((root, config)) = register_of(ctx, path) else { return Ok(Vec::new()) };
    let known = working_orgs(&root, &config)?;
    let checker = Checker::new(&config.framework, ctx.today, known.as_ref());
    let relative = ctx.cwd.join(path);
    let relative = relative.strip_prefix(&root).unwrap_or(Path::new(path));
    let Ok(id) = relative.to_string_lossy().replace('\\', "/").parse::<RecordId>() else {
        return Ok(Vec::new());
    };
    let errors = |text: &str| -> Vec<Hit> {
        let Ok(record) = Record::from_toml(text) else { return Vec::new() };
        let hits = checker.record_hits(&record, &id);
        hits.into_iter().filter(|h| config.framework.severity(h.rule) == Some(Severity::Error)).collect()
    };
    let count = |hits: &[Hit]| {
        let mut by_rule = BTreeMap::new();
        hits.iter().for_each(|h| *by_rule.entry(h.rule).or_insert(0usize) += 1);
        by_rule
    };
    let merged_hits = errors(merged);
    if merged_hits.is_empty() {
        return Ok(Vec::new());
    }
    let (had_ours, had_theirs) = (count(&errors(ours)), count(&errors(theirs)));
    let broken = count(&merged_hits)
        .into_iter()
        .filter(|(rule, n)| n > had_ours.get(rule).unwrap_or(&0) && n > had_theirs.get(rule).unwrap_or(&0))
        .map(|(rule, _)| rule)
        .collect::<Vec<_>>();
    Ok(merged_hits
        .into_iter()
        .filter(|h| broken.contains(&h.rule))
        .map(|h| format!("{}: {}", h.rule, h.message))
        .collect())
}

/// The register holding the record at `path` (git names it from the top of the work
/// tree, where it runs the driver), and its settings; `None` when there is none.
fn register_of(ctx: &Ctx, path: &str) -> Option<(PathBuf, Config)> {
    let full = ctx.cwd.join(path);
    let root = full
        .parent()
        .and_then(Path::parent)
        .filter(|dir| dir.join(SETTINGS_FILE).is_file())
        .map(Path::to_path_buf)
        .or_else(|| ctx.register_root().ok())
        .and_then(|dir| check_root(&dir).ok())?;
    let config = read_config(&DiskSource::new(&root), &root).ok()?;
    Some((root, config))
}
