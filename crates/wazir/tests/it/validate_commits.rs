//! `wazir validate commits` in real git repositories with real commits: every commit of the range
//! must be a Conventional Commit; offenders are named by hash and subject.

use crate::support::validate as support;

use support::*;

fn branch_with(messages: &[&str]) -> (Fixture, Vec<String>) {
    let f = git_fixture(&[]);
    f.git(&["checkout", "-q", "-b", "feature/work"]);
    let mut ids = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        ids.push(f.commit(&[(&format!("src/f{i}.txt"), m)], m));
    }
    (f, ids)
}

fn short(id: &str) -> &str {
    &id[..10]
}

const REWORD: &str = "reword it with `git rebase -i` (e.g. `fix(parser): handle empty input`)";

#[test]
fn conventional_commits_pass() {
    let (f, _) = branch_with(&[
        "feat(cli): add doctor",
        "fix: handle an empty manifest",
        "docs!: rename the guide",
    ]);
    let (code, out, err) = f.run(&["validate", "commits", "--base", "main"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("commits: ok (3 commits in main..HEAD)"),
        "{out}"
    );
}

#[test]
fn a_plain_subject_is_named_by_hash_and_subject() {
    let (f, ids) = branch_with(&["feat: add doctor", "Add more stuff"]);
    assert_one_error(
        f.run(&["validate", "commits", "--base", "main", "--head", "HEAD"]),
        &format!(
            "commit {}: \"Add more stuff\" is not a Conventional Commit: missing type in the commit \
             summary, expected `type: description`; {REWORD}",
            short(&ids[1])
        ),
    );
}

#[test]
fn an_unknown_type_and_a_fixup_fail() {
    let (f, ids) = branch_with(&["feature: add doctor", "fix: ok", "fixup! fix: ok"]);
    let (code, _, err) = f.run(&["validate", "commits", "--base", "main"]);
    assert_eq!(code, 1);
    assert_eq!(
        errors(&err),
        vec![
            format!(
                "commit {}: \"feature: add doctor\" is not a Conventional Commit: the type `feature` is \
                 not one of build, chore, ci, docs, feat, fix, perf, refactor, revert, style, test; {REWORD}",
                short(&ids[0])
            ),
            format!(
                "commit {}: \"fixup! fix: ok\" is not a Conventional Commit: it is a fixup or squash \
                 commit; squash it before merging; {REWORD}",
                short(&ids[2])
            ),
        ]
    );
}

#[test]
fn only_the_range_is_checked_and_merges_are_passed_over() {
    let f = git_fixture(&[]);
    f.commit(&[("old.txt", "x")], "an old commit before the convention");
    let base = f.git(&["rev-parse", "HEAD"]).trim().to_string();
    f.git(&["checkout", "-q", "-b", "feature/a"]);
    f.commit(&[("a.txt", "a")], "feat: a");
    f.git(&["checkout", "-q", "main"]);
    f.commit(&[("b.txt", "b")], "fix: b");
    f.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'feature/a'",
        "feature/a",
    ]);
    let (code, out, err) = f.run(&["validate", "commits", "--base", &base]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("commits: ok (2 commits in"), "{out}");
    let (code, _, err) = f.run(&["validate", "commits", "--base", "no-such-branch"]);
    assert_eq!(code, 1);
    assert!(
        errors(&err)[0].starts_with("--base/--head: `no-such-branch` does not name a commit"),
        "{err}"
    );
}

#[test]
fn without_base_on_main_the_last_commit_is_checked() {
    let f = git_fixture(&[]);
    let id = f.commit(&[("a.txt", "a")], "Update a.txt");
    assert_one_error(
        f.run(&["validate", "commits"]),
        &format!(
            "commit {}: \"Update a.txt\" is not a Conventional Commit: missing type in the commit \
             summary, expected `type: description`; {REWORD}",
            short(&id)
        ),
    );
}
