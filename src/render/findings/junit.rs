//! A JUnit XML report: one test suite for the register, one test case a record (and
//! one for each file that is not a record), failures carrying the findings. Files
//! are named from the repository's root, as GitHub annotations name them, also when
//! the register is a folder inside it; a case's name is the record's id.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::framework::finding::{Finding, Severity};
use crate::model::id::path_below;
use crate::render::findings::CheckReport;
use crate::text::escaped_with;

pub fn render(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for r in &report.records {
        by_file.entry(r.file.as_str()).or_default();
    }
    for f in &report.findings {
        by_file.entry(f.file.as_str()).or_default().push(f);
    }
    let failures = by_file.values().filter(|fs| fs.iter().any(|f| f.severity == Severity::Error)).count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="crs check" tests="{}" failures="{failures}" errors="0">"#,
        by_file.len()
    )?;
    writeln!(
        out,
        r#"  <testsuite name="register" tests="{}" failures="{failures}" errors="0" skipped="0">"#,
        by_file.len()
    )?;
    for (file, findings) in &by_file {
        let name = file.strip_suffix(".toml").unwrap_or(file);
        let errors: Vec<&&Finding> = findings.iter().filter(|f| f.severity == Severity::Error).collect();
        let warnings: Vec<&&Finding> = findings.iter().filter(|f| f.severity == Severity::Warning).collect();
        let path = path_below(&report.repo_prefix, file);
        write!(out, r#"    <testcase classname="crs.check" name="{}" file="{}""#, xml(name), xml(&path))?;
        if errors.is_empty() && warnings.is_empty() {
            writeln!(out, "/>")?;
            continue;
        }
        writeln!(out, ">")?;
        if !errors.is_empty() {
            let rules: Vec<&str> = errors.iter().map(|f| f.rule.name()).collect();
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                xml(&rules.join(",")),
                xml(&errors[0].message),
                xml(&lines(&report.repo_prefix, &errors))
            )?;
        }
        if !warnings.is_empty() {
            writeln!(out, "      <system-out>{}</system-out>", xml(&lines(&report.repo_prefix, &warnings)))?;
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

fn lines(prefix: &str, findings: &[&&Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let place = f.line.map_or(String::new(), |l| format!(":{l}"));
            format!("{}[{}] {}{place}: {}", f.severity, f.rule, path_below(prefix, &f.file), f.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Escapes text for XML attributes and content, dropping characters XML 1.0 forbids.
fn xml(text: &str) -> String {
    const XML: &[(char, &str)] =
        &[('&', "&amp;"), ('<', "&lt;"), ('>', "&gt;"), ('"', "&quot;"), ('\'', "&apos;"), ('\n', "&#10;")];
    escaped_with(text, XML, |c| ((c as u32) >= 0x20 || c == '\t').then_some(c))
}

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
