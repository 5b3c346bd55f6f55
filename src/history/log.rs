//! The audit log: the commits that changed the register (or one record), newest
//! first, with who, when, what crs action (or "by hand"), and the fields that
//! changed from what to what.

use std::collections::HashMap;
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
    // Git's own default order (newest first); a topological sort would read every
    // commit before showing the first.
    walk.set_sorting(Sort::NONE).map_err(|e| git_error("cannot walk history", &e))?;
    let mut entries = Vec::new();
    // For one record, each commit's blob id for it is looked up once, and reused
    // when the walk reaches that commit as a parent.
    let mut blob_ids: HashMap<Oid, (Option<Oid>, Vec<Oid>)> = HashMap::new();
    let record_path = id.map(|id| rr.repo_path(&id.relative_path_string()));
    for oid in walk {
        if limit.is_some_and(|l| entries.len() >= l) {
            break;
        }
        let oid = oid.map_err(|e| git_error("cannot walk history", &e))?;
        if let Some(path) = &record_path {
            // A merge changed the record only if it differs from every parent (as
            // git log has it); otherwise the change is the branch's, shown there.
            let (mine, parents) = blob_id(repo, &mut blob_ids, oid, path)?;
            let mut same_as_a_parent = parents.is_empty() && mine.is_none();
            for parent in parents {
                same_as_a_parent |= blob_id(repo, &mut blob_ids, parent, path)?.0 == mine;
            }
            if same_as_a_parent {
                continue;
            }
        }
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
            None => {
                let mut changes = register_changes(repo, &rr, parent_tree.as_ref(), &tree)?;
                if commit.parent_count() > 1 {
                    let mut from_branches = Vec::new();
                    for parent in commit.parents().skip(1) {
                        let other = parent.tree().map_err(|e| git_error("cannot read a tree", &e))?;
                        for c in &changes {
                            let path = rr.repo_path(&format!("{}.toml", c.record));
                            let id_in = |t: &Tree<'_>| t.get_path(Path::new(&path)).ok().map(|e| e.id());
                            if id_in(&other) == id_in(&tree) {
                                from_branches.push(c.record.clone());
                            }
                        }
                    }
                    changes.retain(|c| !from_branches.contains(&c.record));
                }
                changes
            }
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

/// The blob id of `path` at `commit` and the commit's parents, remembered in `cache`.
/// Trees are read raw from the object database and scanned for the one name needed
/// at each level, which is several times cheaper than parsing every entry of every
/// tree on the way.
fn blob_id(
    repo: &Repository,
    cache: &mut HashMap<Oid, (Option<Oid>, Vec<Oid>)>,
    commit: Oid,
    path: &str,
) -> Result<(Option<Oid>, Vec<Oid>)> {
    if let Some(known) = cache.get(&commit) {
        return Ok(known.clone());
    }
    let odb = repo.odb().map_err(|e| git_error("cannot read the object database", &e))?;
    let (tree, parents) = raw_commit(&odb, commit)?;
    let mut id = Some(tree);
    for name in path.split('/') {
        let Some(tree) = id else { break };
        let object = odb.read(tree).map_err(|e| git_error("cannot read a tree", &e))?;
        id = find_in_raw_tree(object.data(), name.as_bytes());
    }
    cache.insert(commit, (id, parents.clone()));
    Ok((id, parents))
}

/// A commit's tree and parents, read from the raw object's header lines rather than
/// by parsing the whole commit (signatures, dates, message) as libgit2 would.
fn raw_commit(odb: &git2::Odb<'_>, commit: Oid) -> Result<(Oid, Vec<Oid>)> {
    let object = odb.read(commit).map_err(|e| git_error("cannot read a commit", &e))?;
    let mut tree = None;
    let mut parents = Vec::new();
    for line in object.data().split(|b| *b == b'\n') {
        let hex = |prefix: &[u8]| {
            line.strip_prefix(prefix).and_then(|h| std::str::from_utf8(h).ok()?.parse::<Oid>().ok())
        };
        if let Some(id) = hex(b"tree ") {
            tree = Some(id);
        } else if let Some(id) = hex(b"parent ") {
            parents.push(id);
        } else {
            break;
        }
    }
    let tree = tree.ok_or_else(|| git_error("cannot read a commit", &git2::Error::from_str("no tree")))?;
    Ok((tree, parents))
}

/// Finds `name` in a raw tree object: entries of `<mode> <name>\0<20-byte id>`.
fn find_in_raw_tree(mut data: &[u8], name: &[u8]) -> Option<Oid> {
    while !data.is_empty() {
        let space = data.iter().position(|b| *b == b' ')?;
        let nul = space + data[space..].iter().position(|b| *b == 0)?;
        let id = data.get(nul + 1..nul + 21)?;
        if &data[space + 1..nul] == name {
            return Oid::from_bytes(id).ok();
        }
        data = &data[nul + 21..];
    }
    None
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
