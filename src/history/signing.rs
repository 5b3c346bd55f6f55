//! `Signer`: signs commits and tags as git does when `commit.gpgSign` or
//! `tag.gpgSign` is set, with the program `gpg.format` names: OpenPGP through `gpg`
//! (`gpg.openpgp.program`, or `gpg.program`; `--status-fd=2 -bsau KEY`), X.509 through
//! `gpgsm`, SSH through `ssh-keygen -Y sign -n git -f KEY` (`gpg.ssh.program`). The key
//! is `user.signingKey`, else (OpenPGP) the committer, as git takes them. Signing that
//! is asked for and fails is an error: crs never drops a signature silently.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};
use crate::history::config::GitConfig;

/// How a signature is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    OpenPgp,
    X509,
    Ssh,
}

/// A signer, as git's configuration asks for one.
#[derive(Clone, Debug)]
pub struct Signer {
    format: Format,
    program: String,
    key: Option<String>,
    default_key_command: Option<String>,
    vars: BTreeMap<String, String>,
}

impl Signer {
    /// The signer for commits, when `commit.gpgSign` is set.
    pub fn for_commits(config: &GitConfig, vars: &BTreeMap<String, String>) -> Result<Option<Signer>> {
        Signer::when(config, vars, "commit.gpgSign")
    }

    /// The signer for annotated tags, when `tag.gpgSign` is set.
    pub fn for_tags(config: &GitConfig, vars: &BTreeMap<String, String>) -> Result<Option<Signer>> {
        Signer::when(config, vars, "tag.gpgSign")
    }

    fn when(config: &GitConfig, vars: &BTreeMap<String, String>, key: &str) -> Result<Option<Signer>> {
        if config.bool(key) != Some(true) {
            return Ok(None);
        }
        let format = match config.string("gpg.format").unwrap_or("openpgp") {
            "openpgp" => Format::OpenPgp,
            "x509" => Format::X509,
            "ssh" => Format::Ssh,
            other => {
                return Err(signing_error(
                    format!("gpg.format is '{other}', which git does not know"),
                    "set gpg.format to openpgp, x509 or ssh (git config gpg.format ssh)",
                ));
            }
        };
        let program = match format {
            Format::OpenPgp => config.string("gpg.openpgp.program").or_else(|| config.string("gpg.program")),
            Format::X509 => config.string("gpg.x509.program"),
            Format::Ssh => config.string("gpg.ssh.program"),
        }
        .filter(|p| !p.is_empty())
        .unwrap_or(match format {
            Format::OpenPgp => "gpg",
            Format::X509 => "gpgsm",
            Format::Ssh => "ssh-keygen",
        })
        .to_owned();
        Ok(Some(Signer {
            format,
            program,
            key: config.string("user.signingKey").filter(|k| !k.is_empty()).map(str::to_owned),
            default_key_command: config.string("gpg.ssh.defaultKeyCommand").map(str::to_owned),
            vars: vars.clone(),
        }))
    }

    /// Signs `payload` (a commit or tag object without its signature); `committer`
    /// is "Name <email>", OpenPGP's key when none is configured. Temporary files go
    /// in `scratch`. Returns the armored signature.
    pub fn sign(&self, payload: &[u8], committer: &str, scratch: &Path) -> Result<String> {
        match self.format {
            Format::OpenPgp | Format::X509 => {
                let key = self.key.clone().unwrap_or_else(|| committer.to_owned());
                self.sign_gpg(payload, &key)
            }
            Format::Ssh => self.sign_ssh(payload, scratch),
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.env_clear().envs(&self.vars);
        command
    }

    fn sign_gpg(&self, payload: &[u8], key: &str) -> Result<String> {
        let mut child = self
            .command()
            .args(["--status-fd=2", "-bsau", key])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.not_started(e))?;
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(payload);
        }
        let output = child.wait_with_output().map_err(|e| self.not_started(e))?;
        let status = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() || !status.contains("\n[GNUPG:] SIG_CREATED ") {
            return Err(self.failed(&status, &format!(
                "check that {} can sign with the key '{key}' (gpg --list-secret-keys; set it with git config user.signingKey KEY), or turn signing off with git config commit.gpgSign false",
                self.program
            )));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    fn sign_ssh(&self, payload: &[u8], scratch: &Path) -> Result<String> {
        let key = match (&self.key, &self.default_key_command) {
            (Some(key), _) => key.clone(),
            (None, Some(command)) => self.default_ssh_key(command)?,
            (None, None) => {
                return Err(signing_error(
                    "commits are to be signed with SSH, but no key is configured",
                    "name the key with git config user.signingKey ~/.ssh/id_ed25519.pub, or turn signing off with git config commit.gpgSign false",
                ));
            }
        };
        let literal = key.strip_prefix("key::").or_else(|| key.starts_with("ssh-").then_some(key.as_str()));
        let key_file = match literal {
            Some(text) => {
                let path = scratch.join("signing-key.crs-tmp");
                fs::write(&path, format!("{text}\n")).map_err(|e| Error::io(&path, e))?;
                path
            }
            None => match key.strip_prefix("~/") {
                Some(rest) => {
                    self.vars.get("HOME").map_or_else(|| PathBuf::from(&key), |h| Path::new(h).join(rest))
                }
                None => PathBuf::from(&key),
            },
        };
        let buffer = scratch.join("signing-buffer.crs-tmp");
        let signature_file = scratch.join("signing-buffer.crs-tmp.sig");
        let _ = fs::remove_file(&signature_file);
        fs::write(&buffer, payload).map_err(|e| Error::io(&buffer, e))?;
        let mut command = self.command();
        command.args(["-Y", "sign", "-n", "git", "-f"]).arg(&key_file);
        if literal.is_some() {
            command.arg("-U");
        }
        let output = command.arg(&buffer).stdin(Stdio::null()).output().map_err(|e| self.not_started(e));
        let signature = fs::read_to_string(&signature_file);
        for path in [&buffer, &signature_file] {
            let _ = fs::remove_file(path);
        }
        if literal.is_some() {
            let _ = fs::remove_file(&key_file);
        }
        let output = output?;
        match signature {
            Ok(signature) if output.status.success() => Ok(signature),
            _ => Err(self.failed(
                &String::from_utf8_lossy(&output.stderr),
                &format!(
                    "check that the key {} exists and can sign (ssh-keygen -Y sign needs its private key, or the agent to hold it), or turn signing off with git config commit.gpgSign false",
                    key_file.display()
                ),
            )),
        }
    }

    /// The first key `gpg.ssh.defaultKeyCommand` prints, as git takes it.
    fn default_ssh_key(&self, command: &str) -> Result<String> {
        let output = Command::new("sh")
            .args(["-c", command])
            .env_clear()
            .envs(&self.vars)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| self.not_started(e))?;
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .filter(|_| output.status.success())
            .map(|l| format!("key::{l}"))
            .ok_or_else(|| {
                self.failed(
                    &String::from_utf8_lossy(&output.stderr),
                    "gpg.ssh.defaultKeyCommand gave no key: load one into the agent, or set git config user.signingKey",
                )
            })
    }

    fn not_started(&self, e: std::io::Error) -> Error {
        signing_error(
            format!("commits are to be signed, but {} could not be run: {e}", self.program),
            format!(
                "install {} (or point git config gpg.{}program at it), or turn signing off with git config commit.gpgSign false",
                self.program,
                match self.format {
                    Format::OpenPgp => "",
                    Format::X509 => "x509.",
                    Format::Ssh => "ssh.",
                }
            ),
        )
    }

    fn failed(&self, said: &str, hint: &str) -> Error {
        let said = said
            .lines()
            .filter(|l| !l.starts_with("[GNUPG:]") && !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        let said = if said.is_empty() { String::new() } else { format!(": {said}") };
        signing_error(format!("{} could not sign{said}", self.program), hint)
    }
}

fn signing_error(message: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::Signing { message: message.into(), hint: format!("nothing was written; {}", hint.into()) }
}
