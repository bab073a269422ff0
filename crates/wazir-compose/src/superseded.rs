//! The superseded-standards check of `wazir validate expertise`: `superseded-standards.yaml` in
//! the library lists citations of standards that a newer edition replaced (a pattern, the old
//! standard, what replaced it and a page that says so), and every module line that matches one is
//! reported with the replacement. A line that itself speaks of the replacement (it says
//! "replaced", "superseded", "retired", "obsoleted", "withdrawn", "formerly" or "previous
//! edition") is history, not a citation, and is not reported.

use std::path::Path;

use regex::{Regex, RegexBuilder};
use serde::Deserialize;

use crate::library::Library;
use crate::problem::Problem;

/// The list's file name, inside the library.
pub const FILE: &str = "superseded-standards.yaml";

/// Words that mark a line as talking about the old edition as history.
const HISTORY_WORDS: [&str; 8] = [
    "replac",
    "supersed",
    "retired",
    "obsolete",
    "withdrawn",
    "formerly",
    "previous edition",
    "deprecated",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct List {
    #[allow(dead_code)]
    version: u32,
    superseded: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    pattern: String,
    standard: String,
    replaced_by: String,
    source: String,
}

/// Problems for every citation of a superseded standard in the library's modules; a problem of
/// the list itself when it cannot be read. Nothing when the library has no list.
pub fn check(lib: &Library) -> Vec<Problem> {
    let Some(text) = &lib.superseded_text else {
        return Vec::new();
    };
    let file = lib.origin.problem_path(FILE);
    let list: List = match wazir_core::yaml::from_str(Path::new(&file), text, 0) {
        Ok(l) => l,
        Err(e) => {
            return vec![Problem::rule_error(
                &file,
                "superseded-list",
                format!("{e}: fix the list (fields: pattern, standard, replaced_by, source)"),
            )];
        }
    };
    let mut rules: Vec<(Regex, &Entry)> = Vec::new();
    let mut out = Vec::new();
    for e in &list.superseded {
        match RegexBuilder::new(&e.pattern)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
        {
            Ok(re) => rules.push((re, e)),
            Err(err) => out.push(
                Problem::rule_error(
                    &file,
                    "superseded-list",
                    format!(
                        "pattern `{}` is not a valid regular expression ({err}); fix it",
                        e.pattern
                    ),
                )
                .at_line(line_of(text, &e.pattern)),
            ),
        }
    }
    for (rel, body) in &lib.module_texts {
        let id = crate::module::id_for_path(rel);
        for (n, line) in (1u64..).zip(body.lines()) {
            let lower = line.to_lowercase();
            if HISTORY_WORDS.iter().any(|w| lower.contains(w)) {
                continue;
            }
            for (re, e) in &rules {
                if re.is_match(line) {
                    out.push(
                        Problem::rule_error(
                            lib.origin.problem_path(rel),
                            "superseded-standard",
                            format!(
                                "cites {}, which is superseded by {} ({}): cite the current \
                                 edition, or say on the line that it was replaced",
                                e.standard, e.replaced_by, e.source
                            ),
                        )
                        .at_line(Some(n))
                        .module(&id),
                    );
                }
            }
        }
    }
    out
}

fn line_of(text: &str, needle: &str) -> Option<u64> {
    (1u64..)
        .zip(text.lines())
        .find(|(_, l)| l.contains(needle))
        .map(|(n, _)| n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Origin;

    fn lib(module_line: &str) -> Library {
        let list = "version: 1\nsuperseded:\n  - pattern: '42010:2011'\n    standard: \
                    \"ISO/IEC/IEEE 42010:2011\"\n    replaced_by: \"42010:2022\"\n    source: \
                    https://www.iso.org/standard/74393.html\n";
        let module = format!(
            "---\nid: architecture/x\ntitle: X\ndomain: architecture\nroles: [planner]\n\
             stacks: []\nconcerns: []\nsummary: s\nfreshness: 2026-12-06\nsources: [a]\n---\n\
             # X\n\n## Brief\n\n{module_line}\n"
        );
        Library::from_files(
            Origin::Dir("/lib".into()),
            vec![
                (FILE.to_string(), list.to_string()),
                ("architecture/x.md".to_string(), module),
            ],
        )
    }

    #[test]
    fn a_superseded_citation_is_reported_with_its_line_and_replacement() {
        let ps = check(&lib("Follow ISO/IEC/IEEE 42010:2011 for views."));
        assert_eq!(ps.len(), 1, "{ps:?}");
        assert_eq!(ps[0].rule(), "superseded-standard");
        assert_eq!(ps[0].line, Some(16));
        assert!(ps[0].message.contains("42010:2022"), "{}", ps[0].message);
    }

    #[test]
    fn the_current_edition_and_history_lines_pass() {
        assert!(check(&lib("Follow ISO/IEC/IEEE 42010:2022 for views.")).is_empty());
        assert!(check(&lib("42010:2022 replaced 42010:2011 in 2022.")).is_empty());
    }
}
