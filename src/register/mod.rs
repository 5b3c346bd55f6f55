//! The register on disk: finding it, reading its settings, loading and checking its
//! records, and writing one record safely.

pub mod config;
pub mod created;
pub mod edit;
pub mod layout;
pub mod load;
pub mod locate;
pub mod markers;
pub mod merge;
pub mod parallel;
pub mod source;
pub mod write;

pub use config::{Config, read_config};
pub use load::{load, read_records};
pub use source::{DiskSource, Source};
