//! `Spill`: an anonymous temporary file the records' packed stage assessments wait
//! in between reading the register and writing the Assessments sheet, so that an
//! export holds a few bytes a record for them rather than their text (on 100,000
//! records some 120 MB). The file is deleted by the system when the export lets go
//! of it, or when crs stops. Where no temporary file can be made or written (no
//! room, no `TMPDIR`), what would have gone to it is held in memory instead: the
//! export is the same, only larger in memory.

use std::fs::File;
use std::io::{Seek, Write};
use std::os::unix::fs::FileExt;
use std::sync::Mutex;

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

/// The file, written straight through (a piece that cannot be written is known at
/// once, and kept in memory), and how much it holds.
#[derive(Debug)]
struct Written {
    file: File,
    /// Bytes written so far, the next piece's offset.
    len: u64,
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
        Some(Spill { file: Mutex::new(Written { file, len: 0 }) })
    }

    /// Sets `bytes` aside; `None` when they could not be written (they are then the
    /// caller's to keep).
    pub fn put(&self, bytes: &[u8]) -> Option<Spilled> {
        let len = u32::try_from(bytes.len()).ok()?;
        let mut written = self.file.lock().ok()?;
        let at = written.len;
        if written.file.write_all(bytes).is_err() {
            // Part of it may have been written: the next piece goes after that.
            written.len = written.file.stream_position().ok()?;
            return None;
        }
        written.len += u64::from(len);
        Some(Spilled { at, len })
    }

    /// The bytes set aside at `spilled`.
    pub fn get(&self, spilled: Spilled) -> std::io::Result<Vec<u8>> {
        let written = self.file.lock().map_err(|_| std::io::Error::other("the temporary file was lost"))?;
        // Read where it lies, one call, the file's own position (the end, where the
        // next piece is written) left as it is.
        let mut bytes = vec![0; spilled.len as usize];
        written.file.read_exact_at(&mut bytes, spilled.at)?;
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
}
