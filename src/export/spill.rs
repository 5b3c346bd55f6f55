//! `Spill`: an anonymous temporary file the records' packed stage assessments wait
//! in between reading the register and writing the Assessments sheet, so that an
//! export holds a few bytes a record for them rather than their text (on 100,000
//! records some 120 MB). The file is deleted by the system when the export lets go
//! of it, or when crs stops. Pieces are gathered in a buffer and written to the file
//! a quarter of a megabyte at a time (one system call for hundreds of records);
//! where no temporary file can be made, or the file cannot be written (no room, no
//! `TMPDIR`), what would have gone to it is held in memory instead: the export is
//! the same, only larger in memory.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::sync::Mutex;

/// The pieces gathered before they are written to the file.
const BUFFERED: usize = 256 * 1024;

/// The temporary file, written by the threads that read the register.
#[derive(Debug)]
pub struct Spill {
    file: Mutex<Written>,
}

/// A spill is itself only: two exports never share one.
impl PartialEq for Spill {
    fn eq(&self, other: &Spill) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Spill {}

/// The file and what it holds: the pieces before `on_disk` are in it, those after
/// in `buffer`, which holds every later piece once a write to the file has failed.
#[derive(Debug)]
struct Written {
    file: File,
    on_disk: u64,
    buffer: Vec<u8>,
    failed: bool,
}

impl Written {
    /// Writes the buffer to the file; after a failed write, keeps it (and all that
    /// follows) in memory.
    fn flush(&mut self) {
        if self.failed || self.buffer.is_empty() {
            return;
        }
        // A write cut short leaves bytes past `on_disk` that nothing reads.
        match self.file.write_all(&self.buffer) {
            Ok(()) => {
                self.on_disk += self.buffer.len() as u64;
                self.buffer.clear();
            }
            Err(_) => self.failed = true,
        }
    }
}

/// Where a piece set aside lies in the spill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spilled {
    at: u64,
    len: u32,
}

impl Spill {
    /// A new temporary file; `None` when the system gives none.
    pub fn new() -> Option<Spill> {
        let file = tempfile::tempfile().ok()?;
        let written = Written { file, on_disk: 0, buffer: Vec::with_capacity(BUFFERED), failed: false };
        Some(Spill { file: Mutex::new(written) })
    }

    /// Sets `bytes` aside; `None` when they could not be (they are then the
    /// caller's to keep).
    pub fn put(&self, bytes: &[u8]) -> Option<Spilled> {
        let len = u32::try_from(bytes.len()).ok()?;
        let mut written = self.file.lock().ok()?;
        let at = written.on_disk + written.buffer.len() as u64;
        written.buffer.extend_from_slice(bytes);
        if written.buffer.len() >= BUFFERED {
            written.flush();
        }
        Some(Spilled { at, len })
    }

    /// The bytes set aside at `spilled`.
    pub fn get(&self, spilled: Spilled) -> std::io::Result<Vec<u8>> {
        let mut written =
            self.file.lock().map_err(|_| std::io::Error::other("the temporary file was lost"))?;
        if spilled.at >= written.on_disk {
            written.flush();
        }
        let mut bytes = vec![0; spilled.len as usize];
        match spilled.at.checked_sub(written.on_disk) {
            // Still in memory (the file could not take it).
            Some(from) => {
                let from = usize::try_from(from).map_err(std::io::Error::other)?;
                let piece = written.buffer.get(from..from + bytes.len());
                bytes.copy_from_slice(
                    piece.ok_or_else(|| std::io::Error::other("a piece set aside is lost"))?,
                );
            }
            // Read where it lies, one call.
            None => written.file.read_exact_at(&mut bytes, spilled.at)?,
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_come_back_as_they_were_set_aside_while_more_are_written() {
        let spill = Spill::new().unwrap();
        let first = spill.put(b"first").unwrap();
        let empty = spill.put(b"").unwrap();
        assert_eq!(spill.get(first).unwrap(), b"first");
        let second = spill.put(b"second").unwrap();
        assert_eq!(spill.get(second).unwrap(), b"second");
        assert_eq!(spill.get(empty).unwrap(), b"");
        assert_eq!(spill.get(first).unwrap(), b"first");
    }

    #[test]
    fn many_pieces_come_back_from_the_file_and_from_memory_when_it_fails() {
        let pieces: Vec<Vec<u8>> =
            (0..2000u32).map(|i| format!("piece {i} ").repeat(40).into_bytes()).collect();
        // A file that takes every write, and one (opened for reading only) that takes none.
        let readable = tempfile::NamedTempFile::new().unwrap();
        let failing = File::open(readable.path()).unwrap();
        let refusing = Spill {
            file: Mutex::new(Written { file: failing, on_disk: 0, buffer: Vec::new(), failed: false }),
        };
        for spill in [Spill::new().unwrap(), refusing] {
            let spilled: Vec<Spilled> = pieces.iter().map(|p| spill.put(p).unwrap()).collect();
            for (piece, at) in pieces.iter().zip(&spilled).rev() {
                assert_eq!(&spill.get(*at).unwrap(), piece);
            }
        }
    }
}
