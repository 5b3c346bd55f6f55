//! The JSON report of `crs check`: `{"summary": …, "findings": […]}`, serde of the
//! same types the other renderers read.

use std::io::{self, Write};

use crate::report::CheckReport;

pub fn render(report: &CheckReport, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
