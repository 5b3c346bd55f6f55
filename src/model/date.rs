//! `Date`: a calendar day as records store it — a native TOML date on disk, a
//! `YYYY-MM-DD` string everywhere else (JSON, YAML, CSV, the JSON Schema).
//!
//! chrono's `NaiveDate` cannot be read straight from a TOML date, and serialising
//! toml's own `Datetime` into JSON leaks its private wrapper map, so this newtype
//! owns both directions. It is also the one reader of dates written as text:
//! `YYYY-MM-DD` ([`FromStr`], with what is wrong when it is not a day) and the
//! `YYYYMMDD` of NHS Digital's files ([`Date::from_basic`]).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A calendar day with no time and no zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

impl Date {
    /// Builds a date from its parts; `None` when the day does not exist.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(year, month, day).map(Date)
    }

    /// A date written `YYYY-MM-DD` exactly (no spaces around it); `None` when the
    /// text has another shape or names no day. Reads without chrono's general format
    /// parser: an organisation cache holds tens of thousands of dates.
    pub fn from_iso(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Date::from_ymd(i32::try_from(digits(&b[0..4])?).ok()?, digits(&b[5..7])?, digits(&b[8..10])?)
    }

    /// A date written `YYYYMMDD` (ISO 8601's basic form, as NHS Digital's files write
    /// it); `None` when the text has another shape or names no day.
    pub fn from_basic(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 8 {
            return None;
        }
        Date::from_ymd(i32::try_from(digits(&b[0..4])?).ok()?, digits(&b[4..6])?, digits(&b[6..8])?)
    }

    /// The day `days` days later (or earlier, when negative); `None` past the calendar's end.
    pub fn plus_days(self, days: i64) -> Option<Date> {
        chrono::Duration::try_days(days).and_then(|d| self.0.checked_add_signed(d)).map(Date)
    }

    /// The date as people write it: "1 April 2023".
    pub fn in_words(self) -> String {
        self.0.format("%-d %B %Y").to_string()
    }

    /// The date as a TOML value, for writing records.
    pub fn to_toml(self) -> toml::value::Datetime {
        toml::value::Datetime {
            date: Some(toml::value::Date {
                year: self.0.year() as u16,
                month: self.0.month() as u8,
                day: self.0.day() as u8,
            }),
            time: None,
            offset: None,
        }
    }

    fn from_toml(value: &toml::value::Datetime) -> Result<Date, String> {
        match (value.date, value.time, value.offset) {
            (Some(d), None, None) => {
                let (year, month, day) = (d.year.into(), d.month.into(), d.day.into());
                Date::from_ymd(year, month, day).ok_or_else(|| {
                    format!(
                        "{value} is not a day of the calendar: {}",
                        no_such_day(year, month, day).unwrap_or_default()
                    )
                })
            }
            _ => Err(format!("expected a date like 2025-03-10, found the date-time {value}")),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// Why text could not be read as a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateParseError {
    /// Not written as `YYYY-MM-DD`.
    #[error("'{0}' is not a date: write it as YYYY-MM-DD, e.g. 2025-03-10")]
    Shape(String),
    /// Written as a date, but the day is not in the calendar (2025-02-30).
    #[error("'{text}' is not a day of the calendar: {reason}")]
    NoSuchDay { text: String, reason: String },
}

/// Why year-month-day names no day, in words ("February 2025 has 28 days"), or `None`
/// when it is a real day. The one reading of a date's parts that both the command
/// line and the records use.
pub fn no_such_day(year: i32, month: u32, day: u32) -> Option<String> {
    if NaiveDate::from_ymd_opt(year, month, day).is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let Some(name) = month.checked_sub(1).and_then(|i| MONTHS.get(i as usize)) else {
        return Some(format!("there is no month {month:02}; months run from 01 to 12"));
    };
    let length = (28..=31).rev().find(|d| NaiveDate::from_ymd_opt(year, month, *d).is_some());
    Some(match length {
        Some(length) if day == 0 => format!("days of {name} {year} run from 01 to {length}"),
        Some(length) => format!("{name} {year} has {length} days"),
        None => format!("{year} is outside the calendar crs can read"),
    })
}

/// The number written by `digits`, all of them ASCII digits; `None` otherwise.
fn digits(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
}

impl FromStr for Date {
    type Err = DateParseError;

    fn from_str(text: &str) -> Result<Date, DateParseError> {
        let text = text.trim();
        let shape_ok = text.len() == 10
            && text
                .bytes()
                .enumerate()
                .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
        if !shape_ok {
            return Err(DateParseError::Shape(text.to_owned()));
        }
        let part = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
        let (year, month, day) = (part(0..4) as i32, part(5..7), part(8..10));
        Date::from_ymd(year, month, day).ok_or_else(|| DateParseError::NoSuchDay {
            text: text.to_owned(),
            reason: no_such_day(year, month, day).unwrap_or_default(),
        })
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        deserializer.deserialize_any(DateVisitor)
    }
}

struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date like 2025-03-10")
    }

    // A quoted date is almost always meant as a date; say how to write it rather
    // than reject it with a type error nobody can act on.
    fn visit_str<E: de::Error>(self, text: &str) -> Result<Date, E> {
        match text.parse::<Date>() {
            Ok(_) => Err(E::custom(format!("write the date without quotes: {text} rather than \"{text}\""))),
            Err(e) => Err(E::custom(e)),
        }
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Date, A::Error> {
        let value = toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Date::from_toml(&value).map_err(de::Error::custom)
    }
}

impl schemars::JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": "A calendar day, written in TOML as a bare date: 2025-03-10"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Serialize)]
    struct Holder {
        on: Date,
    }

    #[test]
    fn reads_native_toml_date() {
        let h: Holder = toml::from_str("on = 2025-03-10").unwrap();
        assert_eq!(h.on, Date::from_ymd(2025, 3, 10).unwrap());
    }

    #[test]
    fn rejects_what_is_not_a_bare_day_saying_why() {
        // What the record holds, and what the error says of it.
        for (toml, says) in [
            ("on = 2025-02-30", "2025-02-30"),
            ("on = \"2025-03-10\"", "without quotes"),
            ("on = 2025-03-10T10:00:00", "date-time"),
        ] {
            let err = toml::from_str::<Holder>(toml).unwrap_err();
            assert!(err.to_string().contains(says), "{toml}: {err}");
        }
    }

    #[test]
    fn writes_json_as_plain_string() {
        let h = Holder { on: Date::from_ymd(2025, 1, 2).unwrap() };
        assert_eq!(serde_json::to_string(&h).unwrap(), r#"{"on":"2025-01-02"}"#);
    }

    #[test]
    fn parses_only_full_iso_dates() {
        assert!("2025-1-2".parse::<Date>().is_err());
        assert!("2025-13-01".parse::<Date>().is_err());
        assert!("+999-01-01".parse::<Date>().is_err());
        assert!("-001-01-01".parse::<Date>().is_err());
        assert_eq!("2024-02-29".parse::<Date>().unwrap().to_string(), "2024-02-29");
    }

    #[test]
    fn reads_iso_dates_that_exist_exactly_as_written() {
        assert_eq!(Date::from_iso("2024-02-29"), Date::from_ymd(2024, 2, 29));
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-1-01",
            "2025/01/01",
            "20250101",
            "+025-01-01",
            " 2025-01-01",
            "",
        ] {
            assert_eq!(Date::from_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_basic_dates_that_exist() {
        assert_eq!(Date::from_basic("20240229"), Date::from_ymd(2024, 2, 29));
        for bad in ["20250229", "20251301", "2025-01-01", "2025011", "+0250101", "2025 101", ""] {
            assert_eq!(Date::from_basic(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_day_not_in_the_calendar_says_how_long_the_month_is() {
        let err = |text: &str| text.parse::<Date>().unwrap_err().to_string();
        assert_eq!(err("2025-02-30"), "'2025-02-30' is not a day of the calendar: February 2025 has 28 days");
        assert_eq!(err("2024-02-30"), "'2024-02-30' is not a day of the calendar: February 2024 has 29 days");
        assert_eq!(err("2025-04-31"), "'2025-04-31' is not a day of the calendar: April 2025 has 30 days");
        assert!(err("2025-13-01").contains("no month 13"));
        assert!(err("2025-01-00").contains("run from 01 to 31"));
    }
}
