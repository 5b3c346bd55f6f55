//! The `crs` binary: hands the process to `crs::run` and exits with its code.

use std::io::{BufWriter, Write};

fn main() -> std::process::ExitCode {
    // Data is buffered (a large listing is one write, not one a line); messages on
    // stderr are not, so they appear as they happen.
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut code = crs::run(&crs::Process::current(), &mut out, &mut std::io::stderr().lock());
    if let Err(e) = out.flush()
        && e.kind() != std::io::ErrorKind::BrokenPipe
        && code == 0
    {
        code = 2;
    }
    std::process::ExitCode::from(code)
}
