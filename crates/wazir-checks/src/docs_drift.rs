//! `wazir validate docs-drift`: canonical sources (roles, workflows, skills, hook definitions)
//! changed in `--base..HEAD` without a change to a doc that describes them. A doc describes a
//! source when it is the source folder's `README.md` or a markdown file under the docs folder
//! that names the source's id (either spelling). Advisory (warnings) unless `--strict`.

use std::collections::BTreeSet;

use wazir_core::Project;

use crate::git;
use crate::report::{Problem, Report};
use crate::util::{files_with_ext, rel};

/// One canonical source changed in the range.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Source {
    /// Project-relative path.
    path: String,
    kind: &'static str,
    /// The id (file stem, skill folder or hook id).
    id: String,
    /// The kind folder, project-relative (`roles`).
    folder: String,
}

pub fn check(project: &Project, base: Option<&str>, strict: bool) -> Report {
    let mut report = Report::new("docs-drift");
    if let Err(p) = check_range(&mut report, project, base, strict) {
        report.push(*p);
    }
    report
}

/// The check itself; a problem that stops it (no repository, no range, unreadable history)
/// comes back as the error.
fn check_range(
    report: &mut Report,
    project: &Project,
    base: Option<&str>,
    strict: bool,
) -> Result<(), Box<Problem>> {
    let (git, range) = git::open_range(
        &project.root,
        base,
        None,
        "not a git repository: docs-drift compares commits, run it inside one",
        "--base",
    )?;
    let changed = git
        .changed_paths(&range)
        .map_err(|e| Problem::error(".git", e))?;
    let prefix = git
        .rel(&project.root)
        .filter(|p| !p.is_empty())
        .map(|p| format!("{p}/"))
        .unwrap_or_default();
    let changed: BTreeSet<String> = changed
        .iter()
        .filter_map(|p| p.strip_prefix(&prefix).map(str::to_string))
        .collect();

    let m = &project.manifest;
    let kinds: [(&'static str, &str); 4] = [
        ("role", &m.paths.roles),
        ("workflow", &m.paths.workflows),
        ("skill", &m.paths.skills),
        ("hook", &m.paths.hooks),
    ];
    let mut sources = Vec::new();
    for p in &changed {
        for (kind, folder) in kinds {
            let Some(rest) = p.strip_prefix(&format!("{folder}/")) else {
                continue;
            };
            if rest.eq_ignore_ascii_case("README.md") {
                continue;
            }
            let id = match kind {
                "skill" => rest.split('/').next().unwrap_or(rest).to_string(),
                "hook" => match rest.strip_prefix("definitions/") {
                    Some(f) => stem(f),
                    None => continue,
                },
                _ => stem(rest),
            };
            sources.push(Source {
                path: p.clone(),
                kind,
                id,
                folder: folder.to_string(),
            });
        }
    }

    let docs_dir = project.root.join(&m.paths.docs);
    let docs: Vec<(String, String)> = files_with_ext(&docs_dir, &[".md"], &[])
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some((rel(&project.root, &p), text))
        })
        .collect();
    for s in &sources {
        let names = |text: &str| mentions(text, &s.id);
        let readme = format!("{}/README.md", s.folder);
        let covered = changed.contains(&readme)
            || docs
                .iter()
                .any(|(d, text)| changed.contains(d) && names(text));
        if covered {
            continue;
        }
        let describing: Vec<&str> = docs
            .iter()
            .filter(|(_, t)| names(t))
            .map(|(d, _)| d.as_str())
            .collect();
        let advice = if describing.is_empty() {
            format!(
                "no doc under {}/ names `{}` yet: describe it there",
                m.paths.docs, s.id
            )
        } else {
            format!("review and update {}", describing.join(", "))
        };
        let msg = format!(
            "the {} `{}` changed in {} but no doc describing it changed: {advice}",
            s.kind,
            s.id,
            range.label()
        );
        report.push(if strict {
            Problem::error(&s.path, msg)
        } else {
            Problem::warning(&s.path, msg)
        });
    }
    report.summary = format!(
        "{} canonical sources changed in {}{}",
        sources.len(),
        range.label(),
        if strict { "" } else { " (advisory)" }
    );
    Ok(())
}

fn stem(f: &str) -> String {
    let name = f.rsplit('/').next().unwrap_or(f);
    name.split('.').next().unwrap_or(name).to_string()
}

/// Whether `text` names `id` as a whole word, in either the hyphen or the underscore spelling.
fn mentions(text: &str, id: &str) -> bool {
    let hy = id.replace('_', "-");
    let us = id.replace('-', "_");
    [hy, us].iter().any(|needle| {
        text.match_indices(needle.as_str()).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + needle.len()..].chars().next();
            let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
            !before.is_some_and(word) && !after.is_some_and(word)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn whole_word_either_spelling() {
        assert!(mentions("the spec-challenge gate", "spec_challenge"));
        assert!(mentions("`plan`", "plan"));
        assert!(!mentions("plan-review only", "plan"));
        assert!(!mentions("planner", "plan"));
    }
}
