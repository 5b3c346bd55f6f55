//! `crs move`: a record follows its provider to a new ODS code (a merger, a new
//! trust) or to a new service slug, in one commit that git sees as a rename. The
//! record keeps every decision and event, notes its old id in `previous_ids`, and
//! the log and the export follow it across the move.

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::{Finding, Severity};
use crate::history::{Committed, Recovered};
use crate::model::status::{Status, derive_status};
use crate::model::{Record, RecordId};
use crate::ops::change::keep_line_endings;
use crate::ops::checker::Services;
use crate::ops::transaction::{Transaction, WriteOptions};
use crate::register::edit::RecordDoc;
use crate::register::load::toml_error_hit;
use crate::register::source::{MAX_FILE_BYTES, plain_file};

/// What a move did.
pub struct Moved {
    pub from: RecordId,
    pub to: RecordId,
    pub status: Status,
    pub committed: Committed,
    pub recovered: Option<Recovered>,
}

/// Moves the record `from` to `to`, naming the provider `provider_name` if given.
pub fn move_record(
    ctx: &Ctx,
    options: &WriteOptions,
    from: &RecordId,
    to: &RecordId,
    provider_name: Option<&str>,
    reason: Option<&str>,
) -> Result<Moved> {
    if from == to {
        return Err(Error::Usage(format!("{from} is already where it is asked to go")));
    }
    let tx = Transaction::begin(ctx, options)?;
    let (old_path, new_path) = (from.relative_path_string(), to.relative_path_string());
    let full = plain_file(&tx.root, &old_path, MAX_FILE_BYTES)?
        .ok_or_else(|| Error::NoSuchRecord { id: from.to_string(), path: old_path.clone() })?;
    if plain_file(&tx.root, &new_path, MAX_FILE_BYTES)?.is_some() || tx.root.join(&new_path).exists() {
        return Err(Error::RecordExists { id: to.to_string(), path: new_path });
    }
    tx.require_clean(&old_path)?;
    tx.require_clean(&new_path)?;
    let text = std::fs::read_to_string(&full).map_err(|e| Error::io(&full, e))?;
    let record = Record::from_toml(&text).map_err(|e| Error::NotAllowed {
        message: format!("{old_path} is not a valid record: {}", toml_error_hit(&text, &e).message),
        hint: format!("mend it with crs edit {from} first"),
    })?;
    let mut doc = RecordDoc::parse(&text)
        .map_err(|e| Error::RecordText { path: old_path.clone(), message: e.to_string() })?;
    doc.record_move(&from.to_string(), to.provider(), provider_name);
    let new_text = keep_line_endings(&text, doc.text());
    let moved = doc.record().map_err(|e| Error::Invalid {
        message: format!("the moved record does not read back: {}", toml_error_hit(&new_text, &e).message),
    })?;

    // The record at its new place, as crs check will see it: no rule it did not
    // break before (a wrong folder, a duplicate there) may break now. Its old file
    // is the record being moved, not another record holding the same service.
    let known = tx.orgs()?;
    let checker = tx.checker(ctx, known.as_ref());
    let is_error = |f: &Finding| f.severity == Severity::Error;
    let broken: Vec<_> = checker
        .check_one(&tx.root, from, &record, &text, true)
        .into_iter()
        .filter(is_error)
        .map(|f| f.rule)
        .collect();
    let mut services = Services::new(&tx.root);
    services.release(from);
    let new_errors: Vec<_> = checker
        .check_among(&mut services, to, &moved, &new_text)
        .into_iter()
        .filter(|f| is_error(f) && !broken.contains(&f.rule))
        .collect();
    if !new_errors.is_empty() {
        return Err(Error::Refused { action: "move".into(), id: from.to_string(), findings: new_errors });
    }
    let status = derive_status(&moved);
    let reason = reason
        .map(|r| format!(": {}", r.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>()))
        .unwrap_or_default();
    let message = format!(
        "move {from} to {to}{reason}\n\nCrs-Record: {to}\nCrs-Action: move\nCrs-Previous: {from}\nCrs-Status: {status}\n"
    );
    let committed = tx.commit_changes(&[(new_path, new_text.into_bytes())], &[old_path], &message)?;
    Ok(Moved { from: from.clone(), to: to.clone(), status, committed, recovered: tx.recovered().cloned() })
}
