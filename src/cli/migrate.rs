//! `crs migrate`: rewrite the register's version 1 records to version 2 in one
//! commit.

use crate::cli::Io;
use crate::cli::common::{committed_on, render_index_warning, render_recovered};
use crate::context::Ctx;
use crate::error::Result;
use crate::ops::migrate::migrate;
use crate::ops::transaction::WriteOptions;

/// Rewrite every version 1 record to version 2, in one commit
///
/// Version 2 keeps every decision (a designation, a review that confirmed it, a
/// removal) in [[decisions]] instead of one [decision]. Comments and layout are
/// kept; each record says the same after as before. Version 1 records still load,
/// and a command that adds a decision to one upgrades that record first.
///
/// Examples:
///   crs migrate --dry-run
///   crs migrate
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct MigrateArgs {
    /// Say which records would be rewritten; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(ctx: &Ctx, args: &MigrateArgs, write: &WriteOptions, io: &mut Io<'_>) -> Result<u8> {
    let migrated = migrate(ctx, write, args.dry_run)?;
    if let Some(recovered) = &migrated.recovered {
        render_recovered(io, recovered)?;
    }
    if migrated.files.is_empty() {
        io.status("every record is version 2 already; nothing to migrate")?;
        return Ok(0);
    }
    for file in &migrated.files {
        io.status(&format!("  {file}"))?;
    }
    match &migrated.committed {
        Some(committed) => {
            io.status(&format!(
                "migrated {} record(s) to version 2; commit {}",
                migrated.files.len(),
                committed_on(committed)
            ))?;
            render_index_warning(io, committed)?;
        }
        None => io.status(&format!(
            "dry run: crs migrate would rewrite these {} record(s) in one commit",
            migrated.files.len()
        ))?,
    }
    Ok(0)
}
