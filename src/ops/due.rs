//! `crs due`: what needs doing, soonest first — reviews due, written requests
//! unanswered past the response window, removals not yet told to the provider,
//! referrals with no finding, designations never submitted, drafts left idle —
//! each with the command for its next step. Reads records without running the rules,
//! so it is no slower than `crs check`.

use serde::Serialize;

use crate::context::Ctx;
use crate::error::Result;
use crate::framework::rules::open_review_request;
use crate::history::changed::records_changed_since;
use crate::history::last_submission;
use crate::model::labels::designation_in_words;
use crate::model::record::{DecisionOutcome, Event, EventKind};
use crate::model::status::Status;
use crate::model::{Date, Record, RecordId};
use crate::ops::open::open;
use crate::register::read_records;
use crate::text::escaped_with;

/// How long a draft may sit untouched before it is listed.
pub const IDLE_DRAFT_DAYS: i64 = 90;

/// What kind of thing is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DueKind {
    Review,
    ReviewRequested,
    ReviewToComplete,
    RequestUnanswered,
    RemovalToNotify,
    ReferralOpen,
    NeverSubmitted,
    /// Records changed since the last submission: the regulator's copy is out of date.
    Resubmit,
    IdleDraft,
}

impl DueKind {
    /// Whether its day is a deadline the register or its framework gives (a review
    /// date, the window for the provider's answer): only such a day can pass. The
    /// other days say since when something has waited (a referral waits on the
    /// regulator; no law dates a submission or a notice of removal).
    pub fn has_deadline(self) -> bool {
        matches!(self, DueKind::Review | DueKind::ReviewToComplete | DueKind::RequestUnanswered)
    }
}

/// One thing to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DueItem {
    /// The day it is due (or was due); `None` for a review under way whose record
    /// gives no day for it: none is made up.
    pub due: Option<Date>,
    /// The day it is listed by, for its order and its window: the day it is due, else
    /// the day its review started (or today). Not told: it is no one's due day.
    #[serde(skip)]
    pub listed_by: Date,
    pub kind: DueKind,
    /// Keyed for programs as the one table of keys says ([`crate::model::keys`]).
    #[serde(rename = "record_id")]
    pub record: String,
    /// The id the record was first kept under, before any move (`previous_ids`):
    /// what names its calendar events, so that a move leaves no event behind.
    #[serde(skip)]
    pub first_id: String,
    #[serde(rename = "service_name")]
    pub service: String,
    /// The provider's name.
    #[serde(rename = "provider_name")]
    pub provider: String,
    /// The record's status; none for what concerns the whole register.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// What is due, in a sentence.
    pub what: String,
    /// The command for the next step.
    pub next: String,
    /// True when its deadline has passed (see [`DueKind::has_deadline`]).
    pub overdue: bool,
}

/// What is due on or before `until` in the register of `ctx` (as of `as_of`).
pub fn due(ctx: &Ctx, until: Date, as_of: Option<&str>) -> Result<Vec<DueItem>> {
    let opened = open(ctx, as_of)?;
    let window = i64::from(opened.config.framework.dates.written_request_response_days);
    let today = opened.today;
    let loaded = read_records(
        opened.source.as_ref(),
        &opened.config.framework,
        |_| true,
        |p| items_of(&p.id, &p.record, p.status, today, window),
    )?;
    // An open review is work in hand, listed whenever it is due to be complete.
    let mut items: Vec<DueItem> = loaded
        .items
        .into_iter()
        .flatten()
        .filter(|i| i.listed_by <= until || i.kind == DueKind::ReviewToComplete)
        .collect();
    if as_of.is_none() {
        items.extend(resubmission(&opened.root, today)?);
    }
    items.sort_by(|a, b| (a.listed_by, &a.record, a.kind).cmp(&(b.listed_by, &b.record, b.kind)));
    Ok(items)
}

/// The register's records changed since its last submission, if any: the guidance
/// asks commissioners to update what they sent, so a change is a reason to submit
/// again. Nothing when the register is not in git or was never submitted by crs.
fn resubmission(root: &std::path::Path, today: Date) -> Result<Option<DueItem>> {
    let Ok(Some(tag)) = last_submission(root, None) else { return Ok(None) };
    let records = records_changed_since(root, &tag.commit)?;
    if records == 0 {
        return Ok(None);
    }
    let sent = tag.name.rsplit('/').next().and_then(|d| d.get(..10)).and_then(|d| d.parse::<Date>().ok());
    let when = sent.map_or_else(|| format!("({})", tag.name), |d| format!("of {}", d.in_words()));
    Ok(Some(DueItem {
        due: Some(today),
        listed_by: today,
        kind: DueKind::Resubmit,
        record: String::new(),
        first_id: String::new(),
        service: String::new(),
        provider: String::new(),
        status: None,
        what: format!(
            "{records} record{} changed since the submission {when}: send the regulator the register as it now stands",
            if records == 1 { "" } else { "s" }
        ),
        next: "crs submit".to_owned(),
        overdue: false,
    }))
}

/// Everything due for one record, whatever the day.
pub fn items_of(id: &RecordId, record: &Record, status: Status, today: Date, window: i64) -> Vec<DueItem> {
    let item = |due: Date, kind: DueKind, what: String, next: String| DueItem {
        due: Some(due),
        listed_by: due,
        kind,
        record: id.to_string(),
        first_id: record.previous_ids.first().cloned().unwrap_or_else(|| id.to_string()),
        service: record.service.name.clone(),
        provider: record.provider.name.clone(),
        status: Some(status),
        what,
        next,
        overdue: due < today && kind.has_deadline(),
    };
    let mut items = Vec::new();
    let removing = record.outcome() == Some(DecisionOutcome::Remove);
    let review_due = record.review.as_ref().map(|r| r.next_due);
    match status {
        Status::Designated | Status::UnderReview if removing => {
            let on = record.current_decision().map_or(today, |d| d.decided_on);
            items.push(item(
                on,
                DueKind::RemovalToNotify,
                format!("the removal decided on {} has not been told to the provider", on.in_words()),
                format!("crs event {id} provider-notified-of-removal"),
            ));
        }
        Status::Designated => {
            if let Some((asked_on, what)) = review_request_unanswered(record, today) {
                items.push(item(
                    asked_on,
                    DueKind::ReviewRequested,
                    what,
                    format!(
                        "crs review start {id} --requested-by provider (or crs review decline {id} --reason TEXT)"
                    ),
                ));
            }
            if let Some(due) = review_due {
                items.push(item(
                    due,
                    DueKind::Review,
                    format!("review due on {}", due.in_words()),
                    format!("crs review start {id}"),
                ));
            }
        }
        Status::UnderReview => {
            let started = record.last_event(EventKind::ReviewStarted);
            let listed_by = review_due.or(started.map(|e| e.on)).unwrap_or(today);
            let mut under_way = item(
                listed_by,
                DueKind::ReviewToComplete,
                format!(
                    "review started {}; the designation stays in force until it is complete",
                    started.map_or("on an unrecorded day".to_owned(), Event::when_in_words)
                ),
                format!("crs review complete {id} --confirm --next-due DATE (or --remove)"),
            );
            // A review under way may have no day set for it: it is due on none.
            under_way.due = review_due;
            under_way.overdue = review_due.is_some_and(|due| due < today);
            items.push(under_way);
        }
        Status::Requested => {
            if let Some(request) = record.last_event(EventKind::WrittenRequestSent)
                && let Some(due) = request.on.plus_days(window)
            {
                items.push(item(
                    due,
                    DueKind::RequestUnanswered,
                    // A request whose day no one recorded may have gone out before its
                    // latest day: the answer is due by the window's end at the latest.
                    format!(
                        "the written request sent {} is to be answered by {}{}, within this register's response window of {window} days",
                        request.when_in_words(),
                        due.in_words(),
                        if request.date_known { "" } else { " at the latest" }
                    ),
                    format!("crs event {id} provider-accepted (or provider-refused)"),
                ));
            }
        }
        Status::Referred => {
            let referral = record.last_event(EventKind::ReferredToRegulator);
            items.push(item(
                referral.map_or(today, |e| e.on),
                DueKind::ReferralOpen,
                // A referral whose day no one recorded is said so, never given a day.
                format!(
                    "referred to the regulator {}; no finding yet",
                    referral.map_or("on an unrecorded day".to_owned(), Event::when_in_words)
                ),
                format!("crs event {id} refusal-found-unreasonable (or refusal-found-reasonable)"),
            ));
        }
        Status::Draft => {
            let last =
                record.stages.values().map(|s| s.assessed_on).chain(record.events.iter().map(|e| e.on)).max();
            if let Some(idle_from) = last.and_then(|d| d.plus_days(IDLE_DRAFT_DAYS)) {
                items.push(item(
                    idle_from,
                    DueKind::IdleDraft,
                    format!("draft untouched since {}", last.map(Date::in_words).unwrap_or_default()),
                    format!("crs assess {id} --stage N …, then crs designate {id} or crs decline {id}"),
                ));
            }
        }
        _ => {}
    }
    if status.in_force()
        && !removing
        && let Some((since, what)) = not_submitted_since_decided(record, today)
    {
        items.push(item(since, DueKind::NeverSubmitted, what, "crs submit".to_owned()));
    }
    if status == Status::Removed
        && let Some((since, what)) = removal_not_submitted(record)
    {
        items.push(item(since, DueKind::NeverSubmitted, what, "crs submit".to_owned()));
    }
    items
}

/// A removal not sent to the regulator since it was decided: the day of the
/// decision and the sentence saying so; `None` once a submission on or after it is
/// recorded. The regulator's list still names the service until it is told.
fn removal_not_submitted(record: &Record) -> Option<(Date, String)> {
    let removal = record.current_decision().filter(|d| d.outcome == DecisionOutcome::Remove)?;
    let submitted =
        record.events.iter().any(|e| e.kind == EventKind::Submitted && e.on >= removal.decided_on);
    (!submitted).then(|| {
        let day = removal.decided_on;
        // The designation ends when the provider is told, not on the day of the decision.
        let told = record
            .last_event(EventKind::ProviderNotifiedOfRemoval)
            .filter(|e| e.on >= day)
            .map_or_else(String::new, |e| format!(" (the provider was told {})", e.when_in_words()));
        (day, format!("removal decided on {}{told}, and not sent to the regulator since", day.in_words()))
    })
}

/// A review the provider asked for that has had no answer: the day it was asked
/// and the sentence saying so, counting the days to `today`.
fn review_request_unanswered(record: &Record, today: Date) -> Option<(Date, String)> {
    let (_, request) = open_review_request(record)?;
    let days = (today.0 - request.on.0).num_days();
    let what = format!(
        "a review was asked for {} ({days} day{} ago) and has had no answer",
        request.when_in_words(),
        if days == 1 { "" } else { "s" }
    );
    Some((request.on, what))
}

/// A designation not sent to the regulator since its current decision: the day of
/// that decision (`today` when none is recorded) and the sentence saying so; `None`
/// once a submission on or after it is recorded.
fn not_submitted_since_decided(record: &Record, today: Date) -> Option<(Date, String)> {
    let decided = record.current_decision().map(|d| d.decided_on);
    let submitted =
        record.events.iter().any(|e| e.kind == EventKind::Submitted && decided.is_none_or(|d| e.on >= d));
    if submitted {
        return None;
    }
    let since = decided.unwrap_or(today);
    let life = designation_in_words(record).unwrap_or_else(|| "designated".to_owned());
    Some((since, format!("{life}, and not sent to the regulator since")))
}

/// The due items as an iCalendar file: one all-day event per review due, which
/// Outlook and Google Calendar import. A review already overdue is an event on
/// `today`, saying since when, where a calendar shows it (not back in the past).
/// Each event's UID names the record (by the id it was first kept under) and what is
/// due, never the day, so an event whose day moves, or whose record moves, replaces
/// itself in a calendar instead of leaving a copy behind.
pub fn calendar(items: &[DueItem], today: Date, now: chrono::DateTime<chrono::Utc>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//crs//Commissioner Requested Services//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
    ];
    // RFC 5545 wants one component at least, also when nothing is due: the time zone
    // of the register's days is one that no calendar shows as an entry.
    lines.extend(LONDON.iter().map(|l| (*l).to_owned()));
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let reviews = items.iter().filter(|i| matches!(i.kind, DueKind::Review | DueKind::ReviewToComplete));
    // A review under way with no day set for it has no day in a calendar.
    for (item, due) in reviews.filter_map(|i| i.due.map(|due| (i, due))) {
        let overdue = due < today;
        let on = if overdue { today } else { due };
        let day = on.0.format("%Y%m%d").to_string();
        let next_day = on.plus_days(1).unwrap_or(on).0.format("%Y%m%d").to_string();
        let summary = match overdue {
            true => format!("CRS review overdue since {}", due.in_words()),
            false => "CRS review due".to_owned(),
        };
        let since = match overdue {
            true => format!(" Overdue since {}.", due.in_words()),
            false => String::new(),
        };
        lines.extend([
            "BEGIN:VEVENT".to_owned(),
            format!("UID:crs-review-{}@crs", item.first_id.replace('/', "-")),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{day}"),
            format!("DTEND;VALUE=DATE:{next_day}"),
            format!("SUMMARY:{}", escape(&format!("{summary}: {} ({})", item.service, item.provider))),
            format!(
                "DESCRIPTION:{}",
                escape(&format!("{}: {}.{since} Next step: {}", item.record, item.what, item.next))
            ),
            "TRANSP:TRANSPARENT".to_owned(),
            "END:VEVENT".to_owned(),
        ]);
    }
    lines.push("END:VCALENDAR".to_owned());
    lines.iter().map(|l| fold(l)).collect::<Vec<_>>().join("")
}

/// The time zone of England, as RFC 5545 writes it.
const LONDON: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// Text as an iCalendar TEXT value.
fn escape(text: &str) -> String {
    const ICALENDAR: &[(char, &str)] = &[('\\', "\\\\"), (';', "\\;"), (',', "\\,"), ('\n', "\\n")];
    escaped_with(text, ICALENDAR, |c| Some(if c.is_control() { ' ' } else { c }))
}

/// A content line folded at 75 octets (never inside a character), with CRLF.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let folded = fold(&format!("SUMMARY:{}", "Gŵyr ".repeat(30)));
        for line in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{line}");
        }
        assert_eq!(folded.replace("\r\n ", ""), format!("SUMMARY:{}\r\n", "Gŵyr ".repeat(30)));
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
    }
}
