//! `crs completions`: the script a shell sources so that it asks crs for completions
//! as the line is typed (see `cli::complete`): the same as `COMPLETE=SHELL crs`.

use clap::ValueEnum;

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};

/// Print the shell completion script: record ids, statuses, stages and more
///
/// The script asks crs itself as you type, so record ids and provider codes come
/// from the register you are in (or --register, or CRS_REGISTER).
///
/// Examples:
///   crs completions bash > ~/.local/share/bash-completion/completions/crs
///   crs completions zsh >> ~/.zshrc
///   crs completions fish > ~/.config/fish/completions/crs.fish
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

pub fn run_completions(_ctx: &Ctx, args: &CompletionsArgs, io: &mut Io<'_>) -> Result<u8> {
    let shell = args.shell.to_possible_value().map(|v| v.get_name().to_owned()).unwrap_or_default();
    crate::cli::complete::registration(&shell, &mut io.out).map_err(Error::Output)?;
    Ok(0)
}
