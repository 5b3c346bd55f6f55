//! NHS Digital ODS organisation files: reading them (`ods_file`), the register's
//! organisation cache (`cache`, `.crs/orgs.csv`), looking codes up (`index`), and the
//! rules that check a record's codes against them (`rules`). The rules are pure; only
//! `crs orgs import` writes (through the one commit path), and only `known` reads, through the register's `Source`.

pub mod cache;
pub mod index;
pub mod kind;
pub mod known;
pub mod name;
pub mod ods_file;
pub mod org;
pub mod rules;
pub mod succ_file;

pub use index::{OrgIndex, Succession};
pub use kind::{ODS_DOWNLOADS, OdsKind};
pub use known::{KnownOrgs, known_orgs};
pub use org::Org;
