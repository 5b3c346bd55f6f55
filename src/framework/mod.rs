//! Designation frameworks as data, and the rules of `crs check` as pure functions
//! from records (and "today", passed in) to findings.

pub mod definition;
pub mod finding;
pub mod register_rules;
pub mod rules;

pub use definition::Framework;
pub use finding::{Finding, Hit, Rule, Severity, Summary};
