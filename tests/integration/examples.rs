//! The example records double as fixtures: every valid one is clean and has the
//! status its name says; every invalid one breaks exactly the rule its name says.

use std::fs;
use std::path::PathBuf;

use crate::harness::{TestEnv, designated_record, repo_dir};

fn examples(kind: &str) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    for provider in fs::read_dir(repo_dir().join("examples/records").join(kind)).unwrap() {
        let provider = provider.unwrap();
        if !provider.file_type().unwrap().is_dir() {
            continue;
        }
        for file in fs::read_dir(provider.path()).unwrap() {
            let path = file.unwrap().path();
            let relative = format!(
                "{}/{}",
                provider.file_name().to_string_lossy(),
                path.file_name().unwrap().to_string_lossy()
            );
            found.push((relative, path));
        }
    }
    found.sort();
    found
}

#[test]
fn valid_examples_are_clean_and_have_the_status_they_are_named_for() {
    let env = TestEnv::copy_of("examples/records/valid");
    let check = env.crs(&["check", "--strict", "--format", "json"]);
    assert_eq!(check.code, 0, "{check}");
    assert_eq!(check.json()["findings"].as_array().unwrap().len(), 0);

    let list = env.crs(&["list", "--format", "json"]).json();
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 9, "one example per status");
    for row in rows {
        let id = row["record_id"].as_str().unwrap();
        assert_eq!(id.split('/').nth(1).unwrap(), row["status"].as_str().unwrap(), "{row}");
    }
}

#[test]
fn each_invalid_example_breaks_only_the_rule_it_is_named_for() {
    let all = examples("invalid");
    assert!(all.len() >= 17, "an invalid example per rule");
    for (relative, path) in all {
        let rule = relative.rsplit('/').next().unwrap().trim_end_matches(".toml").to_owned();
        let env = TestEnv::new();
        env.write(&relative, fs::read(&path).unwrap());
        // Beside a clean record, so that cross-record rules have something to compare.
        env.write("RJ1/designated.toml", designated_record());

        // --verbose: the notes too, which name a rule as the errors and warnings do.
        let json = env.crs(&["check", "--format", "json", "--verbose"]);
        let findings = json.json()["findings"].as_array().unwrap().clone();
        assert!(!findings.is_empty(), "{relative} breaks no rule");
        for finding in &findings {
            assert_eq!(finding["rule"], rule.as_str(), "{relative}: {finding}");
            assert_eq!(finding["file"], relative.as_str());
            assert!(finding["line"].as_u64().is_some(), "{relative}: finding has no line: {finding}");
        }
        let has_error = findings.iter().any(|f| f["severity"] == "error");
        assert_eq!(json.code, i32::from(has_error), "{relative}");

        insta::assert_snapshot!(format!("invalid-{rule}"), env.crs(&["check", "--verbose"]).to_string());
    }
}
