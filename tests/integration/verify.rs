//! A submission the regulator can check: the same commit exported twice gives the
//! same bytes whatever the clock says, the bundle's manifest holds each file's
//! SHA-256 as `sha256sum` prints it, Python's `email` reads every attachment, and
//! `crs verify` passes an untouched bundle (folder or `.eml`), names a file with a
//! changed byte (exit 1), and cannot verify a commit the repository lacks (exit 2).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::TestEnv;

const STEM: &str = "crs-QKK-2026-11-23";

/// 2026-11-23 18:00 UTC and 2026-11-30 09:00 UTC: two clocks for one commit.
const LATER_SAME_DAY: &str = "1795456800";
const A_WEEK_LATER: &str = "1796029200";

fn sample_in_git() -> TestEnv {
    let env = TestEnv::copy_of("designations");
    env.at("2026-11-20");
    env.git_init();
    env.at("2026-11-23");
    env
}

/// Submits (recording it) into a folder outside the register; the folder.
fn submitted(env: &TestEnv) -> PathBuf {
    let dir = env.outside().join("bundle");
    let run = env.crs(&["submit", "-o", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    dir
}

fn verify(env: &TestEnv, bundle: &Path) -> crate::harness::Run {
    env.crs(&["verify", bundle.to_str().unwrap()])
}

#[test]
fn every_format_of_one_commit_has_the_same_bytes_whatever_the_clock() {
    let env = sample_in_git();
    for (format, extra) in
        [("xlsx", None), ("csv", None), ("csv", Some("--excel")), ("json", None), ("yaml", None)]
    {
        let mut outputs = Vec::new();
        for (n, clock) in [crate::harness::NOW_EPOCH, A_WEEK_LATER].into_iter().enumerate() {
            let out = env.outside().join(format!("export-{n}.{format}"));
            let mut args = vec!["export", "--format", format, "-o", out.to_str().unwrap()];
            args.extend(extra);
            let run = env.crs_with(&args, &[("SOURCE_DATE_EPOCH", clock)]);
            assert_eq!(run.code, 0, "{run}");
            outputs.push(fs::read(&out).unwrap());
        }
        assert!(outputs[0] == outputs[1], "crs export --format {format} {extra:?} differs a week later");
    }
    // The workbook says when the commit was made, not when it was exported.
    let json = env.crs(&["export", "--format", "json"]).json();
    assert_eq!(json["about"]["committed_at"], "2026-11-20T12:00:00Z");

    // A submission's bundle, made twice the same day at other hours.
    let (first, second) = (env.outside().join("first"), env.outside().join("second"));
    for (dir, clock) in [(&first, crate::harness::NOW_EPOCH), (&second, LATER_SAME_DAY)] {
        let run = env
            .crs_with(&["submit", "--dry-run", "-o", dir.to_str().unwrap()], &[("SOURCE_DATE_EPOCH", clock)]);
        assert_eq!(run.code, 0, "{run}");
    }
    let names = file_names(&first);
    assert_eq!(names.len(), 5, "{names:?}");
    for name in &names {
        assert!(
            fs::read(first.join(name)).unwrap() == fs::read(second.join(name)).unwrap(),
            "{name} differs"
        );
    }
    let eml = fs::read_to_string(first.join(format!("{STEM}.eml"))).unwrap();
    assert!(eml.contains("\r\nDate: Fri, 20 Nov 2026 12:00:00 +0000\r\n"), "the commit's time: {eml:.600}");
}

#[test]
fn the_manifest_holds_each_file_s_sha256_and_python_reads_every_attachment() {
    let env = sample_in_git();
    let dir = submitted(&env);
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join(format!("{STEM}-manifest.json"))).unwrap()).unwrap();
    let register_commit = env.git_cmd(&["rev-parse", "HEAD~1"]);
    assert_eq!(manifest["register_commit"], register_commit.trim());
    assert_eq!(manifest["tag"], "crs/submission/2026-11-23");
    assert_eq!(manifest["crs_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["email_file"], format!("{STEM}.eml"));
    let listed: Vec<(String, String)> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap().to_owned(), f["sha256"].as_str().unwrap().to_owned()))
        .collect();
    let names: Vec<&str> = listed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, [format!("{STEM}.xlsx"), format!("{STEM}.json"), format!("{STEM}-summary.md")]);
    // As coreutils computes them.
    for (name, sha256) in &listed {
        let output = Command::new("sha256sum").arg(dir.join(name)).output().unwrap();
        let printed = String::from_utf8(output.stdout).unwrap();
        assert_eq!(printed.split_whitespace().next(), Some(sha256.as_str()), "{name}");
    }
    // The JSON twin holds the workbook's rows.
    let twin: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join(format!("{STEM}.json"))).unwrap()).unwrap();
    let rows = crate::sheets::sheet(&fs::read(dir.join(format!("{STEM}.xlsx"))).unwrap(), "Designations");
    // Less the sections' heading rows and the blank rows between them.
    let records = rows[1..].iter().filter(|r| r[1..].iter().any(|c| !c.is_empty())).count();
    assert_eq!(twin["designations"].as_array().unwrap().len(), records);

    // Python's email package, with a mail client's policy, finds the three files
    // attached, byte for byte the bundle's.
    let attached = env.outside().join("attached");
    fs::create_dir(&attached).unwrap();
    let script = r#"
import sys, os, email
from email import policy
msg = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=policy.default)
print("defects:", [type(d).__name__ for part in msg.walk() for d in part.defects])
for part in msg.iter_attachments():
    open(os.path.join(sys.argv[2], part.get_filename()), 'wb').write(part.get_payload(decode=True))
    print(part.get_filename(), part.get_content_type())
"#;
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(dir.join(format!("{STEM}.eml")))
        .arg(&attached)
        .output()
        .unwrap();
    assert!(output.status.success(), "python: {}", String::from_utf8_lossy(&output.stderr));
    let printed = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        printed,
        format!(
            "defects: []\n{STEM}.xlsx application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\n{STEM}.json application/json\n{STEM}-manifest.json application/json\n"
        )
    );
    for name in file_names(&attached) {
        assert!(fs::read(attached.join(&name)).unwrap() == fs::read(dir.join(&name)).unwrap(), "{name}");
    }
}

#[test]
fn verify_passes_an_untouched_bundle_as_a_folder_and_as_its_email() {
    let env = sample_in_git();
    let dir = submitted(&env);
    let short = env.git_cmd(&["rev-parse", "--short=7", "HEAD~1"]);
    // Later writes and a later submission do not change what the commit gives.
    assert_eq!(env.crs(&["event", "RJ1/maternity", "review-requested"]).code, 0);
    assert_eq!(env.crs(&["submit", "-o", env.outside().join("next").to_str().unwrap()]).code, 0);

    let run = verify(&env, &dir);
    assert_eq!(run.code, 0, "{run}");
    insta::assert_snapshot!("verify_folder", run.to_string().replace(short.trim(), "[COMMIT]"));

    let run = verify(&env, &dir.join(format!("{STEM}.eml")));
    assert_eq!(run.code, 0, "{run}");
    insta::assert_snapshot!("verify_email", run.to_string().replace(short.trim(), "[COMMIT]"));

    let json = env.crs(&["verify", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(json.code, 0, "{json}");
    let json = json.json();
    assert_eq!(json["tag_in_repository"], true);
    assert!(json["files"].as_array().unwrap().iter().all(|f| f["verdict"] == "matches"), "{json}");

    // In a clone kept elsewhere, under another folder name, the bundle still matches.
    let clone = env.outside().join("elsewhere");
    env.git_cmd(&["clone", "-q", env.root.to_str().unwrap(), clone.to_str().unwrap()]);
    let run = env.crs(&["--register", clone.to_str().unwrap(), "verify", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");

    // A clone without the tags cannot tell the second submission's changes: its
    // files differ, and crs says why.
    let untagged = env.outside().join("untagged");
    env.git_cmd(&["clone", "-q", "--no-tags", env.root.to_str().unwrap(), untagged.to_str().unwrap()]);
    let next = env.outside().join("next");
    let run = env.crs(&["--register", untagged.to_str().unwrap(), "verify", next.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("which this repository does not hold"), "{run}");
    assert!(run.stdout.contains("git fetch --tags"), "{run}");
}

#[test]
fn verify_names_each_file_that_differs_or_is_missing() {
    let env = sample_in_git();
    let dir = submitted(&env);
    let workbook = dir.join(format!("{STEM}.xlsx"));
    let mut bytes = fs::read(&workbook).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    fs::write(&workbook, bytes).unwrap();
    fs::remove_file(dir.join(format!("{STEM}-summary.md"))).unwrap();
    let short = env.git_cmd(&["rev-parse", "--short=7", "HEAD~1"]);
    let run = verify(&env, &dir);
    assert_eq!(run.code, 1, "a finding, not a failure to run: {run}");
    insta::assert_snapshot!("verify_changed_byte", run.to_string().replace(short.trim(), "[COMMIT]"));

    // A file changed to match a manifest changed with it still differs from the commit.
    let json = dir.join(format!("{STEM}.json"));
    let manifest_path = dir.join(format!("{STEM}-manifest.json"));
    let old = sha256_of(&fs::read(&json).unwrap());
    let edited = fs::read_to_string(&json).unwrap().replace("\"QKK\"", "\"QKX\"");
    fs::write(&json, &edited).unwrap();
    let manifest = fs::read_to_string(&manifest_path).unwrap();
    fs::write(&manifest_path, manifest.replace(&old, &sha256_of(edited.as_bytes()))).unwrap();
    let run = verify(&env, &dir);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains(&format!("{STEM}.json: differs from what commit")), "{run}");
    assert!(run.stdout.contains(&format!("{STEM}-manifest.json: differs from what commit")), "{run}");
}

#[test]
fn verify_cannot_run_without_the_commit_or_a_readable_manifest() {
    let env = sample_in_git();
    let dir = submitted(&env);
    let manifest_path = dir.join(format!("{STEM}-manifest.json"));
    let manifest = fs::read_to_string(&manifest_path).unwrap();
    let commit = env.git_cmd(&["rev-parse", "HEAD~1"]);
    let missing = "0123456789abcdef0123456789abcdef01234567";
    fs::write(&manifest_path, manifest.replace(commit.trim(), missing)).unwrap();
    let run = verify(&env, &dir);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains(&format!("the commit {missing} is not in this repository")), "{run}");

    fs::write(&manifest_path, "{ not json").unwrap();
    let run = verify(&env, &dir);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("its manifest cannot be read"), "{run}");

    fs::remove_file(&manifest_path).unwrap();
    let run = verify(&env, &dir);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("it holds no manifest"), "{run}");

    let run = verify(&env, &env.outside().join("no-such-bundle"));
    assert_eq!(run.code, 2, "{run}");

    // A file that is no e-mail of crs's, or an e-mail without its manifest.
    let text = env.outside().join("notes.txt");
    fs::write(&text, "not an e-mail\n").unwrap();
    let run = verify(&env, &text);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("cannot verify"), "{run}");

    // A manifest cannot send crs to read outside the bundle.
    let escaping = manifest.replace(&format!("\"{STEM}.json\""), "\"../../etc/passwd\"");
    fs::write(&manifest_path, escaping).unwrap();
    let run = verify(&env, &dir);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("which is not a file of the bundle"), "{run}");
}

fn sha256_of(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A submission measured from a day sent outside crs (`--last-sent`) is made again
/// from that day, which its manifest keeps: it verifies, and its changes are not
/// those since no submission at all.
#[test]
fn a_submission_measured_from_a_day_sent_outside_crs_verifies() {
    let env = sample_in_git();
    let dir = env.outside().join("bundle");
    let run = env.crs(&["submit", "--last-sent", "2026-06-30", "-o", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("crs-QKK-2026-11-23-manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["last_sent"], "2026-06-30", "{manifest}");
    let checked = verify(&env, &dir);
    assert_eq!(checked.code, 0, "{checked}");
    assert!(checked.stdout.contains("All 5 files match"), "{checked}");
}

/// A submission killed before its commit leaves its bundle behind, and crs undoes
/// the write; the next submission takes the day's tag. The bundle left behind was
/// never sent as a record of the register: verify says so, though its files are
/// what their commit gives.
#[test]
fn a_bundle_whose_submission_was_undone_does_not_verify_under_a_later_tag() {
    let env = sample_in_git();
    let left = env.outside().join("left");
    let killed =
        env.crs_with(&["submit", "-o", left.to_str().unwrap()], &[("CRS_TEST_FAULT", "kill-after:files")]);
    assert_eq!(killed.code, -1, "the process was to die: {killed}");
    assert!(left.join("crs-QKK-2026-11-23-manifest.json").exists(), "{killed}");
    let event = env.crs(&["event", "RJZ/neonatal-intensive-care", "public-engagement", "--on", "2026-11-22"]);
    assert_eq!(event.code, 0, "{event}");
    assert!(event.stderr.contains("undid"), "the killed submission was undone: {event}");
    let real = submitted(&env);
    assert_eq!(verify(&env, &real).code, 0);

    let run = verify(&env, &left);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("The tag crs/submission/2026-11-23 records another submission"), "{run}");
    assert!(run.stdout.contains("never recorded as sent"), "{run}");
    let json = env.crs(&["verify", left.to_str().unwrap(), "--format", "json"]).json();
    assert_eq!(json["tag_records_commit"], false, "{json}");
}

/// The e-mail is checked for what a person reads of it: a word changed in its text
/// is named, while the headers a mail system adds on the way change nothing.
#[test]
fn verify_names_an_email_whose_text_was_changed() {
    let env = sample_in_git();
    let dir = submitted(&env);
    let eml = dir.join(format!("{STEM}.eml"));
    let original = fs::read_to_string(&eml).unwrap();

    let relayed = env.outside().join("relayed.eml");
    fs::write(&relayed, format!("Received: from relay.example.nhs.uk\r\n{original}")).unwrap();
    let run = verify(&env, &relayed);
    assert_eq!(run.code, 0, "headers added on the way are no change: {run}");
    fs::write(&relayed, original.replace("\r\n", "\n")).unwrap();
    let run = verify(&env, &relayed);
    assert_eq!(run.code, 0, "lines stored with LF alone are no change: {run}");

    assert!(original.contains("Dear colleagues,"), "{original:.800}");
    let changed = env.outside().join("changed.eml");
    fs::write(&changed, original.replacen("Dear colleagues,", "Dear colleague,", 1)).unwrap();
    let run = verify(&env, &changed);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains(&format!("{STEM}.eml (its subject and text): differs from what commit")),
        "{run}"
    );
}
