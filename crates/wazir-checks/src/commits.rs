//! `wazir validate commits`: every commit of `--base..--head` is a Conventional Commit
//! (`type(scope)!: description`, with a known type). Merge commits and git's own revert subjects
//! are passed over; every offending commit is shown with its hash and subject.

use std::path::Path;

use crate::git;
use crate::report::{Problem, Report};

/// The commit types accepted (the Conventional Commits set used by commitlint's conventional
/// configuration).
pub const TYPES: &[&str] = &[
    "build", "chore", "ci", "docs", "feat", "fix", "perf", "refactor", "revert", "style", "test",
];

/// Checks the commits of the range in the repository holding `root`.
pub fn check(root: &Path, base: Option<&str>, head: Option<&str>) -> Report {
    let mut report = Report::new("commits");
    if let Err(p) = check_range(&mut report, root, base, head) {
        report.push(*p);
    }
    report
}

/// The check itself; a problem that stops it (no repository, no range, unreadable history)
/// comes back as the error.
fn check_range(
    report: &mut Report,
    root: &Path,
    base: Option<&str>,
    head: Option<&str>,
) -> Result<(), Box<Problem>> {
    let (git, range) = git::open_range(
        root,
        base,
        head,
        "not a git repository: run the check inside one",
        "--base/--head",
    )?;
    let commits = git.commits(&range).map_err(|e| Problem::error(".git", e))?;
    let mut checked = 0;
    for c in &commits {
        if c.parents > 1 || c.subject.starts_with("Revert \"") {
            continue;
        }
        checked += 1;
        if let Err(why) = commit_problem(&c.message) {
            report.push(Problem::error(
                format!("commit {}", c.short()),
                format!(
                    "\"{}\" is not a Conventional Commit: {why}; reword it with \
                     `git rebase -i` (e.g. `fix(parser): handle empty input`)",
                    c.subject
                ),
            ));
        }
    }
    report.summary = format!("{checked} commits in {}", range.label());
    Ok(())
}

/// `Ok` when `message` is a Conventional Commit with a known type; else why not.
pub fn commit_problem(message: &str) -> Result<(), String> {
    let subject = message.lines().next().unwrap_or("");
    if subject.starts_with("fixup!") || subject.starts_with("squash!") {
        return Err("it is a fixup or squash commit; squash it before merging".into());
    }
    let parsed = git_conventional::Commit::parse(message.trim()).map_err(|e| {
        let e = e.to_string();
        let mut chars = e.trim_end_matches('.').chars();
        match chars.next() {
            Some(c) => c.to_lowercase().chain(chars).collect(),
            None => String::from("not in `type: description` form"),
        }
    })?;
    let ty = parsed.type_().as_str().to_ascii_lowercase();
    if !TYPES.contains(&ty.as_str()) {
        return Err(format!(
            "the type `{}` is not one of {}",
            parsed.type_(),
            TYPES.join(", ")
        ));
    }
    if parsed.description().trim().is_empty() {
        return Err("the description after `: ` is empty".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::commit_problem;

    #[test]
    fn conventional_or_not() {
        assert!(commit_problem("feat(cli): add doctor").is_ok());
        assert!(commit_problem("fix!: drop the old flag\n\nBREAKING CHANGE: gone").is_ok());
        assert!(commit_problem("Add doctor").is_err());
        assert!(commit_problem("feature: add doctor").is_err());
        assert!(commit_problem("fixup! feat: x").is_err());
    }
}
