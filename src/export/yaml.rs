//! YAML output, kept behind this one module: a small block-style emitter that writes
//! the same data as the JSON export. A value is serialized to JSON first (so dates,
//! enums and options come out exactly as in JSON), read back in order, then written
//! as YAML. Every string that a YAML 1.1 or 1.2 reader could take for something else
//! (`NO`, `off`, `y`, `~`, `null`, `0123`, `1e3`, `2025-01-01`, …) is double-quoted;
//! only plain words that can be nothing but strings are left bare. crs never reads
//! YAML.

use std::fmt;
use std::io::{self, Write};

use serde::Serialize;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// Writes `value` as a YAML document.
pub fn write<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    let json = serde_json::to_vec(value).map_err(io::Error::other)?;
    let node: Node = serde_json::from_slice(&json).map_err(io::Error::other)?;
    let mut text = String::new();
    emit_document(&mut text, &node);
    out.write_all(text.as_bytes())
}

/// A JSON value with its map entries in the order they were written.
#[derive(Debug, PartialEq)]
enum Node {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Node>()? {
            entries.push(entry);
        }
        Ok(Node::Map(entries))
    }
}

impl Node {
    /// A non-empty map or sequence: written as a block on lines of its own.
    fn is_block(&self) -> bool {
        match self {
            Node::Seq(items) => !items.is_empty(),
            Node::Map(entries) => !entries.is_empty(),
            _ => false,
        }
    }
}

fn emit_document(out: &mut String, node: &Node) {
    if node.is_block() {
        emit_block(out, node, 0, true);
    } else {
        emit_scalar(out, node);
        out.push('\n');
    }
}

/// Writes a non-empty map or sequence at `indent`; when `pad_first` is false the
/// cursor already stands at `indent` (after `- `), so the first line is not padded.
fn emit_block(out: &mut String, node: &Node, indent: usize, pad_first: bool) {
    let pad = |out: &mut String, i: usize| {
        if i > 0 || pad_first {
            out.extend(std::iter::repeat_n(' ', indent));
        }
    };
    match node {
        Node::Map(entries) => {
            for (i, (key, value)) in entries.iter().enumerate() {
                pad(out, i);
                emit_string(out, key);
                out.push(':');
                if value.is_block() {
                    out.push('\n');
                    emit_block(out, value, indent + 2, true);
                } else {
                    out.push(' ');
                    emit_scalar(out, value);
                    out.push('\n');
                }
            }
        }
        Node::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                pad(out, i);
                out.push_str("- ");
                if item.is_block() {
                    emit_block(out, item, indent + 2, false);
                } else {
                    emit_scalar(out, item);
                    out.push('\n');
                }
            }
        }
        scalar => {
            emit_scalar(out, scalar);
            out.push('\n');
        }
    }
}

/// Writes a scalar, or an empty map or sequence in flow style.
fn emit_scalar(out: &mut String, node: &Node) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Int(n) => out.push_str(&n.to_string()),
        Node::Float(x) => out.push_str(&float(*x)),
        Node::Str(s) => emit_string(out, s),
        Node::Seq(_) => out.push_str("[]"),
        Node::Map(_) => out.push_str("{}"),
    }
}

/// A float as both YAML 1.1 and 1.2 read it: with a decimal point, and a signed
/// exponent (`1.0e+20`), since PyYAML takes `1e20` for a string.
fn float(x: f64) -> String {
    if x.is_nan() {
        return ".nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    let text = format!("{x:?}");
    match text.split_once('e') {
        None if text.contains('.') => text,
        None => format!("{text}.0"),
        Some((mantissa, exponent)) => {
            let mantissa = if mantissa.contains('.') { mantissa.to_owned() } else { format!("{mantissa}.0") };
            let exponent =
                if exponent.starts_with('-') { exponent.to_owned() } else { format!("+{exponent}") };
            format!("{mantissa}e{exponent}")
        }
    }
}

/// Words that YAML 1.1 reads as booleans or null whatever their case.
const RESERVED: &[&str] = &["y", "n", "yes", "no", "true", "false", "on", "off", "null"];

/// True when `s` can be written bare and every YAML reader reads it back as this
/// string: a letter, then letters, digits and `_ . / -`, and single inner spaces;
/// never a reserved word. Anything else is quoted.
fn is_plain_safe(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else { return false };
    first.is_ascii_alphabetic()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-' | ' '))
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !RESERVED.iter().any(|word| s.eq_ignore_ascii_case(word))
}

fn emit_string(out: &mut String, s: &str) {
    if is_plain_safe(s) {
        out.push_str(s);
        return;
    }
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // Control characters, and characters that YAML treats as line breaks or
            // readers reject as unprintable, are escaped.
            c if needs_escape(c) => {
                let code = c as u32;
                if code <= 0xFFFF {
                    out.push_str(&format!("\\u{code:04X}"));
                } else {
                    out.push_str(&format!("\\U{code:08X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn needs_escape(c: char) -> bool {
    matches!(c as u32, 0..=0x1F | 0x7F..=0x9F | 0x2028 | 0x2029 | 0xFEFF | 0xFFFE | 0xFFFF)
}

#[cfg(test)]
mod tests {
    use super::{is_plain_safe, write};

    fn yaml<T: serde::Serialize>(value: &T) -> String {
        let mut out = Vec::new();
        write(&mut out, value).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn ambiguous_words_are_quoted() {
        for word in ["NO", "off", "Yes", "y", "N", "~", "null", "0123", "1e3", "2025-01-01", "", " a", ".inf"]
        {
            assert!(!is_plain_safe(word), "{word:?}");
        }
        for word in ["RJ1/maternity", "designated", "no-alternative-provider", "NHS South East London ICB"] {
            assert!(is_plain_safe(word), "{word:?}");
        }
    }

    #[test]
    fn nested_blocks_and_empty_containers() {
        let value = serde_json::json!({"b": [1, {"x": "NO", "y": []}], "a": {}, "c": "two\nlines"});
        assert_eq!(yaml(&value), "a: {}\nb:\n  - 1\n  - x: \"NO\"\n    \"y\": []\nc: \"two\\nlines\"\n");
    }

    #[test]
    fn floats_keep_a_point_and_a_signed_exponent() {
        assert_eq!(yaml(&1000.0_f64), "1000.0\n");
        assert_eq!(yaml(&1e20_f64), "1.0e+20\n");
        assert_eq!(yaml(&1.5e-7_f64), "1.5e-7\n");
    }

    #[test]
    fn line_separators_and_controls_are_escaped() {
        assert_eq!(yaml(&"a\u{2028}b\u{85}c\u{7}"), "\"a\\u2028b\\u0085c\\u0007\"\n");
    }
}
