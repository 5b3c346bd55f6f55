//! `crs completions` and `crs man`: shell completions and the man page, generated
//! from the same clap definition as the parser.

use clap::ValueEnum;

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};

/// Print shell completions
///
/// Examples:
///   crs completions bash > ~/.local/share/bash-completion/completions/crs
///   crs completions zsh > "${fpath[1]}/_crs"
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

/// Print the man page (roff)
///
/// Example:
///   crs man > /usr/local/share/man/man1/crs.1
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ManArgs {}

pub fn run_completions(_ctx: &Ctx, args: &CompletionsArgs, io: &mut Io<'_>) -> Result<u8> {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
        Shell::Elvish => clap_complete::Shell::Elvish,
    };
    clap_complete::generate(shell, &mut crate::cli::command(), "crs", &mut io.out);
    Ok(0)
}

pub fn run_man(_ctx: &Ctx, _args: &ManArgs, io: &mut Io<'_>) -> Result<u8> {
    clap_mangen::Man::new(crate::cli::command()).render(&mut io.out).map_err(Error::Output)?;
    Ok(0)
}
