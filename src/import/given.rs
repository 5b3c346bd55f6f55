//! `Given`: which parts of a record a sheet actually gives, so that a re-import
//! takes from the sheet only what it says and keeps the register's value of every
//! part it does not (a field with no column is not a field left empty). A part is
//! given by a column the map reads (or a default the team's map states), by the
//! Assessments sheet of crs's own export (a stage whole) or by its History sheet
//! (the record's whole life). [`Given::keep_unsaid`] lays a sheet's version over
//! the register's for the parts the sheet does not give; the events and the
//! decisions made since, which the three-way rule of a re-import weighs, are its
//! caller's. Pure: no disk, no git.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::import::map::{Field, Map};
use crate::import::row::Layout;
use crate::model::record::Stage;
use crate::model::{Decision, DecisionOutcome, Record};

/// What a sheet gives of one record.
#[derive(Clone, Debug, Default)]
pub struct Given {
    /// The fields the map reads a column for, or the team's map states a default
    /// for: the same for every record of the sheet.
    pub fields: Arc<BTreeSet<Field>>,
    /// The stages (by key) the Assessments or History sheet gives whole: met,
    /// rationale, evidence, the day and who assessed.
    pub whole_stages: BTreeSet<String>,
    /// True when the History sheet tells the record's decisions and events whole.
    pub life: bool,
    /// The register's own contact (`crs.toml`'s), when the sheet's contact is it or
    /// is left empty: either way the record leaves it to `crs.toml`, and a record
    /// that names it itself says the same.
    pub registers_contact: Option<String>,
}

/// The fields a sheet gives for every record: each column the map reads, and each
/// default a team's map states. A default of crs's own map (the licence its export
/// leaves out) is no word of the sheet's: a record in the register keeps its own.
pub fn sheet_fields(layout: &Layout, map: &Map) -> Arc<BTreeSet<Field>> {
    let defaults = layout.defaults.iter().filter(|_| !map.built_in).map(|(field, _, _)| field.clone());
    Arc::new(layout.columns.iter().map(|(_, _, field)| field.clone()).chain(defaults).collect())
}

impl Given {
    /// Every part of a record: what a new record built from the sheet alone has.
    pub fn has(&self, field: &Field) -> bool {
        self.fields.contains(field)
    }

    /// True when the sheet can give decisions of `outcome` (its day at least).
    fn gives_decisions(&self, outcome: DecisionOutcome) -> bool {
        if self.life {
            return true;
        }
        let by_outcome = self.has(&Field::DecisionOutcome) && self.has(&Field::DecidedOn);
        match outcome {
            DecisionOutcome::Designate => self.has(&Field::DecidedOn),
            DecisionOutcome::DoNotDesignate => {
                self.has(&Field::DecidedOn) && (self.has(&Field::Status) || by_outcome)
            }
            DecisionOutcome::Confirm => self.has(&Field::ConfirmationDecidedOn) || by_outcome,
            DecisionOutcome::Remove => self.has(&Field::RemovalDecidedOn) || by_outcome,
        }
    }

    /// The columns that can say who made a decision of `outcome`, and its reference.
    fn maker_and_reference(&self, outcome: DecisionOutcome) -> (bool, bool) {
        if self.life {
            return (true, true);
        }
        let (by, reference) = match outcome {
            DecisionOutcome::Designate | DecisionOutcome::DoNotDesignate => {
                return (self.has(&Field::DecidedBy), self.has(&Field::DecisionReference));
            }
            DecisionOutcome::Confirm => (Field::ConfirmationDecidedBy, Field::ConfirmationReference),
            DecisionOutcome::Remove => (Field::RemovalDecidedBy, Field::RemovalReference),
        };
        let by_outcome = self.has(&Field::DecisionOutcome);
        (
            self.has(&by) || (by_outcome && self.has(&Field::DecidedBy)),
            self.has(&reference) || (by_outcome && self.has(&Field::DecisionReference)),
        )
    }

    /// `sheet` (the sheet's version) with the register's `old` value of each part
    /// the sheet does not give: the service's and the provider's details without a
    /// column, the stages the sheet does not assess, a decision's maker, reference,
    /// grounds, provider and commissioner where no column gives them, the register's
    /// decisions of a kind the sheet cannot give, and each step's note.
    pub fn keep_unsaid(&self, sheet: &mut Record, old: &Record) {
        let keep = |field: Field| !self.has(&field);
        if keep(Field::LocalId) {
            sheet.local_id.clone_from(&old.local_id);
        }
        if keep(Field::Notes) {
            sheet.notes.clone_from(&old.notes);
        }
        let (service, was) = (&mut sheet.service, &old.service);
        if keep(Field::ServiceDescription) {
            service.description.clone_from(&was.description);
        }
        if keep(Field::ServiceTreatmentFunctions) {
            service.treatment_functions.clone_from(&was.treatment_functions);
        }
        if keep(Field::ServiceSites) {
            service.sites.clone_from(&was.sites);
        }
        if keep(Field::ServiceSiteNames) {
            service.site_names.clone_from(&was.site_names);
        }
        if keep(Field::ServiceLocationSpecific) {
            service.location_specific = was.location_specific;
        }
        if keep(Field::ProviderKind) {
            sheet.provider.kind = old.provider.kind;
        }
        if keep(Field::ProviderLicence) {
            sheet.provider.licence = old.provider.licence;
        }
        if keep(Field::CoCommissioners) {
            sheet.commissioner.co_commissioners.clone_from(&old.commissioner.co_commissioners);
        }
        // The register's own contact, which a record may name or leave to crs.toml.
        let registers = self.registers_contact.as_deref();
        if keep(Field::Contact)
            || (sheet.commissioner.contact.is_empty() && registers == Some(&old.commissioner.contact))
        {
            sheet.commissioner.contact.clone_from(&old.commissioner.contact);
        }
        if keep(Field::LongTermOutcome) {
            sheet.outcome.clone_from(&old.outcome);
        }
        if keep(Field::ReviewDue) {
            sheet.review.clone_from(&old.review);
        }
        self.keep_stages(sheet, old);
        self.keep_decisions(sheet, old);
        if !self.life {
            // No column gives a step's note: the register's, for the same step.
            for event in sheet.events.iter_mut().filter(|e| e.note.is_none()) {
                let same = old
                    .events
                    .iter()
                    .find(|o| o.kind == event.kind && o.on == event.on && o.date_known == event.date_known);
                if let Some(same) = same {
                    event.note.clone_from(&same.note);
                }
            }
        }
    }

    /// Every stage the register has that the sheet does not assess stays; a stage
    /// the sheet's columns assess on the day the register's was keeps what no
    /// column gives (the rationale without its column, the evidence, who assessed).
    fn keep_stages(&self, sheet: &mut Record, old: &Record) {
        for (key, was) in &old.stages {
            let Some(stage) = sheet.stages.get_mut(key) else {
                sheet.stages.insert(key.clone(), was.clone());
                continue;
            };
            if self.whole_stages.contains(key) || stage.assessed_on != was.assessed_on {
                continue;
            }
            let Stage { rationale, evidence, assessed_by, .. } = was;
            if !self.has(&Field::StageRationale(key.clone())) {
                stage.rationale.clone_from(rationale);
            }
            stage.evidence.clone_from(evidence);
            stage.assessed_by.clone_from(assessed_by);
        }
    }

    /// Each decision the sheet gives takes from the register's decision of the same
    /// outcome and day what no column gives; the register's decisions of an outcome
    /// the sheet has no column for stay.
    fn keep_decisions(&self, sheet: &mut Record, old: &Record) {
        let grounds_columns = self.fields.iter().any(|f| matches!(f, Field::Ground(_)));
        // The ground columns give the grounds of the latest decision that keeps the
        // designation (a confirmation, else the designation); the History sheet
        // gives every decision's.
        let grounds_of = sheet
            .decisions
            .iter()
            .rposition(|d| matches!(d.outcome, DecisionOutcome::Designate | DecisionOutcome::Confirm));
        for (index, decision) in sheet.decisions.iter_mut().enumerate() {
            let grounds_given = self.life || (grounds_columns && Some(index) == grounds_of);
            let Some(was) = old
                .decisions()
                .iter()
                .find(|o| o.outcome == decision.outcome && o.decided_on == decision.decided_on)
            else {
                continue;
            };
            let (by, reference) = self.maker_and_reference(decision.outcome);
            if !by {
                decision.decided_by.clone_from(&was.decided_by);
            }
            if !reference {
                decision.reference.clone_from(&was.reference);
            }
            if !grounds_given {
                decision.grounds.clone_from(&was.grounds);
            }
            // No sheet gives the provider a decision was made with; the History
            // sheet gives the commissioner that made each decision, crs's export
            // that of the designation only.
            decision.provider.clone_from(&was.provider);
            if !self.life && decision.commissioner.is_none() {
                decision.commissioner.clone_from(&was.commissioner);
            }
        }
        let unsaid: Vec<Decision> =
            old.decisions().iter().filter(|o| !self.gives_decisions(o.outcome)).cloned().collect();
        if !unsaid.is_empty() {
            sheet.decisions.extend(unsaid);
            sheet.decisions.sort_by_key(|d| d.decided_on);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields a sheet may or may not have a column for, beside the ones every
    /// sheet of crs's own export has (the decision's day, the status).
    const OPTIONAL: [Field; 17] = [
        Field::LocalId,
        Field::Notes,
        Field::ServiceDescription,
        Field::ServiceTreatmentFunctions,
        Field::ServiceSites,
        Field::ServiceSiteNames,
        Field::ServiceLocationSpecific,
        Field::ProviderLicence,
        Field::CoCommissioners,
        Field::Contact,
        Field::LongTermOutcome,
        Field::ReviewDue,
        Field::DecidedBy,
        Field::DecisionReference,
        Field::RemovalDecidedOn,
        Field::RemovalDecidedBy,
        Field::ConfirmationDecidedOn,
    ];

    fn records() -> Vec<Record> {
        [
            "designations/RJZ/major-trauma-centre.toml",
            "designations/RV5/eating-disorders-inpatient.toml",
            "examples/records/valid/RJ1/under-review.toml",
        ]
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
            Record::from_toml(&text).unwrap().normalized()
        })
        .collect()
    }

    /// `record` as a sheet with the columns `given` would give it: every part it
    /// has no column for left empty, no stage, no step's note.
    fn as_the_sheet_gives(record: &Record, given: &Given) -> Record {
        let mut sheet = record.clone();
        let blank = |field: Field| !given.has(&field);
        if blank(Field::LocalId) {
            sheet.local_id = None;
        }
        if blank(Field::Notes) {
            sheet.notes = None;
        }
        if blank(Field::ServiceDescription) {
            sheet.service.description.clear();
        }
        if blank(Field::ServiceTreatmentFunctions) {
            sheet.service.treatment_functions.clear();
        }
        if blank(Field::ServiceSites) {
            sheet.service.sites.clear();
        }
        if blank(Field::ServiceSiteNames) {
            sheet.service.site_names.clear();
        }
        if blank(Field::ServiceLocationSpecific) {
            sheet.service.location_specific = false;
        }
        if blank(Field::ProviderLicence) {
            sheet.provider.licence = crate::model::Licence::Licensed;
        }
        if blank(Field::CoCommissioners) {
            sheet.commissioner.co_commissioners.clear();
        }
        if blank(Field::Contact) {
            sheet.commissioner.contact.clear();
        }
        if blank(Field::LongTermOutcome) {
            sheet.outcome = None;
        }
        if blank(Field::ReviewDue) {
            sheet.review = None;
        }
        sheet.stages.clear();
        sheet.decisions.retain(|d| given.gives_decisions(d.outcome));
        for decision in &mut sheet.decisions {
            let (by, reference) = given.maker_and_reference(decision.outcome);
            if !by {
                decision.decided_by = None;
            }
            if !reference {
                decision.reference = None;
            }
            (decision.grounds, decision.provider, decision.commissioner) = (Vec::new(), None, None);
        }
        for event in &mut sheet.events {
            event.note = None;
        }
        sheet
    }

    proptest::proptest! {
        /// Whichever columns a sheet has, what it does not give is the register's:
        /// a sheet that says what the register says, with only those columns, laid
        /// over the register gives the register's record back.
        #[test]
        fn what_the_sheet_does_not_give_is_the_registers(columns in 0u32..(1 << OPTIONAL.len()), which in 0usize..3) {
            let fields = OPTIONAL
                .iter()
                .enumerate()
                .filter(|(bit, _)| columns & (1 << bit) != 0)
                .map(|(_, f)| f.clone())
                .chain([Field::DecidedOn, Field::Status])
                .collect();
            let given = Given { fields: Arc::new(fields), ..Given::default() };
            let register = records().swap_remove(which);
            let mut sheet = as_the_sheet_gives(&register, &given);
            given.keep_unsaid(&mut sheet, &register);
            proptest::prop_assert_eq!(sheet, register);
        }
    }
}
