//! `wazir validate hooks` on copies of the kit: the kit's definitions pass; a definition that
//! breaks its schema, a missing required hook, an unlisted extra hook and an id that differs
//! from the file name each fail with the exact problem.

use crate::support::validate as support;

use support::*;

fn hooks_fixture() -> Fixture {
    fixture(&["hooks", "schemas"])
}

#[test]
fn kit_definitions_pass() {
    let f = hooks_fixture();
    let (code, out, err) = f.run(&["validate", "hooks"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("hooks: ok (7 definitions, roster equals required_hooks)"),
        "{out}"
    );
}

#[test]
fn a_definition_without_a_required_field_names_pointer_and_rule() {
    let f = hooks_fixture();
    f.edit("hooks/definitions/session_start.yaml", |t| {
        t.lines()
            .filter(|l| !l.starts_with("trigger:"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    assert_one_error(
        f.run(&["validate", "hooks"]),
        "hooks/definitions/session_start.yaml: /: \"trigger\" is a required property (rule `required`)",
    );
}

#[test]
fn a_wrong_enum_value_points_at_the_field_and_its_line() {
    let f = hooks_fixture();
    f.edit("hooks/definitions/loop_cap_guard.yaml", |t| {
        t.replace("trigger: pre_tool_use", "trigger: before_everything")
    });
    let (code, _, err) = f.run(&["validate", "hooks"]);
    assert_eq!(code, 1, "{err}");
    let e = errors(&err);
    assert_eq!(e.len(), 1, "{err}");
    assert!(
        e[0].starts_with(
            "hooks/definitions/loop_cap_guard.yaml:2: /trigger: \"before_everything\" is not one of"
        ),
        "{err}"
    );
    assert!(e[0].ends_with("(rule `enum`)"), "{err}");
}

#[test]
fn a_missing_required_hook_is_named() {
    let f = hooks_fixture();
    std::fs::remove_file(f.path("hooks/definitions/pre_compact_summary.yaml")).unwrap();
    assert_one_error(
        f.run(&["validate", "hooks"]),
        "hooks/definitions: required_hooks[3]: required hook `pre_compact_summary` has no definition: \
         add hooks/definitions/pre_compact_summary.yaml or remove it from required_hooks in wazir.manifest.yaml",
    );
}

#[test]
fn an_unlisted_hook_is_named() {
    let f = hooks_fixture();
    let text = f
        .read("hooks/definitions/loop_cap_guard.yaml")
        .replace("id: loop_cap_guard", "id: extra_guard");
    f.write("hooks/definitions/extra_guard.yaml", &text);
    assert_one_error(
        f.run(&["validate", "hooks"]),
        "hooks/definitions/extra_guard.yaml: hook `extra_guard` is not in required_hooks: add it to \
         required_hooks in wazir.manifest.yaml or remove the file",
    );
}

#[test]
fn an_id_that_differs_from_the_file_name_is_named() {
    let f = hooks_fixture();
    let text = f.read("hooks/definitions/loop_cap_guard.yaml");
    std::fs::remove_file(f.path("hooks/definitions/loop_cap_guard.yaml")).unwrap();
    f.write("hooks/definitions/loop_cap.yaml", &text);
    assert_one_error(
        f.run(&["validate", "hooks"]),
        "hooks/definitions/loop_cap.yaml:1: /id: the id `loop_cap_guard` differs from the file name: \
         rename the file to `loop_cap_guard.yaml` or fix the id",
    );
}

#[test]
fn malformed_yaml_names_the_line() {
    let f = hooks_fixture();
    f.write(
        "hooks/definitions/session_start.yaml",
        "id: session_start\ntrigger: [unclosed\n",
    );
    let (code, _, err) = f.run(&["validate", "hooks"]);
    assert_eq!(code, 1);
    let e = errors(&err);
    assert!(
        e.iter()
            .any(|l| l.starts_with("hooks/definitions/session_start.yaml:")
                && l.contains("not valid YAML")),
        "{err}"
    );
}

#[test]
fn json_output_carries_pointer_and_rule() {
    let f = hooks_fixture();
    f.edit("hooks/definitions/session_start.yaml", |t| {
        t.replace("trigger: session_start", "trigger: 7")
    });
    let out = f
        .wazir()
        .args(["--json", "validate", "hooks"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["check"], "hooks");
    assert_eq!(v["ok"], false);
    assert_eq!(v["problems"][0]["field"], "/trigger");
    assert_eq!(
        v["problems"][0]["file"],
        "hooks/definitions/session_start.yaml"
    );
}
