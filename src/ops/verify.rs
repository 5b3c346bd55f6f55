//! `crs verify`: a submission bundle checked against the register. The bundle (a
//! folder `crs submit` wrote, or the `.eml` it sent) names in its manifest the
//! commit it was made from; its files are made again from that commit alone and
//! compared byte for byte, and each file's SHA-256 is checked against the manifest.
//! A file that differs is a finding; a bundle or manifest that cannot be read, or a
//! commit the repository does not hold, means crs could not verify at all.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use mail_parser::{MessageParser, MimeHeaders};
use serde::Serialize;

use crate::context::Ctx;
use crate::digest::sha256_hex;
use crate::error::{Error, Result};
use crate::export::bundle::{Manifest, file_stem};
use crate::history;
use crate::ops::submit::{bundle_of, gather_submission};

/// A bundle file's name ends with this when it is the manifest.
const MANIFEST_SUFFIX: &str = "manifest.json";

/// A bundle's files are read up to this size each (a workbook of 100,000 records is
/// about 20 MB, its e-mail a third more).
const MAX_BUNDLE_FILE: u64 = 1 << 30;

/// What verifying a bundle found.
#[derive(Debug, Serialize)]
pub struct Verification {
    /// The commit the manifest names.
    pub commit: String,
    /// The submission tag the manifest names.
    pub tag: String,
    /// Whether the repository holds that tag.
    pub tag_in_repository: bool,
    /// Whether that tag records this bundle's commit (the submission was made on
    /// it); `false` for a bundle whose submission was never recorded (interrupted
    /// and undone) and whose tag a later submission took; `None` without the tag.
    pub tag_records_commit: Option<bool>,
    /// The crs version that wrote the bundle.
    pub written_by: String,
    /// The crs version that made the files again.
    pub verified_by: String,
    /// The bundle was made with uncommitted changes (a dry run), so its commit alone
    /// cannot give it.
    pub uncommitted_files: usize,
    /// The commit of the submission the bundle's changes were measured from.
    pub baseline_in_bundle: Option<String>,
    /// The same, as this repository's tags give it for the commit: another one when
    /// tags are missing (a clone fetched without them) or were moved.
    pub baseline_here: Option<String>,
    /// Each file of the bundle, in the manifest's order.
    pub files: Vec<FileCheck>,
}

/// One file of the bundle.
#[derive(Debug, Serialize)]
pub struct FileCheck {
    pub name: String,
    pub verdict: Verdict,
    /// Whether the file's SHA-256 is the one the manifest gives; `None` for files
    /// the manifest holds no digest of (the manifest itself, the e-mail carrying it).
    pub sha256_matches_manifest: Option<bool>,
}

/// How a file compares with the same file made again from the commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Byte for byte the same.
    Matches,
    /// Different bytes.
    Differs,
    /// The bundle lacks it.
    Missing,
}

impl FileCheck {
    /// True when the file is as the commit gives it and as the manifest says.
    pub fn ok(&self) -> bool {
        self.verdict == Verdict::Matches && self.sha256_matches_manifest != Some(false)
    }
}

impl Verification {
    /// True when every file matches and the tag, if held, records this commit.
    pub fn all_match(&self) -> bool {
        self.files.iter().all(FileCheck::ok) && self.tag_records_commit != Some(false)
    }
}

/// The files found in a bundle, by name, and its manifest.
struct Found {
    manifest: Manifest,
    files: BTreeMap<String, Vec<u8>>,
    /// The names to check, in order: the manifest's files, then the e-mail and the
    /// manifest for a folder; the attached ones for an e-mail.
    expected: Vec<String>,
}

/// Verifies the bundle at `bundle` (a folder or an `.eml`) against the register.
pub fn verify(ctx: &Ctx, bundle: &Path) -> Result<Verification> {
    let path = ctx.cwd.join(bundle);
    let found = if path.is_dir() { read_folder(&path)? } else { read_email(&path)? };
    let manifest = &found.manifest;
    let commit = manifest.register_commit.clone().ok_or_else(|| {
        unreadable(
            &path,
            "its manifest names no register commit",
            "verify a bundle crs submit wrote from a register in git",
        )
    })?;
    let root = ctx.register_root()?;
    // An error naming the commit when the repository does not hold it.
    history::commit_time(&root, &commit)?;
    let gathered = gather_submission(ctx, Some(&commit), manifest.last_sent)?;
    // Made again in memory; the workbook's temporary files go in the system's
    // temporary folder, as the bundle's own folder may be read-only.
    let scratch = std::env::temp_dir();
    let (workbook, remade) = bundle_of(
        ctx,
        gathered,
        manifest.date,
        &manifest.tag,
        Some(&manifest.register),
        manifest.last_sent,
        &scratch,
    )?;
    let mut remade: BTreeMap<&str, &[u8]> =
        remade.files().iter().map(|f| (f.name.as_str(), f.bytes.as_slice())).collect();
    // An e-mail is also checked for its own words: its subject and its text.
    let words_key = email_words_name(&manifest.email_file);
    let remade_words = remade.get(manifest.email_file.as_str()).and_then(|eml| email_words(eml));
    if let Some(words) = &remade_words {
        remade.insert(&words_key, words.as_slice());
    }
    let digests: BTreeMap<&str, &str> =
        manifest.files.iter().map(|f| (f.name.as_str(), f.sha256.as_str())).collect();

    let files = found
        .expected
        .iter()
        .map(|name| {
            let bytes = found.files.get(name);
            let verdict = match (bytes, remade.get(name.as_str())) {
                (None, _) => Verdict::Missing,
                (Some(bytes), Some(again)) if bytes.as_slice() == *again => Verdict::Matches,
                (Some(_), _) => Verdict::Differs,
            };
            let sha256_matches_manifest = bytes
                .and_then(|b| digests.get(name.as_str()).map(|d| sha256_hex(b) == d.to_ascii_lowercase()));
            FileCheck { name: name.clone(), verdict, sha256_matches_manifest }
        })
        .collect();
    let tagged = history::tags::tagged_submission(&root, &manifest.tag)?;
    let tag_records_commit =
        tagged.as_ref().map(|(own, parent)| own == &commit || parent.as_deref() == Some(commit.as_str()));
    Ok(Verification {
        tag_in_repository: tagged.is_some(),
        tag_records_commit,
        commit,
        tag: manifest.tag.clone(),
        written_by: manifest.crs_version.clone(),
        verified_by: env!("CARGO_PKG_VERSION").to_owned(),
        uncommitted_files: manifest.uncommitted_files,
        baseline_in_bundle: manifest.baseline_commit.clone(),
        baseline_here: workbook.about.baseline_commit,
        files,
    })
}

/// A folder `crs submit` wrote: its one manifest, and the files it names.
fn read_folder(dir: &Path) -> Result<Found> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut manifests = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(MANIFEST_SUFFIX) && entry.path().is_file() {
            manifests.push(name);
        }
    }
    manifests.sort();
    let manifest_name = match manifests.as_slice() {
        [one] => one.clone(),
        [] => {
            return Err(unreadable(
                dir,
                "it holds no manifest (a file named …-manifest.json)",
                "give the folder crs submit wrote, or the .eml it sent",
            ));
        }
        several => {
            return Err(unreadable(
                dir,
                &format!("it holds several manifests ({})", several.join(", ")),
                "keep each submission's bundle in a folder of its own",
            ));
        }
    };
    let manifest_bytes = read_file(&dir.join(&manifest_name))?;
    let manifest = parse_manifest(dir, &manifest_bytes)?;
    let mut expected: Vec<String> = manifest.files.iter().map(|f| f.name.clone()).collect();
    expected.push(manifest.email_file.clone());
    let mut files = BTreeMap::new();
    for name in &expected {
        let file = dir.join(plain_name(dir, name)?);
        if file.is_file() {
            files.insert(name.clone(), read_file(&file)?);
        }
    }
    expected.push(manifest_name.clone());
    files.insert(manifest_name.clone(), manifest_bytes);
    Ok(Found { manifest, files, expected })
}

/// The `.eml` `crs submit` wrote: its attachments, one of them the manifest, and
/// its subject and text. The summary is the e-mail's body in other words, not an
/// attachment, so it is not looked for.
fn read_email(path: &Path) -> Result<Found> {
    let bytes = read_file(path)?;
    let message = MessageParser::default().parse(&bytes).ok_or_else(|| {
        unreadable(
            path,
            "it is neither a folder nor an e-mail",
            "give the folder crs submit wrote, or the .eml it sent",
        )
    })?;
    let mut files = BTreeMap::new();
    for part in message.attachments() {
        if let Some(name) = part.attachment_name() {
            files.insert(name.to_owned(), part.contents().to_vec());
        }
    }
    let manifest_name =
        files.keys().find(|name| name.ends_with(MANIFEST_SUFFIX)).cloned().ok_or_else(|| {
            unreadable(
                path,
                "no manifest is attached to it (a file named …-manifest.json)",
                "give the .eml crs submit wrote, or the folder it wrote it in",
            )
        })?;
    let manifest = parse_manifest(path, &files[&manifest_name])?;
    // What the regulator reads: the subject and the text, checked like a file.
    let words_key = email_words_name(&manifest.email_file);
    if let Some(words) = email_words(&bytes) {
        files.insert(words_key.clone(), words);
    }
    let summary =
        format!("{}-summary.md", file_stem(&manifest.commissioner_code, manifest.date, &manifest.tag));
    let mut expected: Vec<String> =
        manifest.files.iter().map(|f| f.name.clone()).filter(|name| *name != summary).collect();
    expected.push(manifest_name.clone());
    expected.push(words_key);
    Ok(Found { manifest, files, expected })
}

/// The name the words of the e-mail `email_file` are checked under.
fn email_words_name(email_file: &str) -> String {
    format!("{email_file} (its subject and text)")
}

/// An e-mail's subject and text parts, as one block of bytes to compare: what a
/// person reads of it, whatever headers the mail system added on the way.
fn email_words(eml: &[u8]) -> Option<Vec<u8>> {
    let message = MessageParser::default().parse(eml)?;
    let mut words = message.subject().unwrap_or_default().to_owned();
    for index in 0..message.text_body_count() {
        words.push('\n');
        words.push_str(&message.body_text(index)?);
    }
    // A mail system may store lines ending in LF alone: the words are the same.
    Some(words.replace("\r\n", "\n").into_bytes())
}

fn parse_manifest(bundle: &Path, bytes: &[u8]) -> Result<Manifest> {
    Manifest::parse(bytes).map_err(|e| {
        unreadable(
            bundle,
            &format!("its manifest cannot be read ({e})"),
            "give the bundle as crs submit wrote it",
        )
    })
}

/// `name` when it is a plain file name: a manifest cannot point outside its folder.
fn plain_name<'n>(dir: &Path, name: &'n str) -> Result<&'n str> {
    let plain = !name.is_empty() && Path::new(name).file_name().is_some_and(|n| n == name) && name != "..";
    if plain && !name.contains(['/', '\\']) {
        Ok(name)
    } else {
        Err(unreadable(
            dir,
            &format!("its manifest names the file '{name}', which is not a file of the bundle"),
            "give the bundle as crs submit wrote it",
        ))
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    let metadata = fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if metadata.len() > MAX_BUNDLE_FILE {
        return Err(unreadable(
            path,
            &format!("it is {} bytes, more than a bundle's file can be", metadata.len()),
            "give the folder crs submit wrote, or the .eml it sent",
        ));
    }
    fs::read(path).map_err(|e| Error::io(path, e))
}

fn unreadable(bundle: &Path, why: &str, hint: &str) -> Error {
    Error::input(format!("cannot verify {}: {why}", bundle.display()), hint)
}
