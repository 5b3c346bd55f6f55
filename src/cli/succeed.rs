//! `crs succeed OLD NEW --on DATE`: an organisation's statutory successor takes over
//! its designations (an ICB merger, a trust merger), in one commit.

use clap_complete::engine::ArgValueCandidates;

use crate::cli::Io;
use crate::cli::common::{committed_on, render_index_warning, render_recovered};
use crate::cli::complete;
use crate::context::Ctx;
use crate::error::Result;
use crate::model::{Date, ProviderKind};
use crate::ops::succeed::{SuccessionGiven, succeed};
use crate::ops::transaction::WriteOptions;

/// Record that an organisation's successor took over, and commit it
///
/// When ICBs merge (1 April 2026: QMJ and QRV became Z9B2Z) or trusts merge, the
/// designations carry over to the statutory successor: they are not removed. In one
/// commit crs follows OLD wherever the register names it:
///   - the register's commissioner: crs.toml and every record name NEW as the
///     commissioner responsible now; each decision made before keeps the
///     commissioner that made it;
///   - a co-commissioner: every record's co_commissioners names NEW;
///   - a provider: every record of OLD moves to NEW's folder as crs move does
///     (previous_ids kept, the provider each decision was made with kept).
///
/// NEW's name (and a provider's kind) come from the register's ODS files when they
/// list it, else from --name (and --provider-kind). With ODS's successor file
/// imported (crs orgs import succ.csv), NEW and --on may be left out.
///
/// Examples:
///   crs succeed QMJ Z9B2Z --on 2026-04-01 --reason "ICB merger"
///   crs succeed QMJ Z9B2Z --on 2026-04-01 --name "NHS North London ICB"
///   crs succeed RQM R1K --on 2027-04-01 --reason "Trust merger"
///   crs succeed QMJ
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct SucceedArgs {
    /// The code of the organisation that closed, e.g. QMJ.
    pub old: String,
    /// The code of its successor, e.g. Z9B2Z (default: ODS's successor file).
    pub new: Option<String>,
    /// The day the successor took over (default: the legal date of ODS's successor file).
    #[arg(long, value_name = "DATE")]
    pub on: Option<Date>,
    /// The successor's name (default: ODS's).
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub name: Option<String>,
    /// A successor provider's kind when ODS does not list it: foundation-trust,
    /// nhs-trust, independent or other.
    #[arg(long, value_name = "KIND", value_parser = str::parse::<ProviderKind>,
          add = ArgValueCandidates::new(complete::provider_kinds))]
    pub provider_kind: Option<ProviderKind>,
    /// Why, for the commit message and the log.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub reason: Option<String>,
}

pub fn run(ctx: &Ctx, args: &SucceedArgs, write: &WriteOptions, io: &mut Io<'_>) -> Result<u8> {
    let given = SuccessionGiven {
        new: args.new.as_deref(),
        on: args.on,
        name: args.name.as_deref(),
        kind: args.provider_kind,
        reason: args.reason.as_deref(),
    };
    let done = succeed(ctx, write, args.old.trim(), &given)?;
    if let Some(recovered) = &done.recovered {
        render_recovered(io, recovered)?;
    }
    let name = done.name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
    let ods = match done.from_ods {
        (true, true) => " (successor and date from ODS)",
        (true, false) => " (successor from ODS)",
        (false, true) => " (date from ODS)",
        (false, false) => "",
    };
    io.status(&format!("{} succeeded by {}{name} on {}{ods}", done.old, done.new, done.on))?;
    if done.register {
        io.status(&format!("  crs.toml: {} is the register's commissioner", done.new))?;
    }
    let plural = |n: usize| if n == 1 { "record names" } else { "records name" };
    if !done.commissioner.is_empty() {
        let n = done.commissioner.len();
        io.status(&format!("  {n} {} {} as the commissioner responsible now", plural(n), done.new))?;
    }
    if !done.co_commissioner.is_empty() {
        let n = done.co_commissioner.len();
        io.status(&format!("  {n} {} {} as a co-commissioner", plural(n), done.new))?;
    }
    if !done.co_now_responsible.is_empty() {
        let n = done.co_now_responsible.len();
        let names = if n == 1 { "record no longer names" } else { "records no longer name" };
        io.status(&format!(
            "  {n} {names} {} as a co-commissioner: {}, its successor, is the commissioner responsible",
            done.old, done.new
        ))?;
    }
    if !done.moved.is_empty() {
        let n = done.moved.len();
        let what = if n == 1 { "record" } else { "records" };
        io.status(&format!("  {n} {what} moved from {}/ to {}/", done.old, done.new))?;
    }
    if done.decisions_kept > 0 {
        let kept = if done.moved.is_empty() {
            "the commissioner that made it"
        } else {
            "the provider it was made with"
        };
        io.status(&format!("  {} earlier decision(s) each keep {kept}", done.decisions_kept))?;
    }
    io.status(&format!("  commit {}", committed_on(&done.committed)))?;
    render_index_warning(io, &done.committed)?;
    Ok(0)
}
