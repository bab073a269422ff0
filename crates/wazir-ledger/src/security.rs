//! The security-sensitive diff scan: the run's diff (from the commit the run started on to the
//! working tree, untracked files included) is matched against the triggers of the kit's
//! `workflows/security-triggers.yaml` (a project's own copy first). Each dimension whose path or
//! line patterns match is one the review phase must answer: its exit is refused until the
//! recorded `review` artifact lists the dimension under `security_dimensions` with an answer.

use std::path::{Path, PathBuf};

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use crate::error::{LedgerError, Result};
use crate::ledger::{ARTIFACTS_DIR, Ledger};
use crate::run_id::RunId;
use crate::worktree::WorkTree;

/// The triggers file, relative to the workflows folder (and in the embedded kit).
pub const TRIGGERS_FILE: &str = "security-triggers.yaml";
/// The phase whose exit needs the answers, and its artifact.
pub const REVIEW_PHASE: &str = "review";
const REVIEW_ARTIFACT: &str = "review";
/// Matches kept per dimension.
const MAX_HITS: usize = 5;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TriggersFile {
    version: u32,
    dimensions: Vec<TriggerDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TriggerDef {
    id: String,
    title: String,
    question: String,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    lines: Vec<String>,
}

/// One dimension with its compiled patterns.
#[derive(Debug, Clone)]
pub struct Trigger {
    pub id: String,
    pub title: String,
    pub question: String,
    paths: Vec<Regex>,
    lines: Vec<Regex>,
}

/// Where a trigger matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub path: String,
    /// Absent for a match on the path alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub text: String,
}

/// A dimension the review must answer, with what triggered it.
#[derive(Debug, Clone, Serialize)]
pub struct Dimension {
    pub id: String,
    pub title: String,
    pub question: String,
    pub hits: Vec<Hit>,
    /// Whether the recorded review answers it.
    pub answered: bool,
}

/// Reads the triggers: `file` when it exists, else the embedded kit's copy.
pub fn load_triggers(file: Option<&Path>) -> Result<Vec<Trigger>> {
    let (label, text) = match file.filter(|f| f.is_file()) {
        Some(f) => (
            f.to_path_buf(),
            std::fs::read_to_string(f)
                .map_err(|e| LedgerError::io(f, "cannot read the security triggers", e))?,
        ),
        None => {
            let rel = format!("workflows/{TRIGGERS_FILE}");
            match wazir_core::kit::text(&rel) {
                Some(t) => (PathBuf::from(format!("{rel} (embedded kit)")), t),
                None => return Ok(Vec::new()),
            }
        }
    };
    let parsed: TriggersFile = wazir_core::yaml::from_str(&label, &text, 0)
        .map_err(|e| LedgerError::Workflow(format!("{e}: fix the security triggers file")))?;
    if parsed.version != 1 {
        return Err(LedgerError::Workflow(format!(
            "{}: version {} is not supported: use `version: 1`",
            label.display(),
            parsed.version
        )));
    }
    let compile = |id: &str, p: &str| {
        RegexBuilder::new(p)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| {
                LedgerError::Workflow(format!(
                    "{}: dimension `{id}`: pattern `{p}` is not a valid regular expression ({}): \
                     fix the pattern",
                    label.display(),
                    e.to_string().lines().last().unwrap_or("invalid")
                ))
            })
    };
    parsed
        .dimensions
        .into_iter()
        .map(|d| {
            Ok(Trigger {
                paths: d
                    .paths
                    .iter()
                    .map(|p| compile(&d.id, p))
                    .collect::<Result<_>>()?,
                lines: d
                    .lines
                    .iter()
                    .map(|p| compile(&d.id, p))
                    .collect::<Result<_>>()?,
                id: d.id,
                title: d.title,
                question: d.question,
            })
        })
        .collect()
}

/// Matches the diff from `base` to the working tree against `triggers`; the dimensions that
/// matched, in the triggers' order.
pub fn scan(wt: &WorkTree, base: Option<&str>, triggers: &[Trigger]) -> Vec<Dimension> {
    let changes = wt.changes(base);
    let added = wt.added_lines(base);
    let mut out = Vec::new();
    for t in triggers {
        let mut hits: Vec<Hit> = Vec::new();
        for c in &changes {
            if t.paths.iter().any(|r| r.is_match(&c.path)) {
                hits.push(Hit {
                    path: c.path.clone(),
                    line: None,
                    text: format!("changed file (+{} -{})", c.added, c.removed),
                });
            }
        }
        for l in &added {
            if hits.len() >= MAX_HITS {
                break;
            }
            if t.lines.iter().any(|r| r.is_match(&l.text)) {
                hits.push(Hit {
                    path: l.path.clone(),
                    line: Some(l.line),
                    text: l.text.trim().chars().take(160).collect(),
                });
            }
        }
        hits.truncate(MAX_HITS);
        if !hits.is_empty() {
            out.push(Dimension {
                id: t.id.clone(),
                title: t.title.clone(),
                question: t.question.clone(),
                hits,
                answered: false,
            });
        }
    }
    out
}

/// The dimension ids a review artifact answers: `security_dimensions[].dimension` with a
/// non-empty `answer`.
pub fn answered(review: &serde_json::Value) -> Vec<String> {
    review
        .get("security_dimensions")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter(|d| {
                    d.get("answer")
                        .and_then(|x| x.as_str())
                        .is_some_and(|x| !x.trim().is_empty())
                })
                .filter_map(|d| d.get("dimension").and_then(|x| x.as_str()))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

impl Ledger {
    /// The security dimensions the run's diff triggers, each marked answered when the recorded
    /// review answers it. Empty without a project root.
    pub fn security_dimensions(&self, run: &RunId) -> Result<Vec<Dimension>> {
        let Some(wt) = self.work_tree() else {
            return Ok(Vec::new());
        };
        if !wt.is_git() {
            return Ok(Vec::new());
        }
        let triggers = load_triggers(self.triggers.as_deref())?;
        let base = self.proof(run)?.base.and_then(|b| b.at.commit);
        let mut dims = scan(&wt, base.as_deref(), &triggers);
        let review_path = self
            .run_dir(run)
            .join(ARTIFACTS_DIR)
            .join(format!("{REVIEW_ARTIFACT}.json"));
        let review: serde_json::Value = std::fs::read_to_string(&review_path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(serde_json::Value::Null);
        let done = answered(&review);
        for d in &mut dims {
            d.answered = done.contains(&d.id);
        }
        Ok(dims)
    }

    /// The refusal text for a review exit with unanswered dimensions, or `None`.
    pub(crate) fn security_refusal(&self, run: &RunId) -> Result<Option<String>> {
        let open: Vec<Dimension> = self
            .security_dimensions(run)?
            .into_iter()
            .filter(|d| !d.answered)
            .collect();
        if open.is_empty() {
            return Ok(None);
        }
        let lines: Vec<String> = open
            .iter()
            .map(|d| {
                let at = d
                    .hits
                    .first()
                    .map(|h| match h.line {
                        Some(l) => format!("{}:{l}", h.path),
                        None => h.path.clone(),
                    })
                    .unwrap_or_default();
                format!("`{}` ({}, e.g. {at}): {}", d.id, d.title, d.question)
            })
            .collect();
        Ok(Some(format!(
            "the run's diff touches security-sensitive code, and the review does not answer \
             {}:\n  - {}\nadd to review.json `\"security_dimensions\": [{{\"dimension\": \"{}\", \
             \"answer\": \"…\"}}]` (one entry each), record it again with `wazir capture \
             artifact --phase {REVIEW_PHASE} --name {REVIEW_ARTIFACT} --file review.json`; \
             `wazir verify security` lists them",
            if open.len() == 1 {
                "this dimension"
            } else {
                "these dimensions"
            },
            lines.join("\n  - "),
            open[0].id
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kit_triggers_load_and_match_their_examples() {
        let t = load_triggers(None).unwrap();
        assert!(t.len() >= 8, "{}", t.len());
        let hit = |id: &str, line: &str| {
            t.iter()
                .find(|x| x.id == id)
                .unwrap_or_else(|| panic!("no {id}"))
                .lines
                .iter()
                .any(|r| r.is_match(line))
        };
        assert!(hit(
            "authentication",
            "let hash = bcrypt::hash(password, 12)?;"
        ));
        assert!(hit(
            "sql_from_input",
            r#"let q = format!("SELECT * FROM users WHERE name = '{}'", name);"#
        ));
        assert!(!hit("sql_from_input", "let total = items.len();"));
    }

    #[test]
    fn answers_need_text() {
        let v = serde_json::json!({"security_dimensions": [
            {"dimension": "authentication", "answer": "argon2id, per-user salt"},
            {"dimension": "sql_from_input", "answer": " "}
        ]});
        assert_eq!(answered(&v), vec!["authentication".to_string()]);
    }
}
