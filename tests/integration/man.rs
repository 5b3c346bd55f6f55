//! `crs man --dir`: a page for crs and for every subcommand, each with the sections
//! a reader looks for, pointing only at pages that are written, and read cleanly by
//! groff and man where they are installed.

use std::collections::BTreeSet;
use std::process::Command;

use crate::harness::TestEnv;

/// The page names every command path should have: `crs`, `crs-init`, `crs-orgs-import`.
fn expected_pages() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, name: String, into: &mut BTreeSet<String>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            walk(sub, format!("{name}-{}", sub.get_name()), into);
        }
        into.insert(name);
    }
    let mut pages = BTreeSet::new();
    walk(&crs::command(), "crs".to_owned(), &mut pages);
    pages
}

#[test]
fn man_dir_writes_a_page_for_every_command_with_its_sections() {
    let env = TestEnv::new();
    let dir = env.outside().join("man1");
    let run = env.crs(&["man", "--dir", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    let written: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = expected_pages().into_iter().map(|p| format!("{p}.1")).collect();
    assert_eq!(written, expected);
    assert!(written.contains("crs-orgs-import.1") && written.contains("crs-init.1"));

    let mut problems = Vec::new();
    for page in &written {
        let text = std::fs::read_to_string(dir.join(page)).unwrap();
        for section in [".SH \"EXIT STATUS\"", ".SH ENVIRONMENT", ".SH FILES", ".SH EXAMPLES", ".SH NAME"] {
            if !text.contains(section) {
                problems.push(format!("{page} has no {section}"));
            }
        }
        for variable in [
            "CRS_REGISTER",
            "NO_COLOR",
            "SOURCE_DATE_EPOCH",
            "VISUAL",
            "GIT_AUTHOR_NAME",
            "GIT_CONFIG_GLOBAL",
        ] {
            if !text.contains(variable) {
                problems.push(format!("{page} does not name {variable}"));
            }
        }
        for file in ["crs.toml", ".crs/orgs.csv", ".git/crs/"] {
            if !text.contains(file) {
                problems.push(format!("{page} does not name {file}"));
            }
        }
        // Every crs page it points at, e.g. crs-orgs-import(1) or \fBcrs\-orgs\fR(1).
        let plain = text.replace("\\-", "-").replace("\\fB", "").replace("\\fR", "");
        for (at, _) in plain.match_indices("(1)") {
            let name: String = plain[..at]
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if name.starts_with("crs") && !written.contains(&format!("{name}.1")) {
                problems.push(format!("{page} points at {name}(1), which is not written"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let designate = std::fs::read_to_string(dir.join("crs-designate.1")).unwrap();
    assert!(designate.contains("crs designate RJ1/maternity \\-\\-decided\\-on"), "{designate}");
    let import = std::fs::read_to_string(dir.join("crs-orgs-import.1")).unwrap();
    assert!(import.contains("\\fBcrs\\-orgs\\fR(1)"), "the SEE ALSO of a nested page names its parent");
}

#[test]
fn groff_and_man_read_every_page_without_a_warning() {
    if Command::new("groff").arg("--version").output().is_err() {
        eprintln!("groff is not installed: skipped");
        return;
    }
    let env = TestEnv::new();
    let dir = env.outside().join("man1");
    assert_eq!(env.crs(&["man", "--dir", dir.to_str().unwrap()]).code, 0);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let output = Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww", "-P-cbou"])
            .arg(&path)
            .output()
            .unwrap();
        let warnings = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success() && warnings.is_empty(), "{}: {warnings}", path.display());
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("EXIT STATUS") && text.contains("ENVIRONMENT"), "{}", path.display());
    }
    if let Ok(output) =
        Command::new("man").arg("-l").arg(dir.join("crs-orgs-import.1")).env("MANPAGER", "cat").output()
    {
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success() && text.contains("crs-orgs-import"), "{text}");
    }
}

#[test]
fn man_alone_prints_the_page_of_crs() {
    let env = TestEnv::new();
    let run = env.crs(&["man"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("\n.TH crs 1"), "{}", &run.stdout[..run.stdout.len().min(200)]);
    assert_eq!(run.stdout.matches(".ds Aq").count(), 2, "one preamble: {}", run.stdout);
    assert!(run.stdout.contains(".SH \"EXIT STATUS\"") && run.stdout.contains("crs\\-init(1)"));
}
