//! `crs review start` and `crs review complete`: a review of a designation in force,
//! each step one commit. The designation stays in force throughout; a review ends
//! with a decision to keep it (and the next review date) or to remove it.

use clap::{Subcommand, ValueEnum};

use clap_complete::engine::ArgValueCandidates;

use crate::cli::Io;
use crate::cli::common::{DecidedArgs, MadeByArgs, Writing, render_changed};
use crate::cli::complete;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::model::{Date, RecordId};
use crate::ops::decide::{RequestedBy, ReviewEnd, complete_review, decline_review, start_review};

/// Review a designation: start the review, then complete it (keep or remove)
///
/// The designation stays in force until the review is complete ("current
/// designations remain in place until the review is complete"). Reassess the
/// stages with crs assess while the review is open.
///
/// Examples:
///   crs review start RJ1/maternity --requested-by provider
///   crs review complete RJ1/maternity --confirm --next-due 2031-01-01 \
///       --by "ICB Board" --reference "BD/28/007"
///   crs review complete RV5/eating-disorders --remove --by "ICB Board"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ReviewArgs {
    #[command(subcommand)]
    pub command: ReviewCommand,
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    Start(Writing<StartArgs>),
    Complete(Writing<CompleteArgs>),
    Decline(Writing<DeclineArgs>),
}

/// Decide not to review a designation a provider asked to have reviewed, and say why
///
/// A provider may ask for a review; the request stays open in crs due and crs check
/// until a review starts (crs review start) or this records the decision not to.
///
/// Example:
///   crs review decline RJ1/maternity --on 2026-12-01 \
///       --reason "Reviewed in March; nothing has changed since"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct DeclineArgs {
    /// The record id, e.g. RJ1/maternity.
    #[arg(add = ArgValueCandidates::new(complete::record_ids))]
    pub id: RecordId,
    /// Why the commissioner decided not to review.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub reason: String,
    #[command(flatten)]
    pub decided: DecidedArgs,
}

/// Start a review of a designation in force, and commit it
///
/// Example:
///   crs review start RJ1/maternity --on 2028-01-05 --requested-by provider
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct StartArgs {
    /// The record id, e.g. RJ1/maternity.
    #[arg(add = ArgValueCandidates::new(complete::record_ids))]
    pub id: RecordId,
    /// The day the review started (default: today).
    #[arg(long, value_name = "DATE")]
    pub on: Option<Date>,
    /// Who asked for the review. A provider's request is recorded with it, by the
    /// day the review started (its own day not recorded): record the request on its
    /// day first with crs event ID review-requested --on DATE.
    #[arg(long, value_enum, default_value = "commissioner")]
    pub requested_by: Requester,
}

/// Who asked for a review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Requester {
    Provider,
    Commissioner,
}

/// Complete a review: keep the designation (--confirm) or remove it (--remove)
///
/// Examples:
///   crs review complete RJ1/maternity --confirm --next-due 2031-01-01
///   crs review complete RV5/eating-disorders --remove --reference "BD/28/011"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct CompleteArgs {
    /// The record id, e.g. RJ1/maternity.
    #[arg(add = ArgValueCandidates::new(complete::record_ids))]
    pub id: RecordId,
    /// Keep the designation; needs --next-due.
    #[arg(long, conflicts_with = "remove", requires = "next_due")]
    pub confirm: bool,
    /// Remove the designation; it ends when the provider is told.
    #[arg(long)]
    pub remove: bool,
    /// The next review date, with --confirm.
    #[arg(long, value_name = "DATE")]
    pub next_due: Option<Date>,
    #[command(flatten)]
    pub decided: DecidedArgs,
    #[command(flatten)]
    pub made_by: MadeByArgs,
}

pub fn run(ctx: &Ctx, args: &ReviewArgs, io: &mut Io<'_>) -> Result<u8> {
    let changed = match &args.command {
        ReviewCommand::Start(Writing { args, write }) => {
            let requested_by = match args.requested_by {
                Requester::Provider => RequestedBy::Provider,
                Requester::Commissioner => RequestedBy::Commissioner,
            };
            start_review(ctx, &write.options(), &args.id, args.on, requested_by)?
        }
        ReviewCommand::Complete(Writing { args, write }) => {
            let end = match (args.confirm, args.remove, args.next_due) {
                (true, _, Some(next_due)) => ReviewEnd::Confirm { next_due },
                (_, true, _) => ReviewEnd::Remove,
                _ => {
                    return Err(Error::Usage(
                        "say how the review ends: --confirm --next-due DATE keeps the designation, --remove removes it"
                            .into(),
                    ));
                }
            };
            let deciding = args.decided.deciding(None, args.made_by.given());
            complete_review(ctx, &write.options(), &args.id, end, &deciding)?
        }
        ReviewCommand::Decline(Writing { args, write }) => {
            if args.reason.trim().is_empty() {
                return Err(Error::Usage("--reason says why there is no review; it cannot be empty".into()));
            }
            let deciding = args.decided.deciding(None, None);
            decline_review(ctx, &write.options(), &args.id, &deciding, &args.reason)?
        }
    };
    render_changed(io, &changed)?;
    Ok(0)
}
