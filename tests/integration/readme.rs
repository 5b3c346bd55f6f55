//! The README's rule table is generated from the built-in framework: every rule it
//! lists exists in the code, and every rule of the code is listed.

use crs::framework::{Framework, Rule};

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
