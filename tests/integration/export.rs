//! `crs export`: the workbook read back cell for cell, the same data as CSV, JSON and
//! YAML, the scope, the column list from crs.toml, changes since a submission or a
//! revision, formula-like text, reproducible output, and refusals.

use std::fs;
use std::process::Command;

use crate::harness::{TestEnv, designated_record};
use crate::sheets::{formulas, grid, sheet};

#[test]
fn workbook_of_the_sample_register_reads_back_cell_for_cell() {
    let env = TestEnv::copy_of("designations");
    let out = env.outside().join("crs-2026-11.xlsx");
    let run = env.crs(&["export", "--history", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    insta::assert_snapshot!("sample_register_export_run", run.to_string());
    insta::assert_snapshot!(grid(&fs::read(&out).unwrap()));
}

#[test]
fn the_same_register_gives_byte_identical_workbooks() {
    let env = TestEnv::copy_of("designations");
    let (a, b) = (env.outside().join("a.xlsx"), env.outside().join("b.xlsx"));
    assert_eq!(env.crs(&["export", "-o", a.to_str().unwrap()]).code, 0);
    assert_eq!(env.crs(&["export", "-o", b.to_str().unwrap()]).code, 0);
    let (a, b) = (fs::read(a).unwrap(), fs::read(b).unwrap());
    assert!(a.starts_with(b"PK\x03\x04"));
    assert!(a == b, "two exports of the same register differ");
}

#[test]
fn formula_like_text_is_never_a_formula() {
    let env = TestEnv::new();
    let record = designated_record()
        .replace("Maternity: designated example", r#"=HYPERLINK(\"http://x\",\"y\")"#)
        .replace("name = \"Guy's and St Thomas' NHS Foundation Trust\"", "name = \"+Trust\"");
    env.write("RJ1/designated.toml", record);
    let out = env.outside().join("out.xlsx");
    let run = env.crs(&["export", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    let bytes = fs::read(&out).unwrap();
    assert_eq!(formulas(&bytes), Vec::<String>::new(), "the workbook holds formulas");
    let rows = sheet(&bytes, "Designations");
    let header = &rows[0];
    let at = |heading: &str| header.iter().position(|h| h == heading).unwrap();
    // Row 2 heads the section.
    assert_eq!(rows[2][at("Service name")], r#"=HYPERLINK("http://x","y")"#);
    assert_eq!(rows[2][at("Provider name")], "+Trust");

    // CSV for a spreadsheet quotes them; plain CSV, for programs, holds the JSON's values.
    let csv_fields = |args: &[&str]| {
        let mut all = vec!["export", "--format", "csv"];
        all.extend_from_slice(args);
        let csv = env.crs(&all);
        assert_eq!(csv.code, 0, "{csv}");
        let text = csv.stdout.trim_start_matches('\u{feff}');
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headings: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let row = reader.records().next().unwrap().unwrap();
        ["Service name", "Provider name"]
            .map(|heading| row[headings.iter().position(|h| h == heading).unwrap()].to_owned())
    };
    assert_eq!(csv_fields(&["--excel"]), [r#"'=HYPERLINK("http://x","y")"#, "'+Trust"]);
    let json = env.crs(&["export", "--format", "json"]).json();
    let row = &json["designations"][0];
    let from_json = [&row["service_name"], &row["provider_name"]]
        .map(|v| v.as_str().unwrap_or_else(|| panic!("{json}")).to_owned());
    assert_eq!(from_json, [r#"=HYPERLINK("http://x","y")"#, "+Trust"]);
    assert_eq!(csv_fields(&[]), from_json);
}

#[test]
fn csv_is_rfc_4180_with_the_workbook_headings() {
    let env = TestEnv::copy_of("designations");
    let run = env.crs(&["export", "--format", "csv", "--status", "designated"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("\r\n") && !run.stdout.replace("\r\n", "").contains('\n'), "CRLF line ends");
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn json_and_yaml_carry_the_about_the_rows_and_the_changes() {
    let env = TestEnv::copy_of("designations");
    let json = env.crs(&["export", "--format", "json", "--status", "referred,removed"]);
    assert_eq!(json.code, 0, "{json}");
    let value = json.json();
    assert_eq!(value["designations"][0]["record_id"], "RV5/crisis-home-treatment");
    assert_eq!(value["designations"][0]["designation_date"], "2026-03-03");
    assert_eq!(value["designations"][0]["ground_no_alternative_provider"], true);
    assert_eq!(value["changes"][0]["change"], "added");
    insta::assert_snapshot!(json.to_string());
    let yaml = env.crs(&["export", "--format", "yaml", "--status", "referred"]);
    assert_eq!(yaml.code, 0, "{yaml}");
    insta::assert_snapshot!(yaml.to_string());
}

#[test]
fn the_format_follows_the_file_extension() {
    let env = TestEnv::copy_of("designations");
    for (name, starts) in [("out.csv", "Section,"), ("out.json", "{"), ("out.yml", "about:")] {
        let out = env.outside().join(name);
        assert_eq!(env.crs(&["export", "-o", out.to_str().unwrap()]).code, 0);
        assert!(fs::read_to_string(&out).unwrap().starts_with(starts), "{name}");
    }
    let run = env.crs(&["export", "-o", env.outside().join("out.txt").to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--format"), "{run}");
}

#[test]
fn the_default_scope_and_status_override() {
    let env = TestEnv::copy_of("examples/records/valid");
    let ids = |args: &[&str]| -> Vec<String> {
        let run = env.crs(&[&["export", "--format", "json"], args].concat());
        assert_eq!(run.code, 0, "{run}");
        run.json()["designations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["record_id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids(&[]),
        ["RJ1/designated", "RJ1/under-review", "RJ1/referred", "RJ1/refused", "RJ1/requested", "RJ1/removed"],
        "in force, then pending, then removed"
    );
    assert_eq!(ids(&["--status", "draft", "--status", "proposed"]), ["RJ1/draft", "RJ1/proposed"]);
    assert_eq!(ids(&["--status", "not-designated,removed"]), ["RJ1/removed", "RJ1/not-designated"]);
}

#[test]
fn columns_from_crs_toml_set_which_and_in_what_order() {
    let env = TestEnv::copy_of("designations");
    let settings = env.read("crs.toml")
        + "columns = [\"record-id\", \"status\", \"ground:dependent-services\", \"provider-response-date\", \"decided-by\"]\n";
    env.write("crs.toml", settings);
    let run = env.crs(&["export", "--format", "csv", "--status", "designated,refused"]);
    assert_eq!(run.code, 0, "{run}");
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn unknown_columns_in_crs_toml_are_named_with_the_known_ones() {
    let env = TestEnv::copy_of("designations");
    env.write(
        "crs.toml",
        env.read("crs.toml") + "columns = [\"record-id\", \"provider\", \"ground:nope\"]\n",
    );
    let run = env.crs(&["export", "--format", "csv"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn a_missing_folder_is_refused_with_a_hint() {
    let env = TestEnv::copy_of("designations");
    let run = env.crs(&["export", "-o", "no-such-folder/out.xlsx"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.to_string());
    let run = env.crs(&["export"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("give -o FILE"), "{run}");
}

/// A register in git with a submission tagged, then changed: one record accepted
/// (changed), one added, one deleted, one refused reasonably (out of scope), one
/// removed (stays in scope, changed), one draft (never in scope).
/// Names the commit column, which the default list leaves to the About sheet.
fn with_the_commit_column(env: &TestEnv) -> &TestEnv {
    let columns = "columns = [\"record-id\", \"status\", \"commit\"]\n";
    let settings = env.read("crs.toml");
    let settings = match settings.contains("[submission]\n") {
        true => settings.replace("[submission]\n", &format!("[submission]\n{columns}")),
        false => format!("{settings}\n[submission]\n{columns}"),
    };
    env.write("crs.toml", settings)
}

fn register_with_a_past_submission() -> TestEnv {
    let env = TestEnv::new();
    let valid = crate::harness::repo_dir().join("examples/records/valid/RJ1");
    for name in ["requested", "referred", "designated", "draft", "under-review"] {
        env.write(
            &format!("RJ1/{name}.toml"),
            fs::read_to_string(valid.join(format!("{name}.toml"))).unwrap(),
        );
    }
    env.git_init();
    env.git_cmd(&["tag", "-a", "crs/submission/2026-05-01", "-m", "submission"]);
    env.write(
        "RJ1/requested.toml",
        env.read("RJ1/requested.toml") + "\n[[events]]\non = 2026-11-20\nkind = \"provider-accepted\"\n",
    );
    env.write(
        "RJ1/referred.toml",
        env.read("RJ1/referred.toml")
            + "\n[[events]]\non = 2026-11-20\nkind = \"refusal-found-reasonable\"\n",
    );
    env.remove("RJ1/designated.toml");
    env.write("RJ1/refused.toml", fs::read_to_string(valid.join("refused.toml")).unwrap());
    env.write(
        "RJ1/under-review.toml",
        env.read("RJ1/under-review.toml") + "\n[[events]]\non = 2026-11-21\nkind = \"submitted\"\n",
    );
    env.commit_all("changes after the submission");
    env
}

#[test]
fn changes_since_the_last_submission_in_every_format() {
    let env = register_with_a_past_submission();
    let csv = env.crs(&["export", "--changes-since", "last-submission", "--format", "csv"]);
    assert_eq!(csv.code, 0, "{csv}");
    insta::assert_snapshot!(csv.to_string());

    let out = env.outside().join("changes.xlsx");
    let run = env.crs(&["export", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    let bytes = fs::read(&out).unwrap();
    let changes = sheet(&bytes, "Changes");
    let lines: Vec<String> = changes.iter().map(|r| r[..7].join(" | ")).collect();
    insta::assert_snapshot!(lines.join("\n"));
    let about = sheet(&bytes, "About");
    assert!(
        about
            .iter()
            .any(|r| r[0] == "Changes since" && r[1].starts_with("crs/submission/2026-05-01 (commit ")),
        "{about:?}"
    );
}

#[test]
fn changes_since_a_revision_and_as_of_a_revision() {
    let env = register_with_a_past_submission();
    with_the_commit_column(&env);
    let since = env.crs(&["export", "--changes-since", "HEAD~1", "--format", "json"]).json();
    let kinds = changes_of(&since);
    assert_eq!(
        kinds,
        [
            // Accepted since: it enters the section in force.
            ("added".to_owned(), "RJ1/requested".to_owned()),
            ("removed".to_owned(), "RJ1/designated".to_owned()),
            ("added".to_owned(), "RJ1/refused".to_owned()),
            ("removed".to_owned(), "RJ1/referred".to_owned()),
        ]
    );
    assert_eq!(
        since["designations"][0]["changed_fields"],
        serde_json::json!(["status", "events[3].kind", "events[3].on"])
    );
    // A deleted record's row comes from the baseline, with the baseline's commit.
    let base = env.git_cmd(&["rev-parse", "HEAD~1"]);
    assert_eq!(since["designations"][1]["commit"], base.trim());

    let then = env.crs(&["export", "--as-of", "HEAD~1", "--format", "json"]).json();
    let ids: Vec<&str> =
        then["designations"].as_array().unwrap().iter().map(|r| r["record_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["RJ1/designated", "RJ1/under-review", "RJ1/referred", "RJ1/requested"]);
    assert_eq!(then["about"]["source"], format!("as of revision HEAD~1 (commit {})", &base.trim()[..12]));
}

#[test]
fn rows_changed_since_the_last_commit_say_so() {
    let env = register_with_a_past_submission();
    with_the_commit_column(&env).commit_all("the commit column");
    env.write("RJ1/requested.toml", env.read("RJ1/requested.toml").replace("[review]", "# edited\n[review]"));
    let json = env.crs(&["export", "--format", "json"]).json();
    let commit_of = |id: &str| {
        json["designations"].as_array().unwrap().iter().find(|r| r["record_id"] == id).unwrap()["commit"]
            .clone()
    };
    assert_eq!(commit_of("RJ1/requested"), "uncommitted changes");
    assert_eq!(commit_of("RJ1/refused"), env.git_cmd(&["rev-parse", "HEAD"]).trim());
    assert_eq!(json["about"]["uncommitted_files"], 1);
}

#[test]
fn without_a_submission_everything_in_scope_is_added_and_a_removal_removed() {
    let env = TestEnv::copy_of("designations");
    let run = env.crs(&["export", "--changes-since", "last-submission", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    let json = run.json();
    assert_eq!(json["about"]["changes"]["added"], 9);
    assert_eq!(json["about"]["changes"]["removed"], 1);
    for row in json["designations"].as_array().unwrap() {
        let expected = if row["status"] == "removed" { "removed" } else { "added" };
        assert_eq!(row["change"], expected, "{row}");
    }
}

#[test]
fn an_unwritable_temp_folder_is_an_error_not_a_panic() {
    let env = TestEnv::copy_of("designations");
    let out = env.outside().join("out.xlsx");
    let output = env
        .command(&["export", "-o", out.to_str().unwrap()])
        .env("TMPDIR", env.outside().join("no-such-temp"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot create a temporary file") && stderr.contains("TMPDIR"), "{stderr}");
    assert!(!out.exists());
}

/// Only the files git says differ are read from the baseline; the rest are taken to
/// be the same. A record file git ignores is in no commit, so it is new since the
/// submission; a record changed only in layout has not changed.
#[test]
fn what_git_does_not_track_is_added_and_a_layout_change_is_no_change() {
    let env = register_with_a_past_submission();
    let valid = crate::harness::repo_dir().join("examples/records/valid/RJ1");
    env.write(".gitignore", "RJ1/ignored.toml\n");
    env.write("RJ1/ignored.toml", fs::read_to_string(valid.join("designated.toml")).unwrap());
    env.write("RJ1/under-review.toml", format!("# a comment only\n{}", env.read("RJ1/under-review.toml")));
    env.commit_all("an ignored record, and a comment");
    assert_eq!(env.git_cmd(&["ls-files", "RJ1/ignored.toml"]), "", "the record is ignored");

    let json = env.crs(&["export", "--changes-since", "last-submission", "--format", "json"]).json();
    let kinds = changes_of(&json);
    assert!(kinds.contains(&("added".to_owned(), "RJ1/ignored".to_owned())), "{kinds:?}");
    assert!(!kinds.iter().any(|(_, id)| id == "RJ1/under-review"), "{kinds:?}");
}

/// Files git is told not to look at (assume-unchanged, skip-worktree) may have been
/// edited unseen: their changes are still found, they count as uncommitted, and a
/// submission is refused until they are committed.
#[test]
fn edits_git_is_told_not_to_see_are_still_changes() {
    for flag in ["--assume-unchanged", "--skip-worktree"] {
        let env = TestEnv::copy_of("designations");
        with_the_commit_column(&env).git_init();
        env.git_cmd(&["tag", "-a", "crs/submission/2026-05-01", "-m", "submission"]);
        // An edit that keeps the file's size and time as git's index recorded them
        // (well before the index was written), so that only the content tells.
        let path = "RJ1/maternity.toml";
        let touch = || {
            let status = Command::new("touch").arg("-d").arg("@1577836800").arg(env.root.join(path)).status();
            assert!(status.unwrap().success());
        };
        touch();
        env.git_cmd(&["update-index", "--refresh"]);
        env.git_cmd(&["update-index", flag, path]);
        env.write(path, env.read(path).replacen("obstetric unit", "OBSTETRIC UNIT", 1));
        touch();
        assert_eq!(env.git_cmd(&["status", "--porcelain"]), "", "{flag}: git sees nothing");
        let json = env.crs(&["export", "--changes-since", "last-submission", "--format", "json"]).json();
        let row = json["designations"].as_array().unwrap().iter().find(|r| r["record_id"] == "RJ1/maternity");
        let row = row.unwrap_or_else(|| panic!("{flag}: no change found: {json}"));
        assert_eq!(row["change"], "changed", "{flag}");
        assert_eq!(row["changed_fields"], serde_json::json!(["service.name"]), "{flag}");
        assert_eq!(row["commit"], "uncommitted changes", "{flag}");

        let submit = env.crs(&["submit"]);
        assert_eq!(submit.code, 2, "{flag}: {submit}");
        assert!(submit.stderr.contains("uncommitted changes (RJ1/maternity.toml)"), "{flag}: {submit}");
        assert!(!env.root.join("crs-submission-2026-11-23").exists(), "{flag}: no bundle is written");
    }
}

/// Each row of a `--changes-since` JSON export as (change, record id).
fn changes_of(export: &serde_json::Value) -> Vec<(String, String)> {
    let rows = export["designations"].as_array().unwrap();
    rows.iter()
        .map(|r| (r["change"].as_str().unwrap().to_owned(), r["record_id"].as_str().unwrap().to_owned()))
        .collect()
}

/// The workbook read back as a reader meets it: labels in the cells with the codes
/// in their own column, each stage met or not with its rationale, a Notes sheet
/// defining every column, status and ground, the commit on the About sheet only;
/// and, in the sheets' XML as Python's zipfile reads it, set up to print landscape,
/// one page wide or at a legible scale, with the header row repeated and the sheet's name in the header.
#[test]
fn the_workbook_reads_in_words_and_prints_one_page_wide() {
    let env = TestEnv::copy_of("designations");
    env.git_init();
    let out = env.outside().join("crs.xlsx");
    assert_eq!(env.crs(&["export", "-o", out.to_str().unwrap()]).code, 0);
    let bytes = fs::read(&out).unwrap();

    let designations = sheet(&bytes, "Designations");
    let headings = &designations[0];
    let column =
        |heading: &str| headings.iter().position(|h| h == heading).unwrap_or_else(|| panic!("{heading}"));
    let row = designations.iter().find(|r| r[column("Record id")] == "RJ1/emergency-department").unwrap();
    assert_eq!(row[column("Provider type")], "NHS foundation trust");
    assert_eq!(row[column("Status")], "Under review");
    assert!(headings.iter().all(|h| h != "Section"), "the section is a heading row, not a column");
    assert!(designations[1][0].starts_with("In force: "), "{:?}", designations[1]);
    let assessments = sheet(&bytes, "Assessments");
    let stage = |name: &str| {
        assessments
            .iter()
            .find(|r| r[0] == "RJ1/emergency-department" && r[1] == name)
            .unwrap_or_else(|| panic!("{name}: {assessments:?}"))
    };
    assert_eq!(stage("Stage 1: Alternative provision")[2], "Yes");
    assert!(!stage("Stage 4: Proportionality")[3].is_empty());
    assert!(!headings.iter().any(|h| h == "Register commit"), "the commit is on the About sheet only");

    let notes = sheet(&bytes, "Notes");
    let terms: Vec<&str> = notes.iter().map(|n| n[1].as_str()).collect();
    for heading in headings {
        assert!(terms.contains(&heading.as_str()), "the Notes sheet does not define {heading}");
    }
    for term in ["Under review", "Ground: health inequalities", "Stage 4: Proportionality", "Source"] {
        assert!(terms.contains(&term), "the Notes sheet does not define {term}");
    }
    let about = sheet(&bytes, "About");
    let head = env.git_cmd(&["rev-parse", "HEAD"]);
    assert!(about.iter().any(|r| r[0] == "Commit" && r[1] == head.trim()), "{about:?}");

    let script = r#"
import re, sys, zipfile
book = zipfile.ZipFile(sys.argv[1])
workbook = book.read("xl/workbook.xml").decode()
for n in range(1, 5):
    xml = book.read(f"xl/worksheets/sheet{n}.xml").decode()
    setup = re.search(r"<pageSetup [^>]*>", xml).group(0)
    assert 'orientation="landscape"' in setup, setup
    # One page wide where that keeps the text 8 pt or larger; else at that scale.
    fits = 'fitToHeight="0"' in setup and 'fitToPage="1"' in xml
    scale = re.search(r'scale="(\d+)"', setup)
    assert fits or int(scale.group(1) if scale else 100) >= 72, (n, setup)
    assert "&amp;A" in re.search(r"<oddHeader>(.*?)</oddHeader>", xml).group(1), n
    assert "&amp;P" in re.search(r"<oddFooter>(.*?)</oddFooter>", xml).group(1), n
    assert re.search(r'<definedName name="_xlnm.Print_Titles" localSheetId="%d">[^<]*\$1:\$1<' % (n - 1), workbook), n
    assert 'wrapText="1"' in book.read("xl/styles.xml").decode()
# The designations print on pages across, each beginning with the record id, the
# provider's and the service's names.
titles = re.search(r'<definedName name="_xlnm.Print_Titles" localSheetId="0">([^<]*)<', workbook).group(1)
assert "$A:$C" in titles, titles
print("ok")
"#;
    let output = std::process::Command::new("python3").args(["-c", script]).arg(&out).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// A section's heading on A3 pages across: each page repeats the record id, the
/// provider and the service, and the heading is merged over those columns and
/// wrapped within them, its row tall enough for its lines, so the page that begins
/// with the later columns does not cut it off where they begin.
#[test]
fn a_section_heading_prints_whole_on_every_page_across() {
    let env = TestEnv::copy_of("designations");
    let out = env.outside().join("crs.xlsx");
    assert_eq!(env.crs(&["export", "-o", out.to_str().unwrap()]).code, 0);
    let designations = sheet(&fs::read(&out).unwrap(), "Designations");
    let headings: Vec<String> = designations
        .iter()
        .enumerate()
        .filter(|(_, r)| r[0].contains(": ") && r[1..].iter().all(String::is_empty))
        .map(|(at, r)| format!("{}={}", at + 1, r[0]))
        .collect();
    assert_eq!(headings.len(), 3, "{headings:?}");
    let script = r#"
import re, sys, zipfile
book = zipfile.ZipFile(sys.argv[1])
workbook = book.read("xl/workbook.xml").decode()
titles = re.search(r'<definedName name="_xlnm.Print_Titles" localSheetId="0">([^<]*)<', workbook).group(1)
assert "Designations!$A:$C" in titles, titles
xml = book.read("xl/worksheets/sheet1.xml").decode()
merged = re.findall(r'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"/>', xml)
styles = book.read("xl/styles.xml").decode()
xfs = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1), re.S)
for heading in sys.argv[2:]:
    row, text = heading.split("=", 1)
    assert f"A{row}:C{row}" in merged, (heading, merged)
    cell = re.search(r'<c r="A%s" s="(\d+)"' % row, xml)
    assert cell and 'wrapText="1"' in xfs[int(cell.group(1))], (heading, cell and xfs[int(cell.group(1))])
    height = float(re.search(r'<row r="%s" ht="([\d.]+)"' % row, xml).group(1))
    # 12 pt bold, some 25 characters a line across the three columns.
    lines = -(-len(text) // 25)
    assert height >= lines * 15, (heading, height)
assert len(merged) == len(sys.argv[2:]), merged
print("ok")
"#;
    let output = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&out)
        .args(&headings)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn an_export_never_replaces_the_registers_own_files() {
    let env = TestEnv::copy_of("designations");
    let config = env.read("crs.toml");
    for target in ["crs.toml", "RJ1/maternity.toml", "RJ1/new.toml", ".crs/designations.csv"] {
        let run = env.crs(&["export", "--format", "csv", "-o", target]);
        assert_eq!(run.code, 2, "{target}: {run}");
        assert!(run.stderr.contains(".toml file") || run.stderr.contains("keep for themselves"), "{run}");
    }
    assert_eq!(env.read("crs.toml"), config, "crs.toml is as it was");
    assert!(!env.root.join("RJ1/new.toml").exists() && !env.root.join(".crs/designations.csv").exists());
}

/// The regulator reads apart what is in force, what is pending (not yet CRS) and
/// what was removed, and a removal by its own day, not the designation's: on the
/// Designations and Changes sheets and in the JSON export alike.
#[test]
fn the_workbook_gives_three_sections_and_the_day_of_each_removal() {
    let env = TestEnv::copy_of("designations");
    let out = env.outside().join("crs.xlsx");
    assert_eq!(env.crs(&["export", "-o", out.to_str().unwrap()]).code, 0);
    let bytes = fs::read(&out).unwrap();

    let designations = sheet(&bytes, "Designations");
    let at = |heading: &str| {
        designations[0].iter().position(|h| h == heading).unwrap_or_else(|| panic!("{heading}"))
    };
    // Each section under a heading row, after a blank row: the section is the
    // heading's first words.
    let mut section = "";
    let mut headings = Vec::new();
    let mut sections: Vec<(&str, &str)> = Vec::new();
    for (n, r) in designations.iter().enumerate().skip(1) {
        if r.iter().all(String::is_empty) {
            assert!(designations[n + 1][0].contains(": "), "a blank row only before a heading: {r:?}");
        } else if r[1..].iter().all(String::is_empty) {
            section = r[0].split(':').next().unwrap();
            headings.push(r[0].as_str());
        } else {
            sections.push((section, r[at("Status")].as_str()));
        }
    }
    assert_eq!(
        headings,
        [
            "In force: designated, or under review with the designation in place",
            "Pending: requested, refused or referred, not yet CRS",
            "Removed: designations removed, with the day of the removal decision",
        ]
    );
    let mut expected = vec![("In force", "Designated"); 6];
    expected[2].1 = "Under review";
    expected.extend([
        ("Pending", "Requested"),
        ("Pending", "Referred"),
        ("Pending", "Refused"),
        ("Removed", "Removed"),
    ]);
    assert_eq!(sections, expected, "in force, then pending, then removed");

    let removed =
        designations.iter().find(|r| r[at("Record id")] == "RV5/eating-disorders-inpatient").unwrap();
    assert_eq!(removed[at("Date of decision to designate")], "date:2019-03-05");
    // Who designated it and on what minute, and the commissioner that did, merged
    // into the one responsible now.
    assert_eq!(removed[at("Decided by")], "NHS Lambeth CCG Governing Body");
    assert_eq!(removed[at("Decision reference")], "Governing Body minute GB/19/031");
    assert_eq!(removed[at("Deciding commissioner")], "NHS Lambeth CCG (08K), now NHS South East London ICB");
    assert_eq!(removed[at("Date removed")], "date:2026-02-03", "the removal's own day");
    assert_eq!(removed[at("Removed by")], "ICB Board");
    assert_eq!(removed[at("Removal reference")], "Board minute BD/26/014");
    assert_eq!(removed[at("Provider told of removal")], "date:2026-02-10", "the day the provider was told");
    assert_eq!(removed[at("Review due")], "", "a removed designation has no review due");
    let in_force = designations.iter().find(|r| r[at("Record id")] == "RJ1/maternity").unwrap();
    assert_eq!(in_force[at("Date removed")], "", "nothing removed, no day of removal");
    assert_eq!(in_force[at("Co-commissioner ODS codes")], "QWE");
    assert_eq!(in_force[at("Deciding commissioner")], "", "made by the commissioner responsible now");
    // A refusal has its day beside it, as an acceptance has.
    let refused =
        designations.iter().find(|r| r[at("Record id")] == "RV5/psychiatric-intensive-care").unwrap();
    assert_eq!(refused[at("Status")], "Refused");
    assert_eq!(refused[at("Provider response")], "refused");
    assert_eq!(refused[at("Provider response date")], "date:2026-08-20");
    assert_eq!(refused[at("Decided by")], "ICB Board");
    assert_eq!(refused[at("Decision reference")], "Board minute BD/26/071");
    assert_eq!(refused[at("Date of decision to designate")], "date:2026-07-07");

    let changes = sheet(&bytes, "Changes");
    let removal = changes.iter().find(|r| r.contains(&"RV5/eating-disorders-inpatient".to_owned())).unwrap();
    assert_eq!((removal[0].as_str(), removal[1].as_str()), ("Removed", "Removed"), "{removal:?}");
    let request = changes.iter().find(|r| r.contains(&"RJZ/neonatal-intensive-care".to_owned())).unwrap();
    assert_eq!((request[0].as_str(), request[1].as_str()), ("Pending", "Added"), "{request:?}");

    let json = env.crs(&["export", "--format", "json"]).json();
    let sections = &json["about"]["sections"];
    assert_eq!(
        [&sections["in_force"]["records"], &sections["pending"]["records"], &sections["removed"]["records"]],
        [6, 3, 1]
    );
    let row = json["designations"].as_array().unwrap().iter().find(|r| r["section"] == "removed").unwrap();
    assert_eq!(row["removal_date"], "2026-02-03", "{row}");
    let change = json["changes"].as_array().unwrap().iter().find(|c| c["section"] == "removed").unwrap();
    assert_eq!(change["removal"]["decided_on"], "2026-02-03", "{change}");
}

#[test]
fn export_refuses_to_write_over_any_file_git_tracks() {
    let env = TestEnv::copy_of("designations");
    env.write("README.md", "# Our register\n");
    env.write(".gitignore", "*.xlsx\n");
    env.write(".github/workflows/crs.yml", "on: push\n");
    env.git_init();
    for (path, format) in
        [("README.md", "csv"), (".gitignore", "json"), (".github/workflows/crs.yml", "yaml")]
    {
        let before = fs::read(env.root.join(path)).unwrap_or_default();
        let run = env.crs(&["export", "--format", format, "-o", path]);
        assert_eq!(run.code, 2, "{path}: {run}");
        assert!(run.stderr.contains(path) && run.stderr.contains("another path"), "{path}: {run}");
        assert_eq!(fs::read(env.root.join(path)).unwrap_or_default(), before, "{path} is as it was");
    }
    assert_eq!(env.crs(&["export", "--format", "csv", "-o", "RJ1/maternity.toml"]).code, 2);
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "");
    // A file git does not track (here, one it ignores) is written as before.
    assert_eq!(env.crs(&["export", "-o", "crs-2026-11.xlsx"]).code, 0);
}

#[test]
fn a_disk_too_full_for_the_workbooks_temporary_files_is_an_error_not_a_panic() {
    let env = TestEnv::copy_of("designations");
    env.git_init();
    let temp = env.outside().join("temp");
    fs::create_dir_all(&temp).unwrap();
    let temp_var = [("TMPDIR", temp.to_str().unwrap())];
    let out = env.outside().join("out");
    fs::create_dir_all(&out).unwrap();
    let file = out.join("crs.xlsx");

    let run = env.crs_with(&["export", "-o", file.to_str().unwrap()], &[("TMPDIR", "/nonexistent")]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("/nonexistent (TMPDIR)"), "{run}");

    // Too small a file limit for the sheets' temporary files: an error naming
    // the folder they went to, the output's own.
    let run =
        env.crs_with_files_up_to(20_000, &["export", "--history", "-o", file.to_str().unwrap()], &temp_var);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("temporary files in [TMP]/out"), "{run}");
    assert!(!run.stderr.contains("panicked"), "{run}");
    assert_eq!(fs::read_dir(&out).unwrap().count(), 0, "nothing is left in the output's folder");

    let commits = env.commit_count();
    let bundle = out.join("bundle");
    for args in [
        &["submit", "--dry-run", "-o", bundle.to_str().unwrap()][..],
        &["submit", "-o", bundle.to_str().unwrap()],
    ] {
        // Without --history the workbook has no temporary files of its own: what
        // cannot be written is the bundle's first large file, named.
        let run = env.crs_with_files_up_to(4_000, args, &temp_var);
        assert_eq!(run.code, 2, "{args:?}: {run}");
        assert!(run.stderr.contains("[TMP]/out/bundle/") && run.stderr.contains("File too large"), "{run}");
        assert!(!bundle.exists(), "no bundle was written");
    }
    assert_eq!(env.commit_count(), commits, "nothing was recorded");
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "");
    assert_eq!(fs::read_dir(&temp).unwrap().count(), 0, "nothing is left in TMPDIR");
}

/// A named pipe (as `-o /dev/stdout` is) is written into: renaming a file over it
/// would replace it, and as root would replace a device.
#[test]
fn an_export_to_a_pipe_is_written_into_it_not_over_it() {
    use std::os::unix::fs::FileTypeExt;
    let env = TestEnv::copy_of("designations");
    let pipe = env.outside().join("pipe");
    assert!(Command::new("mkfifo").arg(&pipe).status().unwrap().success());
    let reader = {
        let pipe = pipe.clone();
        std::thread::spawn(move || fs::read_to_string(pipe).unwrap())
    };
    let run = env.crs(&["export", "--format", "json", "-o", pipe.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    assert!(fs::symlink_metadata(&pipe).unwrap().file_type().is_fifo(), "the pipe is still a pipe");
    let json: serde_json::Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert_eq!(json["designations"].as_array().map(Vec::len), Some(10), "every record came through the pipe");
}
