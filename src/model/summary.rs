//! `RecordSummary`: the one-line view of a record that `list`, `check` and the
//! cross-record reports keep, instead of whole parsed records.

use serde::Serialize;

use crate::model::record::Record;
use crate::model::{Date, RecordId, Status};

/// One record in a line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordSummary {
    pub id: String,
    pub provider: String,
    pub provider_name: String,
    pub service: String,
    pub status: Status,
    /// The day of the designation the record speaks of (kept beside a later
    /// confirmation or removal).
    pub designated_on: Option<Date>,
    /// The day of the last decision.
    pub decided_on: Option<Date>,
    pub review_due: Option<Date>,
    pub file: String,
}

impl RecordSummary {
    pub fn new(id: &RecordId, file: &str, record: &Record, status: Status) -> RecordSummary {
        RecordSummary {
            id: id.to_string(),
            provider: record.provider.ods.clone(),
            provider_name: record.provider.name.clone(),
            service: record.service.name.clone(),
            status,
            designated_on: record.designation().map(|(_, d)| d.decided_on),
            decided_on: record.current_decision().map(|d| d.decided_on),
            review_due: record.review.as_ref().map(|r| r.next_due),
            file: file.to_owned(),
        }
    }
}
