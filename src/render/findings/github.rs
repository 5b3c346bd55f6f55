//! GitHub Actions workflow commands: one `::error`/`::warning` line a finding, so
//! findings annotate the pull request's lines. Files are named from the repository's
//! root, as GitHub needs, also when the register is a folder inside it.

use std::io::{self, Write};

use crate::framework::finding::Severity;
use crate::model::id::path_below;
use crate::render::findings::CheckReport;

pub fn render(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let file = path_below(&report.repo_prefix, &f.file);
        let mut properties = vec![format!("file={}", escape_property(&file))];
        if let Some(line) = f.line {
            properties.push(format!("line={line}"));
        }
        if let Some(column) = f.column {
            properties.push(format!("col={column}"));
        }
        properties.push(format!("title={}", escape_property(f.rule.name())));
        writeln!(out, "::{command} {}::{}", properties.join(","), escape_data(&f.message))?;
    }
    for note in &report.notes {
        writeln!(out, "::notice title=crs check::{}", escape_data(note))?;
    }
    let s = report.summary;
    writeln!(out, "crs check: {} records, {} errors, {} warnings", s.records, s.errors, s.warnings)
}

/// Escapes a message as GitHub's toolkit does for command data.
fn escape_data(text: &str) -> String {
    let escaped = text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    crate::text::printable(&escaped).into_owned()
}

/// Escapes a property value as GitHub's toolkit does.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_actions_toolkit_does() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
