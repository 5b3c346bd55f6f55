//! `crs new`: create a draft record for a provider's service, and commit it.

use clap_complete::engine::ArgValueCandidates;

use crate::cli::Io;
use crate::cli::common::render_changed;
use crate::cli::complete;
use crate::cli::prompt::required;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::model::RecordId;
use crate::model::record::{Licence, ProviderKind, Service};
use crate::ops::steps::{Draft, new_draft};
use crate::ops::transaction::WriteOptions;

/// Create a draft record and commit it
///
/// Examples:
///   crs new RJ1/maternity --service "Maternity: consultant-led unit" \
///       --provider-name "Guy's and St Thomas' NHS Foundation Trust" \
///       --provider-kind foundation-trust
///   crs new NVC/orthopaedics --service "Elective orthopaedics" \
///       --provider-name "Ramsay Health Care UK" --provider-kind independent \
///       --licence exempt --treatment-function 110
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct NewArgs {
    /// The record id: PROVIDER-ODS/service-slug, e.g. RJ1/maternity.
    pub id: RecordId,
    /// The service's name.
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub service: Option<String>,
    /// A longer description: site, scope.
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub description: Option<String>,
    /// The provider's name as at designation.
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub provider_name: Option<String>,
    /// foundation-trust, nhs-trust, independent or other.
    #[arg(long, value_name = "KIND", value_parser = str::parse::<ProviderKind>,
          add = ArgValueCandidates::new(complete::provider_kinds))]
    pub provider_kind: Option<ProviderKind>,
    /// licensed, unlicensed, applied or exempt (default for a foundation trust:
    /// licensed, never exempt; for an NHS trust: licensed since 1 April 2023).
    #[arg(long, value_name = "STATE", value_parser = str::parse::<Licence>)]
    pub licence: Option<Licence>,
    /// An NHS treatment function code (repeatable), e.g. 501.
    #[arg(long = "treatment-function", value_name = "CODE")]
    pub treatment_functions: Vec<String>,
    /// An ODS site code (repeatable), e.g. RJ122.
    #[arg(long = "site", value_name = "ODS")]
    pub sites: Vec<String>,
    /// A Location Specific Service: one a foundation trust in special administration
    /// must keep running (NHS Act 2006 s65DA); only for foundation trusts.
    #[arg(long)]
    pub location_specific: bool,
    /// Another commissioner buying the same service (repeatable), by ODS code.
    #[arg(long = "co-commissioner", value_name = "ODS")]
    pub co_commissioners: Vec<String>,
    /// The long-term outcome sought for the local population (step 1 of the process).
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub outcome: Option<String>,
}

pub fn run(ctx: &Ctx, args: &NewArgs, write: &WriteOptions, io: &mut Io<'_>) -> Result<u8> {
    let service_name = required(ctx, io, args.service.as_deref(), "--service NAME", "Service name")?;
    let provider_name =
        required(ctx, io, args.provider_name.as_deref(), "--provider-name NAME", "Provider name")?;
    let provider_kind = match args.provider_kind {
        Some(kind) => kind,
        None => required(
            ctx,
            io,
            None,
            "--provider-kind KIND",
            "Provider kind (foundation-trust, nhs-trust, independent, other)",
        )?
        .parse()
        .map_err(Error::Usage)?,
    };
    // An NHS provider's licence is settled by law and the date; another's is asked for.
    let licence = match (args.licence, provider_kind) {
        (Some(licence), _) => Some(licence),
        (None, ProviderKind::FoundationTrust | ProviderKind::NhsTrust) => None,
        (None, _) => Some(
            required(
                ctx,
                io,
                None,
                "--licence STATE",
                "Provider licence (licensed, unlicensed, applied, exempt)",
            )?
            .parse()
            .map_err(Error::Usage)?,
        ),
    };
    let service = Service {
        name: service_name,
        description: args.description.clone().unwrap_or_default(),
        treatment_functions: args.treatment_functions.clone(),
        sites: args.sites.clone(),
        site_names: Vec::new(),
        location_specific: args.location_specific,
    };
    let draft = Draft {
        service,
        provider_name,
        provider_kind,
        licence,
        co_commissioners: &args.co_commissioners,
        outcome: args.outcome.as_deref(),
    };
    let changed = new_draft(ctx, write, &args.id, draft)?;
    render_changed(io, &changed)?;
    Ok(0)
}
