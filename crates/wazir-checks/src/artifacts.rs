//! `wazir validate artifacts`: every template example (`<templates>/examples/<schema>.example.json`)
//! against `<schemas>/<schema>.schema.json`, and with `--run ID` every JSON artifact of a run
//! (`<state-root>/runs/<ID>/artifacts/`) against the schema its workflow names. Each problem
//! names the file, the JSON pointer and the schema rule.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use wazir_core::Project;
use wazir_core::schema::Schema;
use wazir_ledger::{Ledger, RunId};

use crate::report::{Problem, Report};
use crate::util::{files_with_ext, rel, schema_problem};

const EXAMPLE_SUFFIX: &str = ".example.json";

/// Every example of the project's templates against its schema; every schema must compile.
pub fn check_examples(project: &Project) -> Report {
    let mut report = Report::new("artifacts");
    let root = &project.root;
    let m = &project.manifest;
    let schemas_dir = root.join(&m.paths.schemas);
    let examples_dir = root.join(&m.paths.templates).join("examples");
    let mut cache: BTreeMap<String, Option<Schema>> = BTreeMap::new();

    // Every schema of the project must be a usable JSON Schema. Compiling is most of the work,
    // so the schemas are split between two threads.
    let schema_files = files_with_ext(&schemas_dir, &[".schema.json"], &[]);
    let names: Vec<String> = schema_files
        .iter()
        .map(|p| file_name(p).trim_end_matches(".schema.json").to_string())
        .collect();
    let compile = |chunk: &[String]| -> Vec<(String, Option<Schema>, Report)> {
        chunk
            .iter()
            .map(|name| {
                let mut r = Report::new("artifacts");
                let s = load_local(&mut r, root, &schemas_dir, name);
                (name.clone(), s, r)
            })
            .collect()
    };
    let (first, second) = names.split_at(names.len() / 2);
    let compiled = std::thread::scope(|scope| {
        let other = scope.spawn(|| compile(second));
        let mut out = compile(first);
        out.extend(other.join().unwrap_or_default());
        out
    });
    for (name, schema, r) in compiled {
        for p in r.problems {
            report.push(p);
        }
        cache.insert(name, schema);
    }

    let examples = files_with_ext(&examples_dir, &[EXAMPLE_SUFFIX], &[]);
    if examples.is_empty() {
        report.push(Problem::warning(
            rel(root, &examples_dir),
            "no `<schema>.example.json` files to check: add one valid example per artifact schema",
        ));
    }
    for path in &examples {
        let file = rel(root, path);
        let name = file_name(path).trim_end_matches(EXAMPLE_SUFFIX).to_string();
        let schema = cache.entry(name.clone()).or_insert_with(|| {
            load_local(&mut Report::new("artifacts"), root, &schemas_dir, &name)
        });
        let Some(schema) = schema else {
            report.push(Problem::error(
                &file,
                format!(
                    "no schema `{name}`: add {}/{name}.schema.json or rename the example after \
                     its schema",
                    m.paths.schemas
                ),
            ));
            continue;
        };
        validate_file(&mut report, path, &file, schema);
    }
    report.summary = format!(
        "{} examples valid, {} schemas compile",
        examples.len(),
        schema_files.len()
    );
    report
}

/// Every `*.json` of a run's `artifacts/` folder against the schema its workflow output names.
pub fn check_run(project: &Project, state_root: &Path, run: &str) -> Report {
    let mut report = Report::new("artifacts");
    let run_id = match RunId::parse(run) {
        Ok(r) => r,
        Err(e) => {
            report.push(Problem::error("--run", e.to_string()));
            return report;
        }
    };
    let ledger = Ledger::new(state_root);
    let run_dir = ledger.run_dir(&run_id);
    if !run_dir.is_dir() {
        report.push(Problem::error(
            run_dir.display().to_string(),
            format!(
                "no run `{run}` in the state root {}: check the id (`wazir status` shows the \
                 latest run) or pass --state-root",
                state_root.display()
            ),
        ));
        return report;
    }
    let workflows = match workflow_outputs(project) {
        Ok(w) => w,
        Err(e) => {
            report.push(Problem::error(project.manifest.paths.workflows.clone(), e));
            return report;
        }
    };
    let dir = ledger.artifacts_dir(&run_id);
    let schemas_dir = project.root.join(&project.manifest.paths.schemas);
    let files = files_with_ext(&dir, &[".json"], &[]);
    let mut cache: BTreeMap<String, Option<Schema>> = BTreeMap::new();
    for path in &files {
        let file = path.display().to_string();
        let name = file_name(path).trim_end_matches(".json").to_string();
        let Some((schema_name, phase)) = workflows.get(&name) else {
            let known: Vec<&str> = workflows.keys().map(String::as_str).collect();
            report.push(Problem::error(
                &file,
                format!(
                    "`{name}` is not an output of any workflow, so no schema applies: rename it \
                     to one of {}",
                    known.join(", ")
                ),
            ));
            continue;
        };
        let schema = cache
            .entry(schema_name.clone())
            .or_insert_with(|| Schema::load(schema_name, Some(&schemas_dir)).ok());
        let Some(schema) = schema else {
            report.push(Problem::error(
                &file,
                format!(
                    "the workflow of phase `{phase}` names schema `{schema_name}`, which is \
                     neither in {} nor in the embedded kit: fix the workflow's outputs",
                    project.manifest.paths.schemas
                ),
            ));
            continue;
        };
        if let Some(v) = validate_file(&mut report, path, &file, schema)
            && let Some(r) = v.get("run_id").and_then(Value::as_str)
            && r != run
        {
            report.push(
                Problem::error(
                    &file,
                    format!("run_id is `{r}` but the artifact sits in run `{run}` (rule `run_id`)"),
                )
                .field("/run_id"),
            );
        }
    }
    report.summary = format!("{} artifacts of run {run} valid", files.len());
    report
}

/// Parses and validates one JSON file, pushing its problems. Returns the value when it parsed.
fn validate_file(report: &mut Report, path: &Path, file: &str, schema: &Schema) -> Option<Value> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            report.push(Problem::error(file, format!("cannot read the file: {e}")));
            return None;
        }
    };
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            report.push(
                Problem::error(file, format!("not valid JSON: {e}"))
                    .at(Some(e.line() as u64), Some(e.column() as u64)),
            );
            return None;
        }
    };
    for sp in crate::util::unique_problems(schema, &value) {
        report.push(schema_problem(file, &sp));
    }
    Some(value)
}

fn load_local(report: &mut Report, root: &Path, dir: &Path, name: &str) -> Option<Schema> {
    let path = dir.join(format!("{name}.schema.json"));
    if !path.is_file() {
        return None;
    }
    match Schema::load(name, Some(dir)) {
        Ok(s) => Some(s),
        Err(e) => {
            report.push(Problem::error(
                rel(root, &path),
                format!("{e}: fix the schema"),
            ));
            None
        }
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Artifact name → (schema, phase) over the project's workflows (the embedded kit's copy of a
/// workflow file the project lacks).
pub fn workflow_outputs(project: &Project) -> Result<BTreeMap<String, (String, String)>, String> {
    let mut out = BTreeMap::new();
    for wf in wazir_core::workflow::for_project(project).map_err(|e| e.to_string())? {
        for o in wf.rules.outputs {
            out.insert(o.artifact, (o.schema, wf.rules.phase.clone()));
        }
    }
    Ok(out)
}
