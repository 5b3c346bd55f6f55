//! Asking for a missing value: on a terminal crs asks; anywhere else (CI, scripts,
//! pipes) it fails with a usage error naming the flag. Never a prompt in CI.

use std::io::BufRead;

use crate::cli::Io;
use crate::context::Ctx;
use crate::error::{Error, Result};

/// `given`, or the answer to `question` on a terminal, or a usage error naming `flag`.
pub fn required(
    ctx: &Ctx,
    io: &mut Io<'_>,
    given: Option<&str>,
    flag: &str,
    question: &str,
) -> Result<String> {
    if let Some(value) = given.map(str::trim).filter(|v| !v.is_empty()) {
        return Ok(value.to_owned());
    }
    ask(ctx, io, question)?.ok_or_else(|| missing(flag))
}

/// `given`, or a yes/no answer on a terminal, or a usage error naming `flags`.
pub fn yes_no(ctx: &Ctx, io: &mut Io<'_>, given: Option<bool>, flags: &str, question: &str) -> Result<bool> {
    if let Some(value) = given {
        return Ok(value);
    }
    loop {
        let answer = ask(ctx, io, &format!("{question} [y/n]"))?.ok_or_else(|| missing(flags))?;
        match answer.to_lowercase().as_str() {
            "y" | "yes" => return Ok(true),
            "n" | "no" => return Ok(false),
            _ => continue,
        }
    }
}

/// The error for a value that was neither given nor asked for: it names the flag
/// only, since the question is for a terminal and reads wrongly in a log.
fn missing(flag: &str) -> Error {
    Error::Usage(format!("{flag} is required"))
}

/// A non-empty answer to `question` on a terminal; `None` with no terminal, or when
/// its input ends.
fn ask(ctx: &Ctx, io: &mut Io<'_>, question: &str) -> Result<Option<String>> {
    if !ctx.stdin_is_terminal {
        return Ok(None);
    }
    loop {
        write!(io.err, "{question}: ").map_err(Error::Output)?;
        io.err.flush().map_err(Error::Output)?;
        let mut line = String::new();
        let read =
            std::io::stdin().lock().read_line(&mut line).map_err(|e| Error::io("standard input", e))?;
        if read == 0 {
            return Ok(None);
        }
        let answer = line.trim();
        if !answer.is_empty() {
            return Ok(Some(answer.to_owned()));
        }
    }
}
