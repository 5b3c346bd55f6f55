//! The README's five-minute walkthrough, run exactly as written: every line a user
//! would paste succeeds, and the register it leaves is what the README says.

use std::path::PathBuf;

use crate::harness::{TestEnv, repo_dir};

/// Splits a shell line into words: spaces separate, double quotes group.
fn words(line: &str) -> Vec<String> {
    let (mut out, mut word, mut quoted, mut started) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    out.push(std::mem::take(&mut word));
                }
                started = false;
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(word);
    }
    out
}

#[test]
fn readme_walkthrough_runs_as_written() {
    let readme = std::fs::read_to_string(repo_dir().join("README.md")).unwrap();
    let start = readme.find("<!-- walkthrough:start -->").expect("walkthrough:start marker");
    let end = readme.find("<!-- walkthrough:end -->").expect("walkthrough:end marker");
    let lines: Vec<&str> =
        readme[start..end].lines().filter(|l| l.starts_with("crs ") || l.starts_with("cd ")).collect();
    assert!(lines.len() >= 12, "{lines:?}");

    let env = TestEnv::empty();
    let mut cwd = PathBuf::from(&env.root);
    for line in lines {
        let args = words(line);
        if args[0] == "cd" {
            cwd = cwd.join(&args[1]);
            continue;
        }
        let args: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
        let output = env.command(&args).current_dir(&cwd).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "`{line}` failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let register = cwd;
    assert!(register.join("crs-register.xlsx").is_file());
    assert!(register.join("submission").read_dir().unwrap().count() >= 3);
    let record = std::fs::read_to_string(register.join("RJ1/maternity.toml")).unwrap();
    assert!(record.contains("grounds = [\"no-alternative-provider\", \"dependent-services\"]"), "{record}");
    let show =
        env.command(&["show", "RJ1/maternity", "--format", "json"]).current_dir(&register).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(json["status"], "requested");
}
