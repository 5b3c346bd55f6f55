//! Times `crs merge-file`, the merge driver git runs for a record, on a record of
//! 1,000 events (a realistic record, with an event a day before its own) whose two sides each
//! added an event and changed a different field: the whole program as git runs
//! it, reading the three versions, merging by meaning, checking the merged record
//! with the one checker in its register and writing the result. The aim is under
//! 50 ms. One warm-up run, then the median of 11.
//!
//! Run: `cargo bench --bench merge` or `cargo bench --bench merge -- 5000`.

#[allow(dead_code)]
mod common;

use std::fmt::Write;
use std::fs;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{hermetic, record};

const RUNS: usize = 11;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000] } else { sizes };
    let bin = env!("CARGO_BIN_EXE_crs");
    println!("crs merge-file on a record of N events, both sides changed, median of {RUNS} runs");
    println!("{:>8}  {:>10}  {:>8}", "events", "median", "KB");
    for n in sizes {
        let dir = tempfile::Builder::new().prefix("crs-bench-merge").tempdir().unwrap();
        let root = dir.path().join("register");
        fs::create_dir_all(root.join("RA001")).unwrap();
        fs::write(
            root.join("crs.toml"),
            "schema_version = 1\nframework = \"monitor-2013\"\n\n[commissioner]\nods = \"QKK\"\nname = \"NHS South East London ICB\"\ncontact = \"crs@selondon.icb.example\"\n",
        )
        .unwrap();
        let base = with_events(&record(1, "RA001"), n);
        let event = |on: &str| {
            format!("\n[[events]]\non = {on}\nkind = \"public-engagement\"\nnote = \"Added on one side\"\n")
        };
        let ours = format!("{base}{}", event("2026-10-01"))
            .replace("Service 1: consultant-led", "Service 1: consultant-led (ours)");
        let theirs = format!("{base}{}", event("2026-10-02"))
            .replace("next_due = 2099-02-01", "next_due = 2098-02-01");
        fs::write(dir.path().join("base.toml"), &base).unwrap();
        fs::write(dir.path().join("theirs.toml"), &theirs).unwrap();
        let mut times = Vec::new();
        for run in 0..=RUNS {
            fs::write(dir.path().join("ours.toml"), &ours).unwrap();
            let start = Instant::now();
            let out = hermetic(Command::new(bin), &root)
                .args([
                    "merge-file",
                    "../base.toml",
                    "../ours.toml",
                    "../theirs.toml",
                    "RA001/service-1.toml",
                ])
                .output()
                .unwrap();
            let took = start.elapsed();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let merged = fs::read_to_string(dir.path().join("ours.toml")).unwrap();
            assert!(
                merged.contains("2026-10-01")
                    && merged.contains("2026-10-02")
                    && merged.contains("2098-02-01")
            );
            assert!(merged.contains("(ours)"));
            if run > 0 {
                times.push(took);
            }
        }
        times.sort();
        let median = times[RUNS / 2];
        println!("{n:>8}  {:>8.1}ms  {:>8}", median.as_secs_f64() * 1e3, base.len() / 1024);
        if n == 1_000 && median > Duration::from_millis(50) {
            println!("  over the 50 ms aim");
        }
    }
}

/// `record` with `n` events in all: its own four, after an event a day from
/// 1 November 2021 (each with a note), in date order.
fn with_events(record: &str, n: usize) -> String {
    let own = record.find("[[events]]").unwrap();
    let mut text = record[..own].to_owned();
    let start = chrono::NaiveDate::from_ymd_opt(2021, 11, 1).unwrap();
    for i in 0..n.saturating_sub(4) {
        let on = start + chrono::Days::new(i as u64);
        let _ = write!(
            text,
            "[[events]]\non = {on}\nkind = \"public-engagement\"\nnote = \"Meeting {i} with the public\"\n\n"
        );
    }
    text.push_str(&record[own..]);
    text
}
