//! A team on one register: two analysts, each with a clone of one shared (bare)
//! repository, change the same record, and git merges their changes field by field
//! through crs's merge driver (crs setup), by merge or by rebase. A field changed
//! two ways, or a merge that would break a rule, is a conflict crs check names.
//! Every repository is checked by git fsck when its test ends (the harness).

use std::path::PathBuf;

use crate::harness::{Run, TestEnv, designated_record};

const ID: &str = "RJ1/maternity";
const FILE: &str = "RJ1/maternity.toml";

/// Alice's register (made by crs init) and Bob's clone of it, both pushing to one
/// bare repository.
struct Team {
    alice: TestEnv,
    bob: TestEnv,
    remote: PathBuf,
}

/// The variables that make Bob the one who records a change.
const BOB: [(&str, &str); 4] = [
    ("GIT_AUTHOR_NAME", "Bob Builder"),
    ("GIT_AUTHOR_EMAIL", "bob.builder@icb.example"),
    ("GIT_COMMITTER_NAME", "Bob Builder"),
    ("GIT_COMMITTER_EMAIL", "bob.builder@icb.example"),
];

/// Alice commits `record` as RJ1/maternity and pushes; Bob clones and runs crs setup.
fn team(record: &str) -> Team {
    let alice = TestEnv::git();
    alice.write(FILE, record);
    alice.commit_all("RJ1/maternity, as it stands");
    let remote = alice.outside().join("remote.git");
    let remote_path = remote.display().to_string();
    alice.git_cmd(&["init", "-q", "--bare", "-b", "main", &remote_path]);
    alice.git_cmd(&["remote", "add", "origin", &remote_path]);
    alice.git_cmd(&["push", "-q", "-u", "origin", "main"]);
    let bob = TestEnv::clone_of(&remote);
    let setup = bob.crs(&["setup"]);
    assert_eq!(setup.code, 0, "{setup}");
    Team { alice, bob, remote }
}

fn ok(run: Run, what: &str) -> Run {
    assert_eq!(run.code, 0, "{what}\n{run}");
    run
}

fn alice(team: &Team, args: &[&str]) -> Run {
    ok(team.alice.crs(args), &format!("alice: crs {args:?}"))
}

fn bob(team: &Team, args: &[&str]) -> Run {
    ok(team.bob.crs_with(args, &BOB), &format!("bob: crs {args:?}"))
}

/// Bob pulls, merging (`--no-rebase`) or rebasing; what git did.
fn bob_pulls(team: &Team, how: &str) -> Run {
    team.bob.git_in(&["pull", "-q", how, "origin", "main"], &BOB, &[])
}

/// The (date, kind) of the record's events, in Bob's clone.
fn events(env: &TestEnv) -> Vec<(String, String)> {
    let shown = env.crs(&["show", ID, "--format", "json"]).json();
    let events = shown["events"].as_array().cloned().unwrap_or_default();
    events
        .iter()
        .map(|e| (e["on"].as_str().unwrap().to_owned(), e["kind"].as_str().unwrap().to_owned()))
        .collect()
}

fn pair(on: &str, kind: &str) -> (String, String) {
    (on.to_owned(), kind.to_owned())
}

/// The designated example without its decision: assessed and engaged, not decided.
fn undecided_record() -> String {
    let record = designated_record();
    let start = record.find("[decision]").unwrap();
    let end = record.find("[[events]]").unwrap();
    format!("{}{}", &record[..start], &record[end..])
}

#[test]
fn two_events_from_two_sides_merge_and_rebase_into_one_record_in_date_order() {
    for how in ["--no-rebase", "--rebase"] {
        let team = team(&designated_record());
        let before = events(&team.bob);
        alice(&team, &["event", ID, "public-engagement", "--on", "2026-11-20", "--note", "Maternity Voices"]);
        team.alice.git_cmd(&["push", "-q"]);
        bob(&team, &["event", ID, "providers-notified", "--on", "2026-11-10"]);
        let pulled = bob_pulls(&team, how);
        assert_eq!(pulled.code, 0, "git pull {how}\n{pulled}");
        let mut expected = before.clone();
        expected.push(pair("2026-11-10", "providers-notified"));
        expected.push(pair("2026-11-20", "public-engagement"));
        assert_eq!(events(&team.bob), expected, "{how}");
        let text = team.bob.read(FILE);
        assert!(text.contains("note = \"Maternity Voices\""), "{text}");
        let check = team.bob.crs(&["check"]);
        assert_eq!(check.code, 0, "{how}\n{check}");
        assert!(!check.stdout.contains("crs setup"), "{check}");
        // Bob's merged history goes back to Alice, who pulls it and has the same record.
        team.bob.git_cmd(&["push", "-q", "origin", "HEAD:main"]);
        team.alice.git_cmd(&["pull", "-q", "--ff-only"]);
        assert_eq!(team.alice.read(FILE), text);
    }
}

#[test]
fn the_log_of_a_merged_record_shows_who_recorded_what_on_both_sides() {
    let team = team(&designated_record());
    alice(&team, &["event", ID, "public-engagement", "--on", "2026-11-20"]);
    team.alice.git_cmd(&["push", "-q"]);
    bob(&team, &["event", ID, "providers-notified", "--on", "2026-11-10"]);
    assert_eq!(bob_pulls(&team, "--no-rebase").code, 0);
    let log = team.bob.crs(&["log", ID, "--format", "json"]).json();
    let entries = log.as_array().unwrap();
    let by = |kind: &str| {
        entries
            .iter()
            .find(|e| e.to_string().contains(kind))
            .map(|e| e["author"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no entry for {kind}: {log:#}"))
    };
    assert_eq!(by("public-engagement"), "Ann Analyst");
    assert_eq!(by("providers-notified"), "Bob Builder");
    // The merge made nothing new of the record: each change is shown once, on its side.
    assert_eq!(entries.len(), 3, "{log:#}");
    assert!(entries.iter().all(|e| !e["subject"].as_str().unwrap().starts_with("Merge")), "{log:#}");
    let whole = team.bob.crs(&["log", "--format", "json"]).json();
    assert!(
        whole.as_array().unwrap().iter().all(|e| !e["subject"].as_str().unwrap().starts_with("Merge")),
        "{whole:#}"
    );
}

#[test]
fn the_same_event_from_both_sides_is_kept_once() {
    let team = team(&designated_record());
    let before = events(&team.bob);
    alice(&team, &["event", ID, "public-engagement", "--on", "2026-11-20"]);
    team.alice.git_cmd(&["push", "-q"]);
    bob(&team, &["event", ID, "public-engagement", "--on", "2026-11-20"]);
    let pulled = bob_pulls(&team, "--no-rebase");
    assert_eq!(pulled.code, 0, "{pulled}");
    let mut expected = before;
    expected.push(pair("2026-11-20", "public-engagement"));
    assert_eq!(events(&team.bob), expected);
    assert_eq!(team.bob.crs(&["check"]).code, 0);
}

#[test]
fn a_decision_on_one_side_and_an_event_on_the_other_are_both_kept() {
    let team = team(&undecided_record());
    alice(
        &team,
        &[
            "designate",
            ID,
            "--decided-on",
            "2026-02-03",
            "--by",
            "ICB Board",
            "--reference",
            "BD/26/031",
            "--review-due",
            "2029-02-01",
        ],
    );
    team.alice.git_cmd(&["push", "-q"]);
    bob(&team, &["event", ID, "providers-notified", "--on", "2026-01-05"]);
    let pulled = bob_pulls(&team, "--rebase");
    assert_eq!(pulled.code, 0, "{pulled}");
    let shown = team.bob.crs(&["show", ID, "--format", "json"]).json();
    assert_eq!(shown["status"], "designated", "{shown:#}");
    assert!(events(&team.bob).contains(&pair("2026-01-05", "providers-notified")));
    let check = team.bob.crs(&["check"]);
    assert_eq!(check.code, 0, "{check}");
}

#[test]
fn one_field_changed_to_two_values_is_a_conflict_check_names_by_record_and_field() {
    let team = team(&designated_record());
    let original = "description = \"Example service for the crs documentation\"";
    let edit = |env: &TestEnv, to: &str| {
        let text = env.read(FILE).replace(original, &format!("description = \"{to}\""));
        env.write(FILE, text);
    };
    edit(&team.alice, "Consultant-led obstetric unit");
    team.alice.commit_all("description, as Alice has it");
    team.alice.git_cmd(&["push", "-q"]);
    edit(&team.bob, "Obstetric and midwife-led units");
    team.bob.commit_all("description, as Bob has it");
    let pulled = bob_pulls(&team, "--no-rebase");
    assert_ne!(pulled.code, 0, "{pulled}");
    assert!(pulled.stderr.contains("service.description"), "{pulled}");
    let text = team.bob.read(FILE);
    assert!(text.contains("<<<<<<< ") && text.contains(">>>>>>> "), "{text}");
    let check = team.bob.crs(&["check"]);
    assert_eq!(check.code, 1, "{check}");
    assert!(check.stdout.contains("error[merge-conflict]"), "{check}");
    assert!(check.stdout.contains("RJ1/maternity: service.description changed on both sides"), "{check}");
    assert!(check.stdout.contains("git merge --continue"), "{check}");
    // Writes are refused until the merge is finished.
    let write = team.bob.crs_with(&["event", ID, "public-engagement", "--on", "2026-11-21"], &BOB);
    assert_ne!(write.code, 0, "{write}");
    // Bob keeps his value and finishes the merge; the record reads again.
    let resolved: String = text
        .lines()
        .scan(0, |state, line| {
            let keep = match line {
                l if l.starts_with("<<<<<<< ") => {
                    *state = 1;
                    false
                }
                "=======" => {
                    *state = 2;
                    false
                }
                l if l.starts_with(">>>>>>> ") => {
                    *state = 0;
                    false
                }
                _ => *state != 2,
            };
            Some(keep.then(|| format!("{line}\n")))
        })
        .flatten()
        .collect();
    team.bob.write(FILE, resolved);
    team.bob.git_cmd(&["add", FILE]);
    team.bob.git_in(&["commit", "-q", "--no-edit"], &BOB, &[]);
    let check = team.bob.crs(&["check"]);
    assert_eq!(check.code, 0, "{check}");
    assert!(team.bob.read(FILE).contains("Obstetric and midwife-led units"));
}

#[test]
fn a_merge_that_would_record_two_decisions_on_one_day_is_a_conflict() {
    let team = team(&undecided_record());
    let designate = |reference: &str| -> Vec<String> {
        [
            "designate",
            ID,
            "--decided-on",
            "2026-02-03",
            "--by",
            "ICB Board",
            "--reference",
            reference,
            "--review-due",
            "2029-02-01",
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let args = designate("BD/26/031");
    alice(&team, &args.iter().map(String::as_str).collect::<Vec<_>>());
    team.alice.git_cmd(&["push", "-q"]);
    let args = designate("BD/26/032");
    bob(&team, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let pulled = bob_pulls(&team, "--no-rebase");
    assert_ne!(pulled.code, 0, "{pulled}");
    let check = team.bob.crs(&["check"]);
    assert_eq!(check.code, 1, "{check}");
    assert!(check.stdout.contains("error[merge-conflict]"), "{check}");
    assert!(check.stdout.contains("RJ1/maternity: "), "{check}");
}

#[test]
fn check_notes_a_clone_without_the_merge_driver_and_setup_is_idempotent() {
    let team = team(&designated_record());
    let plain = TestEnv::clone_of(&team.remote);
    let check = plain.crs(&["check"]);
    assert_eq!(check.code, 0, "{check}");
    assert!(check.stdout.contains("merge.crs.driver is not set in this clone); run crs setup"), "{check}");
    let again = team.bob.crs(&["setup"]);
    assert_eq!(again.code, 0, "{again}");
    assert!(again.stderr.contains("nothing changed"), "{again}");
    let commits = team.bob.commit_count();
    assert_eq!(team.bob.commit_count(), commits);
    assert!(team.bob.git_cmd(&["config", "merge.crs.driver"]).contains("merge-file %O %A %B %P"));
}

#[test]
fn the_log_shows_a_merge_that_kept_one_side_as_removing_the_other_sides_fact() {
    let team = team(&designated_record());
    alice(&team, &["event", ID, "providers-notified", "--on", "2026-11-20", "--note", "Letter to the trust"]);
    team.alice.git_cmd(&["push", "-q"]);
    let alices = team.alice.read(FILE);
    bob(&team, &["event", ID, "public-engagement", "--on", "2026-11-10", "--note", "Healthwatch survey"]);
    // Bob merges, and keeps Alice's version of the record: his engagement is gone.
    let pulled = team.bob.git_in(&["pull", "-q", "--no-rebase", "--no-commit", "origin", "main"], &BOB, &[]);
    assert_eq!(pulled.code, 0, "{pulled}");
    team.bob.write(FILE, &alices);
    team.bob.git_cmd(&["add", FILE]);
    team.bob.git_in(&["commit", "-q", "--no-edit"], &BOB, &[]);
    let log = team.bob.crs(&["log", ID]);
    assert_eq!(log.code, 0, "{log}");
    let merge = log.stdout.split("\n\n").find(|e| e.contains("Merge")).unwrap_or_else(|| panic!("{log}"));
    assert!(merge.contains("Bob Builder"), "{merge}");
    assert!(
        merge.contains("Removed in a merge: The public was involved on 10 November 2026: Healthwatch survey"),
        "{merge}"
    );
    assert!(!merge.contains("Letter to the trust"), "{merge}");
    let json = team.bob.crs(&["log", ID, "--format", "json"]).json();
    let removed = &json[0]["records"][0]["removed_in_merge"];
    assert!(removed.to_string().contains("Healthwatch survey"), "{json:#}");
    // The whole register's log says the same.
    let whole = team.bob.crs(&["log"]);
    assert!(whole.stdout.contains("Removed in a merge: The public was involved"), "{whole}");
}

#[test]
fn one_stage_assessed_two_ways_is_one_conflict_with_each_assessment_whole() {
    let team = team(&designated_record());
    let stage = "met = true\nrationale = \"Neonatal intensive care depends on on-site obstetrics\"\nassessed_on = 2026-01-14\n";
    let assess = |env: &TestEnv, met: &str, why: &str, on: &str, by: &str| {
        let now = format!("met = {met}\nrationale = \"{why}\"\nassessed_on = {on}\nassessed_by = \"{by}\"\n");
        env.write(FILE, env.read(FILE).replace(stage, &now));
    };
    // Alice's keeps the stage met (the value as it was); Bob's finds it not met.
    assess(&team.alice, "true", "Still depends on obstetrics", "2026-11-20", "Ann Analyst");
    team.alice.commit_all("stage 3, as Alice assessed it");
    team.alice.git_cmd(&["push", "-q"]);
    assess(&team.bob, "false", "A second unit removes the dependency", "2026-11-21", "Bob Builder");
    team.bob.commit_all("stage 3, as Bob assessed it");
    let pulled = bob_pulls(&team, "--no-rebase");
    assert_ne!(pulled.code, 0, "{pulled}");
    let text = team.bob.read(FILE);
    let start = text.find("[stages.interdependencies]").unwrap();
    let end = start + text[start..].find("[stages.proportionality]").unwrap();
    let section = &text[start..end];
    // Every line of each assessment, met or not met among them, is between the markers.
    let outside: Vec<&str> = section
        .lines()
        .scan(false, |inside, line| {
            let marker = line.starts_with("<<<<<<< ") || line == "=======" || line.starts_with(">>>>>>> ");
            let out = (!*inside && !marker).then_some(line);
            if line.starts_with("<<<<<<< ") {
                *inside = true;
            } else if line.starts_with(">>>>>>> ") {
                *inside = false;
            }
            Some(out)
        })
        .flatten()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(outside, ["[stages.interdependencies]"], "{section}");
    assert!(section.contains("met = true") && section.contains("met = false"), "{section}");
    let check = team.bob.crs(&["check"]);
    assert_eq!(check.code, 1, "{check}");
    assert!(
        check
            .stdout
            .contains("RJ1/maternity: the assessment of stage interdependencies changed on both sides"),
        "{check}"
    );
    assert!(!check.stdout.contains("stages.interdependencies.rationale"), "{check}");
}

#[test]
fn two_different_decisions_from_two_sides_are_a_conflict_and_the_same_one_is_kept_once() {
    let record = designated_record()
        .replace("schema_version = 1", "schema_version = 2")
        .replace("[decision]", "[[decisions]]");
    let decide = |env: &TestEnv, outcome: &str, on: &str, reference: &str| {
        let decision = format!(
            "[[decisions]]\noutcome = \"{outcome}\"\ndecided_on = {on}\ndecided_by = \"ICB Board\"\nreference = \"{reference}\"\n\n[review]"
        );
        env.write(FILE, env.read(FILE).replacen("[review]", &decision, 1));
    };
    // The same decision from both sides is one decision.
    let team = team(&record);
    decide(&team.alice, "confirm", "2026-11-18", "BD/26/140");
    team.alice.commit_all("confirmed, as Alice recorded it");
    team.alice.git_cmd(&["push", "-q"]);
    decide(&team.bob, "confirm", "2026-11-18", "BD/26/140");
    team.bob.commit_all("confirmed, as Bob recorded it");
    let pulled = bob_pulls(&team, "--no-rebase");
    assert_eq!(pulled.code, 0, "{pulled}");
    assert_eq!(team.bob.read(FILE).matches("outcome = \"confirm\"").count(), 1);
    // One confirms, the other removes: not both.
    let team = self::team(&record);
    decide(&team.alice, "confirm", "2026-11-18", "BD/26/140");
    team.alice.commit_all("confirmed, as Alice recorded it");
    team.alice.git_cmd(&["push", "-q"]);
    decide(&team.bob, "remove", "2026-11-19", "BD/26/141");
    team.bob.commit_all("removed, as Bob recorded it");
    let pulled = bob_pulls(&team, "--no-rebase");
    assert_ne!(pulled.code, 0, "{pulled}");
    assert!(pulled.stderr.contains("different decisions added on both sides"), "{pulled}");
    let text = team.bob.read(FILE);
    assert!(text.contains("<<<<<<< ") && text.contains(">>>>>>> "), "{text}");
    let check = team.bob.crs(&["check"]);
    assert_eq!(check.code, 1, "{check}");
    assert!(check.stdout.contains("error[merge-conflict]"), "{check}");
    assert!(check.stdout.contains("decision 2 (remove on 19 November 2026)"), "{check}");
}

#[test]
fn a_clone_without_the_driver_is_told_to_merge_the_record_again_by_meaning() {
    let team = team(&designated_record());
    let plain = TestEnv::clone_of(&team.remote);
    alice(&team, &["event", ID, "public-engagement", "--on", "2026-11-20", "--note", "Maternity Voices"]);
    team.alice.git_cmd(&["push", "-q"]);
    let carol = plain.crs(&["event", ID, "providers-notified", "--on", "2026-11-21", "--note", "Letter"]);
    assert_eq!(carol.code, 0, "{carol}");
    let pulled = plain.git_in(&["pull", "-q", "--no-rebase", "origin", "main"], &BOB, &[]);
    assert_ne!(pulled.code, 0, "git merged line by line: {pulled}");
    let check = plain.crs(&["check"]);
    assert_eq!(check.code, 1, "{check}");
    let finding =
        check.stdout.lines().skip_while(|l| !l.starts_with("error[merge-conflict]")).nth(1).unwrap();
    assert!(finding.contains("run crs setup, then git checkout -m RJ1/maternity.toml"), "{finding}");
    assert!(finding.contains("git merge --continue"), "{finding}");
    assert!(finding.contains("event 5 (providers-notified on 21 November 2026)"), "{finding}");
    assert_eq!(finding.matches("event 5").count(), 1, "each named once: {finding}");
    // Doing as it says merges the record by meaning.
    assert_eq!(plain.crs(&["setup"]).code, 0);
    let again = plain.git_in(&["checkout", "-m", FILE], &BOB, &[]);
    assert_eq!(again.code, 0, "{again}");
    let text = plain.read(FILE);
    assert!(!text.contains("<<<<<<< "), "{text}");
    assert!(text.contains("Maternity Voices") && text.contains("Letter"), "{text}");
}

#[test]
fn a_conflict_during_a_cherry_pick_names_it_and_committed_markers_are_told_to_be_edited() {
    let team = team(&designated_record());
    let original = "description = \"Example service for the crs documentation\"";
    let edit = |env: &TestEnv, to: &str| {
        env.write(FILE, env.read(FILE).replace(original, &format!("description = \"{to}\"")));
    };
    edit(&team.alice, "Consultant-led obstetric unit");
    team.alice.commit_all("description, as Alice has it");
    team.alice.git_cmd(&["push", "-q"]);
    edit(&team.bob, "Obstetric and midwife-led units");
    team.bob.commit_all("description, as Bob has it");
    team.bob.git_cmd(&["fetch", "-q", "origin"]);
    let picked = team.bob.git_in(&["cherry-pick", "origin/main"], &BOB, &[]);
    assert_ne!(picked.code, 0, "{picked}");
    let check = team.bob.crs(&["check"]);
    assert_eq!(check.code, 1, "{check}");
    assert!(check.stdout.contains("git cherry-pick --continue"), "{check}");
    assert!(
        check.stdout.contains("RJ1/maternity not in the table: a merge left git's conflict markers in it"),
        "{check}"
    );
    assert!(!check.stdout.contains("git merge --continue"), "{check}");
    let show = team.bob.crs(&["show", ID]);
    assert_eq!(show.code, 2, "{show}");
    assert!(show.stderr.contains("conflict markers"), "{show}");
    assert!(show.stderr.contains("service.description changed on both sides"), "{show}");
    assert!(!show.stderr.contains("expected `=`"), "{show}");
    // The markers committed as they are: the finding says to edit the record and commit.
    team.bob.git_cmd(&["add", FILE]);
    let committed = team.bob.git_in(&["-c", "core.editor=true", "cherry-pick", "--continue"], &BOB, &[]);
    assert_eq!(committed.code, 0, "{committed}");
    let check = team.bob.crs(&["check"]);
    assert_eq!(check.code, 1, "{check}");
    assert!(check.stdout.contains("the conflict markers were committed with the record"), "{check}");
    assert!(check.stdout.contains("then git commit RJ1/maternity.toml"), "{check}");
    assert!(!check.stdout.contains("--continue"), "{check}");
}
