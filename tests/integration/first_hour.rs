//! A newcomer's first hour: the messages and refusals someone meets on their first
//! day with crs say what is wrong in their own words and what to do next.

use crate::harness::{TestEnv, designated_record};

/// A git register with a committed draft record `RJ1/maternity`.
fn env_with_draft() -> TestEnv {
    let env = TestEnv::git();
    let run = env.crs(&[
        "new",
        "RJ1/maternity",
        "--service",
        "Maternity",
        "--provider-name",
        "Guy's and St Thomas' NHS Foundation Trust",
        "--provider-kind",
        "foundation-trust",
    ]);
    assert_eq!(run.code, 0, "{run}");
    env
}

#[test]
fn a_day_not_in_the_calendar_is_named_the_same_on_the_command_line_and_in_a_file() {
    let env = env_with_draft();
    let flag = env.crs(&[
        "assess",
        "RJ1/maternity",
        "--stage",
        "1",
        "--met",
        "--rationale",
        "x",
        "--on",
        "2025-02-30",
    ]);
    assert_eq!(flag.code, 2, "{flag}");
    insta::assert_snapshot!(flag.to_string());

    let text = designated_record().replace("decided_on = 2026-02-03", "decided_on = 2025-02-30");
    assert!(text.contains("2025-02-30"));
    env.write("RJ1/designated.toml", text);
    let check = env.crs(&["check", "--format", "json"]);
    let finding = &check.json()["findings"][0];
    assert_eq!(finding["message"], "'2025-02-30' is not a day of the calendar: February 2025 has 28 days");
}

#[test]
fn a_missing_met_or_not_met_names_the_flags_without_the_prompt() {
    let env = env_with_draft();
    let run = env.crs(&["assess", "RJ1/maternity", "--stage", "1", "--rationale", "x"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(!run.stderr.contains("[y/n]"), "{run}");
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn a_stage_is_typed_in_either_spelling_and_named_with_hyphens() {
    let env = env_with_draft();
    for stage in ["alternative-provision", "alternative_provision"] {
        let run = env.crs(&["assess", "RJ1/maternity", "--stage", stage, "--met", "--rationale", stage]);
        assert_eq!(run.code, 0, "{run}");
        assert!(run.stderr.contains("stage 1 alternative-provision met"), "{run}");
    }
    assert_eq!(env.read("RJ1/maternity.toml").matches("[stages.").count(), 1);

    let wrong =
        env.crs(&["assess", "RJ1/maternity", "--stage", "alternative_provison", "--met", "--rationale", "x"]);
    assert_eq!(wrong.code, 2, "{wrong}");
    insta::assert_snapshot!(wrong.to_string());

    // A record may write the stage either way; messages name it with hyphens.
    let hyphens =
        designated_record().replace("[stages.alternative_provision]", "[stages.alternative-provision]");
    assert!(hyphens.contains("[stages.alternative-provision]"));
    env.write("RJ1/designated.toml", hyphens);
    env.write(
        "RJ1/decided-early.toml",
        designated_record()
            .replace("[stages.interdependencies]", "[stages.not_a_stage]")
            .replace("Maternity", "Early maternity"),
    );
    let check = env.crs(&["check"]);
    insta::assert_snapshot!(check.to_string());
}

/// Assesses `stages` of `RJ1/maternity` as not met.
fn assess_not_met(env: &TestEnv, stages: &[&str]) {
    for stage in stages {
        let run =
            env.crs(&["assess", "RJ1/maternity", "--stage", stage, "--not-met", "--rationale", "no ground"]);
        assert_eq!(run.code, 0, "{run}");
    }
}

#[test]
fn decline_rests_on_stages_1_to_3_while_designate_needs_all_four() {
    let env = env_with_draft();
    assess_not_met(&env, &["1", "2"]);
    let early = env.crs(&["decline", "RJ1/maternity", "--by", "ICB Board"]);
    assert_eq!(early.code, 1, "stage 3 is still needed: {early}");
    assert!(early.stderr.contains("stage 3 interdependencies not assessed"), "{early}");

    assess_not_met(&env, &["3"]);
    let decline = env.crs(&["decline", "RJ1/maternity", "--by", "ICB Board"]);
    assert_eq!(decline.code, 0, "{decline}");
    let check = env.crs(&["check", "--format", "json"]);
    assert_eq!(check.json()["summary"]["errors"], 0, "{check}");

    let env = env_with_draft();
    let met = env.crs(&["assess", "RJ1/maternity", "--stage", "1", "--met", "--rationale", "x"]);
    assert_eq!(met.code, 0, "{met}");
    assess_not_met(&env, &["2", "3"]);
    let designate = env.crs(&["designate", "RJ1/maternity", "--by", "ICB Board"]);
    assert_eq!(designate.code, 1, "{designate}");
    insta::assert_snapshot!(designate.to_string());
}

#[test]
fn decisions_are_written_in_words_where_people_read_them() {
    let env = env_with_draft();
    assess_not_met(&env, &["1", "2", "3"]);
    assert_eq!(env.crs(&["decline", "RJ1/maternity"]).code, 0);
    let again = env.crs(&["decline", "RJ1/maternity"]);
    assert_eq!(again.code, 1, "{again}");
    assert!(again.stderr.contains("already has a decision not to designate (on 2026-11-23)"), "{again}");

    let declined_with_grounds = designated_record()
        .replace("outcome = \"designate\"", "outcome = \"do-not-designate\"")
        .replace("[stages.interdependencies]", "[stages.unused]");
    env.write("RJ1/designated.toml", declined_with_grounds);
    let check = env.crs(&["check"]);
    assert!(!check.stdout.contains("do-not-designate"), "{check}");
    insta::assert_snapshot!(check.to_string());
    let json = env.crs(&["show", "RJ1/designated", "--format", "json"]);
    assert_eq!(json.json()["decision"]["outcome"], "do-not-designate", "JSON keeps the code");
}

#[test]
fn record_ids_windows_keeps_for_devices_are_refused_with_the_reason() {
    let env = TestEnv::git();
    for id in ["RJ1/con", "RJ1/nul", "RJ1/aux", "RJ1/prn", "RJ1/com1", "RJ1/lpt9"] {
        let run = env.crs(&[
            "new",
            id,
            "--service",
            "S",
            "--provider-name",
            "T",
            "--provider-kind",
            "foundation-trust",
        ]);
        assert_eq!(run.code, 2, "{id}: {run}");
        assert!(run.stderr.contains("Windows keeps for a device"), "{id}: {run}");
    }
    insta::assert_snapshot!(env.crs(&["show", "RJ1/com1"]).to_string());
    assert_eq!(env.commit_count(), 1, "nothing was written");

    for id in ["CON/maternity", "PRN/maternity", "AUX/maternity", "NUL/maternity"] {
        let run = env.crs(&[
            "new",
            id,
            "--service",
            "S",
            "--provider-name",
            "T",
            "--provider-kind",
            "foundation-trust",
        ]);
        assert_eq!(run.code, 2, "{id}: {run}");
        assert!(run.stderr.contains("the provider's folder could not be checked out"), "{id}: {run}");
        assert!(!env.root.join(&id[..3]).exists(), "{id}: no folder was made");
    }
    assert_eq!(env.commit_count(), 1, "nothing was written");

    env.write("RJ1/nul.toml", designated_record());
    let check = env.crs(&["check", "--format", "json"]);
    let finding = &check.json()["findings"][0];
    assert_eq!(finding["rule"], "path-mismatch", "{check}");
}

#[test]
fn a_co_commissioner_is_kept_once_and_never_the_lead() {
    let env = TestEnv::git();
    let new = |codes: &[&str]| {
        let mut args = vec!["new", "RJ1/maternity", "--service", "Maternity", "--provider-name", "T"];
        args.extend(["--provider-kind", "foundation-trust"]);
        for code in codes {
            args.extend(["--co-commissioner", code]);
        }
        env.crs(&args)
    };
    let lead = new(&["QKK", "QMF", "QMF"]);
    assert_eq!(lead.code, 2, "{lead}");
    insta::assert_snapshot!(lead.to_string());
    assert_eq!(env.commit_count(), 1, "nothing was written");

    let twice = new(&["QMF", "QKL", "QMF"]);
    assert_eq!(twice.code, 0, "{twice}");
    assert!(env.read("RJ1/maternity.toml").contains(r#"co_commissioners = ["QMF", "QKL"]"#));
}

#[test]
fn init_refuses_a_commissioner_name_of_more_than_one_line_before_writing_anything() {
    let env = TestEnv::empty();
    for (flag, value) in [
        ("--commissioner-name", "NHS South East London ICB\nsecond line"),
        ("--commissioner-name", " "),
        ("--commissioner-ods", "qkk"),
        ("--contact", "not an address"),
        ("--submission-to", "crs@"),
    ] {
        let mut args = vec!["init", "--commissioner-ods", "QKK", "--commissioner-name", "ICB"];
        args.extend(["--contact", "crs@icb.example"]);
        args.extend([flag, value]);
        let run = env.crs(&args);
        assert_eq!(run.code, 2, "{flag} {value:?}: {run}");
        assert!(run.stderr.contains(flag), "{flag}: {run}");
        assert_eq!(std::fs::read_dir(&env.root).unwrap().count(), 0, "{flag}: nothing is written");
    }
    let run = env.crs(&[
        "init",
        "--commissioner-ods",
        "QKK",
        "--commissioner-name",
        "NHS South East London ICB\nsecond line",
        "--contact",
        "crs@icb.example",
    ]);
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn a_register_outside_git_is_adopted_by_the_command_its_hint_names() {
    let env = TestEnv::new();
    env.write("RJ1/designated.toml", designated_record());
    env.write("notes/minutes.txt", "Board minute BD/26/031\n");
    env.write(".gitignore", "*.xlsx\n");
    env.write("old-export.xlsx", "not for git");
    let event = env.crs(&["event", "RJ1/designated", "review-requested"]);
    assert_eq!(event.code, 2, "{event}");
    assert!(event.stderr.contains("crs init --adopt"), "{event}");

    let init = env.crs(&[
        "init",
        "--commissioner-ods",
        "QKK",
        "--commissioner-name",
        "ICB",
        "--contact",
        "a@b.example",
    ]);
    assert_eq!(init.code, 2, "{init}");
    assert!(init.stderr.contains("run crs init --adopt there"), "{init}");

    let adopt = env.crs(&["init", "--adopt"]);
    assert_eq!(adopt.code, 0, "{adopt}");
    insta::assert_snapshot!(adopt.to_string());
    assert_eq!(env.commit_count(), 1);
    let files = env.git_cmd(&["show", "--name-only", "--format=", "HEAD"]);
    insta::assert_snapshot!("adopted_files", files);
    assert_eq!(env.read("crs.toml"), crate::harness::SETTINGS, "crs.toml is kept as it was");
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "");

    assert_eq!(env.crs(&["event", "RJ1/designated", "review-requested"]).code, 0);
    let again = env.crs(&["init", "--adopt"]);
    assert_eq!(again.code, 2, "{again}");
}

/// The record ids of a `crs list --format json` or `crs export --format json` run.
fn ids(run: &crate::harness::Run, rows: Option<&str>) -> Vec<String> {
    assert_eq!(run.code, 0, "{run}");
    let json = run.json();
    let rows = rows.map_or(&json, |key| &json[key]);
    let key = if rows.is_array() && rows[0].get("record_id").is_some() { "record_id" } else { "id" };
    rows.as_array().unwrap().iter().map(|r| r[key].as_str().unwrap().to_owned()).collect()
}

#[test]
fn list_takes_a_list_of_statuses_the_filters_of_export_and_an_order() {
    let env = TestEnv::copy_of("designations");
    let list = |args: &[&str]| {
        let mut all = vec!["list", "--format", "json"];
        all.extend(args);
        ids(&env.crs(&all), None)
    };
    assert_eq!(
        list(&["--status", "designated,under-review", "--sort", "review-due"]),
        [
            "RJ1/emergency-department",
            "RJ1/adult-critical-care",
            "NVC/orthopaedic-surgery",
            "RJ1/maternity",
            "RJ2/emergency-department",
            "RJZ/major-trauma-centre"
        ]
    );
    assert_eq!(list(&["--service", "EMERGENCY"]), ["RJ1/emergency-department", "RJ2/emergency-department"]);
    assert_eq!(
        list(&["--treatment-function", "180"]),
        ["RJ1/emergency-department", "RJ2/emergency-department", "RJZ/major-trauma-centre"]
    );
    assert_eq!(list(&["--co-commissioner", "qwe"]), ["RJ1/maternity"]);
    assert_eq!(list(&["--review-due-before", "2027-01-01"]), ["RJ1/emergency-department"]);
    assert_eq!(
        list(&["--decided-since", "2026-07-01", "--sort", "decided"]),
        [
            "RJZ/paediatric-inpatients",
            "RJZ/major-trauma-centre",
            "RJZ/neonatal-intensive-care",
            "RV5/psychiatric-intensive-care"
        ]
    );
    let by_provider = list(&["--sort", "provider", "--provider", "rjz"]);
    assert_eq!(
        by_provider,
        ["RJZ/major-trauma-centre", "RJZ/neonatal-intensive-care", "RJZ/paediatric-inpatients"]
    );

    let csv = env.crs(&["list", "--format", "csv", "--service", "maternity", "--status", "designated,draft"]);
    let yaml =
        env.crs(&["list", "--format", "yaml", "--service", "maternity", "--status", "designated,draft"]);
    insta::assert_snapshot!(format!("{csv}{yaml}"));
}

#[test]
fn export_takes_the_same_filters_as_list() {
    let env = TestEnv::copy_of("designations");
    let both = |args: &[&str]| {
        let mut list = vec!["list", "--format", "json", "--status", "designated,under-review,removed"];
        list.extend(args);
        let mut export = vec!["export", "--format", "json", "--status", "designated,under-review,removed"];
        export.extend(args);
        let (list, export) = (ids(&env.crs(&list), None), ids(&env.crs(&export), Some("designations")));
        assert_eq!(list, export, "{args:?}");
        list
    };
    assert_eq!(both(&["--service", "emergency"]), ["RJ1/emergency-department", "RJ2/emergency-department"]);
    assert_eq!(both(&["--treatment-function", "710"]), ["RV5/eating-disorders-inpatient"]);
    assert_eq!(both(&["--co-commissioner", "QWE"]), ["RJ1/maternity"]);
    assert_eq!(both(&["--review-due-before", "2027-07-01"]).len(), 2);
    assert_eq!(both(&["--decided-since", "2025-01-01"]).len(), 5);

    let run =
        env.crs(&["export", "--format", "csv", "--service", "maternity", "--decided-since", "2025-01-01"]);
    assert_eq!(run.code, 0, "{run}");
    insta::assert_snapshot!(run.stderr);
}
