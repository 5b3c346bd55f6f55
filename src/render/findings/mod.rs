//! Renderers of `crs check` results: human, JSON, GitHub workflow annotations and
//! JUnit XML. Each writes the same `CheckReport` to the writer it is given.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;

use std::io::{self, Write};

use clap::ValueEnum;
use serde::Serialize;

use crate::framework::finding::{Finding, Summary};
use crate::model::RecordSummary;
use crate::render::style::Style;

/// The result of checking a register.
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    pub summary: Summary,
    pub findings: Vec<Finding>,
    #[serde(skip)]
    pub records: Vec<RecordSummary>,
    /// Notes about the check itself (e.g. organisation codes not checked).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Where the register sits in its git repository (`registers/crs`; empty at the
    /// top or outside git): the CI formats name files from the repository's root.
    #[serde(skip)]
    pub repo_prefix: String,
}

/// How `crs check` writes its report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// A table of records and the findings, for people.
    Human,
    /// One JSON document, for scripts.
    Json,
    /// GitHub Actions workflow commands, which annotate pull requests.
    Github,
    /// A JUnit XML report, one test case per record, for GitLab, Jenkins and others.
    Junit,
}

/// Writes `report` in `format`.
pub fn render_check(
    format: CheckFormat,
    report: &CheckReport,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        CheckFormat::Human => human::render(report, style, out),
        CheckFormat::Json => json::render(report, out),
        CheckFormat::Github => github::render(report, out),
        CheckFormat::Junit => junit::render(report, out),
    }
}
