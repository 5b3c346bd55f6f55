//! `crs init`: create a register — a git repository if there is none, `crs.toml`, a
//! README explaining the workflow, CI and editor files — and commit it.

use std::path::{Path, PathBuf};

use crate::cli::Io;
use crate::cli::common::{render_index_warning, render_recovered, render_setup};
use crate::cli::prompt::required;
use crate::context::Ctx;
use crate::error::Result;
use crate::model::settings::{DEFAULT_FRAMEWORK, DEFAULT_SUBMISSION_ADDRESS};
use crate::ops::init::{Initialised, NewRegister, WORKFLOW, adopt, init, refuse_early};
use crate::ops::transaction::WriteOptions;
use crate::ops::transaction::mend_interrupted_init;
use crate::text::shell_quoted;

/// Create a register (and a git repository if there is none), and commit it
///
/// Examples:
///   crs init my-register --commissioner-ods QKK \
///       --commissioner-name "NHS South East London ICB" \
///       --contact crs@selondon.icb.example
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct InitArgs {
    /// The register's folder (default: the working directory); created if missing.
    pub dir: Option<PathBuf>,
    /// The commissioner's ODS code, e.g. QKK.
    #[arg(long, value_name = "ODS")]
    pub commissioner_ods: Option<String>,
    /// The commissioner's name.
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub commissioner_name: Option<String>,
    /// The e-mail address questions and the submission come from.
    #[arg(long, value_name = "EMAIL")]
    pub contact: Option<String>,
    /// The designation framework in force.
    #[arg(long, value_name = "NAME", default_value_t = DEFAULT_FRAMEWORK.to_owned())]
    pub framework: String,
    /// Where the submission goes.
    #[arg(long, value_name = "EMAIL", default_value = DEFAULT_SUBMISSION_ADDRESS)]
    pub submission_to: String,
    /// Put an existing register that is not in git yet (a folder with crs.toml) into a
    /// new git repository: add the files crs init writes that it lacks, and commit the
    /// whole register in one first commit. Takes the commissioner from its crs.toml.
    #[arg(long, conflicts_with_all = ["commissioner_ods", "commissioner_name", "contact", "framework", "submission_to"])]
    pub adopt: bool,
}

pub fn run(ctx: &Ctx, args: &InitArgs, options: &WriteOptions, io: &mut Io<'_>) -> Result<u8> {
    let dir = args.dir.as_ref().map_or_else(|| ctx.cwd.clone(), |dir| ctx.cwd.join(dir));
    // A crs init killed here before is undone first, so that this one starts from
    // nothing; a register it completed stays as it is.
    if let Some(recovered) = mend_interrupted_init(ctx, &dir, options)? {
        render_recovered(io, &recovered)?;
    }
    if args.adopt {
        let adopted = adopt(ctx, &dir, options)?;
        return render_adopted(io, &dir, &adopted);
    }
    refuse_early(&dir, &args.framework)?;
    let ods = required(
        ctx,
        io,
        args.commissioner_ods.as_deref(),
        "--commissioner-ods ODS",
        "Commissioner ODS code (e.g. QKK)",
    )?;
    let name = required(
        ctx,
        io,
        args.commissioner_name.as_deref(),
        "--commissioner-name NAME",
        "Commissioner name",
    )?;
    let contact = required(ctx, io, args.contact.as_deref(), "--contact EMAIL", "Contact e-mail address")?;
    let new = NewRegister {
        ods: &ods,
        name: &name,
        contact: &contact,
        framework: &args.framework,
        submission_to: &args.submission_to,
    };
    let made = init(ctx, &dir, &new, options)?;
    if made.created_repo {
        io.status(&format!("created a git repository in {}", dir.display()))?;
    }
    io.status(&format!(
        "created the register of {name} in {}; commit {}",
        dir.display(),
        made.committed.short()
    ))?;
    render_index_warning(io, &made.committed)?;
    render_clone_setup(io, &made)?;
    workflow_note(io, &made.prefix)?;
    io.status("next: crs new PROVIDER/service --service NAME --provider-name NAME --provider-kind KIND")?;
    Ok(0)
}

/// What `crs init --adopt` did.
fn render_adopted(io: &mut Io<'_>, dir: &Path, adopted: &Initialised) -> Result<u8> {
    io.status(&format!("created a git repository in {}", dir.display()))?;
    if !adopted.added.is_empty() {
        io.status(&format!("added {}", adopted.added.join(", ")))?;
    }
    io.status(&format!(
        "committed the register of {} ({} files) in {}; commit {}",
        adopted.commissioner,
        adopted.files,
        dir.display(),
        adopted.committed.short()
    ))?;
    render_index_warning(io, &adopted.committed)?;
    render_clone_setup(io, adopted)?;
    io.status("next: crs check")?;
    Ok(0)
}

/// How setting the new register's clone up for merging records went: a failure
/// left the register as it is, and this says how to finish.
fn render_clone_setup(io: &mut Io<'_>, made: &Initialised) -> Result<()> {
    match &made.setup {
        Ok(done) => render_setup(io, done, true),
        Err(e) => io.status(&format!(
            "warning: git would merge records line by line in this clone ({e}); run crs setup there"
        )),
    }
}

/// Where GitHub needs the workflow, when the register is a folder of its repository.
fn workflow_note(io: &mut Io<'_>, prefix: &str) -> Result<()> {
    if !prefix.is_empty() {
        let moved = shell_quoted(&format!("{prefix}/{WORKFLOW}"));
        io.status(&format!(
            "note: the register is the folder {prefix} of its repository, and GitHub runs only the workflows in the repository's own .github/workflows; to check the register on every push, run this at the repository's root: mkdir -p .github/workflows && git mv {moved} {WORKFLOW}"
        ))?;
    }
    Ok(())
}
