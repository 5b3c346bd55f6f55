//! `crs move` on a real repository: a record renamed within its provider, or moved to
//! a new provider code (a merger, a new trust), its provider's name and kind taken
//! from ODS or from the command line; every earlier decision keeps the provider it was
//! made with, and the log follows the record across the move.

use crate::harness::{Run, TestEnv, designated_record};

const OLD: &str = "RJ1/adult-critical-care";

fn ok(env: &TestEnv, args: &[&str]) -> Run {
    let run = env.crs(args);
    assert_eq!(run.code, 0, "crs {args:?}\n{run}");
    run
}

fn show(env: &TestEnv, id: &str) -> serde_json::Value {
    let run = ok(env, &["show", id, "--format", "json"]);
    run.json()
}

/// A register holding the designated example as RJ1/adult-critical-care, committed.
fn register() -> TestEnv {
    let env = TestEnv::git();
    env.write(
        "RJ1/adult-critical-care.toml",
        designated_record().replace("Maternity: designated example", "Adult critical care"),
    );
    env.commit_all("adult critical care");
    env
}

fn errors(env: &TestEnv) -> serde_json::Value {
    env.crs(&["check", "--format", "json"]).json()["summary"]["errors"].clone()
}

#[test]
fn a_rename_within_a_provider_moves_the_record_and_keeps_its_provider() {
    let env = register();
    let moved = ok(&env, &["move", OLD, "RJ1/critical-care", "--reason", "Service renamed"]);
    assert!(moved.stderr.contains("moved RJ1/adult-critical-care to RJ1/critical-care"), "{moved}");
    assert!(!env.root.join("RJ1/adult-critical-care.toml").exists());
    let record = show(&env, "RJ1/critical-care");
    assert_eq!(record["previous_ids"], serde_json::json!([OLD]));
    assert_eq!(record["provider"]["ods"], "RJ1");
    assert_eq!(record["provider"]["name"], "Guy's and St Thomas' NHS Foundation Trust");
    assert_eq!(record["provider"]["kind"], "foundation-trust");
    assert!(record["decisions"][0].get("provider").is_none(), "the provider did not change: {record}");
    assert_eq!(record["status"], "designated");
    let status = env.git_cmd(&["show", "--name-status", "--format=", "-M", "HEAD"]);
    assert!(status.starts_with('R'), "git sees a rename: {status}");
    assert_eq!(errors(&env), 0);
}
