//! `ExportedFrom`: the register as crs's own export found it. An export names the
//! commit it was made from; when that commit is on the register's branch, the
//! sheet agreed with the register there, so a re-import of the export weighs each
//! record against its version at that commit, as it weighs another sheet against
//! the version its last import wrote. An export of another repository, or of a
//! commit the branch does not hold, is no such point.

use std::path::Path;

use git2::{Oid, Repository};

use crate::error::Result;
use crate::history::repo::open;
use crate::history::snapshot::{Snapshot, commit_day, snapshot};
use crate::model::Date;
use crate::register::source::Source;

/// The commit an export was made from, on the register's branch.
pub struct ExportedFrom {
    repo: Repository,
    commit: Oid,
    /// The day of that commit, in its committer's time zone.
    pub day: Date,
    snapshot: Snapshot,
}

impl ExportedFrom {
    /// The commit `commit` (a full id) of the register at `root`, if the branch holds
    /// it; `None` for a commit of another repository or off the branch.
    pub fn find(root: &Path, commit: &str) -> Result<Option<ExportedFrom>> {
        let rr = open(root)?;
        let Ok(oid) = Oid::from_str(commit) else { return Ok(None) };
        let Some(head) = rr.repo.head().ok().and_then(|h| h.peel_to_commit().ok()).map(|c| c.id()) else {
            return Ok(None);
        };
        let Ok(found) = rr.repo.find_commit(oid) else { return Ok(None) };
        if head != oid && !rr.repo.graph_descendant_of(head, oid).unwrap_or(false) {
            return Ok(None);
        }
        let day = commit_day(&found);
        drop(found);
        let snapshot = snapshot(root, commit)?;
        Ok(Some(ExportedFrom { repo: rr.repo, commit: oid, day, snapshot }))
    }

    /// The text of the register's file `path` (relative to the register) at the
    /// export's commit, if it was there.
    pub fn text(&self, path: &str) -> Result<Option<String>> {
        Ok(self.snapshot.read_file(path)?.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// True when the commit `later` (a full id) came after the export's commit.
    pub fn is_before(&self, later: &str) -> bool {
        Oid::from_str(later)
            .is_ok_and(|later| self.repo.graph_descendant_of(later, self.commit).unwrap_or(false))
    }
}
