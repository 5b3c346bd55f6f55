//! The integration tests: each drives the built `crs` binary on real files (and real
//! git repositories) in temp dirs.

mod bad_input;
mod check;
mod completion;
mod earned;
mod edit;
mod examples;
mod export;
mod first_hour;
mod fuzz;
mod hardening;
mod harness;
mod hooks;
mod hostile;
mod identity;
mod import;
mod init;
mod lifecycle;
mod list_show;
mod man;
mod orgs;
mod readme;
mod reimport;
mod relocate;
mod report;
mod schema;
mod sheets;
mod shell;
mod signing;
mod submit;
mod succeed;
mod transaction;
mod truthful_import;
mod walkthrough;
mod whole_life;
mod writes;
