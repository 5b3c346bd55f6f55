//! `crs event`: append a process event to a record, and commit it. Events that make
//! no sense where they would stand are refused.

use clap_complete::engine::ArgValueCandidates;

use crate::cli::Io;
use crate::cli::common::render_changed;
use crate::cli::complete;
use crate::context::Ctx;
use crate::error::Result;
use crate::model::record::{Event, EventKind};
use crate::model::{Date, RecordId};
use crate::ops::steps::record_event;
use crate::ops::transaction::WriteOptions;

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
}

pub fn run(ctx: &Ctx, args: &EventArgs, write: &WriteOptions, io: &mut Io<'_>) -> Result<u8> {
    let event = Event::dated(args.on.unwrap_or(ctx.today), args.kind, args.note.clone());
    let changed = record_event(ctx, write, &args.id, &event)?;
    render_changed(io, &changed)?;
    Ok(0)
}
