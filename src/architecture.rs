//! The layers of crs, kept by a test: every `crate::…` path in `src/` (outside the
//! files' own test modules) is read and judged against one table of layers. Data
//! flows one way, `cli` → `ops` → the stores, formats and renderers → `framework` → `model`;
//! the leaf utilities serve every layer. An import against the table fails the test,
//! naming the file, the line and the rule, unless it is one of the few exceptions
//! listed below, each with its reason. `git2` is named only inside `history`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The leaf utilities: every module may use them; they use nothing of crs but each
/// other.
const LEAVES: &[&str] = &["text", "error", "digest", "caught", "atomic"];

/// Each top-level module and the modules (besides itself and the leaves) it may use:
/// the layers, top to bottom. Nothing else is allowed, sideways included.
const LAYERS: &[(&str, &[&str])] = &[
    // The binary and the library's surface.
    ("main", &["*"]),
    ("lib", &["*"]),
    // A command: parse, call one operation, render what it returns.
    ("cli", &["ops", "context", "render", "framework", "model"]),
    // The operations (use cases) and the world they run in.
    ("ops", &["context", "register", "history", "orgs", "export", "import", "render", "framework", "model"]),
    ("context", &["register", "history", "model"]),
    // The stores and the formats: each on its own, below the operations.
    ("register", &["framework", "model"]),
    ("history", &["framework", "model"]),
    ("orgs", &["framework", "model"]),
    ("export", &["framework", "model"]),
    ("import", &["framework", "model"]),
    // The renderers: the check's findings and the board paper.
    ("render", &["framework", "model"]),
    // The framework and its rules, pure functions over the model.
    ("framework", &["model"]),
    ("model", &[]),
    ("text", &[]),
    ("error", &[]),
    ("digest", &[]),
    ("caught", &[]),
    ("atomic", &[]),
    ("architecture", &[]),
];

/// Today's imports against the table: (file below `src/`, module it uses, why).
#[rustfmt::skip]
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("render/board/findings.rs", "ops", "renders the board paper's data, whose types ops::report and ops::due still define"),
    ("render/board/html.rs", "ops", "renders the board paper's data, whose types ops::report and ops::due still define"),
    ("render/board/markdown.rs", "ops", "renders the board paper's data, whose types ops::report and ops::due still define"),
    ("render/board/mod.rs", "ops", "renders the board paper's data, whose types ops::report and ops::due still define"),
    ("render/board/paper.rs", "ops", "renders the board paper's data, whose types ops::report and ops::due still define"),
    ("cli/export.rs", "export", "the command renders with the export's column table or writes an export file"),
    ("cli/import.rs", "export", "the command renders with the export's column table or writes an export file"),
    ("cli/import.rs", "import", "the command reads the map file itself"),
    ("cli/import.rs", "register", "the command still holds use-case logic that reads the register itself"),
    ("cli/list.rs", "export", "the command renders with the export's column table or writes an export file"),
    ("cli/orgs.rs", "orgs", "the command still reads the organisation cache itself"),
    ("cli/report.rs", "export", "the command renders with the export's column table or writes an export file"),
    ("cli/show.rs", "export", "the command renders with the export's column table or writes an export file"),
    ("error.rs", "framework", "an Error carries the checker's findings"),
    ("export/bundle.rs", "history", "names the submission tag it checks a bundle against"),
    ("export/output.rs", "history", "refuses to write an export over a file git tracks"),
    ("export/output.rs", "register", "writes the export file atomically, as the register does"),
    ("history/snapshot.rs", "register", "a snapshot is a register Source read from a commit"),
    ("history/exported.rs", "register", "reads records at an export's commit through the register's Source"),
    ("import/assessments.rs", "export", "reads back crs's own sheets by the export's column table"),
    ("import/history.rs", "export", "reads back crs's own sheets by the export's column table"),
    ("import/map.rs", "export", "reads back crs's own sheets by the export's column table"),
    ("import/merge.rs", "export", "reads back crs's own sheets by the export's column table"),
    ("import/row_history.rs", "export", "reads back crs's own sheets by the export's column table"),
    ("import/sheet.rs", "export", "reads back crs's own sheets by the export's column table"),
    ("import/row.rs", "export", "passes over the section headings of crs's own workbook"),
    ("orgs/known.rs", "register", "reads the organisation cache through the register's Source"),
];

/// Whether module `own` may use module `used`.
fn may_use(own: &str, used: &str) -> Option<bool> {
    let (_, allowed) = LAYERS.iter().find(|(name, _)| *name == own)?;
    LAYERS.iter().find(|(name, _)| *name == used)?;
    Some(own == used || LEAVES.contains(&used) || allowed.iter().any(|m| *m == used || *m == "*"))
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The lines of `text` that are code the crate builds, not its test module.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let is_test_module = line.trim() == "#[cfg(test)]"
            && lines.get(i + 1).is_some_and(|next| next.trim_start().starts_with("mod "));
        if is_test_module && !line.starts_with(' ') {
            break;
        }
        let trimmed = line.trim_start();
        if !trimmed.starts_with("//") {
            out.push((i + 1, *line));
        }
    }
    out
}

/// The top-level modules a line of code names through `crate::`, including a
/// `use crate::{a::…, b::…}` group.
fn modules_named(line: &str, group: &mut bool) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        if let Some(inner) = after.strip_prefix('{') {
            *group = true;
            rest = inner;
            names.extend(group_members(inner));
            continue;
        }
        let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        names.insert(name);
        rest = after;
    }
    if *group && !line.contains("crate::{") {
        names.extend(group_members(line));
    }
    if line.contains("};") {
        *group = false;
    }
    names
}

/// The first names of the paths in part of a `use crate::{…}` group.
fn group_members(text: &str) -> Vec<String> {
    let mut depth = 0;
    let mut out = Vec::new();
    let mut at_start = true;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => at_start = true,
            c if at_start && (c.is_alphabetic() || c == '_') && depth == 0 => {
                let name: String =
                    text[i..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                out.push(name);
                at_start = false;
            }
            _ => {}
        }
    }
    out
}

/// An import against the layers or a `git2` outside `history`: "file:line: why".
pub(crate) fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src).unwrap().to_string_lossy().replace('\\', "/");
        let own = relative.split('/').next().unwrap().trim_end_matches(".rs").to_owned();
        assert!(may_use(&own, &own).is_some(), "src/{relative}: module {own} is not in the table of layers");
        let text = std::fs::read_to_string(&file).unwrap();
        let mut group = false;
        for (number, line) in code_lines(&text) {
            if own != "history" && own != "architecture" && line.contains("git2::") {
                found.push(format!("src/{relative}:{number}: git2 outside history"));
            }
            for used in modules_named(line, &mut group) {
                let allowed = may_use(&own, &used).unwrap_or(true);
                let excepted = EXCEPTIONS.iter().any(|(f, m, _)| *f == relative && *m == used);
                if !allowed && !excepted {
                    found.push(format!("src/{relative}:{number}: {own} uses {used}"));
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
    }

    #[test]
    fn every_import_follows_the_layers() {
        let found = violations(&src());
        assert!(found.is_empty(), "imports against the layers:\n{}", found.join("\n"));
    }

    #[test]
    fn every_exception_is_still_needed() {
        let files = {
            let mut files = Vec::new();
            rust_files(&src(), &mut files);
            files
        };
        for (file, used, _) in EXCEPTIONS {
            let text = std::fs::read_to_string(src().join(file)).unwrap();
            let mut group = false;
            let still = code_lines(&text)
                .into_iter()
                .any(|(_, line)| modules_named(line, &mut group).contains(*used));
            assert!(still, "{file} no longer uses {used}: remove its exception");
        }
        assert!(!files.is_empty());
    }

    #[test]
    fn a_group_import_names_each_module() {
        let mut group = false;
        let names = modules_named("use crate::{model::Date, ops::{a, b}, text};", &mut group);
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["model", "ops", "text"]);
        assert!(!group);
    }
}
