//! `crs succeed OLD NEW --on DATE`: an organisation closed and its statutory
//! successor took over (an ICB merger, a trust merger). In one commit the register
//! follows it: as the register's commissioner, `crs.toml` and every record name NEW
//! as responsible now while each earlier decision keeps the commissioner that made
//! it; as a co-commissioner, every list names NEW; as a provider, every record of
//! OLD moves to NEW's folder as `crs move` moves one, keeping the provider each
//! decision was made with. NEW and DATE may come from ODS's successor file.
//!
//! It must not judge the records otherwise: a succession changes who is responsible,
//! not what was decided.

use toml_edit::{DocumentMut, Item, Value};

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::history::{Committed, FileWrite, Recovered};
use crate::model::id::is_ods_code;
use crate::model::record::Provider;
use crate::model::{Date, ProviderKind, Record, RecordId};
use crate::ops::change::keep_line_endings;
use crate::ops::transaction::{Transaction, WriteOptions};
use crate::orgs::kind::Role;
use crate::register::config::SETTINGS_FILE;
use crate::register::edit::RecordDoc;
use crate::register::load::toml_error_hit;
use crate::register::source::{DiskSource, MAX_FILE_BYTES, Without, plain_file, record_ids};

/// What the user gives of the succession.
#[derive(Clone, Debug, Default)]
pub struct SuccessionGiven<'a> {
    /// The successor's code; `None` takes ODS's successor of OLD.
    pub new: Option<&'a str>,
    /// The day NEW took over; `None` takes ODS's legal date.
    pub on: Option<Date>,
    /// NEW's name; `None` takes ODS's.
    pub name: Option<&'a str>,
    /// NEW's provider kind, when it is a provider ODS does not list.
    pub kind: Option<ProviderKind>,
    pub reason: Option<&'a str>,
}

/// What a succession did.
#[derive(Debug)]
pub struct Succeeded {
    pub old: String,
    pub new: String,
    pub on: Date,
    /// NEW's name as written, when a record or the register names it.
    pub name: Option<String>,
    /// Whether OLD was the register's commissioner (crs.toml now names NEW).
    pub register: bool,
    /// Records whose commissioner responsible is now NEW.
    pub commissioner: Vec<RecordId>,
    /// Records whose co-commissioners now name NEW.
    pub co_commissioner: Vec<RecordId>,
    /// Records that named OLD as a co-commissioner and name NEW as the commissioner
    /// responsible: OLD is no longer listed, and NEW is not its own co-commissioner.
    pub co_now_responsible: Vec<RecordId>,
    /// Records moved from OLD's folder to NEW's: old id, new id.
    pub moved: Vec<(RecordId, RecordId)>,
    /// Decisions that now keep the commissioner or provider they were made with.
    pub decisions_kept: usize,
    /// What came from ODS's successor file: the successor, the date, both or neither.
    pub from_ods: (bool, bool),
    pub committed: Committed,
    pub recovered: Option<Recovered>,
}

/// Records the succession of `old` by the successor `given` names (or ODS does).
pub fn succeed(
    ctx: &Ctx,
    options: &WriteOptions,
    old: &str,
    given: &SuccessionGiven<'_>,
) -> Result<Succeeded> {
    let tx = Transaction::begin(ctx, options)?;
    let known = tx.orgs()?;
    let index = known.as_ref().map(|k| &k.index);
    let (new, on) = successor_and_day(index, old, given)?;
    let ods_name =
        |role: Role| index.and_then(|i| i.find(&new, role.kinds())).map(|(org, _)| org.display_name());
    let commissioner_name = given.name.map(|n| n.trim().to_owned()).or_else(|| ods_name(Role::Commissioner));

    let settings = settings_succeeded(&tx, old, &new, commissioner_name.as_deref())?;
    // Each record is read, edited and read back on its own: on every core, in order.
    let job = Job {
        root: &tx.root,
        old,
        new: &new,
        on,
        commissioner_name: commissioner_name.as_deref(),
        given,
        index,
    };
    let edited = job.edit_all(&tx)?;
    let changes = Changes::gather(settings, edited);
    if changes.files.is_empty() {
        return Err(Error::NotAllowed {
            message: format!(
                "{old} is not the register's commissioner, nor the commissioner, a co-commissioner or the provider of any record"
            ),
            hint: "check the code: crs list shows the records and crs.toml the register's commissioner"
                .to_owned(),
        });
    }

    let message = commit_message(old, &new, on, given.reason, &changes);
    let committed = tx.commit_changes(&changes.files, &changes.removed, &message)?;
    let name = if changes.moved.is_empty() {
        commissioner_name
    } else {
        given.name.map(str::to_owned).or_else(|| ods_name(Role::Provider))
    };
    Ok(Succeeded {
        old: old.to_owned(),
        new,
        on,
        name,
        register: changes.register,
        commissioner: changes.commissioner,
        co_commissioner: changes.co_commissioner,
        co_now_responsible: changes.co_now_responsible,
        moved: changes.moved,
        decisions_kept: changes.decisions_kept,
        from_ods: (given.new.is_none(), given.on.is_none()),
        committed,
        recovered: tx.recovered().cloned(),
    })
}

/// The successor and the day it took over, as given or as ODS's successor file names
/// them; an error when neither names one, or when either code is not an ODS code.
fn successor_and_day(
    index: Option<&crate::orgs::OrgIndex>,
    old: &str,
    given: &SuccessionGiven<'_>,
) -> Result<(String, Date)> {
    let link = index.and_then(|i| i.successor(old));
    let new = match (given.new, link) {
        (Some(new), _) => new.trim().to_owned(),
        (None, Some(link)) => link.to.clone(),
        (None, None) => {
            return Err(Error::NotAllowed {
                message: format!("no successor of {old} is given, and the register's ODS files name none"),
                hint: format!(
                    "give it: crs succeed {old} NEW --on DATE, or import ODS's successor file (succ.csv) with crs orgs import"
                ),
            });
        }
    };
    let on = match (given.on, link.filter(|l| l.to == new).and_then(|l| l.on)) {
        (Some(on), _) | (None, Some(on)) => on,
        (None, None) => {
            return Err(Error::NotAllowed {
                message: format!("no date is given for the succession of {old} by {new}"),
                hint: format!("give the day {new} took over: crs succeed {old} {new} --on 2026-04-01"),
            });
        }
    };
    for code in [old, new.as_str()] {
        if !is_ods_code(code) {
            return Err(Error::Usage(format!(
                "{code} is not an ODS code: 3 or 5 capital letters or digits, e.g. QMJ or Z9B2Z"
            )));
        }
    }
    if old == new {
        return Err(Error::Usage(format!("{old} cannot succeed itself")));
    }
    Ok((new, on))
}

/// `crs.toml` naming `new` as the register's commissioner, when `old` is it now;
/// `None` when the register's commissioner is someone else.
fn settings_succeeded(
    tx: &Transaction,
    old: &str,
    new: &str,
    commissioner_name: Option<&str>,
) -> Result<Option<FileWrite>> {
    let settings_path = tx.root.join(SETTINGS_FILE);
    let settings_text = std::fs::read_to_string(&settings_path).map_err(|e| Error::io(&settings_path, e))?;
    if tx.config.settings.commissioner.ods != old {
        return Ok(None);
    }
    let name = needed_name(commissioner_name, old, new)?;
    tx.require_clean(SETTINGS_FILE)?;
    let mut doc: DocumentMut = settings_text.parse().map_err(|e: toml_edit::TomlError| {
        Error::RecordText { path: SETTINGS_FILE.into(), message: e.to_string() }
    })?;
    set_value(&mut doc["commissioner"], "ods", new);
    set_value(&mut doc["commissioner"], "name", name);
    Ok(Some((SETTINGS_FILE.to_owned(), keep_line_endings(&settings_text, doc.to_string()).into_bytes())))
}

/// Everything the succession writes and removes, and what it says of each record.
struct Changes {
    files: Vec<FileWrite>,
    removed: Vec<String>,
    register: bool,
    commissioner: Vec<RecordId>,
    co_commissioner: Vec<RecordId>,
    co_now_responsible: Vec<RecordId>,
    moved: Vec<(RecordId, RecordId)>,
    decisions_kept: usize,
}

impl Changes {
    /// The files to write (`crs.toml` first when it changed, then each record in
    /// order, at NEW's folder when moved) and the records the succession touched.
    fn gather(settings: Option<FileWrite>, edited: Vec<Edited>) -> Changes {
        let register = settings.is_some();
        let mut changes = Changes {
            files: settings.into_iter().collect(),
            removed: Vec::new(),
            register,
            commissioner: Vec::new(),
            co_commissioner: Vec::new(),
            co_now_responsible: Vec::new(),
            moved: Vec::new(),
            decisions_kept: 0,
        };
        for edited in edited {
            changes.decisions_kept += edited.kept;
            if edited.is_commissioner {
                changes.commissioner.push(edited.id.clone());
            }
            match (edited.is_co, edited.co_now_responsible) {
                (true, false) => changes.co_commissioner.push(edited.id.clone()),
                (true, true) => changes.co_now_responsible.push(edited.id.clone()),
                (false, _) => {}
            }
            if edited.is_provider {
                changes.files.push((edited.to.relative_path_string(), edited.text.into_bytes()));
                changes.removed.push(edited.path);
                changes.moved.push((edited.id, edited.to));
            } else {
                changes.files.push((edited.path, edited.text.into_bytes()));
            }
        }
        changes
    }
}

/// The commit message: what changed in words, then the `Crs-` trailers (with
/// `Crs-Record` when exactly one record changed).
fn commit_message(old: &str, new: &str, on: Date, reason: Option<&str>, changes: &Changes) -> String {
    let reason = reason
        .map(|r| format!(": {}", r.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>()))
        .unwrap_or_default();
    let records = changes.files.len() - usize::from(changes.register);
    let settings = if changes.register {
        format!("crs.toml names {new} as the register's commissioner; ")
    } else {
        String::new()
    };
    let (commissioner, co_commissioner, moved) =
        (&changes.commissioner, &changes.co_commissioner, &changes.moved);
    let parts: Vec<String> = [
        (commissioner.len(), format!("{new} responsible now")),
        (co_commissioner.len(), format!("{new} as a co-commissioner")),
        (changes.co_now_responsible.len(), format!("{old} no longer a co-commissioner ({new} responsible)")),
        (moved.len(), format!("moved to {new}")),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    let mut message = format!(
        "succeed {old} by {new} on {on}{reason}\n\n{settings}{records} record(s) changed: {}\n\nCrs-Action: succeed\nCrs-Predecessor: {old}\nCrs-Successor: {new}\nCrs-On: {on}\n",
        parts.join(", ")
    );
    let co_now_responsible = &changes.co_now_responsible;
    if commissioner.len() + co_commissioner.len() + co_now_responsible.len() + moved.len() == 1 {
        let id = moved
            .first()
            .map(|(_, to)| to)
            .or(commissioner.first())
            .or(co_commissioner.first())
            .or(co_now_responsible.first());
        if let Some(id) = id {
            message.push_str(&format!("Crs-Record: {id}\n"));
        }
    }
    message
}

/// What every record's edit needs to know.
struct Job<'a> {
    root: &'a std::path::Path,
    old: &'a str,
    new: &'a str,
    on: Date,
    commissioner_name: Option<&'a str>,
    given: &'a SuccessionGiven<'a>,
    index: Option<&'a crate::orgs::OrgIndex>,
}

/// One record after the succession.
struct Edited {
    id: RecordId,
    /// Where it is now: its own id, or NEW's folder for a provider's succession.
    to: RecordId,
    path: String,
    text: String,
    is_commissioner: bool,
    is_co: bool,
    /// A co-commissioner succeeded by the commissioner responsible: dropped.
    co_now_responsible: bool,
    is_provider: bool,
    /// Decisions that now keep the commissioner or provider they were made with.
    kept: usize,
}

impl Job<'_> {
    /// Every record with the succession made, in order, read and edited on up to 8
    /// threads; an error when any fails or when any it changes has uncommitted edits.
    fn edit_all(&self, tx: &Transaction) -> Result<Vec<Edited>> {
        let source = Without::new(Box::new(DiskSource::new(&tx.root)), tx.config.own_files());
        let mut ids: Vec<RecordId> = record_ids(&source)?.iter().filter_map(|id| id.parse().ok()).collect();
        ids.sort();
        let threads = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 8);
        let chunk = ids.len().div_ceil(threads).max(1);
        let edited: Vec<Result<Option<Edited>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = ids
                .chunks(chunk)
                .map(|ids| scope.spawn(|| ids.iter().map(|id| self.edit(id)).collect::<Vec<_>>()))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        let edited: Vec<Edited> = edited.into_iter().filter_map(Result::transpose).collect::<Result<_>>()?;
        tx.require_all_clean(&edited.iter().map(|e| e.path.as_str()).collect::<Vec<_>>())?;
        Ok(edited)
    }

    /// The record `id` with the succession made, or `None` when it does not name OLD.
    fn edit(&self, id: &RecordId) -> Result<Option<Edited>> {
        let (old, new) = (self.old, self.new);
        let path = id.relative_path_string();
        let Some(full) = plain_file(self.root, &path, MAX_FILE_BYTES)? else { return Ok(None) };
        let text = std::fs::read_to_string(&full).map_err(|e| Error::io(&full, e))?;
        let Ok(record) = Record::from_toml(&text) else {
            // A record that does not read names no one crs could change; crs check
            // reports it.
            if text.contains(old) {
                return Err(Error::NotAllowed {
                    message: format!("{path} is not a valid record and may name {old}"),
                    hint: format!("mend it with crs edit {id} first"),
                });
            }
            return Ok(None);
        };
        let is_commissioner = record.commissioner.ods == old;
        let is_co = record.commissioner.co_commissioners.iter().any(|c| c == old);
        let is_provider = record.provider.ods == old;
        if !(is_commissioner || is_co || is_provider) {
            return Ok(None);
        }
        let mut doc = RecordDoc::parse(&text)
            .map_err(|e| Error::RecordText { path: path.clone(), message: e.to_string() })?;
        if is_commissioner {
            let name = needed_name(self.commissioner_name, old, new)?;
            let earlier: Vec<usize> = record
                .decisions()
                .iter()
                .enumerate()
                .filter(|(_, d)| d.decided_on < self.on)
                .map(|(i, _)| i)
                .collect();
            doc.succeed_commissioner((old, &record.commissioner.name), (new, name), &earlier);
        }
        if is_co || (is_commissioner && record.commissioner.co_commissioners.iter().any(|c| c == new)) {
            // NEW once, and never as a co-commissioner of itself.
            let responsible = if is_commissioner { new } else { record.commissioner.ods.as_str() };
            let mut codes: Vec<String> = Vec::new();
            for code in &record.commissioner.co_commissioners {
                let code = if code == old { new.to_owned() } else { code.clone() };
                if code != responsible && !codes.contains(&code) {
                    codes.push(code);
                }
            }
            doc.set_co_commissioners(&codes);
        }
        let mut to = id.clone();
        if is_provider {
            to = RecordId::new(new, id.slug()).map_err(|e| Error::Usage(e.to_string()))?;
            let to_path = to.relative_path_string();
            if plain_file(self.root, &to_path, MAX_FILE_BYTES)?.is_some() || self.root.join(&to_path).exists()
            {
                return Err(Error::RecordExists { id: to.to_string(), path: to_path });
            }
            let now = provider_now(&record.provider, new, self.given, self.index);
            doc.record_move(&id.to_string(), &record.provider, &now);
        }
        let text = keep_line_endings(&text, doc.text());
        let after = doc.record().map_err(|e| Error::Invalid {
            message: format!(
                "{path} does not read back after the succession: {}",
                toml_error_hit(&text, &e).message
            ),
        })?;
        let kept = |r: &Record| {
            r.decisions().iter().filter(|d| d.provider.is_some()).count()
                + r.decisions().iter().filter(|d| d.commissioner.is_some()).count()
        };
        let kept = kept(&after).saturating_sub(kept(&record));
        let co_now_responsible = is_co && !is_commissioner && record.commissioner.ods == new;
        Ok(Some(Edited {
            id: id.clone(),
            to,
            path,
            text,
            is_commissioner,
            is_co,
            co_now_responsible,
            is_provider,
            kept,
        }))
    }
}

/// NEW's name as the commissioner responsible: the one given or ODS's.
fn needed_name<'a>(name: Option<&'a str>, old: &str, new: &str) -> Result<&'a str> {
    name.filter(|n| !n.is_empty()).ok_or_else(|| Error::NotAllowed {
        message: format!("the register's ODS files do not name {new}, the commissioner succeeding {old}"),
        hint: format!(
            "give its name: crs succeed {old} {new} --name \"NHS North London ICB\", or import the eother file with crs orgs import"
        ),
    })
}

/// The provider at NEW: ODS's name and kind when it lists NEW, else the record's;
/// what the user gives overrides either. The licence stays the record's.
fn provider_now(
    was: &Provider,
    new: &str,
    given: &SuccessionGiven<'_>,
    index: Option<&crate::orgs::OrgIndex>,
) -> Provider {
    let mut now = Provider { ods: new.to_owned(), ..was.clone() };
    if let Some((org, _)) = index.and_then(|i| i.find(new, Role::Provider.kinds())) {
        now.name = org.display_name();
        now.kind = org.provider_kind().unwrap_or(now.kind);
    }
    if let Some(name) = given.name {
        now.name = name.trim().to_owned();
    }
    now.kind = given.kind.unwrap_or(now.kind);
    now
}

/// Sets `key` of the table `item` to `new`, keeping its comments.
fn set_value(item: &mut Item, key: &str, new: &str) {
    if let Some(value) = item.get_mut(key).and_then(Item::as_value_mut) {
        let decor = value.decor().clone();
        *value = Value::from(new);
        *value.decor_mut() = decor;
    } else if let Some(table) = item.as_table_like_mut() {
        table.insert(key, toml_edit::value(new));
    }
}
