//! `crs completions`: shell completions, generated from the same clap definition as
//! the parser.

use clap::ValueEnum;

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::Result;

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
