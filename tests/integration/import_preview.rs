//! What `crs import`'s preview tells: the rows joined into each record, the columns
//! under a merged heading it leaves unread, what `--quiet` keeps of it, and a record
//! whose register version was kept against the sheet, told as differing from it.

use std::fs;

use rust_xlsxwriter::{Format, Workbook};

use crate::harness::{Run, TestEnv, assess_all};
use crate::reimport::{import, write_sheet};

const MAP: &str = r#"date_formats = ["%d/%m/%Y"]
[columns]
"Provider code" = "provider.ods"
"Provider" = "provider.name"
"Type" = "provider.kind"
"Service" = "service.name"
"Date designated" = "decision.decided_on"
"Decided by" = "decision.decided_by"
"Ground 1" = "grounds.no-alternative-provider"
"Public engagement" = "event.public-engagement"
"Written request" = "event.written-request-sent"
"Status" = "status"
"Review date" = "review.next_due"
[values."provider.kind"]
"FT" = "foundation-trust"
[defaults]
"provider.licence" = "licensed"
"response" = "accepted"
"#;

const HEADER: &str = "Provider code,Provider,Type,Service,Date designated,Decided by,Ground 1,Public engagement,Written request,Status,Review date\n";
const EATING_ROW: &str = "RV5,South London and Maudsley NHS Foundation Trust,FT,Eating disorders inpatient,01/03/2019,ICB Board,Y,10/01/2019,,designated,01/03/2027\n";
const MATERNITY_ROW: &str = "RJ1,Guy's and St Thomas' NHS Foundation Trust,FT,Maternity,01/03/2019,ICB Board,Y,10/01/2019,,designated,01/03/2027\n";
const EATING: &str = "RV5/eating-disorders-inpatient";

fn with_map() -> TestEnv {
    with_map_and("")
}

/// A register with the map beside it, reading the columns `more` (lines of the
/// map's `[columns]`) besides.
fn with_map_and(more: &str) -> TestEnv {
    let env = TestEnv::git();
    let map = MAP.replace("\"Status\" = \"status\"\n", &format!("\"Status\" = \"status\"\n{more}"));
    fs::write(env.outside().join("map.toml"), map).unwrap();
    env
}

fn ok(env: &TestEnv, args: &[&str]) -> Run {
    let run = env.crs(args);
    assert_eq!(run.code, 0, "crs {args:?}\n{run}");
    run
}

/// The team's sheet: two designated services, and `rows` after them.
fn sheet_with(rows: &str) -> String {
    format!("{HEADER}{EATING_ROW}{MATERNITY_ROW}{rows}")
}

#[test]
fn the_rows_joined_into_one_record_are_named_with_their_sheet() {
    let env = with_map();
    // Row 4 gives the eating disorders service's written request: the same service
    // as row 2, so one record.
    let later = "RV5,,,Eating disorders inpatient,,,,,01/04/2019,,\n";
    write_sheet(&env, "sheet.csv", &sheet_with(later));
    let run = import(&env, "sheet.csv", &["--dry-run"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout.contains(
            "  rows 2 and 4 of sheet.csv joined into one record, RV5/eating-disorders-inpatient (the same provider and service)\n"
        ),
        "{run}"
    );
    assert!(!run.stdout.contains("RJ1/maternity (the same"), "a record of one row is not joined: {run}");
}

/// A register whose heading "Decision" is merged across F1:H1 above the header row,
/// where H2 has no heading of its own and so no column of the map, though H3 holds
/// the board's minute: the header row ends at G.
fn merged_heading_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Register").unwrap();
    sheet.merge_range(0, 5, 0, 7, "Decision", &Format::new()).unwrap();
    let headers = ["Provider code", "Provider", "Type", "Service", "Status", "Date designated", "Decided by"];
    for (col, heading) in headers.iter().enumerate() {
        sheet.write_string(1, col as u16, *heading).unwrap();
    }
    let row = [
        "RV5",
        "South London and Maudsley NHS Foundation Trust",
        "FT",
        "Eating disorders inpatient",
        "designated",
        "01/03/2019",
        "ICB Board",
        "BD/19/003",
    ];
    for (col, value) in row.iter().enumerate() {
        sheet.write_string(2, col as u16, *value).unwrap();
    }
    book.save_to_buffer().unwrap()
}

const MERGED_MAP: &str = r#"header_row = 2
date_formats = ["%d/%m/%Y"]
[columns]
"Provider code" = "provider.ods"
"Provider" = "provider.name"
"Type" = "provider.kind"
"Service" = "service.name"
"Status" = "status"
"Date designated" = "decision.decided_on"
"Decided by" = "decision.decided_by"
[values."provider.kind"]
"FT" = "foundation-trust"
[defaults]
"provider.licence" = "licensed"
"response" = "accepted"
"grounds.no-alternative-provider" = "yes"
"#;

#[test]
fn a_column_under_a_merged_heading_with_no_heading_of_its_own_is_named_as_not_imported() {
    let env = TestEnv::git();
    fs::write(env.outside().join("map.toml"), MERGED_MAP).unwrap();
    fs::write(env.outside().join("merged.xlsx"), merged_heading_workbook()).unwrap();
    let run = import(&env, "merged.xlsx", &["--dry-run"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout.contains(
            "  not imported: column(s) 'column H (under the heading 'Decision' merged across row 1, with no heading of its own on row 2; map it as \"column H\")'"
        ),
        "{run}"
    );
    // Mapped by its letter, the column comes in.
    let map = MERGED_MAP.replace("[values", "\"column H\" = \"decision.reference\"\n[values");
    fs::write(env.outside().join("map.toml"), map).unwrap();
    let run = import(&env, "merged.xlsx", &[]);
    assert_eq!(run.code, 0, "{run}");
    assert!(!run.stdout.contains("not imported"), "{run}");
    assert!(env.read(&format!("{EATING}.toml")).contains("reference = \"BD/19/003\""));
}

#[test]
fn quiet_import_prints_only_what_refuses_it() {
    let env = with_map();
    write_sheet(&env, "sheet.csv", &sheet_with(""));
    let dry = import(&env, "sheet.csv", &["--dry-run", "--quiet"]);
    assert_eq!(dry.code, 0, "{dry}");
    assert_eq!((dry.stdout.as_str(), dry.stderr.as_str()), ("", ""), "quiet as every command is: {dry}");
    let commits = env.commit_count();
    let run = import(&env, "sheet.csv", &["-q"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""), "quiet as every command is: {run}");
    assert_eq!(env.commit_count(), commits + 1, "and imported");

    // A bad row: its problem and the refusal still come out.
    let bad = "RJ2,Lewisham and Greenwich NHS Trust,FT,Stroke,31/02/2019,ICB Board,Y,10/01/2019,,designated,01/03/2027\n";
    write_sheet(&env, "bad.csv", &sheet_with(bad));
    let refused = import(&env, "bad.csv", &["-q"]);
    assert_eq!(refused.code, 1, "{refused}");
    assert!(refused.stdout.starts_with("  rejected       1 row(s)\n    row 4"), "{refused}");
    assert!(!refused.stdout.contains("SHA-256") && !refused.stdout.contains("unchanged"), "{refused}");
    assert!(refused.stderr.starts_with("nothing was written: 1 row(s) are rejected"), "{refused}");
}

/// The eating disorders designation removed in crs, as the board decided on 20
/// November 2026.
fn remove_in_crs(env: &TestEnv) {
    assess_all(env, EATING, "2026-11-16", [false, false, false, false]);
    ok(
        env,
        &["remove", EATING, "--decided-on", "2026-11-20", "--by", "ICB Board", "--reference", "BD/26/201"],
    );
    ok(env, &["event", EATING, "provider-notified-of-removal", "--on", "2026-11-20"]);
}

#[test]
fn a_record_kept_with_keep_register_is_never_called_unchanged_while_its_status_differs() {
    let env = with_map();
    write_sheet(&env, "sheet.csv", &sheet_with(""));
    env.at("2026-10-12");
    let first = env.crs_with(
        &["import", "../sheet.csv", "--map", "../map.toml"],
        &[("SOURCE_DATE_EPOCH", "1791806400")],
    );
    assert_eq!(first.code, 0, "{first}");
    env.at("2026-11-23");
    remove_in_crs(&env);
    // The team's next sheet names the board's full title and no longer gives a
    // review date, and still says designated.
    let newer = sheet_with("").replacen("ICB Board,", "ICB Board (Part 1),", 1).replacen(
        "designated,01/03/2027",
        "designated,",
        1,
    );
    write_sheet(&env, "sheet 2026-12.csv", &newer);
    let kept = import(&env, "sheet 2026-12.csv", &["--keep-register"]);
    assert_eq!(kept.code, 0, "{kept}");
    assert!(kept.stdout.contains("  conflicts      1  RV5/eating-disorders-inpatient\n"), "{kept}");
    // crs takes the title too: now only the status differs.
    let run = env
        .command(&["edit", EATING])
        .env("EDITOR", "sed -i '0,/decided_by = \"ICB Board\"/s//decided_by = \"ICB Board (Part 1)\"/'")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));

    let again = import(&env, "sheet 2026-12.csv", &[]);
    assert_eq!(again.code, 0, "{again}");
    assert!(again.stdout.contains("  unchanged      1  RJ1/maternity\n"), "{again}");
    assert!(again.stdout.contains("  kept           1  RV5/eating-disorders-inpatient\n"), "{again}");
    assert!(
        again.stdout.contains(
            "    RV5/eating-disorders-inpatient: the register and the sheet differ: the register says removed, the sheet says designated; the register's version is kept (--keep-register kept it against this sheet at the import of 23 November 2026)\n"
        ),
        "{again}"
    );
    assert!(again.stderr.contains("the register's version of 1 record(s) it differs from stands"), "{again}");
}

/// A step dated before the decision that must come before it: the refusal names the
/// cell that holds the early day, not the status that implies the step between.
#[test]
fn a_step_dated_before_its_decision_is_named_by_its_own_cell() {
    let env = with_map_and("\"Accepted on\" = \"event.provider-accepted\"\n");
    let header = HEADER.replace("Review date\n", "Review date,Accepted on\n");
    let early = "RJ2,Lewisham and Greenwich NHS Trust,FT,Stroke,03/06/2025,ICB Board,Y,10/01/2025,,designated,01/03/2028,01/12/2024\n";
    write_sheet(&env, "sheet.csv", &format!("{header}{early}"));
    let run = import(&env, "sheet.csv", &["--dry-run"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains("row 2, column 'Accepted on': '2024-12-01' dates provider accepted before the decision of 2025-06-03, though written request sent came between them (the status 'designated' says so)"),
        "{run}"
    );
}

/// A later row that gives only the removal, in the removal's own columns, is that
/// removal: joined to its designation's row, with nothing asked of it that the
/// designation's row gives already.
#[test]
fn a_removal_row_needs_no_designation_date_of_its_own() {
    let env =
        with_map_and("\"Removed on\" = \"removal.decided_on\"\n\"Removed by\" = \"removal.decided_by\"\n");
    let header = HEADER.replace("Review date\n", "Review date,Removed on,Removed by\n");
    let designated = "RV5,South London and Maudsley NHS Foundation Trust,FT,Eating disorders inpatient,01/03/2019,ICB Board,Y,10/01/2019,,designated,01/03/2027,,\n";
    let removal = "RV5,,,Eating disorders inpatient,,,,,,removed,,14/05/2026,ICB Board\n";
    write_sheet(&env, "sheet.csv", &format!("{header}{designated}{removal}"));
    let run = import(&env, "sheet.csv", &[]);
    assert_eq!(run.code, 0, "{run}");
    let shown = env.crs(&["show", EATING, "--format", "json"]).json();
    let decisions: Vec<(&str, &str)> = shown["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["outcome"].as_str().unwrap(), d["decided_on"].as_str().unwrap()))
        .collect();
    assert_eq!(decisions, [("designate", "2019-03-01"), ("remove", "2026-05-14")], "{shown:#}");
    let notice =
        shown["events"].as_array().unwrap().iter().find(|e| e["kind"] == "provider-notified-of-removal");
    assert_eq!(notice.unwrap()["date_known"], false, "the notice is not dated by the sheet: {shown:#}");
}
