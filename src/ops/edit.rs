//! `crs edit`'s use case: the record read and the write opened before the editor
//! starts (an interrupted write mended, a record with uncommitted changes refused),
//! each saved text judged by the one checker as the commit would judge it, and the
//! valid text committed over the record, unless the file changed meanwhile. Running
//! the editor and talking to the user are the command's.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::Severity;
use crate::history::leftovers::EditFolder;
use crate::model::fields::changes;
use crate::model::{Date, Record, RecordId};
use crate::ops::Recovered;
use crate::ops::change::{Action, Changed, Target, change_record};
use crate::ops::checker::{Checker, working_orgs};
use crate::ops::transaction::{Transaction, WriteOptions};
use crate::orgs::KnownOrgs;
use crate::register::edit::RecordDoc;
use crate::register::load::toml_error_hit;
use crate::register::locate::line_column;
use crate::register::source::{MAX_FILE_BYTES, plain_file};
use crate::register::{Config, DiskSource, read_config};

/// A record opened for editing.
pub(crate) struct Editing {
    pub(crate) id: RecordId,
    /// The record's text as it was when the editing began.
    pub(crate) original: String,
    /// An interrupted earlier write that opening the write finished or undid.
    pub(crate) recovered: Option<Recovered>,
    root: PathBuf,
    config: Config,
    path: String,
    full: PathBuf,
}

/// Opens `id` for editing, refusing early, before the user spends time in the
/// editor: a record that does not exist, or one with uncommitted changes. Opening
/// the write first finishes or undoes an interrupted earlier one.
pub(crate) fn begin(ctx: &Ctx, id: &RecordId, options: &WriteOptions) -> Result<Editing> {
    let root = ctx.register_root()?;
    let config = read_config(&DiskSource::new(&root), &root)?;
    let path = id.relative_path_string();
    let full = plain_file(&root, &path, MAX_FILE_BYTES)?
        .ok_or_else(|| Error::NoSuchRecord { id: id.to_string(), path: path.clone() })?;
    let original = std::fs::read_to_string(&full).map_err(|e| Error::io(&full, e))?;
    let tx = Transaction::begin(ctx, options)?;
    let recovered = tx.recovered().cloned();
    tx.require_clean(&path)?;
    Ok(Editing { id: id.clone(), original, recovered, root, config, path, full })
}

impl Editing {
    /// What judges the saved texts: the same checker as every write and crs check,
    /// so nothing the editor accepts is refused at the commit.
    pub(crate) fn judge(&self, ctx: &Ctx) -> Result<Judge<'_>> {
        let known = working_orgs(&self.root, &self.config)?;
        let mut judge = Judge { editing: self, today: ctx.today, known, before: BTreeSet::new() };
        judge.before = judge.problems(&self.original).iter().map(|p| p.told(0)).collect();
        Ok(judge)
    }

    /// A folder for the text being edited, in crs's folder of the git folder, where
    /// git add never sees it and the next write deletes it if crs edit is killed.
    pub(crate) fn scratch(&self) -> Result<EditFolder> {
        EditFolder::for_register(&self.root)
    }

    /// Commits `text`, judged valid, over the record, unless the file changed
    /// while it was being edited.
    pub(crate) fn commit(&self, ctx: &Ctx, options: &WriteOptions, text: &str) -> Result<Changed> {
        let fields: Vec<String> = changes(&self.original, text).into_iter().map(|c| c.field).collect();
        let broken_ok = Target::Existing { broken_ok: true };
        change_record(ctx, options, &self.id, Action::Edit, broken_ok, |_, doc| {
            let current = std::fs::read_to_string(&self.full).map_err(|e| Error::io(&self.full, e))?;
            if current != self.original {
                return Err(Error::Invalid {
                    message: format!(
                        "{} changed while it was being edited; run crs edit {} again",
                        self.path, self.id
                    ),
                });
            }
            *doc = Some(RecordDoc::parse(text).map_err(|e| Error::Invalid { message: e.to_string() })?);
            Ok(if fields.is_empty() { "layout and comments".to_owned() } else { fields.join(", ") })
        })
    }
}

/// The one checker over an edited record, and the problems the record had before.
pub(crate) struct Judge<'a> {
    editing: &'a Editing,
    today: Date,
    known: Option<KnownOrgs>,
    before: BTreeSet<String>,
}

impl Judge<'_> {
    /// The problems of `text` that the record did not have before, one line each:
    /// characters lost to a byte that was not UTF-8, then errors the commit would find.
    pub(crate) fn new_problems(&self, text: &str) -> Vec<Problem> {
        let mut found = replaced_lines(&self.editing.original, text);
        found.extend(self.problems(text).into_iter().filter(|p| !self.before.contains(&p.told(0))));
        found
    }

    /// The error-level problems of `text` as one line each, as the commit would find them.
    fn problems(&self, text: &str) -> Vec<Problem> {
        let (root, id) = (&self.editing.root, &self.editing.id);
        let record = match Record::from_toml(text) {
            Ok(record) => record,
            Err(e) => {
                let hit = toml_error_hit(text, &e);
                let line = e.span().map(|s| line_column(text, s.start).0);
                return vec![Problem { rule: hit.rule.to_string(), line, message: hit.message }];
            }
        };
        let checker = Checker::new(&self.editing.config.framework, self.today, self.known.as_ref());
        checker
            .check_one(root, id, &record, text, true)
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| Problem { rule: f.rule.to_string(), line: None, message: f.message })
            .collect()
    }
}

/// A problem of a saved text: its rule, the line of the record it is on (where one
/// is known), and what is wrong.
pub(crate) struct Problem {
    rule: String,
    line: Option<usize>,
    message: String,
}

impl Problem {
    /// The problem in one line, its line number counted `above` lines further down:
    /// the lines of notes shown above the record.
    pub(crate) fn told(&self, above: usize) -> String {
        let line = self.line.map(|l| format!(" line {}", l + above)).unwrap_or_default();
        format!("error[{}]{line}: {}", self.rule, self.message)
    }
}

/// The saved file as text and, when it is not UTF-8 (an editor that saved it as
/// Windows-1252), the problem in a line: such bytes are shown as U+FFFD, so the
/// rest of the user's text is kept and can be saved again.
pub(crate) fn as_text(bytes: Vec<u8>) -> (String, Option<String>) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let problem = format!(
                "error[not-utf-8]: the file was saved with bytes that are not UTF-8 (the first is 0x{:02X}: an editor saving in another encoding, such as Windows-1252); each is shown as \u{fffd}",
                bytes[at]
            );
            (String::from_utf8_lossy(&bytes).into_owned(), Some(problem))
        }
    }
}

/// A problem for each line of `text` holding U+FFFD, the mark of a byte that was
/// not UTF-8, that `original` does not: the character meant must be typed again.
fn replaced_lines(original: &str, text: &str) -> Vec<Problem> {
    if original.contains('\u{fffd}') {
        return Vec::new();
    }
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.contains('\u{fffd}'))
        .map(|(n, _)| Problem {
            rule: "not-utf-8".to_owned(),
            line: Some(n + 1),
            message: "\u{fffd} stands where the file had a byte that is not UTF-8; type the character meant again (such as £) and save the file as UTF-8".to_owned(),
        })
        .collect()
}
