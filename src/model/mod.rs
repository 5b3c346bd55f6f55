//! The record types and what can be derived from a record alone. No I/O here.

pub mod date;
pub mod fields;
pub mod filter;
pub mod id;
pub mod keys;
pub mod labels;
pub mod record;
pub mod settings;
pub mod status;
pub mod suggest;
pub mod summary;

pub use date::Date;
pub use id::RecordId;
pub use record::{Decision, DecisionOutcome, Event, EventKind, Licence, ProviderKind, Record, Stage};
pub use settings::Settings;
pub use status::Status;
pub use summary::RecordSummary;
