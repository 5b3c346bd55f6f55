//! `crs migrate`: every version 1 record of the register rewritten to version 2 —
//! its one `[decision]` becoming the first of `[[decisions]]` — in one commit,
//! keeping each file's comments and layout. The records say the same after as
//! before; the migration checks that before it writes.

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::history::{Committed, Recovered};
use crate::model::Record;
use crate::model::record::SCHEMA_VERSION;
use crate::ops::change::keep_line_endings;
use crate::ops::transaction::{Transaction, WriteOptions};
use crate::register::edit::RecordDoc;
use crate::register::source::Without;
use crate::register::{DiskSource, read_records};

/// What a migration did.
pub struct Migrated {
    /// The files rewritten (or, in a dry run, to be rewritten).
    pub files: Vec<String>,
    /// `None` for a dry run, or when there was nothing to migrate.
    pub committed: Option<Committed>,
    pub recovered: Option<Recovered>,
}

/// Migrates the register of `ctx`; with `dry_run`, only says what it would do.
pub fn migrate(ctx: &Ctx, options: &WriteOptions, dry_run: bool) -> Result<Migrated> {
    let tx = Transaction::begin(ctx, options)?;
    let source = Without::new(Box::new(DiskSource::new(&tx.root)), tx.config.own_files());
    let old = read_records(
        &source,
        &tx.config.framework,
        |_| true,
        |p| {
            (p.record.schema_version < SCHEMA_VERSION)
                .then(|| (p.file.to_owned(), p.text.to_owned(), p.record))
        },
    )?;
    let mut files = Vec::new();
    for (path, text, record) in old.items.into_iter().flatten() {
        tx.require_clean(&path)?;
        let mut doc = RecordDoc::parse(&text)
            .map_err(|e| Error::RecordText { path: path.clone(), message: e.to_string() })?;
        doc.upgrade();
        let new_text = keep_line_endings(&text, doc.text());
        let migrated = Record::from_toml(&new_text).map_err(|e| Error::Invalid {
            message: format!("{path} does not read back after migration: {}", e.message()),
        })?;
        if migrated.normalized() != record.normalized() {
            return Err(Error::Invalid {
                message: format!("{path} would not say the same after migration; nothing was written"),
            });
        }
        files.push((path, new_text.into_bytes()));
    }
    let paths: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
    let committed = if dry_run || files.is_empty() {
        None
    } else {
        let message = format!(
            "migrate {} record(s) to format {SCHEMA_VERSION}: every decision kept in [[decisions]]\n\nCrs-Action: migrate\n",
            files.len()
        );
        Some(tx.commit(&files, &message, None)?)
    };
    Ok(Migrated { files: paths, committed, recovered: tx.recovered().cloned() })
}
