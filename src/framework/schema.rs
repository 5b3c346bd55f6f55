//! The JSON Schema of a record: derived from the record types (schemars), with the
//! names that are data rather than types — frameworks, stages, grounds — limited to
//! those of the built-in frameworks, so that editors refuse what crs refuses.

use crate::framework::Framework;
use crate::model::record::Record;

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
    // Stage keys are read in either spelling (alternative_provision, alternative-provision).
    let stages = names(&|f| f.stages.iter().flat_map(|s| [s.key.clone(), s.key.replace('_', "-")]).collect());
    let grounds = names(&|f| f.grounds.iter().map(|g| g.key.clone()).collect());
    let mut set = |pointer: &str, key: &str, value: serde_json::Value| {
        let place = schema.pointer_mut(pointer).and_then(|v| v.as_object_mut());
        place.unwrap_or_else(|| panic!("the record schema has no {pointer}")).insert(key.to_owned(), value);
    };
    set("/properties/framework", "enum", ids);
    set("/properties/stages", "propertyNames", serde_json::json!({ "enum": stages }));
    set("/$defs/Decision/properties/grounds/items", "enum", grounds);
}
