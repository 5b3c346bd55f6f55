//! `crs log`: the register's audit trail from git, for a record (under each id it
//! had before `crs move`) or the whole register; the cli renders it.

use std::path::Path;

use crate::context::Ctx;
use crate::error::{Error, Result};
pub use crate::history::log::{ChangeKind, LogEntry};
use crate::model::{Record, RecordId};
use crate::register::source::{MAX_FILE_BYTES, plain_file};

/// The audit trail of the register of `ctx`, or of record `id`, newest first, at
/// most `limit` commits. A record that has no history and no file is an error.
pub fn log(ctx: &Ctx, id: Option<&RecordId>, limit: Option<usize>) -> Result<Vec<LogEntry>> {
    let root = ctx.register_root()?;
    let previous = id.map(|id| previous_ids(&root, id)).unwrap_or_default();
    let entries = crate::history::log::log(&root, id, &previous, limit)?;
    if let Some(id) = id.filter(|_| entries.is_empty())
        && !root.join(id.relative_path()).exists()
    {
        return Err(Error::NoSuchRecord { id: id.to_string(), path: id.relative_path_string() });
    }
    Ok(entries)
}

/// The ids the record had before it moved, from its file now; none when it cannot
/// be read (the log then shows its history under this id alone).
fn previous_ids(root: &Path, id: &RecordId) -> Vec<RecordId> {
    let path = id.relative_path_string();
    let Ok(Some(full)) = plain_file(root, &path, MAX_FILE_BYTES) else { return Vec::new() };
    let Some(record) = std::fs::read_to_string(full).ok().and_then(|t| Record::from_toml(&t).ok()) else {
        return Vec::new();
    };
    record.previous_ids.iter().filter_map(|p| p.parse().ok()).collect()
}
