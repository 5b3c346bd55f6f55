//! crs keeps a register of Commissioner Requested Services in git: one TOML record
//! per provider service, checked against the designation framework, changed through
//! validated commits, and exported as the regulator's submission.
//!
//! `run` is the whole program; `main.rs` only passes it the process. Nothing below
//! the `cli` module prints: the core returns data and errors, the cli writes them.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod board;
pub(crate) mod caught;
pub mod cli;
pub mod context;
pub mod digest;
pub mod error;
pub mod export;
pub mod framework;
pub mod history;
pub mod import;
pub mod model;
pub mod ops;
pub mod orgs;
pub mod register;
pub mod report;
pub mod text;

use std::io::Write;

pub use context::Process;

/// Runs crs with `process`, writing data to `out` and messages to `err`; returns
/// the exit code: 0 nothing wrong, 1 findings at error level, 2 crs could not run.
pub fn run(process: &Process, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    cli::run(process, out, err)
}
