//! The one table of JSON keys: how each concept is spelled in every output for
//! programs (the JSON and YAML of `list`, `show`, `due`, `check` and `export`, and
//! the plain CSV of `list`). A key is a column's name in snake_case (`record-id` is
//! `record_id`), so the export, whose JSON the regulator's copy is checked against
//! byte for byte, and the other commands spell each concept alike.

/// The record's id: provider ODS code / service.
pub(crate) const RECORD_ID: &str = "record_id";
/// The provider's ODS code.
pub(crate) const PROVIDER_CODE: &str = "provider_code";
/// The provider's name.
pub(crate) const PROVIDER_NAME: &str = "provider_name";
/// The service's name.
pub(crate) const SERVICE_NAME: &str = "service_name";
/// The derived status, as its code (`under-review`).
pub(crate) const STATUS: &str = "status";
/// The day of the decision to designate.
pub(crate) const DESIGNATION_DATE: &str = "designation_date";
/// The day of the last decision.
pub(crate) const DECISION_DATE: &str = "decision_date";
/// When the designation is next to be reviewed.
pub(crate) const REVIEW_DUE: &str = "review_due";
/// The record's file in the register.
pub(crate) const FILE: &str = "file";

/// Every key of the table, for the tests that hold each output to it.
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    RECORD_ID,
    PROVIDER_CODE,
    PROVIDER_NAME,
    SERVICE_NAME,
    STATUS,
    DESIGNATION_DATE,
    DECISION_DATE,
    REVIEW_DUE,
    FILE,
];

/// The key of a column or field named `name` (`provider-code`,
/// `ground:health-inequalities`): the name in snake_case (`provider_code`,
/// `ground_health_inequalities`), the one spelling of keys across crs's outputs.
pub(crate) fn json_key(name: &str) -> String {
    name.replace(['-', ':'], "_")
}

#[cfg(test)]
mod tests {
    use super::{ALL, json_key};

    #[test]
    fn every_key_is_its_name_in_snake_case() {
        for key in ALL {
            assert_eq!(json_key(&key.replace('_', "-")), *key);
        }
        assert_eq!(json_key("ground:health-inequalities"), "ground_health_inequalities");
    }
}
