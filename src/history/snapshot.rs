//! `Snapshot`: the register as it stood in a past commit, read from git objects
//! without touching the working tree. It is a `Source`, so everything that reads the
//! working tree reads the past the same way.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use git2::{ObjectType, Oid, Repository, Tree};

use crate::error::{Error, Result};
use crate::history::repo::{RegisterRepo, git_error, open};
use crate::model::Date;
use crate::register::source::{Entry, EntryKind, EntryReader, Source};

/// The register at one commit.
pub struct Snapshot {
    repo_path: PathBuf,
    /// The register's tree id, if the register existed at that commit.
    tree: Option<Oid>,
    entries: Vec<Entry>,
    blobs: HashMap<String, Oid>,
    /// The commit read, for messages.
    pub commit: String,
    /// The day asked for, when `--as-of` named a day.
    pub day: Option<Date>,
}

/// Resolves `when` (a date `YYYY-MM-DD` or a git revision) on the register's branch
/// and reads the register as it stood there.
pub fn snapshot(root: &Path, when: &str) -> Result<Snapshot> {
    let rr = open(root)?;
    let (commit, day) = match when.parse::<Date>() {
        Ok(day) => (last_commit_on_or_before(&rr.repo, day)?, Some(day)),
        Err(_) => {
            let object = rr.repo.revparse_single(when).map_err(|e| {
                Error::git(
                    format!(
                        "'{when}' is neither a date (YYYY-MM-DD) nor a revision of this repository ({})",
                        e.message()
                    ),
                    "give a date like 2025-03-31, a commit id, a tag or a branch name",
                )
            })?;
            let commit =
                object.peel_to_commit().map_err(|e| git_error(&format!("'{when}' is not a commit"), &e))?;
            (commit.id(), None)
        }
    };
    build(&rr, commit, day)
}

fn last_commit_on_or_before(repo: &Repository, day: Date) -> Result<Oid> {
    let mut walk = repo.revwalk().map_err(|e| git_error("cannot walk history", &e))?;
    walk.push_head().map_err(|e| {
        Error::git(
            format!("the repository has no commits yet ({})", e.message()),
            "commit the register first",
        )
    })?;
    walk.simplify_first_parent().map_err(|e| git_error("cannot walk history", &e))?;
    for oid in walk {
        let oid = oid.map_err(|e| git_error("cannot walk history", &e))?;
        let commit = repo.find_commit(oid).map_err(|e| git_error("cannot read a commit", &e))?;
        if commit_day(&commit) <= day {
            return Ok(oid);
        }
    }
    Err(Error::git(
        format!("the register has no commit on or before {day}"),
        "crs log shows when the register's history starts",
    ))
}

/// When `commit` (a full commit id) was committed, by its committer's clock: the
/// moment an export of that commit is stamped with, so the same commit always gives
/// the same bytes. An id that names no commit of the repository is an error.
pub fn commit_time(root: &Path, commit: &str) -> Result<DateTime<Utc>> {
    let rr = open(root)?;
    let not_here = || {
        Error::git(
            format!("the commit {commit} is not in this repository"),
            "run crs in a clone of the register that holds it (git fetch, with its tags), or check the commit id",
        )
    };
    let oid = Oid::from_str(commit).map_err(|_| not_here())?;
    let found = rr.repo.find_commit(oid).map_err(|_| not_here())?;
    let seconds = found.committer().when().seconds();
    Utc.timestamp_opt(seconds, 0).single().ok_or_else(|| {
        Error::git(
            format!("the commit {commit} has a time git cannot read ({seconds})"),
            "export from another commit",
        )
    })
}

/// The day of a commit in its committer's own time zone.
pub fn commit_day(commit: &git2::Commit<'_>) -> Date {
    let time = commit.committer().when();
    let offset = FixedOffset::east_opt(time.offset_minutes() * 60)
        .unwrap_or(FixedOffset::east_opt(0).expect("zero offset"));
    let at = offset.timestamp_opt(time.seconds(), 0).single().unwrap_or_default();
    Date(at.date_naive())
}

fn build(rr: &RegisterRepo, commit_id: Oid, day: Option<Date>) -> Result<Snapshot> {
    let repo = &rr.repo;
    let commit = repo.find_commit(commit_id).map_err(|e| git_error("cannot read a commit", &e))?;
    let root_tree = commit.tree().map_err(|e| git_error("cannot read a commit's tree", &e))?;
    let tree = if rr.prefix.is_empty() {
        Some(root_tree.id())
    } else {
        root_tree
            .get_path(Path::new(&rr.prefix))
            .ok()
            .filter(|e| e.kind() == Some(ObjectType::Tree))
            .map(|e| e.id())
    };
    let mut snapshot = Snapshot {
        repo_path: repo.path().to_path_buf(),
        tree,
        entries: Vec::new(),
        blobs: HashMap::new(),
        commit: commit_id.to_string(),
        day,
    };
    if let Some(tree) = tree {
        let tree = repo.find_tree(tree).map_err(|e| git_error("cannot read a tree", &e))?;
        let mut found = Vec::new();
        walk(repo, &tree, "", 0, &mut found)?;
        found.sort_by(|a: &(Entry, Option<Oid>), b| a.0.path.cmp(&b.0.path));
        snapshot.blobs = found.iter().filter_map(|(e, oid)| Some((e.path.clone(), (*oid)?))).collect();
        snapshot.entries = found.into_iter().map(|(e, _)| e).collect();
    }
    Ok(snapshot)
}

const LINK_MODE: i32 = 0o120000;

/// Collects candidate records the way the working-tree walk does.
fn walk(
    repo: &Repository,
    tree: &Tree<'_>,
    relative: &str,
    depth: usize,
    out: &mut Vec<(Entry, Option<Oid>)>,
) -> Result<()> {
    for item in tree.iter() {
        let Some(name) = item.name() else {
            let lossy = String::from_utf8_lossy(item.name_bytes()).into_owned();
            let path = if relative.is_empty() { lossy } else { format!("{relative}/{lossy}") };
            out.push((Entry { path, kind: EntryKind::BadName, size: None }, None));
            continue;
        };
        if name.starts_with('.') || (depth == 0 && name == "crs.toml") {
            continue;
        }
        let path = if relative.is_empty() { name.to_owned() } else { format!("{relative}/{name}") };
        let is_toml = name.ends_with(".toml");
        match item.kind() {
            Some(ObjectType::Tree) if !is_toml => {
                let sub = repo.find_tree(item.id()).map_err(|e| git_error("cannot read a tree", &e))?;
                walk(repo, &sub, &path, depth + 1, out)?;
            }
            Some(ObjectType::Tree) => out.push((Entry { path, kind: EntryKind::Dir, size: None }, None)),
            Some(ObjectType::Blob) if item.filemode() == LINK_MODE && (is_toml || depth == 0) => {
                out.push((Entry { path, kind: EntryKind::Symlink, size: None }, None));
            }
            Some(ObjectType::Blob) if is_toml && item.filemode() != LINK_MODE => {
                out.push((Entry { path, kind: EntryKind::File, size: None }, Some(item.id())));
            }
            Some(ObjectType::Commit) if is_toml => {
                out.push((Entry { path, kind: EntryKind::Other, size: None }, None))
            }
            _ => {}
        }
    }
    Ok(())
}

impl Snapshot {
    fn open_repo(&self) -> Result<Repository> {
        crate::history::repo::tune_libgit2();
        Repository::open(&self.repo_path).map_err(|e| git_error("cannot open the repository", &e))
    }
}

impl Source for Snapshot {
    fn entries(&self) -> Result<Vec<Entry>> {
        Ok(self.entries.clone())
    }

    fn read_file(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let Some(tree) = self.tree else { return Ok(None) };
        let repo = self.open_repo()?;
        let tree = repo.find_tree(tree).map_err(|e| git_error("cannot read a tree", &e))?;
        let Ok(entry) = tree.get_path(Path::new(path)) else { return Ok(None) };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        let blob =
            repo.find_blob(entry.id()).map_err(|e| git_error("cannot read a file from history", &e))?;
        Ok(Some(blob.content().to_vec()))
    }

    fn reader(&self) -> Result<Box<dyn EntryReader + '_>> {
        Ok(Box::new(SnapshotReader { repo: self.open_repo()?, blobs: &self.blobs }))
    }
}

struct SnapshotReader<'a> {
    repo: Repository,
    blobs: &'a HashMap<String, Oid>,
}

impl EntryReader for SnapshotReader<'_> {
    fn read_into(&mut self, entry: &Entry, limit: u64, buf: &mut Vec<u8>) -> io::Result<()> {
        buf.clear();
        let oid = *self.blobs.get(&entry.path).ok_or_else(|| io::Error::other("not a file in history"))?;
        let blob = self.repo.find_blob(oid).map_err(|e| io::Error::other(e.message().to_owned()))?;
        let content = blob.content();
        buf.extend_from_slice(&content[..content.len().min(limit as usize)]);
        Ok(())
    }
}
