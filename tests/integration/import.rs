//! `crs import`: a legacy workbook brought in with a map (title rows, the header on
//! row 3, mixed date forms, codes stored as numbers, Y/N grounds, a blank row, a
//! hidden column, a second sheet); crs's own export brought back cell for cell; a
//! bad row that writes nothing, and the report `--skip-invalid` writes; re-imports
//! that make no commit, and a newer sheet that changes only what changed.

use std::fs;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

use crate::harness::TestEnv;
use crate::sheets::sheet;

const MAP: &str = r#"sheet = "CRS designations"
header_row = 3
date_formats = ["%d/%m/%Y", "%d %B %Y"]

[columns]
"Provider code" = "provider.ods"
"Provider" = "provider.name"
"Type" = "provider.kind"
"Service" = "service.name"
"Date designated" = "decision.decided_on"
"Ground 1 (no alternative)" = "grounds.no-alternative-provider"
"Ground 2 (inequalities)" = "grounds.health-inequalities"
"Ground 3 (dependent)" = "grounds.dependent-services"
"Written request" = "event.written-request-sent"
"Status" = "status"
"Review date" = "review.next_due"

[values."provider.kind"]
"FT" = "foundation-trust"
"NHS Trust" = "nhs-trust"

[defaults]
"provider.licence" = "licensed"
"response" = "accepted"

[pad]
"provider.ods" = 3
"#;

/// The team's spreadsheet as it comes: a read-me sheet first, then the register with
/// a merged title, the header on row 3, and every kind of untidiness.
fn legacy_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    // A fixed creation time, so the file (and its SHA-256) is the same every run.
    let created = ExcelDateTime::from_ymd(2019, 6, 1).unwrap();
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let notes = book.add_worksheet();
    notes.set_name("Read me").unwrap();
    notes.write_string(0, 0, "Kept by the contracts team").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("CRS designations").unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let zeros = Format::new().set_num_format("000");
    sheet.merge_range(0, 0, 0, 11, "Commissioner Requested Services: SE London", &Format::new()).unwrap();
    let headers = [
        "Provider code",
        "Provider",
        "Type",
        " Service\u{a0}",
        "Date designated",
        "Ground 1 (no alternative)",
        "Ground 2 (inequalities)",
        "Ground 3 (dependent)",
        "Internal notes",
        "Written request",
        "STATUS",
        "Review date",
    ];
    for (col, heading) in headers.iter().enumerate() {
        sheet.write_string(2, col as u16, *heading).unwrap();
    }
    sheet.set_column_hidden(8).unwrap();
    let day = |y, m, d| ExcelDateTime::from_ymd(y, m, d).unwrap();
    // Row 4: a real date, Y/N grounds, a text date in the map's format.
    sheet.write_string(3, 0, "RJ1").unwrap();
    sheet.write_string(3, 1, "Guy's and St Thomas' NHS Foundation Trust").unwrap();
    sheet.write_string(3, 2, "FT").unwrap();
    sheet.write_string(3, 3, "Maternity: consultant-led unit").unwrap();
    sheet.write_datetime_with_format(3, 4, day(2016, 3, 14), &date).unwrap();
    sheet.write_string(3, 5, "Y").unwrap();
    sheet.write_string(3, 6, "N").unwrap();
    sheet.write_string(3, 7, "Y").unwrap();
    sheet.write_string(3, 8, "ask Jo before changing").unwrap();
    sheet.write_string(3, 10, "Designated").unwrap();
    sheet.write_string(3, 11, "01/02/2028").unwrap();
    // Row 5: a code stored as a number shown as 010, a serial date, Yes/✓/empty.
    sheet.write_number_with_format(4, 0, 10.0, &zeros).unwrap();
    sheet.write_string(4, 1, "Example Community Services").unwrap();
    sheet.write_string(4, 2, "independent").unwrap();
    sheet.write_string(4, 3, "Community\u{a0}nursing  ").unwrap();
    sheet.write_number(4, 4, 43_538.0).unwrap();
    sheet.write_string(4, 5, "Yes").unwrap();
    sheet.write_string(4, 7, "✓").unwrap();
    sheet.write_string(4, 10, "proposed").unwrap();
    // Row 6 is blank. Row 7: a date written out in words, stray spaces.
    sheet.write_string(6, 0, " RV5 ").unwrap();
    sheet.write_string(6, 1, "South London and Maudsley NHS Foundation Trust").unwrap();
    sheet.write_string(6, 2, "ft").unwrap();
    sheet.write_string(6, 3, "Crisis home treatment").unwrap();
    sheet.write_string(6, 4, "14 March 2019").unwrap();
    sheet.write_string(6, 6, " y ").unwrap();
    sheet.write_string(6, 10, "requested").unwrap();
    sheet.write_datetime_with_format(6, 9, day(2019, 4, 2), &date).unwrap();
    // Row 8: the same service as row 4, giving its written request: merged.
    sheet.write_string(7, 0, "RJ1").unwrap();
    sheet.write_string(7, 3, "Maternity: consultant-led unit").unwrap();
    sheet.write_datetime_with_format(7, 9, day(2016, 4, 1), &date).unwrap();
    // A trailing note under the table.
    sheet.write_string(9, 1, "Source: board papers 2016-2019").unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn a_legacy_workbook_comes_in_with_a_map() {
    let env = TestEnv::git();
    let file = env.outside().join("CRS register 2019.xlsx");
    fs::write(&file, legacy_workbook()).unwrap();
    let map = env.outside().join("crs-map.toml");
    fs::write(&map, MAP).unwrap();
    let (file, map) = (file.to_str().unwrap(), map.to_str().unwrap());
    let before = env.commit_count();

    let dry = env.crs(&["import", file, "--map", map, "--dry-run"]);
    assert_eq!(dry.code, 0, "{dry}");
    assert_eq!(env.commit_count(), before, "a dry run commits nothing");
    insta::assert_snapshot!("legacy_workbook_preview", dry.to_string());

    let run = env.crs(&["import", file, "--map", map]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(env.commit_count(), before + 1, "one commit for the whole import");
    insta::assert_snapshot!("legacy_maternity_record", env.read("RJ1/maternity-consultant-led-unit.toml"));
    insta::assert_snapshot!("legacy_zero_code_record", env.read("010/community-nursing.toml"));
    let message = env.git_cmd(&["log", "-1", "--format=%B"]);
    assert!(message.contains("Crs-Action: import"), "{message}");
    assert!(message.contains("Crs-Import-File: CRS register 2019.xlsx"), "{message}");
    assert!(message.contains("Crs-Import-Sha256: "), "{message}");

    let check = env.crs(&["check"]);
    assert_eq!(check.code, 0, "imported records carry warnings, not errors: {check}");
    assert!(check.stdout.contains("assessment-not-recorded"), "{check}");

    let again = env.crs(&["import", file, "--map", map]);
    assert_eq!(again.code, 0, "{again}");
    assert!(again.stderr.contains("nothing to commit"), "{again}");
    assert_eq!(env.commit_count(), before + 1, "importing the same file again makes no commit");
}

#[test]
fn crs_own_export_comes_back_cell_for_cell() {
    // Every status, draft included.
    let all = "draft,not-designated,proposed,requested,refused,referred,designated,under-review,removed";
    let source = TestEnv::copy_of("designations");
    let first = source.outside().join("export.xlsx");
    let run = source.crs(&["export", "--history", "--status", all, "-o", first.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");

    let env = TestEnv::git();
    let imported = env.crs(&["import", first.to_str().unwrap()]);
    assert_eq!(imported.code, 0, "{imported}");
    insta::assert_snapshot!("own_export_preview", imported.stdout);
    let again = env.outside().join("again.xlsx");
    let run = env.crs(&["export", "--history", "--status", all, "-o", again.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");

    // Every cell of both sheets that speak of the records, the stages and the
    // removals among them: the History sheet carries what the one row cannot.
    for name in ["Designations", "History"] {
        let (before, after) =
            (sheet(&fs::read(&first).unwrap(), name), sheet(&fs::read(&again).unwrap(), name));
        assert!(before.len() > 5, "the sample register has records and history: {name}");
        assert_eq!(before, after, "export → import → export gives the same cells of {name}");
    }
    let removed = env.read("RV5/eating-disorders-inpatient.toml");
    assert!(removed.contains("outcome = \"remove\""), "the removal comes back: {removed}");

    let count = env.commit_count();
    let json = env.outside().join("again.json");
    assert_eq!(env.crs(&["export", "--history", "--status", all, "-o", json.to_str().unwrap()]).code, 0);
    for file in [&first, &again, &json] {
        let rerun = env.crs(&["import", file.to_str().unwrap()]);
        assert_eq!(rerun.code, 0, "{rerun}");
        assert!(rerun.stdout.contains("  new            0"), "{rerun}");
        assert!(rerun.stdout.contains("  changed        0"), "{rerun}");
    }
    assert_eq!(env.commit_count(), count, "re-importing the export makes no commit");

    // Into an empty register from the JSON export alone: the records the sample
    // register holds, field for field, but for what the default columns do not carry
    // (the long-term outcome, the provider's licence, the service's description,
    // treatment functions and whether it is location specific, and the co-commissioners:
    // columns a register can add;
    // the ids a record had before a move) and `[source]`; a contact that is the
    // register's own is left to crs.toml.
    let fresh = TestEnv::git();
    assert_eq!(fresh.crs(&["import", json.to_str().unwrap()]).code, 0);
    let register = crate::harness::repo_dir().join("designations");
    let mut ids = Vec::new();
    for provider in fs::read_dir(&register).unwrap().flatten().filter(|e| e.path().is_dir()) {
        for file in fs::read_dir(provider.path()).unwrap().flatten() {
            if !file.file_name().to_string_lossy().ends_with(".toml") {
                continue;
            }
            let name = file.file_name().to_string_lossy().trim_end_matches(".toml").to_owned();
            ids.push(format!("{}/{name}", provider.file_name().to_string_lossy()));
        }
    }
    assert_eq!(ids.len(), 13, "every record of the sample register: {ids:?}");
    for id in &ids {
        let shown = |env: &TestEnv| {
            let out = env.crs(&["show", id.as_str(), "--format", "json"]);
            assert_eq!(out.code, 0, "{out}");
            let mut record: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
            for key in ["outcome", "previous_ids", "source"] {
                record.as_object_mut().unwrap().remove(key);
            }
            record["commissioner"].as_object_mut().unwrap().remove("contact");
            record["commissioner"].as_object_mut().unwrap().remove("co_commissioners");
            record["provider"].as_object_mut().unwrap().remove("licence");
            for key in ["description", "treatment_functions", "location_specific"] {
                record["service"].as_object_mut().unwrap().remove(key);
            }
            record
        };
        assert_eq!(shown(&fresh), shown(&source), "{id}: the sample record again, from the JSON export");
    }
}

/// crs's default export (no `--history`), workbook or JSON, imported into an empty
/// register and exported again gives the same cells on every sheet: the sections,
/// the removal with its day, maker and reference, the latest review's confirmation
/// with its day, maker and reference, each stage's assessment.
#[test]
fn the_default_export_comes_back_cell_for_cell() {
    let source = TestEnv::copy_of("designations");
    for name in ["export.xlsx", "export.json"] {
        let first = source.outside().join(name);
        let run = source.crs(&["export", "-o", first.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{run}");

        let env = TestEnv::git();
        let imported = env.crs(&["import", first.to_str().unwrap()]);
        assert_eq!(imported.code, 0, "{imported}");
        assert!(imported.stdout.contains("  new           10"), "{imported}");
        assert!(!imported.stdout.contains("assessment-not-recorded"), "the stages come back: {imported}");
        let again = env.outside().join(name);
        let run = env.crs(&["export", "-o", again.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{run}");

        if name.ends_with(".json") {
            let (before, after) = (fs::read_to_string(&first).unwrap(), fs::read_to_string(&again).unwrap());
            let commitless = |text: &str| {
                let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
                // Which commit, when and in what folder: the registers differ there.
                for key in ["commit", "committed_at", "register"] {
                    value["about"].as_object_mut().unwrap().remove(key);
                }
                value
            };
            assert_eq!(commitless(&before), commitless(&after), "export → import → export: the same JSON");
            continue;
        }
        let (before, after) = (fs::read(&first).unwrap(), fs::read(&again).unwrap());
        let designations = sheet(&before, "Designations");
        let status = designations[0].iter().position(|h| h == "Status").unwrap();
        let removed = designations.iter().find(|r| r[status] == "Removed").expect("a removed row");
        assert!(removed.contains(&"date:2026-02-03".to_owned()), "the removal's day: {removed:?}");
        let confirmed = designations.iter().find(|r| r.contains(&"Board minute BD/26/088".to_owned()));
        let confirmed = confirmed.expect("a row with the confirmation of its review");
        assert!(confirmed.contains(&"date:2026-09-08".to_owned()), "the confirmation's day: {confirmed:?}");
        assert!(sheet(&before, "Assessments").len() > 30, "the stages of the sample register");
        for name in ["Designations", "Assessments", "Changes", "Notes"] {
            assert_eq!(sheet(&before, name), sheet(&after, name), "export → import → export: {name}");
        }
    }
}

/// A line of the Assessments sheet that cannot be read is named by sheet, row and
/// column, with the value as written, and nothing is imported.
#[test]
fn an_unreadable_assessment_is_named_and_nothing_is_written() {
    let source = TestEnv::copy_of("designations");
    let export = source.outside().join("export.json");
    assert_eq!(source.crs(&["export", "-o", export.to_str().unwrap()]).code, 0);
    let mut value: serde_json::Value = serde_json::from_str(&fs::read_to_string(&export).unwrap()).unwrap();
    value["assessments"][1]["met"] = "maybe".into();
    value["assessments"][2]["stage"] = "Stage 9: Nothing".into();
    let damaged = source.outside().join("damaged.json");
    fs::write(&damaged, value.to_string()).unwrap();

    let env = TestEnv::git();
    let before = env.commit_count();
    let run = env.crs(&["import", damaged.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains(
            "sheet 'Assessments', row 3, column 'Met': 'maybe' is neither yes nor no; write Yes or No"
        ),
        "{run}"
    );
    assert!(
        run.stdout.contains(
            "sheet 'Assessments', row 4, column 'Stage': 'Stage 9: Nothing' is not a stage of the framework"
        ),
        "{run}"
    );
    assert_eq!(env.commit_count(), before, "nothing written");
}

/// A CSV of `rows` data rows under a header, row 14 holding `bad_date`.
fn register_csv(bad_date: &str, second_date: &str) -> String {
    let mut csv = String::from(
        "Provider code,Provider,Type,Service,Date designated,Ground 1 (no alternative),Status\n",
    );
    for i in 2..=14 {
        let date = match i {
            14 => bad_date,
            2 => second_date,
            _ => "01/03/2019",
        };
        csv.push_str(&format!(
            "RJ1,Guy's and St Thomas' NHS Foundation Trust,FT,Service {i},{date},Y,proposed\n"
        ));
    }
    csv
}

#[test]
fn a_bad_row_writes_nothing_and_skip_invalid_reports_it() {
    let env = TestEnv::git();
    let map = env.outside().join("map.toml");
    fs::write(
        &map,
        r#"date_formats = ["%d/%m/%Y"]
[columns]
"Provider code" = "provider.ods"
"Provider" = "provider.name"
"Type" = "provider.kind"
"Service" = "service.name"
"Date designated" = "decision.decided_on"
"Ground 1 (no alternative)" = "grounds.no-alternative-provider"
"Status" = "status"
[values."provider.kind"]
"FT" = "foundation-trust"
[defaults]
"provider.licence" = "licensed"
"#,
    )
    .unwrap();
    let file = env.outside().join("register.csv");
    fs::write(&file, register_csv("31/02/2019", "01/03/2019")).unwrap();
    let (file_arg, map_arg) = (file.to_str().unwrap(), map.to_str().unwrap());
    let before = env.commit_count();
    let objects = env.git_cmd(&["count-objects", "-v"]);

    let run = env.crs(&["import", file_arg, "--map", map_arg]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("row 14, column 'Date designated': '31/02/2019' is not a date"), "{run}");
    assert_eq!(env.commit_count(), before, "nothing committed");
    assert!(!env.root.join("RJ1").exists(), "nothing written");
    // The records checked before the bad row were stored as they were checked: none
    // of them reaches git, and no pack of them is left in crs's folder.
    assert_eq!(env.git_cmd(&["count-objects", "-v"]), objects, "no object stored");
    assert!(!env.root.join(".git/crs/packs").exists(), "no pack left");
    insta::assert_snapshot!("bad_row_refused", run.to_string());

    let report = env.outside().join("rejected.csv");
    let run = env.crs(&["import", file_arg, "--map", map_arg, "--skip-invalid", report.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(env.commit_count(), before + 1);
    insta::assert_snapshot!("bad_row_report", fs::read_to_string(&report).unwrap());

    // The corrected sheet, with one other date changed: one commit with only those.
    fs::write(&file, register_csv("28/02/2019", "02/03/2019")).unwrap();
    let run = env.crs(&["import", file_arg, "--map", map_arg]);
    assert_eq!(run.code, 0, "{run}");
    insta::assert_snapshot!("newer_sheet_preview", run.stdout);
    assert_eq!(env.commit_count(), before + 2);
    let log = env.crs(&["log", "RJ1/service-2"]);
    assert_eq!(log.code, 0, "{log}");
    assert!(
        log.stdout.contains("Decision 1 (the designation): date moved from 1 March 2019 to 2 March 2019"),
        "the log shows the field that changed: {log}"
    );
    insta::assert_snapshot!("newer_sheet_log", log.stdout);
}

#[test]
fn fields_are_listed() {
    let env = TestEnv::new();
    let run = env.crs(&["import", "--fields"]);
    assert_eq!(run.code, 0, "{run}");
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn a_history_line_that_cannot_be_read_writes_nothing() {
    let source = TestEnv::copy_of("designations");
    let json = source.outside().join("export.json");
    assert_eq!(source.crs(&["export", "--history", "-o", json.to_str().unwrap()]).code, 0);
    let text = fs::read_to_string(&json).unwrap();
    let broken = text.replacen("\"code\": \"event:provider-accepted\"", "\"code\": \"event:agreed\"", 1);
    assert_ne!(text, broken, "the export has a provider's acceptance to break");
    fs::write(&json, broken).unwrap();

    let env = TestEnv::git();
    let before = env.commit_count();
    let run = env.crs(&["import", json.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("column 'Code': 'event:agreed' is not an event"), "{run}");
    assert!(run.stdout.contains("History"), "the sheet is named: {run}");
    assert_eq!(env.commit_count(), before, "nothing committed");
}

/// The map of the CSV sheets below: an id column beside the provider code.
const CSV_MAP: &str = r#"date_formats = ["%d/%m/%Y"]
[columns]
"Id" = "id"
"Provider code" = "provider.ods"
"Provider" = "provider.name"
"Type" = "provider.kind"
"Service" = "service.name"
"Date designated" = "decision.decided_on"
"Ground 1" = "grounds.no-alternative-provider"
"Status" = "status"
[values."provider.kind"]
"FT" = "foundation-trust"
[defaults]
"provider.licence" = "licensed"
"response" = "accepted"
"#;

const CSV_HEADER: &str = "Id,Provider code,Provider,Type,Service,Date designated,Ground 1,Status\n";

/// A register with `CSV_MAP` beside it as `../map.toml`.
fn with_csv_map() -> TestEnv {
    let env = TestEnv::git();
    fs::write(env.outside().join("map.toml"), CSV_MAP).unwrap();
    env
}

/// Runs each crs import in turn (paths relative to the register), with what it
/// said, for one snapshot; each must exit `code` and leave the register as it was.
fn refused_all(env: &TestEnv, runs: &[&[&str]], code: i32) -> String {
    let before = (env.commit_count(), env.git_cmd(&["status", "--porcelain"]), env.read("crs.toml"));
    let mut said = String::new();
    for args in runs {
        let run = env.crs(&[&["import"], *args].concat());
        assert_eq!(run.code, code, "{args:?}: {run}");
        assert!(!run.stderr.contains("panicked"), "{run}");
        let after = (env.commit_count(), env.git_cmd(&["status", "--porcelain"]), env.read("crs.toml"));
        assert_eq!(after, before, "{args:?} changed the register");
        said.push_str(&format!("$ crs import {}\n{run}\n", args.join(" ")));
    }
    said
}

#[test]
fn a_file_that_is_not_a_readable_workbook_is_named_and_refused() {
    let env = with_csv_map();
    let out = env.outside();
    fs::write(out.join("renamed.xlsx"), CSV_HEADER).unwrap();
    fs::write(out.join("empty.xlsx"), b"").unwrap();
    fs::write(out.join("empty.ods"), b"").unwrap();
    fs::write(out.join("cut.xlsx"), &legacy_workbook()[..3000]).unwrap();
    // An encrypted workbook is an OLE compound file, not a zip.
    fs::write(out.join("locked.xlsx"), [&b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"[..], &[0; 504]].concat())
        .unwrap();
    fs::create_dir(out.join("folder.xlsx")).unwrap();
    let said = refused_all(
        &env,
        &[
            &["../renamed.xlsx", "--map", "../map.toml"],
            &["../empty.xlsx", "--map", "../map.toml"],
            &["../empty.ods", "--map", "../map.toml"],
            &["../cut.xlsx", "--map", "../map.toml"],
            &["../locked.xlsx", "--map", "../map.toml"],
            &["../folder.xlsx", "--map", "../map.toml"],
            &["../missing.xlsx", "--map", "../map.toml"],
        ],
        2,
    );
    insta::assert_snapshot!(said);
}

#[test]
fn a_csv_not_in_utf8_names_the_cell_and_the_way_out() {
    let env = with_csv_map();
    // Excel's plain "CSV" writes Windows-1252: é is one byte, 0xE9.
    let mut bytes = CSV_HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(b",RJ1,Caf\xe9 Trust,FT,Maternity,01/03/2019,Y,proposed\r\n");
    fs::write(env.outside().join("cp1252.csv"), bytes).unwrap();
    let said = refused_all(&env, &[&["../cp1252.csv", "--map", "../map.toml"]], 2);
    assert!(said.contains("row 2, column 3: the text is not UTF-8"), "{said}");
    assert!(said.contains("CSV UTF-8"), "{said}");
    assert!(!said.contains("not CSV"), "it is CSV, in another character set: {said}");
}

#[test]
fn map_and_sheet_mistakes_exit_2_naming_the_place() {
    let env = with_csv_map();
    let out = env.outside();
    fs::write(out.join("sheet.csv"), format!("{CSV_HEADER},RJ1,Guy's,FT,Maternity,01/03/2019,Y,proposed\n"))
        .unwrap();
    fs::write(out.join("unclosed.toml"), "header_row = 1\n\n[columns\n\"Id\" = \"id\"\n").unwrap();
    fs::write(out.join("year-only.toml"), CSV_MAP.replace("%d/%m/%Y", "%Y")).unwrap();
    fs::write(out.join("beyond.toml"), format!("header_row = 40\n{CSV_MAP}")).unwrap();
    fs::write(out.join("not-export.json"), "{\"rows\": []}").unwrap();
    let said = refused_all(
        &env,
        &[
            &["../sheet.csv", "--map", "../unclosed.toml"],
            &["../sheet.csv", "--map", "../year-only.toml"],
            &["../sheet.csv", "--map", "../beyond.toml"],
            &["../sheet.csv", "--map", "../map.toml", "--sheet", "Register"],
            &["../not-export.json"],
        ],
        2,
    );
    insta::assert_snapshot!(said);
}

#[test]
fn formula_errors_are_rejected_not_read_as_blank() {
    let env = with_csv_map();
    // A sheet saved as CSV writes a failed formula as its error text.
    let rows = ",RJ1,Guy's,FT,Maternity,#DIV/0!,Y,proposed\n,RV5,SLaM,FT,Crisis,01/03/2019,#N/A,proposed\n,#REF!,SLaM,FT,Beds,01/03/2019,Y,proposed\n";
    fs::write(env.outside().join("errors.csv"), format!("{CSV_HEADER}{rows}")).unwrap();
    let said = refused_all(&env, &[&["../errors.csv", "--map", "../map.toml"]], 1);
    assert!(
        said.contains("row 3, column 'Ground 1': '#N/A' is a formula that failed"),
        "not a silent no: {said}"
    );
    insta::assert_snapshot!(said);
}

#[test]
fn rows_that_contradict_themselves_are_rejected() {
    let env = with_csv_map();
    let rows = "RJ1/maternity,RV5,Guy's,FT,Maternity,01/03/2019,Y,proposed\n\
                ,RJ1,Guy's,FT,Beds,01/03/2019,Y,proposed\n\
                ,RJ1,Guy's,FT,Beds,01/03/2019,N,designated\n\
                ,RJ1,Guy's,FT,Beds,01/03/2019,Y,proposed\n";
    fs::write(env.outside().join("twice.csv"), format!("{CSV_HEADER}{rows}")).unwrap();
    let said = refused_all(&env, &[&["../twice.csv", "--map", "../map.toml"]], 1);
    insta::assert_snapshot!(said);
}

#[test]
fn the_report_is_checked_before_anything_is_imported() {
    let env = with_csv_map();
    let rows = ",RJ1,Guy's,FT,Maternity,01/03/2019,Y,proposed\n,RV5,SLaM,FT,Crisis,31/02/2019,Y,proposed\n";
    fs::write(env.outside().join("mixed.csv"), format!("{CSV_HEADER}{rows}")).unwrap();
    let said = refused_all(
        &env,
        &[
            &["../mixed.csv", "--map", "../map.toml", "--skip-invalid", "../no-such-folder/rejected.csv"],
            &["../mixed.csv", "--map", "../map.toml", "--skip-invalid", "crs.toml"],
            &["../mixed.csv", "--map", "../map.toml", "--skip-invalid", ".git/rejected.csv"],
            &["../mixed.csv", "--map", "../map.toml", "--skip-invalid", ".."],
        ],
        2,
    );
    insta::assert_snapshot!(said);
    let run =
        env.crs(&["import", "../mixed.csv", "--map", "../map.toml", "--skip-invalid", "../rejected.csv"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(fs::read_to_string(env.outside().join("rejected.csv")).unwrap().contains("31/02/2019"));
}

#[test]
fn events_recorded_since_an_import_survive_the_next() {
    let env = with_csv_map();
    let rows = ",RJ1,Guy's,FT,Maternity,01/03/2019,Y,proposed\n";
    fs::write(env.outside().join("sheet.csv"), format!("{CSV_HEADER}{rows}")).unwrap();
    let args = ["import", "../sheet.csv", "--map", "../map.toml"];
    assert_eq!(env.crs(&args).code, 0);
    let event = env.crs(&["event", "RJ1/maternity", "written-request-sent", "--on", "2019-04-01"]);
    assert_eq!(event.code, 0, "{event}");
    let count = env.commit_count();
    let again = env.crs(&args);
    assert_eq!(again.code, 0, "{again}");
    assert!(again.stdout.contains("  kept           1  RJ1/maternity\n"), "{again}");
    assert_eq!(env.commit_count(), count, "no commit");
    assert!(env.read("RJ1/maternity.toml").contains("written-request-sent"));

    // A newer sheet that says the request went: its day stands for that step.
    let rows = ",RJ1,Guy's,FT,Maternity,01/03/2019,Y,requested\n";
    fs::write(env.outside().join("sheet.csv"), format!("{CSV_HEADER}{rows}")).unwrap();
    let newer = env.crs(&args);
    assert_eq!(newer.code, 0, "{newer}");
    let record = env.read("RJ1/maternity.toml");
    assert_eq!(record.matches("written-request-sent").count(), 1, "{record}");
    assert!(
        record.contains("2019-04-01") && !record.contains("stands in"),
        "the recorded day is kept: {record}"
    );
}

#[test]
fn two_ids_for_one_service_in_one_sheet_are_a_duplicate() {
    let env = with_csv_map();
    let rows = "RJ1/maternity,RJ1,Guy's,FT,Maternity,01/03/2019,Y,proposed\n\
                RJ1/maternity-unit,RJ1,Guy's,FT,maternity,01/03/2019,Y,proposed\n";
    fs::write(env.outside().join("two.csv"), format!("{CSV_HEADER}{rows}")).unwrap();
    let before = env.commit_count();
    let run = env.crs(&["import", "../two.csv", "--map", "../map.toml"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains("RJ1/maternity is already a record of provider RJ1 for 'maternity'"),
        "the second row is a duplicate of the first: {run}"
    );
    assert_eq!(env.commit_count(), before, "nothing committed");
}
