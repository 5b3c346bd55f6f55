//! `crs edit` with scripted editors: valid edits commit, invalid ones re-open with
//! the findings, unchanged ones write nothing.

use std::fs;

use crate::harness::{TestEnv, designated_record};

/// An editor script that runs `steps[n]` (shell, with the file as $1) on its n-th call.
fn editor(env: &TestEnv, steps: &[&str]) -> String {
    let dir = env.outside().join("editor");
    fs::create_dir_all(&dir).unwrap();
    let mut script = String::from(
        "#!/bin/sh\nf=\"$1\"\nn=$(cat \"$0.count\" 2>/dev/null || echo 0)\necho $((n+1)) > \"$0.count\"\ncp \"$f\" \"$0.seen.$n\"\ncase $n in\n",
    );
    for (i, step) in steps.iter().enumerate() {
        script.push_str(&format!("{i}) {step} ;;\n"));
    }
    script.push_str("esac\n");
    let path = dir.join("edit.sh");
    fs::write(&path, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
    path.display().to_string()
}

fn env_with_record() -> TestEnv {
    let env = TestEnv::git();
    env.write("RJ1/designated.toml", designated_record());
    env.commit_all("add a record by hand");
    env
}

fn edit(env: &TestEnv, editor: &str) -> crate::harness::Run {
    let output = env.command(&["edit", "RJ1/designated"]).env("EDITOR", editor).output().unwrap();
    crate::harness::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).replace(&env.root.display().to_string(), "[ROOT]"),
    }
}

#[test]
fn valid_edit_is_committed_with_the_fields_that_changed() {
    let env = env_with_record();
    let script = editor(&env, &["sed -i 's|Board minute BD/26/031|Board minute BD/26/032|' \"$f\""]);
    let run = edit(&env, &script);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(env.git_cmd(&["log", "-1", "--format=%s"]), "edit RJ1/designated: decision.reference\n");
    assert!(env.read("RJ1/designated.toml").contains("BD/26/032"));
}

#[test]
fn invalid_edit_reopens_with_the_findings_until_fixed() {
    let env = env_with_record();
    let script = editor(
        &env,
        &[
            "sed -i 's/^grounds = .*/grounds = [\"health-inequalities\"]/' \"$f\"",
            "sed -i -e '/^# crs: /d' -e 's/^grounds = .*/grounds = [\"no-alternative-provider\", \"dependent-services\"]/' -e 's/BD\\/26\\/031/BD\\/26\\/099/' \"$f\"",
        ],
    );
    let run = edit(&env, &script);
    assert_eq!(run.code, 0, "{run}");
    let second_view = fs::read_to_string(format!("{script}.seen.1")).unwrap();
    assert!(second_view.starts_with("# crs: error[grounds-mismatch]: "), "{second_view}");
    assert!(!env.read("RJ1/designated.toml").contains("# crs:"));
    assert!(env.read("RJ1/designated.toml").contains("BD/26/099"));
    assert_eq!(env.commit_count(), 3);
}

#[test]
fn leaving_errors_unchanged_abandons_the_edit() {
    let env = env_with_record();
    let script = editor(&env, &["sed -i 's/^next_due = .*/next_due = 2029-02-30/' \"$f\"", "true"]);
    let run = edit(&env, &script);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("nothing written"), "{run}");
    assert_eq!(env.read("RJ1/designated.toml"), designated_record());
    assert_eq!(env.commit_count(), 2);
}

#[test]
fn unchanged_record_writes_nothing() {
    let env = env_with_record();
    let run = edit(&env, &editor(&env, &["true"]));
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("no change; nothing written"), "{run}");
    assert_eq!(env.commit_count(), 2);
}

#[test]
fn edit_says_which_interrupted_write_it_finished_or_undid_first() {
    for (step, said) in [("branch", "crs finished it"), ("journal", "crs undid it")] {
        let env = env_with_record();
        let killed = env.crs_with(
            &["event", "RJ1/designated", "review-requested"],
            &[("CRS_TEST_FAULT", &format!("kill-after:{step}"))],
        );
        assert_eq!(killed.code, -1, "{step}: the process was to die: {killed}");
        let script = editor(&env, &["sed -i 's|Board minute BD/26/031|Board minute BD/26/032|' \"$f\""]);
        let run = edit(&env, &script);
        assert_eq!(run.code, 0, "{step}: {run}");
        assert!(
            run.stderr.contains("an earlier crs command was interrupted")
                && run.stderr.contains("\"event RJ1/designated: review-requested on 2026-11-23\""),
            "{step}: {run}"
        );
        assert!(run.stderr.contains(said), "{step}: {run}");
        assert_eq!(run.stderr.matches("interrupted").count(), 1, "{step}: said once: {run}");
        let record = env.read("RJ1/designated.toml");
        assert!(record.contains("BD/26/032"), "{step}: {record}");
        assert_eq!(record.contains("review-requested"), step == "branch", "{step}: {record}");
    }
}

/// An editor that saves in Windows-1252 (£ as byte 0xA3): the editor re-opens with
/// the problem and the user's text, and their text is kept if they give up.
#[test]
fn a_record_saved_in_another_encoding_reopens_and_the_text_is_never_lost() {
    let env = env_with_record();
    let typed = "printf '\\n[[events]]\\non = 2026-11-01\\nkind = \"public-engagement\"\\nnote = \"Costed at \\243250k\"\\n' >> \"$f\"";
    let mended = "sed -i -e '/^# crs: /d' -e 's/\\xef\\xbf\\xbd/£/' \"$f\"";
    let script = editor(&env, &[typed, mended]);
    let run = edit(&env, &script);
    assert_eq!(run.code, 0, "{run}");
    let second_view = fs::read_to_string(format!("{script}.seen.1")).unwrap();
    assert!(second_view.starts_with("# crs: error[not-utf-8]"), "{second_view}");
    assert!(second_view.contains("Costed at \u{fffd}250k"), "{second_view}");
    // The line is named as the editor shows it, below crs's notes.
    let shown = second_view.lines().position(|l| l.contains("Costed at")).unwrap() + 1;
    assert!(second_view.contains(&format!("] line {shown}: ")), "line {shown}: {second_view}");
    assert!(env.read("RJ1/designated.toml").contains("note = \"Costed at £250k\""));

    let env = env_with_record();
    let script = editor(&env, &[typed, "true"]);
    let run = edit(&env, &script);
    assert_eq!(run.code, 1, "{run}");
    let kept = run.stderr.split("your edited record is kept in ").nth(1).expect("where it is kept").trim();
    assert!(fs::read_to_string(kept).unwrap().contains("Costed at \u{fffd}250k"), "{run}");
    assert_eq!(env.read("RJ1/designated.toml"), designated_record());
    fs::remove_file(kept).unwrap();
}
