//! The JSON report of `crs check`: `{"summary": …, "findings": […]}`, serde of the
//! same types the other renderers read. Each finding's `file` is relative to the
//! register's folder (as `record` ids are); `path` names the same file from the
//! repository's root, as git, GitHub and the JUnit report name it. They differ only
//! for a register in a folder of a larger repository.

use std::io::{self, Write};

use serde::Serialize;

use crate::framework::finding::{Finding, Summary};
use crate::model::id::path_below;
use crate::render::findings::CheckReport;

/// The report as JSON shows it.
#[derive(Serialize)]
struct JsonReport<'a> {
    summary: &'a Summary,
    findings: Vec<JsonFinding<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

/// A finding with its file named from the repository's root too.
#[derive(Serialize)]
struct JsonFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    path: String,
}

pub fn render(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let findings = report
        .findings
        .iter()
        .map(|finding| JsonFinding { finding, path: path_below(&report.repo_prefix, &finding.file) })
        .collect();
    let json = JsonReport { summary: &report.summary, findings, notes: &report.notes };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}
