//! `crs schema`: print the JSON Schema of a record, generated from the Rust types.

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::model::record::Record;

/// Print the JSON Schema of a record (editors use it to check records as you type)
///
/// Example:
///   crs schema > designation.schema.json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct SchemaArgs {}

/// The JSON Schema of a record, as pretty JSON with a final newline.
pub fn record_schema() -> String {
    let schema = schemars::schema_for!(Record);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}

pub fn run(_ctx: &Ctx, _args: &SchemaArgs, io: &mut Io<'_>) -> Result<u8> {
    io.out.write_all(record_schema().as_bytes()).map_err(Error::Output)?;
    Ok(0)
}
