//! `crs edit`: change a record in `$EDITOR`. On save it is validated; with errors the
//! editor opens again with the findings as comments at the top, until the record is
//! valid (then it is committed) or left unchanged (then nothing is written).

use std::path::Path;
use std::process::Command;

use clap_complete::engine::ArgValueCandidates;

use crate::cli::Io;
use crate::cli::common::{render_changed, render_recovered};
use crate::cli::complete;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::model::RecordId;
use crate::ops::edit::{Editing, Judge, as_text, begin};
use crate::ops::transaction::WriteOptions;

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
}

/// How an editing session ended.
enum Edited {
    Valid(String),
    Unchanged,
    /// Left with errors: the problems, and the text as last saved.
    Abandoned(Vec<String>, String),
}

pub fn run(ctx: &Ctx, args: &EditArgs, options: &WriteOptions, io: &mut Io<'_>) -> Result<u8> {
    let editing = begin(ctx, &args.id, options)?;
    if let Some(recovered) = &editing.recovered {
        render_recovered(io, recovered)?;
    }
    let judge = editing.judge(ctx)?;
    let text = match edit_until_valid(ctx, &editing, &judge, io)? {
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
    let result = editing.commit(ctx, options, &text);
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

/// Opens the editor on the record until the saved text is valid, unchanged, or
/// saved again as shown (given up); each time with errors, the problems are put
/// above the record as notes.
fn edit_until_valid(ctx: &Ctx, editing: &Editing, judge: &Judge<'_>, io: &mut Io<'_>) -> Result<Edited> {
    let (id, original) = (&editing.id, editing.original.as_str());
    let dir = editing.scratch()?;
    let file = dir.path().join(format!("{}-{}.toml", id.provider(), id.slug()));
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
        let found = judge.new_problems(&text);
        if found.is_empty() && not_utf8.is_none() {
            return Ok(Edited::Valid(text));
        }
        // A line is named as the editor shows it, below the notes.
        let above = usize::from(not_utf8.is_some()) + found.len() + 1;
        notes = not_utf8.into_iter().chain(found.iter().map(|p| p.told(above))).collect();
        notes.push("fix the lines above and save, or save without changes to give up".to_owned());
        shown = text;
    }
}

/// `saved` without the block of notes crs put at its top (and nothing else).
fn without_notes(saved: &str) -> String {
    saved.split_inclusive('\n').skip_while(|l| l.starts_with(NOTE_PREFIX)).collect()
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
