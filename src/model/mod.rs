//! The record types and what can be derived from a record alone. No I/O here.

pub mod date;
pub mod fields;
pub mod filter;
pub mod id;
pub mod record;
pub mod settings;
pub mod status;
pub mod summary;

pub use date::Date;
pub use id::RecordId;
pub use record::{Decision, DecisionOutcome, Event, EventKind, Licence, ProviderKind, Record, Stage};
pub use settings::Settings;
pub use status::Status;
pub use summary::RecordSummary;

/// The JSON Schema of a record, as pretty JSON with a final newline.
pub fn record_schema() -> String {
    let schema = schemars::schema_for!(Record);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}
