//! `crs setup`: a clone made ready for a team, so that git merges two people's
//! changes to one record field by field. Two things are needed: the merge driver in
//! the clone's own git configuration (`merge.crs.driver`, which git cannot carry in
//! the repository, so every clone sets it once), and `.gitattributes` in the register
//! naming it for the record files (committed, so every clone shares it). Both are
//! left alone when they are there already; the attributes line is added to a file
//! that has other lines, never replacing them.

use std::path::{Path, PathBuf};

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::history::Committed;
use crate::history::merge_driver::{DRIVER_KEY, configured_driver, has_remote, set_driver};
use crate::ops::transaction::{Transaction, WriteOptions};
use crate::text::shell_quoted;

/// The register's attributes file.
pub const ATTRIBUTES_FILE: &str = ".gitattributes";

/// The line that names crs's merge driver for records (`PROVIDER/service.toml`).
const ATTRIBUTES_LINE: &str = "*/*.toml merge=crs";

/// What a new register's `.gitattributes` holds.
pub fn attributes_text() -> String {
    format!(
        "# Records merge field by field: git runs crs merge-file for them (crs setup).\n{ATTRIBUTES_LINE}\n"
    )
}

/// What setting a clone up did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetUp {
    /// The driver's command, when it was set now (it was missing or different).
    pub driver: Option<String>,
    /// The commit that added the attributes line, when it was missing.
    pub attributes: Option<Committed>,
}

/// Sets the clone holding the register of `ctx` up for merging records.
pub fn setup(ctx: &Ctx, options: &WriteOptions) -> Result<SetUp> {
    setup_in(ctx, &ctx.register_root()?, options)
}

/// Sets the clone holding the register at `root` up for merging records.
pub fn setup_in(ctx: &Ctx, root: &Path, options: &WriteOptions) -> Result<SetUp> {
    let command = driver_command(ctx)?;
    let driver = match configured_driver(root, &ctx.vars)? {
        Some(now) if now == command => None,
        _ => {
            set_driver(root, &command)?;
            Some(command)
        }
    };
    let path = root.join(ATTRIBUTES_FILE);
    let text = match std::fs::read(&path) {
        Ok(bytes) => Some(String::from_utf8(bytes).map_err(|_| Error::Invalid {
            message: format!(
                "{} is not UTF-8 text; save it as UTF-8, then run crs setup again",
                path.display()
            ),
        })?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&path, e)),
    };
    let attributes = match text.as_deref().is_some_and(names_driver) {
        true => None,
        false => {
            let new = match text {
                Some(old) if !old.is_empty() && !old.ends_with('\n') => {
                    format!("{old}\n{}", attributes_text())
                }
                Some(old) => format!("{old}{}", attributes_text()),
                None => attributes_text(),
            };
            let transaction = Transaction::begin_in(ctx, root.to_path_buf(), options)?;
            transaction.require_clean(ATTRIBUTES_FILE)?;
            let message = format!(
                "setup: records merge field by field\n\nGit runs crs merge-file for the records ({ATTRIBUTES_LINE}).\n\nCrs-Action: setup\n"
            );
            Some(transaction.commit(&[(ATTRIBUTES_FILE.to_owned(), new.into_bytes())], &message, None)?)
        }
    };
    Ok(SetUp { driver, attributes })
}

/// The command git runs to merge a record: this crs program, by its full path, so
/// that git finds it whatever the `PATH` of the program running git (an editor's git
/// pane often has another), and never runs another `crs`.
pub(crate) fn driver_command(ctx: &Ctx) -> Result<String> {
    let exe = ctx.exe.as_ref().ok_or_else(|| Error::Invalid {
        message: "the system does not say where this crs program is, so git could not be told how to run it"
            .into(),
    })?;
    Ok(format!("{} merge-file %O %A %B %P", shell_quoted(&exe.to_string_lossy())))
}

/// True when the attributes text names crs's driver for the record files.
fn names_driver(text: &str) -> bool {
    text.lines().any(|line| {
        let mut words = line.split_whitespace();
        words.next() == Some("*/*.toml") && words.any(|w| w == "merge=crs")
    })
}

/// What `crs check` says of a clone that git would merge records in line by line:
/// no merge driver set, one whose program is gone, or no attributes line. `None`
/// when the clone is set up, the register is not in git, or its repository has no
/// remote (nobody else's changes come into it).
pub fn clone_note(ctx: &Ctx, root: &Path) -> Option<String> {
    // A CI job checks a fresh clone and never merges: nothing to say there.
    if ctx.var("CI").is_some_and(|v| v != "false") || !has_remote(root).ok()? {
        return None;
    }
    let driver = configured_driver(root, &ctx.vars).ok()?;
    let attributes = std::fs::read_to_string(root.join(ATTRIBUTES_FILE)).unwrap_or_default();
    let missing = match driver {
        None => format!("{DRIVER_KEY} is not set in this clone"),
        Some(command) if !program_exists(&command) => {
            format!("{DRIVER_KEY} names a program that is not there ({command})")
        }
        Some(_) if !names_driver(&attributes) => {
            format!("{ATTRIBUTES_FILE} does not name it for the records")
        }
        Some(_) => return None,
    };
    Some(format!(
        "git merges records line by line in this clone ({missing}); run crs setup, so that two people's changes to one record merge field by field"
    ))
}

/// Whether the program a driver command starts with is there, for a command that
/// names it by its path (one named by `PATH` is taken on trust).
fn program_exists(command: &str) -> bool {
    // The first word, as a POSIX shell reads quotes and backslashes.
    let (mut program, mut quoted, mut chars) = (String::new(), false, command.trim_start().chars());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (_, '\'') => quoted = !quoted,
            (false, '\\') => program.extend(chars.next()),
            (false, ' ' | '\t') => break,
            (_, c) => program.push(c),
        }
    }
    !program.contains('/') || PathBuf::from(program).is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attributes_line_is_found_among_others() {
        assert!(names_driver("*.xlsx binary\n*/*.toml   merge=crs diff\n"));
        assert!(!names_driver("*.toml merge=crs\n"));
        assert!(names_driver(&attributes_text()));
    }

    #[test]
    fn a_driver_named_by_its_path_is_looked_for() {
        assert!(!program_exists("'/no/such/crs' merge-file %O %A %B %P"));
        assert!(program_exists("crs merge-file %O %A %B %P"));
        assert!(program_exists("'/bin/sh' merge-file"));
        assert!(!program_exists(r"'/no/it'\''s crs' merge-file"));
        assert!(program_exists(r"/bin/s\h merge-file"));
    }
}
