//! `wazir validate runtime`: run state, the index and capture files live in the state root, not
//! in the repository. A repo-local state root is accepted only when git ignores it; anything that
//! looks like run state elsewhere in the project is reported.

use std::path::{Path, PathBuf};

use wazir_core::Project;

use crate::report::{Problem, Report};
use crate::util::rel;

/// Folders never searched: version control, dependencies and build output, and Python's usual
/// virtual environment.
fn skipped(name: &str) -> bool {
    wazir_core::project::NOT_SOURCE_DIRS.contains(&name) || name == ".venv"
}

/// Checks `project` with the state root resolved from `flag`, `WAZIR_STATE_ROOT` or the manifest.
pub fn check(project: &Project, flag: Option<&Path>) -> Report {
    let mut report = Report::new("runtime");
    let root = &project.root;
    let sr = match project.state_root(flag) {
        Ok(s) => s,
        Err(e) => {
            report.push(Problem::error(wazir_core::MANIFEST_FILE, e.to_string()));
            return report;
        }
    };
    let repo_local = sr.is_repo_local(root);
    let mut skip_dir: Option<PathBuf> = None;
    if repo_local {
        let r = rel(root, &sr.path);
        if sr.repo_local_is_ignored(root) {
            skip_dir = Some(sr.path.clone());
        } else {
            report.push(
                Problem::error(
                    &r,
                    format!(
                        "the state root `{r}` is inside the repository and git does not ignore \
                         it: add `{r}/` to .gitignore, or use a state root outside the \
                         repository (paths.state_root_default, --state-root or WAZIR_STATE_ROOT)"
                    ),
                )
                .field("paths.state_root_default"),
            );
        }
    }
    let found = find_state(root, skip_dir.as_deref());
    for (path, what) in &found {
        let r = rel(root, path);
        report.push(Problem::error(
            &r,
            format!(
                "{what} inside the repository: run state belongs in the state root ({}); move \
                 it there or delete it",
                sr.path.display()
            ),
        ));
    }
    report.summary = if repo_local {
        format!(
            "state root {} is repo-local and git-ignored",
            rel(root, &sr.path)
        )
    } else {
        format!("state root {} is outside the repository", sr.path.display())
    };
    report
}

/// Files and folders under `root` that look like run state, index or captures.
pub fn find_state(root: &Path, skip: Option<&Path>) -> Vec<(PathBuf, &'static str)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if skip.is_some_and(|s| dir == s) {
            continue;
        }
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut names: Vec<(String, PathBuf, bool)> = rd
            .flatten()
            .filter_map(|e| {
                let ft = e.file_type().ok()?;
                Some((
                    e.file_name().to_string_lossy().into_owned(),
                    e.path(),
                    ft.is_dir(),
                ))
            })
            .collect();
        names.sort();
        let has_status = names.iter().any(|(n, _, d)| n == "status.json" && !d);
        for (name, path, is_dir) in names {
            if is_dir {
                if name == "captures" && has_status {
                    out.push((path, "a run's captures folder"));
                } else if !skipped(&name) {
                    stack.push(path);
                }
                continue;
            }
            let what = match name.as_str() {
                "events.ndjson" => Some("a run event log (events.ndjson)"),
                "index.sqlite" | "index.sqlite-wal" | "index.sqlite-shm" => {
                    Some("a code index database")
                }
                "latest" if dir.file_name().is_some_and(|n| n == "runs") => {
                    Some("a runs/latest pointer")
                }
                _ => None,
            };
            if let Some(w) = what {
                out.push((path, w));
            }
        }
    }
    out.sort();
    out
}
