//! git's commit-graph file (`.git/objects/info/commit-graph`), read for what a walk
//! of history needs — each commit's tree, parents and commit time — without
//! inflating the commits themselves, as git does. Only a single graph file of
//! SHA-1 ids is read; a split graph (a chain of files), another hash, or anything
//! unexpected means no graph, and the walk reads commits from the object database.
//! Layout: Documentation/gitformat-commit-graph.txt in git.

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

/// A commit-graph file, read whole.
pub struct CommitGraph {
    data: Vec<u8>,
    fanout: usize,
    lookup: usize,
    commit_data: usize,
    extra_edges: Option<usize>,
    commits: usize,
}

const ID: usize = 20;
const COMMIT_DATA: usize = ID + 16;
const NO_PARENT: u32 = 0x7000_0000;
const EXTRA_EDGES: u32 = 0x8000_0000;

impl CommitGraph {
    /// The graph of the repository whose git folder is `git_dir`; `None` when it has
    /// none that this reader can use.
    pub fn open(git_dir: &Path) -> Option<CommitGraph> {
        let data = std::fs::read(git_dir.join("objects/info/commit-graph")).ok()?;
        CommitGraph::parse(data)
    }

    fn parse(data: Vec<u8>) -> Option<CommitGraph> {
        // "CGPH", version 1, hash version 1 (SHA-1), chunk count, base graph count.
        let header = data.get(..8)?;
        if &header[..4] != b"CGPH" || header[4] != 1 || header[5] != 1 || header[7] != 0 {
            return None;
        }
        let chunk_count = usize::from(header[6]);
        let (mut fanout, mut lookup, mut commit_data, mut extra_edges) = (None, None, None, None);
        for i in 0..chunk_count {
            let entry = data.get(8 + i * 12..8 + (i + 1) * 12)?;
            let offset = usize::try_from(u64::from_be_bytes(entry[4..].try_into().ok()?)).ok()?;
            match &entry[..4] {
                b"OIDF" => fanout = Some(offset),
                b"OIDL" => lookup = Some(offset),
                b"CDAT" => commit_data = Some(offset),
                b"EDGE" => extra_edges = Some(offset),
                _ => {}
            }
        }
        let (fanout, lookup, commit_data) = (fanout?, lookup?, commit_data?);
        let commits = usize::try_from(be32(&data, fanout + 255 * 4)?).ok()?;
        // Every chunk the reader indexes must lie inside the file.
        data.get(lookup..lookup + commits * ID)?;
        data.get(commit_data..commit_data + commits * COMMIT_DATA)?;
        Some(CommitGraph { data, fanout, lookup, commit_data, extra_edges, commits })
    }

    /// The commit `id`, if the graph has it.
    pub fn get(&self, id: Oid) -> Option<GraphCommit> {
        let position = self.position(id)?;
        let at = self.commit_data + position * COMMIT_DATA;
        let tree = Oid::from_bytes(self.data.get(at..at + ID)?).ok()?;
        let mut parents = Vec::new();
        let first = be32(&self.data, at + ID)?;
        if first != NO_PARENT {
            parents.push(self.id_at(first)?);
        }
        let second = be32(&self.data, at + ID + 4)?;
        if second & EXTRA_EDGES != 0 {
            // An octopus merge: the other parents are listed in the extra edges.
            let mut edge = self.extra_edges? + usize::try_from(second & !EXTRA_EDGES).ok()? * 4;
            loop {
                let entry = be32(&self.data, edge)?;
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
        Some(GraphCommit { tree, parents, time: i64::try_from(high << 32 | low).ok()? })
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
            let middle = (low + high) / 2;
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
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anything_but_a_single_sha1_graph_is_no_graph() {
        assert!(CommitGraph::parse(Vec::new()).is_none());
        assert!(CommitGraph::parse(b"CGPH\x01\x01\x00\x00".to_vec()).is_none(), "no chunks");
        assert!(CommitGraph::parse(b"CGPH\x01\x02\x00\x00".to_vec()).is_none(), "SHA-256");
        assert!(CommitGraph::parse(b"CGPH\x01\x01\x03\x01".to_vec()).is_none(), "a chain");
        assert!(CommitGraph::parse(b"XXXX\x01\x01\x03\x00".to_vec()).is_none());
    }
}
