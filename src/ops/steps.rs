//! The plain changes to one record: a new draft (`crs new`), a step of the process
//! recorded (`crs event`), a stage assessed (`crs assess`). Each goes through the
//! one change of a record ([`change_record`]): an event out of place, like any
//! change that breaks a rule, is refused there by the one checker.

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::model::record::{Commissioner, Event, EventKind, Licence, Provider, ProviderKind, Service, Stage};
use crate::model::suggest::did_you_mean;
use crate::model::{Date, RecordId};
use crate::ops::change::{Action, Changed, EXISTING, Target, change_record};
use crate::ops::transaction::WriteOptions;
use crate::register::edit::{NewRecord, RecordDoc};

/// What a new draft says, as given.
pub(crate) struct Draft<'a> {
    pub(crate) service: Service,
    pub(crate) provider_name: String,
    pub(crate) provider_kind: ProviderKind,
    /// `None` for an NHS provider, whose licence is settled by law and the date.
    pub(crate) licence: Option<Licence>,
    pub(crate) co_commissioners: &'a [String],
    pub(crate) outcome: Option<&'a str>,
}

/// Creates the draft record `id` for the register's commissioner.
pub(crate) fn new_draft(
    ctx: &Ctx,
    options: &WriteOptions,
    id: &RecordId,
    draft: Draft<'_>,
) -> Result<Changed> {
    change_record(ctx, options, id, Action::New, Target::New, |prepared, doc| {
        let settings = &prepared.config.settings;
        let dates = &prepared.config.framework.dates;
        let kind = draft.provider_kind;
        let licence =
            draft.licence.or_else(|| dates.licence_on(kind, ctx.today)).unwrap_or(Licence::Licensed);
        let provider = Provider { ods: id.provider().to_owned(), name: draft.provider_name, kind, licence };
        let commissioner = Commissioner {
            ods: settings.commissioner.ods.clone(),
            name: settings.commissioner.name.clone(),
            contact: settings.commissioner.contact.clone(),
            co_commissioners: co_commissioners(&settings.commissioner.ods, draft.co_commissioners)?,
        };
        *doc = Some(RecordDoc::new_record(&NewRecord {
            framework: &prepared.config.framework.id,
            service: &draft.service,
            provider: &provider,
            commissioner: &commissioner,
            outcome: draft.outcome,
        }));
        Ok(format!("draft for {}", draft.service.name))
    })
}

/// The co-commissioners given, each once, in the order first given; the register's
/// own commissioner is refused, since it leads.
fn co_commissioners(lead: &str, given: &[String]) -> Result<Vec<String>> {
    if given.iter().any(|code| code == lead) {
        return Err(Error::Usage(format!(
            "--co-commissioner {lead} is the register's own commissioner, which leads the record; name only the other commissioners buying the service"
        )));
    }
    let mut kept: Vec<String> = Vec::new();
    for code in given {
        if !kept.contains(code) {
            kept.push(code.clone());
        }
    }
    Ok(kept)
}

/// Records `event` on the record `id`. A step with a command of its own is refused
/// with that command, and a public involvement not engaged needs its reason.
pub(crate) fn record_event(
    ctx: &Ctx,
    options: &WriteOptions,
    id: &RecordId,
    event: &Event,
) -> Result<Changed> {
    let own_command = match event.kind {
        EventKind::ReviewCompleted => Some(
            "a review ends with a decision: crs review complete ID --confirm --next-due DATE, or --remove",
        ),
        EventKind::ReviewDeclined => {
            Some("a decision not to review is recorded with crs review decline ID --reason TEXT")
        }
        EventKind::Submitted => Some("a submission is recorded by crs submit, with its bundle and its tag"),
        _ => None,
    };
    if let Some(hint) = own_command {
        return Err(Error::NotAllowed {
            message: format!("crs event does not record {}", event.kind),
            hint: hint.replace("ID", &id.to_string()),
        });
    }
    if event.kind == EventKind::InvolvementNotEngaged
        && event.note.as_deref().is_none_or(|n| n.trim().is_empty())
    {
        return Err(Error::Usage(
            "involvement-not-engaged needs --note saying why the duty to involve the public was not engaged"
                .into(),
        ));
    }
    change_record(ctx, options, id, Action::Event, EXISTING, |_, doc| {
        // An event out of place shows up as a new event-order error, which refuses the change.
        doc.as_mut().expect("an existing record has a document").push_event(event);
        Ok(format!("{} on {}", event.kind, event.on))
    })
}

/// One stage assessed, as given; who assessed it is the commit's author unless given.
pub(crate) struct Assessed {
    pub(crate) stage: String,
    pub(crate) met: bool,
    pub(crate) rationale: String,
    pub(crate) evidence: Vec<String>,
    pub(crate) on: Date,
    pub(crate) by: Option<String>,
}

/// Records the assessment of one stage of the register's framework on the record `id`.
pub(crate) fn assess(ctx: &Ctx, options: &WriteOptions, id: &RecordId, given: Assessed) -> Result<Changed> {
    let stage_name = &given.stage;
    change_record(ctx, options, id, Action::Assess, EXISTING, |prepared, doc| {
        let framework = &prepared.config.framework;
        let def = framework.stage_by_name(stage_name).ok_or_else(|| {
            let names: Vec<String> = framework.stages.iter().map(|s| s.key.replace('_', "-")).collect();
            let guess = did_you_mean(&stage_name.replace('_', "-"), names.iter().map(String::as_str));
            Error::Usage(format!(
                "'{stage_name}' is not a stage of {}{guess}; the stages are {}",
                framework.id,
                framework.stage_list()
            ))
        })?;
        let stage = Stage {
            met: given.met,
            rationale: given.rationale.clone(),
            evidence: given.evidence.clone(),
            assessed_on: given.on,
            assessed_by: Some(given.by.clone().unwrap_or_else(|| prepared.identity.author.name.clone())),
        };
        if let Some(doc) = doc.as_mut() {
            doc.set_stage(&def.key, &stage);
        }
        Ok(format!("stage {} {} {}", def.number, def.name(), if given.met { "met" } else { "not met" }))
    })
}
