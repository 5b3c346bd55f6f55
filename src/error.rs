//! `Error`: why crs could not do what it was asked, with the hint that says what to
//! do about it, and the exit code each kind of failure maps to.

use std::path::PathBuf;

use crate::framework::finding::Finding;

/// A failure that stops a command. Findings about records are not errors: they are
/// data, reported by `crs check` and by the commands that refuse to write them.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Usage(String),

    #[error("no register found in {} or any folder above it", from.display())]
    NoRegister { from: PathBuf },

    #[error("{} is not a register: it has no crs.toml", dir.display())]
    NotARegister { dir: PathBuf },

    #[error("{}:{line}:{column}: {message}", file.display())]
    Config { file: PathBuf, line: usize, column: usize, message: String },

    #[error("framework {name}: {message}")]
    Framework { name: String, message: String },

    #[error("{}: {cause}", path.display())]
    Io { path: PathBuf, cause: std::io::Error },

    #[error("record {id} does not exist ({path})")]
    NoSuchRecord { id: String, path: String },

    #[error("record {id} already exists ({path})")]
    RecordExists { id: String, path: String },

    #[error("{message}")]
    Invalid { message: String },

    /// A change the process or the rules do not allow; nothing was written.
    #[error("{message}")]
    NotAllowed { message: String, hint: String },

    /// A file given to crs to read (a spreadsheet, a map) that is not what it should
    /// be: the message names the file and the place in it; nothing was written.
    #[error("{message}")]
    Input { message: String, hint: String },

    #[error("{action} {id} refused: the change would break {}", rules_count(findings.len()))]
    Refused { action: String, id: String, findings: Vec<Finding> },

    #[error("git: {message}")]
    Git { message: String, hint: Option<String> },

    #[error("{}{}: {message}", path.display(), line.map_or(String::new(), |l| format!(":{l}")))]
    OdsFile { path: PathBuf, line: Option<u64>, message: String, hint: String },

    #[error("{message}")]
    Orgs { message: String, hint: String },

    #[error("could not write output: {0}")]
    Output(#[source] std::io::Error),

    /// An export or submission that cannot be made as asked.
    #[error("{message}")]
    Export { message: String, hint: String },

    /// Another process holds the register or part of git; nothing was changed.
    #[error("{message}")]
    Busy { message: String, hint: String },

    /// git could not store an object or move a reference: a full disk, most often.
    #[error("could not store {what} in git: {detail}")]
    Storage { what: String, detail: String },

    /// A write would go through a symbolic link, perhaps out of the register.
    #[error("{} is a symbolic link; crs writes through no links, so that nothing outside the register is changed", path.display())]
    Link { path: PathBuf },

    /// The journal of an unfinished write cannot be read.
    #[error("the journal of an interrupted crs write, {}, {message}", path.display())]
    Journal { path: PathBuf, message: String },

    /// A write failed, and putting its files back failed too.
    #[error("{cause}; and putting the files back failed: {undo}")]
    Unfinished { cause: Box<Error>, undo: Box<Error> },

    /// A repository hook (`pre-commit`, `commit-msg`) refused the change; nothing
    /// was written. `output` is what the hook printed.
    #[error("the {hook} hook refused the change ({status})")]
    Hook { hook: String, status: String, output: String },

    /// Signing was asked for (`commit.gpgSign`, `tag.gpgSign`) and could not be done.
    #[error("{message}")]
    Signing { message: String, hint: String },

    /// A record's text that does not read as a record, before or after a change.
    #[error("{path}: {message}")]
    RecordText { path: String, message: String },
}

fn rules_count(n: usize) -> String {
    if n == 1 { "a rule".to_owned() } else { format!("{n} rules") }
}

fn is_disk_full(detail: &str) -> bool {
    detail.contains("No space left") || detail.contains("disk full") || detail.contains("os error 28")
}

/// Shorthand for results in crs.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The process exit code: 1 when records break rules, 2 when crs could not run.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Refused { .. } | Error::NotAllowed { .. } | Error::Hook { .. } => 1,
            _ => 2,
        }
    }

    /// What the user can do next, when there is something useful to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Usage(_) => Some("run crs --help, or crs COMMAND --help, for the flags and examples".into()),
            Error::NoRegister { .. } => Some(
                "run crs inside a register (a folder with crs.toml), pass --register DIR, or create one with crs init".into(),
            ),
            Error::NotARegister { .. } => Some("point --register at the folder that holds crs.toml, or run crs init there".into()),
            Error::Config { .. } => Some("correct the line named above; crs init writes a complete example".into()),
            Error::Framework { .. } => Some(
                "framework in crs.toml names a built-in framework (monitor-2013) or a framework file relative to the register".into(),
            ),
            Error::Io { cause, .. } => Some(match cause.kind() {
                std::io::ErrorKind::PermissionDenied => {
                    "you may not write there: check the permissions of that file and its folder (ls -ld), then run the command again; nothing was changed".into()
                }
                std::io::ErrorKind::NotFound => "check the path".into(),
                std::io::ErrorKind::StorageFull => "free some disk space and run the command again; nothing was changed".into(),
                _ => "nothing was changed; fix the cause and run the command again".into(),
            }),
            Error::NoSuchRecord { .. } => Some("crs list shows the records; ids look like RJ1/maternity".into()),
            Error::RecordExists { .. } => Some("change it with crs assess, crs event or crs edit, or pick another id".into()),
            Error::Refused { .. } => Some("nothing was written; fix what is listed above and run the command again".into()),
            Error::NotAllowed { hint, .. } | Error::Input { hint, .. } => {
                Some(format!("nothing was written; {hint}"))
            }
            Error::Git { hint, .. } => hint.clone(),
            Error::OdsFile { hint, .. } | Error::Orgs { hint, .. } => Some(hint.clone()),
            Error::Hook { hook, .. } => Some(format!(
                "nothing was written; do what the {hook} hook asks above and run the command again, or pass --no-verify to skip the pre-commit and commit-msg hooks as git commit --no-verify does"
            )),
            Error::Export { hint, .. } | Error::Busy { hint, .. } | Error::Signing { hint, .. } => {
                Some(hint.clone())
            }
            Error::RecordText { .. } => Some(
                "nothing was written; crs check says what is wrong with the record, and crs edit mends it".into(),
            ),
            Error::Storage { detail, .. } => Some(if is_disk_full(detail) {
                "the disk is full: free some space (df -h shows how much is left) and run the command again; nothing was changed".into()
            } else {
                "check that the disk has space (df -h) and that the .git folder is writable, then run the command again; nothing was changed".into()
            }),
            Error::Link { .. } => Some("replace the link with the real folder or file, then run the command again".into()),
            Error::Journal { path, .. } => Some(format!(
                "look at it, then delete {} and check the record with git status and crs check",
                path.display()
            )),
            Error::Unfinished { .. } => Some(
                "fix the cause (free disk space, file permissions), then run any crs command that writes: it finishes putting the files back".into(),
            ),
            Error::Invalid { .. } | Error::Output(_) => None,
        }
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { path: path.into(), cause: source }
    }

    /// A file given to crs that cannot be read as what it should be, with advice.
    pub fn input(message: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::Input { message: message.into(), hint: hint.into() }
    }

    /// An export that cannot be made, with advice.
    pub fn export(message: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::Export { message: message.into(), hint: hint.into() }
    }

    /// A git failure with advice.
    pub fn git(message: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::Git { message: message.into(), hint: Some(hint.into()) }
    }
}
