//! crs's own export imported back into the register it came from: the truth. The
//! export says nothing the register does not say, so nothing changes and no commit
//! is made; one cell changed is the one change, and every part of a record the
//! export has no column for keeps the register's value; a record changed in crs
//! since the export is still a conflict, and `--keep-register` keeps crs's side.
//! For the workbook and the JSON, with and without `--history`.

use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use rust_xlsxwriter::{Format, Workbook};

use crate::harness::{Run, TestEnv};

/// A designation with what the default export has no column for: the team's
/// reference, notes, site names, a description, treatment functions, a licence
/// applied for, a contact of its own, co-commissioners, a long-term outcome, each
/// stage's rationale, evidence and assessor, a decision's maker and reference, and a
/// written request whose day was not recorded.
const STROKE: &str = r#"schema_version = 2
framework = "monitor-2013"
local_id = "CRS-07"
notes = "Kept in step with the team's sheet during the switch.\nSecond line of the comment."

[service]
name = "Hyper-acute stroke unit"
description = "Hyper-acute stroke unit, St Thomas' Hospital"
treatment_functions = ["328"]
sites = ["RJ122"]
site_names = ["St Thomas' Hospital, Westminster Bridge Road"]
location_specific = true

[provider]
ods = "RJ1"
name = "Guy's and St Thomas' NHS Foundation Trust"
kind = "foundation-trust"
licence = "applied"

[commissioner]
ods = "QKK"
name = "NHS South East London ICB"
contact = "stroke@selondon.icb.example"
co_commissioners = ["QMF"]

[outcome]
long_term = "Thrombolysis within an hour of arrival for every resident"

[stages.alternative_provision]
met = true
rationale = "No other unit within 30 minutes by ambulance"
evidence = ["Stroke network review 2021", "Ambulance times 2020"]
assessed_on = 2021-03-01
assessed_by = "A. Analyst"

[stages.health_inequalities]
met = false
rationale = "No group loses access more than another"
assessed_on = 2021-03-01

[stages.interdependencies]
met = true
rationale = "Interventional neuroradiology depends on it"
assessed_on = 2021-03-02

[stages.proportionality]
met = true
rationale = "The licence conditions are a small burden against the risk"
assessed_on = 2021-03-05

[[decisions]]
outcome = "designate"
grounds = ["no-alternative-provider", "dependent-services"]
decided_on = 2021-04-01
decided_by = "CCG Governing Body"
reference = "GB/21/012"

[review]
next_due = 2027-04-01

[[events]]
on = 2021-02-01
kind = "providers-notified"
note = "Letter to GSTT"

[[events]]
on = 2021-05-01
kind = "written-request-sent"
date_known = false
note = "The letter is lost; sent by the day it was answered"

[[events]]
on = 2021-05-01
kind = "provider-accepted"
note = "Accepted by the chief executive"
"#;

/// A designation confirmed on review and later removed, each decision with its own
/// maker and reference, and a contact left to crs.toml.
const VASCULAR: &str = r#"schema_version = 2
framework = "monitor-2013"
local_id = "CRS-11"

[service]
name = "Vascular surgery"
description = "Arterial centre, St Thomas' Hospital"
sites = ["RJ122"]

[provider]
ods = "RJ1"
name = "Guy's and St Thomas' NHS Foundation Trust"
kind = "foundation-trust"
licence = "licensed"

[commissioner]
ods = "QKK"
name = "NHS South East London ICB"

[stages.alternative_provision]
met = false
rationale = "The network's second arterial centre opened in 2025"
assessed_on = 2026-04-01

[stages.health_inequalities]
met = false
rationale = "Both centres are reached alike"
assessed_on = 2026-04-01

[stages.interdependencies]
met = false
rationale = "No service depends on it alone"
assessed_on = 2026-04-01

[stages.proportionality]
met = false
rationale = "Designation no longer needed"
assessed_on = 2026-04-02

[[decisions]]
outcome = "designate"
grounds = ["no-alternative-provider"]
decided_on = 2020-02-03
decided_by = "CCG Governing Body"
reference = "GB/20/004"

[[decisions]]
outcome = "confirm"
grounds = ["no-alternative-provider"]
decided_on = 2023-06-01
decided_by = "ICB Board"
reference = "BD/23/061"

[[decisions]]
outcome = "remove"
decided_on = 2026-05-04
decided_by = "ICB Board"
reference = "BD/26/041"

[[events]]
on = 2020-02-10
kind = "written-request-sent"

[[events]]
on = 2020-02-20
kind = "provider-accepted"

[[events]]
on = 2023-01-10
kind = "review-started"

[[events]]
on = 2023-06-01
kind = "review-completed"

[[events]]
on = 2026-05-11
kind = "provider-notified-of-removal"
note = "Letter to GSTT"
"#;

const STROKE_ID: &str = "RJ1/stroke-unit";
const STROKE_FILE: &str = "RJ1/stroke-unit.toml";

/// The sample register with the two records above, committed: a removal, a
/// confirmation, a pending request, an undated step, the team's references, notes
/// and site names, stage rationales.
fn register() -> TestEnv {
    let env = TestEnv::copy_of("designations");
    env.write(STROKE_FILE, STROKE).write("RJ1/vascular-surgery.toml", VASCULAR);
    env.git_init();
    env
}

/// The kinds of export `crs import` reads back: (file name, extra flags).
const EXPORTS: [(&str, &[&str]); 4] = [
    ("export.xlsx", &[]),
    ("export.json", &[]),
    ("history.xlsx", &["--history"]),
    ("history.json", &["--history"]),
];

/// `crs export FLAGS -o ../NAME`: the file's path.
fn export(env: &TestEnv, name: &str, flags: &[&str]) -> PathBuf {
    let path = env.outside().join(name);
    let run = env.crs(&[&["export", "-o", path.to_str().unwrap()], flags].concat());
    assert_eq!(run.code, 0, "{run}");
    path
}

fn import(env: &TestEnv, path: &Path, extra: &[&str]) -> Run {
    env.crs(&[&["import", path.to_str().unwrap()], extra].concat())
}

/// The record file as TOML, without `[source]` (which file and row an import read).
fn record(env: &TestEnv, file: &str) -> toml::Table {
    let mut table: toml::Table = env.read(file).parse().unwrap();
    table.remove("source");
    table
}

#[test]
fn the_export_imported_back_into_its_register_changes_nothing() {
    let env = register();
    for (name, flags) in EXPORTS {
        let path = export(&env, name, flags);
        let commits = env.commit_count();
        for extra in [&["--dry-run"][..], &[]] {
            let run = import(&env, &path, extra);
            assert_eq!(run.code, 0, "{name} {extra:?}: {run}");
            for line in
                ["  new            0", "  changed        0", "  unchanged     12", "  conflicts      0"]
            {
                assert!(run.stdout.contains(line), "{name} {extra:?}: {line}\n{run}");
            }
            assert!(!run.stdout.contains("removed"), "{name} {extra:?}: nothing is said removed\n{run}");
            assert!(
                run.stderr
                    .contains("the sheet says nothing the register does not say already; nothing to commit"),
                "{name} {extra:?}: {run}"
            );
        }
        assert_eq!(env.commit_count(), commits, "{name}: no commit");
        assert_eq!(env.git_cmd(&["status", "--porcelain"]), "", "{name}: no file touched");
    }
}

/// The export of a register with no commit it names (as of a working tree outside
/// git, or a commit the branch does not hold) still says nothing new: every part it
/// has no column for is the register's.
#[test]
fn an_export_without_its_commit_still_changes_nothing() {
    let env = register();
    for (name, flags) in EXPORTS.into_iter().filter(|(n, _)| n.ends_with(".json")) {
        let path = export(&env, name, flags);
        let mut value: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        value["about"]["commit"] = serde_json::Value::Null;
        fs::write(&path, value.to_string()).unwrap();
        let run = import(&env, &path, &[]);
        assert_eq!(run.code, 0, "{name}: {run}");
        assert!(
            run.stdout.contains("  changed        0") && run.stdout.contains("  conflicts      0"),
            "{run}"
        );
    }
}

/// The export as JSON with the stroke unit's review due on another day.
fn json_with_review(path: &Path, day: &str) {
    let mut value: serde_json::Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let rows = value["designations"].as_array_mut().unwrap();
    let row = rows.iter_mut().find(|r| r["record_id"] == STROKE_ID).unwrap();
    row["review_due"] = serde_json::Value::String(day.to_owned());
    fs::write(path, value.to_string()).unwrap();
}

/// The workbook written again, every sheet and cell as it was but the stroke unit's
/// review due, on the Designations sheet, on `day`.
fn workbook_with_review(path: &Path, day: (u16, u8, u8)) {
    let bytes = fs::read(path).unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let mut out = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let sheet = out.add_worksheet();
        sheet.set_name(&name).unwrap();
        let rows: Vec<&[Data]> = range.rows().collect();
        let column = |heading: &str| rows[0].iter().position(|c| *c == heading);
        let target = (name == "Designations").then(|| {
            let (id, due) = (column("Record id").unwrap(), column("Review due").unwrap());
            let row = rows.iter().position(|r| r[id] == STROKE_ID).unwrap();
            (row, due)
        });
        let (top, left) = range.start().unwrap_or((0, 0));
        for (r, cells) in rows.iter().enumerate() {
            for (c, cell) in cells.iter().enumerate() {
                let (row, col) = (top + r as u32, (left as usize + c) as u16);
                if target == Some((r, c)) {
                    let when = rust_xlsxwriter::ExcelDateTime::from_ymd(day.0, day.1, day.2).unwrap();
                    sheet.write_datetime_with_format(row, col, &when, &date).unwrap();
                    continue;
                }
                match cell {
                    Data::Empty => {}
                    Data::String(text) => {
                        sheet.write_string(row, col, text).unwrap();
                    }
                    Data::Float(n) => {
                        sheet.write_number(row, col, *n).unwrap();
                    }
                    Data::Int(n) => {
                        sheet.write_number(row, col, *n as f64).unwrap();
                    }
                    Data::Bool(b) => {
                        sheet.write_boolean(row, col, *b).unwrap();
                    }
                    Data::DateTime(d) => {
                        sheet.write_number_with_format(row, col, d.as_f64(), &date).unwrap();
                    }
                    other => panic!("{name}: a cell crs's export does not write: {other:?}"),
                }
            }
        }
    }
    fs::write(path, out.save_to_buffer().unwrap()).unwrap();
}

/// The export at `name` with the stroke unit's review due on 1 June 2028.
fn with_one_cell_changed(path: &Path) {
    if path.extension().is_some_and(|e| e == "json") {
        json_with_review(path, "2028-06-01");
    } else {
        workbook_with_review(path, (2028, 6, 1));
    }
}

#[test]
fn one_cell_changed_is_the_one_change_and_the_rest_of_the_record_stays() {
    for (name, flags) in EXPORTS {
        let env = register();
        let path = export(&env, name, flags);
        with_one_cell_changed(&path);
        let before = record(&env, STROKE_FILE);
        let commits = env.commit_count();

        let preview = import(&env, &path, &["--dry-run"]);
        assert_eq!(preview.code, 0, "{name}: {preview}");
        let run = import(&env, &path, &[]);
        assert_eq!(run.code, 0, "{name}: {run}");
        for (what, said) in [("the preview", &preview), ("the import", &run)] {
            assert!(said.stdout.contains("  changed        1  RJ1/stroke-unit\n"), "{name}, {what}: {said}");
            assert!(
                said.stdout
                    .contains("    RJ1/stroke-unit: Review due moved from 1 April 2027 to 1 June 2028\n"),
                "{name}, {what}: exactly the one change\n{said}"
            );
            assert!(
                said.stdout.contains("  unchanged     11") && said.stdout.contains("  conflicts      0"),
                "{said}"
            );
        }
        assert_eq!(env.commit_count(), commits + 1, "{name}: one commit");
        let changed = env.git_cmd(&["show", "--name-only", "--format=", "HEAD"]);
        assert_eq!(changed.trim(), STROKE_FILE, "{name}: only the record changed");

        let mut expected = before.clone();
        expected["review"]["next_due"] = toml::Value::Datetime("2028-06-01".parse().unwrap());
        assert_eq!(record(&env, STROKE_FILE), expected, "{name}: every other part is the register's");

        // The same file again: the register says it already.
        let again = import(&env, &path, &[]);
        assert_eq!(again.code, 0, "{name}: {again}");
        assert!(again.stdout.contains("  changed        0"), "{name}: {again}");
        assert_eq!(env.commit_count(), commits + 1, "{name}: no second commit");
    }
}

#[test]
fn a_record_changed_in_crs_since_the_export_is_a_conflict_and_keep_register_keeps_it() {
    for (name, flags) in EXPORTS {
        let env = register();
        let path = export(&env, name, flags);
        with_one_cell_changed(&path);
        let run = env.crs(&[
            "event",
            STROKE_ID,
            "public-engagement",
            "--on",
            "2026-11-20",
            "--note",
            "Stroke survivors' group",
        ]);
        assert_eq!(run.code, 0, "{run}");
        let ours = env.read(STROKE_FILE);
        let commits = env.commit_count();

        for extra in [&["--dry-run"][..], &[]] {
            let run = import(&env, &path, extra);
            assert_eq!(run.code, 1, "{name} {extra:?}: {run}");
            assert!(run.stdout.contains("  conflicts      1  RJ1/stroke-unit"), "{name} {extra:?}: {run}");
            assert!(
                run.stdout.contains("      in crs since the export of 23 November 2026:\n"),
                "{name}: {run}"
            );
            assert!(
                run.stdout.contains("        Review due moved from 1 April 2027 to 1 June 2028"),
                "{run}"
            );
            assert_eq!(env.commit_count(), commits, "{name} {extra:?}: nothing written");
            assert_eq!(env.read(STROKE_FILE), ours);
        }

        let kept = import(&env, &path, &["--keep-register"]);
        assert_eq!(kept.code, 0, "{name}: {kept}");
        assert_eq!(env.read(STROKE_FILE), ours, "{name}: crs's side is kept");
        assert_eq!(env.commit_count(), commits + 1, "{name}: a commit that records what was kept");
        let again = import(&env, &path, &[]);
        assert_eq!(again.code, 0, "{name}: the same file is no conflict again\n{again}");
        assert!(
            again.stderr.contains(
                "nothing to commit: the sheet says nothing new, and the register's version of 1 record(s) it differs from stands"
            ),
            "{name}: {again}"
        );
        assert_eq!(env.read(STROKE_FILE), ours);
    }
}

/// A record the sheet does not change is no conflict, though crs changed it since
/// the export: the register's version stands, said as kept.
#[test]
fn a_record_changed_only_in_crs_since_the_export_stands() {
    let env = register();
    let path = export(&env, "export.xlsx", &[]);
    let run = env.crs(&["event", STROKE_ID, "public-engagement", "--on", "2026-11-20"]);
    assert_eq!(run.code, 0, "{run}");
    let ours = env.read(STROKE_FILE);
    let run = import(&env, &path, &[]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("  conflicts      0") && run.stdout.contains("  changed        0"), "{run}");
    assert_eq!(env.read(STROKE_FILE), ours);
}

/// A contact cell left empty, or holding the register's own contact, leaves the
/// contact to crs.toml: no change for a record that names the register's own, a
/// change told for one that named another.
#[test]
fn a_contact_left_to_the_register_is_no_change_where_the_record_names_the_registers_own() {
    let env = register();
    let path = export(&env, "export.json", &[]);
    let mut value: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    for row in value["designations"].as_array_mut().unwrap() {
        row["contact"] = serde_json::Value::Null;
    }
    fs::write(&path, value.to_string()).unwrap();
    let run = import(&env, &path, &["--dry-run"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("  changed        1  RJ1/stroke-unit\n"), "{run}");
    assert!(
        run.stdout.contains("    RJ1/stroke-unit: Contact removed (was stroke@selondon.icb.example)\n"),
        "{run}"
    );
}

/// Two copies of one export, each edited by a colleague: the second imported never
/// undoes what the first recorded, and an older copy never undoes what was done
/// since its export. A record the second copy leaves as exported is no change; one
/// both copies change is a conflict.
#[test]
fn a_second_copy_of_one_export_never_undoes_the_first() {
    let env = register();
    let ann = export(&env, "ann.json", &[]);
    let bob = env.outside().join("bob.json");
    fs::copy(&ann, &bob).unwrap();
    json_with_review(&ann, "2029-06-30");
    let run = import(&env, &ann, &[]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("  changed        1  RJ1/stroke-unit\n"), "{run}");
    let after_ann = env.read(STROKE_FILE);
    let commits = env.commit_count();

    // Bob's copy, untouched: the export as it was, so nothing to change.
    let run = import(&env, &bob, &[]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("  changed        0") && run.stdout.contains("  conflicts      0"), "{run}");
    assert_eq!(env.read(STROKE_FILE), after_ann, "Ann's review date stands");
    assert_eq!(env.commit_count(), commits, "nothing to commit");

    // Bob changes the same cell: both changed it since the export, a conflict.
    json_with_review(&bob, "2028-01-15");
    let run = import(&env, &bob, &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("  conflicts      1  RJ1/stroke-unit"), "{run}");
    assert_eq!(env.read(STROKE_FILE), after_ann, "Ann's review date stands");
    assert_eq!(env.commit_count(), commits, "nothing written");
}

/// A record changed by an import of crs's own export keeps what a person wrote in
/// it: its comments, and the layout of every part the sheet leaves as it was; only
/// the changed line is new (the export is no source the record came from).
#[test]
fn an_import_changes_the_lines_it_changes_and_keeps_the_comments() {
    let env = TestEnv::copy_of("designations");
    let file = "RV5/eating-disorders-inpatient.toml";
    let sheet = "\n[source]\nimported_from = \"Team register 2024.xlsx\"\nsheet = \"CRS\"\nrow = 9\n";
    env.write(file, &(env.read(file) + sheet));
    env.git_init();
    let before = env.read(file);
    assert!(before.contains("# The designation of 2019"), "the sample record has a comment");
    let path = export(&env, "export.json", &[]);
    let mut value: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let rows = value["designations"].as_array_mut().unwrap();
    let row = rows.iter_mut().find(|r| r["record_id"] == "RV5/eating-disorders-inpatient").unwrap();
    row["removal_reference"] = serde_json::Value::String("Board minute BD/26/015".to_owned());
    fs::write(&path, value.to_string()).unwrap();

    let run = import(&env, &path, &[]);
    assert_eq!(run.code, 0, "{run}");
    let diff = env.git_cmd(&["diff", "--unified=0", "HEAD~1", "HEAD", "--", file]);
    let removed: Vec<&str> = diff.lines().filter(|l| l.starts_with('-') && !l.starts_with("---")).collect();
    let added: Vec<&str> = diff.lines().filter(|l| l.starts_with('+') && !l.starts_with("+++")).collect();
    assert_eq!(removed, ["-reference = \"Board minute BD/26/014\""], "{diff}");
    assert_eq!(added, ["+reference = \"Board minute BD/26/015\""], "nothing else is new: {diff}");
    let after = env.read(file);
    for line in before.lines().filter(|l| l.starts_with('#')) {
        assert!(after.contains(line), "the comment {line:?} is kept:\n{after}");
    }
    assert!(after.contains(sheet), "the sheet the record came from stays its source:\n{after}");
}

/// The ground columns are those of the latest decision that keeps a designation:
/// crs's own export, imported back unchanged, never lays a confirmation's grounds on
/// the designation it kept (designated on one ground in 2022, confirmed on two).
#[test]
fn a_confirmation_s_grounds_never_become_the_designation_s() {
    let env = TestEnv::copy_of("designations");
    let file = "RJZ/major-trauma-centre.toml";
    let text = env.read(file);
    let designated =
        "outcome = \"designate\"\ngrounds = [\"no-alternative-provider\", \"dependent-services\"]";
    assert!(text.contains(designated), "{text}");
    env.write(
        file,
        text.replace(designated, "outcome = \"designate\"\ngrounds = [\"no-alternative-provider\"]"),
    );
    env.git_init();
    let check = env.crs(&["check", "--format", "json"]).json();
    assert_eq!(check["summary"]["errors"], 0, "{check}");
    for (name, flags) in EXPORTS {
        let path = export(&env, name, flags);
        let run = import(&env, &path, &[]);
        assert_eq!(run.code, 0, "{name}: {run}");
        assert!(run.stdout.contains("  changed        0"), "{name}: nothing changes: {run}");
        assert_eq!(env.git_cmd(&["status", "--porcelain"]), "", "{name}: no file touched");
    }
    let designation =
        &env.crs(&["show", "RJZ/major-trauma-centre", "--format", "json"]).json()["decisions"][0];
    assert_eq!(designation["grounds"], serde_json::json!(["no-alternative-provider"]), "{designation}");
}
