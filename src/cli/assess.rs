//! `crs assess`: record one stage of the framework for a record, and commit it.

use clap_complete::engine::ArgValueCandidates;

use crate::cli::Io;
use crate::cli::common::{WriteArgs, write_record};
use crate::cli::complete;
use crate::cli::prompt::{required, yes_no};
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::model::record::Stage;
use crate::model::suggest::did_you_mean;
use crate::model::{Date, RecordId};
use crate::ops::change::{Action, EXISTING};

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
    #[command(flatten)]
    pub write: WriteArgs,
}

pub fn run(ctx: &Ctx, args: &AssessArgs, io: &mut Io<'_>) -> Result<u8> {
    let stage_name = required(ctx, io, args.stage.as_deref(), "--stage N|NAME", "Stage (1-4)")?;
    let given = match (args.met, args.not_met) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    let met = yes_no(ctx, io, given, "--met or --not-met", "Is the stage met?")?;
    let rationale = required(ctx, io, args.rationale.as_deref(), "--rationale TEXT", "Rationale")?;
    write_record(ctx, io, &args.write, &args.id, Action::Assess, EXISTING, |prepared, doc| {
        let framework = &prepared.config.framework;
        let def = framework.stage_by_name(&stage_name).ok_or_else(|| {
            let names: Vec<String> = framework.stages.iter().map(|s| s.key.replace('_', "-")).collect();
            let guess = did_you_mean(&stage_name.replace('_', "-"), names.iter().map(String::as_str));
            Error::Usage(format!(
                "'{stage_name}' is not a stage of {}{guess}; the stages are {}",
                framework.id,
                framework.stage_list()
            ))
        })?;
        let stage = Stage {
            met,
            rationale: rationale.clone(),
            evidence: args.evidence.clone(),
            assessed_on: args.on.unwrap_or(ctx.today),
            assessed_by: Some(args.by.clone().unwrap_or_else(|| prepared.identity.author.name.clone())),
        };
        if let Some(doc) = doc.as_mut() {
            doc.set_stage(&def.key, &stage);
        }
        Ok(format!("stage {} {} {}", def.number, def.name(), if met { "met" } else { "not met" }))
    })
}
