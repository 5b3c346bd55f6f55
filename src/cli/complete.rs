//! Dynamic shell completion: when the shell asks (`COMPLETE=bash crs -- crs event R…`),
//! crs answers with candidates read from the register — record ids, provider codes,
//! the framework's stage names — and the fixed lists of statuses and event kinds,
//! through clap_complete's engine, for bash, zsh, fish, PowerShell and elvish. The
//! registration script a shell sources is what `crs completions SHELL` prints, and
//! also what `COMPLETE=SHELL crs` prints.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap_complete::engine::CompletionCandidate;
use clap_complete::env::Shells;

use crate::context::{Ctx, Process};
use crate::framework::definition::Framework;
use crate::model::{EventKind, ProviderKind, Status};
use crate::ops::open::{working_config, working_record_ids};

/// The variable that names the shell asking for completions.
pub const VAR: &str = "COMPLETE";

/// Answers the shell when `COMPLETE` names one; `None` for an ordinary run.
pub fn from_env(process: &Process, out: &mut dyn Write, err: &mut dyn Write) -> Option<u8> {
    let shell_name = process.vars.get(VAR).filter(|v| !v.is_empty() && *v != "0")?;
    let shells = Shells::builtins();
    let Some(shell) = shells.completer(shell_name) else {
        let _ = writeln!(
            err,
            "error: {VAR}={} names no shell crs completes for (bash, zsh, fish, powershell, elvish)",
            crate::text::printable(shell_name)
        );
        return Some(2);
    };
    let mut args = process.args.clone();
    if args.is_empty() {
        return Some(2);
    }
    let completer = PathBuf::from(args.remove(0));
    let escape = args.iter().position(|a| a == "--").map_or(args.len(), |i| i + 1);
    args.drain(..escape);
    let mut cmd = crate::cli::command();
    cmd.build();
    let mut buf = Vec::new();
    let written = if args.is_empty() {
        let completer =
            if completer.components().count() > 1 { process.cwd.join(completer) } else { completer };
        shell.write_registration(VAR, "crs", "crs", &completer.to_string_lossy(), &mut buf)
    } else if shell.is("bash") {
        complete_bash(process, &mut cmd, args, &mut buf)
    } else {
        shell.write_complete(&mut cmd, args, Some(&process.cwd), &mut buf).map_err(std::io::Error::other)
    };
    match written.and_then(|()| out.write_all(&buf)) {
        Ok(()) => Some(0),
        Err(e) => {
            let _ = writeln!(err, "error: cannot complete: {}", crate::text::printable(&e.to_string()));
            Some(2)
        }
    }
}

/// Completes for bash, which splits a word at `=` (one of its word breaks): the
/// words are joined again for clap's engine, and each candidate is given as the
/// part bash replaces, the text after the `=`, as zsh and fish get `--status=des`.
fn complete_bash(
    process: &Process,
    cmd: &mut clap::Command,
    words: Vec<OsString>,
    buf: &mut Vec<u8>,
) -> std::io::Result<()> {
    let index = process.vars.get("_CLAP_COMPLETE_INDEX").and_then(|i| i.parse().ok()).unwrap_or_default();
    let (words, index, kept) = join_at_equals(words, index);
    let candidates = clap_complete::engine::complete(cmd, words, index, Some(&process.cwd))?;
    let ifs = process.vars.get("_CLAP_IFS").map_or("\n", String::as_str);
    for (i, candidate) in candidates.iter().enumerate() {
        if i != 0 {
            buf.extend_from_slice(ifs.as_bytes());
        }
        let value = candidate.get_value().to_string_lossy();
        buf.extend_from_slice(value.strip_prefix(kept.as_str()).unwrap_or(&value).as_bytes());
    }
    Ok(())
}

/// The words of a command line as bash splits them (`--status`, `=`, `des`), joined
/// as the shell's user typed them (`--status=des`), with the index of the word at
/// `index` among them, and the part of that word before its last `=` piece (what
/// bash leaves in place: `--status=`). Only a `=` after a long flag is joined.
fn join_at_equals(words: Vec<OsString>, index: usize) -> (Vec<OsString>, usize, String) {
    let mut joined: Vec<OsString> = Vec::with_capacity(words.len());
    let (mut new_index, mut kept) = (index, String::new());
    let mut after_equals = false;
    for (i, word) in words.into_iter().enumerate() {
        let long_flag = joined.last().is_some_and(|w| w.len() > 2 && w.to_string_lossy().starts_with("--"));
        let joins = long_flag && (word == "=" || after_equals);
        after_equals = joins && word == "=";
        match joined.last_mut().filter(|_| joins) {
            Some(last) => {
                if i == index {
                    kept = last.to_string_lossy().into_owned();
                }
                last.push(&word);
            }
            None => joined.push(word),
        }
        if i == index {
            new_index = joined.len() - 1;
        }
    }
    (joined, new_index, kept)
}

/// The registration script of `shell` (bash, zsh, …): what `COMPLETE=shell crs` prints.
pub fn registration(shell: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let shells = Shells::builtins();
    let shell = shells.completer(shell).ok_or_else(|| std::io::Error::other("unknown shell"))?;
    shell.write_registration(VAR, "crs", "crs", "crs", out)
}

/// The register the command being completed is about: its `--register`, else
/// `CRS_REGISTER`, else the one at or above the working directory.
fn register_root() -> Option<PathBuf> {
    let process = Process::current();
    let mut given: Option<OsString> = None;
    let (words, _, _) = join_at_equals(process.args.clone(), 0);
    let mut args = words.iter();
    while let Some(arg) = args.next() {
        if arg == "--register" {
            given = args.next().cloned();
        } else if let Some(dir) = arg.to_str().and_then(|a| a.strip_prefix("--register=")) {
            given = Some(dir.into());
        }
    }
    let register = given.map(PathBuf::from).or_else(|| process.vars.get("CRS_REGISTER").map(PathBuf::from));
    Ctx::new(&process, register, true, true).ok()?.register_root().ok()
}

fn candidates<I: IntoIterator<Item = String>>(values: I) -> Vec<CompletionCandidate> {
    values.into_iter().map(CompletionCandidate::new).collect()
}

/// The ids of the register's records.
pub fn record_ids() -> Vec<CompletionCandidate> {
    let ids = register_root().and_then(|root| working_record_ids(&root).ok()).unwrap_or_default();
    candidates(ids)
}

/// The providers' ODS codes: the register's provider folders.
pub fn providers() -> Vec<CompletionCandidate> {
    let ids = register_root().and_then(|root| working_record_ids(&root).ok()).unwrap_or_default();
    let codes: std::collections::BTreeSet<String> =
        ids.iter().filter_map(|id| id.split_once('/')).map(|(p, _)| p.to_owned()).collect();
    candidates(codes)
}

/// The stages of the register's framework, by name and number.
pub fn stages() -> Vec<CompletionCandidate> {
    let framework = register_root()
        .and_then(|root| working_config(&root).ok())
        .map(|config| config.framework)
        .unwrap_or_else(Framework::default_built_in);
    let names = framework.stages.iter().map(|s| {
        CompletionCandidate::new(s.name()).help(Some(format!("stage {}: {}", s.number, s.title).into()))
    });
    let numbers = framework
        .stages
        .iter()
        .map(|s| CompletionCandidate::new(s.number.to_string()).help(Some(s.name().into())));
    names.chain(numbers).collect()
}

/// Every derived status.
pub fn statuses() -> Vec<CompletionCandidate> {
    candidates(Status::ALL.iter().map(|s| s.as_str().to_owned()))
}

/// Every kind of process event.
pub fn event_kinds() -> Vec<CompletionCandidate> {
    candidates(EventKind::ALL.iter().map(|k| k.as_str().to_owned()))
}

/// Every kind of provider.
pub fn provider_kinds() -> Vec<CompletionCandidate> {
    candidates(ProviderKind::ALL.iter().map(|k| k.as_str().to_owned()))
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::join_at_equals;

    fn words(all: &[&str]) -> Vec<OsString> {
        all.iter().map(OsString::from).collect()
    }

    #[test]
    fn words_bash_split_at_equals_are_joined_again() {
        let joined = join_at_equals(words(&["crs", "list", "--status", "=", "des"]), 4);
        assert_eq!(joined, (words(&["crs", "list", "--status=des"]), 2, "--status=".to_owned()));
        let joined = join_at_equals(words(&["crs", "--register", "=", "../r", "show", "RJ"]), 5);
        assert_eq!(joined, (words(&["crs", "--register=../r", "show", "RJ"]), 3, String::new()));
        let joined = join_at_equals(words(&["crs", "event", "X", "k", "--note", "=", "a", "=", "b"]), 8);
        assert_eq!(joined.0.last().unwrap(), "--note=a=b");
        assert_eq!(joined.2, "--note=a=");
        // Nothing else is joined.
        let plain = words(&["crs", "list", "--status", "des", "=", "--", "="]);
        assert_eq!(join_at_equals(plain.clone(), 3), (plain, 3, String::new()));
    }
}
