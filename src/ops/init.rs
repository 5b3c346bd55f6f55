//! `crs init`: a new register made — a git repository if there is none, `crs.toml`,
//! a README explaining the workflow, CI and editor files — in one commit, or a
//! register folder outside git adopted into a new repository (`--adopt`). A failed
//! init takes away what it made; the clone is then set up for merging records.

use std::path::Path;

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::framework::schema::record_schema;
use crate::history::repo::{init_if_needed, prefix_of};
use crate::model::Settings;
use crate::ops::Committed;
use crate::ops::setup::{ATTRIBUTES_FILE, SetUp, attributes_text, driver_command, setup_in};
use crate::ops::transaction::{WriteOptions, commit_new_register};
use crate::register::DiskSource;
use crate::register::config::{SETTINGS_FILE, read_config};
use crate::register::created::Created;

/// Where the generated GitHub workflow goes, in the register.
pub(crate) const WORKFLOW: &str = ".github/workflows/crs.yml";

/// The register's .gitignore; a folder that has one already keeps its own.
const GITIGNORE: &str = ".gitignore";

/// What a new register says of its commissioner and its framework, as given.
pub(crate) struct NewRegister<'a> {
    pub(crate) ods: &'a str,
    pub(crate) name: &'a str,
    pub(crate) contact: &'a str,
    pub(crate) framework: &'a str,
    pub(crate) submission_to: &'a str,
}

/// A register made (or adopted) and committed.
pub(crate) struct Initialised {
    pub(crate) committed: Committed,
    /// Whether the git repository is new.
    pub(crate) created_repo: bool,
    /// Where the register sits in its repository (`registers/crs`; empty at the top).
    pub(crate) prefix: String,
    /// The commissioner's name, as crs.toml gives it.
    pub(crate) commissioner: String,
    /// With `--adopt`: the files init writes that the register lacked.
    pub(crate) added: Vec<String>,
    /// How many files the commit holds.
    pub(crate) files: usize,
    /// Setting the clone up for merging records, after the commit: a failure leaves
    /// the register as it is.
    pub(crate) setup: Result<SetUp>,
}

/// Refuses, before anything is asked or written, a folder that is a register
/// already and a framework crs does not have.
pub(crate) fn refuse_early(dir: &Path, framework: &str) -> Result<()> {
    if dir.join(SETTINGS_FILE).exists() {
        let adopt = match prefix_of(dir) {
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
    if Framework::built_in(framework).is_none() {
        return Err(Error::Usage(format!(
            "--framework {framework} is not a built-in framework ({})",
            Framework::built_in_names().collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(())
}

/// Makes the register of `new` in `dir` (and a repository if there is none) in one
/// commit, then sets the clone up. Everything is checked before anything is written.
pub(crate) fn init(
    ctx: &Ctx,
    dir: &Path,
    new: &NewRegister<'_>,
    options: &WriteOptions,
) -> Result<Initialised> {
    let text = settings_text(new.ods, new.name, new.contact, new.framework, new.submission_to);
    let settings = checked_settings(&text)?;
    // A failed init takes away what it made: a repository of its own and the files
    // and folders in it, or the folders it made in a repository that was there.
    let mut created = Created::default();
    let (committed, files, created_repo, prefix) =
        match create_register(ctx, options, dir, text, &settings, &mut created) {
            Ok(made) => made,
            Err(e) => {
                created.remove();
                return Err(e);
            }
        };
    let setup = setup_in(ctx, dir, options);
    let commissioner = settings.commissioner.name;
    Ok(Initialised { committed, commissioner, created_repo, prefix, added: Vec::new(), files, setup })
}

/// `crs init --adopt`: a register folder outside git becomes a repository whose first
/// commit holds the whole register, with the files init writes that it lacked.
pub(crate) fn adopt(ctx: &Ctx, dir: &Path, options: &WriteOptions) -> Result<Initialised> {
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
        .and_then(|_| commit_new_register(ctx, dir, options, files, &message));
    let (committed, files) = match made {
        Ok(made) => made,
        Err(e) => {
            created.remove();
            return Err(e);
        }
    };
    let setup = setup_in(ctx, dir, options);
    let commissioner = commissioner.name.clone();
    let files = files.len();
    Ok(Initialised {
        committed,
        commissioner,
        created_repo: true,
        prefix: String::new(),
        added,
        files,
        setup,
    })
}

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

/// Creates the folder, a repository if there is none, and the register's files in
/// one commit, noting in `created` what it makes; what was committed, how many
/// files, whether the repository is new, and where the register sits in it.
fn create_register(
    ctx: &Ctx,
    options: &WriteOptions,
    dir: &Path,
    text: String,
    settings: &Settings,
    created: &mut Created,
) -> Result<(Committed, usize, bool, String)> {
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
    let (committed, files) = commit_new_register(ctx, dir, options, files, &message)?;
    Ok((committed, files.len(), created_repo, prefix))
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

/// `text` as a YAML single-quoted scalar.
fn yaml_single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
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
    use crate::text::shell_quoted;

    #[test]
    fn a_folder_name_is_taken_literally_by_yaml_actions_and_the_shell() {
        let yaml = literal_for_actions("regs/it's ${{ github.token }} #b: c");
        assert_eq!(yaml, "'regs/it''s ${{ ''${{'' }} github.token }} #b: c'");
        let parsed: String = serde_yaml::from_str(&yaml).unwrap();
        assert_eq!(parsed, "regs/it's ${{ '${{' }} github.token }} #b: c");
        assert_eq!(shell_quoted("my crs/it's"), r"'my crs/it'\''s'");
    }
}
