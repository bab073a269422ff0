//! `wazir validate manifest` on fixture projects: the passing case, and one precise line for each
//! kind of problem.

use crate::support::common;

use common::*;
use predicates::prelude::*;

fn edit_manifest(root: &std::path::Path, f: impl FnOnce(String) -> String) {
    let p = root.join("wazir.manifest.yaml");
    let t = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, f(t)).unwrap();
}

fn fails_with(root: &std::path::Path, expected: &str) -> String {
    let out = wazir(root).args(["validate", "manifest"]).assert().code(1);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(
        errors.len(),
        1,
        "expected exactly one problem line, got:\n{stderr}"
    );
    assert!(
        errors[0].contains(expected),
        "expected `{expected}` in:\n{stderr}"
    );
    errors[0].to_string()
}

#[test]
fn complete_fixture_passes() {
    let dir = fixture_project();
    wazir(dir.path())
        .args(["validate", "manifest"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "manifest: ok (10 roles, 15 workflows",
        ));
}

#[test]
fn on_demand_skill_must_exist_and_be_named_by_using_skills() {
    let dir = fixture_project();
    let skills = dir.path().join("skills");
    std::fs::remove_dir_all(skills.join("run-audit")).unwrap();
    let line = fails_with(
        dir.path(),
        "on-demand skill `run-audit` has no `skills/run-audit/SKILL.md`",
    );
    assert!(
        line.contains("wazir.manifest.yaml:") && line.contains("on_demand_skills["),
        "{line}"
    );

    let dir = fixture_project();
    let table = dir.path().join("skills/using-skills/SKILL.md");
    let text = std::fs::read_to_string(&table).unwrap();
    std::fs::write(&table, text.replace("`design`", "design")).unwrap();
    fails_with(
        dir.path(),
        "on-demand skill `design` is not named in `skills/using-skills/SKILL.md`",
    );

    let dir = fixture_project();
    edit_manifest(dir.path(), |t| {
        t.replace(
            "on_demand_skills:\n",
            "on_demand_skills:\n  - using-skills\n",
        )
    });
    fails_with(
        dir.path(),
        "`using-skills` is the table that names the on-demand skills",
    );
}

#[test]
fn runs_from_a_nested_folder() {
    let dir = fixture_project();
    let nested = dir.path().join("src/deep/er");
    std::fs::create_dir_all(&nested).unwrap();
    wazir(&nested)
        .args(["validate", "manifest"])
        .assert()
        .success();
}

#[test]
fn outside_a_project_suggests_init() {
    let dir = tempfile::tempdir().unwrap();
    wazir(dir.path())
        .args(["validate", "manifest"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("wazir init"));
}

#[test]
fn missing_role_file() {
    let dir = fixture_project();
    std::fs::remove_file(dir.path().join("roles/content-author.md")).unwrap();
    let line = fails_with(dir.path(), "role `content_author` has no contract file");
    assert!(line.contains("wazir.manifest.yaml:"), "{line}");
    assert!(line.contains("roles[3]"), "{line}");
    assert!(line.contains("roles/content-author.md"), "{line}");
}

#[test]
fn agent_policy_naming_an_unknown_role_or_tier() {
    let dir = fixture_project();
    edit_manifest(dir.path(), |t| {
        t.replace(
            "reviewer: { tier: strong, max_turns: 60 }",
            "reviewer: { tier: huge, max_turns: 60 }",
        )
    });
    let line = fails_with(dir.path(), "role `reviewer` runs on tier `huge`");
    assert!(line.contains("agents.roles.reviewer.tier"), "{line}");
    assert!(line.contains("`strong`"), "{line}");
    let dir = fixture_project();
    edit_manifest(dir.path(), |t| {
        t.replace(
            "learner: { tier: light, max_turns: 30 }",
            "learner: { tier: light, max_turns: 30 }\n    tester: { tier: light }",
        )
    });
    let line = fails_with(dir.path(), "`agents.roles` names `tester`");
    assert!(line.contains("wazir.manifest.yaml:"), "{line}");
}

#[test]
fn missing_workflow_file() {
    let dir = fixture_project();
    std::fs::remove_file(dir.path().join("workflows/spec-challenge.md")).unwrap();
    fails_with(dir.path(), "workflows/spec-challenge.md");
}

#[test]
fn field_of_the_wrong_type() {
    let dir = fixture_project();
    edit_manifest(dir.path(), |t| {
        t.replace("hosts: [claude, codex, gemini, cursor]", "hosts: claude")
    });
    let line = fails_with(
        dir.path(),
        "hosts: must be a list (found the string \"claude\")",
    );
    assert!(line.starts_with("error: wazir.manifest.yaml:"), "{line}");
}

#[test]
fn unknown_field() {
    let dir = fixture_project();
    edit_manifest(dir.path(), |t| {
        t.replace("phases:\n", "phasez: []\nphases:\n")
    });
    fails_with(dir.path(), "unknown field `phasez`");
}

#[test]
fn missing_required_field() {
    let dir = fixture_project();
    edit_manifest(dir.path(), |t| {
        let start = t.find("required_hooks:").unwrap();
        let end = t[start..].find("\n\n").unwrap() + start;
        format!("{}{}", &t[..start], &t[end + 1..])
    });
    fails_with(dir.path(), "missing required field `required_hooks`");
}

#[test]
fn manifest_version_1_gets_upgrade_guidance() {
    let dir = fixture_project();
    edit_manifest(dir.path(), |t| {
        t.replace("manifest_version: 2", "manifest_version: 1")
    });
    let line = fails_with(dir.path(), "format version 1");
    assert!(line.contains("Upgrade it"), "{line}");
    assert!(line.contains(":3: manifest_version"), "{line}");
}

#[test]
fn malformed_yaml_shows_line_and_column() {
    let dir = fixture_project();
    edit_manifest(dir.path(), |t| {
        t.replace(
            "hosts: [claude, codex, gemini, cursor]",
            "hosts: [claude, codex",
        )
    });
    let line = fails_with(dir.path(), "not valid YAML");
    let re = regex_lite_line_col(&line);
    assert!(re, "no line:column in {line}");
}

#[test]
fn duplicate_key() {
    let dir = fixture_project();
    edit_manifest(dir.path(), |t| {
        t.replace("phases:\n", "roles: [x]\nphases:\n")
    });
    let line = fails_with(dir.path(), "not valid YAML");
    assert!(line.to_lowercase().contains("duplicate"), "{line}");
}

#[test]
fn json_output_lists_problems() {
    let dir = fixture_project();
    std::fs::remove_file(dir.path().join("roles/verifier.md")).unwrap();
    let out = wazir(dir.path())
        .args(["validate", "manifest", "--json"])
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["check"], "manifest");
    assert_eq!(v["ok"], false);
    assert_eq!(v["problems"][0]["field"], "roles[7]");
}

/// `file:LINE:COL:` present.
fn regex_lite_line_col(line: &str) -> bool {
    let rest = line.trim_start_matches("error: wazir.manifest.yaml:");
    let mut parts = rest.splitn(3, ':');
    let l = parts.next().unwrap_or("");
    let c = parts.next().unwrap_or("");
    !l.is_empty()
        && l.chars().all(|x| x.is_ascii_digit())
        && !c.is_empty()
        && c.chars().all(|x| x.is_ascii_digit())
}
