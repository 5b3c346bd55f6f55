//! `crs merge-file`: the merge driver git runs for records, as `crs setup`
//! registers it; git passes the three versions and the record's path, and reads the
//! result from our version's file.

use std::path::PathBuf;

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::Result;
use crate::ops::merge_file::{FileMerge, MergeFiles, merge_file};

/// Merge two versions of a record field by field (git runs this; see crs setup)
///
/// Events, decisions and previous ids added on either side are all kept, in date
/// order; a field changed on one side takes that side's value. A field changed two
/// ways, a merged record that would break a rule of the register (two designations
/// of one service on one day), or a version that is not a record is a conflict: the
/// file is left with git's markers around what differs, crs check names the record
/// and the field, and the exit status is 1. The result is written over OURS.
///
/// Git runs it as "crs merge-file %O %A %B %P"; to merge three files by hand:
///
/// Example:
///   crs merge-file base.toml ours.toml theirs.toml RJ1/maternity.toml
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct MergeFileArgs {
    /// The common version (git's %O).
    pub base: PathBuf,
    /// Our version (git's %A); the result is written here.
    pub ours: PathBuf,
    /// Their version (git's %B).
    pub theirs: PathBuf,
    /// The record's path in the repository (git's %P), e.g. RJ1/maternity.toml.
    pub path: String,
}

pub fn run(ctx: &Ctx, args: &MergeFileArgs, io: &mut Io<'_>) -> Result<u8> {
    let files = MergeFiles { base: &args.base, ours: &args.ours, theirs: &args.theirs, path: &args.path };
    let merged = merge_file(ctx, &files)?;
    let record = &merged.record;
    let told = match &merged.merge {
        FileMerge::Merged => return Ok(0),
        FileMerge::Conflicts(conflicts) => {
            conflicts.iter().map(|c| format!("{record}: {}", c.in_words())).collect::<Vec<_>>()
        }
        FileMerge::BreaksRules(broken) => broken
            .iter()
            .map(|b| format!("{record}: merged, the record would break a rule ({b}); both versions are kept"))
            .collect(),
        FileMerge::Unmergeable(why) => {
            vec![format!("{record}: not merged field by field: {why}; both versions are kept")]
        }
    };
    for line in told {
        io.labelled("crs: ", &line)?;
    }
    io.labelled(
        "crs: ",
        &format!("resolve it between the markers, then git add {}; crs check names each conflict", args.path),
    )?;
    Ok(1)
}
