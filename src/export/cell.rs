//! `Cell`: one value of the export, typed so each format can write it properly (real
//! dates in the workbook, booleans and arrays in JSON, a code's words for people and
//! the code itself for programs), and the neutralising of text a
//! spreadsheet would run as a formula.

use std::borrow::Cow;

use serde::{Serialize, Serializer};

use crate::export::section::Section;
use crate::model::{Date, DecisionOutcome, Event, Licence, ProviderKind, Status};

/// A value in a row. Kept to 24 bytes (text and lists boxed to their length, a code
/// by what it codes): an export of 100,000 records holds some 3 million of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Empty,
    Text(Box<str>),
    Date(Date),
    /// Written "Yes" or "No" in the workbook and the CSV, true or false in JSON.
    YesNo(bool),
    /// Codes and the like: "501; 560" in the workbook and the CSV, an array in JSON.
    List(Box<[String]>),
    /// A code that people read as words: the label in the workbook ("Under review"),
    /// the code in the CSV and JSON ("under-review").
    Coded(Code),
}

/// What a [`Cell::Coded`] holds: one of the register's coded values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    Section(Section),
    ProviderKind(ProviderKind),
    Licence(Licence),
    Status(Status),
    Outcome(DecisionOutcome),
}

impl Code {
    /// The code, for programs: "under-review".
    pub fn code(self) -> &'static str {
        match self {
            Code::Section(section) => section.key(),
            Code::ProviderKind(kind) => kind.as_str(),
            Code::Licence(licence) => licence.as_str(),
            Code::Status(status) => status.as_str(),
            Code::Outcome(outcome) => outcome.as_str(),
        }
    }

    /// The words, for people: "Under review".
    pub fn label(self) -> &'static str {
        match self {
            Code::Section(section) => section.label(),
            Code::ProviderKind(kind) => kind.label(),
            Code::Licence(licence) => licence.label(),
            Code::Status(status) => status.label(),
            Code::Outcome(outcome) => outcome.label(),
        }
    }
}

/// How a list is joined in a single cell.
pub const LIST_SEPARATOR: &str = "; ";

impl Cell {
    /// Text, or `Empty` when the text is empty.
    pub fn text(text: impl Into<String>) -> Cell {
        let text = text.into();
        if text.is_empty() { Cell::Empty } else { Cell::Text(text.into_boxed_str()) }
    }

    /// A list, empty or not (JSON has an array for a list column either way).
    pub fn list(items: &[String]) -> Cell {
        Cell::List(items.into())
    }

    /// A date, or `Empty`.
    pub fn date(date: Option<Date>) -> Cell {
        date.map_or(Cell::Empty, Cell::Date)
    }

    /// The day of a step: a date, or, when its own day is not recorded, text that
    /// says so ("by 2020-03-01 (day not recorded)"), never a bare date; `Empty` for
    /// no step.
    pub fn event_day(event: Option<&Event>) -> Cell {
        match event {
            None => Cell::Empty,
            Some(event) if event.date_known => Cell::Date(event.on),
            Some(event) => Cell::text(event.day_text()),
        }
    }

    /// The cell as one piece of text, as the workbook and the CSV show it (not yet
    /// neutralised).
    pub fn display(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(text) => Cow::Borrowed(text),
            Cell::Date(date) => Cow::Owned(date.to_string()),
            Cell::YesNo(true) => Cow::Borrowed("Yes"),
            Cell::YesNo(false) => Cow::Borrowed("No"),
            Cell::List(items) => Cow::Owned(items.join(LIST_SEPARATOR)),
            Cell::Coded(coded) => Cow::Borrowed(coded.code()),
        }
    }

    /// The cell as people read it in the workbook: a code's label, else as
    /// [`Cell::display`].
    pub fn for_people(&self) -> Cow<'_, str> {
        match self {
            Cell::Coded(coded) => Cow::Borrowed(coded.label()),
            other => other.display(),
        }
    }
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Empty => serializer.serialize_none(),
            Cell::Text(text) => serializer.serialize_str(text),
            Cell::Date(date) => date.serialize(serializer),
            Cell::YesNo(value) => serializer.serialize_bool(*value),
            Cell::List(items) => items.serialize(serializer),
            Cell::Coded(coded) => serializer.serialize_str(coded.code()),
        }
    }
}

/// True when a spreadsheet would take `text` as the start of a formula (or of a DDE
/// payload): it begins with `=`, `+`, `-`, `@`, a tab or a carriage return.
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// `text` made safe for a CSV cell: a single quote before anything a spreadsheet
/// would run as a formula, so it shows as text.
pub fn neutralise_for_csv(text: &str) -> Cow<'_, str> {
    if looks_like_formula(text) { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised_and_nothing_else() {
        for bad in ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(looks_like_formula(bad), "{bad:?}");
            assert_eq!(neutralise_for_csv(bad), format!("'{bad}"));
        }
        for fine in ["Maternity", "", " =1", "A-E", "'quoted"] {
            assert_eq!(neutralise_for_csv(fine), fine);
        }
    }

    #[test]
    fn cells_display_and_serialise_by_type() {
        let date = Cell::Date("2025-02-03".parse().unwrap());
        assert_eq!(date.display(), "2025-02-03");
        assert_eq!(Cell::YesNo(true).display(), "Yes");
        assert_eq!(Cell::list(&["501".into(), "560".into()]).display(), "501; 560");
        let json = serde_json::to_string(&[date, Cell::YesNo(false), Cell::Empty, Cell::list(&["A".into()])])
            .unwrap();
        assert_eq!(json, r#"["2025-02-03",false,null,["A"]]"#);
        assert_eq!(Cell::text(""), Cell::Empty);
        assert_eq!(Cell::Coded(Code::Status(Status::UnderReview)).for_people(), "Under review");
    }

    #[test]
    fn a_cell_takes_24_bytes() {
        assert_eq!(std::mem::size_of::<Cell>(), 24);
    }
}
