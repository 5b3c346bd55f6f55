//! Fitting in with other tools: YAML that YAML 1.1 readers read as the JSON says, CSV
//! that spreadsheets open in UTF-8, `--help` examples that stay whole at 80 columns,
//! man pages, completion, "did you mean", and the files `crs init` writes for git
//! and pre-commit.

use std::process::Command;

use crate::harness::{TestEnv, designated_record};

/// Strings a YAML 1.1 reader would take for something other than a string if
/// written bare.
const TRICKY: &[&str] = &["NO", "off", "yes", "y", "~", "null", "0123", "1e3", "2025-01-01"];

/// A register whose service names and texts are each of `TRICKY`, a multi-line
/// text and non-ASCII names.
fn tricky_register() -> TestEnv {
    let env = TestEnv::new();
    for (i, word) in TRICKY.iter().enumerate() {
        let record = designated_record()
            .replace("Maternity: designated example", word)
            .replace(
                "Example service for the crs documentation",
                &format!("{word}\\nsecond line: # not a comment"),
            )
            .replace("ICB Board", "Bwrdd — “quoted”")
            .replace("Guy's and St Thomas' NHS Foundation Trust", "Ysbyty Gŵyr")
            .replace("Board minute BD/26/031", word);
        env.write(&format!("RJ1/s{i}.toml"), record);
    }
    env
}

/// `yaml` read with PyYAML's safe_load and `json` read with Python's json, compared
/// in Python; panics with both when they differ.
fn assert_pyyaml_reads_as_json(yaml: &str, json: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (y, j) = (dir.path().join("out.yaml"), dir.path().join("out.json"));
    std::fs::write(&y, yaml).unwrap();
    std::fs::write(&j, json).unwrap();
    let script = "import yaml, json, sys\n\
                  y = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\n\
                  j = json.load(open(sys.argv[2], encoding='utf-8'))\n\
                  sys.exit(0 if y == j else 1)";
    let status = Command::new("python3").args(["-c", script]).arg(&y).arg(&j).status().unwrap();
    assert!(status.success(), "PyYAML reads the YAML differently from the JSON:\n{yaml}\n---\n{json}");
}

#[test]
fn pyyaml_reads_the_yaml_export_as_the_json_export() {
    let env = tricky_register();
    let yaml = env.crs(&["export", "--format", "yaml"]);
    let json = env.crs(&["export", "--format", "json"]);
    assert_eq!((yaml.code, json.code), (0, 0), "{yaml}\n{json}");
    assert!(yaml.stdout.contains("\"NO\"") && yaml.stdout.contains("Gŵyr"), "{yaml}");
    assert_eq!(json.json()["designations"].as_array().unwrap().len(), TRICKY.len());
    assert_pyyaml_reads_as_json(&yaml.stdout, &json.stdout);
}

#[test]
fn pyyaml_reads_list_and_show_yaml_as_their_json() {
    let env = tricky_register();
    for args in [&["list"][..], &["show", "RJ1/s0"], &["show", "RJ1/s4"], &["show", "RJ1/s8"]] {
        let yaml = env.crs(&[args, &["--format", "yaml"]].concat());
        let json = env.crs(&[args, &["--format", "json"]].concat());
        assert_eq!((yaml.code, json.code), (0, 0), "{yaml}\n{json}");
        assert_pyyaml_reads_as_json(&yaml.stdout, &json.stdout);
    }
}

/// A register with one record whose provider has a Welsh name.
fn welsh_register() -> TestEnv {
    let env = TestEnv::new();
    let record = designated_record().replace("Guy's and St Thomas' NHS Foundation Trust", "Ysbyty Gŵyr");
    env.write("RJ1/designated.toml", record);
    env
}

/// Checks `bytes` are CSV for a spreadsheet: a UTF-8 byte-order mark, every line
/// ending in CRLF, and "Gŵyr" in UTF-8.
fn assert_excel_csv(bytes: &[u8]) {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let body = text.strip_prefix('\u{feff}').unwrap_or_else(|| panic!("no byte-order mark:\n{text}"));
    assert!(!body.starts_with('\u{feff}'), "two byte-order marks");
    assert!(body.ends_with("\r\n"), "{body:?}");
    assert_eq!(body.matches('\n').count(), body.matches("\r\n").count(), "a line ends in LF alone: {body:?}");
    assert!(body.contains("Ysbyty Gŵyr"), "{body}");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(reader.records().count(), 1);
}

#[test]
fn export_csv_for_excel_has_a_byte_order_mark_and_crlf() {
    let env = welsh_register();
    let out = env.outside().join("designations.csv");
    let run = env.crs(&["export", "--format", "csv", "--excel", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    assert_excel_csv(&std::fs::read(&out).unwrap());

    let plain = env.command(&["export", "--format", "csv"]).output().unwrap();
    assert!(plain.status.success());
    assert!(plain.stdout.starts_with(b"Section"), "plain CSV has no byte-order mark");
}

#[test]
fn list_csv_for_excel_has_a_byte_order_mark_and_crlf() {
    let env = welsh_register();
    let excel = env.command(&["list", "--format", "csv", "--excel"]).output().unwrap();
    assert!(excel.status.success(), "{}", String::from_utf8_lossy(&excel.stderr));
    assert_excel_csv(&excel.stdout);

    let plain = env.command(&["list", "--format", "csv"]).output().unwrap();
    assert!(plain.stdout.starts_with(b"record_id,") && !plain.stdout.windows(2).any(|w| w == b"\r\n"));
}

#[test]
fn excel_is_refused_with_formats_other_than_csv() {
    let env = welsh_register();
    for args in [&["list", "--excel"][..], &["export", "--format", "json", "--excel"]] {
        let run = env.crs(args);
        assert_eq!(run.code, 2, "{run}");
        assert!(run.stderr.contains("--excel is for CSV"), "{run}");
    }
}

/// Every command path: `[]` for crs itself, `["orgs", "import"]`, …
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: Vec<String>, into: &mut Vec<Vec<String>>) {
        into.push(path.clone());
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut next = path.clone();
            next.push(sub.get_name().to_owned());
            walk(sub, next, into);
        }
    }
    let mut paths = Vec::new();
    walk(&crs::command(), Vec::new(), &mut paths);
    paths
}

/// Why `command` (continuation lines joined) is not a whole shell command, if it
/// is not: an open quote, or a backslash with nothing after it.
fn incomplete(command: &str) -> Option<&'static str> {
    let mut chars = command.chars();
    let mut quote = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            (Some('\''), _) => {}
            (_, '\\') if chars.next().is_none() => return Some("ends in a backslash"),
            (None, '\'' | '"') => quote = Some(c),
            _ => {}
        }
    }
    quote.map(|_| "has an unclosed quote")
}

/// A line that starts a command: `crs …`, or `NAME=value crs …`.
fn is_example(line: &str) -> bool {
    let line = line.trim_start();
    let assignment = line.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
    });
    line.starts_with("crs ") || (assignment && line.contains(" crs "))
}

/// What is wrong with the examples of one help text at 80 columns.
fn example_problems(help: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let lines: Vec<&str> = help.lines().collect();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let mut in_examples = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        // An address cannot be broken; on a line of its own a terminal can open it.
        let lone_url = line.trim_start().starts_with("https://") && !line.trim().contains(' ');
        if line.chars().count() > 80 && !lone_url {
            problems.push(format!("longer than 80 columns: {line:?}"));
        }
        if line.trim().is_empty() {
            in_examples = false;
        } else if line.trim_end().ends_with("Example:") || line.trim_end().ends_with("Examples:") {
            in_examples = true;
        } else if is_example(line) {
            // One example: the line, and the indented lines its backslashes continue to.
            let mut command = line.trim().to_owned();
            while command.ends_with('\\') && i + 1 < lines.len() && indent(lines[i + 1]) > indent(line) {
                i += 1;
                command.pop();
                command.push_str(lines[i].trim());
            }
            if let Some(why) = incomplete(&command) {
                problems.push(format!("example {why}: {command:?}"));
            }
        } else if in_examples {
            problems.push(format!("a line among the examples that is no command: {line:?}"));
        }
        i += 1;
    }
    problems
}

#[test]
fn every_help_example_is_a_whole_command_at_80_columns() {
    let env = TestEnv::new();
    let mut problems = Vec::new();
    let mut examples = 0;
    for path in command_paths() {
        for flag in ["-h", "--help"] {
            let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
            args.push(flag);
            let output = env.command(&args).env("COLUMNS", "80").output().unwrap();
            assert!(output.status.success(), "crs {args:?}");
            let help = String::from_utf8(output.stdout).unwrap();
            examples += help.lines().filter(|l| is_example(l)).count();
            problems
                .extend(example_problems(&help).into_iter().map(|p| format!("crs {}: {p}", args.join(" "))));
        }
    }
    assert!(examples > 40, "only {examples} example lines found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_example_checker_catches_wrapped_examples() {
    let wrapped = "Examples:\n  crs decline RJ1/x --by \"ICB\" --reference \"Board minute\n  BD/25/118\"\n";
    assert_eq!(example_problems(wrapped).len(), 2, "{:?}", example_problems(wrapped));
    let split = "Examples:\n  crs new X --service \"A\" \\\n  --kind k\n";
    assert!(!example_problems(split).is_empty());
    let whole = "Examples:\n  crs new X --service \"Guy's\" \\\n      --kind k\n  crs list\n";
    assert_eq!(example_problems(whole), Vec::<String>::new());
}

/// A committed register holding the designated example as `RJ1/maternity`.
fn maternity_register() -> TestEnv {
    let env = TestEnv::new();
    env.write("RJ1/maternity.toml", designated_record());
    env.git_init();
    env
}

#[test]
fn misspelt_names_get_did_you_mean() {
    let env = maternity_register();
    let cases: &[(&[&str], &str)] = &[
        (&["show", "RJ1/maternaty"], "did you mean RJ1/maternity?"),
        (&["log", "RJ1/maternaty"], "did you mean RJ1/maternity?"),
        (
            &["assess", "RJ1/maternaty", "--stage", "1", "--met", "--rationale", "x"],
            "did you mean RJ1/maternity?",
        ),
        (&["event", "RJ1/maternity", "provider-notified"], "did you mean providers-notified?"),
        (
            &["assess", "RJ1/maternity", "--stage", "alternative-provison", "--met", "--rationale", "x"],
            "did you mean alternative-provision?",
        ),
        (&["list", "--status", "desginated"], "did you mean designated?"),
        (&["export", "--format", "csv", "--status", "under_review"], "did you mean under-review?"),
    ];
    for (args, guess) in cases {
        let run = env.crs(args);
        assert_eq!(run.code, 2, "{args:?}\n{run}");
        assert!(run.stderr.contains(guess), "{args:?}: no {guess:?}\n{run}");
    }
    assert_eq!(env.commit_count(), 1, "a refused change committed something");
    let far = env.crs(&["show", "NQT/cataracts"]);
    assert!(!far.stderr.contains("did you mean"), "{far}");
}

#[test]
fn every_word_on_ods_files_says_where_to_get_them() {
    let url = crs::ODS_DOWNLOADS;
    let files = ["etr.csv", "ets.csv", "ephp.csv", "ephpsite.csv", "eccg.csv", "eother.csv"];
    let env = maternity_register();
    let check = env.crs(&["check"]).to_string();
    let show = env.crs(&["orgs", "show", "RJ1"]);
    let help = env.crs(&["orgs", "import", "--help"]);
    let bad_name = env.crs(&["orgs", "import", "trusts.csv"]);
    let readme = std::fs::read_to_string(crate::harness::repo_dir().join("README.md")).unwrap();
    for (what, text) in [("check", &check), ("orgs show", &show.stderr), ("orgs import --help", &help.stdout)]
        .into_iter()
        .chain([("orgs import trusts.csv", &bad_name.stderr), ("README", &readme)])
    {
        assert!(text.contains(url), "{what} does not give {url}:\n{text}");
        for file in files {
            assert!(text.contains(file), "{what} does not name {file}:\n{text}");
        }
    }
}

#[test]
fn init_ignores_what_crs_writes_but_keeps_the_organisation_cache() {
    let env = TestEnv::git();
    env.write("RJ1/designated.toml", designated_record());
    env.commit_all("a record");
    assert_eq!(env.crs(&["export", "-o", "crs-2026-11.xlsx"]).code, 0);
    assert_eq!(env.crs(&["submit", "--dry-run"]).code, 0);
    env.write("crs-report.html", "<html></html>").write(".crs/tmp/scratch", "x");
    assert!(env.root.join("crs-submission-2026-11-23").is_dir());
    assert_eq!(env.git_cmd(&["status", "--porcelain", "--untracked-files=all"]), "");
    assert!(!env.git_succeeds(&["check-ignore", "-q", ".crs/orgs.csv"]), ".crs/orgs.csv is ignored");
}

#[test]
fn init_keeps_a_gitignore_that_is_there() {
    let env = TestEnv::empty();
    env.write(".gitignore", "mine\n");
    let run = env.crs(&[
        "init",
        "--commissioner-ods",
        "QKK",
        "--commissioner-name",
        "ICB",
        "--contact",
        "a@b.example",
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(env.read(".gitignore"), "mine\n");
    assert!(env.root.join(".pre-commit-config.yaml").exists());
}

/// `pre-commit run --all-files` with the crs under test first on the PATH; `None`
/// when pre-commit is not installed (outside CI, where .ci/run installs it).
fn pre_commit_run(env: &TestEnv) -> Option<std::process::Output> {
    if Command::new("pre-commit").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "pre-commit is not installed; .ci/run installs it");
        eprintln!("pre-commit is not installed: skipped");
        return None;
    }
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_crs")).parent().unwrap();
    let path = std::env::join_paths(
        std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let output = Command::new("pre-commit")
        .args(["run", "--all-files"])
        .current_dir(&env.root)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", env.outside().join("pre-commit-home"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("SOURCE_DATE_EPOCH", crate::harness::NOW_EPOCH)
        .env("NO_COLOR", "1")
        .env_remove("CRS_REGISTER")
        .output()
        .unwrap();
    Some(output)
}

#[test]
fn pre_commit_runs_crs_check_and_passes_on_a_clean_register() {
    let env = TestEnv::git();
    env.write("RJ1/designated.toml", designated_record());
    env.commit_all("a record");
    let Some(clean) = pre_commit_run(&env) else { return };
    let said = String::from_utf8_lossy(&clean.stdout).into_owned() + &String::from_utf8_lossy(&clean.stderr);
    assert!(clean.status.success(), "{said}");
    assert!(said.contains("crs check") && said.contains("Passed"), "{said}");

    env.write("RJ1/designated.toml", designated_record().replace("next_due", "nxt_due"));
    let broken = pre_commit_run(&env).unwrap();
    let said = String::from_utf8_lossy(&broken.stdout).into_owned();
    assert!(!broken.status.success() && said.contains("nxt_due"), "{said}");
}

/// Validates TOML records against the checked-in JSON Schema with Python's
/// `jsonschema` (after `tomllib` reads them, dates becoming `YYYY-MM-DD` strings as
/// editors see them); for each file: `valid`, `invalid` or `unreadable` (not TOML).
fn schema_verdicts(files: &[std::path::PathBuf]) -> Vec<String> {
    let script = r#"
import datetime, json, sys, tomllib
import jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
validator = jsonschema.Draft202012Validator(schema)
def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    return value
for path in sys.argv[2:]:
    try:
        record = plain(tomllib.load(open(path, "rb")))
    except tomllib.TOMLDecodeError:
        print("unreadable")
        continue
    print("valid" if validator.is_valid(record) else "invalid")
"#;
    let schema = crate::harness::repo_dir().join("schema/designation.schema.json");
    let output = Command::new("python3").args(["-c", script]).arg(schema).args(files).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().lines().map(str::to_owned).collect()
}

/// The `.toml` files below `dir`, sorted.
fn toml_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(toml_files(&path));
        } else if path.extension().is_some_and(|e| e == "toml") && path.file_name().unwrap() != "crs.toml" {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn json_schema_verdicts_agree_with_crs_on_the_example_records() {
    let examples = crate::harness::repo_dir().join("examples/records");
    // The valid examples and the sample register, which crs check finds no error in.
    let mut valid = toml_files(&examples.join("valid"));
    valid.extend(toml_files(&crate::harness::repo_dir().join("designations")));
    assert!(valid.len() >= 20);
    for (file, verdict) in valid.iter().zip(schema_verdicts(&valid)) {
        assert_eq!(verdict, "valid", "{}", file.display());
    }
    let invalid = toml_files(&examples.join("invalid"));
    let verdicts = schema_verdicts(&invalid);
    let mut schema_findings = 0;
    for (file, verdict) in invalid.iter().zip(&verdicts) {
        // Each invalid example is named for the one rule crs finds it breaks.
        let rule = file.file_stem().unwrap().to_str().unwrap();
        if rule == "schema" {
            schema_findings += 1;
            assert_eq!(verdict, "invalid", "{}: crs finds a schema error", file.display());
        }
    }
    assert_eq!(schema_findings, 1);
}

/// The rules crs check finds `record` (as `RJ1/designated.toml`) breaks at error level.
fn crs_rules(record: &str) -> Vec<String> {
    let env = TestEnv::new();
    env.write("RJ1/designated.toml", record);
    let json = env.crs(&["check", "--format", "json"]).json();
    let findings = json["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == "error");
    findings.map(|f| f["rule"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn json_schema_rejects_what_crs_rejects() {
    let good = designated_record();
    let second_decision = "[[decisions]]\noutcome = \"designate\"\ngrounds = [\"no-alternative-provider\"]\ndecided_on = 2026-02-03\n";
    let variants = [
        ("unknown framework", good.replace("framework = \"monitor-2013\"", "framework = \"monitor-2031\"")),
        ("lower-case provider code", good.replace("ods = \"RJ1\"", "ods = \"rj1\"")),
        ("lower-case site code", good.replace("sites = [\"RJ122\"]", "sites = [\"rj122\"]")),
        ("unknown ground", good.replace("\"dependent-services\"]", "\"dependant-services\"]")),
        ("misspelt stage", good.replace("[stages.interdependencies]", "[stages.interdependency]")),
        ("schema_version 3", good.replace("schema_version = 1", "schema_version = 3")),
        ("schema_version 0", good.replace("schema_version = 1", "schema_version = 0")),
        ("date in another form", good.replace("assessed_on = 2026-01-14", "assessed_on = \"14/01/2026\"")),
        ("treatment function", good.replace("[\"501\"]", "[\"50\"]")),
        ("empty service name", good.replace("name = \"Maternity: designated example\"", "name = \"\"")),
        (
            "blank provider name",
            good.replace("name = \"Guy's and St Thomas' NHS Foundation Trust\"", "name = \"   \""),
        ),
        (
            "over-long commissioner name",
            good.replace("name = \"NHS South East London ICB\"", &format!("name = \"{}\"", "N".repeat(201))),
        ),
        ("version 1 record with [[decisions]] too", format!("{good}\n{second_decision}")),
        (
            "version 2 record with [decision] too",
            format!("{}\n{second_decision}", good.replace("schema_version = 1", "schema_version = 2")),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, (what, record)) in variants.iter().enumerate() {
        assert_ne!(record, &good, "{what}: the variant changed nothing");
        let rules = crs_rules(record);
        assert!(!rules.is_empty(), "{what}: crs finds nothing wrong");
        let path = dir.path().join(format!("{i}.toml"));
        std::fs::write(&path, record).unwrap();
        files.push(path);
    }
    for ((what, _), verdict) in variants.iter().zip(schema_verdicts(&files)) {
        assert_eq!(verdict, "invalid", "the JSON Schema accepts a record with an {what}");
    }
    // A date quoted but well formed reads, in the JSON an editor sees, exactly as a
    // TOML date does: the schema cannot tell them apart; crs check can.
    let quoted = good.replace("decided_on = 2026-02-03", "decided_on = \"2026-02-03\"");
    assert!(crs_rules(&quoted).contains(&"schema".to_owned()));
}
