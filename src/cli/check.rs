//! `crs check`: validate the whole register and report every finding.

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};
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
use crate::report::{CheckFormat, CheckReport, render_check};

/// Skipped rows of ODS files named in crs.toml listed one by one; more are counted.
const SKIPPED_NOTES: usize = 10;

/// Check every record against the framework; exit 1 when any error is found
///
/// Organisation codes are checked too, against the ODS files imported with
/// crs orgs import (or named in crs.toml under [orgs] files).
///
/// Examples:
///   crs check
///   crs check --strict --format json
///   crs check --as-of 2025-03-31
///   crs check --changed-only origin/main --format github
///   crs check --rule review-overdue,request-unanswered
///   crs check --severity error --format json
///   crs check --explain request-unanswered
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct CheckArgs {
    /// How to write the report.
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
    /// Treat warnings as failures too (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Check the register as it stood at the end of DATE, or at a git revision.
    #[arg(long, value_name = "DATE|REV")]
    pub as_of: Option<String>,
    /// Report only records changed since REV (committed, staged, edited or new);
    /// rules that compare records still see the whole register.
    #[arg(long, value_name = "REV", conflicts_with = "as_of")]
    pub changed_only: Option<String>,
    /// Report only findings of RULE (repeat it, or separate rules with commas); the
    /// exit status follows the findings reported.
    #[arg(long, value_name = "RULE", value_delimiter = ',', value_parser = rule_parser())]
    pub rule: Vec<Rule>,
    /// Report only findings of this severity; the exit status follows the findings
    /// reported.
    #[arg(long, value_enum)]
    pub severity: Option<SeverityArg>,
    /// Show notes too: findings that need no action, such as a decision relying on
    /// fewer grounds than the stages met.
    #[arg(long, short)]
    pub verbose: bool,
    /// Say what RULE finds, its severity in this register, and what it rests on
    /// (statute, guidance, NHS Digital's data, the register's format, or a setting of
    /// this register); check nothing.
    #[arg(long, value_name = "RULE", value_parser = rule_parser())]
    pub explain: Option<Rule>,
}

/// A conflict's finding told what to do where the repository stands: the operation
/// in progress named, or markers that were committed, or a clone that merged the
/// record line by line sent to merge it again by meaning.
fn fit_conflict_hint(finding: &mut Finding, root: &std::path::Path, line_by_line: bool) {
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
fn explain(ctx: &Ctx, rule: Rule, io: &mut Io<'_>) -> Result<u8> {
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
    io.out.write_all(text.as_bytes()).map_err(Error::Output)?;
    Ok(0)
}

/// A severity as `--severity` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SeverityArg {
    Error,
    Warning,
    /// Notes, which are otherwise shown only with --verbose.
    Note,
}

impl From<SeverityArg> for Severity {
    fn from(arg: SeverityArg) -> Severity {
        match arg {
            SeverityArg::Error => Severity::Error,
            SeverityArg::Warning => Severity::Warning,
            SeverityArg::Note => Severity::Note,
        }
    }
}

/// Rule names, as `--rule` takes them: an unknown one is a usage error that lists them.
fn rule_parser() -> impl clap::builder::TypedValueParser<Value = Rule> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Rule::ALL.iter().map(|r| r.name()))
        .map(|name| Rule::from_name(&name).expect("a possible value is a rule name"))
}

pub fn run(ctx: &Ctx, args: &CheckArgs, io: &mut Io<'_>) -> Result<u8> {
    if let Some(rule) = args.explain {
        return explain(ctx, rule, io);
    }
    let opened = open(ctx, args.as_of.as_deref())?;
    let known = register_orgs(opened.source.as_ref(), &opened.root, &opened.config)?;
    let index = known.as_ref().map(|k| &k.index).filter(|index| !index.is_empty());
    let checker = Checker::new(&opened.config.framework, opened.today, known.as_ref());
    let loaded = load(opened.source.as_ref(), &opened.config.framework, &checker, |p| {
        let unchecked = index.map(|index| unchecked_kinds(&p.record, index)).unwrap_or_default();
        (RecordSummary::new(&p.id, p.file, &p.record, p.status), unchecked)
    })?;
    let (pairs, mut findings, mut files) = (loaded.items, loaded.findings, loaded.files);
    if !args.verbose && args.severity != Some(SeverityArg::Note) {
        findings.retain(|f| f.severity != Severity::Note);
    }
    let (mut records, unchecked): (Vec<RecordSummary>, Vec<KindSet>) = pairs.into_iter().unzip();
    let mut notes = org_notes(known.as_ref(), &unchecked);
    let line_by_line = clone_note(ctx, &opened.root);
    if args.as_of.is_none() {
        for finding in findings.iter_mut().filter(|f| f.rule == Rule::MergeConflict) {
            fit_conflict_hint(finding, &opened.root, line_by_line.is_some());
        }
    }
    notes.extend(line_by_line);
    if let Some(rev) = &args.changed_only {
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
    let filter = FindingFilter { rules: args.rule.clone(), severity: args.severity.map(Severity::from) };
    findings.retain(|f| filter.keeps(f));
    notes.extend(filter.describe());
    let summary = Summary::of(files, &findings);
    // CI names files from the repository's root; people read them from the register's.
    let repo_prefix = match args.format {
        CheckFormat::Human => String::new(),
        CheckFormat::Github | CheckFormat::Junit | CheckFormat::Json => {
            prefix_of(&opened.root).unwrap_or_default()
        }
    };
    let report = CheckReport { summary, findings, records, notes, repo_prefix };
    render_check(args.format, &report, io.style, io.out).map_err(Error::Output)?;
    let failed = summary.errors > 0 || (args.strict && summary.warnings > 0);
    Ok(u8::from(failed))
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
