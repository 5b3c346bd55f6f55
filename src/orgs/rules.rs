//! The rules of `crs check` that compare a record's organisation codes with the
//! imported ODS files: `ods-unknown`, `ods-closed`, `provider-kind-mismatch`,
//! `out-of-scope` and `ods-name-changed`. Pure functions of (record, index, today)
//! to hits: no disk, no clock. A code is reported unknown only when the file that
//! should list it was imported; codes without the ODS shape are left to `ods-format`.

use crate::framework::finding::{Hit, Rule};
use crate::model::Date;
use crate::model::id::is_ods_code;
use crate::model::record::{Decision, DecisionOutcome, ProviderKind, Record};
use crate::model::status::derive_status;
use crate::orgs::index::OrgIndex;
use crate::orgs::kind::{KindSet, Role};
use crate::orgs::name::matches_normalised;
use crate::orgs::org::Org;

/// The part a code plays in the record, which decides what its closure means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    /// The provider: decisions are made with it.
    Decides,
    /// The commissioner responsible now; the commissioner that made each decision is
    /// judged on the decision's day by `decision_commissioners`.
    Responsible,
    CoCommissioner,
    Site,
}

/// What the rules need to know about the record besides its codes.
struct Context<'a> {
    record: &'a Record,
    orgs: &'a OrgIndex,
    today: Date,
}

/// Everything the organisation rules find in `record`, checked against `orgs` as
/// of `today`. Called for every record of a register: on the way to finding
/// nothing it allocates nothing.
pub fn check_orgs(record: &Record, orgs: &OrgIndex, today: Date) -> Vec<Hit> {
    let cx = Context { record, orgs, today };
    let mut hits = Vec::new();

    let provider = &record.provider;
    let key = || "provider.ods".into();
    if let Some((org, name)) = cx.code(Role::Provider, Part::Decides, key, &provider.ods, &mut hits) {
        kind(provider.kind, org, &mut hits);
        renamed("provider.name", "provider", &provider.name, org, name, &mut hits);
    }
    let commissioner = &record.commissioner;
    let key = || "commissioner.ods".into();
    if let Some((org, name)) =
        cx.code(Role::Commissioner, Part::Responsible, key, &commissioner.ods, &mut hits)
    {
        renamed("commissioner.name", "commissioner", &commissioner.name, org, name, &mut hits);
    }
    for (i, code) in commissioner.co_commissioners.iter().enumerate() {
        let key = || format!("commissioner.co_commissioners[{i}]");
        cx.code(Role::Commissioner, Part::CoCommissioner, key, code, &mut hits);
    }
    for (i, code) in record.service.sites.iter().enumerate() {
        cx.code(Role::Site, Part::Site, || format!("service.sites[{i}]"), code, &mut hits);
    }
    cx.decision_commissioners(&mut hits);
    cx.decision_providers(&mut hits);
    hits
}

/// The kinds of ODS file that were not imported but would list a code of `record`:
/// the codes the rules above could not check.
pub fn unchecked_kinds(record: &Record, orgs: &OrgIndex) -> KindSet {
    let mut missing = KindSet::default();
    let mut check = |role: Role, code: &str| {
        let expected = role.expected_kind(code, orgs.kinds());
        if is_ods_code(code) && !orgs.has_kind(expected) && orgs.get(code).is_empty() {
            missing.insert(expected);
        }
    };
    check(Role::Provider, &record.provider.ods);
    for then in record.decisions().iter().filter_map(|d| d.provider.as_ref()) {
        check(Role::Provider, &then.ods);
    }
    check(Role::Commissioner, &record.commissioner.ods);
    for code in &record.commissioner.co_commissioners {
        check(Role::Commissioner, code);
    }
    for code in &record.service.sites {
        check(Role::Site, code);
    }
    missing
}

impl Context<'_> {
    /// Looks `code` up in the files of `role` and reports it (at `key()`) unknown,
    /// Welsh or closed; returns the organisation and its normalised name when found.
    fn code(
        &self,
        role: Role,
        part: Part,
        key: impl Fn() -> String,
        code: &str,
        hits: &mut Vec<Hit>,
    ) -> Option<(&Org, &str)> {
        if !is_ods_code(code) {
            return None;
        }
        let Some((org, name)) = self.orgs.find(code, role.kinds()) else {
            unknown(self.orgs, role, key(), code, hits);
            return None;
        };
        if org.is_welsh() {
            hits.push(Hit::new(
                Rule::OutOfScope,
                key(),
                format!(
                    "{role} {code} is {}, a Welsh organisation ({why}): Commissioner Requested Services are designated in England; remove the record or correct the code",
                    org.display_name(),
                    role = role.as_str(),
                    why = if org.region == "W00" { "national grouping W00" } else { "ODS region W" }
                ),
            ));
        }
        if org.closed.is_some() {
            self.closed(role, part, key(), org, hits);
        }
        Some((org, name))
    }

    /// A designation decided and not removed, or in force: its organisations must
    /// still be open today. Worked out only for the few records with a closed code.
    fn live(&self) -> bool {
        self.record.outcome() == Some(DecisionOutcome::Designate) || derive_status(self.record).in_force()
    }

    /// Whether the decision is to designate: a decision to remove or decline a
    /// service of an organisation that has closed is the ordinary course.
    fn designating(&self) -> bool {
        self.record.outcome() == Some(DecisionOutcome::Designate)
    }

    fn closed(&self, role: Role, part: Part, key: String, org: &Org, hits: &mut Vec<Hit>) {
        let Some(closed) = org.closed else { return };
        let what = format!("{} {} ({})", role.as_str(), org.code, org.display_name());
        // The provider is judged on the day of the decision only if the decision was
        // made with it: one a move has changed since keeps its own, judged below.
        let made_with = |d: &&Decision| d.provider.as_ref().is_none_or(|p| p.ods == org.code);
        let decided = self.record.current_decision().filter(made_with).map(|d| d.decided_on);
        // A commissioner closed by the day of a decision it made is an error of that
        // decision (`decision_commissioners`), not a succession to record.
        let made_by = |d: &&Decision| d.commissioner.as_ref().is_none_or(|c| c.ods == org.code);
        let decided_by = self.record.current_decision().filter(made_by).map(|d| d.decided_on);
        if part == Part::Responsible && decided_by.is_some_and(|d| org.closed_by(d)) {
            return;
        }
        match (part, decided) {
            (Part::Decides, Some(decided)) if org.closed_by(decided) && self.designating() => {
                hits.push(Hit::new(
                    Rule::OdsClosed,
                    key,
                    format!(
                        "{what} closed on {closed}, on or before the decision of {decided}; correct the code to the provider the decision was made with"
                    ),
                ));
            }
            // Closed since the decision, which was valid when made: the designation
            // carries over to the successor in law. Not an error; crs succeed records it.
            (Part::Decides | Part::Responsible | Part::CoCommissioner, _) if closed < self.today && self.live() => {
                let (successor, on) = match self.orgs.successor(&org.code) {
                    Some(s) => (s.to.clone(), s.on.unwrap_or(closed)),
                    None => ("NEW".to_owned(), closed),
                };
                let named = match self.orgs.successor(&org.code) {
                    Some(s) => format!("ODS names {} as its successor", s.to),
                    None => "NEW is the code of the organisation that took it over".to_owned(),
                };
                let part = match part {
                    Part::Decides => "",
                    Part::Responsible => ", responsible for the designation,",
                    _ => ", a co-commissioner,",
                };
                hits.push(Hit::new(
                    Rule::OdsSucceeded,
                    key,
                    format!(
                        "{what}{part} closed on {closed} and the designation is still live: it carries over to the successor; record the succession with crs succeed {} {successor} --on {on} ({named})",
                        org.code
                    ),
                ));
            }
            (Part::Site, _) if closed < self.today && self.live() => hits.push(Hit::new(
                Rule::OdsClosed,
                key,
                format!(
                    "{what} closed on {closed} and the designation is still live; correct the site to the one that provides the service now"
                ),
            )),
            _ => {}
        }
    }

    /// The commissioner that made each decision (its own, else the record's): it
    /// must have been open on the day of the decision.
    fn decision_commissioners(&self, hits: &mut Vec<Hit>) {
        for (i, decision) in self.record.decisions().iter().enumerate() {
            let own = decision.commissioner.as_ref().filter(|c| c.ods != self.record.commissioner.ods);
            let code = own.map_or(self.record.commissioner.ods.as_str(), |c| c.ods.as_str());
            if !is_ods_code(code) {
                continue;
            }
            let key = || match own {
                Some(_) => format!("{}.commissioner.ods", self.record.decision_key(i)),
                None => "commissioner.ods".to_owned(),
            };
            let Some((org, _)) = self.orgs.find(code, Role::Commissioner.kinds()) else {
                if own.is_some() {
                    unknown(self.orgs, Role::Commissioner, key(), code, hits);
                }
                continue;
            };
            let decided = decision.decided_on;
            let what = format!(
                "the commissioner {} ({}) that made the {} of {decided}",
                org.code,
                org.display_name(),
                decision.outcome.in_words()
            );
            let message = match (org.opened, org.closed) {
                (Some(opened), _) if decided < opened => format!(
                    "{what} opened only on {opened}; a decision is made by a commissioner open on its day: correct the decision's date or the commissioner that made it"
                ),
                (_, Some(closed)) if org.closed_by(decided) => format!(
                    "{what} had closed on {closed}, on or before that day; correct the decision's date, or record the commissioner that made it (after a merger, crs succeed moves the register to the successor first)"
                ),
                _ => continue,
            };
            hits.push(Hit::new(Rule::OdsClosed, key(), message));
        }
    }

    /// The providers decisions were made with, where a move has changed the record's
    /// provider code since: each must be a provider ODS knows, open on the day of a
    /// decision to designate. Their names and kinds are as they were then, and are not
    /// compared with ODS's now.
    fn decision_providers(&self, hits: &mut Vec<Hit>) {
        for (i, decision) in self.record.decisions().iter().enumerate() {
            let Some(then) = decision.provider.as_ref().filter(|p| p.ods != self.record.provider.ods) else {
                continue;
            };
            let key = || format!("{}.provider.ods", self.record.decision_key(i));
            if !is_ods_code(&then.ods) {
                continue;
            }
            let Some((org, _)) = self.orgs.find(&then.ods, Role::Provider.kinds()) else {
                unknown(self.orgs, Role::Provider, key(), &then.ods, hits);
                continue;
            };
            let decided = decision.decided_on;
            if let Some(closed) = org.closed.filter(|_| decision.outcome == DecisionOutcome::Designate)
                && org.closed_by(decided)
            {
                hits.push(Hit::new(
                    Rule::OdsClosed,
                    key(),
                    format!(
                        "provider {} ({}), which the {} of {decided} names, closed on {closed}, on or before that decision; correct {} to the provider the decision was made with",
                        org.code,
                        org.display_name(),
                        decision.outcome.in_words(),
                        key()
                    ),
                ));
            }
        }
    }
}

fn unknown(orgs: &OrgIndex, role: Role, key: String, code: &str, hits: &mut Vec<Hit>) {
    let role_name = role.as_str();
    if let Some(other) = orgs.get(code).first() {
        hits.push(Hit::new(
            Rule::OdsUnknown,
            key,
            format!(
                "{code} is not a {role_name}: ODS lists it as the {} {} ({}); check the code",
                other.kind.describe(),
                other.display_name(),
                other.kind
            ),
        ));
        return;
    }
    let expected = role.expected_kind(code, orgs.kinds());
    if !orgs.has_kind(expected) {
        return;
    }
    let message = match role {
        Role::Commissioner => format!(
            "{role_name} code {code} is in neither the imported eother nor eccg file; check the code, or import newer files with crs orgs import"
        ),
        _ => format!(
            "{role_name} code {code} is not in the imported {expected} file; check the code, or import a newer {expected}.csv with crs orgs import"
        ),
    };
    hits.push(Hit::new(Rule::OdsUnknown, key, message));
}

fn kind(recorded: ProviderKind, org: &Org, hits: &mut Vec<Hit>) {
    let Some(ods) = org.provider_kind() else { return };
    if recorded == ProviderKind::Other || recorded == ods {
        return;
    }
    let why = match ods {
        ProviderKind::FoundationTrust => "its ODS name says foundation trust".to_owned(),
        ProviderKind::NhsTrust => {
            "it is an NHS trust in ODS and its name does not say foundation trust".to_owned()
        }
        _ => format!("ODS lists it as an {}", org.kind.describe()),
    };
    hits.push(Hit::new(
        Rule::ProviderKindMismatch,
        "provider.kind",
        format!(
            "the record says kind = \"{}\" but {} is {}: {why}; set kind = \"{}\"",
            recorded.as_str(),
            org.code,
            org.display_name(),
            ods.as_str()
        ),
    ));
}

fn renamed(key: &str, role: &str, recorded: &str, org: &Org, ods_name: &str, hits: &mut Vec<Hit>) {
    if recorded.trim().is_empty()
        || recorded.eq_ignore_ascii_case(&org.name)
        || matches_normalised(recorded, ods_name)
    {
        return;
    }
    hits.push(Hit::new(
        Rule::OdsNameChanged,
        key,
        format!(
            "the record names the {role} '{recorded}'; ODS now calls {} '{}'. Keep the name as at designation, or update it",
            org.code,
            org.display_name()
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orgs::kind::OdsKind;

    fn record() -> Record {
        crate::model::record::designated_example()
    }

    fn index(orgs: Vec<Org>) -> OrgIndex {
        OrgIndex::new(orgs)
    }

    fn today() -> Date {
        Date::from_ymd(2026, 11, 23).unwrap()
    }

    fn rules(record: &Record, orgs: &OrgIndex) -> Vec<(Rule, String)> {
        check_orgs(record, orgs, today()).into_iter().map(|h| (h.rule, h.key)).collect()
    }

    fn known() -> Vec<Org> {
        let r = record();
        let mut orgs = vec![
            Org::for_test(&r.provider.ods, OdsKind::Etr, &r.provider.name.to_uppercase()),
            Org::for_test(&r.commissioner.ods, OdsKind::Eother, &r.commissioner.name.to_uppercase()),
        ];
        for code in r.service.sites.iter() {
            orgs.push(Org::for_test(code, OdsKind::Ets, "A SITE"));
        }
        for code in r.commissioner.co_commissioners.iter() {
            orgs.push(Org::for_test(code, OdsKind::Eother, "ANOTHER ICB"));
        }
        orgs
    }

    #[test]
    fn a_record_whose_codes_are_all_known_and_open_is_clean() {
        assert_eq!(rules(&record(), &index(known())), vec![]);
    }

    #[test]
    fn codes_missing_from_an_imported_file_are_unknown() {
        let mut r = record();
        r.provider.ods = "RJ9".into();
        assert_eq!(rules(&r, &index(known())), vec![(Rule::OdsUnknown, "provider.ods".to_owned())]);
    }

    #[test]
    fn codes_are_not_called_unknown_when_their_file_was_not_imported() {
        let mut r = record();
        r.provider.ods = "NVC".into();
        assert_eq!(rules(&r, &index(known())), vec![], "no ephp file imported");
        let only_trusts: Vec<Org> = known().into_iter().filter(|o| o.kind == OdsKind::Etr).collect();
        let only_trusts = index(only_trusts);
        assert_eq!(rules(&record(), &only_trusts), vec![], "no site or commissioner files imported");
        assert_eq!(unchecked_kinds(&record(), &only_trusts).to_vec(), vec![OdsKind::Ets, OdsKind::Eother]);
        assert!(unchecked_kinds(&record(), &index(known())).is_empty());
    }

    #[test]
    fn a_code_of_the_wrong_role_is_named_for_what_it_is() {
        let mut r = record();
        r.commissioner.ods = r.provider.ods.clone();
        let hits = check_orgs(&r, &index(known()), today());
        assert_eq!(hits.len(), 1);
        assert!(hits[0].message.contains("is not a commissioner: ODS lists it as the NHS trust"), "{hits:?}");
    }

    #[test]
    fn closed_before_the_decision_or_before_today_while_live() {
        let r = record();
        let decided = r.decision.as_ref().unwrap().decided_on;
        let mut orgs = known();
        orgs[0].closed = Some(decided);
        let hits = check_orgs(&r, &index(orgs.clone()), today());
        assert_eq!(hits.len(), 1);
        assert!(hits[0].message.contains("on or before the decision"), "{hits:?}");
        orgs[0].closed = today().plus_days(-1);
        let hits = check_orgs(&r, &index(orgs.clone()), today());
        assert_eq!(hits[0].rule, Rule::OdsSucceeded, "{hits:?}");
        orgs[0].closed = Some(today());
        assert_eq!(rules(&r, &index(orgs)), vec![], "closing today is not yet closed before today");
    }

    #[test]
    fn closure_of_a_draft_after_today_is_not_reported() {
        let mut r = record();
        r.decision = None;
        r.events.clear();
        let mut orgs = known();
        orgs[0].closed = Some(Date::from_ymd(2020, 1, 1).unwrap());
        assert_eq!(rules(&r, &index(orgs)), vec![]);
    }

    #[test]
    fn kind_mismatch_both_ways() {
        let mut r = record();
        let mut orgs = known();
        // The record's kind, and the name ODS gives that says the other kind.
        for (kind, ods_name) in [
            (ProviderKind::NhsTrust, "GUY'S AND ST THOMAS' NHS FOUNDATION TRUST"),
            (ProviderKind::FoundationTrust, "LEWISHAM AND GREENWICH NHS TRUST"),
        ] {
            r.provider.kind = kind;
            orgs[0].name = ods_name.into();
            r.provider.name = orgs[0].name.clone();
            assert_eq!(
                rules(&r, &index(orgs.clone())),
                vec![(Rule::ProviderKindMismatch, "provider.kind".to_owned())],
                "{kind:?}"
            );
        }
        r.provider.kind = ProviderKind::Other;
        assert_eq!(rules(&r, &index(orgs)), vec![]);
    }

    /// The record moved from RJ1 to RJZ: its decision keeps RJ1, the provider it was
    /// made with.
    fn moved() -> (Record, Vec<Org>) {
        let mut r = record();
        let then = crate::model::record::DecisionProvider {
            ods: r.provider.ods.clone(),
            name: r.provider.name.clone(),
            kind: r.provider.kind,
        };
        r.decision.as_mut().unwrap().provider = Some(then);
        r.provider.ods = "RJZ".into();
        r.provider.name = "King's College Hospital NHS Foundation Trust".into();
        let mut orgs = known();
        orgs.push(Org::for_test("RJZ", OdsKind::Etr, "KING'S COLLEGE HOSPITAL NHS FOUNDATION TRUST"));
        (r, orgs)
    }

    #[test]
    fn a_decision_is_judged_by_the_provider_it_was_made_with() {
        let (r, mut orgs) = moved();
        let decided = r.decision.as_ref().unwrap().decided_on;
        assert_eq!(rules(&r, &index(orgs.clone())), vec![]);

        // The old provider closing after the decision is the merger the move records.
        orgs[0].closed = today().plus_days(-30);
        assert_eq!(rules(&r, &index(orgs.clone())), vec![]);
        // Closed by the day of the decision, it cannot have been the provider then.
        orgs[0].closed = Some(decided);
        let hits = check_orgs(&r, &index(orgs.clone()), today());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!((hits[0].rule, hits[0].key.as_str()), (Rule::OdsClosed, "decision.provider.ods"));
        assert!(hits[0].message.contains("on or before that decision"), "{hits:?}");

        // The provider now is not judged on the day of a decision it did not make.
        orgs[0].closed = None;
        let now = orgs.iter_mut().find(|o| o.code == "RJZ").unwrap();
        now.closed = Some(decided);
        let hits = check_orgs(&r, &index(orgs.clone()), today());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!((hits[0].rule, hits[0].key.as_str()), (Rule::OdsSucceeded, "provider.ods"));
        assert!(hits[0].message.contains("crs succeed RJZ NEW"), "{hits:?}");
    }

    #[test]
    fn a_commissioner_closed_since_the_decision_is_succeeded_not_wrong() {
        let r = record();
        let mut orgs = known();
        orgs[1].closed = today().plus_days(-30);
        let hits = check_orgs(&r, &index(orgs.clone()), today());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!((hits[0].rule, hits[0].key.as_str()), (Rule::OdsSucceeded, "commissioner.ods"));
        let code = &r.commissioner.ods;
        assert!(hits[0].message.contains(&format!("crs succeed {code} NEW --on")), "{hits:?}");
        assert!(!hits[0].message.contains("remove"), "{hits:?}");

        let on = Date::from_ymd(2026, 4, 1);
        let link = crate::orgs::Succession { from: code.clone(), to: "Z9B2Z".into(), reason: "S".into(), on };
        let hits = check_orgs(&r, &index(orgs).with_successions(vec![link]), today());
        assert!(hits[0].message.contains(&format!("crs succeed {code} Z9B2Z --on 2026-04-01")), "{hits:?}");
    }

    #[test]
    fn a_decision_is_made_by_a_commissioner_open_on_its_day() {
        let mut r = record();
        let decided = r.decision.as_ref().unwrap().decided_on;
        let mut orgs = known();
        orgs[1].opened = decided.plus_days(1);
        assert_eq!(rules(&r, &index(orgs.clone())), vec![(Rule::OdsClosed, "commissioner.ods".to_owned())]);
        orgs[1].opened = None;
        orgs[1].closed = Some(decided);
        let hits = check_orgs(&r, &index(orgs.clone()), today());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(hits[0].message.contains("had closed"), "{hits:?}");

        // Succeeded: the decision keeps the commissioner that made it, open then; the
        // successor, opened since, is responsible now.
        let old = r.commissioner.clone();
        r.decision.as_mut().unwrap().commissioner =
            Some(crate::model::record::DecisionCommissioner { ods: old.ods.clone(), name: old.name.clone() });
        r.commissioner.ods = "Z9B2Z".into();
        r.commissioner.name = "NHS North London ICB".into();
        orgs[1].closed = decided.plus_days(10);
        let mut new = Org::for_test("Z9B2Z", OdsKind::Eother, "NHS NORTH LONDON ICB");
        new.opened = decided.plus_days(11);
        orgs.push(new);
        assert_eq!(rules(&r, &index(orgs.clone())), vec![]);
        // A decision dated after its own commissioner closed is still wrong.
        orgs[1].closed = decided.plus_days(-1);
        assert_eq!(rules(&r, &index(orgs)), vec![(Rule::OdsClosed, "decision.commissioner.ods".to_owned())]);
    }

    #[test]
    fn a_decision_provider_ods_does_not_list_is_unknown() {
        let (mut r, orgs) = moved();
        r.decision.as_mut().unwrap().provider.as_mut().unwrap().ods = "RJ9".into();
        assert_eq!(rules(&r, &index(orgs)), vec![(Rule::OdsUnknown, "decision.provider.ods".to_owned())]);
    }

    #[test]
    fn welsh_organisations_are_out_of_scope() {
        let mut orgs = known();
        orgs[0].region = "W00".into();
        assert_eq!(rules(&record(), &index(orgs)), vec![(Rule::OutOfScope, "provider.ods".to_owned())]);
    }

    #[test]
    fn renamed_organisations_show_the_ods_name() {
        let mut orgs = known();
        orgs[0].name = "KING'S COLLEGE HOSPITAL NHS FOUNDATION TRUST".into();
        let hits = check_orgs(&record(), &index(orgs), today());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].rule, Rule::OdsNameChanged);
        assert!(hits[0].message.contains("'King's College Hospital NHS Foundation Trust'"), "{hits:?}");
    }
}
