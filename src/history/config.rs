//! `GitConfig`: git's configuration as git itself reads it, for the settings that
//! decide who makes a commit, which hooks run and whether it is signed.
//!
//! libgit2 reads `~/.gitconfig` on its own terms (it ignores `GIT_CONFIG_GLOBAL`,
//! `GIT_CONFIG_SYSTEM` and `GIT_CONFIG_COUNT`), so crs reads the files in git's order
//! here: system (`GIT_CONFIG_SYSTEM`, else `/etc/gitconfig`, none with
//! `GIT_CONFIG_NOSYSTEM`), global (`GIT_CONFIG_GLOBAL`, else
//! `$XDG_CONFIG_HOME/git/config` or `~/.config/git/config`, then `~/.gitconfig`), the
//! repository's `config` (and `config.worktree`), then `GIT_CONFIG_COUNT` pairs; later
//! values win. `include.path` and `includeIf` (`gitdir:`, `gitdir/i:`, `onbranch:`)
//! are followed where they stand, as git does. The environment comes in as a map:
//! only the context reads the process's.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// How deep includes may nest, as in git.
const MAX_INCLUDE_DEPTH: usize = 10;

/// Every setting read, in the order git reads them (the last one wins).
#[derive(Clone, Debug, Default)]
pub struct GitConfig {
    entries: Vec<(String, Option<String>)>,
}

/// What `includeIf` conditions are tested against.
struct Place<'a> {
    vars: &'a BTreeMap<String, String>,
    /// The repository's git folder, for `gitdir:`.
    git_dir: Option<&'a Path>,
    /// The branch checked out, short (`main`), for `onbranch:`.
    branch: Option<&'a str>,
}

impl GitConfig {
    /// Reads the configuration for the repository whose git folder is `git_dir` and
    /// common folder `common_dir`, on `branch`.
    pub fn read(
        vars: &BTreeMap<String, String>,
        git_dir: Option<&Path>,
        common_dir: Option<&Path>,
        branch: Option<&str>,
    ) -> GitConfig {
        let place = Place { vars, git_dir, branch };
        let mut config = GitConfig::default();
        let var = |name: &str| vars.get(name).map(String::as_str);
        if !var("GIT_CONFIG_NOSYSTEM").is_some_and(is_true) {
            let system =
                var("GIT_CONFIG_SYSTEM").map_or_else(|| PathBuf::from("/etc/gitconfig"), PathBuf::from);
            config.read_file(&system, &place, 0);
        }
        match var("GIT_CONFIG_GLOBAL") {
            Some(global) => config.read_file(Path::new(global), &place, 0),
            None => {
                let home = var("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
                let xdg = match var("XDG_CONFIG_HOME").filter(|x| !x.is_empty()) {
                    Some(xdg) => Some(PathBuf::from(xdg).join("git/config")),
                    None => home.as_ref().map(|h| h.join(".config/git/config")),
                };
                if let Some(xdg) = xdg {
                    config.read_file(&xdg, &place, 0);
                }
                if let Some(home) = home {
                    config.read_file(&home.join(".gitconfig"), &place, 0);
                }
            }
        }
        if let Some(common) = common_dir {
            config.read_file(&common.join("config"), &place, 0);
            if config.bool("extensions.worktreeconfig") == Some(true)
                && let Some(git_dir) = git_dir
            {
                config.read_file(&git_dir.join("config.worktree"), &place, 0);
            }
        }
        let count = var("GIT_CONFIG_COUNT").and_then(|c| c.trim().parse::<usize>().ok()).unwrap_or(0);
        for i in 0..count {
            if let (Some(key), Some(value)) =
                (var(&format!("GIT_CONFIG_KEY_{i}")), var(&format!("GIT_CONFIG_VALUE_{i}")))
                && let Some(key) = canonical_key(key)
            {
                config.entries.push((key, Some(value.to_owned())));
            }
        }
        config
    }

    /// The last value of `key` (`section.name` or `section.subsection.name`; section
    /// and name in any case). A key given with no `=` has the value `None` inside.
    pub fn raw(&self, key: &str) -> Option<Option<&str>> {
        let key = canonical_key(key)?;
        self.entries.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| v.as_deref())
    }

    /// The last value of `key` as text; a key with no `=` reads as empty.
    pub fn string(&self, key: &str) -> Option<&str> {
        self.raw(key).map(|v| v.unwrap_or(""))
    }

    /// The last value of `key` as git reads a boolean; `None` when unset or not a boolean.
    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.raw(key)? {
            None => Some(true),
            Some(v) => parse_bool(v),
        }
    }

    fn read_file(&mut self, path: &Path, place: &Place<'_>, depth: usize) {
        if depth > MAX_INCLUDE_DEPTH {
            return;
        }
        let Ok(bytes) = fs::read(path) else { return };
        let text = String::from_utf8_lossy(&bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        for (key, value) in parse(text) {
            let include = if key == "include.path" {
                true
            } else if let Some(condition) =
                key.strip_prefix("includeif.").and_then(|rest| rest.strip_suffix(".path"))
            {
                condition_holds(condition, path, place)
            } else {
                false
            };
            if include {
                if let Some(target) = value.as_deref().and_then(|v| include_path(v, path, place.vars)) {
                    self.read_file(&target, place, depth + 1);
                }
                continue;
            }
            self.entries.push((key, value));
        }
    }
}

fn is_true(value: &str) -> bool {
    parse_bool(value).unwrap_or(false)
}

/// git's booleans: yes/on/true/1 and no/off/false/0/empty; other numbers are true.
fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" | "" => Some(false),
        number => number.parse::<i64>().ok().map(|n| n != 0),
    }
}

/// `Section.Sub.Name` as git compares keys: section and name lower-cased, the
/// subsection as written.
fn canonical_key(key: &str) -> Option<String> {
    let (section, rest) = key.split_once('.')?;
    let (sub, name) = match rest.rsplit_once('.') {
        Some((sub, name)) => (Some(sub), name),
        None => (None, rest),
    };
    if section.is_empty() || name.is_empty() {
        return None;
    }
    Some(match sub {
        Some(sub) => format!("{}.{sub}.{}", section.to_ascii_lowercase(), name.to_ascii_lowercase()),
        None => format!("{}.{}", section.to_ascii_lowercase(), name.to_ascii_lowercase()),
    })
}

/// The settings of one file in order, keys canonical; lines git would reject are
/// skipped.
fn parse(text: &str) -> Vec<(String, Option<String>)> {
    let mut entries = Vec::new();
    let mut section: Option<String> = None;
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' | '\r' | '\n' => {
                chars.next();
            }
            '#' | ';' => skip_line(&mut chars),
            '[' => {
                chars.next();
                section = parse_section(&mut chars);
            }
            c if c.is_ascii_alphabetic() => {
                let mut name = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        name.push(c.to_ascii_lowercase());
                        chars.next();
                    } else {
                        break;
                    }
                }
                while matches!(chars.peek(), Some(' ' | '\t')) {
                    chars.next();
                }
                let value = match chars.peek() {
                    Some('=') => {
                        chars.next();
                        Some(parse_value(&mut chars))
                    }
                    _ => {
                        skip_line(&mut chars);
                        None
                    }
                };
                if let Some(section) = &section {
                    entries.push((format!("{section}.{name}"), value));
                }
            }
            _ => skip_line(&mut chars),
        }
    }
    entries
}

fn skip_line(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if c == '\n' {
            break;
        }
    }
}

/// After `[`: `section`, `section "sub"` or the old `section.sub`; the key prefix.
fn parse_section(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    let mut name = String::new();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
            name.push(c);
            chars.next();
        } else {
            break;
        }
    }
    let result = match chars.next() {
        Some(']') => match name.split_once('.') {
            Some((section, sub)) => {
                Some(format!("{}.{}", section.to_ascii_lowercase(), sub.to_ascii_lowercase()))
            }
            None => Some(name.to_ascii_lowercase()),
        },
        Some(' ' | '\t') => {
            while matches!(chars.peek(), Some(' ' | '\t')) {
                chars.next();
            }
            if chars.next() != Some('"') {
                skip_line(chars);
                return None;
            }
            let mut sub = String::new();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => sub.extend(chars.next()),
                    Some('\n') | None => return None,
                    Some(c) => sub.push(c),
                }
            }
            (chars.next() == Some(']')).then(|| format!("{}.{sub}", name.to_ascii_lowercase()))
        }
        _ => None,
    };
    if result.is_none() {
        skip_line(chars);
    }
    result.filter(|_| !name.is_empty())
}

/// After `=`: the value up to the end of the line (or comment), with quotes,
/// escapes and continued lines as git reads them.
fn parse_value(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut value = String::new();
    let mut quoted = false;
    // Spaces are kept only between words: trailing ones outside quotes go.
    let mut pending_space = 0;
    while let Some(c) = chars.next() {
        match c {
            '\n' => break,
            '\r' if chars.peek() == Some(&'\n') => {}
            '#' | ';' if !quoted => {
                skip_line(chars);
                break;
            }
            ' ' | '\t' if !quoted => {
                if !value.is_empty() {
                    pending_space += 1;
                }
            }
            '"' => {
                value.extend(std::iter::repeat_n(' ', pending_space));
                pending_space = 0;
                quoted = !quoted;
            }
            '\\' => {
                value.extend(std::iter::repeat_n(' ', pending_space));
                pending_space = 0;
                match chars.next() {
                    Some('\n') => {}
                    Some('\r') if chars.peek() == Some(&'\n') => {
                        chars.next();
                    }
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some('b') => value.push('\u{8}'),
                    Some(c) => value.push(c),
                    None => break,
                }
            }
            c => {
                value.extend(std::iter::repeat_n(' ', pending_space));
                pending_space = 0;
                value.push(c);
            }
        }
    }
    value
}

/// An include's path: `~/` from HOME, relative to the including file's folder.
fn include_path(value: &str, from: &Path, vars: &BTreeMap<String, String>) -> Option<PathBuf> {
    let expanded = expand_home(value, vars)?;
    if expanded.is_absolute() {
        Some(expanded)
    } else {
        Some(from.parent().unwrap_or(Path::new(".")).join(expanded))
    }
}

fn expand_home(value: &str, vars: &BTreeMap<String, String>) -> Option<PathBuf> {
    match value.strip_prefix("~/") {
        Some(rest) => vars.get("HOME").filter(|h| !h.is_empty()).map(|home| Path::new(home).join(rest)),
        None if value == "~" => vars.get("HOME").map(PathBuf::from),
        None => Some(PathBuf::from(value)),
    }
}

/// Whether an `includeIf` condition holds, as git tests it.
fn condition_holds(condition: &str, file: &Path, place: &Place<'_>) -> bool {
    if let Some(pattern) = condition.strip_prefix("gitdir:") {
        return gitdir_matches(pattern, file, place, false);
    }
    if let Some(pattern) = condition.strip_prefix("gitdir/i:") {
        return gitdir_matches(pattern, file, place, true);
    }
    if let Some(pattern) = condition.strip_prefix("onbranch:") {
        let Some(branch) = place.branch else { return false };
        let mut pattern = pattern.to_owned();
        if pattern.ends_with('/') {
            pattern.push_str("**");
        }
        return wildmatch(pattern.as_bytes(), branch.as_bytes(), false);
    }
    false
}

fn gitdir_matches(pattern: &str, file: &Path, place: &Place<'_>, fold: bool) -> bool {
    let Some(git_dir) = place.git_dir else { return false };
    let Some(mut pattern) = expand_home(pattern, place.vars).map(|p| p.to_string_lossy().into_owned()) else {
        return false;
    };
    if let Some(rest) = pattern.strip_prefix("./") {
        let real = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
        let folder = real.parent().unwrap_or(Path::new("/")).to_string_lossy().into_owned();
        pattern = format!("{}/{rest}", folder.trim_end_matches('/'));
    } else if !pattern.starts_with('/') {
        pattern.insert_str(0, "**/");
    }
    if pattern.ends_with('/') {
        pattern.push_str("**");
    }
    let real = git_dir.canonicalize().unwrap_or_else(|_| git_dir.to_path_buf());
    let plain = real.to_string_lossy().trim_end_matches('/').to_owned();
    let given = git_dir.to_string_lossy().trim_end_matches('/').to_owned();
    [plain, given].iter().any(|dir| wildmatch(pattern.as_bytes(), dir.as_bytes(), fold))
}

/// git's wildmatch with `WM_PATHNAME`: `*` and `?` stop at `/`, `**` between slashes
/// crosses them, `[…]` classes; `fold` ignores ASCII case.
fn wildmatch(pattern: &[u8], text: &[u8], fold: bool) -> bool {
    let eq = |a: u8, b: u8| if fold { a.eq_ignore_ascii_case(&b) } else { a == b };
    match pattern.first() {
        None => text.is_empty(),
        Some(b'*') if pattern.get(1) == Some(&b'*') => {
            let mut rest = &pattern[2..];
            while rest.first() == Some(&b'*') {
                rest = &rest[1..];
            }
            // "**/" also matches no folder at all.
            if rest.first() == Some(&b'/') && wildmatch(&rest[1..], text, fold) {
                return true;
            }
            (0..=text.len()).any(|i| wildmatch(rest, &text[i..], fold))
        }
        Some(b'*') => {
            let rest = &pattern[1..];
            for i in 0..=text.len() {
                if wildmatch(rest, &text[i..], fold) {
                    return true;
                }
                if text.get(i) == Some(&b'/') {
                    break;
                }
            }
            false
        }
        Some(b'?') => text.first().is_some_and(|&c| c != b'/') && wildmatch(&pattern[1..], &text[1..], fold),
        Some(b'[') => {
            let Some(&c) = text.first() else { return false };
            let Some((matched, used)) = class(&pattern[1..], c, fold) else {
                return eq(b'[', c) && wildmatch(&pattern[1..], &text[1..], fold);
            };
            matched && c != b'/' && wildmatch(&pattern[1 + used..], &text[1..], fold)
        }
        Some(b'\\') if pattern.len() > 1 => {
            text.first().is_some_and(|&c| eq(pattern[1], c)) && wildmatch(&pattern[2..], &text[1..], fold)
        }
        Some(&p) => text.first().is_some_and(|&c| eq(p, c)) && wildmatch(&pattern[1..], &text[1..], fold),
    }
}

/// A `[…]` class after its `[`: whether `c` is in it, and how many bytes it took
/// (its `]` included); `None` when it is not closed.
fn class(pattern: &[u8], c: u8, fold: bool) -> Option<(bool, usize)> {
    let mut i = 0;
    let negate = matches!(pattern.first(), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    let lower = |b: u8| if fold { b.to_ascii_lowercase() } else { b };
    while i < pattern.len() {
        let p = pattern[i];
        if p == b']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if i + 2 < pattern.len() && pattern[i + 1] == b'-' && pattern[i + 2] != b']' {
            let (lo, hi) = (lower(p), lower(pattern[i + 2]));
            if (lo..=hi).contains(&lower(c)) {
                matched = true;
            }
            i += 3;
        } else {
            if lower(p) == lower(c) {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_values_as_git_does() {
        let text = "[user]\n\tname = \"Ann  Analyst\" # comment\n\temail=ann@icb.example ; c\n\
                    [Core \"Sub\"]\n  Flag\n[commit]gpgSign = yes\n[a.B]\nc = x \\\n y\n";
        let entries = parse(text);
        assert_eq!(
            entries,
            vec![
                ("user.name".into(), Some("Ann  Analyst".into())),
                ("user.email".into(), Some("ann@icb.example".into())),
                ("core.Sub.flag".into(), None),
                ("commit.gpgsign".into(), Some("yes".into())),
                ("a.b.c".into(), Some("x  y".into())),
            ]
        );
        let config = GitConfig { entries };
        assert_eq!(config.string("User.Name"), Some("Ann  Analyst"));
        assert_eq!(config.bool("core.Sub.flag"), Some(true));
        assert_eq!(config.bool("commit.gpgSign"), Some(true));
    }

    #[test]
    fn matches_as_wildmatch_does() {
        assert!(wildmatch(b"**/work/**", b"/home/ann/work/reg/.git", false));
        assert!(wildmatch(b"/home/*/work/**", b"/home/ann/work/x/.git", false));
        assert!(!wildmatch(b"/home/*/x", b"/home/a/b/x", false));
        assert!(wildmatch(b"**/.git", b"/r/.git", false));
        assert!(wildmatch(b"/R/[a-c]?", b"/r/bz", true));
        assert!(!wildmatch(b"/r/[!a-c]", b"/r/b", false));
    }
}
