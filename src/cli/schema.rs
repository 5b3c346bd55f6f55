//! `crs schema`: print the JSON Schema of a record, generated from the Rust types,
//! with the names the built-in frameworks allow (framework, stages, grounds) added
//! from their definitions, so that an editor rejects what crs check would.

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::schema::record_schema;

/// Print the JSON Schema of a record (editors use it to check records as you type)
///
/// Example:
///   crs schema > designation.schema.json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct SchemaArgs {}

pub fn run(_ctx: &Ctx, _args: &SchemaArgs, io: &mut Io<'_>) -> Result<u8> {
    io.out.write_all(record_schema().as_bytes()).map_err(Error::Output)?;
    Ok(0)
}
