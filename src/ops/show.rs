//! `crs show`'s use case: one record read from the register (now, or as of a date
//! or revision) as its file is written, refused with what to do when it is too
//! large, not text, left with a merge's conflict markers or not a record, and its
//! status derived.

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::model::status::derive_status;
use crate::model::{Record, RecordId, Status};
use crate::ops::open::open;
use crate::register::load::{merge_conflicts, toml_error_hit};
use crate::register::source::MAX_FILE_BYTES;

/// A record as its file is written, read, and its status.
pub(crate) struct Shown {
    pub(crate) text: String,
    pub(crate) record: Record,
    pub(crate) status: Status,
}

/// Reads the record `id`, now or `as_of` a date or revision.
pub(crate) fn show(ctx: &Ctx, id: &RecordId, as_of: Option<&str>) -> Result<Shown> {
    let opened = open(ctx, as_of)?;
    let path = id.relative_path_string();
    let missing = || Error::NoSuchRecord { id: id.to_string(), path: path.clone() };
    let bytes = opened.source.read_file(&path)?.ok_or_else(missing)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::Invalid {
            message: format!("{path} is larger than 1 MiB; records are a few KB, so this is not one"),
        });
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::Invalid { message: format!("{path} is not UTF-8 text; crs check says more") })?;
    // A merge left unresolved: what conflicts and what to do, not a parse error.
    if let Some(conflicts) = merge_conflicts(&text, &path, Some(id)) {
        let conflicts: Vec<String> = conflicts.into_iter().map(|hit| hit.message).collect();
        return Err(Error::Invalid {
            message: format!(
                "{path} holds git's conflict markers from a merge that is not resolved: {}",
                conflicts.join("; and ")
            ),
        });
    }
    let record = Record::from_toml(&text).map_err(|e| Error::Invalid {
        message: format!(
            "{path} is not a valid record: {}; crs check says more",
            toml_error_hit(&text, &e).message
        ),
    })?;
    let status = derive_status(&record);
    Ok(Shown { text, record, status })
}
