//! Designation frameworks as data, and the rules of `crs check` as pure functions
//! from records (and "today", passed in) to findings.

pub mod assessed;
pub mod definition;
pub mod finding;
pub mod register_rules;
pub mod rules;
pub mod schema;

pub use definition::Framework;
pub use finding::{Finding, Hit, Rule, Severity};

use crate::model::{Record, RecordId};

/// Every check of one record that needs no other record: what the loader runs on each
/// record, in parallel. The one implementation is `ops::checker::Checker`.
pub trait RecordRules: Sync {
    fn hits(&self, record: &Record, id: &RecordId) -> Vec<Hit>;
}
