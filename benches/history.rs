//! Times crs's write path and audit log against plain git doing the same work, on a
//! register of 10,000 records with 2,000 commits of history:
//! `crs event` vs `git add && git commit` (as git flushes by default, and told to
//! flush what crs flushes), and `crs log ID` vs `git log -- PATH`,
//! with the commit-graph that `git gc` writes and without it.
//!
//! Run: `cargo bench --bench history`. The repository is generated once under
//! `target/bench-history/` (with git fast-import, then `git gc`) and grows by a few
//! commits a run.

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RECORDS: usize = 10_000;
const HISTORY: usize = 2_000;
const RUNS: usize = 7;
/// Marks a finished repository; a new name makes older ones be generated again.
const COMPLETE: &str = ".git/crs-bench-complete-gc";
/// The record whose log is read; every tenth generated commit touches it.
const LOGGED: &str = "RA001/service-1";

fn main() {
    let root = repository();
    let bin = env!("CARGO_BIN_EXE_crs");
    println!("{RECORDS} records, {HISTORY}+ commits; median of {RUNS} runs after one warm-up");
    let mut n = 0;
    let crs_event = median(|| {
        n += 1;
        run(&root, bin, &["event", "RA002/service-2", "review-requested", "--note", &format!("bench {n}")]);
    });
    let mut m = 0;
    let git_commit = median(|| {
        m += 1;
        let path = "RA003/service-3.toml";
        let mut file = fs::OpenOptions::new().append(true).open(root.join(path)).unwrap();
        writeln!(file, "# plain git {m}").unwrap();
        run(&root, "git", &["add", path]);
        run(&root, "git", &["commit", "-q", "-m", "plain git commit"]);
    });
    // As git flushes when told to flush what crs flushes (objects, references, index).
    let mut k = 0;
    let git_commit_flushed = median(|| {
        k += 1;
        let path = "RA004/service-4.toml";
        let mut file = fs::OpenOptions::new().append(true).open(root.join(path)).unwrap();
        writeln!(file, "# plain git, flushed {k}").unwrap();
        run(&root, "git", &["-c", "core.fsync=added", "add", path]);
        run(&root, "git", &["-c", "core.fsync=added", "commit", "-q", "-m", "plain git commit"]);
    });
    let path = format!("{LOGGED}.toml");
    let logs = || {
        [
            median(|| run(&root, bin, &["log", LOGGED])),
            median(|| run(&root, bin, &["log", LOGGED, "--format", "json"])),
            median(|| run(&root, "git", &["log", "--", &path])),
            median(|| run(&root, "git", &["log", "-p", "--", &path])),
        ]
    };
    let with_graph = logs();
    // Both crs and git read core.commitGraph from the repository's config.
    run(&root, "git", &["config", "core.commitGraph", "false"]);
    let without_graph = logs();
    run(&root, "git", &["config", "--unset", "core.commitGraph"]);

    println!("{:<40} {:>10}", "operation", "median");
    for (name, time) in [
        ("crs event (validate, write, commit)", crs_event),
        ("git add && git commit", git_commit),
        ("the same, core.fsync=added", git_commit_flushed),
    ] {
        println!("{name:<40} {:>8.1}ms", time.as_secs_f64() * 1000.0);
    }
    println!("{:<40} {:>10} {:>10}", "", "graph", "no graph");
    let names = ["crs log ID", "crs log ID --format json", "git log -- PATH", "git log -p -- PATH"];
    for ((name, with), without) in names.iter().zip(with_graph).zip(without_graph) {
        println!(
            "{name:<40} {:>8.1}ms {:>8.1}ms",
            with.as_secs_f64() * 1000.0,
            without.as_secs_f64() * 1000.0
        );
    }
}

fn median(mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn run(root: &Path, program: &str, args: &[&str]) {
    let status =
        common::hermetic(Command::new(program), root).args(args).stdout(Stdio::null()).status().unwrap();
    assert!(status.success(), "{program} {args:?} failed");
}

/// The benchmark repository, generated once.
fn repository() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-history");
    if root.join(COMPLETE).exists() {
        return root;
    }
    let _ = fs::remove_dir_all(&root);
    let source = common::register(RECORDS);
    let copied = Command::new("cp").arg("-R").arg(&source).arg(&root).status().unwrap();
    assert!(copied.success(), "cp -R {}", source.display());
    let _ = fs::remove_file(root.join(".complete"));
    run(&root, "git", &["init", "-q", "-b", "main"]);
    run(&root, "git", &["add", "-A"]);
    run(&root, "git", &["commit", "-q", "-m", "register"]);

    // 2,000 commits, each touching one record, through git fast-import.
    let mut stream = Vec::new();
    for i in 0..HISTORY {
        let index = if i % 10 == 0 { 1 } else { (i * 7919) % RECORDS };
        let provider = common::provider_code(index, RECORDS);
        let path = format!("{provider}/service-{index}.toml");
        let content = format!("{}# revision {i}\n", common::record(index, &provider));
        let message = format!("touch {path} ({i})");
        write!(
            stream,
            "commit refs/heads/main\ncommitter Bench <bench@example.org> {} +0000\n",
            1_700_000_000 + i * 60
        )
        .unwrap();
        write!(stream, "data {}\n{message}\n", message.len()).unwrap();
        if i == 0 {
            stream.extend_from_slice(b"from refs/heads/main^0\n");
        }
        write!(stream, "M 100644 inline {path}\ndata {}\n{content}\n", content.len()).unwrap();
    }
    let mut child = common::hermetic(Command::new("git"), &root)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(child.wait().unwrap().success());
    run(&root, "git", &["reset", "-q", "--hard"]);
    // As a repository that has been in use: packed, with a commit-graph.
    run(&root, "git", &["gc", "-q"]);
    fs::write(root.join(COMPLETE), "").unwrap();
    root
}
