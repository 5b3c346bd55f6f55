//! What the register check found, as a board reads it: one sentence a rule, with
//! how many services it concerns and the first few of them by name ("2 designations
//! in force are past their review date: Maternity (…), Emergency department (…)").
//! What to do about each finding, and the commands that do it, are `crs check`'s
//! to say, not the paper's.

use crate::framework::finding::{Rule, Severity};
use crate::ops::report::FindingKind;
use crate::text::capitalised;

/// How many services a sentence names before "and N more".
pub(crate) const NAMED: usize = 5;

/// The findings of one kind in a sentence, without its full stop.
pub fn sentence(kind: &FindingKind) -> String {
    let n = kind.concern.len();
    let what = if n == 1 { format!("1 {}", one(kind.rule)) } else { format!("{n} {}", many(kind.rule)) };
    format!("{}: {}", capitalised(&what), listed(&kind.concern, NAMED))
}

/// The heading of the findings of `severity`.
pub fn heading(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "To put right",
        Severity::Warning => "Worth acting on",
        Severity::Note => "Notes",
    }
}

/// `items` joined by semicolons, the first `named` of them, then "and N more".
pub(crate) fn listed(items: &[String], named: usize) -> String {
    let shown: Vec<&str> = items.iter().take(named).map(String::as_str).collect();
    let rest = items.len().saturating_sub(named);
    match rest {
        0 => shown.join("; "),
        n => format!("{}; and {n} more", shown.join("; ")),
    }
}

/// What one finding of a rule concerns, counted by the service (or file): the words
/// after "1". Every rule has its words, or this does not compile.
fn one(rule: Rule) -> &'static str {
    match rule {
        Rule::ParseError => "file cannot be read as a record",
        Rule::MergeConflict => {
            "record has a field two people changed in different ways, waiting to be resolved"
        }
        Rule::NotAFile => "path in the register is not a plain file",
        Rule::Schema => "record holds a value its format does not allow",
        Rule::PathMismatch => "record is filed in the wrong place",
        Rule::OdsFormat => "record has an organisation or site code of the wrong shape",
        Rule::OdsUnknown => "record names a code the NHS organisation data does not list",
        Rule::OdsClosed => "record names an organisation that was closed on a day that matters to it",
        Rule::OdsSucceeded => "service names an organisation that has closed and has a successor",
        Rule::OdsNameChanged => "record gives a name that differs from the organisation's current name",
        Rule::ProviderKindMismatch => "record gives a provider kind the NHS organisation data disagrees with",
        Rule::OutOfScope => "record names a Welsh organisation, where designation is English",
        Rule::StageMissing => "decision lacks its own assessment of the stages",
        Rule::AssessmentNotRecorded => "imported decision has no assessment of the stages in the register",
        Rule::RationaleNotRecorded => "record has a stage answered without its reasons",
        Rule::NoGroundMet => "designation has no ground met",
        Rule::GroundsMismatch => "decision relies on a ground whose stage is not met, or on none",
        Rule::GroundsFewerThanMet => "decision relies on fewer grounds than the stages met",
        Rule::ReassessedOutsideReview => "designation in force was assessed again with no review open",
        Rule::ProportionalityNotMet => "designation stands although its proportionality stage was not met",
        Rule::NhsTrustExempt => "service was designated while NHS trusts were exempt from the licence",
        Rule::NhsTrustUnconfirmed => {
            "service with an NHS trust, now or when designated, awaits confirmation that NHS trusts' services can be designated"
        }
        Rule::LocationSpecificNotFt => {
            "service is marked location-specific although its provider is not a foundation trust"
        }
        Rule::FtTransitional => {
            "foundation trust's designation dates from before 1 April 2016 and was never confirmed"
        }
        Rule::UnlicensedProvider => {
            "designated service's provider holds no licence and no licence was asked for"
        }
        Rule::FoundationTrustLicenceExempt => "record shows a foundation trust as exempt from the licence",
        Rule::EventOrder => "record has steps out of date order or in the future",
        Rule::RequestUnanswered => "written request has had no answer within the register's response window",
        Rule::ReviewOverdue => "designation in force is past its review date",
        Rule::ReviewDateMissing => "designation has no review date",
        Rule::ReviewRequested => "request for a review has had no answer",
        Rule::NoPublicInvolvement => {
            "service has a decision with no public involvement recorded, nor why none was needed"
        }
        Rule::DuplicateService => "service is recorded twice for the same provider",
        Rule::CoCommissionerDuplicate => "record lists a co-commissioner twice, or its own commissioner",
    }
}

/// What the findings of a rule concern, in the plural: the words after a number
/// larger than 1, as [`one`] gives them after "1".
fn many(rule: Rule) -> &'static str {
    match rule {
        Rule::ParseError => "files cannot be read as records",
        Rule::MergeConflict => {
            "records have fields two people changed in different ways, waiting to be resolved"
        }
        Rule::NotAFile => "paths in the register are not plain files",
        Rule::Schema => "records hold values their format does not allow",
        Rule::PathMismatch => "records are filed in the wrong place",
        Rule::OdsFormat => "records have organisation or site codes of the wrong shape",
        Rule::OdsUnknown => "records name codes the NHS organisation data does not list",
        Rule::OdsClosed => "records name organisations that were closed on days that matter to them",
        Rule::OdsSucceeded => "services name organisations that have closed and have successors",
        Rule::OdsNameChanged => "records give names that differ from the organisations' current names",
        Rule::ProviderKindMismatch => "records give provider kinds the NHS organisation data disagrees with",
        Rule::OutOfScope => "records name Welsh organisations, where designation is English",
        Rule::StageMissing => "decisions lack their own assessment of the stages",
        Rule::AssessmentNotRecorded => "imported decisions have no assessment of the stages in the register",
        Rule::RationaleNotRecorded => "records have stages answered without their reasons",
        Rule::NoGroundMet => "designations have no ground met",
        Rule::GroundsMismatch => "decisions rely on grounds whose stages are not met, or on none",
        Rule::GroundsFewerThanMet => "decisions rely on fewer grounds than the stages met",
        Rule::ReassessedOutsideReview => "designations in force were assessed again with no review open",
        Rule::ProportionalityNotMet => "designations stand although their proportionality stage was not met",
        Rule::NhsTrustExempt => "services were designated while NHS trusts were exempt from the licence",
        Rule::NhsTrustUnconfirmed => {
            "services with NHS trusts, now or when designated, await confirmation that NHS trusts' services can be designated"
        }
        Rule::LocationSpecificNotFt => {
            "services are marked location-specific although their providers are not foundation trusts"
        }
        Rule::FtTransitional => {
            "foundation trusts' designations date from before 1 April 2016 and were never confirmed"
        }
        Rule::UnlicensedProvider => {
            "designated services' providers hold no licence and no licence was asked for"
        }
        Rule::FoundationTrustLicenceExempt => "records show foundation trusts as exempt from the licence",
        Rule::EventOrder => "records have steps out of date order or in the future",
        Rule::RequestUnanswered => {
            "written requests have had no answer within the register's response window"
        }
        Rule::ReviewOverdue => "designations in force are past their review dates",
        Rule::ReviewDateMissing => "designations have no review date",
        Rule::ReviewRequested => "requests for a review have had no answer",
        Rule::NoPublicInvolvement => {
            "services have decisions with no public involvement recorded, nor why none was needed"
        }
        Rule::DuplicateService => "services are recorded twice for the same provider",
        Rule::CoCommissionerDuplicate => "records list a co-commissioner twice, or their own commissioner",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_is_counted_and_its_services_named_up_to_five() {
        let concern: Vec<String> = (1..=8).map(|i| format!("Service {i} (Trust)")).collect();
        let kind = FindingKind { rule: Rule::ReviewOverdue, severity: Severity::Warning, concern };
        assert_eq!(
            sentence(&kind),
            "8 designations in force are past their review dates: Service 1 (Trust); Service 2 (Trust); \
             Service 3 (Trust); Service 4 (Trust); Service 5 (Trust); and 3 more"
        );
        let one = FindingKind { concern: vec!["Maternity (Trust)".to_owned()], ..kind };
        assert_eq!(sentence(&one), "1 designation in force is past its review date: Maternity (Trust)");
    }
}
