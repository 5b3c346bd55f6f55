//! A designation's whole life on a real repository: reviewed and confirmed, moved to
//! a new provider code, removed, and what is due along the way. Every decision is
//! kept; each step is one commit.

use crate::harness::{Run, TestEnv, assess_all, designated_record};
use crate::lifecycle::walk_to_designated;

const ID: &str = "RJ1/maternity";

fn ok(env: &TestEnv, args: &[&str]) -> Run {
    let run = env.crs(args);
    assert_eq!(run.code, 0, "crs {args:?}\n{run}");
    run
}

/// A designated record (decided 2026-02-10, review due 2029-02-01) and its steps.
fn designated() -> TestEnv {
    let env = TestEnv::git();
    walk_to_designated(&env);
    env
}

fn show(env: &TestEnv, id: &str) -> serde_json::Value {
    env.crs(&["show", id, "--format", "json"]).json()
}

#[test]
fn a_review_keeps_the_designation_in_force_and_closes_with_a_new_due_date() {
    let env = designated();
    env.at("2026-06-01");
    let start = ok(&env, &["review", "start", ID, "--on", "2026-06-01", "--requested-by", "provider"]);
    insta::assert_snapshot!(start.stderr);
    assert_eq!(show(&env, ID)["status"], "under-review");
    // The provider's request came by the start; its own day was not given.
    let request = show(&env, ID)["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "review-requested")
        .cloned()
        .unwrap();
    assert_eq!(request["date_known"], false, "{request}");
    assert_eq!(request["on"], "2026-06-01", "the latest day it can have happened: {request}");
    let shown = env.crs(&["show", ID]).stdout;
    assert!(
        shown.contains("by 1 June 2026 (day not recorded); the step's on below is the latest day"),
        "the record as written says its undated step is undated: {shown}"
    );
    let listed = env.crs(&["list", "--status", "designated,under-review", "--format", "json"]).json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "the designation stays in force during the review");

    // A review started cannot start again, nor end without saying how.
    assert_eq!(env.crs(&["review", "start", ID]).code, 1);
    assert_eq!(env.crs(&["review", "complete", ID]).code, 2);

    // The review reassesses a stage in place; the designation's grounds are not
    // held against it until the review ends.
    env.at("2026-06-20");
    ok(
        &env,
        &[
            "assess",
            ID,
            "--stage",
            "2",
            "--met",
            "--rationale",
            "Deprivation has risen in the catchment",
            "--on",
            "2026-06-20",
        ],
    );
    // The confirmation rests on the review's own assessment of every stage.
    let early =
        env.crs(&["review", "complete", ID, "--confirm", "--next-due", "2031-07-01", "--on", "2026-07-01"]);
    assert_eq!(early.code, 1, "{early}");
    assert!(early.stderr.contains("assessed before the review started on 1 June 2026"), "{early}");
    assess_all(&env, ID, "2026-06-20", [true, true, true, true]);
    ok(
        &env,
        &["event", ID, "public-engagement", "--on", "2026-06-25", "--note", "Maternity Voices Partnership"],
    );
    env.at("2026-07-01");
    let complete = ok(
        &env,
        &[
            "review",
            "complete",
            ID,
            "--confirm",
            "--next-due",
            "2031-07-01",
            "--on",
            "2026-07-01",
            "--by",
            "ICB Board",
        ],
    );
    insta::assert_snapshot!(complete.stderr);
    let record = show(&env, ID);
    assert_eq!(record["status"], "designated");
    assert_eq!(record["review"]["next_due"], "2031-07-01");
    let outcomes: Vec<&str> =
        record["decisions"].as_array().unwrap().iter().map(|d| d["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["designate", "confirm"], "the designation is kept beside its confirmation");
    assert_eq!(
        record["decisions"][1]["grounds"],
        serde_json::json!(["no-alternative-provider", "health-inequalities", "dependent-services"])
    );
    assert_eq!(
        env.git_cmd(&["log", "-1", "--format=%(trailers:key=Crs-Action,valueonly)"]).trim(),
        "review-complete"
    );
    let check = env.crs(&["check", "--format", "json"]).json();
    assert_eq!(check["summary"]["errors"], 0, "{check}");
}

#[test]
fn a_removal_keeps_the_designation_it_ends() {
    let env = designated();
    env.at("2026-09-01");
    let stale = env.crs(&["remove", ID, "--decided-on", "2026-09-01"]);
    assert_eq!(stale.code, 1, "a removal needs its own assessment: {stale}");
    assert!(stale.stderr.contains("assessed before the designation of 10 February 2026"), "{stale}");
    assess_all(&env, ID, "2026-08-20", [false, false, false, false]);
    ok(
        &env,
        &["event", ID, "public-engagement", "--on", "2026-08-25", "--note", "Maternity Voices Partnership"],
    );
    let remove = ok(
        &env,
        &["remove", ID, "--decided-on", "2026-09-01", "--by", "ICB Board", "--reference", "BD/26/090"],
    );
    assert!(remove.stderr.contains("stays in force until the provider is told"), "{remove}");
    assert_eq!(show(&env, ID)["status"], "designated", "in force until the provider is told");
    ok(&env, &["event", ID, "provider-notified-of-removal", "--on", "2026-09-05"]);
    let record = show(&env, ID);
    assert_eq!(record["status"], "removed");
    let decisions = record["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 2);
    assert_eq!(decisions[0]["outcome"], "designate");
    assert_eq!(decisions[0]["decided_on"], "2026-02-10");
    assert_eq!(decisions[0]["grounds"], serde_json::json!(["no-alternative-provider", "dependent-services"]));
    assert_eq!(decisions[1]["outcome"], "remove");
    assert!(record.get("review").is_none(), "a removed designation has no review due");

    // The regulator's rows show the designation's date and grounds beside the
    // removal's own day, maker and reference, in the section of removals.
    let export = env.crs(&["export", "--format", "json", "--status", "removed"]).json();
    let row = &export["designations"][0];
    assert_eq!(row["status"], "removed", "{row}");
    assert_eq!(row["section"], "removed", "{row}");
    assert_eq!(row["designation_date"], "2026-02-10", "{row}");
    assert_eq!(row["removal_date"], "2026-09-01", "{row}");
    assert_eq!(row["removed_by"], "ICB Board", "{row}");
    assert_eq!(row["removal_reference"], "BD/26/090", "{row}");
    assert_eq!(row["ground_no_alternative_provider"], true, "{row}");
    assert_eq!(row["review_due"], serde_json::Value::Null, "{row}");
    assert_eq!(export["about"]["sections"]["removed"]["records"], 1, "{export}");

    let listed = env.crs(&["list", "--format", "json"]).json();
    assert_eq!(listed[0]["designation_date"], "2026-02-10", "{listed}");
    assert_eq!(listed[0]["decision_date"], "2026-09-01", "{listed}");

    // A removal cannot be decided twice.
    assert_eq!(env.crs(&["remove", ID]).code, 1);
}

#[test]
fn a_version_1_record_is_upgraded_when_a_decision_is_added() {
    let env = TestEnv::git();
    env.write("RJ1/designated.toml", designated_record());
    env.commit_all("a version 1 record");
    env.at("2026-11-20");
    ok(&env, &["review", "start", "RJ1/designated", "--on", "2026-11-20"]);
    assess_all(&env, "RJ1/designated", "2026-11-20", [false, false, false, false]);
    ok(&env, &["review", "complete", "RJ1/designated", "--remove", "--on", "2026-11-21"]);
    let text = env.read("RJ1/designated.toml");
    assert!(text.contains("schema_version = 2"), "{text}");
    assert!(!text.contains("[decision]\n"), "{text}");
    assert_eq!(text.matches("[[decisions]]").count(), 2, "{text}");
    assert_eq!(show(&env, "RJ1/designated")["decisions"][0]["outcome"], "designate");
}

#[test]
fn migrate_rewrites_every_version_1_record_in_one_commit_keeping_comments() {
    // The examples are version 1 records, one in each status.
    let env = TestEnv::copy_of("examples/records/valid");
    env.write("crs.toml", crate::harness::SETTINGS);
    let env = env.committed();
    let before_commits = env.commit_count();
    let check_before = env.crs(&["check", "--format", "json"]).json();
    env.write(
        "RJ1/removed.toml",
        format!("# kept: a comment of the team's\n{}", env.read("RJ1/removed.toml")),
    );
    env.commit_all("a comment");
    let dry = ok(&env, &["migrate", "--dry-run"]);
    assert!(dry.stderr.contains("dry run"), "{dry}");
    assert_eq!(env.commit_count(), before_commits + 1);
    let run = ok(&env, &["migrate"]);
    insta::assert_snapshot!(
        run.stderr.replace(env.git_cmd(&["rev-parse", "--short=10", "HEAD"]).trim(), "[COMMIT]")
    );
    assert_eq!(env.commit_count(), before_commits + 2, "one commit");
    assert!(env.read("RJ1/removed.toml").starts_with("# kept: a comment of the team's\n"));
    let statuses = |env: &TestEnv| env.crs(&["list", "--format", "json"]).json();
    assert!(
        statuses(&env)
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["record_id"].as_str().unwrap().ends_with(r["status"].as_str().unwrap()))
    );
    let check_after = env.crs(&["check", "--format", "json"]).json();
    assert_eq!(check_after["summary"], check_before["summary"], "the records say the same");
    assert!(ok(&env, &["migrate"]).stderr.contains("nothing to migrate"));
}

#[test]
fn move_is_one_rename_and_the_log_and_the_export_follow_it() {
    let env = designated();
    env.git_cmd(&["tag", "-a", "crs/submission/2026-06-01", "-m", "a submission"]);
    env.at("2026-10-01");
    let moved = ok(
        &env,
        &[
            "move",
            ID,
            "RJZ/maternity",
            "--provider-name",
            "King's College Hospital NHS Foundation Trust",
            "--reason",
            "Merger",
        ],
    );
    insta::assert_snapshot!(
        moved.stderr.replace(env.git_cmd(&["rev-parse", "--short=10", "HEAD"]).trim(), "[COMMIT]")
    );
    assert!(!env.root.join("RJ1").exists(), "the emptied folder goes");
    let record = show(&env, "RJZ/maternity");
    assert_eq!(record["previous_ids"], serde_json::json!(["RJ1/maternity"]));
    assert_eq!(record["provider"]["ods"], "RJZ");
    assert_eq!(record["status"], "designated");
    let status = env.git_cmd(&["show", "--name-status", "--format=", "-M", "HEAD"]);
    assert!(status.starts_with("R"), "git sees a rename: {status}");

    let log = env.crs(&["log", "RJZ/maternity", "--format", "json"]).json();
    let subjects: Vec<&str> =
        log.as_array().unwrap().iter().map(|e| e["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects.len(), 13, "the move, and every step before it: {subjects:?}");
    assert!(subjects[0].starts_with("move RJ1/maternity to RJZ/maternity"), "{subjects:?}");
    assert!(subjects.last().unwrap().starts_with("new RJ1/maternity"), "{subjects:?}");

    let changes = env.crs(&["export", "--format", "json", "--changes-since", "last-submission"]).json();
    let kinds: Vec<&str> =
        changes["changes"].as_array().unwrap().iter().map(|c| c["change"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["moved"], "{changes}");
    assert_eq!(env.crs(&["check", "--format", "json"]).json()["summary"]["errors"], 0);
}

#[test]
fn due_lists_what_needs_doing_soonest_first_with_the_next_command() {
    let env = TestEnv::copy_of("designations").committed();
    let human = ok(&env, &["due", "--within", "365"]);
    insta::assert_snapshot!(human.stdout);
    let json = ok(&env, &["due", "--before", "2027-01-01", "--format", "json"]).json();
    let items = json.as_array().unwrap();
    let dues: Vec<&str> = items.iter().map(|i| i["due"].as_str().unwrap()).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "soonest first: {dues:?}");
    assert!(dues.iter().all(|d| *d < "2027-01-01"), "{dues:?}");
    assert!(items.iter().all(|i| i["next"].as_str().unwrap().starts_with("crs ")));
}

#[test]
fn due_writes_a_calendar_that_a_calendar_reader_takes() {
    let env = TestEnv::copy_of("designations").committed();
    let ics = ok(&env, &["due", "--within", "1500", "--format", "ics"]);
    let path = env.outside().join("reviews.ics");
    std::fs::write(&path, &ics.stdout).unwrap();
    assert!(ics.stdout.starts_with("BEGIN:VCALENDAR\r\n") && ics.stdout.ends_with("END:VCALENDAR\r\n"));
    // Python's icalendar, as calendar programs read the file.
    let script = format!(
        "import icalendar,sys\ncal=icalendar.Calendar.from_ical(open({:?},'rb').read())\nfor e in cal.walk('VEVENT'):\n print(e['DTSTART'].dt, e['SUMMARY'])\n",
        path.display().to_string()
    );
    let out = std::process::Command::new("python3").args(["-c", &script]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

/// The calendar crs writes for `args`, as Python's icalendar reads it after checking
/// it is a complete calendar: a line `DTSTART UID SUMMARY` for each event.
fn calendar_events(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let mut all = vec!["due", "--format", "ics"];
    all.extend_from_slice(args);
    let ics = ok(env, &all);
    let path = env.outside().join("due.ics");
    std::fs::write(&path, &ics.stdout).unwrap();
    let script = format!(
        "import icalendar\ncal=icalendar.Calendar.from_ical(open({:?},'rb').read())\ncal.validate()\nfor e in cal.walk('VEVENT'):\n print(e['DTSTART'].dt, e['UID'], e['SUMMARY'])\n",
        path.display().to_string()
    );
    let out = std::process::Command::new("python3").args(["-c", &script]).output().unwrap();
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stderr), ics.stdout);
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect()
}

#[test]
fn an_overdue_review_is_on_today_in_the_calendar_and_keeps_its_uid_when_its_day_moves() {
    let env = TestEnv::git();
    env.write(
        "RJ1/designated.toml",
        designated_record().replace("next_due = 2029-02-01", "next_due = 2026-03-01"),
    );
    env.commit_all("a review overdue since March");
    let overdue = calendar_events(&env, &[]);
    assert_eq!(
        overdue,
        [
            "2026-11-23 crs-review-RJ1-designated@crs CRS review overdue since 1 March 2026: Maternity: designated example (Guy's and St Thomas' NHS Foundation Trust)"
        ],
        "on today's date, not back in March"
    );
    let ics = ok(&env, &["due", "--format", "ics"]).stdout.replace("\r\n ", "");
    assert!(ics.contains("Overdue since 1 March 2026."), "{ics}");

    // The review moves to next year: the same event, on its new day.
    env.write(
        "RJ1/designated.toml",
        designated_record().replace("next_due = 2029-02-01", "next_due = 2027-02-01"),
    );
    let moved = calendar_events(&env, &["--within", "365"]);
    assert_eq!(
        moved,
        [
            "2027-02-01 crs-review-RJ1-designated@crs CRS review due: Maternity: designated example (Guy's and St Thomas' NHS Foundation Trust)"
        ]
    );
}

#[test]
fn a_calendar_with_nothing_due_is_still_a_calendar() {
    let env = TestEnv::git();
    assert_eq!(calendar_events(&env, &[]), Vec::<String>::new());
    env.write("RJ1/designated.toml", designated_record());
    assert_eq!(calendar_events(&env, &["--within", "30"]), Vec::<String>::new());
}

#[test]
fn in_force_on_reads_the_dates_of_decisions_and_as_of_reads_the_commits() {
    let env = designated();
    env.at("2026-09-01");
    assess_all(&env, ID, "2026-08-20", [false, false, false, false]);
    ok(&env, &["remove", ID, "--decided-on", "2026-09-01"]);
    ok(&env, &["event", ID, "provider-notified-of-removal", "--on", "2026-09-05"]);
    let in_force = |args: &[&str]| -> usize {
        let mut all = vec!["list", "--format", "json"];
        all.extend_from_slice(args);
        env.crs(&all).json().as_array().unwrap().len()
    };
    assert_eq!(in_force(&["--in-force-on", "2026-01-01"]), 0, "not yet designated");
    assert_eq!(in_force(&["--in-force-on", "2026-06-01"]), 1, "designated then");
    assert_eq!(in_force(&["--in-force-on", "2026-09-03"]), 1, "removal decided, not yet told");
    assert_eq!(in_force(&["--in-force-on", "2026-10-01"]), 0, "removed");
    // What the register said on 1 March 2026 about 1 June 2026: still being decided.
    assert_eq!(in_force(&["--as-of", "2026-03-01", "--in-force-on", "2026-06-01"]), 0);
    // The review date and the provider are the register's now, and the list says so.
    let listed = ok(&env, &["list", "--in-force-on", "2026-06-01"]);
    assert!(
        listed.stderr.contains("note: each status and decision as it stood on 1 June 2026; provider, review due and names as the register holds them now"),
        "{listed}"
    );
    let export = env.crs(&["export", "--format", "json", "--in-force-on", "2026-06-01"]).json();
    assert_eq!(export["designations"][0]["status"], "designated", "{export}");
}
