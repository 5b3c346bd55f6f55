//! Finding the line and column of a key path (`decision.grounds`, `events[2]`) in a
//! record's TOML text, so findings can point at the line to change. A line scan, run
//! only for records that have findings; it understands tables, arrays of tables and
//! dotted keys, and falls back to the nearest enclosing key.

/// The 1-based line and column where `key` is written in `text`, or the nearest
/// enclosing table or key; `None` when nothing of it is written (or `key` is empty).
pub fn locate(text: &str, key: &str) -> Option<(usize, usize)> {
    let target = split_key_path(key);
    if target.is_empty() {
        return None;
    }
    let mut current: Vec<String> = Vec::new();
    let mut array_counts: Vec<(Vec<String>, usize)> = Vec::new();
    let mut in_multiline: Option<&str> = None;
    let mut best: Option<(usize, (usize, usize))> = None; // (matched segments, position)

    for (index, line) in text.lines().enumerate() {
        if let Some(delim) = in_multiline {
            if line.matches(delim).count() % 2 == 1 {
                in_multiline = None;
            }
            continue;
        }
        let trimmed = line.trim_start();
        let column = line.len() - trimmed.len() + 1;
        let position = (index + 1, column);
        let path = if let Some(rest) = trimmed.strip_prefix("[[") {
            let table = split_dotted(rest.split("]]").next().unwrap_or(""));
            let n = match array_counts.iter_mut().find(|(p, _)| *p == table) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    array_counts.push((table.clone(), 0));
                    0
                }
            };
            current = table;
            current.push(n.to_string());
            current.clone()
        } else if let Some(rest) = trimmed.strip_prefix('[') {
            current = split_dotted(rest.split(']').next().unwrap_or(""));
            current.clone()
        } else if let Some((key_text, value)) = split_key_value(trimmed) {
            for delim in ["\"\"\"", "'''"] {
                if value.matches(delim).count() % 2 == 1 {
                    in_multiline = Some(delim);
                }
            }
            let mut path = current.clone();
            path.extend(split_dotted(key_text));
            path
        } else {
            continue;
        };

        if path == target {
            return Some(position);
        }
        // A table written only through dotted keys: its first key stands for it.
        let score = if path.starts_with(&target) {
            target.len()
        } else if target.starts_with(&path) {
            path.len()
        } else {
            0
        };
        if score > 0 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, position));
        }
    }
    best.map(|(_, position)| position)
}

/// The 1-based line and column of byte `offset` in `text` (clamped to the text).
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// `events[2].kind` → `["events", "2", "kind"]`.
fn split_key_path(key: &str) -> Vec<String> {
    key.split('.')
        .filter(|s| !s.is_empty())
        .flat_map(|segment| {
            segment.split(['[', ']']).filter(|s| !s.is_empty()).map(str::to_owned).collect::<Vec<_>>()
        })
        .collect()
}

/// `a."b.c".d` → `["a", "b.c", "d"]`, trimming spaces and quotes.
fn split_dotted(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '.') => parts.push(std::mem::take(&mut part)),
            (None, c) if c.is_whitespace() => {}
            (_, c) => part.push(c),
        }
    }
    parts.push(part);
    parts.retain(|p| !p.is_empty());
    parts
}

/// Splits `key = value`, ignoring comments and lines with no bare `=` before a quote.
fn split_key_value(line: &str) -> Option<(&str, &str)> {
    if line.starts_with('#') {
        return None;
    }
    let eq = line.find('=')?;
    let key = &line[..eq];
    let looks_like_key = key
        .trim()
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | '\'' | ' '));
    (looks_like_key && !key.trim().is_empty()).then(|| (key, &line[eq + 1..]))
}

#[cfg(test)]
mod tests {
    use super::locate;

    const RECORD: &str = r#"schema_version = 1
framework = "monitor-2013"

[service]
name = "Maternity"
treatment_functions = ["501", "560"]

[stages.alternative_provision]
met = true
rationale = """
a = b
"""

[decision]
outcome = "designate"
grounds = ["no-alternative-provider"]

[[events]]
on = 2025-01-01
kind = "providers-notified"

[[events]]
on = 2025-02-01
kind = "written-request-sent"
"#;

    #[test]
    fn finds_keys_tables_and_array_entries() {
        assert_eq!(locate(RECORD, "framework"), Some((2, 1)));
        assert_eq!(locate(RECORD, "decision.grounds"), Some((16, 1)));
        assert_eq!(locate(RECORD, "decision"), Some((14, 1)));
        assert_eq!(locate(RECORD, "stages.alternative_provision"), Some((8, 1)));
        assert_eq!(locate(RECORD, "events[1]"), Some((22, 1)));
        assert_eq!(locate(RECORD, "events[1].kind"), Some((24, 1)));
        assert_eq!(locate(RECORD, "service.treatment_functions[1]"), Some((6, 1)));
    }

    #[test]
    fn ignores_equals_signs_inside_multiline_strings() {
        assert_eq!(locate(RECORD, "a"), None);
    }

    #[test]
    fn falls_back_to_the_enclosing_table() {
        assert_eq!(locate(RECORD, "decision.decided_on"), Some((14, 1)));
        assert_eq!(locate(RECORD, "review.next_due"), None);
        assert_eq!(locate(RECORD, "stages"), Some((8, 1)));
    }

    #[test]
    fn understands_dotted_keys() {
        let text = "[stages]\nproportionality.met = true\n";
        assert_eq!(locate(text, "stages.proportionality"), Some((2, 1)));
    }
}
