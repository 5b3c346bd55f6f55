//! What several commands share: opening the register (now or as of a revision) and
//! the flags they have in common, such as the record filter of `list` and `export`.

use std::path::PathBuf;

use crate::context::Ctx;
use crate::error::Result;
use crate::history;
use crate::model::filter::{Filter, Sort};
use crate::model::{Date, Status};
use crate::register::source::Without;
use crate::register::{Config, DiskSource, Source, read_config};

/// A register opened for reading.
pub struct Opened {
    pub root: PathBuf,
    pub source: Box<dyn Source>,
    pub config: Config,
    /// The day the rules take as today: the `--as-of` date, or today.
    pub today: Date,
}

/// Opens the register of `ctx`, from the working tree or, with `as_of`, from git
/// as it stood at the end of that day or at that revision.
pub fn open(ctx: &Ctx, as_of: Option<&str>) -> Result<Opened> {
    let root = ctx.register_root()?;
    let (source, today): (Box<dyn Source>, Date) = match as_of {
        None => (Box::new(DiskSource::new(&root)), ctx.today),
        Some(when) => {
            let snapshot = history::snapshot(&root, when)?;
            // A day in the future is read as it stands today.
            let today = snapshot.day.map_or(ctx.today, |day| day.min(ctx.today));
            (Box::new(snapshot), today)
        }
    };
    let config = read_config(source.as_ref(), &root)?;
    let source = Box::new(Without::new(source, config.own_files()));
    Ok(Opened { root, source, config, today })
}

/// The flags that choose records, shared by `crs list` and `crs export`.
#[derive(Debug, Clone, clap::Args)]
pub struct FilterArgs {
    /// Only records with these statuses (comma-separated or repeated), e.g.
    /// designated,under-review; crs export otherwise takes its default scope.
    #[arg(long, value_delimiter = ',', value_parser = parse_status, value_name = "STATUS")]
    pub status: Vec<Status>,
    /// Only records of this provider (ODS code).
    #[arg(long, value_name = "ODS")]
    pub provider: Option<String>,
    /// Only services whose name contains TEXT, in any case.
    #[arg(long, value_name = "TEXT")]
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
