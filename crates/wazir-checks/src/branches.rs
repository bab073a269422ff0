//! `wazir validate branches`: the branch name (`--branch`, else the checked-out branch) fits the
//! git-flow patterns: `main`, `develop`, or `feature/`, `fix/`, `hotfix/`, `release/`, `chore/`,
//! `docs/` followed by a lower-case name.

use std::path::Path;

use crate::git::Git;
use crate::report::{Problem, Report};

/// Branches allowed as they are.
pub const LONG_LIVED: &[&str] = &["main", "develop"];
/// Prefixes of short-lived branches.
pub const PREFIXES: &[&str] = &["feature", "fix", "hotfix", "release", "chore", "docs"];

/// Checks `branch`, or the current branch of the repository holding `root`.
pub fn check(root: &Path, branch: Option<&str>) -> Report {
    let mut report = Report::new("branches");
    let name = match branch {
        Some(b) => b.to_string(),
        None => {
            let Some(git) = Git::discover(root) else {
                report.push(Problem::error(
                    ".git",
                    "not a git repository: run the check inside one, or pass --branch NAME",
                ));
                return report;
            };
            match git.current_branch() {
                Ok(Some(b)) => b,
                Ok(None) => match ci_branch() {
                    Some(b) => b,
                    None => {
                        report.push(Problem::warning(
                            "HEAD",
                            "HEAD is detached, so there is no branch name to check: pass \
                             --branch NAME",
                        ));
                        report.summary = "detached HEAD, nothing checked".into();
                        return report;
                    }
                },
                Err(e) => {
                    report.push(Problem::error(".git", e));
                    return report;
                }
            }
        }
    };
    if let Err(why) = branch_problem(&name) {
        report.push(Problem::error(
            format!("branch {name}"),
            format!("`{name}` {why}"),
        ));
    }
    report.summary = format!("`{name}` fits the git-flow patterns");
    report
}

/// The branch name a CI system reports for a detached checkout.
fn ci_branch() -> Option<String> {
    ["GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
}

/// `Ok` when `name` fits; else what is wrong and what would fit.
pub fn branch_problem(name: &str) -> Result<(), String> {
    if LONG_LIVED.contains(&name) {
        return Ok(());
    }
    let allowed = || {
        format!(
            "use {} or <prefix>/<name> with prefix {}",
            LONG_LIVED.join(" or "),
            PREFIXES.join(", ")
        )
    };
    let Some((prefix, rest)) = name.split_once('/') else {
        return Err(format!("does not fit the git-flow patterns: {}", allowed()));
    };
    if !PREFIXES.contains(&prefix) {
        return Err(format!(
            "has the prefix `{prefix}/`, which is not a git-flow prefix: {}",
            allowed()
        ));
    }
    let segment_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && s.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            })
            && !s.contains("..")
            && !s.ends_with(['.', '-'])
    };
    if rest.split('/').all(segment_ok) {
        Ok(())
    } else {
        Err(format!(
            "has an invalid name after `{prefix}/`: use lower-case letters, digits, `.`, `_` and \
             `-`, starting with a letter or digit (e.g. `{prefix}/add-login`)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::branch_problem;

    #[test]
    fn patterns() {
        for ok in [
            "main",
            "develop",
            "feature/add-login",
            "release/1.2.0",
            "fix/a/b",
        ] {
            assert!(branch_problem(ok).is_ok(), "{ok}");
        }
        for bad in [
            "master",
            "feat/x",
            "feature/",
            "feature/Add",
            "wip",
            "docs/x..y",
        ] {
            assert!(branch_problem(bad).is_err(), "{bad}");
        }
    }
}
