//! Signed commits and tags, as git makes them when `commit.gpgSign` and `tag.gpgSign`
//! are set, checked by `git verify-commit` and `git verify-tag`: SSH with a key made
//! in the test, OpenPGP with a gpg key made in the test; signing that fails writes
//! nothing.

use std::path::Path;
use std::process::Command;

use crate::harness::{TestEnv, designated_record};

const ID: &str = "RJ1/designated";
const FILE: &str = "RJ1/designated.toml";

/// A register with one committed record.
fn register() -> TestEnv {
    let env = TestEnv::git();
    env.write(FILE, designated_record());
    env.commit_all("a record");
    env
}

/// Whether `program` runs here; in CI it must (`.ci/run` installs it).
fn available(program: &str) -> bool {
    let found = Command::new(program).arg("--version").output().is_ok();
    if !found {
        assert!(std::env::var_os("CI").is_none(), "{program} is not installed; .ci/run installs it");
        eprintln!("{program} is not installed: skipped");
    }
    found
}

/// Makes an ed25519 key with no passphrase in the temp dir, configures the
/// repository to sign with it over SSH and to trust it; returns the key's path.
fn ssh_signing(env: &TestEnv) -> String {
    let key = env.outside().join("signing-key");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "crs test", "-f"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let allowed = env.outside().join("allowed-signers");
    std::fs::write(&allowed, format!("ann.analyst@icb.example {public}")).unwrap();
    let key = key.display().to_string();
    env.git_cmd(&["config", "gpg.format", "ssh"]);
    env.git_cmd(&["config", "user.signingKey", &key]);
    env.git_cmd(&["config", "gpg.ssh.allowedSignersFile", &allowed.display().to_string()]);
    env.git_cmd(&["config", "commit.gpgSign", "true"]);
    key
}

#[test]
fn commits_are_signed_over_ssh_and_git_verifies_them() {
    if !available("ssh-keygen") {
        return;
    }
    let env = register();
    ssh_signing(&env);
    let run = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(run.code, 0, "{run}");
    let verify = env.git_in(&["verify-commit", "-v", "HEAD"], &[], &[]);
    assert_eq!(verify.code, 0, "git verify-commit refused crs's commit: {verify}");
    assert!(verify.stderr.contains("Good \"git\" signature for ann.analyst@icb.example"), "{verify}");
    assert_eq!(env.git_cmd(&["log", "-1", "--format=%G?"]), "G\n");
}

#[test]
fn the_submission_tag_is_signed_when_tag_gpgsign_is_set() {
    if !available("ssh-keygen") {
        return;
    }
    let env = register();
    ssh_signing(&env);
    env.git_cmd(&["config", "tag.gpgSign", "true"]);
    let run = env.crs(&["submit", "-o", env.outside().join("out").to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    let tag = env.git_cmd(&["tag", "-l", "crs/submission/*"]);
    let tag = tag.trim();
    assert!(!tag.is_empty(), "no submission tag: {run}");
    let verify = env.git_in(&["verify-tag", tag], &[], &[]);
    assert_eq!(
        verify.code,
        0,
        "git verify-tag refused crs's tag: {verify}\n{}",
        env.git_cmd(&["cat-file", "-p", tag])
    );
    let commit = env.git_in(&["verify-commit", &format!("{tag}^{{commit}}")], &[], &[]);
    assert_eq!(commit.code, 0, "{commit}");
}

#[test]
fn signing_that_fails_writes_nothing() {
    if !available("ssh-keygen") {
        return;
    }
    let env = register();
    ssh_signing(&env);
    env.git_cmd(&["config", "user.signingKey", "/nowhere/no-such-key"]);
    let (commits, text) = (env.commit_count(), env.read(FILE));
    let run = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("error: ssh-keygen could not sign"), "{run}");
    assert!(
        run.stderr.contains("nothing was written") && run.stderr.contains("commit.gpgSign false"),
        "{run}"
    );
    assert_eq!(env.commit_count(), commits);
    assert_eq!(env.read(FILE), text);
    assert_eq!(env.git_cmd(&["status", "--porcelain"]), "");

    env.git_cmd(&["config", "gpg.ssh.program", "/nowhere/ssh-keygen"]);
    let run = env.crs(&["event", ID, "review-requested"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("could not be run"), "{run}");
    assert_eq!(env.commit_count(), commits);
}

#[test]
fn commits_and_the_submission_tag_are_signed_with_openpgp_and_git_verifies_them() {
    if !available("gpg") {
        return;
    }
    let env = register();
    let home = env.outside().join("gnupg");
    std::fs::create_dir_all(&home).unwrap();
    set_private(&home);
    let gnupg = home.display().to_string();
    let gpg = |args: &[&str]| {
        let output = Command::new("gpg").env("GNUPGHOME", &gnupg).args(args).output().unwrap();
        assert!(output.status.success(), "gpg {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    };
    gpg(&[
        "--batch",
        "--pinentry-mode",
        "loopback",
        "--passphrase",
        "",
        "--quick-gen-key",
        "Ann Analyst <ann.analyst@icb.example>",
        "ed25519",
        "sign",
        "never",
    ]);
    env.git_cmd(&["config", "commit.gpgSign", "true"]);
    env.git_cmd(&["config", "tag.gpgSign", "true"]);
    let run = env.crs_with(&["event", ID, "review-requested"], &[("GNUPGHOME", &gnupg)]);
    let verify = env.git_in(&["verify-commit", "HEAD"], &[("GNUPGHOME", &gnupg)], &[]);
    let bundle = env.outside().join("bundle");
    let submit = env.crs_with(&["submit", "-o", bundle.to_str().unwrap()], &[("GNUPGHOME", &gnupg)]);
    let tag = env.git_in(&["verify-tag", "crs/submission/2026-11-23"], &[("GNUPGHOME", &gnupg)], &[]);
    let _ = Command::new("gpgconf").env("GNUPGHOME", &gnupg).args(["--kill", "all"]).output();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(verify.code, 0, "git verify-commit refused crs's commit: {verify}");
    assert!(
        verify.stderr.contains("Good signature from \"Ann Analyst <ann.analyst@icb.example>\""),
        "{verify}"
    );
    assert_eq!(submit.code, 0, "{submit}");
    assert_eq!(tag.code, 0, "git verify-tag refused crs's submission tag: {tag}");
    assert!(tag.stderr.contains("Good signature from \"Ann Analyst <ann.analyst@icb.example>\""), "{tag}");
    // The signed submission's bundle is what its commit gives.
    let checked = env.crs(&["verify", bundle.to_str().unwrap()]);
    assert_eq!(checked.code, 0, "{checked}");
}

fn set_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
}
