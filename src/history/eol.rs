//! Line endings as git stores them. Where `core.autocrlf` or a `.gitattributes` rule
//! (`text`, `text=auto`, `eol`) says a file is text, git stores it with LF endings
//! whatever the working tree has — Git for Windows sets `core.autocrlf = true` by
//! default. crs stores a record's blob the same way, and compares the working file
//! with what is committed the same way, so its commits are the ones `git add` and
//! `git commit` would make and `git status` stays clean.

use std::borrow::Cow;
use std::path::Path;

use git2::{AttrCheckFlags, AttrValue, Repository};

/// `contents` of the working file at `repo_path` as git would store it; `committed`
/// is the version in HEAD, if any.
pub fn as_stored<'c>(
    repo: &Repository,
    repo_path: &str,
    contents: &'c [u8],
    committed: Option<&[u8]>,
) -> Cow<'c, [u8]> {
    let convert = match conversion(repo, repo_path) {
        Conversion::None => false,
        Conversion::Text => true,
        // As git: only text, and not when the committed version has CRLF already
        // (normalising it would change every line of a file no one asked to change).
        Conversion::Auto => is_text(contents) && !committed.is_some_and(has_crlf),
    };
    if convert && has_crlf(contents) { Cow::Owned(crlf_to_lf(contents)) } else { Cow::Borrowed(contents) }
}

/// What git does to a file's line endings when it stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Conversion {
    None,
    /// CRLF becomes LF.
    Text,
    /// CRLF becomes LF if the file looks like text.
    Auto,
}

fn conversion(repo: &Repository, repo_path: &str) -> Conversion {
    let attr = |name| {
        repo.get_attr(Path::new(repo_path), name, AttrCheckFlags::FILE_THEN_INDEX)
            .ok()
            .map(AttrValue::from_string)
            .unwrap_or(AttrValue::Unspecified)
    };
    match attr("text") {
        AttrValue::True => Conversion::Text,
        AttrValue::String("auto") => Conversion::Auto,
        AttrValue::False | AttrValue::String(_) | AttrValue::Bytes(_) => Conversion::None,
        AttrValue::Unspecified => match attr("eol") {
            AttrValue::String("lf" | "crlf") => Conversion::Text,
            _ => match repo.config().and_then(|c| c.get_string("core.autocrlf")).as_deref() {
                Ok("true" | "input") => Conversion::Auto,
                _ => Conversion::None,
            },
        },
    }
}

fn has_crlf(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == b"\r\n")
}

/// Text as git's `text=auto` judges it: no NUL and no CR that does not end a line.
fn is_text(bytes: &[u8]) -> bool {
    !bytes.contains(&0)
        && bytes.iter().enumerate().all(|(i, b)| *b != b'\r' || bytes.get(i + 1) == Some(&b'\n'))
}

fn crlf_to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, b) in bytes.iter().enumerate() {
        if *b != b'\r' || bytes.get(i + 1) != Some(&b'\n') {
            out.push(*b);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_crlf_pairs_become_lf_and_lone_crs_make_a_file_binary() {
        assert_eq!(crlf_to_lf(b"a\r\nb\r\n"), b"a\nb\n");
        assert_eq!(crlf_to_lf(b"a\rb\r\n"), b"a\rb\n");
        assert!(is_text(b"a\r\nb\n"));
        assert!(!is_text(b"a\rb\n"));
        assert!(!is_text(b"a\0b"));
    }
}
