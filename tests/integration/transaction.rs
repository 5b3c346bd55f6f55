//! The write transaction under faults: a full disk, a kill after each step, git's
//! leftover locks, a git folder elsewhere, links, and one checker for `crs edit`.
//! After every fault the next crs write succeeds without anyone deleting anything,
//! and HEAD, the index and the working file agree.

use std::fs;
use std::path::Path;

use crate::harness::{Run, TestEnv, designated_record, repo_dir};

const ID: &str = "RJ1/designated";
const FILE: &str = "RJ1/designated.toml";

/// A repository with a committed designated record, and someone's unrelated work
/// staged beside it.
fn env_with_staged_work() -> TestEnv {
    let env = TestEnv::git();
    env.write(FILE, designated_record());
    env.commit_all("add a record by hand");
    env.write("notes.txt", "someone's staged work\n");
    env.git_cmd(&["add", "notes.txt"]);
    env
}

/// The fault `CRS_TEST_FAULT` names, injected into one run.
fn with_fault(env: &TestEnv, fault: &str, args: &[&str]) -> Run {
    env.crs_with(args, &[("CRS_TEST_FAULT", fault)])
}

/// HEAD, the index and the working file agree for the record, and the staged work
/// is still staged, byte for byte.
fn assert_consistent(env: &TestEnv) {
    assert_eq!(env.git_cmd(&["status", "--porcelain", "--untracked-files=all"]), "A  notes.txt\n");
    assert_eq!(env.git_cmd(&["diff", "--cached", "--name-only"]), "notes.txt\n");
    assert_eq!(env.git_cmd(&["show", ":notes.txt"]), "someone's staged work\n");
}

fn events_of_kind(env: &TestEnv, kind: &str) -> usize {
    env.read(FILE).matches(&format!("kind = \"{kind}\"")).count()
}

#[test]
fn a_full_disk_fails_the_write_and_leaves_everything_as_it_was() {
    let env = env_with_staged_work();
    let (head, text) = (env.git_cmd(&["rev-parse", "HEAD"]), env.read(FILE));
    let run = with_fault(&env, "object-write", &["event", ID, "review-requested"]);
    assert_eq!(run.code, 2, "{run}");
    insta::assert_snapshot!(run.to_string());
    assert_eq!(env.git_cmd(&["rev-parse", "HEAD"]), head);
    assert_eq!(env.read(FILE), text);
    assert_consistent(&env);
    let again = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(again.code, 0, "{again}");
    assert!(!again.stderr.contains("interrupted"), "{again}");
}

#[test]
fn a_kill_before_the_branch_moves_is_undone_by_the_next_write() {
    for step in ["journal", "files"] {
        let env = env_with_staged_work();
        let (commits, text) = (env.commit_count(), env.read(FILE));
        let killed = with_fault(&env, &format!("kill-after:{step}"), &["event", ID, "review-requested"]);
        assert_eq!(killed.code, -1, "{step}: the process was to die: {killed}");
        // The killed crs's lock went with it: a lock left behind would make this
        // write give up as busy.
        let next = env.crs(&["event", ID, "public-engagement", "--on", "2026-11-20"]);
        assert!(!next.stderr.contains("another crs command"), "{step}: the next write found a lock: {next}");
        assert_eq!(next.code, 0, "{step}: {next}");
        assert!(next.stderr.contains("crs undid it, so nothing of it was recorded"), "{step}: {next}");
        assert_eq!(env.commit_count(), commits + 1, "{step}");
        assert_eq!(events_of_kind(&env, "review-requested"), 0, "{step}");
        assert!(env.read(FILE).starts_with(text.trim_end()), "{step}");
        assert_consistent(&env);
        if step == "files" {
            insta::assert_snapshot!(next.stderr);
        }
    }
}

#[test]
fn a_kill_after_the_branch_moves_is_finished_by_the_next_write() {
    for step in ["branch", "index"] {
        let env = env_with_staged_work();
        let commits = env.commit_count();
        let killed = with_fault(&env, &format!("kill-after:{step}"), &["event", ID, "review-requested"]);
        assert_eq!(killed.code, -1, "{step}: {killed}");
        if step == "branch" {
            // Between the commit and the index: a plain git commit now would undo
            // crs's change, which is why the next crs command mends it first.
            let status = env.git_cmd(&["status", "--porcelain"]);
            assert!(status.contains("MM RJ1/designated.toml"), "{status}");
        }
        let next = env.crs(&["event", ID, "public-engagement", "--on", "2026-11-20"]);
        assert_eq!(next.code, 0, "{step}: {next}");
        // After the index the write is whole: there is nothing left to mend.
        let mended = next.stderr.contains("interrupted after committing");
        assert_eq!(mended, step == "branch", "{step}: {next}");
        assert_eq!(env.commit_count(), commits + 2, "{step}");
        assert_eq!(events_of_kind(&env, "review-requested"), 1, "{step}");
        assert_consistent(&env);
    }
}

#[test]
fn a_submission_killed_mid_write_is_recorded_once() {
    // Killed with its tag made and its branch not yet moved: undone, tag and all, and
    // recorded afresh by the next run. Killed after the branch moved: finished.
    for (step, finished) in [("tag", false), ("branch", true)] {
        let env = TestEnv::copy_of("designations").committed();
        let commits = env.commit_count();
        let killed = with_fault(&env, &format!("kill-after:{step}"), &["submit", "-o", "../bundle"]);
        assert_eq!(killed.code, -1, "{step}: {killed}");
        let again = env.crs(&["submit", "-o", "../bundle-again"]);
        assert_eq!(again.code, 0, "{step}: {again}");
        assert_eq!(again.stderr.contains("tagged it crs/submission/2026-11-23"), finished, "{step}: {again}");
        assert_eq!(again.stderr.contains("nothing more was done"), finished, "{step}: {again}");
        assert_eq!(env.commit_count(), commits + 1, "{step}");
        assert_eq!(env.git_cmd(&["tag", "-l", "crs/*"]), "crs/submission/2026-11-23\n", "{step}");
        assert_eq!(env.read("RJ1/maternity.toml").matches("kind = \"submitted\"").count(), 1, "{step}");
        assert_eq!(env.git_cmd(&["status", "--porcelain"]), "", "{step}");
        if step == "branch" {
            insta::assert_snapshot!(again.stderr);
        }
    }
}

#[test]
fn a_lock_file_left_by_an_older_crs_does_not_block() {
    let env = env_with_staged_work();
    fs::write(env.root.join(".git/crs.lock"), "999999\n").unwrap();
    let run = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(!run.stderr.contains("another crs command"), "{run}");
}

#[test]
fn a_branch_lock_left_by_git_names_the_file_and_when_to_delete_it() {
    let env = env_with_staged_work();
    let lock = env.root.join(".git/refs/heads/main.lock");
    fs::write(&lock, "").unwrap();
    let (head, text) = (env.git_cmd(&["rev-parse", "HEAD"]), env.read(FILE));
    let run = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(run.code, 2, "{run}");
    insta::assert_snapshot!(run.to_string());
    assert_eq!((env.git_cmd(&["rev-parse", "HEAD"]), env.read(FILE)), (head, text));
    assert_consistent(&env);
    fs::remove_file(&lock).unwrap();
    assert_eq!(env.crs(&["event", ID, "review-requested"]).code, 0);
}

#[test]
fn a_split_index_is_explained() {
    let env = env_with_staged_work();
    env.git_cmd(&["update-index", "--split-index"]);
    let run = env.crs(&["event", ID, "review-requested"]);
    env.git_cmd(&["update-index", "--no-split-index"]);
    assert_eq!(run.code, 2, "{run}");
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn a_git_folder_elsewhere_takes_paths_from_the_work_tree() {
    let env = TestEnv::new();
    let git_dir = env.outside().join("elsewhere.git");
    env.git_cmd(&["init", "-q", "-b", "main", "--separate-git-dir", git_dir.to_str().unwrap()]);
    env.commit_all("register");
    let new = env.crs(&[
        "new",
        "RJ1/maternity",
        "--service",
        "Maternity",
        "--provider-name",
        "Guy's and St Thomas'",
        "--provider-kind",
        "foundation-trust",
    ]);
    assert_eq!(new.code, 0, "{new}");
    assert_eq!(env.git_cmd(&["ls-files", "RJ1"]), "RJ1/maternity.toml\n");
    let event = env.crs(&["event", "RJ1/maternity", "providers-notified"]);
    assert_eq!(event.code, 0, "{event}");
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "");
    assert!(git_dir.join("crs/lock").exists(), "crs keeps its state in the git folder");
}

#[test]
fn orgs_import_writes_through_no_link() {
    let env = TestEnv::git();
    let outside = env.outside().join("elsewhere");
    fs::create_dir_all(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, env.root.join(".crs")).unwrap();
    let etr = repo_dir().join("tests/fixtures/ods/etr.csv");
    let run = env.crs(&["orgs", "import", etr.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains(".crs is a symbolic link"), "{run}");
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
    fs::remove_file(env.root.join(".crs")).unwrap();
}

#[test]
fn no_temp_file_is_left_where_git_add_would_see_it() {
    let env = env_with_staged_work();
    // What an older crs killed mid-write left beside a record, and what this one
    // leaves in its own folder, are both gone after the next write.
    let state = env.root.join(".git/crs");
    fs::create_dir_all(&state).unwrap();
    fs::write(state.join(".designated.toml.4242-0.crs-tmp"), "half").unwrap();
    assert_eq!(env.crs(&["event", ID, "review-requested"]).code, 0);
    assert!(!state.join(".designated.toml.4242-0.crs-tmp").exists());
    assert_consistent(&env);
    let untracked = |dir: &Path| {
        fs::read_dir(dir).unwrap().flatten().any(|e| e.file_name().to_string_lossy().ends_with(".crs-tmp"))
    };
    assert!(!untracked(&env.root.join("RJ1")));
}

#[test]
fn edit_is_held_to_the_same_checks_as_the_commit() {
    let env = env_with_staged_work();
    env.write("RJ1/other.toml", designated_record().replace("Maternity", "Other service"));
    env.git_cmd(&["add", "RJ1/other.toml"]);
    env.git_cmd(&["commit", "-q", "-m", "another record", "--", "RJ1/other.toml"]);
    let other_name =
        env.read("RJ1/other.toml").lines().find(|l| l.starts_with("name = ")).unwrap().to_owned();
    let dir = env.outside().join("editor");
    fs::create_dir_all(&dir).unwrap();
    // First save: this record takes the other record's service name; second: no change.
    let script = dir.join("edit.sh");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\nn=$(cat \"$0.count\" 2>/dev/null || echo 0)\necho $((n+1)) > \"$0.count\"\ncp \"$1\" \"$0.seen.$n\"\n[ $n = 0 ] && sed -i '0,/^name = /s/^name = .*/{}/' \"$1\"\nexit 0\n",
            other_name.replace('/', "\\/")
        ),
    )
    .unwrap();
    fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let output = env.command(&["edit", ID]).env("EDITOR", &script).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let reopened = fs::read_to_string(dir.join("edit.sh.seen.1")).unwrap();
    assert!(reopened.contains("error[duplicate-service]"), "{reopened}");
    assert_consistent(&env);
}

#[test]
fn a_git_lock_the_killed_crs_provably_made_is_deleted_another_is_never() {
    let env = env_with_staged_work();
    let lock = env.root.join(".git/index.lock");
    // A lock another git made just after the kill (a git commit still running) is
    // never deleted: the next write names it and leaves it.
    let killed = with_fault(&env, "kill-after:branch", &["event", ID, "review-requested"]);
    assert_eq!(killed.code, -1, "{killed}");
    fs::write(&lock, "").unwrap();
    let blocked = env.crs(&["event", ID, "public-engagement", "--on", "2026-11-19"]);
    assert_eq!(blocked.code, 2, "{blocked}");
    assert!(blocked.stderr.contains("index.lock exists"), "{blocked}");
    assert!(blocked.stderr.contains("ps -C git"), "{blocked}");
    assert!(lock.exists());
    fs::remove_file(&lock).unwrap();
    let next = env.crs(&["event", ID, "public-engagement", "--on", "2026-11-19"]);
    assert_eq!(next.code, 0, "{next}");
    assert_consistent(&env);

    // Killed holding git's index lock, which crs takes itself with its journal's token.
    let killed = with_fault(&env, "kill-after:index-lock", &["event", ID, "review-requested"]);
    assert_eq!(killed.code, -1, "{killed}");
    assert!(lock.exists());
    let next = env.crs(&["event", ID, "public-engagement", "--on", "2026-11-20"]);
    assert_eq!(next.code, 0, "{next}");
    assert!(next.stderr.contains("index.lock, which git had left locked"), "{next}");
    assert!(!lock.exists());
    assert_consistent(&env);

    // Killed while libgit2 wrote the branch: its lock holds the new commit's id.
    let killed = with_fault(&env, "kill-after:tag", &["event", ID, "review-requested"]);
    assert_eq!(killed.code, -1, "{killed}");
    let journal: serde_json::Value =
        serde_json::from_slice(&fs::read(env.root.join(".git/crs/journal.json")).unwrap()).unwrap();
    let branch_lock = env.root.join(".git/refs/heads/main.lock");
    fs::write(&branch_lock, format!("{}\n", journal["new_commit"].as_str().unwrap())).unwrap();
    let next = env.crs(&["event", ID, "public-engagement", "--on", "2026-11-21"]);
    assert_eq!(next.code, 0, "{next}");
    assert!(next.stderr.contains("main.lock, which git had left locked"), "{next}");
    assert_consistent(&env);
}

#[test]
fn a_pack_a_killed_write_left_half_made_or_half_moved_is_mended() {
    let env = env_with_staged_work();
    let staging = env.root.join(".git/crs/packs");
    fs::create_dir_all(&staging).unwrap();
    // A kill while libgit2 wrote a pack: its temp file. A kill between moving a made
    // pack into git's packs and moving its index after it: a pack git cannot see.
    fs::write(staging.join("pack_git2_0123456789abcdef"), "half a pack").unwrap();
    let hash = env.git_cmd(&["pack-objects", "-q", "--revs", "--all", ".git/crs/packs/pack"]);
    let pack = format!("pack-{}", hash.trim());
    let packs = env.root.join(".git/objects/pack");
    fs::create_dir_all(&packs).unwrap();
    fs::rename(staging.join(format!("{pack}.pack")), packs.join(format!("{pack}.pack"))).unwrap();
    assert!(env.git_cmd(&["count-objects", "-v"]).contains("garbage: 1"));

    let next = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(next.code, 0, "{next}");
    assert!(
        !staging.exists(),
        "crs's folder still holds {:?}",
        fs::read_dir(&staging).unwrap().collect::<Vec<_>>()
    );
    assert!(packs.join(format!("{pack}.idx")).exists());
    assert!(env.git_cmd(&["count-objects", "-v"]).contains("garbage: 0"));
    assert_eq!(env.git_cmd(&["fsck", "--full", "--no-dangling"]), "");
    assert_consistent(&env);
}

#[test]
fn a_locked_tag_records_no_submission_and_names_the_lock() {
    let env = TestEnv::copy_of("designations").committed();
    let lock = env.root.join(".git/refs/tags/crs/submission/2026-11-23.lock");
    fs::create_dir_all(lock.parent().unwrap()).unwrap();
    fs::write(&lock, "").unwrap();
    let (head, commits) = (env.git_cmd(&["rev-parse", "HEAD"]), env.commit_count());
    let run = env.crs(&["submit", "-o", "../bundle"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("the tag crs/submission/2026-11-23 is locked"), "{run}");
    assert!(run.stderr.contains("2026-11-23.lock exists"), "{run}");
    // The tag is part of the write: without it nothing was recorded.
    assert_eq!(env.git_cmd(&["rev-parse", "HEAD"]), head);
    assert_eq!(env.commit_count(), commits);
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "");
    assert_eq!(env.git_cmd(&["tag", "-l", "crs/*"]), "");
    assert!(!env.root.join(".git/crs/journal.json").exists(), "the journal outlived the command");
    assert!(!env.read("RJ1/maternity.toml").contains("kind = \"submitted\""));
    // Nor is a bundle left behind naming a submission git does not hold.
    assert!(!env.outside().join("bundle").exists(), "the bundle of an unrecorded submission was left");
    // Once the lock is gone the submission is recorded as usual.
    fs::remove_file(&lock).unwrap();
    let again = env.crs(&["submit", "-o", "../bundle-again"]);
    assert_eq!(again.code, 0, "{again}");
    assert!(!again.stderr.contains("interrupted"), "{again}");
    assert_eq!(env.git_cmd(&["tag", "-l", "crs/*"]), "crs/submission/2026-11-23\n");
    assert_eq!(env.commit_count(), commits + 1);
}

/// Another git mid-commit holds HEAD.lock: crs, like git commit, refuses before
/// anything moves, and names the lock.
#[test]
fn a_head_lock_held_by_git_stops_the_write_before_anything_moves() {
    let env = env_with_staged_work();
    let lock = env.root.join(".git/HEAD.lock");
    fs::write(&lock, "ref: refs/heads/main\n").unwrap();
    let (head, text) = (env.git_cmd(&["rev-parse", "HEAD"]), env.read(FILE));
    let run = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("HEAD is locked by another git process"), "{run}");
    assert!(run.stderr.contains("HEAD.lock exists"), "{run}");
    assert_eq!((env.git_cmd(&["rev-parse", "HEAD"]), env.read(FILE)), (head, text));
    assert!(lock.exists(), "another git's lock is left alone");
    assert_consistent(&env);
    fs::remove_file(&lock).unwrap();
    assert_eq!(env.crs(&["event", ID, "review-requested"]).code, 0);
    assert!(!lock.exists());

    // Killed holding HEAD's lock, which crs takes with its journal's token: the next
    // write proves it its own and deletes it.
    let killed =
        with_fault(&env, "kill-after:tag", &["event", ID, "public-engagement", "--on", "2026-11-20"]);
    assert_eq!(killed.code, -1, "{killed}");
    let journal: serde_json::Value =
        serde_json::from_slice(&fs::read(env.root.join(".git/crs/journal.json")).unwrap()).unwrap();
    fs::write(&lock, journal["lock_token"].as_str().unwrap()).unwrap();
    let next = env.crs(&["event", ID, "public-engagement", "--on", "2026-11-21"]);
    assert_eq!(next.code, 0, "{next}");
    assert!(next.stderr.contains("HEAD.lock, which git had left locked"), "{next}");
    assert!(!lock.exists());
    assert_consistent(&env);
}
