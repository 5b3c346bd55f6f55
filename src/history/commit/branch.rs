//! Step 4 of a write: the branch moved from the commit it was on to the new one,
//! with HEAD locked as git locks it, read back, and its reflog line appended as git
//! writes it.

use std::fs;
use std::path::Path;

use git2::{ErrorCode, Oid};

use crate::error::{Error, Result};
use crate::history::journal::Journal;
use crate::history::lock::{reference_lock, take_git_lock};
use crate::history::moved;
use crate::history::repo::{git_error, storage_error};

use super::{Writer, oid};

impl Writer {
    /// Moves the branch from the old commit to the new one, only if it is still on
    /// the old one, with HEAD locked as git locks it (a branch or HEAD git holds
    /// locked stops the write before it moves). Then checks that the branch points at
    /// the new commit.
    pub(super) fn move_branch(&self, journal: &Journal, message: &str) -> Result<()> {
        let repo = &self.rr.repo;
        let new = oid(&journal.new_commit)?;
        let subject = message.lines().next().unwrap_or_default();
        let log = match journal.old_head {
            Some(_) => format!("commit: {subject}"),
            None => format!("commit (initial): {subject}"),
        };
        let Some(branch) = journal.branch.as_deref() else {
            repo.set_head_detached(new).map_err(|e| storage_error("the branch", e.message()))?;
            return self.check_tip(journal, new);
        };
        // HEAD names the branch, so git locks it too while the branch moves: a
        // HEAD.lock another git holds (mid-commit) stops the write here. Taken with the
        // journal's token, so that a lock a killed crs left is provably its own.
        let head_lock = repo.path().join("HEAD.lock");
        let token = match journal.lock_token.is_empty() {
            true => Journal::new_lock_token(),
            false => journal.lock_token.clone(),
        };
        take_git_lock(&head_lock, &self.state_dir, &token, "HEAD")?;
        let moved = self.move_named_branch(journal, branch, new, &log);
        let _ = fs::remove_file(&head_lock);
        moved
    }

    /// [`Writer::move_branch`] for the branch `branch` that HEAD names, HEAD locked:
    /// moved only if it is still on the journal's old commit, as git moves a branch.
    /// crs takes the branch's lock itself with the new commit's id already in it (a
    /// file linked into place whole), so a lock a killed crs left always holds that id
    /// and is provably its own ([`Writer::recover`]); libgit2 would hold it empty
    /// while it checks the old value and writes the reflog. Then the reflogs of the
    /// branch and HEAD are appended to and the lock renamed over the branch.
    pub(super) fn move_named_branch(
        &self,
        journal: &Journal,
        branch: &str,
        new: Oid,
        log: &str,
    ) -> Result<()> {
        let common = self.rr.repo.commondir().to_path_buf();
        let lock = reference_lock(&common, branch);
        if let Some(folder) = lock.parent() {
            fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
        }
        take_git_lock(&lock, &self.state_dir, &format!("{new}\n"), &format!("the branch {branch}"))?;
        let moved = self.move_locked_branch(journal, branch, new, log, &lock);
        if moved.is_err() {
            let _ = fs::remove_file(&lock);
        }
        moved?;
        self.check_tip(journal, new)
    }

    /// The branch's lock `lock` taken: checks the branch is still on the journal's
    /// old commit, appends the reflogs and renames the lock over the branch.
    pub(super) fn move_locked_branch(
        &self,
        journal: &Journal,
        branch: &str,
        new: Oid,
        log: &str,
        lock: &Path,
    ) -> Result<()> {
        let repo = &self.rr.repo;
        let old = journal.old_head.as_deref().map(oid).transpose()?;
        if self.tip(journal)? != old {
            return Err(Error::Busy {
                message: "the branch moved while crs was committing".into(),
                hint: "nothing was changed; run the command again".into(),
            });
        }
        let commit = repo.find_commit(new).map_err(|e| git_error("cannot read the new commit", &e))?;
        let line = reflog_line(old, new, &commit.committer(), log);
        for reflog in [repo.commondir().join("logs").join(branch), repo.path().join("logs").join("HEAD")] {
            append_reflog(&reflog, &line)?;
        }
        let target = repo.commondir().join(branch);
        fs::rename(lock, &target).map_err(|e| storage_error(&format!("the branch {branch}"), &e.to_string()))
    }

    /// Checks that the journal's branch points at `new` after moving it.
    pub(super) fn check_tip(&self, journal: &Journal, new: Oid) -> Result<()> {
        if self.tip(journal)? != Some(new) {
            return Err(storage_error("the branch", "it does not point at the new commit after moving it"));
        }
        moved::note_branch_moved();
        Ok(())
    }

    /// Where the journal's branch (or a detached HEAD) points now.
    pub(super) fn tip(&self, journal: &Journal) -> Result<Option<Oid>> {
        let name = journal.branch.as_deref().unwrap_or("HEAD");
        match self.rr.repo.refname_to_id(name) {
            Ok(id) => Ok(Some(id)),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(git_error(&format!("cannot read {name}"), &e)),
        }
    }
}

/// A reflog line as git writes it: old and new ids, who, when, and the message.
pub(super) fn reflog_line(old: Option<Oid>, new: Oid, who: &git2::Signature<'_>, message: &str) -> String {
    let when = who.when();
    let offset = when.offset_minutes();
    let sign = if offset < 0 { '-' } else { '+' };
    let (hours, minutes) = (offset.abs() / 60, offset.abs() % 60);
    let old = old.unwrap_or_else(Oid::zero);
    let message = message.replace('\n', " ");
    format!(
        "{old} {new} {} <{}> {} {sign}{hours:02}{minutes:02}\t{message}\n",
        who.name().unwrap_or_default(),
        who.email().unwrap_or_default(),
        when.seconds()
    )
}

/// Appends `line` to the reflog at `path`, as git does (no lock: git appends).
pub(super) fn append_reflog(path: &Path, line: &str) -> Result<()> {
    if let Some(folder) = path.parent() {
        fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
    }
    let mut file =
        fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| Error::io(path, e))?;
    std::io::Write::write_all(&mut file, line.as_bytes()).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use git2::{Oid, Signature, Time};

    use super::reflog_line;

    #[test]
    fn a_reflog_line_is_written_as_git_writes_it() {
        let who = Signature::new("Ann Lee", "ann@nhs.net", &Time::new(1_764_547_200, -90)).unwrap();
        let new = Oid::from_str("ce013625030ba8dba906f756967f9e9ca394464a").unwrap();
        let line = reflog_line(None, new, &who, "commit: event RJ1/maternity\nsecond line");
        assert_eq!(
            line,
            "0000000000000000000000000000000000000000 ce013625030ba8dba906f756967f9e9ca394464a \
             Ann Lee <ann@nhs.net> 1764547200 -0130\tcommit: event RJ1/maternity second line\n"
        );
    }
}
