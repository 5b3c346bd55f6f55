//! A write of many files (a [`LargeWrite`]): each blob stored as it is given in packs
//! made in crs's folder, moved into git's `packs` folder whole (index last) before the
//! journal is saved, and what a killed write left there cleared.

use std::fs;
use std::path::Path;

use git2::Oid;

use crate::error::{Error, Result};
use crate::history::durable;
use crate::history::large_write::LargeWrite;
use crate::history::pack::PackWriter;
use crate::history::repo::{git_error, storage_error};

use super::objects::raw_id;
use super::{PACK_STAGING, Writer};

impl Writer {
    /// Stores `bytes`, the content of the file at `repo_path`, in `large`; returns
    /// the blob of the bytes and the blob git stores for the file (the same, unless
    /// git's filters change it).
    pub(super) fn store_large(
        &self,
        large: &mut LargeWrite,
        repo_path: &str,
        bytes: &[u8],
    ) -> Result<(Oid, Oid)> {
        let new = self.store_packed(large, repo_path, bytes)?;
        if !self.may_filter(repo_path) {
            return Ok((new, new));
        }
        let staged = self.blob_as_git_would(&large.repo, repo_path, bytes)?;
        if staged != new {
            large.filtered.push(staged);
        }
        Ok((new, staged))
    }

    /// Stores `bytes` exactly as they are in the packs of `large` (a blob git has
    /// already, or the write has packed, is not stored again), writing the pack
    /// being filled once it holds [`PACK_BYTES`].
    pub(super) fn store_packed(&self, large: &mut LargeWrite, repo_path: &str, bytes: &[u8]) -> Result<Oid> {
        let id = raw_id(bytes);
        if large.has(id) {
            return Ok(id);
        }
        let odb = self.rr.repo.odb().map_err(|e| git_error("cannot open git's object database", &e))?;
        // Looked up without rescanning the packs for every new file.
        if odb.exists_ext(id, git2::OdbLookupFlags::NO_REFRESH) {
            return Ok(id);
        }
        large.pack_blob(id, bytes, repo_path)?;
        Ok(id)
    }

    /// Writes the objects `packer` holds as a pack in crs's folder (where a kill
    /// leaves it, or its half-written temp files, for the next write to delete),
    /// flushed as `core.fsync` asks.
    pub(super) fn stage_pack(&self, packer: &mut PackWriter) -> Result<()> {
        stage_pack_in(packer, &self.state_dir.join(PACK_STAGING), self.durability.packs)
    }

    /// Moves the packs made in crs's folder in beside git's, each pack before its
    /// index, flushed as `core.fsync` asks.
    pub(super) fn publish_packs(&self) -> Result<()> {
        let staging = self.state_dir.join(PACK_STAGING);
        let packs = self.rr.repo.commondir().join("objects/pack");
        if !staging.exists() {
            return Ok(());
        }
        move_staged_packs(&staging, &packs)?;
        if self.durability.packs {
            durable::sync_folder(&packs)?;
        }
        let _ = fs::remove_dir(&staging);
        Ok(())
    }
}

/// Writes the objects `packer` holds as a pack in `staging`, flushed to disk when
/// `durable`: [`Writer::stage_pack`], for a packer on a thread of its own.
pub(crate) fn stage_pack_in(packer: &mut PackWriter, staging: &Path, durable: bool) -> Result<()> {
    fs::create_dir_all(staging).map_err(|e| Error::io(staging, e))?;
    let pack =
        packer.write(staging).map_err(|message| storage_error("the pack of the new files", &message))?;
    if let Some(pack) = pack.filter(|_| durable) {
        durable::sync_file(&pack)?;
        durable::sync_file(&pack.with_extension("idx"))?;
    }
    Ok(())
}

/// Moves the whole packs in `staging` into git's `packs` folder: the pack first,
/// its index last, as git finds a pack by its index.
pub(super) fn move_staged_packs(staging: &Path, packs: &Path) -> Result<()> {
    let mut names: Vec<String> = fs::read_dir(staging)
        .map_err(|e| Error::io(staging, e))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("pack-") && (n.ends_with(".pack") || n.ends_with(".idx")))
        .collect();
    names.sort_by_key(|n| n.ends_with(".idx"));
    for name in names {
        let to = packs.join(&name);
        fs::rename(staging.join(&name), &to)
            .map_err(|e| storage_error("the pack of the new files", &Error::io(&to, e).to_string()))?;
    }
    Ok(())
}

/// Deletes what a killed write left in `staging` (only under crs's lock, so none of
/// it is being written): a half-made pack, or one made and not yet moved into git's
/// `packs`; an index whose pack was moved already is moved after it.
pub(crate) fn remove_staged_packs(staging: &Path, packs: &Path) {
    let Ok(entries) = fs::read_dir(staging) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let moved = name.strip_suffix(".idx").is_some_and(|p| packs.join(format!("{p}.pack")).exists());
        if !(moved && fs::rename(entry.path(), packs.join(&name)).is_ok()) {
            let _ = fs::remove_file(entry.path());
        }
    }
    let _ = fs::remove_dir(staging);
}

#[cfg(test)]
mod tests {
    use std::fs;

    use std::path::PathBuf;

    use super::{move_staged_packs, remove_staged_packs};

    /// A temporary folder with a staging folder and git's `packs` folder in it.
    fn folders() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let (staging, packs) = (dir.path().join("staging"), dir.path().join("pack"));
        fs::create_dir_all(&staging).unwrap();
        fs::create_dir_all(&packs).unwrap();
        (dir, staging, packs)
    }

    #[test]
    fn staged_packs_move_whole_and_other_files_stay() {
        let (_dir, staging, packs) = folders();
        for name in ["pack-1.pack", "pack-1.idx", "tmp-pack"] {
            fs::write(staging.join(name), name).unwrap();
        }
        move_staged_packs(&staging, &packs).unwrap();
        assert!(packs.join("pack-1.pack").is_file() && packs.join("pack-1.idx").is_file());
        assert!(staging.join("tmp-pack").is_file(), "only whole packs move");
    }

    #[test]
    fn a_killed_write_leaves_no_half_pack_and_an_index_follows_its_moved_pack() {
        let (_dir, staging, packs) = folders();
        fs::write(packs.join("pack-1.pack"), "moved").unwrap();
        fs::write(staging.join("pack-1.idx"), "its index").unwrap();
        fs::write(staging.join("pack-2.pack"), "half made").unwrap();
        remove_staged_packs(&staging, &packs);
        assert!(packs.join("pack-1.idx").is_file(), "the index joins its pack");
        assert!(!packs.join("pack-2.pack").exists() && !staging.exists(), "the rest is deleted");
    }
}
