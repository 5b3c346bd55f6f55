//! `crs schema`: print the JSON Schema of a record, generated from the Rust types,
//! with the names the built-in frameworks allow (framework, stages, grounds) added
//! from their definitions, so that an editor rejects what crs check would.

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::Framework;
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
    let mut schema = schemars::schema_for!(Record);
    restrict_names(&mut schema);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}

/// Limits the framework, the stage keys and the grounds to those the built-in
/// frameworks define. They are data, not types, so they are added here rather than
/// derived. (A register with a framework of its own gets no editor help on them.)
fn restrict_names(schema: &mut schemars::Schema) {
    let frameworks: Vec<Framework> = Framework::built_in_names().filter_map(Framework::built_in).collect();
    let names = |of: &dyn Fn(&Framework) -> Vec<String>| {
        let mut all: Vec<String> = Vec::new();
        for name in frameworks.iter().flat_map(of) {
            if !all.contains(&name) {
                all.push(name);
            }
        }
        serde_json::Value::from(all)
    };
    let ids = names(&|f| vec![f.id.clone()]);
    let stages = names(&|f| f.stages.iter().map(|s| s.key.clone()).collect());
    let grounds = names(&|f| f.grounds.iter().map(|g| g.key.clone()).collect());
    let mut set = |pointer: &str, key: &str, value: serde_json::Value| {
        let place = schema.pointer_mut(pointer).and_then(|v| v.as_object_mut());
        place.unwrap_or_else(|| panic!("the record schema has no {pointer}")).insert(key.to_owned(), value);
    };
    set("/properties/framework", "enum", ids);
    set("/properties/stages", "propertyNames", serde_json::json!({ "enum": stages }));
    set("/$defs/Decision/properties/grounds/items", "enum", grounds);
}

pub fn run(_ctx: &Ctx, _args: &SchemaArgs, io: &mut Io<'_>) -> Result<u8> {
    io.out.write_all(record_schema().as_bytes()).map_err(Error::Output)?;
    Ok(0)
}
