//! The `crs` binary: hands the process to `crs::run` and exits with its code.

fn main() -> std::process::ExitCode {
    let code =
        crs::run(&crs::Process::current(), &mut std::io::stdout().lock(), &mut std::io::stderr().lock());
    std::process::ExitCode::from(code)
}
