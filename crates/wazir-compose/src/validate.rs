//! `validate(expertise_dir, …)`: every rule of the library — each module's front matter, brief
//! and sections, the brief's token budget, duplicate ids, cross-references, `index.yaml` and
//! `composition-map.yaml` against their schemas and against the modules that exist, and the
//! domain pages. `wazir validate expertise` calls it and reports each problem.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::library::{INDEX_FILE, Library, MAP_FILE};
use crate::problem::Problem;

/// What the library is checked against.
#[derive(Debug, Clone)]
pub struct ValidateOptions {
    /// Role ids that exist (the manifest's `roles`).
    pub roles: Vec<String>,
    /// The project's `schemas/` folder; the embedded kit's schemas are used when it is `None` or
    /// lacks a schema.
    pub schemas_dir: Option<PathBuf>,
    /// The most o200k tokens a brief may hold.
    pub brief_token_limit: usize,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        Self {
            roles: crate::DEFAULT_ROLES.iter().map(|s| s.to_string()).collect(),
            schemas_dir: None,
            brief_token_limit: crate::BRIEF_TOKEN_LIMIT,
        }
    }
}

/// Checks the library in `expertise_dir`; an empty result means it passes.
pub fn validate(expertise_dir: &Path, opts: &ValidateOptions) -> Vec<Problem> {
    let lib = Library::from_dir(expertise_dir);
    validate_library(&lib, opts)
}

/// Checks an already loaded library (on disk or embedded).
pub fn validate_library(lib: &Library, opts: &ValidateOptions) -> Vec<Problem> {
    let mut out = lib.problems.clone();
    out.extend(crate::superseded::check(lib));
    let path = |rel: &str| lib.origin.problem_path(rel);

    // Module ids that exist, whether or not they parsed.
    let existing: BTreeSet<String> = lib
        .module_files
        .iter()
        .map(|f| crate::module::id_for_path(f))
        .collect();

    // Duplicate ids.
    let mut by_id: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, rel) in &lib.declared {
        by_id.entry(id).or_default().push(rel);
    }
    for (id, files) in &by_id {
        if files.len() > 1 {
            for rel in &files[1..] {
                out.push(
                    Problem::rule_error(
                        path(rel),
                        "duplicate-id",
                        format!(
                            "id `{id}` is also declared by {}; every module needs its own id \
                             (its path)",
                            files[0]
                        ),
                    )
                    .module(*id),
                );
            }
        }
    }

    // index.yaml.
    match (&lib.index_value, &lib.index) {
        (None, _) if !out.iter().any(|p| p.rule() == "index-schema") => {
            out.push(Problem::rule_error(
                path(INDEX_FILE),
                "index-missing",
                "the library has no index.yaml; add one listing its domains, stacks and concerns",
            ))
        }
        (Some(v), _) => schema_check(
            "expertise-index",
            v,
            &path(INDEX_FILE),
            "index-schema",
            opts,
            &mut out,
        ),
        _ => {}
    }
    let index = lib.index.as_ref();

    // Modules.
    for m in lib.modules.values() {
        let file = path(&m.rel_path);
        if let Some(ix) = index {
            if ix.domain(&m.domain).is_none() {
                out.push(
                    Problem::rule_error(
                        &file,
                        "domain",
                        format!(
                            "domain `{}` is not in index.yaml; add it there or move the module",
                            m.domain
                        ),
                    )
                    .module(&m.id),
                );
            }
            for s in &m.stacks {
                if !ix.stacks.contains(s) {
                    out.push(
                        Problem::rule_error(
                            &file,
                            "stack",
                            format!(
                                "stack `{s}` is not one of index.yaml's stacks ({})",
                                ix.stacks.join(", ")
                            ),
                        )
                        .module(&m.id),
                    );
                }
            }
            for c in &m.concerns {
                if !ix.concerns.contains(c) {
                    out.push(
                        Problem::rule_error(
                            &file,
                            "concern",
                            format!(
                                "concern `{c}` is not one of index.yaml's concerns ({})",
                                ix.concerns.join(", ")
                            ),
                        )
                        .module(&m.id),
                    );
                }
            }
        }
        for r in &m.roles {
            if !opts.roles.contains(r) {
                out.push(
                    Problem::rule_error(
                        &file,
                        "role",
                        format!(
                            "role `{r}` is not a manifest role ({}); use the underscore id",
                            opts.roles.join(", ")
                        ),
                    )
                    .module(&m.id),
                );
            }
        }
        let tokens = wazir_core::tokens::count(&m.brief);
        if tokens > opts.brief_token_limit {
            out.push(
                Problem::rule_error(
                    &file,
                    "brief-budget",
                    format!(
                        "the brief is {tokens} o200k tokens, over the limit of {}; move detail \
                         into the full text below it",
                        opts.brief_token_limit
                    ),
                )
                .at_line(Some(m.brief_line))
                .module(&m.id),
            );
        }
        for (rid, line) in &m.related {
            if !existing.contains(rid) {
                out.push(
                    Problem::rule_error(
                        &file,
                        "related-unresolved",
                        format!(
                            "related module `{rid}` does not exist; name an existing module id \
                             or remove the line"
                        ),
                    )
                    .at_line(Some(*line))
                    .module(&m.id),
                );
            } else if rid == &m.id {
                out.push(
                    Problem::rule_warning(
                        &file,
                        "related-self",
                        "a module lists itself as related",
                    )
                    .at_line(Some(*line))
                    .module(&m.id),
                );
            }
        }
    }

    // composition-map.yaml.
    let map_file = path(MAP_FILE);
    match (&lib.map_value, &lib.map) {
        (None, _) if !out.iter().any(|p| p.rule() == "map-schema") => out.push(Problem::rule_error(
            &map_file,
            "map-missing",
            "the library has no composition-map.yaml; add one with the always, auto, stacks and \
             concerns layers",
        )),
        (Some(v), _) => schema_check(
            "composition-map",
            v,
            &map_file,
            "map-schema",
            opts,
            &mut out,
        ),
        _ => {}
    }
    if let Some(map) = &lib.map {
        let text = lib.map_text.as_deref().unwrap_or("");
        for r in map.refs() {
            if !existing.contains(&r.id) {
                out.push(
                    Problem::rule_error(
                        &map_file,
                        "map-path",
                        format!(
                            "{} names `{}`, which is not a module of the library (no {}.md); \
                             write the module or remove the entry",
                            r.key, r.id, r.id
                        ),
                    )
                    .at_line(line_of(text, &r.id))
                    .module(&r.id),
                );
            }
        }
        for (key, role) in map.role_keys() {
            if !opts.roles.contains(&role) {
                out.push(
                    Problem::rule_error(
                        &map_file,
                        "map-role",
                        format!(
                            "{key} uses `{role}`, which is not a manifest role ({})",
                            opts.roles.join(", ")
                        ),
                    )
                    .at_line(line_of(text, &role)),
                );
            }
        }
        for role in &opts.roles {
            if !map.always.contains_key(role) {
                out.push(Problem::rule_warning(
                    &map_file,
                    "map-always",
                    format!("the always layer has no list for the {role}"),
                ));
            }
        }
        if let Some(ix) = index {
            for s in map.stacks.keys() {
                if !ix.stacks.contains(s) {
                    out.push(
                        Problem::rule_error(
                            &map_file,
                            "map-stack",
                            format!("stacks.{s}: `{s}` is not one of index.yaml's stacks"),
                        )
                        .at_line(line_of(text, s)),
                    );
                }
            }
            for c in map.concerns.keys() {
                if !ix.concerns.contains(c) {
                    out.push(
                        Problem::rule_error(
                            &map_file,
                            "map-concern",
                            format!("concerns.{c}: `{c}` is not one of index.yaml's concerns"),
                        )
                        .at_line(line_of(text, c)),
                    );
                }
            }
        }
    }

    // Domain pages: every domain with modules has its page, and the page names its modules.
    if let Some(ix) = index {
        for d in &ix.domains {
            let mods: Vec<&String> = existing
                .iter()
                .filter(|id| id.split('/').next() == Some(d.id.as_str()))
                .collect();
            if mods.is_empty() {
                continue;
            }
            let Some(page) = lib.pages.get(&d.page) else {
                out.push(Problem::rule_error(
                    path(&d.page),
                    "domain-page",
                    format!(
                        "domain `{}` has modules but no page {}; write it (see \
                         kit/expertise/README.md)",
                        d.id, d.page
                    ),
                ));
                continue;
            };
            for id in mods {
                if !page.contains(&format!("`{id}`")) {
                    out.push(
                        Problem::rule_warning(
                            path(&d.page),
                            "domain-page",
                            format!("the page does not list module `{id}`; add a line for it"),
                        )
                        .module(id),
                    );
                }
            }
            for (i, line) in page.lines().enumerate() {
                for named in backticked(line) {
                    if crate::module::is_module_id(named)
                        && named.split('/').next() == Some(d.id.as_str())
                        && !existing.contains(named)
                    {
                        out.push(
                            Problem::rule_error(
                                path(&d.page),
                                "domain-page",
                                format!("the page names `{named}`, which does not exist"),
                            )
                            .at_line(Some(i as u64 + 1)),
                        );
                    }
                }
            }
        }
    }
    out
}

fn schema_check(
    name: &str,
    value: &serde_json::Value,
    file: &Path,
    rule: &'static str,
    opts: &ValidateOptions,
    out: &mut Vec<Problem>,
) {
    match wazir_core::schema::Schema::load(name, opts.schemas_dir.as_deref()) {
        Ok(schema) => {
            for p in schema.problems(value) {
                out.push(Problem::rule_error(
                    file,
                    rule,
                    format!("{p}; see schemas/{name}.schema.json"),
                ));
            }
        }
        Err(e) => out.push(Problem::rule_error(file, rule, e.to_string())),
    }
}

/// The 1-based line of the first whole-word occurrence of `word` in `text`.
fn line_of(text: &str, word: &str) -> Option<u64> {
    let boundary = |c: Option<char>| {
        c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '/'))
    };
    for (i, line) in text.lines().enumerate() {
        let mut from = 0;
        while let Some(pos) = line[from..].find(word) {
            let start = from + pos;
            let end = start + word.len();
            if boundary(line[..start].chars().next_back()) && boundary(line[end..].chars().next()) {
                return Some(i as u64 + 1);
            }
            from = end;
        }
    }
    None
}

fn backticked(line: &str) -> Vec<&str> {
    line.split('`').skip(1).step_by(2).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_whole_words_only() {
        let t = "a:\n  - quality/testing-api-x\n  - quality/testing-api\n";
        assert_eq!(line_of(t, "quality/testing-api"), Some(3));
        assert_eq!(line_of(t, "nothing"), None);
    }
}
