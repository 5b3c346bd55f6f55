//! `crs orgs import` and `crs orgs show`: load NHS Digital ODS organisation files
//! into the register's organisation cache, and show what is known about a code.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use serde::Serialize;

use crate::cli::Io;
use crate::cli::change::WriteArgs;
use crate::cli::common::open;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::history::{Writer, identity};
use crate::model::ProviderKind;
use crate::orgs::cache::{self, CACHE_PATH, from_csv};
use crate::orgs::kind::{ODS_DOWNLOADS, downloads_page, kind_list, where_to_get_ods_files};
use crate::orgs::known::loaded;
use crate::orgs::ods_file::{OdsFile, read_ods};
use crate::orgs::{OdsKind, Org, OrgIndex, known_orgs};

/// Import NHS Digital's ODS organisation files, and show what they say about a code.
///
/// The files go into the register's organisation cache (.crs/orgs.csv), committed
/// with the register so that crs check needs no network. Once a file is imported,
/// crs check reports codes that are unknown (ods-unknown), closed (ods-closed),
/// Welsh (out-of-scope) or of the wrong provider kind (provider-kind-mismatch), and
/// names that ODS now writes differently (ods-name-changed).
///
/// Examples:
///   crs orgs import etr.csv ets.csv eccg.csv eother.csv
///   crs orgs import --kind etr trusts-2015.csv
///   crs orgs show RJ1
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment, after_help = ods_files_help())]
pub struct OrgsArgs {
    #[command(subcommand)]
    pub command: OrgsCommand,
}

/// The help's paragraph on where the ODS files come from, with the page's address
/// on a line of its own so that it is never broken.
fn ods_files_help() -> String {
    let files: Vec<String> =
        OdsKind::ALL.iter().map(|k| format!("  {:<14}{}", format!("{k}.csv"), k.lists())).collect();
    format!(
        "Where to get the files: NHS Digital's ODS data downloads page,\n  {ODS_DOWNLOADS}\n{}",
        files.join("\n")
    )
}

#[derive(Debug, Subcommand)]
pub enum OrgsCommand {
    Import(ImportArgs),
    Show(ShowArgs),
}

/// Import ODS CSV files into the register's organisation cache, replacing the
/// organisations of each file's kind and keeping the others.
///
/// The files are NHS Digital's ODS downloads, with no header row: current ones (27
/// quoted columns) and older ones (24 columns) both load. The kind of each file comes
/// from its name (etr.csv, etr-2015.csv) or from --kind. Rows that cannot be read are
/// reported with their line and skipped. The cache is sorted, one line an
/// organisation, so that git diff shows what NHS Digital changed.
///
/// Examples:
///   crs orgs import etr.csv ets.csv
///   crs orgs import ~/Downloads/ephp.csv ~/Downloads/ephpsite.csv
///   crs orgs import --kind eccg sub-icb-locations.csv
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment, after_help = ods_files_help())]
pub struct ImportArgs {
    /// ODS CSV files: etr.csv (NHS trusts), ets.csv (their sites), ephp.csv and
    /// ephpsite.csv (independent sector providers and sites), eccg.csv (sub-ICB
    /// locations, formerly CCGs), eother.csv (other NHS organisations, ICBs among them).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The kind of every FILE, when their names do not say it.
    #[arg(long, value_enum)]
    pub kind: Option<OdsKind>,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Show what the imported ODS files say about an organisation code: name, kind,
/// region, parent, postcode, open and close dates.
///
/// Examples:
///   crs orgs show RJ1
///   crs orgs show RJ122 --format json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ShowArgs {
    /// An ODS code, e.g. RJ1 (a trust), RJ122 (a site) or QKK (an ICB).
    pub code: String,
    #[arg(long, value_enum, default_value = "text")]
    pub format: OrgFormat,
    /// Use the organisation cache as it stood at the end of DATE, or at a git revision.
    #[arg(long, value_name = "DATE|REV")]
    pub as_of: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OrgFormat {
    Text,
    Json,
}

pub fn run(ctx: &Ctx, args: &OrgsArgs, io: &mut Io<'_>) -> Result<u8> {
    match &args.command {
        OrgsCommand::Import(args) => import(ctx, args, io),
        OrgsCommand::Show(args) => show(ctx, args, io),
    }
}

fn import(ctx: &Ctx, args: &ImportArgs, io: &mut Io<'_>) -> Result<u8> {
    let root = ctx.register_root()?;
    // Refuse early (not in git, mid-merge, no identity) before reading large files.
    let writer = Writer::open(&root, args.write.allow_detached)?;
    let identity = identity::resolve(writer.repo(), &ctx.vars, args.write.author.as_deref(), ctx.now)?;
    writer.require_clean(CACHE_PATH)?;
    // Every file is read before anything is written: one bad file changes nothing.
    let mut files: Vec<(&PathBuf, OdsFile)> = Vec::new();
    for file in &args.files {
        let kind = args.kind.or_else(|| OdsKind::from_file_name(file)).ok_or_else(|| Error::Orgs {
            message: format!("cannot tell which ODS file {} is from its name", file.display()),
            hint: format!(
                "keep NHS Digital's file names, or say which it is with --kind; {}",
                where_to_get_ods_files()
            ),
        })?;
        if let Some((other, _)) = files.iter().find(|(_, f)| f.kind == kind) {
            return Err(Error::Orgs {
                message: format!("{} and {} are both {kind} files", other.display(), file.display()),
                hint: "import one file of each kind: a file replaces all the organisations of its kind"
                    .into(),
            });
        }
        let path = ctx.cwd.join(file);
        let bytes = fs::read(&path).map_err(|e| Error::io(file, e))?;
        let ods = loaded(read_ods(&bytes, kind), file)?;
        for skipped in &ods.skipped {
            writeln!(
                io.err,
                "{} {}:{}: skipped: {}",
                io.style.warning("warning:"),
                file.display(),
                skipped.line,
                skipped.message
            )
            .map_err(Error::Output)?;
        }
        files.push((file, ods));
    }

    let cache_path = root.join(CACHE_PATH);
    let before = match fs::read(&cache_path) {
        Ok(bytes) => from_csv(&bytes).map_err(|e| Error::OdsFile {
            path: cache_path.clone(),
            line: Some(e.line),
            message: e.message,
            hint: format!(
                "resolve any merge conflict in {CACHE_PATH}, or delete it and import every ODS file again; the files are on {}",
                downloads_page()
            ),
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => OrgIndex::default(),
        Err(e) => return Err(Error::io(cache_path, e)),
    };
    let mut after = before.clone();
    let mut lines = Vec::new();
    let mut kinds = Vec::new();
    for (file, ods) in files {
        let kind = ods.kind;
        let (count, skipped) = (ods.orgs.len(), ods.skipped.len());
        after = after.with_kind_replaced(kind, ods.orgs);
        let c = after.changes_since(&before, kind);
        kinds.push(format!("{kind} ({} added, {} changed, {} removed)", c.added, c.changed, c.removed));
        let skipped = if skipped == 0 { String::new() } else { format!(", {skipped} rows skipped") };
        lines.push(format!(
            "{}: {count} {kind} organisations{skipped} ({} added, {} changed, {} removed)",
            file.display(),
            c.added,
            c.changed,
            c.removed
        ));
    }
    let bytes = cache::to_csv(&after);
    let written = fs::read(&cache_path).map_or(true, |old| old != bytes);
    let committed = if written {
        let message = format!("orgs import: {}\n\nCrs-Action: orgs-import\n", kinds.join(", "));
        Some(writer.commit(&[(CACHE_PATH.to_owned(), bytes)], &message, &identity)?)
    } else {
        None
    };
    for line in lines {
        io.status(&line)?;
    }
    io.status(&if let Some(committed) = committed {
        format!(
            "wrote {CACHE_PATH} ({} organisations of {}); commit {}",
            after.len(),
            kinds_of(&after),
            committed.short()
        )
    } else {
        format!("{CACHE_PATH} is unchanged")
    })?;
    Ok(0)
}

fn kinds_of(index: &OrgIndex) -> String {
    kind_list(&index.kinds().to_vec())
}

/// An organisation as `crs orgs show --format json` writes it.
#[derive(Serialize)]
struct ShownOrg<'a> {
    #[serde(flatten)]
    org: &'a Org,
    /// The provider kind ODS implies, for trusts and independent providers.
    provider_kind: Option<ProviderKind>,
    welsh: bool,
}

fn show(ctx: &Ctx, args: &ShowArgs, io: &mut Io<'_>) -> Result<u8> {
    let opened = open(ctx, args.as_of.as_deref())?;
    let known = known_orgs(opened.source.as_ref(), &opened.root, &opened.config.settings.orgs.files)?
        .filter(|k| !k.index.is_empty())
        .ok_or_else(|| Error::Orgs {
            message: "no ODS organisation files are imported in this register".into(),
            hint: format!("import them with crs orgs import etr.csv ets.csv …; {}", where_to_get_ods_files()),
        })?;
    let index = &known.index;
    let code = args.code.trim().to_ascii_uppercase();
    let orgs = index.get(&code);
    if orgs.is_empty() {
        return Err(Error::Orgs {
            message: format!("{code} is in none of the imported ODS files ({})", kinds_of(index)),
            hint: format!(
                "check the code, or import the current ODS file that lists it with crs orgs import; the files are on {}",
                downloads_page()
            ),
        });
    }
    let out = &mut *io.out;
    match args.format {
        OrgFormat::Json => {
            let shown: Vec<ShownOrg<'_>> = orgs
                .iter()
                .map(|org| ShownOrg { org, provider_kind: org.provider_kind(), welsh: org.is_welsh() })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &shown)
                .map_err(std::io::Error::other)
                .and_then(|()| writeln!(out))
        }
        OrgFormat::Text => orgs.iter().enumerate().try_for_each(|(i, org)| {
            if i > 0 {
                writeln!(out)?;
            }
            write_org(out, org, index)
        }),
    }
    .map_err(Error::Output)?;
    Ok(0)
}

fn write_org(out: &mut dyn Write, org: &Org, index: &OrgIndex) -> std::io::Result<()> {
    let or_dash = |text: &str| if text.is_empty() { "-".to_owned() } else { text.to_owned() };
    let kind = match org.provider_kind() {
        Some(ProviderKind::FoundationTrust) => "NHS foundation trust".to_owned(),
        _ => org.kind.describe().to_owned(),
    };
    let mut region = or_dash(&org.region);
    if org.is_welsh() {
        region.push_str(" (Wales: out of scope for CRS designation)");
    }
    let mut parent = or_dash(&org.parent);
    if let Some(p) = index.get(&org.parent).first() {
        parent = format!("{parent}  {}", p.display_name());
    }
    writeln!(out, "{}  {}", org.code, org.display_name())?;
    writeln!(out, "  ODS name  {}", org.name)?;
    writeln!(out, "  kind      {kind} ({})", org.kind)?;
    writeln!(out, "  region    {region}")?;
    writeln!(out, "  parent    {parent}")?;
    writeln!(out, "  postcode  {}", or_dash(&org.postcode))?;
    writeln!(out, "  opened    {}", org.opened.map_or("-".to_owned(), |d| d.to_string()))?;
    writeln!(out, "  closed    {}", org.closed.map_or("open".to_owned(), |d| d.to_string()))
}
