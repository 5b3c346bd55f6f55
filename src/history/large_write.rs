//! `LargeWrite`: the files of a write of many (a spreadsheet's import), each stored
//! as it is given — its blob compressed into a pack being made in crs's folder (see
//! [`PackWriter`]) — so that what a write holds until its commit is each file's
//! path and blob id, not its text. The packs join git's only when the write is
//! committed ([`crate::history::Writer::commit_large`]); a large write dropped
//! without its commit deletes them, and a killed one leaves them for the next write
//! to delete, so git's folder never holds a pack of a write that was not made.

use std::path::PathBuf;

use git2::{Oid, Repository};

use crate::history::commit::remove_staged_packs;
use crate::history::pack::{PackReader, PackWriter};

/// A file of a large write: its register-relative path, the blob of its bytes, and
/// the blob git stores for it (the same, unless git's filters change it).
pub(crate) struct StoredFile {
    pub(crate) path: String,
    pub(crate) new: Oid,
    pub(crate) staged: Oid,
}

/// A write of many files in progress, made by [`crate::history::Writer::large_write`].
pub struct LargeWrite {
    /// A handle of its own on the repository, whose object database holds the few
    /// objects libgit2 makes itself (a blob through git's filters, the trees) in
    /// memory, until they are packed with the rest.
    pub(crate) repo: Repository,
    pub(crate) packer: PackWriter,
    pub(crate) files: Vec<StoredFile>,
    /// Blobs git's filters made, held in `repo`'s memory.
    pub(crate) filtered: Vec<Oid>,
    /// crs's folder where the packs are made, and git's where they go.
    pub(crate) staging: PathBuf,
    pub(crate) packs: PathBuf,
}

impl LargeWrite {
    /// The register-relative paths of the files given so far.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|f| f.path.as_str())
    }

    /// A reader of the objects this write packed, from its packs once they are in
    /// git's folder: [`PackReader::read`] gives `None` for an object it did not pack.
    pub(crate) fn reader(&self) -> PackReader<'_> {
        self.packer.reader(&self.packs)
    }
}

impl Drop for LargeWrite {
    /// Deletes the packs of a write that was not committed (a committed one has
    /// moved them all into git's folder already).
    fn drop(&mut self) {
        remove_staged_packs(&self.staging, &self.packs);
    }
}
