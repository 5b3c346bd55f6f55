//! `crs setup`: make this clone merge records field by field (the merge driver in
//! the clone's git configuration, `.gitattributes` in the register).

use crate::cli::Io;
use crate::cli::common::render_setup;
use crate::context::Ctx;
use crate::error::Result;
use crate::ops::setup::setup;
use crate::ops::transaction::WriteOptions;

/// Make git merge records field by field in this clone; run once in each clone
///
/// Sets crs's merge driver in the clone's own git configuration
/// (merge.crs.driver, which git cannot carry in the repository) and, if the
/// register's .gitattributes does not name it for the records yet, adds the line
/// "*/*.toml merge=crs" to it (keeping its other lines) and commits it. crs init
/// runs it; running it again changes nothing.
///
/// The driver names this crs program by its full path, so that git runs it whatever
/// the PATH of the program running git (an editor's git pane often has another); if
/// crs moves, crs check says so: run crs setup again.
///
/// Then two people's changes to one record merge without conflict: events,
/// decisions and previous ids from both sides are all kept, a field changed on one
/// side takes that side's value, and a field changed two ways is left between
/// git's markers for a person to choose (crs check names it).
///
/// Run it in each clone, once git clone has made it.
///
/// Example:
///   crs setup
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct SetupArgs {}

pub fn run(ctx: &Ctx, write: &WriteOptions, io: &mut Io<'_>) -> Result<u8> {
    let done = setup(ctx, write)?;
    render_setup(io, &done, false)?;
    Ok(0)
}
