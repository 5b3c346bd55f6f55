//! `crs event`: append a process event to a record, and commit it. Events that make
//! no sense where they would stand are refused.

use clap_complete::engine::ArgValueCandidates;

use crate::cli::Io;
use crate::cli::common::{WriteArgs, write_record};
use crate::cli::complete;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::model::record::{Event, EventKind};
use crate::model::{Date, RecordId};
use crate::ops::change::{Action, EXISTING};

/// Append a process event to a record, and commit it
///
/// Kinds: providers-notified, public-engagement, involvement-not-engaged (with a
/// --note saying why the duty to involve the public was not engaged),
/// written-request-sent, provider-accepted, provider-refused, referred-to-regulator,
/// refusal-found-unreasonable, refusal-found-reasonable, licence-requested,
/// review-requested, review-started, provider-notified-of-removal.
/// A review ends with crs review complete, a decision not to review is crs review
/// decline, and a submission is crs submit: each records its own step.
///
/// Examples:
///   crs event RJ1/maternity written-request-sent --on 2025-02-10
///   crs event RJ1/maternity public-engagement \
///       --note "Maternity Voices Partnership workshop"
///   crs event RJ1/maternity involvement-not-engaged --on 2026-11-02 \
///       --note "No change to what patients receive"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct EventArgs {
    /// The record id, e.g. RJ1/maternity.
    #[arg(add = ArgValueCandidates::new(complete::record_ids))]
    pub id: RecordId,
    /// What happened.
    #[arg(value_parser = str::parse::<EventKind>, add = ArgValueCandidates::new(complete::event_kinds))]
    pub kind: EventKind,
    /// The day it happened (default: today).
    #[arg(long, value_name = "DATE")]
    pub on: Option<Date>,
    /// A note: who, what, which letter.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub note: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

pub fn run(ctx: &Ctx, args: &EventArgs, io: &mut Io<'_>) -> Result<u8> {
    // Steps with a command of their own are recorded by it, with what they need.
    let own_command = match args.kind {
        EventKind::ReviewCompleted => Some(
            "a review ends with a decision: crs review complete ID --confirm --next-due DATE, or --remove",
        ),
        EventKind::ReviewDeclined => {
            Some("a decision not to review is recorded with crs review decline ID --reason TEXT")
        }
        EventKind::Submitted => Some("a submission is recorded by crs submit, with its bundle and its tag"),
        _ => None,
    };
    if let Some(hint) = own_command {
        return Err(Error::NotAllowed {
            message: format!("crs event does not record {}", args.kind),
            hint: hint.replace("ID", &args.id.to_string()),
        });
    }
    if args.kind == EventKind::InvolvementNotEngaged
        && args.note.as_deref().is_none_or(|n| n.trim().is_empty())
    {
        return Err(Error::Usage(
            "involvement-not-engaged needs --note saying why the duty to involve the public was not engaged"
                .into(),
        ));
    }
    let event = Event::dated(args.on.unwrap_or(ctx.today), args.kind, args.note.clone());
    write_record(ctx, io, &args.write, &args.id, Action::Event, EXISTING, |prepared, doc| {
        // An event out of place shows up as a new event-order error, which refuses the change.
        let _ = prepared;
        doc.as_mut().expect("an existing record has a document").push_event(&event);
        Ok(format!("{} on {}", event.kind, event.on))
    })
}
