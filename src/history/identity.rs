//! Who made a change: author and committer chosen as git itself chooses them
//! (`GIT_AUTHOR_*` / `GIT_COMMITTER_*`, then `user.name` / `user.email`, then
//! `EMAIL`), or `--author "Name <email>"`. A missing identity is an error, never a
//! made-up name.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use git2::Repository;

use crate::error::{Error, Result};

/// A person and a moment, as a commit records them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub when: DateTime<FixedOffset>,
}

/// Author and committer of a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub author: Person,
    pub committer: Person,
}

impl Person {
    pub(crate) fn signature(&self) -> Result<git2::Signature<'static>> {
        let time = git2::Time::new(self.when.timestamp(), self.when.offset().local_minus_utc() / 60);
        git2::Signature::new(&self.name, &self.email, &time).map_err(|e| {
            Error::git(
                format!("'{} <{}>' cannot sign a commit: {}", self.name, self.email, e.message()),
                AUTHOR_HINT,
            )
        })
    }
}

const AUTHOR_HINT: &str = "set your name and e-mail for git: git config --global user.name \"Your Name\" and git config --global user.email you@example.org, or pass --author \"Name <email>\"";

/// Parses `Name <email>`.
pub fn parse_author(text: &str) -> Result<(String, String)> {
    let bad = || {
        Error::Usage(format!("--author '{text}' must look like \"Ann Analyst <ann.analyst@icb.example>\""))
    };
    let (name, rest) = text.split_once('<').ok_or_else(bad)?;
    let email = rest.strip_suffix('>').ok_or_else(bad)?;
    let (name, email) = (name.trim(), email.trim());
    if name.is_empty() || email.is_empty() || email.contains(['<', '>', '\n']) || name.contains('\n') {
        return Err(bad());
    }
    Ok((name.to_owned(), email.to_owned()))
}

/// Resolves author and committer for a commit in `repo`, made `now`.
pub fn resolve(
    repo: &Repository,
    vars: &BTreeMap<String, String>,
    author_override: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Identity> {
    let config = repo.config().ok();
    let from_config =
        |key: &str| config.as_ref().and_then(|c| c.get_string(key).ok()).filter(|v| !v.trim().is_empty());
    let var = |key: &str| vars.get(key).filter(|v| !v.trim().is_empty()).cloned();
    let person = |role: &str| -> Result<Person> {
        let name = var(&format!("GIT_{role}_NAME")).or_else(|| from_config("user.name"));
        let email =
            var(&format!("GIT_{role}_EMAIL")).or_else(|| from_config("user.email")).or_else(|| var("EMAIL"));
        let when = match var(&format!("GIT_{role}_DATE")) {
            Some(text) => parse_git_date(&text).ok_or_else(|| {
                Error::Usage(format!(
                    "GIT_{role}_DATE '{text}' is not a date git understands, e.g. 2025-03-10T14:00:00Z"
                ))
            })?,
            None => now.fixed_offset(),
        };
        match (name, email) {
            (Some(name), Some(email)) => Ok(Person { name, email, when }),
            _ => Err(Error::git(
                "no git identity: crs records who made every change, and will not make one up",
                AUTHOR_HINT,
            )),
        }
    };
    let committer = person("COMMITTER")?;
    let author = match author_override {
        Some(text) => {
            let (name, email) = parse_author(text)?;
            Person { name, email, when: person("AUTHOR").map_or(committer.when, |p| p.when) }
        }
        None => person("AUTHOR")?,
    };
    Ok(Identity { author, committer })
}

/// Reads the date formats people put in `GIT_AUTHOR_DATE`: RFC 3339 / ISO 8601,
/// RFC 2822, and git's internal `@seconds [+zone]`.
fn parse_git_date(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    if let Some(raw) = text.strip_prefix('@') {
        let mut parts = raw.split_whitespace();
        let seconds: i64 = parts.next()?.parse().ok().filter(|s| *s >= 0)?;
        let offset = match parts.next() {
            Some(zone) => parse_zone(zone)?,
            None => FixedOffset::east_opt(0)?,
        };
        return DateTime::from_timestamp(seconds, 0).map(|t| t.with_timezone(&offset));
    }
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_rfc2822(text))
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S %z"))
        .ok()
}

fn parse_zone(zone: &str) -> Option<FixedOffset> {
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits = zone.trim_start_matches(['+', '-']);
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_author_flag() {
        assert_eq!(
            parse_author("Ann Analyst <ann@icb.example>").unwrap(),
            ("Ann Analyst".into(), "ann@icb.example".into())
        );
        assert!(parse_author("Ann Analyst").is_err());
        assert!(parse_author("<ann@icb.example>").is_err());
        assert!(parse_author("An\nn <a@b>").is_err());
    }

    #[test]
    fn parses_git_dates() {
        assert_eq!(parse_git_date("2026-11-23T12:00:00Z").unwrap().timestamp(), 1_795_435_200);
        assert_eq!(parse_git_date("@1795435200 +0100").unwrap().timestamp(), 1_795_435_200);
        assert_eq!(parse_git_date("Mon, 23 Nov 2026 12:00:00 +0000").unwrap().timestamp(), 1_795_435_200);
        assert!(parse_git_date("yesterday").is_none());
        assert!(parse_git_date("@-99999999999 +0000").is_none());
        assert!(parse_git_date("@0 +1é1").is_none());
    }
}
