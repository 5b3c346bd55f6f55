//! git's commit-graph file (`objects/info/commit-graph`), read for what a walk of
//! history needs — each commit's tree, parents and commit time — without inflating
//! the commits themselves, as git does. Only a single graph file of SHA-1 ids is
//! read, and only whole: its checksum must match, its chunks must have the sizes the
//! format gives them, and every position in it must be in range. Anything else — a
//! split graph (a chain of files), another hash, a damaged or truncated file, a file
//! that is not a regular file — means no graph, and the walk reads commits from the
//! object database instead. Layout: git's Documentation/gitformat-commit-graph.txt.

use std::path::Path;

use git2::Oid;

/// A commit as the graph records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphCommit {
    pub tree: Oid,
    pub parents: Vec<Oid>,
    /// Committer time, seconds since the epoch.
    pub time: i64,
}

/// A commit-graph file, read whole and checked.
pub struct CommitGraph {
    data: Vec<u8>,
    fanout: usize,
    lookup: usize,
    commit_data: usize,
    /// Where the extra-edges chunk starts and ends.
    extra_edges: Option<(usize, usize)>,
    commits: usize,
}

const ID: usize = 20;
const HEADER: usize = 8;
const CHUNK_ENTRY: usize = 12;
const FANOUT: usize = 256 * 4;
const COMMIT_DATA: usize = ID + 16;
const NO_PARENT: u32 = 0x7000_0000;
const EXTRA_EDGES: u32 = 0x8000_0000;

impl CommitGraph {
    /// The graph in the object folder `objects`, if there is one this reader can use.
    pub fn open(objects: &Path) -> Option<CommitGraph> {
        let path = objects.join("info/commit-graph");
        if !std::fs::symlink_metadata(&path).ok()?.is_file() {
            return None;
        }
        CommitGraph::parse(std::fs::read(path).ok()?)
    }

    fn parse(data: Vec<u8>) -> Option<CommitGraph> {
        // "CGPH", version 1, hash version 1 (SHA-1), chunk count, base graph count.
        let header = data.get(..HEADER)?;
        if &header[..4] != b"CGPH" || header[4] != 1 || header[5] != 1 || header[7] != 0 {
            return None;
        }
        let body = data.len().checked_sub(ID)?;
        if sha1_smol::Sha1::from(&data[..body]).digest().bytes() != data[body..] {
            return None;
        }
        // The chunk table: (id, offset) pairs, then a terminating entry whose offset
        // ends the last chunk; each chunk runs to the next one's offset.
        let count = usize::from(header[6]);
        let mut chunks = Vec::with_capacity(count + 1);
        for i in 0..=count {
            let at = HEADER + i * CHUNK_ENTRY;
            let entry = data.get(at..at + CHUNK_ENTRY)?;
            let offset = usize::try_from(u64::from_be_bytes(entry[4..].try_into().ok()?)).ok()?;
            chunks.push((<[u8; 4]>::try_from(&entry[..4]).ok()?, offset));
        }
        // As git: the table ends with a zero id, and names each chunk at most once.
        if chunks[count].0 != [0; 4] {
            return None;
        }
        for (i, (id, _)) in chunks[..count].iter().enumerate() {
            if chunks[..i].iter().any(|(earlier, _)| earlier == id) {
                return None;
            }
        }
        let span = |name: &[u8; 4]| -> Option<(usize, usize)> {
            let i = chunks[..count].iter().position(|(id, _)| id == name)?;
            let (start, end) = (chunks[i].1, chunks[i + 1].1);
            (start <= end && end <= body).then_some((start, end))
        };
        let (fanout, fanout_end) = span(b"OIDF")?;
        if fanout_end - fanout != FANOUT {
            return None;
        }
        let fanout_at = |byte: usize| be32(&data, fanout + byte * 4).and_then(|n| usize::try_from(n).ok());
        let commits = fanout_at(255)?;
        let mut previous = 0;
        for byte in 0..256 {
            let count = fanout_at(byte)?;
            if count < previous {
                return None;
            }
            previous = count;
        }
        let (lookup, lookup_end) = span(b"OIDL")?;
        let (commit_data, commit_data_end) = span(b"CDAT")?;
        if lookup_end - lookup != commits.checked_mul(ID)?
            || commit_data_end - commit_data != commits.checked_mul(COMMIT_DATA)?
        {
            return None;
        }
        let extra_edges = span(b"EDGE");
        Some(CommitGraph { data, fanout, lookup, commit_data, extra_edges, commits })
    }

    /// The commit `id`, if the graph has it.
    pub fn get(&self, id: Oid) -> Option<GraphCommit> {
        let at = self.commit_data + self.position(id)? * COMMIT_DATA;
        let tree = Oid::from_bytes(self.data.get(at..at + ID)?).ok()?;
        let mut parents = Vec::new();
        let first = be32(&self.data, at + ID)?;
        if first != NO_PARENT {
            parents.push(self.id_at(first)?);
        }
        let second = be32(&self.data, at + ID + 4)?;
        if second & EXTRA_EDGES != 0 {
            // An octopus merge: the other parents are listed in the extra edges, the
            // last one marked.
            let (start, end) = self.extra_edges?;
            let mut edge = start.checked_add(usize::try_from(second & !EXTRA_EDGES).ok()?.checked_mul(4)?)?;
            loop {
                let entry = be32(&self.data, edge).filter(|_| edge + 4 <= end)?;
                parents.push(self.id_at(entry & !EXTRA_EDGES)?);
                if entry & EXTRA_EDGES != 0 {
                    break;
                }
                edge += 4;
            }
        } else if second != NO_PARENT {
            parents.push(self.id_at(second)?);
        }
        // The low 34 bits of the last 8 bytes are the commit time.
        let high = u64::from(be32(&self.data, at + ID + 8)? & 0b11);
        let low = u64::from(be32(&self.data, at + ID + 12)?);
        Some(GraphCommit { tree, parents, time: i64::try_from((high << 32) | low).ok()? })
    }

    /// Where `id` is in the sorted list of ids, found by its first byte's range.
    fn position(&self, id: Oid) -> Option<usize> {
        let first = usize::from(id.as_bytes()[0]);
        let end = usize::try_from(be32(&self.data, self.fanout + first * 4)?).ok()?;
        let start = match first {
            0 => 0,
            _ => usize::try_from(be32(&self.data, self.fanout + (first - 1) * 4)?).ok()?,
        };
        let (mut low, mut high) = (start, end.min(self.commits));
        while low < high {
            let middle = low + (high - low) / 2;
            let at = self.lookup + middle * ID;
            match self.data.get(at..at + ID)?.cmp(id.as_bytes()) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(middle),
            }
        }
        None
    }

    fn id_at(&self, position: u32) -> Option<Oid> {
        let position = usize::try_from(position).ok().filter(|p| *p < self.commits)?;
        let at = self.lookup + position * ID;
        Oid::from_bytes(self.data.get(at..at + ID)?).ok()
    }
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A graph of one root commit, as git lays it out, with its checksum.
    fn one_commit() -> Vec<u8> {
        let commit = [0x11; ID];
        let tree = [0x22; ID];
        let mut data = b"CGPH\x01\x01\x03\x00".to_vec();
        let start = HEADER + 4 * CHUNK_ENTRY;
        for (name, offset) in [
            (b"OIDF", start),
            (b"OIDL", start + FANOUT),
            (b"CDAT", start + FANOUT + ID),
            (b"\0\0\0\0", start + FANOUT + ID + COMMIT_DATA),
        ] {
            data.extend_from_slice(name);
            data.extend_from_slice(&(offset as u64).to_be_bytes());
        }
        for byte in 0..256u32 {
            data.extend_from_slice(&u32::from(byte >= 0x11).to_be_bytes());
        }
        data.extend_from_slice(&commit);
        data.extend_from_slice(&tree);
        data.extend_from_slice(&NO_PARENT.to_be_bytes());
        data.extend_from_slice(&NO_PARENT.to_be_bytes());
        data.extend_from_slice(&(1u64 << 34 | 1_700_000_000).to_be_bytes());
        let checksum = sha1_smol::Sha1::from(&data).digest().bytes();
        data.extend_from_slice(&checksum);
        data
    }

    #[test]
    fn a_whole_graph_is_read() {
        let graph = CommitGraph::parse(one_commit()).expect("a valid graph");
        let commit = graph.get(Oid::from_bytes(&[0x11; ID]).unwrap()).unwrap();
        assert_eq!(commit.tree, Oid::from_bytes(&[0x22; ID]).unwrap());
        assert_eq!((commit.parents.len(), commit.time), (0, 1_700_000_000));
        assert!(graph.get(Oid::from_bytes(&[0x12; ID]).unwrap()).is_none());
    }

    #[test]
    fn anything_but_a_whole_single_sha1_graph_is_no_graph() {
        assert!(CommitGraph::parse(Vec::new()).is_none());
        let mut chain = one_commit();
        chain[7] = 1;
        assert!(CommitGraph::parse(chain).is_none(), "a chain");
        let mut sha256 = one_commit();
        sha256[5] = 2;
        assert!(CommitGraph::parse(sha256).is_none(), "SHA-256");
        let whole = one_commit();
        for cut in [1, 20, 21, 100] {
            assert!(CommitGraph::parse(whole[..whole.len() - cut].to_vec()).is_none(), "cut {cut}");
        }
        // Any changed byte, even with the checksum made to match, or a wild offset.
        for at in [9, 20, 60, 70, whole.len() - 30] {
            for value in [0x00, 0x7f, 0xff] {
                let mut damaged = whole.clone();
                damaged[at] = value;
                let _ =
                    CommitGraph::parse(damaged.clone()).map(|g| g.get(Oid::from_bytes(&[0x11; ID]).unwrap()));
                let body = damaged.len() - ID;
                let checksum = sha1_smol::Sha1::from(&damaged[..body]).digest().bytes();
                damaged[body..].copy_from_slice(&checksum);
                let _ = CommitGraph::parse(damaged).map(|g| g.get(Oid::from_bytes(&[0x11; ID]).unwrap()));
            }
        }
        // A table naming a chunk twice, or not ending with a zero id.
        let signed = |mut data: Vec<u8>| {
            let body = data.len() - ID;
            let checksum = sha1_smol::Sha1::from(&data[..body]).digest().bytes();
            data[body..].copy_from_slice(&checksum);
            data
        };
        let mut twice = whole.clone();
        twice[HEADER + CHUNK_ENTRY..HEADER + CHUNK_ENTRY + 4].copy_from_slice(b"OIDF");
        assert!(CommitGraph::parse(signed(twice)).is_none(), "a chunk named twice");
        let mut unended = whole.clone();
        unended[HEADER + 3 * CHUNK_ENTRY] = b'X';
        assert!(CommitGraph::parse(signed(unended)).is_none(), "no zero id at the end");
        assert!(CommitGraph::parse(signed(whole.clone())).is_some(), "re-signing alone changes nothing");
        let mut unsigned = whole;
        unsigned[60] ^= 1;
        assert!(CommitGraph::parse(unsigned).is_none(), "a changed byte fails the checksum");
    }
}
