//! The audit log: the commits that changed the register (or one record), newest
//! first, with who, when, what crs action (or "by hand"), and the fields that
//! changed from what to what.

use std::path::Path;

use chrono::{DateTime, FixedOffset, TimeZone};
use git2::{DiffOptions, ObjectType, Oid, Repository, Sort, Tree};
use serde::Serialize;

use crate::error::Result;
use crate::history::repo::{RegisterRepo, git_error, open};
use crate::model::RecordId;
use crate::model::fields::{FieldChange, changes};

/// One commit of the log.
#[derive(Clone, Debug, Serialize)]
pub struct LogEntry {
    pub commit: String,
    pub author: String,
    pub email: String,
    pub date: DateTime<FixedOffset>,
    pub subject: String,
    /// The `Crs-Action` trailer; `None` for a commit made by hand.
    pub action: Option<String>,
    pub by_crs: bool,
    pub records: Vec<RecordChange>,
}

/// What one commit did to one record.
#[derive(Clone, Debug, Serialize)]
pub struct RecordChange {
    pub record: String,
    pub change: ChangeKind,
    pub fields: Vec<FieldChange>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Changed,
    Removed,
}

/// The log of the register at `root`, or of one record, newest first; at most
/// `limit` commits when given.
pub fn log(root: &Path, id: Option<&RecordId>, limit: Option<usize>) -> Result<Vec<LogEntry>> {
    let rr = open(root)?;
    let repo = &rr.repo;
    let mut walk = repo.revwalk().map_err(|e| git_error("cannot walk history", &e))?;
    if walk.push_head().is_err() {
        return Ok(Vec::new());
    }
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME).map_err(|e| git_error("cannot walk history", &e))?;
    let mut entries = Vec::new();
    for oid in walk {
        if limit.is_some_and(|l| entries.len() >= l) {
            break;
        }
        let oid = oid.map_err(|e| git_error("cannot walk history", &e))?;
        let commit = repo.find_commit(oid).map_err(|e| git_error("cannot read a commit", &e))?;
        let tree = commit.tree().map_err(|e| git_error("cannot read a tree", &e))?;
        let parent_tree = match commit.parent(0) {
            Ok(parent) => Some(parent.tree().map_err(|e| git_error("cannot read a tree", &e))?),
            Err(_) => None,
        };
        let records = match id {
            Some(id) => record_change(repo, &rr, &id.relative_path_string(), parent_tree.as_ref(), &tree)?
                .into_iter()
                .collect(),
            None => register_changes(repo, &rr, parent_tree.as_ref(), &tree)?,
        };
        if records.is_empty() {
            continue;
        }
        let message = commit.message().unwrap_or("");
        let action = trailer(message, "Crs-Action");
        let author = commit.author();
        let time = author.when();
        let offset = FixedOffset::east_opt(time.offset_minutes() * 60)
            .unwrap_or(FixedOffset::east_opt(0).expect("zero"));
        entries.push(LogEntry {
            commit: oid.to_string(),
            author: author.name().unwrap_or("").to_owned(),
            email: author.email().unwrap_or("").to_owned(),
            date: offset.timestamp_opt(time.seconds(), 0).single().unwrap_or_default(),
            subject: commit.summary().unwrap_or("").to_owned(),
            by_crs: action.is_some(),
            action,
            records,
        });
    }
    Ok(entries)
}

fn trailer(message: &str, key: &str) -> Option<String> {
    message
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':').map(|v| v.trim().to_owned()))
}

fn blob_at(repo: &Repository, tree: Option<&Tree<'_>>, path: &str) -> Option<(Oid, String)> {
    let entry = tree?.get_path(Path::new(path)).ok()?;
    if entry.kind() != Some(ObjectType::Blob) {
        return None;
    }
    let blob = repo.find_blob(entry.id()).ok()?;
    Some((entry.id(), String::from_utf8_lossy(blob.content()).into_owned()))
}

fn record_change(
    repo: &Repository,
    rr: &RegisterRepo,
    path: &str,
    old_tree: Option<&Tree<'_>>,
    new_tree: &Tree<'_>,
) -> Result<Option<RecordChange>> {
    let repo_path = rr.repo_path(path);
    let id_of =
        |tree: Option<&Tree<'_>>| tree.and_then(|t| t.get_path(Path::new(&repo_path)).ok()).map(|e| e.id());
    if id_of(old_tree) == id_of(Some(new_tree)) {
        return Ok(None);
    }
    let old = blob_at(repo, old_tree, &repo_path);
    let new = blob_at(repo, Some(new_tree), &repo_path);
    let change = match (&old, &new) {
        (None, Some(_)) => ChangeKind::Added,
        (Some(_), None) => ChangeKind::Removed,
        _ => ChangeKind::Changed,
    };
    let text = |b: &Option<(Oid, String)>| b.as_ref().map_or(String::new(), |(_, t)| t.clone());
    let record = path.strip_suffix(".toml").unwrap_or(path).to_owned();
    Ok(Some(RecordChange { record, change, fields: changes(&text(&old), &text(&new)) }))
}

fn register_changes(
    repo: &Repository,
    rr: &RegisterRepo,
    old_tree: Option<&Tree<'_>>,
    new_tree: &Tree<'_>,
) -> Result<Vec<RecordChange>> {
    let mut options = DiffOptions::new();
    if !rr.prefix.is_empty() {
        options.pathspec(format!("{}/", rr.prefix));
    }
    let diff = repo
        .diff_tree_to_tree(old_tree, Some(new_tree), Some(&mut options))
        .map_err(|e| git_error("cannot compare commits", &e))?;
    let mut paths: Vec<String> = diff
        .deltas()
        .filter_map(|d| {
            d.new_file().path().or_else(|| d.old_file().path()).map(|p| p.to_string_lossy().into_owned())
        })
        .filter_map(|p| {
            let relative =
                if rr.prefix.is_empty() { p } else { p.strip_prefix(&format!("{}/", rr.prefix))?.to_owned() };
            relative.parse::<RecordId>().is_ok().then_some(relative)
        })
        .collect();
    paths.sort();
    paths.dedup();
    let mut out = Vec::new();
    for path in paths {
        out.extend(record_change(repo, rr, &path, old_tree, new_tree)?);
    }
    Ok(out)
}
