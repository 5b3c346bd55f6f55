//! Step 4 of a write, its first half: the tag made (a tag git holds locked, or one
//! that exists, stops the write), and taken away again by the undo when it was crs's.

use git2::{ErrorCode, Oid};

use crate::error::{Error, Result};
use crate::history::journal::{Journal, JournalTag};
use crate::history::lock::{leftover_lock, reference_lock};
use crate::history::repo::{git_error, storage_error};

use super::{Writer, oid};

impl Writer {
    /// Points the tag's reference at its stored tag object, unless it is there.
    pub(super) fn make_tag(&self, tag: &JournalTag) -> Result<()> {
        let repo = &self.rr.repo;
        let name = format!("refs/tags/{}", tag.name);
        let object = oid(&tag.object)?;
        match repo.refname_to_id(&name) {
            Ok(existing) if existing == object => return Ok(()),
            Ok(_) => {
                return Err(Error::git(
                    format!("tag {} already exists", tag.name),
                    "see git tag -l 'crs/*' for the submissions recorded",
                ));
            }
            Err(_) => {}
        }
        repo.reference(&name, object, false, "crs: submission").map_err(|e| match e.code() {
            ErrorCode::Locked => {
                leftover_lock(&reference_lock(repo.commondir(), &name), &format!("the tag {}", tag.name))
            }
            ErrorCode::Exists => Error::git(
                format!("tag {} already exists", tag.name),
                "see git tag -l 'crs/*' for the submissions recorded",
            ),
            _ => storage_error(&format!("the tag {}", tag.name), e.message()),
        })?;
        Ok(())
    }

    /// Deletes the tag reference of `journal` if it points at the write's own tag
    /// object: a tag of the same name made by someone else stays.
    pub(super) fn remove_tag(&self, journal: &Journal) -> Result<()> {
        let Some(tag) = &journal.tag else { return Ok(()) };
        let name = format!("refs/tags/{}", tag.name);
        let ours =
            self.rr.repo.refname_to_id(&name).is_ok_and(|id| Some(id) == Oid::from_str(&tag.object).ok());
        if ours {
            let mut reference =
                self.rr.repo.find_reference(&name).map_err(|e| git_error("cannot read the tag", &e))?;
            reference.delete().map_err(|e| git_error(&format!("cannot delete the tag {}", tag.name), &e))?;
        }
        Ok(())
    }
}
