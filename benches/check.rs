//! Times `crs check` on generated registers of 1,000, 10,000 and 100,000 records
//! (about 2.7 KB each), warm cache, and reports the median and peak memory: without
//! an organisation cache, then with one (imported with `crs orgs import` from
//! generated ODS files of about the size of the real ones) that knows every code.
//!
//! Beside it, the floor no checker can beat: reading every record and parsing it
//! with the `toml` crate on as many threads as crs uses, nothing else; and `crs due`,
//! which reads the same records.
//!
//! Run: `cargo bench --bench check` (all sizes) or `cargo bench --bench check -- 10000`.
//! Registers are generated once under `target/bench-registers/` and reused.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::provider_code;

const RUNS: usize = 5;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000, 10_000, 100_000] } else { sizes };
    let bin = env!("CARGO_BIN_EXE_crs");
    println!("crs check, median of {RUNS} runs after one warm-up, {} threads", threads());
    println!(
        "{:>8}  {:>18}  {:>10}  {:>12}  {:>14}",
        "records", "organisation cache", "median", "per record", "peak memory"
    );
    for n in sizes {
        let root = common::register(n);
        if !root.join(".crs").exists() && !root.join(".crs-off").exists() {
            import_orgs(n, &root);
        }
        let cache = root.join(".crs");
        let off = root.join(".crs-off");
        if off.exists() && !cache.exists() {
            fs::rename(&off, &cache).unwrap(); // left so by an interrupted run
        }
        // Without the cache, then with it: the difference is what checking
        // organisation codes costs.
        for with_cache in [false, true] {
            if with_cache {
                fs::rename(&off, &cache).unwrap();
            } else {
                fs::rename(&cache, &off).unwrap();
            }
            let median = time(bin, &root);
            let memory = peak_memory(bin, &root);
            let label = if with_cache { cache_size(&cache) } else { "none".to_owned() };
            println!(
                "{n:>8}  {label:>18}  {:>9.3}s  {:>10.1}µs  {:>14}",
                median.as_secs_f64(),
                median.as_secs_f64() * 1e6 / n as f64,
                memory
            );
            if with_cache {
                let floor = median_of(|| toml_parse_floor(&root));
                let due =
                    median_of(|| run_crs(bin, &root, &["due", "--within", "36500", "--format", "json"]));
                println!(
                    "{n:>8}  {:>18}  {:>9.3}s  check is {:.2}x the floor",
                    "toml parse floor",
                    floor.as_secs_f64(),
                    median.as_secs_f64() / floor.as_secs_f64()
                );
                println!(
                    "{n:>8}  {:>18}  {:>9.3}s  {:.2}x crs check",
                    "crs due",
                    due.as_secs_f64(),
                    due.as_secs_f64() / median.as_secs_f64()
                );
            }
        }
    }
}

/// The median of `RUNS` timings of `f`, after one warm-up.
fn median_of(f: impl Fn() -> Duration) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..RUNS).map(|_| f()).collect();
    times.sort();
    times[RUNS / 2]
}

/// Runs crs with `args` on `root` and times it.
fn run_crs(bin: &str, root: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    let status = Command::new(bin)
        .args(["--register", root.to_str().unwrap()])
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "crs {args:?} failed");
    start.elapsed()
}

/// Reading every record of `root` and parsing it as TOML, on as many threads as
/// crs uses, and nothing more: the floor under any check of the same files.
fn toml_parse_floor(root: &Path) -> Duration {
    let start = Instant::now();
    let mut files = Vec::new();
    for provider in fs::read_dir(root).unwrap().flatten().filter(|e| e.path().is_dir()) {
        if provider.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        files.extend(fs::read_dir(provider.path()).unwrap().flatten().map(|e| e.path()));
    }
    let threads = threads();
    let chunk = files.len().div_ceil(threads).max(1);
    let parsed: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .filter(|path| {
                            let text = fs::read_to_string(path).unwrap();
                            text.parse::<toml::Table>().is_ok()
                        })
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(parsed, files.len());
    start.elapsed()
}

/// The median time of `crs check` on `root`, after a warm-up run.
fn time(bin: &str, root: &Path) -> Duration {
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
    times[RUNS / 2]
}

/// How many organisations the cache holds, for the report.
fn cache_size(cache: &Path) -> String {
    let lines = fs::read_to_string(cache.join("orgs.csv")).map_or(0, |t| t.lines().count().saturating_sub(1));
    format!("{lines} orgs")
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

/// Writes ODS files that know every code of the generated register, with about as
/// many trusts and sites as the real files list, and imports them with
/// `crs orgs import` into the register's organisation cache.
fn import_orgs(n: usize, root: &Path) {
    let dir = root.with_file_name(format!("ods-{n}"));
    fs::create_dir_all(&dir).unwrap();
    let row = |code: &str, name: &str, parent: &str| {
        let mut fields = vec![String::new(); 27];
        fields[0] = code.to_owned();
        fields[1] = name.to_owned();
        fields[2] = "Y56".to_owned();
        fields[3] = "QKK".to_owned();
        fields[9] = "SE1 7EH".to_owned();
        fields[10] = "19930401".to_owned();
        fields[14] = parent.to_owned();
        fields[21] = "1".to_owned();
        fields[23] = "H".to_owned();
        fields.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(",") + "\r\n"
    };
    let mut providers: Vec<String> = (0..(n / 50).max(1)).map(|i| provider_code(i, n)).collect();
    providers.sort();
    providers.dedup();
    let (mut etr, mut ets) = (String::new(), String::new());
    for code in &providers {
        etr.push_str(&row(code, &format!("GENERATED EXAMPLE NHS FOUNDATION TRUST {code}"), ""));
        ets.push_str(&row(code, &format!("MAIN SITE OF {code}"), code));
    }
    for i in 0..250 {
        etr.push_str(&row(&format!("T{i:02}"), &format!("OTHER NHS TRUST {i}"), ""));
    }
    for i in 0..20_000 {
        ets.push_str(&row(&format!("S{i:04}"), &format!("OTHER SITE {i}"), ""));
    }
    let eother = ["QKK", "QMF", "QWE"]
        .iter()
        .map(|c| row(c, &format!("NHS {c} INTEGRATED CARE BOARD"), ""))
        .collect::<String>()
        .replace("NHS QKK INTEGRATED", "NHS SOUTH EAST LONDON INTEGRATED");
    fs::write(dir.join("etr.csv"), etr).unwrap();
    fs::write(dir.join("ets.csv"), ets).unwrap();
    fs::write(dir.join("eother.csv"), eother).unwrap();
    // The import is a commit: give the generated register a repository of its own,
    // or git would find this project's repository around target/ and commit there.
    if !root.join(".git").exists() {
        let init =
            common::hermetic(Command::new("git"), root).args(["init", "-q", "-b", "main"]).status().unwrap();
        assert!(init.success(), "git init {}", root.display());
    }
    let status = common::hermetic(Command::new(env!("CARGO_BIN_EXE_crs")), root)
        .args(["--register", root.to_str().unwrap(), "--quiet", "orgs", "import"])
        .args(["etr.csv", "ets.csv", "eother.csv"].map(|f| dir.join(f)))
        .status()
        .unwrap();
    assert!(status.success(), "crs orgs import failed");
}
