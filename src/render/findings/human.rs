//! The human report of `crs check`: the records and their status, then each finding
//! as `error[rule]: file:line:col` with its message, then a summary line and the
//! count of findings by rule, most first.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::framework::finding::{Severity, count_by_rule};
use crate::model::Status;
use crate::render::findings::CheckReport;
use crate::render::style::Style;
use crate::render::table::{new_table, row};
use crate::text::printable;

/// Registers larger than this get a count by status instead of a line a record.
pub const RECORD_TABLE_LIMIT: usize = 200;

pub fn render(report: &CheckReport, style: Style, out: &mut dyn Write) -> io::Result<()> {
    if report.records.len() <= RECORD_TABLE_LIMIT {
        record_table(report, out)?;
    } else {
        status_table(report, out)?;
    }
    for finding in &report.findings {
        let label = match finding.severity {
            Severity::Error => style.error(&format!("error[{}]", finding.rule)),
            Severity::Warning => style.warning(&format!("warning[{}]", finding.rule)),
            Severity::Note => format!("note[{}]", finding.rule),
        };
        let place = match (finding.line, finding.column) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", finding.file),
            (Some(line), None) => format!("{}:{line}", finding.file),
            _ => finding.file.clone(),
        };
        writeln!(out, "{label}: {}", style.bold(&printable(&place)))?;
        writeln!(out, "  {}", printable(&finding.message))?;
    }
    for note in &report.notes {
        writeln!(out, "{} {}", style.dim("note:"), printable(note))?;
    }
    let s = report.summary;
    let line = format!(
        "{} record{} checked: {} error{}, {} warning{}",
        s.records,
        plural(s.records),
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings)
    );
    let line = if s.errors > 0 {
        style.error(&line)
    } else if s.warnings > 0 {
        style.warning(&line)
    } else {
        style.ok(&line)
    };
    writeln!(out, "{line}")?;
    let by_rule: Vec<String> =
        count_by_rule(&report.findings).iter().map(|(rule, n)| format!("{rule}: {n}")).collect();
    if !by_rule.is_empty() {
        writeln!(out, "{} {}", style.dim("by rule:"), by_rule.join(", "))?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn record_table(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    if report.records.is_empty() {
        return Ok(());
    }
    let mut counts: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for f in &report.findings {
        let entry = counts.entry(f.file.as_str()).or_default();
        match f.severity {
            Severity::Error => entry.0 += 1,
            Severity::Warning => entry.1 += 1,
            Severity::Note => entry.2 += 1,
        }
    }
    let mut table = new_table(&["record", "service", "provider", "status", "findings"]);
    for r in &report.records {
        let findings = match counts.get(r.file.as_str()).copied().unwrap_or_default() {
            (0, 0, 0) => "ok".to_owned(),
            (e, w, n) => [(e, "error"), (w, "warning"), (n, "note")]
                .iter()
                .filter(|(count, _)| *count > 0)
                .map(|(count, what)| format!("{count} {what}{}", plural(*count)))
                .collect::<Vec<_>>()
                .join(", "),
        };
        table.add_row(row([r.id.as_str(), &r.service, &r.provider_name, r.status.as_str(), &findings]));
    }
    writeln!(out, "{table}")?;
    writeln!(out)
}

fn status_table(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let mut counts: BTreeMap<Status, usize> = BTreeMap::new();
    for r in &report.records {
        *counts.entry(r.status).or_default() += 1;
    }
    let mut table = new_table(&["status", "records"]);
    for (status, n) in counts {
        table.add_row(vec![status.to_string(), n.to_string()]);
    }
    writeln!(out, "{table}")?;
    writeln!(out)
}
