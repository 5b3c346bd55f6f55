//! The audit log: the commits that changed the register (or one record), newest
//! first, with who, when, what crs action (or "by hand"), and the fields that
//! changed from what to what.

use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, FixedOffset, TimeZone};
use git2::{DiffOptions, Oid, Repository, Tree};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::history::repo::{RegisterRepo, git_error, open};
use crate::model::RecordId;
use crate::model::fields::{FieldChange, changes_between, flatten};

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
    let Some(head) = repo.head().ok().and_then(|h| h.peel_to_commit().ok()).map(|c| c.id()) else {
        return Ok(Vec::new());
    };
    let odb = repo.odb().map_err(|e| git_error("cannot read the object database", &e))?;
    let mut commits = Commits { odb, raw: HashMap::new() };
    let mut entries = Vec::new();
    // For one record, each commit's blob id for it is looked up once, and reused
    // when the walk reaches that commit as a parent.
    let mut blob_ids: HashMap<Oid, Option<Oid>> = HashMap::new();
    let mut flat: HashMap<Oid, BTreeMap<String, String>> = HashMap::new();
    let record_path = id.map(|id| rr.repo_path(&id.relative_path_string()));
    // Newest first by commit time, as git log orders it, each commit once.
    let mut queue = BinaryHeap::from([(commits.get(head)?.time, head)]);
    let mut seen = HashSet::from([head]);
    while let Some((_, oid)) = queue.pop() {
        if limit.is_some_and(|l| entries.len() >= l) {
            break;
        }
        for parent in commits.get(oid)?.parents.clone() {
            if seen.insert(parent) {
                queue.push((commits.get(parent)?.time, parent));
            }
        }
        if let Some(path) = &record_path {
            // A merge changed the record only if it differs from every parent (as
            // git log has it); otherwise the change is the branch's, shown there.
            let mine = blob_id(&mut commits, &mut blob_ids, oid, path)?;
            let parents = commits.get(oid)?.parents.clone();
            let mut same_as_a_parent = parents.is_empty() && mine.is_none();
            for parent in parents {
                same_as_a_parent |= blob_id(&mut commits, &mut blob_ids, parent, path)? == mine;
            }
            if same_as_a_parent {
                continue;
            }
        }
        let commit = repo.find_commit(oid).map_err(|e| git_error("cannot read a commit", &e))?;
        let records = match (id, &record_path) {
            (Some(id), Some(path)) => {
                let mine = blob_id(&mut commits, &mut blob_ids, oid, path)?;
                let first_parent = match commits.get(oid)?.parents.first().copied() {
                    Some(parent) => blob_id(&mut commits, &mut blob_ids, parent, path)?,
                    None => None,
                };
                let name = id.to_string();
                vec![change_between(repo, &mut flat, &name, first_parent, mine)]
            }
            _ => {
                let tree = commit.tree().map_err(|e| git_error("cannot read a tree", &e))?;
                let parent_tree = match commit.parent(0) {
                    Ok(parent) => Some(parent.tree().map_err(|e| git_error("cannot read a tree", &e))?),
                    Err(_) => None,
                };
                let mut changes = register_changes(repo, &rr, &mut flat, parent_tree.as_ref(), &tree)?;
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

/// The blob id of `path` at `commit`, remembered in `cache`. Trees are read raw
/// from the object database and scanned for the one name needed at each level,
/// which is several times cheaper than parsing every entry of every tree.
fn blob_id(
    commits: &mut Commits<'_>,
    cache: &mut HashMap<Oid, Option<Oid>>,
    commit: Oid,
    path: &str,
) -> Result<Option<Oid>> {
    if let Some(known) = cache.get(&commit) {
        return Ok(*known);
    }
    let mut id = Some(commits.get(commit)?.tree);
    for name in path.split('/') {
        let Some(tree) = id else { break };
        let object = commits.odb.read(tree).map_err(|e| git_error("cannot read a tree", &e))?;
        id = find_in_raw_tree(object.data(), name.as_bytes());
    }
    cache.insert(commit, id);
    Ok(id)
}

/// What the walk needs of a commit: its tree, parents and commit time.
struct RawCommit {
    tree: Oid,
    parents: Vec<Oid>,
    time: i64,
}

/// Commits read once each, from the raw object's header lines rather than by
/// parsing whole commits (signatures, message) as libgit2's revwalk and lookups do.
struct Commits<'r> {
    odb: git2::Odb<'r>,
    raw: HashMap<Oid, RawCommit>,
}

impl Commits<'_> {
    fn get(&mut self, commit: Oid) -> Result<&RawCommit> {
        if !self.raw.contains_key(&commit) {
            let object = self.odb.read(commit).map_err(|e| git_error("cannot read a commit", &e))?;
            let (mut tree, mut parents, mut time) = (None, Vec::new(), 0);
            for line in object.data().split(|b| *b == b'\n') {
                if line.is_empty() {
                    break;
                }
                let text = String::from_utf8_lossy(line);
                if let Some(hex) = text.strip_prefix("tree ") {
                    tree = hex.parse::<Oid>().ok();
                } else if let Some(hex) = text.strip_prefix("parent ") {
                    parents.extend(hex.parse::<Oid>().ok());
                } else if let Some(who) = text.strip_prefix("committer ") {
                    // "Name <email> 1700000000 +0000"
                    time = who.rsplit(' ').nth(1).and_then(|t| t.parse().ok()).unwrap_or(0);
                }
            }
            let tree =
                tree.ok_or_else(|| Error::git(format!("commit {commit} has no tree"), "run git fsck"))?;
            self.raw.insert(commit, RawCommit { tree, parents, time });
        }
        Ok(&self.raw[&commit])
    }
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

/// What happened to `record` between two blob ids of its file, with the fields that
/// changed; each blob is read and flattened once, however many commits name it.
fn change_between(
    repo: &Repository,
    flat: &mut HashMap<Oid, BTreeMap<String, String>>,
    record: &str,
    old: Option<Oid>,
    new: Option<Oid>,
) -> RecordChange {
    let change = match (old, new) {
        (None, Some(_)) => ChangeKind::Added,
        (Some(_), None) => ChangeKind::Removed,
        _ => ChangeKind::Changed,
    };
    for id in [old, new].into_iter().flatten() {
        flat.entry(id).or_insert_with(|| {
            let text = repo.find_blob(id).map(|b| String::from_utf8_lossy(b.content()).into_owned());
            flatten(&text.unwrap_or_default())
        });
    }
    let none = BTreeMap::new();
    let fields_of = |id: Option<Oid>| id.and_then(|id| flat.get(&id)).unwrap_or(&none);
    RecordChange {
        record: record.to_owned(),
        change,
        fields: changes_between(fields_of(old), fields_of(new)),
    }
}

fn register_changes(
    repo: &Repository,
    rr: &RegisterRepo,
    flat: &mut HashMap<Oid, BTreeMap<String, String>>,
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
        let repo_path = rr.repo_path(&path);
        let id_in = |tree: Option<&Tree<'_>>| {
            tree.and_then(|t| t.get_path(Path::new(&repo_path)).ok()).map(|e| e.id())
        };
        let (old, new) = (id_in(old_tree), id_in(Some(new_tree)));
        if old != new {
            let record = path.strip_suffix(".toml").unwrap_or(&path);
            out.push(change_between(repo, flat, record, old, new));
        }
    }
    Ok(out)
}
