//! Bad input and awkward repositories found by hunting for trouble: each case once
//! lost data, wrote outside the register, panicked or said something unhelpful.

use std::fs;

use crate::harness::{SETTINGS, TestEnv, designated_record};

fn env_with(record: &str) -> TestEnv {
    let env = TestEnv::git();
    env.write("RJ1/designated.toml", record);
    env.commit_all("add a record by hand");
    env
}

#[test]
fn inline_events_and_stages_are_kept_when_changed() {
    let inline = designated_record()
        .split("\n[[events]]")
        .next()
        .unwrap()
        .replace(
            "framework = \"monitor-2013\"\n",
            "framework = \"monitor-2013\"\nevents = [{ on = 2025-11-01, kind = \"providers-notified\" }, { on = 2025-11-20, kind = \"public-engagement\" }, { on = 2026-02-10, kind = \"written-request-sent\" }, { on = 2026-03-01, kind = \"provider-accepted\" }]\n",
        );
    let env = env_with(&inline);
    assert_eq!(env.crs(&["check", "--strict"]).code, 0, "{}", env.crs(&["check"]));
    let run = env.crs(&["event", "RJ1/designated", "review-requested", "--on", "2026-11-01"]);
    assert_eq!(run.code, 0, "{run}");
    let events =
        env.crs(&["show", "RJ1/designated", "--format", "json"]).json()["events"].as_array().unwrap().len();
    assert_eq!(events, 5, "{}", env.read("RJ1/designated.toml"));
}

#[test]
fn edit_mends_a_broken_record() {
    let env = env_with(&designated_record().replace("location_specific", "locaton_specific"));
    let output = env
        .command(&["edit", "RJ1/designated"])
        .env("EDITOR", "sed -i s/locaton_/location_/")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(env.read("RJ1/designated.toml"), designated_record());
}

#[test]
fn edit_keeps_the_users_own_comment_lines() {
    let text = designated_record().replace("[service]\n", "# crs: board note kept by the user\n[service]\n");
    let env = env_with(&text);
    let output = env
        .command(&["edit", "RJ1/designated"])
        .env("EDITOR", "sed -i 's/BD\\/26\\/031/BD\\/26\\/032/'")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(env.read("RJ1/designated.toml").contains("# crs: board note kept by the user"));
}

#[test]
fn new_does_not_replace_a_staged_file_of_the_same_name() {
    let env = TestEnv::git();
    env.write("RJ1/staged.toml", designated_record());
    env.git_cmd(&["add", "RJ1/staged.toml"]);
    fs::remove_file(env.root.join("RJ1/staged.toml")).unwrap();
    let run = env.crs(&[
        "new",
        "RJ1/staged",
        "--service",
        "X",
        "--provider-name",
        "P",
        "--provider-kind",
        "foundation-trust",
    ]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(env.git_cmd(&["diff", "--cached", "--name-only"]), "RJ1/staged.toml\n");
}

#[cfg(unix)]
#[test]
fn writes_never_follow_a_symbolic_link_out_of_the_register() {
    let env = TestEnv::git();
    let outside = env.outside().join("elsewhere");
    fs::create_dir_all(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, env.root.join("RJ2")).unwrap();
    let run = env.crs(&[
        "new",
        "RJ2/evil",
        "--service",
        "E",
        "--provider-name",
        "P",
        "--provider-kind",
        "foundation-trust",
    ]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("symbolic link"), "{run}");
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
    fs::remove_file(env.root.join("RJ2")).unwrap();
}

#[cfg(unix)]
#[test]
fn show_refuses_special_files() {
    let env = TestEnv::new();
    std::os::unix::fs::symlink("/dev/zero", {
        fs::create_dir_all(env.root.join("RJ1")).unwrap();
        env.root.join("RJ1/zero.toml")
    })
    .unwrap();
    let run = env.crs(&["show", "RJ1/zero"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("symbolic link"), "{run}");
}

#[test]
fn a_record_cannot_grow_past_the_size_limit() {
    let big = designated_record().replace(
        "description = \"Example service for the crs documentation\"",
        &format!("description = \"{}\"", "d".repeat(1_000_000)),
    );
    let env = env_with(&big);
    let note = "n".repeat(100_000);
    let run = env.crs(&["event", "RJ1/designated", "review-requested", "--note", &note]);
    assert_eq!(run.code, 1, "a refused change: {}", &run.stderr);
    assert!(run.stderr.contains("over the 1 MiB"), "{}", &run.stderr);
}

#[test]
fn huge_response_window_in_a_framework_is_refused_not_a_panic() {
    let env = TestEnv::new();
    let framework =
        fs::read_to_string(crate::harness::repo_dir().join("schema/frameworks/monitor-2013.toml"))
            .unwrap()
            .replace("written_request_response_days = 28", "written_request_response_days = 100000000");
    env.write("fw.toml", framework);
    env.write("crs.toml", SETTINGS.replace("\"monitor-2013\"", "\"fw.toml\""));
    let run = env.crs(&["check"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("at most 3650"), "{run}");
}

#[test]
fn refusals_of_the_process_exit_one() {
    let env = env_with(&designated_record());
    let run = env.crs(&["designate", "RJ1/designated"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("is designated already"), "{run}");
    assert!(run.stderr.contains("crs review start RJ1/designated"), "{run}");
    let draft = crate::harness::repo_dir().join("examples/records/valid/RJ1/draft.toml");
    env.write("RJ1/draft.toml", fs::read(draft).unwrap());
    env.commit_all("a draft");
    let remove = env.crs(&["remove", "RJ1/draft"]);
    assert_eq!(remove.code, 1, "{remove}");
    assert!(remove.stderr.contains("no designation to remove"), "{remove}");
    assert!(remove.stderr.contains("crs decline RJ1/draft"), "{remove}");
    let decline = env.crs(&["decline", "RJ1/designated"]);
    assert_eq!(decline.code, 1, "{decline}");
    assert!(decline.stderr.contains("hint: nothing was written; crs remove RJ1/designated"), "{decline}");
}

#[test]
fn settings_that_cannot_be_right_name_their_line() {
    for (from, to, says) in [
        ("ods = \"QKK\"", "ods = \"qk\"", "crs.toml:5:1: 'qk' is not an ODS code"),
        (
            "contact = \"crs@selondon.icb.example\"",
            "contact = \"not-an-email\"",
            "crs.toml:7:1: commissioner.contact: 'not-an-email' is not an e-mail address",
        ),
        ("schema_version = 1", "schema_version = 2", "crs.toml:1:1: schema_version is 2"),
    ] {
        let env = TestEnv::new();
        env.write("crs.toml", SETTINGS.replace(from, to));
        let run = env.crs(&["check"]);
        assert_eq!(run.code, 2, "{run}");
        assert!(run.stderr.contains(says), "{run}");
    }
}

#[test]
fn control_characters_are_not_sent_to_the_terminal() {
    let env = TestEnv::new();
    env.write(
        "RJ1/designated.toml",
        designated_record().replace("Maternity: designated example", "Mat\\u001b]0;pwned\\u0007"),
    );
    let run = env.crs(&["list"]);
    assert!(!run.stdout.contains('\u{1b}'), "{run}");
    assert!(run.stdout.contains("Mat\\u{1b}]0;pwned\\u{7}"), "{run}");
    let check = env.crs(&["check", "--format", "json"]).json();
    assert_eq!(check["findings"][0]["rule"], "schema", "a name must be one line: {check}");
}

/// Panics when `run` wrote a control character other than a line end.
fn assert_shown_not_obeyed(what: &str, run: &crate::harness::Run) {
    let text = format!("{}{}", run.stdout, run.stderr).replace("\r\n", "\n");
    let raw: Vec<char> = text.chars().filter(|c| c.is_control() && *c != '\n').collect();
    assert!(raw.is_empty(), "{what} wrote {raw:?} raw:\n{run}");
}

#[test]
fn no_human_output_sends_a_record_a_sheet_or_a_commit_control_characters() {
    let env = TestEnv::git();
    // An escaped ESC in the description and a raw C1 control (CSI, which TOML allows
    // in a string) in the outcome; a review long overdue.
    let record = designated_record()
        .replace("Example service for the crs documentation", "Desc \\u001b[2J")
        .replace("next_due = 2029-02-01", "next_due = 2026-01-01");
    let record = record.replacen("[service]", "[outcome]\nlong_term = \"raw \u{9b}31m C1\"\n\n[service]", 1);
    env.write("RJ1/designated.toml", &record);
    env.commit_all("hand-made \u{1b}]0;title\u{7} subject");
    let evil = "note \u{1b}]0;pwned\u{7} \u{9b}2J";

    let event = env.crs(&["event", "RJ1/designated", "public-engagement", "--note", evil]);
    assert_eq!(event.code, 0, "{event}");
    assert_shown_not_obeyed("crs event", &event);
    for args in [
        &["show", "RJ1/designated"][..],
        &["list"],
        &["log"],
        &["log", "RJ1/designated"],
        &["due", "--within", "3650"],
        &["check"],
        &["assess", "RJ1/designated", "--stage", "\u{1b}[2J", "--met", "--rationale", "x"],
        &["event", "RJ1/designated", "\u{1b}[2J"],
        &["show", "RJ1/\u{1b}[2Jx"],
        &["list", "--status", "\u{9b}2J"],
    ] {
        let run = env.crs(args);
        assert_shown_not_obeyed(&format!("crs {args:?}"), &run);
    }
    let shown = env.crs(&["show", "RJ1/designated"]);
    assert!(shown.stdout.contains("raw \\u{9b}31m C1"), "{shown}");
    let log = env.crs(&["log"]);
    assert!(log.stdout.contains("hand-made \\u{1b}]0;title\\u{7} subject"), "{log}");
    assert!(log.stdout.contains("note \\u{1b}]0;pwned\\u{7} \\u{9b}2J"), "{log}");
    // JSON keeps the text as it is.
    let json = env.crs(&["show", "RJ1/designated", "--format", "json"]).json();
    assert_eq!(json["events"].as_array().unwrap().last().unwrap()["note"], evil);

    // A sheet's cells, echoed by crs import.
    let map = env.outside().join("map.toml");
    fs::write(
        &map,
        "date_formats = [\"%d/%m/%Y\"]\n[columns]\n\"Provider code\" = \"provider.ods\"\n\"Provider\" = \"provider.name\"\n\"Type\" = \"provider.kind\"\n\"Service\" = \"service.name\"\n\"Date designated\" = \"decision.decided_on\"\n\"Ground 1\" = \"grounds.no-alternative-provider\"\n\"Status\" = \"status\"\n[values.\"provider.kind\"]\n\"FT\" = \"foundation-trust\"\n[defaults]\n\"provider.licence\" = \"licensed\"\n",
    )
    .unwrap();
    let sheet = env.outside().join("sheet\u{1b}[2J.csv");
    fs::write(
        &sheet,
        "Provider code,Provider,Type,Service,Date designated,Ground 1,Status\nRJ2,Trust \u{9b}1m,FT,Renal,\u{1b}]0;pwned\u{7},Y,proposed\n",
    )
    .unwrap();
    let import = env.crs(&["import", sheet.to_str().unwrap(), "--map", map.to_str().unwrap(), "--dry-run"]);
    assert_eq!(import.code, 1, "{import}");
    assert!(import.stdout.contains("'\\u{1b}]0;pwned\\u{7}' is not a date"), "{import}");
    assert_shown_not_obeyed("crs import", &import);
}

#[test]
fn log_of_an_unknown_record_is_an_error() {
    let env = TestEnv::git();
    let run = env.crs(&["log", "RJ1/nope"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("does not exist"), "{run}");
}

#[test]
fn as_of_a_future_day_reads_today() {
    let env = env_with(&designated_record().replace("next_due = 2029-02-01", "next_due = 2030-06-01"));
    let run = env.crs(&["check", "--as-of", "2099-01-01", "--strict"]);
    assert_eq!(run.code, 0, "no review falls overdue in 2099: {run}");
}

#[test]
fn crlf_and_byte_order_mark_survive_a_change() {
    let text = format!("\u{feff}{}", designated_record().replace('\n', "\r\n"));
    let env = env_with(&text);
    let run = env.crs(&["event", "RJ1/designated", "review-requested"]);
    assert_eq!(run.code, 0, "{run}");
    let after = env.read("RJ1/designated.toml");
    assert!(after.starts_with('\u{feff}'));
    assert_eq!(after.matches('\n').count(), after.matches("\r\n").count(), "every line ends CRLF");
}

#[test]
fn a_register_in_an_ignored_folder_is_not_committed_into_the_outer_repository() {
    let env = TestEnv::new();
    env.write("RJ1/designated.toml", designated_record());
    let outer = env.outside().to_path_buf();
    env.init_outer_repository();
    fs::write(outer.join(".gitignore"), "register/\n").unwrap();
    let run = env.crs(&["event", "RJ1/designated", "review-requested"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("ignores, so crs will not commit there"), "{run}");
}
