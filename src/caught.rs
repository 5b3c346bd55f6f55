//! A panic inside a library, caught and kept as words: the last line of defence
//! where a library crs depends on panics instead of returning an error (calamine on
//! a malformed workbook, rust_xlsxwriter when its temporary files cannot be
//! written). The panic's message is kept for the caller's error, not printed, so
//! that crs says what went wrong once, as an error; a panic anywhere else is left
//! to the hook there was before.

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::sync::Once;

/// What `run` returns, or the message (and place) of its panic.
pub(crate) fn caught<T>(run: impl FnOnce() -> T) -> std::result::Result<T, String> {
    thread_local! {
        /// Inside `caught` on this thread: where the panic hook leaves the message.
        static CAUGHT: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
    }
    // One hook for the process, installed once: a panic inside `caught` is written
    // down for the error; any other goes to the hook there was before.
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let inside = CAUGHT.with(|c| c.borrow().is_some());
            if !inside {
                return previous(info);
            }
            let place = info.location().map(|l| format!(" at {}:{}", crate_relative(l.file()), l.line()));
            let message = match info.payload().downcast_ref::<&str>() {
                Some(text) => (*text).to_owned(),
                None => info.payload().downcast_ref::<String>().cloned().unwrap_or_default(),
            };
            CAUGHT.with(|c| *c.borrow_mut() = Some(Some(format!("{message}{}", place.unwrap_or_default()))));
        }));
    });
    let outer = CAUGHT.with(|c| c.borrow_mut().replace(None));
    let result = std::panic::catch_unwind(AssertUnwindSafe(run));
    let message =
        CAUGHT.with(|c| std::mem::replace(&mut *c.borrow_mut(), outer)).flatten().unwrap_or_default();
    result.map_err(|_| message)
}

/// A source file's path from its crate's folder on (`calamine-0.31.0/src/lib.rs`),
/// not the machine's.
fn crate_relative(file: &str) -> &str {
    match file.find("/registry/src/") {
        Some(at) => {
            let rest = &file[at + "/registry/src/".len()..];
            rest.split_once('/').map_or(rest, |(_, crate_path)| crate_path)
        }
        None => file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_kept_as_its_message_and_place() {
        let message = caught(|| -> u8 { panic!("index out of bounds") }).unwrap_err();
        assert!(message.starts_with("index out of bounds at src/caught.rs:"), "{message}");
        assert_eq!(caught(|| 7), Ok(7), "and then runs as before");
    }

    #[test]
    fn a_source_path_is_shown_from_its_crate_on() {
        let file = "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/calamine-0.31.0/src/lib.rs";
        assert_eq!(crate_relative(file), "calamine-0.31.0/src/lib.rs");
        assert_eq!(crate_relative("src/import/sheet.rs"), "src/import/sheet.rs");
    }
}
