//! Steps 6 and after, and the mending of a killed write: the journal settled to one
//! side (finished when the branch moved, undone when not), git's locks the killed crs
//! provably left deleted, and the journal removed when done.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::history::journal::Journal;
use crate::history::lock::reference_lock;

use super::files::read_plain;
use super::objects::raw_id;
use super::{Recovered, Settle, Settled, Writer, head_tree, maybe_oid, oid, short};

impl Writer {
    /// Puts back the working files a write changed, where they still hold what it
    /// wrote; deletes the journal. Returns the files left alone.
    pub(super) fn undo(&self, journal: &Journal) -> Result<Settled> {
        let settled = self.settle(journal, Settle::Before)?;
        self.remove_tag(journal)?;
        self.done()?;
        Ok(settled)
    }

    /// Brings each working file of `journal` to how it was before the write, or to
    /// what the write made. A file someone changed since, being neither, is left as
    /// it is; so is one whose content HEAD holds (someone committed it as it is).
    pub(super) fn settle(&self, journal: &Journal, to: Settle) -> Result<Settled> {
        let mut settled = Settled::default();
        let head = head_tree(&self.rr.repo)?;
        for file in &journal.files {
            let (wanted, other, other_staged) = match to {
                Settle::Before => (file.old.as_deref(), file.new.as_deref(), file.new_staged.as_deref()),
                Settle::After => (file.new.as_deref(), file.old.as_deref(), file.old_staged.as_deref()),
            };
            let full = self.rr.workdir.join(&file.repo_path);
            let working = read_plain(&full)?.map(|bytes| raw_id(&bytes));
            if working == maybe_oid(wanted)? {
                continue;
            }
            if working != maybe_oid(other)? {
                settled.left_alone.push(file.repo_path.clone());
                continue;
            }
            let committed =
                head.as_ref().and_then(|t| t.get_path(Path::new(&file.repo_path)).ok()).map(|e| e.id());
            let holds = match committed {
                Some(id) => working == Some(id) || maybe_oid(other_staged)? == Some(id),
                None => working.is_none(),
            };
            if holds {
                settled.committed_since.push(file.repo_path.clone());
                continue;
            }
            self.put(&full, wanted)?;
        }
        Ok(settled)
    }

    /// Completes a write whose commit is on the branch: working files, tag, index.
    pub(super) fn finish(&self, journal: &Journal) -> Result<Settled> {
        let settled = self.settle(journal, Settle::After)?;
        // A tag made meanwhile by someone else is theirs to keep.
        if let Some(tag) = journal.tag.as_ref().filter(|t| !self.tag_exists(&t.name)) {
            self.make_tag(tag)?;
        }
        self.stage(journal)?;
        self.flush_references(journal)?;
        self.done()?;
        Ok(settled)
    }

    /// Finishes or undoes the write a killed crs left, if any.
    pub(super) fn recover(&self) -> Result<Option<Recovered>> {
        let Some(journal) = Journal::load(&self.state_dir)? else { return Ok(None) };
        let removed_locks = self.remove_own_git_locks(&journal);
        // A journal that names no commit was saved while the hooks ran: nothing landed.
        let landed = match (journal.new_commit.is_empty(), self.tip(&journal)?) {
            (false, Some(tip)) => {
                let new = oid(&journal.new_commit)?;
                tip == new || self.rr.repo.graph_descendant_of(tip, new).unwrap_or(false)
            }
            _ => false,
        };
        let settled = if landed { self.finish(&journal)? } else { self.undo(&journal)? };
        Ok(Some(Recovered {
            subject: journal.subject.clone(),
            finished: landed,
            commit: short(&journal.new_commit).to_owned(),
            tag: journal.tag.as_ref().filter(|_| landed).map(|t| t.name.clone()),
            left_alone: settled.left_alone,
            committed_since: settled.committed_since,
            removed_locks,
        }))
    }

    /// The write is whole: the journal goes.
    pub(super) fn done(&self) -> Result<()> {
        Journal::remove(&self.state_dir)
    }

    /// Deletes the lock files of git's that the killed crs of `journal` provably
    /// made, each by what it holds: the index lock crs takes itself holds the
    /// journal's token; a branch's or tag's lock that libgit2 was writing holds the
    /// id of the write's own commit or tag object, which no other program can know.
    /// Any other lock (an empty one, another git's) is left for its owner, and the
    /// step that needs it says which file and whom to look for.
    pub(super) fn remove_own_git_locks(&self, journal: &Journal) -> Vec<String> {
        let repo = &self.rr.repo;
        let mut candidates: Vec<(PathBuf, &str)> = Vec::new();
        if !journal.lock_token.is_empty() {
            candidates.push((repo.path().join("index.lock"), journal.lock_token.as_str()));
            candidates.push((repo.path().join("HEAD.lock"), journal.lock_token.as_str()));
        }
        if let Some(branch) = journal.branch.as_deref().filter(|_| !journal.new_commit.is_empty()) {
            candidates.push((reference_lock(repo.commondir(), branch), journal.new_commit.as_str()));
        }
        if let Some(tag) = &journal.tag {
            candidates.push((
                reference_lock(repo.commondir(), &format!("refs/tags/{}", tag.name)),
                tag.object.as_str(),
            ));
        }
        let own = |lock: &Path, holds: &str| {
            fs::read(lock).is_ok_and(|bytes| String::from_utf8_lossy(&bytes).trim_end() == holds.trim_end())
        };
        candidates
            .into_iter()
            .filter(|(lock, holds)| own(lock, holds) && fs::remove_file(lock).is_ok())
            .map(|(lock, _)| lock.display().to_string())
            .collect()
    }
}
