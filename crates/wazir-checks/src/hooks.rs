//! `wazir validate hooks`: every hook definition (`<hooks>/definitions/*.yaml`) against
//! `hook.schema.json`, each file named after its id, and the set of ids equal to the manifest's
//! `required_hooks`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use wazir_core::schema::Schema;
use wazir_core::{Project, yaml};

use crate::manifest::locate;
use crate::report::{Problem, Report};
use crate::util::{files_with_ext, pointer_segments, rel, schema_problem};

/// Checks the hook definitions of `project`.
pub fn check(project: &Project) -> Report {
    let mut report = Report::new("hooks");
    let root = &project.root;
    let m = &project.manifest;
    let dir = root.join(&m.paths.hooks).join("definitions");
    let dir_rel = rel(root, &dir);
    let schema = match Schema::load("hook", Some(&root.join(&m.paths.schemas))) {
        Ok(s) => s,
        Err(e) => {
            report.push(Problem::error(
                format!("{}/hook.schema.json", m.paths.schemas),
                format!(
                    "{e}: restore the schema from the kit (`wazir init` writes what is missing)"
                ),
            ));
            return report;
        }
    };
    if !dir.is_dir() {
        report.push(Problem::error(
            &dir_rel,
            "the hook definitions folder is missing: create it with one YAML file per required \
             hook (`wazir init` writes the kit's)",
        ));
        return report;
    }
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let files = files_with_ext(&dir, &[".yaml", ".yml"], &[]);
    for path in &files {
        let file = rel(root, path);
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                report.push(Problem::error(&file, format!("cannot read the file: {e}")));
                continue;
            }
        };
        let doc: Value = match yaml::from_str(path, &text, 0) {
            Ok(v) => v,
            Err(e) => {
                report.push(
                    Problem::error(&file, format!("not valid YAML: {}", e.message))
                        .at(e.line, e.column),
                );
                continue;
            }
        };
        for sp in crate::util::unique_problems(&schema, &doc) {
            let segs = pointer_segments(&sp.pointer);
            let refs: Vec<&str> = segs.iter().map(String::as_str).collect();
            let line = if refs.is_empty() {
                None
            } else {
                locate(&text, &refs)
            };
            report.push(schema_problem(&file, &sp).at(line, None));
        }
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(id) = doc.get("id").and_then(Value::as_str) {
            if id != stem {
                report.push(
                    Problem::error(
                        &file,
                        format!(
                            "the id `{id}` differs from the file name: rename the file to \
                             `{id}.yaml` or fix the id"
                        ),
                    )
                    .at(locate(&text, &["id"]), None)
                    .field("/id"),
                );
            }
            if let Some(first) = ids.insert(id.to_string(), file.clone()) {
                report.push(Problem::error(
                    &file,
                    format!("hook `{id}` is also defined in {first}: keep one definition"),
                ));
            }
        }
    }
    let manifest_file = rel(root, &project.manifest_path);
    for (i, id) in m.required_hooks.iter().enumerate() {
        if !ids.contains_key(id) {
            report.push(
                Problem::error(
                    &dir_rel,
                    format!(
                        "required hook `{id}` has no definition: add {dir_rel}/{id}.yaml or \
                         remove it from required_hooks in {manifest_file}"
                    ),
                )
                .field(format!("required_hooks[{i}]")),
            );
        }
    }
    for (id, file) in &ids {
        if !m.required_hooks.contains(id) {
            report.push(Problem::error(
                file,
                format!(
                    "hook `{id}` is not in required_hooks: add it to required_hooks in \
                     {manifest_file} or remove the file"
                ),
            ));
        }
    }
    report.summary = format!("{} definitions, roster equals required_hooks", files.len());
    report
}

/// Used by `doctor`: the hook check for a project root, with the manifest read first.
pub fn check_root(root: &Path) -> Report {
    match Project::open(root) {
        Ok(p) => check(&p),
        Err(e) => {
            let mut r = Report::new("hooks");
            r.push(Problem::error(wazir_core::MANIFEST_FILE, e.to_string()));
            r
        }
    }
}
