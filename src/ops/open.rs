//! Opening a register for reading: from the working tree, or from git as it stood at
//! a date or revision (`--as-of`), with its settings and the day its rules take as
//! today.

use std::path::{Path, PathBuf};

use crate::context::Ctx;
use crate::error::Result;
use crate::history;
use crate::model::Date;
use crate::register::source::{Without, record_ids};
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

/// The ids of the records in the working tree of the register at `root`, for a
/// suggestion or a shell's completion.
pub(crate) fn working_record_ids(root: &Path) -> Result<Vec<String>> {
    record_ids(&DiskSource::new(root))
}

/// The settings of the register at `root`, from its working tree.
pub(crate) fn working_config(root: &Path) -> Result<Config> {
    read_config(&DiskSource::new(root), root)
}
