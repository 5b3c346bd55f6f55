//! Times `crs export` to xlsx on generated registers of 10,000 and 100,000 records
//! (about 2.7 KB each), warm cache, and reports the median time, the workbook's size
//! and the median peak memory (of three runs under GNU time), with the load average
//! before it starts (the machine is shared). Each size twice: a first submission (a
//! plain folder, every record added), and a register in git after a submission, with
//! 1% of its records changed since (the usual monthly export).
//!
//! Run: `cargo bench --bench export` (both sizes) or `cargo bench --bench export -- 1000`;
//! `-- 100000 first` (or `after`) runs only that case.
//! Registers are generated once under `target/bench-registers/` (shared with the
//! check bench); workbooks are written under `target/bench-export/`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::register;

const RUNS: usize = 3;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![10_000, 100_000] } else { sizes };
    let only: Option<String> = std::env::args().skip(1).find(|a| a == "first" || a == "after");
    let bin = env!("CARGO_BIN_EXE_crs");
    let out_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-export");
    std::fs::create_dir_all(&out_dir).unwrap();
    println!("crs export to xlsx, median of {RUNS} runs after one warm-up");
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average before: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    println!(
        "{:>8}  {:<18}  {:>10}  {:>12}  {:>12}  {:>14}",
        "records", "register", "median", "per record", "file size", "peak memory"
    );
    let cases = sizes.iter().flat_map(|&n| {
        let first = only.as_deref() != Some("after");
        let after = only.as_deref() != Some("first");
        let first = first.then(|| (n, "first submission", register(n)));
        let after = after.then(|| (n, "after a submission", submitted(n)));
        first.into_iter().chain(after)
    });
    for (n, case, root) in cases {
        let out = out_dir.join(format!("{n}.xlsx"));
        let run = || {
            let start = Instant::now();
            let status = Command::new(bin)
                .args(export_args(&root, &out))
                .env("SOURCE_DATE_EPOCH", "1795435200")
                .status()
                .unwrap();
            assert_eq!(status.code(), Some(0), "crs export failed");
            start.elapsed()
        };
        if case == "after a submission" {
            // The export sees the changes, and only them.
            let mut args = export_args(&root, &out);
            args.retain(|a| a != "--quiet");
            let output = Command::new(bin).args(args).output().unwrap();
            let said = String::from_utf8_lossy(&output.stderr);
            assert!(said.contains(&format!(": 0 added, {} changed, 0 removed", n / 100)), "{said}");
        }
        run();
        let mut times: Vec<Duration> = (0..RUNS).map(|_| run()).collect();
        times.sort();
        let median = times[RUNS / 2];
        let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        println!(
            "{n:>8}  {case:<18}  {:>9.3}s  {:>10.1}µs  {:>9.1} MB  {:>14}",
            median.as_secs_f64(),
            median.as_secs_f64() * 1e6 / n as f64,
            size as f64 / 1e6,
            peak_memory(bin, &root, &out)
        );
    }
}

fn export_args(root: &Path, out: &Path) -> Vec<String> {
    ["--register", root.to_str().unwrap(), "--quiet", "export", "-o", out.to_str().unwrap()]
        .map(String::from)
        .to_vec()
}

/// The median peak resident memory of `RUNS` runs ("Maximum resident set size" of
/// GNU `time -v`), when GNU time is installed.
fn peak_memory(bin: &str, root: &Path, out: &Path) -> String {
    let mut peaks = Vec::new();
    for _ in 0..RUNS {
        let output = Command::new("/usr/bin/time").args(["-v", bin]).args(export_args(root, out)).output();
        let output = match output {
            Ok(output) if output.status.success() => output,
            _ => return "n/a (no /usr/bin/time)".to_owned(),
        };
        let text = String::from_utf8_lossy(&output.stderr);
        let kib: Option<u64> = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
            .and_then(|v| v.trim().parse().ok());
        peaks.push(kib.unwrap_or(0));
    }
    peaks.sort_unstable();
    format!("{:.1} MiB", peaks[RUNS / 2] as f64 / 1024.0)
}

/// The register of `n` records in a git repository of its own, with a submission
/// tagged and 1% of the records changed since; generated once.
fn submitted(n: usize) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-registers")
        .join(format!("submitted-{n}"));
    let done = root.join(".git/crs-bench-complete");
    if done.exists() {
        return root;
    }
    let _ = fs::remove_dir_all(&root);
    let copied = Command::new("cp").arg("-R").arg(register(n)).arg(&root).status().unwrap();
    assert!(copied.success());
    fs::remove_file(root.join(".complete")).unwrap();
    // The check bench may have given the register a repository already (for its
    // organisation cache); the copy keeps that history.
    if !root.join(".git").exists() {
        git(&root, &["init", "-q", "-b", "main"]);
    }
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "the register"]);
    git(&root, &["tag", "-a", "crs/submission/2026-05-01", "-m", "submitted"]);
    for i in (0..n).step_by(100) {
        let path = root.join(common::provider_code(i, n)).join(format!("service-{i}.toml"));
        let text =
            fs::read_to_string(&path).unwrap().replace("next_due = 2099-02-01", "next_due = 2099-03-01");
        fs::write(path, text).unwrap();
    }
    git(&root, &["commit", "-q", "-a", "-m", "reviews moved"]);
    git(&root, &["gc", "-q"]);
    fs::write(done, "").unwrap();
    root
}

fn git(root: &Path, args: &[&str]) {
    let status = common::hermetic(Command::new("git"), root).args(args).status().unwrap();
    assert!(status.success(), "git {args:?}");
}
