//! `crs list`'s use case: the register read (now, or as of a date or revision), each
//! record that the filter keeps summed up in a line as it stood on the filter's day,
//! in the order asked for; with how many files could not be read as records and the
//! records left out only because a step has no recorded day.

use crate::context::Ctx;
use crate::error::Result;
use crate::model::filter::{Filter, Sort};
use crate::model::record::Event;
use crate::model::{RecordId, RecordSummary};
use crate::ops::checker::Checker;
use crate::ops::open::open;
use crate::register::load;

/// The records listed.
pub(crate) struct Listed {
    pub(crate) rows: Vec<RecordSummary>,
    /// Files that could not be read as records.
    pub(crate) unreadable: usize,
    /// Records that may have been in force on the filter's day and are not listed:
    /// the step that put each in force has no recorded day.
    pub(crate) undated: Vec<(RecordId, Event)>,
}

/// The records of the register of `ctx` (or `as_of` a date or revision) that
/// `filter` keeps, in `order`.
pub(crate) fn list(ctx: &Ctx, as_of: Option<&str>, filter: &Filter, order: Sort) -> Result<Listed> {
    let opened = open(ctx, as_of)?;
    let checker = Checker::new(&opened.config.framework, opened.today, None);
    let loaded = load(opened.source.as_ref(), &opened.config.framework, &checker, |p| {
        let unknown = filter.undated_step_after_day(&p.record).map(|step| (p.id.clone(), step));
        let (record, status, in_force) = filter.on_day(p.record, p.status);
        let listed = (in_force && filter.matches(&record, status))
            .then(|| RecordSummary::new(&p.id, p.file, &record, status));
        (listed, unknown.filter(|_| filter.matches_record(&record)))
    })?;
    let unreadable = loaded.files - loaded.items.len();
    let (rows, undated): (Vec<_>, Vec<_>) = loaded.items.into_iter().unzip();
    let mut rows: Vec<RecordSummary> = rows.into_iter().flatten().collect();
    sort(&mut rows, order);
    Ok(Listed { rows, unreadable, undated: undated.into_iter().flatten().collect() })
}

/// Puts `rows` in `order`; ties, and records without the date, in id order.
fn sort(rows: &mut [RecordSummary], order: Sort) {
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    match order {
        Sort::Id => {}
        Sort::ReviewDue => rows.sort_by_key(|r| (r.review_due.is_none(), r.review_due)),
        Sort::Decided => rows.sort_by_key(|r| (r.decided_on.is_none(), std::cmp::Reverse(r.decided_on))),
        Sort::Provider => rows.sort_by_key(|r| (r.provider_name.to_lowercase(), r.service.to_lowercase())),
    }
}
