//! `crs orgs import` and `crs orgs show`: load NHS Digital ODS organisation files
//! into the register's organisation cache, and show what is known about a code.

use clap_complete::engine::ArgValueCandidates;

use crate::cli::complete;
use std::io::Write;
use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use serde::Serialize;

use crate::cli::Io;
use crate::cli::common::{Writing, render_index_warning, render_recovered};
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::model::ProviderKind;
use crate::ops::open::open;
use crate::ops::orgs::import_orgs;
use crate::ops::transaction::WriteOptions;
use crate::orgs::cache::CACHE_PATH;
use crate::orgs::kind::{ODS_DOWNLOADS, downloads_page, kind_list, where_to_get_ods_files};
use crate::orgs::succ_file::SUCC_PATH;
use crate::orgs::{OdsKind, Org, OrgIndex, known_orgs};
use crate::text::printable;

/// Import NHS Digital's ODS organisation files, and show what they say about a code.
///
/// The files go into the register's organisation cache (.crs/orgs.csv), committed
/// with the register so that crs check needs no network. Once a file is imported,
/// crs check reports codes that are unknown (ods-unknown), closed (ods-closed),
/// Welsh (out-of-scope) or of the wrong provider kind (provider-kind-mismatch), and
/// names that ODS now writes differently (ods-name-changed). NHS Digital's successor
/// file (succ.csv: predecessor, successor, reason, legal date) goes into
/// .crs/succ.csv: crs check then names the successor of a closed organisation, and
/// crs succeed OLD takes the successor and the date from it.
///
/// Examples:
///   crs orgs import etr.csv ets.csv eccg.csv eother.csv
///   crs orgs import succ.csv
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
    Import(Writing<ImportArgs>),
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
    #[arg(add = ArgValueCandidates::new(complete::providers))]
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
        OrgsCommand::Import(Writing { args, write }) => import(ctx, args, &write.options(), io),
        OrgsCommand::Show(args) => show(ctx, args, io),
    }
}

fn import(ctx: &Ctx, args: &ImportArgs, write: &WriteOptions, io: &mut Io<'_>) -> Result<u8> {
    let imported = import_orgs(ctx, write, &args.files, args.kind)?;
    if let Some(recovered) = &imported.recovered {
        render_recovered(io, recovered)?;
    }
    for file in &imported.files {
        for skipped in &file.skipped {
            let what = format!("{}:{}: skipped: {}", file.path.display(), skipped.line, skipped.message);
            writeln!(io.err, "{} {}", io.style.warning("warning:"), printable(&what))
                .map_err(Error::Output)?;
        }
    }
    for file in &imported.files {
        let c = &file.changes;
        let skipped = if file.skipped.is_empty() {
            String::new()
        } else {
            format!(", {} rows skipped", file.skipped.len())
        };
        io.status(&format!(
            "{}: {} {} organisations{skipped} ({} added, {} changed, {} removed)",
            file.path.display(),
            file.count,
            file.kind,
            c.added,
            c.changed,
            c.removed
        ))?;
    }
    if let Some((path, count, skipped)) = &imported.successions {
        for row in skipped {
            let what = format!("{}:{}: skipped: {}", path.display(), row.line, row.message);
            writeln!(io.err, "{} {}", io.style.warning("warning:"), printable(&what))
                .map_err(Error::Output)?;
        }
        io.status(&format!(
            "{}: {count} successor links (crs check names the successor of a closed organisation; crs succeed OLD takes it)",
            path.display()
        ))?;
    }
    match &imported.committed {
        Some(committed) if imported.files.is_empty() => {
            io.status(&format!("wrote {SUCC_PATH}; commit {}", committed.short()))?;
            render_index_warning(io, committed)?;
        }
        Some(committed) => {
            io.status(&format!(
                "wrote {CACHE_PATH} ({} organisations of {}); commit {}",
                imported.cache.len(),
                kinds_of(&imported.cache),
                committed.short()
            ))?;
            render_index_warning(io, committed)?;
        }
        None => io.status(&format!("{CACHE_PATH} is unchanged"))?,
    }
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
    // What an ODS file says is shown, never obeyed.
    let lines = [
        format!("{}  {}", org.code, org.display_name()),
        format!("  ODS name  {}", org.name),
        format!("  kind      {kind} ({})", org.kind),
        format!("  region    {region}"),
        format!("  parent    {parent}"),
        format!("  postcode  {}", or_dash(&org.postcode)),
        format!("  opened    {}", org.opened.map_or("-".to_owned(), |d| d.to_string())),
        format!("  closed    {}", org.closed.map_or("open".to_owned(), |d| d.to_string())),
    ];
    lines.iter().try_for_each(|line| writeln!(out, "{}", printable(line)))
}
