//! One row of the sheet read through the map: the header row found, each mapped
//! column located, and each cell turned into a typed field value (by `cell_value`).
//! A cell that cannot be read is a `Problem` naming the row, the column and what to
//! do. No record is built here, and nothing judged beyond the cell itself.

use std::sync::Arc;

use crate::import::cell_value::{CellError, translation};
use crate::import::guard::size_text;
use crate::import::map::{Field, Map, header_key};
use crate::import::sheet::{Cell, Sheet, clean};
use crate::model::id::MAX_FILE_BYTES;
use crate::model::{Date, DecisionOutcome, EventKind, Licence, ProviderKind, Status};

pub use crate::import::cell_value::read_cell;

/// A row that cannot be imported as it stands, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub sheet: String,
    /// The sheet row, 1-based as the spreadsheet shows it.
    pub row: usize,
    /// The column's header, or what else the problem is about.
    pub column: String,
    pub value: String,
    pub problem: String,
    /// What to do about it.
    pub todo: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}, column '{}': ", self.row, self.column)?;
        if !self.value.is_empty() {
            write!(f, "'{}' ", self.value)?;
        }
        write!(f, "{}; {}", self.problem, self.todo)
    }
}

/// A value read from a cell.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Text(String),
    List(Vec<String>),
    Date(Date),
    Yes(bool),
    Kind(ProviderKind),
    Licence(Licence),
    Outcome(DecisionOutcome),
    Status(Status),
    /// The latest day a step can have happened, its own day not recorded: a cell that
    /// says "by 2020-03-01 (day not recorded)", as crs's own export writes one.
    DateBy(Date),
    Response(Response),
}

/// The provider's answer to a written request, and where a refusal went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Response {
    Awaiting,
    Accepted,
    Refused,
    Referred,
    FoundUnreasonable,
    FoundReasonable,
}

impl Response {
    /// Every answer, as crs's export writes it.
    pub const ALL: [Response; 6] = [
        Response::Awaiting,
        Response::Accepted,
        Response::Refused,
        Response::Referred,
        Response::FoundUnreasonable,
        Response::FoundReasonable,
    ];

    /// The answer as crs's export writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Response::Awaiting => "awaiting response",
            Response::Accepted => "accepted",
            Response::Refused => "refused",
            Response::Referred => "refused; referred to the regulator",
            Response::FoundUnreasonable => "refused; the regulator found the refusal unreasonable",
            Response::FoundReasonable => "refused; the regulator found the refusal reasonable",
        }
    }

    /// The steps after a written request that the answer says happened, in order.
    pub fn steps(self) -> &'static [EventKind] {
        match self {
            Response::Awaiting => &[],
            Response::Accepted => &[EventKind::ProviderAccepted],
            Response::Refused => &[EventKind::ProviderRefused],
            Response::Referred => &[EventKind::ProviderRefused, EventKind::ReferredToRegulator],
            Response::FoundUnreasonable => &[
                EventKind::ProviderRefused,
                EventKind::ReferredToRegulator,
                EventKind::RefusalFoundUnreasonable,
            ],
            Response::FoundReasonable => &[
                EventKind::ProviderRefused,
                EventKind::ReferredToRegulator,
                EventKind::RefusalFoundReasonable,
            ],
        }
    }
}

/// What every row of a sheet shares: the field and header of each column the map
/// reads and of each default it states (a row names them by their place here, not
/// by copies of its own), and the value of each default, read once for the sheet.
#[derive(Debug, Default)]
pub struct Slots {
    /// The field and header of each column, in the layout's order, then of each
    /// default ("(default …)").
    slots: Vec<(Field, Arc<str>)>,
    /// Each default's slot and value, in field order: a row that leaves the field
    /// empty (or has no column for it) gives it.
    defaults: Vec<(u32, Value)>,
}

impl Slots {
    fn field(&self, slot: u32) -> &Field {
        &self.slots[slot as usize].0
    }

    fn header(&self, slot: u32) -> &Arc<str> {
        &self.slots[slot as usize].1
    }
}

/// One row's fields, with the header each came from. A row holds a dozen fields or
/// so: a short list, not a map, keeps a sheet of 100,000 rows small; a field and its
/// header are named by their slot in the sheet's [`Slots`], and the map's defaults
/// are held there once, not in every row.
#[derive(Clone, Debug, Default)]
pub struct RowFields {
    /// The sheet row, 1-based.
    pub row: usize,
    slots: Arc<Slots>,
    /// Each field a cell gives, in field order, by its slot, with its value.
    cells: Vec<(u32, Value)>,
    /// The text as written of each cell the map's `[values]` translated (or a
    /// provider code read in capitals), by its slot, so that a problem names what
    /// the sheet says, not only what crs took it to mean.
    written: Vec<(u32, String)>,
}

impl RowFields {
    /// The slot of the cell that gives `field`, if one does.
    fn cell(&self, field: &Field) -> Option<&(u32, Value)> {
        self.cells.iter().find(|(slot, _)| self.slots.field(*slot) == field)
    }

    /// The slot and value of `field`: its cell's, else the map's default.
    fn entry(&self, field: &Field) -> Option<(u32, &Value)> {
        match self.cell(field) {
            Some((slot, value)) => Some((*slot, value)),
            None => self
                .slots
                .defaults
                .iter()
                .find(|(slot, _)| self.slots.field(*slot) == field)
                .map(|(s, v)| (*s, v)),
        }
    }

    /// Each field given, its value and the header it came from, in field order: the
    /// row's cells and the defaults of the fields they leave empty.
    pub fn entries(&self) -> impl Iterator<Item = (&Field, &Value, &Arc<str>)> {
        let slots: &Slots = &self.slots;
        fn named<'r>(
            slots: &'r Slots,
            (slot, value): &'r (u32, Value),
        ) -> (&'r Field, &'r Value, &'r Arc<str>) {
            (slots.field(*slot), value, slots.header(*slot))
        }
        let mut cells = self.cells.iter().map(move |entry| named(slots, entry)).peekable();
        let mut defaults = slots
            .defaults
            .iter()
            .map(move |entry| named(slots, entry))
            .filter(|(field, _, _)| self.cell(field).is_none())
            .peekable();
        std::iter::from_fn(move || match (cells.peek(), defaults.peek()) {
            (Some(cell), Some(default)) if default.0 < cell.0 => defaults.next(),
            (Some(_), _) => cells.next(),
            (None, _) => defaults.next(),
        })
    }

    /// The value of `field`, if given.
    pub fn get(&self, field: &Field) -> Option<&Value> {
        self.entry(field).map(|(_, value)| value)
    }

    /// The fields given and their values, in field order.
    pub fn values(&self) -> impl Iterator<Item = (&Field, &Value)> {
        self.entries().map(|(field, value, _)| (field, value))
    }

    /// The text of `field`, if given.
    pub fn text(&self, field: &Field) -> Option<&str> {
        match self.get(field) {
            Some(Value::Text(text)) => Some(text),
            _ => None,
        }
    }

    /// The date of `field`, if given with its day.
    pub fn date(&self, field: &Field) -> Option<Date> {
        match self.get(field) {
            Some(Value::Date(date)) => Some(*date),
            _ => None,
        }
    }

    /// The day of the step `field` dates, and whether the day itself is known (else
    /// it is the latest day the step can have happened).
    pub fn step_day(&self, field: &Field) -> Option<(Date, bool)> {
        match self.get(field) {
            Some(Value::Date(date)) => Some((*date, true)),
            Some(Value::DateBy(date)) => Some((*date, false)),
            _ => None,
        }
    }

    /// The list of `field`, empty if not given.
    pub fn list(&self, field: &Field) -> Vec<String> {
        match self.get(field) {
            Some(Value::List(items)) => items.clone(),
            _ => Vec::new(),
        }
    }

    /// The yes/no of `field`, if given.
    pub fn yes(&self, field: &Field) -> Option<bool> {
        match self.get(field) {
            Some(Value::Yes(yes)) => Some(*yes),
            _ => None,
        }
    }

    /// True when `field` comes from the map's `[defaults]`, not a cell.
    pub fn is_default(&self, field: &Field) -> bool {
        self.cell(field).is_none() && self.entry(field).is_some()
    }

    /// The cell's text as written, when the map's `[values]` translated it.
    pub fn written(&self, field: &Field) -> Option<&str> {
        self.written.iter().find(|(slot, _)| self.slots.field(*slot) == field).map(|(_, text)| text.as_str())
    }

    /// The header `field` came from, for messages.
    pub fn header(&self, field: &Field) -> String {
        match self.entry(field) {
            Some((slot, _)) => self.slots.header(slot).to_string(),
            None => format!("({})", field.name()),
        }
    }
}

/// The columns of a sheet located by the map.
pub struct Layout {
    /// (0-based column, its header as the sheet writes it, the field).
    pub columns: Vec<(usize, Arc<str>, Field)>,
    /// The header a default is reported under, for each field the map gives one.
    pub defaults: Vec<(Field, String, Arc<str>)>,
    /// What each default says, read once for the sheet: a value, nothing, or why
    /// it cannot be read (told for each row that falls back on it).
    default_values: Vec<Result<Option<Value>, CellError>>,
    /// The fields and headers of the columns and defaults, and the defaults' values,
    /// shared by every row.
    slots: Arc<Slots>,
    /// The first data row, 0-based.
    pub first_row: usize,
    /// The headers of the sheet's columns the map does not use, each once: what will
    /// not come in.
    pub unused: Vec<String>,
}

/// Finds the map's columns in the header row of `sheet`. A header cell left empty by
/// a merge takes the merged cell's text. Columns the map names that the sheet lacks
/// are an error (`Err` with the message), except for crs's own export.
pub fn layout(sheet: &Sheet, map: &Map) -> Result<Layout, String> {
    let header_row = map.header_row - 1;
    // A header merged across, in the header row or above it, may run past the last
    // cell the row holds; so may the rows below it.
    let merged_width = sheet
        .merged
        .iter()
        .filter(|(r0, ..)| *r0 as usize <= header_row)
        .map(|(_, _, _, c1)| *c1 as usize + 1)
        .max()
        .unwrap_or(0);
    let filled = filled_columns(sheet, header_row + 1);
    let width = sheet.rows.get(header_row).map_or(0, Vec::len).max(merged_width).max(filled.len());
    let headers: Vec<String> = (0..width)
        .map(|col| {
            let cell = sheet.cell(header_row, col);
            // A header merged down from the rows above is the column's own; one
            // merged across from the column to its left heads that column, not this
            // one, which the map reaches by its letter ("column I").
            match (cell.is_blank(), sheet.merged_origin(header_row, col)) {
                (true, Some((r, c))) if c == col => clean(&sheet.cell(r, c).text()),
                _ => clean(&cell.text()),
            }
        })
        .collect();
    let mut columns = Vec::new();
    let mut missing = Vec::new();
    for (key, written, field) in &map.columns {
        let found: Vec<usize> = match column_letters(key) {
            Some(col) => vec![col],
            None => (0..width).filter(|c| header_key(&headers[*c]) == *key).collect(),
        };
        if found.is_empty() {
            missing.push(written.clone());
        }
        columns.extend(found.into_iter().map(|col| {
            let header = match headers.get(col).filter(|h| !h.is_empty()) {
                Some(header) if column_letters(key).is_none() => header.clone(),
                _ => format!("column {}", letters_of(col)),
            };
            (col, Arc::from(header.as_str()), field.clone())
        }));
    }
    let known = columns.len();
    if map.built_in && known == 0 || !map.built_in && !missing.is_empty() {
        let shown: Vec<String> = headers.iter().filter(|h| !h.is_empty()).map(|h| format!("'{h}'")).collect();
        let what = if map.built_in {
            "its headings are not those of a crs export".to_owned()
        } else {
            format!(
                "the map names column(s) {} that row {} does not have",
                missing.iter().map(|m| format!("'{m}'")).collect::<Vec<_>>().join(", "),
                map.header_row
            )
        };
        return Err(format!(
            "sheet '{}': {what}; the headings on row {} are: {}",
            sheet.name,
            map.header_row,
            match (shown.is_empty(), sheet.rows.len()) {
                (true, 0) => "none: the sheet is empty".to_owned(),
                (true, rows) if header_row >= rows => format!("none: the sheet ends at row {rows}"),
                (true, _) => "none".to_owned(),
                (false, _) => shown.join(", "),
            }
        ));
    }
    columns.sort_by_key(|(col, _, _)| *col);
    let defaults: Vec<(Field, String, Arc<str>)> = map
        .defaults
        .iter()
        .map(|(field, text)| (field.clone(), text.clone(), Arc::from(format!("(default {})", field.name()))))
        .collect();
    let mut unused: Vec<String> = Vec::new();
    for (col, header) in headers.iter().enumerate() {
        let used = columns.iter().any(|(c, _, _)| *c == col);
        let filled = !header.is_empty() || filled.get(col).copied().unwrap_or(false);
        if !used && filled {
            let named = match (sheet.merged_origin(header_row, col), merged_above(sheet, header_row, col)) {
                (Some((_, origin)), _) if origin != col && header.is_empty() => format!(
                    "column {} (under the header '{}' merged across it; map it as \"column {}\")",
                    letters_of(col),
                    headers.get(origin).map_or("", String::as_str),
                    letters_of(col)
                ),
                (_, Some((row, heading))) if header.is_empty() => format!(
                    "column {} (under the heading '{heading}' merged across row {}, with no heading of its own on row {}; map it as \"column {}\")",
                    letters_of(col),
                    row + 1,
                    header_row + 1,
                    letters_of(col)
                ),
                _ if header.is_empty() => format!("column {} (no header)", letters_of(col)),
                _ => header.clone(),
            };
            if !unused.contains(&named) {
                unused.push(named);
            }
        }
    }
    let default_values: Vec<Result<Option<Value>, CellError>> =
        defaults.iter().map(|(field, text, _)| read_cell(&Cell::Text(text.clone()), field, map)).collect();
    let slots = slots_of(&columns, &defaults, &default_values);
    Ok(Layout { columns, defaults, default_values, slots, first_row: header_row + 1, unused })
}

/// For each column, whether any row from `first_row` on holds something in it: one
/// pass over the cells, however wide the sheet.
fn filled_columns(sheet: &Sheet, first_row: usize) -> Vec<bool> {
    let mut filled: Vec<bool> = Vec::new();
    for row in sheet.rows.iter().skip(first_row) {
        for (col, cell) in row.iter().enumerate() {
            if !cell.is_blank() {
                if filled.len() <= col {
                    filled.resize(col + 1, false);
                }
                filled[col] = true;
            }
        }
    }
    filled
}

/// The heading merged across `col` in a row above `header_row`, the nearest, with
/// its row (0-based): a heading over several columns, each with a heading of its
/// own below it, or none.
fn merged_above(sheet: &Sheet, header_row: usize, col: usize) -> Option<(usize, String)> {
    let col = col as u32;
    sheet
        .merged
        .iter()
        .filter(|(_, c0, r1, c1)| (*r1 as usize) < header_row && (*c0..=*c1).contains(&col) && c0 < c1)
        .max_by_key(|(r0, ..)| *r0)
        .map(|(r0, c0, ..)| (*r0 as usize, clean(&sheet.cell(*r0 as usize, *c0 as usize).text())))
        .filter(|(_, heading)| !heading.is_empty())
}

/// The slots of a sheet's columns and defaults, and the value of each default read.
fn slots_of(
    columns: &[(usize, Arc<str>, Field)],
    defaults: &[(Field, String, Arc<str>)],
    values: &[Result<Option<Value>, CellError>],
) -> Arc<Slots> {
    let mut slots: Vec<(Field, Arc<str>)> =
        columns.iter().map(|(_, header, field)| (field.clone(), header.clone())).collect();
    let mut read = Vec::new();
    for ((field, _, header), value) in defaults.iter().zip(values) {
        let slot = slot_number(slots.len());
        slots.push((field.clone(), header.clone()));
        if let Ok(Some(value)) = value {
            read.push((slot, value.clone()));
        }
    }
    read.sort_by(|(a, _), (b, _)| slots[*a as usize].0.cmp(&slots[*b as usize].0));
    Arc::new(Slots { slots, defaults: read })
}

/// A slot's number: a sheet has far fewer columns than this.
fn slot_number(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// The text of the cell that makes sheet row `index` (0-based) a total under the
/// table ("Total", "Totals: 42", "Grand total"), when that and numbers (the counts
/// or sums beside it) are all the row holds: a line of the table's arithmetic, not
/// a service.
pub fn total_label(sheet: &Sheet, index: usize) -> Option<String> {
    let cells = sheet.rows.get(index)?;
    let mut label = None;
    for cell in cells.iter().filter(|c| !c.is_blank()) {
        match cell {
            Cell::Number(_) => {}
            Cell::Text(text) if label.is_none() && is_total(text) => label = Some(clean(text)),
            Cell::Text(text) if clean(text).replace(',', "").parse::<f64>().is_ok() => {}
            _ => return None,
        }
    }
    label
}

/// True for a total's label: "Total", "TOTALS: 42", "Grand total", "Count 12".
fn is_total(text: &str) -> bool {
    let text = header_key(text);
    let rest = ["grand total", "sub-total", "subtotal", "sub total", "totals", "total", "count"]
        .iter()
        .find_map(|word| text.strip_prefix(word));
    rest.is_some_and(|rest| {
        rest.trim_start_matches([':', ' ', '='])
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.' || c == ' ')
    })
}

/// True for a row crs's own workbook writes to head a section of its designations.
pub fn is_section_heading(sheet: &Sheet, map: &Map, index: usize) -> bool {
    let first = sheet.cell(index, 0).text();
    map.built_in && crate::export::section::Section::ALL.iter().any(|s| s.heading() == first)
}

/// The fields of sheet row `index` (0-based), or its problems; `None` for a row with
/// nothing in the mapped columns.
pub fn read_row(
    sheet: &Sheet,
    map: &Map,
    layout: &Layout,
    index: usize,
) -> Option<Result<RowFields, Vec<Problem>>> {
    // A row with no id, provider code or service name is no record: a blank row, a
    // note or a total under the table.
    let names_a_record = layout.columns.iter().any(|(col, _, field)| {
        matches!(field, Field::Id | Field::ProviderOds | Field::ServiceName)
            && !sheet.cell(index, *col).is_blank()
    });
    if !names_a_record {
        return None;
    }
    // Room for every column at once: a list grown by doubling held twice the room
    // it needed, for every row of the sheet.
    let mut fields = RowFields {
        row: index + 1,
        slots: layout.slots.clone(),
        cells: Vec::with_capacity(layout.columns.len()),
        written: Vec::new(),
    };
    let mut problems = Vec::new();
    for (slot, (col, header, field)) in layout.columns.iter().enumerate() {
        let cell = sheet.cell(index, *col);
        // Several columns under one header: the first that is filled counts.
        if cell.is_blank() || fields.cell(field).is_some() {
            continue;
        }
        if let Some(size) = too_long(cell) {
            problems.push(Problem {
                sheet: sheet.name.clone(),
                row: index + 1,
                column: header.to_string(),
                value: clipped(&cell.text()),
                problem: format!(
                    "holds {} of text, more than the {} a record crs reads may take",
                    size_text(size),
                    size_text(MAX_FILE_BYTES)
                ),
                todo: "shorten it, keeping long text in a document the record names".to_owned(),
            });
            continue;
        }
        match read_cell(cell, field, map) {
            Ok(Some(value)) => {
                let text = clean(&cell.text());
                // A code is read in capitals; a message quotes the cell as written.
                let recased = *field == Field::ProviderOds && text != text.to_uppercase();
                if recased || translation(map, field, &text).is_some() {
                    fields.written.push((slot_number(slot), text));
                }
                fields.cells.push((slot_number(slot), value));
            }
            Ok(None) => {}
            Err((problem, todo)) => problems.push(Problem {
                sheet: sheet.name.clone(),
                row: index + 1,
                column: header.to_string(),
                value: clipped(&clean(&cell.text())),
                problem,
                todo,
            }),
        }
    }
    // A default is read once for the sheet (see `Layout::slots`); one that cannot be
    // read is told for each row that falls back on it.
    for ((field, text, header), value) in layout.defaults.iter().zip(&layout.default_values) {
        if let Err((problem, todo)) = value
            && fields.cell(field).is_none()
        {
            problems.push(Problem {
                sheet: sheet.name.clone(),
                row: index + 1,
                column: header.to_string(),
                value: text.clone(),
                problem: problem.clone(),
                todo: todo.clone(),
            });
        }
    }
    let slots = &layout.slots;
    fields.cells.sort_by(|(a, _), (b, _)| slots.field(*a).cmp(slots.field(*b)));
    // The row is held until its record is built: only the room its fields take.
    fields.cells.shrink_to_fit();
    fields.written.shrink_to_fit();
    Some(if problems.is_empty() { Ok(fields) } else { Err(problems) })
}

/// The size of a cell's text when it is more than a whole record crs reads may take.
fn too_long(cell: &Cell) -> Option<u64> {
    let size = match cell {
        Cell::Text(text) | Cell::Error(text) => text.len() as u64,
        _ => 0,
    };
    (size > MAX_FILE_BYTES).then_some(size)
}

/// A cell's text as a problem shows it: at most 200 characters, so a report names a
/// long cell rather than repeating it.
pub fn clipped(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The column a map key names by its letters ("column I" → 8), if it does.
fn column_letters(key: &str) -> Option<usize> {
    let letters = key.strip_prefix("column ")?.trim();
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let number = letters.bytes().fold(0usize, |n, b| n * 26 + usize::from(b.to_ascii_uppercase() - b'A') + 1);
    Some(number - 1)
}

/// A cell's name as spreadsheets show it: (0, 0) → A1, (2, 5) → F3.
pub fn cell_name(row: usize, col: usize) -> String {
    format!("{}{}", letters_of(col), row + 1)
}

/// A column's letters as spreadsheets show them: 0 → A, 8 → I, 26 → AA.
fn letters_of(col: usize) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        letters.push(char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_total_under_the_table_is_known_by_its_label_and_numbers() {
        let sheet = |cells: Vec<Cell>| Sheet {
            name: "S".into(),
            rows: vec![cells],
            merged: Vec::new(),
            hidden_rows: Vec::new(),
        };
        let text = |t: &str| Cell::Text(t.to_owned());
        for label in ["Total", "Totals: 42", "GRAND TOTAL", "Count 12", "total = 1,204"] {
            let row = sheet(vec![Cell::Empty, text(label), Cell::Number(3.0), text("12")]);
            assert_eq!(total_label(&row, 0).as_deref(), Some(label), "{label}");
        }
        for service in ["Total hip replacement", "Totally new", "Maternity"] {
            assert_eq!(total_label(&sheet(vec![text("RJ1"), text(service)]), 0), None, "{service}");
        }
        assert_eq!(total_label(&sheet(vec![text("RJ1"), text("Total")]), 0), None, "a code beside it");
    }

    #[test]
    fn columns_are_named_by_their_letters() {
        assert_eq!(column_letters("column i"), Some(8));
        assert_eq!(column_letters("column AA"), Some(26));
        assert_eq!(column_letters("column 1"), None);
        assert_eq!(column_letters("board"), None);
        for col in [0, 8, 25, 26, 701, 702] {
            assert_eq!(column_letters(&format!("column {}", letters_of(col))), Some(col));
        }
        assert_eq!(letters_of(701), "ZZ");
    }
}
