//! `crs show`: one record, with its derived status.

use clap_complete::engine::ArgValueCandidates;

use crate::cli::complete;
use clap::ValueEnum;
use serde::Serialize;

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::export::yaml;
use crate::model::{Record, RecordId, Status};
use crate::ops::show::{Shown, show};
use crate::text::printable_lines;

/// Show one record and its derived status
///
/// Examples:
///   crs show RJ1/maternity
///   crs show RJ1/maternity --format json
///   crs show RJ1/maternity --as-of 2025-03-31
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ShowArgs {
    /// The record id, e.g. RJ1/maternity.
    #[arg(add = ArgValueCandidates::new(complete::record_ids))]
    pub id: RecordId,
    /// Show the record as it stood at the end of DATE, or at a git revision.
    #[arg(long, value_name = "DATE|REV")]
    pub as_of: Option<String>,
    #[arg(long, value_enum, default_value = "toml")]
    pub format: ShowFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// The record file as written, under a comment with its status.
    Toml,
    Json,
    Yaml,
}

/// A record with its id and derived status, for JSON and YAML; the id under the key
/// the one table of keys gives it ([`crate::model::keys::RECORD_ID`]).
#[derive(Serialize)]
pub struct ShownRecord<'a> {
    #[serde(rename = "record_id")]
    pub id: String,
    pub status: Status,
    #[serde(flatten)]
    pub record: &'a Record,
}

pub fn run(ctx: &Ctx, args: &ShowArgs, io: &mut Io<'_>) -> Result<u8> {
    let Shown { text, record, status } = show(ctx, &args.id, args.as_of.as_deref())?;
    let shown = ShownRecord { id: args.id.to_string(), status, record: &record };
    let out = &mut *io.out;
    match args.format {
        // The file as written, its control characters shown, not obeyed.
        ShowFormat::Toml => {
            // A decision made by a commissioner succeeded since names both.
            let mut makers = String::new();
            for decision in record.decisions() {
                if let Some(then) = record.made_by_then(decision) {
                    makers.push_str(&format!(
                        "# the {} of {} was made by {then}\n",
                        decision.outcome.in_words(),
                        decision.decided_on
                    ));
                }
            }
            // A step whose day no one recorded: its `on` below is only the latest
            // day it can have been.
            for event in record.events.iter().filter(|e| !e.date_known) {
                makers.push_str(&format!(
                    "# {} {}; the step's on below is the latest day it can have been\n",
                    event.kind.sentence(),
                    event.when_in_words()
                ));
            }
            write!(
                out,
                "# {} — status: {status}\n{}{}",
                args.id,
                printable_lines(&makers),
                printable_lines(&text)
            )
        }
        ShowFormat::Json => serde_json::to_writer_pretty(&mut *out, &shown)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        ShowFormat::Yaml => yaml::write(out, &shown),
    }
    .map_err(Error::Output)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::ShownRecord;
    use crate::model::{Record, Status, keys};

    #[test]
    fn the_id_and_status_have_the_keys_of_the_one_table() {
        let record =
            Record::from_toml(include_str!("../../examples/records/valid/RJ1/proposed.toml")).unwrap();
        let shown =
            ShownRecord { id: "RJ1/maternity".to_owned(), status: Status::Designated, record: &record };
        let value = serde_json::to_value(&shown).unwrap();
        assert_eq!(value[keys::RECORD_ID], "RJ1/maternity");
        assert_eq!(value[keys::STATUS], "designated");
    }
}
