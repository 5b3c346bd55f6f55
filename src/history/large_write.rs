//! `LargeWrite`: the files of a write of many (a spreadsheet's import), each stored
//! as it is given — its blob compressed into a pack being made in crs's folder (see
//! [`PackWriter`]) — so that what a write holds until its commit is each file's
//! path and blob id, not its text. The compressing and the writing of the packs
//! happen on a thread of their own while the caller makes the next file. The packs
//! join git's only when the write is committed
//! ([`crate::history::Writer::commit_large`]); a large write dropped without its
//! commit deletes them, and a killed one leaves them for the next write to delete,
//! so git's folder never holds a pack of a write that was not made.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use git2::{ObjectType, Oid, Repository};

use crate::error::{Error, Result};
use crate::history::commit::{remove_staged_packs, stage_pack_in};
use crate::history::pack::PackWriter;
use crate::history::repo::storage_error;

/// A file of a large write: its register-relative path, the blob of its bytes, and
/// the blob git stores for it (the same, unless git's filters change it).
pub(crate) struct StoredFile {
    pub(crate) path: String,
    pub(crate) new: Oid,
    pub(crate) staged: Oid,
}

/// Blobs go to the packing thread in batches of about this many bytes (one wake-up
/// of the thread for hundreds of files), and at most [`WAITING`] batches wait.
const BATCH_BYTES: usize = 1 << 20;
const WAITING: usize = 4;

/// Blobs for the packing thread: each with its id and the path it is for.
type Batch = Vec<(Oid, Vec<u8>, String)>;

/// Where a large write's packer is.
enum Packing {
    /// On its thread, given blobs (with the path they are for) over `blobs`.
    Away {
        blobs: SyncSender<Batch>,
        thread: JoinHandle<Result<PackWriter>>,
    },
    Here(Box<PackWriter>),
    /// Its thread failed, and said why already.
    Failed,
}

/// A write of many files in progress, made by [`crate::history::Writer::large_write`].
pub struct LargeWrite {
    /// A handle of its own on the repository, whose object database holds the few
    /// objects libgit2 makes itself (a blob through git's filters, the trees) in
    /// memory, until they are packed with the rest.
    pub(crate) repo: Repository,
    packing: Packing,
    /// The blobs given to the packer, while it is on its thread, and those not
    /// sent to it yet (with their bytes).
    given: HashSet<Oid>,
    batch: Batch,
    batch_bytes: usize,
    pub(crate) files: Vec<StoredFile>,
    /// Blobs git's filters made, held in `repo`'s memory.
    pub(crate) filtered: Vec<Oid>,
    /// crs's folder where the packs are made, and git's where they go.
    pub(crate) staging: PathBuf,
    pub(crate) packs: PathBuf,
    /// How large a pack grows before it is written, and whether it is then flushed.
    pack_bytes: usize,
    durable: bool,
}

impl LargeWrite {
    /// A large write on `repo` whose packs of about `pack_bytes` each are made in
    /// `staging` (flushed to disk when `durable`) and go to `packs`.
    pub(crate) fn new(
        repo: Repository,
        pack_bytes: usize,
        staging: PathBuf,
        packs: PathBuf,
        durable: bool,
    ) -> Self {
        let (blobs, waiting) = sync_channel::<Batch>(WAITING);
        let folder = staging.clone();
        let thread = std::thread::Builder::new().name("crs-pack".into()).spawn(move || {
            let mut packer = PackWriter::new(pack_bytes);
            for (id, bytes, path) in waiting.into_iter().flatten() {
                packer.add(id, ObjectType::Blob, &bytes).map_err(|e| storage_error(&path, &e))?;
                if packer.held() >= pack_bytes {
                    stage_pack_in(&mut packer, &folder, durable)?;
                }
            }
            Ok(packer)
        });
        // A system that will not start the thread gets the packing done here.
        let packing = match thread {
            Ok(thread) => Packing::Away { blobs, thread },
            Err(_) => Packing::Here(Box::new(PackWriter::new(pack_bytes))),
        };
        LargeWrite {
            repo,
            packing,
            given: HashSet::new(),
            batch: Vec::new(),
            batch_bytes: 0,
            files: Vec::new(),
            filtered: Vec::new(),
            staging,
            packs,
            pack_bytes,
            durable,
        }
    }

    /// The register-relative paths of the files given so far.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|f| f.path.as_str())
    }

    /// Whether the blob `id` is packed by this write (or given to be) already.
    pub(crate) fn has(&self, id: Oid) -> bool {
        match &self.packing {
            Packing::Away { .. } => self.given.contains(&id),
            Packing::Here(packer) => packer.has(id),
            Packing::Failed => false,
        }
    }

    /// Packs the blob `id` of `bytes`, the file at `path`: on the packing thread
    /// while it runs, else here (its pack written once full, in `staging`).
    pub(crate) fn pack_blob(&mut self, id: Oid, bytes: &[u8], path: &str) -> Result<()> {
        if let Packing::Away { .. } = &self.packing {
            self.given.insert(id);
            self.batch.push((id, bytes.to_vec(), path.to_owned()));
            self.batch_bytes += bytes.len();
            return match self.batch_bytes >= BATCH_BYTES {
                true => self.send_batch(),
                false => Ok(()),
            };
        }
        let (staging, pack_bytes, durable) = (self.staging.clone(), self.pack_bytes, self.durable);
        let packer = self.packer()?;
        packer.add(id, ObjectType::Blob, bytes).map_err(|e| storage_error(path, &e))?;
        if packer.held() >= pack_bytes {
            stage_pack_in(packer, &staging, durable)?;
        }
        Ok(())
    }

    /// Sends the blobs waiting to the packing thread.
    fn send_batch(&mut self) -> Result<()> {
        let Packing::Away { blobs, .. } = &self.packing else { return Ok(()) };
        self.batch_bytes = 0;
        match blobs.send(std::mem::take(&mut self.batch)) {
            Ok(()) => Ok(()),
            // The thread stopped: its error says why.
            Err(_) => self.packer().map(|_| ()),
        }
    }

    /// The packer, here: called back from its thread (which packs what it was
    /// given first), with the error that stopped it if one did.
    pub(crate) fn packer(&mut self) -> Result<&mut PackWriter> {
        // Taken while its thread is joined: `Failed` stays if the thread failed.
        match std::mem::replace(&mut self.packing, Packing::Failed) {
            Packing::Away { blobs, thread } => {
                // A send that fails leaves the thread's error to say why, just below.
                let _ = blobs.send(std::mem::take(&mut self.batch));
                drop(blobs);
                let packer = thread.join().unwrap_or_else(|_| Err(stopped()))?;
                self.given.clear();
                self.packing = Packing::Here(Box::new(packer));
            }
            other => self.packing = other,
        }
        match &mut self.packing {
            Packing::Here(packer) => Ok(packer),
            _ => Err(stopped()),
        }
    }

    /// The packer once it is back from its thread ([`LargeWrite::packer`]), to read
    /// back what it packed from git's folder.
    pub(crate) fn packed(&self) -> Result<(&PackWriter, &Path)> {
        match &self.packing {
            Packing::Here(packer) => Ok((packer, &self.packs)),
            _ => Err(stopped()),
        }
    }
}

/// The error of a packing thread that stopped without its result.
fn stopped() -> Error {
    storage_error("the pack of the new files", "the thread packing them stopped")
}

impl Drop for LargeWrite {
    /// Deletes the packs of a write that was not committed (a committed one has
    /// moved them all into git's folder already), once its packing thread is done.
    fn drop(&mut self) {
        if let Packing::Away { blobs, thread } = std::mem::replace(&mut self.packing, Packing::Failed) {
            drop(blobs);
            let _ = thread.join();
        }
        remove_staged_packs(&self.staging, &self.packs);
    }
}
