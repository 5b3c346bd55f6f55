//! `RecordSummary`: the one-line view of a record that `list`, `check` and the
//! cross-record reports keep, instead of whole parsed records. Its keys for programs
//! come from the one table of keys ([`crate::model::keys`]).

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::model::keys;
use crate::model::record::Record;
use crate::model::{Date, RecordId, Status};

/// One record in a line.
#[derive(Clone, Debug, PartialEq)]
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

impl Serialize for RecordSummary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = serializer.serialize_struct("RecordSummary", 9)?;
        fields.serialize_field(keys::RECORD_ID, &self.id)?;
        fields.serialize_field(keys::PROVIDER_CODE, &self.provider)?;
        fields.serialize_field(keys::PROVIDER_NAME, &self.provider_name)?;
        fields.serialize_field(keys::SERVICE_NAME, &self.service)?;
        fields.serialize_field(keys::STATUS, &self.status)?;
        fields.serialize_field(keys::DESIGNATION_DATE, &self.designated_on)?;
        fields.serialize_field(keys::DECISION_DATE, &self.decided_on)?;
        fields.serialize_field(keys::REVIEW_DUE, &self.review_due)?;
        fields.serialize_field(keys::FILE, &self.file)?;
        fields.end()
    }
}

#[cfg(test)]
mod tests {
    use crate::model::keys;
    use crate::model::{RecordSummary, Status};

    #[test]
    fn its_keys_are_those_of_the_one_table() {
        let summary = RecordSummary {
            id: "RJ1/maternity".to_owned(),
            provider: "RJ1".to_owned(),
            provider_name: "Guy's".to_owned(),
            service: "Maternity".to_owned(),
            status: Status::Designated,
            designated_on: None,
            decided_on: None,
            review_due: None,
            file: "RJ1/maternity.toml".to_owned(),
        };
        let value = serde_json::to_value(&summary).unwrap();
        let written: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected = keys::ALL.to_vec();
        expected.sort_unstable();
        assert_eq!(written, expected);
    }
}
