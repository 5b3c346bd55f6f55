//! `Status`: where a record stands, derived from its decision and events (never
//! stored), and the lifecycle fold that finds events which make no sense.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::record::{DecisionOutcome, EventKind, Record, parse_named};

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

/// An event that makes no sense where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventProblem {
    /// Index of the event in the record's `events`.
    pub index: usize,
    pub message: String,
}

/// The outcome of walking a record's events in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lifecycle {
    pub status: Status,
    pub problems: Vec<EventProblem>,
}

/// The record's status and any events out of place.
pub fn derive_status(record: &Record) -> Status {
    lifecycle(record).status
}

/// Walks the events in file order, applying each legal transition and noting each
/// illegal one (which then changes nothing).
pub fn lifecycle(record: &Record) -> Lifecycle {
    let outcome = record.outcome();
    let decided_on = record.decision.as_ref().map(|d| d.decided_on);
    let mut status = match outcome {
        None => Status::Draft,
        Some(DecisionOutcome::DoNotDesignate) => Status::NotDesignated,
        Some(DecisionOutcome::Designate | DecisionOutcome::Remove) => Status::Proposed,
    };
    let mut removal_notified = false;
    let mut problems = Vec::new();
    let mut previous_date = None;

    for (index, event) in record.events.iter().enumerate() {
        let mut problem = |message: String| problems.push(EventProblem { index, message });
        if previous_date.is_some_and(|d| event.on < d) {
            problem(format!(
                "event {} on {} comes after a later-dated event; keep events in date order",
                event.kind, event.on
            ));
        }
        previous_date = Some(event.on);

        let designation_track = matches!(outcome, Some(DecisionOutcome::Designate | DecisionOutcome::Remove));
        let next = match event.kind {
            EventKind::ProvidersNotified | EventKind::PublicEngagement | EventKind::Submitted => Ok(status),
            EventKind::WrittenRequestSent if !designation_track => {
                Err("a written request needs a decision to designate first (crs designate)".to_owned())
            }
            EventKind::WrittenRequestSent => match (outcome, decided_on) {
                (Some(DecisionOutcome::Designate), Some(d)) if event.on < d => {
                    Err(format!("the written request on {} is dated before the decision on {d}", event.on))
                }
                _ if matches!(status, Status::Proposed | Status::Requested) => Ok(Status::Requested),
                _ => Err(format!("a written request cannot follow status {status}")),
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
            EventKind::LicenceRequested if designation_track => Ok(status),
            EventKind::LicenceRequested => {
                Err("a licence request needs a decision to designate first".to_owned())
            }
            EventKind::ReviewRequested if status.in_force() => Ok(status),
            EventKind::ReviewRequested => Err(format!(
                "a review can be requested only of a designation in force, not of status {status}"
            )),
            EventKind::ReviewStarted => {
                expect(status, Status::Designated, Status::UnderReview, "a review", "a designation in force")
            }
            EventKind::ReviewCompleted => expect(
                status,
                Status::UnderReview,
                Status::Designated,
                "the end of a review",
                "a started review (review-started)",
            ),
            EventKind::ProviderNotifiedOfRemoval => match (outcome, decided_on) {
                (Some(DecisionOutcome::Remove), Some(d)) if event.on < d => {
                    Err(format!("the removal notice on {} is dated before the decision on {d}", event.on))
                }
                (Some(DecisionOutcome::Remove), _) => {
                    removal_notified = true;
                    Ok(status)
                }
                _ => Err("a removal notice needs a decision to remove first (crs remove)".to_owned()),
            },
        };
        match next {
            Ok(s) => status = s,
            Err(message) => problem(format!("{} on {}: {message}", event.kind, event.on)),
        }
    }

    // A removal takes effect when the provider is told; until then the designation
    // stays as it stood. A record with no events of its designation (one designated
    // before it was kept here) counts as designated.
    if outcome == Some(DecisionOutcome::Remove) {
        status = match status {
            _ if removal_notified => Status::Removed,
            Status::Proposed => Status::Designated,
            other => other,
        };
    }
    Lifecycle { status, problems }
}

fn expect(current: Status, needed: Status, next: Status, what: &str, after: &str) -> Result<Status, String> {
    if current == needed {
        Ok(next)
    } else {
        Err(format!("{what} must follow {after}; the record is {current} at this point"))
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
        });
        r.events = events
            .iter()
            .map(|(on, kind)| Event { on: on.parse::<Date>().unwrap(), kind: *kind, note: None })
            .collect();
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
        assert_eq!(l.problems[0].index, 1);
    }
}
