//! The one path every change to a record takes: load → change in memory → validate
//! the whole record → write atomically → commit only that file with a structured
//! message → say what happened. A change that would add an error is refused and
//! nothing is written.

use std::collections::BTreeSet;

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::finding::{Finding, Hit, Severity};
use crate::framework::register_rules::ServiceKey;
use crate::framework::rules::check_record;
use crate::history::identity::{self, Identity};
use crate::history::{Committed, Writer};
use crate::model::status::derive_status;
use crate::model::{Record, RecordId};
use crate::register::DiskSource;
use crate::register::config::{Config, read_config};
use crate::register::edit::RecordDoc;
use crate::register::load::{place, toml_error_hit, unreadable_text};

/// Flags every command that writes takes.
#[derive(Debug, Clone, clap::Args)]
pub struct WriteArgs {
    /// Record the change as this author, "Name <email>" (default: your git identity).
    #[arg(long, value_name = "NAME <EMAIL>")]
    pub author: Option<String>,
    /// Commit even when HEAD is detached (the commit then belongs to no branch).
    #[arg(long)]
    pub allow_detached: bool,
}

/// What a change is given to work with.
pub struct Prepared<'a> {
    /// The record as it is now; `None` for a new record.
    pub record: Option<&'a Record>,
    pub config: &'a Config,
    pub identity: &'a Identity,
}

/// Whether the change creates the record or changes an existing one.
pub enum Target {
    Existing,
    New,
}

/// Runs one change of `id` through the write path. `change` edits the document and
/// returns the detail for the commit subject, or refuses.
pub fn change_record(
    ctx: &Ctx,
    io: &mut Io<'_>,
    write: &WriteArgs,
    id: &RecordId,
    action: &str,
    target: Target,
    change: impl FnOnce(&Prepared<'_>, &mut Option<RecordDoc>) -> Result<String>,
) -> Result<u8> {
    let root = ctx.register_root()?;
    let config = read_config(&DiskSource::new(&root), &root)?;
    let writer = Writer::open(&root, write.allow_detached)?;
    let identity = identity::resolve(writer.repo(), &ctx.vars, write.author.as_deref(), ctx.now)?;
    let path = id.relative_path_string();
    let full = root.join(&path);

    let (text, record, mut doc) = match target {
        Target::Existing => {
            if !full.is_file() {
                return Err(Error::NoSuchRecord { id: id.to_string(), path });
            }
            writer.require_clean(&path)?;
            let text = std::fs::read_to_string(&full).map_err(|e| Error::io(&full, e))?;
            if let Some(problem) = unreadable_text(&text) {
                return Err(Error::Invalid { message: format!("{path}: {}", problem.message) });
            }
            let record = Record::from_toml(&text).map_err(|e| Error::Invalid {
                message: format!(
                    "{path} is not a valid record ({}); run crs check, then fix it with crs edit {id}",
                    toml_error_hit(&text, &e).message
                ),
            })?;
            let doc =
                RecordDoc::parse(&text).map_err(|e| Error::Invalid { message: format!("{path}: {e}") })?;
            (text, Some(record), Some(doc))
        }
        Target::New => {
            if full.exists() {
                return Err(Error::RecordExists { id: id.to_string(), path });
            }
            (String::new(), None, None)
        }
    };
    let prepared = Prepared { record: record.as_ref(), config: &config, identity: &identity };
    let detail = change(&prepared, &mut doc)?;
    let doc = doc.ok_or_else(|| Error::Invalid { message: format!("{action} made no record") })?;

    let new_text = doc.text();
    let new_record = doc.record().map_err(|e| Error::Invalid {
        message: format!("the changed record does not read back: {}", toml_error_hit(&new_text, &e).message),
    })?;
    let framework = &config.framework;
    let before: BTreeSet<(String, String)> = record
        .as_ref()
        .map(|r| {
            check_record(r, id, framework, ctx.today)
                .into_iter()
                .map(|h| (h.rule.name().to_owned(), h.message))
                .collect()
        })
        .unwrap_or_default();
    let mut after: Vec<Hit> = check_record(&new_record, id, framework, ctx.today);
    if matches!(target, Target::New) {
        after.extend(duplicate_of(&root, id, &new_record));
    }
    let findings: Vec<Finding> =
        after.into_iter().filter_map(|h| place(h, &path, Some(id), &new_text, framework)).collect();
    let new_errors: Vec<Finding> = findings
        .iter()
        .filter(|f| {
            f.severity == Severity::Error && !before.contains(&(f.rule.name().to_owned(), f.message.clone()))
        })
        .cloned()
        .collect();
    if !new_errors.is_empty() {
        return Err(Error::Refused { action: action.to_owned(), id: id.to_string(), findings: new_errors });
    }
    if new_text == text {
        io.status(&format!("{id}: nothing changed"))?;
        return Ok(0);
    }

    let status = derive_status(&new_record);
    let message = commit_message(action, id, &detail, status.as_str());
    let committed: Committed =
        writer.commit(&[(path.clone(), new_text.into_bytes())], &message, &identity)?;
    io.status(&format!("{action} {id}: {detail}"))?;
    io.status(&format!("  status {status}; commit {}{}", committed.short(), on_branch(&committed)))?;
    for f in findings.iter().filter(|f| f.severity == Severity::Warning) {
        let line = format!("  {}[{}]: {}", io.style.warning("warning"), f.rule, f.message);
        io.status(&line)?;
    }
    Ok(0)
}

/// The structured commit message of a change.
pub fn commit_message(action: &str, id: &RecordId, detail: &str, status: &str) -> String {
    format!("{action} {id}: {detail}\n\nCrs-Record: {id}\nCrs-Action: {action}\nCrs-Status: {status}\n")
}

fn on_branch(committed: &Committed) -> String {
    committed.branch.as_ref().map(|b| format!(" on {b}")).unwrap_or_default()
}

/// A `duplicate-service` hit when another record of the same provider has the same
/// service name.
fn duplicate_of(root: &std::path::Path, id: &RecordId, record: &Record) -> Option<Hit> {
    let key = ServiceKey::of(record);
    let folder = root.join(id.provider());
    let mut files: Vec<_> =
        std::fs::read_dir(folder).ok()?.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    files.into_iter().filter(|p| p.extension().is_some_and(|e| e == "toml")).find_map(|p| {
        let other = Record::from_toml(&std::fs::read_to_string(&p).ok()?).ok()?;
        (ServiceKey::of(&other) == key).then(|| {
            let other_id = format!("{}/{}", id.provider(), p.file_stem()?.to_string_lossy());
            Some(Hit::new(
                crate::framework::Rule::DuplicateService,
                "service.name",
                format!(
                    "{other_id} is already a record of provider {} for '{}'; change that record instead",
                    id.provider(),
                    record.service.name
                ),
            ))
        })?
    })
}
