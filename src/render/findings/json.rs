//! The JSON report of `crs check`: `{"summary": …, "findings": […]}`, serde of the
//! same types the other renderers read. Each finding's `file` is relative to the
//! register's folder (as `record` ids are); `path` names the same file from the
//! repository's root, as git, GitHub and the JUnit report name it. They differ only
//! for a register in a folder of a larger repository.

use std::io::{self, Write};

use serde::Serialize;

use crate::framework::finding::{Finding, Rule, Severity, Summary};
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

/// A finding with its file named from the repository's root too; the record's id
/// under the key the one table of keys gives it
/// ([`crate::model::keys::RECORD_ID`]).
#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: Rule,
    severity: Severity,
    #[serde(rename = "record_id")]
    record: Option<&'a str>,
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
    path: String,
}

impl<'a> JsonFinding<'a> {
    fn new(finding: &'a Finding, repo_prefix: &str) -> JsonFinding<'a> {
        JsonFinding {
            rule: finding.rule,
            severity: finding.severity,
            record: finding.record.as_deref(),
            file: &finding.file,
            line: finding.line,
            column: finding.column,
            message: &finding.message,
            path: path_below(repo_prefix, &finding.file),
        }
    }
}

pub fn render(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let findings =
        report.findings.iter().map(|finding| JsonFinding::new(finding, &report.repo_prefix)).collect();
    let json = JsonReport { summary: &report.summary, findings, notes: &report.notes };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::JsonFinding;
    use crate::framework::finding::{Finding, Rule, Severity};
    use crate::model::keys;

    #[test]
    fn a_finding_names_its_record_by_the_key_of_the_one_table() {
        let finding = Finding {
            rule: Rule::ParseError,
            severity: Severity::Error,
            record: Some("RJ1/maternity".to_owned()),
            file: "RJ1/maternity.toml".to_owned(),
            line: Some(3),
            column: None,
            message: "bad".to_owned(),
        };
        let value = serde_json::to_value(JsonFinding::new(&finding, "")).unwrap();
        assert_eq!(value[keys::RECORD_ID], "RJ1/maternity");
        assert_eq!(value[keys::FILE], "RJ1/maternity.toml");
    }
}
