//! The commits of history in `git log` order — newest first by commit time, each
//! once — taken from git's commit-graph where there is one, else read from the raw
//! objects' header lines (tree, parents, committer time) rather than parsed whole
//! (signatures, message) as libgit2's revwalk and lookups do; a shallow clone's
//! boundary commits walked as roots, as git walks them; and the one path a tree
//! holds, found by scanning raw trees.

use std::collections::{BinaryHeap, HashMap, HashSet};
use std::path::Path;

use chrono::{FixedOffset, TimeZone};
use git2::{Odb, Oid};

use crate::error::{Error, Result};
use crate::history::graph::{CommitGraph, GraphCommit};
use crate::history::repo::git_error;
use crate::model::Date;

/// A commit of the walk, with what is needed to compare it with its parents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walked {
    pub commit: Oid,
    pub tree: Oid,
    /// Each parent, with its tree, first parent first.
    pub parents: Vec<(Oid, Oid)>,
}

/// History from a commit, newest first: an iterator of commits, each once.
pub struct Walk<'o, 'r> {
    commits: Commits<'o, 'r>,
    queue: BinaryHeap<(i64, Oid)>,
    seen: HashSet<Oid>,
}

/// Where a walk reads commits from.
#[derive(Clone, Copy)]
pub struct History<'o, 'r> {
    pub odb: &'o Odb<'r>,
    /// git's commit-graph, where there is one: commits it has are not read.
    pub graph: Option<&'o CommitGraph>,
    /// The commits whose parents a shallow clone does not have: walked as roots, as
    /// git walks them.
    pub shallow: &'o HashSet<Oid>,
}

/// What a walk of a repository's history reads besides its objects, as git reads
/// them: the commit-graph unless `core.commitGraph` is false, and the boundary of a
/// shallow clone, walked as roots. Both live in the common folder that linked
/// worktrees share.
pub struct WalkAids {
    pub graph: Option<CommitGraph>,
    pub shallow: HashSet<Oid>,
}

impl WalkAids {
    pub fn of(repo: &git2::Repository) -> WalkAids {
        let common = repo.commondir();
        let use_graph = repo.config().and_then(|c| c.get_bool("core.commitGraph")).unwrap_or(true);
        let graph = if use_graph { CommitGraph::open(&common.join("objects")) } else { None };
        WalkAids { graph, shallow: shallow_commits(common) }
    }

    /// Where a walk over `odb` reads commits from.
    pub fn history<'o, 'r>(&'o self, odb: &'o Odb<'r>) -> History<'o, 'r> {
        History { odb, graph: self.graph.as_ref(), shallow: &self.shallow }
    }
}

/// The commits of a shallow clone's boundary, listed in `shallow` in the repository's
/// common folder; none in a full clone.
pub fn shallow_commits(common_dir: &Path) -> HashSet<Oid> {
    let text = std::fs::read_to_string(common_dir.join("shallow")).unwrap_or_default();
    text.lines().filter_map(|line| line.trim().parse().ok()).collect()
}

impl<'o, 'r> Walk<'o, 'r> {
    /// Walks from `head`.
    pub fn new(history: History<'o, 'r>, head: Oid) -> Result<Walk<'o, 'r>> {
        let mut commits = Commits { history, raw: HashMap::new() };
        // The walk trusts the commit-graph below its start, as git does, but the
        // start itself is read too: a graph that disagrees with it is not used.
        if let Some(listed) = history.graph.and_then(|graph| graph.get(head)) {
            let raw = commits.read(head)?;
            if raw.tree != listed.tree || raw.parents != listed.parents {
                return Err(Error::git(
                    format!("the commit-graph does not match commit {head}"),
                    "run git commit-graph write --reachable",
                ));
            }
        }
        let queue = BinaryHeap::from([(commits.get(head)?.time, head)]);
        Ok(Walk { commits, queue, seen: HashSet::from([head]) })
    }

    fn step(&mut self, commit: Oid) -> Result<Walked> {
        let RawCommit { tree, parents, .. } = self.commits.get(commit)?.clone();
        let mut walked = Walked { commit, tree, parents: Vec::with_capacity(parents.len()) };
        for parent in parents {
            let raw = self.commits.get(parent)?;
            walked.parents.push((parent, raw.tree));
            if self.seen.insert(parent) {
                self.queue.push((raw.time, parent));
            }
        }
        Ok(walked)
    }
}

impl Iterator for Walk<'_, '_> {
    type Item = Result<Walked>;

    fn next(&mut self) -> Option<Result<Walked>> {
        let (_, commit) = self.queue.pop()?;
        Some(self.step(commit))
    }
}

/// What the walk needs of a commit: its tree, parents and commit time.
#[derive(Clone)]
struct RawCommit {
    tree: Oid,
    parents: Vec<Oid>,
    time: i64,
}

/// Commits read once each, from the graph or the object database.
struct Commits<'o, 'r> {
    history: History<'o, 'r>,
    raw: HashMap<Oid, RawCommit>,
}

impl Commits<'_, '_> {
    fn get(&mut self, commit: Oid) -> Result<&RawCommit> {
        if !self.raw.contains_key(&commit) {
            let mut raw = match self.history.graph.and_then(|graph| graph.get(commit)) {
                Some(GraphCommit { tree, parents, time }) => RawCommit { tree, parents, time },
                None => self.read(commit)?,
            };
            if self.history.shallow.contains(&commit) {
                raw.parents.clear();
            }
            self.raw.insert(commit, raw);
        }
        Ok(&self.raw[&commit])
    }

    /// A commit read from the object database: only its header lines are looked at.
    fn read(&self, commit: Oid) -> Result<RawCommit> {
        let object = self.history.odb.read(commit).map_err(|e| git_error("cannot read a commit", &e))?;
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
        let tree = tree.ok_or_else(|| Error::git(format!("commit {commit} has no tree"), "run git fsck"))?;
        Ok(RawCommit { tree, parents, time })
    }
}

/// The ids `path` names below trees, remembered by tree id and depth: a folder that
/// did not change between commits (most commits change other records) is read once.
pub struct PathLookup<'o, 'r> {
    odb: &'o Odb<'r>,
    names: Vec<String>,
    known: HashMap<(Oid, usize), Option<Oid>>,
}

impl<'o, 'r> PathLookup<'o, 'r> {
    /// Looks up `path` (`/`-separated, from a repository's root).
    pub fn new(odb: &'o Odb<'r>, path: &str) -> PathLookup<'o, 'r> {
        PathLookup { odb, names: path.split('/').map(str::to_owned).collect(), known: HashMap::new() }
    }

    /// The id of the path below the root tree `root`; `None` when it is not there.
    pub fn id_in(&mut self, root: Oid) -> Result<Option<Oid>> {
        // The trees along the path, from the root down, until one already known.
        let mut read = Vec::new();
        let mut id = Some(root);
        for (depth, name) in self.names.iter().enumerate() {
            let Some(tree) = id else { break };
            if let Some(known) = self.known.get(&(tree, depth)) {
                id = *known;
                break;
            }
            read.push((tree, depth));
            let object = self.odb.read(tree).map_err(|e| git_error("cannot read a tree", &e))?;
            id = find_in_raw_tree(object.data(), name.as_bytes());
        }
        for key in read {
            self.known.insert(key, id);
        }
        Ok(id)
    }
}

/// Finds `name` in a raw tree object: entries of `<mode> <name>\0<20-byte id>`.
/// Scanning for the one name needed is several times cheaper than parsing every
/// entry of every tree.
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

/// The day of the author line of a raw commit header, in the author's own time
/// zone: the day git shows for the commit, as when a move or an import was made.
pub(crate) fn author_day(header: &str) -> Date {
    let line = header.lines().find_map(|l| l.strip_prefix("author ")).unwrap_or("");
    // "Name <email> 1700000000 +0100"
    let mut parts = line.rsplit(' ');
    let zone = parts.next().unwrap_or("+0000");
    let seconds: i64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let minutes = zone.get(1..3).and_then(|h| h.parse::<i32>().ok()).unwrap_or(0) * 60
        + zone.get(3..5).and_then(|m| m.parse::<i32>().ok()).unwrap_or(0);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let offset =
        FixedOffset::east_opt(sign * minutes * 60).unwrap_or(FixedOffset::east_opt(0).expect("zero"));
    let at = offset.timestamp_opt(seconds, 0).single().unwrap_or_default();
    Date(at.date_naive())
}

#[cfg(test)]
mod tests {
    use super::author_day;
    use crate::model::Date;

    #[test]
    fn the_author_day_is_read_in_the_authors_zone() {
        // 1795476600 is 2026-11-23 23:30 UTC, already 24 November in UTC+01:00;
        // 1795474800 is 22:00 UTC, still 23 November at UTC-05:00.
        for (header, day) in [
            ("tree 0\nauthor A <a@b> 1795476600 +0100\ncommitter A <a@b> 1795476600 +0100", 24),
            ("tree 0\nauthor A <a@b> 1795476600 -0130", 23),
            ("tree 0\nauthor A <a@b> 1795435200 +0000\ncommitter A <a@b> 1795435200 +0000", 23),
            ("author A <a@b> 1795474800 -0500", 23),
        ] {
            assert_eq!(author_day(header), Date::from_ymd(2026, 11, day).unwrap(), "{header}");
        }
    }
}
