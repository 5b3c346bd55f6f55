//! The repository's hooks under crs as under git commit: pre-commit and commit-msg
//! can stop a write (and then nothing is written), commit-msg can edit the message,
//! post-commit runs after, core.hooksPath is honoured, --no-verify skips the first
//! two, and a crs killed while a hook runs is undone by the next write.

use std::fs;

use crate::harness::{TestEnv, designated_record};

const ID: &str = "RJ1/designated";
const FILE: &str = "RJ1/designated.toml";

/// A register with one committed record.
fn register() -> TestEnv {
    let env = TestEnv::git();
    env.write(FILE, designated_record());
    env.commit_all("a record");
    env
}

/// Installs an executable hook `name` with the shell `script` in `dir` (below the
/// register root).
fn hook(env: &TestEnv, dir: &str, name: &str, script: &str) {
    let path = env.root.join(dir).join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    set_mode(&path, 0o755);
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Nothing of a refused write is left: same commits, same file, nothing staged.
fn assert_untouched(env: &TestEnv, commits: usize, text: &str) {
    assert_eq!(env.commit_count(), commits);
    assert_eq!(env.read(FILE), text);
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "");
    assert!(!env.root.join(".git/crs/journal.json").exists());
}

#[test]
fn a_failing_pre_commit_hook_stops_the_write_and_no_verify_skips_it() {
    let env = register();
    hook(&env, ".git/hooks", "pre-commit", "echo 'pre-commit: the register is frozen' >&2\nexit 1");
    let (commits, text) = (env.commit_count(), env.read(FILE));
    let run = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(run.code, 1, "{run}");
    let said = run.stderr.find("pre-commit: the register is frozen").expect("the hook's words");
    let error =
        run.stderr.find("error: the pre-commit hook refused the change (exit status 1)").expect("{run}");
    assert!(said < error, "the hook speaks first: {run}");
    assert!(run.stderr.contains("--no-verify"), "{run}");
    assert_untouched(&env, commits, &text);

    let run = env.crs(&["event", ID, "review-requested", "--no-verify"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(env.commit_count(), commits + 1);
}

#[test]
fn pre_commit_sees_the_files_written_and_an_index_of_exactly_the_commit() {
    let env = register();
    env.write("notes.txt", "someone's staged work\n");
    env.git_cmd(&["add", "notes.txt"]);
    let script = "pwd > .git/seen\n\
                  grep -c review-requested RJ1/designated.toml >> .git/seen\n\
                  git show :RJ1/designated.toml | grep -c review-requested >> .git/seen\n\
                  git diff --cached --name-only HEAD >> .git/seen\n\
                  echo \"author $GIT_AUTHOR_NAME <$GIT_AUTHOR_EMAIL>\" >> .git/seen\n\
                  echo 'pre-commit: looked'";
    hook(&env, ".git/hooks", "pre-commit", script);
    let run = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("pre-commit: looked"), "its standard output is shown on stderr: {run}");
    assert!(run.stdout.is_empty(), "{run}");
    let seen = env.read(".git/seen");
    let root = env.root.canonicalize().unwrap().display().to_string();
    assert_eq!(
        seen,
        format!("{root}\n1\n1\nRJ1/designated.toml\nauthor Ann Analyst <ann.analyst@icb.example>\n")
    );
    // The staged work is still staged, and only there.
    assert_eq!(env.git_cmd(&["diff", "--cached", "--name-only"]), "notes.txt\n");
}

/// A pre-commit hook that fixes the record and stages its fix, as formatters do:
/// the fix is what is committed (as `git commit --only` commits it), nothing is
/// left modified or staged, and the next write to the record goes ahead.
#[test]
fn a_pre_commit_hooks_staged_fix_is_committed() {
    let env = register();
    hook(
        &env,
        ".git/hooks",
        "pre-commit",
        &format!("grep -q '^# checked$' {FILE} || {{ echo '# checked' >> {FILE} && git add {FILE}; }}"),
    );
    let commits = env.commit_count();
    for kind in ["review-requested", "review-started"] {
        let run = env.crs(&["event", ID, kind]);
        assert_eq!(run.code, 0, "{kind}: {run}");
        let committed = env.git_cmd(&["show", &format!("HEAD:{FILE}")]);
        assert!(committed.contains(kind) && committed.contains("\n# checked\n"), "{kind}: {committed}");
        assert_eq!(env.read(FILE), committed, "{kind}");
        assert_eq!(env.git_cmd(&["status", "--porcelain"]), "", "{kind}: nothing modified or staged");
    }
    assert_eq!(env.commit_count(), commits + 2);

    // A hook that changes the file without staging the change, or stages a version
    // other than the file it leaves, stops the write: nothing is committed or staged
    // that is not the file.
    for (script, says) in [
        (format!("echo '# not staged' >> {FILE}"), "changed, without staging the change,"),
        (
            format!("echo '# staged' >> {FILE} && git add {FILE} && echo '# not staged' >> {FILE}"),
            "staged a version other than the one it left in the file of",
        ),
    ] {
        env.git_cmd(&["checkout", "--", FILE]);
        hook(&env, ".git/hooks", "pre-commit", &script);
        let run = env.crs(&["event", ID, "review-requested"]);
        assert_eq!(run.code, 2, "{run}");
        assert!(run.stderr.contains(&format!("{says} {FILE}, so crs committed nothing")), "{run}");
        assert_eq!(env.commit_count(), commits + 2);
        assert_eq!(env.git_cmd(&["diff", "--cached", "--stat"]), "", "nothing staged");
    }
}

#[test]
fn commit_msg_edits_the_message_or_stops_the_write() {
    let env = register();
    hook(
        &env,
        ".git/hooks",
        "commit-msg",
        "printf '\\nReviewed-by: Rhys Reviewer <rhys@icb.example>\\n\\n' >> \"$1\"",
    );
    let run = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(run.code, 0, "{run}");
    let message = env.git_cmd(&["log", "-1", "--format=%B"]);
    assert!(message.starts_with("event RJ1/designated: review-requested"), "{message}");
    assert!(message.contains("Crs-Record: RJ1/designated\n"), "{message}");
    assert!(message.ends_with("\nReviewed-by: Rhys Reviewer <rhys@icb.example>\n\n"), "{message:?}");
    assert!(!message.contains("\n\n\n"), "{message:?}");

    hook(
        &env,
        ".git/hooks",
        "commit-msg",
        "grep -q '^Ticket:' \"$1\" || { echo 'commit-msg: no Ticket' >&2; exit 3; }",
    );
    let (commits, text) = (env.commit_count(), env.read(FILE));
    let run = env.crs(&["event", ID, "review-started"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("commit-msg: no Ticket") && run.stderr.contains("exit status 3"), "{run}");
    assert_untouched(&env, commits, &text);
    assert_eq!(env.crs(&["event", ID, "review-started", "--no-verify"]).code, 0);
}

#[test]
fn post_commit_runs_after_the_commit_and_its_failure_is_only_shown() {
    let env = register();
    hook(&env, ".git/hooks", "post-commit", "echo \"post-commit: $(git rev-parse HEAD)\"\nexit 4");
    let run = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(run.code, 0, "{run}");
    let head = env.git_cmd(&["rev-parse", "HEAD"]);
    assert!(run.stderr.contains(&format!("post-commit: {}", head.trim())), "{run}");
    assert!(run.stderr.contains("the post-commit hook failed (exit status 4); the commit stands"), "{run}");
}

#[test]
fn hooks_come_from_core_hooks_path_and_must_be_executable() {
    let env = register();
    env.git_cmd(&["config", "core.hooksPath", ".githooks"]);
    hook(&env, ".githooks", "pre-commit", "echo 'pre-commit from .githooks'; exit 1");
    hook(&env, ".git/hooks", "pre-commit", "exit 0");
    let run = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("pre-commit from .githooks"), "{run}");

    set_mode(&env.root.join(".githooks/pre-commit"), 0o644);
    let run = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stderr.contains("The 'pre-commit' hook was ignored because it's not set as executable"),
        "{run}"
    );
}

#[test]
fn a_crs_killed_while_a_hook_runs_is_undone_by_the_next_write() {
    let env = register();
    let (commits, text) = (env.commit_count(), env.read(FILE));
    hook(&env, ".git/hooks", "pre-commit", "kill -9 $PPID; sleep 1");
    let killed = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(killed.code, -1, "the hook was to kill crs: {killed}");
    assert!(env.read(FILE).contains("review-requested"), "the file was written before the hook ran");

    fs::remove_file(env.root.join(".git/hooks/pre-commit")).unwrap();
    let next = env.crs(&["event", ID, "public-engagement", "--on", "2026-11-20"]);
    assert_eq!(next.code, 0, "{next}");
    assert!(next.stderr.contains("crs undid it, so nothing of it was recorded"), "{next}");
    assert_eq!(env.commit_count(), commits + 1);
    assert!(!env.read(FILE).contains("review-requested"));
    assert!(env.read(FILE).starts_with(text.trim_end()));
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "");
}

#[test]
fn the_lock_of_the_hooks_index_a_killed_crs_left_is_cleared() {
    let env = register();
    let commits = env.commit_count();
    hook(&env, ".git/hooks", "pre-commit", "exit 0");
    // What a crs killed while writing the index the hooks see leaves behind.
    fs::create_dir_all(env.root.join(".git/crs")).unwrap();
    fs::write(env.root.join(".git/crs/next-index.crs-tmp.lock"), b"").unwrap();
    let run = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(env.commit_count(), commits + 1);
    assert!(!env.root.join(".git/crs/next-index.crs-tmp.lock").exists());
}

#[test]
fn a_file_the_pre_commit_hook_stages_is_left_staged_as_committed() {
    let env = register();
    env.write("notes.txt", "someone's staged work\n");
    env.git_cmd(&["add", "notes.txt"]);
    hook(&env, ".git/hooks", "pre-commit", "echo stamped > hook-stamp.txt\ngit add hook-stamp.txt");
    let run = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(env.git_cmd(&["show", "HEAD:hook-stamp.txt"]), "stamped\n");
    // As plain git commit leaves it: the hook's file staged as committed, the
    // user's own staged work still staged and not in the commit.
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "A  notes.txt\n");
    assert_eq!(env.git_cmd(&["diff", "--cached", "--name-only", "HEAD"]), "notes.txt\n");
}

/// A record the hooks rewrite is judged by the one checker before it is committed:
/// one that breaks a rule or does not read is refused (nothing recorded, exit 2,
/// the hook and the rule named); a valid change is committed and said.
#[test]
fn a_record_the_pre_commit_hook_rewrites_is_checked_before_it_is_committed() {
    let env = register();
    let (commits, text) = (env.commit_count(), env.read(FILE));
    for (script, says) in [
        (
            format!(
                "sed -i 's/^kind = \"providers-notified\"/kind = \"provider-accepted\"/' {FILE} && git add {FILE}"
            ),
            "the pre-commit hook changed RJ1/designated.toml so that it breaks the rule event-order",
        ),
        (
            format!("echo 'kind = = broken' >> {FILE} && git add {FILE}"),
            "the pre-commit hook changed RJ1/designated.toml so that it does not read as a record",
        ),
    ] {
        hook(&env, ".git/hooks", "pre-commit", &script);
        let run = env.crs(&["event", ID, "review-requested"]);
        assert_eq!(run.code, 2, "{run}");
        assert!(run.stderr.contains(says), "{run}");
        assert_untouched(&env, commits, &text);
        assert_eq!(env.crs(&["check"]).code, 0);
    }

    hook(&env, ".git/hooks", "pre-commit", &format!("echo '# checked' >> {FILE} && git add {FILE}"));
    let run = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stderr.contains(
            "the pre-commit hook changed RJ1/designated.toml, and the commit holds the hook's version"
        ),
        "{run}"
    );
    assert_eq!(env.commit_count(), commits + 1);
}
