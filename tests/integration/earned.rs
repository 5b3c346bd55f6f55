//! Every decision earned, every daily step working: an event of any date goes in
//! its place and changes nothing recorded; each decision rests on its own assessment
//! and its own public involvement; a review a provider asks for is answered; the
//! rules say what they rest on.

use proptest::prelude::*;

use crate::harness::{TestEnv, assess_all, designated_record};
use crate::lifecycle::walk_to_designated;

const ID: &str = "RJ1/maternity";

fn ok(env: &TestEnv, args: &[&str]) -> crate::harness::Run {
    let run = env.crs(args);
    assert_eq!(run.code, 0, "crs {args:?}\n{run}");
    run
}

fn events(env: &TestEnv, id: &str) -> Vec<serde_json::Value> {
    env.crs(&["show", id, "--format", "json"]).json()["events"].as_array().cloned().unwrap_or_default()
}

#[test]
fn a_back_dated_event_without_a_note_goes_before_a_noted_one_and_the_log_tells_one_event() {
    let env = TestEnv::git();
    walk_to_designated(&env);
    env.at("2026-11-23");
    // The last event has a note; a letter dated before it is recorded without one.
    let before = events(&env, ID);
    assert!(before.last().unwrap()["note"].is_string());
    ok(&env, &["event", ID, "providers-notified", "--on", "2026-01-10"]);
    let after = events(&env, ID);
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after[1]["on"], "2026-01-10", "in date order: {after:?}");
    assert_eq!(after[1].get("note"), None);
    let mut kept = after.clone();
    kept.remove(1);
    assert_eq!(kept, before, "nothing recorded before changed");

    let log = env.crs(&["log", ID, "-n", "1", "--format", "json"]).json();
    let fields: Vec<&str> = log[0]["records"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["events[1].kind", "events[1].on"], "one event added, nothing else: {log}");
    let human = ok(&env, &["log", ID, "-n", "1"]);
    assert!(
        human
            .stdout
            .contains("The providers and others affected were told the work was starting on 10 January 2026"),
        "{human}"
    );
}

#[test]
fn a_confirmation_and_a_removal_each_need_their_own_assessment_and_involvement() {
    let env = TestEnv::git();
    walk_to_designated(&env);
    env.at("2026-09-01");
    ok(&env, &["review", "start", ID, "--on", "2026-09-01"]);
    let stale = env.crs(&["review", "complete", ID, "--confirm", "--next-due", "2030-01-01"]);
    assert_eq!(stale.code, 1, "{stale}");
    assert!(stale.stderr.contains("assessed before the review started on 1 September 2026"), "{stale}");
    assert!(stale.stderr.contains("crs assess RJ1/maternity --stage 1"), "{stale}");
    assert!(!stale.stderr.contains("designation kept ()"), "{stale}");

    assess_all(&env, ID, "2026-09-10", [true, false, true, true]);
    let confirmed =
        ok(&env, &["review", "complete", ID, "--confirm", "--next-due", "2030-01-01", "--on", "2026-09-20"]);
    assert!(
        confirmed.stderr.contains("designation kept (no-alternative-provider, dependent-services)"),
        "{confirmed}"
    );
    // The engagement of January was the designation's; the confirmation has none of its own.
    let check = env.crs(&["check", "--format", "json"]).json();
    let rules: Vec<&str> =
        check["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["no-public-involvement"], "{check}");
    assert!(!check.to_string().contains("was imported"), "no word of an import: {check}");

    // A removal after it needs stages assessed after the confirmation.
    env.at("2026-11-20");
    let stale = env.crs(&["remove", ID, "--decided-on", "2026-11-20"]);
    assert_eq!(stale.code, 1, "{stale}");
    assert!(stale.stderr.contains("assessed before the confirmation of 20 September 2026"), "{stale}");
    assess_all(&env, ID, "2026-11-01", [false, false, false, false]);
    ok(
        &env,
        &[
            "event",
            ID,
            "involvement-not-engaged",
            "--on",
            "2026-11-02",
            "--note=No change to services: the unit stays open",
        ],
    );
    // --on says what --decided-on says, as it does for crs review complete.
    ok(&env, &["remove", ID, "--on", "2026-11-20"]);
    assert!(env.read(&format!("{ID}.toml")).contains("outcome = \"remove\"\ndecided_on = 2026-11-20"));
    let check = env.crs(&["check", "--format", "json"]).json();
    assert_eq!(check["summary"]["errors"], 0, "{check}");
    let removal_findings: Vec<&serde_json::Value> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["message"].as_str().unwrap().contains("remove"))
        .collect();
    assert!(removal_findings.is_empty(), "the removal's involvement is recorded: {removal_findings:?}");
}

#[test]
fn a_decision_cannot_rest_on_an_assessment_made_after_its_day_nor_one_in_the_future() {
    let env = TestEnv::git();
    walk_to_designated(&env);
    env.at("2026-11-23");
    ok(&env, &["review", "start", ID, "--on", "2026-09-01"]);
    assess_all(&env, ID, "2026-11-20", [true, true, true, true]);
    let before = env.read(&format!("{ID}.toml"));
    for step in [
        vec!["review", "complete", ID, "--confirm", "--next-due", "2030-01-01", "--on", "2026-11-10"],
        vec!["review", "complete", ID, "--remove", "--on", "2026-11-10"],
    ] {
        let early = env.crs(&step);
        assert_eq!(early.code, 1, "{early}");
        assert!(
            early.stderr.contains("is dated 10 November 2026, but stage 1 alternative-provision was assessed on 20 November 2026"),
            "{early}"
        );
        assert_eq!(env.read(&format!("{ID}.toml")), before, "nothing written");
    }
    ok(&env, &["review", "complete", ID, "--confirm", "--next-due", "2030-01-01", "--on", "2026-11-20"]);

    let future =
        env.crs(&["assess", ID, "--stage", "4", "--not-met", "--rationale", "r", "--on", "2027-01-01"]);
    assert_eq!(future.code, 1, "{future}");
    assert!(future.stderr.contains("is dated 1 January 2027, after today (23 November 2026)"), "{future}");
    assert!(!env.read(&format!("{ID}.toml")).contains("2027-01-01"), "nothing written");
}

#[test]
fn a_designation_claiming_no_ground_is_an_error_even_under_review() {
    let env = TestEnv::new();
    let record = designated_record()
        .replace("grounds = [\"no-alternative-provider\", \"dependent-services\"]", "grounds = []")
        + "\n[[events]]\non = 2026-10-01\nkind = \"review-started\"\n";
    env.write("RJ1/designated.toml", record);
    let check = env.crs(&["check", "--format", "json"]);
    assert_eq!(check.code, 1, "{check}");
    let findings = check.json()["findings"].as_array().unwrap().clone();
    assert!(
        findings.iter().any(|f| f["rule"] == "grounds-mismatch"
            && f["message"].as_str().unwrap().contains("claims no ground")),
        "{findings:?}"
    );
}

#[test]
fn an_imported_record_decided_in_crs_is_not_called_imported() {
    let env = TestEnv::new();
    // Imported with one decision; the second was recorded in crs without its stages.
    let record = designated_record()
        .replace("schema_version = 1", "schema_version = 2")
        .replace("[decision]", "[[decisions]]")
        .replace("[review]", "[[decisions]]\noutcome = \"confirm\"\ngrounds = [\"no-alternative-provider\"]\ndecided_on = 2026-10-20\n\n[review]")
        + "\n[[events]]\non = 2026-10-01\nkind = \"review-started\"\n\n[[events]]\non = 2026-10-20\nkind = \"review-completed\"\n\n[source]\nimported_from = \"register.xlsx\"\nsheet = \"CRS\"\nrow = 4\ndecisions = 1\n";
    env.write("RJ1/designated.toml", record);
    let check = env.crs(&["check", "--format", "json"]).json();
    let stage: Vec<&serde_json::Value> =
        check["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "stage-missing").collect();
    assert_eq!(stage.len(), 1, "{check}");
    assert!(!check.to_string().contains("was imported"), "{check}");
}

#[test]
fn a_review_a_provider_asks_for_is_due_until_started_or_declined() {
    let env = TestEnv::git();
    walk_to_designated(&env);
    env.at("2026-11-01");
    ok(
        &env,
        &["event", ID, "review-requested", "--on", "2026-10-20", "--note", "The trust has opened a new unit"],
    );
    env.at("2026-11-23");
    let due = ok(&env, &["due", "--format", "json"]).json();
    let asked: Vec<&serde_json::Value> =
        due.as_array().unwrap().iter().filter(|i| i["kind"] == "review-requested").collect();
    assert_eq!(asked.len(), 1, "{due}");
    assert_eq!(asked[0]["due"], "2026-10-20");
    assert!(
        asked[0]["what"].as_str().unwrap().contains("asked for on 20 October 2026 (34 days ago)"),
        "{due}"
    );
    let check = env.crs(&["check", "--format", "json"]).json();
    assert!(check["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "review-requested"), "{check}");

    let empty = env.crs(&["review", "decline", ID, "--reason", " "]);
    assert_eq!(empty.code, 2, "{empty}");
    ok(
        &env,
        &[
            "review",
            "decline",
            ID,
            "--on",
            "2026-11-20",
            "--reason",
            "Reviewed in March; nothing has changed",
        ],
    );
    let due = ok(&env, &["due", "--format", "json"]).json();
    assert!(!due.to_string().contains("review-requested"), "{due}");
    let check = env.crs(&["check", "--format", "json"]).json();
    assert!(
        !check["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "review-requested"),
        "{check}"
    );
    let last = events(&env, ID).last().cloned().unwrap();
    assert_eq!(last["kind"], "review-declined");
    assert_eq!(last["note"], "Reviewed in March; nothing has changed");
    // Nothing waits for an answer now.
    assert_eq!(env.crs(&["review", "decline", ID, "--reason", "again"]).code, 1);
}

#[test]
fn due_and_list_give_the_designation_and_its_confirmations_their_own_days() {
    let env = TestEnv::copy_of("designations");
    let due = env.crs(&["due", "--format", "json"]).json();
    let trauma = due
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["record_id"] == "RJZ/major-trauma-centre" && i["kind"] == "never-submitted")
        .cloned()
        .unwrap();
    assert!(
        trauma["what"].as_str().unwrap().starts_with("designated 4 October 2022, confirmed 8 September 2026"),
        "{trauma}"
    );
    let listed = env.crs(&["list", "--format", "json", "--provider", "RJZ"]).json();
    let row =
        listed.as_array().unwrap().iter().find(|r| r["record_id"] == "RJZ/major-trauma-centre").unwrap();
    assert_eq!(row["designation_date"], "2022-10-04", "{row}");
    assert_eq!(row["decision_date"], "2026-09-08", "{row}");
}

#[test]
fn each_rule_says_what_it_rests_on() {
    let env = TestEnv::new();
    let explained = env.crs(&["check", "--explain", "request-unanswered"]);
    assert_eq!(explained.code, 0, "{explained}");
    assert!(explained.stdout.contains("a setting of this register, not law"), "{explained}");
    let involvement = env.crs(&["check", "--explain", "no-public-involvement"]);
    assert!(involvement.stdout.contains("Rests on statute: NHS Act 2006 s14Z45"), "{involvement}");
    let unknown = env.crs(&["check", "--explain", "no-such-rule"]);
    assert_eq!(unknown.code, 2, "{unknown}");
    assert!(unknown.stderr.contains("parse-error"), "the rules are listed: {unknown}");
}

#[test]
fn a_foundation_trust_is_never_licence_exempt_and_an_nhs_trust_is_licensed_today() {
    let env = TestEnv::git();
    let exempt = env.crs(&[
        "new",
        "RJ1/maternity",
        "--service",
        "Maternity",
        "--provider-name",
        "Guy's and St Thomas' NHS Foundation Trust",
        "--provider-kind",
        "foundation-trust",
        "--licence",
        "exempt",
    ]);
    assert_eq!(exempt.code, 1, "{exempt}");
    assert!(exempt.stderr.contains("error[foundation-trust-licence-exempt]"), "{exempt}");
    ok(
        &env,
        &[
            "new",
            "RJ2/maternity",
            "--service",
            "Maternity",
            "--provider-name",
            "Lewisham and Greenwich NHS Trust",
            "--provider-kind",
            "nhs-trust",
        ],
    );
    let record = env.crs(&["show", "RJ2/maternity", "--format", "json"]).json();
    assert_eq!(record["provider"]["licence"], "licensed", "NHS trusts hold the licence since 1 April 2023");
}

/// One command of a random sequence: an event that any status takes, with or
/// without a note.
#[derive(Clone, Debug)]
struct Step {
    kind: &'static str,
    day: u32,
    note: Option<String>,
}

fn step() -> impl Strategy<Value = Step> {
    let kind =
        prop::sample::select(vec!["providers-notified", "public-engagement", "involvement-not-engaged"]);
    // Days of 2026 up to "today" (23 November), and notes with quotes, hashes and a
    // leading hyphen.
    let note = prop::option::of(prop::sample::select(vec![
        "Letter to the trust".to_owned(),
        "-5% beds, \"urgent\" # not a comment".to_owned(),
        "Panel's view: keep the unit".to_owned(),
    ]));
    (kind, 1u32..327, note).prop_map(|(kind, day, note)| {
        // involvement-not-engaged says why, always.
        let note =
            if kind == "involvement-not-engaged" { note.or_else(|| Some("No change".into())) } else { note };
        Step { kind, day, note }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]

    /// Events of any date, with or without notes, in any order: each goes in its
    /// place, and every fact recorded before it is still there, byte for byte.
    #[test]
    fn events_in_any_order_keep_every_fact_recorded_before(steps in prop::collection::vec(step(), 1..6)) {
        let env = TestEnv::git();
        let created = env.crs(&["new", ID, "--service", "Maternity", "--provider-name", "Guy's and St Thomas' NHS Foundation Trust", "--provider-kind", "foundation-trust"]);
        prop_assert_eq!(created.code, 0, "{}", created);
        let mut recorded: Vec<(String, String, Option<String>)> = Vec::new();
        for step in steps {
            let on = chrono::NaiveDate::from_yo_opt(2026, step.day).unwrap().to_string();
            let before = env.read("RJ1/maternity.toml");
            let note_arg = step.note.as_ref().map(|n| format!("--note={n}"));
            let mut args = vec!["event", ID, step.kind, "--on", &on];
            args.extend(note_arg.as_deref());
            let run = env.crs(&args);
            prop_assert_eq!(run.code, 0, "{:?}: {}", args, run);
            let after = env.read("RJ1/maternity.toml");
            // Every event table written before is still in the file, byte for byte.
            for table in before.split("\n\n").filter(|t| t.starts_with("[[events]]")) {
                prop_assert!(after.contains(table), "lost {table:?} from\n{after}");
            }
            recorded.push((on, step.kind.to_owned(), step.note.clone()));
            let shown: Vec<(String, String, Option<String>)> = events(&env, ID)
                .iter()
                .map(|e| (e["on"].as_str().unwrap().to_owned(), e["kind"].as_str().unwrap().to_owned(), e["note"].as_str().map(str::to_owned)))
                .collect();
            let mut expected = recorded.clone();
            expected.sort_by(|a, b| a.0.cmp(&b.0));
            let mut got = shown.clone();
            got.sort_by(|a, b| a.0.cmp(&b.0));
            let mut expected_set = expected.clone();
            expected_set.sort();
            let mut got_set = got.clone();
            got_set.sort();
            prop_assert_eq!(got_set, expected_set);
            let days: Vec<&String> = shown.iter().map(|e| &e.0).collect();
            prop_assert!(days.windows(2).all(|w| w[0] <= w[1]), "not in date order: {days:?}");
        }
    }
}

#[test]
fn due_says_when_the_register_changed_since_its_last_submission() {
    let env = submitted_on_23_november();
    let due = env.crs(&["due", "--format", "json"]).json();
    assert!(!due.to_string().contains("resubmit"), "nothing changed since: {due}");
    ok(&env, &["event", ID, "public-engagement", "--on", "2026-11-23", "--note", "Annual update"]);
    assert_one_record_to_resubmit(&env);
    let human = ok(&env, &["due"]);
    assert!(human.stdout.contains("(the register)"), "{human}");
}

#[test]
fn the_log_of_an_old_id_says_where_the_record_moved() {
    let env = TestEnv::git();
    walk_to_designated(&env);
    env.at("2026-11-23");
    ok(&env, &["move", ID, "RJ1/maternity-unit"]);
    let log = ok(&env, &["log", ID]);
    assert!(log.stdout.contains("RJ1/maternity moved to RJ1/maternity-unit"), "{log}");
    assert!(!log.stdout.contains("RJ1/maternity removed"), "{log}");
}

/// A removal the regulator has not been sent is due as a designation is: its list
/// still names the service until a submission tells it.
#[test]
fn due_names_a_removal_not_yet_sent_to_the_regulator() {
    let env = TestEnv::copy_of("designations");
    env.git_init();
    let removal = |due: &serde_json::Value| {
        due.as_array()
            .unwrap()
            .iter()
            .filter(|i| i["record_id"] == "RV5/eating-disorders-inpatient")
            .map(|i| i["what"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let due = env.crs(&["due", "--within", "3650", "--format", "json"]).json();
    assert_eq!(
        removal(&due),
        [
            "removal decided on 3 February 2026 (the provider was told on 10 February 2026), and not sent to the regulator since"
        ],
        "{due}"
    );
    let submitted = env.crs(&["submit", "-o", "../bundle"]);
    assert_eq!(submitted.code, 0, "{submitted}");
    let due = env.crs(&["due", "--within", "3650", "--format", "json"]).json();
    assert!(removal(&due).is_empty(), "sent: {due}");
}

/// A record moved since the last submission is one record changed, not two.
#[test]
fn due_counts_a_moved_record_once() {
    let env = submitted_on_23_november();
    ok(&env, &["move", ID, "RJ1/maternity-unit"]);
    assert_one_record_to_resubmit(&env);
}

/// The designated record, submitted on 23 November 2026.
fn submitted_on_23_november() -> TestEnv {
    let env = TestEnv::git();
    walk_to_designated(&env);
    env.at("2026-11-23");
    let submitted = env.crs(&["submit", "-o", "../bundle"]);
    assert_eq!(submitted.code, 0, "{submitted}");
    env
}

/// `crs due` asks for one resubmission, of one record changed since 23 November 2026.
fn assert_one_record_to_resubmit(env: &TestEnv) {
    let due = env.crs(&["due", "--format", "json"]).json();
    let again: Vec<&serde_json::Value> =
        due.as_array().unwrap().iter().filter(|i| i["kind"] == "resubmit").collect();
    assert_eq!(again.len(), 1, "{due}");
    assert!(
        again[0]["what"]
            .as_str()
            .unwrap()
            .starts_with("1 record changed since the submission of 23 November 2026"),
        "{due}"
    );
}
