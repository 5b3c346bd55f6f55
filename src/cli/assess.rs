//! `crs assess`: record one stage of the framework for a record, and commit it.

use clap_complete::engine::ArgValueCandidates;

use crate::cli::Io;
use crate::cli::common::render_changed;
use crate::cli::complete;
use crate::cli::prompt::{required, yes_no};
use crate::context::Ctx;
use crate::error::Result;
use crate::model::{Date, RecordId};
use crate::ops::steps::{Assessed, assess};
use crate::ops::transaction::WriteOptions;

/// Record one stage of the Designation Framework, and commit it
///
/// Examples:
///   crs assess RJ1/maternity --stage 1 --met \
///       --rationale "Nearest alternative unit at 97% occupancy" \
///       --evidence "Capacity review 2024"
///   crs assess RJ1/maternity --stage proportionality --not-met \
///       --rationale "..." --on 2025-01-20
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct AssessArgs {
    /// The record id, e.g. RJ1/maternity.
    #[arg(add = ArgValueCandidates::new(complete::record_ids))]
    pub id: RecordId,
    /// The stage: its number (1-4) or name (alternative-provision, health-inequalities,
    /// interdependencies, proportionality).
    #[arg(long, value_name = "N|NAME", add = ArgValueCandidates::new(complete::stages))]
    pub stage: Option<String>,
    /// The stage is met.
    #[arg(long, conflicts_with = "not_met")]
    pub met: bool,
    /// The stage is not met.
    #[arg(long)]
    pub not_met: bool,
    /// Why: the reasoning a later review or challenge will read.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub rationale: Option<String>,
    /// A piece of evidence relied on (repeatable): a paper, a review, a data set.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub evidence: Vec<String>,
    /// The day of the assessment (default: today).
    #[arg(long, value_name = "DATE")]
    pub on: Option<Date>,
    /// Who assessed it (default: the commit's author).
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub by: Option<String>,
}

pub fn run(ctx: &Ctx, args: &AssessArgs, write: &WriteOptions, io: &mut Io<'_>) -> Result<u8> {
    let stage_name = required(ctx, io, args.stage.as_deref(), "--stage N|NAME", "Stage (1-4)")?;
    let given = match (args.met, args.not_met) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    let met = yes_no(ctx, io, given, "--met or --not-met", "Is the stage met?")?;
    let rationale = required(ctx, io, args.rationale.as_deref(), "--rationale TEXT", "Rationale")?;
    let given = Assessed {
        stage: stage_name,
        met,
        rationale,
        evidence: args.evidence.clone(),
        on: args.on.unwrap_or(ctx.today),
        by: args.by.clone(),
    };
    let changed = assess(ctx, write, &args.id, given)?;
    render_changed(io, &changed)?;
    Ok(0)
}
