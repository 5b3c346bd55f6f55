//! `CleanFilters`: the filter drivers that `.gitattributes` names for a file
//! (`filter=NAME`: a redaction filter, git-crypt, LFS), run as `git add` runs them,
//! so that crs stores the same bytes git would. libgit2 applies git's own line-ending
//! and `ident` filters but no driver: crs runs the driver's `filter.NAME.clean`
//! command itself, through the shell, in the work tree's top folder, with `%f`
//! replaced by the file's path, the file's bytes as its input and what it prints as
//! the result. A driver crs cannot run (one with only a `filter.NAME.process`
//! command, or a `required` one with no command) or a clean command that fails stops
//! the write before anything has changed, with a message saying which: crs never
//! stores the bytes a filter was meant to change. A driver with no command at all
//! (and not required) changes nothing, as in git.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use git2::{AttrCheckFlags, AttrValue, Oid, Repository};

use crate::error::{Error, Result};
use crate::history::config::GitConfig;
use crate::history::repo::blob_as_git_would;

/// The filter drivers of one repository, as its configuration defines them.
pub(crate) struct CleanFilters<'a> {
    pub(crate) config: &'a GitConfig,
    pub(crate) vars: &'a BTreeMap<String, String>,
    /// The work tree's top folder, where git runs the commands.
    pub(crate) workdir: &'a Path,
}

impl CleanFilters<'_> {
    /// `bytes`, the content of the file at `repo_path`, as its filter driver hands
    /// them on to be stored; unchanged when no driver applies to the file.
    pub(crate) fn clean<'b>(
        &self,
        repo: &Repository,
        repo_path: &str,
        bytes: &'b [u8],
    ) -> Result<Cow<'b, [u8]>> {
        let Some(driver) = driver_of(repo, repo_path) else { return Ok(Cow::Borrowed(bytes)) };
        let key = |name: &str| format!("filter.{driver}.{name}");
        let command = self.config.string(&key("clean")).filter(|c| !c.trim().is_empty());
        let Some(command) = command else {
            if self.config.string(&key("process")).is_some_and(|c| !c.trim().is_empty()) {
                let why = format!(
                    "it has only a long-running filter.{driver}.process command, which crs cannot speak to"
                );
                return Err(cannot_run(repo_path, &driver, &why));
            }
            if self.config.bool(&key("required")) == Some(true) {
                return Err(cannot_run(repo_path, &driver, "it is required, but has no clean command"));
            }
            return Ok(Cow::Borrowed(bytes));
        };
        let command = command.replace("%f", &shell_quoted(repo_path));
        self.run(repo_path, &driver, &command, bytes).map(Cow::Owned)
    }

    /// Stores `bytes` in `target` as `git add` stores the file at `repo_path` of
    /// `repo`: through its filter driver, then git's own filters.
    pub(crate) fn store(
        &self,
        repo: &Repository,
        target: &Repository,
        repo_path: &str,
        bytes: &[u8],
    ) -> Result<Oid> {
        let cleaned = self.clean(repo, repo_path, bytes)?;
        blob_as_git_would(target, repo_path, &cleaned)
    }

    /// Whether `.gitattributes` names a filter driver for `repo_path`.
    pub(crate) fn applies(repo: &Repository, repo_path: &str) -> bool {
        driver_of(repo, repo_path).is_some()
    }

    /// Runs the clean `command` of `driver` on `bytes`: what it prints, or an error
    /// when it cannot be started or fails.
    fn run(&self, repo_path: &str, driver: &str, command: &str, bytes: &[u8]) -> Result<Vec<u8>> {
        let failed = |how: String| {
            Error::git(
                format!(
                    "{repo_path} could not go through its clean filter {driver} (filter.{driver}.clean = {command}): the filter {how}"
                ),
                format!(
                    "check that git add {repo_path} works with this filter, fix the filter, then run crs again; nothing was changed"
                ),
            )
        };
        let mut child = Command::new("sh")
            .args(["-c", command])
            .current_dir(self.workdir)
            .env_clear()
            .envs(self.vars)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| failed(format!("could not be started ({e})")))?;
        let mut input = child.stdin.take();
        // Fed from another thread, so that a filter printing as it reads cannot stall.
        let output = std::thread::scope(|scope| {
            scope.spawn(move || {
                if let Some(stdin) = input.as_mut() {
                    // A filter may stop reading early; its exit status says whether it failed.
                    let _ = stdin.write_all(bytes);
                }
                drop(input);
            });
            child.wait_with_output()
        })
        .map_err(|e| failed(format!("could not be run ({e})")))?;
        if !output.status.success() {
            let status = output
                .status
                .code()
                .map_or_else(|| "was killed".to_owned(), |c| format!("failed with exit status {c}"));
            let said = String::from_utf8_lossy(&output.stderr);
            let said = said.trim();
            return Err(failed(if said.is_empty() { status } else { format!("{status} and said: {said}") }));
        }
        Ok(output.stdout)
    }
}

/// The filter driver `.gitattributes` names for `repo_path`, if any.
fn driver_of(repo: &Repository, repo_path: &str) -> Option<String> {
    let value = repo.get_attr(Path::new(repo_path), "filter", AttrCheckFlags::FILE_THEN_INDEX).ok()??;
    match AttrValue::from_string(Some(value)) {
        AttrValue::String(name) if !name.is_empty() => Some(name.to_owned()),
        _ => None,
    }
}

/// A driver crs cannot run for `repo_path`, and why.
fn cannot_run(repo_path: &str, driver: &str, why: &str) -> Error {
    Error::git(
        format!(
            "{repo_path} goes through the filter {driver} (.gitattributes), and crs cannot run that filter: {why}"
        ),
        format!(
            "give the filter a clean command (git config filter.{driver}.clean COMMAND), or change the file with git instead; nothing was changed"
        ),
    )
}

/// `text` quoted for the shell, as git quotes `%f`.
fn shell_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_quoted_for_the_shell() {
        assert_eq!(shell_quoted("RJ1/maternity.toml"), "'RJ1/maternity.toml'");
        assert_eq!(shell_quoted("it's.toml"), r"'it'\''s.toml'");
    }
}
