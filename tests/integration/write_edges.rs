//! The edges of the write transaction: a killed `crs init`, output that cannot be
//! written after the commit, a user's commit of crs's interrupted files, a submission
//! waiting for another write, re-run after it finished, or meeting a locked tag,
//! leftovers of libgit2 and `crs edit`, and what is flushed to disk.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::harness::{SETTINGS, TestEnv, designated_record};

const ID: &str = "RJ1/designated";
const FILE: &str = "RJ1/designated.toml";

const INIT: [&str; 7] = [
    "init",
    "--commissioner-ods",
    "QKK",
    "--commissioner-name",
    "NHS South East London ICB",
    "--contact",
    "crs@selondon.icb.example",
];

/// A register made by crs init with one designated record committed.
fn env_with_record() -> TestEnv {
    let env = TestEnv::git();
    env.write(FILE, designated_record());
    env.commit_all("add a record by hand");
    env
}

fn head(env: &TestEnv) -> String {
    env.git_cmd(&["rev-parse", "HEAD"])
}

/// What is in the register's folder, but its git folder.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_killed_init_leaves_nothing_or_a_whole_register_and_init_again_works() {
    for (step, whole) in [
        ("repository", false),
        ("journal", false),
        ("files", false),
        ("branch", true),
        ("index-lock", true),
        ("index", true),
    ] {
        let env = TestEnv::empty();
        let killed = env.crs_with(&INIT, &[("CRS_TEST_FAULT", &format!("kill-after:{step}"))]);
        assert_eq!(killed.code, -1, "{step}: {killed}");
        if whole {
            // The first commit landed: the register is whole, and nothing takes it away.
            let next = env.crs(&[
                "new",
                "RJ1/maternity",
                "--service",
                "Maternity",
                "--provider-name",
                "Guy's",
                "--provider-kind",
                "foundation-trust",
            ]);
            assert_eq!(next.code, 0, "{step}: {next}");
            assert!(env.root.join("crs.toml").exists(), "{step}");
            assert_eq!(env.commit_count(), 2, "{step}");
            assert_eq!(env.git_cmd(&["status", "--porcelain"]), "", "{step}");
            let again = env.crs(&INIT);
            assert!(again.stderr.contains("is a register already"), "{step}: {again}");
            continue;
        }
        // Not a register: a write says so and deletes nothing it should not.
        let next = env.crs(&[
            "new",
            "RJ1/maternity",
            "--service",
            "Maternity",
            "--provider-name",
            "Guy's",
            "--provider-kind",
            "foundation-trust",
        ]);
        assert_ne!(next.code, 0, "{step}: {next}");
        assert!(!env.root.join("RJ1").exists(), "{step}");
        // crs init again starts from nothing and makes the whole register.
        let again = env.crs(&INIT);
        assert_eq!(again.code, 0, "{step}: {again}");
        assert_eq!(env.commit_count(), 1, "{step}");
        assert_eq!(env.git_cmd(&["status", "--porcelain", "--ignored"]), "", "{step}");
        assert!(!files_in(&env.root).iter().any(|f| f.contains("crs-tmp")), "{step}");
        assert!(!env.root.join(".git/config.lock").exists(), "{step}");
        assert!(!env.root.join(".git/crs/init-unfinished").exists(), "{step}");
    }
}

#[test]
fn a_killed_adoption_is_undone_and_adopting_again_works() {
    for step in ["repository", "files"] {
        let env = TestEnv::new();
        env.write(FILE, designated_record());
        let killed = env.crs_with(&["init", "--adopt"], &[("CRS_TEST_FAULT", &format!("kill-after:{step}"))]);
        assert_eq!(killed.code, -1, "{step}: {killed}");
        let again = env.crs(&["init", "--adopt"]);
        assert_eq!(again.code, 0, "{step}: {again}");
        assert_eq!(env.commit_count(), 1, "{step}");
        assert_eq!(env.read("crs.toml"), SETTINGS, "{step}");
        assert_eq!(env.read(FILE), designated_record(), "{step}");
        assert_eq!(env.git_cmd(&["status", "--porcelain"]), "", "{step}");
    }
}

#[test]
fn a_killed_init_inside_a_larger_repository_is_undone_by_init_again() {
    let env = TestEnv::empty();
    env.init_outer_repository();
    let killed = env.crs_with(&INIT, &[("CRS_TEST_FAULT", "kill-after:files")]);
    assert_eq!(killed.code, -1, "{killed}");
    assert!(env.root.join("crs.toml").exists());
    let again = env.crs(&INIT);
    assert_eq!(again.code, 0, "{again}");
    assert!(again.stderr.contains("interrupted before committing"), "{again}");
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "");
}

/// Runs crs in the register with its stdout and stderr on a full device.
fn crs_onto_full_device(env: &TestEnv, args: &[&str]) -> i32 {
    let full = || Stdio::from(fs::OpenOptions::new().write(true).open("/dev/full").unwrap());
    let mut command: Command = env.command(args);
    command.stdout(full()).stderr(full()).status().unwrap().code().unwrap_or(-1)
}

#[test]
fn once_the_branch_moved_the_exit_status_is_0_though_nothing_can_be_printed() {
    let env = env_with_record();
    let before = head(&env);
    let code = crs_onto_full_device(&env, &["event", ID, "review-requested"]);
    assert_eq!(code, 0);
    assert_ne!(head(&env), before);
    assert_eq!(env.read(FILE).matches("review-requested").count(), 1);
    assert_eq!(env.commit_count(), 3);
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "");
    // A command that only reads, and cannot write its data, still fails.
    assert_eq!(crs_onto_full_device(&env, &["list"]), 2);
    // A write refused before its branch moves still fails.
    assert_eq!(crs_onto_full_device(&env, &["event", ID, "no-such-event"]), 2);
    assert_eq!(env.commit_count(), 3);
}

#[test]
fn a_submission_that_cannot_print_exits_0_and_a_rerun_records_nothing_more() {
    let env = TestEnv::copy_of("designations").committed();
    let commits = env.commit_count();
    assert_eq!(crs_onto_full_device(&env, &["submit", "-o", "../bundle"]), 0);
    assert_eq!(env.commit_count(), commits + 1);
    assert_eq!(env.git_cmd(&["tag", "-l", "crs/*"]), "crs/submission/2026-11-23\n");
    let again = env.crs(&["submit", "-o", "../bundle"]);
    assert_eq!(env.commit_count(), commits + 1, "{again}");
    assert_eq!(again.code, 0, "{again}");
    assert!(again.stderr.contains("recorded already"), "{again}");
    assert_eq!(env.git_cmd(&["tag", "-l", "crs/*"]), "crs/submission/2026-11-23\n");
}

#[test]
fn recovery_leaves_files_the_user_committed_as_they_are() {
    let env = env_with_record();
    let killed = env.crs_with(&["event", ID, "review-requested"], &[("CRS_TEST_FAULT", "kill-after:files")]);
    assert_eq!(killed.code, -1, "{killed}");
    let written = env.read(FILE);
    assert!(written.contains("review-requested"));
    // The user commits what they find, crs's interrupted change included.
    env.git_cmd(&["commit", "-qam", "commit what is there"]);
    let next = env.crs(&["event", ID, "public-engagement", "--on", "2026-11-20"]);
    let now = env.read(FILE);
    assert!(now.contains("review-requested"), "recovery put back the old text:\n{now}\n{next}");
    assert_eq!(next.code, 0, "{next}");
    assert!(next.stderr.contains("committed as it is now"), "{next}");
    assert!(now.contains("public-engagement"));
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "");
}

#[test]
fn submit_waits_for_a_write_in_flight_then_submits() {
    let env = TestEnv::copy_of("designations").committed();
    fs::create_dir_all(env.root.join(".git/crs")).unwrap();
    // Another write holds crs's lock with its file written and its commit not yet made.
    let mut writer = Command::new("flock")
        .current_dir(&env.root)
        .args([".git/crs/lock", "sh", "-c"])
        .arg("printf '# in flight\\n' >> RJ1/maternity.toml && sleep 1 && git -c user.name=A -c user.email=a@b.example commit -qam 'a write'")
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let run = env.crs(&["submit", "-o", "../bundle"]);
    assert!(writer.wait().unwrap().success());
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(env.git_cmd(&["tag", "-l", "crs/*"]), "crs/submission/2026-11-23\n");
}

#[test]
fn a_submission_killed_after_it_finished_is_not_recorded_twice() {
    let env = TestEnv::copy_of("designations").committed();
    // Killed in its post-commit hook: everything recorded, nothing printed.
    let hook = env.root.join(".git/hooks/post-commit");
    fs::write(&hook, "#!/bin/sh\nkill -9 $PPID\n").unwrap();
    fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let commits = env.commit_count();
    let killed = env.crs(&["submit", "-o", "../bundle"]);
    assert_eq!(killed.code, -1, "{killed}");
    fs::remove_file(&hook).unwrap();
    let again = env.crs(&["submit", "-o", "../bundle"]);
    assert_eq!(env.commit_count(), commits + 1, "{again}");
    assert_eq!(again.code, 0, "{again}");
    assert!(again.stderr.contains("recorded already"), "{again}");
    assert_eq!(env.git_cmd(&["tag", "-l", "crs/*"]), "crs/submission/2026-11-23\n");
    assert_eq!(env.read("RJ1/maternity.toml").matches("kind = \"submitted\"").count(), 1);
}

#[test]
fn a_tag_that_cannot_be_made_records_nothing() {
    let env = TestEnv::copy_of("designations").committed();
    let before = (head(&env), env.read("RJ1/maternity.toml"));
    let lock = env.root.join(".git/refs/tags/crs/submission/2026-11-23.lock");
    fs::create_dir_all(lock.parent().unwrap()).unwrap();
    fs::write(&lock, "").unwrap();
    let run = env.crs(&["submit", "-o", "../bundle"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("the tag crs/submission/2026-11-23 is locked"), "{run}");
    assert!(run.stderr.contains("2026-11-23.lock"), "{run}");
    assert_eq!((head(&env), env.read("RJ1/maternity.toml")), before);
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "");
    assert!(!env.root.join(".git/crs/journal.json").exists());
    assert_eq!(env.git_cmd(&["tag", "-l"]), "");
    fs::remove_file(&lock).unwrap();
    let again = env.crs(&["submit", "-o", "../bundle-again"]);
    assert_eq!(again.code, 0, "{again}");
    assert!(!again.stderr.contains("interrupted"), "{again}");
}

#[test]
fn old_leftovers_of_libgit2_and_crs_edit_go_with_the_next_write() {
    let env = env_with_record();
    let objects = env.root.join(".git/objects");
    let (old, live) = (objects.join("tmp_object_git2_a1b2c3"), objects.join("tmp_object_git2_d4e5f6"));
    fs::write(&old, "half an object").unwrap();
    fs::write(&live, "an object being written").unwrap();
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    fs::File::options().write(true).open(&old).unwrap().set_modified(long_ago).unwrap();
    let next = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(next.code, 0, "{next}");
    assert!(!old.exists());
    assert!(live.exists(), "a temp object young enough to be a live write's was deleted");

    // crs edit killed while the editor runs: its copy is in crs's folder, not the
    // temporary folder.
    let tmp = env.outside().join("tmp");
    fs::create_dir_all(&tmp).unwrap();
    let killed =
        env.crs_with(&["edit", ID], &[("EDITOR", "kill -9 $PPID; :"), ("TMPDIR", tmp.to_str().unwrap())]);
    assert_eq!(killed.code, -1, "{killed}");
    assert_eq!(files_in(&tmp), Vec::<String>::new());
    let edit_folders =
        || files_in(&env.root.join(".git/crs")).into_iter().filter(|f| f.starts_with("edit-")).count();
    assert_eq!(edit_folders(), 1);
    let next = env.crs(&["event", ID, "public-engagement", "--on", "2026-11-20"]);
    assert_eq!(next.code, 0, "{next}");
    assert_eq!(edit_folders(), 0);
}

/// The calls that flush files to disk in one run of `crs args…`, as strace counts
/// them; `None` where strace is not installed.
fn flushes(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> Option<usize> {
    let log = env.outside().join("strace.log");
    let command = env.command(args);
    let program = command.get_program().to_owned();
    let mut traced = Command::new("strace");
    traced
        .args(["-f", "-qq", "-e", "trace=fsync,fdatasync", "-o"])
        .arg(&log)
        .arg(program)
        .args(command.get_args())
        .current_dir(&env.root)
        .envs(command.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .envs(vars.iter().copied());
    let status = traced.output().ok()?.status;
    assert!(status.success(), "crs {args:?} failed under strace");
    Some(fs::read_to_string(&log).unwrap().lines().filter(|l| l.contains("sync(")).count())
}

#[test]
fn a_write_flushes_what_it_made_to_disk_as_core_fsync_says() {
    let env = env_with_record();
    let Some(default) = flushes(&env, &["event", ID, "review-requested"], &[]) else { return };
    // Objects (blob, trees, commit) and their folders, the branch and its folder, the
    // index and its folder.
    assert!(default >= 8, "only {default} flushes");
    env.git_cmd(&["config", "core.fsync", "-loose-object,-pack,-reference,-index"]);
    let none = flushes(&env, &["event", ID, "public-engagement", "--on", "2026-11-20"], &[]).unwrap();
    // The journal is crs's own, flushed whatever git is told.
    assert!(none < default, "{none} flushes with none of git's flushed, {default} without");
    env.git_cmd(&["config", "core.fsync", "-loose-object,-pack,-index"]);
    let references = flushes(&env, &["event", ID, "review-requested"], &[]).unwrap();
    assert_eq!(references, none + 2);
}
