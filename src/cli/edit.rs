//! `crs edit`: change a record in `$EDITOR`. On save it is validated; with errors the
//! editor opens again with the findings as comments at the top, until the record is
//! valid (then it is committed) or left unchanged (then nothing is written).

use clap_complete::engine::ArgValueCandidates;

use crate::cli::complete;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::cli::Io;
use crate::cli::common::{WriteArgs, render_changed, render_recovered};
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::Severity;
use crate::history::leftovers::EditFolder;
use crate::model::fields::changes;
use crate::model::{Record, RecordId};
use crate::ops::change::{Action, Target, change_record};
use crate::ops::checker::{Checker, working_orgs};
use crate::register::edit::RecordDoc;
use crate::register::load::toml_error_hit;
use crate::register::source::{MAX_FILE_BYTES, plain_file};
use crate::register::{DiskSource, read_config};

/// Lines crs adds above the record to explain what is wrong; removed before saving.
const NOTE_PREFIX: &str = "# crs: ";

/// Edit a record in your editor ($VISUAL or $EDITOR); commit it once it is valid
///
/// Examples:
///   crs edit RJ1/maternity
///   EDITOR="code --wait" crs edit RJ1/maternity
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct EditArgs {
    /// The record id, e.g. RJ1/maternity.
    #[arg(add = ArgValueCandidates::new(complete::record_ids))]
    pub id: RecordId,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// How an editing session ended.
enum Edited {
    Valid(String),
    Unchanged,
    /// Left with errors: the problems, and the text as last saved.
    Abandoned(Vec<String>, String),
}

pub fn run(ctx: &Ctx, args: &EditArgs, io: &mut Io<'_>) -> Result<u8> {
    let root = ctx.register_root()?;
    let config = read_config(&DiskSource::new(&root), &root)?;
    let path = args.id.relative_path_string();
    let full = plain_file(&root, &path, MAX_FILE_BYTES)?
        .ok_or_else(|| Error::NoSuchRecord { id: args.id.to_string(), path: path.clone() })?;
    let original = std::fs::read_to_string(&full).map_err(|e| Error::io(&full, e))?;
    // Refuse early, before the user spends time in the editor. Opening the write
    // first finishes or undoes an interrupted earlier one, which is said as every
    // command that writes says it.
    {
        let tx = crate::ops::transaction::Transaction::begin(ctx, &args.write.options())?;
        if let Some(recovered) = tx.recovered() {
            render_recovered(io, recovered)?;
        }
        tx.require_clean(&path)?;
    }

    // The same checker as every write and crs check: nothing the editor accepts is
    // refused at the commit.
    let known = working_orgs(&root, &config)?;
    let checker = Checker::new(&config.framework, ctx.today, known.as_ref());
    let edited = edit_until_valid(ctx, &root, &args.id, &original, &checker, io)?;
    let text = match edited {
        Edited::Unchanged => {
            io.status(&format!("{}: no change; nothing written", args.id))?;
            return Ok(0);
        }
        Edited::Abandoned(problems, text) => {
            io.status(&format!("{}: left with errors unchanged; nothing written", args.id))?;
            for p in problems {
                io.status(&format!("  {p}"))?;
            }
            keep_edited(io, &args.id, text.as_bytes())?;
            return Ok(1);
        }
        Edited::Valid(text) => text,
    };
    let fields: Vec<String> = changes(&original, &text).into_iter().map(|c| c.field).collect();
    let result = change_record(
        ctx,
        &args.write.options(),
        &args.id,
        Action::Edit,
        Target::Existing { broken_ok: true },
        |_, doc| {
            let current = std::fs::read_to_string(&full).map_err(|e| Error::io(&full, e))?;
            if current != original {
                return Err(Error::Invalid {
                    message: format!(
                        "{path} changed while it was being edited; run crs edit {} again",
                        args.id
                    ),
                });
            }
            *doc = Some(RecordDoc::parse(&text).map_err(|e| Error::Invalid { message: e.to_string() })?);
            Ok(if fields.is_empty() { "layout and comments".to_owned() } else { fields.join(", ") })
        },
    );
    let result = result.and_then(|changed| render_changed(io, &changed).map(|()| 0));
    if result.is_err() {
        // Whatever stopped the commit, the user's typing is not thrown away.
        keep_edited(io, &args.id, text.as_bytes())?;
    }
    result
}

/// Keeps `bytes`, the user's edited record, in a file of the system's temporary
/// folder that crs never deletes, and says where.
fn keep_edited(io: &mut Io<'_>, id: &RecordId, bytes: &[u8]) -> Result<()> {
    let kept = tempfile::Builder::new()
        .prefix(&format!("crs-edit-{}-{}-", id.provider(), id.slug()))
        .suffix(".toml")
        .tempfile()
        .and_then(|f| f.keep().map_err(|e| e.error));
    if let Ok((mut file, kept_path)) = kept {
        use std::io::Write as _;
        if file.write_all(bytes).is_ok() {
            io.status(&format!("your edited record is kept in {}", kept_path.display()))?;
        }
    }
    Ok(())
}

fn edit_until_valid(
    ctx: &Ctx,
    root: &Path,
    id: &RecordId,
    original: &str,
    checker: &Checker<'_>,
    io: &mut Io<'_>,
) -> Result<Edited> {
    // In crs's folder of the git folder, where git add never sees it and the next
    // write deletes it if this crs edit is killed.
    let dir = EditFolder::for_register(root)?;
    let file = dir.path().join(format!("{}-{}.toml", id.provider(), id.slug()));
    let before = problems(root, original, id, checker).into_iter().collect::<BTreeSet<_>>();
    let mut shown = original.to_owned();
    let mut notes: Vec<String> = Vec::new();
    loop {
        let header: String = notes.iter().map(|n| format!("{NOTE_PREFIX}{n}\n")).collect();
        let written = format!("{header}{shown}");
        std::fs::write(&file, &written).map_err(|e| Error::io(&file, e))?;
        if let Err(error) = run_editor(ctx, &file) {
            // The editor failed after the user may have typed and saved: their text
            // is kept before the folder goes.
            if let Ok(saved) = std::fs::read(&file)
                && saved != written.as_bytes()
            {
                keep_edited(io, id, &saved)?;
            }
            return Err(error);
        }
        let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
        let (saved, not_utf8) = as_text(bytes);
        let text = without_notes(&saved);
        if text == original {
            return Ok(Edited::Unchanged);
        }
        if text == shown {
            return Ok(Edited::Abandoned(notes, text));
        }
        let mut new_problems: Vec<String> = not_utf8.into_iter().collect();
        new_problems.extend(replaced_lines(original, &text));
        new_problems.extend(problems(root, &text, id, checker).into_iter().filter(|p| !before.contains(p)));
        if new_problems.is_empty() {
            return Ok(Edited::Valid(text));
        }
        notes = new_problems;
        notes.push("fix the lines above and save, or save without changes to give up".to_owned());
        shown = text;
    }
}

/// The saved file as text and, when it is not UTF-8 (an editor that saved it as
/// Windows-1252), the problem in a line: such bytes are shown as U+FFFD, so the
/// rest of the user's text is kept and can be saved again.
fn as_text(bytes: Vec<u8>) -> (String, Option<String>) {
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
fn replaced_lines(original: &str, text: &str) -> Vec<String> {
    if original.contains('\u{fffd}') {
        return Vec::new();
    }
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.contains('\u{fffd}'))
        .map(|(n, _)| {
            format!(
                "error[not-utf-8] line {}: \u{fffd} stands where the file had a byte that is not UTF-8; type the character meant again (such as £) and save the file as UTF-8",
                n + 1
            )
        })
        .collect()
}

/// `saved` without the block of notes crs put at its top (and nothing else).
fn without_notes(saved: &str) -> String {
    saved.split_inclusive('\n').skip_while(|l| l.starts_with(NOTE_PREFIX)).collect()
}

/// The error-level problems of `text` as one line each, as the commit would find them.
fn problems(root: &Path, text: &str, id: &RecordId, checker: &Checker<'_>) -> Vec<String> {
    let record = match Record::from_toml(text) {
        Ok(record) => record,
        Err(e) => {
            let hit = toml_error_hit(text, &e);
            let line = e.span().map(|s| crate::register::locate::line_column(text, s.start).0);
            return vec![format!(
                "error[{}]{}: {}",
                hit.rule,
                line.map(|l| format!(" line {l}")).unwrap_or_default(),
                hit.message
            )];
        }
    };
    checker
        .check_one(root, id, &record, text, true)
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("error[{}]: {}", f.rule, f.message))
        .collect()
}

fn run_editor(ctx: &Ctx, file: &Path) -> Result<()> {
    let editor = ctx.var("VISUAL").or_else(|| ctx.var("EDITOR")).unwrap_or("vi");
    // Through the shell, so that EDITOR="code --wait" works as it does for git.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("crs-edit")
        .arg(file)
        .status()
        .map_err(|e| Error::io("sh", e))?;
    if !status.success() {
        return Err(Error::Invalid {
            message: format!("the editor ({editor}) exited with {status}; nothing written"),
        });
    }
    Ok(())
}
