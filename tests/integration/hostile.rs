//! `crs import` of hostile and malformed workbooks: a cell at XFD1048576, a sparse
//! sheet reaching IV1048576, shared text without its part, a zip bomb (honest and
//! lying about its size), a 2 MB cell, an `.ods` whose repeated rows and columns
//! would spell out a billion cells, a CSV of more cells than a sheet may have. Each
//! is refused quickly, naming the limit, exit 2, nothing written, with crs's
//! address space capped (so a blow-up would fail the test, not take the machine);
//! a cell too large for a record, in a sheet that is otherwise fine, is a rejected
//! row.

use std::fs;
use std::io::{Cursor, Read, Write};

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, Worksheet};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::harness::{Run, TestEnv};

/// The address space crs may use here: a normal import of a small sheet needs a
/// fraction of it; the files below asked calamine for up to 512 GiB.
pub const ADDRESS_SPACE: u64 = 1 << 30;

/// The map of the sheets below.
pub const MAP: &str = r#"[columns]
"Provider code" = "provider.ods"
"Provider" = "provider.name"
"Type" = "provider.kind"
"Service" = "service.name"
"Description" = "service.description"
"Status" = "status"
[values."provider.kind"]
"FT" = "foundation-trust"
[defaults]
"provider.licence" = "licensed"
"#;

const HEADERS: [&str; 6] = ["Provider code", "Provider", "Type", "Service", "Description", "Status"];

/// A small, valid register sheet of two rows, then `more` on it.
pub fn workbook(more: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2020, 1, 1).unwrap();
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let sheet = book.add_worksheet();
    sheet.set_name("Register").unwrap();
    for (col, heading) in HEADERS.iter().enumerate() {
        sheet.write_string(0, col as u16, *heading).unwrap();
    }
    let rows = [
        ["RJ1", "Guy's and St Thomas' NHS Foundation Trust", "FT", "Maternity", "Obstetric unit", "draft"],
        [
            "RV5",
            "South London and Maudsley NHS Foundation Trust",
            "FT",
            "Crisis care",
            "Home treatment",
            "draft",
        ],
    ];
    for (row, cells) in rows.iter().enumerate() {
        for (col, text) in cells.iter().enumerate() {
            sheet.write_string(row as u32 + 1, col as u16, *text).unwrap();
        }
    }
    more(sheet);
    book.save_to_buffer().unwrap()
}

/// The zip `bytes` again, each part passed through `edit` (which may drop it by
/// returning `None`), stored (quick to write, and calamine reads either).
pub fn rezip(bytes: &[u8], mut edit: impl FnMut(&str, Vec<u8>) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).unwrap();
        let name = part.name().to_owned();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        if let Some(data) = edit(&name, data) {
            let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
            out.start_file(name, options).unwrap();
            out.write_all(&data).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

/// The text of a part, changed by `change`.
pub fn text_edit(data: Vec<u8>, change: impl FnOnce(String) -> String) -> Vec<u8> {
    change(String::from_utf8(data).unwrap()).into_bytes()
}

/// A register, with `bytes` beside it as `../name` and the map as `../map.toml`.
fn env_with(name: &str, bytes: &[u8]) -> TestEnv {
    let env = TestEnv::git();
    fs::write(env.outside().join(name), bytes).unwrap();
    fs::write(env.outside().join("map.toml"), MAP).unwrap();
    env
}

/// Imports `../name` within the address space and CPU limits (a guard against a
/// run that would never end, not a speed target: those live in `benches/`); checks
/// that crs refused it (exit 2), saying `says`, and wrote nothing.
fn refused(env: &TestEnv, name: &str, says: &[&str]) -> Run {
    let before = (env.commit_count(), env.git_cmd(&["status", "--porcelain"]));
    let file = format!("../{name}");
    let (run, _took) = env.crs_within(ADDRESS_SPACE, 60, &["import", &file, "--map", "../map.toml"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(!run.stderr.contains("panicked"), "{run}");
    for text in says {
        assert!(run.stderr.contains(text), "{text:?} not said: {run}");
    }
    assert!(run.stderr.contains("hint: nothing was written"), "{run}");
    assert_eq!((env.commit_count(), env.git_cmd(&["status", "--porcelain"])), before, "nothing written");
    run
}

#[test]
fn a_value_in_the_last_cell_of_the_grid_is_refused() {
    let bytes = workbook(|sheet| {
        sheet.write_string(1_048_575, 16_383, "far").unwrap();
    });
    assert!(bytes.len() < 10_000, "a small file: {} bytes", bytes.len());
    let env = env_with("far.xlsx", &bytes);
    let run =
        refused(&env, "far.xlsx", &["sheet 'Register'", "XFD1048576", "5,000,000 crs reads in a sheet"]);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn a_sparse_sheet_reaching_iv1048576_is_refused() {
    let bytes = workbook(|sheet| {
        sheet.write_string(1_048_575, 255, "far").unwrap();
    });
    let env = env_with("sparse.xlsx", &bytes);
    refused(&env, "sparse.xlsx", &["IV1048576", "268,435,456 cells"]);
}

#[test]
fn a_shared_text_without_its_part_is_refused() {
    let bytes = rezip(&workbook(|_| {}), |name, data| (name != "xl/sharedStrings.xml").then_some(data));
    let env = env_with("no-strings.xlsx", &bytes);
    let run = refused(&env, "no-strings.xlsx", &["cell A1", "xl/sharedStrings.xml is missing"]);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn a_zip_bomb_is_refused_by_its_size_or_as_it_unpacks() {
    // 1 GiB of zeros, deflated to under 7 MB: first with its true size in the zip's
    // directory, then claiming 1 KB, as a picture and as a sheet.
    let zeros = deflated_zeros(1 << 30);
    assert!(zeros.len() < 7 << 20, "{} bytes", zeros.len());
    let env = env_with("bomb.xlsx", &bomb(&zeros, 1 << 30, "xl/media/image1.png"));
    refused(&env, "bomb.xlsx", &["claims to unpack to 1073.", "256 MiB crs reads", "built to harm"]);
    fs::write(env.outside().join("liar.xlsx"), bomb(&zeros, 1_000, "xl/media/image1.png")).unwrap();
    refused(&env, "liar.xlsx", &["unpacks to more than the 256 MiB crs reads"]);
    fs::write(env.outside().join("sheet.xlsx"), bomb(&zeros, 1_000, "xl/worksheets/sheet2.xml")).unwrap();
    refused(&env, "sheet.xlsx", &["xl/worksheets/sheet2.xml", "a single piece of XML larger than 4 MiB"]);
}

#[test]
fn a_two_megabyte_cell_is_refused_at_the_cell() {
    let big = "x".repeat(2_000_000);
    let bytes = rezip(&workbook(|_| {}), |name, data| {
        Some(if name == "xl/sharedStrings.xml" {
            text_edit(data, |text| text.replace("Home treatment", &big))
        } else {
            data
        })
    });
    let env = env_with("big-cell.xlsx", &bytes);
    let run =
        refused(&env, "big-cell.xlsx", &["sheet 'Register', cell E3 (row 3, column E)", "2.0 MB", "1 MiB"]);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn an_ods_that_repeats_its_way_to_a_billion_cells_is_refused() {
    let row = r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="1000" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#;
    let env = env_with("repeats.ods", &ods(&format!("{}{row}", ods_header_row())));
    refused(&env, "repeats.ods", &["sheet 'Register'", "5,000,000"]);
    // calamine would wait for ever for the end of a table that never ends.
    let unended = ods(&ods_header_row()).replace_bytes("</table:table>", "");
    fs::write(env.outside().join("unended.ods"), unended).unwrap();
    refused(&env, "unended.ods", &["ends inside sheet 'Register'"]);
}

#[test]
fn a_good_ods_is_imported_as_before() {
    let env = env_with("good.ods", &ods(&ods_row(&HEADERS)));
    let rows = ods(&format!(
        "{}{}",
        ods_row(&HEADERS),
        ods_row(&[
            "RJ1",
            "Guy's and St Thomas' NHS Foundation Trust",
            "FT",
            "Maternity",
            "Obstetric unit",
            "draft"
        ])
    ));
    fs::write(env.outside().join("good.ods"), rows).unwrap();
    let (run, _) = env.crs_within(ADDRESS_SPACE, 60, &["import", "../good.ods", "--map", "../map.toml"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(env.root.join("RJ1/maternity.toml").exists(), "{run}");
}

#[test]
fn a_cell_too_long_for_a_record_is_a_rejected_row() {
    // CSV: no workbook to look over, so the row reading refuses the cell.
    let big = "y".repeat(1_100_000);
    let csv = format!(
        "{}\nRJ1,Guy's,FT,Maternity,{big},draft\nRV5,SLaM,FT,Crisis care,Home treatment,draft\n",
        HEADERS.join(",")
    );
    let env = env_with("long.csv", csv.as_bytes());
    let run = env.crs(&["import", "../long.csv", "--map", "../map.toml"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("row 2, column 'Description'"), "{run}");
    assert!(run.stdout.contains("1.1 MB of text, more than the 1 MiB a record crs reads may take"), "{run}");
    assert!(run.stdout.len() < 10_000, "the cell is not repeated whole: {} bytes", run.stdout.len());
    let report = env.outside().join("rejected.csv");
    let run = env.crs(&[
        "import",
        "../long.csv",
        "--map",
        "../map.toml",
        "--skip-invalid",
        report.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert!(env.root.join("RV5/crisis-care.toml").exists(), "the other row comes in");
    assert!(fs::metadata(&report).unwrap().len() < 10_000, "the report names the cell, not all of it");

    // Two cells each within the limit that together make a record crs would not read.
    let half = "z".repeat(600_000);
    let csv = format!("{}\nRJ1,{half},FT,Maternity,{half},draft\n", HEADERS.join(","));
    fs::write(env.outside().join("two.csv"), csv).unwrap();
    let run = env.crs(&["import", "../two.csv", "--map", "../map.toml"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("row 2"), "{run}");
    assert!(run.stdout.contains("more than the 1 MiB a record crs reads may take"), "{run}");
    assert!(!env.root.join("RJ1").exists(), "nothing written");
}

#[test]
fn a_csv_of_more_cells_than_a_sheet_may_have_is_refused() {
    let env = env_with("wide.csv", format!("{}\n{}\n", HEADERS.join(","), ",".repeat(5_000_000)).as_bytes());
    refused(&env, "wide.csv", &["holds more than 5,000,000 cells"]);
}

/// An `.ods` whose one table, "Register", holds `rows` (table rows as XML).
pub fn ods(rows: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Register">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    out.start_file("mimetype", stored).unwrap();
    out.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    out.start_file("META-INF/manifest.xml", deflated).unwrap();
    out.write_all(manifest.as_bytes()).unwrap();
    out.start_file("content.xml", deflated).unwrap();
    out.write_all(content.as_bytes()).unwrap();
    out.finish().unwrap().into_inner()
}

/// One row of an `.ods` table, a text cell each.
pub fn ods_row(cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .map(|text| {
            format!(
                r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#
            )
        })
        .collect();
    format!("<table:table-row>{cells}</table:table-row>")
}

fn ods_header_row() -> String {
    ods_row(&HEADERS)
}

/// Bytes with one text replaced, for zips whose parts are stored as text.
trait ReplaceBytes {
    fn replace_bytes(self, from: &str, to: &str) -> Vec<u8>;
}

impl ReplaceBytes for Vec<u8> {
    fn replace_bytes(self, from: &str, to: &str) -> Vec<u8> {
        rezip(&self, |name, data| {
            Some(if name == "content.xml" { text_edit(data, |t| t.replace(from, to)) } else { data })
        })
    }
}

/// `size` zeros deflated by hand (a fixed-Huffman block: one literal zero, then
/// copies of 258 bytes from one back), so that no gigabyte is ever made.
fn deflated_zeros(size: u64) -> Vec<u8> {
    let mut bits = Bits::default();
    bits.push(1, 1); // the last block
    bits.push(1, 2); // fixed Huffman codes
    bits.code(0x30, 8); // a literal zero
    for _ in 0..(size - 1) / 258 {
        bits.code(0b1100_0101, 8); // length 258
        bits.code(0, 5); // distance 1
    }
    for _ in 0..(size - 1) % 258 {
        bits.code(0x30, 8);
    }
    bits.code(0, 7); // end of block
    bits.finish()
}

/// The small workbook with one part more, `part`, whose data is `deflated` and which
/// claims to unpack to `size` bytes.
fn bomb(deflated: &[u8], size: u64, part: &str) -> Vec<u8> {
    let base = workbook(|_| {});
    let mut parts = Vec::new();
    let mut archive = ZipArchive::new(Cursor::new(&base[..])).unwrap();
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        parts.push((part.name().to_owned(), data));
    }
    parts.push((part.to_owned(), Vec::new()));
    zip_by_hand(&parts, deflated, size)
}

/// A zip of `parts` (stored), the last one's data replaced by `deflated`, which
/// claims to unpack to `size` bytes. Its CRC is not that of the data: nothing reads
/// so far.
fn zip_by_hand(parts: &[(String, Vec<u8>)], deflated: &[u8], size: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let last = parts.len() - 1;
    for (i, (name, data)) in parts.iter().enumerate() {
        let (method, body, unpacked): (u16, &[u8], u32) = if i == last {
            (8, deflated, size.min(u32::MAX as u64) as u32)
        } else {
            (0, data, data.len() as u32)
        };
        let crc = if i == last { 0 } else { crc32(body) };
        let offset = out.len() as u32;
        let header = |signature: u32, central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&signature.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // needed
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&method.to_le_bytes());
            h.extend_from_slice(&0u32.to_le_bytes()); // time and date
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(body.len() as u32).to_le_bytes());
            h.extend_from_slice(&unpacked.to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&[0; 6]); // comment, disk, internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend_from_slice(body);
        central.extend(header(0x0201_4b50, true));
    }
    let start = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disks
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&start.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// Bits written as deflate packs them: from the low bit of each byte up.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    used: u32,
}

impl Bits {
    /// `count` bits of `value`, low bit first (block headers, extra bits).
    fn push(&mut self, value: u32, count: u32) {
        for i in 0..count {
            self.bit((value >> i) & 1);
        }
    }

    /// A Huffman code of `count` bits, high bit first.
    fn code(&mut self, code: u32, count: u32) {
        for i in (0..count).rev() {
            self.bit((code >> i) & 1);
        }
    }

    fn bit(&mut self, bit: u32) {
        if self.used.is_multiple_of(8) {
            self.bytes.push(0);
        }
        if bit == 1 {
            *self.bytes.last_mut().unwrap() |= 1 << (self.used % 8);
        }
        self.used += 1;
    }

    fn finish(self) -> Vec<u8> {
        self.bytes
    }
}
