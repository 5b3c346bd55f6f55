//! What a merge dropped: the facts one parent of a merge commit had recorded since
//! the common version (an event, a decision, a stage assessment, a field's value)
//! that the merged record no longer holds. A person who resolved a conflict by
//! keeping one side removed the other side's fact, and the log says so under the
//! merge's author. Compared on flattened versions (`model::fields`): an item of a
//! list, and a stage, is one fact, compared whole.

use std::collections::BTreeMap;

use crate::model::fields::FieldChange;

/// A flattened version of a record: each leaf under its dotted key path.
type Flat = BTreeMap<String, String>;

/// The facts `parent` recorded since `base` that `merged` does not hold, as changes
/// from the parent's value: an item of a list (`events`, `decisions`) or a stage
/// dropped whole has every field with its old value and no new one; a field whose
/// value the merge did not keep has the merged value as new.
pub(crate) fn dropped_in_merge(base: &Flat, parent: &Flat, merged: &Flat) -> Vec<FieldChange> {
    let (base_facts, parent_facts, merged_facts) = (facts(base), facts(parent), facts(merged));
    let mut out = Vec::new();
    for (key, fact) in &parent_facts {
        match fact {
            Fact::Item { list, fields } => {
                let held = |facts: &BTreeMap<String, Fact<'_>>| {
                    facts
                        .values()
                        .any(|f| matches!(f, Fact::Item { list: l, fields: g } if l == list && g == fields))
                };
                if !held(&base_facts) && !held(&merged_facts) {
                    out.extend(fields.iter().map(|(part, value)| FieldChange {
                        field: format!("{key}.{part}"),
                        old: Some((*value).clone()),
                        new: None,
                        item: None,
                    }));
                }
            }
            Fact::Stage(fields) | Fact::Field(fields) => {
                let same = |facts: &BTreeMap<String, Fact<'_>>| {
                    facts
                        .get(key)
                        .is_some_and(|f| matches!(f, Fact::Stage(g) | Fact::Field(g) if g == fields))
                };
                if same(&base_facts) || same(&merged_facts) {
                    continue;
                }
                out.extend(fields.iter().map(|(part, value)| {
                    let field = if part.is_empty() { key.clone() } else { format!("{key}.{part}") };
                    let new = merged.get(&field).cloned();
                    FieldChange { field, old: Some((*value).clone()), new, item: None }
                }));
            }
        }
    }
    out.sort_by(|x, y| x.field.cmp(&y.field));
    out
}

/// One fact of a version: an item of a list, a stage's assessment, or one field.
enum Fact<'m> {
    Item { list: &'m str, fields: BTreeMap<&'m str, &'m String> },
    Stage(BTreeMap<&'m str, &'m String>),
    Field(BTreeMap<&'m str, &'m String>),
}

/// The facts of a flattened version, each under its key: `events[3]`,
/// `stages.interdependencies`, `service.description`.
fn facts(flat: &Flat) -> BTreeMap<String, Fact<'_>> {
    let mut out: BTreeMap<String, Fact<'_>> = BTreeMap::new();
    for (key, value) in flat {
        if let Some((list, rest)) = key.split_once('[')
            && !list.contains('.')
            && let Some((index, part)) = rest.split_once("].")
        {
            let entry = out
                .entry(format!("{list}[{index}]"))
                .or_insert_with(|| Fact::Item { list, fields: BTreeMap::new() });
            if let Fact::Item { fields, .. } = entry {
                fields.insert(part, value);
            }
        } else if let Some(rest) = key.strip_prefix("stages.")
            && let Some((stage, part)) = rest.split_once('.')
        {
            let entry = out.entry(format!("stages.{stage}")).or_insert_with(|| Fact::Stage(BTreeMap::new()));
            if let Fact::Stage(fields) = entry {
                fields.insert(part, value);
            }
        } else {
            out.insert(key.clone(), Fact::Field(BTreeMap::from([("", value)])));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fields::flatten;

    const BASE: &str =
        "[service]\nname = \"M\"\n[[events]]\non = 2026-11-24\nkind = \"written-request-sent\"\n";

    #[test]
    fn an_event_one_side_added_and_the_merge_left_out_is_dropped() {
        let refused = format!("{BASE}[[events]]\non = 2026-12-04\nkind = \"provider-refused\"\n");
        let accepted = format!("{BASE}[[events]]\non = 2026-12-03\nkind = \"provider-accepted\"\n");
        let dropped = dropped_in_merge(&flatten(BASE), &flatten(&refused), &flatten(&accepted));
        let fields: Vec<(&str, Option<&str>)> =
            dropped.iter().map(|c| (c.field.as_str(), c.new.as_deref())).collect();
        assert_eq!(fields, [("events[1].kind", None), ("events[1].on", None)]);
        assert!(dropped_in_merge(&flatten(BASE), &flatten(&accepted), &flatten(&accepted)).is_empty());
    }

    #[test]
    fn a_value_only_the_other_side_changed_is_not_dropped() {
        let ours = BASE.replace("name = \"M\"", "name = \"N\"");
        assert!(dropped_in_merge(&flatten(BASE), &flatten(BASE), &flatten(&ours)).is_empty());
        let theirs = BASE.replace("name = \"M\"", "name = \"T\"");
        let dropped = dropped_in_merge(&flatten(BASE), &flatten(&theirs), &flatten(&ours));
        assert_eq!(dropped.len(), 1);
        assert_eq!((dropped[0].old.as_deref(), dropped[0].new.as_deref()), (Some("T"), Some("N")));
    }
}
