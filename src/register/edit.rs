//! `RecordDoc`: a record's TOML document, changed in place with toml_edit so the
//! comments and layout a person wrote survive a `crs assess` or `crs event`. New
//! tables go where a reader expects them (stages before the decision, the decision
//! before the review and events), without reordering what is already there.

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike, Value, value};

use crate::model::record::{Decision, Event, Provider, SCHEMA_VERSION, Stage, same_stage_key};
use crate::model::{Date, ProviderKind, Record};

/// Top-level tables in reading order; a new table is placed before the first of
/// those that follow it.
const ORDER: [&str; 10] = [
    "service",
    "provider",
    "commissioner",
    "outcome",
    "stages",
    "decision",
    "decisions",
    "review",
    "source",
    "events",
];

/// The top-level tables that follow `key` in reading order.
pub(crate) fn tables_after(key: &str) -> Vec<&'static str> {
    ORDER.iter().skip_while(|k| **k != key).skip(1).copied().collect()
}

/// A record document being changed.
pub struct RecordDoc {
    doc: DocumentMut,
}

/// What goes into a new record.
pub struct NewRecord<'a> {
    pub framework: &'a str,
    pub service: &'a crate::model::record::Service,
    pub provider: &'a crate::model::record::Provider,
    pub commissioner: &'a crate::model::record::Commissioner,
    pub outcome: Option<&'a str>,
}

impl RecordDoc {
    /// Parses record text for editing. The text must already have parsed as a record.
    pub fn parse(text: &str) -> Result<RecordDoc, toml_edit::TomlError> {
        Ok(RecordDoc { doc: text.parse()? })
    }

    /// A new draft record.
    pub fn new_record(new: &NewRecord<'_>) -> RecordDoc {
        let mut doc = DocumentMut::new();
        doc["schema_version"] = value(i64::from(crate::model::record::SCHEMA_VERSION));
        doc["framework"] = value(new.framework);

        let mut service = Table::new();
        service["name"] = value(&new.service.name);
        if !new.service.description.is_empty() {
            service["description"] = value(&new.service.description);
        }
        if !new.service.treatment_functions.is_empty() {
            service["treatment_functions"] = value(strings(&new.service.treatment_functions));
        }
        if !new.service.sites.is_empty() {
            service["sites"] = value(strings(&new.service.sites));
        }
        if !new.service.site_names.is_empty() {
            service["site_names"] = value(strings(&new.service.site_names));
        }
        service["location_specific"] = value(new.service.location_specific);
        doc["service"] = Item::Table(service);

        let mut provider = Table::new();
        provider["ods"] = value(&new.provider.ods);
        provider["name"] = value(&new.provider.name);
        provider["kind"] = value(new.provider.kind.as_str());
        provider["licence"] = value(new.provider.licence.as_str());
        doc["provider"] = Item::Table(provider);

        let mut commissioner = Table::new();
        commissioner["ods"] = value(&new.commissioner.ods);
        commissioner["name"] = value(&new.commissioner.name);
        if !new.commissioner.contact.is_empty() {
            commissioner["contact"] = value(&new.commissioner.contact);
        }
        if !new.commissioner.co_commissioners.is_empty() {
            commissioner["co_commissioners"] = value(strings(&new.commissioner.co_commissioners));
        }
        doc["commissioner"] = Item::Table(commissioner);

        if let Some(outcome) = new.outcome {
            let mut table = Table::new();
            table["long_term"] = value(outcome);
            doc["outcome"] = Item::Table(table);
        }
        RecordDoc { doc }
    }

    /// Records a stage's assessment, replacing an earlier one. Works whether the
    /// stages are written as `[stages.x]` tables, dotted keys or inline tables.
    pub fn set_stage(&mut self, key: &str, stage: &Stage) {
        let fill = |t: &mut dyn TableLike| {
            t.insert("met", value(stage.met));
            t.insert("rationale", value(&stage.rationale));
            match stage.evidence.is_empty() {
                true => t.remove("evidence"),
                false => t.insert("evidence", value(strings(&stage.evidence))),
            };
            t.insert("assessed_on", value(stage.assessed_on.to_toml()));
            match &stage.assessed_by {
                Some(by) => t.insert("assessed_by", value(by)),
                None => t.remove("assessed_by"),
            };
        };
        if !self.doc.contains_key("stages") {
            let mut stages = Table::new();
            stages.set_implicit(true);
            self.doc["stages"] = Item::Table(stages);
        }
        let stages = self.doc["stages"].as_table_like_mut().expect("a parsed record's stages are a table");
        // The stage as the record already writes it, in either spelling.
        let written = stages.iter().map(|(k, _)| k.to_owned()).find(|k| same_stage_key(k, key));
        let key = written.as_deref().unwrap_or(key);
        if let Some(existing) = stages.get_mut(key).and_then(Item::as_table_like_mut) {
            fill(existing);
            return;
        }
        if self.doc["stages"].is_inline_table() {
            let mut table = InlineTable::new();
            fill(&mut table);
            self.doc["stages"][key] = value(table);
        } else {
            let mut table = Table::new();
            fill(&mut table);
            self.doc["stages"][key] = Item::Table(table);
            self.place("stages", Some(key));
        }
    }

    /// Adds a decision after the others (every decision is kept). A version 1
    /// record is upgraded to version 2 first, its one decision becoming the first.
    pub fn push_decision(&mut self, decision: &Decision) {
        self.upgrade();
        let mut table = Table::new();
        table["outcome"] = value(decision.outcome.as_str());
        if !decision.grounds.is_empty() {
            table["grounds"] = value(strings(&decision.grounds));
        }
        table["decided_on"] = value(decision.decided_on.to_toml());
        if let Some(by) = &decision.decided_by {
            table["decided_by"] = value(by);
        }
        if let Some(reference) = &decision.reference {
            table["reference"] = value(reference);
        }
        if let Some(then) = &decision.provider {
            table["provider"] = value(provider_then(&then.ods, &then.name, then.kind));
        }
        if let Some(then) = &decision.commissioner {
            table["commissioner"] = value(commissioner_then(&then.ods, &then.name));
        }
        let last = match self.doc.get("decisions") {
            Some(Item::ArrayOfTables(decisions)) => decisions.iter().last().and_then(Table::position),
            _ => None,
        };
        match self.doc.get_mut("decisions") {
            Some(Item::ArrayOfTables(decisions)) => decisions.push(table),
            _ => {
                let mut decisions = ArrayOfTables::new();
                decisions.push(table);
                self.doc["decisions"] = Item::ArrayOfTables(decisions);
            }
        }
        match last {
            Some(position) => self.place_after(position),
            None => self.place("decisions", None),
        }
    }

    /// Upgrades a version 1 record to version 2 in place: its `[decision]` becomes the
    /// first `[[decisions]]`, with its comments and place. True when it changed.
    pub fn upgrade(&mut self) -> bool {
        let version = self.doc.get("schema_version").and_then(Item::as_integer);
        if version.is_some_and(|v| v >= i64::from(SCHEMA_VERSION)) {
            return false;
        }
        if let Some(item) = self.doc.get_mut("schema_version").and_then(Item::as_value_mut) {
            let decor = item.decor().clone();
            *item = Value::from(i64::from(SCHEMA_VERSION));
            *item.decor_mut() = decor;
        }
        let Some(old) = self.doc.remove("decision") else { return true };
        let table = match old {
            Item::Table(table) => Some(table),
            Item::Value(Value::InlineTable(inline)) => Some(inline.into_table()),
            _ => None,
        };
        if let Some(table) = table {
            let positioned = table.position().is_some();
            let mut decisions = ArrayOfTables::new();
            decisions.push(table);
            self.doc["decisions"] = Item::ArrayOfTables(decisions);
            if !positioned {
                self.place("decisions", None);
            }
        }
        true
    }

    /// Drops the review date: a designation removed has no review due.
    pub fn remove_review(&mut self) {
        self.doc.remove("review");
    }

    /// Moves the record from `old_id` to the provider `now` (its ODS code, name, kind
    /// and licence at the new place), noting its old id. When the code, name or kind
    /// changes, every decision that does not yet say which provider it was made with
    /// keeps `was`, the provider it was made with. A version 1 record is upgraded first.
    pub fn record_move(&mut self, old_id: &str, was: &Provider, now: &Provider) {
        self.upgrade();
        let mut previous: Array = match self.doc.get("previous_ids").and_then(Item::as_array) {
            Some(array) => array.clone(),
            None => Array::new(),
        };
        previous.push(old_id);
        self.doc["previous_ids"] = value(previous);
        if (&was.ods, &was.name, was.kind) != (&now.ods, &now.name, now.kind) {
            let then = provider_then(&was.ods, &was.name, was.kind);
            for_each_decision(&mut self.doc, &mut |decision| {
                if !decision.contains_key("provider") {
                    decision.insert("provider", value(then.clone()));
                }
            });
        }
        set_keeping_decor(
            &mut self.doc["provider"],
            &[
                ("ods", now.ods.as_str()),
                ("name", now.name.as_str()),
                ("kind", now.kind.as_str()),
                ("licence", now.licence.as_str()),
            ],
        );
    }

    /// The record's commissioner `was_ods`, `was_name` succeeded by `now_ods`,
    /// `now_name` (an ICB merger): `[commissioner]` names the one responsible now, and
    /// each decision of `earlier` (the indexes of decisions made before the
    /// succession) that does not yet say which commissioner made it keeps `was`. A
    /// version 1 record is upgraded first.
    pub fn succeed_commissioner(&mut self, was: (&str, &str), now: (&str, &str), earlier: &[usize]) {
        self.upgrade();
        let then = commissioner_then(was.0, was.1);
        let mut i = 0;
        for_each_decision(&mut self.doc, &mut |decision| {
            if earlier.contains(&i) && !decision.contains_key("commissioner") {
                decision.insert("commissioner", value(then.clone()));
            }
            i += 1;
        });
        set_keeping_decor(&mut self.doc["commissioner"], &[("ods", now.0), ("name", now.1)]);
    }

    /// Replaces the record's co-commissioners with `codes`, dropping the key when
    /// there are none.
    pub fn set_co_commissioners(&mut self, codes: &[String]) {
        let Some(table) = self.doc.get_mut("commissioner").and_then(Item::as_table_like_mut) else { return };
        if codes.is_empty() {
            table.remove("co_commissioners");
            return;
        }
        match table.get_mut("co_commissioners").and_then(Item::as_value_mut) {
            Some(item) => {
                let decor = item.decor().clone();
                *item = Value::Array(strings(codes));
                *item.decor_mut() = decor;
            }
            None => {
                table.insert("co_commissioners", value(strings(codes)));
            }
        }
    }

    /// Sets the next review date.
    pub fn set_review_due(&mut self, due: Date) {
        let existed = self.doc.contains_key("review");
        if !existed {
            self.doc["review"] = Item::Table(Table::new());
        }
        self.doc["review"]["next_due"] = value(due.to_toml());
        if !existed {
            self.place("review", None);
        }
    }

    /// Notes where an imported record came from: the file, sheet and row.
    pub fn set_source(&mut self, source: &crate::model::record::ImportSource) {
        let existed = self.doc.contains_key("source");
        let mut table = Table::new();
        table["imported_from"] = value(&source.imported_from);
        if let Some(sheet) = &source.sheet {
            table["sheet"] = value(sheet);
        }
        if let Some(row) = source.row {
            table["row"] = value(i64::from(row));
        }
        self.doc["source"] = Item::Table(table);
        if !existed {
            self.place("source", None);
        }
    }

    /// Sets the ids the record had before (kept when a record is rewritten whole).
    /// Sets the team's own reference and its notes, where given: top-level keys,
    /// which TOML keeps before the tables.
    pub fn set_local_id_and_notes(&mut self, local_id: Option<&str>, notes: Option<&str>) {
        if let Some(local_id) = local_id {
            self.doc["local_id"] = value(local_id);
        }
        if let Some(notes) = notes {
            self.doc["notes"] = value(notes);
        }
    }

    pub fn set_previous_ids(&mut self, ids: &[String]) {
        if !ids.is_empty() {
            self.doc["previous_ids"] = value(strings(ids));
        }
    }

    /// Adds an event in date order (after any of the same day), as `[[events]]` or
    /// into an inline `events = [...]`: an event recorded late goes where it happened.
    /// A step before it whose day was not recorded happened by the new event's day at
    /// the latest: its `on` becomes that day if it was later.
    pub fn push_event(&mut self, event: &Event) {
        let mut table = Table::new();
        table["on"] = value(event.on.to_toml());
        table["kind"] = value(event.kind.as_str());
        if !event.date_known {
            table["date_known"] = value(false);
        }
        if let Some(note) = &event.note {
            table["note"] = value(note);
        }
        match self.doc.get_mut("events") {
            Some(Item::ArrayOfTables(events)) => {
                let at = place_among(events.iter().map(|t| t as &dyn TableLike), event.on);
                events.iter_mut().take(at.unwrap_or(usize::MAX)).for_each(|t| no_later_than(t, event.on));
                match at {
                    None => events.push(table),
                    Some(at) => {
                        let mut tables: Vec<Table> = events.iter().cloned().collect();
                        tables.insert(at, table);
                        let mut rebuilt = ArrayOfTables::new();
                        tables.into_iter().for_each(|t| rebuilt.push(t));
                        *events = rebuilt;
                    }
                }
            }
            Some(Item::Value(Value::Array(events))) => {
                let mut inline = table.into_inline_table();
                inline.fmt();
                let tables = events.iter().filter_map(Value::as_inline_table).map(|t| t as &dyn TableLike);
                let at = place_among(tables, event.on);
                events
                    .iter_mut()
                    .take(at.unwrap_or(usize::MAX))
                    .filter_map(Value::as_inline_table_mut)
                    .for_each(|t| no_later_than(t, event.on));
                match at {
                    None => events.push(inline),
                    Some(at) => events.insert(at, inline),
                }
            }
            _ => {
                let mut events = ArrayOfTables::new();
                events.push(table);
                self.doc["events"] = Item::ArrayOfTables(events);
            }
        }
    }

    /// The document's text.
    pub fn text(&self) -> String {
        self.doc.to_string()
    }

    /// Parses the document's text as a record.
    pub fn record(&self) -> Result<Record, toml::de::Error> {
        Record::from_toml(&self.text())
    }

    /// Gives the table last added to an array of tables the place right after the
    /// table at `position`, keeping the order of everything else.
    fn place_after(&mut self, position: isize) {
        let mut newest: Option<&mut Table> = None;
        for (_, item) in self.doc.as_table_mut().iter_mut() {
            for_each_table(item, false, &mut |t| {
                if let Some(p) = t.position() {
                    t.set_position(p * 2);
                }
            });
        }
        if let Some(Item::ArrayOfTables(decisions)) = self.doc.get_mut("decisions") {
            newest = decisions.iter_mut().last();
        }
        if let Some(table) = newest {
            table.set_position(position * 2 + 1);
        }
    }

    /// Gives the new table at `key` (or `key.sub`) a position before the tables that
    /// should follow it, keeping the order of everything already there.
    fn place(&mut self, key: &str, sub: Option<&str>) {
        // Spread the existing positions out to make room.
        let mut before: Option<isize> = None;
        let following = tables_after(key);
        for (name, item) in self.doc.as_table_mut().iter_mut() {
            let follows = following.contains(&name.get());
            for_each_table(item, false, &mut |t| {
                if let Some(p) = t.position() {
                    t.set_position(p * 2);
                    if follows {
                        before = Some(before.map_or(p * 2, |b| b.min(p * 2)));
                    }
                }
            });
        }
        let Some(position) = before else { return };
        let target = match sub {
            Some(sub) => self.doc[key].get_mut(sub).and_then(Item::as_table_mut),
            None => match self.doc.get_mut(key) {
                Some(Item::ArrayOfTables(tables)) => tables.iter_mut().last(),
                other => other.and_then(Item::as_table_mut),
            },
        };
        if let Some(table) = target {
            table.set_position(position - 1);
        }
    }
}

/// Calls `f` on every table in `item`: a table and the tables within it, each table
/// of an array of tables and, when `within_arrays`, the tables within those (a
/// write's placing leaves those as they are; a merge's layout renumbers them too).
pub(crate) fn for_each_table(item: &mut Item, within_arrays: bool, f: &mut impl FnMut(&mut Table)) {
    match item {
        Item::Table(table) => {
            f(table);
            for (_, child) in table.iter_mut() {
                for_each_table(child, within_arrays, f);
            }
        }
        Item::ArrayOfTables(array) => {
            for table in array.iter_mut() {
                f(table);
                if within_arrays {
                    for (_, child) in table.iter_mut() {
                        for_each_table(child, within_arrays, f);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Where a new event of the day `on` goes among `events` (None: at the end): before
/// the first later one, after any of the same day. A step whose day was not recorded
/// happened on or before its `on`: a new step never goes before it.
fn place_among<'a>(events: impl Iterator<Item = &'a dyn TableLike>, on: Date) -> Option<usize> {
    let on = on.to_string();
    let undated = |t: &dyn TableLike| t.get("date_known").and_then(Item::as_bool) == Some(false);
    let later = |t: &dyn TableLike| {
        t.get("on").and_then(Item::as_datetime).is_some_and(|d| d.to_string().as_str() > on.as_str())
    };
    let mut at = None;
    for (i, event) in events.enumerate() {
        if undated(event) {
            at = None;
        } else if at.is_none() && later(event) {
            at = Some(i);
        }
    }
    at
}

/// Brings the `on` of an event whose day was not recorded back to `latest`, if it
/// was later: it stands before a step of that day, so it happened by then.
fn no_later_than(event: &mut dyn TableLike, latest: Date) {
    if event.get("date_known").and_then(Item::as_bool) != Some(false) {
        return;
    }
    if let Some(on) = event.get_mut("on").and_then(Item::as_value_mut)
        && on.as_datetime().is_some_and(|d| d.to_string().as_str() > latest.to_string().as_str())
    {
        let decor = on.decor().clone();
        *on = Value::from(latest.to_toml());
        *on.decor_mut() = decor;
    }
}

/// The provider a decision was made with, as an inline table of its `[[decisions]]`:
/// `provider = { ods = "RJ1", name = "…", kind = "foundation-trust" }`.
/// Sets the string values `pairs` of the table `item`, each keeping its comments.
fn set_keeping_decor(item: &mut Item, pairs: &[(&str, &str)]) {
    for (key, new) in pairs {
        if let Some(item) = item.get_mut(key).and_then(Item::as_value_mut)
            && item.as_str() != Some(new)
        {
            let decor = item.decor().clone();
            *item = Value::from(*new);
            *item.decor_mut() = decor;
        }
    }
}

fn commissioner_then(ods: &str, name: &str) -> InlineTable {
    let mut then = InlineTable::new();
    then.insert("ods", ods.into());
    then.insert("name", name.into());
    then
}

fn provider_then(ods: &str, name: &str, kind: ProviderKind) -> InlineTable {
    let mut then = InlineTable::new();
    then.insert("ods", ods.into());
    then.insert("name", name.into());
    then.insert("kind", kind.as_str().into());
    then
}

/// Calls `f` on every decision of a version 2 document, written as `[[decisions]]`
/// or as an inline `decisions = [{ … }]`.
fn for_each_decision(doc: &mut DocumentMut, f: &mut dyn FnMut(&mut dyn TableLike)) {
    match doc.get_mut("decisions") {
        Some(Item::ArrayOfTables(decisions)) => decisions.iter_mut().for_each(|t| f(t)),
        Some(Item::Value(Value::Array(decisions))) => {
            decisions.iter_mut().filter_map(Value::as_inline_table_mut).for_each(|t| f(t))
        }
        _ => {}
    }
}

fn strings(items: &[String]) -> Array {
    items.iter().map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::record::{DecisionOutcome, EventKind, MINIMAL_TEST_RECORD};

    /// The smallest record as a person might keep it: a comment above, another after
    /// the service's name, and one event.
    fn draft() -> String {
        let commented = MINIMAL_TEST_RECORD.replacen(
            "name = \"Maternity\"\n",
            "name = \"Maternity\"  # trailing comment\n",
            1,
        );
        format!(
            "# A hand-written comment that must survive.\n{commented}\n[[events]]\non = 2025-01-01\nkind = \"providers-notified\"\n"
        )
    }

    fn stage(met: bool) -> Stage {
        Stage {
            met,
            rationale: "because".into(),
            evidence: vec!["paper 1".into()],
            assessed_on: "2025-02-01".parse().unwrap(),
            assessed_by: None,
        }
    }

    #[test]
    fn new_tables_go_before_events_and_comments_survive() {
        let mut doc = RecordDoc::parse(&draft()).unwrap();
        doc.set_stage("alternative_provision", &stage(true));
        doc.push_decision(&Decision {
            outcome: DecisionOutcome::Designate,
            grounds: vec!["no-alternative-provider".into()],
            decided_on: "2025-03-01".parse().unwrap(),
            decided_by: Some("ICB Board".into()),
            reference: None,
            provider: None,
            commissioner: None,
        });
        doc.set_review_due("2028-03-01".parse().unwrap());
        doc.push_event(&Event::dated("2025-03-05".parse().unwrap(), EventKind::WrittenRequestSent, None));
        let text = doc.text();
        assert!(text.starts_with("# A hand-written comment that must survive.\n"), "{text}");
        assert!(text.contains("name = \"Maternity\"  # trailing comment"), "{text}");
        let order: Vec<usize> = ["[stages.alternative_provision]", "[[decisions]]", "[review]", "[[events]]"]
            .iter()
            .map(|h| text.find(h).unwrap_or_else(|| panic!("{h} missing:\n{text}")))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(text.trim_end().ends_with("kind = \"written-request-sent\""), "{text}");
        let record = doc.record().unwrap();
        assert_eq!(record.events.len(), 2);
        assert!(record.stages["alternative_provision"].met);
    }

    #[test]
    fn inline_events_and_stages_are_extended_not_replaced() {
        let text = draft().replace(
            "[[events]]\non = 2025-01-01\nkind = \"providers-notified\"\n",
            "",
        )
        .replace(
            "framework = \"monitor-2013\"\n",
            "framework = \"monitor-2013\"\nevents = [{ on = 2025-01-01, kind = \"providers-notified\" }]\nstages = { alternative_provision = { met = true, rationale = \"r\", assessed_on = 2025-01-02 } }\n",
        );
        let mut doc = RecordDoc::parse(&text).unwrap();
        doc.push_event(&Event::dated("2025-03-05".parse().unwrap(), EventKind::PublicEngagement, None));
        doc.set_stage("health_inequalities", &stage(false));
        doc.set_stage("alternative_provision", &stage(false));
        let record = doc.record().unwrap();
        assert_eq!(record.events.len(), 2, "{}", doc.text());
        assert_eq!(record.stages.len(), 2, "{}", doc.text());
        assert!(!record.stages["alternative_provision"].met);
    }

    #[test]
    fn an_undated_step_before_a_new_event_is_brought_back_to_its_day() {
        let undated = "[[events]]\non = 2025-03-01\nkind = \"written-request-sent\"\ndate_known = false\n";
        let inline = "events = [{ on = 2025-03-01, kind = \"written-request-sent\", date_known = false }]\n";
        let block = draft().replace("[[events]]\non = 2025-01-01\nkind = \"providers-notified\"\n", undated);
        let inline = draft()
            .replace("[[events]]\non = 2025-01-01\nkind = \"providers-notified\"\n", "")
            .replace("framework = \"monitor-2013\"\n", &format!("framework = \"monitor-2013\"\n{inline}"));
        for text in [block, inline] {
            let mut doc = RecordDoc::parse(&text).unwrap();
            doc.push_event(&Event::dated("2025-02-10".parse().unwrap(), EventKind::ProviderAccepted, None));
            let events = doc.record().unwrap().events;
            assert_eq!(events[0].on.to_string(), "2025-02-10", "{}", doc.text());
            assert!(!events[0].date_known, "{}", doc.text());
            assert_eq!(events[1].kind, EventKind::ProviderAccepted, "{}", doc.text());
            // A later event leaves it as it is.
            doc.push_event(&Event::dated("2025-04-01".parse().unwrap(), EventKind::Submitted, None));
            assert_eq!(doc.record().unwrap().events[0].on.to_string(), "2025-02-10", "{}", doc.text());
        }
    }

    #[test]
    fn a_late_event_goes_where_it_happened() {
        let mut doc = RecordDoc::parse(&draft()).unwrap();
        doc.push_event(&Event::dated("2025-03-01".parse().unwrap(), EventKind::Submitted, None));
        doc.push_event(&Event::dated("2025-02-01".parse().unwrap(), EventKind::PublicEngagement, None));
        doc.push_event(&Event::dated("2025-03-01".parse().unwrap(), EventKind::ReviewRequested, None));
        let kinds: Vec<EventKind> = doc.record().unwrap().events.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                EventKind::ProvidersNotified,
                EventKind::PublicEngagement,
                EventKind::Submitted,
                EventKind::ReviewRequested
            ],
            "{}",
            doc.text()
        );
    }

    #[test]
    fn reassessing_a_stage_replaces_it_in_place() {
        let mut doc = RecordDoc::parse(&draft()).unwrap();
        doc.set_stage("interdependencies", &stage(true));
        doc.set_stage("alternative_provision", &stage(false));
        doc.set_stage("interdependencies", &stage(false));
        let text = doc.text();
        assert_eq!(text.matches("[stages.interdependencies]").count(), 1, "{text}");
        assert!(
            text.find("[stages.interdependencies]").unwrap()
                < text.find("[stages.alternative_provision]").unwrap()
        );
        assert!(!doc.record().unwrap().stages["interdependencies"].met);
    }
}
