//! Who made a change: author and committer chosen exactly as `git var
//! GIT_AUTHOR_IDENT` / `GIT_COMMITTER_IDENT` choose them — `GIT_AUTHOR_NAME` /
//! `GIT_AUTHOR_EMAIL` (`GIT_COMMITTER_*`), then `author.*` / `committer.*`, then
//! `user.name` / `user.email` from git's configuration as git reads it
//! ([`GitConfig`]), then `EMAIL` for the address — or `--author "Name <email>"`.
//! Where git would make a name up from the system account (the password file,
//! `user@host`), crs stops instead: a register's history names real people. With
//! `--author` and no committer identity, the committer is the author.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};

use crate::error::{Error, Result};
use crate::history::config::GitConfig;

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

const AUTHOR_HINT: &str = "set your name and e-mail for git: git config --global user.name \"Your Name\" and git config --global user.email you@example.org, or pass --author \"Name <email>\" (crs then records you as committer too)";

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

/// Which of the two people a commit names.
#[derive(Clone, Copy)]
enum Role {
    Author,
    Committer,
}

impl Role {
    fn env(self) -> &'static str {
        match self {
            Role::Author => "AUTHOR",
            Role::Committer => "COMMITTER",
        }
    }

    fn section(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::Committer => "committer",
        }
    }
}

/// Resolves author and committer for a commit made `now`, from `config` and the
/// environment `vars`, or `--author`.
pub fn resolve(
    config: &GitConfig,
    vars: &BTreeMap<String, String>,
    author_override: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Identity> {
    let when = |role: Role| -> Result<DateTime<FixedOffset>> {
        match vars.get(&format!("GIT_{}_DATE", role.env())).filter(|v| !v.trim().is_empty()) {
            Some(text) => parse_git_date(text).ok_or_else(|| {
                Error::Usage(format!(
                    "GIT_{}_DATE '{text}' is not a date git understands, e.g. 2025-03-10T14:00:00Z",
                    role.env()
                ))
            }),
            None => Ok(now.fixed_offset()),
        }
    };
    let author = match author_override {
        Some(text) => {
            let (name, email) = parse_author(text)?;
            Person { name, email, when: when(Role::Author)? }
        }
        None => person(config, vars, Role::Author, when(Role::Author)?)?,
    };
    let committer = match person(config, vars, Role::Committer, when(Role::Committer)?) {
        Ok(committer) => committer,
        Err(_) if author_override.is_some() => Person { when: when(Role::Committer)?, ..author.clone() },
        Err(e) => return Err(e),
    };
    Ok(Identity { author, committer })
}

/// One person as git's `fmt_ident` finds them, strictly.
fn person(
    config: &GitConfig,
    vars: &BTreeMap<String, String>,
    role: Role,
    when: DateTime<FixedOffset>,
) -> Result<Person> {
    let env = |what: &str| vars.get(&format!("GIT_{}_{what}", role.env())).cloned();
    let own = |what: &str| {
        config.string(&format!("{}.{what}", role.section())).filter(|v| !v.is_empty()).map(str::to_owned)
    };
    let name = env("NAME").or_else(|| own("name")).or_else(|| config.string("user.name").map(str::to_owned));
    let email = env("EMAIL")
        .or_else(|| own("email"))
        .or_else(|| config.string("user.email").map(str::to_owned))
        .or_else(|| vars.get("EMAIL").filter(|e| !e.is_empty()).cloned());
    let missing = |what: &str| {
        Error::git(
            format!(
                "no git identity ({what}): crs records who made every change, and will not make one up from the system account"
            ),
            AUTHOR_HINT,
        )
    };
    let name = without_crud(&name.ok_or_else(|| missing("no user.name"))?);
    let email = without_crud(&email.ok_or_else(|| missing("no user.email"))?);
    if name.is_empty() {
        return Err(missing(&format!("an empty name for <{email}>")));
    }
    Ok(Person { name, email, when })
}

/// A name or address as git writes it in a commit: characters git calls crud
/// trimmed from both ends, and `<`, `>` and newlines dropped.
fn without_crud(text: &str) -> String {
    let crud = |c: char| (c as u32) <= 32 || matches!(c, ',' | ':' | ';' | '<' | '>' | '"' | '\\' | '\'');
    text.trim_matches(crud).chars().filter(|c| !matches!(c, '<' | '>' | '\n')).collect()
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
    fn trims_what_git_trims() {
        assert_eq!(without_crud(" 'Ann <Analyst>', "), "Ann Analyst");
        assert_eq!(without_crud("<ann@icb.example>"), "ann@icb.example");
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
