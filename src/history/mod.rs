//! Everything git: committing a change (identity, hooks and signing as git does them), reading the log, reading the register as it
//! stood at a date or revision, the working tree's state and the submission tags. No
//! git2 type leaks out of this module.

pub mod changed;
pub mod commit;
pub mod config;
pub(crate) mod dropped;
pub(crate) mod durable;
pub(crate) mod exported;
pub mod faults;
pub(crate) mod filters;
pub mod graph;
pub mod hooks;
pub mod identity;
pub mod journal;
pub(crate) mod large_write;
pub mod last_import;
pub(crate) mod leftovers;
pub mod lock;
pub mod log;
pub mod merge_driver;
pub mod moved;
pub mod moves;
pub(crate) mod new_repo;
pub(crate) mod pack;
pub mod repo;
pub mod signing;
pub mod snapshot;
pub mod tags;
pub(crate) mod tracked;
pub mod walk;
pub mod worktree;

pub use commit::{Committed, FileWrite, Recovered, Writer, WriterSetup};
pub use identity::Identity;
pub use large_write::LargeWrite;
pub use snapshot::{Snapshot, commit_time, snapshot};
pub use tags::{last_submission, submission_tag_name};
pub use worktree::work_tree;
