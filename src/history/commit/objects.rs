//! Step 1 of a write: every object stored and read back. The blobs (as git would
//! store them, through its filters when attributes could convert), the tree built on
//! HEAD's, the commit (signed when `commit.gpgSign` says so), each object's id checked.

use std::fs;
use std::path::{Path, PathBuf};

use git2::build::TreeUpdateBuilder;
use git2::{FileMode, ObjectType, Oid, Repository};

use crate::error::{Error, Result};
use crate::history::filters::CleanFilters;
use crate::history::identity::Identity;
use crate::history::journal::{Journal, JournalFile, JournalTag};
use crate::history::large_write::LargeWrite;
use crate::history::repo::{git_error, storage_error};
use crate::history::signing::Signer;

use super::files::read_plain;
use super::index::index_entry;
use super::{
    Contents, FLUSH_EACH_UP_TO, Incoming, Plan, Writer, head_branch, head_commit, head_tree, oid, short,
};

impl Writer {
    /// Stores the blobs and the tree of a write and reads each back; returns them
    /// with the journal of a write whose commit is not made yet.
    pub(super) fn store_tree(
        &self,
        files: &[Incoming<'_>],
        removed: &[String],
        large: Option<&mut LargeWrite>,
    ) -> Result<Plan> {
        let repo = &self.rr.repo;
        let parent = head_commit(repo)?;
        let base = match &parent {
            Some(commit) => Some(commit.tree().map_err(|e| git_error("cannot read HEAD's tree", &e))?),
            None => None,
        };
        // A write of many files streams its blobs into packs of its own (see
        // [`LargeWrite`]) instead of a loose file an object.
        let mut own = None;
        let mut large = match large {
            Some(large) => Some(large),
            None if files.len() + removed.len() > FLUSH_EACH_UP_TO => {
                own = Some(self.large_write()?);
                own.as_mut()
            }
            None => None,
        };
        let mut planned = Vec::with_capacity(files.len());
        let mut stored = Vec::with_capacity(2 * files.len() + 1);
        for file in files {
            let repo_path = self.rr.repo_path(file.path);
            let old = match read_plain(&self.root.join(file.path))? {
                Some(bytes) => Some(self.store_either(large.as_deref_mut(), &repo_path, &bytes)?),
                None => None,
            };
            let (new, new_staged) = match (file.contents, large.as_deref_mut()) {
                (Contents::Stored { new, staged }, _) => (new, staged),
                (Contents::Bytes(bytes), Some(large)) => self.store_large(large, &repo_path, bytes)?,
                (Contents::Bytes(bytes), None) => {
                    let new = self.store_raw(repo, &repo_path, bytes)?;
                    match self.may_filter(&repo_path) {
                        true => (new, self.blob_as_git_would(repo, &repo_path, bytes)?),
                        false => (new, new),
                    }
                }
            };
            let old_staged = base
                .as_ref()
                .and_then(|t| t.get_path(Path::new(&repo_path)).ok())
                .map(|e| e.id().to_string());
            stored.push(new);
            if new_staged != new {
                stored.push(new_staged);
            }
            planned.push(JournalFile {
                repo_path,
                old: old.map(|o| o.to_string()),
                new: Some(new.to_string()),
                old_staged,
                new_staged: Some(new_staged.to_string()),
            });
        }
        for path in removed {
            let repo_path = self.rr.repo_path(path);
            let old = match read_plain(&self.root.join(path))? {
                Some(bytes) => Some(self.store_either(large.as_deref_mut(), &repo_path, &bytes)?),
                None => None,
            };
            let old = old.map(|o| o.to_string());
            let old_staged = base
                .as_ref()
                .and_then(|t| t.get_path(Path::new(&repo_path)).ok())
                .map(|e| e.id().to_string());
            planned.push(JournalFile { repo_path, old, new: None, old_staged, new_staged: None });
        }
        let target = large.as_deref().map_or(repo, |l| &l.repo);
        let tree = self.build_tree(target, base.as_ref(), &planned)?;
        stored.push(tree);
        if let Some(large) = large {
            let mut objects: std::collections::BTreeSet<Oid> = large.filtered.drain(..).collect();
            objects.insert(tree);
            // The trees the write made: the folders of the files it changed.
            let root = large.repo.find_tree(tree).map_err(|e| storage_error("the new tree", e.message()))?;
            for file in &planned {
                let mut dir = Path::new(&file.repo_path).parent();
                while let Some(folder) = dir.filter(|d| !d.as_os_str().is_empty()) {
                    objects.extend(root.get_path(folder).ok().map(|e| e.id()));
                    dir = folder.parent();
                }
            }
            let failed = |e: git2::Error| storage_error("the new tree", e.message());
            let held = large.repo.odb().map_err(failed)?;
            let mut read = Vec::with_capacity(objects.len());
            for id in objects {
                // One git had already (an unchanged folder) is packed again: harmless.
                let object = held.read(id).map_err(failed)?;
                read.push((id, object.kind(), object.data().to_vec()));
            }
            drop((held, root));
            let packer = large.packer()?;
            for (id, kind, data) in read {
                packer.add(id, kind, &data).map_err(|e| storage_error("the new tree", &e))?;
            }
            self.stage_pack(packer)?;
            self.publish_packs()?;
            let odb = repo.odb().map_err(|e| git_error("cannot open git's object database", &e))?;
            odb.refresh().map_err(|e| storage_error("the pack of the new files", e.message()))?;
            // What the write packed is read back from its own packs, with plain
            // reads: libgit2 would map every pack whole into memory.
            stored = self.read_back_packed(large, &odb, stored)?;
        }
        drop(own);
        self.verify_stored(&stored)?;
        Ok(Plan {
            journal: Journal {
                subject: String::new(),
                branch: head_branch(repo)?,
                old_head: parent.as_ref().map(|c| c.id().to_string()),
                new_commit: String::new(),
                files: planned,
                tag: None,
                lock_token: Journal::new_lock_token(),
            },
            tree,
            parent: parent.map(|c| c.id()),
        })
    }

    /// Stores the commit of `plan` (signed if git is configured to sign) and the
    /// tag, reads them back, and returns the journal naming them (the plan's own,
    /// not a copy: a write of many files holds one journal).
    pub(super) fn store_commit(
        &self,
        plan: Plan,
        message: &str,
        identity: &Identity,
        tag: Option<(&str, &str)>,
    ) -> Result<Journal> {
        let repo = &self.rr.repo;
        let tree = repo.find_tree(plan.tree).map_err(|e| storage_error("the new tree", e.message()))?;
        let parent = match plan.parent {
            Some(id) => Some(repo.find_commit(id).map_err(|e| git_error("cannot read HEAD", &e))?),
            None => None,
        };
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let author = identity.author.signature()?;
        let committer = identity.committer.signature()?;
        let who = format!("{} <{}>", identity.committer.name, identity.committer.email);
        let commit_id = match Signer::for_commits(&self.config, &self.vars)? {
            None => repo
                .commit(None, &author, &committer, message, &tree, &parents)
                .map_err(|e| storage_error("the commit", e.message()))?,
            Some(signer) => {
                let buffer = repo
                    .commit_create_buffer(&author, &committer, message, &tree, &parents)
                    .map_err(|e| storage_error("the commit", e.message()))?;
                let text = buffer.as_str().ok_or_else(|| {
                    storage_error("the commit", "its text is not UTF-8, so it cannot be signed")
                })?;
                let signature = signer.sign(text.as_bytes(), &who, &self.state_dir)?;
                repo.commit_signed(text, &signature, Some("gpgsig"))
                    .map_err(|e| storage_error("the signed commit", e.message()))?
            }
        };
        let mut stored = vec![commit_id];
        let tag = match tag {
            Some((name, tag_message)) => {
                let object = match Signer::for_tags(&self.config, &self.vars)? {
                    None => {
                        let target = repo
                            .find_object(commit_id, None)
                            .map_err(|e| storage_error("the commit", e.message()))?;
                        repo.tag_annotation_create(name, &target, &committer, tag_message)
                            .map_err(|e| storage_error(&format!("the tag {name}"), e.message()))?
                    }
                    Some(signer) => {
                        let mut text = format!(
                            "object {commit_id}\ntype commit\ntag {name}\ntagger {who} {} {}\n\n{tag_message}",
                            identity.committer.when.timestamp(),
                            zone(identity.committer.when.offset().local_minus_utc())
                        );
                        if !text.ends_with('\n') {
                            text.push('\n');
                        }
                        text.push_str(&signer.sign(text.as_bytes(), &who, &self.state_dir)?);
                        let odb =
                            repo.odb().map_err(|e| git_error("cannot open git's object database", &e))?;
                        odb.write(ObjectType::Tag, text.as_bytes())
                            .map_err(|e| storage_error(&format!("the tag {name}"), e.message()))?
                    }
                };
                stored.push(object);
                Some(JournalTag { name: name.to_owned(), object: object.to_string() })
            }
            None => None,
        };
        self.verify_stored(&stored)?;
        Ok(Journal {
            subject: message.lines().next().unwrap_or_default().to_owned(),
            new_commit: commit_id.to_string(),
            tag,
            ..plan.journal
        })
    }

    /// HEAD's tree, read once a write (the branch cannot move under crs's lock
    /// without the commit's compare-and-swap noticing).
    pub(super) fn head_tree(&self) -> Result<Option<git2::Tree<'_>>> {
        let id = match self.head_tree.get() {
            Some(id) => *id,
            None => {
                let id = head_tree(&self.rr.repo)?.map(|t| t.id());
                let _ = self.head_tree.set(id);
                id
            }
        };
        id.map(|id| self.rr.repo.find_tree(id).map_err(|e| git_error("cannot read HEAD's tree", &e)))
            .transpose()
    }

    /// Whether git could store the file at `repo_path` other than as its bytes are:
    /// line-ending conversion (`core.autocrlf`), or an attributes file that applies
    /// to it (`info/attributes`, `core.attributesFile`, the XDG attributes file, or a
    /// `.gitattributes` in the work tree's top folder or one of the file's folders,
    /// as `git add` reads them) and names an attribute that converts (see
    /// [`attributes_may_filter`]).
    pub(super) fn may_filter(&self, repo_path: &str) -> bool {
        let everywhere = *self.filters.get_or_init(|| {
            self.config.string("core.autocrlf").is_some_and(|v| !v.eq_ignore_ascii_case("false"))
                || self.config.string("core.attributesfile").is_some()
                || self.rr.repo.path().join("info/attributes").exists()
                || self.xdg_attributes().is_some_and(|p| p.exists())
        });
        everywhere
            || Path::new(repo_path).ancestors().skip(1).any(|dir| {
                let mut known = self.attribute_folders.borrow_mut();
                *known.entry(dir.to_path_buf()).or_insert_with(|| {
                    attributes_may_filter(&self.rr.workdir.join(dir).join(".gitattributes"))
                })
            })
    }

    /// Stores `bytes` in `repo` as `git add` stores the file at `repo_path`: through
    /// its filter driver, if `.gitattributes` names one, then git's own filters.
    pub(super) fn blob_as_git_would(&self, repo: &Repository, repo_path: &str, bytes: &[u8]) -> Result<Oid> {
        let drivers = CleanFilters { config: &self.config, vars: &self.vars, workdir: &self.rr.workdir };
        drivers.store(&self.rr.repo, repo, repo_path, bytes)
    }

    /// git's per-user attributes file.
    pub(super) fn xdg_attributes(&self) -> Option<PathBuf> {
        let var = |k: &str| self.vars.get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        var("XDG_CONFIG_HOME")
            .or_else(|| var("HOME").map(|h| h.join(".config")))
            .map(|base| base.join("git").join("attributes"))
    }

    /// libgit2 can fail to store an object with no reason given ("no error"); a test
    /// write beside the objects tells whether the disk is full.
    pub(super) fn explain_storage(&self, error: Error) -> Error {
        let Error::Storage { what, detail } = error else { return error };
        let probe = self.state_dir.join(".space-probe.crs-tmp");
        let full = fs::File::create(&probe)
            .and_then(|mut f| std::io::Write::write_all(&mut f, &[0; 64 * 1024]).and_then(|()| f.sync_all()))
            .err()
            .filter(|e| e.kind() == std::io::ErrorKind::StorageFull);
        let _ = fs::remove_file(&probe);
        match full {
            Some(e) if !detail.contains("No space left") => {
                Error::Storage { what, detail: format!("{e} ({detail})") }
            }
            _ => Error::Storage { what, detail },
        }
    }

    /// Stores `bytes` exactly as they are (no filters), to be able to put a working
    /// file back byte for byte; usually the same object as the staged blob.
    pub(super) fn store_raw(&self, repo: &Repository, repo_path: &str, bytes: &[u8]) -> Result<Oid> {
        let id = raw_id(bytes);
        let odb = repo.odb().map_err(|e| git_error("cannot open git's object database", &e))?;
        // Looked up without rescanning the packs for every new file of a large write.
        if odb.exists_ext(id, git2::OdbLookupFlags::NO_REFRESH) {
            return Ok(id);
        }
        repo.blob(bytes).map_err(|e| storage_error(repo_path, e.message()))
    }

    /// Stores `bytes` exactly as they are: in `large` if given, else as a loose
    /// object (see [`Writer::store_raw`]).
    pub(super) fn store_either(
        &self,
        large: Option<&mut LargeWrite>,
        repo_path: &str,
        bytes: &[u8],
    ) -> Result<Oid> {
        match large {
            Some(large) => self.store_packed(large, repo_path, bytes),
            None => self.store_raw(&self.rr.repo, repo_path, bytes),
        }
    }

    /// Reads back each of `ids` that `large` packed from its packs in git's folder,
    /// and checks that git finds it there; returns the others, to be read back
    /// through git.
    fn read_back_packed(
        &self,
        large: &mut LargeWrite,
        odb: &git2::Odb<'_>,
        ids: Vec<Oid>,
    ) -> Result<Vec<Oid>> {
        let mut others = Vec::new();
        let (packer, packs) = large.packed()?;
        let mut reader = packer.reader(packs);
        for id in ids {
            let what = || format!("object {}", short(&id.to_string()));
            match reader.read(id).map_err(|e| storage_error(&what(), &e))? {
                Some(_) if odb.exists(id) => {}
                Some(_) => return Err(storage_error(&what(), "git does not find it in the pack written")),
                None => others.push(id),
            }
        }
        Ok(others)
    }

    /// Reads back every object just stored: libgit2 can report an object stored that
    /// a full disk kept from being written.
    pub(super) fn verify_stored(&self, ids: &[Oid]) -> Result<()> {
        let odb = self.rr.repo.odb().map_err(|e| git_error("cannot open git's object database", &e))?;
        if self.faults.object_write_fails() {
            return Err(storage_error("the new commit", "No space left on device (simulated)"));
        }
        for id in ids {
            odb.read(*id)
                .map_err(|e| storage_error(&format!("object {}", short(&id.to_string())), e.message()))?;
        }
        Ok(())
    }

    /// HEAD's tree with the planned blobs in place; for a first commit, just them.
    pub(super) fn build_tree(
        &self,
        repo: &Repository,
        base: Option<&git2::Tree<'_>>,
        planned: &[JournalFile],
    ) -> Result<Oid> {
        let failed = |e: git2::Error| storage_error("the new tree", e.message());
        match base {
            Some(base) => {
                let mut update = TreeUpdateBuilder::new();
                for file in planned {
                    match &file.new_staged {
                        Some(id) => update.upsert(file.repo_path.as_str(), oid(id)?, FileMode::Blob),
                        None => update.remove(file.repo_path.as_str()),
                    };
                }
                update.create_updated(repo, base).map_err(failed)
            }
            None => {
                let mut first = git2::Index::new().map_err(failed)?;
                for file in planned {
                    if let Some(id) = &file.new_staged {
                        first.add(&index_entry(&file.repo_path, oid(id)?)).map_err(failed)?;
                    }
                }
                first.write_tree_to(repo).map_err(failed)
            }
        }
    }
}

/// Whether the attributes file at `path` could have git store a file other than as
/// its bytes are: it names `text`, `eol`, `crlf`, `filter`, `ident` or
/// `working-tree-encoding`, or defines a macro (which could stand for them). A file
/// that cannot be read as text is taken to convert. A register's own `.gitattributes`
/// (`merge=crs`) converts nothing, so its files are stored as written, without
/// asking git's attribute machinery file by file.
pub(super) fn attributes_may_filter(path: &Path) -> bool {
    const CONVERTING: [&str; 6] = ["text", "eol", "crlf", "filter", "ident", "working-tree-encoding"];
    let text = match fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => return true,
        },
        Err(e) => return e.kind() != std::io::ErrorKind::NotFound,
    };
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).any(|line| {
        line.starts_with("[attr]")
            || line.split_whitespace().skip(1).any(|attribute| {
                let name = attribute.trim_start_matches(['-', '!']);
                let name = name.split('=').next().unwrap_or(name);
                CONVERTING.iter().any(|c| name.eq_ignore_ascii_case(c))
            })
    })
}

/// The id git gives `bytes` as a blob, without storing them.
pub(super) fn raw_id(bytes: &[u8]) -> Oid {
    Oid::hash_object(ObjectType::Blob, bytes).unwrap_or_else(|_| Oid::zero())
}

/// A zone as git writes it: `+0100`.
pub(super) fn zone(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::attributes_may_filter;
    use std::fs;

    #[test]
    fn only_attributes_that_convert_count() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".gitattributes");
        assert!(!attributes_may_filter(&path), "no file");
        for (text, converts) in [
            ("# Records merge field by field\n*/*.toml merge=crs\n", false),
            ("*.toml -diff linguist-generated\n", false),
            ("*.toml text eol=lf\n", true),
            ("* -text\n", true),
            ("*.toml filter=lfs\n", true),
            ("[attr]records merge=crs\n", true),
            ("*.toml !ident\n", true),
            ("\"a b.toml\" filter=redact\n", true),
        ] {
            fs::write(&path, text).unwrap();
            assert_eq!(attributes_may_filter(&path), converts, "{text}");
        }
        fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(attributes_may_filter(&path), "not text");
    }

    #[test]
    fn a_blob_id_is_the_one_git_gives_the_bytes() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(super::raw_id(b"hello\n").to_string(), "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(super::raw_id(b"").to_string(), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }

    #[test]
    fn a_zone_is_written_as_git_writes_it() {
        assert_eq!(super::zone(0), "+0000");
        assert_eq!(super::zone(3600), "+0100");
        assert_eq!(super::zone(-(5 * 3600 + 30 * 60)), "-0530");
    }
}
