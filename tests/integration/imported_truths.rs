//! What crs says of a register a spreadsheet made, after the import and at it: a
//! step the sheet did not date never stands after a dated step that follows it, and
//! the answer it awaits is due by a day at the latest; a problem names the cell as
//! written and its column's header; a record changed in crs since the last import is
//! said to be kept as crs has it; an import with nothing to write makes no commit;
//! the log names fields in words.

use std::fs;

use crate::harness::{Run, TestEnv};

const MAP: &str = r#"date_formats = ["%d/%m/%Y"]

[columns]
"Ref" = "local_id"
"Provider code" = "provider.ods"
"Provider" = "provider.name"
"Type" = "provider.kind"
"Service" = "service.name"
"Site" = "service.site_names"
"Status" = "status"
"Provider accepted?" = "response"
"Date designated" = "decision.decided_on"
"Decided by" = "decision.decided_by"
"Board minute" = "decision.reference"
"No alternative" = "grounds.no-alternative-provider"
"Comments" = "notes"

[values."provider.kind"]
"FT" = "foundation-trust"

[values."response"]
"Yes" = "accepted"
"TBC" = "awaiting response"
"Verbal only" = "awaiting response"

[defaults]
"provider.licence" = "licensed"
"#;

const HEADER: &str = "Ref,Provider code,Provider,Type,Service,Site,Status,Provider accepted?,Date designated,Decided by,Board minute,No alternative,Comments\n";

const PAEDIATRIC: &str = "CRS-04,RJ1,Guy's,FT,Paediatric surgery,Evelina London,Requested,TBC,09/07/2026,ICB Board,BD/26/070,Y,Letter sent\n";

/// A register with `rows` imported from `sheet.csv` (today: 23 November 2026).
fn imported(rows: &str) -> TestEnv {
    let env = TestEnv::git();
    fs::write(env.outside().join("map.toml"), MAP).unwrap();
    write_sheet(&env, rows);
    let run = import(&env, &[]);
    assert_eq!(run.code, 0, "{run}");
    env
}

fn write_sheet(env: &TestEnv, rows: &str) {
    fs::write(env.outside().join("sheet.csv"), format!("{HEADER}{rows}")).unwrap();
}

fn import(env: &TestEnv, extra: &[&str]) -> Run {
    let mut args = vec!["import", "../sheet.csv", "--map", "../map.toml"];
    args.extend(extra);
    env.crs(&args)
}

#[test]
fn an_event_dated_before_an_undated_earlier_step_brings_that_step_back_to_its_day() {
    let env = imported(PAEDIATRIC);
    let record = env.crs(&["show", "RJ1/paediatric-surgery", "--format", "json"]).json();
    assert_eq!(record["events"][0]["kind"], "written-request-sent", "{record}");
    assert_eq!(record["events"][0]["on"], "2026-11-23", "{record}");

    // The request may have gone out any day up to the import: the answer is due by
    // the window's end at the latest.
    let due = env.crs(&["due"]);
    assert!(
        due.stdout.contains(
            "the written request sent by 23 November 2026 (day not recorded) is to be answered by 21 December 2026 at the latest"
        ),
        "{due}"
    );

    let run = env.crs(&[
        "event",
        "RJ1/paediatric-surgery",
        "provider-accepted",
        "--on",
        "2026-11-20",
        "--note",
        "Letter from GSTT CEO",
    ]);
    assert_eq!(run.code, 0, "{run}");
    let record = env.crs(&["show", "RJ1/paediatric-surgery", "--format", "json"]).json();
    let request = &record["events"][0];
    assert_eq!(request["kind"], "written-request-sent", "{record}");
    assert_eq!(request["on"], "2026-11-20", "sent by the day it was accepted at the latest: {record}");
    assert_eq!(request["date_known"], false, "still undated: {record}");
    assert_eq!(record["events"][1]["on"], "2026-11-20", "{record}");

    let export = env.crs(&["export", "-o", "../out.csv", "--format", "csv"]);
    assert_eq!(export.code, 0, "{export}");
    let csv = fs::read_to_string(env.outside().join("out.csv")).unwrap();
    assert!(csv.contains("by 2026-11-20 (day not recorded)"), "{csv}");
    assert!(!csv.contains("2026-11-23"), "{csv}");
    let check = env.crs(&["check"]);
    assert_eq!(check.code, 0, "{check}");
}

#[test]
fn an_import_dating_the_answer_brings_an_undated_request_back_to_that_day() {
    let env = imported(PAEDIATRIC);
    env.at("2026-12-07");
    let map = MAP.replace(
        "\"Comments\" = \"notes\"\n",
        "\"Comments\" = \"notes\"\n\"Accepted on\" = \"response.on\"\n",
    );
    fs::write(env.outside().join("map.toml"), map).unwrap();
    fs::write(
        env.outside().join("sheet.csv"),
        format!(
            "{},Accepted on\n{}",
            HEADER.trim_end(),
            PAEDIATRIC.replace("Requested,TBC", "Designated,Yes").replace('\n', ",20/11/2026\n")
        ),
    )
    .unwrap();
    let run = import(&env, &[]);
    assert_eq!(run.code, 0, "{run}");
    let record = env.crs(&["show", "RJ1/paediatric-surgery", "--format", "json"]).json();
    let request = &record["events"][0];
    assert_eq!(request["kind"], "written-request-sent", "{record}");
    assert_eq!(request["on"], "2026-11-20", "{record}");
    assert_eq!(request["date_known"], false, "{record}");
    assert_eq!(record["events"][1]["kind"], "provider-accepted", "{record}");
    assert_eq!(record["events"][1]["on"], "2026-11-20", "{record}");
}

#[test]
fn a_mapped_answer_that_contradicts_the_status_is_named_as_the_sheet_writes_it() {
    let verbal = "CRS-06,RJZ,King's,FT,Maternity,Princess Royal,Designated,Verbal only,10/05/2022,ICB Board,BD/22/031,Y,Written acceptance awaited\n";
    let env = TestEnv::git();
    fs::write(env.outside().join("map.toml"), MAP).unwrap();
    write_sheet(&env, &format!("{PAEDIATRIC}{verbal}"));
    let run = import(&env, &["--skip-invalid", "../rejected.csv"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout.contains(
            "row 3, column 'Provider accepted?': 'Verbal only' (which the map translates to 'awaiting response') contradicts the status 'designated' (column 'Status')"
        ),
        "{run}"
    );
    assert!(
        run.stdout.contains("the map's translation of 'Verbal only' under [values.\"response\"]"),
        "{run}"
    );
    let rejected = fs::read_to_string(env.outside().join("rejected.csv")).unwrap();
    let line = rejected.lines().nth(1).unwrap();
    assert!(
        line.starts_with(
            "sheet.csv,3,Provider accepted?,Verbal only,\"(which the map translates to 'awaiting response') contradicts"
        ),
        "{rejected}"
    );
}

#[test]
fn an_empty_decision_date_is_named_by_its_columns_header() {
    let undated =
        "CRS-07,RJZ,King's,FT,Stroke,Denmark Hill,Designated,Yes,,ICB Board,,Y,Date of board not found\n";
    let env = TestEnv::git();
    fs::write(env.outside().join("map.toml"), MAP).unwrap();
    write_sheet(&env, undated);
    let run = import(&env, &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains(
            "row 2, column 'Date designated': is empty, but the status 'designated' needs the day of the decision; fill in the decision date"
        ),
        "{run}"
    );
    assert!(!run.stdout.contains("(decision.decided_on)"), "{run}");
    assert!(!run.stdout.contains("map the column"), "the map has it: {run}");
}

#[test]
fn a_record_changed_in_crs_since_the_last_import_is_said_to_be_kept_as_crs_has_it() {
    let env = imported(PAEDIATRIC);
    let run = env.crs(&["event", "RJ1/paediatric-surgery", "provider-accepted", "--on", "2026-11-23"]);
    assert_eq!(run.code, 0, "{run}");
    env.at("2026-12-07");
    let kept = "RJ1/paediatric-surgery: the register and the sheet differ: the register says designated, the sheet says requested; the register's version is kept (changed in crs since the last import)";
    let run = import(&env, &["--dry-run"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains(kept), "{run}");

    // A newer sheet that changes it too is a conflict; the register's version kept,
    // the same sheet again says so.
    write_sheet(&env, &PAEDIATRIC.replace("BD/26/070", "BD/26/071"));
    let run = import(&env, &["--keep-register"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(!run.stderr.contains("imported 0 record(s)"), "{run}");
    assert!(run.stderr.contains("nothing imported and no record changed"), "{run}");
    let run = import(&env, &["--dry-run"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains(kept), "{run}");
}

#[test]
fn the_log_names_the_teams_reference_notes_and_site_names_in_words() {
    let env = imported(PAEDIATRIC);
    let log = env.crs(&["log", "RJ1/paediatric-surgery"]);
    assert_eq!(log.code, 0, "{log}");
    for said in ["The team's own reference set to CRS-04", "Notes set to Letter sent", "Site names set to"] {
        assert!(log.stdout.contains(said), "{said}: {log}");
    }
    for path in ["local_id", "notes set", "service.site_names"] {
        assert!(!log.stdout.contains(path), "{path}: {log}");
    }
}
