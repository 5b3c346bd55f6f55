//! Times `crs succeed` on a generated register of 10,000 records (about 2.7 KB each)
//! whose commissioner merges into a new ICB: crs.toml and every record change, each
//! decision keeps the commissioner that made it, all in one commit. The aim is under
//! 3 s. Each run starts from a fresh copy of the register, committed with git; the
//! copies are deleted only after the last run, since on ext4 without a journal a file
//! made just after thousands were deleted is slow to make (see README.md, import).
//!
//! Run: `cargo bench --bench succeed` or `cargo bench --bench succeed -- 1000`.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{hermetic, register};

const RUNS: usize = 3;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![10_000] } else { sizes };
    let bin = env!("CARGO_BIN_EXE_crs");
    println!("crs succeed QKK Z9B2Z (every record), median of {RUNS} runs, each on a fresh commit");
    println!("{:>8}  {:>10}  {:>12}", "records", "median", "per record");
    for n in sizes {
        let source = register(n);
        let mut times = Vec::new();
        let mut copies = Vec::new();
        for run in 0..RUNS {
            let dir = tempfile::Builder::new().prefix("crs-bench-succeed").tempdir().unwrap();
            let root = dir.path().join("register");
            copy_dir(&source, &root);
            git(&root, &["init", "-q", "-b", "main"]);
            git(&root, &["add", "-A"]);
            git(&root, &["commit", "-q", "-m", "the register"]);
            let start = Instant::now();
            let out = hermetic(Command::new(bin), &root)
                .args(["succeed", "QKK", "Z9B2Z", "--on", "2026-04-01", "--name", "NHS South London ICB"])
                .output()
                .unwrap();
            let took = start.elapsed();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            if run == 0 {
                let count = git(&root, &["rev-list", "--count", "HEAD"]);
                assert_eq!(count.trim(), "2", "one commit");
                let changed = git(&root, &["show", "--name-only", "--format=", "HEAD"]);
                assert_eq!(changed.lines().count(), n + 1, "every record and crs.toml");
            }
            times.push(took);
            copies.push(dir);
        }
        drop(copies);
        times.sort();
        let median = times[RUNS / 2];
        println!("{n:>8}  {:>9.2}s  {:>10.1}µs", median.as_secs_f64(), median.as_secs_f64() * 1e6 / n as f64);
        if n == 10_000 && median > Duration::from_secs(3) {
            println!("  over the 3 s aim");
        }
    }
}

fn git(root: &Path, args: &[&str]) -> String {
    let out = hermetic(Command::new("git"), root).args(args).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == ".complete" {
            continue;
        }
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}
