//! Submission tags: the annotated `crs/submission/<date>` tags that mark what was sent
//! to the regulator, and finding the newest one reachable from a commit. Reads only;
//! creating a tag belongs to the write path.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{Oid, Repository, Sort};

use crate::error::{Error, Result};
use crate::history::repo::{git_error, open};

/// Every submission tag starts with this.
pub const SUBMISSION_TAG_PREFIX: &str = "crs/submission/";

/// A past submission, as its tag marks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionTag {
    /// The tag's name, e.g. `crs/submission/2026-05-01`.
    pub name: String,
    /// The id of the commit the tag points at.
    pub commit: String,
}

/// The name of the tag marking a submission made on `date` (`YYYY-MM-DD`): the first
/// of the day is `crs/submission/DATE`, later ones `DATE.2`, `DATE.3`, … — the first
/// name for which `taken` says no.
pub fn submission_tag_name(date: &str, taken: impl Fn(&str) -> bool) -> String {
    let first = format!("{SUBMISSION_TAG_PREFIX}{date}");
    if !taken(&first) {
        return first;
    }
    (2..).map(|n| format!("{first}.{n}")).find(|name| !taken(name)).unwrap_or(first)
}

/// Orders submission tag names by date, then by their number within the day.
fn tag_order(name: &str) -> (&str, u32) {
    match name.rsplit_once('.') {
        Some((day, n)) => (day, n.parse().unwrap_or(0)),
        None => (name, 1),
    }
}

/// The newest submission tag reachable from `from` (a revision; HEAD when `None`):
/// the one on the commit nearest to it. `None` when there has been no submission,
/// or the repository has no commits yet.
pub fn last_submission(root: &Path, from: Option<&str>) -> Result<Option<SubmissionTag>> {
    let rr = open(root)?;
    let repo = &rr.repo;
    let start = match from {
        Some(rev) => Some(peel_commit(repo, rev)?),
        None => repo.head().ok().and_then(|h| h.peel_to_commit().ok()).map(|c| c.id()),
    };
    let Some(start) = start else { return Ok(None) };
    let tagged = submission_tags(repo)?;
    if tagged.is_empty() {
        return Ok(None);
    }
    let mut walk = repo.revwalk().map_err(|e| git_error("cannot walk history", &e))?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME).map_err(|e| git_error("cannot walk history", &e))?;
    walk.push(start).map_err(|e| git_error("cannot walk history", &e))?;
    for oid in walk {
        let oid = oid.map_err(|e| git_error("cannot walk history", &e))?;
        if let Some(names) = tagged.get(&oid) {
            // Several tags on one commit: the greatest name is the latest date.
            let name = names.iter().max_by_key(|n| tag_order(n)).cloned().unwrap_or_default();
            return Ok(Some(SubmissionTag { name, commit: oid.to_string() }));
        }
    }
    Ok(None)
}

/// Whether the repository holding `root` has a tag `name`.
pub fn tag_exists(root: &Path, name: &str) -> bool {
    open(root).is_ok_and(|rr| rr.repo.find_reference(&format!("refs/tags/{name}")).is_ok())
}

/// The commits the submission tag `name` leads to: the submission's own commit and
/// the commit it was made on (its first parent), the one its bundle was made from.
/// `None` when the repository holds no such tag.
pub fn tagged_submission(root: &Path, name: &str) -> Result<Option<(String, Option<String>)>> {
    let rr = open(root)?;
    let Ok(reference) = rr.repo.find_reference(&format!("refs/tags/{name}")) else { return Ok(None) };
    let commit =
        reference.peel_to_commit().map_err(|e| git_error(&format!("tag {name} leads to no commit"), &e))?;
    let parent = commit.parent_id(0).ok().map(|id| id.to_string());
    Ok(Some((commit.id().to_string(), parent)))
}

/// The submission tags on the commit `commit` (a full id).
pub fn submissions_on(root: &Path, commit: &str) -> Result<Vec<String>> {
    let rr = open(root)?;
    let id = Oid::from_str(commit).map_err(|e| git_error("not a commit id", &e))?;
    Ok(submission_tags(&rr.repo)?.remove(&id).unwrap_or_default())
}

/// Every submission tag, by the commit it points at.
fn submission_tags(repo: &Repository) -> Result<BTreeMap<Oid, Vec<String>>> {
    let pattern = format!("{SUBMISSION_TAG_PREFIX}*");
    let names = repo.tag_names(Some(&pattern)).map_err(|e| git_error("cannot list tags", &e))?;
    let mut tagged: BTreeMap<Oid, Vec<String>> = BTreeMap::new();
    for name in names.iter().flatten() {
        let Ok(reference) = repo.find_reference(&format!("refs/tags/{name}")) else { continue };
        // A tag that does not lead to a commit marks no submission; skip it.
        let Ok(commit) = reference.peel_to_commit() else { continue };
        tagged.entry(commit.id()).or_default().push(name.to_owned());
    }
    Ok(tagged)
}

fn peel_commit(repo: &Repository, rev: &str) -> Result<Oid> {
    let object = repo.revparse_single(rev).map_err(|e| {
        Error::git(
            format!("'{rev}' is not a revision of this repository ({})", e.message()),
            "give a commit id, a tag or a branch name",
        )
    })?;
    let commit = object.peel_to_commit().map_err(|e| git_error(&format!("'{rev}' is not a commit"), &e))?;
    Ok(commit.id())
}
