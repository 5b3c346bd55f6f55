//! The write path's guarantees: validate before writing, commit only the record,
//! leave everyone else's work alone, and refuse cleanly when git is not ready.

use std::fs;
use std::process::Stdio;

use crate::harness::{TestEnv, designated_record};
use crate::lifecycle::walk_to_designated;

const ID: &str = "RJ1/maternity";

/// A repository with a committed designated record at RJ1/designated.toml.
fn env_with_record() -> TestEnv {
    let env = TestEnv::git();
    env.write("RJ1/designated.toml", designated_record());
    env.commit_all("add a record by hand");
    env
}

#[test]
fn refused_changes_write_nothing() {
    let env = TestEnv::git();
    walk_to_designated(&env);
    let before = (env.read("RJ1/maternity.toml"), env.commit_count());

    for (args, rule) in [
        (vec!["event", ID, "provider-accepted"], "event-order"),
        // A stage answered otherwise before the designation takes away a ground it claims;
        // after it, the same answer is the work towards a review or a removal.
        (
            vec!["assess", ID, "--stage", "1", "--not-met", "--rationale", "x", "--on", "2026-02-05"],
            "grounds-mismatch",
        ),
        (vec!["event", ID, "public-engagement", "--on", "2030-01-01"], "event-order"),
    ] {
        let run = env.crs(&args);
        assert_eq!(run.code, 1, "{args:?}: {run}");
        assert!(run.stderr.contains(&format!("error[{rule}]")), "{args:?}: {run}");
        assert!(run.stderr.contains("nothing was written"), "{run}");
    }
    assert_eq!((env.read("RJ1/maternity.toml"), env.commit_count()), before);
}

#[test]
fn designate_refuses_when_no_ground_met() {
    let env = TestEnv::git();
    assert_eq!(
        env.crs(&[
            "new",
            ID,
            "--service",
            "Maternity",
            "--provider-name",
            "GSTT",
            "--provider-kind",
            "foundation-trust"
        ])
        .code,
        0
    );
    for stage in ["1", "2", "3"] {
        assert_eq!(
            env.crs(&["assess", ID, "--stage", stage, "--not-met", "--rationale", "alternatives exist"]).code,
            0
        );
    }
    assert_eq!(env.crs(&["assess", ID, "--stage", "4", "--met", "--rationale", "x"]).code, 0);
    let run = env.crs(&["designate", ID]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.to_string());
    let decline = env.crs(&["decline", ID, "--by", "ICB Board"]);
    assert_eq!(decline.code, 0, "{decline}");
    assert_eq!(env.crs(&["show", ID, "--format", "json"]).json()["status"], "not-designated");
}

#[test]
fn commit_holds_only_the_record_and_leaves_other_work_alone() {
    let env = env_with_record();
    // Someone's work in progress: a staged new file, a staged and an unstaged change.
    env.write("notes.txt", "draft minutes\n");
    env.git_cmd(&["add", "notes.txt"]);
    env.write("README.md", "changed but not staged\n");
    env.write("crs.toml", env.read("crs.toml") + "# staged comment\n");
    env.git_cmd(&["add", "crs.toml"]);
    let status_before = env.git_cmd(&["status", "--porcelain"]);

    let run = env.crs(&["event", "RJ1/designated", "review-requested", "--note", "Trust asks for a review"]);
    assert_eq!(run.code, 0, "{run}");

    assert_eq!(env.git_cmd(&["show", "--name-only", "--format=", "HEAD"]), "RJ1/designated.toml\n");
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), status_before, "other work is exactly as it was");
    assert_eq!(env.git_cmd(&["diff", "--cached", "--name-only"]), "crs.toml\nnotes.txt\n");
    assert_eq!(env.read("README.md"), "changed but not staged\n");
}

#[test]
fn uncommitted_edits_to_the_record_are_not_swept_in() {
    let env = env_with_record();
    env.write("RJ1/designated.toml", designated_record() + "# my unfinished edit\n");
    let run = env.crs(&["event", "RJ1/designated", "review-requested"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has changes that are not committed"), "{run}");
    assert!(env.read("RJ1/designated.toml").ends_with("# my unfinished edit\n"));
}

#[test]
fn mid_merge_is_refused() {
    let env = env_with_record();
    let head = env.git_cmd(&["rev-parse", "HEAD"]);
    fs::write(env.root.join(".git/MERGE_HEAD"), &head).unwrap();
    let run = env.crs(&["event", "RJ1/designated", "review-requested"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.to_string());
    fs::remove_file(env.root.join(".git/MERGE_HEAD")).unwrap();
    assert_eq!(env.git_cmd(&["rev-parse", "HEAD"]), head);
}

#[test]
fn missing_identity_is_an_error_never_a_made_up_name() {
    let env = env_with_record();
    let mut cmd = env.command(&["event", "RJ1/designated", "review-requested"]);
    for var in ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"] {
        cmd.env_remove(var);
    }
    let output = cmd.output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no git identity"), "{stderr}");
    assert!(stderr.contains("hint: set your name and e-mail"), "{stderr}");
    assert_eq!(env.commit_count(), 2);
}

#[test]
fn author_flag_names_the_author() {
    let env = env_with_record();
    let run =
        env.crs(&["event", "RJ1/designated", "review-requested", "--author", "Bea Board <bea@icb.example>"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(
        env.git_cmd(&["log", "-1", "--format=%an <%ae> / %cn"]),
        "Bea Board <bea@icb.example> / Ann Analyst\n"
    );
    assert_eq!(env.crs(&["event", "RJ1/designated", "review-started", "--author", "nobody"]).code, 2);
}

#[test]
fn detached_head_needs_allow_detached() {
    let env = env_with_record();
    env.git_cmd(&["checkout", "-q", "--detach"]);
    let run = env.crs(&["event", "RJ1/designated", "review-requested"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("HEAD is detached"), "{run}");
    assert_eq!(env.crs(&["event", "RJ1/designated", "review-requested", "--allow-detached"]).code, 0);
}

#[test]
fn register_outside_git_suggests_init() {
    let env = TestEnv::new();
    env.write("RJ1/designated.toml", designated_record());
    let run = env.crs(&["event", "RJ1/designated", "review-requested"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn conflict_markers_in_the_record_are_refused() {
    let env = env_with_record();
    env.write(
        "RJ1/designated.toml",
        designated_record().replace("[review]\n", "<<<<<<< HEAD\n[review]\n=======\n>>>>>>> b\n"),
    );
    env.commit_all("a bad merge, committed by hand");
    let run = env.crs(&["event", "RJ1/designated", "review-requested"]);
    assert_eq!(run.code, 1, "a refused change: {run}");
    assert!(run.stderr.contains("merge conflict markers"), "{run}");
}

#[test]
fn locked_index_is_explained() {
    let env = env_with_record();
    fs::write(env.root.join(".git/index.lock"), "").unwrap();
    let run = env.crs(&["event", "RJ1/designated", "review-requested"]);
    fs::remove_file(env.root.join(".git/index.lock")).unwrap();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("index.lock"), "{run}");
    assert!(env.git_cmd(&["status", "--porcelain"]).is_empty(), "nothing written: {run}");
}

#[test]
fn new_refuses_an_existing_or_duplicate_service() {
    let env = env_with_record();
    let args = |id: &'static str| {
        vec![
            "new",
            id,
            "--service",
            "MATERNITY:  designated example",
            "--provider-name",
            "GSTT",
            "--provider-kind",
            "foundation-trust",
        ]
    };
    let existing = env.crs(&args("RJ1/designated"));
    assert_eq!(existing.code, 2);
    assert!(existing.stderr.contains("already exists"), "{existing}");
    let duplicate = env.crs(&args("RJ1/obstetrics"));
    assert_eq!(duplicate.code, 1);
    assert!(duplicate.stderr.contains("error[duplicate-service]"), "{duplicate}");
    assert!(!env.root.join("RJ1/obstetrics.toml").exists());
}

#[test]
fn missing_flags_fail_without_a_terminal() {
    let env = TestEnv::git();
    let run = env.crs(&["new", ID, "--provider-name", "GSTT", "--provider-kind", "foundation-trust"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--service NAME is required"), "{run}");
}

#[test]
fn concurrent_events_all_land_or_fail_cleanly() {
    let env = TestEnv::git();
    walk_to_designated(&env);
    let before = env.commit_count();
    let children: Vec<_> = (0..4)
        .map(|i| {
            env.command(&["event", ID, "review-requested", "--note", &format!("request {i}")])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    let landed: Vec<usize> = (0..4).filter(|i| outputs[*i].status.success()).collect();
    for (i, out) in outputs.iter().enumerate() {
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{stderr}");
            assert!(stderr.contains("run the command again"), "{stderr}");
        } else {
            assert!(env.read("RJ1/maternity.toml").contains(&format!("request {i}")));
        }
    }
    assert!(!landed.is_empty());
    assert_eq!(env.commit_count(), before + landed.len());
    assert_eq!(env.read("RJ1/maternity.toml").matches("review-requested").count(), landed.len());
    assert!(env.git_cmd(&["status", "--porcelain"]).is_empty());
}

/// Git for Windows sets core.autocrlf = true: records are checked out with CRLF and
/// stored with LF. crs treats such a record as unchanged, stores its change as git
/// would (LF), and leaves the working file's CRLF and a clean `git status`. The same
/// under a `.gitattributes` eol rule; and a record committed with CRLF by a repository
/// that converts nothing keeps them.
#[test]
fn line_endings_are_stored_as_git_would_store_them() {
    let crlf = |text: &str| text.replace("\r\n", "\n").replace('\n', "\r\n");
    for (setup, stored_with_cr) in [
        ("autocrlf", false),
        ("autocrlf TRUE", false),
        ("gitattributes", false),
        ("legacy -crlf", true),
        ("no conversion", true),
    ] {
        let env = TestEnv::git();
        match setup {
            "autocrlf" => {
                env.git_cmd(&["config", "core.autocrlf", "true"]);
            }
            "autocrlf TRUE" => {
                env.git_cmd(&["config", "core.autocrlf", "TRUE"]);
            }
            "gitattributes" => {
                env.write(".gitattributes", "*.toml text eol=crlf\n");
            }
            "legacy -crlf" => {
                env.git_cmd(&["config", "core.autocrlf", "true"]);
                env.write(".gitattributes", "*.toml -crlf\n");
            }
            _ => {}
        }
        env.write("RJ1/designated.toml", crlf(&designated_record()));
        env.commit_all("a record checked out with CRLF");
        assert_eq!(env.git_cmd(&["status", "--porcelain"]), "", "{setup}: clean before");

        let run = env.crs(&["event", "RJ1/designated", "review-started", "--on", "2026-11-20"]);
        assert_eq!(run.code, 0, "{setup}: {run}");
        assert_eq!(env.git_cmd(&["status", "--porcelain"]), "", "{setup}: clean after");
        assert_eq!(env.git_cmd(&["diff", "HEAD", "--stat"]), "", "{setup}");
        let blob = env.git_cmd(&["show", "HEAD:RJ1/designated.toml"]);
        assert_eq!(blob.contains('\r'), stored_with_cr, "{setup}: {blob:?}");
        assert!(blob.contains("review-started"), "{setup}");
        let working = env.read("RJ1/designated.toml");
        assert!(working.contains("review-started\"\r\n"), "{setup}: the working file keeps CRLF");
        assert_eq!(working.matches('\n').count(), working.matches("\r\n").count(), "{setup}");
        let log = env.crs(&["log", "RJ1/designated", "--format", "json"]).json();
        assert_eq!(log[0]["records"][0]["fields"][0]["field"], "events[4].kind", "{setup}: {log}");
    }
}

/// A clean filter named in `.gitattributes` (here one that blanks a line of notes a
/// person keeps in the working file only) is run as `git add` runs it: history holds
/// the filtered text, the record is not modified after crs's commit, and the next
/// write goes ahead. A filter that fails, or one crs cannot run, stops the write
/// before anything changes.
#[test]
fn a_clean_filter_is_run_as_git_add_runs_it() {
    let env = TestEnv::git();
    env.git_cmd(&[
        "config",
        "filter.redact.clean",
        "sed -e 's/^# door code.*$/# door code: (kept locally)/'",
    ]);
    env.git_cmd(&["config", "filter.redact.smudge", "cat"]);
    env.write(".gitattributes", "RJ1/*.toml filter=redact\n");
    env.write("RJ1/designated.toml", format!("# door code 4512\n{}", designated_record()));
    env.commit_all("a record with local notes");
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "", "clean before");

    for (kind, day) in [("review-started", "2026-11-20"), ("review-requested", "2026-11-21")] {
        let run = env.crs(&["event", "RJ1/designated", kind, "--on", day]);
        assert_eq!(run.code, 0, "{kind}: {run}");
        assert_eq!(env.git_cmd(&["status", "--porcelain"]), "", "{kind}: clean after crs's commit");
        let blob = env.git_cmd(&["show", "HEAD:RJ1/designated.toml"]);
        assert!(blob.contains(kind), "{blob}");
        assert!(
            !blob.contains("4512") && blob.contains("(kept locally)"),
            "history holds the filtered text: {blob}"
        );
        assert!(
            env.read("RJ1/designated.toml").contains("# door code 4512"),
            "the working file keeps its notes"
        );
    }
    // A record touched but not changed is unchanged to crs as to git, which compare
    // it through the filter.
    let touched = std::process::Command::new("touch")
        .args(["-d", "+2 minutes"])
        .arg(env.root.join("RJ1/designated.toml"))
        .status()
        .unwrap();
    assert!(touched.success());
    let bundle = env.outside().join("bundle");
    let run = env.crs(&["submit", "--dry-run", "-o", bundle.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    assert!(!run.stderr.contains("uncommitted"), "{run}");

    let commits = env.commit_count();
    let before = env.read("RJ1/designated.toml");
    for (setup, says) in [
        (
            &["config", "filter.redact.clean", "echo no key >&2; exit 3"][..],
            "failed with exit status 3 and said: no key",
        ),
        (&["config", "--unset", "filter.redact.clean"], "filter.redact.process"),
    ] {
        env.git_cmd(setup);
        env.git_cmd(&["config", "filter.redact.process", "redact-filter-process"]);
        let run = env.crs(&["event", "RJ1/designated", "review-requested", "--on", "2026-11-22"]);
        assert_eq!(run.code, 2, "{setup:?}: {run}");
        assert!(run.stderr.contains(says) && run.stderr.contains("nothing was changed"), "{run}");
        assert_eq!(env.commit_count(), commits, "{setup:?}");
        assert_eq!(env.read("RJ1/designated.toml"), before, "{setup:?}");
    }
}

#[test]
fn assessing_the_last_stage_says_to_decide_not_to_assess() {
    let env = TestEnv::git();
    let new = env.crs(&[
        "new",
        ID,
        "--service",
        "Maternity",
        "--provider-name",
        "GSTT",
        "--provider-kind",
        "foundation-trust",
    ]);
    assert_eq!(new.code, 0, "{new}");
    for stage in ["1", "2", "3"] {
        let run = env.crs(&["assess", ID, "--stage", stage, "--met", "--rationale", "no alternative"]);
        assert_eq!(run.code, 0, "{run}");
        assert!(run.stderr.contains("assess the stages (crs assess"), "stage 4 is still to assess: {run}");
    }
    let last = env.crs(&["assess", ID, "--stage", "4", "--met", "--rationale", "proportionate"]);
    assert_eq!(last.code, 0, "{last}");
    assert!(!last.stderr.contains("assess the stages"), "{last}");
    // Once the providers are told and the public involved, only the decision is left.
    env.crs(&["event", ID, "providers-notified"]);
    let engaged = env.crs(&["event", ID, "public-engagement", "--note", "Maternity Voices Partnership"]);
    assert!(
        engaged.stderr.contains(&format!(
            "next: every stage is assessed; decide: crs designate {ID} or crs decline {ID}"
        )),
        "{engaged}"
    );
    assert!(
        last.stderr.contains(&format!(
            "next: every stage is assessed; before deciding, tell the providers and others affected that the work is starting (crs event {ID} providers-notified), involve the public (crs event {ID} public-engagement); then crs designate {ID} or crs decline {ID}"
        )),
        "{last}"
    );
}

#[test]
fn free_text_may_start_with_a_hyphen() {
    let env = TestEnv::git();
    let run = |args: &[&str]| {
        let run = env.crs(args);
        assert_eq!(run.code, 0, "crs {args:?}\n{run}");
    };
    run(&[
        "new",
        ID,
        "--service",
        "-Maternity",
        "--description",
        "--from 2026, two sites",
        "--provider-name",
        "GSTT",
        "--provider-kind",
        "foundation-trust",
    ]);
    run(&["event", ID, "public-engagement", "--note", "-5% beds"]);
    for stage in ["1", "2", "3", "4"] {
        run(&[
            "assess",
            ID,
            "--stage",
            stage,
            "--met",
            "--rationale",
            "-5% beds elsewhere",
            "--evidence",
            "-x",
        ]);
    }
    run(&["designate", ID, "--by", "-ICB Board", "--reference", "-BD/26/031"]);
    let record = env.crs(&["show", ID, "--format", "json"]).json();
    assert_eq!(record["service"]["name"], "-Maternity");
    assert_eq!(record["service"]["description"], "--from 2026, two sites");
    assert_eq!(record["events"][0]["note"], "-5% beds");
    assert_eq!(record["stages"]["alternative_provision"]["rationale"], "-5% beds elsewhere");
    assert_eq!(record["stages"]["alternative_provision"]["evidence"][0], "-x");
    assert_eq!(record["decisions"][0]["decided_by"], "-ICB Board");
    assert_eq!(record["decisions"][0]["reference"], "-BD/26/031");
}
