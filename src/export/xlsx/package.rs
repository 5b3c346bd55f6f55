//! The workbook's file: the zip rust_xlsxwriter assembles, with the rows crs wrote
//! for its large sheets (`rows`) spliced into their sheets. Each part is copied as
//! it was compressed; a large sheet is its own XML up to the end of its header row,
//! the rows, and the rest of its XML, three deflate streams joined into one (the
//! first two end on a sync flush), with its dimension made to cover the rows. The
//! zip is written as rust_xlsxwriter writes it, every time stamp 1 January 1980,
//! so the same workbook gives the same bytes.

use std::io::{Cursor, Read};

use flate2::{Compress, Compression, FlushCompress};
use zip::{CompressionMethod, ZipArchive};

use crate::error::{Error, Result};
use crate::export::xlsx::rows::{Deflated, deflate_into, push_column};

/// The workbook `skeleton` (rust_xlsxwriter's), its sheets numbered from 1 given
/// the rows in `rows` after their header row.
pub(super) fn splice(skeleton: &[u8], mut rows: Vec<(usize, Deflated)>) -> Result<Vec<u8>> {
    let broken = |e: zip::result::ZipError| bug(&format!("could not read the workbook back: {e}"));
    let mut zip = ZipArchive::new(Cursor::new(skeleton)).map_err(broken)?;
    let rows_len: usize = rows.iter().map(|(_, r)| r.bytes.len()).sum();
    let mut out = Zipped::with_capacity(skeleton.len() + rows_len);
    for index in 0..zip.len() {
        let name = zip.name_for_index(index).unwrap_or_default().to_owned();
        let sheet = name
            .strip_prefix("xl/worksheets/sheet")
            .and_then(|n| n.strip_suffix(".xml"))
            .and_then(|n| n.parse::<usize>().ok());
        match sheet.and_then(|n| rows.iter().position(|(number, _)| *number == n)) {
            Some(at) => {
                let mut xml = String::new();
                zip.by_index(index)
                    .map_err(broken)?
                    .read_to_string(&mut xml)
                    .map_err(|e| bug(&e.to_string()))?;
                sheet_with_rows(&mut out, &name, &xml, rows.swap_remove(at).1)?;
            }
            None => {
                let mut file = zip.by_index_raw(index).map_err(broken)?;
                let method = match file.compression() {
                    CompressionMethod::Stored => 0,
                    CompressionMethod::Deflated => 8,
                    other => return Err(bug(&format!("a part compressed by {other:?}"))),
                };
                let (crc, size) = (file.crc32(), file.size());
                let mut compressed = Vec::with_capacity(file.compressed_size() as usize);
                file.read_to_end(&mut compressed).map_err(|e| bug(&e.to_string()))?;
                out.add(&name, method, crc, size, &[&compressed])?;
            }
        }
    }
    out.finish()
}

/// Adds the sheet `name`, its XML `xml` with `rows` after its header row.
fn sheet_with_rows(out: &mut Zipped, name: &str, xml: &str, rows: Deflated) -> Result<()> {
    let end = xml.find("</sheetData>").ok_or_else(|| bug("a sheet without its data"))?;
    let (head, tail) = xml.split_at(end);
    let tail = with_merges(tail, &rows.merges)?;
    let head = match rows.last {
        Some((last_row, last_col)) => with_dimension(head, last_row, last_col)?,
        None => head.to_owned(),
    };
    let head_deflated = deflated(head.as_bytes(), FlushCompress::Sync);
    let tail_deflated = deflated(tail.as_bytes(), FlushCompress::Finish);
    let mut crc = crc32fast::Hasher::new();
    crc.update(head.as_bytes());
    crc.combine(&rows.crc);
    let mut rest = crc32fast::Hasher::new();
    rest.update(tail.as_bytes());
    crc.combine(&rest);
    let size = head.len() as u64 + rows.len + tail.len() as u64;
    out.add(name, 8, crc.finalize(), size, &[&head_deflated, &rows.bytes, &tail_deflated])
}

/// The end of a sheet's XML (from `</sheetData>`) with the cell ranges `merges`
/// merged, in the place the format gives them: after the sheet's data and its
/// filter, before its print settings.
fn with_merges(tail: &str, merges: &[String]) -> Result<String> {
    if merges.is_empty() {
        return Ok(tail.to_owned());
    }
    if tail.contains("<mergeCells") {
        return Err(bug("a sheet with merged cells of its own"));
    }
    const AFTER: [&str; 12] = [
        "<phoneticPr",
        "<conditionalFormatting",
        "<dataValidations",
        "<hyperlinks",
        "<printOptions",
        "<pageMargins",
        "<pageSetup",
        "<headerFooter",
        "<drawing",
        "<legacyDrawing",
        "<tableParts",
        "<extLst",
    ];
    let at = AFTER.iter().filter_map(|tag| tail.find(tag)).min().or_else(|| tail.find("</worksheet>"));
    let at = at.ok_or_else(|| bug("a sheet unended"))?;
    let cells: String = merges.iter().map(|range| format!("<mergeCell ref=\"{range}\"/>")).collect();
    Ok(format!("{}<mergeCells count=\"{}\">{cells}</mergeCells>{}", &tail[..at], merges.len(), &tail[at..]))
}

/// `head` with its `<dimension ref="A1:…"/>` reaching row `last_row` and column
/// `last_col` (from 0) at least.
fn with_dimension(head: &str, last_row: u32, last_col: u16) -> Result<String> {
    let start = head.find("<dimension ref=\"").ok_or_else(|| bug("a sheet without its dimension"))? + 16;
    let len = head[start..].find('"').ok_or_else(|| bug("a sheet's dimension unended"))?;
    let header_cols = head[start..start + len].rsplit(':').next().unwrap_or("A1");
    let letters: String = header_cols.chars().take_while(char::is_ascii_uppercase).collect();
    let header_last = letters.bytes().fold(0u32, |n, b| n * 26 + u32::from(b - b'A' + 1)).saturating_sub(1);
    let mut dimension = b"A1:".to_vec();
    push_column(&mut dimension, last_col.max(u16::try_from(header_last).unwrap_or(last_col)));
    dimension.extend_from_slice((last_row + 1).to_string().as_bytes());
    let dimension = String::from_utf8(dimension).unwrap_or_default();
    Ok(format!("{}{dimension}{}", &head[..start], &head[start + len..]))
}

/// A zip being written: its parts, then their directory.
struct Zipped {
    out: Vec<u8>,
    directory: Vec<u8>,
    count: u16,
}

impl Zipped {
    fn with_capacity(bytes: usize) -> Zipped {
        Zipped { out: Vec::with_capacity(bytes + 4096), directory: Vec::new(), count: 0 }
    }

    /// Adds the part `name`, compressed by `method` (0 stored, 8 deflated) into
    /// `pieces`, `size` bytes as it is, with CRC-32 `crc`.
    fn add(&mut self, name: &str, method: u16, crc: u32, size: u64, pieces: &[&[u8]]) -> Result<()> {
        let offset = u32::try_from(self.out.len()).map_err(|_| too_large())?;
        let size = u32::try_from(size).map_err(|_| too_large())?;
        let compressed = pieces.iter().map(|p| p.len()).sum::<usize>();
        let compressed = u32::try_from(compressed).map_err(|_| too_large())?;
        let name = name.as_bytes();
        let name_len = u16::try_from(name.len()).map_err(|_| bug("a part's name too long"))?;
        self.count = self.count.checked_add(1).ok_or_else(too_large)?;
        // The fields both headers share: version needed (2.0), flags, method, time
        // (midnight) and date (1 January 1980), CRC-32, sizes, the name's length.
        let mut common = Vec::with_capacity(26);
        for field in [20u16, 0, method, 0, 0x21] {
            common.extend_from_slice(&field.to_le_bytes());
        }
        for field in [crc, compressed, size] {
            common.extend_from_slice(&field.to_le_bytes());
        }
        common.extend_from_slice(&name_len.to_le_bytes());

        self.out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        self.out.extend_from_slice(&common);
        self.out.extend_from_slice(&0u16.to_le_bytes()); // no extra field
        self.out.extend_from_slice(name);
        for piece in pieces {
            self.out.extend_from_slice(piece);
        }

        let directory = &mut self.directory;
        directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        // Made by Unix, zip 2.0; the file's mode rw-------, as rust_xlsxwriter sets.
        directory.extend_from_slice(&0x0314u16.to_le_bytes());
        directory.extend_from_slice(&common);
        for field in [0u16, 0, 0, 0] {
            // Extra field, comment, disk number, internal attributes.
            directory.extend_from_slice(&field.to_le_bytes());
        }
        directory.extend_from_slice(&(0o100_600u32 << 16).to_le_bytes());
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(name);
        Ok(())
    }

    /// The zip: the parts, their directory and its end.
    fn finish(mut self) -> Result<Vec<u8>> {
        let directory_at = u32::try_from(self.out.len()).map_err(|_| too_large())?;
        let directory_len = u32::try_from(self.directory.len()).map_err(|_| too_large())?;
        self.out.extend_from_slice(&self.directory);
        self.out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        for field in [0u16, 0, self.count, self.count] {
            self.out.extend_from_slice(&field.to_le_bytes());
        }
        self.out.extend_from_slice(&directory_len.to_le_bytes());
        self.out.extend_from_slice(&directory_at.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes()); // no comment
        Ok(self.out)
    }
}

fn too_large() -> Error {
    Error::export(
        "a sheet of the workbook would be larger than 4 GB, more than a workbook's zip holds",
        "export a smaller scope (--status) or to --format csv",
    )
}

fn bug(what: &str) -> Error {
    Error::export(
        format!("could not assemble the workbook: {what}"),
        "this is a bug in crs if it persists; please report it",
    )
}
/// `xml` as a raw deflate stream of its own at zlib's default level, ended by
/// `flush` (a sync flush where more of the sheet follows it).
fn deflated(xml: &[u8], flush: FlushCompress) -> Vec<u8> {
    let mut out = Vec::new();
    deflate_into(&mut Compress::new(Compression::default(), false), xml, &mut out, flush);
    out
}

#[cfg(test)]
mod tests {
    use super::with_merges;

    #[test]
    fn merged_cells_go_after_the_filter_and_before_the_print_settings() {
        let tail = "</sheetData><autoFilter ref=\"A1:C9\"/><printOptions gridLines=\"1\"/><pageMargins/></worksheet>";
        assert_eq!(with_merges(tail, &[]).unwrap(), tail);
        let merged = with_merges(tail, &["A2:C2".to_owned(), "A7:C7".to_owned()]).unwrap();
        assert_eq!(
            merged,
            "</sheetData><autoFilter ref=\"A1:C9\"/><mergeCells count=\"2\"><mergeCell ref=\"A2:C2\"/><mergeCell ref=\"A7:C7\"/></mergeCells><printOptions gridLines=\"1\"/><pageMargins/></worksheet>"
        );
        assert!(with_merges(&merged, &["A9:C9".to_owned()]).is_err(), "merged once");
    }
}
