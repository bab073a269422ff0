//! `wazir validate changelog`: `CHANGELOG.md` follows Keep a Changelog 1.1.0: a `# Changelog`
//! title, an `## [Unreleased]` section first, releases as `## [X.Y.Z] - YYYY-MM-DD` newest first,
//! and change groups only from Added, Changed, Deprecated, Removed, Fixed, Security. With
//! `--require-entries`, commits since `--base` must come with a new `[Unreleased]` entry.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use regex::Regex;
use wazir_core::Project;

use crate::git::Git;
use crate::report::{Problem, Report};
use crate::util::rel;

/// The change groups Keep a Changelog defines.
pub const GROUPS: &[&str] = &[
    "Added",
    "Changed",
    "Deprecated",
    "Removed",
    "Fixed",
    "Security",
];

/// Options of the changelog check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub require_entries: bool,
    pub base: Option<String>,
}

/// The changelog of `project`: the manifest's `versioning_policy.changelog` (default
/// `CHANGELOG.md`) under the project root, else under the top of the git working tree.
pub fn locate(project: &Project) -> PathBuf {
    let name = project
        .manifest
        .versioning_policy
        .changelog
        .clone()
        .unwrap_or_else(|| "CHANGELOG.md".into());
    let local = project.root.join(&name);
    if local.is_file() {
        return local;
    }
    if let Some(git) = Git::discover(&project.root) {
        let top = git.workdir.join(&name);
        if top.is_file() {
            return top;
        }
    }
    local
}

pub fn check(project: &Project, opts: &Options) -> Report {
    let mut report = Report::new("changelog");
    let path = locate(project);
    let file = rel(&project.root, &path);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(_) => {
            report.push(Problem::error(
                &file,
                "no changelog: create it with a `# Changelog` title and an `## [Unreleased]` \
                 section (https://keepachangelog.com/en/1.1.0/)",
            ));
            return report;
        }
    };
    let parsed = parse(&text);
    for (line, msg) in &parsed.problems {
        report.push(Problem::error(&file, msg.clone()).at(Some(*line), None));
    }
    if opts.require_entries {
        require_entries(
            &mut report,
            project,
            &path,
            &file,
            &parsed,
            opts.base.as_deref(),
        );
    }
    report.summary = format!(
        "{} releases, {} unreleased entries",
        parsed.releases,
        parsed.unreleased.len()
    );
    report
}

/// What the structure check found.
#[derive(Debug, Default)]
pub struct Parsed {
    /// (line, message) of every structural problem.
    pub problems: Vec<(u64, String)>,
    /// The bullet lines of `[Unreleased]`, trimmed.
    pub unreleased: BTreeSet<String>,
    pub releases: usize,
}

/// Checks the structure of a changelog's text.
pub fn parse(text: &str) -> Parsed {
    let release_re = Regex::new(
        r"^## \[(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\] - (\d{4}-\d{2}-\d{2})( \[YANKED\])?\s*$",
    )
    .unwrap();
    let mut p = Parsed::default();
    let mut title = false;
    let mut section: Option<String> = None;
    let mut seen_unreleased = false;
    let mut last: Option<(Vec<u64>, String, u64)> = None; // version, date, line
    let mut in_fence = false;
    for (i, line) in text.lines().enumerate() {
        let no = i as u64 + 1;
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if let Some(t) = line.strip_prefix("# ") {
            if title {
                p.problems
                    .push((no, "a second `# ` title: keep one `# Changelog`".into()));
            } else if !t.trim().eq_ignore_ascii_case("changelog") {
                p.problems.push((
                    no,
                    format!("the title is `{}`: use `# Changelog`", t.trim()),
                ));
            }
            title = true;
            continue;
        }
        if let Some(h) = line.strip_prefix("## ") {
            if !title {
                p.problems.push((
                    no,
                    "a section before the `# Changelog` title: add the title first".into(),
                ));
                title = true;
            }
            let h = h.trim();
            if h == "[Unreleased]" {
                if seen_unreleased {
                    p.problems
                        .push((no, "a second `## [Unreleased]` section: merge them".into()));
                } else if p.releases > 0 {
                    p.problems.push((
                        no,
                        "`## [Unreleased]` must come before every release section".into(),
                    ));
                }
                seen_unreleased = true;
                section = Some("Unreleased".into());
            } else if let Some(c) = release_re.captures(line) {
                p.releases += 1;
                let version: Vec<u64> = c[1]
                    .split(['.', '-'])
                    .take(3)
                    .filter_map(|n| n.parse().ok())
                    .collect();
                let date = c[2].to_string();
                if !valid_date(&date) {
                    p.problems
                        .push((no, format!("`{date}` is not a real date: use YYYY-MM-DD")));
                }
                if let Some((lv, ld, ll)) = &last {
                    if version >= *lv {
                        p.problems.push((
                            no,
                            format!(
                                "release {} is listed below an older or equal release (line {ll}): list releases newest first",
                                &c[1]
                            ),
                        ));
                    } else if date > *ld {
                        p.problems.push((
                            no,
                            format!("release {} is dated after the release above it (line {ll}): check the dates", &c[1]),
                        ));
                    }
                }
                last = Some((version, date, no));
                section = Some(c[1].to_string());
            } else {
                p.problems.push((
                    no,
                    format!(
                        "`## {h}` is not a Keep a Changelog section: use `## [Unreleased]` or \
                         `## [X.Y.Z] - YYYY-MM-DD`"
                    ),
                ));
                section = None;
            }
            continue;
        }
        if let Some(g) = line.strip_prefix("### ") {
            if section.is_none() {
                p.problems
                    .push((no, format!("`### {}` outside a version section", g.trim())));
            }
            if !GROUPS.contains(&g.trim()) {
                p.problems.push((
                    no,
                    format!(
                        "`### {}` is not a change group: use one of {}",
                        g.trim(),
                        GROUPS.join(", ")
                    ),
                ));
            }
            continue;
        }
        let t = line.trim_start();
        if section.as_deref() == Some("Unreleased") && (t.starts_with("- ") || t.starts_with("* "))
        {
            p.unreleased.insert(t[2..].trim().to_string());
        }
    }
    if !title {
        p.problems
            .push((1, "no `# Changelog` title: start the file with it".into()));
    }
    if !seen_unreleased {
        p.problems.push((
            1,
            "no `## [Unreleased]` section: add one above the releases for changes not yet released"
                .into(),
        ));
    }
    p
}

fn valid_date(d: &str) -> bool {
    let parts: Vec<u32> = d.split('-').filter_map(|x| x.parse().ok()).collect();
    let [y, m, day] = parts[..] else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    day >= 1 && day <= days
}

fn require_entries(
    report: &mut Report,
    project: &Project,
    path: &Path,
    file: &str,
    parsed: &Parsed,
    base: Option<&str>,
) {
    let Some(git) = Git::discover(&project.root) else {
        report.push(Problem::error(
            ".git",
            "--require-entries needs a git repository to compare against --base",
        ));
        return;
    };
    let range = match git.range(base, None) {
        Ok(r) => r,
        Err(e) => {
            report.push(Problem::error("--base", e));
            return;
        }
    };
    let commits = match git.commits(&range) {
        Ok(c) => c,
        Err(e) => {
            report.push(Problem::error(".git", e));
            return;
        }
    };
    if commits.is_empty() {
        return;
    }
    let before = match git.rel(path) {
        Some(r) => match git.file_at(range.base, &r) {
            Ok(t) => t.unwrap_or_default(),
            Err(_) => String::new(),
        },
        None => String::new(),
    };
    let old = parse(&before).unreleased;
    let added: Vec<&String> = parsed.unreleased.difference(&old).collect();
    if added.is_empty() {
        report.push(Problem::error(
            file,
            format!(
                "{} commit(s) in {} but no new entry under `## [Unreleased]`: add a line saying \
                 what changed for users",
                commits.len(),
                range.label()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_changelog_has_no_problems() {
        let t = "# Changelog\n\n## [Unreleased]\n\n### Added\n- a thing\n\n## [1.1.0] - 2026-02-01\n\n### Fixed\n- b\n\n## [1.0.0] - 2026-01-01\n";
        let p = parse(t);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.releases, 2);
        assert!(p.unreleased.contains("a thing"));
    }

    #[test]
    fn order_dates_and_groups() {
        let t = "# Changelog\n## [Unreleased]\n### Misc\n## [1.0.0] - 2026-01-01\n## [1.1.0] - 2026-02-30\n";
        let p = parse(t);
        let msgs: Vec<String> = p.problems.iter().map(|(l, m)| format!("{l}:{m}")).collect();
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("3:") && m.contains("Misc")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("5:") && m.contains("not a real date")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("5:") && m.contains("newest first")),
            "{msgs:?}"
        );
    }
}
