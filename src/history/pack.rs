//! `PackWriter`: how a write of many files stores its objects, as git packs of
//! whole objects, streamed. Each object is compressed on its own as it is given (as
//! git compresses a loose object, zlib's fastest level), with no search for deltas
//! between them (that search was the largest cost of a large write; `git gc` makes
//! the deltas later, as it does for git's own loose objects), and only its
//! compressed bytes are held until the pack is written. A pack and its index
//! (version 2) are written in a folder under temporary names and renamed to
//! `pack-<checksum>.pack` and `.idx` only once whole, the pack first; the caller
//! moves them into git's folder. The writer reads its objects back from its packs
//! with plain reads (each checked against its id), so that a large write reads
//! what it stored without libgit2 mapping whole packs into memory.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use git2::{ObjectType, Oid};

/// Where one object's entry starts in the pack, and the CRC-32 of the entry's bytes.
struct Entry {
    id: Oid,
    offset: u64,
    crc: u32,
}

/// Where an object a writer packed lies: its pack (by the order the packs were
/// written), where its entry starts and how many bytes the entry takes.
/// (Twelve bytes: a write of 100,000 files holds one for each.)
#[derive(Clone, Copy)]
struct Spot {
    pack: u32,
    offset: u32,
    len: u32,
}

/// The objects of one write, packed as they are given.
pub(crate) struct PackWriter {
    /// Every object packed by this writer, in any of its packs, and where.
    packed: HashMap<Oid, Spot>,
    /// The file names of the packs written, in order.
    written: Vec<String>,
    /// The entries of the pack being filled, and their bytes after the pack's header.
    entries: Vec<Entry>,
    body: Vec<u8>,
    compress: Compress,
    /// The bytes to make room for when a pack begins.
    reserve: usize,
}

/// Reads back, with plain reads, the objects a [`PackWriter`] packed; each reader
/// has its file and its inflater, so several threads can read at once.
pub(crate) struct PackReader<'w> {
    writer: &'w PackWriter,
    folder: &'w Path,
    /// The pack last read from, open: its number and the file.
    reading: Option<(u32, File)>,
    inflate: Decompress,
}

impl PackReader<'_> {
    /// The bytes of the object `id` as read back from the pack its writer wrote it
    /// to, checked against its id; `None` for an object it did not pack. Read with
    /// plain reads, one entry at a time.
    pub(crate) fn read(&mut self, id: Oid) -> Result<Option<Vec<u8>>, String> {
        let Some(spot) = self.writer.packed.get(&id).copied() else { return Ok(None) };
        let name = self
            .writer
            .written
            .get(spot.pack as usize)
            .ok_or_else(|| format!("object {id} is not written yet"))?;
        let failed = |e: std::io::Error| format!("cannot read object {id} back from {name}: {e}");
        let file = match &mut self.reading {
            Some((pack, file)) if *pack == spot.pack => file,
            reading => {
                &mut reading.insert((spot.pack, File::open(self.folder.join(name)).map_err(failed)?)).1
            }
        };
        let mut entry = vec![0; spot.len as usize];
        file.seek(SeekFrom::Start(u64::from(spot.offset))).map_err(failed)?;
        file.read_exact(&mut entry).map_err(failed)?;
        let (kind, size, header) =
            entry_header(&entry).ok_or_else(|| format!("object {id} has a broken entry in {name}"))?;
        let mut data = Vec::with_capacity(size + 64);
        self.inflate.reset(true);
        loop {
            let read = self.inflate.total_in() as usize;
            let status = self
                .inflate
                .decompress_vec(&entry[header + read..], &mut data, FlushDecompress::Finish)
                .map_err(|e| format!("object {id} does not inflate: {e}"))?;
            match status {
                Status::StreamEnd => break,
                _ if data.len() > size || header + (self.inflate.total_in() as usize) >= entry.len() => {
                    return Err(format!("object {id} is cut short in {name}"));
                }
                _ => data.reserve(64),
            }
        }
        if data.len() != size || Oid::hash_object(kind, &data).ok() != Some(id) {
            return Err(format!("object {id} reads back other than it was written, from {name}"));
        }
        Ok(Some(data))
    }
}

/// The size of a pack's header: `PACK`, the version, the number of objects.
const HEADER: u64 = 12;

impl PackWriter {
    /// A writer whose packs are about `size` bytes each (the caller writes them).
    pub(crate) fn new(size: usize) -> PackWriter {
        PackWriter {
            reserve: size + size / 8,
            packed: HashMap::new(),
            written: Vec::new(),
            entries: Vec::new(),
            body: Vec::new(),
            compress: Compress::new(Compression::fast(), true),
        }
    }

    /// Whether `id` is packed by this writer already.
    pub(crate) fn has(&self, id: Oid) -> bool {
        self.packed.contains_key(&id)
    }

    /// The bytes held for the pack being filled.
    pub(crate) fn held(&self) -> usize {
        self.body.len()
    }

    /// Packs the object `id` of type `kind` with `data`, unless packed already.
    pub(crate) fn add(&mut self, id: Oid, kind: ObjectType, data: &[u8]) -> Result<(), String> {
        if self.packed.contains_key(&id) {
            return Ok(());
        }
        let kind = match kind {
            ObjectType::Commit => 1u8,
            ObjectType::Tree => 2,
            ObjectType::Blob => 3,
            ObjectType::Tag => 4,
            other => return Err(format!("object {id} is a {other}, which a pack cannot hold whole")),
        };
        if self.body.capacity() == 0 {
            // Most packs are filled to the size their writer writes them at: one
            // allocation, not a doubling at each step.
            self.body.reserve(self.reserve);
        }
        let start = self.body.len();
        put_entry_header(&mut self.body, kind, data.len() as u64);
        self.compress.reset();
        // zlib's bound for incompressible input, and more if that is not enough.
        self.body.reserve(data.len() + data.len() / 64 + 64);
        loop {
            let read = self.compress.total_in() as usize;
            let status = self
                .compress
                .compress_vec(&data[read..], &mut self.body, FlushCompress::Finish)
                .map_err(|e| e.to_string())?;
            if status == Status::StreamEnd {
                break;
            }
            self.body.reserve(data.len() / 4 + 64);
        }
        let crc = crc32fast::hash(&self.body[start..]);
        let offset = HEADER + start as u64;
        self.entries.push(Entry { id, offset, crc });
        let len = u32::try_from(self.body.len() - start)
            .map_err(|_| format!("object {id} is too large for a pack entry crs reads back"))?;
        let pack = u32::try_from(self.written.len()).map_err(|_| "too many packs".to_owned())?;
        let offset = u32::try_from(offset).map_err(|_| "a pack larger than crs reads back".to_owned())?;
        self.packed.insert(id, Spot { pack, offset, len });
        Ok(())
    }

    /// A reader of the objects this writer packed, from its packs in `folder`
    /// (one for each thread that reads them).
    pub(crate) fn reader<'w>(&'w self, folder: &'w Path) -> PackReader<'w> {
        PackReader { writer: self, folder, reading: None, inflate: Decompress::new(true) }
    }

    /// Writes the objects given since the last pack as one pack with its index in
    /// `folder`, and starts the next; nothing is written when there are none.
    /// Returns the pack's path.
    pub(crate) fn write(&mut self, folder: &Path) -> Result<Option<PathBuf>, String> {
        if self.entries.is_empty() {
            return Ok(None);
        }
        let failed = |e: std::io::Error| e.to_string();
        let count =
            u32::try_from(self.entries.len()).map_err(|_| "too many objects for one pack".to_owned())?;
        let mut header = Vec::with_capacity(HEADER as usize);
        header.extend_from_slice(b"PACK");
        header.extend_from_slice(&2u32.to_be_bytes());
        header.extend_from_slice(&count.to_be_bytes());
        let mut sha = sha1_smol::Sha1::new();
        sha.update(&header);
        sha.update(&self.body);
        let checksum = sha.digest().bytes();
        let name = format!("pack-{}", Oid::from_bytes(&checksum).map_err(|e| e.message().to_owned())?);
        let pack_temp = folder.join("tmp-pack");
        let mut pack = File::create(&pack_temp).map_err(failed)?;
        pack.write_all(&header).map_err(failed)?;
        pack.write_all(&self.body).map_err(failed)?;
        pack.write_all(&checksum).map_err(failed)?;
        drop(pack);
        let pack_path = folder.join(format!("{name}.pack"));
        fs::rename(&pack_temp, &pack_path).map_err(failed)?;
        self.written.push(format!("{name}.pack"));
        self.entries.sort_unstable_by_key(|e| e.id);
        let index_temp = folder.join("tmp-idx");
        write_index(&index_temp, &self.entries, &checksum).map_err(failed)?;
        fs::rename(&index_temp, folder.join(format!("{name}.idx"))).map_err(failed)?;
        // The next pack is filled in the same room: a buffer of this size let go and
        // asked for again would be a fresh one each time, as the allocator's heap
        // holds no hole that large once smaller things are put in the old one.
        self.entries.clear();
        self.body.clear();
        Ok(Some(pack_path))
    }
}

/// An entry's header: its type and its size before compression.
fn put_entry_header(out: &mut Vec<u8>, kind: u8, mut size: u64) {
    let mut byte = (kind << 4) | (size & 0x0f) as u8;
    size >>= 4;
    while size > 0 {
        out.push(byte | 0x80);
        byte = (size & 0x7f) as u8;
        size >>= 7;
    }
    out.push(byte);
}

/// An entry's type, its size before compression and the length of its header.
fn entry_header(entry: &[u8]) -> Option<(ObjectType, usize, usize)> {
    let first = *entry.first()?;
    let kind = match (first >> 4) & 0x07 {
        1 => ObjectType::Commit,
        2 => ObjectType::Tree,
        3 => ObjectType::Blob,
        4 => ObjectType::Tag,
        _ => return None,
    };
    let mut size = u64::from(first & 0x0f);
    let mut shift = 4;
    let mut at = 0;
    while entry[at] & 0x80 != 0 {
        at += 1;
        let byte = *entry.get(at)?;
        size |= u64::from(byte & 0x7f).checked_shl(shift)?;
        shift += 7;
    }
    Some((kind, usize::try_from(size).ok()?, at + 1))
}

/// A file being written, hashed as it goes (an index ends with the SHA-1 of what
/// comes before).
struct Hashed {
    out: BufWriter<File>,
    sha: sha1_smol::Sha1,
}

impl Hashed {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.sha.update(bytes);
        self.out.write_all(bytes)
    }
}

/// The pack's index, version 2: entries in id order, a fan-out table by first byte,
/// the ids, the CRCs, the offsets (those past 2 GiB in a table of their own), the
/// pack's checksum and the index's own.
fn write_index(path: &Path, entries: &[Entry], pack_checksum: &[u8; 20]) -> std::io::Result<()> {
    let mut index =
        Hashed { out: BufWriter::with_capacity(1 << 16, File::create(path)?), sha: sha1_smol::Sha1::new() };
    index.put(&[0xff, b't', b'O', b'c'])?;
    index.put(&2u32.to_be_bytes())?;
    let mut fanout = [0u32; 256];
    for entry in entries {
        fanout[entry.id.as_bytes()[0] as usize] += 1;
    }
    let mut total = 0;
    for count in fanout {
        total += count;
        index.put(&total.to_be_bytes())?;
    }
    for entry in entries {
        index.put(entry.id.as_bytes())?;
    }
    for entry in entries {
        index.put(&entry.crc.to_be_bytes())?;
    }
    let mut large = Vec::new();
    for entry in entries {
        match u32::try_from(entry.offset).ok().filter(|o| *o < 0x8000_0000) {
            Some(offset) => index.put(&offset.to_be_bytes())?,
            None => {
                index.put(&(0x8000_0000 | large.len() as u32).to_be_bytes())?;
                large.push(entry.offset);
            }
        }
    }
    for offset in large {
        index.put(&offset.to_be_bytes())?;
    }
    index.put(pack_checksum)?;
    let sum = index.sha.digest().bytes();
    index.out.write_all(&sum)?;
    index.out.into_inner().map_err(|e| e.into_error())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{ObjectType, Oid, PackWriter, fs};

    #[test]
    fn written_packs_are_read_back_by_git() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path()).unwrap();
        let packs = dir.path().join("objects/pack");
        let big: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let blobs: [&[u8]; 3] = [b"one", &big, b""];
        let mut writer = PackWriter::new(1 << 10);
        let mut ids = Vec::new();
        for (i, data) in blobs.iter().enumerate() {
            let id = Oid::hash_object(ObjectType::Blob, data).unwrap();
            writer.add(id, ObjectType::Blob, data).unwrap();
            writer.add(id, ObjectType::Blob, data).unwrap();
            assert!(writer.has(id));
            ids.push(id);
            if i == 0 {
                writer.write(&packs).unwrap().expect("a pack of one object");
            }
        }
        writer.write(&packs).unwrap().expect("a pack of two objects");
        assert_eq!(writer.write(&packs).unwrap(), None, "nothing left to write");
        for (id, data) in ids.iter().zip(blobs) {
            assert_eq!(
                writer.reader(&packs).read(*id).unwrap().as_deref(),
                Some(data),
                "read back by the writer"
            );
        }
        assert_eq!(writer.reader(&packs).read(Oid::zero()).unwrap(), None, "an object it did not pack");
        let odb = repo.odb().unwrap();
        odb.refresh().unwrap();
        for (id, data) in ids.iter().zip(blobs) {
            assert_eq!(odb.read(*id).unwrap().data(), data);
        }
        // A byte of the pack changed on disk: the object reads back as an error, not
        // as other bytes.
        let second = packs.join(&writer.written[1]);
        let mut bytes = fs::read(&second).unwrap();
        let last = bytes.len() - 21;
        bytes[last] ^= 0xff;
        fs::write(&second, &bytes).unwrap();
        assert!(writer.reader(&packs).read(ids[2]).is_err(), "a changed byte is found");
        bytes[last] ^= 0xff;
        fs::write(&second, &bytes).unwrap();
        let names: Vec<_> = fs::read_dir(&packs).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 4, "{names:?}");
        let fsck = std::process::Command::new("git")
            .args(["fsck", "--strict", "--no-dangling"])
            .env("GIT_DIR", dir.path())
            .output()
            .unwrap();
        assert!(fsck.status.success(), "{}", String::from_utf8_lossy(&fsck.stderr));
    }
}
