//! `crs init`: create a register — a git repository if there is none, `crs.toml`, a
//! README explaining the workflow, CI and editor files — and commit it.

use std::path::PathBuf;

use crate::cli::Io;
use crate::cli::change::WriteArgs;
use crate::cli::prompt::required;
use crate::cli::schema::record_schema;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::history::Writer;
use crate::history::identity;
use crate::history::repo::{init_if_needed, prefix_of};
use crate::model::id::is_ods_code;
use crate::model::settings::DEFAULT_SUBMISSION_ADDRESS;
use crate::model::settings::check_address;
use crate::register::config::SETTINGS_FILE;

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
    #[arg(long, value_name = "NAME")]
    pub commissioner_name: Option<String>,
    /// The e-mail address questions and the submission come from.
    #[arg(long, value_name = "EMAIL")]
    pub contact: Option<String>,
    /// The designation framework in force.
    #[arg(long, value_name = "NAME", default_value = "monitor-2013")]
    pub framework: String,
    /// Where the submission goes.
    #[arg(long, value_name = "EMAIL", default_value = DEFAULT_SUBMISSION_ADDRESS)]
    pub submission_to: String,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Where the generated GitHub workflow goes, in the register.
const WORKFLOW: &str = ".github/workflows/crs.yml";

/// The files of a new register, by path; `prefix` is where the register sits in its
/// repository (`registers/crs`; empty at the top).
pub fn register_files(
    ods: &str,
    name: &str,
    contact: &str,
    framework: &str,
    to: &str,
    prefix: &str,
) -> Vec<(String, Vec<u8>)> {
    let quote = |s: &str| toml_edit::Value::from(s).to_string();
    let settings = format!(
        "# Register settings for crs: whom this register speaks for and where submissions go.\n\
         schema_version = 1\n\
         framework = {}\n\n\
         [commissioner]\n\
         ods = {}\n\
         name = {}\n\
         contact = {}\n\n\
         [submission]\n\
         to = {}\n",
        quote(framework),
        quote(ods),
        quote(name),
        quote(contact),
        quote(to)
    );
    let readme = include_str!("../../templates/register/README.md")
        .replace("{commissioner}", name)
        .replace("{ods}", ods);
    vec![
        (SETTINGS_FILE.to_owned(), settings.into_bytes()),
        ("README.md".to_owned(), readme.into_bytes()),
        ("designation.schema.json".to_owned(), record_schema().into_bytes()),
        (".taplo.toml".to_owned(), include_str!("../../templates/register/taplo.toml").as_bytes().to_vec()),
        (
            WORKFLOW.to_owned(),
            include_str!("../../templates/register/crs.yml")
                .replace("{register}", &literal_for_actions(if prefix.is_empty() { "." } else { prefix }))
                .into_bytes(),
        ),
        (
            ".pre-commit-hooks.yaml".to_owned(),
            include_str!("../../templates/register/pre-commit-hooks.yaml").as_bytes().to_vec(),
        ),
        (
            // pre-commit runs hooks at the repository's root: the hook names the register.
            ".pre-commit-config.yaml".to_owned(),
            include_str!("../../templates/register/pre-commit-config.yaml")
                .replace("{register}", &yaml_single_quoted(if prefix.is_empty() { "." } else { prefix }))
                .into_bytes(),
        ),
        (GITIGNORE.to_owned(), include_str!("../../templates/register/gitignore").as_bytes().to_vec()),
    ]
}

/// The register's .gitignore; a folder that has one already keeps its own.
const GITIGNORE: &str = ".gitignore";

/// `text` as a YAML single-quoted scalar.
fn yaml_single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

pub fn run(ctx: &Ctx, args: &InitArgs, io: &mut Io<'_>) -> Result<u8> {
    let dir = ctx.cwd.join(args.dir.clone().unwrap_or_default());
    if dir.join(SETTINGS_FILE).exists() {
        return Err(Error::Invalid {
            message: format!(
                "{} is a register already (it has {SETTINGS_FILE}); nothing changed",
                dir.display()
            ),
        });
    }
    if Framework::built_in(&args.framework).is_none() {
        return Err(Error::Usage(format!(
            "--framework {} is not a built-in framework ({})",
            args.framework,
            Framework::built_in_names().collect::<Vec<_>>().join(", ")
        )));
    }
    let ods = required(
        ctx,
        io,
        args.commissioner_ods.as_deref(),
        "--commissioner-ods ODS",
        "Commissioner ODS code (e.g. QKK)",
    )?;
    if !is_ods_code(&ods) {
        return Err(Error::Usage(format!(
            "--commissioner-ods '{ods}' is not an ODS code: 3 or 5 capital letters or digits, e.g. QKK"
        )));
    }
    let name = required(
        ctx,
        io,
        args.commissioner_name.as_deref(),
        "--commissioner-name NAME",
        "Commissioner name",
    )?;
    let contact = required(ctx, io, args.contact.as_deref(), "--contact EMAIL", "Contact e-mail address")?;
    for (flag, value) in [("--contact", &contact), ("--submission-to", &args.submission_to)] {
        if let Err(message) = check_address(value) {
            return Err(Error::Usage(format!("{flag}: {message}")));
        }
    }

    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let created_repo = init_if_needed(&dir)?;
    let writer = Writer::open(&dir, args.write.allow_detached)?;
    let identity = identity::resolve(writer.repo(), &ctx.vars, args.write.author.as_deref(), ctx.now)?;
    let prefix = prefix_of(&dir).unwrap_or_default();
    let mut files = register_files(&ods, &name, &contact, &args.framework, &args.submission_to, &prefix);
    files.retain(|(path, _)| path != GITIGNORE || !dir.join(path).exists());
    for (path, _) in &files {
        if dir.join(path).exists() {
            return Err(Error::Invalid {
                message: format!(
                    "{} exists already; crs init writes it, so move it aside first",
                    dir.join(path).display()
                ),
            });
        }
    }
    let message = format!("init register for {name} ({ods})\n\nCrs-Action: init\n");
    let committed = writer.commit(&files, &message, &identity)?;
    if created_repo {
        io.status(&format!("created a git repository in {}", dir.display()))?;
    }
    io.status(&format!("created the register of {name} in {}; commit {}", dir.display(), committed.short()))?;
    if !prefix.is_empty() {
        let moved = shell_quoted(&format!("{prefix}/{WORKFLOW}"));
        io.status(&format!(
            "note: the register is the folder {prefix} of its repository, and GitHub runs only the workflows in the repository's own .github/workflows; to check the register on every push, run this at the repository's root: mkdir -p .github/workflows && git mv {moved} {WORKFLOW}"
        ))?;
    }
    io.status("next: crs new PROVIDER/service --service NAME --provider-name NAME --provider-kind KIND")?;
    Ok(0)
}

/// `text` as a YAML single-quoted scalar that GitHub Actions takes literally: no
/// `${{ }}` expression in it is evaluated.
fn literal_for_actions(text: &str) -> String {
    let literal = text.replace("${{", "${{ '${{' }}");
    format!("'{}'", literal.replace('\'', "''"))
}

/// `text` quoted for a POSIX shell.
fn shell_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_name_is_taken_literally_by_yaml_actions_and_the_shell() {
        let yaml = literal_for_actions("regs/it's ${{ github.token }} #b: c");
        assert_eq!(yaml, "'regs/it''s ${{ ''${{'' }} github.token }} #b: c'");
        let parsed: String = serde_yaml::from_str(&yaml).unwrap();
        assert_eq!(parsed, "regs/it's ${{ '${{' }} github.token }} #b: c");
        assert_eq!(shell_quoted("my crs/it's"), r"'my crs/it'\''s'");
    }
}
