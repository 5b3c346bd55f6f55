//! The integration tests: each drives the built `crs` binary on real files (and real
//! git repositories) in temp dirs.

mod bad_input;
mod check;
mod examples;
mod harness;
mod list_show;
mod orgs;
mod readme;
mod schema;
