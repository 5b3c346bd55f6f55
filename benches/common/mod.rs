//! What the benchmarks share: generated registers of realistic records.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `cmd` run in `root` with git configured hermetically: no global or system config,
/// a fixed identity, and no automatic gc in the background (it would race an explicit
/// one, and the timings).
pub fn hermetic(mut cmd: Command, root: &Path) -> Command {
    cmd.current_dir(root)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "gc.auto")
        .env("GIT_CONFIG_VALUE_0", "0")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.org")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.org");
    cmd
}

/// A register of `n` records, generated once under `target/bench-registers/`.
pub fn register(n: usize) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-registers").join(n.to_string());
    let done = root.join(".complete");
    if done.exists() {
        return root;
    }
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&root).unwrap();
    fs::write(
        root.join("crs.toml"),
        "schema_version = 1\nframework = \"monitor-2013\"\n\n[commissioner]\nods = \"QKK\"\nname = \"NHS South East London ICB\"\ncontact = \"crs@selondon.icb.example\"\n",
    )
    .unwrap();
    for i in 0..n {
        let provider = provider_code(i, n);
        let dir = root.join(&provider);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(format!("service-{i}.toml")), record(i, &provider)).unwrap();
    }
    fs::write(done, "").unwrap();
    root
}

/// The provider of the `i`th of `n` records: 50 records a provider.
pub fn provider_code(i: usize, n: usize) -> String {
    let providers = (n / 50).max(1);
    format!("R{:04}", i % providers).replace("R0", "RA")[..5].to_owned()
}

/// A realistic record of about 2.7 KB: every stage, a decision, a review, events.
pub fn record(i: usize, provider: &str) -> String {
    let mut t = String::new();
    let _ = write!(
        t,
        r#"schema_version = 1
framework = "monitor-2013"

[service]
name = "Service {i}: consultant-led unit with co-located midwife-led care and outreach"
description = "Obstetric unit and co-located midwife-led unit at the main hospital site, number {i}"
treatment_functions = ["501", "560"]
sites = ["{provider}"]
location_specific = false

[provider]
ods = "{provider}"
name = "Generated Example NHS Foundation Trust {provider}"
kind = "foundation-trust"
licence = "licensed"

[commissioner]
ods = "QKK"
name = "NHS South East London ICB"
contact = "crs@selondon.icb.example"
co_commissioners = ["QMF", "QWE"]

[outcome]
long_term = "Consultant-led births within 30 minutes for the whole catchment, including those without a car"
"#
    );
    for (key, met) in [
        ("alternative_provision", true),
        ("health_inequalities", false),
        ("interdependencies", true),
        ("proportionality", true),
    ] {
        let _ = write!(
            t,
            r#"
[stages.{key}]
met = {met}
rationale = "Assessment of {key} for service {i}: nearest alternative at high occupancy, long journeys by public transport, co-dependent services on site"
evidence = ["Capacity review 2024, board paper 24/117", "Travel-time analysis, public transport, 2024"]
assessed_on = 2025-01-14
assessed_by = "A. Analyst"
"#
        );
    }
    let _ = write!(
        t,
        r#"
[decision]
outcome = "designate"
grounds = ["no-alternative-provider", "dependent-services"]
decided_on = 2025-02-03
decided_by = "ICB Board"
reference = "Board minute BD/25/{i}"

[review]
next_due = 2099-02-01

[[events]]
on = 2024-11-01
kind = "providers-notified"
note = "Letter to the trust and to co-commissioners"

[[events]]
on = 2024-11-20
kind = "public-engagement"
note = "Maternity Voices Partnership workshop"

[[events]]
on = 2025-02-10
kind = "written-request-sent"

[[events]]
on = 2025-02-28
kind = "provider-accepted"
"#
    );
    t
}
