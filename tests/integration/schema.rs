//! The JSON Schema is generated from the record types; the checked-in copy must
//! match what the binary prints.

use std::fs;

use crate::harness::{TestEnv, repo_dir};

#[test]
fn checked_in_schema_matches_the_record_types() {
    let run = TestEnv::new().crs(&["schema"]);
    assert_eq!(run.code, 0, "{run}");
    let checked_in = fs::read_to_string(repo_dir().join("schema/designation.schema.json")).unwrap();
    assert!(
        run.stdout == checked_in,
        "schema/designation.schema.json is out of date: run `cargo run -- schema > schema/designation.schema.json`"
    );
}

#[test]
fn schema_describes_records_and_refuses_unknown_keys() {
    let schema: serde_json::Value = serde_json::from_str(&TestEnv::new().crs(&["schema"]).stdout).unwrap();
    assert_eq!(schema["additionalProperties"], false);
    let required: Vec<&str> =
        schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for key in ["schema_version", "framework", "service", "provider", "commissioner"] {
        assert!(required.contains(&key), "{key} is not required");
    }
    assert_eq!(schema["$defs"]["Date"]["format"], "date");
}
