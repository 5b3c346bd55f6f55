//! `crs check` on the sample register and on small registers: reports in every
//! format, and exit codes scripts can trust.

use std::process::Command;

use crate::harness::{TestEnv, designated_record};

#[test]
fn sample_register_human_report() {
    let env = TestEnv::copy_of("designations");
    let run = env.crs(&["check"]);
    assert_eq!(run.code, 0, "the sample register has warnings only");
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn sample_register_json_report() {
    let env = TestEnv::copy_of("designations");
    let run = env.crs(&["check", "--format", "json"]);
    let json = run.json();
    assert_eq!(json["summary"]["records"], 13);
    assert_eq!(json["summary"]["errors"], 0);
    assert!(json["summary"]["warnings"].as_u64().unwrap() >= 2);
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn strict_turns_warnings_into_failure() {
    let env = TestEnv::copy_of("designations");
    assert_eq!(env.crs(&["check", "--quiet"]).code, 0);
    assert_eq!(env.crs(&["check", "--strict"]).code, 1);
}

#[test]
fn errors_exit_one_and_a_clean_register_exits_zero() {
    let env = TestEnv::new();
    env.write("RJ1/designated.toml", designated_record());
    assert_eq!(env.crs(&["check"]).code, 0);
    env.write("RJ1/broken.toml", "schema_version = ");
    let run = env.crs(&["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["summary"]["records"], 2);
}

#[test]
fn empty_register_is_clean() {
    let run = TestEnv::new().crs(&["check"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn github_annotations_point_at_the_line() {
    let env = TestEnv::new();
    env.write("RJ1/designated.toml", designated_record());
    env.write(
        "RJ1/typo.toml",
        designated_record().replace("next_due", "next_date").replace("Maternity:", "Typo:"),
    );
    let run = env.crs(&["check", "--format", "github"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn junit_report_parses_as_xml_with_a_case_per_record() {
    let env = TestEnv::copy_of("designations");
    env.write("RJ1/broken.toml", "schema_version = [");
    let run = env.crs(&["check", "--format", "junit"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.to_string());

    // A real XML consumer reads it: Python's standard library parser.
    let script = "import sys, xml.etree.ElementTree as ET\n\
                  root = ET.fromstring(sys.stdin.read())\n\
                  cases = root.findall('.//testcase')\n\
                  print(len(cases), len(root.findall('.//failure')))";
    let mut python = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 is needed to check the JUnit report");
    use std::io::Write;
    python.stdin.take().unwrap().write_all(run.stdout.as_bytes()).unwrap();
    let output = python.wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "14 1");
}

#[test]
fn finds_the_register_from_a_subfolder() {
    let env = TestEnv::new();
    env.write("RJ1/designated.toml", designated_record());
    let run = env.command(&["check", "--format", "json"]).current_dir(env.root.join("RJ1")).output().unwrap();
    assert_eq!(run.status.code(), Some(0));
}

#[test]
fn no_register_is_a_clear_error() {
    let run = TestEnv::empty().crs(&["check"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn as_of_outside_git_says_what_to_do() {
    let run = TestEnv::new().crs(&["check", "--as-of", "2025-01-01"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not inside a git repository"), "{run}");
    assert!(run.stderr.contains("hint: "), "{run}");
}

#[test]
fn usage_errors_exit_two() {
    let env = TestEnv::new();
    assert_eq!(env.crs(&["check", "--format", "xml"]).code, 2);
    assert_eq!(env.crs(&["no-such-command"]).code, 2);
    let help = env.crs(&["check", "--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Examples:"), "{help}");
}

#[test]
fn every_ci_format_names_files_from_the_repository_root_for_a_register_in_a_folder() {
    let (env, _) = TestEnv::in_a_larger_repository();
    env.write("RJ1/designated.toml", designated_record().replace("next_due", "nxt_due"));
    let file = "register/RJ1/designated.toml";

    let github = env.crs(&["check", "--format", "github"]);
    assert_eq!(github.code, 1, "{github}");
    assert!(github.stdout.contains(&format!("::error file={file},line=")), "{github}");

    let junit = env.crs(&["check", "--format", "junit"]);
    assert_eq!(junit.code, 1, "{junit}");
    assert!(junit.stdout.contains(&format!(r#"name="RJ1/designated" file="{file}""#)), "{junit}");
    assert!(junit.stdout.contains(&format!("error[schema] {file}:")), "{junit}");
    assert!(!junit.stdout.contains(r#"file="RJ1/"#), "{junit}");

    let json = env.crs(&["check", "--format", "json"]).json();
    let finding = &json["findings"][0];
    assert_eq!(finding["path"], file, "{json}");
    assert_eq!(finding["file"], "RJ1/designated.toml", "{json}");
    assert_eq!(finding["record_id"], "RJ1/designated", "{json}");

    // At the top of its repository, the two are the same.
    let top = TestEnv::git();
    top.write("RJ1/designated.toml", designated_record().replace("next_due", "nxt_due"));
    let json = top.crs(&["check", "--format", "json"]).json();
    assert_eq!(json["findings"][0]["path"], json["findings"][0]["file"]);
}

#[test]
fn human_report_ends_with_a_count_by_rule_most_first() {
    let env = TestEnv::copy_of("designations");
    let run = env.crs(&["check"]);
    assert_eq!(run.code, 0, "{run}");
    let last = run.stdout.lines().last().unwrap();
    assert_eq!(
        last, "by rule: nhs-trust-unconfirmed: 2, request-unanswered: 1, review-requested: 1",
        "{run}"
    );

    let clean = TestEnv::new();
    clean.write("RJ1/designated.toml", designated_record());
    let run = clean.crs(&["check"]);
    assert!(!run.stdout.contains("by rule"), "no findings, no count: {run}");
}

#[test]
fn rule_and_severity_filters_apply_to_every_format_and_to_the_exit_status() {
    let env = TestEnv::copy_of("designations");
    env.write("RJ1/broken.toml", "schema_version = [");

    // Repeated and comma-separated rules, in JSON, GitHub and JUnit alike.
    let json = env.crs(&["check", "--format", "json", "--rule", "review-requested,request-unanswered"]);
    assert_eq!(json.code, 0, "only warnings are shown: {json}");
    let rules: Vec<String> = json.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(rules, ["review-requested", "request-unanswered"], "{json}");
    assert_eq!(json.json()["summary"]["warnings"], 2);
    let repeated =
        env.crs(&["check", "--format", "json", "--rule", "review-requested", "--rule", "request-unanswered"]);
    assert_eq!(repeated.stdout, json.stdout);

    let github = env.crs(&["check", "--format", "github", "--rule", "parse-error"]);
    assert_eq!(github.code, 1, "{github}");
    assert_eq!(github.stdout.matches("::error").count(), 1, "{github}");
    assert!(!github.stdout.contains("::warning"), "{github}");

    let junit = env.crs(&["check", "--format", "junit", "--severity", "warning"]);
    assert_eq!(junit.code, 0, "the error is not shown, so it does not fail: {junit}");
    assert!(!junit.stdout.contains("parse-error"), "{junit}");
    assert!(junit.stdout.contains("nhs-trust-unconfirmed"), "{junit}");

    // The exit status follows what is shown, --strict included.
    assert_eq!(env.crs(&["check", "--severity", "warning", "--strict"]).code, 1);
    assert_eq!(env.crs(&["check", "--rule", "review-overdue", "--strict"]).code, 0);
    let errors = env.crs(&["check", "--severity", "error"]);
    assert_eq!(errors.code, 1, "{errors}");
    assert!(!errors.stdout.contains("warning["), "{errors}");
    assert!(errors.stdout.contains("1 error, 0 warnings"), "{errors}");
    assert!(errors.stdout.ends_with("by rule: parse-error: 1\n"), "{errors}");

    // An unknown rule is a usage error that lists the rules.
    let unknown = env.crs(&["check", "--rule", "review-overdo"]);
    assert_eq!(unknown.code, 2, "{unknown}");
    assert!(unknown.stderr.contains("review-overdo"), "{unknown}");
    assert!(unknown.stderr.contains("review-overdue, review-date-missing"), "{unknown}");
    assert_eq!(env.crs(&["check", "--severity", "fatal"]).code, 2);
}

#[test]
fn an_unanswered_request_is_told_with_its_dates_written_out() {
    let env = TestEnv::copy_of("designations");
    let run = env.crs(&["check", "--rule", "request-unanswered"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout
            .contains("the written request of 15 September 2026 had no answer by 13 October 2026 (28 days"),
        "{run}"
    );
    assert!(!run.stdout.contains("2026-09-15"), "{run}");
}
