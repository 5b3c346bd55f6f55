//! The `crs` binary: hands the process to `crs::run` and exits with its code.

use std::io::BufWriter;

fn main() -> std::process::ExitCode {
    // Data is buffered (a large listing is one write, not one a line); messages on
    // stderr are not, so they appear as they happen.
    let mut out = BufWriter::new(std::io::stdout().lock());
    // crs::run flushes the data itself and judges a failure to write it: a write whose
    // branch moved exits 0 whatever happens to its output.
    let code = crs::run(&crs::Process::current(), &mut out, &mut std::io::stderr().lock());
    std::process::ExitCode::from(code)
}
