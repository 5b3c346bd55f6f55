//! Text from records, sheets, ODS files, commits and the command line made safe to
//! write to a terminal: control characters (escape sequences, bells, backspaces,
//! carriage returns, C1 controls) are shown escaped, as `\u{1b}`, rather than
//! obeyed. This is the one place that does it; every human renderer calls it, while
//! JSON, CSV, YAML and files keep the raw text. Text without control characters is
//! never changed. Also here, the one home of each escaping crs does: text on one line,
//! text for HTML and for Markdown, a sentence's first capital, and text quoted for a
//! shell, for the commands crs writes out for people and for git to run.

use std::borrow::Cow;

/// Text on one line: control characters (newlines, tabs) become spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned()
}

/// `text` with the characters HTML gives meaning to escaped, for text and for
/// attribute values alike.
pub(crate) fn html_escaped(text: &str) -> String {
    const HTML: &[(char, &str)] =
        &[('&', "&amp;"), ('<', "&lt;"), ('>', "&gt;"), ('"', "&quot;"), ('\'', "&#39;")];
    escaped_with(text, HTML, |c| Some(if c.is_control() && c != '\n' && c != '\t' { ' ' } else { c }))
}

/// `text` with Markdown's punctuation escaped and line breaks made spaces, so it
/// reads as itself in running text and in a table cell.
pub(crate) fn markdown_escaped(text: &str) -> String {
    const MARKDOWN: &[(char, &str)] = &[
        ('\\', "\\\\"),
        ('`', "\\`"),
        ('*', "\\*"),
        ('_', "\\_"),
        ('[', "\\["),
        (']', "\\]"),
        ('<', "\\<"),
        ('>', "\\>"),
        ('|', "\\|"),
        ('#', "\\#"),
    ];
    escaped_with(text, MARKDOWN, |c| Some(if c.is_control() { ' ' } else { c }))
}

/// `text` with each character `table` names replaced by its escape, and every other
/// character by what `other` makes of it (`None` drops it): the one loop of each
/// escaping crs does, whatever the format (HTML, Markdown, XML, iCalendar).
pub(crate) fn escaped_with(
    text: &str,
    table: &[(char, &str)],
    other: impl Fn(char) -> Option<char>,
) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match table.iter().find(|(from, _)| *from == c) {
            Some((_, to)) => out.push_str(to),
            None => out.extend(other(c)),
        }
    }
    out
}

/// `text` with its first letter a capital, as a sentence starts.
pub(crate) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// `text` for one line of a terminal: every control character escaped, newlines too.
pub fn printable(text: &str) -> Cow<'_, str> {
    escaped(text, false)
}

/// `text` for output that is several lines by design (a record's file, an error
/// whose cause spans lines): newlines, CRLF line ends and tabs are kept, every
/// other control character escaped.
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    escaped(text, true)
}

/// `text` quoted for a POSIX shell, which takes it as one word, literally.
pub fn shell_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn escaped(text: &str, lines: bool) -> Cow<'_, str> {
    let mut chars = text.chars().peekable();
    let kept = |c: char, next: Option<&char>| match c {
        '\n' | '\t' => lines,
        '\r' => lines && next == Some(&'\n'),
        c => !c.is_control(),
    };
    if !text.contains(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    while let Some(c) = chars.next() {
        if kept(c, chars.peek()) {
            out.push(c);
        } else {
            out.extend(c.escape_default());
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::{html_escaped, markdown_escaped, one_line, printable, printable_lines};

    #[test]
    fn one_line_removes_line_breaks_and_tabs() {
        assert_eq!(one_line(" a\r\nb\tc "), "a  b c");
    }

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(
            html_escaped("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn markdown_punctuation_is_escaped() {
        assert_eq!(markdown_escaped("a|b *c* [d](e) #f\ng"), "a\\|b \\*c\\* \\[d\\](e) \\#f g");
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(printable("plain"), "plain");
        assert_eq!(printable("a\u{1b}]0;title\u{7}b\r"), "a\\u{1b}]0;title\\u{7}b\\r");
        assert_eq!(printable("one\ntwo\tthree"), "one\\ntwo\\tthree");
        assert_eq!(printable("C1 \u{9b}31m"), "C1 \\u{9b}31m");
    }

    #[test]
    fn multi_line_text_keeps_its_lines_and_nothing_else() {
        assert_eq!(printable_lines("a = 1\r\nb = 2\n\tc"), "a = 1\r\nb = 2\n\tc");
        assert_eq!(printable_lines("over\rwritten\u{1b}[2J\n"), "over\\rwritten\\u{1b}[2J\n");
        assert_eq!(printable_lines("end\r"), "end\\r");
    }
}
