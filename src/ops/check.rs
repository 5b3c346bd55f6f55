//! `crs check`: the whole register judged by the one checker, and what the report
//! should say beside the findings (organisation codes not checked, conflicts left by
//! a merge, the filters asked for); `explain` says what a rule finds and rests on.

use std::path::Path;

use crate::context::Ctx;
use crate::error::Result;
use crate::framework::finding::{Finding, FindingFilter, Rule, Severity, Summary};
use crate::history::changed::changed_since;
use crate::history::commit::operation_in_progress;
use crate::history::repo::prefix_of;
use crate::model::RecordSummary;
use crate::ops::checker::{Checker, register_orgs};
use crate::ops::open::open;
use crate::ops::setup::clone_note;
use crate::orgs::KnownOrgs;
use crate::orgs::kind::{KindSet, OdsKind, downloads_page, kind_list};
use crate::orgs::rules::unchecked_kinds;
use crate::register::load;
use crate::register::load::{ConflictState, resolve_hint};
use crate::render::findings::CheckReport;

/// Skipped rows of ODS files named in crs.toml listed one by one; more are counted.
const SKIPPED_NOTES: usize = 10;

/// What a check is asked to report.
pub struct CheckRequest<'a> {
    /// The register as it stood at the end of a date, or at a git revision.
    pub as_of: Option<&'a str>,
    /// Only records changed since this revision.
    pub changed_only: Option<&'a str>,
    /// Only findings of these rules (all when empty).
    pub rules: &'a [Rule],
    /// Only findings of this severity.
    pub severity: Option<Severity>,
    /// Notes too.
    pub verbose: bool,
    /// Files named from the repository's root (for CI) rather than the register's.
    pub repository_paths: bool,
}

/// The findings of `crs check` on the register of `ctx`, as `request` asks.
pub fn check(ctx: &Ctx, request: &CheckRequest<'_>) -> Result<CheckReport> {
    let opened = open(ctx, request.as_of)?;
    let known = register_orgs(opened.source.as_ref(), &opened.root, &opened.config)?;
    let index = known.as_ref().map(|k| &k.index).filter(|index| !index.is_empty());
    let checker = Checker::new(&opened.config.framework, opened.today, known.as_ref());
    let loaded = load(opened.source.as_ref(), &opened.config.framework, &checker, |p| {
        let unchecked = index.map(|index| unchecked_kinds(&p.record, index)).unwrap_or_default();
        (RecordSummary::new(&p.id, p.file, &p.record, p.status), unchecked)
    })?;
    let (pairs, mut findings, mut files) = (loaded.items, loaded.findings, loaded.files);
    if !request.verbose && request.severity != Some(Severity::Note) {
        findings.retain(|f| f.severity != Severity::Note);
    }
    let (mut records, unchecked): (Vec<RecordSummary>, Vec<KindSet>) = pairs.into_iter().unzip();
    let mut notes = org_notes(known.as_ref(), &unchecked);
    let line_by_line = clone_note(ctx, &opened.root);
    if request.as_of.is_none() {
        for finding in findings.iter_mut().filter(|f| f.rule == Rule::MergeConflict) {
            fit_conflict_hint(finding, &opened.root, line_by_line.is_some());
        }
    }
    notes.extend(line_by_line);
    if let Some(rev) = request.changed_only {
        let changed = changed_since(&opened.root, rev)?;
        findings.retain(|f| changed.contains(&f.file));
        records.retain(|r| changed.contains(&r.file));
        let checked = changed.iter().filter(|p| p.ends_with(".toml") && p.contains('/')).count();
        notes.push(format!("{checked} of {files} record files changed since {rev}; only those are reported"));
        files = checked;
    }
    // A record a merge left unresolved has no row: say so, rather than let it vanish.
    let mut unresolved: Vec<&str> = findings
        .iter()
        .filter(|f| f.rule == Rule::MergeConflict && !records.iter().any(|r| r.file == f.file))
        .map(|f| f.record.as_deref().unwrap_or(&f.file))
        .collect();
    unresolved.dedup();
    if !unresolved.is_empty() {
        notes.push(format!(
            "{} not in the table: a merge left git's conflict markers in it; resolve them as the merge-conflict findings say",
            unresolved.join(", ")
        ));
    }
    let filter = FindingFilter { rules: request.rules.to_vec(), severity: request.severity };
    findings.retain(|f| filter.keeps(f));
    notes.extend(filter.describe());
    let summary = Summary::of(files, &findings);
    let repo_prefix =
        if request.repository_paths { prefix_of(&opened.root).unwrap_or_default() } else { String::new() };
    Ok(CheckReport { summary, findings, records, notes, repo_prefix })
}

/// A conflict's finding told what to do where the repository stands: the operation
/// in progress named, or markers that were committed, or a clone that merged the
/// record line by line sent to merge it again by meaning.
fn fit_conflict_hint(finding: &mut Finding, root: &Path, line_by_line: bool) {
    let Some(line) = finding.line else { return };
    let general = resolve_hint(&finding.file, line, &ConflictState::Unknown);
    let Some(start) = finding.message.strip_suffix(general.as_str()).map(str::len) else { return };
    let state = match operation_in_progress(root) {
        None => ConflictState::Committed,
        Some((_, finish)) => {
            let finish = finish.split(" or ").next().unwrap_or(finish).to_owned();
            match line_by_line {
                true => ConflictState::LineByLine { finish },
                false => ConflictState::InProgress { finish },
            }
        }
    };
    finding.message.truncate(start);
    finding.message.push_str(&resolve_hint(&finding.file, line, &state));
}

/// What `rule` finds and rests on, in the register's framework.
pub fn explain(ctx: &Ctx, rule: Rule) -> Result<String> {
    let opened = open(ctx, None)?;
    let framework = &opened.config.framework;
    let severity = framework.severity(rule).map_or("off", |s| s.as_str());
    let (basis, source) = framework.basis(rule);
    let text = format!(
        "{rule} ({severity} in this register, framework {})\n{}\nRests on {}: {source}\n",
        framework.id,
        framework.summary(rule),
        basis.in_words()
    );
    Ok(text)
}

/// What the report should say about the organisation check itself: that it did not
/// happen, which codes it could not check, and rows of ODS files it skipped.
fn org_notes(known: Option<&KnownOrgs>, unchecked: &[KindSet]) -> Vec<String> {
    let Some(known) = known.filter(|k| !k.index.is_empty()) else {
        let files: Vec<String> = OdsKind::ALL.iter().map(|k| format!("{k}.csv")).collect();
        return vec![format!(
            "organisation codes were not checked against NHS Digital's ODS files: none are imported; import them with crs orgs import {}, from {}",
            files.join(" "),
            downloads_page()
        )];
    };
    let mut notes: Vec<String> = known.skipped.iter().take(SKIPPED_NOTES).cloned().collect();
    if known.skipped.len() > SKIPPED_NOTES {
        notes.push(format!("… and {} more rows of ODS files skipped", known.skipped.len() - SKIPPED_NOTES));
    }
    let missing = unchecked.iter().fold(KindSet::default(), |all, set| all.union(*set));
    if !missing.is_empty() {
        let records = unchecked.iter().filter(|set| !set.is_empty()).count();
        let files: Vec<String> = missing.to_vec().iter().map(|k| format!("{k}.csv")).collect();
        notes.push(format!(
            "codes in {records} record{} were not checked: they belong in {} files, which are not imported (imported: {}); import them with crs orgs import {}; the files are on {}",
            if records == 1 { "" } else { "s" },
            kind_list(&missing.to_vec()),
            kind_list(&known.index.kinds().to_vec()),
            files.join(" "),
            downloads_page()
        ));
    }
    notes
}
