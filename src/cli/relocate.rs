//! `crs move OLD NEW`: move a record to a new provider code or service name (a
//! merger, a renamed trust), in one commit that keeps its whole history.

use clap_complete::engine::ArgValueCandidates;

use crate::cli::Io;
use crate::cli::common::{WriteArgs, committed_on, render_index_warning, render_recovered};
use crate::cli::complete;
use crate::context::Ctx;
use crate::error::Result;
use crate::model::RecordId;
use crate::ops::relocate::move_record;

/// Move a record to a new provider code or service name, and commit it
///
/// For a merger or a new ODS code: the record moves to NEW's folder, its provider
/// code becomes NEW's, its old id is kept in previous_ids, and crs log NEW shows its
/// whole history. Git sees one rename.
///
/// Examples:
///   crs move RJ1/adult-critical-care RJ1/critical-care --reason "Service renamed"
///   crs move RQM/maternity RYJ/maternity --provider-name "Imperial College \
///       Healthcare NHS Trust" --reason "Merger, 1 April 2027"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct MoveArgs {
    /// The record's id now, e.g. RQM/maternity.
    #[arg(add = ArgValueCandidates::new(complete::record_ids))]
    pub from: RecordId,
    /// Its new id, e.g. RYJ/maternity.
    pub to: RecordId,
    /// The provider's name under its new code.
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub provider_name: Option<String>,
    /// Why it moved, for the commit message and the log.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

pub fn run(ctx: &Ctx, args: &MoveArgs, io: &mut Io<'_>) -> Result<u8> {
    let moved = move_record(
        ctx,
        &args.write.options(),
        &args.from,
        &args.to,
        args.provider_name.as_deref(),
        args.reason.as_deref(),
    )?;
    if let Some(recovered) = &moved.recovered {
        render_recovered(io, recovered)?;
    }
    io.status(&format!("moved {} to {}", moved.from, moved.to))?;
    io.status(&format!("  status {}; commit {}", moved.status, committed_on(&moved.committed)))?;
    render_index_warning(io, &moved.committed)?;
    io.status(&format!("  crs log {} shows its whole history, from before the move", moved.to))?;
    Ok(0)
}
