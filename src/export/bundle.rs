//! `Bundle`: what `crs submit` hands over — the workbook, a markdown summary of the
//! changes since the last submission, the `.eml` that sends the workbook to the
//! regulator, and a `manifest.json` with the tag and commits the words leave out —
//! plus the messages that record the submission in git. Built in memory;
//! the caller writes the files.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::Result;
use crate::export::changes::ChangeCounts;
use crate::export::email::{Email, to_eml};
use crate::export::summary::{SubmissionFacts, email_body, summary_markdown};
use crate::export::workbook::Workbook;
use crate::export::xlsx::to_xlsx;
use crate::model::Date;

/// Who sends the submission to whom, and when.
pub struct Sending<'a> {
    pub date: Date,
    pub now: DateTime<Utc>,
    pub to: &'a str,
    pub from_name: &'a str,
    pub from_address: &'a str,
    /// The commissioner's ODS code, for file names.
    pub commissioner_code: &'a str,
    /// The tag that records the submission, for the manifest.
    pub tag: &'a str,
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
    pub summary: BundleFile,
    pub email: BundleFile,
    /// What the bundle is, for programs: commits, tag, files.
    pub manifest: BundleFile,
    /// The summary text, also the submission tag's message.
    pub summary_text: String,
}

impl Bundle {
    /// The files, in the order they are written.
    pub fn files(&self) -> [&BundleFile; 4] {
        [&self.workbook, &self.summary, &self.email, &self.manifest]
    }
}

/// The bundle's `manifest.json`: the facts for programs and auditors that the
/// summary and the e-mail leave out (the tag, the commits).
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Manifest<'a> {
    commissioner_code: &'a str,
    commissioner_name: &'a str,
    date: Date,
    to: &'a str,
    tag: &'a str,
    register_commit: Option<&'a str>,
    changes_since: &'a str,
    baseline_commit: Option<&'a str>,
    records: usize,
    changes: ChangeCounts,
    files: [String; 3],
    generated_at: &'a str,
    generated_by: &'a str,
}

/// The base of the bundle's file names: `crs-QKK-2026-11-23`.
pub fn file_stem(commissioner_code: &str, date: Date) -> String {
    let code: String = commissioner_code.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let code = if code.is_empty() { "register".to_owned() } else { code };
    format!("crs-{code}-{date}")
}

/// Builds the bundle for `workbook`.
pub fn build_bundle(workbook: &Workbook, sending: &Sending<'_>) -> Result<Bundle> {
    let stem = file_stem(sending.commissioner_code, sending.date);
    let workbook_name = format!("{stem}.xlsx");
    let xlsx = to_xlsx(workbook, sending.now, sending.scratch)?;
    let facts = SubmissionFacts { date: sending.date, workbook_file: &workbook_name, to: sending.to };
    let summary_text = summary_markdown(workbook, &facts);
    let body = email_body(workbook, &facts);
    let subject = format!(
        "Commissioner Requested Services register: {} ({}), {}",
        workbook.about.commissioner_name,
        workbook.about.commissioner_code,
        sending.date.in_words()
    );
    let commit = workbook.about.commit.as_deref().unwrap_or("none");
    let id_token =
        format!("{}.{}.{}", sending.commissioner_code, sending.date, &commit[..12.min(commit.len())]);
    let eml = to_eml(&Email {
        from_name: sending.from_name,
        from_address: sending.from_address,
        to_address: sending.to,
        subject: &subject,
        body: &body,
        date: sending.now.timestamp(),
        id_token: &id_token,
        attachment_name: &workbook_name,
        attachment: &xlsx,
    })?;
    let manifest = Manifest {
        commissioner_code: &workbook.about.commissioner_code,
        commissioner_name: &workbook.about.commissioner_name,
        date: sending.date,
        to: sending.to,
        tag: sending.tag,
        register_commit: workbook.about.commit.as_deref(),
        changes_since: &workbook.about.changes_since,
        baseline_commit: workbook.about.baseline_commit.as_deref(),
        records: workbook.included.len(),
        changes: workbook.about.changes,
        files: [workbook_name.clone(), format!("{stem}-summary.md"), format!("{stem}.eml")],
        generated_at: &workbook.about.generated_at,
        generated_by: &workbook.about.generated_by,
    };
    let mut manifest_bytes = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    manifest_bytes.push(b'\n');
    Ok(Bundle {
        manifest: BundleFile { name: format!("{stem}-manifest.json"), bytes: manifest_bytes },
        workbook: BundleFile { name: workbook_name, bytes: xlsx },
        summary: BundleFile { name: format!("{stem}-summary.md"), bytes: summary_text.clone().into_bytes() },
        email: BundleFile { name: format!("{stem}.eml"), bytes: eml },
        summary_text,
    })
}

/// The structured commit message that records the submission.
pub fn commit_message(workbook: &Workbook, tag: &str, to: &str) -> String {
    let about = &workbook.about;
    format!(
        "submit {}: {} record(s) to {to}\n\nCrs-Action: submit\nCrs-Submission: {tag}\nCrs-Records: {}\nCrs-Changes: {}\n",
        about.commissioner_code,
        workbook.included.len(),
        workbook.included.len(),
        about.changes
    )
}
