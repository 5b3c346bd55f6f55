//! Bad input of every kind: each becomes a finding or a clear error naming the file,
//! never a panic, and the rest of the register is still checked.

use std::fs;

use crate::harness::{TestEnv, designated_record};

/// A register with one good record and `path` holding `contents`; returns the JSON
/// findings for `path` after checking that the good record was checked too.
fn findings_for(path: &str, contents: &[u8]) -> Vec<serde_json::Value> {
    let env = TestEnv::new();
    env.write("RJ1/designated.toml", designated_record());
    env.write(path, contents);
    check_json(&env, path)
}

fn check_json(env: &TestEnv, path: &str) -> Vec<serde_json::Value> {
    let run = env.crs(&["check", "--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "{run}");
    assert!(!run.stderr.contains("panicked"), "{run}");
    let json = run.json();
    assert_eq!(json["summary"]["records"], 2, "every file is counted: {run}");
    let findings: Vec<serde_json::Value> =
        json["findings"].as_array().unwrap().iter().filter(|f| f["file"] == path).cloned().collect();
    assert!(!findings.is_empty(), "{path} gave no finding: {run}");
    assert!(
        json["findings"].as_array().unwrap().iter().all(|f| f["file"] == path),
        "the good record is untouched: {run}"
    );
    findings
}

fn only_rule(findings: &[serde_json::Value]) -> (&str, &str) {
    assert_eq!(findings.len(), 1, "{findings:?}");
    (findings[0]["rule"].as_str().unwrap(), findings[0]["message"].as_str().unwrap())
}

#[test]
fn empty_file() {
    let f = findings_for("RJ1/empty.toml", b"");
    assert_eq!(only_rule(&f), ("parse-error", "the file is empty; write the record, or delete the file"));
}

#[test]
fn binary_file() {
    let f = findings_for("RJ1/binary.toml", &[0x89, b'P', b'N', b'G', 0, 0, 1, 2, 0xff]);
    let (rule, message) = only_rule(&f);
    assert_eq!(rule, "parse-error");
    assert!(message.contains("not UTF-8"), "{message}");
}

#[test]
fn fifty_megabyte_file_is_not_read() {
    let f = findings_for("RJ1/huge.toml", &vec![b'#'; 50 * 1024 * 1024]);
    let (rule, message) = only_rule(&f);
    assert_eq!(rule, "parse-error");
    assert!(message.contains("52.4 MB"), "{message}");
}

#[test]
fn invalid_utf8_names_the_line() {
    let mut bytes = designated_record().into_bytes();
    let at = bytes.iter().position(|b| *b == b'M').unwrap();
    bytes[at] = 0xe9;
    let f = findings_for("RJ1/latin1.toml", &bytes);
    let (rule, message) = only_rule(&f);
    assert_eq!(rule, "parse-error");
    assert!(message.contains("line 5"), "{message}");
}

#[test]
fn duplicate_keys() {
    let text = designated_record().replace("[review]\n", "[review]\nnext_due = 2030-01-01\n");
    let f = findings_for("RJ1/dup.toml", text.as_bytes());
    let (rule, message) = only_rule(&f);
    assert_eq!(rule, "parse-error");
    assert!(message.contains("duplicate key"), "{message}");
    assert_eq!(f[0]["line"], 50, "the second next_due");
}

#[test]
fn date_that_does_not_exist() {
    let text = designated_record().replace("decided_on = 2026-02-03", "decided_on = 2025-02-30");
    let f = findings_for("RJ1/date.toml", text.as_bytes());
    let (rule, message) = only_rule(&f);
    assert!(rule == "parse-error" || rule == "schema", "{rule}");
    assert!(message.contains("2025-02-30") || message.contains("day"), "{message}");
    assert_eq!(f[0]["line"], 44, "the decided_on line");
}

#[test]
fn quoted_date_gets_advice() {
    let text = designated_record().replace("next_due = 2029-02-01", "next_due = \"2029-02-01\"");
    let f = findings_for("RJ1/quoted.toml", text.as_bytes());
    let (rule, message) = only_rule(&f);
    assert_eq!(rule, "schema");
    assert!(message.contains("without quotes"), "{message}");
}

#[test]
fn record_outside_a_provider_folder() {
    let f = findings_for("maternity.toml", designated_record().replace("Maternity:", "Other:").as_bytes());
    let (rule, message) = only_rule(&f);
    assert_eq!(rule, "path-mismatch");
    assert!(message.contains("PROVIDER/service.toml"), "{message}");
}

#[test]
fn folder_that_is_not_an_ods_code() {
    let f = findings_for(
        "rj1/Maternity_Unit.toml",
        designated_record().replace("Maternity:", "Other:").as_bytes(),
    );
    assert_eq!(only_rule(&f).0, "path-mismatch");
}

#[test]
fn conflict_markers() {
    let text = designated_record().replace("[review]\n", "<<<<<<< HEAD\n[review]\n=======\n>>>>>>> other\n");
    let f = findings_for("RJ1/conflict.toml", text.as_bytes());
    let (rule, message) = only_rule(&f);
    assert_eq!(rule, "merge-conflict");
    assert!(message.contains("both sides of a merge"), "{message}");
}

#[cfg(unix)]
#[test]
fn symlink_pointing_out_of_the_register_is_not_followed() {
    let env = TestEnv::new();
    env.write("RJ1/designated.toml", designated_record());
    let secret = env.outside().join("secret.toml");
    fs::write(&secret, "password = 'x'").unwrap();
    std::os::unix::fs::symlink(&secret, env.root.join("RJ1/link.toml")).unwrap();
    let f = check_json(&env, "RJ1/link.toml");
    let (rule, message) = only_rule(&f);
    assert_eq!(rule, "not-a-file");
    assert!(message.contains("symbolic link"), "{message}");
}

#[test]
fn directory_where_a_file_should_be() {
    let env = TestEnv::new();
    env.write("RJ1/designated.toml", designated_record());
    fs::create_dir_all(env.root.join("RJ1/maternity.toml")).unwrap();
    let f = check_json(&env, "RJ1/maternity.toml");
    assert_eq!(only_rule(&f).0, "not-a-file");
}

#[test]
fn malformed_settings_name_the_line() {
    let env = TestEnv::new();
    env.write(
        "crs.toml",
        "schema_version = 1\n[commissioner]\nods = \"QKK\"\nname = \"ICB\"\ncontact = \"x@y\"\ncolour = 1\n",
    );
    let run = env.crs(&["check"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn unknown_framework_is_a_clear_error() {
    let env = TestEnv::new();
    env.write("crs.toml", crate::harness::SETTINGS.replace("monitor-2013", "monitor-2031"));
    let run = env.crs(&["check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("framework monitor-2031"), "{run}");
}

#[test]
fn register_may_bring_its_own_framework() {
    let env = TestEnv::new();
    let framework =
        fs::read_to_string(crate::harness::repo_dir().join("schema/frameworks/monitor-2013.toml"))
            .unwrap()
            .replace(
                "review-date-missing = { severity = \"warning\"",
                "review-date-missing = { severity = \"error\"",
            );
    env.write("frameworks/local.toml", framework);
    env.write("crs.toml", crate::harness::SETTINGS.replace("\"monitor-2013\"", "\"frameworks/local.toml\""));
    env.write("RJ1/no-review.toml", designated_record().replace("[review]\nnext_due = 2029-02-01\n", ""));
    let run = env.crs(&["check", "--format", "json"]);
    assert_eq!(run.code, 1, "{run}");
    let findings = run.json()["findings"].as_array().unwrap().clone();
    assert_eq!(findings.len(), 1, "the framework file is not read as a record: {run}");
    assert_eq!(findings[0]["rule"], "review-date-missing");
    assert_eq!(findings[0]["severity"], "error");
}
