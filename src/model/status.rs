//! `Status`: where a record stands, derived from its decision and events (never
//! stored), and the lifecycle fold that finds events which make no sense.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Date;
use crate::model::record::{Decision, DecisionOutcome, EventKind, Record, parse_named};

/// A record's derived status, as in the table of DESIGN.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Draft,
    NotDesignated,
    Proposed,
    Requested,
    Refused,
    Referred,
    Designated,
    UnderReview,
    Removed,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 9] = [
        Status::Draft,
        Status::NotDesignated,
        Status::Proposed,
        Status::Requested,
        Status::Refused,
        Status::Referred,
        Status::Designated,
        Status::UnderReview,
        Status::Removed,
    ];

    /// The status as reports and `--status` write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::NotDesignated => "not-designated",
            Status::Proposed => "proposed",
            Status::Requested => "requested",
            Status::Refused => "refused",
            Status::Referred => "referred",
            Status::Designated => "designated",
            Status::UnderReview => "under-review",
            Status::Removed => "removed",
        }
    }

    /// True while the licence protections apply: designated, or designated and under review.
    pub fn in_force(self) -> bool {
        matches!(self, Status::Designated | Status::UnderReview)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Status {
    type Err = String;

    fn from_str(text: &str) -> Result<Status, String> {
        parse_named(text, &Status::ALL, |s| s.as_str(), "a status")
    }
}

/// An event (or a decision) that makes no sense where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventProblem {
    /// Where it is: `events[3]`, `decisions[1]` (or `decision` in version 1).
    pub key: String,
    pub message: String,
}

/// The outcome of walking a record's decisions and events in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lifecycle {
    pub status: Status,
    pub problems: Vec<EventProblem>,
}

/// The record's status and any events out of place.
pub fn derive_status(record: &Record) -> Status {
    lifecycle(record).status
}

/// Where the walk stands: the status, and the decision in effect.
#[derive(Clone)]
struct Walk {
    status: Status,
    /// The decision in effect and its date.
    current: Option<(DecisionOutcome, Date)>,
    /// A removal decided, not yet told to the provider: the designation stays.
    removing: bool,
    /// Version 1: the one decision governs every event, whatever their dates.
    version_1: bool,
    /// The record begins with a removal or a confirmation: it was designated before
    /// it was kept here (a version 1 removal migrated, an import). Until that first
    /// decision its events are the designation's, and a designation with no events
    /// of its own counts as in force.
    designated_before: bool,
    /// The days of the record's decisions to remove, to tell a removal notice dated
    /// before its decision from one with no decision at all.
    removals: Vec<Date>,
}

/// Walks the decisions and events in date order (a decision before the events of
/// its day), applying each legal step and noting each illegal one (which then
/// changes nothing). Status comes from the last decision and the events after it.
///
/// A version 1 record has one decision, which governs all its events: a removal's
/// record kept the designation's events before it, with its own decision in place.
pub fn lifecycle(record: &Record) -> Lifecycle {
    let decisions = record.decisions();
    let version_1 = record.decisions.is_empty();
    let designated_before = !version_1
        && decisions
            .first()
            .is_some_and(|d| matches!(d.outcome, DecisionOutcome::Remove | DecisionOutcome::Confirm));
    let removals =
        decisions.iter().filter(|d| d.outcome == DecisionOutcome::Remove).map(|d| d.decided_on).collect();
    let mut walk = Walk {
        status: Status::Draft,
        current: None,
        removing: false,
        version_1,
        designated_before,
        removals,
    };
    if designated_before {
        walk.status = Status::Proposed;
        walk.current = Some((DecisionOutcome::Designate, Date(chrono::NaiveDate::MIN)));
    }
    let mut problems = Vec::new();
    let mut next = 0;
    if walk.version_1
        && let Some(decision) = decisions.first()
    {
        walk.current = Some((decision.outcome, decision.decided_on));
        walk.status = match decision.outcome {
            DecisionOutcome::DoNotDesignate => Status::NotDesignated,
            _ => Status::Proposed,
        };
        walk.removing = decision.outcome == DecisionOutcome::Remove;
        next = 1;
    }
    for (i, pair) in decisions.windows(2).enumerate() {
        if pair[1].decided_on < pair[0].decided_on {
            problems.push(EventProblem {
                key: record.decision_key(i + 1),
                message: format!(
                    "the {} on {} comes after a later decision; keep decisions in date order",
                    pair[1].outcome.in_words(),
                    pair[1].decided_on
                ),
            });
        }
    }
    let decide = |walk: &mut Walk, index: usize, problems: &mut Vec<EventProblem>| {
        let decision = &decisions[index];
        if let Err(message) = walk.decide(decision.outcome, decision.decided_on) {
            problems.push(EventProblem { key: record.decision_key(index), message });
        }
    };
    let mut previous_date = None;
    for (index, event) in record.events.iter().enumerate() {
        // A step whose day no one recorded happened on or before its `on`: it stands
        // where it is among the events, and only the decisions up to the last day
        // known before it (at least the first) come before it.
        let passes = |d: &Decision, decided_yet: bool| match event.date_known {
            true => d.decided_on <= event.on,
            false => !decided_yet || previous_date.is_some_and(|p| d.decided_on <= p),
        };
        while next < decisions.len() && passes(&decisions[next], next > 0) {
            decide(&mut walk, next, &mut problems);
            next += 1;
        }
        let mut problem =
            |message: String| problems.push(EventProblem { key: format!("events[{index}]"), message });
        if !event.date_known {
            // If the step cannot stand here, the decisions before its latest day that
            // it needs come first, one at a time.
            loop {
                let mut trial = walk.clone();
                match trial.event(event.kind, event.on) {
                    Ok(()) => {
                        walk = trial;
                        break;
                    }
                    Err(_) if next < decisions.len() && decisions[next].decided_on <= event.on => {
                        decide(&mut walk, next, &mut problems);
                        next += 1;
                    }
                    Err(message) => {
                        problems.push(EventProblem {
                            key: format!("events[{index}]"),
                            message: format!(
                                "{} by {} (day not recorded): {message}",
                                event.kind.label(),
                                event.on.in_words()
                            ),
                        });
                        break;
                    }
                }
            }
            continue;
        }
        if previous_date.is_some_and(|d| event.on < d) {
            problem(format!(
                "{} on {} comes after a later-dated event; keep events in date order",
                event.kind.label(),
                event.on.in_words()
            ));
        }
        previous_date = Some(event.on);
        if let Err(message) = walk.event(event.kind, event.on) {
            problem(format!("{} on {}: {message}", event.kind.label(), event.on.in_words()));
        }
    }
    while next < decisions.len() {
        decide(&mut walk, next, &mut problems);
        next += 1;
    }
    // A version 1 removal whose record kept no events of its designation (one
    // designated before it was kept here) counts as designated until the notice.
    if walk.version_1 && walk.removing && walk.status == Status::Proposed {
        walk.status = Status::Designated;
    }
    Lifecycle { status: walk.status, problems }
}

impl Walk {
    /// Applies a decision (version 2).
    fn decide(&mut self, outcome: DecisionOutcome, on: Date) -> Result<(), String> {
        if std::mem::take(&mut self.designated_before) && self.status == Status::Proposed {
            self.status = Status::Designated;
        }
        let status = self.status;
        let on_words = on.in_words();
        let status_words = status.label().to_lowercase();
        let next = match outcome {
            DecisionOutcome::Designate if status.in_force() => Err(format!(
                "a decision to designate on {on_words}, but the service is {status_words} already; a review keeps a designation with a decision to confirm it"
            )),
            DecisionOutcome::Designate
                if matches!(status, Status::Requested | Status::Refused | Status::Referred) =>
            {
                Err(format!(
                    "a decision to designate on {on_words}, but a designation is {status_words} already"
                ))
            }
            DecisionOutcome::Designate => Ok(Status::Proposed),
            DecisionOutcome::DoNotDesignate if status.in_force() => Err(format!(
                "a decision not to designate on {on_words}, but the service is {status_words}: a designation in force is ended by a decision to remove it"
            )),
            DecisionOutcome::DoNotDesignate => Ok(Status::NotDesignated),
            DecisionOutcome::Confirm if status.in_force() => Ok(Status::Designated),
            DecisionOutcome::Confirm => Err(format!(
                "a decision to keep the designation on {on_words}, but the service is {status_words}, not designated"
            )),
            DecisionOutcome::Remove if status.in_force() => {
                self.removing = true;
                Ok(status)
            }
            DecisionOutcome::Remove => Err(format!(
                "a decision to remove the designation on {on_words}, but the service is {status_words}, not designated"
            )),
        }?;
        if outcome != DecisionOutcome::Remove {
            self.removing = false;
        }
        self.status = next;
        self.current = Some((outcome, on));
        Ok(())
    }

    /// Applies an event.
    fn event(&mut self, kind: EventKind, on: Date) -> Result<(), String> {
        let status = self.status;
        let outcome = self.current.map(|(o, _)| o);
        let decided_on = self.current.map(|(_, d)| d);
        // In version 1 a removal's record carries its designation's events.
        let designating = match outcome {
            Some(DecisionOutcome::Designate) => true,
            Some(DecisionOutcome::Remove) => self.version_1,
            _ => false,
        };
        let next = match kind {
            EventKind::ProvidersNotified
            | EventKind::PublicEngagement
            | EventKind::InvolvementNotEngaged
            | EventKind::Submitted => Ok(status),
            EventKind::WrittenRequestSent if !designating => {
                Err("a written request needs a decision to designate first (crs designate)".to_owned())
            }
            EventKind::WrittenRequestSent => match decided_on {
                Some(d) if outcome == Some(DecisionOutcome::Designate) && on < d => Err(format!(
                    "the written request on {} is dated before the decision on {}",
                    on.in_words(),
                    d.in_words()
                )),
                _ if matches!(status, Status::Proposed | Status::Requested) => Ok(Status::Requested),
                _ => Err(format!("a written request cannot follow status {status}{}", comes_next(status))),
            },
            EventKind::ProviderAccepted => expect(
                status,
                Status::Requested,
                Status::Designated,
                "an acceptance",
                "a written request (written-request-sent)",
            ),
            EventKind::ProviderRefused => expect(
                status,
                Status::Requested,
                Status::Refused,
                "a refusal",
                "a written request (written-request-sent)",
            ),
            EventKind::ReferredToRegulator => expect(
                status,
                Status::Refused,
                Status::Referred,
                "a referral to the regulator",
                "the provider's refusal (provider-refused)",
            ),
            EventKind::RefusalFoundUnreasonable => expect(
                status,
                Status::Referred,
                Status::Designated,
                "a regulator's finding",
                "a referral (referred-to-regulator)",
            ),
            EventKind::RefusalFoundReasonable => expect(
                status,
                Status::Referred,
                Status::NotDesignated,
                "a regulator's finding",
                "a referral (referred-to-regulator)",
            ),
            EventKind::LicenceRequested if designating || status.in_force() => Ok(status),
            EventKind::LicenceRequested => {
                Err("a licence request needs a decision to designate first".to_owned())
            }
            EventKind::ReviewRequested if status.in_force() => Ok(status),
            EventKind::ReviewRequested => Err(format!(
                "a review can be requested only of a designation in force, not of status {status}"
            )),
            EventKind::ReviewDeclined if status == Status::Designated => Ok(status),
            EventKind::ReviewDeclined => Err(format!(
                "a decision not to review concerns a designation in force and not under review, not status {status}"
            )),
            EventKind::ReviewStarted => {
                expect(status, Status::Designated, Status::UnderReview, "a review", "a designation in force")
            }
            // A review ends with a decision to keep or remove the designation; its
            // event then marks the end, on the decision's day or after.
            EventKind::ReviewCompleted
                if status == Status::Designated
                    && !self.version_1
                    && matches!(outcome, Some(DecisionOutcome::Confirm | DecisionOutcome::Remove)) =>
            {
                Ok(status)
            }
            EventKind::ReviewCompleted => expect(
                status,
                Status::UnderReview,
                Status::Designated,
                "the end of a review",
                "a started review (review-started)",
            ),
            EventKind::ProviderNotifiedOfRemoval => match (outcome, decided_on) {
                (Some(DecisionOutcome::Remove), Some(d)) if on < d => Err(format!(
                    "the removal notice on {} is dated before the decision on {}",
                    on.in_words(),
                    d.in_words()
                )),
                (Some(DecisionOutcome::Remove), _) if self.removing => {
                    self.removing = false;
                    Ok(Status::Removed)
                }
                (Some(DecisionOutcome::Remove), _) => {
                    Err("the provider was told of this removal already".to_owned())
                }
                _ => match self.removals.iter().find(|d| **d > on) {
                    Some(d) => Err(format!(
                        "the removal notice on {} is dated before the decision to remove on {}",
                        on.in_words(),
                        d.in_words()
                    )),
                    None => Err("a removal notice needs a decision to remove first (crs remove)".to_owned()),
                },
            },
        }?;
        self.status = next;
        Ok(())
    }
}

fn expect(current: Status, needed: Status, next: Status, what: &str, after: &str) -> Result<Status, String> {
    if current == needed {
        Ok(next)
    } else {
        Err(format!(
            "{what} must follow {after}; the record is {} at this point{}",
            current.label().to_lowercase(),
            comes_next(current)
        ))
    }
}

/// What comes next for a record of `status` whose way on is not the usual one, as
/// the end of a sentence: a refusal goes to the regulator, a referral waits on it.
fn comes_next(status: Status) -> &'static str {
    match status {
        Status::Refused => {
            ": the refusal is referred to the regulator next (referred-to-regulator), or the service is not designated"
        }
        Status::Referred => {
            ": the regulator's finding comes next (refusal-found-unreasonable or refusal-found-reasonable)"
        }
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::date::Date;
    use crate::model::record::{Decision, Event};

    fn record(outcome: Option<DecisionOutcome>, events: &[(&str, EventKind)]) -> Record {
        let mut r: Record = toml::from_str(crate::model::record::MINIMAL_TEST_RECORD).unwrap();
        r.decision = outcome.map(|outcome| Decision {
            outcome,
            grounds: vec![],
            decided_on: "2025-01-01".parse().unwrap(),
            decided_by: None,
            reference: None,
            provider: None,
            commissioner: None,
        });
        r.events =
            events.iter().map(|(on, kind)| Event::dated(on.parse::<Date>().unwrap(), *kind, None)).collect();
        r
    }

    use DecisionOutcome::*;
    use EventKind::*;

    #[test]
    fn every_status_of_the_table() {
        let cases: Vec<(Record, Status)> = vec![
            (record(None, &[]), Status::Draft),
            (record(Some(DoNotDesignate), &[]), Status::NotDesignated),
            (record(Some(Designate), &[]), Status::Proposed),
            (record(Some(Designate), &[("2025-02-01", WrittenRequestSent)]), Status::Requested),
            (
                record(
                    Some(Designate),
                    &[("2025-02-01", WrittenRequestSent), ("2025-02-20", ProviderRefused)],
                ),
                Status::Refused,
            ),
            (
                record(
                    Some(Designate),
                    &[
                        ("2025-02-01", WrittenRequestSent),
                        ("2025-02-20", ProviderRefused),
                        ("2025-03-01", ReferredToRegulator),
                    ],
                ),
                Status::Referred,
            ),
            (
                record(
                    Some(Designate),
                    &[("2025-02-01", WrittenRequestSent), ("2025-02-20", ProviderAccepted)],
                ),
                Status::Designated,
            ),
            (
                record(
                    Some(Designate),
                    &[
                        ("2025-02-01", WrittenRequestSent),
                        ("2025-02-20", ProviderRefused),
                        ("2025-03-01", ReferredToRegulator),
                        ("2025-05-01", RefusalFoundUnreasonable),
                    ],
                ),
                Status::Designated,
            ),
            (
                record(
                    Some(Designate),
                    &[
                        ("2025-02-01", WrittenRequestSent),
                        ("2025-02-20", ProviderAccepted),
                        ("2026-01-01", ReviewStarted),
                    ],
                ),
                Status::UnderReview,
            ),
            (
                record(
                    Some(Designate),
                    &[
                        ("2025-02-01", WrittenRequestSent),
                        ("2025-02-20", ProviderAccepted),
                        ("2026-01-01", ReviewStarted),
                        ("2026-02-01", ReviewCompleted),
                    ],
                ),
                Status::Designated,
            ),
            (record(Some(Remove), &[("2025-02-01", ProviderNotifiedOfRemoval)]), Status::Removed),
            (record(Some(Remove), &[]), Status::Designated),
        ];
        for (r, expected) in cases {
            let l = lifecycle(&r);
            assert_eq!(l.status, expected, "{:?}", r.events);
            assert!(l.problems.is_empty(), "{:?}", l.problems);
        }
    }

    #[test]
    fn a_step_out_of_turn_is_told_what_comes_next() {
        let referred = [
            ("2025-02-01", WrittenRequestSent),
            ("2025-02-20", ProviderRefused),
            ("2025-03-01", ReferredToRegulator),
            ("2025-03-10", ProviderAccepted),
        ];
        let l = lifecycle(&record(Some(Designate), &referred));
        assert!(l.problems[0].message.contains("the regulator's finding comes next"), "{:?}", l.problems);
        // A notice dated before its own removal says so, not that there is no removal.
        let mut r =
            record(Some(Designate), &[("2025-02-01", WrittenRequestSent), ("2025-02-20", ProviderAccepted)]);
        r.decisions = vec![r.decision.take().unwrap()];
        let mut removal = r.decisions[0].clone();
        (removal.outcome, removal.decided_on) = (Remove, "2026-09-10".parse().unwrap());
        r.decisions.push(removal);
        r.events.push(Event::dated("2026-09-01".parse().unwrap(), ProviderNotifiedOfRemoval, None));
        let l = lifecycle(&r);
        assert!(
            l.problems[0].message.contains("is dated before the decision to remove on 10 September 2026"),
            "{:?}",
            l.problems
        );
    }

    #[test]
    fn acceptance_before_request_is_a_problem() {
        let l = lifecycle(&record(Some(Designate), &[("2025-02-20", ProviderAccepted)]));
        assert_eq!(l.status, Status::Proposed);
        assert_eq!(l.problems.len(), 1);
        assert!(l.problems[0].message.contains("must follow a written request"), "{}", l.problems[0].message);
    }

    #[test]
    fn finding_without_referral_is_a_problem() {
        let l = lifecycle(&record(
            Some(Designate),
            &[("2025-02-01", WrittenRequestSent), ("2025-02-20", RefusalFoundUnreasonable)],
        ));
        assert_eq!(l.problems.len(), 1);
        assert_eq!(l.status, Status::Requested);
    }

    #[test]
    fn request_before_decision_is_a_problem() {
        let l = lifecycle(&record(None, &[("2024-12-01", WrittenRequestSent)]));
        assert_eq!(l.problems.len(), 1);
        let l = lifecycle(&record(Some(Designate), &[("2024-12-01", WrittenRequestSent)]));
        assert!(l.problems[0].message.contains("before the decision"));
    }

    #[test]
    fn events_out_of_date_order_are_a_problem() {
        let l =
            lifecycle(&record(None, &[("2025-02-01", PublicEngagement), ("2025-01-01", ProvidersNotified)]));
        assert_eq!(l.problems.len(), 1);
        assert_eq!(l.problems[0].key, "events[1]");
    }
}
