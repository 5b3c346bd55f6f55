//! `Hooks`: the repository's `pre-commit`, `commit-msg` and `post-commit` hooks, run
//! as `git commit` runs them: found in `core.hooksPath` (else the git folder's
//! `hooks/`), only when executable, in the work tree's top folder, with no input,
//! their standard output sent with their errors, and `GIT_INDEX_FILE`,
//! `GIT_EDITOR=:` and the author (`GIT_AUTHOR_NAME`, `_EMAIL`, `_DATE`) set as git
//! sets them. What they print is collected and handed back for the cli to show; a
//! hook that fails is an error that carries it. Nothing here decides when they run:
//! [`crate::history::Writer`] does.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};
use crate::history::config::GitConfig;

/// The hooks of one repository.
#[derive(Clone, Debug)]
pub struct Hooks {
    dir: PathBuf,
    workdir: PathBuf,
    vars: BTreeMap<String, String>,
}

/// What running a hook printed; empty when there was no hook to run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HookOutput(pub String);

impl Hooks {
    /// The hooks git would run in the repository with git folder `common_dir` and
    /// work tree `workdir`, with the environment `vars`.
    pub fn new(
        config: &GitConfig,
        common_dir: &Path,
        workdir: &Path,
        vars: &BTreeMap<String, String>,
    ) -> Hooks {
        let dir = match config.string("core.hooksPath").filter(|p| !p.is_empty()) {
            Some(path) => {
                let expanded = match path.strip_prefix("~/") {
                    Some(rest) => {
                        vars.get("HOME").map_or_else(|| PathBuf::from(path), |h| Path::new(h).join(rest))
                    }
                    None => PathBuf::from(path),
                };
                workdir.join(expanded)
            }
            None => common_dir.join("hooks"),
        };
        Hooks { dir, workdir: workdir.to_path_buf(), vars: vars.clone() }
    }

    /// Whether git would run the hook `name`: it exists (and is executable, or git
    /// would only warn that it was ignored).
    pub fn exists(&self, name: &str) -> bool {
        self.dir.join(name).is_file()
    }

    /// Runs the hook `name` with `args` and the extra environment `env`, if there is
    /// one to run; an error when it fails, carrying what it printed.
    pub fn run(&self, name: &str, args: &[&std::ffi::OsStr], env: &[(&str, String)]) -> Result<HookOutput> {
        let path = self.dir.join(name);
        if !path.is_file() {
            return Ok(HookOutput::default());
        }
        if !is_executable(&path) {
            return Ok(HookOutput(format!(
                "hint: The '{name}' hook was ignored because it's not set as executable.\n\
                 hint: You can disable this warning with `git config advice.ignoredHook false`.\n"
            )));
        }
        let (mut reader, writer) = std::io::pipe().map_err(|e| Error::io(&path, e))?;
        let writer_too = writer.try_clone().map_err(|e| Error::io(&path, e))?;
        let mut command = Command::new(&path);
        command
            .args(args)
            .current_dir(&self.workdir)
            .env_clear()
            .envs(&self.vars)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(writer_too);
        let mut child = command.spawn().map_err(|e| Error::Hook {
            hook: name.to_owned(),
            status: format!("could not be started: {e}"),
            output: String::new(),
        })?;
        // The command holds the pipe's writing ends until it is dropped; then the
        // read ends when the hook (and anything it left running) closes them.
        drop(command);
        let mut bytes = Vec::new();
        let _ = reader.read_to_end(&mut bytes);
        let status = child.wait().map_err(|e| Error::io(&path, e))?;
        let output = String::from_utf8_lossy(&bytes).into_owned();
        if status.success() {
            Ok(HookOutput(output))
        } else {
            let status = match status.code() {
                Some(code) => format!("exit status {code}"),
                None => "killed by a signal".to_owned(),
            };
            Err(Error::Hook { hook: name.to_owned(), status, output })
        }
    }
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_path: &Path) -> bool {
    true
}

/// A message as `git commit -m` keeps it after `commit-msg` edited it (cleanup
/// mode "whitespace"): no trailing spaces, no blank lines at either end or twice
/// in a row, one final newline.
pub fn clean_message(text: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    if lines.is_empty() {
        return String::new();
    }
    lines.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_a_message_as_git_does() {
        assert_eq!(clean_message("\n\nsubject  \n\n\nbody\n\n"), "subject\n\nbody\n");
        assert_eq!(clean_message(" \n\n"), "");
    }
}
