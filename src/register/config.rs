//! Finding a register and reading its settings (`crs.toml`) and framework, from
//! whichever source the command reads: the working tree or a past revision.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::model::Settings;
use crate::register::locate::line_column;
use crate::register::source::Source;

pub use crate::model::settings::SETTINGS_FILE;

/// A register's settings and the framework they name.
#[derive(Clone, Debug)]
pub struct Config {
    pub settings: Settings,
    pub framework: Framework,
}

impl Config {
    /// Files in the register's folders that are its own configuration, not records.
    pub fn own_files(&self) -> Vec<String> {
        match Framework::built_in(&self.settings.framework) {
            Some(_) => Vec::new(),
            None => vec![self.settings.framework.clone()],
        }
    }
}

/// The nearest folder at or above `start` holding `crs.toml`.
pub fn find_root(start: &Path) -> Result<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(SETTINGS_FILE).is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::NoRegister { from: start.to_path_buf() })
}

/// Checks that `dir` is a register root.
pub fn check_root(dir: &Path) -> Result<PathBuf> {
    if dir.join(SETTINGS_FILE).is_file() {
        Ok(dir.to_path_buf())
    } else {
        Err(Error::NotARegister { dir: dir.to_path_buf() })
    }
}

/// Reads `crs.toml` and the framework from `source`; `root` names files in messages.
pub fn read_config(source: &dyn Source, root: &Path) -> Result<Config> {
    let settings_path = root.join(SETTINGS_FILE);
    let bytes =
        source.read_file(SETTINGS_FILE)?.ok_or_else(|| Error::NotARegister { dir: root.to_path_buf() })?;
    let text = text_of(&bytes, &settings_path)?;
    if let Some(problem) = crate::register::load::unreadable_text(&text) {
        return Err(Error::Config { file: settings_path, line: 1, column: 1, message: problem.message });
    }
    let settings = Settings::from_toml(&text).map_err(|e| config_error(&settings_path, &text, &e))?;
    if let Some((key, message)) = settings.problem() {
        let (line, column) = crate::register::locate::locate(&text, key).unwrap_or((1, 1));
        return Err(Error::Config { file: settings_path, line, column, message });
    }
    let framework = read_framework(source, root, &settings.framework)?;
    Ok(Config { settings, framework })
}

fn read_framework(source: &dyn Source, root: &Path, name: &str) -> Result<Framework> {
    if let Some(framework) = Framework::built_in(name) {
        return Ok(framework);
    }
    let unknown = || Error::Framework {
        name: name.to_owned(),
        message: format!(
            "is neither a built-in framework ({}) nor a file in the register",
            Framework::built_in_names().collect::<Vec<_>>().join(", ")
        ),
    };
    if name.contains("..") || Path::new(name).is_absolute() {
        return Err(unknown());
    }
    let bytes = source.read_file(name)?.ok_or_else(unknown)?;
    let path = root.join(name);
    let text = text_of(&bytes, &path)?;
    Framework::from_toml(&text).map_err(|e| match e {
        crate::framework::definition::FrameworkError::Toml(t) => config_error(&path, &text, &t),
        crate::framework::definition::FrameworkError::Invalid(message) => {
            Error::Framework { name: name.to_owned(), message }
        }
    })
}

fn text_of(bytes: &[u8], path: &Path) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| Error::Config {
        file: path.to_path_buf(),
        line: 1,
        column: 1,
        message: "the file is not UTF-8 text".into(),
    })
}

/// A TOML error in a settings or framework file, with its line and column.
pub fn config_error(path: &Path, text: &str, error: &toml::de::Error) -> Error {
    let (line, column) = error.span().map_or((1, 1), |span| line_column(text, span.start));
    Error::Config {
        file: path.to_path_buf(),
        line,
        column,
        message: error.message().trim().replace('\n', " "),
    }
}
