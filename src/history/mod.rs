//! Everything git: committing a change, reading the log, and reading the register
//! as it stood at a date or revision. No git2 type leaks out of this module.

pub mod changed;
pub mod commit;
pub mod identity;
pub mod lock;
pub mod log;
pub mod repo;
pub mod snapshot;

pub use commit::{Committed, Writer};
pub use identity::Identity;
pub use snapshot::{Snapshot, snapshot};
