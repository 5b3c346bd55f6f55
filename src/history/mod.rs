//! Everything git: committing one record, reading the log, and reading the register
//! as it stood at a date or revision. No git2 type leaks out of this module.

pub mod repo;
pub mod snapshot;

pub use snapshot::{Snapshot, snapshot};
