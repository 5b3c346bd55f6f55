//! Gathering a register for an export or a submission: the records now (or as of a
//! date or revision) with their rows under the register's columns, checked by the one
//! checker; the baseline they are compared with (the last submission or a revision),
//! read only where git says files differ; and the workbook built from them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::export::changes::Succession;
use crate::export::columns::{Column, resolve};
use crate::export::scope::Scope;
use crate::export::spill::Spill;
use crate::export::state::{Item, Reading, RegisterState};
use crate::export::summary::NO_PREVIOUS_SUBMISSION;
use crate::export::workbook::{About, Baseline, Plan, Workbook, build};
use crate::framework::{Finding, Severity};
use crate::history::{self, Snapshot};
use crate::model::Date;
use crate::ops::checker::{Checker, register_orgs};
use crate::register::config::SETTINGS_FILE;
use crate::register::locate::locate;
use crate::register::source::{Listed, Without};
use crate::register::{Config, DiskSource, Source, load, read_config, read_records};

/// What changes are measured against.
#[derive(Clone, Copy)]
pub enum Since<'a> {
    LastSubmission,
    Revision(&'a str),
    /// The last submission was sent outside crs on this day: the changes are those
    /// the records date after it (`crs submit --last-sent`).
    LastSent(Date),
}

/// The register read for an export: now (or as of), its baseline, its columns.
pub struct Gathered {
    pub root: PathBuf,
    pub config: Config,
    /// Every record with its row under `columns`.
    pub current: RegisterState,
    /// How the current state is named: "working tree", "as of 2025-03-31", …
    pub source: String,
    pub baseline: Option<Baseline>,
    pub columns: Vec<Column>,
    /// Findings of the current state (as `crs check` would report them).
    pub findings: Vec<Finding>,
    /// Candidate files that could not be read as records.
    pub unreadable: usize,
    /// When the commit read (or the one the working tree is on) was made.
    pub committed_at: Option<DateTime<Utc>>,
    /// Where the current state's stage assessments wait.
    pub spill: Option<Arc<Spill>>,
}

impl Gathered {
    /// Error-level findings.
    pub fn errors(&self) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Error).collect()
    }

    /// Builds the export of what was gathered, taking its rows.
    pub fn workbook(self, ctx: &Ctx, scope: &Scope, only_changes: bool) -> Workbook {
        let Gathered { root, config, current, source, baseline, columns, committed_at, spill, .. } = self;
        let settings = &config.settings;
        let about = About {
            register: root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            commissioner_code: settings.commissioner.ods.clone(),
            commissioner_name: settings.commissioner.name.clone(),
            contact: settings.commissioner.contact.clone(),
            framework: config.framework.id.clone(),
            framework_title: config.framework.title.clone(),
            source,
            commit: current.commit.clone(),
            uncommitted_files: current.uncommitted.len(),
            committed_at: committed_at.map(|at| at.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            generated_by: format!("crs {}", env!("CARGO_PKG_VERSION")),
            stamp: committed_at.unwrap_or(ctx.now),
            // What the build counts (records, changes, scope, baseline).
            ..About::default()
        };
        build(Plan {
            current,
            baseline,
            scope,
            columns,
            only_changes,
            register_contact: &settings.commissioner.contact,
            about,
            framework: &config.framework,
            spill,
        })
    }
}

/// Reads the register (now, or as of `as_of`), its column list and its baseline,
/// for the default scope.
pub fn gather(ctx: &Ctx, as_of: Option<&str>, since: Since<'_>) -> Result<Gathered> {
    gather_in(ctx, as_of, since, &Scope::default())
}

/// Reads the register as [`gather`] does, noting which records `scope` selects.
pub fn gather_in(ctx: &Ctx, as_of: Option<&str>, since: Since<'_>, scope: &Scope) -> Result<Gathered> {
    let root = ctx.register_root()?;
    let (source, today, commit, uncommitted, label): (Box<dyn Source>, Date, _, _, String) = match as_of {
        None => {
            // git's status looks at every file: on a thread of its own while the
            // register's files are listed.
            let (tree, listed) = std::thread::scope(|threads| {
                let status = threads.spawn(|| history::work_tree(&root, &ctx.vars));
                let listed = Listed::new(Box::new(DiskSource::new(&root)));
                (status.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), listed)
            });
            let tree = tree?.unwrap_or_default();
            (Box::new(listed?), ctx.today, tree.head, tree.changed, "working tree".to_owned())
        }
        Some(when) => {
            let snapshot = history::snapshot(&root, when)?;
            let today = snapshot.day.map_or(ctx.today, |day| day.min(ctx.today));
            let commit = snapshot.commit.clone();
            let label = match snapshot.day {
                Some(day) => format!("as of {day} (commit {})", short(&commit)),
                None => format!("as of revision {when} (commit {})", short(&commit)),
            };
            (Box::new(snapshot), today, Some(commit), Default::default(), label)
        }
    };
    let config = read_config(source.as_ref(), &root)?;
    let source = Without::new(source, config.own_files());
    let columns = columns_of(&source, &root, &config)?;

    // The baseline, and which files git says differ from it: only those are read
    // from it, and only their records are kept whole now.
    let in_git = commit.is_some() || as_of.is_some();
    let baseline = match since {
        Since::Revision(rev) => Some((history::snapshot(&root, rev)?, format!("revision {rev}"))),
        Since::LastSubmission if in_git => {
            match history::last_submission(&root, as_of.and(commit.as_deref()))? {
                Some(tag) => Some((history::snapshot(&root, &tag.commit)?, tag.name)),
                None => None,
            }
        }
        Since::LastSubmission | Since::LastSent(_) => None,
    };
    let mut differing = BTreeSet::new();
    if let Some((snapshot, _)) = &baseline {
        differing = history::changed::changed_between(&root, &snapshot.commit, commit.as_deref())?;
        differing.extend(uncommitted.iter().cloned());
    }

    // The same checks as crs check, organisation codes included, so that submit
    // refuses exactly what check would fail.
    let known = register_orgs(&source, &root, &config)?;
    let checker = Checker::new(&config.framework, today, known.as_ref());
    let spill = Spill::new().map(Arc::new);
    let reading = Reading {
        columns: &columns,
        register_contact: &config.settings.commissioner.contact,
        commit: commit.as_deref(),
        uncommitted: &uncommitted,
        differing: &differing,
        keep_whole: matches!(since, Since::LastSent(_)),
        scope,
        spill: spill.as_deref(),
    };
    let loaded =
        load(&source, &config.framework, &checker, |p| reading.item(p.id, p.file, p.record, p.status))?;
    let unreadable = loaded.files - loaded.items.len();
    let committed_at = commit.as_deref().map(|c| history::commit_time(&root, c)).transpose()?;
    let current = RegisterState::new(loaded.items, commit, uncommitted);
    let mut baseline = baseline
        .map(|(snapshot, name)| baseline_state(snapshot, name, today, &config, &current, &differing, scope))
        .transpose()?;
    if let Since::LastSent(day) = since {
        baseline = Some(Baseline {
            state: current.as_sent_on(day),
            label: format!("{} ({LAST_SENT_NOTE})", last_sent_in_words(day)),
            in_words: format!("{} ({LAST_SENT_NOTE})", last_sent_in_words(day)),
            successions: Vec::new(),
        });
    }
    if let Some(baseline) = &mut baseline {
        baseline.successions = successions(&root, current.commit.as_deref())?;
    }
    Ok(Gathered {
        root,
        config,
        current,
        source: label,
        baseline,
        columns,
        findings: loaded.findings,
        unreadable,
        committed_at,
        spill,
    })
}

/// The state of `snapshot`, by fingerprint: read where its files differ from
/// `current`'s (and kept whole), taken from `current` elsewhere.
fn baseline_state(
    snapshot: Snapshot,
    name: String,
    today: Date,
    config: &Config,
    current: &RegisterState,
    differing: &BTreeSet<String>,
    scope: &Scope,
) -> Result<Baseline> {
    let commit = snapshot.commit.clone();
    let label = format!("{name} (commit {})", short(&commit));
    let in_words = submission_in_words(&name, today);
    let snapshot = Without::new(Box::new(snapshot), config.own_files());
    // Compared with, not checked: the rules are not run. The few records read are
    // kept whole, to name what changed; every file the baseline has is noted.
    let mut present = BTreeSet::new();
    let read = read_records(
        &snapshot,
        &config.framework,
        |path| {
            present.insert(path.to_owned());
            differing.contains(path)
        },
        |p| {
            let (record, status, in_force) = scope.on_day(p.record, p.status);
            let selected = in_force && scope.selects(&record);
            Item { selected, ..Item::whole(p.id, p.file, record, status) }
        },
    )?;
    let state = RegisterState::new(read.items, Some(commit), Default::default())
        .complete_from(current, differing, &present);
    Ok(Baseline { state, label, in_words, successions: Vec::new() })
}

/// The successions recorded (crs succeed) in the history of `commit`, the one the
/// export reads (HEAD for the working tree), oldest first: what tells a
/// co-commissioner succeeded since the baseline from one removed.
fn successions(root: &Path, commit: Option<&str>) -> Result<Vec<Succession>> {
    let found = history::moves::moves_and_successions_at(root, commit)?;
    Ok(found.successions.into_iter().map(|s| Succession { old: s.old, new: s.new }).collect())
}

/// What a baseline given by `--last-sent` is measured by, in words.
pub const LAST_SENT_NOTE: &str = "by the days the records give their decisions, events and stage assessments; a step whose day is not recorded counts on the latest day it can have happened";

/// "the last submission, sent outside crs on 1 May 2026".
pub fn last_sent_in_words(day: Date) -> String {
    format!("the last submission, sent outside crs on {}", day.in_words())
}

/// A baseline's name without its tag: "the last submission, of 1 May 2026" for the
/// tag `crs/submission/2026-05-01`; when that day had (or, being `today`, may now
/// have) more than one submission, which of them: "the last submission, the first
/// of 1 May 2026" (`….2` is the second). A revision keeps its name.
fn submission_in_words(name: &str, today: Date) -> String {
    let Some(part) = name.strip_prefix(history::tags::SUBMISSION_TAG_PREFIX) else { return name.to_owned() };
    let (day, number) = match part.split_once('.') {
        Some((day, n)) => (day, n.parse::<u32>().ok()),
        None => (part, Some(1)),
    };
    match (day.parse::<Date>(), number) {
        (Ok(day), Some(1)) if day != today => format!("the last submission, of {}", day.in_words()),
        (Ok(day), Some(n)) => format!("the last submission, the {} of {}", ordinal(n), day.in_words()),
        _ => name.to_owned(),
    }
}

/// "first", "second", … "tenth", then "11th", "21st", …
fn ordinal(n: u32) -> String {
    const WORDS: [&str; 10] =
        ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    match n {
        1..=10 => WORDS[n as usize - 1].to_owned(),
        _ => format!("{n}{suffix}"),
    }
}

fn short(commit: &str) -> &str {
    &commit[..12.min(commit.len())]
}

/// The columns named in crs.toml, or the built-in list; unknown names are an error
/// pointing at the line.
fn columns_of(source: &dyn Source, root: &Path, config: &Config) -> Result<Vec<Column>> {
    resolve(&config.settings.submission.columns, &config.framework).map_err(|e| {
        let text = source
            .read_file(SETTINGS_FILE)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let (line, column) = locate(&text, "submission.columns").unwrap_or((1, 1));
        Error::Config { file: root.join(SETTINGS_FILE), line, column, message: e.to_string() }
    })
}

/// One line on what changed since the baseline, for status messages.
pub fn changes_line(workbook: &Workbook) -> String {
    let about = &workbook.about;
    if about.changes_since_in_words == NO_PREVIOUS_SUBMISSION {
        format!(
            "no previous submission: {} record(s) in scope count as added, {} as removed",
            about.changes.added, about.changes.removed
        )
    } else {
        format!("changes since {}: {}", about.changes_since, about.changes)
    }
}
