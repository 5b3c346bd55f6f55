//! `crs init`: a new register, committed, with the files CI and editors need.

use std::fs;

use crate::harness::{TestEnv, designated_record, repo_dir};

#[test]
fn init_creates_and_commits_a_register() {
    let env = TestEnv::git();
    assert_eq!(env.commit_count(), 1);
    let files = env.git_cmd(&["show", "--name-only", "--format=", "HEAD"]);
    insta::assert_snapshot!(files);
    assert!(env.git_cmd(&["status", "--porcelain"]).is_empty());
    insta::assert_snapshot!("init_settings", env.read("crs.toml"));
    assert_eq!(env.crs(&["check", "--strict"]).code, 0);

    let again = env.crs(&["init", "--commissioner-ods", "QKK", "--commissioner-name", "x", "--contact", "y"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("is a register already"), "{again}");
}

#[test]
fn init_schema_is_the_checked_in_schema() {
    let env = TestEnv::git();
    let checked_in = fs::read_to_string(repo_dir().join("schema/designation.schema.json")).unwrap();
    assert_eq!(env.read("designation.schema.json"), checked_in);
}

/// The generated workflow's check step: its command's arguments and the register it
/// names, as GitHub Actions reads the YAML.
fn check_step(env: &TestEnv) -> (Vec<String>, String) {
    let workflow: serde_yaml::Value = serde_yaml::from_str(&env.read(".github/workflows/crs.yml")).unwrap();
    let steps = workflow["jobs"]["check"]["steps"].as_sequence().unwrap();
    let step = steps.iter().find(|s| s["run"].as_str().is_some_and(|r| r.starts_with("crs check"))).unwrap();
    let args = step["run"].as_str().unwrap().split_whitespace().skip(1).map(str::to_owned).collect();
    (args, step["env"]["CRS_REGISTER"].as_str().unwrap().to_owned())
}

#[test]
fn generated_workflow_check_step_annotates_a_bad_record() {
    let env = TestEnv::git();
    let (args, register) = check_step(&env);
    assert_eq!(register, ".");
    env.write("RJ1/typo.toml", designated_record().replace("next_due", "nxt_due"));
    let output = env
        .command(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .env("CRS_REGISTER", register)
        .output();
    let output = output.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.starts_with("::error file=RJ1/typo.toml,line=49,col=1,title=schema::unknown field `nxt_due`"),
        "{stdout}"
    );
}

/// A register in a folder of a larger repository: the workflow names the folder,
/// init says where GitHub needs the workflow, and annotations name files from the
/// repository's root.
#[test]
fn a_register_in_a_folder_is_checked_from_the_repository_root() {
    let (env, init) = TestEnv::in_a_larger_repository();
    let outer = env.outside().to_path_buf();
    assert!(
        init.stderr.contains(
            "mkdir -p .github/workflows && git mv 'register/.github/workflows/crs.yml' .github/workflows/crs.yml"
        ),
        "{init}"
    );
    let (args, register) = check_step(&env);
    assert_eq!((args.join(" "), register.as_str()), ("check --format github".to_owned(), "register"));

    env.write("RJ1/typo.toml", designated_record().replace("next_due", "nxt_due"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = env.command(&args).current_dir(&outer).env("CRS_REGISTER", register).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.starts_with("::error file=register/RJ1/typo.toml,line=49,col=1,title=schema::unknown field"),
        "{stdout}"
    );
    let json = env.crs(&["check", "--format", "json"]).json();
    assert_eq!(json["findings"][0]["file"], "RJ1/typo.toml", "other formats name files in the register");
}

#[test]
fn init_refuses_a_bad_commissioner_code() {
    let env = TestEnv::empty();
    let run = env.crs(&["init", "--commissioner-ods", "qkk!", "--commissioner-name", "x", "--contact", "y"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not an ODS code"), "{run}");
    assert!(!env.root.join("crs.toml").exists());
}

#[test]
fn changed_only_reports_just_the_records_changed_since_a_revision() {
    let env = TestEnv::git();
    env.write(
        "RJ1/old-bad.toml",
        designated_record().replace("next_due", "nxt_due").replace("Maternity:", "Old:"),
    );
    env.commit_all("a bad record, committed long ago");
    let base = env.git_cmd(&["rev-parse", "HEAD"]);
    env.write("RJ1/new-bad.toml", designated_record().replace("next_due", "nxt_due"));
    let run = env.crs(&["check", "--changed-only", base.trim(), "--format", "json"]);
    assert_eq!(run.code, 1, "{run}");
    let json = run.json();
    let files: Vec<&str> =
        json["findings"].as_array().unwrap().iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["RJ1/new-bad.toml"]);
    assert_eq!(json["summary"]["records"], 1);
    assert_eq!(env.crs(&["check", "--changed-only", "HEAD~5"]).code, 2, "an unknown revision is an error");
}

#[test]
fn completions_and_man_page() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = env.crs(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {run}");
        assert!(run.stdout.contains("COMPLETE"), "{shell}: {run}");
    }
    let man = env.crs(&["man"]);
    assert_eq!(man.code, 0);
    assert!(man.stdout.contains(".TH crs 1"), "{man}");
}

#[test]
fn every_command_has_help_with_an_example() {
    let env = TestEnv::new();
    let top = env.crs(&["--help"]);
    let commands: Vec<String> = top
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 15, "{commands:?}");
    for command in commands {
        let help = env.crs(&[&command, "--help"]);
        assert_eq!(help.code, 0);
        assert!(help.stdout.contains("Example"), "crs {command} --help has no example:\n{}", help.stdout);
    }
}

/// Runs crs init `args` (after the commissioner flags) with no git identity.
fn init_without_identity(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> crate::harness::Run {
    let mut all = vec!["init"];
    all.extend_from_slice(args);
    if !args.contains(&"--adopt") {
        all.extend(["--commissioner-ods", "QKK", "--commissioner-name", "ICB", "--contact", "a@b.example"]);
    }
    let identity = ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"];
    let run = env.crs_in(&all, vars, &identity);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("no git identity"), "{run}");
    run
}

/// The names in `dir`, sorted.
fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn a_failed_init_leaves_nothing_it_made() {
    // A new folder: it goes, with the repository made in it.
    let env = TestEnv::empty();
    init_without_identity(&env, &["my-register"], &[]);
    assert!(!env.root.join("my-register").exists(), "{:?}", names_in(&env.root));

    // The folder it was run in stays, empty as it was.
    init_without_identity(&env, &[], &[]);
    assert_eq!(names_in(&env.root), Vec::<String>::new());

    // A hook that refuses the first commit, after the files were written.
    let hooks = env.outside().join("hooks");
    fs::create_dir_all(&hooks).unwrap();
    fs::write(hooks.join("pre-commit"), "#!/bin/sh\necho refused; exit 1\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(hooks.join("pre-commit"), fs::Permissions::from_mode(0o755)).unwrap();
    }
    let hooks = hooks.to_str().unwrap();
    let vars =
        [("GIT_CONFIG_COUNT", "1"), ("GIT_CONFIG_KEY_0", "core.hooksPath"), ("GIT_CONFIG_VALUE_0", hooks)];
    let refused = env.crs_with(
        &["init", "--commissioner-ods", "QKK", "--commissioner-name", "ICB", "--contact", "a@b.example"],
        &vars,
    );
    assert_eq!(refused.code, 1, "{refused}");
    assert_eq!(names_in(&env.root), Vec::<String>::new(), "{refused}");

    // A register not yet in git, adopted: its own files stay, and only they.
    env.write("crs.toml", crate::harness::SETTINGS);
    env.write("RJ1/designated.toml", designated_record());
    init_without_identity(&env, &["--adopt"], &[]);
    assert_eq!(names_in(&env.root), ["RJ1", "crs.toml"]);
}

#[test]
fn a_failed_init_in_a_repository_leaves_the_repository_as_it_was() {
    let env = TestEnv::empty();
    env.init_outer_repository();
    env.write("notes.txt", "someone's work\n");
    let before = env.git_cmd(&["status", "--porcelain", "--untracked-files=all"]);
    init_without_identity(&env, &["registers/crs"], &[]);
    init_without_identity(&env, &[], &[]);
    assert_eq!(names_in(&env.root), ["notes.txt"]);
    assert_eq!(env.git_cmd(&["status", "--porcelain", "--untracked-files=all"]), before);
    assert!(env.outside().join(".git").is_dir(), "the repository is still there");
}
