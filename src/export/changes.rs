//! `Change`: what was added to, changed in or removed from the submission's scope
//! between a baseline (the last submission, or a revision) and now, with the fields
//! that changed as dotted key paths (`decision.decided_on`, `stages.proportionality.met`).
//! `submitted` events are bookkeeping of earlier submissions and never count as a change.
//! A record that only passed to a successor (crs succeed: an ICB merger or a trust
//! merger; crs move to a new provider code) is neither added nor removed: it is
//! counted apart, as carried over to a successor, and a removal submitted before is
//! not told again under the successor. So is a record whose co-commissioner was
//! succeeded (by the commissioner responsible now, or by another): its list naming
//! the successor, or no longer naming it where the successor is responsible, is the
//! succession's doing, which the branch records, and never a removal.

use std::borrow::Cow;
use std::collections::BTreeSet;

use serde::Serialize;

use crate::export::scope::{Before, Scope};
use crate::export::section::Section;
use crate::export::state::{Item, RegisterState};
use crate::model::fields::{FieldChange, changes_between, flatten_record};
use crate::model::record::{DecisionCommissioner, DecisionProvider};
use crate::model::{EventKind, ProviderKind, Record, RecordId, Status};

pub use crate::model::fields::ChangeKind;

/// One record's change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    /// The section the record is in now, or was in at the baseline when it has
    /// left the submission's scope.
    pub section: Section,
    pub id: RecordId,
    /// The status now; `None` when the record no longer exists.
    pub status: Option<Status>,
    /// The status at the baseline; `None` when it did not exist then (or there is no
    /// baseline).
    pub previous_status: Option<Status>,
    /// The changed fields, for `Changed` and `Moved` (and a removal in scope at
    /// both): `status` first when it changed, then dotted key paths in key order, each
    /// with its old and new value.
    pub fields: Vec<FieldChange>,
    /// The id the record had at the baseline, for `Moved`.
    pub previous_id: Option<RecordId>,
    /// The record only passed to a successor (a `Changed` or `Moved` change): the
    /// commissioner responsible now or the provider is another organisation, and
    /// nothing else changed but what a succession keeps (each decision's maker and
    /// provider on the decision).
    pub carried_over: bool,
    /// The co-commissioners the record named at the baseline that successions
    /// recorded on the branch took over since; `None` when there are none.
    pub co_succeeded: Option<CoCommissionersSucceeded>,
}

/// One organisation's succession recorded on the register's branch (crs succeed):
/// `old` closed and `new` took over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Succession {
    pub old: String,
    pub new: String,
}

/// One co-commissioner of the baseline taken over by its successors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoCommissionerSucceeded {
    pub old: String,
    /// Its successor, then the successor's own where that was succeeded too: the
    /// last is the one that took its part.
    pub by: Vec<String>,
}

/// What successions did to a record's co-commissioners since the baseline, and
/// what changed in the list besides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoCommissionersSucceeded {
    pub succeeded: Vec<CoCommissionerSucceeded>,
    /// The commissioner responsible now, which is never its own co-commissioner.
    pub responsible: String,
    /// The list as the successions left it against the list now, when they differ:
    /// a change made besides the successions.
    pub besides: Option<FieldChange>,
}

/// How the summary, the e-mail and the changes sheet name a change carried over to
/// a successor, in place of its kind.
pub const CARRIED_OVER: &str = "Carried over to a successor";

/// Counts of each kind of change; a record carried over to a successor is counted
/// apart from the four kinds, as neither an addition nor a removal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ChangeCounts {
    pub added: usize,
    pub changed: usize,
    pub moved: usize,
    pub removed: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub carried_over: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Change {
    /// The changed fields' paths, as JSON and YAML name them.
    pub fn field_paths(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.field.clone()).collect()
    }

    /// The change as people read it: its kind ("Changed"), or "Carried over to a
    /// successor".
    pub fn label(&self) -> &'static str {
        if self.carried_over { CARRIED_OVER } else { self.kind.label() }
    }
}

impl ChangeCounts {
    pub fn of<'c>(changes: impl IntoIterator<Item = &'c Change>) -> ChangeCounts {
        let mut counts = ChangeCounts::default();
        for change in changes {
            if change.carried_over {
                counts.carried_over += 1;
                continue;
            }
            match change.kind {
                ChangeKind::Added => counts.added += 1,
                ChangeKind::Changed => counts.changed += 1,
                ChangeKind::Moved => counts.moved += 1,
                ChangeKind::Removed => counts.removed += 1,
            }
        }
        counts
    }

    pub fn total(self) -> usize {
        self.added + self.changed + self.moved + self.removed + self.carried_over
    }
}

impl std::fmt::Display for ChangeCounts {
    /// "1 added, 0 changed, 0 removed", with the moves when there are any, and the
    /// records carried over to a successor after a semicolon, said to be neither.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.moved {
            0 => write!(f, "{} added, {} changed, {} removed", self.added, self.changed, self.removed)?,
            moved => write!(
                f,
                "{} added, {} changed, {moved} moved, {} removed",
                self.added, self.changed, self.removed
            )?,
        }
        match self.carried_over {
            0 => Ok(()),
            n => write!(f, "; {n} carried over to a successor (neither added nor removed)"),
        }
    }
}

/// Where `item` stood at `base`: under its own id, or under the id it had before a
/// move (crs move, or a provider's succession), so that a record moved since is
/// never new.
pub fn before(base: Option<&RegisterState>, item: &Item) -> Before {
    match base {
        None => Before::NoBaseline,
        Some(base) => baseline_item(base, item).map_or(Before::Absent, |then| Before::Was(then.status)),
    }
}

/// The item of `base` that `item` was at the baseline: the same id, or the latest
/// of its earlier ids that `base` has.
fn baseline_item<'b>(base: &'b RegisterState, item: &Item) -> Option<&'b Item> {
    base.get(&item.id).or_else(|| {
        let record = item.record.as_deref()?;
        record
            .previous_ids
            .iter()
            .rev()
            .filter_map(|p| p.parse::<RecordId>().ok())
            .find_map(|old| base.get(&old))
    })
}

/// True when `item` of the current state is in scope.
pub fn in_scope_now(scope: &Scope, base: Option<&RegisterState>, item: &Item) -> bool {
    item.selected && scope.includes(item.status, before(base, item))
}

/// The changes of scope and content between `base` and `current`, by record id. With
/// no baseline every record in scope is added. `successions` are those the branch
/// records: they tell a co-commissioner succeeded from one removed.
pub fn compare(
    current: &RegisterState,
    base: Option<&RegisterState>,
    successions: &[Succession],
    scope: &Scope,
) -> Vec<Change> {
    let mut ids: BTreeSet<&RecordId> = current.items().iter().map(|i| &i.id).collect();
    if let Some(base) = base {
        ids.extend(base.items().iter().map(|i| &i.id));
    }
    // Records moved since the baseline (crs move): new id -> the id they had then.
    let moves = base.map(|base| moves_since(current, base)).unwrap_or_default();
    let moved_away: BTreeSet<&RecordId> = moves.values().collect();
    let mut changes = Vec::new();
    for id in ids {
        if moved_away.contains(id) {
            continue;
        }
        let previous_id = moves.get(id);
        let here = current.get(id);
        let now = here.filter(|item| in_scope_now(scope, base, item));
        let then = base.and_then(|b| b.get(previous_id.unwrap_or(id)));
        let then_in = then.filter(|item| item.selected && scope.included_at_baseline(item.status));
        // A designation removed is a removal, whatever the scope says.
        let removed_now = here.is_some_and(|i| i.status == Status::Removed);
        let section = match (now, then_in.or(then)) {
            (Some(now), _) => Section::of(now.status),
            (None, Some(then)) => Section::of(then.status),
            (None, None) => Section::Other,
        };
        // A record that comes into a section from another (a request accepted, a
        // refusal found unreasonable) is added to it: new in force, not merely changed.
        let entered = |then: &Item| Section::of(then.status) != section;
        let change = |kind, fields| Change {
            kind,
            section,
            id: id.clone(),
            status: here.map(|i| i.status),
            previous_status: then.map(|i| i.status),
            fields,
            previous_id: previous_id.cloned(),
            carried_over: false,
            co_succeeded: None,
        };
        match (now, then_in) {
            (Some(_), None) if removed_now => changes.push(change(ChangeKind::Removed, Vec::new())),
            (Some(_), None) => changes.push(change(ChangeKind::Added, Vec::new())),
            (None, Some(_)) => changes.push(change(ChangeKind::Removed, Vec::new())),
            (Some(now), Some(then)) => {
                let fields = match (&then.record, &now.record) {
                    // Where git says the file may differ, both versions are whole and
                    // compared field by field.
                    (Some(before), Some(after)) => changed_fields((before, then.status), (after, now.status)),
                    // Elsewhere they are the same file, which the fingerprints confirm;
                    // were they ever to differ, the change is still reported.
                    _ if now.fingerprint == then.fingerprint && now.status == then.status => Vec::new(),
                    _ => vec![FieldChange { field: "record".to_owned(), old: None, new: None, item: None }],
                };
                let kind = match removed_now && then.status != Status::Removed {
                    true => ChangeKind::Removed,
                    false if entered(then) => ChangeKind::Added,
                    false => ChangeKind::Changed,
                };
                let co_succeeded = match (&then.record, &now.record) {
                    (Some(before), Some(after)) => co_commissioners_succeeded(before, after, successions),
                    _ => None,
                };
                let carried_over = kind == ChangeKind::Changed
                    && then.status == now.status
                    && matches!((&then.record, &now.record), (Some(before), Some(after)) if only_successions(before, after, successions));
                let kind = match previous_id.is_some() && kind == ChangeKind::Changed {
                    true => ChangeKind::Moved,
                    false => kind,
                };
                if kind == ChangeKind::Moved || !fields.is_empty() {
                    changes.push(Change { carried_over, co_succeeded, ..change(kind, fields) });
                }
            }
            (None, None) => {}
        }
    }
    changes
}

/// The records of `current` that `crs move` brought from an id `base` has and
/// `current` does not: new id -> old id.
fn moves_since(
    current: &RegisterState,
    base: &RegisterState,
) -> std::collections::BTreeMap<RecordId, RecordId> {
    let mut moves = std::collections::BTreeMap::new();
    for item in current.items() {
        let Some(record) = &item.record else { continue };
        let old = record.previous_ids.iter().rev().filter_map(|p| p.parse::<RecordId>().ok());
        if let Some(old) = old.into_iter().find(|old| base.get(old).is_some() && current.get(old).is_none()) {
            moves.insert(item.id.clone(), old);
        }
    }
    moves
}

/// The fields that differ between two versions of a record: `status` when the
/// derived status changed, then the fields as the one field diff names them
/// ([`crate::model::fields`]), as the log does.
pub fn changed_fields(before: (&Record, Status), after: (&Record, Status)) -> Vec<FieldChange> {
    let (a, b) = (without_submissions(before.0), without_submissions(after.0));
    let mut fields = Vec::new();
    if before.1 != after.1 {
        fields.push(FieldChange {
            field: "status".to_owned(),
            old: Some(before.1.as_str().to_owned()),
            new: Some(after.1.as_str().to_owned()),
            item: None,
        });
    }
    if a != b {
        let (a, b) = (a.normalized(), b.normalized());
        let kept = with_kept_makers(&a, &b);
        let (flat_a, flat_kept) = (flatten_record(&a), flatten_record(&kept));
        fields.extend(kept_fields(&flat_a, &flat_kept));
        fields.extend(changes_between(&flat_kept, &flatten_record(&b)));
        fields.sort_by(|x, y| (x.field != "status", &x.field).cmp(&(y.field != "status", &y.field)));
    }
    fields
}

/// `before` with the commissioner and the provider that `after` keeps on each of
/// its decisions (a succession, or a move, since) written on the same decision, where
/// that is all that differs between them: the decision is the same decision, its
/// maker and provider now named on it.
fn with_kept_makers(before: &Record, after: &Record) -> Record {
    let mut kept = before.clone();
    for (decision, then) in kept.decisions.iter_mut().zip(&after.decisions) {
        let mut named = decision.clone();
        if named.commissioner.is_none() {
            named.commissioner.clone_from(&then.commissioner);
        }
        if named.provider.is_none() {
            named.provider.clone_from(&then.provider);
        }
        if named == *then {
            *decision = named;
        }
    }
    kept
}

/// The fields `kept` adds to `before` (only ever a decision's maker or provider
/// named on it): each a field added to its decision, as the field diff names it.
fn kept_fields(
    before: &std::collections::BTreeMap<String, String>,
    kept: &std::collections::BTreeMap<String, String>,
) -> Vec<FieldChange> {
    kept.iter()
        .filter(|(key, _)| !before.contains_key(*key))
        .map(|(key, value)| {
            let outcome = key.split_once("].").map(|(item, _)| format!("{item}].outcome"));
            FieldChange {
                field: key.clone(),
                old: None,
                new: Some(value.clone()),
                item: outcome.and_then(|o| kept.get(&o).cloned()),
            }
        })
        .collect()
}

/// True when `after` is `before` passed to successors and nothing more: the
/// commissioner responsible, the provider or a co-commissioner is another
/// organisation (its code), each decision was made by the same commissioner with the
/// same provider (kept on the decision once the record's own have changed), the
/// co-commissioners are those of `before` as `successions` left them, and every
/// other field is as it was. A successor dropped from the co-commissioners (it is
/// responsible now, never its own co-commissioner) is part of the succession too.
fn only_successions(before: &Record, after: &Record, successions: &[Succession]) -> bool {
    let succeeded = before.commissioner.ods != after.commissioner.ods
        || before.provider.ods != after.provider.ods
        || before.commissioner.co_commissioners != after.commissioner.co_commissioners;
    let left = as_successions_left(before, &after.commissioner.ods, successions);
    succeeded && as_decided(before, &left) == as_decided(after, &after.commissioner.co_commissioners)
}

/// The co-commissioners of `before` as `successions` left them: each named by its
/// latest successor, once, and never the commissioner `responsible`, as crs succeed
/// writes them.
fn as_successions_left(before: &Record, responsible: &str, successions: &[Succession]) -> Vec<String> {
    let mut left: Vec<String> = Vec::new();
    for code in &before.commissioner.co_commissioners {
        let now = successors_of(code, successions).pop().unwrap_or_else(|| code.clone());
        if now != responsible && !left.contains(&now) {
            left.push(now);
        }
    }
    left
}

/// The successors of `code` in turn: its own latest successor, then that one's, …;
/// empty when it has none. A circle of successions ends where it began.
fn successors_of(code: &str, successions: &[Succession]) -> Vec<String> {
    let mut chain: Vec<String> = Vec::new();
    let mut at = code;
    while let Some(next) = successions.iter().rev().find(|s| s.old == at).map(|s| s.new.as_str()) {
        if next == code || chain.iter().any(|c| c == next) {
            break;
        }
        chain.push(next.to_owned());
        at = next;
    }
    chain
}

/// The co-commissioners of `before` that successions took over and `after` no
/// longer names, with what changed in the list besides; `None` when none was.
fn co_commissioners_succeeded(
    before: &Record,
    after: &Record,
    successions: &[Succession],
) -> Option<CoCommissionersSucceeded> {
    let now = &after.commissioner.co_commissioners;
    let succeeded: Vec<CoCommissionerSucceeded> = before
        .commissioner
        .co_commissioners
        .iter()
        .filter(|code| !now.contains(code))
        .filter_map(|code| {
            let by = successors_of(code, successions);
            (!by.is_empty()).then(|| CoCommissionerSucceeded { old: code.clone(), by })
        })
        .collect();
    if succeeded.is_empty() {
        return None;
    }
    let left = as_successions_left(before, &after.commissioner.ods, successions);
    let listed = |codes: &[String]| (!codes.is_empty()).then(|| format!("[{}]", codes.join(", ")));
    let besides = (left != *now).then(|| FieldChange {
        field: "commissioner.co_commissioners".to_owned(),
        old: listed(&left),
        new: listed(now),
        item: None,
    });
    Some(CoCommissionersSucceeded { succeeded, responsible: after.commissioner.ods.clone(), besides })
}

/// `record` with each decision naming the commissioner that made it and the
/// provider it was made with, `co_commissioners` for its own, and without the
/// organisations responsible now (nor the ids it had, nor submissions): what a
/// succession leaves as it was.
fn as_decided(record: &Record, co_commissioners: &[String]) -> Record {
    let mut record = without_submissions(record).normalized();
    let commissioner =
        DecisionCommissioner { ods: record.commissioner.ods.clone(), name: record.commissioner.name.clone() };
    let provider = DecisionProvider {
        ods: record.provider.ods.clone(),
        name: record.provider.name.clone(),
        kind: record.provider.kind,
    };
    for decision in &mut record.decisions {
        decision.commissioner.get_or_insert_with(|| commissioner.clone());
        decision.provider.get_or_insert_with(|| provider.clone());
    }
    record.commissioner.ods.clear();
    record.commissioner.name.clear();
    record.commissioner.co_commissioners = co_commissioners.to_vec();
    record.provider.ods.clear();
    record.provider.name.clear();
    record.provider.kind = ProviderKind::Other;
    record.previous_ids.clear();
    record
}

fn without_submissions(record: &Record) -> Cow<'_, Record> {
    if record.events.iter().any(|e| e.kind == EventKind::Submitted) {
        let mut stripped = record.clone();
        stripped.events.retain(|e| e.kind != EventKind::Submitted);
        Cow::Owned(stripped)
    } else {
        Cow::Borrowed(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Date, Event};

    /// A draft with a decision to designate and a written request.
    static RECORD: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        crate::model::record::MINIMAL_TEST_RECORD.to_owned()
            + "[decision]\noutcome = \"designate\"\ngrounds = [\"no-alternative-provider\"]\ndecided_on = 2025-01-01\n"
            + "[[events]]\non = 2025-02-01\nkind = \"written-request-sent\"\n"
    });

    fn item(id: &str, text: &str) -> Item {
        let record = Record::from_toml(text).unwrap();
        let status = crate::model::status::derive_status(&record);
        let id: RecordId = id.parse().unwrap();
        Item::whole(id.clone(), &id.relative_path_string(), record, status)
    }

    /// `item` with its record changed by `change`.
    fn edited(mut item: Item, change: impl FnOnce(&mut Record)) -> Item {
        let mut record = item.record.take().unwrap();
        change(&mut record);
        Item::whole(item.id, &item.file, *record, item.status)
    }

    fn state(items: Vec<Item>) -> RegisterState {
        RegisterState::new(items, Some("abc".into()), Default::default())
    }

    #[test]
    fn without_a_baseline_everything_in_scope_is_added() {
        let now = state(vec![
            item("RJ1/a", &RECORD),
            item("RJ1/draft", RECORD.split("[decision]").next().unwrap()),
        ]);
        let changes = compare(&now, None, &[], &Scope::default());
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].kind, ChangeKind::Added);
        assert_eq!(changes[0].id.to_string(), "RJ1/a");
    }

    #[test]
    fn field_changes_are_dotted_paths_and_submissions_do_not_count() {
        let base = state(vec![item("RJ1/a", &RECORD), item("RJ1/b", &RECORD), item("RJ1/gone", &RECORD)]);
        let changed = edited(item("RJ1/a", &RECORD.replace("2025-01-01", "2025-01-02")), |r| {
            r.service.sites = vec!["RJ122".into()];
        });
        let submitted = edited(item("RJ1/b", &RECORD), |r| {
            r.events.push(Event {
                date_known: true,
                on: Date::from_ymd(2025, 3, 1).unwrap(),
                kind: EventKind::Submitted,
                note: None,
            });
        });
        assert_eq!(submitted.fingerprint, base.items()[1].fingerprint, "a submission is not a change");
        let new = item("RJ1/new", &RECORD);
        let now = state(vec![changed, submitted, new]);
        let changes = compare(&now, Some(&base), &[], &Scope::default());
        let summary: Vec<(String, ChangeKind, Vec<String>)> =
            changes.iter().map(|c| (c.id.to_string(), c.kind, c.field_paths())).collect();
        assert_eq!(
            summary,
            [
                (
                    "RJ1/a".into(),
                    ChangeKind::Changed,
                    vec!["decisions[0].decided_on".into(), "service.sites".into()]
                ),
                ("RJ1/gone".into(), ChangeKind::Removed, vec![]),
                ("RJ1/new".into(), ChangeKind::Added, vec![]),
            ]
        );
        assert_eq!(changes[1].status, None);
        assert_eq!(changes[1].previous_status, Some(Status::Requested));
    }

    #[test]
    fn a_status_change_is_named_first_and_leaving_scope_is_a_removal() {
        let base = state(vec![item("RJ1/a", &RECORD), item("RJ1/b", &RECORD)]);
        let accepted = RECORD.to_owned() + "[[events]]\non = 2025-02-10\nkind = \"provider-accepted\"\n";
        let reasonable = RECORD.to_owned()
            + "[[events]]\non = 2025-02-10\nkind = \"provider-refused\"\n"
            + "[[events]]\non = 2025-02-11\nkind = \"referred-to-regulator\"\n"
            + "[[events]]\non = 2025-03-11\nkind = \"refusal-found-reasonable\"\n";
        let now = state(vec![item("RJ1/a", &accepted), item("RJ1/b", &reasonable)]);
        let changes = compare(&now, Some(&base), &[], &Scope::default());
        assert_eq!(changes[0].field_paths(), ["status", "events[1].kind", "events[1].on"]);
        assert_eq!(changes[1].kind, ChangeKind::Removed);
        assert_eq!(changes[1].status, Some(Status::NotDesignated));
    }

    #[test]
    fn only_successions_are_carried_over() {
        use crate::model::record::{DecisionCommissioner, designated_example};
        let before = designated_example();
        let mut merged = before.normalized();
        merged.decisions[0].commissioner =
            Some(DecisionCommissioner { ods: "QKK".into(), name: before.commissioner.name.clone() });
        merged.commissioner.ods = "Z9B2Z".into();
        merged.commissioner.name = "NHS North London ICB".into();
        assert!(only_successions(&before, &merged, &[]), "an ICB merger");
        let fields: Vec<String> =
            changed_fields((&before, Status::Designated), (&merged, Status::Designated))
                .into_iter()
                .map(|f| f.field)
                .collect();
        assert!(fields.contains(&"decisions[0].commissioner.ods".to_owned()), "{fields:?}");
        assert!(!fields.contains(&"decisions[0].outcome".to_owned()), "the same decision: {fields:?}");

        let mut also_changed = merged.clone();
        also_changed.service.sites.push("RJ199".into());
        assert!(!only_successions(&before, &also_changed, &[]), "a site added besides");
        let mut made_by_another = merged.clone();
        made_by_another.decisions[0].commissioner.as_mut().unwrap().ods = "QMF".into();
        assert!(
            !only_successions(&before, &made_by_another, &[]),
            "a decision's maker is not the succession's"
        );
        let mut renamed = before.clone();
        renamed.service.name = "Maternity and neonatal care".into();
        assert!(!only_successions(&before, &renamed, &[]), "nobody succeeded anyone");
    }

    #[test]
    fn a_co_commissioner_succeeded_is_carried_over_never_removed() {
        use crate::model::record::{DecisionCommissioner, designated_example};
        let succession = |old: &str, new: &str| Succession { old: old.into(), new: new.into() };
        let successions = [succession("QMJ", "Z9B2Z"), succession("QRV", "Z9B2Z")];
        let mut before = designated_example();
        before.commissioner.co_commissioners = vec!["QRV".into(), "QMF".into()];
        let mut after = before.clone();
        after.commissioner.co_commissioners = vec!["Z9B2Z".into(), "QMF".into()];
        assert!(only_successions(&before, &after, &successions), "QRV named by its successor");
        assert!(!only_successions(&before, &after, &[]), "no succession recorded: a change");
        let told = co_commissioners_succeeded(&before, &after, &successions).unwrap();
        assert_eq!(told.succeeded, [CoCommissionerSucceeded { old: "QRV".into(), by: vec!["Z9B2Z".into()] }]);
        assert_eq!(told.besides, None);

        // The record's commissioner succeeded too, each decision keeping its maker.
        let mut responsible = before.normalized();
        responsible.decisions[0].commissioner = Some(DecisionCommissioner {
            ods: before.commissioner.ods.clone(),
            name: before.commissioner.name.clone(),
        });
        responsible.commissioner.ods = "Z9B2Z".into();
        responsible.commissioner.co_commissioners = vec!["QMF".into()];
        assert!(only_successions(&before, &responsible, &successions), "the successor is responsible now");

        let mut dropped_besides = responsible.clone();
        dropped_besides.commissioner.co_commissioners.clear();
        assert!(!only_successions(&before, &dropped_besides, &successions), "QMF removed besides");
        let told = co_commissioners_succeeded(&before, &dropped_besides, &successions).unwrap();
        assert_eq!(
            told.besides,
            Some(FieldChange {
                field: "commissioner.co_commissioners".into(),
                old: Some("[QMF]".into()),
                new: None,
                item: None
            })
        );
        let chain = [succession("QRV", "Z9B2Z"), succession("Z9B2Z", "Y1A1A"), succession("Y1A1A", "QRV")];
        assert_eq!(successors_of("QRV", &chain), ["Z9B2Z", "Y1A1A"], "a circle ends where it began");
    }

    #[test]
    fn a_removal_is_reported_once() {
        let removal = RECORD
            .replace("\"designate\"", "\"remove\"")
            .replace("written-request-sent", "provider-notified-of-removal");
        let designated_then = item("RJ1/a", &RECORD);
        let removed_now = item("RJ1/a", &removal);
        assert_eq!(removed_now.status, Status::Removed);
        let first = compare(
            &state(vec![removed_now.clone()]),
            Some(&state(vec![designated_then])),
            &[],
            &Scope::default(),
        );
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].kind, ChangeKind::Removed, "a removal is never a mere change");
        assert_eq!(first[0].fields[0].field, "status");
        let without_baseline = compare(&state(vec![removed_now.clone()]), None, &[], &Scope::default());
        assert_eq!(without_baseline[0].kind, ChangeKind::Removed, "a removal is never an addition");
        let second = compare(
            &state(vec![removed_now.clone()]),
            Some(&state(vec![removed_now])),
            &[],
            &Scope::default(),
        );
        assert!(second.is_empty(), "{second:?}");
    }
}
