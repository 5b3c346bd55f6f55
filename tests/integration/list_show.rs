//! `crs list` and `crs show` in every format, with the derived status.

use crate::harness::TestEnv;

#[test]
fn list_table_of_the_sample_register() {
    let run = TestEnv::copy_of("designations").crs(&["list"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn list_csv_and_filters() {
    let env = TestEnv::copy_of("designations");
    let run = env.crs(&["list", "--format", "csv", "--provider", "RV5"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.to_string());
    let designated = env.crs(&["list", "--format", "json", "--status", "designated"]).json();
    let ids: Vec<&str> =
        designated.as_array().unwrap().iter().map(|r| r["record_id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "NVC/orthopaedic-surgery",
            "RJ1/adult-critical-care",
            "RJ1/maternity",
            "RJ2/emergency-department",
            "RJZ/major-trauma-centre"
        ]
    );
}

#[test]
fn list_yaml_has_plain_dates() {
    let run = TestEnv::copy_of("designations").crs(&["list", "--format", "yaml", "--provider", "RJ2"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn list_refuses_an_unknown_status() {
    let run = TestEnv::copy_of("designations").crs(&["list", "--status", "approved"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a status"), "{run}");
}

#[test]
fn show_toml_json_and_yaml() {
    let env = TestEnv::copy_of("designations");
    let toml = env.crs(&["show", "RJ1/maternity"]);
    assert_eq!(toml.code, 0);
    assert!(toml.stdout.starts_with("# RJ1/maternity — status: designated\n"), "{toml}");
    assert!(toml.stdout.ends_with(&env.read("RJ1/maternity.toml")));

    let json = env.crs(&["show", "RJ1/maternity", "--format", "json"]);
    insta::assert_snapshot!(json.to_string());
    let value = json.json();
    assert_eq!(value["status"], "designated");
    assert_eq!(value["decisions"][0]["decided_on"], "2025-02-03");

    let yaml = env.crs(&["show", "RV5/crisis-home-treatment", "--format", "yaml"]);
    insta::assert_snapshot!(yaml.to_string());
}

#[test]
fn show_refuses_ids_that_could_escape_the_register() {
    let env = TestEnv::copy_of("designations");
    for id in ["../crs", "RJ1/../../etc/passwd", "/etc/passwd", "rj1/maternity", "RJ1/Maternity"] {
        let run = env.crs(&["show", id]);
        assert_eq!(run.code, 2, "{id}: {run}");
        assert!(run.stderr.contains("record id") || run.stderr.contains("ODS code"), "{id}: {run}");
    }
}

#[test]
fn show_missing_record_says_how_to_find_one() {
    let run = TestEnv::copy_of("designations").crs(&["show", "RJ1/cardiology"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn list_csv_holds_the_json_values_and_neutralises_formulas_only_for_excel() {
    let env = TestEnv::new();
    env.write(
        "RJ1/designated.toml",
        crate::harness::designated_record()
            .replace("Maternity: designated example", "=HYPERLINK(\\\"http://x\\\",\\\"y\\\")")
            .replace("name = \"Guy's and St Thomas' NHS Foundation Trust\"", "name = \"-Trust\""),
    );
    let excel = env.crs(&["list", "--format", "csv", "--excel"]);
    assert_eq!(excel.code, 0, "{excel}");
    assert!(excel.stdout.contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","), "{excel}");
    assert!(excel.stdout.contains(",'-Trust,"), "{excel}");

    let plain = env.crs(&["list", "--format", "csv"]);
    assert_eq!(plain.code, 0, "{plain}");
    let json = env.crs(&["list", "--format", "json"]).json();
    let mut reader = csv::Reader::from_reader(plain.stdout.as_bytes());
    let headings: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let row = reader.records().next().unwrap().unwrap();
    for (i, heading) in headings.iter().enumerate() {
        let value = json[0][heading.as_str()].as_str().unwrap_or_default();
        assert_eq!(&row[i], value, "{heading}: {plain}");
    }
    assert_eq!(&row[headings.iter().position(|h| h == "provider_name").unwrap()], "-Trust");
}

/// Each concept has one key across the outputs for programs: the keys `list` writes
/// are those the export writes for the same record, with the same values.
#[test]
fn list_show_and_due_spell_their_keys_as_the_export_does() {
    let env = TestEnv::copy_of("designations");
    let exported = env.crs(&["export", "--format", "json", "--status", "designated"]).json();
    let listed = env.crs(&["list", "--format", "json", "--status", "designated"]).json();
    let row = &exported["designations"][0];
    let id = row["record_id"].as_str().unwrap_or_else(|| panic!("{exported}"));
    let line = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["record_id"] == id)
        .unwrap_or_else(|| panic!("{listed}"));
    for key in [
        "record_id",
        "provider_code",
        "provider_name",
        "service_name",
        "status",
        "designation_date",
        "review_due",
    ] {
        assert_eq!(line[key], row[key], "{key}: list {line}, export {row}");
    }
    for old in ["id", "provider", "service", "designated_on", "decided_on"] {
        assert!(line.get(old).is_none(), "{old} is spelled as the export spells it: {line}");
    }
    let shown = env.crs(&["show", id, "--format", "json"]).json();
    assert_eq!(shown["record_id"], id, "{shown}");
    assert!(shown.get("id").is_none(), "{shown}");
    let due = env.crs(&["due", "--within", "36500", "--format", "json"]).json();
    let item = &due.as_array().unwrap_or_else(|| panic!("{due}"))[0];
    for key in ["record_id", "service_name", "provider_name"] {
        assert!(item.get(key).is_some(), "{key}: {item}");
    }
}
