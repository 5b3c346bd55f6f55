//! `crs submit`: the bundle (workbook, summary, `.eml`) read back by calamine and by
//! Python's `email` package, header injection through crs.toml, and the refusals that
//! keep a submission matching a clean commit.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::harness::TestEnv;
use crate::sheets::sheet;

/// Parses an `.eml` with Python's `email` package (the policy a mail client would
/// use); writes the workbook attached to `attachment` and prints the headers, the defects
/// Python found, the attachment's name and type, and the text body.
fn parse_eml(eml: &Path, attachment: &Path) -> String {
    let script = r#"
import sys, email
from email import policy
msg = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=policy.default)
for name in ['From', 'To', 'Subject', 'Date', 'Message-ID', 'X-Unsent', 'MIME-Version']:
    print(f"{name}: {msg[name]}")
print("header names:", sorted({k.lower() for k in msg.keys()}))
print("defects:", [type(d).__name__ for part in msg.walk() for d in part.defects])
print("from address:", msg['From'].addresses[0].addr_spec)
print("from name:", repr(msg['From'].addresses[0].display_name))
for part in msg.iter_attachments():
    if part.get_filename().endswith('.xlsx'):
        open(sys.argv[2], 'wb').write(part.get_payload(decode=True))
    print("attachment:", part.get_filename(), part.get_content_type(), part['Content-Transfer-Encoding'])
print("--- body")
print(msg.get_body(('plain',)).get_content(), end='')
"#;
    let output = Command::new("python3").args(["-c", script]).arg(eml).arg(attachment).output().unwrap();
    assert!(output.status.success(), "python: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn sample_in_git() -> TestEnv {
    let env = TestEnv::copy_of("designations");
    env.git_init();
    env
}

#[test]
fn dry_run_writes_the_bundle_and_records_nothing() {
    let env = sample_in_git();
    let head = env.git_cmd(&["rev-parse", "HEAD"]);
    let dir = env.outside().join("bundle");
    let run = env.crs(&["submit", "--dry-run", "-o", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    insta::assert_snapshot!("dry_run_output", run.to_string());

    let names: Vec<String> = {
        let mut n: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    assert_eq!(
        names,
        [
            "crs-QKK-2026-11-23-manifest.json",
            "crs-QKK-2026-11-23-summary.md",
            "crs-QKK-2026-11-23.eml",
            "crs-QKK-2026-11-23.json",
            "crs-QKK-2026-11-23.xlsx"
        ]
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("crs-QKK-2026-11-23-manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["register_commit"], head.trim());
    assert_eq!(manifest["tag"], "crs/submission/2026-11-23");
    let summary = fs::read_to_string(dir.join("crs-QKK-2026-11-23-summary.md")).unwrap();
    assert!(!summary.contains(head.trim()), "no commit in the summary");
    let removed = &summary[summary.find("## Removed (1)").expect("a removal under Removed")..];
    assert!(removed.contains("RV5/eating-disorders-inpatient"), "{summary}");
    insta::assert_snapshot!("dry_run_summary", summary);

    let workbook = fs::read(dir.join("crs-QKK-2026-11-23.xlsx")).unwrap();
    let attachment = env.outside().join("attachment.xlsx");
    let parsed = parse_eml(&dir.join("crs-QKK-2026-11-23.eml"), &attachment);
    insta::assert_snapshot!(
        "dry_run_email",
        parsed.replace(head.trim(), "[HEAD]").replace(&head.trim()[..12], "[HEAD12]")
    );
    assert!(fs::read(&attachment).unwrap() == workbook, "the attachment is not the workbook");
    // The heading, 10 records, and each of the three sections' heading rows, the
    // second and third after a blank row.
    assert_eq!(sheet(&workbook, "Designations").len(), 16);

    // Nothing recorded: no new commit, no tag.
    assert_eq!(env.git_cmd(&["rev-parse", "HEAD"]), head);
    assert_eq!(env.git_cmd(&["tag", "--list"]), "");
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "");

    // The same register and clock give the same bundle.
    let again = env.outside().join("again");
    assert_eq!(env.crs(&["submit", "--dry-run", "-o", again.to_str().unwrap()]).code, 0);
    for name in &names {
        assert!(fs::read(dir.join(name)).unwrap() == fs::read(again.join(name)).unwrap(), "{name} differs");
    }
}

#[test]
fn names_with_line_breaks_or_accents_cannot_add_headers() {
    let settings = "schema_version = 1\n[commissioner]\nods = \"QKK\"\nname = \"NHS Sóuth East London ICB\\r\\nBcc: victim@example.com\"\ncontact = \"crs@selondon.icb.example\"\n[submission]\nto = \"regulator@example.org\"\n";
    let refused = TestEnv::new();
    refused.write("crs.toml", settings);
    let run = refused.crs(&["check"]);
    assert_eq!(run.code, 2, "a name with a line break is refused where it is written: {run}");
    assert!(run.stderr.contains("crs.toml:4:1: the commissioner's name must be one line"), "{run}");

    let env = TestEnv::new();
    env.write("crs.toml", settings.replace("\\r\\n", "  "));
    env.write("RJ1/designated.toml", crate::harness::designated_record());
    env.git_init();
    let dir = env.outside().join("bundle");
    let run = env.crs(&["submit", "--dry-run", "-o", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    let parsed = parse_eml(&dir.join("crs-QKK-2026-11-23.eml"), &env.outside().join("a.xlsx"));
    assert!(!parsed.contains("'bcc'"), "{parsed}");
    assert!(parsed.contains("defects: []"), "{parsed}");
    assert!(parsed.contains("To: regulator@example.org"), "{parsed}");
    // Python's reader folds the run of spaces in a display name into one.
    assert!(parsed.contains("from name: 'NHS Sóuth East London ICB Bcc: victim@example.com'"), "{parsed}");
    assert!(parsed.contains("Subject: Commissioner Requested Services register: NHS Sóuth East London ICB  Bcc: victim@example.com (QKK), 23 November 2026"), "{parsed}");
}

#[test]
fn a_long_accented_commissioner_name_gives_a_valid_from_header() {
    let name = "Bwrdd Iechyd Prifysgol Gŵyr a Bae Abertawe, \\\"Cymru\\\" ".repeat(3);
    let env = TestEnv::new();
    env.write(
        "crs.toml",
        format!("schema_version = 1\n[commissioner]\nods = \"QKK\"\nname = \"{}\"\ncontact = \"crs@icb.example\"\n", name.trim()),
    );
    env.write("RJ1/designated.toml", crate::harness::designated_record());
    env.git_init();
    let dir = env.outside().join("bundle");
    let run = env.crs(&["submit", "--dry-run", "-o", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    let eml = fs::read(dir.join("crs-QKK-2026-11-23.eml")).unwrap();
    let head = String::from_utf8_lossy(&eml);
    let head = head.split("\r\n\r\n").next().unwrap();
    assert!(head.split("\r\n").all(|line| line.len() <= 998), "a header line passes 998 characters");
    let from = head.split("\r\nTo:").next().unwrap();
    assert!(!from.contains('"'), "no encoded word inside a quoted string: {from}");
    let parsed = parse_eml(&dir.join("crs-QKK-2026-11-23.eml"), &env.outside().join("a.xlsx"));
    assert!(parsed.contains("defects: []"), "{parsed}");
    let expected = name.trim().replace("\\\"", "\"");
    assert!(parsed.contains(&format!("from name: '{expected}'")), "{parsed}");
    assert!(parsed.contains("from address: crs@icb.example"), "{parsed}");
}

#[test]
fn an_address_that_is_not_plain_is_refused_at_its_line() {
    let env = TestEnv::new();
    env.write(
        "crs.toml",
        "schema_version = 1\n[commissioner]\nods = \"QKK\"\nname = \"ICB\"\ncontact = \"crs@icb.example\\r\\nBcc: victim@example.com\"\n",
    );
    env.git_init();
    let run = env.crs(&["submit", "--dry-run", "-o", env.outside().join("b").to_str().unwrap()]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn submit_refuses_uncommitted_changes() {
    let env = sample_in_git();
    env.write("RJ1/maternity.toml", env.read("RJ1/maternity.toml").replace("[review]", "# edited\n[review]"));
    let run = env.crs(&["submit", "-o", env.outside().join("b").to_str().unwrap()]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.to_string());
    assert!(!env.outside().join("b").exists(), "nothing is written");
}

#[test]
fn submit_refuses_a_register_with_errors() {
    let env = sample_in_git();
    env.write("RJ1/broken.toml", "schema_version = [");
    env.commit_all("broken");
    let run = env.crs(&["submit", "--dry-run", "-o", env.outside().join("b").to_str().unwrap()]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.to_string());
}

#[test]
fn submit_needs_git() {
    let env = TestEnv::copy_of("designations");
    let run = env.crs(&["submit", "--dry-run"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not in a git repository"), "{run}");
}

#[test]
fn submit_writes_the_bundle_and_records_one_commit_and_one_tag() {
    let env = sample_in_git();
    let before = env.commit_count();
    let dir = env.outside().join("bundle");
    let run = env.crs(&["submit", "-o", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    assert!(dir.join("crs-QKK-2026-11-23.eml").is_file(), "{run}");
    assert_eq!(env.commit_count(), before + 1);
    assert_eq!(env.git_cmd(&["tag", "--list"]), "crs/submission/2026-11-23\n");
    assert_eq!(
        env.git_cmd(&["rev-parse", "crs/submission/2026-11-23^{commit}"]),
        env.git_cmd(&["rev-parse", "HEAD"])
    );
    assert!(env.git_cmd(&["status", "--porcelain"]).is_empty());

    // Each record in scope, and only those, gained a submitted event.
    let changed = env.git_cmd(&["show", "--name-only", "--format=", "HEAD"]);
    let in_scope = env.crs(&["list", "--format", "json"]).json();
    let expected: Vec<String> = in_scope
        .as_array()
        .unwrap()
        .iter()
        // With no earlier submission, a removed record has been removed since the last one.
        .filter(|r| {
            ["designated", "under-review", "requested", "refused", "referred", "removed"]
                .contains(&r["status"].as_str().unwrap())
        })
        .map(|r| format!("{}.toml", r["record_id"].as_str().unwrap()))
        .collect();
    assert_eq!(changed.lines().collect::<Vec<_>>(), expected);
    assert!(
        env.read("RJ1/maternity.toml").contains("kind = \"submitted\"\nnote = \"crs/submission/2026-11-23\"")
    );
    assert_eq!(env.crs(&["check", "--format", "json"]).json()["summary"]["errors"], 0);

    // Nothing has changed since: a submitted event is not a change.
    let since = env.crs(&["export", "--format", "json", "--changes-since", "last-submission", "-o", "-"]);
    assert_eq!(since.code, 0, "{since}");
    assert_eq!(since.json()["changes"], serde_json::json!([]), "{since}");

    // A second submission the same day is recorded under the day's next number, and
    // measured from the morning's.
    let again_dir = env.outside().join("again");
    let again = env.crs(&["submit", "-o", again_dir.to_str().unwrap()]);
    assert_eq!(again.code, 0, "{again}");
    assert!(again.stderr.contains("changes since crs/submission/2026-11-23 "), "{again}");
    assert!(again.stderr.contains("tagged crs/submission/2026-11-23.2"), "{again}");
    assert!(again_dir.join("crs-QKK-2026-11-23.2.eml").exists());
    assert_eq!(env.commit_count(), before + 2);
    let third = env.crs(&["submit", "--dry-run"]);
    assert!(third.stderr.contains("changes since crs/submission/2026-11-23.2 "), "{third}");
    assert!(
        third.stderr.contains(
            "would add a submitted event to 9 record(s), commit, and tag crs/submission/2026-11-23.3"
        ),
        "{third}"
    );
    assert!(env.root.join("crs-submission-2026-11-23.3").is_dir());
}

#[test]
fn the_second_submission_lists_the_changes_since_the_first() {
    let env = sample_in_git();
    // What recording will leave behind: a submitted event on each record, one tag.
    env.git_cmd(&["tag", "-a", "crs/submission/2026-06-01", "-m", "first submission"]);
    env.write(
        "RJZ/neonatal-intensive-care.toml",
        env.read("RJZ/neonatal-intensive-care.toml")
            + "\n[[events]]\non = 2026-11-20\nkind = \"provider-accepted\"\n",
    );
    env.commit_all("accepted");
    let dir = env.outside().join("bundle");
    let run = env.crs(&["submit", "--dry-run", "-o", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    let parsed = parse_eml(&dir.join("crs-QKK-2026-11-23.eml"), &env.outside().join("a.xlsx"));
    let body = &parsed[parsed.find("--- body").unwrap()..];
    let head = env.git_cmd(&["rev-parse", "HEAD"]);
    let tagged = env.git_cmd(&["rev-parse", "HEAD~1"]);
    insta::assert_snapshot!(body.replace(head.trim(), "[HEAD]").replace(&tagged.trim()[..12], "[TAGGED12]"));
}

/// A register whose last submission was sent by hand: `--last-sent DATE` measures
/// the changes by the days the records give, so a removal decided before that day
/// is not announced again and a request made after it is added; the submission it
/// records is the baseline from then on.
#[test]
fn last_sent_measures_the_changes_from_a_submission_sent_outside_crs() {
    let env = sample_in_git();
    let summary_of = |dir: &Path| fs::read_to_string(dir.join("crs-QKK-2026-11-23-summary.md")).unwrap();

    // Without it, the 2026 removal of the eating disorders unit is news.
    let plain = env.outside().join("plain");
    assert_eq!(env.crs(&["submit", "--dry-run", "-o", plain.to_str().unwrap()]).code, 0);
    assert!(summary_of(&plain).contains("RV5/eating-disorders-inpatient"));

    let dir = env.outside().join("since-june");
    let run = env.crs(&["submit", "--dry-run", "--last-sent", "2026-06-30", "-o", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("sent outside crs on 30 June 2026"), "{run}");
    let summary = summary_of(&dir);
    assert!(!summary.contains("RV5/eating-disorders-inpatient"), "removed in February: {summary}");
    let pending = &summary[summary.find("## Pending").unwrap()..summary.find("## Removed").unwrap()];
    for requested_since in ["RJZ/neonatal-intensive-care", "RV5/psychiatric-intensive-care"] {
        assert!(pending.contains(requested_since), "{requested_since}: {pending}");
    }
    assert!(!pending.contains("RV5/crisis-home-treatment"), "referred in April: {pending}");
    let in_force = &summary[summary.find("## In force").unwrap()..summary.find("## Pending").unwrap()];
    assert!(in_force.contains("### Changed (3)"), "{in_force}");
    assert!(in_force.contains("RJZ/major-trauma-centre"), "reviewed in September: {in_force}");
    assert!(!in_force.contains("RJ1/maternity"), "nothing dated since June: {in_force}");

    // A day not yet come, or before a submission crs recorded, is refused.
    let future = env.crs(&["submit", "--dry-run", "--last-sent", "2026-12-01"]);
    assert_eq!(future.code, 2, "{future}");
    assert!(future.stderr.contains("--last-sent 2026-12-01 is after today"), "{future}");

    // Recorded: the commit remembers the day, and the next submission is measured
    // from this one.
    let run =
        env.crs(&["submit", "--last-sent", "2026-06-30", "-o", env.outside().join("sent").to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    let message = env.git_cmd(&["log", "-1", "--format=%B"]);
    assert!(message.contains("Crs-Last-Sent: 2026-06-30"), "{message}");
    let next = env.crs(&["submit", "--dry-run", "-o", env.outside().join("next").to_str().unwrap()]);
    assert!(next.stderr.contains("changes since crs/submission/2026-11-23 "), "{next}");
    let before = env.crs(&["submit", "--dry-run", "--last-sent", "2026-06-30"]);
    assert_eq!(before.code, 2, "{before}");
    assert!(before.stderr.contains("is before the last submission crs recorded"), "{before}");
    assert!(
        before.stderr.contains(
            "drop --last-sent: the last submission crs recorded, crs/submission/2026-11-23, is the baseline"
        ),
        "{before}"
    );
    assert!(!before.stderr.contains("crs --help"), "{before}");
}

#[test]
fn submit_refuses_a_bundle_folder_where_git_tracks_a_file_it_would_write() {
    let env = sample_in_git();
    let probe = env.outside().join("probe");
    assert_eq!(env.crs(&["submit", "--dry-run", "-o", probe.to_str().unwrap()]).code, 0);
    let summary = fs::read_dir(&probe)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.ends_with("-summary.md"))
        .unwrap();
    let tracked = format!("papers/{summary}");
    env.write(&tracked, "the board's own notes\n");
    env.commit_all("papers");
    let commits = env.commit_count();
    for dry_run in [true, false] {
        let mut args = vec!["submit", "-o", "papers"];
        if dry_run {
            args.push("--dry-run");
        }
        let run = env.crs(&args);
        assert_eq!(run.code, 2, "{run}");
        assert!(run.stderr.contains(&summary) && run.stderr.contains("another path"), "{run}");
        assert_eq!(env.read(&tracked), "the board's own notes\n");
        assert_eq!(fs::read_dir(env.root.join("papers")).unwrap().count(), 1, "nothing else was written");
        assert_eq!(env.commit_count(), commits, "nothing was recorded");
    }
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "");
}

/// A second submission on one day: its files are named by its tag's day part, so
/// they do not replace the first's at the regulator, its e-mail says which of the
/// day's submissions it is measured from, and both bundles verify.
#[test]
fn a_second_submission_on_one_day_names_its_files_and_its_baseline_apart() {
    let env = sample_in_git();
    let first = env.outside().join("first");
    assert_eq!(env.crs(&["submit", "-o", first.to_str().unwrap()]).code, 0);
    let second = env.outside().join("second");
    let run = env.crs(&["submit", "-o", second.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");

    let names = |dir: &Path| {
        let mut n: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    assert!(names(&first).contains(&"crs-QKK-2026-11-23.eml".to_owned()), "{:?}", names(&first));
    assert_eq!(
        names(&second),
        [
            "crs-QKK-2026-11-23.2-manifest.json",
            "crs-QKK-2026-11-23.2-summary.md",
            "crs-QKK-2026-11-23.2.eml",
            "crs-QKK-2026-11-23.2.json",
            "crs-QKK-2026-11-23.2.xlsx",
        ]
    );
    let parsed = parse_eml(&second.join("crs-QKK-2026-11-23.2.eml"), &env.outside().join("b.xlsx"));
    assert!(parsed.contains("attachment: crs-QKK-2026-11-23.2.xlsx"), "{parsed}");
    assert!(parsed.contains("Changes since the last submission, the first of 23 November 2026:"), "{parsed}");

    for bundle in [first.clone(), second.clone(), second.join("crs-QKK-2026-11-23.2.eml")] {
        let verified = env.crs(&["verify", bundle.to_str().unwrap()]);
        assert_eq!(verified.code, 0, "{}: {verified}", bundle.display());
    }
}

/// A removal decided since the last submission is told once, by the removal's own
/// words; a stage assessed again says who, then when, then what.
#[test]
fn a_removal_since_the_last_submission_is_told_once_and_a_reassessment_says_who_then_what() {
    let env = sample_in_git();
    env.git_cmd(&["tag", "-a", "crs/submission/2026-06-01", "-m", "first submission"]);
    let path = "NVC/orthopaedic-surgery.toml";
    let text = env.read(path).replace(
        "met = true\nrationale = \"Provides 38% of the ICB's hip and knee replacements; NHS capacity cannot absorb them within 18 weeks\"\nevidence = [\"Elective recovery capacity plan 2025\"]\nassessed_on = 2025-08-04",
        "met = false\nrationale = \"Two NHS trusts now provide the elective hub capacity\"\nassessed_on = 2026-11-20\nassessed_by = \"Ann Analyst\"",
    );
    // The other stages assessed again too, as a removal needs.
    let text = text
        .replace("assessed_on = 2025-08-0", "assessed_on = 2026-11-1")
        .replace("2025-08-18", "2026-11-18")
        + "\n[[decisions]]\noutcome = \"remove\"\ndecided_on = 2026-11-21\ndecided_by = \"ICB Board\"\nreference = \"Board minute BD/26/240\"\n\n[[events]]\non = 2026-11-22\nkind = \"provider-notified-of-removal\"\n";
    assert!(text.contains("Ann Analyst"));
    env.write(path, text);
    env.commit_all("removed");
    let dir = env.outside().join("bundle");
    let run = env.crs(&["submit", "--dry-run", "-o", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    let summary = fs::read_to_string(dir.join("crs-QKK-2026-11-23-summary.md")).unwrap();
    let line = summary.lines().find(|l| l.starts_with("| NVC/orthopaedic-surgery ")).unwrap();
    assert!(
        line.contains(
            "Removed on 21 November 2026 by ICB Board (Board minute BD/26/240); the provider was told on 22 November 2026."
        ),
        "{line}"
    );
    assert_eq!(line.matches("BD/26/240").count(), 1, "{line}");
    assert!(
        line.contains(
            "Stage alternative provision reassessed by Ann Analyst on 20 November 2026: now not met. Two NHS trusts now provide the elective hub capacity."
        ),
        "{line}"
    );
}
