//! `crs move OLD NEW`: move a record to a new provider code or service name (a
//! merger, a renamed trust), in one commit that keeps its whole history.

use clap_complete::engine::ArgValueCandidates;

use crate::cli::Io;
use crate::cli::common::{committed_on, render_index_warning, render_recovered};
use crate::cli::complete;
use crate::context::Ctx;
use crate::error::Result;
use crate::model::record::Provider;
use crate::model::{Date, Licence, ProviderKind, RecordId};
use crate::ops::relocate::{Moved, ProviderGiven, ProviderSource, move_record};
use crate::ops::transaction::WriteOptions;
use crate::text::printable;

/// Move a record to a new provider code or service name, and commit it
///
/// A new service name within a provider, or a new provider code after a merger:
/// the record moves to NEW's file, its old id is kept in previous_ids, and crs log
/// NEW shows its whole history. Git sees one rename.
///
/// At a new code the provider's name and kind are those of the register's ODS files
/// (crs orgs import) when they list the code; --provider-name and --provider-kind
/// override them, and without ODS data they set them (else the record's stay). The
/// licence stays the record's unless --provider-licence is given; one the new kind
/// rules out (a foundation trust is never exempt) is refused, not guessed. When the
/// provider's code, name or kind changes, every decision made before keeps the
/// provider it was made with: the name at designation stays on record.
///
/// --on gives the day the service moved (a merger's legal date) when it is not the
/// day it is recorded; the board paper and crs log date the move by it.
///
/// Examples:
///   crs move RJ1/adult-critical-care RJ1/critical-care --reason "Service renamed"
///   crs move RQM/maternity R1K/maternity --on 2027-04-01 --reason "Merger"
///   crs move RQM/maternity RYJ/maternity --provider-name "Imperial College \
///       Healthcare NHS Trust" --provider-kind nhs-trust --reason "Merger"
///   crs move NVC/orthopaedics RAL/orthopaedics --provider-licence licensed
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct MoveArgs {
    /// The record's id now, e.g. RQM/maternity.
    #[arg(add = ArgValueCandidates::new(complete::record_ids))]
    pub from: RecordId,
    /// Its new id, e.g. RYJ/maternity.
    pub to: RecordId,
    /// The day it moved, e.g. a merger's legal date (default: today; not after today).
    #[arg(long, value_name = "DATE")]
    pub on: Option<Date>,
    /// The provider's name under its new code (default: ODS's name, else the record's).
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub provider_name: Option<String>,
    /// foundation-trust, nhs-trust, independent or other (default: as ODS lists the
    /// new code, else the record's).
    #[arg(long, value_name = "KIND", value_parser = str::parse::<ProviderKind>,
          add = ArgValueCandidates::new(complete::provider_kinds))]
    pub provider_kind: Option<ProviderKind>,
    /// licensed, unlicensed, applied or exempt (default: the record's).
    #[arg(long, value_name = "STATE", value_parser = str::parse::<Licence>)]
    pub provider_licence: Option<Licence>,
    /// Why it moved, for the commit message and the log.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub reason: Option<String>,
}

pub fn run(ctx: &Ctx, args: &MoveArgs, write: &WriteOptions, io: &mut Io<'_>) -> Result<u8> {
    let given = ProviderGiven {
        name: args.provider_name.as_deref(),
        kind: args.provider_kind,
        licence: args.provider_licence,
    };
    let moved = move_record(ctx, write, &args.from, &args.to, &given, args.reason.as_deref(), args.on)?;
    if let Some(recovered) = &moved.recovered {
        render_recovered(io, recovered)?;
    }
    let on = moved.on.map(|d| format!(" on {}", d.in_words())).unwrap_or_default();
    io.status(&format!("moved {} to {}{on}", moved.from, moved.to))?;
    render_provider(io, &moved, args)?;
    io.status(&format!("  status {}; commit {}", moved.status, committed_on(&moved.committed)))?;
    render_index_warning(io, &moved.committed)?;
    io.status(&format!("  crs log {} shows its whole history, from before the move", moved.to))?;
    Ok(0)
}

/// The provider after the move, where its name and kind came from, and the provider
/// before it, kept on the decisions made with it. Nothing when it did not change.
fn render_provider(io: &mut Io<'_>, moved: &Moved, args: &MoveArgs) -> Result<()> {
    if moved.provider == moved.was {
        return Ok(());
    }
    let (name_given, kind_given) = (args.provider_name.is_some(), args.provider_kind.is_some());
    let from_ods = match (name_given, kind_given) {
        _ if moved.source != ProviderSource::Ods => "",
        (false, false) => " (name and kind from ODS)",
        (true, false) => " (kind from ODS)",
        (false, true) => " (name from ODS)",
        (true, true) => "",
    };
    io.status(&format!("  provider {}{from_ods}", described(&moved.provider)))?;
    let kept = match moved.decisions_kept {
        0 => String::new(),
        1 => "; the decision made with it keeps it".to_owned(),
        n => format!("; the {n} decisions made with it keep it"),
    };
    io.status(&format!("  was {}{kept}", described(&moved.was)))?;
    let (kept, flags) = match (name_given, kind_given) {
        (false, false) => ("name and kind", "--provider-name and --provider-kind"),
        (true, false) => ("kind", "--provider-kind"),
        (false, true) => ("name", "--provider-name"),
        (true, true) => return Ok(()),
    };
    let why = match moved.source {
        ProviderSource::NotInOds => {
            format!("the register's ODS files do not list {} as a provider", moved.provider.ods)
        }
        ProviderSource::NoOds => "the register has no ODS data (crs orgs import loads it)".to_owned(),
        ProviderSource::SameCode | ProviderSource::Ods => return Ok(()),
    };
    io.status(&format!(
        "  note: {why}, so the provider keeps its {kept} from before; give {flags} if that is wrong"
    ))?;
    Ok(())
}

/// `R1K London North West University Healthcare NHS Trust, an NHS trust, licensed`.
fn described(provider: &Provider) -> String {
    format!(
        "{} {}, {}, {}",
        provider.ods,
        printable(&provider.name),
        provider.kind.in_words(),
        provider.licence.as_str()
    )
}
