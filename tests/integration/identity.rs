//! Who a crs commit names, compared with what `git var GIT_AUTHOR_IDENT` and
//! `GIT_COMMITTER_IDENT` say in the same set-up: every place git reads its
//! configuration from, includes, the environment variables, and no HOME.

use std::fs;

use crate::harness::{TestEnv, designated_record};

const ID: &str = "RJ1/designated";

/// The identity variables the harness sets, all removed in these tests.
const IDENTITY_VARS: &[&str] =
    &["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"];

/// A register with one committed record, to which `crs event` can add.
fn register() -> TestEnv {
    let env = TestEnv::git();
    env.write("RJ1/designated.toml", designated_record());
    env.commit_all("a record");
    env
}

/// One set-up: files to write (`~` is the test's HOME, `@` the temp dir, which is
/// `{TMP}` in their contents), the
/// variables to set and those to remove beyond the identity variables.
struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    set: &'static [(&'static str, &'static str)],
    unset: &'static [&'static str],
    /// `git config` arguments run in the repository first.
    local: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "GIT_CONFIG_GLOBAL names the global file",
        files: &[("@/global.cfg", "[user]\n\tname = Gail Global\n\temail = gail@icb.example\n")],
        set: &[("GIT_CONFIG_GLOBAL", "@/global.cfg")],
        unset: &[],
        local: &[],
    },
    Case {
        name: "GIT_CONFIG_GLOBAL wins over ~/.gitconfig",
        files: &[
            ("@/global.cfg", "[user]\n\tname = Gail Global\n\temail = gail@icb.example\n"),
            ("~/.gitconfig", "[user]\n\tname = Hugh Home\n\temail = hugh@icb.example\n"),
        ],
        set: &[("GIT_CONFIG_GLOBAL", "@/global.cfg")],
        unset: &[],
        local: &[],
    },
    Case {
        name: "~/.gitconfig",
        files: &[("~/.gitconfig", "[user]\n\tname = Hugh Home\n\temail = hugh@icb.example\n")],
        set: &[],
        unset: &["GIT_CONFIG_GLOBAL"],
        local: &[],
    },
    Case {
        name: "~/.config/git/config, overridden by ~/.gitconfig",
        files: &[
            ("~/.config/git/config", "[user]\n\tname = Xena Xdg\n\temail = xena@icb.example\n"),
            ("~/.gitconfig", "[user]\n\temail = hugh@icb.example\n"),
        ],
        set: &[],
        unset: &["GIT_CONFIG_GLOBAL"],
        local: &[],
    },
    Case {
        name: "$XDG_CONFIG_HOME/git/config",
        files: &[
            ("@/xdg/git/config", "[user]\n\tname = Xena Xdg\n\temail = xena@icb.example\n"),
            ("~/.config/git/config", "[user]\n\tname = Not Read\n"),
        ],
        set: &[("XDG_CONFIG_HOME", "@/xdg")],
        unset: &["GIT_CONFIG_GLOBAL"],
        local: &[],
    },
    Case {
        name: "HOME unset: XDG_CONFIG_HOME is still read",
        files: &[("@/xdg/git/config", "[user]\n\tname = Xena Xdg\n\temail = xena@icb.example\n")],
        set: &[("XDG_CONFIG_HOME", "@/xdg")],
        unset: &["GIT_CONFIG_GLOBAL", "HOME"],
        local: &[],
    },
    Case {
        name: "HOME unset with GIT_CONFIG_GLOBAL",
        files: &[("@/global.cfg", "[user]\n\tname = Gail Global\n\temail = gail@icb.example\n")],
        set: &[("GIT_CONFIG_GLOBAL", "@/global.cfg")],
        unset: &["HOME"],
        local: &[],
    },
    Case {
        name: "GIT_CONFIG_SYSTEM, under the global file",
        files: &[
            ("@/system.cfg", "[user]\n\tname = Sam System\n\temail = sam@icb.example\n"),
            ("@/global.cfg", "[user]\n\temail = gail@icb.example\n"),
        ],
        set: &[("GIT_CONFIG_SYSTEM", "@/system.cfg"), ("GIT_CONFIG_GLOBAL", "@/global.cfg")],
        unset: &["GIT_CONFIG_NOSYSTEM"],
        local: &[],
    },
    Case {
        name: "GIT_CONFIG_NOSYSTEM skips the system file",
        files: &[
            ("@/system.cfg", "[user]\n\tname = Sam System\n\temail = sam@icb.example\n"),
            ("@/global.cfg", "[user]\n\tname = Gail Global\n\temail = gail@icb.example\n"),
        ],
        set: &[("GIT_CONFIG_SYSTEM", "@/system.cfg"), ("GIT_CONFIG_GLOBAL", "@/global.cfg")],
        unset: &[],
        local: &[],
    },
    Case {
        name: "the repository's config wins over the global file",
        files: &[("@/global.cfg", "[user]\n\tname = Gail Global\n\temail = gail@icb.example\n")],
        set: &[("GIT_CONFIG_GLOBAL", "@/global.cfg")],
        unset: &[],
        local: &["user.name", "Rita Repo"],
    },
    Case {
        name: "include.path, relative to the including file",
        files: &[
            ("@/global.cfg", "[user]\n\tname = Gail Global\n[include]\n\tpath = inc/me.cfg\n"),
            ("@/inc/me.cfg", "[user]\n\tname = Ivy Include\n\temail = ivy@icb.example\n"),
        ],
        set: &[("GIT_CONFIG_GLOBAL", "@/global.cfg")],
        unset: &[],
        local: &[],
    },
    Case {
        name: "includeIf gitdir: with a trailing slash, ~ in its path, and one that does not match",
        files: &[
            (
                "~/.gitconfig",
                "[user]\n\tname = Hugh Home\n\temail = hugh@icb.example\n\
                 [includeIf \"gitdir:{TMP}/\"]\n\tpath = ~/work.cfg\n\
                 [includeIf \"gitdir:/nowhere/\"]\n\tpath = ~/nowhere.cfg\n",
            ),
            ("~/work.cfg", "[user]\n\temail = hugh@work.icb.example\n"),
            ("~/nowhere.cfg", "[user]\n\tname = Never Included\n"),
        ],
        set: &[],
        unset: &["GIT_CONFIG_GLOBAL"],
        local: &[],
    },
    Case {
        name: "includeIf gitdir: relative pattern and gitdir/i:",
        files: &[
            (
                "@/global.cfg",
                "[user]\n\tname = Gail Global\n\temail = gail@icb.example\n\
                 [includeIf \"gitdir:register/\"]\n\tpath = reg.cfg\n\
                 [includeIf \"gitdir/i:REGISTER/.GIT\"]\n\tpath = case.cfg\n",
            ),
            ("@/reg.cfg", "[user]\n\tname = Rex Relative\n"),
            ("@/case.cfg", "[user]\n\temail = rex@case.icb.example\n"),
        ],
        set: &[("GIT_CONFIG_GLOBAL", "@/global.cfg")],
        unset: &[],
        local: &[],
    },
    Case {
        name: "includeIf onbranch:",
        files: &[
            (
                "@/global.cfg",
                "[user]\n\tname = Gail Global\n\temail = gail@icb.example\n\
                 [includeIf \"onbranch:ma*\"]\n\tpath = main.cfg\n",
            ),
            ("@/main.cfg", "[user]\n\tname = Mona Main\n"),
        ],
        set: &[("GIT_CONFIG_GLOBAL", "@/global.cfg")],
        unset: &[],
        local: &[],
    },
    Case {
        name: "GIT_AUTHOR_* and GIT_COMMITTER_* win over the configuration",
        files: &[("@/global.cfg", "[user]\n\tname = Gail Global\n\temail = gail@icb.example\n")],
        set: &[
            ("GIT_CONFIG_GLOBAL", "@/global.cfg"),
            ("GIT_AUTHOR_NAME", "Ann Env"),
            ("GIT_COMMITTER_EMAIL", "committer@icb.example"),
        ],
        unset: &[],
        local: &[],
    },
    Case {
        name: "author.* and committer.* win over user.*",
        files: &[(
            "@/global.cfg",
            "[user]\n\tname = Gail Global\n\temail = gail@icb.example\n\
             [author]\n\tname = Aldo Author\n[committer]\n\temail = cora@icb.example\n",
        )],
        set: &[("GIT_CONFIG_GLOBAL", "@/global.cfg")],
        unset: &[],
        local: &[],
    },
    Case {
        name: "EMAIL when user.email is not set",
        files: &[("@/global.cfg", "[user]\n\tname = Gail Global\n")],
        set: &[("GIT_CONFIG_GLOBAL", "@/global.cfg"), ("EMAIL", "gail@mail.icb.example")],
        unset: &[],
        local: &[],
    },
    Case {
        name: "user.email wins over EMAIL",
        files: &[("@/global.cfg", "[user]\n\tname = Gail Global\n\temail = gail@icb.example\n")],
        set: &[("GIT_CONFIG_GLOBAL", "@/global.cfg"), ("EMAIL", "other@icb.example")],
        unset: &[],
        local: &[],
    },
    Case {
        name: "GIT_CONFIG_COUNT pairs win over files",
        files: &[("@/global.cfg", "[user]\n\tname = Gail Global\n\temail = gail@icb.example\n")],
        set: &[
            ("GIT_CONFIG_GLOBAL", "@/global.cfg"),
            ("GIT_CONFIG_COUNT", "1"),
            ("GIT_CONFIG_KEY_0", "user.name"),
            ("GIT_CONFIG_VALUE_0", "Cody Count"),
        ],
        unset: &[],
        local: &[],
    },
    Case {
        name: "quoting, comments and what git trims",
        files: &[(
            "@/global.cfg",
            "# comment\n[user]\n\tname = \"  'Quinn \\\"Q\\\" Quote',\" ; trailing\n\temail = <quinn@icb.example>\n",
        )],
        set: &[("GIT_CONFIG_GLOBAL", "@/global.cfg")],
        unset: &[],
        local: &[],
    },
];

/// `git var NAME` without its date: "Name <email>".
fn git_var(env: &TestEnv, name: &str, set: &[(&str, &str)], unset: &[&str]) -> String {
    let run = env.git_in(&["var", name], set, unset);
    assert_eq!(run.code, 0, "git var {name}: {run}");
    let line = run.stdout.trim_end();
    let person = line.rsplitn(3, ' ').nth(2).unwrap_or_else(|| panic!("no date in {line:?}"));
    person.to_owned()
}

#[test]
fn crs_commits_as_git_var_says_in_every_set_up() {
    let mut problems = Vec::new();
    for case in CASES {
        let env = register();
        let here = |path: &str| {
            let tmp = env.outside().display().to_string();
            match (path.strip_prefix("~/"), path.strip_prefix("@/")) {
                (Some(rest), _) => format!("{tmp}/home/{rest}"),
                (_, Some(rest)) => format!("{tmp}/{rest}"),
                _ => path.to_owned(),
            }
        };
        for (path, contents) in case.files {
            let full = here(path);
            fs::create_dir_all(std::path::Path::new(&full).parent().unwrap()).unwrap();
            fs::write(&full, contents.replace("{TMP}", &env.outside().display().to_string())).unwrap();
        }
        if !case.local.is_empty() {
            env.git_cmd(&[&["config"], case.local].concat());
        }
        let values: Vec<(String, String)> =
            case.set.iter().map(|(k, v)| ((*k).to_owned(), here(v))).collect();
        let set: Vec<(&str, &str)> = values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let unset: Vec<&str> = case
            .unset
            .iter()
            .copied()
            .chain(IDENTITY_VARS.iter().copied().filter(|v| !case.set.iter().any(|(k, _)| k == v)))
            .collect();
        let author = git_var(&env, "GIT_AUTHOR_IDENT", &set, &unset);
        let committer = git_var(&env, "GIT_COMMITTER_IDENT", &set, &unset);
        let run = env.crs_in(&["event", ID, "review-requested"], &set, &unset);
        if run.code != 0 {
            problems.push(format!(
                "{}: crs failed where git var gives {author} / {committer}:\n{run}",
                case.name
            ));
            continue;
        }
        let crs = env.git_cmd(&["log", "-1", "--format=%an <%ae>%n%cn <%ce>"]);
        let expected = format!("{author}\n{committer}\n");
        if crs != expected {
            problems.push(format!("{}: git var says\n{expected}crs committed as\n{crs}", case.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn without_a_configured_name_crs_refuses_rather_than_take_the_account_name() {
    let env = register();
    let run = env.crs_in(&["event", ID, "review-requested"], &[("EMAIL", "x@icb.example")], IDENTITY_VARS);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("no git identity") && run.stderr.contains("--author"), "{run}");
    assert_eq!(env.commit_count(), 2, "a refused change committed something");
}

#[test]
fn author_alone_is_enough_and_is_the_committer_too() {
    let env = register();
    let run = env.crs_in(
        &["event", ID, "review-requested", "--author", "Bea Board <bea@icb.example>"],
        &[],
        IDENTITY_VARS,
    );
    assert_eq!(run.code, 0, "{run}");
    let who = env.git_cmd(&["log", "-1", "--format=%an <%ae>|%cn <%ce>"]);
    assert_eq!(who, "Bea Board <bea@icb.example>|Bea Board <bea@icb.example>\n");

    // With a git identity, the committer stays the person running crs.
    let run = env.crs(&["event", ID, "review-started", "--author", "Bea Board <bea@icb.example>"]);
    assert_eq!(run.code, 0, "{run}");
    let who = env.git_cmd(&["log", "-1", "--format=%an|%cn"]);
    assert_eq!(who, "Bea Board|Ann Analyst\n");
}
