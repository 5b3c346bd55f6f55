//! Times `crs check` on generated registers of 1,000, 10,000 and 100,000 records
//! (about 2.7 KB each), warm cache, and reports the median and peak memory.
//!
//! Run: `cargo bench --bench check` (all sizes) or `cargo bench --bench check -- 10000`.
//! Registers are generated once under `target/bench-registers/` and reused.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::register;

const RUNS: usize = 5;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000, 10_000, 100_000] } else { sizes };
    let bin = env!("CARGO_BIN_EXE_crs");
    println!("crs check, median of {RUNS} runs after one warm-up, {} threads", threads());
    println!("{:>8}  {:>10}  {:>12}  {:>14}", "records", "median", "per record", "peak memory");
    for n in sizes {
        let root = register(n);
        let run = || {
            let start = Instant::now();
            let status = Command::new(bin)
                .args(["--register", root.to_str().unwrap(), "check", "--format", "json", "--quiet"])
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.code() == Some(0) || status.code() == Some(1), "crs check failed");
            start.elapsed()
        };
        run();
        let mut times: Vec<Duration> = (0..RUNS).map(|_| run()).collect();
        times.sort();
        let median = times[RUNS / 2];
        let memory = peak_memory(bin, &root);
        println!(
            "{n:>8}  {:>9.3}s  {:>10.1}µs  {:>14}",
            median.as_secs_f64(),
            median.as_secs_f64() * 1e6 / n as f64,
            memory
        );
    }
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Peak resident memory of one run, read with GNU time when it is installed.
fn peak_memory(bin: &str, root: &Path) -> String {
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M", bin, "--register", root.to_str().unwrap(), "check", "--format", "json", "--quiet"])
        .stdout(std::process::Stdio::null())
        .output();
    match output {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stderr);
            let kib: u64 = text.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(0);
            format!("{:.1} MiB", kib as f64 / 1024.0)
        }
        Err(_) => "n/a (no /usr/bin/time)".to_owned(),
    }
}
