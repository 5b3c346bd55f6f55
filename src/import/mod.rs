//! Bringing an existing register in from a spreadsheet: reading the sheet
//! (`sheet`), the map from its columns to record fields (`map`), each row's cells
//! as field values (`row`, each cell read by `cell_value`), the lines of the sheets
//! crs's own export writes besides (`export_line`), the decisions and events one row gives
//! (`row_history`), the rows of one service merged into one record (`merge`),
//! which parts of a record a sheet gives (`given`), and the limits of what is
//! read, a workbook looked over before calamine reads it (`guard`). No I/O beyond reading the file and the map; no git;
//! no printing. `ops::import` runs it.

pub mod assessments;
pub(crate) mod cell_value;
pub(crate) mod export_line;
pub mod given;
pub mod guard;
pub mod history;
pub mod map;
pub mod merge;
pub mod row;
pub(crate) mod row_history;
pub mod sheet;
