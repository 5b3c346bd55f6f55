//! `Style`: terminal colour, on only when writing to a terminal and NO_COLOR is unset.

use std::borrow::Cow;

/// `text` safe to print on a terminal: control characters (escape sequences, bells,
/// carriage returns) written out as `\u{1b}` rather than obeyed.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.contains(char::is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
            .collect(),
    )
}

/// Paints text for a terminal, or leaves it plain.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }

    pub fn error(self, text: &str) -> String {
        self.paint("1;31", text)
    }

    pub fn warning(self, text: &str) -> String {
        self.paint("1;33", text)
    }

    pub fn ok(self, text: &str) -> String {
        self.paint("1;32", text)
    }

    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(printable("plain"), "plain");
        assert_eq!(printable("a\u{1b}]0;title\u{7}b\r"), "a\\u{1b}]0;title\\u{7}b\\r");
    }
}
