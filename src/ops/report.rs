//! `crs report`: the board paper's content, gathered into a plain `BoardReport` —
//! the register at a glance as on the last day of the period, what changed in the
//! period by the dates of decisions and events (not of commits, so a register
//! adopted today still reports on the past year), the reviews due in the following
//! twelve months and the open requests and referrals (from `ops::due`), and the
//! findings of the one checker. Reads the register once, as `crs check` does;
//! renders and prints nothing (that is `board/` and `cli/report.rs`).

use std::collections::{BTreeMap, HashMap};

use chrono::Months;

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::finding::{Finding, Rule, Severity, Summary};
use crate::framework::rules::open_review_request;
use crate::history;
use crate::history::moves::{
    MovesAndSuccessions, Relocation, Succession, moves_and_successions, provider_on,
};
use crate::history::tags::SUBMISSION_TAG_PREFIX;
use crate::model::labels::{code_in_words, count, deciding_body, with_note};
use crate::model::record::{DecisionOutcome, EventKind};
use crate::model::settings::RegisterCommissioner;
use crate::model::status::{Status, derive_status};
use crate::model::{Date, Record, RecordId};
use crate::ops::checker::{Checker, register_orgs};
use crate::ops::due::{DueItem, DueKind, items_of};
use crate::ops::open::open;
use crate::orgs::OrgIndex;
use crate::orgs::kind::Role;
use crate::register::load;
use crate::text::capitalised;

/// How far ahead the reviews due are listed, from the end of the period.
pub const REVIEW_MONTHS_AHEAD: u32 = 12;

/// The period's default length, back from its end.
pub const DEFAULT_PERIOD_MONTHS: u32 = 12;

/// Where the period starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeriodStart {
    /// The day after the same day twelve months before the end: a year, both ends
    /// included.
    Default,
    /// This day.
    On(Date),
    /// The day of the last submission to the regulator (its tag's date).
    LastSubmission,
}

/// The period reported on: both days included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub since: Date,
    pub until: Date,
    /// When the period starts at the last submission: its tag, e.g.
    /// `crs/submission/2026-05-01`.
    pub since_submission: Option<String>,
}

/// One status and how many records have it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusCount {
    pub status: Status,
    pub count: usize,
}

/// One provider and its records, by where they stand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProviderCount {
    pub ods: String,
    pub name: String,
    pub total: usize,
    /// Designated or under review: the licence protections apply.
    pub in_force: usize,
    /// Proposed, requested, refused or referred: decided, not yet in force.
    pub in_progress: usize,
    /// Drafts: no decision yet.
    pub draft: usize,
    /// Not designated, or removed.
    pub not_in_force: usize,
}

/// What a change in the period was about, to group them under headings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeGroup {
    Decisions,
    Requests,
    Regulator,
    Reviews,
    Involvement,
    /// Services moved to a new provider code, and organisations succeeded.
    Organisations,
    Submissions,
}

impl ChangeGroup {
    /// Every group, in the order the paper gives them.
    pub const ALL: [ChangeGroup; 7] = [
        ChangeGroup::Decisions,
        ChangeGroup::Requests,
        ChangeGroup::Regulator,
        ChangeGroup::Reviews,
        ChangeGroup::Involvement,
        ChangeGroup::Organisations,
        ChangeGroup::Submissions,
    ];

    /// The group's heading in the paper.
    pub fn heading(self) -> &'static str {
        match self {
            ChangeGroup::Decisions => "Decisions",
            ChangeGroup::Requests => "Written requests and providers' answers",
            ChangeGroup::Regulator => "Referrals to the regulator and its findings",
            ChangeGroup::Reviews => "Reviews of designations",
            ChangeGroup::Involvement => "Notice to providers and public involvement",
            ChangeGroup::Organisations => "Services moved and organisations succeeded",
            ChangeGroup::Submissions => "Submissions to the regulator",
        }
    }

    /// What the group's changes are called, one and many: "decision", "decisions".
    pub fn nouns(self) -> (&'static str, &'static str) {
        match self {
            ChangeGroup::Decisions => ("decision", "decisions"),
            ChangeGroup::Requests => ("written request or answer", "written requests and answers"),
            ChangeGroup::Regulator => ("referral or finding", "referrals and findings"),
            ChangeGroup::Reviews => ("step of a review", "steps of reviews"),
            ChangeGroup::Involvement => {
                ("notice or step of public involvement", "notices and steps of public involvement")
            }
            ChangeGroup::Organisations => ("move or succession", "moves and successions"),
            ChangeGroup::Submissions => ("submission", "submissions"),
        }
    }

    /// The group an event belongs to; `None` for submissions to the regulator, told
    /// once a submission rather than once a record.
    fn of_event(kind: EventKind) -> Option<ChangeGroup> {
        match kind {
            // Notices to providers: of the work starting, and of a removal.
            EventKind::ProvidersNotified | EventKind::ProviderNotifiedOfRemoval => {
                Some(ChangeGroup::Involvement)
            }
            EventKind::PublicEngagement | EventKind::InvolvementNotEngaged => Some(ChangeGroup::Involvement),
            EventKind::WrittenRequestSent
            | EventKind::ProviderAccepted
            | EventKind::ProviderRefused
            | EventKind::LicenceRequested => Some(ChangeGroup::Requests),
            EventKind::ReferredToRegulator
            | EventKind::RefusalFoundUnreasonable
            | EventKind::RefusalFoundReasonable => Some(ChangeGroup::Regulator),
            EventKind::ReviewRequested
            | EventKind::ReviewDeclined
            | EventKind::ReviewStarted
            | EventKind::ReviewCompleted => Some(ChangeGroup::Reviews),
            EventKind::Submitted => None,
        }
    }
}

/// A dated decision or event in the period, told as a sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub on: Date,
    pub group: ChangeGroup,
    pub record: String,
    /// The whole sentence, with its date in words and no final full stop.
    pub sentence: String,
}

/// A written request awaiting an answer, a refusal not (yet) referred, a referral
/// awaiting the regulator's finding, or a removal not yet told to the provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenItem {
    /// The day the matter opened, or the day an answer is due.
    pub on: Date,
    pub record: String,
    pub service: String,
    pub provider: String,
    pub status: Status,
    /// What is open, in a sentence.
    pub what: String,
    /// True when the day an answer was due has passed.
    pub overdue: bool,
}

/// The findings of `crs check` of one rule: what the paper says of them together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingKind {
    pub rule: Rule,
    pub severity: Severity,
    /// What the findings concern, each once, in the checker's order: "Maternity
    /// (Lewisham and Greenwich NHS Trust)", or the file when no record could be read.
    pub concern: Vec<String>,
}

/// Everything the board paper says, in the order it says it.
#[derive(Clone, Debug)]
pub struct BoardReport {
    /// Whom the register speaks for.
    pub commissioner: RegisterCommissioner,
    /// The day the paper was made.
    pub prepared_on: Date,
    pub period: Period,
    /// The reviews listed are those due up to this day (and any overdue).
    pub reviews_until: Date,
    /// How many records were read.
    pub records: usize,
    /// Files the register holds that could not be read as records.
    pub unreadable: usize,
    /// Records by status as on the last day of the period, in lifecycle order;
    /// statuses no record has are left out.
    pub by_status: Vec<StatusCount>,
    /// Records by provider, by name.
    pub by_provider: Vec<ProviderCount>,
    /// The period's decisions and events, by group, then date.
    pub changes: Vec<Change>,
    /// Steps whose day no one recorded, with a latest day in the period: not told
    /// as the period's work (they may have happened long before), only counted.
    pub undated_steps: usize,
    /// Reviews due by `reviews_until`, soonest first.
    pub reviews_due: Vec<DueItem>,
    /// Open written requests, refusals, referrals and removals, oldest first.
    pub open: Vec<OpenItem>,
    /// The findings of `crs check` as it runs today, by rule: errors first, then
    /// the rules that concern the most services.
    pub findings: Vec<FindingKind>,
    pub summary: Summary,
}

impl BoardReport {
    /// How many records are in force (designated or under review).
    pub fn in_force(&self) -> usize {
        self.by_status.iter().filter(|c| c.status.in_force()).map(|c| c.count).sum()
    }

    /// The changes of `group`, in date order.
    pub fn changes_in(&self, group: ChangeGroup) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.group == group)
    }
}

/// What one record gives the paper; made as the record is read, on every thread,
/// so the record itself can be dropped.
struct Part {
    id: String,
    service: String,
    provider_ods: String,
    provider_name: String,
    status: Status,
    changes: Vec<Change>,
    /// The submissions in the period that included this record: the day, and the
    /// tag the event names (when it names one).
    submitted: Vec<(Date, Option<String>)>,
    /// Steps with a latest day in the period but no day recorded.
    undated_steps: usize,
    due: Vec<DueItem>,
    open: Vec<OpenItem>,
    /// The organisations the record names, code and name: its commissioner and
    /// provider, and those its decisions keep.
    organisations: Vec<(String, String)>,
}

/// Gathers the board paper of the register of `ctx` for the period from `start`
/// to `until` (default: today).
pub fn report(ctx: &Ctx, start: &PeriodStart, until: Option<Date>) -> Result<BoardReport> {
    let opened = open(ctx, None)?;
    let until = until.unwrap_or(opened.today);
    let period = period(&opened.root, start, until)?;
    let reviews_until = add_months(until, REVIEW_MONTHS_AHEAD);
    let window = i64::from(opened.config.framework.dates.written_request_response_days);

    let mut moves = moves_and_successions(&opened.root)?;
    let mut moved_to: HashMap<&str, Vec<&Relocation>> = HashMap::new();
    for relocation in &moves.relocations {
        moved_to.entry(relocation.to.as_str()).or_default().push(relocation);
    }
    let known = register_orgs(opened.source.as_ref(), &opened.root, &opened.config)?;
    let checker = Checker::new(&opened.config.framework, opened.today, known.as_ref());
    let loaded = load(opened.source.as_ref(), &opened.config.framework, &checker, |p| {
        let relocations = relocations_of(&p.id, &p.record, &moved_to);
        part_of(&p.id, &p.record, p.status, &period, window, &relocations)
    })?;
    let unreadable = loaded.files - loaded.items.len();
    let summary = Summary::of(loaded.files, &loaded.findings);

    let mut status_counts: BTreeMap<Status, usize> = BTreeMap::new();
    let mut providers: BTreeMap<String, ProviderCount> = BTreeMap::new();
    let mut services: BTreeMap<String, String> = BTreeMap::new();
    // The names the register gives organisations: its own commissioner first.
    let settings_commissioner = &opened.config.settings.commissioner;
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    names.insert(settings_commissioner.ods.clone(), settings_commissioner.name.trim().to_owned());
    let (mut changes, mut reviews_due, mut open_items) = (Vec::new(), Vec::new(), Vec::new());
    let mut submitted: BTreeMap<(Date, Option<String>), usize> = BTreeMap::new();
    let mut undated_steps = 0;
    for part in loaded.items {
        undated_steps += part.undated_steps;
        *status_counts.entry(part.status).or_default() += 1;
        let provider = providers.entry(part.provider_ods.clone()).or_default();
        provider.ods = part.provider_ods;
        provider.name = part.provider_name.clone();
        provider.total += 1;
        match part.status {
            s if s.in_force() => provider.in_force += 1,
            Status::Draft => provider.draft += 1,
            Status::NotDesignated | Status::Removed => provider.not_in_force += 1,
            _ => provider.in_progress += 1,
        }
        changes.extend(part.changes);
        for submission in part.submitted {
            *submitted.entry(submission).or_default() += 1;
        }
        // A review under way is listed whatever its date: it is not yet complete.
        reviews_due.extend(
            part.due
                .into_iter()
                .filter(|d| d.listed_by <= reviews_until || d.kind == DueKind::ReviewToComplete),
        );
        open_items.extend(part.open);
        for (code, name) in part.organisations {
            names.entry(code).or_insert(name);
        }
        services.insert(part.id, format!("{} ({})", part.service, part.provider_name));
    }
    changes.extend(submission_changes(submitted));
    name_organisations(&mut moves, &names, known.as_ref().map(|k| &k.index));
    changes.extend(organisation_changes(&moves, &period, &opened.config.settings.commissioner.ods));
    let by_status = Status::ALL
        .iter()
        .filter_map(|s| status_counts.get(s).map(|&count| StatusCount { status: *s, count }))
        .collect();
    let mut by_provider: Vec<ProviderCount> = providers.into_values().collect();
    by_provider.sort_by(|a, b| (&a.name, &a.ods).cmp(&(&b.name, &b.ods)));
    changes.sort_by(|a, b| {
        (a.group, a.on, &a.record, &a.sentence).cmp(&(b.group, b.on, &b.record, &b.sentence))
    });
    reviews_due.sort_by(|a, b| (a.listed_by, &a.record).cmp(&(b.listed_by, &b.record)));
    open_items.sort_by(|a, b| (a.on, &a.record).cmp(&(b.on, &b.record)));

    let findings = finding_kinds(&loaded.findings, &services);

    Ok(BoardReport {
        commissioner: opened.config.settings.commissioner.clone(),
        prepared_on: opened.today,
        period,
        reviews_until,
        records: loaded.files - unreadable,
        unreadable,
        by_status,
        by_provider,
        changes,
        undated_steps,
        reviews_due,
        open: open_items,
        findings,
        summary,
    })
}

/// One change per submission in the period: each submission is its own step, and
/// its tag tells apart those of one day.
fn submission_changes(submitted: BTreeMap<(Date, Option<String>), usize>) -> Vec<Change> {
    let mut per_day: BTreeMap<Date, usize> = BTreeMap::new();
    for (on, _) in submitted.keys() {
        *per_day.entry(*on).or_default() += 1;
    }
    submitted
        .into_iter()
        .map(|((on, tag), n)| {
            let tag = tag.filter(|_| per_day[&on] > 1).map(|t| format!(" ({t})")).unwrap_or_default();
            Change {
                on,
                group: ChangeGroup::Submissions,
                record: String::new(),
                sentence: format!(
                    "The register was submitted to the regulator on {}{tag}, with {}",
                    on.in_words(),
                    count(n, "service", "services")
                ),
            }
        })
        .collect()
}

/// The moves (other than by a succession) and the successions in the period, one
/// change each: the moves first, then the successions.
/// `responsible`: the register's commissioner now, which a co-commissioner's
/// successor may be.
fn organisation_changes(moves: &MovesAndSuccessions, period: &Period, responsible: &str) -> Vec<Change> {
    let in_period = |day: Date| period.since <= day && day <= period.until;
    let mut changes = Vec::new();
    for relocation in moves.relocations.iter().filter(|r| !r.by_succession && in_period(r.on)) {
        changes.push(Change {
            on: relocation.on,
            group: ChangeGroup::Organisations,
            record: relocation.to.clone(),
            sentence: relocation_sentence(relocation),
        });
    }
    for succession in moves.successions.iter().filter(|s| in_period(s.on)) {
        changes.push(Change {
            on: succession.on,
            group: ChangeGroup::Organisations,
            record: succession.new.clone(),
            sentence: succession_sentence(succession, responsible),
        });
    }
    changes
}

/// The findings other than notes, one kind per rule with the services (or files) it
/// concerns, most severe and widest first.
fn finding_kinds(found: &[Finding], services: &BTreeMap<String, String>) -> Vec<FindingKind> {
    let mut findings: Vec<FindingKind> = Vec::new();
    for finding in found.iter().filter(|f| f.severity != Severity::Note) {
        let concern = match &finding.record {
            Some(id) => services.get(id).cloned().unwrap_or_else(|| id.clone()),
            None => finding.file.clone(),
        };
        let kind = match findings.iter_mut().find(|k| k.rule == finding.rule) {
            Some(kind) => kind,
            None => {
                findings.push(FindingKind {
                    rule: finding.rule,
                    severity: finding.severity,
                    concern: Vec::new(),
                });
                findings.last_mut().expect("just pushed")
            }
        };
        if !kind.concern.contains(&concern) {
            kind.concern.push(concern);
        }
    }
    findings
        .sort_by(|a, b| (b.severity, b.concern.len(), a.rule).cmp(&(a.severity, a.concern.len(), b.rule)));
    findings
}

/// The period from `start` to `until`.
fn period(root: &std::path::Path, start: &PeriodStart, until: Date) -> Result<Period> {
    let (since, since_submission) = match start {
        PeriodStart::Default => {
            let back = until.0.checked_sub_months(Months::new(DEFAULT_PERIOD_MONTHS)).map_or(until, Date);
            (back.plus_days(1).unwrap_or(back), None)
        }
        PeriodStart::On(day) => (*day, None),
        PeriodStart::LastSubmission => {
            let tag = history::last_submission(root, None)?.ok_or_else(|| {
                Error::git(
                    "there has been no submission to the regulator yet: no crs/submission tag is reachable from HEAD",
                    "give the period's first day with --since DATE, e.g. --since 2026-04-01; crs submit tags each submission",
                )
            })?;
            (submission_day(&tag.name)?, Some(tag.name))
        }
    };
    if since > until {
        return Err(Error::Usage(format!(
            "the period starts on {} after it ends on {}: give --since before --until",
            since.in_words(),
            until.in_words()
        )));
    }
    Ok(Period { since, until, since_submission })
}

/// The day a submission tag names: `crs/submission/2026-05-01` or `….2`.
fn submission_day(tag: &str) -> Result<Date> {
    tag.strip_prefix(SUBMISSION_TAG_PREFIX)
        .and_then(|rest| rest.get(..10))
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| {
            Error::git(
                format!("the submission tag {tag} does not name a day"),
                "give the period's first day with --since DATE",
            )
        })
}

/// `day` plus `months` months (the last day of a shorter month when it has no such
/// day); `day` itself past the calendar's end.
fn add_months(day: Date, months: u32) -> Date {
    day.0.checked_add_months(Months::new(months)).map_or(day, Date)
}

/// What one record gives the paper.
fn part_of(
    id: &RecordId,
    record: &Record,
    status: Status,
    period: &Period,
    window: i64,
    relocations: &[&Relocation],
) -> Part {
    let service = record.service.name.trim().to_owned();
    let provider = record.provider.name.trim().to_owned();
    let Period { since, until, .. } = *period;
    let in_period = |day: Date| since <= day && day <= until;

    let mut changes = decision_changes(id, record, &service, &provider, period);
    // A step whose day no one recorded is not told as the period's work.
    let mut submitted = Vec::new();
    let undated_steps = record.events.iter().filter(|e| !e.date_known && in_period(e.on)).count();
    for event in record.events.iter().filter(|e| e.date_known && in_period(e.on)) {
        let Some(group) = ChangeGroup::of_event(event.kind) else {
            let tag = event.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
            submitted.push((event.on, tag.map(str::to_owned)));
            continue;
        };
        // Told of the provider the record named then, before any later move.
        let provider_then = provider_on(relocations, event.on).map_or(provider.as_str(), |(_, name)| name);
        let sentence = with_note(
            format!("{} {}", event.kind.sentence_about(&service, provider_then), event.when_in_words()),
            // The paper ends each sentence with its own full stop.
            event.note.as_deref().map(|n| n.trim().strip_suffix('.').unwrap_or(n.trim())),
        );
        changes.push(Change { on: event.on, group, record: id.to_string(), sentence });
    }

    // Where the record stood on the period's last day, by the dates it holds.
    let later =
        record.decisions().iter().any(|d| d.decided_on > until) || record.events.iter().any(|e| e.on > until);
    let (then, status) = if later {
        let then = record.as_on(until);
        let status = derive_status(&then);
        (std::borrow::Cow::Owned(then), status)
    } else {
        (std::borrow::Cow::Borrowed(record), status)
    };
    let (due, open) = due_and_open(id, record, &then, status, until, window);
    Part {
        id: id.to_string(),
        service,
        provider_ods: record.provider.ods.clone(),
        provider_name: provider,
        status,
        changes,
        submitted,
        undated_steps,
        due,
        open,
        organisations: organisations_of(record),
    }
}

/// The organisations `record` names with their names, as (code, name): its
/// commissioner and provider, then those its decisions were made by and with.
fn organisations_of(record: &Record) -> Vec<(String, String)> {
    let named = |code: &str, name: &str| {
        let (code, name) = (code.trim(), name.trim());
        (!code.is_empty() && !name.is_empty()).then(|| (code.to_owned(), name.to_owned()))
    };
    let mut organisations: Vec<(String, String)> = [
        named(&record.commissioner.ods, &record.commissioner.name),
        named(&record.provider.ods, &record.provider.name),
    ]
    .into_iter()
    .flatten()
    .collect();
    for decision in record.decisions() {
        organisations.extend(decision.commissioner.as_ref().and_then(|c| named(&c.ods, &c.name)));
        organisations.extend(decision.provider.as_ref().and_then(|p| named(&p.ods, &p.name)));
    }
    organisations
}

/// Names each organisation of the moves and successions that their commits did not
/// name (a co-commissioner's, whose name no record holds; a provider whose record
/// could not be read before its move): by the name the register gives it (`names`),
/// else by the ODS files it holds (`index`); a code neither knows stays a code alone.
fn name_organisations(
    moves: &mut MovesAndSuccessions,
    names: &BTreeMap<String, String>,
    index: Option<&OrgIndex>,
) {
    let name_of = |code: &str, role: Role| {
        names
            .get(code)
            .cloned()
            .or_else(|| index.and_then(|i| i.find(code, role.kinds())).map(|(org, _)| org.display_name()))
    };
    for succession in &mut moves.successions {
        let role = if succession.moved > 0 { Role::Provider } else { Role::Commissioner };
        if succession.old_name.is_none() {
            succession.old_name = name_of(&succession.old, role);
        }
        if succession.new_name.is_none() {
            succession.new_name = name_of(&succession.new, role);
        }
    }
    // A record's folder is its provider's code.
    for relocation in moves.relocations.iter_mut().filter(|r| r.provider_before.is_none()) {
        let code = relocation.from.split('/').next().unwrap_or_default();
        relocation.provider_before = name_of(code, Role::Provider).map(|name| (code.to_owned(), name));
    }
}

/// The record's decisions in the period, one change each, told of the provider
/// and commissioner as they were when decided.
fn decision_changes(
    id: &RecordId,
    record: &Record,
    service: &str,
    provider: &str,
    period: &Period,
) -> Vec<Change> {
    let in_period = |day: Date| period.since <= day && day <= period.until;
    let mut changes = Vec::new();
    for decision in record.decisions().iter().filter(|d| in_period(d.decided_on)) {
        // Named as it was when decided, if a move has changed the provider since.
        let decided_at = decision.provider.as_ref().map_or(provider, |then| then.name.trim());
        // Made by a commissioner succeeded since: both are named.
        let body = match record.made_by_then(decision) {
            Some(then) => format!("{} ({then})", deciding_body(decision.decided_by.as_deref())),
            None => deciding_body(decision.decided_by.as_deref()),
        };
        let mut sentence = format!(
            "{} {} on {}",
            body,
            decision.outcome.decided_about(service, decided_at),
            decision.decided_on.in_words()
        );
        if matches!(decision.outcome, DecisionOutcome::Designate | DecisionOutcome::Confirm)
            && !decision.grounds.is_empty()
        {
            let grounds: Vec<String> = decision.grounds.iter().map(|g| code_in_words(g)).collect();
            sentence.push_str(&format!(", on the grounds: {}", grounds.join(", ")));
        }
        if let Some(reference) = decision.reference.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            sentence.push_str(&format!(" ({reference})"));
        }
        changes.push(Change {
            on: decision.decided_on,
            group: ChangeGroup::Decisions,
            record: id.to_string(),
            sentence,
        });
    }
    changes
}

/// The reviews due and the open requests, referrals and refusals of the record as
/// it stood (`then`, with `status`) on the period's last day, `until`.
fn due_and_open(
    id: &RecordId,
    record: &Record,
    then: &Record,
    status: Status,
    until: Date,
    window: i64,
) -> (Vec<DueItem>, Vec<OpenItem>) {
    let mut due = Vec::new();
    let mut open = Vec::new();
    for item in items_of(id, then, status, until, window) {
        match item.kind {
            DueKind::Review | DueKind::ReviewToComplete => due.push(item),
            DueKind::RequestUnanswered
            | DueKind::ReviewRequested
            | DueKind::ReferralOpen
            | DueKind::RemovalToNotify => {
                // Days counted to the period's end would read as counted to the day
                // the paper is read: the table says on which day these are open.
                let asked = (item.kind == DueKind::ReviewRequested)
                    .then(|| open_review_request(then))
                    .flatten()
                    .map(|(_, request)| {
                        format!("A review was asked for {}; no answer yet", request.when_in_words())
                    });
                open.push(OpenItem {
                    on: item.listed_by,
                    record: item.record,
                    service: item.service,
                    provider: item.provider,
                    status,
                    what: asked.unwrap_or_else(|| capitalised(&item.what)),
                    // Only an answer is due by a day; a referral waits on the regulator.
                    overdue: item.overdue && item.kind == DueKind::RequestUnanswered,
                })
            }
            DueKind::NeverSubmitted | DueKind::Resubmit | DueKind::IdleDraft => {}
        }
    }
    if status == Status::Refused
        && let Some(refused) = then.last_event(EventKind::ProviderRefused)
    {
        open.push(OpenItem {
            on: refused.on,
            record: id.to_string(),
            service: record.service.name.clone(),
            provider: record.provider.name.clone(),
            status,
            what: format!(
                "The provider refused {}; the refusal has not been referred to the regulator",
                refused.when_in_words()
            ),
            overdue: false,
        });
    }
    (due, open)
}

/// The moves that took the record `id` to where it is, oldest first: through the
/// ids it had before, as its `previous_ids` lists them.
fn relocations_of<'a>(
    id: &RecordId,
    record: &Record,
    moved_to: &HashMap<&str, Vec<&'a Relocation>>,
) -> Vec<&'a Relocation> {
    let ids: Vec<String> =
        record.previous_ids.iter().cloned().chain(std::iter::once(id.to_string())).collect();
    let mut found: Vec<&Relocation> = ids
        .iter()
        .flat_map(|to| moved_to.get(to.as_str()).into_iter().flatten().copied())
        .filter(|r| record.previous_ids.contains(&r.from))
        .collect();
    found.sort_by_key(|r| r.on);
    found
}

/// A record moved, in a sentence.
fn relocation_sentence(r: &Relocation) -> String {
    let day = r.on.in_words();
    match (&r.service, &r.provider_before, &r.provider_after) {
        (Some(service), Some((was_ods, was)), Some((ods, name))) if was_ods != ods => {
            format!("{service} moved from {was} ({was_ods}) to {name} ({ods}) on {day}")
        }
        (Some(service), Some(_), Some((_, name))) => {
            format!("The record of {service} at {name} was renamed from {} to {} on {day}", r.from, r.to)
        }
        // Where it was before is not known: not said to be the same provider.
        (Some(service), None, Some((ods, name))) => {
            format!("The record of {service} moved from {} to {} at {name} ({ods}) on {day}", r.from, r.to)
        }
        _ => format!("The record {} moved to {} on {day}", r.from, r.to),
    }
}

/// A succession, in a sentence; `responsible` is the register's commissioner now.
fn succession_sentence(s: &Succession, responsible: &str) -> String {
    let named = |name: &Option<String>, code: &str| match name {
        Some(name) => format!("{name} ({code})"),
        None => code.to_owned(),
    };
    let (old, new, day) = (named(&s.old_name, &s.old), named(&s.new_name, &s.new), s.on.in_words());
    if s.register {
        format!(
            "{new} took over from {old} as the commissioner responsible for the register on {day}; each earlier decision keeps the commissioner that made it"
        )
    } else if s.moved > 0 {
        format!(
            "{new} took over from {old} as provider on {day}: {} moved to it",
            count(s.moved, "service", "services")
        )
    } else if s.new == responsible {
        format!(
            "{new} took over from {old} on {day}; {} was a co-commissioner of {}, for which {} is the commissioner responsible",
            // Named in full once: by their codes after that.
            s.old,
            count(s.records, "service", "services"),
            s.new
        )
    } else {
        format!(
            "{new} took over from {old} as co-commissioner on {day}, for {}",
            count(s.records, "service", "services")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submission_tags_name_their_day() {
        let day = submission_day("crs/submission/2026-05-01.2").unwrap();
        assert_eq!(day, Date::from_ymd(2026, 5, 1).unwrap());
        assert!(submission_day("crs/submission/soon").is_err());
    }

    #[test]
    fn months_are_added_to_the_last_day_of_shorter_months() {
        let day = Date::from_ymd(2026, 1, 31).unwrap();
        assert_eq!(add_months(day, 1), Date::from_ymd(2026, 2, 28).unwrap());
    }
}
