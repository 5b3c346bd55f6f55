//! The submission after mergers and removals, on real repositories: a service moved
//! to another provider (crs move, crs succeed) names the provider it was designated
//! with in every format the export writes; the summary gives the day the provider
//! was told of a removal, or says the register does not hold it; and a record that
//! only passed to a successor is counted as carried over, neither added nor removed,
//! and a removal submitted before is not told again under the successor.

use std::fs;

use crate::harness::{Run, TestEnv, designated_record};
use crate::sheets::sheet;
use crate::succeed::ods_row;

fn ok(env: &TestEnv, args: &[&str]) -> Run {
    let run = env.crs(args);
    assert_eq!(run.code, 0, "crs {args:?}\n{run}");
    run
}

const GSTT: &str = "Guy's and St Thomas' NHS Foundation Trust (RJ1)";

/// A register with two designated services of Guy's and St Thomas' (RJ1), critical
/// care then moved to Imperial (RYJ) after a merger.
fn moved_register() -> TestEnv {
    let env = TestEnv::git();
    env.write("RJ1/maternity.toml", designated_record());
    env.write(
        "RJ1/critical-care.toml",
        designated_record().replace("Maternity: designated example", "Adult critical care"),
    );
    env.commit_all("two services of Guy's and St Thomas'");
    ok(
        &env,
        &[
            "move",
            "RJ1/critical-care",
            "RYJ/critical-care",
            "--provider-name",
            "Imperial College Healthcare NHS Trust",
            "--provider-kind",
            "nhs-trust",
            "--reason",
            "Trust merger",
        ],
    );
    env
}

/// The summary a dry-run submission writes.
fn summary_of(env: &TestEnv, dir: &str) -> String {
    let dir = env.outside().join(dir);
    let run = env.crs(&["submit", "--dry-run", "-o", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    let name = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-summary.md"))
        .unwrap();
    fs::read_to_string(name).unwrap()
}

fn line_of<'s>(text: &'s str, id: &str) -> &'s str {
    text.lines().find(|l| l.starts_with(&format!("| {id} "))).unwrap_or_else(|| panic!("no {id}: {text}"))
}

#[test]
fn a_moved_service_names_the_provider_it_was_designated_with_in_every_format() {
    let env = moved_register();
    let out = |format: &str| -> String {
        let path = env.outside().join(format!("export.{format}"));
        ok(&env, &["export", "--format", format, "-o", path.to_str().unwrap()]);
        fs::read_to_string(path).unwrap()
    };

    let json: serde_json::Value = serde_json::from_str(&out("json")).unwrap();
    let row = |id: &str| {
        json["designations"].as_array().unwrap().iter().find(|r| r["record_id"] == id).unwrap().clone()
    };
    assert_eq!(row("RYJ/critical-care")["designated_with"], GSTT);
    assert_eq!(row("RYJ/critical-care")["provider_code"], "RYJ");
    assert_eq!(
        row("RJ1/maternity")["designated_with"],
        serde_json::Value::Null,
        "never moved: nothing to say"
    );
    let column = json["columns"].as_array().unwrap().iter().find(|c| c["key"] == "designated_with").unwrap();
    assert_eq!(column["heading"], "Designated with");

    let yaml = out("yaml");
    assert!(yaml.contains(&format!("designated_with: \"{GSTT}\"")), "{yaml}");

    let csv = out("csv");
    assert!(csv.lines().next().unwrap().contains(",Designated with,"), "{csv}");
    let moved = csv.lines().find(|l| l.contains("RYJ/critical-care")).unwrap();
    assert!(moved.contains(&format!(",{GSTT},")), "{moved}");
    let kept = csv.lines().find(|l| l.contains("RJ1/maternity")).unwrap();
    assert!(!kept.contains("(RJ1)"), "{kept}");

    let xlsx = env.outside().join("export.xlsx");
    ok(&env, &["export", "-o", xlsx.to_str().unwrap()]);
    let rows = sheet(&fs::read(&xlsx).unwrap(), "Designations");
    // The workbook has no Section column: its sections are headings.
    let at = rows[0].iter().position(|h| h == "Designated with").unwrap();
    let cell = |id: &str| rows.iter().find(|r| r.iter().any(|c| c == id)).unwrap()[at].clone();
    assert_eq!(cell("RYJ/critical-care"), GSTT);
    assert_eq!(cell("RJ1/maternity"), "");

    let summary = summary_of(&env, "bundle");
    assert!(
        line_of(&summary, "RYJ/critical-care")
            .contains(&format!("Imperial College Healthcare NHS Trust (RYJ); designated with {GSTT}")),
        "{summary}"
    );
    assert!(!line_of(&summary, "RJ1/maternity").contains("designated with"), "{summary}");
}

/// The designated example, removed by the board and its provider told (or not).
fn removed(notice: &str) -> String {
    designated_record()
        .replace("schema_version = 1", "schema_version = 2")
        .replace("[decision]\n", "[[decisions]]\n")
        + "\n[[decisions]]\noutcome = \"remove\"\ndecided_on = 2026-09-01\ndecided_by = \"ICB Board\"\nreference = \"BD/26/200\"\n"
        + notice
}

#[test]
fn the_first_summary_gives_the_day_the_provider_was_told_of_a_removal() {
    let env = TestEnv::git();
    let assessed = |text: String| text.replace("assessed_on = 2026-01-14", "assessed_on = 2026-08-20");
    env.write(
        "RJ1/maternity.toml",
        assessed(removed("\n[[events]]\non = 2026-09-08\nkind = \"provider-notified-of-removal\"\n")),
    );
    env.write(
        "RJ1/stroke.toml",
        assessed(removed(
            "\n[[events]]\non = 2026-09-30\ndate_known = false\nkind = \"provider-notified-of-removal\"\n",
        ))
        .replace("Maternity: designated example", "Stroke"),
    );
    env.commit_all("two removals");
    let summary = summary_of(&env, "first");
    assert!(summary.contains("| Changes since | no previous submission |"), "{summary}");
    assert!(
        line_of(&summary, "RJ1/maternity").contains(
            "Removed on 1 September 2026 by ICB Board (BD/26/200); the provider was told on 8 September 2026."
        ),
        "{summary}"
    );
    assert!(
        line_of(&summary, "RJ1/stroke")
            .contains("; the provider was told by 30 September 2026 (day not recorded)."),
        "{summary}"
    );

    // A removal reported without a notice in the register says so: a record
    // decided for removal, submitted, then taken out of the register.
    env.write("RJ1/renal.toml", assessed(removed("")).replace("Maternity: designated example", "Renal"));
    env.commit_all("renal removal decided");
    ok(&env, &["submit", "-o", env.outside().join("second").to_str().unwrap()]);
    env.remove("RJ1/renal.toml");
    env.commit_all("renal gone");
    let summary = summary_of(&env, "third");
    assert!(
        line_of(&summary, "RJ1/renal")
            .contains("Removed on 1 September 2026 by ICB Board (BD/26/200); the day the provider was told is not recorded."),
        "{summary}"
    );
}

/// A removal decided before the last submission and told to the provider since is
/// reported once, with the day of the notice in the removal's own words.
#[test]
fn a_removal_notice_given_since_the_last_submission_is_told_once() {
    let env = TestEnv::git();
    env.write(
        "RJ1/maternity.toml",
        removed("").replace("assessed_on = 2026-01-14", "assessed_on = 2026-08-20"),
    );
    env.commit_all("removal decided");
    ok(&env, &["submit", "-o", env.outside().join("sent").to_str().unwrap()]);
    ok(&env, &["event", "RJ1/maternity", "provider-notified-of-removal", "--on", "2026-09-10"]);
    let summary = summary_of(&env, "after");
    let line = line_of(&summary, "RJ1/maternity");
    assert!(
        line.contains("Removed on 1 September 2026 by ICB Board (BD/26/200); the provider was told on 10 September 2026."),
        "{line}"
    );
    assert_eq!(line.matches("10 September 2026").count(), 1, "told once: {line}");
}

#[test]
fn a_succession_is_counted_as_carried_over_not_as_added_or_removed() {
    let env = TestEnv::git();
    let settings = env
        .read("crs.toml")
        .replace("QKK", "QMJ")
        .replace("NHS South East London ICB", "NHS North Central London ICB");
    env.write("crs.toml", settings);
    let of = |text: String, provider: &str, service: &str| {
        text.replace("ods = \"QKK\"", "ods = \"QMJ\"")
            .replace("NHS South East London ICB", "NHS North Central London ICB")
            .replace("ods = \"RJ1\"", &format!("ods = \"{provider}\""))
            .replace("Maternity: designated example", service)
    };
    env.write("RJ1/maternity.toml", of(designated_record(), "RJ1", "Maternity"));
    env.write("RQM/renal.toml", of(designated_record(), "RQM", "Renal dialysis"));
    // Removed before the merger, and told so in the first submission.
    let assessed = removed("\n[[events]]\non = 2026-03-20\nkind = \"provider-notified-of-removal\"\n")
        .replace("assessed_on = 2026-01-14", "assessed_on = 2026-03-10")
        .replace("decided_on = 2026-09-01", "decided_on = 2026-03-15");
    env.write("RQM/stroke.toml", of(assessed, "RQM", "Stroke"));
    env.commit_all("the register of North Central London");
    let eother = env.outside().join("eother.csv");
    fs::write(
        &eother,
        [
            ods_row("QMJ", "NHS NORTH CENTRAL LONDON INTEGRATED CARE BOARD", "20220701", "20260331"),
            ods_row("Z9B2Z", "NHS NORTH LONDON INTEGRATED CARE BOARD", "20260401", ""),
        ]
        .concat(),
    )
    .unwrap();
    ok(&env, &["orgs", "import", eother.to_str().unwrap()]);
    let first = summary_of(&env, "first");
    assert!(line_of(&first, "RQM/stroke").contains("Removed on 15 March 2026"), "{first}");
    ok(&env, &["submit", "-o", env.outside().join("sent").to_str().unwrap()]);

    ok(&env, &["succeed", "QMJ", "Z9B2Z", "--on", "2026-04-01", "--reason", "ICB merger"]);
    ok(
        &env,
        &[
            "succeed",
            "RQM",
            "R1K",
            "--on",
            "2026-10-01",
            "--name",
            "London North West University Healthcare NHS Trust",
            "--provider-kind",
            "nhs-trust",
        ],
    );
    let after = summary_of(&env, "after");
    let counts = "0 added, 0 changed, 0 removed; 2 carried over to a successor (neither added nor removed)";
    assert!(after.contains(&format!("| Changes | {counts} |")), "{after}");
    let in_force = &after[after.find("## In force").unwrap()..after.find("## Pending").unwrap()];
    assert!(in_force.contains(&format!("Changes: {counts}.")), "{in_force}");
    assert!(in_force.contains("### Carried over to a successor (2)"), "{in_force}");
    assert!(!in_force.contains("### Changed") && !in_force.contains("### Moved"), "{in_force}");
    let renal = line_of(&after, "R1K/renal");
    assert!(renal.contains("Moved from RQM/renal to R1K/renal."), "{renal}");
    assert!(
        renal.contains("Decision 1 keeps the provider it was made with")
            && !renal.contains("decided by removed"),
        "each decision is the same decision, its provider named on it: {renal}"
    );
    let removed = &after[after.find("## Removed").unwrap()..];
    assert!(removed.contains("Changes: 0 added, 0 changed, 0 removed."), "told once, before: {removed}");
    assert!(!after.contains("R1K/stroke"), "{after}");

    // The JSON says the same: nothing added or removed, two carried over.
    let json =
        env.crs(&["export", "--format", "json", "--changes-since", "last-submission", "-o", "-"]).json();
    assert_eq!(
        json["about"]["changes"],
        serde_json::json!({"added": 0, "changed": 0, "moved": 0, "removed": 0, "carried_over": 2})
    );
    let carried: Vec<&serde_json::Value> =
        json["changes"].as_array().unwrap().iter().filter(|c| c["carried_over"] == true).collect();
    assert_eq!(carried.len(), 2, "{json:#}");
    let rows = json["designations"].as_array().unwrap();
    assert!(rows.len() == 2 && rows.iter().all(|r| r["carried_over"] == true), "{json:#}");
}

/// The e-mail of the bundle in `dir`, its quoted-printable lines joined.
fn email_of(dir: &std::path::Path) -> String {
    let eml = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".eml"))
        .unwrap();
    fs::read_to_string(eml).unwrap().replace("=\r\n", "").replace("=\n", "")
}

/// North Central London (QMJ) submitted, then merged with North West London (QRV),
/// a co-commissioner of two of its services, into North London (Z9B2Z): each record
/// only passed to the successor, and the co-commissioner succeeded is never said to
/// be removed.
#[test]
fn two_icb_successions_carry_a_co_commissioned_service_over_rather_than_remove_its_co_commissioner() {
    let env = crate::succeed::north_central_london();
    ok(&env, &["submit", "-o", env.outside().join("sent").to_str().unwrap()]);
    ok(&env, &["succeed", "QMJ", "Z9B2Z", "--on", "2026-04-01", "--reason", "ICB merger"]);
    ok(&env, &["succeed", "QRV", "Z9B2Z", "--on", "2026-04-01"]);

    let after = summary_of(&env, "after");
    let counts = "0 added, 0 changed, 0 removed; 3 carried over to a successor (neither added nor removed)";
    assert!(after.contains(&format!("| Changes | {counts} |")), "{after}");
    assert!(!after.contains("### Changed") && !after.contains("removed (was"), "{after}");
    let told = "QRV, a co-commissioner, was succeeded by Z9B2Z, now the commissioner responsible.";
    let critical = line_of(&after, "RJ1/critical-care");
    assert!(critical.contains(told), "{critical}");
    let renal = line_of(&after, "RJ1/renal");
    assert!(renal.contains(told) && !renal.contains("Co-commissioners"), "QKK stays: {renal}");
    let maternity = line_of(&after, "RJ1/maternity");
    assert!(!maternity.contains("QRV") && !maternity.contains("Co-commissioners"), "{maternity}");

    let email = email_of(&env.outside().join("after"));
    assert!(email.contains(told) && !email.contains("removed (was"), "{email}");
    let xlsx = fs::read_dir(env.outside().join("after"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".xlsx"))
        .unwrap();
    let changes = sheet(&fs::read(xlsx).unwrap(), "Changes");
    let line = changes.iter().find(|r| r.iter().any(|c| c == "RJ1/critical-care")).unwrap();
    assert!(line.iter().any(|c| c == "Carried over to a successor"), "{line:?}");
    assert!(line.iter().any(|c| c.contains(told)) && !line.iter().any(|c| c.contains("removed")), "{line:?}");

    let json =
        env.crs(&["export", "--format", "json", "--changes-since", "last-submission", "-o", "-"]).json();
    assert_eq!(
        json["about"]["changes"],
        serde_json::json!({"added": 0, "changed": 0, "moved": 0, "removed": 0, "carried_over": 3})
    );
}

/// A co-commissioner succeeded alone is carried over too, told as such; a real
/// change made besides a succession still counts as changed, the succession told
/// beside it.
#[test]
fn a_co_commissioner_succeeded_alone_is_carried_over_and_a_change_besides_still_counts() {
    let env = crate::succeed::north_central_london();
    ok(&env, &["submit", "-o", env.outside().join("sent").to_str().unwrap()]);
    ok(&env, &["succeed", "QRV", "Z9B2Z", "--on", "2026-04-01"]);
    let renal = env.read("RJ1/renal.toml").replace("sites = [\"RJ122\"]", "sites = [\"RJ122\", \"RJ199\"]");
    env.write("RJ1/renal.toml", renal);
    env.commit_all("renal dialysis at a second site");

    let after = summary_of(&env, "after");
    let counts = "0 added, 1 changed, 0 removed; 1 carried over to a successor (neither added nor removed)";
    assert!(after.contains(&format!("| Changes | {counts} |")), "{after}");
    let told = "QRV, a co-commissioner, was succeeded by Z9B2Z.";
    let critical = line_of(&after, "RJ1/critical-care");
    assert!(critical.contains(told) && !critical.contains("Co-commissioners"), "{critical}");
    let changed = &after[after.find("### Changed").unwrap()..after.find("### Carried over").unwrap()];
    let renal = line_of(changed, "RJ1/renal");
    assert!(renal.contains(told) && !renal.contains("removed (was"), "{renal}");
}
