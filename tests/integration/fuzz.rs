//! No workbook makes `crs import` panic, abort or hang: 1,000 workbooks (others
//! with `CRS_FUZZ_FROM=N CRS_FUZZ_CASES=M`: cases N to N+M), each a valid one
//! mutated from a fixed seed (cell references, cell types and values, the sheet's
//! dimension, merged regions, repeated rows and cells, flipped bytes in a part or in
//! the zip, parts left out, the zip cut short), each imported by the built crs with
//! its address space and time capped. Every run must end with exit 0, 1 or 2 and
//! say nothing of a panic, and none may reach the panic crs catches in the reader
//! (the guard should have refused it first). A failing workbook is kept under the
//! target folder's `fuzz-failures/`, named for its case.

use std::fs;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::harness::TestEnv;
use crate::hostile::{ADDRESS_SPACE, MAP, ods, ods_row, rezip, workbook};

/// A small deterministic generator (splitmix64): the same cases on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The valid workbooks the cases start from: shared text, inline text (a sheet
/// written with constant memory), every kind of cell with a merged title, and an
/// `.ods`.
fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let shared = workbook(|_| {});
    let inline = {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet_with_constant_memory();
        sheet.set_name("Register").unwrap();
        for (col, heading) in
            ["Provider code", "Provider", "Type", "Service", "Description", "Status"].iter().enumerate()
        {
            sheet.write_string(0, col as u16, *heading).unwrap();
        }
        for row in 1..6u32 {
            for (col, text) in ["RJ1", "Guy's", "FT", "Maternity", "Unit", "draft"].iter().enumerate() {
                sheet.write_string(row, col as u16, format!("{text}{row}")).unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    };
    let mixed = workbook(|sheet| {
        let title = Format::new();
        sheet.merge_range(8, 0, 8, 5, "Notes under the table", &title).unwrap();
        sheet.write_number(4, 0, 10.0).unwrap();
        sheet.write_boolean(4, 1, true).unwrap();
        let date = Format::new().set_num_format("dd/mm/yyyy");
        sheet.write_datetime_with_format(4, 2, ExcelDateTime::from_ymd(2019, 3, 14).unwrap(), &date).unwrap();
        sheet.write_formula(4, 3, "=1/0").unwrap();
        sheet.write_string(4, 4, "text").unwrap();
    });
    let headers = ["Provider code", "Provider", "Type", "Service", "Description", "Status"];
    let rows = format!(
        "{}{}{}",
        ods_row(&headers),
        ods_row(&["RJ1", "Guy's", "FT", "Maternity", "Unit", "draft"]),
        r#"<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="3" office:value-type="float" office:value="1"/><table:table-cell/></table:table-row><table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="3"/>b</text:p><text:p>c</text:p></table:table-cell><table:table-cell table:formula="of:=1+1" office:value-type="float" office:value="2"/></table:table-row>"#
    );
    vec![("xlsx", shared), ("xlsx", inline), ("xlsx", mixed), ("ods", ods(&rows))]
}

const REFS: &[&str] = &[
    "XFD1048576",
    "IV1048576",
    "A1048576",
    "XFD1",
    "XFE1",
    "A1048577",
    "A0",
    "1A",
    "ZZZZ1",
    "A99999999999",
    "A0000000001",
    "a1",
    "B2:C3",
    "",
    "A-1",
    "$A$1",
    "AB12",
    "C3",
    "Z100",
    "é1",
];
const TYPES: &[&str] = &["s", "n", "b", "e", "str", "inlineStr", "d", "x", ""];
const VALUES: &[&str] = &[
    "99999",
    "-1",
    "abc",
    "1e308",
    "",
    "0",
    "18446744073709551616",
    "4294967295",
    "&#49;",
    "#REF!",
    "2019-03-14",
    "NaN",
    "1.5",
    "   7",
];
const RANGES: &[&str] =
    &["A1:XFD1048576", "B2:A1", "A1:A1:A1", "ZZZ", "", "A1", "A2:A1", "XFE1:XFE2", "A1:IV65536", "A0:B2"];
const COUNTS: &[&str] =
    &["0", "1", "2", "1000", "1048576", "16384", "4294967296", "18446744073709551615", "-1", "abc", "&#57;9"];

/// One mutation of `bytes` (a workbook of `kind`), described.
fn mutate(rng: &mut Rng, kind: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let choice = rng.below(if kind == "ods" { 7 } else { 10 });
    match (kind, choice) {
        (_, 0) => {
            let flips = 1 + rng.below(8);
            let mut out = bytes.to_vec();
            for _ in 0..flips {
                let at = rng.below(out.len());
                out[at] ^= 1 << rng.below(8);
            }
            (format!("{flips} bits flipped in the zip"), out)
        }
        (_, 1) => {
            let cut = rng.below(bytes.len());
            (format!("cut to {cut} bytes"), bytes[..cut].to_vec())
        }
        (_, 2) => {
            let parts = part_names(bytes);
            let gone = rng.pick(&parts).clone();
            (format!("part {gone} left out"), rezip(bytes, |name, data| (name != gone).then_some(data)))
        }
        (_, 3) => {
            let parts = part_names(bytes);
            let target = rng.pick(&parts).clone();
            let flips = 1 + rng.below(6);
            let seed = rng.next();
            let out = rezip(bytes, |name, mut data| {
                if name == target && !data.is_empty() {
                    let mut inner = Rng(seed);
                    for _ in 0..flips {
                        let at = inner.below(data.len());
                        data[at] = inner.next() as u8;
                    }
                }
                Some(data)
            });
            (format!("{flips} bytes changed in {target}"), out)
        }
        ("ods", _) => mutate_text(rng, bytes, "content.xml", ods_edit),
        (_, 4 | 5) => mutate_text(rng, bytes, "xl/worksheets/sheet1.xml", sheet_edit),
        (_, 6) => mutate_text(rng, bytes, "xl/sharedStrings.xml", strings_edit),
        (_, 7) => mutate_text(rng, bytes, "xl/workbook.xml", |rng, text| {
            let sheet = r#"<sheet name="Other" sheetId="9" r:id="rId1"/>"#;
            match rng.below(3) {
                0 => (
                    text.replacen("</sheets>", &format!("{}</sheets>", sheet.repeat(50)), 1),
                    "sheet listed 50 times".into(),
                ),
                1 => (text.replace("r:id=\"rId1\"", "r:id=\"rId99\""), "sheet's relationship gone".into()),
                _ => (text.replace("name=\"Register\"", "name=\"\""), "sheet without a name".into()),
            }
        }),
        (_, 8) => mutate_text(rng, bytes, "xl/_rels/workbook.xml.rels", |rng, text| {
            let target = *rng.pick(&[
                "/xl/worksheets/sheet1.xml",
                "worksheets/../sharedStrings.xml",
                "../x.xml",
                "",
                "media/a.png",
                "WORKSHEETS\\SHEET1.XML",
            ]);
            (text.replacen("worksheets/sheet1.xml", target, 1), format!("sheet's target {target}"))
        }),
        _ => {
            // Several mutations of the sheet at once.
            let (mut what, mut out) = mutate_text(rng, bytes, "xl/worksheets/sheet1.xml", sheet_edit);
            for _ in 0..2 {
                let (more, next) = mutate_text(rng, &out, "xl/worksheets/sheet1.xml", sheet_edit);
                what = format!("{what}; {more}");
                out = next;
            }
            (what, out)
        }
    }
}

/// The workbook with the text of `part` changed by `edit`.
fn mutate_text(
    rng: &mut Rng,
    bytes: &[u8],
    part: &str,
    edit: fn(&mut Rng, String) -> (String, String),
) -> (String, Vec<u8>) {
    let mut what = format!("{part} as it was");
    let out = rezip(bytes, |name, data| {
        if name != part {
            return Some(data);
        }
        let (text, said) = edit(rng, String::from_utf8_lossy(&data).into_owned());
        what = format!("{part}: {said}");
        Some(text.into_bytes())
    });
    (what, out)
}

/// Replaces the `n`-th (counted from a random start) text between `open` and
/// `close` in `text` with `with`.
fn replace_nth(rng: &mut Rng, text: &str, open: &str, close: &str, with: &str) -> Option<String> {
    let starts: Vec<usize> = text.match_indices(open).map(|(i, _)| i + open.len()).collect();
    if starts.is_empty() {
        return None;
    }
    let start = *rng.pick(&starts);
    let end = start + text[start..].find(close)?;
    Some(format!("{}{with}{}", &text[..start], &text[end..]))
}

fn sheet_edit(rng: &mut Rng, text: String) -> (String, String) {
    let edit = rng.below(9);
    let changed = match edit {
        0 => {
            let r = *rng.pick(REFS);
            replace_nth(rng, &text, "<c r=\"", "\"", r).map(|t| (t, format!("a cell's reference {r:?}")))
        }
        1 => {
            let t = *rng.pick(TYPES);
            Some(match replace_nth(rng, &text, " t=\"", "\"", t) {
                Some(changed) => (changed, format!("a cell's type {t:?}")),
                None => {
                    (text.replacen("<c r=", &format!("<c t=\"{t}\" r="), 1), format!("a type {t:?} added"))
                }
            })
        }
        2 => {
            let v = *rng.pick(VALUES);
            replace_nth(rng, &text, "<v>", "</v>", v).map(|t| (t, format!("a value {v:?}")))
        }
        3 => {
            let d = *rng.pick(RANGES);
            replace_nth(rng, &text, "<dimension ref=\"", "\"", d).map(|t| (t, format!("dimension {d:?}")))
        }
        4 => {
            let r = *rng.pick(REFS);
            replace_nth(rng, &text, "<row r=\"", "\"", r).map(|t| (t, format!("a row's number {r:?}")))
        }
        5 => {
            // A cell repeated without references: each one a column further on.
            let times = *rng.pick(&[2usize, 100, 20_000]);
            let cell = "<c t=\"s\"><v>0</v></c>".repeat(times);
            Some((
                text.replacen("</row>", &format!("{cell}</row>"), 1),
                format!("{times} cells without references"),
            ))
        }
        6 => {
            let range = *rng.pick(RANGES);
            let merges = format!("<mergeCells count=\"1\"><mergeCell ref=\"{range}\"/></mergeCells>");
            Some((
                text.replacen("</sheetData>", &format!("</sheetData>{merges}"), 1),
                format!("merged {range:?}"),
            ))
        }
        7 => {
            let value = "x".repeat(*rng.pick(&[10usize, 40_000, 1_100_000]));
            let cell = format!("<c r=\"G2\" t=\"inlineStr\"><is><t>{value}</t></is></c>");
            Some((
                text.replacen("</row>", &format!("{cell}</row>"), 1),
                format!("an inline text of {} bytes", value.len()),
            ))
        }
        _ => {
            let cut = rng.below(text.len().max(1));
            Some((cut_at(&text, cut).to_owned(), format!("cut at {cut}")))
        }
    };
    changed.unwrap_or((text, format!("edit {edit} found nothing to change")))
}

fn strings_edit(rng: &mut Rng, text: String) -> (String, String) {
    match rng.below(4) {
        0 => {
            let t = "y".repeat(*rng.pick(&[1usize, 2_000_000]));
            let changed = replace_nth(rng, &text, "<t>", "</t>", &t);
            changed.map_or((text, "no text".into()), |t2| (t2, format!("a shared text of {} bytes", t.len())))
        }
        1 => (text.replace("<si>", "<si/><si>"), "empty shared texts".into()),
        2 => {
            let cut = rng.below(text.len().max(1));
            (cut_at(&text, cut).to_owned(), format!("cut at {cut}"))
        }
        _ => (text.replace("<t>", "<r><t>").replace("</t>", "</t></r>"), "rich texts".into()),
    }
}

fn ods_edit(rng: &mut Rng, text: String) -> (String, String) {
    let edit = rng.below(7);
    let changed = match edit {
        0 => {
            let n = *rng.pick(COUNTS);
            replace_nth(rng, &text, "table:number-rows-repeated=\"", "\"", n)
                .map(|t| (t, format!("rows repeated {n:?}")))
        }
        1 => {
            let n = *rng.pick(COUNTS);
            replace_nth(rng, &text, "table:number-columns-repeated=\"", "\"", n)
                .map(|t| (t, format!("cells repeated {n:?}")))
        }
        2 => {
            let n = *rng.pick(COUNTS);
            replace_nth(rng, &text, "text:c=\"", "\"", n).map(|t| (t, format!("spaces {n:?}")))
        }
        3 => {
            let gone = *rng.pick(&[
                "</table:table>",
                "</table:table-row>",
                "</table:table-cell>",
                "</office:annotation>",
            ]);
            Some((text.replacen(gone, "", 1), format!("{gone} left out")))
        }
        4 => Some((
            text.replacen(
                "<text:p>RJ1</text:p>",
                "<office:annotation><text:p>note</text:p></office:annotation><text:p>RJ1</text:p>",
                1,
            )
            .replacen(
                "</office:annotation>",
                if rng.below(2) == 0 { "" } else { "</office:annotation>" },
                1,
            ),
            "a note in a cell".into(),
        )),
        5 => {
            let cut = rng.below(text.len().max(1));
            Some((cut_at(&text, cut).to_owned(), format!("cut at {cut}")))
        }
        _ => Some((
            text.replacen("<table:table-row>", "<table:table-row> ", 1),
            "text between a row's cells".into(),
        )),
    };
    changed.unwrap_or((text, format!("edit {edit} found nothing to change")))
}

/// `text` cut at byte `at`, or just before it where `at` is inside a character.
fn cut_at(text: &str, at: usize) -> &str {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}

fn part_names(bytes: &[u8]) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    archive.file_names().map(str::to_owned).collect()
}

#[test]
fn no_workbook_makes_import_panic_abort_or_hang() {
    let number =
        |name: &str, default: usize| std::env::var(name).ok().and_then(|n| n.parse().ok()).unwrap_or(default);
    let (first, cases) = (number("CRS_FUZZ_FROM", 0), number("CRS_FUZZ_CASES", 1_000));
    let seeds = seeds();
    let started = Instant::now();
    let counts: [AtomicUsize; 3] = Default::default();
    let failures = std::sync::Mutex::new(Vec::new());
    let workers = 2;
    std::thread::scope(|scope| {
        for worker in 0..workers {
            let (seeds, counts, failures) = (&seeds, &counts, &failures);
            scope.spawn(move || {
                let env = TestEnv::git();
                fs::write(env.outside().join("map.toml"), MAP).unwrap();
                for case in (first + worker..first + cases).step_by(workers) {
                    let mut rng = Rng(case as u64);
                    let (kind, base) = rng.pick(seeds);
                    let (what, bytes) = mutate(&mut rng, kind, base);
                    let name = format!("case.{kind}");
                    fs::write(env.outside().join(&name), &bytes).unwrap();
                    let file = format!("../{name}");
                    let (run, took) = env.crs_within(
                        ADDRESS_SPACE,
                        30,
                        &["import", &file, "--map", "../map.toml", "--dry-run"],
                    );
                    let crashed = !(0..=2).contains(&run.code)
                        || run.stderr.contains("panicked")
                        || run.stderr.contains("memory allocation");
                    if crashed {
                        let kept = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
                        fs::create_dir_all(&kept).unwrap();
                        fs::write(kept.join(format!("case-{case}.{kind}")), &bytes).unwrap();
                        failures.lock().unwrap().push(format!("case {case} ({what}), {took:?}: {run}"));
                    } else {
                        counts[run.code as usize].fetch_add(1, Ordering::Relaxed);
                    }
                    if run.stderr.contains("the workbook reader failed on it") {
                        // Caught, not a crash; but the guard should have refused it.
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("case {case} ({what}) reached calamine's panic: {run}"));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    let [ok, rejected, refused] = counts.map(|c| c.into_inner());
    eprintln!(
        "{cases} mutated workbooks in {:.1?}: {ok} read, {rejected} with rejected rows, {refused} refused",
        started.elapsed()
    );
    assert!(failures.is_empty(), "{} of {cases} failed:\n{}", failures.len(), failures.join("\n"));
    assert!(
        refused > cases / 10 && ok + rejected > cases / 20,
        "the cases reach both sides: {ok} {rejected} {refused}"
    );
}
