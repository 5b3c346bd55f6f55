//! Dynamic completion as each shell asks for it (the variables its registration
//! script sets, then `crs -- crs …`): record ids and provider codes from the
//! register, stage names from its framework, statuses and event kinds; and
//! `crs completions SHELL` prints the script that asks.

use crate::harness::{TestEnv, designated_record};

/// A register holding RJ1/maternity, RJ1/designated and NQT/cataracts.
fn register() -> TestEnv {
    let env = TestEnv::new();
    for id in ["RJ1/maternity", "RJ1/designated", "NQT/cataracts"] {
        env.write(&format!("{id}.toml"), designated_record());
    }
    env
}

/// The candidates `shell` is given for the last word of `line` (`crs …`), values only
/// and no flags.
fn complete(env: &TestEnv, shell: &str, line: &[&str]) -> Vec<String> {
    let index = (line.len() - 1).to_string();
    let mut args = vec!["--"];
    args.extend_from_slice(line);
    let vars: Vec<(&str, &str)> = match shell {
        "bash" => {
            vec![("COMPLETE", "bash"), ("_CLAP_COMPLETE_INDEX", &index), ("_CLAP_COMPLETE_COMP_TYPE", "9")]
        }
        "zsh" => vec![("COMPLETE", "zsh"), ("_CLAP_COMPLETE_INDEX", &index), ("_CLAP_IFS", "\n")],
        _ => vec![("COMPLETE", shell)],
    };
    let run = env.crs_with(&args, &vars);
    assert_eq!(run.code, 0, "{shell} {line:?}: {run}");
    // zsh and fish give "value:help" / "value\thelp".
    run.stdout
        .lines()
        .map(|l| l.split(['\t', ':']).next().unwrap().to_owned())
        .filter(|l| !l.is_empty() && !l.starts_with('-'))
        .collect()
}

#[test]
fn record_ids_statuses_stages_event_kinds_and_providers_complete_in_bash_zsh_and_fish() {
    let env = register();
    for shell in ["bash", "zsh", "fish"] {
        let ids = complete(&env, shell, &["crs", "event", "RJ1/"]);
        assert_eq!(ids, ["RJ1/designated", "RJ1/maternity"], "{shell}");
        let all = complete(&env, shell, &["crs", "show", ""]);
        assert!(all.contains(&"NQT/cataracts".to_owned()) && all.len() == 3, "{shell}: {all:?}");

        let kinds = complete(&env, shell, &["crs", "event", "RJ1/maternity", "provider-"]);
        assert_eq!(
            kinds,
            ["provider-accepted", "provider-refused", "provider-notified-of-removal"],
            "{shell}"
        );

        let stages = complete(&env, shell, &["crs", "assess", "RJ1/maternity", "--stage", "a"]);
        assert_eq!(stages, ["alternative-provision"], "{shell}");
        let stages = complete(&env, shell, &["crs", "assess", "RJ1/maternity", "--stage", ""]);
        for stage in ["health-inequalities", "interdependencies", "proportionality", "1", "4"] {
            assert!(stages.contains(&stage.to_owned()), "{shell}: {stages:?}");
        }

        let statuses = complete(&env, shell, &["crs", "list", "--status", "d"]);
        assert_eq!(statuses, ["draft", "designated"], "{shell}");
        let providers = complete(&env, shell, &["crs", "export", "--provider", ""]);
        assert_eq!(providers, ["NQT", "RJ1"], "{shell}");
        let codes = complete(&env, shell, &["crs", "orgs", "show", "N"]);
        assert_eq!(codes, ["NQT"], "{shell}");
    }
}

#[test]
fn record_ids_come_from_the_register_that_register_names() {
    let env = register();
    let elsewhere = env.outside().to_str().unwrap().to_owned();
    let ids = complete(&env, "bash", &["crs", "--register", "../register", "show", "NQ"]);
    assert_eq!(ids, ["NQT/cataracts"]);
    let run = env
        .command(&["--", "crs", "show", "NQ"])
        .current_dir(&elsewhere)
        .env("COMPLETE", "fish")
        .env("CRS_REGISTER", env.root.to_str().unwrap())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&run.stdout).lines().next(), Some("NQT/cataracts"));
}

#[test]
fn completions_prints_the_script_that_asks_crs() {
    let env = register();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = env.crs(&["completions", shell]);
        assert_eq!(script.code, 0, "{script}");
        assert!(script.stdout.contains("COMPLETE"), "{shell}: {script}");
        let direct = env.crs_with(&[], &[("COMPLETE", shell)]);
        assert_eq!(direct.code, 0, "{direct}");
        assert!(direct.stdout.contains("COMPLETE"), "{shell}: {direct}");
    }
    let bash = env.crs(&["completions", "bash"]).stdout;
    assert!(
        bash.contains("complete -o nospace -o bashdefault -F _clap_complete_crs crs")
            || bash.contains("-F _clap_complete_crs"),
        "{bash}"
    );
}

#[test]
fn bash_completes_the_equals_form_as_zsh_and_fish_do() {
    let env = register();
    for shell in ["zsh", "fish"] {
        let run = env.crs_with(
            &["--", "crs", "list", "--status=des"],
            &[("COMPLETE", shell), ("_CLAP_COMPLETE_INDEX", "2"), ("_CLAP_IFS", "\n")],
        );
        assert_eq!(run.stdout.trim_end(), "--status=designated", "{shell}: {run}");
    }
    // Bash itself, with the script crs prints: `=` is one of its word breaks, so it
    // hands over `--status`, `=`, `des` and replaces only `des`.
    let script = env.crs_with(&[], &[("COMPLETE", "bash")]).stdout;
    let ask = |words: &str, current: &str, previous: &str| {
        let line = format!(
            "{script}\nCOMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMP_TYPE=9\n_clap_complete_crs crs '{current}' '{previous}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        let out = std::process::Command::new("bash")
            .args(["--norc", "--noprofile", "-c", &line])
            .current_dir(&env.root)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect::<Vec<_>>()
    };
    assert_eq!(ask("crs list --status = des", "des", "="), ["designated"]);
    assert_eq!(ask("crs list --status = d", "d", "="), ["draft", "designated"]);
    assert_eq!(ask("crs assess RJ1/maternity --stage = al", "al", "="), ["alternative-provision"]);
    assert_eq!(ask("crs list --status = designated --provider = N", "N", "="), ["NQT"]);
    // A --register=DIR earlier on the line names the register, as --register DIR does.
    let elsewhere = std::process::Command::new("bash")
        .args([
            "--norc",
            "--noprofile",
            "-c",
            &format!(
                "{script}\nCOMP_WORDS=(crs --register = {} show NQ); COMP_CWORD=5; COMP_TYPE=9\n_clap_complete_crs crs NQ show\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
                env.root.display()
            ),
        ])
        .current_dir(env.outside())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&elsewhere.stdout).trim_end(), "NQT/cataracts");
}
