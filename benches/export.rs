//! Times `crs export` to xlsx on generated registers of 10,000 and 100,000 records
//! (about 2.7 KB each), warm cache, and reports the median, the workbook's size and
//! the peak memory.
//!
//! Run: `cargo bench --bench export` (both sizes) or `cargo bench --bench export -- 1000`.
//! Registers are generated once under `target/bench-registers/` (shared with the
//! check bench); workbooks are written under `target/bench-export/`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::register;

const RUNS: usize = 5;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![10_000, 100_000] } else { sizes };
    let bin = env!("CARGO_BIN_EXE_crs");
    let out_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-export");
    std::fs::create_dir_all(&out_dir).unwrap();
    println!("crs export to xlsx, median of {RUNS} runs after one warm-up");
    println!(
        "{:>8}  {:>10}  {:>12}  {:>12}  {:>14}",
        "records", "median", "per record", "file size", "peak memory"
    );
    for n in sizes {
        let root = register(n);
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
        run();
        let mut times: Vec<Duration> = (0..RUNS).map(|_| run()).collect();
        times.sort();
        let median = times[RUNS / 2];
        let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        println!(
            "{n:>8}  {:>9.3}s  {:>10.1}µs  {:>9.1} MB  {:>14}",
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

/// Peak resident memory of one run, read with GNU time when it is installed.
fn peak_memory(bin: &str, root: &Path, out: &Path) -> String {
    let output = Command::new("/usr/bin/time").args(["-f", "%M", bin]).args(export_args(root, out)).output();
    match output {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stderr);
            let kib: u64 = text.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(0);
            format!("{:.1} MiB", kib as f64 / 1024.0)
        }
        _ => "n/a (no /usr/bin/time)".to_owned(),
    }
}
