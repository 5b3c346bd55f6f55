//! The integration tests: each drives the built `crs` binary on real files (and real
//! git repositories) in temp dirs.

mod bad_input;
mod check;
mod examples;
mod export;
mod harness;
mod list_show;
mod readme;
mod schema;
mod sheets;
mod submit;
