//! The README agrees with the code: its rule table is generated from the built-in
//! framework (every rule it lists exists, and every rule of the code is listed), and
//! the import's limits it states are the ones the code has.

use crs::{Framework, Rule};

use crate::harness::repo_dir;

fn rule_table() -> String {
    let framework = Framework::built_in("monitor-2013").unwrap();
    let mut table = String::from("| rule | severity | rests on | finds |\n|---|---|---|---|\n");
    for rule in Rule::ALL {
        let def = &framework.rules[rule.name()];
        let severity = format!("{:?}", def.severity).to_lowercase();
        let basis = format!("{:?}", def.basis).to_lowercase();
        table.push_str(&format!("| `{}` | {severity} | {basis} | {} |\n", rule.name(), def.summary));
    }
    table
}

#[test]
fn readme_lists_exactly_the_rules_of_the_framework() {
    let readme = std::fs::read_to_string(repo_dir().join("README.md")).unwrap();
    let start =
        readme.find("<!-- rules:start -->\n").expect("rules:start marker") + "<!-- rules:start -->\n".len();
    let end = readme.find("<!-- rules:end -->").expect("rules:end marker");
    let expected = rule_table();
    assert!(
        readme[start..end] == expected,
        "README.md's rule table is out of date; replace it with:\n{expected}"
    );
}

/// 5000000 as 5,000,000.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn readme_states_the_import_limits_the_code_has() {
    use crs::import_limits::{
        MAX_BOOK_CELLS, MAX_CELL_BYTES, MAX_CELLS, MAX_INPUT_BYTES, MAX_MERGED, MAX_PARTS, MAX_TEXT_BYTES,
        MAX_UNPACKED_BYTES,
    };
    let readme = std::fs::read_to_string(repo_dir().join("README.md")).unwrap();
    let start = readme.find("- **Limits, so a broken or hostile file").expect("the limits");
    let limits = readme[start..].split("\n\n").next().unwrap().replace("\n  ", " ");
    assert_eq!(MAX_INPUT_BYTES, MAX_UNPACKED_BYTES);
    for said in [
        format!("over {} MiB, or a workbook that unpacks to more (a zip bomb)", MAX_UNPACKED_BYTES >> 20),
        format!("over {} parts", grouped(MAX_PARTS as u64)),
        format!("past {} cells from A1", grouped(MAX_CELLS)),
        format!("{} for all the sheets of a workbook", grouped(MAX_BOOK_CELLS)),
        format!("a cell over {} MiB", MAX_CELL_BYTES >> 20),
        format!("over {} MiB of text", MAX_TEXT_BYTES >> 20),
        format!("over {} merged regions", grouped(MAX_MERGED)),
    ] {
        assert!(limits.contains(&said), "README.md should say {said:?}: {limits}");
    }
}
