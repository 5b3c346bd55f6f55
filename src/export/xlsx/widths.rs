//! How wide each column of the designations sheet is: a date's width, a code's, a
//! few words of a name, so that the default columns print two pages of A3 across
//! at 8 pt or larger.

use crate::export::columns::Column;
use crate::export::xlsx::table::MIN_WIDTH;

/// How wide column `column` of the designations sheet grows before its text wraps:
/// a date's width, a code's, a few words of a name; so that the default columns
/// print two pages of A3 across at 8 pt or larger.
pub(super) fn print_width(column: &Column) -> usize {
    // A date's heading wraps to words that fit its width; other headings widen
    // their column to their longest word; a yes/no column's words are all heading,
    // in bold, which runs wider (to a point: a long word has narrow letters).
    match text_width(column) {
        Fit::Date => DATE_WIDTH,
        Fit::Text(width) => {
            let bold = usize::from(width == MIN_WIDTH && heading_word(column.heading()) > MIN_WIDTH);
            (heading_word(column.heading()) + bold).min(12).max(width)
        }
    }
}

/// How a column's width is decided: a date's own, or its text's.
enum Fit {
    Date,
    Text(usize),
}

/// A date's width, "12 Dec 2026", its heading wrapped to fit.
const DATE_WIDTH: usize = 10;

/// How wide column `column` of the designations sheet is for its text.
fn text_width(column: &Column) -> Fit {
    let width = match column {
        Column::Section
        | Column::ProviderCode
        | Column::CommissionerCode
        | Column::CoCommissioners
        | Column::Sites
        | Column::TreatmentFunctions
        | Column::Ground { .. }
        | Column::StageMet { .. }
        | Column::LocationSpecific
        | Column::ProviderLicence => MIN_WIDTH,
        Column::RemovedBy | Column::DecidedBy | Column::ConfirmedBy => 9,
        Column::DecisionCommissioner | Column::DesignatedWith => 14,
        Column::Status => 11,
        Column::StatusCode
        | Column::RemovalReference
        | Column::DecisionReference
        | Column::ConfirmationReference => 10,
        Column::ProviderKind | Column::Decision => 11,
        Column::ProviderName | Column::ServiceName => 12,
        Column::ProviderResponse | Column::Contact | Column::RecordId => 10,
        Column::DesignationDate
        | Column::DecisionDate
        | Column::WrittenRequestDate
        | Column::ProviderResponseDate
        | Column::AcceptanceDate
        | Column::ReviewDue
        | Column::RemovalDate
        | Column::ConfirmationDate
        | Column::RemovalNotified => return Fit::Date,
        Column::ServiceDescription
        | Column::StageRationale { .. }
        | Column::LongTermOutcome
        | Column::CommissionerName
        | Column::File
        | Column::Commit => 20,
    };
    Fit::Text(width)
}

/// The longest word of `heading` (a hyphen ends a word): its column is no narrower.
fn heading_word(heading: &str) -> usize {
    heading.split([' ', '-']).map(|w| w.chars().count()).max().unwrap_or(0)
}
