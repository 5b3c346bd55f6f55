//! Recording a submission in git: a `submitted` event on each record included, in one
//! commit, and an annotated `crs/submission/<date>` tag on that commit.
//!
//! `crs submit` builds the request; the commit itself belongs to the shared write
//! path (commit only these files, structured message, author from the git identity,
//! refuse mid-merge), which is not part of this build yet.

use std::path::Path;

use crate::error::{Error, Result};
use crate::model::{Date, RecordId};

/// What `crs submit` asks to have recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionRequest {
    /// The day of the submission: the date of each `submitted` event and of the tag.
    pub date: Date,
    /// The annotated tag to create, e.g. `crs/submission/2026-11-23`.
    pub tag: String,
    /// The records the workbook includes; each gets a `submitted` event.
    pub records: Vec<RecordId>,
    /// The note of each `submitted` event, e.g. "crs/submission/2026-11-23".
    pub event_note: String,
    /// The structured commit message (subject, blank line, `Crs-…` trailers).
    pub commit_message: String,
    /// The annotated tag's message: the summary of what was submitted.
    pub tag_message: String,
    /// The commit the bundle was built from; recording must refuse if HEAD has moved
    /// since, because the workbook would no longer match the tagged commit's parent.
    pub built_from: String,
}

/// What recording a submission did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedSubmission {
    /// The commit holding the `submitted` events.
    pub commit: String,
    /// The tag created on it.
    pub tag: String,
}

/// Records `request` in the repository holding the register at `root`.
///
/// Not available in this build: the shared git write path is still being built.
/// Nothing is changed.
pub fn record_submission(root: &Path, request: &SubmissionRequest) -> Result<RecordedSubmission> {
    let _ = (root, request);
    Err(Error::git(
        "recording the submission in git is not available in this build of crs: the bundle was written, but no submitted events or tag were recorded",
        "send the bundle as it is, and record the submission once crs can (or run crs submit --dry-run to write the bundle only)",
    ))
}
