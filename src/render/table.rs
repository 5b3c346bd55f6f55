//! Plain tables for people, built with comfy-table in one house style.

use comfy_table::{ContentArrangement, Table};

/// A rule under the header and nothing else.
const HEADER_RULE_ONLY: &str = "     ──            ";

/// A row of cells made safe for a terminal.
pub fn row<'a>(cells: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    cells.into_iter().map(|c| crate::text::printable(c).into_owned()).collect()
}

/// A table with `header`, in the house style.
pub fn new_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(HEADER_RULE_ONLY)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().copied());
    table
}
