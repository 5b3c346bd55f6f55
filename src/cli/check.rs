//! `crs check`: validate the whole register and report every finding.

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::finding::{Rule, Severity};
use crate::ops::check::{CheckRequest, check, explain};
use crate::render::findings::{CheckFormat, render_check};

/// Check every record against the framework; exit 1 when any error is found
///
/// Organisation codes are checked too, against the ODS files imported with
/// crs orgs import (or named in crs.toml under [orgs] files).
///
/// Examples:
///   crs check
///   crs check --strict --format json
///   crs check --as-of 2025-03-31
///   crs check --changed-only origin/main --format github
///   crs check --rule review-overdue,request-unanswered
///   crs check --severity error --format json
///   crs check --explain request-unanswered
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct CheckArgs {
    /// How to write the report.
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
    /// Treat warnings as failures too (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Check the register as it stood at the end of DATE, or at a git revision.
    #[arg(long, value_name = "DATE|REV")]
    pub as_of: Option<String>,
    /// Report only records changed since REV (committed, staged, edited or new);
    /// rules that compare records still see the whole register.
    #[arg(long, value_name = "REV", conflicts_with = "as_of")]
    pub changed_only: Option<String>,
    /// Report only findings of RULE (repeat it, or separate rules with commas); the
    /// exit status follows the findings reported.
    #[arg(long, value_name = "RULE", value_delimiter = ',', value_parser = rule_parser())]
    pub rule: Vec<Rule>,
    /// Report only findings of this severity; the exit status follows the findings
    /// reported.
    #[arg(long, value_enum)]
    pub severity: Option<SeverityArg>,
    /// Show notes too: findings that need no action, such as a decision relying on
    /// fewer grounds than the stages met.
    #[arg(long, short)]
    pub verbose: bool,
    /// Say what RULE finds, its severity in this register, and what it rests on
    /// (statute, guidance, NHS Digital's data, the register's format, or a setting of
    /// this register); check nothing.
    #[arg(long, value_name = "RULE", value_parser = rule_parser())]
    pub explain: Option<Rule>,
}

/// A severity as `--severity` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SeverityArg {
    Error,
    Warning,
    /// Notes, which are otherwise shown only with --verbose.
    Note,
}

impl From<SeverityArg> for Severity {
    fn from(arg: SeverityArg) -> Severity {
        match arg {
            SeverityArg::Error => Severity::Error,
            SeverityArg::Warning => Severity::Warning,
            SeverityArg::Note => Severity::Note,
        }
    }
}

/// Rule names, as `--rule` takes them: an unknown one is a usage error that lists them.
fn rule_parser() -> impl clap::builder::TypedValueParser<Value = Rule> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Rule::ALL.iter().map(|r| r.name()))
        .map(|name| Rule::from_name(&name).expect("a possible value is a rule name"))
}

pub fn run(ctx: &Ctx, args: &CheckArgs, io: &mut Io<'_>) -> Result<u8> {
    if let Some(rule) = args.explain {
        io.out.write_all(explain(ctx, rule)?.as_bytes()).map_err(Error::Output)?;
        return Ok(0);
    }
    let request = CheckRequest {
        as_of: args.as_of.as_deref(),
        changed_only: args.changed_only.as_deref(),
        rules: &args.rule,
        severity: args.severity.map(Severity::from),
        verbose: args.verbose,
        // CI names files from the repository's root; people read them from the register's.
        repository_paths: args.format != CheckFormat::Human,
    };
    let report = check(ctx, &request)?;
    render_check(args.format, &report, io.style, io.out).map_err(Error::Output)?;
    let summary = report.summary;
    let failed = summary.errors > 0 || (args.strict && summary.warnings > 0);
    Ok(u8::from(failed))
}
