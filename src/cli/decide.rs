//! `crs designate`, `crs decline` and `crs remove`: record the commissioner's
//! decision, and commit it. Grounds are derived from the stages, never typed.

use clap_complete::engine::ArgValueCandidates;

use crate::cli::Io;
use crate::cli::common::{WriteArgs, write_record};
use crate::cli::complete;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::rules::grounds_met;
use crate::model::record::{Decision, DecisionOutcome};
use crate::model::status::derive_status;
use crate::model::{Date, RecordId};
use crate::ops::change::{Action, EXISTING};

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
    /// The day of the decision (default: today).
    #[arg(long, value_name = "DATE")]
    pub decided_on: Option<Date>,
    /// Who decided, e.g. "ICB Board".
    #[arg(long, value_name = "TEXT")]
    pub by: Option<String>,
    /// Board minute or other reference for the decision.
    #[arg(long, value_name = "TEXT")]
    pub reference: Option<String>,
    /// When the designation is next to be reviewed.
    #[arg(long, value_name = "DATE")]
    pub review_due: Option<Date>,
    #[command(flatten)]
    pub write: WriteArgs,
}

pub fn run(ctx: &Ctx, args: &DecideArgs, io: &mut Io<'_>, outcome: DecisionOutcome) -> Result<u8> {
    let action = match outcome {
        DecisionOutcome::Designate => Action::Designate,
        DecisionOutcome::DoNotDesignate => Action::Decline,
        DecisionOutcome::Remove => Action::Remove,
    };
    write_record(ctx, io, &args.write, &args.id, action, EXISTING, |prepared, doc| {
        let record = prepared.record.expect("an existing record");
        let status = derive_status(record);
        if outcome == DecisionOutcome::DoNotDesignate && status.in_force() {
            return Err(Error::NotAllowed {
                message: format!("{} is {status}: a designation in force is ended by removing it", args.id),
                hint: format!("crs remove {} records the decision to remove it", args.id),
            });
        }
        if record.outcome() == Some(outcome) {
            let on = record.decision.as_ref().map(|d| d.decided_on.to_string()).unwrap_or_default();
            return Err(Error::NotAllowed {
                message: format!(
                    "{} already has a {} (on {on}); change it with crs edit {}",
                    args.id,
                    outcome.in_words(),
                    args.id
                ),
                hint: format!("crs show {} gives the record's decision and events", args.id),
            });
        }
        if outcome == DecisionOutcome::Remove && !status.in_force() {
            return Err(Error::NotAllowed {
                message: format!(
                    "{} is {}, not designated, so there is no designation to remove",
                    args.id,
                    derive_status(record)
                ),
                hint: format!(
                    "to withdraw a proposal that was never designated, record crs decline {}",
                    args.id
                ),
            });
        }
        let grounds: Vec<String> = match outcome {
            DecisionOutcome::Designate => {
                grounds_met(record, &prepared.config.framework).into_iter().map(str::to_owned).collect()
            }
            _ => Vec::new(),
        };
        let decision = Decision {
            outcome,
            grounds: grounds.clone(),
            decided_on: args.decided_on.unwrap_or(ctx.today),
            decided_by: args.by.clone(),
            reference: args.reference.clone(),
        };
        let doc = doc.as_mut().expect("an existing record has a document");
        doc.set_decision(&decision);
        if let Some(due) = args.review_due {
            doc.set_review_due(due);
        }
        Ok(match outcome {
            DecisionOutcome::Designate if grounds.is_empty() => "no ground met".to_owned(),
            DecisionOutcome::Designate => grounds.join(", "),
            DecisionOutcome::DoNotDesignate => "do not designate".to_owned(),
            DecisionOutcome::Remove => "remove the designation".to_owned(),
        })
    })
}
