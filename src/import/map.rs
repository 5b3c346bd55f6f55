//! `Map`: how the columns of someone else's spreadsheet become record fields — the
//! map file a team writes once (`--map MAP.toml`), or the built-in map of crs's own
//! export, which needs none. It owns the field names (`crs import --fields`), the
//! header matching (trimmed, any case, stray spaces ignored), the cell-text
//! translations, the date formats, the defaults and the padding of codes a
//! spreadsheet stored as numbers. It reads no sheet and judges no record.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::export::columns::{Column, GROUNDS, STAGES, known_names, resolve};
use crate::framework::Framework;
use crate::import::sheet::clean;
use crate::model::EventKind;
use crate::model::record::stage_name;
use crate::model::suggest::did_you_mean;

/// A field of a record that a column can fill.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Id,
    ProviderOds,
    ProviderName,
    ProviderKind,
    ProviderLicence,
    ServiceName,
    ServiceDescription,
    ServiceSites,
    ServiceSiteNames,
    ServiceTreatmentFunctions,
    ServiceLocationSpecific,
    CoCommissioners,
    Contact,
    LongTermOutcome,
    DecisionOutcome,
    DecidedOn,
    DecidedBy,
    DecisionReference,
    /// The commissioner that made the decision, when another is responsible now.
    DecisionCommissioner,
    /// Yes when the decision relies on this ground.
    Ground(String),
    ReviewDue,
    Status,
    /// The provider's answer as crs's export writes it ("accepted", "refused; …").
    Response,
    ResponseOn,
    /// The cell is the date of an event of this kind.
    Event(EventKind),
    /// The team's own reference for the service.
    LocalId,
    /// Free text kept with the record.
    Notes,
    /// The decision that removed the designation, apart from the designation's.
    RemovalDecidedOn,
    RemovalDecidedBy,
    RemovalReference,
    /// The decision of a review that kept the designation.
    ConfirmationDecidedOn,
    ConfirmationDecidedBy,
    ConfirmationReference,
    /// A stage of the framework (its key): met or not, why, and the day assessed.
    StageMet(String),
    StageRationale(String),
    StageAssessedOn(String),
}

/// The fixed fields: name and what the cell holds, in the order `--fields` lists them.
const FIXED: &[(Field, &str, &str)] = &[
    (
        Field::Id,
        "id",
        "the record id, e.g. RJ1/maternity (optional: else the provider code and a slug of the service name)",
    ),
    (Field::ProviderOds, "provider.ods", "the provider's ODS code, e.g. RJ1"),
    (Field::ProviderName, "provider.name", "the provider's name"),
    (Field::ProviderKind, "provider.kind", "foundation-trust, nhs-trust, independent or other"),
    (Field::ProviderLicence, "provider.licence", "licensed, unlicensed, applied or exempt"),
    (Field::ServiceName, "service.name", "the service's name"),
    (Field::ServiceDescription, "service.description", "what the service is"),
    (Field::ServiceSites, "service.sites", "ODS site codes, separated by ; or ,"),
    (Field::ServiceSiteNames, "service.site_names", "sites written as names, separated by ;"),
    (
        Field::ServiceTreatmentFunctions,
        "service.treatment_functions",
        "treatment function codes, separated by ; or ,",
    ),
    (Field::ServiceLocationSpecific, "service.location_specific", "yes or no"),
    (
        Field::CoCommissioners,
        "commissioner.co_commissioners",
        "ODS codes of the other commissioners, separated by ; or ,",
    ),
    (Field::Contact, "commissioner.contact", "the e-mail address for questions (default: crs.toml's)"),
    (Field::LongTermOutcome, "outcome.long_term", "the long-term outcome sought"),
    (
        Field::DecisionOutcome,
        "decision.outcome",
        "designate, do-not-designate, confirm or remove (default: from the status, else designate)",
    ),
    (Field::DecidedOn, "decision.decided_on", "the day of the decision"),
    (Field::DecidedBy, "decision.decided_by", "who decided, e.g. ICB Board"),
    (Field::DecisionReference, "decision.reference", "the board minute or other reference"),
    (
        Field::DecisionCommissioner,
        "decision.commissioner",
        "the commissioner that made the decision when another is responsible now (a merger since), as crs's export writes it: NHS Lambeth CCG (08K)",
    ),
    (Field::ReviewDue, "review.next_due", "the day the next review is due"),
    (
        Field::Status,
        "status",
        "draft, not-designated, proposed, requested, refused, referred, designated, under-review or removed: brings in the events it implies",
    ),
    (
        Field::Response,
        "response",
        "the provider's answer to the written request: accepted, refused, awaiting response, or as crs's export writes a referral (refused; the regulator found the refusal unreasonable, …); translate other words with [values.\"response\"]; in [defaults] it answers for the rows whose status says the designation was in force (designated, under review, removed) and that leave it blank",
    ),
    (Field::ResponseOn, "response.on", "the day the provider answered"),
    (Field::LocalId, "local_id", "the team's own reference for the service, e.g. CRS-02"),
    (Field::Notes, "notes", "free text kept with the record, e.g. the sheet's comments"),
    (Field::RemovalDecidedOn, "removal.decided_on", "the day of the decision to remove the designation"),
    (Field::RemovalDecidedBy, "removal.decided_by", "who decided to remove it"),
    (Field::RemovalReference, "removal.reference", "the board minute or other reference of the removal"),
    (
        Field::ConfirmationDecidedOn,
        "confirmation.decided_on",
        "the day a review decided to keep the designation",
    ),
    (Field::ConfirmationDecidedBy, "confirmation.decided_by", "who decided to keep it"),
    (Field::ConfirmationReference, "confirmation.reference", "the reference of the confirmation"),
];

impl Field {
    /// The field's name, as map files and `--fields` write it.
    pub fn name(&self) -> String {
        match self {
            Field::Ground(key) => format!("grounds.{key}"),
            Field::Event(kind) => format!("event.{kind}"),
            Field::StageMet(key) => format!("stages.{}.met", stage_name(key)),
            Field::StageRationale(key) => format!("stages.{}.rationale", stage_name(key)),
            Field::StageAssessedOn(key) => format!("stages.{}.assessed_on", stage_name(key)),
            fixed => FIXED
                .iter()
                .find(|(f, _, _)| f == fixed)
                .map_or_else(String::new, |(_, n, _)| (*n).to_owned()),
        }
    }

    /// The field named `name`, or why there is none.
    pub fn parse(name: &str, framework: &Framework) -> std::result::Result<Field, String> {
        let name = name.trim();
        if let Some((field, _, _)) = FIXED.iter().find(|(_, n, _)| *n == name) {
            return Ok(field.clone());
        }
        if let Some(key) = name.strip_prefix("grounds.")
            && framework.ground(key).is_some()
        {
            return Ok(Field::Ground(key.to_owned()));
        }
        if let Some(kind) = name.strip_prefix("event.") {
            return kind.parse().map(Field::Event);
        }
        if let Some(rest) = name.strip_prefix("stages.")
            && let Some((stage, part)) = rest.rsplit_once('.')
            && let Some(def) = framework.stage(stage)
        {
            let key = def.key.clone();
            match part {
                "met" => return Ok(Field::StageMet(key)),
                "rationale" => return Ok(Field::StageRationale(key)),
                "assessed_on" => return Ok(Field::StageAssessedOn(key)),
                _ => {}
            }
        }
        let names = all_fields(framework);
        let guess = did_you_mean(name, names.iter().map(|(n, _)| n.as_str()));
        Err(format!("'{name}' is not a field{guess}; crs import --fields lists them"))
    }

    /// True for the fields whose cells are dates.
    pub fn is_date(&self) -> bool {
        matches!(
            self,
            Field::DecidedOn
                | Field::ReviewDue
                | Field::ResponseOn
                | Field::Event(_)
                | Field::RemovalDecidedOn
                | Field::ConfirmationDecidedOn
                | Field::StageAssessedOn(_)
        )
    }

    /// True for the date fields of steps whose day may be unrecorded: a cell may say
    /// "by D (day not recorded)", as crs's own export writes such a step.
    pub fn may_be_undated(&self) -> bool {
        matches!(self, Field::ResponseOn | Field::Event(_))
    }
}

/// Every field name with what its cell holds, for `crs import --fields`.
pub fn all_fields(framework: &Framework) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> =
        FIXED.iter().map(|(_, n, about)| ((*n).to_owned(), (*about).to_owned())).collect();
    let at = fields.iter().position(|(n, _)| n == "review.next_due").unwrap_or(fields.len());
    let grounds = framework.grounds.iter().map(|g| {
        (format!("grounds.{}", g.key), format!("yes or no: the decision relies on the ground '{}'", g.title))
    });
    fields.splice(at..at, grounds);
    fields.extend(EventKind::ALL.iter().map(|k| (format!("event.{k}"), format!("the day of the event {k}"))));
    for stage in &framework.stages {
        let name = stage_name(&stage.key);
        fields.extend([
            (
                format!("stages.{name}.met"),
                format!("yes or no: stage {} ({}) is met", stage.number, stage.title),
            ),
            (format!("stages.{name}.rationale"), format!("why stage {} is met or not", stage.number)),
            (format!("stages.{name}.assessed_on"), format!("the day stage {} was assessed", stage.number)),
        ]);
    }
    fields
}

/// A header as the map and the sheet are matched: stray spaces gone, runs of
/// spaces made one, any case.
pub fn header_key(text: &str) -> String {
    clean(text).split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The map, resolved.
#[derive(Clone, Debug)]
pub struct Map {
    /// The sheet to read; `None`: the first (or the `--sheet` flag's).
    pub sheet: Option<String>,
    /// The row of the headers, 1-based.
    pub header_row: usize,
    /// chrono formats for dates written as text, tried after `YYYY-MM-DD`.
    pub date_formats: Vec<String>,
    /// Header key → (the header as the map writes it, the field).
    pub columns: Vec<(String, String, Field)>,
    /// Field → cell key → value.
    pub values: BTreeMap<Field, BTreeMap<String, String>>,
    /// Field → the value for rows that leave it blank.
    pub defaults: BTreeMap<Field, String>,
    /// Field → width: codes stored as numbers get leading zeros to that width.
    pub pad: BTreeMap<Field, usize>,
    /// True for crs's own export: columns it lacks are simply not filled.
    pub built_in: bool,
}

/// The map file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MapFile {
    sheet: Option<String>,
    #[serde(default = "first_row")]
    header_row: usize,
    #[serde(default)]
    date_formats: Vec<String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    defaults: BTreeMap<String, String>,
    #[serde(default)]
    pad: BTreeMap<String, usize>,
}

fn first_row() -> usize {
    1
}

impl Map {
    /// Reads the map file at `path`.
    pub fn read(path: &Path, framework: &Framework) -> Result<Map> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Map::parse(&text, framework).and_then(|map| map.complete().map(|()| map).map_err(|e| format!(": {e}"))).map_err(|message| Error::Input {
            message: format!("map {}{message}", path.display()),
            hint: "correct the map file; README \"Moving from a spreadsheet\" has a worked example, and crs import --fields lists the fields".to_owned(),
        })
    }

    /// Whether the map gives every record what it needs: said once for the map,
    /// rather than once for every row that lacks it.
    fn complete(&self) -> std::result::Result<(), String> {
        // What every record needs, said once for the map rather than for every row.
        let given = |field: &Field| {
            self.columns.iter().any(|(_, _, f)| f == field) || self.defaults.contains_key(field)
        };
        let needed = [
            (Field::ProviderName, "the provider's name"),
            (Field::ProviderKind, "the provider's kind (foundation-trust, nhs-trust, independent or other)"),
            (Field::ProviderLicence, "the provider's licence (licensed, unlicensed, applied or exempt)"),
            (Field::ServiceName, "the service's name"),
        ];
        let missing: Vec<String> = needed
            .iter()
            .filter(|(field, _)| !given(field))
            .map(|(field, what)| format!("{} ({what})", field.name()))
            .collect();
        if !given(&Field::ProviderOds) && !given(&Field::Id) {
            return Err(
                "no column gives the provider's code: map one to provider.ods (or the record id to id)"
                    .to_owned(),
            );
        }
        if !missing.is_empty() {
            return Err(format!(
                "no column and no [defaults] entry gives {}: every record needs it; map a column to it, or state it in [defaults]",
                missing.join(", ")
            ));
        }
        Ok(())
    }

    /// The map in `text`; the error starts with the line (`:3: …`) where TOML names
    /// one, else with `: `.
    pub fn parse(text: &str, framework: &Framework) -> std::result::Result<Map, String> {
        Map::parse_file(text, framework).map_err(|(at, message)| match at {
            Some(at) => {
                let line = text[..at.min(text.len())].matches('\n').count() + 1;
                format!(":{line}: {message}")
            }
            None => format!(": {message}"),
        })
    }

    /// The map in `text`, or the byte offset of the mistake (when TOML knows it) and
    /// what it is.
    fn parse_file(text: &str, framework: &Framework) -> std::result::Result<Map, (Option<usize>, String)> {
        let file: MapFile = toml::from_str(text)
            .map_err(|e| (e.span().map(|s| s.start), e.message().trim_end().to_owned()))?;
        Map::resolve(file, framework).map_err(|message| (None, message))
    }

    fn resolve(file: MapFile, framework: &Framework) -> std::result::Result<Map, String> {
        if file.header_row == 0 {
            return Err("header_row counts from 1, the sheet's first row".to_owned());
        }
        for format in &file.date_formats {
            if chrono::format::StrftimeItems::new(format).any(|i| matches!(i, chrono::format::Item::Error)) {
                return Err(format!("date format '{format}' is not a chrono format such as %d/%m/%Y"));
            }
            // A format must read back a whole day: "%Y" alone, or a time, never does.
            // (Written with `write!`: a time or an offset cannot be shown for a day,
            // and `to_string` would panic.)
            let day = chrono::NaiveDate::from_ymd_opt(2019, 3, 14).unwrap_or_default();
            let mut shown = String::new();
            let whole = std::fmt::Write::write_fmt(&mut shown, format_args!("{}", day.format(format)))
                .is_ok()
                && chrono::NaiveDate::parse_from_str(&shown, format) == Ok(day);
            if !whole {
                return Err(format!(
                    "date format '{format}' does not give a whole day: it needs the day, the month and the year, as %d/%m/%Y does"
                ));
            }
        }
        let field =
            |name: &str, table: &str| Field::parse(name, framework).map_err(|e| format!("[{table}]: {e}"));
        let mut columns = Vec::new();
        for (header, name) in &file.columns {
            columns.push((header_key(header), header.clone(), field(name, "columns")?));
        }
        let mut values = BTreeMap::new();
        for (name, table) in &file.values {
            let table = table.iter().map(|(cell, value)| (header_key(cell), value.clone())).collect();
            values.insert(field(name, "values")?, table);
        }
        let mut defaults = BTreeMap::new();
        for (name, value) in &file.defaults {
            defaults.insert(field(name, "defaults")?, value.clone());
        }
        let mut pad = BTreeMap::new();
        for (name, width) in &file.pad {
            if !(1..=16).contains(width) {
                return Err(format!("[pad] '{name}' = {width}: a width is 1 to 16 characters"));
            }
            pad.insert(field(name, "pad")?, *width);
        }
        if columns.is_empty() {
            return Err("[columns] maps no column to a field".to_owned());
        }
        Ok(Map {
            sheet: file.sheet,
            header_row: file.header_row,
            date_formats: file.date_formats,
            columns,
            values,
            defaults,
            pad,
            built_in: false,
        })
    }

    /// The map of crs's own export: every heading crs writes, to its field. The
    /// commissioner columns are not read (the commissioner is the register's), nor
    /// the file and commit columns.
    pub fn crs_export(framework: &Framework) -> Map {
        let names: Vec<String> =
            known_names(framework).into_iter().filter(|n| n != GROUNDS && n != STAGES).collect();
        let columns = resolve(&names, framework).unwrap_or_default();
        let columns = columns
            .iter()
            .filter_map(|column| {
                let field = match column {
                    Column::CoCommissioners => Field::CoCommissioners,
                    Column::ProviderCode => Field::ProviderOds,
                    Column::ProviderName => Field::ProviderName,
                    Column::ProviderKind => Field::ProviderKind,
                    Column::ProviderLicence => Field::ProviderLicence,
                    Column::ServiceName => Field::ServiceName,
                    Column::ServiceDescription => Field::ServiceDescription,
                    Column::TreatmentFunctions => Field::ServiceTreatmentFunctions,
                    Column::Sites => Field::ServiceSites,
                    Column::LocationSpecific => Field::ServiceLocationSpecific,
                    Column::Ground { key, .. } => Field::Ground(key.clone()),
                    Column::Status => Field::Status,
                    // Both speak of the designation where there is one; the first
                    // filled counts.
                    Column::DecisionDate | Column::DesignationDate => Field::DecidedOn,
                    Column::DecidedBy => Field::DecidedBy,
                    Column::DecisionReference => Field::DecisionReference,
                    Column::DecisionCommissioner => Field::DecisionCommissioner,
                    Column::WrittenRequestDate => Field::Event(EventKind::WrittenRequestSent),
                    Column::ProviderResponse => Field::Response,
                    Column::ProviderResponseDate => Field::ResponseOn,
                    Column::AcceptanceDate => Field::Event(EventKind::ProviderAccepted),
                    Column::ReviewDue => Field::ReviewDue,
                    Column::ConfirmationDate => Field::ConfirmationDecidedOn,
                    Column::ConfirmedBy => Field::ConfirmationDecidedBy,
                    Column::ConfirmationReference => Field::ConfirmationReference,
                    Column::RemovalDate => Field::RemovalDecidedOn,
                    Column::RemovedBy => Field::RemovalDecidedBy,
                    Column::RemovalReference => Field::RemovalReference,
                    Column::RemovalNotified => Field::Event(EventKind::ProviderNotifiedOfRemoval),
                    Column::LongTermOutcome => Field::LongTermOutcome,
                    Column::Contact => Field::Contact,
                    Column::RecordId => Field::Id,
                    // The export's Decision column is the decision now (a removal,
                    // a confirmation), beside the designation's date: the status says
                    // the same, so it is not read.
                    // The status is read from its label; the code beside it says
                    // the same. Stage columns are not read back: an import makes no
                    // assessment up, and keeps those it finds in the register.
                    // Words for people about the provider a decision keeps; not
                    // read back.
                    Column::StatusCode
                    | Column::DesignatedWith
                    | Column::StageMet { .. }
                    | Column::StageRationale { .. } => {
                        return None;
                    }
                    // The section follows from the status.
                    Column::Decision
                    | Column::Section
                    | Column::CommissionerCode
                    | Column::CommissionerName
                    | Column::File
                    | Column::Commit => return None,
                };
                Some((header_key(column.heading()), column.heading().to_owned(), field))
            })
            .collect();
        let mut defaults = BTreeMap::new();
        // The default export has no licence column: a designated provider is licensed.
        defaults.insert(Field::ProviderLicence, "licensed".to_owned());
        Map {
            sheet: Some(crate::export::xlsx::DESIGNATIONS_SHEET.to_owned()),
            header_row: 1,
            date_formats: Vec::new(),
            columns,
            values: BTreeMap::new(),
            defaults,
            pad: BTreeMap::new(),
            built_in: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example_map_reads() {
        let map = Map::parse(
            r#"sheet = "CRS designations"
header_row = 3
date_formats = ["%d/%m/%Y", "%d %B %Y"]
[columns]
"Provider code" = "provider.ods"
" Date  designated " = "decision.decided_on"
"Ground 1 (no alternative)" = "grounds.no-alternative-provider"
[values."provider.kind"]
"FT" = "foundation-trust"
[defaults]
"provider.licence" = "licensed"
[pad]
"provider.ods" = 3
"#,
            &Framework::default_built_in(),
        )
        .unwrap();
        assert_eq!(map.header_row, 3);
        assert!(map.columns.iter().any(|(k, _, f)| k == "date designated" && *f == Field::DecidedOn));
        assert_eq!(map.values[&Field::ProviderKind]["ft"], "foundation-trust");
        assert_eq!(map.pad[&Field::ProviderOds], 3);
    }

    #[test]
    fn misspelt_fields_and_keys_are_refused() {
        let err =
            Map::parse("[columns]\n\"A\" = \"provider.odss\"\n", &Framework::default_built_in()).unwrap_err();
        assert!(err.contains("did you mean provider.ods"), "{err}");
        assert!(Map::parse("colums = {}\n", &Framework::default_built_in()).is_err());
        assert!(
            Map::parse("header_row = 0\n[columns]\n\"A\" = \"id\"\n", &Framework::default_built_in())
                .is_err()
        );
    }

    #[test]
    fn a_map_mistake_names_its_line() {
        let err = Map::parse("header_row = 3\n\n[columns\n\"A\" = \"id\"\n", &Framework::default_built_in())
            .unwrap_err();
        assert!(err.starts_with(":3: "), "{err}");
    }

    #[test]
    fn date_formats_must_give_a_whole_day() {
        for format in ["%Y", "%H:%M", "", "%d/%m", "%z"] {
            let text = format!("date_formats = [\"{format}\"]\n[columns]\n\"A\" = \"id\"\n");
            let err = Map::parse(&text, &Framework::default_built_in()).unwrap_err();
            assert!(err.contains("does not give a whole day"), "{format}: {err}");
        }
        for format in ["%d/%m/%Y", "%d %B %Y", "%d-%b-%y", "%Y%m%d"] {
            let text = format!("date_formats = [\"{format}\"]\n[columns]\n\"A\" = \"id\"\n");
            assert!(Map::parse(&text, &Framework::default_built_in()).is_ok(), "{format}");
        }
    }

    #[test]
    fn every_field_name_parses_back() {
        for (name, _) in all_fields(&Framework::default_built_in()) {
            assert_eq!(Field::parse(&name, &Framework::default_built_in()).unwrap().name(), name);
        }
    }
}
