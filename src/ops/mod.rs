//! The operations crs performs, between the command line and the register: opening a
//! register to read, the one record checker, the one write transaction, and each use
//! case built on them (a change to a record, an export, a submission and its
//! verification, an organisation import). Commands parse their flags, call one operation and render
//! what it returns; operations never print.

pub mod change;
pub mod check;
pub mod checker;
pub mod decide;
pub mod due;
pub mod edit;
pub mod export;
pub mod import;
pub(crate) mod import_register;
pub mod init;
pub mod list;
pub mod log;
pub mod merge_file;
pub mod migrate;
pub mod open;
pub mod orgs;
pub mod reimport;
pub mod relocate;
pub mod report;
pub mod setup;
pub mod show;
pub mod steps;
pub mod submit;
pub mod succeed;
pub mod transaction;
pub mod verify;

// What a write reports, as the commands render it.
pub use crate::history::{Committed, Recovered};
