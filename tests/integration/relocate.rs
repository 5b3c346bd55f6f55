//! `crs move` on a real repository: a record renamed within its provider, or moved to
//! a new provider code (a merger, a new trust), its provider's name and kind taken
//! from ODS or from the command line; every earlier decision keeps the provider it was
//! made with, and the log follows the record across the move.

use crate::harness::{Run, TestEnv, designated_record, repo_dir};

const OLD: &str = "RJ1/adult-critical-care";

fn ok(env: &TestEnv, args: &[&str]) -> Run {
    let run = env.crs(args);
    assert_eq!(run.code, 0, "crs {args:?}\n{run}");
    run
}

fn show(env: &TestEnv, id: &str) -> serde_json::Value {
    let run = ok(env, &["show", id, "--format", "json"]);
    run.json()
}

/// A register holding the designated example as RJ1/adult-critical-care, committed.
fn register() -> TestEnv {
    let env = TestEnv::git();
    env.write(
        "RJ1/adult-critical-care.toml",
        designated_record().replace("Maternity: designated example", "Adult critical care"),
    );
    env.commit_all("adult critical care");
    env
}

/// Imports the real NHS trust file of the fixtures into the register's ODS cache.
fn import_trusts(env: &TestEnv) {
    let etr = repo_dir().join("tests/fixtures/ods/etr.csv");
    ok(env, &["orgs", "import", etr.to_str().unwrap()]);
}

/// The provider a record's decision was made with, as `crs show` gives it.
fn provider_of(decision: &serde_json::Value) -> (&str, &str, &str) {
    let p = &decision["provider"];
    (p["ods"].as_str().unwrap(), p["name"].as_str().unwrap(), p["kind"].as_str().unwrap())
}

const GSTT: (&str, &str, &str) = ("RJ1", "Guy's and St Thomas' NHS Foundation Trust", "foundation-trust");

fn errors(env: &TestEnv) -> serde_json::Value {
    env.crs(&["check", "--format", "json"]).json()["summary"]["errors"].clone()
}

#[test]
fn a_rename_within_a_provider_moves_the_record_and_keeps_its_provider() {
    let env = register();
    let moved = ok(&env, &["move", OLD, "RJ1/critical-care", "--reason", "Service renamed"]);
    assert!(moved.stderr.contains("moved RJ1/adult-critical-care to RJ1/critical-care"), "{moved}");
    assert!(!env.root.join("RJ1/adult-critical-care.toml").exists());
    let record = show(&env, "RJ1/critical-care");
    assert_eq!(record["previous_ids"], serde_json::json!([OLD]));
    assert_eq!(record["provider"]["ods"], "RJ1");
    assert_eq!(record["provider"]["name"], "Guy's and St Thomas' NHS Foundation Trust");
    assert_eq!(record["provider"]["kind"], "foundation-trust");
    assert!(record["decisions"][0].get("provider").is_none(), "the provider did not change: {record}");
    assert_eq!(record["status"], "designated");
    let status = env.git_cmd(&["show", "--name-status", "--format=", "-M", "HEAD"]);
    assert!(status.starts_with('R'), "git sees a rename: {status}");
    assert_eq!(errors(&env), 0);
}

#[test]
fn a_move_to_an_nhs_trust_that_ods_lists_takes_its_name_and_kind() {
    let env = register();
    import_trusts(&env);
    let moved = ok(&env, &["move", OLD, "R1K/adult-critical-care", "--reason", "Merger"]);
    assert!(
        moved.stderr.contains(
            "provider R1K London North West University Healthcare NHS Trust, an NHS trust, licensed (name and kind from ODS)"
        ),
        "{moved}"
    );
    let record = show(&env, "R1K/adult-critical-care");
    assert_eq!(record["provider"]["ods"], "R1K");
    assert_eq!(record["provider"]["name"], "London North West University Healthcare NHS Trust");
    assert_eq!(record["provider"]["kind"], "nhs-trust");
    assert_eq!(record["provider"]["licence"], "licensed", "the record's licence is kept");
    assert_eq!(provider_of(&record["decisions"][0]), GSTT, "the provider at designation stays on record");
    assert_eq!(record["status"], "designated");
    assert_eq!(errors(&env), 0);
    let paper = ok(&env, &["report", "--since", "2026-01-01", "--format", "md"]).stdout;
    assert!(
        paper.contains(
            "decided to designate Adult critical care at Guy's and St Thomas' NHS Foundation Trust on"
        ),
        "the board paper names the provider the decision was made with: {paper}"
    );

    // What the user gives overrides ODS.
    let named = ok(
        &env,
        &["move", "R1K/adult-critical-care", "R1K/critical-care", "--provider-name", "LNWH NHS Trust"],
    );
    assert!(named.stderr.contains("provider R1K LNWH NHS Trust, an NHS trust, licensed\n"), "{named}");
    let record = show(&env, "R1K/critical-care");
    assert_eq!(record["provider"]["name"], "LNWH NHS Trust");
    assert_eq!(provider_of(&record["decisions"][0]), GSTT, "kept from the first move, not overwritten");
}

#[test]
fn a_move_without_ods_data_takes_the_kind_and_name_given() {
    let env = register();
    let moved = ok(
        &env,
        &[
            "move",
            OLD,
            "RYJ/adult-critical-care",
            "--provider-name",
            "Imperial College Healthcare NHS Trust",
            "--provider-kind",
            "nhs-trust",
        ],
    );
    assert!(!moved.stderr.contains("ODS"), "nothing to say of ODS when name and kind are given: {moved}");
    let record = show(&env, "RYJ/adult-critical-care");
    assert_eq!(record["provider"]["ods"], "RYJ");
    assert_eq!(record["provider"]["name"], "Imperial College Healthcare NHS Trust");
    assert_eq!(record["provider"]["kind"], "nhs-trust");
    assert_eq!(record["provider"]["licence"], "licensed");
    assert_eq!(provider_of(&record["decisions"][0]), GSTT);
    assert!(env.read("RYJ/adult-critical-care.toml").contains(
        "provider = { ods = \"RJ1\", name = \"Guy's and St Thomas' NHS Foundation Trust\", kind = \"foundation-trust\" }"
    ));
    assert_eq!(errors(&env), 0);

    // Without ODS data and without a name, the record's name stays, and crs says so.
    let kept = ok(&env, &["move", "RYJ/adult-critical-care", "RQM/adult-critical-care"]);
    assert!(
        kept.stderr
            .contains("has no ODS data (crs orgs import loads it), so the provider keeps its name and kind"),
        "{kept}"
    );
}

#[test]
fn each_decision_keeps_the_provider_it_was_made_with_across_moves() {
    let env = register();
    import_trusts(&env);
    ok(&env, &["move", OLD, "R1K/adult-critical-care"]);
    crate::harness::assess_all(&env, "R1K/adult-critical-care", "2026-10-20", [false, false, false, false]);
    ok(&env, &["remove", "R1K/adult-critical-care", "--decided-on", "2026-11-01", "--by", "ICB Board"]);
    let moved = ok(&env, &["move", "R1K/adult-critical-care", "RAL/adult-critical-care"]);
    assert!(moved.stderr.contains("the decision made with it keeps it"), "{moved}");
    let record = show(&env, "RAL/adult-critical-care");
    assert_eq!(record["previous_ids"], serde_json::json!([OLD, "R1K/adult-critical-care"]));
    assert_eq!(record["provider"]["name"], "Royal Free London NHS Foundation Trust");
    assert_eq!(record["provider"]["kind"], "foundation-trust");
    let decisions = record["decisions"].as_array().unwrap();
    assert_eq!(provider_of(&decisions[0]), GSTT);
    assert_eq!(
        provider_of(&decisions[1]),
        ("R1K", "London North West University Healthcare NHS Trust", "nhs-trust")
    );
    assert_eq!(errors(&env), 0);
}

#[test]
fn a_licence_the_new_kind_rules_out_is_refused_until_one_is_given() {
    let env = TestEnv::git();
    let independent = designated_record()
        .replace("ods = \"RJ1\"", "ods = \"NVC\"")
        .replace("Guy's and St Thomas' NHS Foundation Trust", "Ramsay Health Care UK")
        .replace("kind = \"foundation-trust\"", "kind = \"independent\"")
        .replace("licence = \"licensed\"", "licence = \"exempt\"\n")
        .replace("sites = [\"RJ122\"]\n", "")
        .replace(
            "[[events]]\non = 2026-02-10",
            "[[events]]\non = 2026-02-05\nkind = \"licence-requested\"\n\n[[events]]\non = 2026-02-10",
        );
    env.write("NVC/orthopaedics.toml", independent).commit_all("orthopaedics");
    import_trusts(&env);
    let head = env.git_cmd(&["rev-parse", "HEAD"]);

    let refused = env.crs(&["move", "NVC/orthopaedics", "RAL/orthopaedics"]);
    assert_eq!(refused.code, 1, "{refused}");
    assert!(
        refused.stderr.contains("a foundation trust is never exempt from the provider licence"),
        "{refused}"
    );
    assert!(refused.stderr.contains("--provider-licence"), "{refused}");
    let given = env.crs(&["move", "NVC/orthopaedics", "RAL/orthopaedics", "--provider-licence", "exempt"]);
    assert_eq!(given.code, 1, "an impossible licence given is refused too: {given}");
    assert_eq!(env.git_cmd(&["rev-parse", "HEAD"]), head, "nothing was written");

    ok(&env, &["move", "NVC/orthopaedics", "RAL/orthopaedics", "--provider-licence", "licensed"]);
    let record = show(&env, "RAL/orthopaedics");
    assert_eq!(record["provider"]["kind"], "foundation-trust");
    assert_eq!(record["provider"]["licence"], "licensed");
    assert_eq!(provider_of(&record["decisions"][0]), ("NVC", "Ramsay Health Care UK", "independent"));
}

#[test]
fn a_foundation_trust_designation_moves_to_an_nhs_trust_and_is_judged_as_made() {
    // Designated in 2022, while NHS trusts' services were exempt from designation.
    let env = TestEnv::git();
    let record = designated_record().replace("2026-", "2022-").replace("2025-", "2021-");
    env.write("RJ1/adult-critical-care.toml", record).commit_all("designated in 2022");
    import_trusts(&env);
    ok(&env, &["move", OLD, "R1K/adult-critical-care", "--reason", "Merger"]);
    let check = env.crs(&["check", "--format", "json"]).json();
    assert_eq!(
        check["summary"]["errors"], 0,
        "a foundation trust's designation, not an NHS trust's: {check}"
    );
    let rules: Vec<&str> =
        check["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"nhs-trust-unconfirmed"), "the service is an NHS trust's now: {check}");
}

#[test]
fn an_nhs_trust_designation_moved_to_a_foundation_trust_keeps_its_question() {
    // Designated in 2026, with an NHS trust: whether it could be is not confirmed.
    let env = TestEnv::git();
    let record = designated_record()
        .replace("ods = \"RJ1\"", "ods = \"R1K\"")
        .replace(
            "Guy's and St Thomas' NHS Foundation Trust",
            "London North West University Healthcare NHS Trust",
        )
        .replace("kind = \"foundation-trust\"", "kind = \"nhs-trust\"");
    env.write("R1K/adult-critical-care.toml", record).commit_all("designated in 2026");
    import_trusts(&env);
    ok(&env, &["move", "R1K/adult-critical-care", "RAL/adult-critical-care", "--reason", "Transfer"]);
    let check = env.crs(&["check", "--format", "json"]).json();
    let unconfirmed: Vec<&serde_json::Value> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "nhs-trust-unconfirmed")
        .collect();
    assert_eq!(unconfirmed.len(), 1, "the decision made with an NHS trust is still in question: {check}");
    assert!(
        unconfirmed[0]["message"].as_str().unwrap().contains("the designation was made with an NHS trust"),
        "{check}"
    );
}

#[test]
fn the_log_follows_the_record_and_tells_each_move_as_one_step() {
    let env = register();
    import_trusts(&env);
    ok(&env, &["move", OLD, "R1K/adult-critical-care", "--reason", "Merger"]);
    ok(&env, &["move", "R1K/adult-critical-care", "R1K/critical-care", "--reason", "Service renamed"]);

    let log = ok(&env, &["log", "R1K/critical-care"]).stdout;
    let steps: Vec<&str> = log.split("\n\n").collect();
    assert_eq!(steps.len(), 3, "two moves and the record's first commit: {log}");
    let has_line = |step: &str, line: &str| step.lines().any(|l| l == line);
    assert!(has_line(steps[0], "    R1K/critical-care moved from R1K/adult-critical-care"), "{log}");
    assert!(!steps[0].contains("Earlier record ids"), "the move says where from once: {log}");
    assert!(has_line(steps[1], "    R1K/adult-critical-care moved from RJ1/adult-critical-care"), "{log}");
    assert!(
        steps[1].contains(
            "Provider changed from Guy's and St Thomas' NHS Foundation Trust (RJ1, NHS foundation trust) to London North West University Healthcare NHS Trust (R1K, NHS trust)"
        ),
        "{log}"
    );
    assert!(
        steps[1].contains(
            "Decision 1 keeps the provider it was made with: Guy's and St Thomas' NHS Foundation Trust (RJ1, NHS foundation trust)"
        ),
        "{log}"
    );
    assert!(!steps[1].contains("removed (was"), "the record's format upgrade changes no decision: {log}");
    assert!(has_line(steps[2], "    RJ1/adult-critical-care added"), "named as it was then: {log}");

    let json = ok(&env, &["log", "R1K/critical-care", "--format", "json"]).json();
    let first = &json[1]["records"][0];
    assert_eq!(first["change"], "moved", "{json}");
    assert_eq!(first["previous_id"], OLD, "{json}");

    // The whole register's log tells the move as one record moved, not one removed
    // and another added.
    let all = ok(&env, &["log", "-n", "1", "--format", "json"]).json();
    let records = all[0]["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{all}");
    assert_eq!(records[0]["record_id"], "R1K/critical-care");
    assert_eq!(records[0]["change"], "moved");
    assert_eq!(records[0]["previous_id"], "R1K/adult-critical-care");
}

#[test]
fn a_move_given_its_day_is_dated_by_it_in_the_board_paper_and_the_log() {
    let env = register();
    import_trusts(&env);
    let commits = env.commit_count();
    let later = env.crs(&["move", OLD, "R1K/adult-critical-care", "--on", "2026-11-24"]);
    assert_eq!(later.code, 2, "a day after today is refused: {later}");
    assert!(later.stderr.contains("--on 2026-11-24 is after today (2026-11-23)"), "{later}");
    assert_eq!(env.commit_count(), commits, "nothing is recorded: {later}");
    assert!(env.root.join("RJ1/adult-critical-care.toml").exists());

    let moved =
        ok(&env, &["move", OLD, "R1K/adult-critical-care", "--on", "2026-04-01", "--reason", "Merger"]);
    assert!(
        moved.stderr.contains("moved RJ1/adult-critical-care to R1K/adult-critical-care on 1 April 2026"),
        "{moved}"
    );
    let message = env.git_cmd(&["log", "-1", "--format=%B"]);
    assert!(message.lines().any(|l| l == "Crs-On: 2026-04-01"), "{message}");

    let paper = ok(&env, &["report", "--since", "2026-01-01", "--format", "md"]).stdout;
    assert!(
        paper.contains(
            "- Adult critical care moved from Guy's and St Thomas' NHS Foundation Trust (RJ1) to London North West University Healthcare NHS Trust (R1K) on 1 April 2026."
        ),
        "the paper dates the move by the day it happened: {paper}"
    );
    assert!(!paper.contains("(R1K) on 23 November 2026"), "not by the day it was recorded: {paper}");
    let html = ok(&env, &["report", "--since", "2026-01-01", "--format", "html"]).stdout;
    assert!(html.contains("(R1K) on 1 April 2026"), "{html}");
    // A paper for a period after the move, though recorded in it, does not tell it.
    let after = ok(&env, &["report", "--since", "2026-06-01", "--format", "md"]).stdout;
    assert!(!after.contains("Adult critical care moved from"), "{after}");

    let log = ok(&env, &["log", "R1K/adult-critical-care"]).stdout;
    assert!(
        log.lines()
            .any(|l| l == "    R1K/adult-critical-care moved from RJ1/adult-critical-care on 1 April 2026"),
        "{log}"
    );
    let json = ok(&env, &["log", "-n", "1", "--format", "json"]).json();
    assert_eq!(json[0]["records"][0]["moved_on"], "2026-04-01", "{json}");
    let json = ok(&env, &["log", "R1K/adult-critical-care", "--format", "json"]).json();
    assert_eq!(json[0]["records"][0]["moved_on"], "2026-04-01", "{json}");

    // A move given no day is dated by the day it was recorded, and says no other.
    ok(&env, &["move", "R1K/adult-critical-care", "R1K/critical-care"]);
    let message = env.git_cmd(&["log", "-1", "--format=%B"]);
    assert!(!message.contains("Crs-On"), "{message}");
    let log = ok(&env, &["log", "R1K/critical-care", "-n", "1"]).stdout;
    assert!(log.lines().any(|l| l == "    R1K/critical-care moved from R1K/adult-critical-care"), "{log}");
    let paper = ok(&env, &["report", "--since", "2026-01-01", "--format", "md"]).stdout;
    assert!(
        paper.contains("was renamed from R1K/adult-critical-care to R1K/critical-care on 23 November 2026"),
        "{paper}"
    );
}

/// A review's calendar event keeps its UID when its record moves: a calendar that
/// imports the file again replaces the event rather than keeping two.
#[test]
fn a_moved_records_review_keeps_its_calendar_event() {
    let env = register();
    let uids = |env: &TestEnv| -> Vec<String> {
        let ics = ok(env, &["due", "--within", "3650", "--format", "ics"]).stdout;
        ics.lines().filter(|l| l.starts_with("UID:")).map(str::to_owned).collect()
    };
    let before = uids(&env);
    assert!(!before.is_empty(), "a review is due");
    ok(&env, &["move", OLD, "RJ2/adult-critical-care", "--provider-name", "Trust Two"]);
    assert_eq!(uids(&env), before);
}
