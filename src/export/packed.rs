//! What the export holds of each record between reading the register and writing
//! it, packed: its row's cells ([`Cells`]) and its stage assessments ([`Assessed`]),
//! each in one allocation (lengths and bytes, a day as its number), unpacked record
//! by record as the files are written. An export of 100,000 records holds 3 million
//! cells and 400,000 stages of a few hundred characters each: as strings and lists
//! of their own they took some 400 MB, packed about half.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};

use crate::export::cell::{Cell, Code};
use crate::export::spill::{Spill, Spilled};
use crate::model::{Date, Stage};

/// A row's cells, packed: each a tag (`e`mpty, `t`ext, `d`ate, `y`es, `n`o, `l`ist,
/// `c`oded) and what it holds; the coded ones' codes beside.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cells {
    bytes: Box<[u8]>,
    codes: Box<[Code]>,
}

impl Cells {
    /// Packs `cells`, in their order.
    pub fn pack(cells: &[Cell]) -> Cells {
        let mut bytes = Vec::new();
        let mut codes = Vec::new();
        for cell in cells {
            match cell {
                Cell::Empty => bytes.push(b'e'),
                Cell::Text(text) => {
                    bytes.push(b't');
                    put_text(&mut bytes, text);
                }
                Cell::Date(date) => {
                    bytes.push(b'd');
                    put_date(&mut bytes, *date);
                }
                Cell::YesNo(yes) => bytes.push(if *yes { b'y' } else { b'n' }),
                Cell::List(items) => {
                    bytes.push(b'l');
                    put_number(&mut bytes, items.len());
                    for item in items {
                        put_text(&mut bytes, item);
                    }
                }
                Cell::Coded(code) => {
                    bytes.push(b'c');
                    codes.push(*code);
                }
            }
        }
        Cells { bytes: bytes.into_boxed_slice(), codes: codes.into_boxed_slice() }
    }

    /// The cells, as they were packed.
    pub fn unpack(&self) -> Vec<Cell> {
        let mut reader = Reader { bytes: &self.bytes };
        let mut codes = self.codes.iter();
        let mut cells = Vec::new();
        while !reader.bytes.is_empty() {
            cells.push(match reader.byte() {
                b't' => Cell::Text(reader.text().into_boxed_str()),
                b'd' => Cell::Date(reader.date()),
                b'n' => Cell::YesNo(false),
                b'y' => Cell::YesNo(true),
                b'l' => Cell::List((0..reader.number()).map(|_| reader.text()).collect()),
                b'c' => codes.next().map_or(Cell::Empty, |code| Cell::Coded(*code)),
                _ => Cell::Empty,
            });
        }
        cells
    }
}

/// A record's stage assessments, by key, packed: in memory, or set aside in a
/// [`Spill`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Assessed {
    Held(Box<[u8]>),
    Spilled(Spilled),
}

impl Default for Assessed {
    fn default() -> Assessed {
        Assessed::Held(Box::default())
    }
}

impl Assessed {
    /// Packs `stages` (key and stage), in their order, and sets them aside in
    /// `spill` when there is one that takes them.
    pub fn pack<'a>(
        stages: impl IntoIterator<Item = (&'a String, &'a Stage)>,
        spill: Option<&Spill>,
    ) -> Assessed {
        let bytes = Assessed::bytes(stages);
        match spill.and_then(|spill| spill.put(&bytes)) {
            Some(spilled) => Assessed::Spilled(spilled),
            None => Assessed::Held(bytes.into_boxed_slice()),
        }
    }

    fn bytes<'a>(stages: impl IntoIterator<Item = (&'a String, &'a Stage)>) -> Vec<u8> {
        let mut bytes = Vec::new();
        for (key, stage) in stages {
            put_text(&mut bytes, key);
            bytes.push(u8::from(stage.met));
            put_text(&mut bytes, &stage.rationale);
            put_number(&mut bytes, stage.evidence.len());
            for evidence in &stage.evidence {
                put_text(&mut bytes, evidence);
            }
            put_date(&mut bytes, stage.assessed_on);
            match &stage.assessed_by {
                Some(by) => {
                    bytes.push(1);
                    put_text(&mut bytes, by);
                }
                None => bytes.push(0),
            }
        }
        bytes
    }

    /// The stages, by key, as they were packed (from `spill`, where they were set
    /// aside).
    pub fn unpack(&self, spill: Option<&Spill>) -> std::io::Result<Vec<(String, Stage)>> {
        let bytes = self.bytes_from(spill)?;
        Ok(views(&bytes)
            .into_iter()
            .map(|view| {
                let stage = Stage {
                    met: view.met,
                    rationale: view.rationale.into_owned(),
                    evidence: view.evidence.into_iter().map(Cow::into_owned).collect(),
                    assessed_on: view.assessed_on,
                    assessed_by: view.assessed_by.map(Cow::into_owned),
                };
                (view.key.into_owned(), stage)
            })
            .collect())
    }

    /// The packed bytes, read back from `spill` where they were set aside: to be
    /// read with [`views`].
    pub(crate) fn bytes_from(&self, spill: Option<&Spill>) -> std::io::Result<Cow<'_, [u8]>> {
        match (self, spill) {
            (Assessed::Held(bytes), _) => Ok(Cow::Borrowed(&bytes[..])),
            (Assessed::Spilled(at), Some(spill)) => Ok(Cow::Owned(spill.get(*at)?)),
            (Assessed::Spilled(_), None) => Err(std::io::Error::other("the temporary file was lost")),
        }
    }
}

/// A stage assessment as packed, its text borrowed from the packed bytes.
pub(crate) struct StageView<'a> {
    pub key: Cow<'a, str>,
    pub met: bool,
    pub rationale: Cow<'a, str>,
    pub evidence: Vec<Cow<'a, str>>,
    pub assessed_on: Date,
    pub assessed_by: Option<Cow<'a, str>>,
}

/// The stages packed in `bytes` (of [`Assessed::bytes_from`]), in their order.
pub(crate) fn views(bytes: &[u8]) -> Vec<StageView<'_>> {
    let mut reader = Reader { bytes };
    let mut stages = Vec::new();
    while !reader.bytes.is_empty() {
        let key = reader.str();
        let met = reader.byte() == 1;
        let rationale = reader.str();
        let evidence = (0..reader.number()).map(|_| reader.str()).collect();
        let assessed_on = reader.date();
        let assessed_by = (reader.byte() == 1).then(|| reader.str());
        stages.push(StageView { key, met, rationale, evidence, assessed_on, assessed_by });
    }
    stages
}

fn put_number(bytes: &mut Vec<u8>, n: usize) {
    bytes.extend(u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

fn put_date(bytes: &mut Vec<u8>, date: Date) {
    bytes.extend(date.0.num_days_from_ce().to_le_bytes());
}

fn put_text(bytes: &mut Vec<u8>, text: &str) {
    put_number(bytes, text.len());
    bytes.extend(text.as_bytes());
}

/// Reads back what [`Assessed::pack`] wrote.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        let (taken, rest) = self.bytes.split_at(n.min(self.bytes.len()));
        self.bytes = rest;
        taken
    }

    fn byte(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }

    fn number(&mut self) -> usize {
        u32::from_le_bytes(self.take(4).try_into().unwrap_or_default()) as usize
    }

    fn date(&mut self) -> Date {
        let days = i32::from_le_bytes(self.take(4).try_into().unwrap_or_default());
        Date(NaiveDate::from_num_days_from_ce_opt(days).unwrap_or_default())
    }

    fn text(&mut self) -> String {
        self.str().into_owned()
    }

    fn str(&mut self) -> Cow<'a, str> {
        let n = self.number();
        String::from_utf8_lossy(self.take(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_come_back_as_they_were_packed() {
        let stage = |met, by: Option<&str>, evidence: &[&str]| Stage {
            met,
            rationale: "Nearest alternative — 40 miles".into(),
            evidence: evidence.iter().map(|e| e.to_string()).collect(),
            assessed_on: "2025-01-14".parse().unwrap(),
            assessed_by: by.map(str::to_owned),
        };
        let stages = vec![
            ("alternative_provision".to_owned(), stage(true, Some("A. Analyst"), &["Review", ""])),
            ("proportionality".to_owned(), stage(false, None, &[])),
            (
                "x".to_owned(),
                Stage { assessed_on: "1066-10-14".parse().unwrap(), ..stage(true, Some(""), &[]) },
            ),
        ];
        let packed = Assessed::pack(stages.iter().map(|(k, s)| (k, s)), None);
        assert_eq!(packed.unpack(None).unwrap(), stages);
        assert_eq!(Assessed::default().unpack(None).unwrap(), []);
        let spill = Spill::new().unwrap();
        let spilled = Assessed::pack(stages.iter().map(|(k, s)| (k, s)), Some(&spill));
        assert!(matches!(spilled, Assessed::Spilled(_)));
        assert_eq!(spilled.unpack(Some(&spill)).unwrap(), stages);
    }

    #[test]
    fn cells_come_back_as_they_were_packed() {
        let cells = vec![
            Cell::Empty,
            Cell::text("Guy's & St Thomas'"),
            Cell::Coded(Code::Status(crate::model::Status::Designated)),
            Cell::Date("2019-03-05".parse().unwrap()),
            Cell::YesNo(true),
            Cell::YesNo(false),
            Cell::list(&[]),
            Cell::list(&["501".into(), "".into()]),
            Cell::Coded(Code::Licence(crate::model::Licence::Exempt)),
        ];
        assert_eq!(Cells::pack(&cells).unpack(), cells);
        assert_eq!(Cells::default().unpack(), []);
    }
}
