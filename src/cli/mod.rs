//! The command line: the clap definition of every command, one dispatch, and the
//! rendering of errors. Each command lives in its own file with its `Args` and `run`.

pub mod check;
pub mod common;
pub mod export;
pub mod list;
pub mod schema;
pub mod show;
pub mod submit;

use std::io::Write;
use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand};

use crate::context::{Ctx, Process};
use crate::error::{Error, Result};
use crate::report::style::Style;

const EXAMPLES: &str = "\
Examples:
  crs check                         check the register you are in
  crs --register designations list  list the records of another register
  crs show RJ1/maternity --format json
  crs check --format github         annotate a pull request in GitHub Actions";

/// Keep a register of Commissioner Requested Services in git, check it against the
/// designation framework, and produce the regulator's submission.
#[derive(Debug, Parser)]
#[command(name = "crs", version, about, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// The register's folder (the one holding crs.toml); default: the nearest one
    /// at or above the working directory.
    #[arg(long, global = true, env = "CRS_REGISTER", value_name = "DIR")]
    pub register: Option<PathBuf>,
    /// Print only data and errors: no progress or status messages.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Never colour the output (also: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(check::CheckArgs),
    List(list::ListArgs),
    Show(show::ShowArgs),
    Schema(schema::SchemaArgs),
    Export(export::ExportArgs),
    Submit(submit::SubmitArgs),
}

/// Where a command writes: data to `out`, messages to `err`.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    pub style: Style,
    pub quiet: bool,
}

impl Io<'_> {
    /// Writes a status message to stderr unless `--quiet`.
    pub fn status(&mut self, message: &str) -> Result<()> {
        if !self.quiet {
            writeln!(self.err, "{message}").map_err(Error::Output)?;
        }
        Ok(())
    }
}

/// Parses the arguments, runs the command, renders any error; returns the exit code.
pub fn run(process: &Process, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let cli = match Cli::try_parse_from(&process.args) {
        Ok(cli) => cli,
        Err(e) => return clap_exit(e, out, err),
    };
    let ctx = match Ctx::new(process, cli.global.register.clone(), cli.global.quiet, cli.global.no_color) {
        Ok(ctx) => ctx,
        Err(e) => return report_error(&e, Style::default(), err),
    };
    let style = Style { color: ctx.color };
    let mut io = Io { out, err, style, quiet: ctx.quiet };
    match dispatch(&ctx, &cli.command, &mut io) {
        Ok(code) => code,
        Err(e) => report_error(&e, style, io.err),
    }
}

fn dispatch(ctx: &Ctx, command: &Command, io: &mut Io<'_>) -> Result<u8> {
    match command {
        Command::Check(args) => check::run(ctx, args, io),
        Command::List(args) => list::run(ctx, args, io),
        Command::Show(args) => show::run(ctx, args, io),
        Command::Schema(args) => schema::run(ctx, args, io),
        Command::Export(args) => export::run(ctx, args, io),
        Command::Submit(args) => submit::run(ctx, args, io),
    }
}

fn clap_exit(e: clap::Error, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    use clap::error::ErrorKind;
    let rendered = e.render().to_string();
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = write!(out, "{rendered}");
            0
        }
        _ => {
            let _ = write!(err, "{rendered}");
            2
        }
    }
}

/// Writes `error: …`, its causes, and `hint: …`; returns the error's exit code.
fn report_error(error: &Error, style: Style, err: &mut dyn Write) -> u8 {
    let _ = writeln!(err, "{} {error}", style.error("error:"));
    if let Error::Refused { findings, .. } = error {
        for f in findings {
            let place = f.line.map_or(String::new(), |l| format!(" (line {l})"));
            let _ = writeln!(err, "  {}[{}]{place}: {}", f.severity, f.rule, f.message);
        }
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let _ = writeln!(err, "  caused by: {cause}");
        source = cause.source();
    }
    if let Some(hint) = error.hint() {
        let _ = writeln!(err, "{} {hint}", style.bold("hint:"));
    }
    error.exit_code()
}

/// The clap command, for completions, the man page and tests.
pub fn command() -> clap::Command {
    Cli::command()
}

#[cfg(test)]
mod tests {
    #[test]
    fn command_definition_is_consistent() {
        super::command().debug_assert();
    }
}
