//! `TestEnv`: a register in a temp dir and a hermetic way to run the built `crs`
//! binary on it (fixed clock, no colour, no user git config), with the result as one
//! snapshot-friendly text.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// 2026-11-23 12:00:00 UTC: "today" in every test.
pub const NOW_EPOCH: &str = "1795435200";

/// Settings every test register starts with.
pub const SETTINGS: &str = r#"schema_version = 1
framework = "monitor-2013"

[commissioner]
ods = "QKK"
name = "NHS South East London ICB"
contact = "crs@selondon.icb.example"
"#;

/// The repository's own folder, for its examples and sample register.
pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A valid designated record, for tests to place or alter.
pub fn designated_record() -> String {
    fs::read_to_string(repo_dir().join("examples/records/valid/RJ1/designated.toml")).unwrap()
}

pub struct TestEnv {
    dir: TempDir,
    pub root: PathBuf,
}

impl TestEnv {
    /// A register with the default settings and no records.
    pub fn new() -> TestEnv {
        let env = TestEnv::empty();
        env.write("crs.toml", SETTINGS);
        env
    }

    /// An empty folder: no crs.toml.
    pub fn empty() -> TestEnv {
        let dir = tempfile::Builder::new().prefix("crs-test").tempdir().unwrap();
        let root = dir.path().join("register");
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(dir.path().join("home")).unwrap();
        TestEnv { dir, root }
    }

    /// A register holding a copy of `folder` of this repository.
    pub fn copy_of(folder: &str) -> TestEnv {
        let env = TestEnv::empty();
        copy_dir(&repo_dir().join(folder), &env.root);
        env
    }

    /// Writes `contents` at `path` below the register root.
    pub fn write(&self, path: &str, contents: impl AsRef<[u8]>) -> &TestEnv {
        let full = self.root.join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, contents).unwrap();
        self
    }

    /// Reads a file below the register root.
    pub fn read(&self, path: &str) -> String {
        fs::read_to_string(self.root.join(path)).unwrap()
    }

    /// The temp dir around the register (for paths outside it).
    pub fn outside(&self) -> &Path {
        self.dir.path()
    }

    /// A `crs` command with a hermetic environment, run in the register root.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_crs"));
        cmd.args(args)
            .current_dir(&self.root)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path().join("home"))
            .env("SOURCE_DATE_EPOCH", NOW_EPOCH)
            .env("TZ", "UTC")
            .env("NO_COLOR", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Ann Analyst")
            .env("GIT_AUTHOR_EMAIL", "ann.analyst@icb.example")
            .env("GIT_AUTHOR_DATE", "2026-11-23T12:00:00Z")
            .env("GIT_COMMITTER_NAME", "Ann Analyst")
            .env("GIT_COMMITTER_EMAIL", "ann.analyst@icb.example")
            .env("GIT_COMMITTER_DATE", "2026-11-23T12:00:00Z");
        cmd
    }

    /// Runs `git args…` in the register root with the same hermetic identity and
    /// clock as crs; panics when git fails. Returns its stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let crs = self.command(&[]);
        let hermetic: Vec<(std::ffi::OsString, std::ffi::OsString)> =
            crs.get_envs().filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))).collect();
        let output = Command::new("git")
            .args(args)
            .current_dir(&self.root)
            .env_clear()
            .envs(hermetic)
            .output()
            .unwrap();
        assert!(output.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Makes the register a git repository and commits everything in it.
    pub fn git_init(&self) -> &TestEnv {
        self.git(&["init", "-q", "-b", "main"]);
        self.commit_all("register");
        self
    }

    /// Commits every change in the register.
    pub fn commit_all(&self, message: &str) -> &TestEnv {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self
    }

    /// Deletes a file below the register root.
    pub fn remove(&self, path: &str) -> &TestEnv {
        fs::remove_file(self.root.join(path)).unwrap();
        self
    }

    /// Runs `crs args…` and collects what it did.
    pub fn crs(&self, args: &[&str]) -> Run {
        let output = self.command(args).output().unwrap();
        let clean = |bytes: &[u8]| {
            String::from_utf8_lossy(bytes)
                .replace(&self.root.display().to_string(), "[ROOT]")
                .replace(&self.dir.path().display().to_string(), "[TMP]")
        };
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: clean(&output.stdout),
            stderr: clean(&output.stderr),
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// What a run of crs did: exit code, stdout and stderr.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "exit: {}", self.code)?;
        writeln!(f, "--- stdout")?;
        write!(f, "{}", self.stdout)?;
        writeln!(f, "--- stderr")?;
        write!(f, "{}", self.stderr)
    }
}
