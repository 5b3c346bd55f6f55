//! The change of one record, as every command that edits a record makes it: read the
//! record, change it in memory (comments and layout kept), judge the whole record by
//! the one checker, and commit only that file in one transaction. A change that
//! would add an error is refused and nothing is written.

use std::collections::BTreeSet;

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::finding::{Finding, Severity};
use crate::history::{Committed, Identity, Recovered};
use crate::model::fields::changes;
use crate::model::record::{DecisionOutcome, EventKind};
use crate::model::status::{Status, derive_status};
use crate::model::{Record, RecordId};
use crate::ops::transaction::{Transaction, WriteOptions};
use crate::register::config::Config;
use crate::register::edit::RecordDoc;
use crate::register::load::{toml_error_hit, unreadable_text};
use crate::register::source::{MAX_FILE_BYTES, plain_file};

/// What a change of a record is, as its commit names it (`Crs-Action`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    New,
    Assess,
    Designate,
    Decline,
    Remove,
    ReviewStart,
    ReviewComplete,
    ReviewDecline,
    Event,
    Edit,
}

impl Action {
    /// The name in commit messages and the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::New => "new",
            Action::Assess => "assess",
            Action::Designate => "designate",
            Action::Decline => "decline",
            Action::Remove => "remove",
            Action::ReviewStart => "review-start",
            Action::ReviewComplete => "review-complete",
            Action::ReviewDecline => "review-decline",
            Action::Event => "event",
            Action::Edit => "edit",
        }
    }

    /// The fields this action may take out of a record; any other field lost is a
    /// bug caught before writing. `None`: any (an edit replaces the record whole).
    fn may_drop(self) -> Option<&'static [&'static str]> {
        match self {
            Action::Edit => None,
            Action::Assess => Some(&["stages."]),
            // A decision upgrades a version 1 record: its [decision] becomes the first
            // of [[decisions]]; a removal ends the review date.
            Action::Designate | Action::Decline | Action::Remove | Action::ReviewComplete => {
                Some(&["decision.", "review."])
            }
            Action::New | Action::Event | Action::ReviewStart | Action::ReviewDecline => Some(&[]),
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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

/// What a change did.
pub struct Changed {
    pub id: RecordId,
    pub action: Action,
    /// The detail of the commit subject: "stage 1 … met", "providers-notified on …".
    pub detail: String,
    pub status: Status,
    /// `None` when the change left the record as it was: nothing was committed.
    pub committed: Option<Committed>,
    /// Warnings the record has after the change.
    pub warnings: Vec<Finding>,
    /// The next step of the record's life, in a sentence with its command.
    pub next: Option<String>,
    /// An interrupted earlier write that this one finished or undid first.
    pub recovered: Option<Recovered>,
}

/// Runs one change of `id` through the transaction. `change` edits the document and
/// returns the detail for the commit subject, or refuses.
pub fn change_record(
    ctx: &Ctx,
    options: &WriteOptions,
    id: &RecordId,
    action: Action,
    target: Target,
    change: impl FnOnce(&Prepared<'_>, &mut Option<RecordDoc>) -> Result<String>,
) -> Result<Changed> {
    let tx = Transaction::begin(ctx, options)?;
    let recovered = tx.recovered().cloned();
    let root = &tx.root;
    let path = id.relative_path_string();
    let existing = plain_file(root, &path, MAX_FILE_BYTES)?;
    tx.require_clean(&path)?;

    let (text, record, mut doc) = match (&target, existing) {
        (Target::Existing { .. }, None) => return Err(Error::NoSuchRecord { id: id.to_string(), path }),
        (Target::New, Some(_)) => return Err(Error::RecordExists { id: id.to_string(), path }),
        (Target::New, None) => (String::new(), None, None),
        (Target::Existing { broken_ok }, Some(full)) => {
            let text = std::fs::read_to_string(&full).map_err(|e| Error::io(&full, e))?;
            match parse(&text) {
                Ok(record) => {
                    let doc = RecordDoc::parse(&text)
                        .map_err(|e| Error::RecordText { path: path.clone(), message: e.to_string() })?;
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
    let prepared = Prepared { record: record.as_ref(), config: &tx.config, identity: &tx.identity };
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
    // The whole record, as crs check would see it; other records are read only when
    // this change could make a duplicate of one.
    let known = tx.orgs()?;
    let checker = tx.checker(ctx, known.as_ref());
    let renamed = record.as_ref().is_none_or(|r| r.service.name != new_record.service.name);
    let before: BTreeSet<(String, String)> = record
        .as_ref()
        .map(|r| {
            checker
                .check_one(root, id, r, &text, renamed)
                .into_iter()
                .map(|f| (f.rule.name().to_owned(), f.message))
                .collect()
        })
        .unwrap_or_default();
    let findings = checker.check_one(root, id, &new_record, &new_text, renamed);
    let is_new_error = |f: &Finding| {
        f.severity == Severity::Error && !before.contains(&(f.rule.name().to_owned(), f.message.clone()))
    };
    let new_errors: Vec<Finding> = findings.iter().filter(|f| is_new_error(f)).cloned().collect();
    if !new_errors.is_empty() {
        return Err(Error::Refused { action: action.to_string(), id: id.to_string(), findings: new_errors });
    }
    let status = derive_status(&new_record);
    let warnings: Vec<Finding> = findings.into_iter().filter(|f| f.severity == Severity::Warning).collect();
    let committed = if new_text == text {
        None
    } else {
        let message = commit_message(action.as_str(), id, &detail, status.as_str());
        Some(tx.commit(&[(path, new_text.into_bytes())], &message, None)?)
    };
    let assessed = tx.config.framework.stages.iter().all(|s| new_record.stage(&s.key).is_some());
    let next = next_step(id, &new_record, status, assessed);
    Ok(Changed { id: id.clone(), action, detail, status, committed, warnings, next, recovered })
}

/// The record in `text`, or why it is not one.
pub(crate) fn parse(text: &str) -> std::result::Result<Record, String> {
    match unreadable_text(text) {
        Some(problem) => Err(problem.message),
        None => Record::from_toml(text).map_err(|e| toml_error_hit(text, &e).message),
    }
}

/// The first field of `old` that `new` no longer has, unless `action` is one that
/// replaces it: a safety net under every in-place edit.
fn lost_field(action: Action, old: &str, new: &str) -> Option<String> {
    let replaces = action.may_drop()?;
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

/// What to do next after a change to `record`, of `status`, in a sentence, for the
/// messages of the commands; `assessed`: every stage of the framework is assessed.
/// A draft is told only the steps it has not recorded yet.
pub fn next_step(id: &RecordId, record: &Record, status: Status, assessed: bool) -> Option<String> {
    let outcome = record.outcome();
    Some(match (status, outcome) {
        (Status::Draft, _) => {
            let has = |kinds: &[EventKind]| record.events.iter().any(|e| kinds.contains(&e.kind));
            let mut steps = Vec::new();
            if !has(&[EventKind::ProvidersNotified]) {
                steps.push(format!(
                    "tell the providers and others affected that the work is starting (crs event {id} providers-notified)"
                ));
            }
            if !has(&[EventKind::PublicEngagement, EventKind::InvolvementNotEngaged]) {
                steps.push(format!("involve the public (crs event {id} public-engagement)"));
            }
            if !assessed {
                steps.push(format!("assess the stages (crs assess {id} --stage 1 …)"));
            }
            match (steps.is_empty(), assessed) {
                (true, _) => {
                    format!("every stage is assessed; decide: crs designate {id} or crs decline {id}")
                }
                (false, true) => format!(
                    "every stage is assessed; before deciding, {}; then crs designate {id} or crs decline {id}",
                    steps.join(", ")
                ),
                (false, false) => {
                    format!("{}, then crs designate {id} or crs decline {id}", steps.join(", "))
                }
            }
        }
        (Status::Proposed, _) => {
            format!("send the provider the written request, then crs event {id} written-request-sent")
        }
        (Status::Requested, _) => {
            format!("record the provider's answer: crs event {id} provider-accepted, or provider-refused")
        }
        (Status::Refused, _) => format!(
            "ask the regulator to review the refusal (crs event {id} referred-to-regulator), or accept it with crs decline {id}"
        ),
        (Status::Referred, _) => format!(
            "record the regulator's finding: crs event {id} refusal-found-unreasonable, or refusal-found-reasonable"
        ),
        (Status::Designated | Status::UnderReview, Some(DecisionOutcome::Remove)) => format!(
            "the designation stays in force until the provider is told: crs event {id} provider-notified-of-removal"
        ),
        (Status::UnderReview, _) => format!(
            "the designation stays in force during the review; reassess the stages, then crs review complete {id} --confirm --next-due DATE, or --remove"
        ),
        _ => return None,
    })
}
