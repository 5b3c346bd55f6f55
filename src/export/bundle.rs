//! `Bundle`: what `crs submit` hands over — the workbook, its JSON twin (the same
//! rows as data), a markdown summary of the changes since the last submission, the
//! `.eml` that sends the workbook, the JSON and the manifest to the regulator, and
//! `manifest.json`: the register commit, the tag, the crs version and the SHA-256 of
//! each file, so anyone can check the files and `crs verify` can make them again
//! from the commit. Every byte comes from the workbook and the submission's facts,
//! none from the clock: the same commit gives the same bundle. Built in memory; the
//! caller writes the files.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::digest::sha256_hex;
use crate::error::{Error, Result};
use crate::export::changes::ChangeCounts;
use crate::export::document::write_json;
use crate::export::email::{Attachment, Email, JSON_MIME, XLSX_MIME, to_eml};
use crate::export::summary::{SubmissionFacts, email_body, summary_markdown};
use crate::export::workbook::Workbook;
use crate::export::xlsx::to_xlsx;
use crate::history::tags::SUBMISSION_TAG_PREFIX;
use crate::model::Date;

/// Who sends the submission to whom, and when.
pub struct Sending<'a> {
    /// The day of the submission.
    pub date: Date,
    pub to: &'a str,
    pub from_name: &'a str,
    pub from_address: &'a str,
    /// The commissioner's ODS code, for file names.
    pub commissioner_code: &'a str,
    /// The tag that records the submission, for the manifest.
    pub tag: &'a str,
    /// The day the submission before it was sent outside crs, which its changes are
    /// measured from (`crs submit --last-sent`), for the manifest.
    pub last_sent: Option<Date>,
    /// A folder on the disk the bundle goes to, for the workbook's temporary files.
    pub scratch: &'a Path,
}

/// One file of the bundle.
pub struct BundleFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The submission bundle.
pub struct Bundle {
    pub workbook: BundleFile,
    /// The workbook's rows as data: `crs export --format json` of the same export.
    pub json: BundleFile,
    pub summary: BundleFile,
    pub email: BundleFile,
    /// What the bundle is, for programs and auditors: commit, tag, files' digests.
    pub manifest: BundleFile,
    /// The summary text, also the submission tag's message.
    pub summary_text: String,
}

impl Bundle {
    /// The files, in the order they are written.
    pub fn files(&self) -> [&BundleFile; 5] {
        [&self.workbook, &self.json, &self.summary, &self.email, &self.manifest]
    }
}

/// The bundle's `manifest.json`: the facts for programs and auditors that the
/// summary and the e-mail leave out, and what `crs verify` needs to make the bundle
/// again: the commit, the tag, the day and the register's name.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// The commit whose records the bundle holds.
    pub register_commit: Option<String>,
    /// The tag that records the submission (the one it would have, for a dry run).
    pub tag: String,
    /// The crs that wrote the bundle; another version may write other bytes.
    pub crs_version: String,
    /// The day of the submission.
    #[serde(deserialize_with = "day_from_text")]
    pub date: Date,
    /// The register's folder name, as the About sheet gives it.
    pub register: String,
    #[serde(default)]
    pub commissioner_code: String,
    #[serde(default)]
    pub commissioner_name: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub changes_since: String,
    #[serde(default)]
    pub baseline_commit: Option<String>,
    /// With `crs submit --last-sent`: the day the submission before it was sent
    /// outside crs, which `crs verify` measures the changes from again.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "optional_day_from_text")]
    pub last_sent: Option<Date>,
    #[serde(default)]
    pub records: usize,
    /// Written for readers; not read back.
    #[serde(skip_deserializing)]
    pub changes: ChangeCounts,
    /// Register files with uncommitted changes in the bundle (a dry run's only).
    #[serde(default)]
    pub uncommitted_files: usize,
    /// Every other file of the bundle but the e-mail, with its SHA-256.
    pub files: Vec<ManifestFile>,
    /// The e-mail's file name. It carries this manifest, so its own digest cannot be
    /// in it; `crs verify` makes it again and compares it whole.
    pub email_file: String,
}

/// A file of the bundle and its SHA-256 (lowercase hex), as `sha256sum` prints it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub name: String,
    pub sha256: String,
}

/// A day written `YYYY-MM-DD` in JSON (records read TOML dates; this reads text).
fn day_from_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Date, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse().map_err(serde::de::Error::custom)
}

/// A day written `YYYY-MM-DD` in JSON, or none.
fn optional_day_from_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Date>, D::Error> {
    Option::<String>::deserialize(deserializer)?
        .map(|text| text.parse().map_err(serde::de::Error::custom))
        .transpose()
}

impl Manifest {
    /// Reads a manifest written by [`build_bundle`]; the message says what is wrong.
    pub fn parse(bytes: &[u8]) -> std::result::Result<Manifest, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }
}

/// The base of the bundle's file names: `crs-QKK-2026-11-23`, or the day part of
/// `tag` when it is a later submission of that day (`crs-QKK-2026-11-23.2`), so two
/// submissions of one day never share a name.
pub fn file_stem(commissioner_code: &str, date: Date, tag: &str) -> String {
    let code: String = commissioner_code.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let code = if code.is_empty() { "register".to_owned() } else { code };
    let day = date.to_string();
    let later_of_day = tag
        .strip_prefix(SUBMISSION_TAG_PREFIX)
        .and_then(|part| part.strip_prefix(day.as_str()))
        .and_then(|rest| rest.strip_prefix('.'))
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    match later_of_day {
        Some(n) => format!("crs-{code}-{day}.{n}"),
        None => format!("crs-{code}-{day}"),
    }
}

/// Builds the bundle for `workbook`. The workbook is written last, taking its
/// rows' cells as it goes (see [`to_xlsx`]): the rows are empty afterwards.
pub fn build_bundle(workbook: &mut Workbook, sending: &Sending<'_>) -> Result<Bundle> {
    let stem = file_stem(sending.commissioner_code, sending.date, sending.tag);
    let mut json_bytes = Vec::new();
    write_json(workbook, &mut json_bytes).map_err(|e| {
        Error::export(format!("could not write the JSON: {e}"), "this is a bug in crs; please report it")
    })?;
    let json = BundleFile { name: format!("{stem}.json"), bytes: json_bytes };
    let stamp = workbook.about.stamp;
    let xlsx = BundleFile { name: format!("{stem}.xlsx"), bytes: to_xlsx(workbook, stamp, sending.scratch)? };
    let workbook: &Workbook = workbook;
    let about = &workbook.about;
    let facts = SubmissionFacts { date: sending.date, workbook_file: &xlsx.name, to: sending.to };
    let summary_text = summary_markdown(workbook, &facts);
    let summary = BundleFile { name: format!("{stem}-summary.md"), bytes: summary_text.clone().into_bytes() };

    let manifest = Manifest {
        register_commit: about.commit.clone(),
        tag: sending.tag.to_owned(),
        crs_version: env!("CARGO_PKG_VERSION").to_owned(),
        date: sending.date,
        register: about.register.clone(),
        commissioner_code: about.commissioner_code.clone(),
        commissioner_name: about.commissioner_name.clone(),
        to: sending.to.to_owned(),
        changes_since: about.changes_since.clone(),
        baseline_commit: about.baseline_commit.clone(),
        last_sent: sending.last_sent,
        records: workbook.included.len(),
        changes: about.changes,
        uncommitted_files: about.uncommitted_files,
        files: [&xlsx, &json, &summary]
            .iter()
            .map(|f| ManifestFile { name: f.name.clone(), sha256: sha256_hex(&f.bytes) })
            .collect(),
        email_file: format!("{stem}.eml"),
    };
    let mut manifest_bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| {
        Error::export(format!("could not write the manifest: {e}"), "this is a bug in crs; please report it")
    })?;
    manifest_bytes.push(b'\n');
    let manifest = BundleFile { name: format!("{stem}-manifest.json"), bytes: manifest_bytes };

    let subject = format!(
        "Commissioner Requested Services register: {} ({}), {}",
        about.commissioner_name,
        about.commissioner_code,
        sending.date.in_words()
    );
    let commit = about.commit.as_deref().unwrap_or("none");
    let id_token =
        format!("{}.{}.{}", sending.commissioner_code, sending.date, &commit[..12.min(commit.len())]);
    let eml = to_eml(&Email {
        from_name: sending.from_name,
        from_address: sending.from_address,
        to_address: sending.to,
        subject: &subject,
        body: &email_body(workbook, &facts),
        date: about.stamp.timestamp(),
        id_token: &id_token,
        attachments: &[
            Attachment { name: &xlsx.name, mime: XLSX_MIME, bytes: &xlsx.bytes },
            Attachment { name: &json.name, mime: JSON_MIME, bytes: &json.bytes },
            Attachment { name: &manifest.name, mime: JSON_MIME, bytes: &manifest.bytes },
        ],
    })?;
    let email = BundleFile { name: format!("{stem}.eml"), bytes: eml };
    Ok(Bundle { workbook: xlsx, json, summary, email, manifest, summary_text })
}

/// The structured commit message that records the submission; with `last_sent`,
/// the day the submission before it was sent outside crs, which its changes were
/// measured from.
pub fn commit_message(workbook: &Workbook, tag: &str, to: &str, last_sent: Option<Date>) -> String {
    let about = &workbook.about;
    let last_sent = last_sent.map(|day| format!("Crs-Last-Sent: {day}\n")).unwrap_or_default();
    format!(
        "submit {}: {} record(s) to {to}\n\nCrs-Action: submit\nCrs-Submission: {tag}\nCrs-Records: {}\nCrs-Changes: {}\n{last_sent}",
        about.commissioner_code,
        workbook.included.len(),
        workbook.included.len(),
        about.changes
    )
}
