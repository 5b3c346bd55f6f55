//! `crs designate`, `crs decline` and `crs remove`: record the commissioner's
//! decision, and commit it. Each decision is kept after the earlier ones; grounds
//! are derived from the stages, never typed.

use clap_complete::engine::ArgValueCandidates;

use crate::cli::Io;
use crate::cli::common::{DecidedArgs, MadeByArgs, render_changed};
use crate::cli::complete;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::model::record::DecisionOutcome;
use crate::model::{Date, RecordId};
use crate::ops::decide::decide;
use crate::ops::transaction::WriteOptions;

/// Record a decision about a record, and commit it
///
/// Examples:
///   crs designate RJ1/maternity --decided-on 2025-02-03 --by "ICB Board" \
///       --reference "Board minute BD/25/031" --review-due 2028-02-01
///   crs decline RJ1/renal-dialysis --by "ICB Board"
///   crs remove RV5/eating-disorders --reference "Board minute BD/26/014"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct DecideArgs {
    /// The record id, e.g. RJ1/maternity.
    #[arg(add = ArgValueCandidates::new(complete::record_ids))]
    pub id: RecordId,
    #[command(flatten)]
    pub decided: DecidedArgs,
    /// When the designation is next to be reviewed (crs designate only: a decision
    /// not to designate, or a removal, leaves nothing to review).
    #[arg(long, value_name = "DATE")]
    pub review_due: Option<Date>,
    #[command(flatten)]
    pub made_by: MadeByArgs,
}

pub fn run(
    ctx: &Ctx,
    args: &DecideArgs,
    write: &WriteOptions,
    io: &mut Io<'_>,
    outcome: DecisionOutcome,
) -> Result<u8> {
    if args.review_due.is_some() && outcome != DecisionOutcome::Designate {
        return Err(Error::Usage(format!(
            "--review-due goes with crs designate: the {} leaves no designation to review",
            outcome.in_words()
        )));
    }
    let deciding = args.decided.deciding(args.review_due, args.made_by.given());
    let changed = decide(ctx, write, &args.id, outcome, &deciding)?;
    render_changed(io, &changed)?;
    Ok(0)
}
