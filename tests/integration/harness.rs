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
    /// The moment git records for commits, `YYYY-MM-DDTHH:MM:SSZ`.
    git_date: std::cell::RefCell<String>,
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
        TestEnv { dir, root, git_date: std::cell::RefCell::new("2026-11-23T12:00:00Z".to_owned()) }
    }

    /// A register made by `crs init` in a new git repository.
    pub fn git() -> TestEnv {
        let env = TestEnv::empty();
        env.at("2025-12-01");
        let run = env.crs(&[
            "init",
            "--commissioner-ods",
            "QKK",
            "--commissioner-name",
            "NHS South East London ICB",
            "--contact",
            "crs@selondon.icb.example",
        ]);
        assert_eq!(run.code, 0, "{run}");
        env.at("2026-11-23");
        env
    }

    /// Makes the register a git repository with everything in it committed.
    pub fn committed(self) -> TestEnv {
        self.git_init();
        self
    }

    /// A register made by `crs init` in the folder `register/` of a larger git
    /// repository, and what init said.
    pub fn in_a_larger_repository() -> (TestEnv, Run) {
        let env = TestEnv::empty();
        env.init_outer_repository();
        env.at("2025-12-01");
        let init = env.crs(&[
            "init",
            "--commissioner-ods",
            "QKK",
            "--commissioner-name",
            "ICB",
            "--contact",
            "a@b.example",
        ]);
        assert_eq!(init.code, 0, "{init}");
        (env, init)
    }

    /// Makes the folder around the register a git repository, so the register is a
    /// folder inside a larger repository.
    pub fn init_outer_repository(&self) {
        let status = Command::new("git")
            .args(["init", "-q", "-b", "main"])
            .current_dir(self.dir.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Makes git record later commits at noon UTC on `day` (`YYYY-MM-DD`).
    pub fn at(&self, day: &str) -> &TestEnv {
        *self.git_date.borrow_mut() = format!("{day}T12:00:00Z");
        self
    }

    /// Runs `crs args…` with its address space limited to `bytes` (util-linux's
    /// `prlimit`) and its time to `seconds` (coreutils' `timeout`, exit 124): an
    /// allocation beyond the limit fails and crs aborts, rather than taking the
    /// machine's memory. What it did, and how long it took.
    pub fn crs_within(&self, bytes: u64, seconds: u32, args: &[&str]) -> (Run, std::time::Duration) {
        let mut command = self.hermetic(Command::new("timeout"));
        command
            .args(["-s", "KILL", &seconds.to_string(), "prlimit", &format!("--as={bytes}"), "--"])
            .arg(env!("CARGO_BIN_EXE_crs"))
            .args(args);
        let started = std::time::Instant::now();
        let run = self.collect(command);
        (run, started.elapsed())
    }

    /// Runs `crs args…` with the variables `vars` added, unable to make any file
    /// larger than `bytes` (util-linux's `prlimit --fsize`, with the signal that would
    /// kill it ignored): a write past that fails as on a full disk.
    pub fn crs_with_files_up_to(&self, bytes: u64, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let mut command = self.hermetic(Command::new("sh"));
        command
            .args(["-c", "trap '' XFSZ; exec prlimit --fsize=\"$0\" -- \"$@\"", &bytes.to_string()])
            .arg(env!("CARGO_BIN_EXE_crs"))
            .args(args)
            .envs(vars.iter().copied());
        self.collect(command)
    }

    /// Runs plain git in the register, hermetically; panics when it fails.
    pub fn git_cmd(&self, args: &[&str]) -> String {
        let output = self.hermetic(Command::new("git")).args(args).output().unwrap();
        assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs plain git in the register, hermetically; whether it succeeded.
    pub fn git_succeeds(&self, args: &[&str]) -> bool {
        self.hermetic(Command::new("git")).args(args).output().unwrap().status.success()
    }

    /// Commits everything in the register by hand with plain git.
    pub fn commit_all(&self, message: &str) -> &TestEnv {
        self.git_cmd(&["add", "-A", "."]);
        self.git_cmd(&["commit", "-q", "--allow-empty", "-m", message]);
        self
    }

    /// How many commits HEAD has.
    pub fn commit_count(&self) -> usize {
        self.git_cmd(&["rev-list", "--count", "HEAD"]).trim().parse().unwrap()
    }

    /// A clone of the repository at `remote` (a bare one, as a team shares), made
    /// by plain git in a temp dir of its own: another analyst's register.
    pub fn clone_of(remote: &Path) -> TestEnv {
        let env = TestEnv::empty();
        env.git_cmd(&["clone", "-q", &remote.display().to_string(), "."]);
        env
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
        let mut cmd = self.hermetic(Command::new(env!("CARGO_BIN_EXE_crs")));
        cmd.args(args);
        cmd
    }

    fn hermetic(&self, mut cmd: Command) -> Command {
        let date = self.git_date.borrow().clone();
        cmd.current_dir(&self.root)
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
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_NAME", "Ann Analyst")
            .env("GIT_COMMITTER_EMAIL", "ann.analyst@icb.example")
            .env("GIT_COMMITTER_DATE", &date);
        cmd
    }

    /// Makes the register a git repository and commits everything in it.
    pub fn git_init(&self) -> &TestEnv {
        self.git_cmd(&["init", "-q", "-b", "main"]);
        self.commit_all("register");
        self
    }

    /// Deletes a file below the register root.
    pub fn remove(&self, path: &str) -> &TestEnv {
        fs::remove_file(self.root.join(path)).unwrap();
        self
    }

    /// Runs `crs args…` and collects what it did.
    pub fn crs(&self, args: &[&str]) -> Run {
        self.crs_with(args, &[])
    }

    /// Runs `crs args…` with the environment variables `vars` added.
    pub fn crs_with(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        self.crs_in(args, vars, &[])
    }

    /// Runs `crs args…` with the variables `vars` added and those named in `unset`
    /// removed from the hermetic environment.
    pub fn crs_in(&self, args: &[&str], vars: &[(&str, &str)], unset: &[&str]) -> Run {
        let mut command = self.command(args);
        command.envs(vars.iter().copied());
        for name in unset {
            command.env_remove(name);
        }
        self.collect(command)
    }

    /// Runs plain `git args…` in the register with the variables `vars` added and
    /// those named in `unset` removed; what it did, succeeding or not.
    pub fn git_in(&self, args: &[&str], vars: &[(&str, &str)], unset: &[&str]) -> Run {
        let mut command = self.hermetic(Command::new("git"));
        command.args(args).envs(vars.iter().copied());
        for name in unset {
            command.env_remove(name);
        }
        self.collect(command)
    }

    fn collect(&self, mut command: Command) -> Run {
        let output = command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
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

impl Drop for TestEnv {
    /// Every scenario leaves a repository that git itself finds sound.
    fn drop(&mut self) {
        if std::thread::panicking() || !self.root.join(".git").exists() {
            return;
        }
        let output =
            self.hermetic(Command::new("git")).args(["fsck", "--strict", "--no-dangling"]).output().unwrap();
        let report =
            String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success() && report.trim().is_empty(), "git fsck: {report}");
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

/// Assesses every stage of `id` on `on`, stage N met when `met[N - 1]`: the
/// assessment a decision after an earlier one needs of its own.
pub fn assess_all(env: &TestEnv, id: &str, on: &str, met: [bool; 4]) {
    for (number, met) in (1..=4).zip(met) {
        let stage = number.to_string();
        let verdict = if met { "--met" } else { "--not-met" };
        let rationale = format!("reassessed on {on}");
        let run = env.crs(&["assess", id, "--stage", &stage, verdict, "--rationale", &rationale, "--on", on]);
        assert_eq!(run.code, 0, "crs assess {id} --stage {stage}\n{run}");
    }
}
