//! `wazir validate manifest`: the manifest against `wazir-manifest.schema.json` (the embedded
//! kit's copy, so an edited project schema cannot weaken the check), every declared folder,
//! role file and workflow file present, and upgrade guidance for other manifest versions.

use std::path::Path;

use serde_json::Value;
use wazir_core::manifest::{MANIFEST_VERSION, Manifest};
use wazir_core::schema::{Schema, SchemaProblem};
use wazir_core::{MANIFEST_FILE, yaml};

use crate::report::{Problem, Report};

/// Checks the manifest of the project rooted at `root`.
pub fn check(root: &Path) -> Report {
    let mut report = Report::new("manifest");
    let path = root.join(MANIFEST_FILE);
    let file = MANIFEST_FILE.to_string();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            report.push(Problem::error(
                &file,
                format!("cannot read the manifest ({e}); run `wazir init` to create one"),
            ));
            return report;
        }
    };

    let doc: Value = match yaml::from_str(&path, &text, 0) {
        Ok(v) => v,
        Err(e) => {
            report.push(
                Problem::error(&file, format!("not valid YAML: {}", e.message))
                    .at(e.line, e.column),
            );
            return report;
        }
    };

    if let Some(p) = version_problem(&doc, &text) {
        report.push(p);
        return report;
    }

    let schema = match Schema::load("wazir-manifest", None) {
        Ok(s) => s,
        Err(e) => {
            report.push(Problem::error(
                "schemas/wazir-manifest.schema.json",
                e.to_string(),
            ));
            return report;
        }
    };
    let problems = schema.problems(&doc);
    if !problems.is_empty() {
        for sp in problems {
            report.push(plain_problem(&file, &text, &doc, &sp));
        }
        return report;
    }

    let manifest: Manifest = match serde_json::from_value(doc) {
        Ok(m) => m,
        Err(e) => {
            report.push(Problem::error(
                &file,
                format!("cannot be read as a manifest: {e}"),
            ));
            return report;
        }
    };

    for (field, rel) in manifest.paths.folders() {
        if field == "exports" && !root.join(rel).exists() {
            // Generated output: missing means "not built yet", not a broken manifest.
            report.push(
                Problem::warning(
                    &file,
                    format!("`{rel}` does not exist yet: `wazir export build` creates it"),
                )
                .at(locate(&text, &["paths", field]), None)
                .field(format!("paths.{field}")),
            );
        } else if !root.join(rel).exists() {
            report.push(
                Problem::error(
                    &file,
                    format!(
                        "declares `{rel}`, which does not exist: create the folder or fix the path"
                    ),
                )
                .at(locate(&text, &["paths", field]), None)
                .field(format!("paths.{field}")),
            );
        }
    }
    for (i, role) in manifest.roles.iter().enumerate() {
        let rel = manifest.role_file(role);
        if !root.join(&rel).is_file() {
            report.push(
                Problem::error(
                    &file,
                    format!(
                        "role `{role}` has no contract file: create `{rel}` or remove the role"
                    ),
                )
                .at(locate_item(&text, "roles", i), None)
                .field(format!("roles[{i}]")),
            );
        }
    }
    for (i, wf) in manifest.workflows.iter().enumerate() {
        let rel = manifest.workflow_file(wf);
        if !root.join(&rel).is_file() {
            report.push(
                Problem::error(
                    &file,
                    format!("workflow `{wf}` has no file: create `{rel}` or remove the workflow"),
                )
                .at(locate_item(&text, "workflows", i), None)
                .field(format!("workflows[{i}]")),
            );
        }
    }
    for role in manifest.agents.roles.keys() {
        if !manifest.roles.contains(role) {
            report.push(
                Problem::error(
                    &file,
                    format!(
                        "`agents.roles` names `{role}`, which is not a declared role: use one of \
                         `roles` or remove the entry"
                    ),
                )
                .at(locate(&text, &["agents", "roles", role]), None)
                .field(format!("agents.roles.{role}")),
            );
        }
    }
    for (role, tier) in manifest.agents.over_defaults().undefined_tiers() {
        report.push(
            Problem::error(
                &file,
                format!(
                    "role `{role}` runs on tier `{tier}`, which `agents.tiers` does not define: \
                     add the tier with a model per host, or name one of {}",
                    manifest
                        .agents
                        .over_defaults()
                        .tiers
                        .keys()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .at(locate(&text, &["agents", "roles", &role]), None)
            .field(format!("agents.roles.{role}.tier")),
        );
    }
    let router = if manifest.on_demand_skills.is_empty() {
        String::new()
    } else {
        let table = Path::new(&manifest.paths.skills).join("using-skills/SKILL.md");
        std::fs::read_to_string(root.join(table)).unwrap_or_default()
    };
    for (i, skill) in manifest.on_demand_skills.iter().enumerate() {
        let rel = format!("{}/{skill}/SKILL.md", manifest.paths.skills);
        let problem = if skill == "using-skills" {
            Some(
                "`using-skills` is the table that names the on-demand skills, so the host must \
                 list it: remove it from `on_demand_skills`"
                    .to_string(),
            )
        } else if !root.join(&rel).is_file() {
            Some(format!(
                "on-demand skill `{skill}` has no `{rel}`: create the skill or remove the entry"
            ))
        } else if !router.contains(&format!("`{skill}`")) {
            Some(format!(
                "on-demand skill `{skill}` is not named in `{}/using-skills/SKILL.md`, so an \
                 agent on a host that does not list it never finds it: add a row for it to that \
                 table or remove the entry",
                manifest.paths.skills
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            report.push(
                Problem::error(&file, message)
                    .at(locate_item(&text, "on_demand_skills", i), None)
                    .field(format!("on_demand_skills[{i}]")),
            );
        }
    }
    for (i, p) in manifest.protected_paths.iter().enumerate() {
        if !root.join(p).exists() && !p.starts_with(&manifest.paths.exports) {
            report.push(
                Problem::warning(
                    &file,
                    format!(
                        "protected path `{p}` does not exist; the guard protects nothing there"
                    ),
                )
                .at(locate_item(&text, "protected_paths", i), None)
                .field(format!("protected_paths[{i}]")),
            );
        }
    }
    report.summary = format!(
        "{} roles, {} workflows, {} phases, {} required hooks",
        manifest.roles.len(),
        manifest.workflows.len(),
        manifest.phases.len(),
        manifest.required_hooks.len()
    );
    report
}

fn version_problem(doc: &Value, text: &str) -> Option<Problem> {
    let line = locate(text, &["manifest_version"]);
    let v = match doc.get("manifest_version") {
        None => {
            return Some(
                Problem::error(
                    MANIFEST_FILE,
                    format!(
                        "missing required field `manifest_version`: add `manifest_version: {MANIFEST_VERSION}` \
                         as the first line"
                    ),
                )
                .field("manifest_version"),
            );
        }
        Some(v) => v,
    };
    if v.as_u64() == Some(MANIFEST_VERSION as u64) {
        return None;
    }
    let guidance = match v.as_u64() {
        Some(1) => format!(
            "this manifest uses format version 1; this Wazir reads version {MANIFEST_VERSION}. \
             Upgrade it: set `manifest_version: {MANIFEST_VERSION}`, move the folder settings under \
             `paths` (adding `state_root_default`), and list `required_hooks`, `phases` and \
             `roles` by id — or run `wazir init --force` in a copy and compare"
        ),
        Some(n) if n > MANIFEST_VERSION as u64 => format!(
            "manifest format version {n} is newer than this Wazir understands ({MANIFEST_VERSION}): \
             upgrade wazir, or set `manifest_version: {MANIFEST_VERSION}`"
        ),
        _ => format!(
            "`manifest_version` must be the number {MANIFEST_VERSION} (found {v}): set \
             `manifest_version: {MANIFEST_VERSION}`"
        ),
    };
    Some(
        Problem::error(MANIFEST_FILE, guidance)
            .at(line, None)
            .field("manifest_version"),
    )
}

/// Turns a schema problem into one plain sentence with the field and its line.
fn plain_problem(file: &str, text: &str, doc: &Value, sp: &SchemaProblem) -> Problem {
    let segs: Vec<String> = sp
        .pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let value = doc.pointer(&sp.pointer);
    let quoted = first_quoted(&sp.message);
    let (field_segs, message) = match sp.rule.as_str() {
        "required" => {
            let name = quoted.unwrap_or_default();
            let mut f = segs.clone();
            f.push(name.clone());
            (f, format!("missing required field `{name}`"))
        }
        "additionalProperties" | "unevaluatedProperties" => {
            let name = quoted.unwrap_or_default();
            let mut f = segs.clone();
            f.push(name.clone());
            (
                f,
                format!("unknown field `{name}`: remove it or fix its spelling"),
            )
        }
        "type" => (
            segs.clone(),
            format!(
                "must be {} (found {})",
                expected_type(&sp.message),
                describe(value)
            ),
        ),
        "const" | "enum" => (
            segs.clone(),
            format!("{} is not allowed here: {}", describe(value), sp.message),
        ),
        _ => (segs.clone(), sp.message.clone()),
    };
    let refs: Vec<&str> = field_segs.iter().map(String::as_str).collect();
    let line = locate(text, &refs).or_else(|| locate(text, &refs[..refs.len().saturating_sub(1)]));
    Problem::error(file, message)
        .at(line, None)
        .field(dotted(&field_segs))
}

fn dotted(segs: &[String]) -> String {
    let mut out = String::new();
    for s in segs {
        if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() {
            out.push_str(&format!("[{s}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(s);
        }
    }
    out
}

fn first_quoted(msg: &str) -> Option<String> {
    for q in ['"', '\''] {
        if let Some(start) = msg.find(q)
            && let Some(len) = msg[start + 1..].find(q)
        {
            return Some(msg[start + 1..start + 1 + len].to_string());
        }
    }
    None
}

fn expected_type(msg: &str) -> String {
    let t = msg
        .rsplit("of type")
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches('"');
    match t {
        "array" => "a list".into(),
        "object" => "a mapping of fields".into(),
        "string" => "a string".into(),
        "integer" => "a whole number".into(),
        "number" => "a number".into(),
        "boolean" => "true or false".into(),
        other => format!("of type {other}"),
    }
}

fn describe(v: Option<&Value>) -> String {
    match v {
        None => "nothing".into(),
        Some(Value::Null) => "an empty value".into(),
        Some(Value::Bool(b)) => format!("`{b}`"),
        Some(Value::Number(n)) => format!("the number {n}"),
        Some(Value::String(s)) => format!("the string \"{s}\""),
        Some(Value::Array(_)) => "a list".into(),
        Some(Value::Object(_)) => "a mapping".into(),
    }
}

/// The 1-based line of a key path in block YAML (`["paths", "roles"]`), found by indentation.
/// Numeric segments select the n-th `- ` item of a list. Best effort: `None` when not found.
pub fn locate(text: &str, path: &[&str]) -> Option<u64> {
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0usize;
    let mut min_indent: isize = -1;
    let mut found_line = None;
    for seg in path {
        let mut hit = None;
        if let Ok(n) = seg.parse::<usize>() {
            let mut count = 0;
            for (i, l) in lines.iter().enumerate().skip(from) {
                let ind = indent(l);
                let t = l.trim_start();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                if (ind as isize) <= min_indent && !t.starts_with("- ") {
                    break;
                }
                if t.starts_with("- ") || t == "-" {
                    if count == n {
                        hit = Some((i, ind as isize));
                        break;
                    }
                    count += 1;
                }
            }
            if hit.is_none() {
                // Flow list on the parent line: the parent line is the best answer.
                return found_line;
            }
        } else {
            // Keys of this level sit at the indent of the first line of the block.
            let level = lines
                .iter()
                .skip(from)
                .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                .map(|l| indent(l) as isize);
            for (i, l) in lines.iter().enumerate().skip(from) {
                let ind = indent(l) as isize;
                let t = l.trim_start().trim_start_matches("- ");
                if l.trim().is_empty() || t.starts_with('#') {
                    continue;
                }
                if ind <= min_indent && i > from {
                    break;
                }
                if Some(ind) != level && !l.trim_start().starts_with("- ") {
                    continue;
                }
                let key = t
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches(['"', '\'']);
                if key == *seg && t.contains(':') {
                    hit = Some((i, ind));
                    break;
                }
            }
        }
        let (i, ind) = hit?;
        found_line = Some(i as u64 + 1);
        from = i + 1;
        min_indent = ind;
    }
    found_line
}

fn locate_item(text: &str, key: &str, index: usize) -> Option<u64> {
    let idx = index.to_string();
    locate(text, &[key, &idx]).or_else(|| locate(text, &[key]))
}

fn indent(l: &str) -> usize {
    l.len() - l.trim_start().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_keys_and_items() {
        let t = "a: 1\npaths:\n  roles: r\n  docs: d\nroles:\n  - x\n  - y\n";
        assert_eq!(locate(t, &["paths", "docs"]), Some(4));
        assert_eq!(locate(t, &["roles", "1"]), Some(7));
        assert_eq!(locate(t, &["a"]), Some(1));
        assert_eq!(locate(t, &["nope"]), None);
    }

    #[test]
    fn dotted_paths() {
        assert_eq!(dotted(&["roles".into(), "3".into()]), "roles[3]");
        assert_eq!(dotted(&["paths".into(), "docs".into()]), "paths.docs");
    }
}
