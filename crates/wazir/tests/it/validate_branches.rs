//! `wazir validate branches` in real git repositories: the checked-out branch or `--branch`
//! against the git-flow patterns.

use crate::support::validate as support;

use support::*;

const ALLOWED: &str =
    "use main or develop or <prefix>/<name> with prefix feature, fix, hotfix, release, chore, docs";

#[test]
fn main_and_a_feature_branch_pass() {
    let f = git_fixture(&[]);
    let (code, out, err) = f.run(&["validate", "branches"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("branches: ok (`main` fits the git-flow patterns)"),
        "{out}"
    );
    f.git(&["checkout", "-q", "-b", "feature/add-login"]);
    let (code, out, _) = f.run(&["validate", "branches"]);
    assert_eq!(code, 0);
    assert!(out.contains("`feature/add-login` fits"), "{out}");
}

#[test]
fn a_checked_out_branch_without_a_prefix_fails() {
    let f = git_fixture(&[]);
    f.git(&["checkout", "-q", "-b", "wip-stuff"]);
    assert_one_error(
        f.run(&["validate", "branches"]),
        &format!("branch wip-stuff: `wip-stuff` does not fit the git-flow patterns: {ALLOWED}"),
    );
}

#[test]
fn an_unknown_prefix_given_with_branch_fails() {
    let f = git_fixture(&[]);
    assert_one_error(
        f.run(&["validate", "branches", "--branch", "feat/login"]),
        &format!(
            "branch feat/login: `feat/login` has the prefix `feat/`, which is not a git-flow prefix: {ALLOWED}"
        ),
    );
}

#[test]
fn an_upper_case_name_fails() {
    let f = git_fixture(&[]);
    f.git(&["checkout", "-q", "-b", "fix/Login-Crash"]);
    assert_one_error(
        f.run(&["validate", "branches"]),
        "branch fix/Login-Crash: `fix/Login-Crash` has an invalid name after `fix/`: use lower-case \
         letters, digits, `.`, `_` and `-`, starting with a letter or digit (e.g. `fix/add-login`)",
    );
}

#[test]
fn a_detached_head_warns_or_reads_the_ci_branch() {
    let f = git_fixture(&[]);
    f.git(&["checkout", "-q", "--detach"]);
    let (code, _, err) = f.run(&["validate", "branches"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        warnings(&err),
        vec![
            "HEAD: HEAD is detached, so there is no branch name to check: pass --branch NAME"
                .to_string()
        ]
    );
    let out = f
        .wazir()
        .env("GITHUB_HEAD_REF", "topic")
        .args(["validate", "branches"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("error: branch topic: `topic` does not fit")
    );
}
