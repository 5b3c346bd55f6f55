//! The command line: the clap definition of every command, one dispatch, and the
//! rendering of errors. Each command lives in its own file with its `Args` and `run`;
//! a command that writes is listed as `Writing<Args>`, which adds the flags every
//! write takes, and its `run` is handed them as `WriteOptions`.

pub mod assess;
pub mod check;
pub mod common;
pub mod complete;
pub mod completions;
pub mod decide;
pub mod due;
pub mod edit;
pub mod event;
pub mod export;
pub mod import;
pub mod init;
pub mod list;
pub mod log;
pub mod man;
pub mod merge_file;
pub mod migrate;
pub mod new;
pub mod orgs;
pub mod prompt;
pub mod relocate;
pub mod report;
pub mod review;
pub mod schema;
pub mod setup;
pub mod show;
pub mod submit;
pub mod succeed;
pub mod verify;

use std::io::Write;
use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand};

use crate::cli::common::Writing;
use crate::context::{Ctx, Process};
use crate::error::{Error, Result};
use crate::model::DecisionOutcome;
use crate::model::suggest::closest;
use crate::ops::open::working_record_ids;
use crate::ops::transaction::{begin_command, branch_moved};
use crate::render::style::Style;
use crate::text::{printable, printable_lines};

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
    #[arg(long, global = true, env = "CRS_REGISTER", value_name = "DIR", help_heading = "Global options")]
    pub register: Option<PathBuf>,
    /// Print only data and errors: no progress or status messages.
    #[arg(long, short, global = true, help_heading = "Global options")]
    pub quiet: bool,
    /// Never colour the output (also: the NO_COLOR environment variable).
    #[arg(long, global = true, help_heading = "Global options")]
    pub no_color: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(Writing<init::InitArgs>),
    New(Writing<new::NewArgs>),
    Assess(Writing<assess::AssessArgs>),
    /// Decide to designate a service, and commit it; grounds come from the stages met
    ///
    /// Example:
    ///   crs designate RJ1/maternity --decided-on 2025-02-03 --by "ICB Board" \
    ///       --reference "Board minute BD/25/031" --review-due 2028-02-01
    #[command(verbatim_doc_comment)]
    Designate(Writing<decide::DecideArgs>),
    /// Decide not to designate a service, and commit it
    ///
    /// Example:
    ///   crs decline RJ1/renal-dialysis --by "ICB Board" \
    ///       --reference "Board minute BD/25/118"
    #[command(verbatim_doc_comment)]
    Decline(Writing<decide::DecideArgs>),
    /// Decide to remove a designation, and commit it; it ends when the provider is told
    ///
    /// Example:
    ///   crs remove RV5/eating-disorders --by "ICB Board" \
    ///       --reference "Board minute BD/26/014"
    ///   crs event RV5/eating-disorders provider-notified-of-removal
    #[command(verbatim_doc_comment)]
    Remove(Writing<decide::DecideArgs>),
    Review(review::ReviewArgs),
    Due(due::DueArgs),
    Migrate(Writing<migrate::MigrateArgs>),
    Move(Writing<relocate::MoveArgs>),
    Succeed(Writing<succeed::SucceedArgs>),
    Event(Writing<event::EventArgs>),
    Edit(Writing<edit::EditArgs>),
    Check(check::CheckArgs),
    List(list::ListArgs),
    Show(show::ShowArgs),
    Log(log::LogArgs),
    Orgs(orgs::OrgsArgs),
    Schema(schema::SchemaArgs),
    Completions(completions::CompletionsArgs),
    Man(man::ManArgs),
    Export(export::ExportArgs),
    Submit(submit::SubmitArgs),
    Verify(verify::VerifyArgs),
    Report(report::ReportArgs),
    Import(Writing<import::ImportArgs>),
    Setup(Writing<setup::SetupArgs>),
    MergeFile(merge_file::MergeFileArgs),
}

/// Where a command writes: data to `out`, messages to `err`.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    pub style: Style,
    pub quiet: bool,
}

impl Io<'_> {
    /// Writes a status message to stderr unless `--quiet`, its control characters
    /// shown, not obeyed (it may quote a record, a sheet or a commit).
    pub fn status(&mut self, message: &str) -> Result<()> {
        self.labelled("", message)
    }

    /// Writes `label` (styled by crs, written as it is) followed by `message` (shown
    /// safe for a terminal) to stderr, unless `--quiet`.
    pub fn labelled(&mut self, label: &str, message: &str) -> Result<()> {
        if !self.quiet {
            // What the command wrote to stdout before comes first on a terminal too.
            self.out.flush().map_err(Error::Output)?;
            writeln!(self.err, "{label}{}", printable_lines(message)).map_err(Error::Output)?;
        }
        Ok(())
    }
}

/// Parses the arguments, runs the command, renders any error; returns the exit code.
pub fn run(process: &Process, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    if let Some(code) = complete::from_env(process, out, err) {
        return code;
    }
    let cli = match Cli::try_parse_from(&process.args) {
        Ok(cli) => cli,
        Err(e) => return clap_exit(e, out, err),
    };
    let ctx = match Ctx::new(process, cli.global.register.clone(), cli.global.quiet, cli.global.no_color) {
        Ok(ctx) => ctx,
        Err(e) => return report_error(&e, None, Style::default(), err),
    };
    let style = Style { color: ctx.color };
    let mut io = Io { out, err, style, quiet: ctx.quiet };
    begin_command();
    // The data is flushed here, so that a failure to write it is judged like any other.
    let result = dispatch(&ctx, &cli.command, &mut io)
        .and_then(|code| io.out.flush().map(|()| code).map_err(Error::Output));
    match result {
        Ok(code) => code,
        // Once the branch moved, the change is recorded: a failure after it (to print
        // what was done) is reported if it can be, and never turns it into a failure.
        Err(e) if branch_moved() => {
            let _ = writeln!(
                io.err,
                "{} the change is committed, but crs could not finish: {}",
                style.warning("warning:"),
                printable_lines(&e.to_string())
            );
            0
        }
        Err(e) => {
            let guess = nearest_record(&ctx, &e);
            report_error(&e, guess, style, io.err)
        }
    }
}

/// For an id that names no record, the nearest id the register holds (in the
/// working tree): "did you mean RJ1/maternity?".
fn nearest_record(ctx: &Ctx, error: &Error) -> Option<String> {
    let Error::NoSuchRecord { id, .. } = error else { return None };
    let ids = working_record_ids(&ctx.register_root().ok()?).ok()?;
    closest(id, ids.iter().map(String::as_str)).map(|near| format!("did you mean {near}?"))
}

fn dispatch(ctx: &Ctx, command: &Command, io: &mut Io<'_>) -> Result<u8> {
    match command {
        Command::Init(Writing { args, write }) => init::run(ctx, args, &write.options(), io),
        Command::New(Writing { args, write }) => new::run(ctx, args, &write.options(), io),
        Command::Assess(Writing { args, write }) => assess::run(ctx, args, &write.options(), io),
        Command::Designate(Writing { args, write }) => {
            decide::run(ctx, args, &write.options(), io, DecisionOutcome::Designate)
        }
        Command::Decline(Writing { args, write }) => {
            decide::run(ctx, args, &write.options(), io, DecisionOutcome::DoNotDesignate)
        }
        Command::Remove(Writing { args, write }) => {
            decide::run(ctx, args, &write.options(), io, DecisionOutcome::Remove)
        }
        Command::Review(args) => review::run(ctx, args, io),
        Command::Due(args) => due::run(ctx, args, io),
        Command::Migrate(Writing { args, write }) => migrate::run(ctx, args, &write.options(), io),
        Command::Move(Writing { args, write }) => relocate::run(ctx, args, &write.options(), io),
        Command::Succeed(Writing { args, write }) => succeed::run(ctx, args, &write.options(), io),
        Command::Event(Writing { args, write }) => event::run(ctx, args, &write.options(), io),
        Command::Edit(Writing { args, write }) => edit::run(ctx, args, &write.options(), io),
        Command::Log(args) => log::run(ctx, args, io),
        Command::Check(args) => check::run(ctx, args, io),
        Command::List(args) => list::run(ctx, args, io),
        Command::Show(args) => show::run(ctx, args, io),
        Command::Orgs(args) => orgs::run(ctx, args, io),
        Command::Schema(args) => schema::run(ctx, args, io),
        Command::Completions(args) => completions::run_completions(ctx, args, io),
        Command::Man(args) => man::run(ctx, args, io),
        Command::Export(args) => export::run(ctx, args, io),
        Command::Submit(args) => submit::run(ctx, args, io),
        Command::Verify(args) => verify::run(ctx, args, io),
        Command::Report(args) => report::run(ctx, args, io),
        Command::Import(Writing { args, write }) => import::run(ctx, args, &write.options(), io),
        Command::Setup(Writing { write, .. }) => setup::run(ctx, &write.options(), io),
        Command::MergeFile(args) => merge_file::run(ctx, args, io),
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
        // The message quotes what was typed, which may hold escape sequences.
        _ => {
            let _ = write!(err, "{}", printable_lines(&rendered));
            2
        }
    }
}

/// Writes `error: …`, its causes, a guess at what was meant, and `hint: …`; returns
/// the error's exit code.
fn report_error(error: &Error, guess: Option<String>, style: Style, err: &mut dyn Write) -> u8 {
    // A reader that stopped reading (crs list | head) is not an error.
    if let Error::Output(e) = error
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        return 0;
    }
    // What a hook said comes first, as under git commit.
    if let Error::Hook { output, .. } = error {
        let _ = err.write_all(output.as_bytes());
    }
    // Errors quote records, sheets, files and what was typed: shown, never obeyed.
    let _ = writeln!(err, "{} {}", style.error("error:"), printable_lines(&error.to_string()));
    if let Error::Refused { findings, .. } = error {
        for f in findings {
            let place = f.line.map_or(String::new(), |l| format!(" (line {l})"));
            let _ = writeln!(err, "  {}[{}]{place}: {}", f.severity, f.rule, printable(&f.message));
        }
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let _ = writeln!(err, "  caused by: {}", printable_lines(&cause.to_string()));
        source = cause.source();
    }
    if let Some(guess) = guess {
        let _ = writeln!(err, "{} {}", style.bold("hint:"), printable_lines(&guess));
    }
    if let Some(hint) = error.hint() {
        let _ = writeln!(err, "{} {}", style.bold("hint:"), printable_lines(&hint));
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
