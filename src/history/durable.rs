//! `Durability`: what a write flushes to disk before it reports success, so that a
//! power cut (not only a kill) cannot lose a commit crs said it made. It reads git's
//! own settings: `core.fsync`, a comma-separated list of components that adds to or
//! (with `-`) takes from the default, or `none`; and `core.fsyncMethod`.
//!
//! crs's default is every component a commit needs: the new objects (loose and
//! packed), the references and the index, git's `added`. `core.fsync` changes it
//! as it changes git's (`core.fsync=none` turns every flush off, `-index` the
//! index's). `core.fsyncMethod=writeout-only` leaves the flushing to the operating
//! system (nothing is flushed); `fsync` and `batch` flush each file and its folder.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::history::config::GitConfig;

/// Which of git's components a write flushes to disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Durability {
    pub loose_objects: bool,
    pub packs: bool,
    pub references: bool,
    pub index: bool,
}

impl Durability {
    /// What `config` asks for.
    pub(crate) fn from_config(config: &GitConfig) -> Durability {
        if config.string("core.fsyncmethod").is_some_and(|m| m.trim().eq_ignore_ascii_case("writeout-only")) {
            return Durability::default();
        }
        let mut durability = Durability { loose_objects: true, packs: true, references: true, index: true };
        if let Some(components) = config.string("core.fsync") {
            durability.apply(components);
        }
        durability
    }

    /// Applies a `core.fsync` value to the default, as git does: `none` anywhere
    /// empties the default, then the components named with `-` are taken away and
    /// those named without are added.
    fn apply(&mut self, components: &str) {
        let (mut added, mut taken) = (Durability::default(), Durability::default());
        for item in components.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let name = item.trim_start_matches('-').to_ascii_lowercase();
            if name == "none" {
                *self = Durability::default();
                continue;
            }
            let named = Durability::named(&name);
            let into = if item.starts_with('-') { &mut taken } else { &mut added };
            into.loose_objects |= named.loose_objects;
            into.packs |= named.packs;
            into.references |= named.references;
            into.index |= named.index;
        }
        self.loose_objects = (self.loose_objects && !taken.loose_objects) || added.loose_objects;
        self.packs = (self.packs && !taken.packs) || added.packs;
        self.references = (self.references && !taken.references) || added.references;
        self.index = (self.index && !taken.index) || added.index;
    }

    /// The components a name of `core.fsync` stands for.
    fn named(name: &str) -> Durability {
        let is = |names: &[&str]| names.contains(&name);
        Durability {
            loose_objects: is(&["loose-object", "objects", "committed", "added", "all"]),
            packs: is(&["pack", "objects", "committed", "added", "all"]),
            references: is(&["reference", "committed", "added", "all"]),
            index: is(&["index", "added", "all"]),
        }
    }
}

/// Flushes the file at `path` to disk.
pub(crate) fn sync_file(path: &Path) -> Result<()> {
    File::open(path).and_then(|f| f.sync_all()).map_err(|e| Error::io(path, e))
}

/// Flushes the folder at `dir` (the names in it) to disk.
pub(crate) fn sync_folder(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|f| f.sync_all()).map_err(|e| Error::io(dir, e))
}

/// How many flushes [`sync_all`] has waiting at once.
const FLUSHES_AT_ONCE: usize = 32;

/// Flushes every file and folder of `paths` to disk, up to [`FLUSHES_AT_ONCE`] at
/// once: flushes on one file system that wait together are written by one commit of
/// its journal, where one after another each waits for a commit of its own.
pub(crate) fn sync_all(paths: &[PathBuf]) -> Result<()> {
    paths.chunks(FLUSHES_AT_ONCE).try_for_each(|chunk| match chunk {
        [one] => sync_file(one),
        _ => std::thread::scope(|scope| {
            let flushes: Vec<_> = chunk.iter().map(|path| scope.spawn(move || sync_file(path))).collect();
            flushes
                .into_iter()
                .try_for_each(|flush| flush.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::Durability;

    fn after(value: &str) -> Durability {
        let mut durability = Durability { loose_objects: true, packs: true, references: true, index: true };
        durability.apply(value);
        durability
    }

    #[test]
    fn every_path_is_flushed_and_one_that_cannot_be_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut paths: Vec<_> = (0..40).map(|i| dir.path().join(format!("file-{i}"))).collect();
        paths.iter().for_each(|path| std::fs::write(path, "x").unwrap());
        paths.push(dir.path().to_path_buf());
        assert!(super::sync_all(&paths).is_ok());
        paths.push(dir.path().join("gone"));
        let error = super::sync_all(&paths).unwrap_err().to_string();
        assert!(error.contains("gone"), "{error}");
    }

    #[test]
    fn core_fsync_adds_to_and_takes_from_the_default_as_git_reads_it() {
        assert_eq!(after("none"), Durability::default());
        assert_eq!(after("none,reference"), Durability { references: true, ..Durability::default() });
        assert_eq!(
            after("-index,-loose-object"),
            Durability { loose_objects: false, packs: true, references: true, index: false }
        );
        assert_eq!(after("all"), after(""));
        assert_eq!(after("reference,none"), after("none,reference"));
    }
}
