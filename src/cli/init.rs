//! `crs init`: create a register — a git repository if there is none, `crs.toml`, a
//! README explaining the workflow, CI and editor files — and commit it.

use std::path::{Path, PathBuf};

use crate::cli::Io;
use crate::cli::common::{WriteArgs, render_index_warning, render_recovered, render_setup};
use crate::cli::prompt::required;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::framework::schema::record_schema;
use crate::history::repo::{init_if_needed, prefix_of};
use crate::model::Settings;
use crate::model::settings::DEFAULT_SUBMISSION_ADDRESS;
use crate::ops::Committed;
use crate::ops::setup::{ATTRIBUTES_FILE, attributes_text, driver_command, setup_in};
use crate::ops::transaction::{commit_new_register, mend_interrupted_init};
use crate::register::DiskSource;
use crate::register::config::{SETTINGS_FILE, read_config};
use crate::register::created::Created;
use crate::text::shell_quoted;

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
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
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
    /// Put an existing register that is not in git yet (a folder with crs.toml) into a
    /// new git repository: add the files crs init writes that it lacks, and commit the
    /// whole register in one first commit. Takes the commissioner from its crs.toml.
    #[arg(long, conflicts_with_all = ["commissioner_ods", "commissioner_name", "contact", "framework", "submission_to"])]
    pub adopt: bool,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Where the generated GitHub workflow goes, in the register.
const WORKFLOW: &str = ".github/workflows/crs.yml";

/// The text of a new register's crs.toml.
fn settings_text(ods: &str, name: &str, contact: &str, framework: &str, to: &str) -> String {
    let quote = |s: &str| toml_edit::Value::from(s).to_string();
    format!(
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
    )
}

/// The settings init would write, checked as crs.toml is checked when it is read, so
/// that nothing init accepts stops every later command; the error names the flag.
fn checked_settings(text: &str) -> Result<Settings> {
    let settings = Settings::from_toml(text).map_err(|e| Error::Usage(e.message().trim().to_owned()))?;
    match settings.problem() {
        None => Ok(settings),
        Some((key, message)) => {
            let flag = match key {
                "commissioner.ods" => "--commissioner-ods",
                "commissioner.name" => "--commissioner-name",
                "commissioner.contact" => "--contact",
                "submission.to" => "--submission-to",
                "framework" => "--framework",
                other => other,
            };
            let message = message.strip_prefix(&format!("{key}: ")).unwrap_or(&message).to_owned();
            Err(Error::Usage(format!("{flag}: {message}")))
        }
    }
}

/// The files of a new register, by path, with `settings` as its crs.toml; `prefix`
/// is where the register sits in its repository (`registers/crs`; empty at the top).
fn register_files(settings_toml: String, settings: &Settings, prefix: &str) -> Vec<(String, Vec<u8>)> {
    let (name, ods) = (&settings.commissioner.name, &settings.commissioner.ods);
    let readme = include_str!("../../templates/register/README.md")
        .replace("{commissioner}", name)
        .replace("{ods}", ods);
    vec![
        (SETTINGS_FILE.to_owned(), settings_toml.into_bytes()),
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
        (ATTRIBUTES_FILE.to_owned(), attributes_text().into_bytes()),
    ]
}

/// The register's .gitignore; a folder that has one already keeps its own.
const GITIGNORE: &str = ".gitignore";

/// `text` as a YAML single-quoted scalar.
fn yaml_single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

pub fn run(ctx: &Ctx, args: &InitArgs, io: &mut Io<'_>) -> Result<u8> {
    let dir = args.dir.as_ref().map_or_else(|| ctx.cwd.clone(), |dir| ctx.cwd.join(dir));
    // A crs init killed here before is undone first, so that this one starts from
    // nothing; a register it completed stays as it is.
    if let Some(recovered) = mend_interrupted_init(ctx, &dir, &args.write.options())? {
        render_recovered(io, &recovered)?;
    }
    if args.adopt {
        return adopt(ctx, args, io, &dir);
    }
    if dir.join(SETTINGS_FILE).exists() {
        let adopt = match prefix_of(&dir) {
            None => " (to put it in git as it is, run crs init --adopt there)",
            Some(_) => "",
        };
        return Err(Error::Invalid {
            message: format!(
                "{} is a register already (it has {SETTINGS_FILE}); nothing changed{adopt}",
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
    let name = required(
        ctx,
        io,
        args.commissioner_name.as_deref(),
        "--commissioner-name NAME",
        "Commissioner name",
    )?;
    let contact = required(ctx, io, args.contact.as_deref(), "--contact EMAIL", "Contact e-mail address")?;
    // Everything is checked before anything is written.
    let text = settings_text(&ods, &name, &contact, &args.framework, &args.submission_to);
    let settings = checked_settings(&text)?;

    // A failed init takes away what it made: a repository of its own and the files
    // and folders in it, or the folders it made in a repository that was there.
    let mut created = Created::default();
    let (committed, created_repo, prefix) =
        match create_register(ctx, args, &dir, text, &settings, &mut created) {
            Ok(made) => made,
            Err(e) => {
                created.remove();
                return Err(e);
            }
        };
    if created_repo {
        io.status(&format!("created a git repository in {}", dir.display()))?;
    }
    io.status(&format!("created the register of {name} in {}; commit {}", dir.display(), committed.short()))?;
    render_index_warning(io, &committed)?;
    set_up_clone(ctx, args, io, &dir)?;
    workflow_note(io, &prefix)?;
    io.status("next: crs new PROVIDER/service --service NAME --provider-name NAME --provider-kind KIND")?;
    Ok(0)
}

/// Creates the folder, a repository if there is none, and the register's files in
/// one commit, noting in `created` what it makes; what was committed, whether the
/// repository is new, and where the register sits in it.
fn create_register(
    ctx: &Ctx,
    args: &InitArgs,
    dir: &Path,
    text: String,
    settings: &Settings,
    created: &mut Created,
) -> Result<(Committed, bool, String)> {
    created.folder(dir);
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let created_repo = init_if_needed(dir, &ctx.faults, driver_command(ctx).ok().as_deref())?;
    if created_repo {
        created.repository(dir.join(".git"));
    }
    let prefix = prefix_of(dir).unwrap_or_default();
    let mut files = register_files(text, settings, &prefix);
    files.retain(|(path, _)| (path != GITIGNORE && path != ATTRIBUTES_FILE) || !dir.join(path).exists());
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
    for (path, _) in &files {
        // In a repository that was there, a failed commit takes its own files back.
        match created_repo {
            true => created.file(&dir.join(path)),
            false => created.folder(dir.join(path).parent().unwrap_or(dir)),
        }
    }
    let commissioner = &settings.commissioner;
    let message =
        format!("init register for {} ({})\n\nCrs-Action: init\n", commissioner.name, commissioner.ods);
    let (committed, _) = commit_new_register(ctx, dir, &args.write.options(), files, &message)?;
    Ok((committed, created_repo, prefix))
}

/// `crs init --adopt`: a register folder outside git becomes a repository whose first
/// commit holds the whole register, with the files init writes that it lacked.
fn adopt(ctx: &Ctx, args: &InitArgs, io: &mut Io<'_>, dir: &Path) -> Result<u8> {
    if !dir.join(SETTINGS_FILE).is_file() {
        return Err(Error::Usage(format!(
            "--adopt takes a register that exists, but {} has no {SETTINGS_FILE}; to create one, run crs init without --adopt",
            dir.display()
        )));
    }
    if prefix_of(dir).is_some() {
        return Err(Error::Invalid {
            message: format!(
                "{} is in a git repository already; nothing changed (commit the register there with git add and git commit)",
                dir.display()
            ),
        });
    }
    // The register as crs reads it: settings that do not read stop here.
    let config = read_config(&DiskSource::new(dir), dir)?;
    let settings_path = dir.join(SETTINGS_FILE);
    let text = std::fs::read_to_string(&settings_path).map_err(|e| Error::io(&settings_path, e))?;
    let mut files: Vec<(String, Vec<u8>)> = register_files(text, &config.settings, "")
        .into_iter()
        .filter(|(path, _)| !dir.join(path).exists())
        .collect();
    let added: Vec<String> = files.iter().map(|(path, _)| path.clone()).collect();
    let existing = files_below(dir, dir)?;

    // A failed adoption takes away the repository and the files it made; the
    // register's own files stay as they were.
    let mut created = Created::default();
    for (path, _) in &files {
        created.file(&dir.join(path));
    }
    created.repository(dir.join(".git"));
    for path in existing {
        let full = dir.join(&path);
        let bytes = std::fs::read(&full).map_err(|e| Error::io(&full, e))?;
        files.push((path, bytes));
    }
    files.sort();
    let commissioner = &config.settings.commissioner;
    let message =
        format!("adopt register for {} ({})\n\nCrs-Action: init\n", commissioner.name, commissioner.ods);
    // What the new repository's .gitignore leaves out stays out.
    let made = init_if_needed(dir, &ctx.faults, driver_command(ctx).ok().as_deref())
        .and_then(|_| commit_new_register(ctx, dir, &args.write.options(), files, &message));
    let (committed, files) = match made {
        Ok(made) => made,
        Err(e) => {
            created.remove();
            return Err(e);
        }
    };
    io.status(&format!("created a git repository in {}", dir.display()))?;
    if !added.is_empty() {
        io.status(&format!("added {}", added.join(", ")))?;
    }
    io.status(&format!(
        "committed the register of {} ({} files) in {}; commit {}",
        commissioner.name,
        files.len(),
        dir.display(),
        committed.short()
    ))?;
    render_index_warning(io, &committed)?;
    set_up_clone(ctx, args, io, dir)?;
    io.status("next: crs check")?;
    Ok(0)
}

/// Sets the new register's clone up for merging records field by field (crs setup),
/// once the register is committed: a failure here leaves the register as it is and
/// says how to finish.
fn set_up_clone(ctx: &Ctx, args: &InitArgs, io: &mut Io<'_>, dir: &Path) -> Result<()> {
    match setup_in(ctx, dir, &args.write.options()) {
        Ok(done) => render_setup(io, &done, true),
        Err(e) => io.status(&format!(
            "warning: git would merge records line by line in this clone ({e}); run crs setup there"
        )),
    }
}

/// Every plain file below `dir`, relative to `root` with `/` separators, leaving out
/// git's own folder and following no links.
fn files_below(root: &Path, dir: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let kind = entry.file_type().map_err(|e| Error::io(entry.path(), e))?;
        if entry.file_name() == ".git" {
            continue;
        }
        if kind.is_dir() {
            found.extend(files_below(root, &entry.path())?);
        } else if kind.is_file() {
            let relative = entry.path().strip_prefix(root).unwrap_or(&entry.path()).to_path_buf();
            let parts: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            found.push(parts.join("/"));
        }
    }
    Ok(found)
}

/// Where GitHub needs the workflow, when the register is a folder of its repository.
fn workflow_note(io: &mut Io<'_>, prefix: &str) -> Result<()> {
    if !prefix.is_empty() {
        let moved = shell_quoted(&format!("{prefix}/{WORKFLOW}"));
        io.status(&format!(
            "note: the register is the folder {prefix} of its repository, and GitHub runs only the workflows in the repository's own .github/workflows; to check the register on every push, run this at the repository's root: mkdir -p .github/workflows && git mv {moved} {WORKFLOW}"
        ))?;
    }
    Ok(())
}

/// `text` as a YAML single-quoted scalar that GitHub Actions takes literally: no
/// `${{ }}` expression in it is evaluated.
fn literal_for_actions(text: &str) -> String {
    let literal = text.replace("${{", "${{ '${{' }}");
    format!("'{}'", literal.replace('\'', "''"))
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
