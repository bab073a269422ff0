//! `wazir validate artifacts`: every kit example validates against its schema; for every schema
//! of the kit an invalid instance fails with the expected JSON pointer and rule; `--run ID`
//! validates a run's artifacts against the schemas its workflows name.

use crate::support::validate as support;

use serde_json::{Value, json};
use support::*;

fn artifacts_fixture() -> Fixture {
    fixture(&["schemas", "templates", "workflows"])
}

fn schemas() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(kit_dir().join("schemas"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".schema.json").map(str::to_string))
        .collect();
    v.sort();
    v
}

#[test]
fn kit_examples_pass() {
    let f = artifacts_fixture();
    let (code, out, err) = f.run(&["validate", "artifacts"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("artifacts: ok ("), "{out}");
    assert!(errors(&err).is_empty(), "{err}");
}

/// A valid instance of `schema` when the kit has one (its example), else `None`.
fn valid_instance(schema: &str) -> Option<Value> {
    let p = kit_dir().join(format!("templates/examples/{schema}.example.json"));
    std::fs::read_to_string(p)
        .ok()
        .map(|t| serde_json::from_str(&t).unwrap())
}

/// Replaces the value at top-level `key` with one of the wrong type.
fn wrong_type(v: &Value) -> Value {
    match v {
        Value::String(_) => json!(12345),
        _ => json!("not the right type"),
    }
}

#[test]
fn every_schema_rejects_an_invalid_instance_at_the_expected_pointer() {
    let mut checked = 0;
    for schema in schemas() {
        let f = artifacts_fixture();
        for e in std::fs::read_dir(f.path("templates/examples")).unwrap() {
            std::fs::remove_file(e.unwrap().path()).unwrap();
        }
        let schema_doc: Value = serde_json::from_str(
            &std::fs::read_to_string(kit_dir().join(format!("schemas/{schema}.schema.json")))
                .unwrap(),
        )
        .unwrap();
        let required: Vec<String> = schema_doc["required"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        let file = format!("templates/examples/{schema}.example.json");
        let (instance, expected_pointer, expected_rule) = match valid_instance(&schema) {
            Some(mut v) => {
                // Break the first required field whose value has a checked type.
                let key = required
                    .iter()
                    .find(|k| v.get(k.as_str()).is_some())
                    .unwrap_or_else(|| panic!("{schema}: example lacks its required fields"))
                    .clone();
                let bad = wrong_type(&v[&key]);
                v[&key] = bad;
                (v, format!("/{key}"), None)
            }
            None => {
                assert!(
                    !required.is_empty(),
                    "{schema}: no example and no required fields"
                );
                (json!({}), "/".to_string(), Some("required"))
            }
        };
        f.write(&file, &serde_json::to_string_pretty(&instance).unwrap());
        let (code, out, err) = f.run(&["validate", "artifacts"]);
        assert_eq!(code, 1, "{schema}: {out}{err}");
        let e = errors(&err);
        let prefix = format!("{file}: {expected_pointer}: ");
        assert!(
            e.iter().any(|l| l.starts_with(&prefix)
                && expected_rule.is_none_or(|r| l.ends_with(&format!("(rule `{r}`)")))),
            "{schema}: expected a problem at {expected_pointer}, got:\n{err}"
        );
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} schemas in the kit");
}

#[test]
fn a_missing_envelope_field_is_reported_at_the_root_with_rule_required() {
    let f = artifacts_fixture();
    let file = "templates/examples/spec.example.json";
    f.edit(file, |t| {
        let mut v: Value = serde_json::from_str(&t).unwrap();
        v.as_object_mut().unwrap().remove("run_id");
        serde_json::to_string_pretty(&v).unwrap()
    });
    assert_one_error(
        f.run(&["validate", "artifacts"]),
        &format!("{file}: /: \"run_id\" is a required property (rule `required`)"),
    );
}

#[test]
fn an_example_without_a_schema_and_broken_json_are_named() {
    let f = artifacts_fixture();
    f.write("templates/examples/nothing.example.json", "{}");
    assert_one_error(
        f.run(&["validate", "artifacts"]),
        "templates/examples/nothing.example.json: no schema `nothing`: add schemas/nothing.schema.json \
         or rename the example after its schema",
    );
    std::fs::remove_file(f.path("templates/examples/nothing.example.json")).unwrap();
    f.write("templates/examples/spec.example.json", "{\n  \"phase\": \n");
    let (code, _, err) = f.run(&["validate", "artifacts"]);
    assert_eq!(code, 1);
    let e = errors(&err);
    assert_eq!(e.len(), 1, "{err}");
    assert!(
        e[0].starts_with("templates/examples/spec.example.json:3:"),
        "{err}"
    );
    assert!(e[0].contains("not valid JSON"), "{err}");
}

fn run_fixture(run: &str) -> (Fixture, std::path::PathBuf) {
    let f = artifacts_fixture();
    let dir = f.state.path().join("runs").join(run).join("artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    let mut spec = valid_instance("spec").unwrap();
    spec["run_id"] = json!(run);
    std::fs::write(
        dir.join("spec.json"),
        serde_json::to_string_pretty(&spec).unwrap(),
    )
    .unwrap();
    let mut proof = valid_instance("verification-proof").unwrap();
    proof["run_id"] = json!(run);
    std::fs::write(
        dir.join("verification-proof.json"),
        serde_json::to_string_pretty(&proof).unwrap(),
    )
    .unwrap();
    (f, dir)
}

#[test]
fn a_runs_artifacts_pass() {
    let (f, _) = run_fixture("run-1");
    let (code, out, err) = f.run(&["validate", "artifacts", "--run", "run-1"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("artifacts: ok (2 artifacts of run run-1 valid)"),
        "{out}"
    );
}

#[test]
fn a_runs_invalid_artifact_names_file_pointer_and_rule() {
    let (f, dir) = run_fixture("run-1");
    let p = dir.join("spec.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    v["loop"] = json!(0);
    std::fs::write(&p, v.to_string()).unwrap();
    let (code, _, err) = f.run(&["validate", "artifacts", "--run", "run-1"]);
    assert_eq!(code, 1);
    let e = errors(&err);
    assert_eq!(e.len(), 1, "{err}");
    assert!(
        e[0].starts_with(&format!(
            "{}: /loop: 0 is less than the minimum of 1",
            p.display()
        )),
        "{err}"
    );
    assert!(e[0].ends_with("(rule `minimum`)"), "{err}");
}

#[test]
fn a_runs_unknown_artifact_and_foreign_run_id_are_named() {
    let (f, dir) = run_fixture("run-1");
    std::fs::write(dir.join("notes.json"), "{}").unwrap();
    let (code, _, err) = f.run(&["validate", "artifacts", "--run", "run-1"]);
    assert_eq!(code, 1);
    let e = errors(&err);
    assert_eq!(e.len(), 1, "{err}");
    assert!(
        e[0].starts_with(&format!(
            "{}: `notes` is not an output of any workflow, so no schema applies",
            dir.join("notes.json").display()
        )),
        "{err}"
    );
    std::fs::remove_file(dir.join("notes.json")).unwrap();
    let p = dir.join("spec.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    v["run_id"] = json!("run-2");
    std::fs::write(&p, v.to_string()).unwrap();
    assert_one_error(
        f.run(&["validate", "artifacts", "--run", "run-1"]),
        &format!(
            "{}: /run_id: run_id is `run-2` but the artifact sits in run `run-1` (rule `run_id`)",
            p.display()
        ),
    );
}

#[test]
fn an_unknown_run_or_a_hostile_id_fails() {
    let f = artifacts_fixture();
    let (code, _, err) = f.run(&["validate", "artifacts", "--run", "nope"]);
    assert_eq!(code, 1);
    assert!(
        errors(&err)[0].contains("no run `nope` in the state root"),
        "{err}"
    );
    let (code, _, err) = f.run(&["validate", "artifacts", "--run", "../etc"]);
    assert_eq!(code, 1);
    assert!(errors(&err)[0].starts_with("--run: "), "{err}");
}
