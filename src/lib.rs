//! crs keeps a register of Commissioner Requested Services in git: one TOML record
//! per provider service, checked against the designation framework, changed through
//! validated commits, and exported as the regulator's submission.
//!
//! `run` is the whole program; `main.rs` only passes it the process. Nothing below
//! the `cli` module prints: the core returns data and errors, the cli writes them.

#![deny(clippy::print_stdout, clippy::print_stderr)]

#[cfg(test)]
mod architecture;
pub(crate) mod atomic;
pub(crate) mod caught;
pub(crate) mod cli;
pub(crate) mod context;
pub(crate) mod digest;
pub(crate) mod error;
pub(crate) mod export;
pub(crate) mod framework;
pub(crate) mod history;
pub(crate) mod import;
pub(crate) mod model;
pub(crate) mod ops;
pub(crate) mod orgs;
pub(crate) mod register;
pub(crate) mod render;
pub(crate) mod text;

use std::io::Write;

// The library's whole surface: what the binary, the benches and the tests use. Every
// module is private to the crate, so the compiler finds the code nothing calls.
pub use cli::command;
pub use context::Process;
pub use framework::{Framework, Rule};
pub use orgs::ODS_DOWNLOADS;

/// The limits of what `crs import` reads, as the README states them.
pub mod import_limits {
    pub use crate::import::guard::{
        MAX_BOOK_CELLS, MAX_CELL_BYTES, MAX_CELLS, MAX_INPUT_BYTES, MAX_MERGED, MAX_PARTS, MAX_TEXT_BYTES,
        MAX_UNPACKED_BYTES,
    };
}

/// Runs crs with `process`, writing data to `out` and messages to `err`; returns
/// the exit code: 0 nothing wrong, 1 findings at error level, 2 crs could not run.
pub fn run(process: &Process, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    cli::run(process, out, err)
}
