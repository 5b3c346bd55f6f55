//! Step 3 of a write: the working files written, each atomically, and a file put
//! back as a journal names it; links refused, a file's bytes read only when it is a
//! plain file.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::atomic::{Flush, write_atomic_via};
use crate::error::{Error, Result};
use crate::history::large_write::LargeWrite;
use crate::history::pack::PackReader;
use crate::history::repo::{git_error, storage_error};

use super::{Contents, FLUSH_EACH_UP_TO, Incoming, Writer, oid};

/// The threads that write the files of a large write: this machine's two cores are
/// the least a team's computer has.
const WRITERS: usize = 2;

/// The error of a writing thread that stopped without its result.
fn panicked() -> Error {
    Error::io(Path::new("."), std::io::Error::other("a thread writing the files stopped"))
}

impl Writer {
    /// Writes the files into the working tree, following no links.
    /// A file stored already is read back from its blob: from the packs of `large`,
    /// when that write packed it, on [`WRITERS`] threads (reading back, inflating
    /// and checking each blob costs as much as writing its file).
    pub(super) fn write_files(
        &self,
        files: &[Incoming<'_>],
        removed: &[String],
        large: Option<&LargeWrite>,
    ) -> Result<()> {
        let flush = if files.len() > FLUSH_EACH_UP_TO { Flush::Batch } else { Flush::Each };
        let mut folders: HashSet<&Path> = HashSet::new();
        let full_paths: Vec<PathBuf> = files.iter().map(|f| self.root.join(f.path)).collect();
        for parent in full_paths.iter().filter_map(|p| p.parent()) {
            if folders.insert(parent) {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
        }
        let packed_by = large.map(LargeWrite::packed).transpose()?;
        let packed = |file: &Incoming<'_>| match (file.contents, packed_by) {
            (Contents::Stored { new, .. }, Some((packer, _))) => packer.has(new),
            _ => false,
        };
        let (from_packs, others): (Vec<_>, Vec<_>) =
            files.iter().zip(&full_paths).partition(|(file, _)| packed(file));
        if let Some((packer, packs)) = packed_by.filter(|_| !from_packs.is_empty()) {
            let share = from_packs.len().div_ceil(WRITERS);
            let temps = self.state_dir.as_path();
            std::thread::scope(|scope| {
                let mut writers = Vec::new();
                for chunk in from_packs.chunks(share) {
                    let write = move || write_packed(chunk, packer.reader(packs), temps, flush);
                    // A system that will not start another thread gets the share written here.
                    match std::thread::Builder::new().spawn_scoped(scope, write) {
                        Ok(writer) => writers.push(writer),
                        Err(_) => write_packed(chunk, packer.reader(packs), temps, flush)?,
                    }
                }
                writers.into_iter().try_for_each(|writer| writer.join().unwrap_or_else(|_| Err(panicked())))
            })?;
        }
        let odb = self.rr.repo.odb().map_err(|e| git_error("cannot open git's object database", &e))?;
        for (file, full) in others {
            match file.contents {
                Contents::Bytes(bytes) => write_atomic_via(full, bytes, Some(&self.state_dir), flush)?,
                Contents::Stored { new, .. } => {
                    let blob = odb.read(new).map_err(|e| storage_error(file.path, e.message()))?;
                    write_atomic_via(full, blob.data(), Some(&self.state_dir), flush)?;
                }
            }
        }
        for path in removed {
            remove_file(&self.root.join(path))?;
        }
        Ok(())
    }

    /// Makes the working file at `full` hold the stored bytes `id`, or deletes it.
    pub(super) fn put(&self, full: &Path, id: Option<&str>) -> Result<()> {
        match id {
            Some(id) => {
                if let Some(parent) = full.parent() {
                    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                }
                write_atomic_via(full, &self.blob_bytes(id)?, Some(&self.state_dir), Flush::Each)
            }
            None => remove_file(full),
        }
    }

    pub(super) fn blob_bytes(&self, id: &str) -> Result<Vec<u8>> {
        let blob =
            self.rr.repo.find_blob(oid(id)?).map_err(|e| git_error("cannot read a stored file", &e))?;
        Ok(blob.content().to_vec())
    }
}

/// Writes each of `files`, all packed by the write `reader` reads, with its bytes
/// read back from the packs, each through a temp file in `temps`.
fn write_packed(
    files: &[(&Incoming<'_>, &PathBuf)],
    mut reader: PackReader<'_>,
    temps: &Path,
    flush: Flush,
) -> Result<()> {
    for (file, full) in files {
        let Contents::Stored { new, .. } = file.contents else { continue };
        let bytes = reader
            .read(new)
            .map_err(|e| storage_error(file.path, &e))?
            .ok_or_else(|| storage_error(file.path, "its blob is not in the packs written"))?;
        write_atomic_via(full, &bytes, Some(temps), flush)?;
    }
    Ok(())
}

/// The bytes of the plain file at `path`, `None` when there is none.
pub(super) fn read_plain(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => fs::read(path).map(Some).map_err(|e| Error::io(path, e)),
        Ok(_) => Err(Error::Link { path: path.to_path_buf() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Refuses a write below `root` through a symbolic link, which could put the file
/// outside the register.
/// `plain_folders` holds the folders already found to be no link, so that a write
/// of many files looks at each folder once.
pub(super) fn refuse_links(
    root: &Path,
    path: &str,
    plain_folders: &mut std::collections::HashSet<PathBuf>,
) -> Result<()> {
    let mut at = root.to_path_buf();
    let parts: Vec<&str> = path.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        let folder = i + 1 < parts.len();
        if folder && plain_folders.contains(&at) {
            continue;
        }
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(Error::Link { path: at }),
            Ok(_) if folder => {
                plain_folders.insert(at.clone());
            }
            Ok(meta) if meta.file_type().is_symlink() => return Err(Error::Link { path: at }),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(&at, e)),
        }
    }
    Ok(())
}

/// Deletes the file at `path` if it is there, and its folder if that is left empty.
pub(super) fn remove_file(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(path, e)),
    }
    if let Some(parent) = path.parent() {
        let _ = fs::remove_dir(parent);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::{read_plain, remove_file};
    use crate::error::Error;

    #[test]
    fn only_a_plain_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.toml");
        assert_eq!(read_plain(&file).unwrap(), None, "no file");
        fs::write(&file, b"x = 1\n").unwrap();
        assert_eq!(read_plain(&file).unwrap(), Some(b"x = 1\n".to_vec()));
        assert!(matches!(read_plain(dir.path()), Err(Error::Link { .. })), "a folder is not a file");
        #[cfg(unix)]
        {
            let link = dir.path().join("b.toml");
            std::os::unix::fs::symlink(&file, &link).unwrap();
            assert!(matches!(read_plain(&link), Err(Error::Link { .. })), "a link is not followed");
        }
    }

    #[test]
    fn removing_a_file_removes_its_folder_when_empty_and_a_missing_file_is_no_error() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("RJ1");
        fs::create_dir(&folder).unwrap();
        let file = folder.join("maternity.toml");
        fs::write(&file, b"").unwrap();
        remove_file(&file).unwrap();
        assert!(!folder.exists(), "the emptied folder goes too");
        remove_file(&file).unwrap();
    }
}
