//! `crs succeed` on a real repository: an ICB merger moves the register, its records
//! and the co-commissioner lists to the successor in one commit, each decision keeping
//! the commissioner that made it; a trust merger moves every record of the old trust
//! to the new one's folder, its history followed by `crs log`; ODS's successor file
//! names the successor; a decision dated before its commissioner opened is flagged.

use crate::harness::{Run, TestEnv, designated_record};
use crate::lifecycle::walk_to_designated;

fn ok(env: &TestEnv, args: &[&str]) -> Run {
    let run = env.crs(args);
    assert_eq!(run.code, 0, "crs {args:?}\n{run}");
    run
}

/// One row of an ODS file in the current layout (27 quoted columns).
pub(crate) fn ods_row(code: &str, name: &str, opened: &str, closed: &str) -> String {
    let mut cells = vec![String::new(); 27];
    cells[0] = code.into();
    cells[1] = name.into();
    cells[2] = "Y56".into();
    cells[3] = code.into();
    cells[9] = "N1 1AA".into();
    cells[10] = opened.into();
    cells[11] = closed.into();
    cells[21] = "1".into();
    cells[23] = "H".into();
    cells.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(",") + "\r\n"
}

/// The London ICBs of 1 April 2026: North Central (QMJ) and North West (QRV) closed,
/// North London (Z9B2Z) opened; South East (QKK) goes on.
fn london_icbs() -> String {
    [
        ods_row("QKK", "NHS SOUTH EAST LONDON INTEGRATED CARE BOARD", "20220701", ""),
        ods_row("QMJ", "NHS NORTH CENTRAL LONDON INTEGRATED CARE BOARD", "20220701", "20260331"),
        ods_row("QRV", "NHS NORTH WEST LONDON INTEGRATED CARE BOARD", "20220701", "20260331"),
        ods_row("Z9B2Z", "NHS NORTH LONDON INTEGRATED CARE BOARD", "20260401", ""),
    ]
    .concat()
}

/// Writes `text` as `name` beside the register and imports it.
fn import(env: &TestEnv, name: &str, text: &str) {
    let path = env.outside().join(name);
    std::fs::write(&path, text).unwrap();
    ok(env, &["orgs", "import", path.to_str().unwrap()]);
}

/// The designated example, commissioned by `commissioner` with `co` beside it.
fn commissioned(commissioner: &str, name: &str, co: &[&str], service: &str) -> String {
    let co = co.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    designated_record().replace("Maternity: designated example", service).replace(
        "ods = \"QKK\"\nname = \"NHS South East London ICB\"",
        &format!("ods = \"{commissioner}\"\nname = \"{name}\"\nco_commissioners = [{co}]"),
    )
}

/// A register of NHS North Central London ICB (QMJ) with three records, one
/// co-commissioned with North West London (QRV), and the ICBs' ODS rows.
pub(crate) fn north_central_london() -> TestEnv {
    let env = TestEnv::git();
    let settings = env
        .read("crs.toml")
        .replace("QKK", "QMJ")
        .replace("NHS South East London ICB", "NHS North Central London ICB");
    env.write("crs.toml", settings);
    let ncl = "NHS North Central London ICB";
    env.write("RJ1/critical-care.toml", commissioned("QMJ", ncl, &["QRV"], "Critical care"));
    env.write("RJ1/maternity.toml", commissioned("QMJ", ncl, &["QKK"], "Maternity"));
    env.write("RJ1/renal.toml", commissioned("QMJ", ncl, &["QRV", "QKK"], "Renal dialysis"));
    env.commit_all("the register of North Central London");
    import(&env, "eother.csv", &london_icbs());
    env
}

fn findings(env: &TestEnv, rule: &str) -> Vec<serde_json::Value> {
    let json = env.crs(&["check", "--format", "json"]).json();
    json["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == rule).cloned().collect()
}

#[test]
fn an_icb_merger_moves_the_register_and_its_records_to_the_successor_in_one_commit() {
    let env = north_central_london();
    // Before: a warning that names the command, never an error, never "remove".
    let check = env.crs(&["check"]);
    assert_eq!(check.code, 0, "{check}");
    let warned = findings(&env, "ods-succeeded");
    assert_eq!(warned.len(), 3 + 2, "three records of QMJ, two co-commissioned with QRV: {warned:?}");
    for warning in &warned {
        assert_eq!(warning["severity"], "warning");
        let message = warning["message"].as_str().unwrap();
        assert!(message.contains("crs succeed Q"), "{message}");
        assert!(!message.contains("remove"), "{message}");
    }
    assert!(findings(&env, "ods-closed").is_empty());

    let before = env.commit_count();
    let run = ok(&env, &["succeed", "QMJ", "Z9B2Z", "--on", "2026-04-01", "--reason", "ICB merger"]);
    assert!(
        run.stderr.contains("QMJ succeeded by Z9B2Z (NHS North London Integrated Care Board) on 2026-04-01"),
        "{run}"
    );
    assert!(run.stderr.contains("3 records name Z9B2Z as the commissioner responsible now"), "{run}");
    assert_eq!(env.commit_count(), before + 1, "one commit");
    assert!(
        env.read("crs.toml").contains("ods = \"Z9B2Z\"\nname = \"NHS North London Integrated Care Board\"")
    );

    let shown = env.crs(&["show", "RJ1/critical-care", "--format", "json"]).json();
    assert_eq!(shown["commissioner"]["ods"], "Z9B2Z");
    assert_eq!(
        shown["decisions"][0]["commissioner"],
        serde_json::json!({"ods": "QMJ", "name": "NHS North Central London ICB"}),
        "the decision keeps the commissioner that made it"
    );

    // North West London's part: the co-commissioner lists name the successor, which
    // is never its own co-commissioner.
    let run = ok(&env, &["succeed", "QRV", "Z9B2Z", "--on", "2026-04-01"]);
    assert!(
        run.stderr.contains(
            "2 records no longer name QRV as a co-commissioner: Z9B2Z, its successor, is the commissioner responsible"
        ),
        "{run}"
    );
    assert!(!run.stderr.contains("name Z9B2Z as a co-commissioner"), "never said where it is not: {run}");
    let paper = ok(&env, &["report", "--format", "md"]);
    assert!(
        paper.stdout.contains("NHS North London Integrated Care Board (Z9B2Z) took over from NHS North West London Integrated Care Board (QRV) on 1 April 2026; QRV was a co-commissioner of 2 services, for which Z9B2Z is the commissioner responsible.")
            && !paper.stdout.contains("as co-commissioner on"),
        "{paper}"
    );
    assert_eq!(env.commit_count(), before + 2);
    let co = |id: &str| {
        env.crs(&["show", id, "--format", "json"]).json()["commissioner"]["co_commissioners"].clone()
    };
    assert_eq!(
        co("RJ1/critical-care"),
        serde_json::Value::Null,
        "Z9B2Z is responsible, not a co-commissioner"
    );
    assert_eq!(co("RJ1/renal"), serde_json::json!(["QKK"]));
    assert_eq!(co("RJ1/maternity"), serde_json::json!(["QKK"]));

    let check = env.crs(&["check"]);
    assert_eq!(check.code, 0, "{check}");
    assert!(findings(&env, "ods-succeeded").is_empty() && findings(&env, "ods-closed").is_empty(), "{check}");

    let log = ok(&env, &["log", "RJ1/critical-care"]);
    assert!(log.stdout.contains("succeed QMJ by Z9B2Z on 2026-04-01: ICB merger"), "{log}");
    assert!(
        log.stdout.contains("Commissioner responsible changed from NHS North Central London ICB (QMJ) to NHS North London Integrated Care Board (Z9B2Z)"),
        "{log}"
    );
    assert!(
        log.stdout
            .contains("Decision 1 keeps the commissioner that made it: NHS North Central London ICB (QMJ)"),
        "{log}"
    );
    // Outputs name the commissioner that decided beside the one responsible now.
    let shown = ok(&env, &["show", "RJ1/critical-care"]);
    assert!(
        shown
            .stdout
            .contains("was made by NHS North Central London ICB, now NHS North London Integrated Care Board"),
        "{shown}"
    );
    let paper = ok(&env, &["report", "--since", "2026-01-01", "--format", "md"]);
    assert!(
        paper.stdout.contains(
            "The ICB Board (NHS North Central London ICB, now NHS North London Integrated Care Board) decided"
        ),
        "{paper}"
    );
    let message = env.git_cmd(&["log", "-2", "--format=%B"]);
    assert!(message.contains("Crs-Action: succeed"), "{message}");
}

#[test]
fn a_trust_merger_moves_every_record_in_one_commit_and_the_log_follows_each() {
    let env = TestEnv::git();
    for service in ["critical-care", "maternity", "renal"] {
        let record = designated_record()
            .replace("Maternity: designated example", service)
            .replace("ods = \"RJ1\"", "ods = \"RQM\"")
            .replace(
                "name = \"Guy's and St Thomas' NHS Foundation Trust\"",
                "name = \"Chelsea and Westminster Hospital NHS Foundation Trust\"",
            );
        env.write(&format!("RQM/{service}.toml"), record);
    }
    env.commit_all("three services of Chelsea and Westminster");
    let before = env.commit_count();
    let run = ok(
        &env,
        &[
            "succeed",
            "RQM",
            "R1K",
            "--on",
            "2026-10-01",
            "--name",
            "London North West University Healthcare NHS Trust",
            "--provider-kind",
            "nhs-trust",
            "--reason",
            "Trust merger",
        ],
    );
    assert!(run.stderr.contains("3 records moved from RQM/ to R1K/"), "{run}");
    assert_eq!(env.commit_count(), before + 1, "one commit");
    let renames = env.git_cmd(&["show", "--name-status", "-M", "--format=", "HEAD"]);
    assert_eq!(
        renames.lines().filter(|l| l.starts_with('R')).count(),
        3,
        "git sees three renames: {renames}"
    );
    assert!(
        !env.root.join("RQM").exists() || std::fs::read_dir(env.root.join("RQM")).unwrap().next().is_none()
    );

    for service in ["critical-care", "maternity", "renal"] {
        let id = format!("R1K/{service}");
        let shown = env.crs(&["show", &id, "--format", "json"]).json();
        assert_eq!(shown["previous_ids"], serde_json::json!([format!("RQM/{service}")]));
        assert_eq!(shown["provider"]["kind"], "nhs-trust");
        assert_eq!(
            shown["decisions"][0]["provider"]["ods"], "RQM",
            "the decision keeps the provider it was made with"
        );
        let log = ok(&env, &["log", &id]);
        assert!(log.stdout.contains(&format!("{id} moved from RQM/{service} on 1 October 2026\n")), "{log}");
        assert!(
            log.stdout.contains("three services of Chelsea and Westminster"),
            "the history from before: {log}"
        );
    }
    let check = env.crs(&["check", "--format", "json"]).json();
    assert_eq!(check["summary"]["errors"], 0, "{check:#}");
}

#[test]
fn a_decision_dated_before_its_commissioner_opened_is_an_error() {
    let env = TestEnv::git();
    env.write(
        "RJ1/maternity.toml",
        designated_record().replace("decided_on = 2026-02-03", "decided_on = 2022-03-01"),
    );
    env.commit_all("a decision of 2022");
    import(&env, "eother.csv", &london_icbs());
    let check = env.crs(&["check"]);
    assert_eq!(check.code, 1, "{check}");
    let closed = findings(&env, "ods-closed");
    assert_eq!(closed.len(), 1, "{closed:?}");
    assert!(closed[0]["message"].as_str().unwrap().contains("opened only on 2022-07-01"), "{closed:?}");
}

#[test]
fn succeed_without_a_successor_or_a_date_says_what_to_give() {
    let env = north_central_london();
    let run = env.crs(&["succeed", "QMJ"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("succ"), "{run}");
    let run = env.crs(&["succeed", "QMJ", "Z9B2Z"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("--on"), "{run}");
    let run = env.crs(&["succeed", "QZZ", "Z9B2Z", "--on", "2026-04-01"]);
    assert_eq!(run.code, 1, "{run}");

    // Someone's unfinished edit of a record is never carried by the succession.
    let before = env.commit_count();
    let edited = env.read("RJ1/renal.toml") + "\n# an edit not committed yet\n";
    env.write("RJ1/renal.toml", edited);
    let run = env.crs(&["succeed", "QMJ", "Z9B2Z", "--on", "2026-04-01"]);
    assert_ne!(run.code, 0, "{run}");
    assert!(run.stderr.contains("RJ1/renal.toml has changes that are not committed"), "{run}");
    assert_eq!(env.commit_count(), before);
    assert!(env.read("RJ1/critical-care.toml").contains("ods = \"QMJ\""), "nothing written");
}

#[test]
fn the_ods_successor_file_names_the_successor_and_the_day() {
    let env = north_central_london();
    // NHS Digital's layout: no header, predecessor, successor, reason, legal date.
    import(
        &env,
        "succ.csv",
        "\"QMJ\",\"Z9B2Z\",\"S\",\"20260401\",\"\"\r\n\"QRV\",\"Z9B2Z\",\"S\",\"20260401\",\"\"\r\n",
    );
    assert!(env.read(".crs/succ.csv").contains("QMJ,Z9B2Z,S,20260401"));
    let warned = findings(&env, "ods-succeeded");
    assert!(!warned.is_empty());
    let qmj: Vec<_> =
        warned.iter().filter(|f| f["message"].as_str().unwrap().contains("commissioner QMJ")).collect();
    assert_eq!(qmj.len(), 3, "{warned:?}");
    for warning in qmj {
        let message = warning["message"].as_str().unwrap();
        assert!(
            message.contains("crs succeed QMJ Z9B2Z --on 2026-04-01 (ODS names Z9B2Z as its successor)"),
            "{message}"
        );
    }

    let before = env.commit_count();
    let run = ok(&env, &["succeed", "QMJ"]);
    assert!(run.stderr.contains("QMJ succeeded by Z9B2Z (NHS North London Integrated Care Board) on 2026-04-01 (successor and date from ODS)"), "{run}");
    ok(&env, &["succeed", "QRV"]);
    assert_eq!(env.commit_count(), before + 2);
    let check = env.crs(&["check", "--format", "json"]).json();
    assert_eq!(check["summary"]["errors"], 0, "{check:#}");
    assert_eq!(check["summary"]["warnings"], 0, "{check:#}");
}

#[test]
fn a_decision_of_before_the_merger_recorded_after_it_keeps_its_maker() {
    let env = north_central_london();
    ok(&env, &["succeed", "QMJ", "Z9B2Z", "--on", "2026-04-01"]);
    crate::harness::assess_all(&env, "RJ1/maternity", "2026-03-10", [false, false, false, false]);
    // Z9B2Z did not exist on 15 March 2026: the decision was North Central London's.
    let refused = env.crs(&["remove", "RJ1/maternity", "--decided-on", "2026-03-15", "--by", "ICB Board"]);
    assert_eq!(refused.code, 1, "{refused}");
    assert!(
        refused.stderr.contains("is dated 15 March 2026, before Z9B2Z took over from QMJ on 1 April 2026"),
        "{refused}"
    );
    assert!(refused.stderr.contains("--made-by QMJ"), "{refused}");
    let args =
        ["remove", "RJ1/maternity", "--decided-on", "2026-03-15", "--by", "ICB Board", "--made-by", "QMJ"];
    ok(&env, &args);
    let shown = env.crs(&["show", "RJ1/maternity", "--format", "json"]).json();
    assert_eq!(
        shown["decisions"][1]["commissioner"],
        serde_json::json!({"ods": "QMJ", "name": "NHS North Central London ICB"}),
        "the name comes from the earlier decision of QMJ"
    );
    let check = env.crs(&["check", "--format", "json"]).json();
    assert_eq!(check["summary"]["errors"], 0, "{check:#}");
}

/// Without ODS files the register's own history says when the successor took over:
/// a back-dated decision is not credited to a commissioner that did not exist yet.
#[test]
fn a_back_dated_decision_needs_its_maker_even_without_ods_files() {
    let env = TestEnv::git();
    walk_to_designated(&env);
    let merged = ["succeed", "QKK", "Z9B9Z", "--on", "2026-08-01", "--name", "NHS South London ICB"];
    ok(&env, &merged);
    crate::harness::assess_all(&env, "RJ1/maternity", "2026-07-10", [false, false, false, false]);
    let before = env.read("RJ1/maternity.toml");
    let refused = env.crs(&["remove", "RJ1/maternity", "--on", "2026-07-15"]);
    assert_eq!(refused.code, 1, "{refused}");
    assert!(refused.stderr.contains("before Z9B9Z took over from QKK on 1 August 2026"), "{refused}");
    assert_eq!(env.read("RJ1/maternity.toml"), before, "nothing written");
    ok(&env, &["remove", "RJ1/maternity", "--on", "2026-07-15", "--made-by", "QKK"]);
    let shown = env.crs(&["show", "RJ1/maternity", "--format", "json"]).json();
    let last = shown["decisions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["commissioner"]["ods"], "QKK", "{shown:#}");
}

/// The board paper names each organisation of a co-commissioner's succession as
/// "Name (CODE)", from the ODS files the register holds; a code no file or record
/// names is given alone.
#[test]
fn the_board_paper_names_a_succeeded_co_commissioner_where_the_register_knows_it() {
    let env = TestEnv::git();
    let south_east = "NHS South East London ICB";
    env.write("RJ1/critical-care.toml", commissioned("QKK", south_east, &["QMJ"], "Critical care"));
    env.write("RJ1/renal.toml", commissioned("QKK", south_east, &["QWE"], "Renal dialysis"));
    env.commit_all("two services co-commissioned");
    import(&env, "eother.csv", &london_icbs());
    ok(&env, &["succeed", "QMJ", "Z9B2Z", "--on", "2026-04-01"]);
    ok(&env, &["succeed", "QWE", "QXW", "--on", "2026-05-01"]);

    let paper = ok(&env, &["report", "--since", "2026-01-01", "--format", "md"]).stdout;
    assert!(
        paper.contains(
            "- NHS North London Integrated Care Board (Z9B2Z) took over from NHS North Central London Integrated Care Board (QMJ) as co-commissioner on 1 April 2026, for 1 service.\n"
        ),
        "{paper}"
    );
    // Neither QWE nor QXW is in the ODS files or named by a record: codes alone.
    assert!(
        paper.contains("- QXW took over from QWE as co-commissioner on 1 May 2026, for 1 service.\n"),
        "{paper}"
    );
}

/// `crs log` tells a co-commissioner taken over by the register's own successor as
/// succeeded, never as removed.
#[test]
fn the_log_tells_a_co_commissioner_succeeded_not_removed() {
    let env = north_central_london();
    ok(&env, &["succeed", "QMJ", "Z9B2Z", "--on", "2026-04-01"]);
    ok(&env, &["succeed", "QRV", "Z9B2Z", "--on", "2026-04-01"]);
    let log = ok(&env, &["log", "RJ1/critical-care", "-n", "1"]);
    assert!(
        log.stdout
            .contains("QRV, a co-commissioner, was succeeded by Z9B2Z, now the commissioner responsible"),
        "{log}"
    );
    assert!(!log.stdout.contains("Co-commissioners removed"), "{log}");
    let json = env.crs(&["log", "RJ1/critical-care", "-n", "1", "--format", "json"]).json();
    assert_eq!(
        json[0]["succession"],
        serde_json::json!({"predecessor": "QRV", "successor": "Z9B2Z", "on": "2026-04-01"})
    );
}

/// A review completed before the merger and recorded after it names its maker too.
#[test]
fn a_back_dated_review_decision_names_its_maker() {
    let env = TestEnv::git();
    walk_to_designated(&env);
    ok(&env, &["review", "start", "RJ1/maternity", "--on", "2026-06-01"]);
    crate::harness::assess_all(&env, "RJ1/maternity", "2026-06-10", [true, false, true, true]);
    ok(&env, &["succeed", "QKK", "Z9B9Z", "--on", "2026-08-01", "--name", "NHS South London ICB"]);
    let confirm = [
        "review",
        "complete",
        "RJ1/maternity",
        "--confirm",
        "--next-due",
        "2030-01-01",
        "--on",
        "2026-07-01",
    ];
    let refused = env.crs(&confirm);
    assert_eq!(refused.code, 1, "{refused}");
    assert!(refused.stderr.contains("before Z9B9Z took over from QKK on 1 August 2026"), "{refused}");
    ok(&env, &[&confirm[..], &["--made-by", "QKK"]].concat());
    let shown = env.crs(&["show", "RJ1/maternity", "--format", "json"]).json();
    let last = shown["decisions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&last["outcome"], &last["commissioner"]["ods"]),
        (&serde_json::json!("confirm"), &serde_json::json!("QKK"))
    );
}
