//! The moves and successions on a register's branch, as a paper on the register
//! tells them beside its dated decisions and events: each record `crs move` moved,
//! with the day it moved (`Crs-On`; for a move recorded without one, the day it was
//! recorded) and the provider the record named before; and each
//! `crs succeed`, with the day its successor took over (`Crs-On`), the names of both
//! organisations where the register holds them, and the records it moved. Found by
//! their `Crs-Action` trailers in a walk of HEAD's history, as the log walks it; a
//! folder outside git has none.

use std::path::Path;

use git2::{Odb, Oid};

use crate::error::Result;
use crate::history::changed::paths_between;
use crate::history::log::trailer;
use crate::history::repo::{RegisterRepo, git_error, open};
use crate::history::walk::{History, Walk, WalkAids, author_day};
use crate::model::id::path_below;
use crate::model::settings::{SETTINGS_FILE, Settings};
use crate::model::{Date, Record};

/// A record moved to a new id: by `crs move`, or by a provider's succession.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Relocation {
    /// The day the provider changed: a succession's or a move's `Crs-On` day, or for
    /// a move recorded without one, the day it was recorded (its commit's day, as its
    /// author's clock had it).
    pub on: Date,
    pub from: String,
    pub to: String,
    /// The provider the record named before the move (code, name), when that
    /// version of the record could be read.
    pub provider_before: Option<(String, String)>,
    /// The provider it names after the move (code, name).
    pub provider_after: Option<(String, String)>,
    /// The service's name after the move.
    pub service: Option<String>,
    /// True when a succession moved it.
    pub by_succession: bool,
}

/// One `crs succeed`: `old` closed and `new` took over on `on`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Succession {
    pub on: Date,
    pub old: String,
    pub new: String,
    /// Their names, where the register's files held them before and after.
    pub old_name: Option<String>,
    pub new_name: Option<String>,
    /// True when `old` was the register's own commissioner.
    pub register: bool,
    /// How many records the succession changed, and how many of them it moved.
    pub records: usize,
    pub moved: usize,
}

/// What the branch holds of moves and successions, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct MovesAndSuccessions {
    pub relocations: Vec<Relocation>,
    pub successions: Vec<Succession>,
}

/// The moves and successions on the branch of the register at `root`; none when
/// the register is not in git or its branch has no commit yet.
pub(crate) fn moves_and_successions(root: &Path) -> Result<MovesAndSuccessions> {
    moves_and_successions_at(root, None)
}

/// The moves and successions in the history of `commit` (HEAD when `None`), as
/// [`moves_and_successions`] finds them: an export of an earlier commit knows
/// only those made by then.
pub(crate) fn moves_and_successions_at(root: &Path, commit: Option<&str>) -> Result<MovesAndSuccessions> {
    let Ok(rr) = open(root) else { return Ok(MovesAndSuccessions::default()) };
    let start = match commit {
        Some(commit) => rr.repo.revparse_single(commit).ok().and_then(|o| o.peel_to_commit().ok()),
        None => rr.repo.head().ok().and_then(|h| h.peel_to_commit().ok()),
    };
    let Some(head) = start.map(|c| c.id()) else {
        return Ok(MovesAndSuccessions::default());
    };
    let odb = rr.repo.odb().map_err(|e| git_error("cannot read the object database", &e))?;
    let aids = WalkAids::of(&rr.repo);
    let found = match gather(&rr, &odb, Walk::new(aids.history(&odb), head)) {
        // A graph that does not match the objects is no graph, as git has it.
        Err(_) if aids.graph.is_some() => {
            let history = History { graph: None, ..aids.history(&odb) };
            gather(&rr, &odb, Walk::new(history, head))
        }
        found => found,
    }?;
    Ok(found)
}

fn gather(rr: &RegisterRepo, odb: &Odb<'_>, walk: Result<Walk<'_, '_>>) -> Result<MovesAndSuccessions> {
    let mut found = MovesAndSuccessions::default();
    for commit in walk? {
        let commit = commit?;
        let object = odb.read(commit.commit).map_err(|e| git_error("cannot read a commit", &e))?;
        let raw = String::from_utf8_lossy(object.data());
        let Some((header, message)) = raw.split_once("\n\n") else { continue };
        let action = trailer(message, "Crs-Action");
        if !matches!(action.as_deref(), Some("move" | "succeed")) {
            continue;
        }
        let Some((_, parent_tree)) = commit.parents.first().copied() else { continue };
        let tree_of = |id: Oid| rr.repo.find_tree(id).map_err(|e| git_error("cannot read a tree", &e));
        let (before, after) = (tree_of(parent_tree)?, tree_of(commit.tree)?);
        let record_in = |tree: &git2::Tree<'_>, id: &str| -> Option<Record> {
            let path = path_below(&rr.prefix, &format!("{id}.toml"));
            let blob = tree.get_path(Path::new(&path)).ok()?.to_object(&rr.repo).ok()?.peel_to_blob().ok()?;
            Record::from_toml(&String::from_utf8_lossy(blob.content())).ok()
        };
        let provider = |r: &Record| (r.provider.ods.clone(), r.provider.name.trim().to_owned());
        let on = trailer(message, "Crs-On").and_then(|d| d.parse::<Date>().ok());
        if action.as_deref() == Some("move") {
            let (Some(from), Some(to)) = (trailer(message, "Crs-Previous"), trailer(message, "Crs-Record"))
            else {
                continue;
            };
            let (was, is) = (record_in(&before, &from), record_in(&after, &to));
            found.relocations.push(Relocation {
                on: on.unwrap_or_else(|| author_day(header)),
                provider_before: was.as_ref().map(provider),
                provider_after: is.as_ref().map(provider),
                service: is.map(|r| r.service.name.trim().to_owned()),
                from,
                to,
                by_succession: false,
            });
            continue;
        }
        let (Some(old), Some(new)) = (trailer(message, "Crs-Predecessor"), trailer(message, "Crs-Successor"))
        else {
            continue;
        };
        let Some(on) = on else { continue };
        let changed = paths_between(&rr.repo, &rr.prefix, Some(&before), Some(&after))?;
        let ids: Vec<&str> = changed.iter().filter_map(|p| p.strip_suffix(".toml")).collect();
        let settings_in = |tree: &git2::Tree<'_>| -> Option<Settings> {
            let path = path_below(&rr.prefix, SETTINGS_FILE);
            let blob = tree.get_path(Path::new(&path)).ok()?.to_object(&rr.repo).ok()?.peel_to_blob().ok()?;
            toml::from_str(&String::from_utf8_lossy(blob.content())).ok()
        };
        let (settings_before, settings_after) = (settings_in(&before), settings_in(&after));
        let register = settings_before.as_ref().is_some_and(|s| s.commissioner.ods == old)
            && settings_after.as_ref().is_some_and(|s| s.commissioner.ods == new);
        let (mut old_name, mut new_name) = if register {
            (
                settings_before.map(|s| s.commissioner.name.trim().to_owned()),
                settings_after.map(|s| s.commissioner.name.trim().to_owned()),
            )
        } else {
            (None, None)
        };
        let (mut records, mut moved) = (0, 0);
        for id in &ids {
            let Some(slug) = id.strip_prefix(&format!("{new}/")) else {
                // A record left in place (a commissioner's succession), or one that
                // left OLD's folder (counted where it arrived).
                if !id.starts_with(&format!("{old}/")) {
                    records += 1;
                }
                continue;
            };
            let from = format!("{old}/{slug}");
            if !ids.contains(&from.as_str()) {
                records += 1;
                continue;
            }
            records += 1;
            moved += 1;
            let (was, is) = (record_in(&before, &from), record_in(&after, id));
            if old_name.is_none() {
                old_name = was.as_ref().map(|r| r.provider.name.trim().to_owned());
            }
            if new_name.is_none() {
                new_name = is.as_ref().map(|r| r.provider.name.trim().to_owned());
            }
            found.relocations.push(Relocation {
                on,
                provider_before: was.as_ref().map(provider),
                provider_after: is.as_ref().map(provider),
                service: is.map(|r| r.service.name.trim().to_owned()),
                from,
                to: (*id).to_owned(),
                by_succession: true,
            });
        }
        found.successions.push(Succession { on, old, new, old_name, new_name, register, records, moved });
    }
    found.relocations.reverse();
    found.successions.reverse();
    Ok(found)
}

/// The provider `record` named on `day`, by the moves that took it to where it is
/// (oldest first): the one before the first move recorded after that day; `None`
/// when no move came after it (the record's provider now).
pub(crate) fn provider_on<'a>(relocations: &[&'a Relocation], day: Date) -> Option<&'a (String, String)> {
    relocations.iter().find(|m| day < m.on).and_then(|m| m.provider_before.as_ref())
}
