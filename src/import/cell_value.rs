//! One cell of the sheet turned into a typed field value: the map's translation of
//! the sheet's words first, then the field's own reading (dates from real dates,
//! serial numbers or text in the map's formats; yes/no from Y, Yes, ✓, N, No or
//! blank; kinds, licences, statuses and answers by name or label; codes kept as the
//! cell's text, padded only where the map says). A cell that cannot be read gives
//! what is wrong with it and what to do; naming its row and column is the row's work.

use crate::import::map::{Field, Map, header_key};
use crate::import::row::{Response, Value};
use crate::import::sheet::{Cell, clean, number_text, serial_date};
use crate::model::{Date, DecisionOutcome, Licence, ProviderKind, Status};

/// What is wrong with a cell, and what to do about it.
pub(crate) type CellError = (String, String);

/// The value of `cell` for `field`: the map's translation first, then the field's
/// own reading. `Ok(None)` for a cell that says nothing (a blank after translation).
pub fn read_cell(cell: &Cell, field: &Field, map: &Map) -> Result<Option<Value>, CellError> {
    if let Cell::Uncalculated(at) = cell {
        return Err((
            format!("(cell {at}) holds a formula whose value was not saved in the file, so crs cannot tell what it says"),
            "open the workbook in Excel or LibreOffice, recalculate it (Excel: Ctrl+Alt+F9; LibreOffice: Data > Calculate > Recalculate Hard) and save it, so that every formula's value is saved with it; or type the value in place of the formula; then import again".to_owned(),
        ));
    }
    if let Cell::Error(_) = cell {
        return Err((
            "is a formula that failed, not a value".to_owned(),
            "mend the formula in the sheet (or type the value in its place), then import again".to_owned(),
        ));
    }
    let mut text = match cell {
        Cell::Number(n) => {
            let plain = number_text(*n);
            match map.pad.get(field) {
                Some(width) if plain.chars().all(|c| c.is_ascii_digit()) => format!("{plain:0>width$}"),
                _ => plain,
            }
        }
        other => clean(&other.text()),
    };
    let translated = translation(map, field, &text);
    if let Some(value) = translated {
        text = value.trim().to_owned();
        if text.is_empty() {
            return Ok(None);
        }
    } else if field.is_date() {
        if field.may_be_undated()
            && let Some(by) = undated(&text)
        {
            return Ok(Some(Value::DateBy(by)));
        }
        return date_of(cell, &text, map).map(|d| Some(Value::Date(d)));
    }
    let named = |what: &str, values: &[&str]| -> CellError {
        (
            format!("is not {what}"),
            format!(
                "write one of: {}; or say what the sheet's word means with [values.\"{}\"] in the map: \"{}\" = \"…\", with the one of those it means",
                values.join(", "),
                field.name(),
                text,
            ),
        )
    };
    let names = |all: &[&'static str]| all.to_vec();
    Ok(Some(match field {
        Field::ProviderKind => Value::Kind(
            keyword(&text).parse().ok().or_else(|| by_label(&ProviderKind::ALL, ProviderKind::label, &text)).ok_or_else(|| named("a provider kind", &names(&ProviderKind::ALL.map(ProviderKind::as_str))))?,
        ),
        Field::ProviderLicence => Value::Licence(
            keyword(&text).parse().ok().or_else(|| by_label(&Licence::ALL, Licence::label, &text)).ok_or_else(|| named("a licence state", &names(&Licence::ALL.map(Licence::as_str))))?,
        ),
        Field::DecisionOutcome => Value::Outcome(outcome(&keyword(&text)).ok_or_else(|| {
            named("a decision outcome", &["designate", "do-not-designate", "confirm", "remove"])
        })?),
        Field::Status => Value::Status(
            keyword(&text).parse().ok().or_else(|| by_label(&Status::ALL, Status::label, &text)).ok_or_else(|| named("a status", &names(&Status::ALL.map(Status::as_str))))?,
        ),
        Field::Response => Value::Response(
            Response::ALL
                .into_iter()
                .find(|r| header_key(r.as_str()) == header_key(&text))
                .ok_or_else(|| named("an answer to a written request", &names(&Response::ALL.map(Response::as_str))))?,
        ),
        Field::ServiceSiteNames => {
            Value::List(text.split([';', '\n']).map(clean).filter(|s| !s.is_empty()).collect())
        }
        Field::Ground(_) | Field::ServiceLocationSpecific | Field::StageMet(_) => match cell {
            Cell::Bool(b) if translated.is_none() => Value::Yes(*b),
            _ => Value::Yes(yes_no(&text).ok_or_else(|| {
                (
                    "is neither yes nor no".to_owned(),
                    format!(
                        "write Y, Yes or ✓ for yes and N, No or nothing for no, or translate it with [values.\"{}\"] in the map",
                        field.name()
                    ),
                )
            })?),
        },
        Field::ServiceSites | Field::ServiceTreatmentFunctions | Field::CoCommissioners => {
            let width = map.pad.get(field).copied().unwrap_or(0);
            Value::List(
                text.split([';', ',', '\n'])
                    .map(|s| clean(s).to_uppercase())
                    .filter(|s| !s.is_empty())
                    .map(|s| if s.chars().all(|c| c.is_ascii_digit()) { format!("{s:0>width$}") } else { s })
                    .collect(),
            )
        }
        Field::ProviderOds => Value::Text(text.to_uppercase()),
        field if field.is_date() => Value::Date(date_of(&Cell::Text(text.clone()), &text, map)?),
        _ => Value::Text(text),
    }))
}

/// What the map's `[values]` for `field` make of a cell's `text`, if they name it.
pub(crate) fn translation<'m>(map: &'m Map, field: &Field, text: &str) -> Option<&'m String> {
    map.values.get(field).and_then(|table| table.get(&header_key(text)))
}

/// The item whose label (as the workbook writes it: "NHS foundation trust") is
/// `text`, in any case.
fn by_label<T: Copy>(all: &[T], label: fn(T) -> &'static str, text: &str) -> Option<T> {
    all.iter().copied().find(|item| label(*item).eq_ignore_ascii_case(text.trim()))
}

/// "Foundation Trust" → "foundation-trust": a name as crs writes it.
fn keyword(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join("-").to_lowercase().replace('_', "-")
}

fn outcome(text: &str) -> Option<DecisionOutcome> {
    [
        DecisionOutcome::Designate,
        DecisionOutcome::DoNotDesignate,
        DecisionOutcome::Confirm,
        DecisionOutcome::Remove,
    ]
    .into_iter()
    .find(|o| o.as_str() == text)
}

/// The latest day of a step whose own day is not recorded, as crs's export writes it:
/// "by 2020-03-01 (day not recorded)".
fn undated(text: &str) -> Option<Date> {
    text.strip_prefix("by ")?.strip_suffix(" (day not recorded)")?.trim().parse().ok()
}

/// Yes or no as spreadsheets write it.
pub fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "y" | "yes" | "✓" | "✔" | "true" | "x" | "1" => Some(true),
        "" | "n" | "no" | "false" | "0" | "-" | "✗" | "✘" => Some(false),
        _ => None,
    }
}

/// The date in `cell`: a real date, a serial number, or text as `YYYY-MM-DD` or in
/// one of the map's formats.
fn date_of(cell: &Cell, text: &str, map: &Map) -> Result<Date, CellError> {
    match cell {
        Cell::Date(date) => return Ok(*date),
        Cell::Number(n) => {
            // A plain number is a day only as a serial number of this century's
            // days: 2018 typed as a number is a year, not 10 July 1905.
            return serial_date(*n).filter(|d| chrono::Datelike::year(&d.0) >= 2000).ok_or_else(|| {
                (
                    "is a number, not a date".to_owned(),
                    "write the whole day as a date, e.g. 2019-03-14, or give the cell a date format"
                        .to_owned(),
                )
            });
        }
        _ => {}
    }
    if let Ok(date) = text.parse::<Date>() {
        return Ok(date);
    }
    // A date-time written as text keeps its day.
    if let Some(date) =
        text.get(..10).filter(|_| text.len() > 10 && text.as_bytes()[10] == b'T').and_then(|d| d.parse().ok())
    {
        return Ok(date);
    }
    for format in &map.date_formats {
        if let Ok(day) = chrono::NaiveDate::parse_from_str(text, format) {
            return Ok(Date(day));
        }
    }
    let tried = if map.date_formats.is_empty() {
        "YYYY-MM-DD".to_owned()
    } else {
        format!("YYYY-MM-DD, {}", map.date_formats.join(", "))
    };
    Err((
        "is not a date".to_owned(),
        format!(
            "write a day that exists in one of the formats {tried}, or add its format to date_formats in the map"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Framework;

    fn map(extra: &str) -> Map {
        let framework = Framework::default_built_in();
        Map::parse(
            &format!("date_formats = [\"%d/%m/%Y\", \"%d %B %Y\"]\n{extra}\n[columns]\n\"A\" = \"id\"\n"),
            &framework,
        )
        .unwrap()
    }

    #[test]
    fn dates_come_as_dates_serials_and_text() {
        let m = map("");
        let read = |cell: Cell| read_cell(&cell, &Field::DecidedOn, &m);
        let day = Value::Date("2019-03-14".parse().unwrap());
        assert_eq!(read(Cell::Date("2019-03-14".parse().unwrap())), Ok(Some(day.clone())));
        assert_eq!(read(Cell::Number(43_538.0)), Ok(Some(day.clone())));
        assert_eq!(read(Cell::Text("14/03/2019".into())), Ok(Some(day.clone())));
        assert_eq!(read(Cell::Text(" 14 March 2019\u{a0}".into())), Ok(Some(day)));
        let (problem, todo) = read(Cell::Text("31/02/2019".into())).unwrap_err();
        assert_eq!(problem, "is not a date");
        assert!(todo.contains("%d/%m/%Y"), "{todo}");
    }

    #[test]
    fn codes_keep_their_zeros_and_pad_only_when_asked() {
        let plain = map("");
        assert_eq!(
            read_cell(&Cell::Text("010".into()), &Field::ProviderOds, &plain),
            Ok(Some(Value::Text("010".into())))
        );
        assert_eq!(
            read_cell(&Cell::Number(10.0), &Field::ProviderOds, &plain),
            Ok(Some(Value::Text("10".into())))
        );
        let padded = map("[pad]\n\"provider.ods\" = 3");
        assert_eq!(
            read_cell(&Cell::Number(10.0), &Field::ProviderOds, &padded),
            Ok(Some(Value::Text("010".into())))
        );
    }

    #[test]
    fn yes_and_no_as_people_write_them() {
        for yes in ["Y", "yes", "✓", " YES "] {
            assert_eq!(yes_no(yes), Some(true), "{yes}");
        }
        for no in ["N", "No", ""] {
            assert_eq!(yes_no(no), Some(false), "{no}");
        }
        assert_eq!(yes_no("maybe"), None);
        let m = map("[values.\"provider.kind\"]\n\"FT\" = \"foundation-trust\"");
        assert_eq!(
            read_cell(&Cell::Text("ft ".into()), &Field::ProviderKind, &m),
            Ok(Some(Value::Kind(ProviderKind::FoundationTrust)))
        );
        assert_eq!(
            read_cell(&Cell::Text("NHS Trust".into()), &Field::ProviderKind, &m),
            Ok(Some(Value::Kind(ProviderKind::NhsTrust)))
        );
    }
}
