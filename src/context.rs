//! `Ctx`: everything a command needs from the world outside its arguments —
//! working directory, register location, the clock, the terminal, environment
//! variables — resolved once. The only module that reads the environment or the clock.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use chrono::{DateTime, Local, TimeZone, Utc};

use crate::error::{Error, Result};
use crate::history::faults::Faults;
use crate::model::Date;
use crate::register::config::{check_root, find_root};

/// The process as `run` receives it: arguments, environment, working directory and
/// what the standard streams are attached to.
#[derive(Clone, Debug)]
pub struct Process {
    pub args: Vec<OsString>,
    pub vars: BTreeMap<String, String>,
    pub cwd: PathBuf,
    pub stdin_is_terminal: bool,
    pub stdout_is_terminal: bool,
    /// The path of the running crs program, when the system tells it.
    pub exe: Option<PathBuf>,
}

impl Process {
    /// The current process, read from the operating system.
    pub fn current() -> Process {
        use std::io::IsTerminal;
        Process {
            args: std::env::args_os().collect(),
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            stdin_is_terminal: std::io::stdin().is_terminal(),
            stdout_is_terminal: std::io::stdout().is_terminal(),
            exe: std::env::current_exe().ok(),
        }
    }
}

/// The resolved context of one command.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub cwd: PathBuf,
    register: Option<PathBuf>,
    /// The moment the command runs; fixed by `SOURCE_DATE_EPOCH` for reproducible output.
    pub now: DateTime<Utc>,
    /// Today's date, as the rules see it.
    pub today: Date,
    pub color: bool,
    pub quiet: bool,
    pub stdin_is_terminal: bool,
    pub vars: BTreeMap<String, String>,
    /// Where tests make a write fail or die (`CRS_TEST_FAULT`); none otherwise.
    pub faults: Faults,
    /// The path of the running crs program, when the system tells it.
    pub exe: Option<PathBuf>,
}

impl Ctx {
    /// Resolves the context from the process and the global flags.
    pub fn new(process: &Process, register: Option<PathBuf>, quiet: bool, no_color: bool) -> Result<Ctx> {
        let (now, today) = match process.vars.get("SOURCE_DATE_EPOCH") {
            Some(epoch) => {
                let seconds: i64 =
                    epoch.trim().parse().ok().filter(|s| (0..=253_402_300_799).contains(s)).ok_or_else(
                        || {
                            Error::Usage(format!(
                                "SOURCE_DATE_EPOCH must be whole seconds since 1970, not '{epoch}'"
                            ))
                        },
                    )?;
                let now = Utc
                    .timestamp_opt(seconds, 0)
                    .single()
                    .ok_or_else(|| Error::Usage(format!("SOURCE_DATE_EPOCH {seconds} is out of range")))?;
                (now, Date(now.date_naive()))
            }
            None => (Utc::now(), Date(Local::now().date_naive())),
        };
        let no_color = no_color || process.vars.get("NO_COLOR").is_some_and(|v| !v.is_empty());
        let register = register.map(|dir| process.cwd.join(dir));
        Ok(Ctx {
            cwd: process.cwd.clone(),
            register,
            now,
            today,
            color: process.stdout_is_terminal && !no_color,
            quiet,
            stdin_is_terminal: process.stdin_is_terminal,
            faults: Faults::new(process.vars.get("CRS_TEST_FAULT").map(String::as_str)),
            vars: process.vars.clone(),
            exe: process.exe.clone(),
        })
    }

    /// The register root: `--register` (or `CRS_REGISTER`), else the nearest folder at
    /// or above the working directory holding `crs.toml`.
    pub fn register_root(&self) -> Result<PathBuf> {
        match &self.register {
            Some(dir) => check_root(dir),
            None => find_root(&self.cwd),
        }
    }

    /// An environment variable, if set and not empty.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }
}
