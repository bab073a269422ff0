//! `wazir validate brand`: the manifest's `prohibited_terms` must not appear in the declared role
//! and workflow files. Matching is by whole word and ignores case; each hit is reported with its
//! file, line and column.

use regex::RegexBuilder;
use wazir_core::Project;

use crate::report::{Problem, Report};

/// Checks the role and workflow files of `project`.
pub fn check(project: &Project) -> Report {
    let mut report = Report::new("brand");
    let m = &project.manifest;
    let terms: Vec<(String, regex::Regex)> = m
        .prohibited_terms
        .iter()
        .filter(|t| !t.trim().is_empty())
        .filter_map(|t| {
            RegexBuilder::new(&regex::escape(t.trim()))
                .case_insensitive(true)
                .build()
                .ok()
                .map(|r| (t.trim().to_string(), r))
        })
        .collect();
    let files: Vec<String> = m
        .roles
        .iter()
        .map(|r| m.role_file(r))
        .chain(m.workflows.iter().map(|w| m.workflow_file(w)))
        .collect();
    let mut scanned = 0;
    for rel in &files {
        let Ok(text) = std::fs::read_to_string(project.path(rel)) else {
            continue; // a missing file is the manifest check's finding
        };
        scanned += 1;
        for hit in find_terms(&text, &terms) {
            report.push(
                Problem::error(
                    rel,
                    format!(
                        "prohibited term `{}` (found as \"{}\"): reword it; the list is \
                         prohibited_terms in the manifest",
                        hit.term, hit.found
                    ),
                )
                .at(Some(hit.line), Some(hit.column)),
            );
        }
    }
    report.summary = format!("{} terms, {scanned} role and workflow files", terms.len());
    report
}

/// One occurrence of a prohibited term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub term: String,
    pub found: String,
    pub line: u64,
    pub column: u64,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whole-word, case-insensitive occurrences of `terms` in `text`, in reading order.
pub fn find_terms(text: &str, terms: &[(String, regex::Regex)]) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (no, line) in text.lines().enumerate() {
        for (term, re) in terms {
            for m in re.find_iter(line) {
                let before = line[..m.start()].chars().next_back();
                let after = line[m.end()..].chars().next();
                if before.is_some_and(is_word) || after.is_some_and(is_word) {
                    continue;
                }
                hits.push(Hit {
                    term: term.clone(),
                    found: m.as_str().to_string(),
                    line: no as u64 + 1,
                    column: line[..m.start()].chars().count() as u64 + 1,
                });
            }
        }
    }
    hits.sort_by_key(|h| (h.line, h.column));
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(list: &[&str]) -> Vec<(String, regex::Regex)> {
        list.iter()
            .map(|t| {
                let r = RegexBuilder::new(&regex::escape(t))
                    .case_insensitive(true)
                    .build()
                    .unwrap();
                (t.to_string(), r)
            })
            .collect()
    }

    #[test]
    fn whole_words_any_case_with_positions() {
        let t = terms(&["ninja", "world-class"]);
        let text = "A Ninja here.\nninjas are fine, World-Class is not\nworld-classy";
        let hits = find_terms(text, &t);
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert_eq!((hits[0].line, hits[0].column), (1, 3));
        assert_eq!(hits[0].found, "Ninja");
        assert_eq!((hits[1].line, hits[1].column), (2, 18));
    }
}
