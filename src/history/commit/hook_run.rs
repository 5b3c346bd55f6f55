//! The hooks before a commit (`pre-commit`, `prepare-commit-msg`, `commit-msg`), run
//! as `git commit --only FILE…` runs them: on a temporary index holding exactly the
//! commit being made, their changes read back and judged before they are committed.

use std::ffi::OsStr;
use std::fs;
use std::path::Path;

use git2::Oid;

use crate::error::{Error, Result};
use crate::history::hooks::clean_message;
use crate::history::identity::{Identity, Person};
use crate::history::journal::{Journal, JournalFile};
use crate::history::repo::git_error;

use super::files::read_plain;
use super::objects::{raw_id, zone};
use super::{HOOK_INDEX, Plan, Review, Writer, maybe_oid, oid};

impl Writer {
    /// The environment git gives commit hooks, with `index` as `GIT_INDEX_FILE`.
    pub(super) fn hook_env(&self, identity: &Identity, index: Option<&Path>) -> Vec<(&'static str, String)> {
        let Person { name, email, when } = &identity.author;
        let mut env = vec![
            ("GIT_EDITOR", ":".to_owned()),
            ("GIT_AUTHOR_NAME", name.clone()),
            ("GIT_AUTHOR_EMAIL", email.clone()),
            ("GIT_AUTHOR_DATE", format!("@{} {}", when.timestamp(), zone(when.offset().local_minus_utc()))),
        ];
        if let Some(index) = index {
            env.push(("GIT_INDEX_FILE", index.display().to_string()));
        }
        env
    }

    /// Runs `pre-commit`, `prepare-commit-msg` and `commit-msg` as `git commit --only`
    /// does, on the working files already written; returns the message as the hooks
    /// left it and the tree of the index they saw, with whatever they staged in it.
    pub(super) fn run_hooks_before(
        &self,
        plan: &Plan,
        message: &str,
        identity: &Identity,
        said: &mut String,
    ) -> Result<(String, Oid)> {
        let index = self.state_dir.join(HOOK_INDEX);
        let result = self.write_hook_index(&index, plan.tree).and_then(|()| {
            let env = self.hook_env(identity, Some(&index));
            let mut run = |hook: &str, args: &[&OsStr]| match self.hooks.run(hook, args, &env) {
                Ok(output) => {
                    said.push_str(&output.0);
                    Ok(())
                }
                Err(Error::Hook { hook, status, output }) => {
                    said.push_str(&output);
                    Err(Error::Hook { hook, status, output: std::mem::take(said) })
                }
                Err(e) => Err(e),
            };
            if self.verify {
                run("pre-commit", &[])?;
            }
            let file = self.rr.repo.path().join("COMMIT_EDITMSG");
            fs::write(&file, message).map_err(|e| Error::io(&file, e))?;
            run("prepare-commit-msg", &[file.as_os_str(), OsStr::new("message")])?;
            if self.verify {
                run("commit-msg", &[file.as_os_str()])?;
            }
            let edited = fs::read(&file).map_err(|e| Error::io(&file, e))?;
            let edited = clean_message(&String::from_utf8_lossy(&edited));
            if edited.is_empty() {
                return Err(Error::Hook {
                    hook: "commit-msg".into(),
                    status: "it left the message empty".into(),
                    output: std::mem::take(said),
                });
            }
            Ok((edited, self.hook_index_tree(&index)?))
        });
        let _ = fs::remove_file(&index);
        result
    }

    /// The tree of the index the hooks saw, as they left it.
    pub(super) fn hook_index_tree(&self, path: &Path) -> Result<Oid> {
        let failed = |e: git2::Error| git_error("cannot read the index the hooks saw", &e);
        let mut index = git2::Index::open(path).map_err(failed)?;
        index.read(true).map_err(failed)?;
        index.write_tree_to(&self.rr.repo).map_err(failed)
    }

    /// `plan` with what the `pre-commit` hook staged (a formatter's fix): the tree the
    /// hooks left is the one committed, as `git commit --only` commits it, and a file
    /// of the write the hook changed and staged is committed and staged as the hook
    /// left it. A hook that changed such a file without staging the change, or staged
    /// a version other than the one it left on disk, stops the write: crs commits its
    /// files only as they are, and stages nothing that is not.
    pub(super) fn as_hooks_left_it(&self, plan: &Plan, staged: Oid) -> Result<Plan> {
        let repo = &self.rr.repo;
        let tree =
            repo.find_tree(staged).map_err(|e| git_error("cannot read the tree the hooks left", &e))?;
        let mut journal = plan.journal.clone();
        for file in &mut journal.files {
            let path = file.repo_path.clone();
            let committed = tree.get_path(Path::new(&path)).ok().map(|e| e.id().to_string());
            let working = read_plain(&self.rr.workdir.join(&path))?;
            let refused = |what: &str| {
                Error::git(
                    format!("the pre-commit hook {what} {path}, so crs committed nothing"),
                    format!(
                        "the file is left as the hook left it, with crs's change in it: see git diff -- {path}, put it back with git restore -- {path}, make the hook stage exactly what it writes (git add), and run the command again"
                    ),
                )
            };
            if committed == file.new_staged {
                if working.as_deref().map(raw_id) != maybe_oid(file.new.as_deref())? {
                    return Err(refused("changed, without staging the change,"));
                }
                continue;
            }
            let as_stored = match &working {
                Some(bytes) => Some(self.blob_as_git_would(repo, &path, bytes)?.to_string()),
                None => None,
            };
            if as_stored != committed {
                return Err(refused("staged a version other than the one it left in the file of"));
            }
            file.new = match &working {
                Some(bytes) => Some(self.store_raw(repo, &path, bytes)?.to_string()),
                None => None,
            };
            file.new_staged = committed;
        }
        journal.files.extend(self.staged_by_hooks(plan, &tree, &journal)?);
        Ok(Plan { journal, tree: staged, parent: plan.parent })
    }

    /// Judges by `review` each file whose committed version the hooks changed from
    /// what crs wrote (or added): a reason given stops the write, naming the hooks;
    /// a change accepted is said in `said`.
    pub(super) fn review_hooks_changes(
        &self,
        plan: &Plan,
        hooked: &Plan,
        review: Review<'_>,
        said: &mut String,
    ) -> Result<()> {
        let repo = &self.rr.repo;
        let blob = |id: Option<&str>| -> Result<Option<Vec<u8>>> {
            match id {
                Some(id) => repo
                    .find_blob(oid(id)?)
                    .map(|b| Some(b.content().to_vec()))
                    .map_err(|e| git_error("cannot read a file the hooks staged", &e)),
                None => Ok(None),
            }
        };
        for file in &hooked.journal.files {
            let ours = plan.journal.files.iter().find(|f| f.repo_path == file.repo_path);
            let ours_staged = ours.and_then(|f| f.new_staged.as_deref());
            if ours.is_some() && ours_staged == file.new_staged.as_deref() {
                continue;
            }
            let Some(path) = self.register_path(&file.repo_path) else { continue };
            let theirs = blob(file.new_staged.as_deref())?;
            let wrote = blob(ours_staged)?;
            let hooks = self.hooks_that_ran();
            if let Some(reason) = review(&path, wrote.as_deref(), theirs.as_deref())? {
                return Err(Error::git(
                    format!("{hooks} changed {path} so that {reason}, so crs committed nothing"),
                    format!(
                        "the file is put back as it was; make the hook leave crs's records as crs writes them (see {path} in the hook), or pass --no-verify, and run the command again"
                    ),
                ));
            }
            if ours.is_some() {
                said.push_str(&format!(
                    "note: {hooks} changed {path}, and the commit holds the hook's version, not what crs wrote (see git show HEAD:{})\n",
                    file.repo_path
                ));
            }
        }
        Ok(())
    }

    /// The register-relative path of `repo_path`, when it is inside the register.
    pub(super) fn register_path(&self, repo_path: &str) -> Option<String> {
        match self.rr.prefix.trim_end_matches('/') {
            "" => Some(repo_path.to_owned()),
            prefix => repo_path.strip_prefix(prefix)?.strip_prefix('/').map(str::to_owned),
        }
    }

    /// The hooks that ran before the commit, in words: "the pre-commit hook".
    pub(super) fn hooks_that_ran(&self) -> String {
        let names: Vec<&str> =
            [("pre-commit", self.verify), ("prepare-commit-msg", true), ("commit-msg", self.verify)]
                .into_iter()
                .filter(|(name, runs)| *runs && self.hooks.exists(name))
                .map(|(name, _)| name)
                .collect();
        match names.as_slice() {
            [one] => format!("the {one} hook"),
            many => format!("the {} hooks", many.join(" and ")),
        }
    }

    /// The paths outside the write that the hooks staged (a stamp file a hook adds),
    /// as journal entries whose working file crs leaves as it is (`old` and `new`
    /// both what the file holds now), so that git's index is brought to what the
    /// commit holds, as plain `git commit` leaves it: where the index held HEAD's
    /// version, and no other staged work of the user.
    pub(super) fn staged_by_hooks(
        &self,
        plan: &Plan,
        left: &git2::Tree<'_>,
        journal: &Journal,
    ) -> Result<Vec<JournalFile>> {
        let repo = &self.rr.repo;
        let failed = |e: git2::Error| git_error("cannot compare the tree the hooks left", &e);
        let planned = repo.find_tree(plan.tree).map_err(failed)?;
        let base = self.head_tree()?;
        let diff = repo.diff_tree_to_tree(Some(&planned), Some(left), None).map_err(failed)?;
        let mut extra = Vec::new();
        for delta in diff.deltas() {
            let Some(path) = delta.new_file().path().or_else(|| delta.old_file().path()) else { continue };
            let repo_path = path.to_string_lossy().into_owned();
            if journal.files.iter().any(|f| f.repo_path == repo_path) {
                continue;
            }
            let working = match read_plain(&self.rr.workdir.join(&repo_path))? {
                Some(bytes) => Some(self.store_raw(repo, &repo_path, &bytes)?.to_string()),
                None => None,
            };
            let new_staged = left.get_path(path).ok().map(|e| e.id().to_string());
            let old_staged = base.as_ref().and_then(|t| t.get_path(path).ok()).map(|e| e.id().to_string());
            extra.push(JournalFile { repo_path, old: working.clone(), new: working, old_staged, new_staged });
        }
        Ok(extra)
    }

    /// Writes the index the hooks see: exactly the tree being committed.
    pub(super) fn write_hook_index(&self, path: &Path, tree: Oid) -> Result<()> {
        let _ = fs::remove_file(path);
        let failed = |e: git2::Error| git_error("cannot write the index the hooks see", &e);
        let tree = self.rr.repo.find_tree(tree).map_err(failed)?;
        let mut index = git2::Index::open(path).map_err(failed)?;
        index.read_tree(&tree).map_err(failed)?;
        index.write().map_err(failed)
    }
}
