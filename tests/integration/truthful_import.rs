//! `crs import` never invents: a provider's "No" or "TBC" is refused until the map
//! says what it means; a status contradicted by the answer is refused naming both
//! cells; a step the sheet does not date is kept as undated, never given a
//! neighbour's day; a removal carries its own date, maker and minute; what the team
//! keeps (its reference, comments, site names, stage answers) comes in; the preview
//! names the columns that do not.

use std::fs;

use crate::harness::TestEnv;

const MAP: &str = r#"date_formats = ["%d/%m/%Y"]

[columns]
"Ref" = "local_id"
"Provider code" = "provider.ods"
"Provider" = "provider.name"
"Type" = "provider.kind"
"Service" = "service.name"
"Site" = "service.site_names"
"Date designated" = "decision.decided_on"
"Board" = "decision.decided_by"
"Minute" = "decision.reference"
"Ground 1" = "grounds.no-alternative-provider"
"Provider accepted?" = "response"
"Status" = "status"
"Removed on" = "removal.decided_on"
"Removed by" = "removal.decided_by"
"Removal minute" = "removal.reference"
"Comments" = "notes"
"Stage 1" = "stages.alternative-provision.met"
"Stage 1 assessed" = "stages.alternative-provision.assessed_on"

[values."provider.kind"]
"FT" = "foundation-trust"

[defaults]
"provider.licence" = "licensed"
"#;

const HEADER: &str = "Ref,Provider code,Provider,Type,Service,Site,Date designated,Board,Minute,Ground 1,Provider accepted?,Status,Removed on,Removed by,Removal minute,Comments,Stage 1,Stage 1 assessed,Owner\n";

/// The headings of the workbooks the tests below write, and the map that reads them.
const XLSX_HEADINGS: [&str; 7] =
    ["Provider code", "Provider", "Type", "Service", "Date designated", "Status", "Ground 1"];
const XLSX_MAP: &str = r#"[columns]
"Provider code" = "provider.ods"
"Provider" = "provider.name"
"Type" = "provider.kind"
"Service" = "service.name"
"Date designated" = "decision.decided_on"
"Status" = "status"
"Ground 1" = "grounds.no-alternative-provider"
[values."provider.kind"]
"FT" = "foundation-trust"
[defaults]
"provider.licence" = "licensed"
"#;

fn env_with(rows: &str, map: &str) -> TestEnv {
    let env = TestEnv::git();
    fs::write(env.outside().join("map.toml"), map).unwrap();
    fs::write(env.outside().join("sheet.csv"), format!("{HEADER}{rows}")).unwrap();
    env
}

fn import(env: &TestEnv, extra: &[&str]) -> crate::harness::Run {
    let mut args = vec!["import", "../sheet.csv", "--map", "../map.toml"];
    args.extend(extra);
    env.crs(&args)
}

#[test]
fn a_providers_no_or_tbc_is_refused_until_the_map_says_what_it_means() {
    let rows = "CRS-01,RJ1,Guy's,FT,Maternity,St Thomas' Hospital,01/03/2019,ICB Board,BD/19/1,Y,No,designated,,,,,,,Jo\n\
                CRS-02,RJ1,Guy's,FT,Critical care,,01/03/2019,ICB Board,BD/19/2,Y,Verbal only,designated,,,,,,,Jo\n\
                CRS-03,RJ1,Guy's,FT,Renal,,01/03/2019,ICB Board,BD/19/3,Y,TBC,requested,,,,,,,Jo\n";
    let env = env_with(rows, MAP);
    let before = env.commit_count();
    let run = import(&env, &[]);
    assert_eq!(run.code, 1, "{run}");
    // Every row's problem at once, each with the text as written and what it could be.
    for text in ["'No'", "'Verbal only'", "'TBC'"] {
        assert!(run.stdout.contains(text), "{text}: {run}");
    }
    assert!(run.stdout.contains("accepted, refused"), "the values it could map to: {run}");
    assert_eq!(env.commit_count(), before, "nothing written");

    // The team says what its words mean: "No" is a refusal, which a designated row
    // contradicts; "TBC" is no answer yet.
    let map = format!(
        "{MAP}\n[values.\"response\"]\n\"No\" = \"refused\"\n\"Verbal only\" = \"accepted\"\n\"TBC\" = \"awaiting response\"\n"
    );
    fs::write(env.outside().join("map.toml"), &map).unwrap();
    let run = import(&env, &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("row 2, column 'Provider accepted?': 'No' (which the map translates to 'refused') contradicts the status 'designated' (column 'Status')"), "{run}");
    assert!(!run.stdout.contains("row 3,"), "Verbal only is an acceptance now: {run}");
    assert!(!run.stdout.contains("row 4,"), "TBC is no answer, as requested says: {run}");
}

#[test]
fn a_step_the_sheet_does_not_date_is_undated_everywhere_it_is_told() {
    let rows = "CRS-01,RJ1,Guy's,FT,Maternity,St Thomas' Hospital,01/03/2019,ICB Board,BD/19/1,Y,Yes,under review,,,,\"Board asked for an update; see 2024 paper\",Y,14/02/2019,Jo\n";
    let map = format!("{MAP}\n[values.\"response\"]\n\"Yes\" = \"accepted\"\n");
    let env = env_with(rows, &map);
    let run = import(&env, &[]);
    assert_eq!(run.code, 0, "{run}");
    let record = env.crs(&["show", "RJ1/maternity", "--format", "json"]).json();
    let events = record["events"].as_array().unwrap();
    // The written request, the acceptance and the review's start: the sheet dates
    // none of them, so none is dated to the designation, and each says so.
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["written-request-sent", "provider-accepted", "review-started"], "{record}");
    for event in events {
        assert_eq!(event["date_known"], false, "{event}");
        assert_eq!(event["on"], "2026-11-23", "the latest day it can have happened: {event}");
    }
    assert_eq!(record["status"], "under-review");
    assert_eq!(record["local_id"], "CRS-01");
    assert_eq!(record["notes"], "Board asked for an update; see 2024 paper");
    assert_eq!(record["service"]["site_names"], serde_json::json!(["St Thomas' Hospital"]));
    assert_eq!(record["stages"]["alternative_provision"]["met"], true);
    assert_eq!(record["stages"]["alternative_provision"]["assessed_on"], "2019-02-14");
    assert_eq!(record["stages"]["alternative_provision"]["rationale"], "");
    let check = env.crs(&["check", "--format", "json"]).json();
    assert!(
        check["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "rationale-not-recorded"),
        "an answer without its reasons is named: {check}"
    );

    let log = env.crs(&["log", "RJ1/maternity"]);
    assert!(log.stdout.contains("by 23 November 2026 (day not recorded)"), "{log}");
    let due = env.crs(&["due", "--format", "json"]).json();
    assert!(!due.to_string().contains("1 March 2019; the designation"), "{due}");
    env.crs(&["export", "-o", "../out.csv", "--format", "csv"]);
    let csv = fs::read_to_string(env.outside().join("out.csv")).unwrap();
    assert!(csv.contains("by 2026-11-23 (day not recorded)"), "never a bare date: {csv}");
    let report = env.crs(&["report", "--format", "md", "--since", "2019-01-01"]);
    assert!(!report.stdout.contains("started on 23 November 2026"), "{report}");
}

#[test]
fn a_removal_takes_its_own_day_maker_and_minute_or_is_refused() {
    let rows = "CRS-01,RJ1,Guy's,FT,Maternity,,01/03/2019,ICB Board,BD/19/1,Y,accepted,removed,,,,,,,Jo\n";
    let env = env_with(rows, MAP);
    let run = import(&env, &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("gives no day for the decision to remove the designation"), "{run}");
    assert!(run.stdout.contains("removal.decided_on"), "{run}");

    let rows = "CRS-01,RJ1,Guy's,FT,Maternity,,01/03/2019,ICB Board,BD/19/1,Y,accepted,removed,05/02/2026,Quality Committee,QC/26/4,,,,Jo\n";
    fs::write(env.outside().join("sheet.csv"), format!("{HEADER}{rows}")).unwrap();
    let run = import(&env, &[]);
    assert_eq!(run.code, 0, "{run}");
    let record = env.crs(&["show", "RJ1/maternity", "--format", "json"]).json();
    let decisions = record["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 2, "{record}");
    assert_eq!(decisions[0]["decided_by"], "ICB Board");
    assert_eq!(decisions[1]["outcome"], "remove");
    assert_eq!(decisions[1]["decided_on"], "2026-02-05");
    assert_eq!(decisions[1]["decided_by"], "Quality Committee", "not the designation's board");
    assert_eq!(decisions[1]["reference"], "QC/26/4", "not the designation's minute");
    let notice = record["events"].as_array().unwrap().last().cloned().unwrap();
    assert_eq!(notice["kind"], "provider-notified-of-removal");
    assert_eq!(notice["date_known"], false, "{notice}");
    assert_eq!(record["status"], "removed");
}

/// Who removed a designation, or the minute, without the removal's day is refused
/// cell by cell: the day is not taken from anywhere else.
#[test]
fn a_removals_maker_or_minute_without_its_day_is_refused() {
    let rows = "CRS-01,RJ1,Guy's,FT,Maternity,,01/03/2019,ICB Board,BD/19/1,Y,accepted,designated,,Quality Committee,QC/26/4,,,,Jo\n";
    let env = env_with(rows, MAP);
    let before = env.commit_count();
    let run = import(&env, &[]);
    assert_eq!(run.code, 1, "{run}");
    for column in ["Removed by", "Removal minute"] {
        assert!(
            run.stdout.contains(&format!("column '{column}'"))
                && run.stdout.contains("is given without the day of the removal"),
            "{column}: {run}"
        );
    }
    assert!(run.stdout.contains("map the column with its day to removal.decided_on"), "{run}");
    assert_eq!(env.commit_count(), before, "nothing imported: {run}");
}

/// Without an id column, a row's id is made from its provider code and service
/// name: a row that lacks one is named with what to fill in, never given another's.
#[test]
fn a_row_without_its_provider_code_or_service_name_is_refused() {
    let rows = "CRS-01,,Guy's,FT,Maternity,,01/03/2019,ICB Board,BD/19/1,Y,accepted,designated,,,,,,,Jo\n\
                CRS-02,RJ1,Guy's,FT,,,01/03/2019,ICB Board,BD/19/2,Y,accepted,designated,,,,,,,Jo\n";
    let env = env_with(rows, MAP);
    let before = env.commit_count();
    let run = import(&env, &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("has no provider code; fill in the provider's ODS code (e.g. RJ1), or map the column that holds it to provider.ods"), "{run}");
    assert!(
        run.stdout.contains(
            "has no service name; fill in the service's name, or map the column that holds it to service.name"
        ),
        "{run}"
    );
    assert_eq!(env.commit_count(), before, "nothing imported: {run}");
}

#[test]
fn a_removal_refused_is_told_in_the_removal_columns() {
    let rows = "CRS-01,RJ1,Guy's,FT,Maternity,,01/03/2019,ICB Board,BD/19/1,Y,accepted,removed,04/01/2099,Quality Committee,QC/99/1,,,,Jo\n";
    let env = env_with(rows, MAP);
    let run = import(&env, &["--dry-run"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains("column 'Removed on'"),
        "the removal's own cell, not the designation's: {run}"
    );
    assert!(!run.stdout.contains("column 'Date designated'"), "{run}");

    // A review date left on a row marked removed: the fix is to clear it.
    let map =
        MAP.replace("\"Comments\" = \"notes\"", "\"Comments\" = \"notes\"\n\"Owner\" = \"review.next_due\"");
    fs::write(env.outside().join("map.toml"), map).unwrap();
    let rows = "CRS-01,RJ1,Guy's,FT,Maternity,,01/03/2019,ICB Board,BD/19/1,Y,accepted,removed,05/02/2026,Quality Committee,QC/26/4,,,,01/03/2025\n";
    fs::write(env.outside().join("sheet.csv"), format!("{HEADER}{rows}")).unwrap();
    let run = import(&env, &["--dry-run"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("a removed designation has no review due: clear the review date"), "{run}");
    assert!(!run.stdout.contains("set a later date"), "{run}");
}

#[test]
fn the_preview_names_the_columns_that_do_not_come_in() {
    let rows = "CRS-01,RJ1,Guy's,FT,Maternity,,01/03/2019,ICB Board,BD/19/1,Y,accepted,designated,,,,,,,Jo\n";
    let env = env_with(rows, MAP);
    let run = import(&env, &["--dry-run"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("not imported: column(s) 'Owner'"), "{run}");
}

#[test]
fn a_stage_answer_without_its_day_is_refused() {
    let rows =
        "CRS-01,RJ1,Guy's,FT,Maternity,,01/03/2019,ICB Board,BD/19/1,Y,accepted,designated,,,,,N,,Jo\n";
    let env = env_with(rows, MAP);
    let run = import(&env, &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("answers the stage without the day it was assessed"), "{run}");
}

#[test]
fn a_field_the_map_never_gives_is_said_once_for_the_map() {
    let rows = "CRS-01,RJ1,Guy's,FT,Maternity,,01/03/2019,ICB Board,BD/19/1,Y,accepted,designated,,,,,,,Jo\n\
                CRS-02,RJ1,Guy's,FT,Renal,,01/03/2019,ICB Board,BD/19/2,Y,accepted,designated,,,,,,,Jo\n";
    let map = MAP.replace("\"Type\" = \"provider.kind\"\n", "");
    let env = env_with(rows, &map);
    let run = import(&env, &[]);
    assert_eq!(run.code, 2, "a mistake in the map: {run}");
    assert_eq!(run.stderr.matches("provider.kind").count(), 1, "once, not per row: {run}");
    assert!(!run.stdout.contains("row 2"), "{run}");
}

#[test]
fn a_step_whose_day_is_not_recorded_never_stands_after_a_later_decision() {
    let rows = "CRS-01,RJ1,Guy's,FT,Maternity,,01/03/2019,ICB Board,BD/19/1,Y,accepted,designated,,,,,,,Jo\n";
    let env = env_with(rows, MAP);
    assert_eq!(import(&env, &[]).code, 0);
    // Work recorded in crs after the import, dated before the import's day.
    crate::harness::assess_all(&env, "RJ1/maternity", "2026-11-10", [false, false, false, false]);
    let involved = env.crs(&[
        "event",
        "RJ1/maternity",
        "involvement-not-engaged",
        "--on",
        "2026-11-12",
        "--note",
        "No change for patients",
    ]);
    assert_eq!(involved.code, 0, "{involved}");
    let remove = env.crs(&["remove", "RJ1/maternity", "--decided-on", "2026-11-20", "--by", "ICB Board"]);
    assert_eq!(remove.code, 0, "the acceptance came on or before its latest day: {remove}");
    let told = env.crs(&["event", "RJ1/maternity", "provider-notified-of-removal", "--on", "2026-11-21"]);
    assert_eq!(told.code, 0, "{told}");
    let record = env.crs(&["show", "RJ1/maternity", "--format", "json"]).json();
    assert_eq!(record["status"], "removed", "{record}");
    assert_eq!(env.crs(&["check", "--format", "json"]).json()["summary"]["errors"], 0);
    // The board paper does not tell undated steps as the period's work.
    let report = env.crs(&["report", "--format", "md"]);
    assert!(!report.stdout.contains("day not recorded"), "{report}");
    // But it says that such steps are left out, and how many.
    assert!(
        report.stdout.contains(
            "2 steps whose days were not recorded, which may have come before the period, are not told here"
        ),
        "{report}"
    );
}

/// A header merged across two columns heads the first; the second is reached by its
/// letter, and named in the preview until it is.
#[test]
fn a_header_merged_across_two_columns_never_hands_one_columns_cells_to_the_other() {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (col, heading) in XLSX_HEADINGS.iter().enumerate() {
        sheet.write_string(0, col as u16, *heading).unwrap();
    }
    sheet.merge_range(0, 7, 0, 8, "Board / Minute", &Format::new()).unwrap();
    let cells = ["RJ1", "Guy's", "FT", "Maternity", "2019-03-01", "proposed", "Y", "", "GB/19/045"];
    for (col, value) in cells.iter().enumerate() {
        if !value.is_empty() {
            sheet.write_string(1, col as u16, *value).unwrap();
        }
    }
    let env = TestEnv::git();
    book.save(env.outside().join("merged.xlsx")).unwrap();
    let map = &XLSX_MAP.replace("[values.", "\"Board / Minute\" = \"decision.decided_by\"\n[values.");
    fs::write(env.outside().join("map.toml"), map).unwrap();
    let run = env.crs(&["import", "../merged.xlsx", "--map", "../map.toml", "--dry-run"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("column I (under the header 'Board / Minute' merged across it"), "{run}");
    let run = env.crs(&["import", "../merged.xlsx", "--map", "../map.toml"]);
    assert_eq!(run.code, 0, "{run}");
    let record = env.crs(&["show", "RJ1/maternity", "--format", "json"]).json();
    assert!(record["decisions"][0].get("decided_by").is_none(), "the minute is not who decided: {record}");

    let with_letter = map.replace(
        "\"Status\" = \"status\"\n",
        "\"Status\" = \"status\"\n\"column I\" = \"decision.reference\"\n",
    );
    fs::write(env.outside().join("map.toml"), with_letter).unwrap();
    let run = env.crs(&["import", "../merged.xlsx", "--map", "../map.toml"]);
    assert_eq!(run.code, 0, "{run}");
    let record = env.crs(&["show", "RJ1/maternity", "--format", "json"]).json();
    assert_eq!(record["decisions"][0]["reference"], "GB/19/045", "{record}");
}

/// A workbook saved by a program that does not calculate keeps a formula without
/// its value (no `<v>` at all, or an empty `<v/>` as openpyxl writes it): calamine
/// reads such a cell as empty, and crs must not.
#[test]
fn a_formula_saved_without_its_value_is_refused_naming_its_cell() {
    use crate::hostile::{MAP, rezip, text_edit, workbook};
    for saved in ["", "<v />", "<v></v>"] {
        let book = workbook(|sheet| {
            sheet.write_formula(1, 4, "=\"Obstetric\"&\" unit\"").unwrap();
        });
        let book = rezip(&book, |name, data| match name {
            "xl/worksheets/sheet1.xml" => Some(text_edit(data, |xml| {
                let at = xml.find("</f>").expect("a formula");
                let end = at + xml[at..].find("</c>").unwrap();
                // Saved as a number (no `t="str"`), as a program that does not
                // calculate leaves it.
                let start = xml[..at].rfind("<c ").unwrap();
                let head = xml[start..at].replace(" t=\"str\"", "");
                format!("{}{head}</f>{saved}{}", &xml[..start], &xml[end..])
            })),
            _ => Some(data),
        });
        let env = TestEnv::git();
        fs::write(env.outside().join("book.xlsx"), book).unwrap();
        fs::write(env.outside().join("map.toml"), MAP).unwrap();
        let before = env.commit_count();
        let run = env.crs(&["import", "../book.xlsx", "--map", "../map.toml"]);
        assert_eq!(run.code, 1, "{saved:?}: {run}");
        assert!(
            run.stdout
                .contains("row 2, column 'Description': (cell E2) holds a formula whose value was not saved"),
            "{saved:?}: never read as blank: {run}"
        );
        assert!(run.stdout.contains("sheet 'Register'"), "{run}");
        assert!(run.stdout.contains("recalculate it"), "{run}");
        assert_eq!(env.commit_count(), before, "nothing written");
    }
}

#[test]
fn a_designation_in_force_without_the_providers_answer_is_refused_not_taken_as_accepted() {
    let map = MAP.replace("\"Provider accepted?\" = \"response\"\n", "");
    let rows = "CRS-01,RJ1,Guy's,FT,Maternity,,01/03/2019,ICB Board,BD/19/1,Y,Yes,designated,,,,,,,Jo\n";
    let env = env_with(rows, &map);
    let run = import(&env, &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains("row 2, column 'Status': 'designated' says the designation was in force, which needs the provider's acceptance"),
        "{run}"
    );
    assert!(run.stdout.contains("\"response\" = \"accepted\" under [defaults]"), "the way out: {run}");
    // The map says it, for every row: that is a stated fact, not an invented one.
    let map = map.replace("[defaults]\n", "[defaults]\n\"response\" = \"accepted\"\n");
    fs::write(env.outside().join("map.toml"), map).unwrap();
    let run = import(&env, &[]);
    assert_eq!(run.code, 0, "{run}");
    let record = env.crs(&["show", "RJ1/maternity", "--format", "json"]).json();
    assert_eq!(record["status"], "designated", "{record}");
}

#[test]
fn a_total_under_the_table_is_skipped_and_named_once() {
    let rows = "CRS-01,RJ1,Guy's,FT,Maternity,,01/03/2019,ICB Board,BD/19/1,Y,accepted,designated,,,,,,,Jo\n\
                ,,,,Totals: 1,,,,,1,,,,,,,,,\n\
                ,,,,Total,,,,,1,,,,,,,,,\n";
    let env = env_with(rows, MAP);
    let run = import(&env, &[]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(
        run.stdout.matches("skipped row 3 ('Totals: 1'): a total under the table").count(),
        1,
        "{run}"
    );
    assert!(run.stdout.contains("skipped row 4 ('Total')"), "{run}");
    assert!(!run.stdout.contains("rejected      1"), "{run}");
}

#[test]
fn two_rows_of_one_service_that_differ_are_refused_naming_both_and_a_repeat_is_read_once() {
    let rows = "CRS-01,RJ1,Guy's,FT,Maternity,St Thomas' Hospital,01/03/2019,ICB Board,BD/19/1,Y,accepted,designated,,,,,,,Jo\n\
                CRS-07,RJ1,Guy's,FT,Maternity,Guy's Hospital,01/03/2019,ICB Board,BD/19/1,Y,accepted,designated,,,,,,,Jo\n";
    let env = env_with(rows, MAP);
    let before = env.commit_count();
    let run = import(&env, &[]);
    assert_eq!(run.code, 1, "never the last row silently: {run}");
    assert!(
        run.stdout.contains("row 3, column 'Ref': 'CRS-07' differs from row 2, which gives 'CRS-01' for the same service, RJ1/maternity"),
        "{run}"
    );
    assert!(run.stdout.contains("row 3, column 'Site': 'Guy's Hospital' differs from row 2"), "{run}");
    assert_eq!(env.commit_count(), before, "nothing written");

    // The same row twice, cell for cell: one service, said once.
    let rows = "CRS-01,RJ1,Guy's,FT,Maternity,St Thomas' Hospital,01/03/2019,ICB Board,BD/19/1,Y,accepted,designated,,,,,,,Jo\n\
                CRS-01,RJ1,Guy's,FT,Maternity,St Thomas' Hospital,01/03/2019,ICB Board,BD/19/1,Y,accepted,designated,,,,,,,Jo\n";
    fs::write(env.outside().join("sheet.csv"), format!("{HEADER}{rows}")).unwrap();
    let run = import(&env, &[]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(
        run.stdout.matches("row 3 repeats row 2 (RJ1/maternity) cell for cell: read once").count(),
        1,
        "{run}"
    );
}

#[test]
fn a_designation_whose_acceptance_has_no_day_is_never_said_in_force_before_it_is_known() {
    let rows = "CRS-01,RJ1,Guy's,FT,Maternity,,01/03/2019,ICB Board,BD/19/1,Y,accepted,designated,,,,,,,Jo\n";
    let env = env_with(rows, MAP);
    let run = import(&env, &[]);
    assert_eq!(run.code, 0, "{run}");
    let list = |day: &str| env.crs(&["list", "--in-force-on", day]);

    // Designated in 2019, accepted by the day of the import: in force on 1 January
    // 2020 or not, the register cannot say, and says so rather than guess a day.
    let run = list("2020-01-01");
    assert_eq!(run.code, 0, "{run}");
    assert!(!run.stdout.contains("RJ1/maternity"), "never listed on a day it may not have held: {run}");
    assert!(
        run.stderr.contains("1 designation(s) may have been in force on 1 January 2020 and are not listed"),
        "{run}"
    );
    assert!(
        run.stderr.contains(
            "RJ1/maternity: provider accepted by 23 November 2026 (day not recorded); known in force from 23 November 2026"
        ),
        "{run}"
    );
    // The export for that day says the same.
    let run = env.crs(&["export", "--format", "json", "--in-force-on", "2020-01-01"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(!run.stdout.contains("RJ1/maternity"), "{run}");
    assert!(
        run.stderr
            .contains("1 designation(s) may have been in force on 1 January 2020 and are not in the export"),
        "{run}"
    );
    assert!(
        run.stderr.contains("RJ1/maternity: provider accepted by 23 November 2026 (day not recorded)"),
        "{run}"
    );
    // From the latest day the acceptance can have happened, it is known in force.
    let run = list("2026-11-23");
    assert!(run.stdout.contains("RJ1/maternity"), "{run}");
    assert!(!run.stderr.contains("may have been in force"), "{run}");
    // Before the decision it was not in force, whatever the acceptance's day.
    let run = list("2019-01-01");
    assert!(!run.stdout.contains("RJ1/maternity"), "{run}");
    assert!(!run.stderr.contains("may have been in force"), "{run}");
}

/// A row the workbook hides is read as any other, and the preview says so: hiding a
/// row is how many teams retire one, and nothing must come in unseen.
#[test]
fn a_hidden_row_is_read_and_named() {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (col, heading) in XLSX_HEADINGS.iter().enumerate() {
        sheet.write_string(0, col as u16, *heading).unwrap();
    }
    for (row, service) in [(1, "Maternity"), (2, "Stroke unit"), (3, "Renal dialysis")] {
        let cells = ["RJ1", "Guy's", "FT", service, "2019-03-01", "proposed", "Y"];
        for (col, value) in cells.iter().enumerate() {
            sheet.write_string(row, col as u16, *value).unwrap();
        }
    }
    sheet.set_row_hidden(2).unwrap();
    let env = TestEnv::git();
    book.save(env.outside().join("hidden.xlsx")).unwrap();
    let map = XLSX_MAP;
    fs::write(env.outside().join("map.toml"), map).unwrap();
    let run = env.crs(&["import", "../hidden.xlsx", "--map", "../map.toml", "--dry-run"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("  new            3"), "{run}");
    assert!(
        run.stdout.contains("  hidden in the sheet: row(s) 3; read like every other row"),
        "the hidden row is named by its number in the sheet: {run}"
    );
}
