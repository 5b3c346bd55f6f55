//! `Source`: where a register's files come from — the working tree on disk, or (in
//! the history module) a git tree as it stood at some revision. Loading and checking
//! see only this seam, so `--as-of` checks exactly what a plain check would.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::RecordId;

/// What a register entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    /// A name that is not UTF-8, so it cannot be a record id.
    BadName,
    Other,
}

/// A candidate record: a `.toml` entry below the register root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Path relative to the register root, `/`-separated.
    pub path: String,
    pub kind: EntryKind,
    /// Size in bytes, when known without reading.
    pub size: Option<u64>,
}

/// A register's files.
pub trait Source: Sync {
    /// The candidate record entries, sorted by path.
    fn entries(&self) -> Result<Vec<Entry>>;

    /// Reads a register file such as `crs.toml`; `None` when it does not exist.
    fn read_file(&self, path: &str) -> Result<Option<Vec<u8>>>;

    /// A reader for one thread.
    fn reader(&self) -> Result<Box<dyn EntryReader + '_>>;
}

/// The ids of the record files `source` holds, from their paths
/// (`RJ1/maternity.toml` is `RJ1/maternity`); files whose paths are no record id are
/// left out. For suggestions and completion: nothing is read.
pub fn record_ids(source: &dyn Source) -> Result<Vec<String>> {
    Ok(source
        .entries()?
        .into_iter()
        .filter(|entry| entry.kind == EntryKind::File)
        .filter_map(|entry| entry.path.strip_suffix(".toml").map(str::to_owned))
        .filter(|id| id.parse::<RecordId>().is_ok())
        .collect())
}

/// Reads entries' bytes; one per loading thread.
pub trait EntryReader {
    /// Replaces `buf` with the bytes of `entry`, reading at most `limit` bytes.
    fn read_into(&mut self, entry: &Entry, limit: u64, buf: &mut Vec<u8>) -> io::Result<()>;
}

/// Another source less some files that are not records (a register's own
/// framework file, for instance).
pub struct Without {
    inner: Box<dyn Source>,
    paths: Vec<String>,
}

impl Without {
    pub fn new(inner: Box<dyn Source>, paths: Vec<String>) -> Without {
        Without { inner, paths }
    }
}

impl Source for Without {
    fn entries(&self) -> Result<Vec<Entry>> {
        let mut entries = self.inner.entries()?;
        entries.retain(|e| !self.paths.contains(&e.path));
        Ok(entries)
    }

    fn read_file(&self, path: &str) -> Result<Option<Vec<u8>>> {
        self.inner.read_file(path)
    }

    fn reader(&self) -> Result<Box<dyn EntryReader + '_>> {
        self.inner.reader()
    }
}

/// Another source whose entries were listed once, when it was made: so that the
/// listing can be made while something else runs (git's status, in an export).
pub struct Listed {
    inner: Box<dyn Source>,
    entries: Vec<Entry>,
}

impl Listed {
    pub fn new(inner: Box<dyn Source>) -> Result<Listed> {
        Ok(Listed { entries: inner.entries()?, inner })
    }
}

impl Source for Listed {
    fn entries(&self) -> Result<Vec<Entry>> {
        Ok(self.entries.clone())
    }

    fn read_file(&self, path: &str) -> Result<Option<Vec<u8>>> {
        self.inner.read_file(path)
    }

    fn reader(&self) -> Result<Box<dyn EntryReader + '_>> {
        self.inner.reader()
    }
}

/// The register as it is in the working tree.
pub struct DiskSource {
    root: PathBuf,
}

impl DiskSource {
    pub fn new(root: impl Into<PathBuf>) -> DiskSource {
        DiskSource { root: root.into() }
    }

    fn walk(&self, dir: &Path, relative: &str, depth: usize, out: &mut Vec<Entry>) -> Result<()> {
        let listing = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        for item in listing {
            let item = item.map_err(|e| Error::io(dir, e))?;
            let name = item.file_name();
            let Some(name) = name.to_str() else {
                // A name that is not UTF-8 cannot be a record id or a provider folder.
                out.push(Entry {
                    path: join(relative, &name.to_string_lossy()),
                    kind: EntryKind::BadName,
                    size: None,
                });
                continue;
            };
            if name.starts_with('.') || (depth == 0 && name == "crs.toml") {
                continue;
            }
            let meta = item.path().symlink_metadata().map_err(|e| Error::io(item.path(), e))?;
            let path = join(relative, name);
            let is_toml = name.ends_with(".toml");
            let kind = if meta.file_type().is_symlink() {
                EntryKind::Symlink
            } else if meta.is_dir() {
                EntryKind::Dir
            } else if meta.is_file() {
                EntryKind::File
            } else {
                EntryKind::Other
            };
            match kind {
                EntryKind::Dir if !is_toml => self.walk(&item.path(), &path, depth + 1, out)?,
                // A symlinked provider folder is reported rather than followed.
                EntryKind::Symlink if is_toml || depth == 0 => out.push(Entry { path, kind, size: None }),
                _ if is_toml => out.push(Entry { path, kind, size: Some(meta.len()) }),
                _ => {}
            }
        }
        Ok(())
    }
}

/// The file at `relative` (`/`-separated) below `root`, if it is a plain file of at
/// most `limit` bytes reached without symbolic links; `None` when it does not
/// exist. crs follows no links, so that nothing outside the register is read or
/// written through one.
pub fn plain_file(root: &Path, relative: &str, limit: u64) -> Result<Option<PathBuf>> {
    let mut full = root.to_path_buf();
    let parts: Vec<&str> = relative.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        full.push(part);
        let meta = match full.symlink_metadata() {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&full, e)),
        };
        let last = i + 1 == parts.len();
        let problem = if meta.file_type().is_symlink() {
            Some("is a symbolic link; crs follows no links, so put the folder or file itself in the register")
        } else if last && meta.is_dir() {
            Some("is a directory where a file should be")
        } else if last && !meta.is_file() {
            Some("is not a regular file")
        } else if last && meta.len() > limit {
            Some(if limit == MAX_FILE_BYTES {
                "is larger than 1 MiB; records are a few KB, so this is not one"
            } else {
                "is too large for crs to read"
            })
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(Error::Invalid { message: format!("{} {problem}", full.display()) });
        }
    }
    Ok(Some(full))
}

pub use crate::model::id::MAX_FILE_BYTES;

/// Largest other register file crs reads (an organisation cache or ODS file).
pub const MAX_DATA_BYTES: u64 = 256 << 20;

fn join(relative: &str, name: &str) -> String {
    if relative.is_empty() { name.to_owned() } else { format!("{relative}/{name}") }
}

impl Source for DiskSource {
    fn entries(&self) -> Result<Vec<Entry>> {
        let mut out = Vec::new();
        self.walk(&self.root, "", 0, &mut out)?;
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    fn read_file(&self, path: &str) -> Result<Option<Vec<u8>>> {
        match plain_file(&self.root, path, MAX_DATA_BYTES)? {
            Some(full) => fs::read(&full).map(Some).map_err(|e| Error::io(full, e)),
            None => Ok(None),
        }
    }

    fn reader(&self) -> Result<Box<dyn EntryReader + '_>> {
        Ok(Box::new(DiskReader { root: &self.root }))
    }
}

struct DiskReader<'a> {
    root: &'a Path,
}

impl EntryReader for DiskReader<'_> {
    fn read_into(&mut self, entry: &Entry, limit: u64, buf: &mut Vec<u8>) -> io::Result<()> {
        buf.clear();
        fs::File::open(self.root.join(&entry.path))?.take(limit).read_to_end(buf)?;
        Ok(())
    }
}
