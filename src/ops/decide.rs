//! The decisions of a designation's life, each one change of one record: designate,
//! decline, remove, and a review's start and end (confirm or remove). Every decision
//! is added after the earlier ones, never over them; grounds come from the stages,
//! never typed. Each refuses a step the record's status does not allow, saying which
//! step comes next.

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::framework::assessed::{
    assess_again, assessed_since, stages_assessed_after, stages_not_assessed_for,
};
use crate::framework::rules::{grounds_met, open_review_request};
use crate::history::moves::{Succession, moves_and_successions};
use crate::model::Record;
use crate::model::record::{Decision, DecisionCommissioner, DecisionOutcome, Event, EventKind};
use crate::model::status::{Status, derive_status};
use crate::model::{Date, RecordId};
use crate::ops::change::{Action, Changed, EXISTING, change_record, next_step};
use crate::ops::transaction::WriteOptions;

/// Who decided, when, and on what authority.
#[derive(Clone, Debug, Default)]
pub struct Deciding {
    /// The day of the decision (default: today).
    pub on: Option<Date>,
    pub by: Option<String>,
    pub reference: Option<String>,
    /// The next review date to set, if any.
    pub review_due: Option<Date>,
    /// The commissioner that made the decision, when it is not the one responsible
    /// now (a decision of before a succession, recorded after it): its code, and its
    /// name unless an earlier decision of the record gives it.
    pub made_by: Option<(String, Option<String>)>,
}

/// Who asked for a review.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestedBy {
    Provider,
    Commissioner,
}

/// How a review ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewEnd {
    /// The designation is kept, with a new review date.
    Confirm { next_due: Date },
    /// The designation is to be removed (it ends when the provider is told).
    Remove,
}

/// Records a decision to designate, not to designate, or to remove a designation.
pub fn decide(
    ctx: &Ctx,
    options: &WriteOptions,
    id: &RecordId,
    outcome: DecisionOutcome,
    deciding: &Deciding,
) -> Result<Changed> {
    let action = match outcome {
        DecisionOutcome::Designate => Action::Designate,
        DecisionOutcome::DoNotDesignate => Action::Decline,
        DecisionOutcome::Remove => Action::Remove,
        DecisionOutcome::Confirm => Action::ReviewComplete,
    };
    let decided_on = deciding.on.unwrap_or(ctx.today);
    let succeeded_since = succession_unnamed(ctx, deciding, decided_on)?;
    change_record(ctx, options, id, action, EXISTING, |prepared, doc| {
        let record = prepared.record.expect("an existing record");
        let status = derive_status(record);
        let refuse = |message: String, hint: String| Err(Error::NotAllowed { message, hint });
        match outcome {
            DecisionOutcome::DoNotDesignate if status.in_force() => {
                return refuse(
                    format!("{id} is {status}: a designation in force is ended by removing it"),
                    format!("crs remove {id} records the decision to remove it"),
                );
            }
            DecisionOutcome::Designate if status.in_force() => {
                return refuse(
                    format!("{id} is {status} already"),
                    format!(
                        "a review keeps a designation: crs review start {id}, then crs review complete {id} --confirm"
                    ),
                );
            }
            DecisionOutcome::Designate | DecisionOutcome::DoNotDesignate
                if record.outcome() == Some(outcome) =>
            {
                let on = record.current_decision().map(|d| d.decided_on.to_string()).unwrap_or_default();
                // A designation under way goes on by its next step, not by an edit.
                let hint = match status {
                    Status::Requested | Status::Refused | Status::Referred => {
                        next_step(id, record, status, true)
                    }
                    _ => None,
                };
                return refuse(
                    format!("{id} already has a {} (on {on})", outcome.in_words()),
                    hint.unwrap_or_else(|| {
                        format!(
                            "crs show {id} gives the record's decisions and events; change one with crs edit {id}"
                        )
                    }),
                );
            }
            DecisionOutcome::Designate
                if matches!(status, Status::Requested | Status::Refused | Status::Referred) =>
            {
                return refuse(
                    format!("{id} is {status}: the designation is being made already"),
                    format!("crs show {id} gives where it stands"),
                );
            }
            DecisionOutcome::Remove if !status.in_force() => {
                return refuse(
                    format!("{id} is {status}, not designated, so there is no designation to remove"),
                    format!("to withdraw a proposal that was never designated, record crs decline {id}"),
                );
            }
            DecisionOutcome::Remove if record.outcome() == Some(DecisionOutcome::Remove) => {
                return refuse(
                    format!("{id} has a decision to remove the designation already"),
                    format!("tell the provider, then record crs event {id} provider-notified-of-removal"),
                );
            }
            _ => {}
        }
        refuse_before_succession(record, id, outcome, decided_on, succeeded_since.as_ref())?;
        require_own_assessment(record, &prepared.config.framework, id, outcome, decided_on)?;
        let grounds = match outcome {
            DecisionOutcome::Designate | DecisionOutcome::Confirm => {
                grounds_met(record, &prepared.config.framework).into_iter().map(str::to_owned).collect()
            }
            _ => Vec::new(),
        };
        let decision = Decision {
            outcome,
            grounds: grounds.clone(),
            decided_on,
            decided_by: deciding.by.clone(),
            reference: deciding.reference.clone(),
            provider: None,
            commissioner: made_by(record, deciding.made_by.as_ref())?,
        };
        let doc = doc.as_mut().expect("an existing record has a document");
        doc.push_decision(&decision);
        match (outcome, deciding.review_due) {
            (DecisionOutcome::Remove | DecisionOutcome::DoNotDesignate, _) => doc.remove_review(),
            (_, Some(due)) => doc.set_review_due(due),
            _ => {}
        }
        Ok(match outcome {
            DecisionOutcome::Designate if grounds.is_empty() => "no ground met".to_owned(),
            DecisionOutcome::Designate | DecisionOutcome::Confirm => grounds.join(", "),
            DecisionOutcome::DoNotDesignate => "do not designate".to_owned(),
            DecisionOutcome::Remove => "remove the designation".to_owned(),
        })
    })
}

/// The succession of the register's commissioner that came after a back-dated
/// decision that names no maker, the earliest if several: the decision was made
/// before the commissioner responsible now took over. Found in the register's
/// history (`crs succeed`); not looked for when the decision is today's or names
/// its maker.
fn succession_unnamed(ctx: &Ctx, deciding: &Deciding, day: Date) -> Result<Option<Succession>> {
    if deciding.made_by.is_some() || day >= ctx.today {
        return Ok(None);
    }
    let found = moves_and_successions(&ctx.register_root()?)?;
    Ok(found.successions.into_iter().filter(|s| s.register && s.on > day).min_by_key(|s| s.on))
}

/// Refuses a decision of `outcome` on `day`, dated before `succession` made the
/// record's commissioner responsible, that does not name the commissioner that made it.
fn refuse_before_succession(
    record: &Record,
    id: &RecordId,
    outcome: DecisionOutcome,
    day: Date,
    succession: Option<&Succession>,
) -> Result<()> {
    let Some(succession) = succession.filter(|s| s.new == record.commissioner.ods) else { return Ok(()) };
    Err(Error::NotAllowed {
        message: format!(
            "{id}: the {} is dated {}, before {} took over from {} on {}: the commissioner responsible now did not make it",
            outcome.in_words(),
            day.in_words(),
            succession.new,
            succession.old,
            succession.on.in_words()
        ),
        hint: format!(
            "name the commissioner that made it: add --made-by {} (and --made-by-name NAME unless an earlier decision of the record names it)",
            succession.old
        ),
    })
}

/// The commissioner that made a decision, as `made_by` gives it: its name the one
/// given, else the one an earlier decision of `record` keeps for the code. `None` for
/// the commissioner responsible now.
fn made_by(
    record: &Record,
    made_by: Option<&(String, Option<String>)>,
) -> Result<Option<DecisionCommissioner>> {
    let Some((ods, name)) = made_by else { return Ok(None) };
    let ods = ods.trim();
    if ods == record.commissioner.ods {
        return Ok(None);
    }
    let kept = || {
        record
            .decisions()
            .iter()
            .filter_map(|d| d.commissioner.as_ref())
            .find(|c| c.ods == ods)
            .map(|c| c.name.clone())
    };
    let name = name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned).or_else(kept);
    match name {
        Some(name) => Ok(Some(DecisionCommissioner { ods: ods.to_owned(), name })),
        None => Err(Error::Usage(format!(
            "--made-by {ods} needs the commissioner's name: give --made-by-name NAME (no earlier decision of the record names {ods})"
        ))),
    }
}

/// Refuses a decision of `outcome` on `on` that the record's stages were not assessed
/// for: each decision stands on its own assessment, never on an earlier decision's,
/// nor on one made after its day.
fn require_own_assessment(
    record: &Record,
    framework: &Framework,
    id: &RecordId,
    outcome: DecisionOutcome,
    on: Date,
) -> Result<()> {
    let since = assessed_since(record.decisions(), &record.events, outcome, on);
    let not_assessed = stages_not_assessed_for(record, framework, outcome, since.as_ref());
    let later = stages_assessed_after(record, framework, outcome, on);
    if let Some((first, _)) = later.first() {
        let named: Vec<String> = later
            .iter()
            .map(|(s, assessed)| {
                format!("stage {} {} was assessed on {}", s.number, s.name(), assessed.in_words())
            })
            .collect();
        return Err(Error::NotAllowed {
            message: format!(
                "{id}: the {} is dated {}, but {}, after it: a decision rests on what was assessed by its day",
                outcome.in_words(),
                on.in_words(),
                named.join(", ")
            ),
            hint: format!(
                "give the day the decision was made (--on), on or after its assessments; if a stage was assessed by then and recorded with a later day, assess it again with its own day: crs assess {id} --stage {} --met|--not-met --rationale TEXT --on DATE",
                first.number
            ),
        });
    }
    if not_assessed.is_empty() {
        return Ok(());
    }
    Err(Error::NotAllowed {
        message: format!(
            "{id}: the {} of {} has no assessment of its own",
            outcome.in_words(),
            on.in_words()
        ),
        hint: assess_again(outcome, id, &not_assessed, since.as_ref()),
    })
}

/// Records a decision not to review a designation whose review was asked for, and
/// why; the request is then answered.
pub fn decline_review(
    ctx: &Ctx,
    options: &WriteOptions,
    id: &RecordId,
    deciding: &Deciding,
    reason: &str,
) -> Result<Changed> {
    change_record(ctx, options, id, Action::ReviewDecline, EXISTING, |prepared, doc| {
        let record = prepared.record.expect("an existing record");
        let status = derive_status(record);
        let Some((_, request)) = open_review_request(record).filter(|_| status == Status::Designated) else {
            return Err(Error::NotAllowed {
                message: format!("{id} has no request for a review waiting for an answer"),
                hint: format!(
                    "record a provider's request first (crs event {id} review-requested --on DATE), or start a review (crs review start {id})"
                ),
            });
        };
        let on = deciding.on.unwrap_or(ctx.today);
        if on < request.on {
            return Err(Error::NotAllowed {
                message: format!(
                    "the review was asked for on {}, after {}",
                    request.on.in_words(),
                    on.in_words()
                ),
                hint: "give the day the commissioner decided not to review with --on DATE".to_owned(),
            });
        }
        let doc = doc.as_mut().expect("an existing record has a document");
        let who = [deciding.by.as_deref().map(|by| format!("decided by {by}")), deciding.reference.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ");
        let note = match who.is_empty() {
            true => reason.trim().to_owned(),
            false => format!("{} ({who})", reason.trim()),
        };
        doc.push_event(&Event::dated(on, EventKind::ReviewDeclined, Some(note)));
        Ok(format!("the review asked for on {} is not to take place: {}", request.on, reason.trim()))
    })
}

/// Starts a review of a designation in force; the designation stays in force.
pub fn start_review(
    ctx: &Ctx,
    options: &WriteOptions,
    id: &RecordId,
    on: Option<Date>,
    requested_by: RequestedBy,
) -> Result<Changed> {
    change_record(ctx, options, id, Action::ReviewStart, EXISTING, |prepared, doc| {
        let record = prepared.record.expect("an existing record");
        let status = derive_status(record);
        if status != Status::Designated {
            let hint = match status {
                Status::UnderReview => {
                    format!("finish it: crs review complete {id} --confirm --next-due DATE, or --remove")
                }
                _ => format!("only a designation in force is reviewed; crs show {id} gives where it stands"),
            };
            return Err(Error::NotAllowed {
                message: format!("{id} is {status}, so no review can start"),
                hint,
            });
        }
        let on = on.unwrap_or(ctx.today);
        if let Some((_, request)) = open_review_request(record).filter(|(_, r)| r.on > on) {
            return Err(Error::NotAllowed {
                message: format!(
                    "the review was asked for {}, after the day given for its start ({})",
                    request.when_in_words(),
                    on.in_words()
                ),
                hint: "give the day the review started with --on DATE".to_owned(),
            });
        }
        let doc = doc.as_mut().expect("an existing record has a document");
        let asked = record
            .events
            .iter()
            .rev()
            .take_while(|e| e.kind != EventKind::ReviewCompleted)
            .any(|e| e.kind == EventKind::ReviewRequested);
        if requested_by == RequestedBy::Provider && !asked {
            // The day of the request was not given: it came by the review's start.
            let request = Event {
                date_known: false,
                ..Event::dated(on, EventKind::ReviewRequested, Some("requested by the provider".into()))
            };
            doc.push_event(&request);
        }
        let note = match requested_by {
            RequestedBy::Provider => "at the provider's request",
            RequestedBy::Commissioner => "by the commissioner",
        };
        doc.push_event(&Event::dated(on, EventKind::ReviewStarted, Some(note.into())));
        Ok(format!("review started on {on}, {note}"))
    })
}

/// Ends a review: a decision to keep the designation (with the next review date) or
/// to remove it, and the review's end.
pub fn complete_review(
    ctx: &Ctx,
    options: &WriteOptions,
    id: &RecordId,
    end: ReviewEnd,
    deciding: &Deciding,
) -> Result<Changed> {
    let on = deciding.on.unwrap_or(ctx.today);
    let succeeded_since = succession_unnamed(ctx, deciding, on)?;
    change_record(ctx, options, id, Action::ReviewComplete, EXISTING, |prepared, doc| {
        let record = prepared.record.expect("an existing record");
        let status = derive_status(record);
        if status != Status::UnderReview {
            return Err(Error::NotAllowed {
                message: format!("{id} is {status}, not under review"),
                hint: match status {
                    Status::Designated => format!("start the review first: crs review start {id}"),
                    _ => format!("crs show {id} gives where it stands"),
                },
            });
        }
        let outcome = match end {
            ReviewEnd::Confirm { .. } => DecisionOutcome::Confirm,
            ReviewEnd::Remove => DecisionOutcome::Remove,
        };
        refuse_before_succession(record, id, outcome, on, succeeded_since.as_ref())?;
        require_own_assessment(record, &prepared.config.framework, id, outcome, on)?;
        let (outcome, grounds) = match end {
            ReviewEnd::Confirm { .. } => (
                DecisionOutcome::Confirm,
                grounds_met(record, &prepared.config.framework).into_iter().map(str::to_owned).collect(),
            ),
            ReviewEnd::Remove => (DecisionOutcome::Remove, Vec::new()),
        };
        let doc = doc.as_mut().expect("an existing record has a document");
        doc.push_decision(&Decision {
            outcome,
            grounds: grounds.clone(),
            decided_on: on,
            decided_by: deciding.by.clone(),
            reference: deciding.reference.clone(),
            provider: None,
            commissioner: made_by(record, deciding.made_by.as_ref())?,
        });
        match end {
            ReviewEnd::Confirm { next_due } => doc.set_review_due(next_due),
            ReviewEnd::Remove => doc.remove_review(),
        }
        doc.push_event(&Event::dated(on, EventKind::ReviewCompleted, None));
        Ok(match end {
            ReviewEnd::Confirm { next_due } => {
                format!("designation kept ({}); next review due {next_due}", grounds.join(", "))
            }
            ReviewEnd::Remove => "designation to be removed".to_owned(),
        })
    })
}
