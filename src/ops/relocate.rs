//! `crs move`: a record follows its provider to a new ODS code (a merger, a new
//! trust) or to a new service slug, in one commit that git sees as a rename. The
//! record keeps every decision and event, notes its old id in `previous_ids`, and
//! the log and the export follow it across the move.
//!
//! At a new code the provider's name and kind are ODS's when the register's
//! organisation files list the code, else the record's, and what the user gives
//! overrides either. The licence is the record's unless the user gives one; one the
//! new kind rules out is refused, never replaced by a guess. When the provider's code,
//! name or kind changes, every decision made before keeps the provider it was made with.
//!
//! The day the service moved (a merger's legal date, say) may be earlier than the day
//! it is recorded: a day given goes on the commit as its `Crs-On` trailer, as a
//! succession's does, and every output that dates the move reads it there; a move
//! given no day is dated by its commit. A day after today is refused.

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::{Finding, Severity};
use crate::history::{Committed, Recovered};
use crate::model::record::Provider;
use crate::model::status::{Status, derive_status};
use crate::model::{Date, Licence, ProviderKind, Record, RecordId};
use crate::ops::change::keep_line_endings;
use crate::ops::checker::Services;
use crate::ops::transaction::{Transaction, WriteOptions};
use crate::orgs::KnownOrgs;
use crate::orgs::kind::Role;
use crate::register::edit::RecordDoc;
use crate::register::load::toml_error_hit;
use crate::register::source::{MAX_FILE_BYTES, plain_file};

/// What the user says of the provider at the new place; `None` keeps the record's,
/// or takes ODS's at a new code.
#[derive(Clone, Debug, Default)]
pub struct ProviderGiven<'a> {
    pub name: Option<&'a str>,
    pub kind: Option<ProviderKind>,
    pub licence: Option<Licence>,
}

/// Where the provider's name and kind at the new place come from, when the user did
/// not give both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderSource {
    /// The same provider code: its name and kind are the record's.
    SameCode,
    /// A new code the register's ODS files list.
    Ods,
    /// A new code the register's ODS files do not list as a provider: what the user
    /// did not give is the record's.
    NotInOds,
    /// A new code, and the register has no ODS files: what the user did not give is
    /// the record's.
    NoOds,
}

/// What a move did.
pub struct Moved {
    pub from: RecordId,
    pub to: RecordId,
    /// The day it moved, when given; else it is dated by its commit.
    pub on: Option<Date>,
    /// The provider before the move and after it.
    pub was: Provider,
    pub provider: Provider,
    pub source: ProviderSource,
    /// How many decisions now keep the provider they were made with.
    pub decisions_kept: usize,
    pub status: Status,
    pub committed: Committed,
    pub recovered: Option<Recovered>,
}

/// Moves the record `from` to `to` on the day `on` (none: dated by its commit), its provider
/// named and kinded as `given` says.
pub fn move_record(
    ctx: &Ctx,
    options: &WriteOptions,
    from: &RecordId,
    to: &RecordId,
    given: &ProviderGiven<'_>,
    reason: Option<&str>,
    on: Option<Date>,
) -> Result<Moved> {
    if from == to {
        return Err(Error::Usage(format!("{from} is already where it is asked to go")));
    }
    if let Some(on) = on.filter(|on| *on > ctx.today) {
        return Err(Error::Usage(format!(
            "--on {on} is after today ({}); give the day the service moved, once it has",
            ctx.today
        )));
    }
    let tx = Transaction::begin(ctx, options)?;
    let (old_path, new_path) = (from.relative_path_string(), to.relative_path_string());
    let full = plain_file(&tx.root, &old_path, MAX_FILE_BYTES)?
        .ok_or_else(|| Error::NoSuchRecord { id: from.to_string(), path: old_path.clone() })?;
    if plain_file(&tx.root, &new_path, MAX_FILE_BYTES)?.is_some() || tx.root.join(&new_path).exists() {
        return Err(Error::RecordExists { id: to.to_string(), path: new_path });
    }
    tx.require_clean(&old_path)?;
    tx.require_clean(&new_path)?;
    let text = std::fs::read_to_string(&full).map_err(|e| Error::io(&full, e))?;
    let record = Record::from_toml(&text).map_err(|e| Error::NotAllowed {
        message: format!("{old_path} is not a valid record: {}", toml_error_hit(&text, &e).message),
        hint: format!("mend it with crs edit {from} first"),
    })?;
    let known = tx.orgs()?;
    let (provider, source) = provider_at(&record.provider, to.provider(), given, known.as_ref());
    licence_possible(
        &record.provider,
        &provider,
        given,
        tx.config.framework.dates.nhs_trust_licensed_from,
        ctx.today,
    )?;

    let mut doc = RecordDoc::parse(&text)
        .map_err(|e| Error::RecordText { path: old_path.clone(), message: e.to_string() })?;
    doc.record_move(&from.to_string(), &record.provider, &provider);
    let new_text = keep_line_endings(&text, doc.text());
    let moved = doc.record().map_err(|e| Error::Invalid {
        message: format!("the moved record does not read back: {}", toml_error_hit(&new_text, &e).message),
    })?;
    let kept = |r: &Record| r.decisions().iter().filter(|d| d.provider.is_some()).count();
    let decisions_kept = kept(&moved).saturating_sub(kept(&record));

    // The record at its new place, as crs check will see it: no rule it did not
    // break before (a wrong folder, a duplicate there) may break now. Its old file
    // is the record being moved, not another record holding the same service.
    let checker = tx.checker(ctx, known.as_ref());
    let is_error = |f: &Finding| f.severity == Severity::Error;
    let broken: Vec<_> = checker
        .check_one(&tx.root, from, &record, &text, true)
        .into_iter()
        .filter(is_error)
        .map(|f| f.rule)
        .collect();
    let mut services = Services::new(&tx.root);
    services.release(from);
    let new_errors: Vec<_> = checker
        .check_among(&mut services, to, &moved, &new_text)
        .into_iter()
        .filter(|f| is_error(f) && !broken.contains(&f.rule))
        .collect();
    if !new_errors.is_empty() {
        return Err(Error::Refused { action: "move".into(), id: from.to_string(), findings: new_errors });
    }
    let status = derive_status(&moved);
    let reason = reason
        .map(|r| format!(": {}", r.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>()))
        .unwrap_or_default();
    // A move given no day is dated by its commit, as every move before --on was.
    let (day, trailer) = match on {
        Some(d) => (format!(" on {d}"), format!("Crs-On: {d}\n")),
        None => (String::new(), String::new()),
    };
    let message = format!(
        "move {from} to {to}{day}{reason}\n\nCrs-Record: {to}\nCrs-Action: move\nCrs-Previous: {from}\nCrs-Status: {status}\n{trailer}"
    );
    let committed = tx.commit_changes(&[(new_path, new_text.into_bytes())], &[old_path], &message)?;
    Ok(Moved {
        from: from.clone(),
        to: to.clone(),
        on,
        was: record.provider,
        provider,
        source,
        decisions_kept,
        status,
        committed,
        recovered: tx.recovered().cloned(),
    })
}

/// The provider at `code`: at a new code, the name and kind ODS gives it when
/// `known` lists it as a provider, else the record's; what the user gives overrides.
fn provider_at(
    was: &Provider,
    code: &str,
    given: &ProviderGiven<'_>,
    known: Option<&KnownOrgs>,
) -> (Provider, ProviderSource) {
    let mut now = Provider { ods: code.to_owned(), ..was.clone() };
    let mut source = ProviderSource::SameCode;
    if code != was.ods {
        let org = known.and_then(|k| k.index.find(code, Role::Provider.kinds())).map(|(org, _)| org);
        source = match org {
            Some(org) => {
                now.name = org.display_name();
                now.kind = org.provider_kind().unwrap_or(now.kind);
                ProviderSource::Ods
            }
            None if known.is_some_and(|k| !k.index.is_empty()) => ProviderSource::NotInOds,
            None => ProviderSource::NoOds,
        };
    }
    if let Some(name) = given.name {
        now.name = name.trim().to_owned();
    }
    now.kind = given.kind.unwrap_or(now.kind);
    now.licence = given.licence.unwrap_or(now.licence);
    (now, source)
}

/// Refuses a licence the provider's kind rules out (DOMAIN: a foundation trust is
/// never exempt from the licence; NHS trusts hold it since the framework's
/// `nhs_trust_licensed_from`), when the move is what brings the two together: the
/// kind changes, or the user gave the licence. crs does not choose another licence.
fn licence_possible(
    was: &Provider,
    now: &Provider,
    given: &ProviderGiven<'_>,
    nhs_trust_licensed_from: Option<Date>,
    today: Date,
) -> Result<()> {
    if now.licence != Licence::Exempt || (now.kind == was.kind && given.licence.is_none()) {
        return Ok(());
    }
    let why = match now.kind {
        ProviderKind::FoundationTrust => {
            "a foundation trust is never exempt from the provider licence".to_owned()
        }
        ProviderKind::NhsTrust => match nhs_trust_licensed_from.filter(|from| *from <= today) {
            Some(from) => format!("NHS trusts hold the provider licence since {}", from.in_words()),
            None => return Ok(()),
        },
        _ => return Ok(()),
    };
    let whose = if given.licence.is_some() { "the licence given is" } else { "the record's licence is" };
    Err(Error::NotAllowed {
        message: format!(
            "{} {} would be {} with licence = \"exempt\", but {why}",
            now.ods,
            now.name,
            now.kind.in_words(),
        ),
        hint: format!(
            "{whose} exempt: give the provider's licence with --provider-licence (licensed, applied or unlicensed)"
        ),
    })
}
