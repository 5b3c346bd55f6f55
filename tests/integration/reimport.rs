//! `crs import` run side by side with crs, month after month: a record the sheet
//! says nothing new of keeps what crs did to it; one changed only in the sheet is
//! updated, told in words; one changed on both sides is a conflict, told in words,
//! and the import refuses until `--keep-register`; a row for a record `crs move`
//! moved goes to it; a record deleted from the register is not made again.

use std::fs;

use crate::harness::{Run, TestEnv, assess_all};

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
"Status" = "status"
"Review date" = "review.next_due"
[values."provider.kind"]
"FT" = "foundation-trust"
[defaults]
"provider.licence" = "licensed"
"response" = "accepted"
"#;

const HEADER: &str = "Provider code,Provider,Type,Service,Date designated,Decided by,Ground 1,Public engagement,Status,Review date\n";

const EATING: &str = "RV5/eating-disorders-inpatient";
const MATERNITY: &str = "RJ1/maternity";

/// The team's sheet: two designated services, with the review dates given.
fn sheet(eating_review: &str, maternity_review: &str) -> String {
    format!(
        "{HEADER}RV5,South London and Maudsley NHS Foundation Trust,FT,Eating disorders inpatient,01/03/2019,ICB Board,Y,10/01/2019,designated,{eating_review}\n\
         RJ1,Guy's and St Thomas' NHS Foundation Trust,FT,Maternity,01/03/2019,ICB Board,Y,10/01/2019,designated,{maternity_review}\n"
    )
}

/// 2026-10-12 12:00 UTC: the day of the first import.
const OCTOBER_EPOCH: &str = "1791806400";

/// A register with the map beside it, into which the first sheet was imported on 12
/// October 2026: the steps its status implies and no cell dates happened by then.
fn imported() -> TestEnv {
    let env = TestEnv::git();
    fs::write(env.outside().join("map.toml"), MAP).unwrap();
    write_sheet(&env, "sheet.csv", &sheet("01/03/2027", "01/03/2027"));
    env.at("2026-10-12");
    let run = env.crs_with(
        &["import", "../sheet.csv", "--map", "../map.toml"],
        &[("SOURCE_DATE_EPOCH", OCTOBER_EPOCH)],
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(
        env.read(&format!("{MATERNITY}.toml"))
            .contains("on = 2026-10-12\nkind = \"provider-accepted\"\ndate_known = false")
    );
    env.at("2026-11-23");
    env
}

/// Writes `text` as the sheet `name` beside the register.
pub(crate) fn write_sheet(env: &TestEnv, name: &str, text: &str) {
    fs::write(env.outside().join(name), text).unwrap();
}

/// `crs import ../NAME --map ../map.toml EXTRA…`.
pub(crate) fn import(env: &TestEnv, name: &str, extra: &[&str]) -> Run {
    let file = format!("../{name}");
    env.crs(&[&["import", file.as_str(), "--map", "../map.toml"], extra].concat())
}

fn ok(env: &TestEnv, args: &[&str]) -> Run {
    let run = env.crs(args);
    assert_eq!(run.code, 0, "crs {args:?}\n{run}");
    run
}

fn status(env: &TestEnv, id: &str) -> String {
    let list = ok(env, &["list", "--format", "json"]).json();
    let record = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["record_id"] == id)
        .unwrap_or_else(|| panic!("{id}: {list}"));
    record["status"].as_str().unwrap().to_owned()
}

/// Removes the eating disorders designation in crs, as the board decided on 20
/// November 2026, and tells the provider.
fn remove_in_crs(env: &TestEnv) {
    assess_all(env, EATING, "2026-11-16", [false, false, false, false]);
    ok(env, &["event", EATING, "public-engagement", "--on", "2026-11-17", "--note", "Patients' forum"]);
    ok(
        env,
        &["remove", EATING, "--decided-on", "2026-11-20", "--by", "ICB Board", "--reference", "BD/26/201"],
    );
    ok(env, &["event", EATING, "provider-notified-of-removal", "--on", "2026-11-20"]);
    assert_eq!(status(env, EATING), "removed");
}

/// What a refused import must leave: the same commits, files and working tree.
fn unchanged_by(env: &TestEnv, run: impl FnOnce() -> Run) -> Run {
    let before =
        (env.commit_count(), env.git_cmd(&["status", "--porcelain"]), env.read(&format!("{EATING}.toml")));
    let run = run();
    let after =
        (env.commit_count(), env.git_cmd(&["status", "--porcelain"]), env.read(&format!("{EATING}.toml")));
    assert_eq!(after, before, "the register changed: {run}");
    run
}

#[test]
fn a_removal_in_crs_is_kept_when_the_sheet_says_nothing_new_of_it() {
    let env = imported();
    remove_in_crs(&env);
    let run = unchanged_by(&env, || import(&env, "sheet.csv", &[]));
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("  unchanged      1  RJ1/maternity\n"), "{run}");
    assert!(run.stdout.contains("  kept           1  RV5/eating-disorders-inpatient\n"), "{run}");
    assert!(run.stderr.contains("nothing to commit"), "{run}");
    assert_eq!(status(&env, EATING), "removed");
}

#[test]
fn a_removal_in_crs_against_a_newer_sheet_is_a_conflict_and_nothing_is_written() {
    let env = imported();
    remove_in_crs(&env);
    write_sheet(&env, "sheet 2026-12.csv", &sheet("01/04/2027", "01/04/2027"));

    for extra in [&[][..], &["--dry-run"]] {
        let run = unchanged_by(&env, || import(&env, "sheet 2026-12.csv", extra));
        assert_eq!(run.code, 1, "{extra:?}: {run}");
        assert!(
            run.stdout.contains(
                "RV5/eating-disorders-inpatient (row 2): removed in crs on 20 November 2026 by the ICB Board; the sheet still says designated"
            ),
            "{run}"
        );
        assert!(
            run.stdout.contains("in crs since the import of 12 October 2026:\n")
                && run.stdout.contains(
                    "in the sheet since then:\n        Review due moved from 1 March 2027 to 1 April 2027\n"
                ),
            "each side's changes, in words: {run}"
        );
        assert!(run.stderr.contains("--keep-register"), "{run}");
    }
    let run = import(&env, "sheet 2026-12.csv", &[]);
    insta::assert_snapshot!("removal_conflict", run.to_string());
    assert_eq!(status(&env, EATING), "removed");
}

#[test]
fn keep_register_keeps_the_removal_and_imports_the_rest_in_one_commit() {
    let env = imported();
    remove_in_crs(&env);
    let removed = env.read(&format!("{EATING}.toml"));
    write_sheet(&env, "sheet 2026-12.csv", &sheet("01/04/2027", "01/04/2027"));
    let before = env.commit_count();

    let run = import(&env, "sheet 2026-12.csv", &["--keep-register"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout.contains("RJ1/maternity: Review due moved from 1 March 2027 to 1 April 2027"),
        "{run}"
    );
    assert!(run.stdout.contains("conflicts      1  RV5/eating-disorders-inpatient"), "{run}");
    assert!(run.stderr.contains("the register's version of 1 record(s) in conflict was kept"), "{run}");
    assert_eq!(env.commit_count(), before + 1, "one commit");
    assert_eq!(env.read(&format!("{EATING}.toml")), removed, "the removal is kept as it was");
    assert_eq!(status(&env, EATING), "removed");
    assert!(env.read(&format!("{MATERNITY}.toml")).contains("next_due = 2027-04-01"));
    let touched = env.git_cmd(&["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(touched.trim(), "RJ1/maternity.toml");
    let message = env.git_cmd(&["log", "-1", "--format=%B"]);
    assert!(message.contains("Crs-Action: import"), "{message}");
    assert!(message.contains("Crs-Import-Kept: RV5/eating-disorders-inpatient "), "{message}");

    // The same sheet next month: the register's version was chosen; nothing to ask.
    let again = import(&env, "sheet 2026-12.csv", &[]);
    assert_eq!(again.code, 0, "{again}");
    assert!(again.stdout.contains("conflicts      0"), "{again}");
    assert_eq!(env.commit_count(), before + 1, "no commit");
    // A sheet that changes the record again is a conflict again.
    write_sheet(&env, "sheet 2027-01.csv", &sheet("01/05/2027", "01/04/2027"));
    let newer = unchanged_by(&env, || import(&env, "sheet 2027-01.csv", &[]));
    assert_eq!(newer.code, 1, "{newer}");
    assert!(
        newer.stdout.contains("the register's version was kept at the import of 23 November 2026 (--keep-register), and the sheet has changed since; the sheet says designated"),
        "{newer}"
    );
}

#[test]
fn an_event_recorded_in_crs_survives_an_unchanged_sheet() {
    let env = imported();
    // A second public engagement, before a review: the sheet dates that kind of step.
    ok(&env, &["event", MATERNITY, "public-engagement", "--on", "2026-11-02", "--note", "Maternity Voices"]);
    let recorded = env.read(&format!("{MATERNITY}.toml"));
    // The same sheet, saved under next month's name: its file name and rows are no change.
    write_sheet(&env, "sheet 2026-12.csv", &sheet("01/03/2027", "01/03/2027"));
    let before = env.commit_count();
    for name in ["sheet.csv", "sheet 2026-12.csv"] {
        let run = import(&env, name, &[]);
        assert_eq!(run.code, 0, "{run}");
        assert!(run.stdout.contains("  changed        0"), "{run}");
        assert!(run.stdout.contains("  unchanged      1  RV5/eating-disorders-inpatient\n"), "{run}");
        assert!(run.stdout.contains("  kept           1  RJ1/maternity\n"), "{run}");
        assert!(run.stderr.contains("nothing to commit"), "{run}");
    }
    assert_eq!(env.commit_count(), before, "no commit");
    assert_eq!(env.read(&format!("{MATERNITY}.toml")), recorded);
}

#[test]
fn a_record_changed_only_in_the_sheet_is_updated_and_told_in_words() {
    let env = imported();
    ok(&env, &["event", EATING, "review-requested", "--on", "2026-11-02"]);
    write_sheet(&env, "sheet 2026-12.csv", &sheet("01/03/2027", "01/04/2027"));
    let before = env.commit_count();
    let run = import(&env, "sheet 2026-12.csv", &[]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("  changed        1  RJ1/maternity\n"), "{run}");
    assert!(
        run.stdout.contains("    RJ1/maternity: Review due moved from 1 March 2027 to 1 April 2027\n"),
        "{run}"
    );
    assert!(!run.stdout.contains("review.next_due"), "no field paths: {run}");
    assert!(run.stdout.contains("  kept           1  RV5/eating-disorders-inpatient"), "{run}");
    assert_eq!(env.commit_count(), before + 1);
    assert!(env.read(&format!("{MATERNITY}.toml")).contains("next_due = 2027-04-01"));
    assert!(env.read(&format!("{EATING}.toml")).contains("review-requested"), "crs's event stays");
}

#[test]
fn a_row_for_a_moved_record_goes_to_it_and_never_makes_the_old_one_again() {
    let env = imported();
    ok(
        &env,
        &[
            "move",
            MATERNITY,
            "R1K/maternity",
            "--provider-name",
            "London North West University Healthcare NHS Trust",
            "--provider-kind",
            "nhs-trust",
            "--reason",
            "Merger",
        ],
    );
    let moved = env.read("R1K/maternity.toml");
    let before = env.commit_count();

    // The sheet from before the move, again.
    let run = import(&env, "sheet.csv", &[]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("R1K/maternity (the sheet's RJ1/maternity, moved in crs)"), "{run}");
    assert!(run.stdout.contains("  new            0"), "{run}");
    assert!(!env.root.join("RJ1").exists(), "no record at the old id");
    assert_eq!(env.commit_count(), before, "no commit");

    // A newer sheet still under the old code: the moved record's row, in conflict.
    write_sheet(&env, "sheet 2026-12.csv", &sheet("01/03/2027", "01/04/2027"));
    let run = import(&env, "sheet 2026-12.csv", &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains(
            "R1K/maternity (row 3, the sheet's RJ1/maternity): moved in crs from RJ1/maternity; the sheet changed it too (both say designated)"
        ),
        "{run}"
    );
    let run = import(&env, "sheet 2026-12.csv", &["--keep-register"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(!env.root.join("RJ1").exists(), "no record at the old id");
    assert_eq!(env.read("R1K/maternity.toml"), moved);
}

#[test]
fn a_record_deleted_from_the_register_is_not_made_again() {
    let env = imported();
    env.git_cmd(&["rm", "-q", &format!("{MATERNITY}.toml")]);
    env.git_cmd(&["commit", "-q", "-m", "Maternity was entered twice; the other record stands"]);
    let before = env.commit_count();
    let run = import(&env, "sheet.csv", &[]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout.contains("RJ1/maternity: deleted from the register since the import of 12 October 2026; the sheet says nothing new of it, so it is not made again"),
        "{run}"
    );
    assert!(!env.root.join(format!("{MATERNITY}.toml")).exists());
    assert_eq!(env.commit_count(), before);

    write_sheet(&env, "sheet 2026-12.csv", &sheet("01/03/2027", "01/04/2027"));
    let run = import(&env, "sheet 2026-12.csv", &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains("RJ1/maternity (row 3): deleted from the register since the import of 12 October 2026; the sheet still says designated"),
        "{run}"
    );
    assert!(!env.root.join(format!("{MATERNITY}.toml")).exists());
}

#[test]
fn a_record_made_in_crs_is_not_overwritten_by_a_first_import() {
    let env = TestEnv::git();
    fs::write(env.outside().join("map.toml"), MAP).unwrap();
    ok(
        &env,
        &[
            "new",
            MATERNITY,
            "--service",
            "Maternity",
            "--provider-name",
            "Guy's and St Thomas' NHS Foundation Trust",
            "--provider-kind",
            "foundation-trust",
        ],
    );
    write_sheet(&env, "sheet.csv", &sheet("01/03/2027", "01/03/2027"));
    let made = env.read(&format!("{MATERNITY}.toml"));
    let run = import(&env, "sheet.csv", &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains("RJ1/maternity (row 3): made in crs, never imported; the sheet says designated"),
        "{run}"
    );
    let run = import(&env, "sheet.csv", &["--keep-register"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("  new            1  RV5/eating-disorders-inpatient"), "{run}");
    assert_eq!(env.read(&format!("{MATERNITY}.toml")), made);
}

#[test]
fn the_last_import_is_found_in_a_register_inside_a_larger_repository() {
    let (env, _) = TestEnv::in_a_larger_repository();
    fs::write(env.outside().join("map.toml"), MAP).unwrap();
    write_sheet(&env, "sheet.csv", &sheet("01/03/2027", "01/03/2027"));
    assert_eq!(import(&env, "sheet.csv", &[]).code, 0);
    ok(&env, &["event", MATERNITY, "public-engagement", "--on", "2026-11-02"]);
    let before = env.commit_count();
    let again = import(&env, "sheet.csv", &[]);
    assert_eq!(again.code, 0, "{again}");
    assert!(again.stdout.contains("  kept           1  RJ1/maternity\n"), "{again}");
    assert_eq!(env.commit_count(), before);
    write_sheet(&env, "sheet 2026-12.csv", &sheet("01/04/2027", "01/04/2027"));
    let newer = import(&env, "sheet 2026-12.csv", &[]);
    assert_eq!(newer.code, 1, "{newer}");
    assert!(
        newer.stdout.contains("RJ1/maternity (row 3): the public was involved on 2 November 2026, recorded in crs; the sheet changed it too (both say designated)"),
        "{newer}"
    );
}

#[test]
fn a_record_an_earlier_sheet_gave_and_this_one_does_not_is_named_and_left_alone() {
    let env = imported();
    let only_eating = sheet("01/03/2027", "01/03/2027").lines().take(2).collect::<Vec<_>>().join("\n") + "\n";
    write_sheet(&env, "sheet 2026-12.csv", &only_eating);
    let run = unchanged_by(&env, || import(&env, "sheet 2026-12.csv", &[]));
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout.contains(&format!(
            "{MATERNITY} was in the sheet imported on 12 October 2026 (sheet.csv) and is not in this one; nothing changed in the register"
        )),
        "{run}"
    );
    assert!(!run.stdout.contains(&format!("{EATING} was in the sheet")), "{run}");
    assert_eq!(status(&env, MATERNITY), "designated", "never removed for want of a row");
}

/// The header and a row of the sheet with the columns of a review's confirmation.
fn reviewed_sheet(maternity_status: &str, confirmed: &str) -> String {
    let header = HEADER.trim_end();
    format!(
        "{header},Confirmed on,Confirmed by,Confirmation minute\n\
         RJ1,Guy's and St Thomas' NHS Foundation Trust,FT,Maternity,01/03/2019,ICB Board,Y,10/01/2019,{maternity_status},01/03/2027,{confirmed}\n"
    )
}

#[test]
fn a_review_an_earlier_sheet_gave_ends_only_with_a_decision_the_sheet_gives() {
    let env = TestEnv::git();
    let map = MAP.replace(
        "\"Review date\" = \"review.next_due\"\n",
        "\"Review date\" = \"review.next_due\"\n\"Confirmed on\" = \"confirmation.decided_on\"\n\"Confirmed by\" = \"confirmation.decided_by\"\n\"Confirmation minute\" = \"confirmation.reference\"\n",
    );
    fs::write(env.outside().join("map.toml"), map).unwrap();
    write_sheet(&env, "sheet.csv", &reviewed_sheet("under review", ",,"));
    env.at("2026-10-12");
    let run = env.crs_with(
        &["import", "../sheet.csv", "--map", "../map.toml"],
        &[("SOURCE_DATE_EPOCH", OCTOBER_EPOCH)],
    );
    assert_eq!(run.code, 0, "{run}");
    env.at("2026-11-23");
    assert_eq!(status(&env, MATERNITY), "under-review");

    // The newer sheet says designated, and nothing of how the review ended.
    write_sheet(&env, "sheet 2026-11.csv", &reviewed_sheet("designated", ",,"));
    let before = (env.commit_count(), env.read(&format!("{MATERNITY}.toml")));
    let run = import(&env, "sheet 2026-11.csv", &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains("ends the review of RJ1/maternity, which the sheet imported on 12 October 2026 said was under review (started by 12 October 2026 (day not recorded))"),
        "{run}"
    );
    assert!(run.stdout.contains("confirmation.decided_on"), "the way out: {run}");
    assert_eq!((env.commit_count(), env.read(&format!("{MATERNITY}.toml"))), before, "nothing written");

    // The review ended in crs, with a confirmation on its own assessment: the sheet
    // that says designated then says nothing new, and the review's start stays.
    assess_all(&env, MATERNITY, "2026-11-02", [true, false, false, true]);
    ok(
        &env,
        &["review", "complete", MATERNITY, "--confirm", "--next-due", "2030-01-01", "--on", "2026-11-10"],
    );
    let run = import(&env, "sheet 2026-11.csv", &[]);
    assert_eq!(run.code, 0, "{run}");
    let record = ok(&env, &["show", MATERNITY, "--format", "json"]).json();
    assert_eq!(record["status"], "designated", "{record}");
    let kinds: Vec<&str> =
        record["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"review-started"), "the review happened: {record}");
    assert_eq!(record["decisions"].as_array().unwrap().last().unwrap()["outcome"], "confirm", "{record}");
}

/// A second team's sheet leaves out every record of the first: one line for the
/// first team's file, not a line each.
#[test]
fn another_teams_sheet_counts_the_first_teams_records_on_one_line() {
    let env = TestEnv::git();
    fs::write(env.outside().join("map.toml"), MAP).unwrap();
    let row = |code: &str, service: &str| {
        format!("{code},A trust,FT,{service},01/03/2019,ICB Board,Y,10/01/2019,designated,01/03/2027\n")
    };
    let team_a: String = [
        "Maternity",
        "Stroke unit",
        "Renal dialysis",
        "Critical care",
        "Trauma",
        "Burns unit",
        "Neonatal care",
    ]
    .iter()
    .fold(HEADER.to_owned(), |sheet, service| sheet + &row("RJ1", service));
    write_sheet(&env, "team A.csv", &team_a);
    assert_eq!(import(&env, "team A.csv", &[]).code, 0);
    write_sheet(&env, "team B.csv", &(HEADER.to_owned() + &row("RV5", "Eating disorders inpatient")));
    let run = import(&env, "team B.csv", &[]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout.contains(
            "  7 records last imported from team A.csv are not in this sheet, e.g. RJ1/burns-unit, RJ1/critical-care, RJ1/maternity; nothing changed in the register for them"
        ),
        "{run}"
    );
    assert!(!run.stdout.contains("was in the sheet imported"), "{run}");
}

/// A correction made through crs's own export is an edit in crs: the team's next
/// sheet, which still holds the old value, says nothing new of the record and never
/// undoes it; what the export leaves out is no record the sheet dropped.
#[test]
fn a_correction_made_through_the_export_survives_the_teams_next_sheet() {
    let env = imported();
    let export = env.outside().join("export.json");
    ok(&env, &["export", "-o", export.to_str().unwrap()]);
    let mut value: serde_json::Value = serde_json::from_str(&fs::read_to_string(&export).unwrap()).unwrap();
    let rows = value["designations"].as_array_mut().unwrap();
    let row = rows.iter_mut().find(|r| r["record_id"] == MATERNITY).unwrap();
    row["review_due"] = serde_json::Value::String("2027-06-01".to_owned());
    fs::write(&export, value.to_string()).unwrap();
    let corrected = ok(&env, &["import", export.to_str().unwrap()]);
    assert!(corrected.stdout.contains("  changed        1  RJ1/maternity"), "{corrected}");
    assert!(!corrected.stdout.contains("is not in this one"), "{corrected}");

    // The team's next sheet: the same as the first.
    write_sheet(&env, "sheet 2026-12.csv", &sheet("01/03/2027", "01/03/2027"));
    let run = import(&env, "sheet 2026-12.csv", &["--dry-run"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("  changed        0"), "nothing undone: {run}");
    assert!(run.stdout.contains("  kept           1  RJ1/maternity"), "{run}");
    let run = import(&env, "sheet 2026-12.csv", &[]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        env.read(&format!("{MATERNITY}.toml")).contains("next_due = 2027-06-01"),
        "the correction stands"
    );
}
