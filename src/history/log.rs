//! The audit log: the commits that changed the register (or one record), newest
//! first, with who, when, what crs action (or "by hand"), and the fields that
//! changed from what to what. A record moved to a new id says from which, and on
//! what day when the move's commit gives it (`Crs-On`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use chrono::{DateTime, FixedOffset, TimeZone};
use git2::{Odb, Oid, Repository, Tree};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::history::changed::paths_between;
use crate::history::dropped::dropped_in_merge;
use crate::history::repo::{git_error, open};
use crate::history::walk::{History, PathLookup, Walk, WalkAids, Walked};
pub use crate::model::fields::ChangeKind;
use crate::model::fields::{FieldChange, Unreadable, changes_across_versions, flatten_checked};
use crate::model::id::path_below;
use crate::model::{Date, RecordId};

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
    /// For a `crs succeed` commit: the organisation that closed and its successor
    /// (its `Crs-Predecessor` and `Crs-Successor` trailers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub succession: Option<Succession>,
    pub records: Vec<RecordChange>,
}

/// An organisation succeeded, as a log entry names it, with the day its successor
/// took over (the `Crs-On` trailer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Succession {
    pub predecessor: String,
    pub successor: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on: Option<Date>,
}

/// What one commit did to one record.
#[derive(Clone, Debug, Serialize)]
pub struct RecordChange {
    #[serde(rename = "record_id")]
    pub record: String,
    pub change: ChangeKind,
    /// The id the record had before, when this commit moved it (`crs move`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_id: Option<String>,
    /// The day it moved, when this commit moved it and says on what day (`crs move
    /// --on`, `crs succeed`); a move recorded without one is dated by its commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_on: Option<Date>,
    /// Against the last version that could be read, when the one before could not.
    pub fields: Vec<FieldChange>,
    /// Why this version of the record could not be read; its fields are then empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<Unreadable>,
    /// For a merge: what a parent had recorded since the common version that the
    /// merged record no longer holds (a side a person did not keep), from that
    /// parent's value (`old`) to the merged one (`new`, `None` when gone).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed_in_merge: Vec<FieldChange>,
}

/// The log of the register at `root`, or of one record (followed through the ids
/// it had before, `previous`, newest last as `previous_ids` lists them), newest
/// first; at most `limit` commits when given.
///
/// This thread walks history and finds, by blob id, which records each commit
/// changed; another reads and flattens each version of a record once, as the walk
/// names it, so comparing fields is all that is left at the end.
pub fn log(
    root: &Path,
    id: Option<&RecordId>,
    previous: &[RecordId],
    limit: Option<usize>,
) -> Result<Vec<LogEntry>> {
    let rr = open(root)?;
    let Some(head) = rr.repo.head().ok().and_then(|h| h.peel_to_commit().ok()).map(|c| c.id()) else {
        return Ok(Vec::new());
    };
    let odb = rr.repo.odb().map_err(|e| git_error("cannot read the object database", &e))?;
    let aids = WalkAids::of(&rr.repo);
    let history = aids.history(&odb);
    let finder = ChangeFinder {
        repo: &rr.repo,
        prefix: &rr.prefix,
        shallow: &aids.shallow,
        record: id.map(|id| {
            let paths = std::iter::once(id)
                .chain(previous.iter().rev())
                .map(|id| (id.to_string(), rr.repo_path(&id.relative_path_string())))
                .collect();
            (id.to_string(), paths)
        }),
        limit,
    };
    let versions =
        Repository::open(rr.repo.path()).map_err(|e| git_error("cannot open the repository", &e))?;
    let (versions_to, named) = mpsc::channel::<Oid>();
    let (found, flat) = thread::scope(|scope| {
        let flat = scope.spawn(move || flatten_versions(&versions, named));
        let find = |history: History<'_, '_>| {
            Walk::new(history, head).and_then(|walk| finder.find(&odb, walk, versions_to.clone()))
        };
        let found = match find(history) {
            // A graph that does not match the objects is no graph, as git has it.
            Err(_) if history.graph.is_some() => find(History { graph: None, ..history }),
            found => found,
        };
        drop(versions_to);
        (found, flat.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    Ok(with_fields(found?, &flat))
}

/// Fills in each entry's records from the versions read. A version that could not
/// be read is said so, and the next one is compared with the last that could, so a
/// broken commit does not read as every field removed and added again. A merge
/// shows only the fields it set to a value no parent had: what a branch changed is
/// shown on that branch, by whoever recorded it; a merge that made nothing new of a
/// record leaves it out.
fn with_fields(found: Vec<(LogEntry, Vec<Touched>)>, flat: &HashMap<Oid, Flat>) -> Vec<LogEntry> {
    let none = BTreeMap::new();
    let mut last_readable: HashMap<String, Oid> = HashMap::new();
    let mut entries: Vec<LogEntry> = Vec::with_capacity(found.len());
    // Oldest first, so that the last readable version of each record is known.
    for (mut entry, touched) in found.into_iter().rev() {
        let had_records = !touched.is_empty();
        entry.records = touched
            .into_iter()
            .filter_map(|t| {
                let readable = |id: Option<Oid>| id.filter(|id| flat.get(id).is_some_and(Result::is_ok));
                let before = t.from.as_ref().unwrap_or(&t.record);
                let old = match t.old {
                    Some(old) if readable(Some(old)).is_none() => last_readable.get(before).copied(),
                    old => old,
                };
                let unreadable = t.new.and_then(|id| flat.get(&id)).and_then(|f| f.as_ref().err()).cloned();
                if let Some(new) = readable(t.new) {
                    last_readable.insert(t.record.clone(), new);
                }
                let fields_of =
                    |id: Option<Oid>| id.and_then(|id| flat.get(&id)?.as_ref().ok()).unwrap_or(&none);
                let mut fields = match unreadable {
                    Some(_) => Vec::new(),
                    None => changes_across_versions(fields_of(old), fields_of(t.new)),
                };
                // A change the merge took from another parent is no change against it.
                for other in t.others.iter().map(|id| fields_of(*id)) {
                    let against = changes_across_versions(other, fields_of(t.new));
                    fields.retain(|c| against.iter().any(|a| a.field == c.field && a.new == c.new));
                }
                let removed_in_merge = match (t.base, unreadable.is_some()) {
                    (Some(base), false) => std::iter::once(t.old)
                        .chain(t.others.iter().copied())
                        .flat_map(|parent| {
                            dropped_in_merge(fields_of(base), fields_of(parent), fields_of(t.new))
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                if !t.others.is_empty()
                    && fields.is_empty()
                    && removed_in_merge.is_empty()
                    && unreadable.is_none()
                {
                    return None;
                }
                Some(RecordChange {
                    change: match (t.old, t.new) {
                        (None, Some(_)) => ChangeKind::Added,
                        (Some(_), None) => ChangeKind::Removed,
                        _ if t.from.is_some() => ChangeKind::Moved,
                        _ => ChangeKind::Changed,
                    },
                    fields,
                    unreadable,
                    removed_in_merge,
                    record: t.record,
                    previous_id: t.from,
                    moved_on: t.moved_on,
                })
            })
            .collect();
        if had_records && entry.records.is_empty() {
            continue;
        }
        entries.push(entry);
    }
    entries.reverse();
    entries
}

/// A version of a record, flattened, or why it could not be read.
type Flat = std::result::Result<BTreeMap<String, String>, Unreadable>;

/// A record a commit changed: its file's blob id before and after, and the id it
/// had before when the commit moved it. For a merge, `old` is in the first parent
/// and `others` holds the record in the other parents (`None` where it is absent);
/// `base` holds it in the parents' common version, when that is known.
struct Touched {
    record: String,
    old: Option<Oid>,
    new: Option<Oid>,
    from: Option<String>,
    /// The day of the move, as the commit's `Crs-On` trailer gives it.
    moved_on: Option<Date>,
    others: Vec<Option<Oid>>,
    base: Option<Option<Oid>>,
}

/// Each version named on `versions`, read and flattened once.
fn flatten_versions(repo: &Repository, versions: Receiver<Oid>) -> HashMap<Oid, Flat> {
    let mut flat = HashMap::new();
    for id in versions {
        flat.entry(id).or_insert_with(|| {
            let text = repo.find_blob(id).map(|b| String::from_utf8_lossy(b.content()).into_owned());
            flatten_checked(&text.unwrap_or_default())
        });
    }
    flat
}

/// Which commits changed the register, or one record.
struct ChangeFinder<'r> {
    repo: &'r Repository,
    /// The register's folder in the repository; empty at the top.
    prefix: &'r str,
    /// A shallow clone's boundary commits.
    shallow: &'r HashSet<Oid>,
    /// The one record logged, and its ids with their repository paths: where it is
    /// now, then where it was before each move, newest first.
    record: Option<(String, Vec<(String, String)>)>,
    limit: Option<usize>,
}

impl ChangeFinder<'_> {
    /// The commits of `walk` that changed something, newest first, each with the
    /// records it changed; every blob id among those is named on `versions_to`.
    fn find(
        &self,
        odb: &Odb<'_>,
        walk: Walk<'_, '_>,
        versions_to: Sender<Oid>,
    ) -> Result<Vec<(LogEntry, Vec<Touched>)>> {
        let mut lookup = self
            .record
            .as_ref()
            .map(|(_, paths)| paths.iter().map(|(_, path)| PathLookup::new(odb, path)).collect::<Vec<_>>());
        let mut entries = Vec::new();
        for commit in walk {
            if self.limit.is_some_and(|l| entries.len() >= l) {
                break;
            }
            let commit = commit?;
            let mut touched: Vec<Touched> = match (&self.record, &mut lookup) {
                (Some((record, paths)), Some(lookup)) => {
                    self.record_change(record, paths, lookup, &commit)?.into_iter().collect()
                }
                _ => self.with_moves(self.register_changes(&commit)?, &commit)?,
            };
            if touched.is_empty() {
                continue;
            }
            if touched.iter().any(|t| t.from.is_some()) {
                let on = self.day_given(&commit)?;
                touched.iter_mut().filter(|t| t.from.is_some()).for_each(|t| t.moved_on = on);
            }
            let versions = touched
                .iter()
                .flat_map(|t| [t.old, t.new, t.base.flatten()].into_iter().chain(t.others.iter().copied()));
            for version in versions.flatten() {
                // The reader only stops early if it panicked, which its join reports.
                let _ = versions_to.send(version);
            }
            entries.push((self.entry(&commit)?, touched));
        }
        Ok(entries)
    }

    /// What `commit` did to the one record. A merge changed it only if it differs
    /// from every parent (as git log has it); otherwise the change is the branch's,
    /// shown there.
    /// The record is followed by its `paths`, as `lookup` finds them: a commit
    /// that took it from one of them to another moved it.
    fn record_change(
        &self,
        record: &str,
        paths: &[(String, String)],
        lookup: &mut [PathLookup<'_, '_>],
        commit: &Walked,
    ) -> Result<Option<Touched>> {
        // The record in a tree: at the first of its paths the tree has, and which.
        let mut id_in = |tree: Oid| -> Result<Option<(usize, Oid)>> {
            for (at, path) in lookup.iter_mut().enumerate() {
                if let Some(id) = path.id_in(tree)? {
                    return Ok(Some((at, id)));
                }
            }
            Ok(None)
        };
        let new = id_in(commit.tree)?;
        let mut same_as_a_parent = commit.parents.is_empty() && new.is_none();
        let (mut old, mut others) = (None, Vec::new());
        for (i, (_, tree)) in commit.parents.iter().enumerate() {
            let theirs = id_in(*tree)?;
            same_as_a_parent |= theirs.map(|(_, id)| id) == new.map(|(_, id)| id);
            match i {
                0 => old = theirs,
                _ => others.push(theirs.map(|(_, id)| id)),
            }
        }
        let from = match (old, new) {
            (Some((was, _)), Some((is, _))) if was != is => paths.get(was).map(|(id, _)| id.clone()),
            _ => None,
        };
        // Named as it was then: the id at the path the commit left it at.
        let then = new.or(old).and_then(|(at, _)| paths.get(at)).map_or(record, |(id, _)| id.as_str());
        // A merge that kept one parent's version may have dropped what another
        // recorded: compared with their common version, once the versions are read.
        let base = match self.merge_base(commit) {
            Some(tree) => Some(id_in(tree)?.map(|(_, id)| id)),
            None => None,
        };
        let new_id = new.map(|(_, id)| id);
        let dropped_one_side = base.is_some_and(|base| {
            std::iter::once(old.map(|(_, id)| id))
                .chain(others.iter().copied())
                .any(|p| p != base && p != new_id)
        });
        Ok((!same_as_a_parent || dropped_one_side).then(|| Touched {
            record: then.to_owned(),
            old: old.map(|(_, id)| id),
            new: new.map(|(_, id)| id),
            from,
            moved_on: None,
            others,
            base,
        }))
    }

    /// The day `commit` says it took effect (its `Crs-On` trailer), if it says.
    fn day_given(&self, commit: &Walked) -> Result<Option<Date>> {
        let commit =
            self.repo.find_commit(commit.commit).map_err(|e| git_error("cannot read a commit", &e))?;
        Ok(trailer(commit.message().unwrap_or(""), "Crs-On").and_then(|d| d.parse().ok()))
    }

    /// The tree of the common version of a merge's parents; `None` for a commit
    /// that is no merge, or when it cannot be found (a shallow clone).
    fn merge_base(&self, commit: &Walked) -> Option<Oid> {
        if commit.parents.len() < 2 {
            return None;
        }
        let parents: Vec<Oid> = commit.parents.iter().map(|(parent, _)| *parent).collect();
        let base = self.repo.merge_base_many(&parents).ok()?;
        self.repo.find_commit(base).ok().map(|c| c.tree_id())
    }

    /// `touched` with the record a `crs move` commit removed and the one it added told
    /// as the one record moved, as its `Crs-Previous` and `Crs-Record` trailers name it.
    fn with_moves(&self, mut touched: Vec<Touched>, commit: &Walked) -> Result<Vec<Touched>> {
        let added = |t: &Touched| t.old.is_none() && t.new.is_some();
        let removed = |t: &Touched| t.old.is_some() && t.new.is_none();
        if !(touched.iter().any(added) && touched.iter().any(removed)) {
            return Ok(touched);
        }
        let message =
            self.repo.find_commit(commit.commit).map_err(|e| git_error("cannot read a commit", &e))?;
        let message = message.message().unwrap_or("");
        match trailer(message, "Crs-Action").as_deref() {
            Some("move") => {}
            // A provider's succession moves every record of OLD to NEW's folder.
            Some("succeed") => {
                let (Some(old), Some(new)) =
                    (trailer(message, "Crs-Predecessor"), trailer(message, "Crs-Successor"))
                else {
                    return Ok(touched);
                };
                // Each record removed from OLD's folder and added at NEW's: by name, so
                // that thousands of records are paired in one pass.
                let gone: HashMap<String, Oid> = touched
                    .iter()
                    .filter(|t| removed(t))
                    .filter_map(|t| {
                        Some((t.record.strip_prefix(&old)?.strip_prefix('/')?.to_owned(), t.old?))
                    })
                    .collect();
                let mut paired = HashSet::new();
                for t in touched.iter_mut().filter(|t| t.old.is_none() && t.new.is_some()) {
                    let Some(slug) = t.record.strip_prefix(&new).and_then(|r| r.strip_prefix('/')) else {
                        continue;
                    };
                    if let Some(oid) = gone.get(slug) {
                        t.old = Some(*oid);
                        t.from = Some(format!("{old}/{slug}"));
                        paired.insert(format!("{old}/{slug}"));
                    }
                }
                touched.retain(|t| !(t.new.is_none() && paired.contains(&t.record)));
                return Ok(touched);
            }
            _ => return Ok(touched),
        }
        let (Some(from), Some(to)) = (trailer(message, "Crs-Previous"), trailer(message, "Crs-Record"))
        else {
            return Ok(touched);
        };
        pair(&mut touched, &from, &to);
        Ok(touched)
    }

    /// The records whose files `commit` changed against its first parent, less
    /// those a merge took unchanged from another parent.
    fn register_changes(&self, commit: &Walked) -> Result<Vec<Touched>> {
        let tree_of = |id: Oid| self.repo.find_tree(id).map_err(|e| git_error("cannot read a tree", &e));
        let tree = tree_of(commit.tree)?;
        let first = commit.parents.first().map(|(_, tree)| tree_of(*tree)).transpose()?;
        let mut touched = self.changed_between(first.as_ref(), &tree)?;
        let base = self.merge_base(commit).map(tree_of).transpose()?;
        let mut others = Vec::new();
        for (_, other) in commit.parents.iter().skip(1) {
            let other = tree_of(*other)?;
            // A merge that kept our version of a record may have dropped theirs.
            for mut kept in self.changed_between(Some(&other), &tree)? {
                if !touched.iter().any(|t| t.record == kept.record) {
                    (kept.old, kept.new) = (kept.new, kept.new);
                    touched.push(kept);
                }
            }
            others.push(other);
        }
        for t in &mut touched {
            let path = path_below(self.prefix, &format!("{}.toml", t.record));
            let id_in = |t: &Tree<'_>| t.get_path(Path::new(&path)).ok().map(|e| e.id());
            t.others = others.iter().map(id_in).collect();
            t.base = base.as_ref().map(id_in);
        }
        // A record a merge took unchanged from another parent is that parent's change,
        // unless the merge dropped what one side had recorded.
        touched.retain(|t| {
            let one_side_dropped = t.base.is_some_and(|base| {
                std::iter::once(&t.old).chain(&t.others).any(|p| *p != base && *p != t.new)
            });
            (t.old != t.new && !t.others.contains(&t.new)) || one_side_dropped
        });
        Ok(touched)
    }

    /// The records whose files differ between two trees.
    fn changed_between(&self, old_tree: Option<&Tree<'_>>, new_tree: &Tree<'_>) -> Result<Vec<Touched>> {
        let paths = paths_between(self.repo, self.prefix, old_tree, Some(new_tree))?;
        let paths = paths.into_iter().filter(|path| path.parse::<RecordId>().is_ok());
        let mut out = Vec::new();
        for path in paths {
            let repo_path = path_below(self.prefix, &path);
            let id_in = |tree: Option<&Tree<'_>>| {
                tree.and_then(|t| t.get_path(Path::new(&repo_path)).ok()).map(|e| e.id())
            };
            let (old, new) = (id_in(old_tree), id_in(Some(new_tree)));
            if old != new {
                let record = path.strip_suffix(".toml").unwrap_or(&path).to_owned();
                out.push(Touched {
                    record,
                    old,
                    new,
                    from: None,
                    moved_on: None,
                    others: Vec::new(),
                    base: None,
                });
            }
        }
        Ok(out)
    }

    /// The log entry of `oid`, its records to be filled in.
    fn entry(&self, walked: &Walked) -> Result<LogEntry> {
        let oid = walked.commit;
        let commit = self.repo.find_commit(oid).map_err(|e| git_error("cannot read a commit", &e))?;
        // What the walk took from the commit-graph must be what the commit says (a
        // shallow clone's boundary aside, walked without its parents).
        let parents: Vec<Oid> = walked.parents.iter().map(|(parent, _)| *parent).collect();
        let boundary = self.shallow.contains(&oid) && parents.is_empty();
        if commit.tree_id() != walked.tree || (!boundary && commit.parent_ids().ne(parents)) {
            return Err(Error::git(
                format!("the commit-graph does not match commit {oid}"),
                "run git commit-graph write --reachable",
            ));
        }
        let message = commit.message().unwrap_or("");
        let action = trailer(message, "Crs-Action");
        let succession = match (trailer(message, "Crs-Predecessor"), trailer(message, "Crs-Successor")) {
            (Some(predecessor), Some(successor)) if action.as_deref() == Some("succeed") => {
                let on = trailer(message, "Crs-On").and_then(|d| d.parse().ok());
                Some(Succession { predecessor, successor, on })
            }
            _ => None,
        };
        let author = commit.author();
        let time = author.when();
        let offset = FixedOffset::east_opt(time.offset_minutes() * 60)
            .unwrap_or(FixedOffset::east_opt(0).expect("zero"));
        Ok(LogEntry {
            commit: oid.to_string(),
            author: author.name().unwrap_or("").to_owned(),
            email: author.email().unwrap_or("").to_owned(),
            date: offset.timestamp_opt(time.seconds(), 0).single().unwrap_or_default(),
            subject: commit.summary().unwrap_or("").to_owned(),
            by_crs: action.is_some(),
            action,
            succession,
            records: Vec::new(),
        })
    }
}

/// The record `from` a commit removed and the one `to` it added, told as one record
/// moved.
fn pair(touched: &mut Vec<Touched>, from: &str, to: &str) {
    let gone = touched.iter().position(|t| t.old.is_some() && t.new.is_none() && t.record == from);
    let came = touched.iter().position(|t| t.old.is_none() && t.new.is_some() && t.record == to);
    if let (Some(gone), Some(came)) = (gone, came) {
        touched[came].old = touched[gone].old;
        touched[came].from = Some(from.to_owned());
        touched.remove(gone);
    }
}

/// The value of the last `key: value` line of a commit message.
pub fn trailer(message: &str, key: &str) -> Option<String> {
    message
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':').map(|v| v.trim().to_owned()))
}
