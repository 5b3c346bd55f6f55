//! Times `crs import` of a generated legacy workbook (.xlsx, one row a record, a
//! title row, the header on row 3, real and text dates, Y/N grounds, a status) into
//! a fresh register made by `crs init`: read, mapped, validated by the one checker,
//! written and committed in one commit. Reports the median and the peak memory, and
//! the median of importing the same workbook again into the register it made: every
//! record judged against the register and its last import (one walk of history),
//! nothing written.
//!
//! Run: `cargo bench --bench import` (10,000 and 100,000 rows) or
//! `cargo bench --bench import -- 1000`; `-- --one-provider 5000 20000` gives every
//! row to one provider (time must grow linearly however the rows fall among
//! providers). Workbooks are generated once under `target/bench-import/`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

// Only the hermetic git and the provider codes are shared here.
#[allow(dead_code)]
mod common;

const MAP: &str = r#"sheet = "CRS designations"
header_row = 3
date_formats = ["%d/%m/%Y"]
[columns]
"Provider code" = "provider.ods"
"Provider" = "provider.name"
"Type" = "provider.kind"
"Service" = "service.name"
"Description" = "service.description"
"Date designated" = "decision.decided_on"
"Ground 1 (no alternative)" = "grounds.no-alternative-provider"
"Ground 2 (inequalities)" = "grounds.health-inequalities"
"Ground 3 (dependent)" = "grounds.dependent-services"
"Written request" = "event.written-request-sent"
"Status" = "status"
"Review date" = "review.next_due"
[values."provider.kind"]
"FT" = "foundation-trust"
[defaults]
"provider.licence" = "licensed"
"response" = "accepted"
"#;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![10_000, 100_000] } else { sizes };
    let one_provider = std::env::args().any(|a| a == "--one-provider");
    let bin = env!("CARGO_BIN_EXE_crs");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-import");
    fs::create_dir_all(&dir).unwrap();
    let map = dir.join("map.toml");
    fs::write(&map, MAP).unwrap();
    println!(
        "crs import of an xlsx into a fresh register, one commit; median after one warm-up{}",
        if one_provider { "; every row one provider's" } else { "" }
    );
    println!(
        "{:>8}  {:>5}  {:>10}  {:>12}  {:>12}  {:>14}  {:>10}",
        "rows", "runs", "median", "per row", "file size", "peak memory", "re-import"
    );
    // Every run imports into a register of its own, and all are deleted only when the
    // bench ends: on an ext4 file system without a journal (this VM's), a file made
    // just after thousands were deleted is several times slower to create, as the
    // kernel passes over the recently freed inodes; a team importing its sheet has
    // not just deleted a register, so the runs must not either.
    let registers = dir.join(format!("registers-{}", std::process::id()));
    let mut made = 0;
    for n in sizes {
        let file = workbook(&dir, n, one_provider);
        let runs = if n >= 100_000 { 3 } else { 5 };
        let mut again = Vec::new();
        let mut run = |measure_memory: bool| -> (Duration, Option<u64>) {
            made += 1;
            let root = registers.join(format!("{n}-{made}"));
            fresh_register(&root);
            let start = Instant::now();
            let mut cmd = if measure_memory {
                let mut c = Command::new("/usr/bin/time");
                c.args(["-f", "%M", bin]);
                c
            } else {
                Command::new(bin)
            };
            cmd.args(["--quiet", "import"]).arg(&file).arg("--map").arg(&map);
            let output =
                common::hermetic(cmd, &root).env("SOURCE_DATE_EPOCH", "1795435200").output().unwrap();
            let elapsed = start.elapsed();
            assert!(
                output.status.success(),
                "crs import failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let kib = measure_memory
                .then(|| {
                    String::from_utf8_lossy(&output.stderr).lines().last().and_then(|l| l.trim().parse().ok())
                })
                .flatten();
            if !measure_memory {
                let mut cmd = Command::new(bin);
                cmd.args(["--quiet", "import"]).arg(&file).arg("--map").arg(&map);
                let start = Instant::now();
                let output =
                    common::hermetic(cmd, &root).env("SOURCE_DATE_EPOCH", "1795435200").output().unwrap();
                again.push(start.elapsed());
                assert!(
                    output.status.success(),
                    "re-import failed: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            (elapsed, kib)
        };
        run(false);
        let mut times: Vec<Duration> = (0..runs).map(|_| run(false).0).collect();
        times.sort();
        let median = times[runs / 2];
        let peak = match Path::new("/usr/bin/time").exists() {
            true => run(true).1.map_or("n/a".to_owned(), |k| format!("{:.1} MiB", k as f64 / 1024.0)),
            false => "n/a (no /usr/bin/time)".to_owned(),
        };
        let size = fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        again.sort();
        println!(
            "{n:>8}  {runs:>5}  {:>9.3}s  {:>10.1}µs  {:>9.1} MB  {peak:>14}  {:>9.3}s",
            median.as_secs_f64(),
            median.as_secs_f64() * 1e6 / n as f64,
            size as f64 / 1e6,
            again[again.len() / 2].as_secs_f64()
        );
    }
    let _ = fs::remove_dir_all(&registers);
}

/// A register made by `crs init` in a new repository at `root`.
fn fresh_register(root: &Path) {
    fs::create_dir_all(root).unwrap();
    // A repository of its own: target/ is inside (and ignored by) crs's own.
    let git =
        common::hermetic(Command::new("git"), root).args(["init", "-q", "-b", "main"]).status().unwrap();
    assert!(git.success(), "git init failed");
    let status = common::hermetic(Command::new(env!("CARGO_BIN_EXE_crs")), root)
        .args([
            "--quiet",
            "init",
            "--commissioner-ods",
            "QKK",
            "--commissioner-name",
            "NHS South East London ICB",
            "--contact",
            "crs@selondon.icb.example",
        ])
        .env("SOURCE_DATE_EPOCH", "1795435200")
        .status()
        .unwrap();
    assert!(status.success(), "crs init failed");
}

/// The legacy workbook of `n` rows, generated once: 50 services a provider, or all
/// `n` of one provider.
fn workbook(dir: &Path, n: usize, one_provider: bool) -> PathBuf {
    let path = dir.join(format!("legacy-{n}{}.xlsx", if one_provider { "-one-provider" } else { "" }));
    if path.exists() {
        return path;
    }
    let mut book = Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory();
    sheet.set_name("CRS designations").unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    sheet.write_string(0, 0, "Commissioner Requested Services").unwrap();
    let headers = [
        "Provider code",
        "Provider",
        "Type",
        "Service",
        "Description",
        "Date designated",
        "Ground 1 (no alternative)",
        "Ground 2 (inequalities)",
        "Ground 3 (dependent)",
        "Written request",
        "Status",
        "Review date",
    ];
    for (col, heading) in headers.iter().enumerate() {
        sheet.write_string(2, col as u16, *heading).unwrap();
    }
    for i in 0..n {
        let row = 3 + i as u32;
        let provider = if one_provider { "RA000".to_owned() } else { common::provider_code(i, n) };
        sheet.write_string(row, 0, &provider).unwrap();
        sheet.write_string(row, 1, format!("Generated Example NHS Foundation Trust {provider}")).unwrap();
        sheet.write_string(row, 2, "FT").unwrap();
        sheet.write_string(row, 3, format!("Service {i}: consultant-led unit with outreach")).unwrap();
        sheet
            .write_string(row, 4, format!("Obstetric unit and midwife-led unit at the main site, number {i}"))
            .unwrap();
        sheet
            .write_datetime_with_format(row, 5, ExcelDateTime::from_ymd(2019, 3, 5).unwrap(), &date)
            .unwrap();
        sheet.write_string(row, 6, "Y").unwrap();
        sheet.write_string(row, 7, "N").unwrap();
        sheet.write_string(row, 8, "Y").unwrap();
        sheet.write_string(row, 9, "01/04/2019").unwrap();
        sheet.write_string(row, 10, "Designated").unwrap();
        sheet.write_string(row, 11, "01/02/2099").unwrap();
    }
    book.save(&path).unwrap();
    path
}
