//! The checks behind `wazir validate …` and `wazir doctor`. Each check returns a [`Report`]: a
//! list of problems, each naming the file, the line where there is one, the field or rule, and
//! what to do. [`all`] runs every check that applies to a project.

pub mod artifacts;
pub mod branches;
pub mod brand;
pub mod changelog;
pub mod codex_trust;
pub mod commits;
pub mod docs;
pub mod docs_drift;
pub mod doctor;
pub mod expertise;
pub mod git;
pub mod hooks;
pub mod manifest;
pub mod report;
pub mod runtime;
mod util;

use std::path::Path;

use serde::Serialize;

pub use report::{Problem, Report, Severity};

/// Every check `validate all` knows, in the order it runs them.
pub const CHECKS: [&str; 11] = [
    "manifest",
    "hooks",
    "docs",
    "brand",
    "runtime",
    "branches",
    "commits",
    "changelog",
    "docs-drift",
    "artifacts",
    "expertise",
];

/// One row of `validate all`.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub check: String,
    /// `ok`, `failed` or `skipped`.
    pub result: String,
    /// The first problem (or, for a skipped check, why it was skipped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_problem: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
}

/// What `validate all` found.
#[derive(Debug, Clone, Serialize)]
pub struct AllReport {
    pub ok: bool,
    pub checks: Vec<Row>,
}

/// Runs every check that applies to the project at `root`: those listed in the manifest's
/// `validation_checks` (every check when the list is empty); the git checks only inside a git
/// repository, the changelog check only when there is a changelog. `cli` is the binary's command
/// tree, for the docs check.
pub fn all(root: &Path, cli: &clap::Command, state_root_flag: Option<&Path>) -> AllReport {
    let mut rows = Vec::new();
    let manifest = manifest::check(root);
    rows.push(row(manifest));
    // A manifest with problems (a missing folder, say) can still be read; the other checks run
    // unless it cannot be read at all.
    let Ok(project) = wazir_core::Project::open(root) else {
        for c in &CHECKS[1..] {
            rows.push(skipped(c, "the manifest cannot be read; fix it first"));
        }
        return finish(rows);
    };
    let wanted = &project.manifest.validation_checks;
    let in_git = git::Git::discover(root).is_some();
    let runs = |c: &str| wanted.is_empty() || wanted.iter().any(|w| w == c);
    // The expertise check loads the o200k tokenizer, the slowest step of all: start it first on
    // its own thread and run the other checks meanwhile.
    std::thread::scope(|scope| {
        let expertise = runs("expertise").then(|| scope.spawn(|| expertise::check(&project)));
        for &c in &CHECKS[1..] {
            if !runs(c) {
                rows.push(skipped(c, "not listed in validation_checks"));
                continue;
            }
            let needs_git = matches!(c, "branches" | "commits" | "changelog" | "docs-drift");
            if needs_git && !in_git {
                rows.push(skipped(c, "not a git repository"));
                continue;
            }
            let report = match c {
                "hooks" => hooks::check(&project),
                "docs" => docs::check(&project, cli),
                "brand" => brand::check(&project),
                "runtime" => runtime::check(&project, state_root_flag),
                "branches" => branches::check(root, None),
                "commits" => commits::check(root, None, None),
                "changelog" => {
                    if !changelog::locate(&project).is_file() {
                        rows.push(skipped(c, "no changelog"));
                        continue;
                    }
                    changelog::check(&project, &changelog::Options::default())
                }
                "docs-drift" => docs_drift::check(&project, None, false),
                "artifacts" => artifacts::check_examples(&project),
                _ => continue,
            };
            rows.push(row(report));
        }
        if let Some(handle) = expertise {
            let report = handle.join().unwrap_or_else(|_| {
                let mut r = Report::new("expertise");
                r.push(Problem::error(
                    &project.manifest.paths.expertise,
                    "the expertise check stopped unexpectedly; run `wazir validate expertise` \
                     alone to see why",
                ));
                r
            });
            rows.push(row(report));
        }
    });
    finish(rows)
}

fn finish(rows: Vec<Row>) -> AllReport {
    AllReport {
        ok: rows.iter().all(|r| r.result != "failed"),
        checks: rows,
    }
}

fn row(report: Report) -> Row {
    let first = report
        .errors()
        .next()
        .or_else(|| report.problems.first())
        .map(|p| p.to_string());
    Row {
        check: report.check.clone(),
        result: if report.ok { "ok" } else { "failed" }.to_string(),
        first_problem: first,
        report: Some(report),
    }
}

fn skipped(check: &str, why: &str) -> Row {
    Row {
        check: check.to_string(),
        result: "skipped".to_string(),
        first_problem: Some(why.to_string()),
        report: None,
    }
}
