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
use crate::model::fields::changes;
use crate::model::status::derive_status;
use crate::model::{Record, RecordId};
use crate::orgs::known_orgs;
use crate::orgs::rules::check_orgs;
use crate::register::DiskSource;
use crate::register::config::{Config, read_config};
use crate::register::edit::RecordDoc;
use crate::register::load::{place, toml_error_hit, unreadable_text};
use crate::register::source::{MAX_FILE_BYTES, plain_file};

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

/// Whether the change creates the record or changes an existing one (which may be
/// unreadable only when the change replaces it whole, as `crs edit` does).
pub enum Target {
    Existing { broken_ok: bool },
    New,
}

/// Existing records, as most commands change them.
pub const EXISTING: Target = Target::Existing { broken_ok: false };

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
    let existing = plain_file(&root, &path, MAX_FILE_BYTES)?;
    writer.require_clean(&path)?;

    let (text, record, mut doc) = match (&target, existing) {
        (Target::Existing { .. }, None) => return Err(Error::NoSuchRecord { id: id.to_string(), path }),
        (Target::New, Some(_)) => return Err(Error::RecordExists { id: id.to_string(), path }),
        (Target::New, None) => (String::new(), None, None),
        (Target::Existing { broken_ok }, Some(full)) => {
            let text = std::fs::read_to_string(&full).map_err(|e| Error::io(&full, e))?;
            let parsed = match unreadable_text(&text) {
                Some(problem) => Err(problem.message),
                None => Record::from_toml(&text).map_err(|e| toml_error_hit(&text, &e).message),
            };
            match parsed {
                Ok(record) => {
                    let doc = RecordDoc::parse(&text)
                        .map_err(|e| Error::Invalid { message: format!("{path}: {e}") })?;
                    (text, Some(record), Some(doc))
                }
                // crs edit is how a broken record is mended.
                Err(_) if *broken_ok => (text, None, None),
                Err(message) => {
                    return Err(Error::NotAllowed {
                        message: format!("{path} is not a valid record: {message}"),
                        hint: format!("mend it with crs edit {id} (crs check says what is wrong)"),
                    });
                }
            }
        }
    };
    let prepared = Prepared { record: record.as_ref(), config: &config, identity: &identity };
    let detail = change(&prepared, &mut doc)?;
    let doc = doc.ok_or_else(|| Error::Invalid { message: format!("{action} made no record") })?;

    let new_text = keep_line_endings(&text, doc.text());
    if new_text.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::NotAllowed {
            message: format!(
                "{path} would grow to {} bytes, over the 1 MiB a record may take",
                new_text.len()
            ),
            hint: "shorten the notes or rationale, or keep long evidence in a document the record names"
                .to_owned(),
        });
    }
    if let Some(lost) = lost_field(action, &text, &new_text) {
        return Err(Error::NotAllowed {
            message: format!("{action} would drop {lost} from {path}, which it must not change"),
            hint: format!("change that field with crs edit {id}"),
        });
    }
    let new_record = doc.record().map_err(|e| Error::Invalid {
        message: format!("the changed record does not read back: {}", toml_error_hit(&new_text, &e).message),
    })?;
    let framework = &config.framework;
    // The whole record, as crs check would see it: organisation codes and the
    // duplicate check included.
    let known = known_orgs(&DiskSource::new(&root), &root, &config.settings.orgs.files)?;
    let orgs = known.as_ref().map(|k| &k.index).filter(|index| !index.is_empty());
    // Other records are read only when this change could make a duplicate.
    let renamed = record.as_ref().is_none_or(|r| r.service.name != new_record.service.name);
    let hits_of = |r: &Record| {
        let mut hits = check_record(r, id, framework, ctx.today);
        hits.extend(orgs.map(|index| check_orgs(r, index, ctx.today)).unwrap_or_default());
        if renamed {
            hits.extend(duplicate_of(&root, id, r));
        }
        hits
    };
    let before: BTreeSet<(String, String)> = record
        .as_ref()
        .map(|r| hits_of(r).into_iter().map(|h| (h.rule.name().to_owned(), h.message)).collect())
        .unwrap_or_default();
    let after: Vec<Hit> = hits_of(&new_record);
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
    if let Some(warning) = &committed.index_warning {
        io.status(&format!("  {}: {warning}", io.style.warning("warning")))?;
    }
    for f in findings.iter().filter(|f| f.severity == Severity::Warning) {
        let line = format!("  {}[{}]: {}", io.style.warning("warning"), f.rule, f.message);
        io.status(&line)?;
    }
    Ok(0)
}

/// The first field of `old` that `new` no longer has, unless `action` is one that
/// replaces it: a safety net under every in-place edit.
fn lost_field(action: &str, old: &str, new: &str) -> Option<String> {
    let replaces: &[&str] = match action {
        "edit" => return None,
        "assess" => &["stages."],
        "designate" | "decline" | "remove" => &["decision.", "review."],
        _ => &[],
    };
    changes(old, new)
        .into_iter()
        .find(|c| c.new.is_none() && !replaces.iter().any(|p| c.field.starts_with(p)))
        .map(|c| c.field)
}

/// `text` with the byte-order mark and CRLF line endings of `original`, if it had them.
pub fn keep_line_endings(original: &str, text: String) -> String {
    let text =
        if original.contains("\r\n") { text.replace("\r\n", "\n").replace('\n', "\r\n") } else { text };
    match original.starts_with('\u{feff}') && !text.starts_with('\u{feff}') {
        true => format!("\u{feff}{text}"),
        false => text,
    }
}

/// The structured commit message of a change.
pub fn commit_message(action: &str, id: &RecordId, detail: &str, status: &str) -> String {
    // One line, whatever the record's text holds, so no one can forge a trailer.
    let detail: String = detail.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    format!("{action} {id}: {detail}\n\nCrs-Record: {id}\nCrs-Action: {action}\nCrs-Status: {status}\n")
}

fn on_branch(committed: &Committed) -> String {
    committed.branch.as_ref().map(|b| format!(" on {b}")).unwrap_or_default()
}

/// A `duplicate-service` hit when another record of the same provider has the same
/// service name. Reads only plain record files, following no links.
fn duplicate_of(root: &std::path::Path, id: &RecordId, record: &Record) -> Option<Hit> {
    let key = ServiceKey::of(record);
    let mut names: Vec<String> = std::fs::read_dir(root.join(id.provider()))
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    names.into_iter().find_map(|name| {
        let other_id: RecordId = format!("{}/{name}", id.provider()).parse().ok()?;
        if &other_id == id {
            return None;
        }
        let full = plain_file(root, &other_id.relative_path_string(), MAX_FILE_BYTES).ok()??;
        let other = Record::from_toml(&std::fs::read_to_string(full).ok()?).ok()?;
        (ServiceKey::of(&other) == key).then(|| {
            Hit::new(
                crate::framework::Rule::DuplicateService,
                "service.name",
                format!(
                    "{other_id} is already a record of provider {} for '{}'; change that record instead",
                    id.provider(),
                    record.service.name
                ),
            )
        })
    })
}
