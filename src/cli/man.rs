//! `crs man`: the manual pages, from the same clap definition as the parser. Alone it
//! prints the page of `crs`; with `--dir DIR` it writes `crs.1` and one page a
//! subcommand (`crs-init.1`, `crs-orgs-import.1`, …), each with the sections a man
//! page reader looks for: EXAMPLES (taken from the help's examples), EXIT STATUS,
//! ENVIRONMENT, FILES and SEE ALSO. A page points only at pages that are written.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::PathBuf;

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};

/// Print the man page of crs (roff), or write every page to a folder
///
/// Examples:
///   crs man > /usr/local/share/man/man1/crs.1
///   crs man --dir /usr/local/share/man/man1
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ManArgs {
    /// Write crs.1 and one page per subcommand (crs-init.1, crs-orgs-import.1, …)
    /// into DIR, created if missing, instead of printing the page of crs.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: &ManArgs, io: &mut Io<'_>) -> Result<u8> {
    let mut root = crate::cli::command();
    disable_help_subcommands(&mut root);
    root.build();
    let Some(dir) = &args.dir else {
        let mut page = Vec::new();
        render(&root, &[], &mut page).map_err(Error::Output)?;
        io.out.write_all(&page).map_err(Error::Output)?;
        return Ok(0);
    };
    let dir = ctx.cwd.join(dir);
    fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut written = 0;
    let mut pages = Vec::new();
    collect(&root, &mut Vec::new(), &mut pages);
    for (cmd, parents) in &pages {
        let mut page = Vec::new();
        render(cmd, parents, &mut page).map_err(Error::Output)?;
        let path = dir.join(format!("{}.1", page_name(cmd)));
        fs::write(&path, page).map_err(|e| Error::io(&path, e))?;
        written += 1;
    }
    io.status(&format!("wrote {written} man pages to {}", dir.display()))?;
    Ok(0)
}

/// `crs help` and `crs orgs help` get no page: their help is the pages themselves.
fn disable_help_subcommands(cmd: &mut clap::Command) {
    *cmd = std::mem::take(cmd).disable_help_subcommand(true);
    for sub in cmd.get_subcommands_mut() {
        disable_help_subcommands(sub);
    }
}

/// Every command with the names of the pages above it, `crs` first.
fn collect(cmd: &clap::Command, parents: &mut Vec<String>, into: &mut Vec<(clap::Command, Vec<String>)>) {
    into.push((cmd.clone(), parents.clone()));
    parents.push(page_name(cmd));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, parents, into);
    }
    parents.pop();
}

/// `crs`, `crs-init`, `crs-orgs-import`: the name clap gives a built subcommand.
fn page_name(cmd: &clap::Command) -> String {
    cmd.get_display_name().unwrap_or_else(|| cmd.get_name()).to_owned()
}

/// Splits a help text at its `Example:` / `Examples:` line: the description before,
/// the example lines after.
fn split_examples(text: &str) -> (String, Vec<String>) {
    let lines: Vec<&str> = text.lines().collect();
    match lines.iter().position(|l| matches!(l.trim(), "Example:" | "Examples:")) {
        Some(at) => (
            lines[..at].join("\n").trim_end().to_owned(),
            lines[at + 1..].iter().map(|l| l.trim_end().to_owned()).take_while(|l| !l.is_empty()).collect(),
        ),
        None => (text.trim_end().to_owned(), Vec::new()),
    }
}

/// Writes the page of `cmd`, whose parent pages are `parents`.
fn render(cmd: &clap::Command, parents: &[String], out: &mut Vec<u8>) -> std::io::Result<()> {
    let long = cmd.get_long_about().or_else(|| cmd.get_about()).map(|s| s.to_string()).unwrap_or_default();
    let (description, mut examples) = split_examples(&long);
    let after = cmd.get_after_help().map(|s| s.to_string()).unwrap_or_default();
    let (_, more) = split_examples(&after);
    examples.extend(more);
    let page = cmd.clone().long_about(description).after_help(None::<&str>).after_long_help(None::<&str>);
    let man = clap_mangen::Man::new(page.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    if page.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(out)?;
    }
    if page.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(out)?;
    }
    if !examples.is_empty() {
        writeln!(out, ".SH EXAMPLES")?;
        writeln!(out, ".RS 4\n.nf")?;
        for line in &examples {
            writeln!(out, "{}", roff_text(line.strip_prefix("  ").unwrap_or(line)))?;
        }
        writeln!(out, ".fi\n.RE")?;
    }
    sections(out)?;
    let mut see_also: Vec<String> = parents.iter().map(|p| format!("\\fB{}\\fR(1)", roff_text(p))).collect();
    see_also.push("\\fBgit\\fR(1)".to_owned());
    writeln!(out, ".SH \"SEE ALSO\"\n{}", see_also.join(", "))?;
    man.render_version_section(out)?;
    // Each part clap_mangen renders opens with the same two-line preamble; once will do.
    let text = String::from_utf8_lossy(out).into_owned();
    let mut seen = BTreeSet::new();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with(".ie \\n(.g") && !l.starts_with(".el .ds Aq") || seen.insert(*l))
        .collect();
    *out = (kept.join("\n") + "\n").into_bytes();
    Ok(())
}

/// What every page says: exit status, environment and files.
fn sections(out: &mut Vec<u8>) -> std::io::Result<()> {
    let item = |out: &mut Vec<u8>, term: &str, text: &str| -> std::io::Result<()> {
        writeln!(out, ".TP\n\\fB{}\\fR\n{}", roff_text(term), roff_text(text))
    };
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    item(out, "0", "Nothing wrong: warnings are allowed, unless --strict.")?;
    item(
        out,
        "1",
        "Findings at error level (or warnings with --strict); a change refused by the rules, or by a pre-commit or commit-msg hook. Nothing was written.",
    )?;
    item(out, "2", "crs could not run: a usage, I/O, git, signing or configuration error.")?;
    writeln!(out, ".SH ENVIRONMENT")?;
    for (name, text) in [
        ("CRS_REGISTER", "The register's folder, as --register gives it."),
        ("NO_COLOR", "When set and not empty, output is never coloured (as --no-color)."),
        ("SOURCE_DATE_EPOCH", "Fixes crs's clock (seconds since 1970) for reproducible output."),
        ("VISUAL, EDITOR", "The editor crs edit opens, VISUAL first."),
        (
            "GIT_AUTHOR_NAME, GIT_AUTHOR_EMAIL, GIT_AUTHOR_DATE",
            "The author of crs's commits, as for git; then author.name, user.name and so on.",
        ),
        (
            "GIT_COMMITTER_NAME, GIT_COMMITTER_EMAIL, GIT_COMMITTER_DATE",
            "The committer of crs's commits, as for git.",
        ),
        ("EMAIL", "The e-mail address when git's configuration gives none."),
        (
            "GIT_CONFIG_GLOBAL, GIT_CONFIG_SYSTEM, GIT_CONFIG_NOSYSTEM",
            "Which configuration files crs reads, exactly as git reads them (also XDG_CONFIG_HOME and HOME).",
        ),
    ] {
        item(out, name, text)?;
    }
    writeln!(out, ".SH FILES")?;
    for (name, text) in [
        ("crs.toml", "The register's settings: its commissioner, framework and submission address."),
        (
            "PROVIDER/service.toml",
            "One record a service, e.g. RJ1/maternity.toml for the record RJ1/maternity.",
        ),
        (".crs/orgs.csv", "The organisations imported from NHS Digital's ODS files by crs orgs import."),
        (
            ".git/crs/",
            "crs's lock, the journal of a write in progress and its temporary files; a write interrupted by a crash is finished or undone from it by the next crs command that writes.",
        ),
        (".git/hooks/", "The hooks crs runs around its commits, as git commit does (or core.hooksPath)."),
    ] {
        item(out, name, text)?;
    }
    Ok(())
}

/// Text as roff shows it literally: backslashes and hyphens escaped, and a line
/// that would start with a control character protected.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) { format!("\\&{escaped}") } else { escaped }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_split_from_the_description() {
        let (description, examples) =
            split_examples("Do it\n\nMore.\n\nExample:\n  crs x \\\n      --y\n\nAfter");
        assert_eq!(description, "Do it\n\nMore.");
        assert_eq!(examples, ["  crs x \\", "      --y"]);
    }

    #[test]
    fn roff_text_is_literal() {
        assert_eq!(roff_text(".x --a \\"), "\\&.x \\-\\-a \\e");
    }
}
