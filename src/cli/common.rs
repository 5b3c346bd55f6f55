//! What several commands share: the flags of the commands that write and of those
//! that record a decision, saying what a write did (and what an interrupted earlier write was finished or undone first),
//! and the record filter of `list` and `export`.

use clap_complete::engine::ArgValueCandidates;

use crate::cli::Io;
use crate::cli::complete;
use crate::error::Result;
use crate::model::filter::{Filter, Sort};
use crate::model::{Date, Status};
use crate::ops::change::Changed;
use crate::ops::decide::Deciding;
use crate::ops::transaction::WriteOptions;
use crate::ops::{Committed, Recovered};

// The flags every command that writes takes, added by `Writing`. (Plain comments
// here and on `Writing`: a doc comment on either would stand in every such command's
// --help, over its own.)
#[derive(Debug, Clone, clap::Args)]
pub struct WriteArgs {
    /// Record the change as this author, "Name <email>" (default: your git
    /// identity, as git var GIT_AUTHOR_IDENT gives it). The committer stays your git
    /// identity; without one, the author is recorded as committer too.
    #[arg(long, value_name = "NAME <EMAIL>")]
    pub author: Option<String>,
    /// Commit even when HEAD is detached (the commit then belongs to no branch).
    #[arg(long)]
    pub allow_detached: bool,
    /// Skip the repository's pre-commit and commit-msg hooks, as git commit
    /// --no-verify does.
    #[arg(long, short = 'n')]
    pub no_verify: bool,
}

// A command that writes: its own flags, then the flags every write takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Writing<T: clap::Args> {
    #[command(flatten)]
    pub args: T,
    #[command(flatten)]
    pub write: WriteArgs,
}

impl WriteArgs {
    /// The flags as the operations take them.
    pub fn options(&self) -> WriteOptions {
        WriteOptions {
            author: self.author.clone(),
            allow_detached: self.allow_detached,
            no_verify: self.no_verify,
        }
    }
}

/// When a decision was made, by whom, on what authority: the flags of every command
/// that records a decision (crs designate, decline and remove; crs review complete
/// and decline).
#[derive(Debug, Clone, clap::Args)]
pub struct DecidedArgs {
    /// The day of the decision (default: today).
    #[arg(long, visible_alias = "decided-on", value_name = "DATE")]
    pub on: Option<Date>,
    /// Who decided, e.g. "ICB Board".
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub by: Option<String>,
    /// Board minute or other reference for the decision.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub reference: Option<String>,
}

impl DecidedArgs {
    /// The decision as the operations take it, with the next review's day and the
    /// commissioner that made it (its code, and its name if given) where the command
    /// takes them.
    pub fn deciding(&self, review_due: Option<Date>, made_by: Option<(String, Option<String>)>) -> Deciding {
        Deciding { on: self.on, by: self.by.clone(), reference: self.reference.clone(), review_due, made_by }
    }
}

/// The commissioner that made a decision, when it is not the one responsible now:
/// for crs designate, decline and remove, and crs review complete.
#[derive(Debug, Clone, clap::Args)]
pub struct MadeByArgs {
    /// The ODS code of the commissioner that made the decision, when it is not the
    /// one responsible now: a decision made before a merger (crs succeed), recorded
    /// after it.
    #[arg(long, value_name = "CODE")]
    pub made_by: Option<String>,
    /// That commissioner's name (default: the one an earlier decision keeps).
    #[arg(long, value_name = "NAME", requires = "made_by", allow_hyphen_values = true)]
    pub made_by_name: Option<String>,
}

impl MadeByArgs {
    /// The code and the name given, as the operations take them.
    pub fn given(&self) -> Option<(String, Option<String>)> {
        self.made_by.clone().map(|code| (code, self.made_by_name.clone()))
    }
}

/// Says what a change of one record did.
pub fn render_changed(io: &mut Io<'_>, changed: &Changed) -> Result<()> {
    if let Some(recovered) = &changed.recovered {
        render_recovered(io, recovered)?;
    }
    let Changed { id, action, detail, status, committed, warnings, .. } = changed;
    let Some(committed) = committed else {
        return io.status(&format!("{id}: nothing changed"));
    };
    io.status(&format!("{action} {id}: {detail}"))?;
    io.status(&format!("  status {status}; commit {}", committed_on(committed)))?;
    render_index_warning(io, committed)?;
    for f in warnings {
        io.labelled(&format!("  {}", io.style.warning("warning")), &format!("[{}]: {}", f.rule, f.message))?;
    }
    if let Some(next) = &changed.next {
        io.status(&format!("  next: {next}"))?;
    }
    Ok(())
}

/// "abc1234567 on main".
pub fn committed_on(committed: &Committed) -> String {
    let branch = committed.branch.as_ref().map(|b| format!(" on {b}")).unwrap_or_default();
    format!("{}{branch}", committed.short())
}

/// Shows what the repository's hooks printed, then warns when a commit was made but
/// git's index is not yet in line with it.
pub fn render_index_warning(io: &mut Io<'_>, committed: &Committed) -> Result<()> {
    // Hooks speak even with --quiet, as they do under git commit --quiet.
    io.err.write_all(committed.hook_output.as_bytes()).map_err(crate::error::Error::Output)?;
    match &committed.index_warning {
        Some(warning) => io.labelled(&format!("  {}", io.style.warning("warning")), &format!(": {warning}")),
        None => Ok(()),
    }
}

/// Says which interrupted write was finished or undone, and what was left alone.
pub fn render_recovered(io: &mut Io<'_>, recovered: &Recovered) -> Result<()> {
    let Recovered { subject, finished, commit, tag, left_alone, committed_since, removed_locks } = recovered;
    let note = format!("{} ", io.style.warning("note:"));
    let what = if *finished {
        let tag = tag.as_ref().map(|t| format!(" and tagged it {t}")).unwrap_or_default();
        format!(
            "an earlier crs command was interrupted after committing \"{subject}\" ({commit}); crs finished it{tag}"
        )
    } else {
        format!(
            "an earlier crs command was interrupted before committing \"{subject}\"; crs undid it, so nothing of it was recorded: run it again if it is still wanted"
        )
    };
    io.labelled(&note, &what)?;
    for lock in removed_locks {
        io.labelled(
            &note,
            &format!("deleted {lock}, which git had left locked when that command was interrupted"),
        )?;
    }
    if !committed_since.is_empty() {
        io.labelled(
            &note,
            &format!(
                "{} {} committed as {} now (HEAD holds {}), so crs left {} as {}",
                committed_since.join(", "),
                if committed_since.len() == 1 { "is" } else { "are" },
                if committed_since.len() == 1 { "it is" } else { "they are" },
                if committed_since.len() == 1 { "it" } else { "them" },
                if committed_since.len() == 1 { "it" } else { "them" },
                if committed_since.len() == 1 { "it is" } else { "they are" }
            ),
        )?;
    }
    if !left_alone.is_empty() {
        io.labelled(
            &note,
            &format!(
                "{} changed since, so crs left {} as {} (git status shows them)",
                left_alone.join(", "),
                if left_alone.len() == 1 { "it" } else { "them" },
                if left_alone.len() == 1 { "it is" } else { "they are" }
            ),
        )?;
    }
    Ok(())
}

/// The flags that choose records, shared by `crs list` and `crs export`.
#[derive(Debug, Clone, clap::Args)]
pub struct FilterArgs {
    /// Only records with these statuses (comma-separated or repeated), e.g.
    /// designated,under-review; crs export otherwise takes its default scope.
    #[arg(long, value_delimiter = ',', value_parser = parse_status, value_name = "STATUS",
          add = ArgValueCandidates::new(complete::statuses))]
    pub status: Vec<Status>,
    /// Only records of this provider (ODS code).
    #[arg(long, value_name = "ODS", add = ArgValueCandidates::new(complete::providers))]
    pub provider: Option<String>,
    /// Only services whose name contains TEXT, in any case.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub service: Option<String>,
    /// Only services with this NHS treatment function code, e.g. 501.
    #[arg(long, value_name = "CODE")]
    pub treatment_function: Option<String>,
    /// Only services this commissioner co-commissions (ODS code).
    #[arg(long, value_name = "ODS")]
    pub co_commissioner: Option<String>,
    /// Only records whose review is due before DATE.
    #[arg(long, value_name = "DATE")]
    pub review_due_before: Option<Date>,
    /// Only records decided on or after DATE.
    #[arg(long, value_name = "DATE")]
    pub decided_since: Option<Date>,
    /// Only designations in force at the end of DATE, by the dates of their
    /// decisions and events (what the register says now, or --as-of then), each as
    /// it stood that day.
    #[arg(long, value_name = "DATE")]
    pub in_force_on: Option<Date>,
}

impl FilterArgs {
    /// The filter the flags ask for.
    pub fn filter(&self) -> Filter {
        Filter {
            statuses: self.status.clone(),
            provider: self.provider.clone(),
            service: self.service.clone(),
            treatment_function: self.treatment_function.clone(),
            co_commissioner: self.co_commissioner.clone(),
            review_due_before: self.review_due_before,
            decided_since: self.decided_since,
            in_force_on: self.in_force_on,
        }
    }
}

/// Parses a status name for clap.
pub fn parse_status(text: &str) -> std::result::Result<Status, String> {
    text.parse()
}

/// The order `--sort` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SortArg {
    /// By record id.
    Id,
    /// Soonest review first.
    ReviewDue,
    /// Most recent decision first.
    Decided,
    /// By provider name, then service.
    Provider,
}

impl From<SortArg> for Sort {
    fn from(arg: SortArg) -> Sort {
        match arg {
            SortArg::Id => Sort::Id,
            SortArg::ReviewDue => Sort::ReviewDue,
            SortArg::Decided => Sort::Decided,
            SortArg::Provider => Sort::Provider,
        }
    }
}

/// Says what setting the clone up did (crs init says it too, `in_new_register`: the
/// register it just made carries the attributes, so there is nothing "already").
pub fn render_setup(io: &mut Io<'_>, done: &crate::ops::setup::SetUp, in_new_register: bool) -> Result<()> {
    if done.driver.is_some() {
        io.status("git merges records field by field in this clone: merge.crs.driver runs this crs program")?;
    }
    if let Some(committed) = &done.attributes {
        io.status(&format!(
            "added */*.toml merge=crs to .gitattributes, so that every clone merges records so; commit {}",
            committed.short()
        ))?;
        render_index_warning(io, committed)?;
    }
    if done.driver.is_none() && done.attributes.is_none() {
        io.status(match in_new_register {
            true => "git merges records field by field in this clone",
            false => "this clone is set up already: git merges records field by field; nothing changed",
        })?;
    }
    Ok(())
}
