//! A large sheet's rows as the sheet's XML (`<row>` and `<c>` elements, the text
//! inline), written by crs and compressed as they are made, to be spliced into the
//! sheet rust_xlsxwriter writes around them (`package`). rust_xlsxwriter takes a
//! whole `Format` with every cell and hashes it to find its style, and copies every
//! text: on the 7 million cells of 100,000 records that was most of the workbook's
//! time. Here a cell is its style's number and its text escaped straight into the
//! XML, as rust_xlsxwriter writes it: `&`, `<` and `>` as entities, control
//! characters as `_xHHHH_`, and a literal `_xHHHH_` with its underscore escaped.
//! Each sheet's rows are one raw deflate stream, made on a thread of its own from
//! the XML in chunks as they fill, and ended by a sync flush so that the rest of
//! the sheet's XML can follow it; the bytes depend on the rows only.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use flate2::{Compress, Compression, FlushCompress, Status};

/// The XML gathered before it is handed to the compressor.
const CHUNK: usize = 1 << 20;

/// How hard the rows are compressed: zlib's level 4 makes a workbook of 100,000
/// records 6% larger than its default (6) does, 23.8 MB against 22.4 MB, and takes
/// some 0.4 s less to write it (level 3 was no faster, and 19% larger).
pub(super) const LEVEL: Compression = Compression::new(4);

/// A spreadsheet's own row height, in points: a row of it needs no height of its own.
pub(super) const SPREADSHEET_ROW_POINTS: f64 = 15.0;

/// The styles (cell formats) by their number in the workbook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Styles {
    pub(super) section: u32,
    pub(super) text: u32,
    pub(super) date: u32,
    pub(super) quoted: u32,
    pub(super) section_wrapped: u32,
}

/// A sheet's rows, compressed: the raw deflate stream (not final), the CRC-32 of
/// the XML it holds and that XML's length, and the last row and column written.
pub(super) struct Deflated {
    pub(super) bytes: Vec<u8>,
    pub(super) crc: crc32fast::Hasher,
    pub(super) len: u64,
    /// The last row and column (from 0) that hold anything; `None` for no rows.
    pub(super) last: Option<(u32, u16)>,
    /// The ranges of cells merged into one (`A5:C5`), in the order they were made.
    pub(super) merges: Vec<String>,
}

/// The rows of a sheet being written.
pub(super) struct SheetRows {
    xml: Vec<u8>,
    /// Where each chunk of XML goes to be compressed, on a thread of its own, in
    /// order, and the chunks it is done with, to be filled again; or, where no
    /// thread could be started, the chunks held to be compressed at the end.
    compressing: Compressing,
    /// The height every row without one of its own gets, when not a spreadsheet's own.
    usual_height: Option<f64>,
    open: bool,
    last: Option<(u32, u16)>,
    merges: Vec<String>,
}

/// Where a sheet's XML is compressed.
enum Compressing {
    Away { chunks: SyncSender<Vec<u8>>, spares: Receiver<Vec<u8>>, thread: JoinHandle<Compressed> },
    Here(Vec<Vec<u8>>),
}

/// What the compressing thread hands back: the stream, the CRC-32 of the XML and
/// the XML's length.
type Compressed = (Vec<u8>, crc32fast::Hasher, u64);

/// Compresses `chunks` in order into one raw deflate stream ended by a sync flush;
/// each chunk done with goes to `spares`, if given, to be filled again.
fn compress(chunks: impl IntoIterator<Item = Vec<u8>>, spares: Option<&SyncSender<Vec<u8>>>) -> Compressed {
    let mut deflate = Compress::new(LEVEL, false);
    let (mut out, mut crc, mut len) = (Vec::new(), crc32fast::Hasher::new(), 0u64);
    // The last chunk (perhaps empty) ends the stream with a sync flush.
    let mut pending: Option<Vec<u8>> = None;
    for chunk in chunks {
        if let Some(mut xml) = pending.replace(chunk) {
            crc.update(&xml);
            len += xml.len() as u64;
            deflate_into(&mut deflate, &xml, &mut out, FlushCompress::None);
            xml.clear();
            if let Some(spares) = spares {
                let _ = spares.try_send(xml);
            }
        }
    }
    let xml = pending.unwrap_or_default();
    crc.update(&xml);
    len += xml.len() as u64;
    deflate_into(&mut deflate, &xml, &mut out, FlushCompress::Sync);
    (out, crc, len)
}

impl SheetRows {
    pub(super) fn new() -> SheetRows {
        // Two chunks in flight at most: the XML waiting is bounded; and two spare.
        let (chunks, received) = sync_channel::<Vec<u8>>(2);
        let (spare, spares) = sync_channel::<Vec<u8>>(2);
        let thread = std::thread::Builder::new().spawn(move || compress(received, Some(&spare)));
        let compressing = match thread {
            Ok(thread) => Compressing::Away { chunks, spares, thread },
            // A system that will not start the thread: compressed at the end.
            Err(_) => Compressing::Here(Vec::new()),
        };
        SheetRows {
            xml: Vec::with_capacity(CHUNK + 64 * 1024),
            compressing,
            usual_height: None,
            open: false,
            last: None,
            merges: Vec::new(),
        }
    }

    /// Rows without a height of their own are `points` tall (the sheet's default).
    pub(super) fn set_usual_height(&mut self, points: f64) {
        self.usual_height = (points != SPREADSHEET_ROW_POINTS).then_some(points);
    }

    /// Starts row `row` (from 0), `height` points tall, or of the usual height.
    pub(super) fn row(&mut self, row: u32, height: Option<f64>) {
        self.close_row();
        self.xml.extend_from_slice(b"<row r=\"");
        push_number(&mut self.xml, row + 1);
        self.xml.push(b'"');
        // A height is written as rust_xlsxwriter writes it: on every row when the
        // sheet's default is not a spreadsheet's own.
        if let Some(points) = height.or(self.usual_height) {
            self.xml.extend_from_slice(format!(" ht=\"{points}\" customHeight=\"1\"").as_bytes());
        }
        self.xml.push(b'>');
        self.open = true;
        self.mark(row, 0);
    }

    /// A cell of text in the current row `row`, column `col`, in style `style`.
    pub(super) fn text(&mut self, row: u32, col: u16, text: &str, style: u32) {
        self.cell_start(row, col, style);
        self.xml.extend_from_slice(b" t=\"inlineStr\"><is><t");
        if text.starts_with(['\t', '\n', ' ']) || text.ends_with(['\t', '\n', ' ']) {
            self.xml.extend_from_slice(b" xml:space=\"preserve\"");
        }
        self.xml.push(b'>');
        push_escaped(&mut self.xml, text);
        self.xml.extend_from_slice(b"</t></is></c>");
        self.mark(row, col);
    }

    /// Merges the cells of row `row` from column `first` to column `last` into one:
    /// the text of the first is shown across them all.
    pub(super) fn merge(&mut self, row: u32, first: u16, last: u16) {
        let mut range = Vec::new();
        push_column(&mut range, first);
        push_number(&mut range, row + 1);
        range.push(b':');
        push_column(&mut range, last);
        push_number(&mut range, row + 1);
        self.merges.push(String::from_utf8_lossy(&range).into_owned());
        self.mark(row, last);
    }

    /// A cell holding a whole number (a date's serial number) in style `style`.
    pub(super) fn number(&mut self, row: u32, col: u16, number: u32, style: u32) {
        self.cell_start(row, col, style);
        self.xml.extend_from_slice(b"><v>");
        push_number(&mut self.xml, number);
        self.xml.extend_from_slice(b"</v></c>");
        self.mark(row, col);
    }

    fn cell_start(&mut self, row: u32, col: u16, style: u32) {
        self.xml.extend_from_slice(b"<c r=\"");
        push_column(&mut self.xml, col);
        push_number(&mut self.xml, row + 1);
        self.xml.push(b'"');
        if style > 0 {
            self.xml.extend_from_slice(b" s=\"");
            push_number(&mut self.xml, style);
            self.xml.push(b'"');
        }
    }

    fn mark(&mut self, row: u32, col: u16) {
        let (last_row, last_col) = self.last.unwrap_or((0, 0));
        self.last = Some((last_row.max(row), last_col.max(col)));
    }

    fn close_row(&mut self) {
        if self.open {
            self.xml.extend_from_slice(b"</row>");
            self.open = false;
            if self.xml.len() >= CHUNK {
                self.send();
            }
        }
    }

    /// Hands the XML gathered to the compressing thread.
    fn send(&mut self) {
        let next = match &self.compressing {
            Compressing::Away { spares, .. } => spares.try_recv().ok(),
            Compressing::Here(_) => None,
        };
        let next = next.unwrap_or_else(|| Vec::with_capacity(CHUNK + 64 * 1024));
        let chunk = std::mem::replace(&mut self.xml, next);
        match &mut self.compressing {
            // The thread only stops when the sender is dropped.
            Compressing::Away { chunks, .. } => {
                let _ = chunks.send(chunk);
            }
            Compressing::Here(held) => held.push(chunk),
        }
    }

    /// The rows, compressed, ended by a sync flush.
    pub(super) fn finish(mut self) -> Deflated {
        self.close_row();
        self.send();
        let (bytes, crc, len) = match self.compressing {
            Compressing::Away { chunks, thread, .. } => {
                drop(chunks);
                thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
            Compressing::Here(held) => compress(held, None),
        };
        Deflated { bytes, crc, len, last: self.last, merges: self.merges }
    }
}

/// Compresses all of `input` onto `out` with `flush` (a sync flush or the end of
/// the stream completed).
pub(super) fn deflate_into(
    deflate: &mut Compress,
    mut input: &[u8],
    out: &mut Vec<u8>,
    flush: FlushCompress,
) {
    loop {
        out.reserve(input.len() / 8 + 4096);
        let before = deflate.total_in();
        // Deflating into a vector with room cannot fail.
        let status = deflate.compress_vec(input, out, flush).unwrap_or(Status::StreamEnd);
        input = &input[(deflate.total_in() - before) as usize..];
        let room_left = out.len() < out.capacity();
        let done = match flush {
            FlushCompress::Finish => status == Status::StreamEnd,
            _ => input.is_empty() && room_left,
        };
        if done || status == Status::StreamEnd {
            return;
        }
    }
}

/// Appends `number` in decimal.
fn push_number(xml: &mut Vec<u8>, mut number: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (number % 10) as u8;
        number /= 10;
        if number == 0 {
            break;
        }
    }
    xml.extend_from_slice(&digits[at..]);
}

/// Appends column `col`'s letters: A for 0, AA for 26.
pub(super) fn push_column(xml: &mut Vec<u8>, col: u16) {
    let mut letters = [0u8; 3];
    let mut at = letters.len();
    let mut n = u32::from(col) + 1;
    while n > 0 {
        at -= 1;
        letters[at] = b'A' + ((n - 1) % 26) as u8;
        n = (n - 1) / 26;
    }
    xml.extend_from_slice(&letters[at..]);
}

/// Appends `text` escaped for a cell, as rust_xlsxwriter and Excel write it.
fn push_escaped(xml: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut from = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        let escape: Option<&[u8]> = match byte {
            b'&' => Some(b"&amp;"),
            b'<' => Some(b"&lt;"),
            b'>' => Some(b"&gt;"),
            b'\t' | b'\n' => None,
            0..=0x1f => Some(b""),
            // A literal "_xHHHH_" would read as an escape: its underscore is escaped.
            b'_' if is_escape_like(&bytes[at..]) => Some(b"_x005F"),
            _ => None,
        };
        if let Some(escape) = escape {
            xml.extend_from_slice(&bytes[from..at]);
            if escape.is_empty() {
                xml.extend_from_slice(format!("_x{byte:04X}_").as_bytes());
                from = at + 1;
            } else if byte == b'_' {
                xml.extend_from_slice(escape);
                from = at;
            } else {
                xml.extend_from_slice(escape);
                from = at + 1;
            }
        }
    }
    xml.extend_from_slice(&bytes[from..]);
}

/// True when `bytes` starts as an escape does, `_x` and four hexadecimal digits,
/// with room for its closing underscore (rust_xlsxwriter's test, kept).
fn is_escape_like(bytes: &[u8]) -> bool {
    bytes.len() >= 7 && bytes[1] == b'x' && bytes[2..6].iter().all(u8::is_ascii_hexdigit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        let mut xml = Vec::new();
        push_escaped(&mut xml, text);
        String::from_utf8(xml).unwrap()
    }

    #[test]
    fn text_is_escaped_as_a_spreadsheet_writes_it() {
        assert_eq!(escaped("A & B <c>"), "A &amp; B &lt;c&gt;");
        assert_eq!(escaped("one\ntwo\tthree"), "one\ntwo\tthree");
        assert_eq!(escaped("bell\u{7}"), "bell_x0007_");
        assert_eq!(escaped("a_x00AB_b"), "a_x005F_x00AB_b");
        assert_eq!(escaped("a_x00G0_b _x"), "a_x00G0_b _x");
        assert_eq!(escaped("Guy’s"), "Guy’s");
    }

    #[test]
    fn columns_and_rows_are_named_as_a_spreadsheet_names_them() {
        for (col, name) in
            [(0, "A"), (25, "Z"), (26, "AA"), (29, "AD"), (701, "ZZ"), (702, "AAA"), (16_383, "XFD")]
        {
            let mut xml = Vec::new();
            push_column(&mut xml, col);
            assert_eq!(String::from_utf8(xml).unwrap(), name);
        }
        let mut xml = Vec::new();
        push_number(&mut xml, 1_048_576);
        assert_eq!(xml, b"1048576");
    }

    #[test]
    fn rows_are_written_and_compressed_to_a_stream_that_reads_back() {
        let mut rows = SheetRows::new();
        rows.set_usual_height(32.0);
        rows.row(1, None);
        rows.text(1, 0, "R1/a", 3);
        rows.number(1, 2, 45671, 4);
        rows.row(2, Some(75.5));
        rows.text(2, 1, " x", 3);
        let done = rows.finish();
        let mut inflated = String::new();
        let mut stream = done.bytes.clone();
        let mut end = Compress::new(Compression::default(), false);
        deflate_into(&mut end, b"", &mut stream, FlushCompress::Finish);
        std::io::Read::read_to_string(&mut flate2::read::DeflateDecoder::new(&stream[..]), &mut inflated)
            .unwrap();
        assert_eq!(
            inflated,
            concat!(
                r#"<row r="2" ht="32" customHeight="1"><c r="A2" s="3" t="inlineStr"><is><t>R1/a</t></is></c>"#,
                r#"<c r="C2" s="4"><v>45671</v></c></row>"#,
                r#"<row r="3" ht="75.5" customHeight="1"><c r="B3" s="3" t="inlineStr"><is><t xml:space="preserve"> x</t></is></c></row>"#,
            )
        );
        assert_eq!(done.len, inflated.len() as u64);
        assert_eq!(done.last, Some((2, 2)));
        assert_eq!(done.crc.clone().finalize(), crc32fast::hash(inflated.as_bytes()));
    }
}
