//! `Created`: what `crs init` is about to create on disk — folders, a git repository,
//! files — noted before it creates them, so that when init fails it removes them
//! again and leaves the disk as it found it. Only what was absent when noted is ever
//! removed, and a folder only when it is empty.

use std::path::{Path, PathBuf};

/// Things made on disk by a command that may yet fail.
#[derive(Debug, Default)]
pub struct Created {
    /// Folders that did not exist, outermost first.
    folders: Vec<PathBuf>,
    /// Files that did not exist.
    files: Vec<PathBuf>,
    /// A git folder made for a new repository.
    repository: Option<PathBuf>,
}

impl Created {
    /// Notes `dir` and those of its ancestors that do not exist yet: call it before
    /// creating the folder.
    pub fn folder(&mut self, dir: &Path) {
        let missing: Vec<PathBuf> = dir
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
            .map(Path::to_path_buf)
            .collect();
        for folder in missing.into_iter().rev() {
            if !self.folders.contains(&folder) {
                self.folders.push(folder);
            }
        }
    }

    /// Notes the git folder of a repository just made.
    pub fn repository(&mut self, git_dir: PathBuf) {
        self.repository = Some(git_dir);
    }

    /// Notes a file about to be written at `path`, if it is absent, and the folders
    /// it needs.
    pub fn file(&mut self, path: &Path) {
        if let Some(parent) = path.parent() {
            self.folder(parent);
        }
        if !path.exists() && !self.files.iter().any(|f| f == path) {
            self.files.push(path.to_path_buf());
        }
    }

    /// Removes what was noted: the files, the repository, then each folder left
    /// empty, innermost first. Best effort: what cannot be removed stays.
    pub fn remove(self) {
        for file in &self.files {
            let _ = std::fs::remove_file(file);
        }
        if let Some(git_dir) = &self.repository {
            let _ = std::fs::remove_dir_all(git_dir);
        }
        for folder in self.folders.iter().rev() {
            // remove_dir refuses a folder that is not empty: nothing else is lost.
            let _ = std::fs::remove_dir(folder);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Created;

    #[test]
    fn removes_only_what_was_absent_and_folders_only_when_empty() {
        let tmp = tempfile::tempdir().unwrap();
        let kept = tmp.path().join("kept.txt");
        std::fs::write(&kept, "mine").unwrap();
        let dir = tmp.path().join("a/b");
        let mut created = Created::default();
        created.folder(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        created.repository(dir.join(".git"));
        std::fs::create_dir_all(dir.join(".git/objects")).unwrap();
        created.file(&dir.join(".github/workflows/crs.yml"));
        created.file(&kept);
        std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
        std::fs::write(dir.join(".github/workflows/crs.yml"), "on: push").unwrap();
        created.remove();
        assert!(!tmp.path().join("a").exists());
        assert_eq!(std::fs::read_to_string(&kept).unwrap(), "mine");

        // A folder that holds something else stays.
        let mut created = Created::default();
        let dir = tmp.path().join("c");
        created.folder(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("other.txt"), "theirs").unwrap();
        created.remove();
        assert!(dir.join("other.txt").exists());
    }
}
