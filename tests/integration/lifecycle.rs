//! A service's whole life from the terminal, one command and one commit a step, and
//! the audit trail it leaves.

use crate::harness::TestEnv;

const ID: &str = "RJ1/maternity";

fn ok(env: &TestEnv, args: &[&str]) {
    let run = env.crs(args);
    assert_eq!(run.code, 0, "crs {args:?}\n{run}");
}

/// Walks RJ1/maternity from draft through refusal and referral to designated.
pub fn walk_to_designated(env: &TestEnv) {
    env.at("2026-01-05");
    ok(
        env,
        &[
            "new",
            ID,
            "--service",
            "Maternity: consultant-led obstetric unit",
            "--provider-name",
            "Guy's and St Thomas' NHS Foundation Trust",
            "--provider-kind",
            "foundation-trust",
            "--site",
            "RJ122",
            "--treatment-function",
            "501",
            "--outcome",
            "Consultant-led births within 30 minutes",
        ],
    );
    ok(env, &["event", ID, "providers-notified", "--on", "2026-01-05", "--note", "Letter to GSTT"]);
    env.at("2026-01-20");
    ok(
        env,
        &["event", ID, "public-engagement", "--on", "2026-01-20", "--note", "Maternity Voices Partnership"],
    );
    env.at("2026-02-02");
    ok(
        env,
        &[
            "assess",
            ID,
            "--stage",
            "1",
            "--met",
            "--rationale",
            "Nearest unit at 97% occupancy",
            "--evidence",
            "Capacity review 2025",
            "--on",
            "2026-02-02",
        ],
    );
    ok(
        env,
        &[
            "assess",
            ID,
            "--stage",
            "health-inequalities",
            "--not-met",
            "--rationale",
            "Close to the ICB average",
            "--on",
            "2026-02-02",
        ],
    );
    ok(
        env,
        &[
            "assess",
            ID,
            "--stage",
            "3",
            "--met",
            "--rationale",
            "NICU depends on on-site obstetrics",
            "--on",
            "2026-02-02",
        ],
    );
    ok(
        env,
        &[
            "assess",
            ID,
            "--stage",
            "4",
            "--met",
            "--rationale",
            "Fits the maternity strategy",
            "--on",
            "2026-02-02",
        ],
    );
    env.at("2026-02-10");
    ok(
        env,
        &[
            "designate",
            ID,
            "--decided-on",
            "2026-02-10",
            "--by",
            "ICB Board",
            "--reference",
            "BD/26/031",
            "--review-due",
            "2029-02-01",
        ],
    );
    env.at("2026-02-12");
    ok(env, &["event", ID, "written-request-sent", "--on", "2026-02-12"]);
    env.at("2026-03-01");
    ok(env, &["event", ID, "provider-refused", "--on", "2026-03-01"]);
    env.at("2026-03-10");
    ok(env, &["event", ID, "referred-to-regulator", "--on", "2026-03-10"]);
    env.at("2026-05-04");
    ok(
        env,
        &["event", ID, "refusal-found-unreasonable", "--on", "2026-05-04", "--note", "Regulator's letter"],
    );
}

#[test]
fn whole_lifecycle_is_one_commit_a_step_with_an_audit_trail() {
    let env = TestEnv::git();
    walk_to_designated(&env);
    assert_eq!(env.commit_count(), 13, "init, new and eleven changes");

    let show = env.crs(&["show", ID, "--format", "json"]).json();
    assert_eq!(show["status"], "designated");
    assert_eq!(
        show["decisions"][0]["grounds"],
        serde_json::json!(["no-alternative-provider", "dependent-services"])
    );
    assert_eq!(show["stages"]["alternative_provision"]["assessed_by"], "Ann Analyst");

    let subject = env.git_cmd(&["log", "-1", "--format=%B"]);
    insta::assert_snapshot!("last_commit_message", subject);

    let log = env.crs(&["log", ID]);
    assert_eq!(log.code, 0);
    insta::assert_snapshot!("lifecycle_log", log.to_string());

    let json = env.crs(&["log", ID, "--format", "json", "-n", "1"]).json();
    assert_eq!(json[0]["action"], "event");
    assert_eq!(json[0]["records"][0]["fields"][0]["field"], "events[5].kind");

    // Later: a review, then removal.
    env.at("2026-09-01");
    ok(&env, &["event", ID, "review-started", "--on", "2026-09-01"]);
    assert_eq!(env.crs(&["show", ID, "--format", "json"]).json()["status"], "under-review");
    // A review ends with a decision, never with a bare event.
    let bare = env.crs(&["event", ID, "review-completed", "--on", "2026-10-01"]);
    assert_eq!(bare.code, 1, "{bare}");
    assert!(bare.stderr.contains("crs review complete"), "{bare}");
    crate::harness::assess_all(&env, ID, "2026-10-02", [false, false, false, false]);
    ok(&env, &["review", "complete", ID, "--remove", "--on", "2026-10-05", "--by", "ICB Board"]);
    assert_eq!(
        env.crs(&["show", ID, "--format", "json"]).json()["status"],
        "designated",
        "until the provider is told"
    );
    ok(&env, &["event", ID, "provider-notified-of-removal", "--on", "2026-10-06"]);
    assert_eq!(env.crs(&["show", ID, "--format", "json"]).json()["status"], "removed");
    assert_eq!(env.crs(&["check", "--format", "json"]).json()["summary"]["errors"], 0);
}

#[test]
fn as_of_reads_the_register_as_it_stood() {
    let env = TestEnv::git();
    walk_to_designated(&env);

    let status_on = |when: &str| {
        let run = env.crs(&["list", "--format", "json", "--as-of", when]);
        assert_eq!(run.code, 0, "{run}");
        run.json().as_array().unwrap().first().map(|r| r["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(status_on("2025-12-31"), None, "before the record existed");
    let before_history = env.crs(&["list", "--as-of", "2025-11-30"]);
    assert_eq!(before_history.code, 2);
    assert!(before_history.stderr.contains("no commit on or before 2025-11-30"), "{before_history}");
    assert_eq!(status_on("2026-01-05").as_deref(), Some("draft"));
    assert_eq!(status_on("2026-02-10").as_deref(), Some("proposed"));
    assert_eq!(status_on("2026-03-05").as_deref(), Some("refused"));
    assert_eq!(status_on("2026-03-31").as_deref(), Some("referred"));
    assert_eq!(status_on("2026-12-31").as_deref(), Some("designated"));

    // A revision works as well as a date, and show and check take it too.
    let rev = env.git_cmd(&["rev-list", "-n", "1", "--before=2026-02-11", "HEAD"]);
    let show = env.crs(&["show", ID, "--as-of", rev.trim(), "--format", "json"]);
    assert_eq!(show.json()["status"], "proposed");
    let check = env.crs(&["check", "--as-of", "HEAD~3", "--format", "json"]);
    assert_eq!(check.code, 0, "{check}");

    // Nothing in the working tree was touched.
    assert!(env.git_cmd(&["status", "--porcelain"]).is_empty());

    let bad = env.crs(&["list", "--as-of", "no-such-rev"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("neither a date"), "{bad}");
}

#[test]
fn register_in_a_folder_of_a_larger_repository() {
    let (env, _) = TestEnv::in_a_larger_repository();
    std::fs::write(env.outside().join("other.txt"), "not the register\n").unwrap();
    assert!(!env.root.join(".git").exists(), "the outer repository is used");
    walk_to_designated(&env);

    let log = env.crs(&["log", ID, "--format", "json"]).json();
    assert_eq!(log.as_array().unwrap().len(), 12, "new and eleven changes");
    let whole = env.crs(&["log", "--format", "json"]).json();
    assert_eq!(whole[0]["records"][0]["record_id"], ID);
    assert_eq!(
        env.crs(&["show", ID, "--as-of", "2026-03-05", "--format", "json"]).json()["status"],
        "refused"
    );
    let files = env.git_cmd(&["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(files, "register/RJ1/maternity.toml\n");
    assert_eq!(env.git_cmd(&["status", "--porcelain", "--", "."]), "");
}

#[test]
fn log_shows_a_merged_branch_once_not_again_at_the_merge() {
    let env = TestEnv::git();
    walk_to_designated(&env);
    env.git_cmd(&["checkout", "-q", "-b", "review"]);
    env.at("2026-09-01");
    ok(&env, &["event", ID, "review-started", "--on", "2026-09-01"]);
    env.git_cmd(&["checkout", "-q", "main"]);
    env.write("notes.txt", "unrelated work on main\n");
    env.commit_all("unrelated work on main");
    env.git_cmd(&["merge", "-q", "--no-ff", "-m", "merge the review branch", "review"]);

    for args in [vec!["log", ID, "--format", "json"], vec!["log", "--format", "json"]] {
        let log = env.crs(&args).json();
        let subjects: Vec<&str> =
            log.as_array().unwrap().iter().map(|e| e["subject"].as_str().unwrap()).collect();
        assert!(!subjects.contains(&"merge the review branch"), "{args:?}: {subjects:?}");
        assert_eq!(
            subjects.iter().filter(|s| s.contains("review-started")).count(),
            1,
            "{args:?}: {subjects:?}"
        );
    }
}

/// `crs log` takes commits from git's commit-graph file when there is one: the log
/// is the same with it, without it, and with commits made since it was written,
/// through a merge, an octopus merge and a merge that changes the record itself.
#[test]
fn log_is_the_same_with_and_without_a_commit_graph() {
    let env = TestEnv::git();
    walk_to_designated(&env);
    let change = |branch: &str, file: &str, day: &str| {
        env.git_cmd(&["checkout", "-q", "-b", branch, "main"]);
        env.at(day);
        env.write(file, format!("{branch}\n"));
        env.commit_all(&format!("work on {branch}"));
        env.git_cmd(&["checkout", "-q", "main"]);
    };
    change("one", "one.txt", "2026-09-01");
    change("two", "two.txt", "2026-09-02");
    env.at("2026-09-03");
    env.git_cmd(&["merge", "-q", "--no-ff", "-m", "octopus merge", "one", "two"]);
    env.git_cmd(&["checkout", "-q", "-b", "review", "main~1"]);
    ok(&env, &["event", ID, "review-started", "--on", "2026-09-03"]);
    env.git_cmd(&["checkout", "-q", "main"]);
    env.git_cmd(&["merge", "-q", "--no-ff", "--no-commit", "review"]);
    env.write(
        &format!("{ID}.toml"),
        env.read(&format!("{ID}.toml")).replace("[review]", "# merged\n[review]"),
    );
    let record =
        env.read(&format!("{ID}.toml")) + "\n[[events]]\non = 2026-09-04\nkind = \"review-completed\"\n";
    env.write(&format!("{ID}.toml"), record);
    env.commit_all("merge the review, completing it");

    let logs = || {
        [vec!["log", ID, "--format", "json"], vec!["log", "--format", "json"]]
            .map(|args| env.crs(&args).json())
    };
    let without = logs();
    let subjects: Vec<&str> =
        without[0].as_array().unwrap().iter().map(|e| e["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects[0], "merge the review, completing it", "{subjects:?}");
    assert!(subjects.iter().any(|s| s.contains("review-started")), "{subjects:?}");

    env.git_cmd(&["commit-graph", "write", "--reachable"]);
    let graph = env.git_cmd(&["rev-parse", "--git-path", "objects/info/commit-graph"]);
    assert!(env.root.join(graph.trim()).exists(), "git wrote no commit-graph at {graph}");
    assert_eq!(logs(), without, "with a commit-graph");
    // A damaged graph is no graph: a bit changed anywhere fails its checksum.
    let path = env.root.join(graph.trim());
    let whole = std::fs::read(&path).unwrap();
    let mut damaged = whole.clone();
    damaged[whole.len() / 2] ^= 0x01;
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, &damaged).unwrap();
    assert_eq!(logs(), without, "with a damaged commit-graph");
    // A graph whose checksum holds but which gives HEAD another parent: the commit
    // itself says otherwise, and the log is read without the graph.
    let head = env.git_cmd(&["rev-parse", "HEAD"]);
    let mut lying = whole.clone();
    give_another_parent(&mut lying, head.trim());
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, &lying).unwrap();
    assert_eq!(logs(), without, "with a commit-graph that does not match the commits");

    // The true graph again, and a commit made since it was written.
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, &whole).unwrap();
    env.at("2026-09-05");
    ok(&env, &["event", ID, "review-started", "--on", "2026-09-05"]);
    let newer = logs();
    assert_eq!(newer[0].as_array().unwrap().len(), without[0].as_array().unwrap().len() + 1);
    env.git_cmd(&["config", "core.commitGraph", "false"]);
    assert_eq!(logs(), newer, "a commit made since the graph was written");
}

/// In a shallow clone the oldest commits are not there: git walks the boundary as
/// roots, and so does crs log.
#[test]
fn log_works_in_a_shallow_clone() {
    let env = TestEnv::git();
    walk_to_designated(&env);
    let full = env.crs(&["log", ID, "--format", "json"]).json();
    let clone = env.outside().join("shallow");
    let url = format!("file://{}", env.root.display());
    env.git_cmd(&["clone", "-q", "--depth", "3", &url, clone.to_str().unwrap()]);
    let run = env.crs(&["--register", clone.to_str().unwrap(), "log", ID, "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    let shallow = run.json();
    let commits = |log: &serde_json::Value| -> Vec<String> {
        log.as_array().unwrap().iter().map(|e| e["commit"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(commits(&shallow), commits(&full)[..3]);
    assert_eq!(shallow[0], full[0]);
    assert_eq!(shallow[2]["records"][0]["change"], "added", "the boundary has no parent here");
}

/// Points the first parent of `commit` in a commit-graph file at another commit of
/// the graph, and makes the checksum match again.
fn give_another_parent(graph: &mut [u8], commit: &str) {
    let be32 = |bytes: &[u8], at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    let chunk = |name: &[u8]| {
        let count = usize::from(graph[6]);
        let entry = (0..count).map(|i| 8 + i * 12).find(|at| &graph[*at..*at + 4] == name).unwrap();
        usize::try_from(u64::from_be_bytes(graph[entry + 4..entry + 12].try_into().unwrap())).unwrap()
    };
    let (fanout, lookup, data) = (chunk(b"OIDF"), chunk(b"OIDL"), chunk(b"CDAT"));
    let commits = be32(graph, fanout + 255 * 4) as usize;
    let id: Vec<u8> = (0..20).map(|i| u8::from_str_radix(&commit[2 * i..2 * i + 2], 16).unwrap()).collect();
    let position = (0..commits).find(|p| graph[lookup + p * 20..lookup + p * 20 + 20] == id[..]).unwrap();
    let parent = data + position * 36 + 20;
    let other = (be32(graph, parent) + 1) % commits as u32;
    graph[parent..parent + 4].copy_from_slice(&other.to_be_bytes());
    let body = graph.len() - 20;
    let checksum = sha1_smol::Sha1::from(&graph[..body]).digest().bytes();
    graph[body..].copy_from_slice(&checksum);
}

/// A version that could not be parsed reads as such, and the version that repairs it
/// is compared with the last one that could be read: the log does not show every
/// field removed and added again.
#[test]
fn a_version_that_could_not_be_read_says_so_and_where() {
    let env = TestEnv::new();
    let record = crate::harness::designated_record();
    env.write("RJ1/designated.toml", &record);
    env.git_init();
    let broken = record.replacen("decided_on = ", "decided_on = 2025-13-45 # ", 1);
    env.write("RJ1/designated.toml", &broken).commit_all("broken by hand");
    let line = broken.lines().position(|l| l.starts_with("decided_on")).unwrap() + 1;
    env.write("RJ1/designated.toml", record.replace("[review]", "[review]\n# checked"))
        .commit_all("repaired");
    env.write(
        "RJ1/designated.toml",
        record.replace("reference = \"", "reference = \"Minute ").replace("[review]", "[review]\n# checked"),
    )
    .commit_all("reference");

    let log = env.crs(&["log", "RJ1/designated"]);
    assert_eq!(log.code, 0, "{log}");
    let out = &log.stdout;
    assert!(out.contains(&format!("RJ1/designated could not be read (line {line}: ")), "{out}");
    let repaired = out[out.find("repaired").unwrap()..].split("\n\n").next().unwrap();
    assert_eq!(repaired.lines().count(), 2, "the repair changed nothing readable: {repaired}");
    assert!(out.contains("Decision reference changed from "), "{out}");

    let json = env.crs(&["log", "RJ1/designated", "--format", "json"]).json();
    assert_eq!(json[0]["records"][0]["fields"][0]["field"], "decision.reference");
    assert_eq!(json[2]["records"][0]["unreadable"]["line"], line);
}

/// The day of a decision is `--on` or `--decided-on` to every command that records
/// one: a review's decision as well as a designation.
#[test]
fn a_decisions_day_is_taken_as_on_or_decided_on() {
    let env = TestEnv::git();
    walk_to_designated(&env);
    env.at("2026-09-01");
    ok(&env, &["review", "start", ID, "--on", "2026-09-01"]);
    crate::harness::assess_all(&env, ID, "2026-09-02", [true, true, true, true]);
    ok(
        &env,
        &["review", "complete", ID, "--confirm", "--next-due", "2029-09-01", "--decided-on", "2026-09-03"],
    );
    let show = env.crs(&["show", ID, "--format", "json"]).json();
    let decisions = show["decisions"].as_array().unwrap();
    assert_eq!(decisions.last().unwrap()["outcome"], "confirm", "{show}");
    assert_eq!(decisions.last().unwrap()["decided_on"], "2026-09-03", "{show}");
}

/// A note with brackets of its own reads as written, set off from the sentence by a
/// colon as a stage's rationale is: never in a second pair of brackets.
#[test]
fn a_note_with_brackets_of_its_own_is_not_bracketed_again_in_the_log() {
    let env = TestEnv::git();
    walk_to_designated(&env);
    env.at("2026-09-01");
    ok(
        &env,
        &["event", ID, "review-requested", "--on", "2026-09-01", "--note", "board meeting (closed session)"],
    );
    let log = env.crs(&["log", ID, "-n", "2"]);
    assert_eq!(log.code, 0, "{log}");
    let out = &log.stdout;
    assert!(
        out.contains(
            "      A review of the designation was requested on 1 September 2026: board meeting (closed session)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "The regulator found the provider's refusal unreasonable on 4 May 2026: Regulator's letter\n"
        ),
        "every note is set off the same way: {out}"
    );
    assert!(!out.contains("(board meeting"), "{out}");
}
