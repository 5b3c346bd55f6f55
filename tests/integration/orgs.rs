//! `crs orgs import` and `crs orgs show`, and the organisation rules of `crs check`
//! against the ODS fixtures in `tests/fixtures/ods/` (the real `etr.csv` and
//! `etr-2015.csv`, and small hand-made files of the other kinds).

use std::fs;

use crate::harness::{SETTINGS, TestEnv, designated_record, repo_dir};

const CACHE: &str = ".crs/orgs.csv";
const ALL_KINDS: [&str; 6] = ["etr.csv", "ets.csv", "ephp.csv", "ephpsite.csv", "eccg.csv", "eother.csv"];

/// Copies the ODS fixture `name` into a downloads folder beside the register and
/// returns its path relative to the register root, as a user would type it.
fn download(env: &TestEnv, name: &str) -> String {
    let dir = env.outside().join("downloads");
    fs::create_dir_all(&dir).unwrap();
    fs::copy(repo_dir().join("tests/fixtures/ods").join(name), dir.join(name)).unwrap();
    format!("../downloads/{name}")
}

/// Runs `crs orgs import` on fixtures and checks it succeeded.
fn import(env: &TestEnv, names: &[&str]) {
    let files: Vec<String> = names.iter().map(|n| download(env, n)).collect();
    let mut args = vec!["orgs", "import"];
    args.extend(files.iter().map(String::as_str));
    let run = env.crs(&args);
    assert_eq!(run.code, 0, "{run}");
}

/// The designated example record with its provider, kind and site replaced.
fn record(provider: &str, name: &str, kind: &str, site: &str) -> String {
    designated_record()
        .replace("ods = \"RJ1\"", &format!("ods = \"{provider}\""))
        .replace("name = \"Guy's and St Thomas' NHS Foundation Trust\"", &format!("name = \"{name}\""))
        .replace("kind = \"foundation-trust\"", &format!("kind = \"{kind}\""))
        .replace("sites = [\"RJ122\"]", &format!("sites = [\"{site}\"]"))
}

/// (file, rule, line) of every finding of a JSON check.
fn findings(json: &serde_json::Value) -> Vec<(String, String, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["rule"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn imports_the_current_layout() {
    let env = TestEnv::new().committed();
    let etr = download(&env, "etr.csv");
    let run = env.crs(&["orgs", "import", &etr]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.to_string());
    let cache = env.read(CACHE);
    assert_eq!(cache.lines().count(), 275, "a header and a line per trust");
    assert!(
        cache.contains("\nRJ1,etr,GUY'S AND ST THOMAS' NHS FOUNDATION TRUST,Y56,QKK,SE1 7EH,1993-04-01,,H\n")
    );
    assert!(!cache.contains('\r'), "the cache has LF line ends whatever the ODS file had");
}

#[test]
fn imports_the_older_layout_with_incomplete_rows() {
    let env = TestEnv::new().committed();
    let old = download(&env, "etr-2015.csv");
    let run = env.crs(&["orgs", "import", &old]);
    assert_eq!(run.code, 0, "{run}");
    let (said, commit) = run.stderr.split_once("; commit ").expect("the commit is named");
    assert_eq!(
        said,
        "../downloads/etr-2015.csv: 241 etr organisations (241 added, 0 changed, 0 removed)\nwrote .crs/orgs.csv (241 organisations of etr)"
    );
    assert_eq!(commit.trim(), env.git_cmd(&["rev-parse", "--short=10", "HEAD"]).trim());
    // R0A has no grouping, no address and no dates in this file: it still loads.
    let show = env.crs(&["orgs", "show", "R0A"]);
    assert_eq!(show.code, 0);
    insta::assert_snapshot!(show.to_string());
}

#[test]
fn unreadable_rows_are_skipped_with_their_line_numbers() {
    let env = TestEnv::new().committed();
    let broken = download(&env, "etr-broken.csv");
    let run = env.crs(&["orgs", "import", &broken]);
    assert_eq!(run.code, 0, "the readable rows load: {run}");
    insta::assert_snapshot!(run.to_string());
    let cache = env.read(CACHE);
    let codes: Vec<&str> = cache.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(codes, ["RJ1", "RQF"]);
}

#[test]
fn files_that_cannot_be_imported_change_nothing() {
    let env = TestEnv::new().committed();
    import(&env, &["etr.csv"]);
    let before = env.read(CACHE);
    let dir = env.outside().join("downloads");
    fs::write(dir.join("ets.csv"), "").unwrap();
    fs::write(dir.join("trusts.csv"), "").unwrap();
    fs::write(dir.join("etr-all-bad.csv"), "R1,X\nR2,Y\n").unwrap();
    let etr_2015 = download(&env, "etr-2015.csv");

    let empty = env.crs(&["orgs", "import", "../downloads/ets.csv"]);
    let nameless = env.crs(&["orgs", "import", "../downloads/trusts.csv"]);
    let all_bad = env.crs(&["orgs", "import", "../downloads/etr-all-bad.csv"]);
    let missing = env.crs(&["orgs", "import", "../downloads/ephp.csv"]);
    let two_of_a_kind = env.crs(&["orgs", "import", "../downloads/etr.csv", &etr_2015]);
    let unknown_kind = env.crs(&["orgs", "import", "--kind", "etrust", "../downloads/etr.csv"]);
    let no_files = env.crs(&["orgs", "import"]);
    for run in [&empty, &nameless, &all_bad, &missing, &two_of_a_kind, &unknown_kind, &no_files] {
        assert_eq!(run.code, 2, "{run}");
    }
    insta::assert_snapshot!(format!("{empty}{nameless}{all_bad}{missing}{two_of_a_kind}"));
    assert_eq!(env.read(CACHE), before);
}

#[test]
fn kind_can_be_given_when_the_name_does_not_say() {
    let env = TestEnv::new().committed();
    let dir = env.outside().join("downloads");
    fs::create_dir_all(&dir).unwrap();
    fs::copy(repo_dir().join("tests/fixtures/ods/eother.csv"), dir.join("icbs.csv")).unwrap();
    let run = env.crs(&["orgs", "import", "--kind", "eother", "../downloads/icbs.csv"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(env.read(CACHE).contains("\nQKK,eother,NHS SOUTH EAST LONDON INTEGRATED CARE BOARD,"));
}

#[test]
fn reimporting_is_diff_friendly() {
    let env = TestEnv::new().committed();
    import(&env, &["etr.csv", "ets.csv"]);
    let first = env.read(CACHE);

    let again = env.crs(&["orgs", "import", "../downloads/etr.csv"]);
    assert_eq!(again.code, 0);
    assert!(again.stderr.contains("(0 added, 0 changed, 0 removed)"), "{again}");
    assert!(again.stderr.ends_with(".crs/orgs.csv is unchanged\n"), "{again}");
    assert_eq!(env.read(CACHE), first, "importing the same file twice gives the same cache");

    // An older file of one kind replaces that kind only; the sites stay.
    import(&env, &["etr-2015.csv"]);
    let older = env.read(CACHE);
    assert!(older.contains("\nRJ122,ets,"), "{older}");
    assert!(!older.contains("\nG6V2S,etr,"), "trusts newer than 2015 are gone");

    // Back to the current file: byte for byte the first cache again.
    import(&env, &["etr.csv"]);
    assert_eq!(env.read(CACHE), first);

    // A trust renamed by NHS Digital changes one line of the cache, nothing else.
    let etr = fs::read_to_string(repo_dir().join("tests/fixtures/ods/etr.csv")).unwrap();
    let renamed =
        etr.replace("\"LEWISHAM AND GREENWICH NHS TRUST\"", "\"SOUTH EAST LONDON HOSPITALS NHS TRUST\"");
    fs::write(env.outside().join("downloads/etr.csv"), renamed).unwrap();
    let run = env.crs(&["orgs", "import", "../downloads/etr.csv"]);
    assert!(run.stderr.contains("(0 added, 1 changed, 0 removed)"), "{run}");
    let now = env.read(CACHE);
    let changed: Vec<(&str, &str)> = first.lines().zip(now.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].1.starts_with("RJ2,etr,SOUTH EAST LONDON HOSPITALS NHS TRUST,"), "{changed:?}");
}

#[test]
fn show_prints_what_is_known() {
    let env = TestEnv::new().committed();
    import(&env, &ALL_KINDS);
    let trust = env.crs(&["orgs", "show", "rj1"]);
    let site = env.crs(&["orgs", "show", "RJ122"]);
    let closed = env.crs(&["orgs", "show", "RGZ"]);
    let welsh = env.crs(&["orgs", "show", "RQF"]);
    insta::assert_snapshot!(format!("{trust}{site}{closed}{welsh}"));
    let json = env.crs(&["orgs", "show", "RNK", "--format", "json"]).json();
    assert_eq!(json[0]["closed"], "2026-03-31");
    assert_eq!(json[0]["provider_kind"], "foundation-trust");
    assert_eq!(json[0]["welsh"], false);
}

#[test]
fn show_says_what_to_do_when_nothing_is_known() {
    let env = TestEnv::new().committed();
    let nothing = env.crs(&["orgs", "show", "RJ1"]);
    import(&env, &["etr.csv"]);
    let unknown = env.crs(&["orgs", "show", "RJ199"]);
    assert_eq!((nothing.code, unknown.code), (2, 2));
    insta::assert_snapshot!(format!("{nothing}{unknown}"));
}

#[test]
fn check_without_imported_files_says_codes_were_not_checked() {
    let env = TestEnv::new().committed();
    env.write("RZZ/designated.toml", record("RZZ", "No Such NHS Trust", "nhs-trust", "RZZ01"));
    let human = env.crs(&["check"]);
    assert!(!human.stdout.contains("ods-"), "the organisation rules are silent: {human}");
    let notes: Vec<&str> = human.stdout.lines().filter(|l| l.starts_with("note:")).collect();
    assert_eq!(
        notes,
        [
            "note: organisation codes were not checked against NHS Digital's ODS files: none are imported; import them with crs orgs import etr.csv ets.csv ephp.csv ephpsite.csv eccg.csv eother.csv, from NHS Digital's ODS data downloads page, https://digital.nhs.uk/services/organisation-data-service/export-data-files/csv-downloads"
        ]
    );
    let json = env.crs(&["check", "--format", "json"]).json();
    assert_eq!(json["notes"].as_array().unwrap().len(), 1);
    let github = env.crs(&["check", "--format", "github"]);
    assert!(
        github.stdout.contains("::notice title=crs check::organisation codes were not checked"),
        "{github}"
    );
}

#[test]
fn check_says_which_codes_lacked_a_file() {
    let env = TestEnv::copy_of("designations").committed();
    import(&env, &["etr.csv"]);
    let json = env.crs(&["check", "--format", "json"]).json();
    assert_eq!(
        json["notes"],
        serde_json::json!([
            "codes in 13 records were not checked: they belong in ets, ephp and eother files, which are not imported (imported: etr); import them with crs orgs import ets.csv ephp.csv eother.csv; the files are on NHS Digital's ODS data downloads page, https://digital.nhs.uk/services/organisation-data-service/export-data-files/csv-downloads"
        ])
    );
}

#[test]
fn sample_register_is_clean_against_every_file() {
    let env = TestEnv::copy_of("designations").committed();
    let before = env.crs(&["check", "--format", "json"]).json();
    import(&env, &ALL_KINDS);
    let after = env.crs(&["check", "--format", "json"]).json();
    assert_eq!(findings(&after), findings(&before), "no organisation finding on the sample register");
    assert!(after.get("notes").is_none(), "every code was checked: {after}");
}

#[test]
fn each_organisation_rule_fires_where_it_should() {
    let env = TestEnv::new().committed();
    import(&env, &ALL_KINDS);
    env.write("RJ1/clean.toml", designated_record());
    env.write("RZZ/unknown.toml", record("RZZ", "No Such NHS Trust", "other", "RJ199"));
    env.write("RGZ/closed.toml", record("RGZ", "Queen Mary's Sidcup NHS Trust", "other", "RJ122"));
    env.write(
        "RNK/closed-since.toml",
        record("RNK", "Tavistock and Portman NHS Foundation Trust", "foundation-trust", "RNK01"),
    );
    env.write(
        "RJ2/wrong-kind.toml",
        record("RJ2", "Lewisham and Greenwich NHS Trust", "foundation-trust", "RJ224"),
    );
    env.write("RQF/welsh.toml", record("RQF", "Velindre NHS Trust", "other", "RJ122"));
    env.write(
        "RV5/renamed.toml",
        record("RV5", "South London and Maudsley Mental Health Trust", "foundation-trust", "RV501"),
    );
    env.write(
        "NVC/commissioners.toml",
        record("NVC", "Ramsay Health Care UK Operations Ltd", "independent", "NVC04")
            .replace(
                "ods = \"QKK\"\nname = \"NHS South East London ICB\"",
                "ods = \"08K\"\nname = \"NHS Lambeth CCG\"",
            )
            .replace("[commissioner]\n", "[commissioner]\nco_commissioners = [\"QMF\", \"QXX\", \"RJ1\"]\n"),
    );
    let human = env.crs(&["check"]);
    assert_eq!(human.code, 1);
    insta::assert_snapshot!(human.to_string());

    let json = env.crs(&["check", "--format", "json"]).json();
    let org_rules = [
        "ods-unknown",
        "ods-closed",
        "ods-succeeded",
        "ods-name-changed",
        "provider-kind-mismatch",
        "out-of-scope",
    ];
    let found: Vec<(String, String, u64)> =
        findings(&json).into_iter().filter(|(_, rule, _)| org_rules.contains(&rule.as_str())).collect();
    let expected = [
        ("NVC/commissioners.toml", "ods-closed", 18), // commissioner.ods: 08K closed in 2020
        ("NVC/commissioners.toml", "ods-unknown", 17), // co_commissioners: QXX unknown, RJ1 a trust
        ("NVC/commissioners.toml", "ods-unknown", 17),
        ("RGZ/closed.toml", "ods-closed", 11),
        ("RJ2/wrong-kind.toml", "provider-kind-mismatch", 13),
        ("RNK/closed-since.toml", "ods-closed", 8), // the site RNK01
        ("RNK/closed-since.toml", "ods-succeeded", 11), // the trust, closed since the decision
        ("RQF/welsh.toml", "out-of-scope", 11),
        ("RV5/renamed.toml", "ods-name-changed", 12),
        ("RZZ/unknown.toml", "ods-unknown", 8),
        ("RZZ/unknown.toml", "ods-unknown", 11),
    ];
    let expected: Vec<(String, String, u64)> =
        expected.iter().map(|(f, r, l)| (f.to_string(), r.to_string(), *l)).collect();
    let mut found_sorted = found.clone();
    found_sorted.sort();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(found_sorted, expected_sorted, "{json:#}");
    assert!(json.get("notes").is_none(), "{json:#}");
}

#[test]
fn closure_is_judged_as_of_the_day_checked() {
    let env = TestEnv::new().committed();
    import(&env, &["etr.csv", "ets.csv"]);
    // A draft with a closed provider: nothing decided, nothing live, nothing to say.
    let draft = fs::read_to_string(repo_dir().join("examples/records/valid/RJ1/draft.toml"))
        .unwrap()
        .replace("ods = \"RJ1\"", "ods = \"RNK\"")
        .replace(
            "name = \"Guy's and St Thomas' NHS Foundation Trust\"",
            "name = \"Tavistock and Portman NHS Foundation Trust\"",
        )
        .replace("sites = [\"RJ122\"]", "sites = [\"RNK01\"]");
    env.write("RNK/draft.toml", draft);
    let run = env.crs(&["check", "--format", "json"]);
    assert_eq!(findings(&run.json()), vec![], "{run}");
}

#[test]
fn settings_may_name_ods_files_to_read_directly() {
    let env = TestEnv::new().committed();
    env.write("ods/etr.csv", fs::read(repo_dir().join("tests/fixtures/ods/etr-broken.csv")).unwrap());
    env.write("crs.toml", format!("{SETTINGS}\n[orgs]\nfiles = [\"ods/etr.csv\"]\n"));
    env.write("RQF/welsh.toml", record("RQF", "Velindre NHS Trust", "other", "RJ122"));
    let run = env.crs(&["check", "--format", "json"]);
    assert_eq!(run.code, 1, "{run}");
    let json = run.json();
    assert_eq!(findings(&json), vec![("RQF/welsh.toml".to_owned(), "out-of-scope".to_owned(), 11)]);
    let notes = json["notes"].as_array().unwrap();
    assert_eq!(
        notes[0],
        "ods/etr.csv line 2: skipped: 3 columns; an ODS row has 24 or 27 (at least 12, up to the close date, are needed)"
    );
    assert_eq!(notes.len(), 8, "seven skipped rows and the codes not checked: {json:#}");

    env.write("crs.toml", format!("{SETTINGS}\n[orgs]\nfiles = [\"../etr.csv\"]\n"));
    let outside = env.crs(&["check"]);
    assert_eq!(outside.code, 2);
    assert!(outside.stderr.contains("outside the register"), "{outside}");
    env.write("crs.toml", format!("{SETTINGS}\n[orgs]\nfiles = [\"old/etr-missing.csv\"]\n"));
    let missing = env.crs(&["check"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("old/etr-missing.csv, which is not in the register"), "{missing}");
}

#[test]
fn a_broken_cache_is_an_error_naming_its_line() {
    let env = TestEnv::new().committed();
    import(&env, &["eother.csv"]);
    let cache = env.read(CACHE);
    env.write(CACHE, format!("{cache}<<<<<<< HEAD\n"));
    let run = env.crs(&["check"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn help_has_examples() {
    let env = TestEnv::new().committed();
    for args in [&["orgs", "--help"][..], &["orgs", "import", "--help"], &["orgs", "show", "--help"]] {
        let help = env.crs(args);
        assert_eq!(help.code, 0);
        assert!(help.stdout.contains("Examples:"), "{help}");
    }
}

#[test]
fn as_of_checks_codes_against_the_cache_as_it_stood() {
    let env = TestEnv::new().committed();
    env.write("RJ1/designated.toml", designated_record());
    import(&env, &["etr.csv"]);
    env.commit_all("the record");

    // NHS Digital closes RJ1 (in this test): the working tree's cache says so.
    let etr = fs::read_to_string(env.outside().join("downloads/etr.csv")).unwrap();
    let closed = etr.replace("\"SE1 7EH\",\"19930401\",\"\"", "\"SE1 7EH\",\"19930401\",\"20260301\"");
    assert_ne!(closed, etr);
    fs::write(env.outside().join("downloads/etr.csv"), closed).unwrap();
    assert_eq!(env.crs(&["orgs", "import", "../downloads/etr.csv"]).code, 0);
    assert_eq!(
        env.git_cmd(&["log", "-1", "--format=%s"]),
        "orgs import: etr (0 added, 1 changed, 0 removed)\n"
    );

    let now = env.crs(&["check", "--format", "json"]);
    assert_eq!(
        findings(&now.json()),
        vec![("RJ1/designated.toml".to_owned(), "ods-succeeded".to_owned(), 11)]
    );
    let then = env.crs(&["check", "--format", "json", "--as-of", "HEAD~1"]);
    assert_eq!(then.code, 0, "{then}");
    assert_eq!(findings(&then.json()), vec![]);
}
