//! `KnownOrgs`: the organisations a register knows, read once per command from its
//! cache (`.crs/orgs.csv`) and from any ODS files `crs.toml` names under
//! `[orgs] files`, through the same `Source` the records come from, so that
//! `--as-of` checks codes against the cache as it stood then.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::orgs::cache::{CACHE_PATH, from_csv};
use crate::orgs::index::OrgIndex;
use crate::orgs::kind::{OdsKind, downloads_page, where_to_get_ods_files};
use crate::orgs::ods_file::{OdsFile, read_ods};
use crate::orgs::succ_file::{SUCC_PATH, read_succ};
use crate::register::Source;

/// The organisations known to a register.
#[derive(Clone, Debug, Default)]
pub struct KnownOrgs {
    pub index: OrgIndex,
    /// Rows of the files named in `crs.toml` that could not be read, as
    /// `file line N: why`, for the check's notes.
    pub skipped: Vec<String>,
}

/// The organisations of the register at `root`, or `None` when it has neither a
/// cache nor ODS files named in `crs.toml`. Files named in `crs.toml` take the
/// place of the cache's rows of their kind.
pub fn known_orgs(source: &dyn Source, root: &Path, files: &[PathBuf]) -> Result<Option<KnownOrgs>> {
    let cache = source.read_file(CACHE_PATH)?;
    let succ = source.read_file(SUCC_PATH)?;
    if cache.is_none() && succ.is_none() && files.is_empty() {
        return Ok(None);
    }
    let mut known = KnownOrgs::default();
    if let Some(bytes) = cache {
        known.index = from_csv(&bytes).map_err(|e| Error::OdsFile {
            path: root.join(CACHE_PATH),
            line: Some(e.line),
            message: e.message,
            hint: format!(
                "the organisation cache is written by crs orgs import: resolve any merge conflict in it, or delete it and import the ODS files again; the files are on {}",
                downloads_page()
            ),
        })?;
    }
    let mut seen: Vec<(OdsKind, &Path)> = Vec::new();
    for file in files {
        let (file, kind) = settings_file(root, file)?;
        if let Some((_, other)) = seen.iter().find(|(k, _)| *k == kind) {
            return Err(Error::Orgs {
                message: format!(
                    "crs.toml [orgs] files names two {kind} files, {} and {}",
                    other.display(),
                    file.display()
                ),
                hint: "name one file of each kind".into(),
            });
        }
        seen.push((kind, file));
        let name = file.to_string_lossy().replace('\\', "/");
        let bytes = source.read_file(&name)?.ok_or_else(|| Error::Orgs {
            message: format!("crs.toml [orgs] files names {name}, which is not in the register"),
            hint: "put the ODS file there, correct the path (relative to the register root), or import it once with crs orgs import and remove it from crs.toml".into(),
        })?;
        let ods = loaded(read_ods(&bytes, kind), &root.join(file))?;
        known
            .skipped
            .extend(ods.skipped.iter().map(|s| format!("{name} line {}: skipped: {}", s.line, s.message)));
        known.index = known.index.with_kind_replaced(kind, ods.orgs);
    }
    if let Some(bytes) = succ {
        known.index = std::mem::take(&mut known.index).with_successions(read_succ(&bytes).0);
    }
    Ok(Some(known))
}

/// A file `crs.toml` names, checked to stay inside the register, and its kind.
fn settings_file<'a>(root: &Path, file: &'a Path) -> Result<(&'a Path, OdsKind)> {
    let inside = file.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !inside {
        return Err(Error::Orgs {
            message: format!("crs.toml [orgs] files names {}, which is outside the register", file.display()),
            hint: format!(
                "name files by their path inside the register ({}), or import them with crs orgs import",
                root.display()
            ),
        });
    }
    let kind = OdsKind::from_file_name(file).ok_or_else(|| Error::Orgs {
        message: format!(
            "crs.toml [orgs] files names {}, whose name does not say which ODS file it is",
            file.display()
        ),
        hint: format!(
            "keep NHS Digital's file names, or import it with crs orgs import --kind KIND; {}",
            where_to_get_ods_files()
        ),
    })?;
    Ok((file, kind))
}

/// `ods`, unless nothing could be read from it: then an error naming `path`.
pub fn loaded(ods: OdsFile, path: &Path) -> Result<OdsFile> {
    if !ods.orgs.is_empty() {
        return Ok(ods);
    }
    let message = match ods.skipped.first() {
        None => "the file is empty: no organisation could be read from it".to_owned(),
        Some(first) => format!(
            "no organisation could be read from it: all {} row{} were skipped (line {}: {})",
            ods.skipped.len(),
            if ods.skipped.len() == 1 { "" } else { "s" },
            first.line,
            first.message
        ),
    };
    Err(Error::OdsFile {
        path: path.to_path_buf(),
        line: None,
        message,
        hint: format!(
            "ODS files are NHS Digital's CSV downloads, with no header row: download the file again; {}",
            where_to_get_ods_files()
        ),
    })
}
