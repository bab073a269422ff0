//! A crafted manifest cannot make Wazir write outside the project: `export build` and `init`
//! refuse (exit 1) a manifest whose export targets or folders are absolute or climb out, and
//! write nothing anywhere. Doctor fails when the hosts' hooks are switched off.

use crate::support::common;

use std::path::Path;

use common::*;

/// `outer/.claude/settings.json` (the user's own) and a project at `outer/a/b` whose manifest
/// has `from` replaced by `to`.
fn crafted(from: &str, to: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let outer = tempfile::tempdir().unwrap();
    let o = outer.path().canonicalize().unwrap();
    std::fs::create_dir_all(o.join(".claude")).unwrap();
    std::fs::write(
        o.join(".claude/settings.json"),
        r#"{"permissions":{"deny":["Bash(rm:*)"]}}"#,
    )
    .unwrap();
    let root = o.join("a/b");
    std::fs::create_dir_all(&root).unwrap();
    let text = kit_manifest_text();
    assert!(text.contains(from), "the kit manifest has no `{from}`");
    std::fs::write(root.join("wazir.manifest.yaml"), text.replacen(from, to, 1)).unwrap();
    (outer, root)
}

#[test]
fn export_build_refuses_an_export_target_that_climbs_out_and_writes_nothing() {
    let (outer, root) = crafted("path: exports/hosts/claude", "path: ../../.claude");
    let before = snapshot(outer.path());
    let state = tempfile::tempdir().unwrap();
    let out = wazir(&root)
        .args(["--state-root"])
        .arg(state.path())
        .args(["export", "build"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("export_targets.claude.path"), "{err}");
    assert!(err.contains("outside the project root"), "{err}");
    assert_eq!(snapshot(outer.path()), before, "export build wrote files");
}

#[test]
fn export_build_refuses_an_absolute_export_target() {
    let (outer, root) = crafted(
        "path: exports/hosts/codex",
        "path: /tmp/wazir-crafted-target",
    );
    let before = snapshot(outer.path());
    let state = tempfile::tempdir().unwrap();
    wazir(&root)
        .args(["--state-root"])
        .arg(state.path())
        .args(["export", "build"])
        .assert()
        .code(1);
    assert_eq!(snapshot(outer.path()), before);
    assert!(!Path::new("/tmp/wazir-crafted-target/hooks").exists());
}

#[test]
fn init_refuses_a_folder_that_climbs_out_and_writes_nothing() {
    let (outer, root) = crafted("  skills: skills", "  skills: ../x/.claude/skills");
    let before = snapshot(outer.path());
    let state = tempfile::tempdir().unwrap();
    let out = wazir(&root)
        .args(["init", "--no-index", "--state-root"])
        .arg(state.path())
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("paths.skills"), "{err}");
    assert_eq!(snapshot(outer.path()), before, "init wrote files");
    assert!(snapshot(state.path()).is_empty(), "init wrote state");
}

#[test]
fn doctor_fails_when_the_hooks_are_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    wazir(dir.path())
        .args([
            "init",
            "--no-index",
            "--host",
            "claude",
            "--host",
            "gemini",
            "--state-root",
        ])
        .arg(state.path())
        .assert()
        .success();
    let settings = dir.path().join(".claude/settings.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    v["disableAllHooks"] = serde_json::json!(true);
    std::fs::write(&settings, v.to_string()).unwrap();
    let out = wazir(dir.path())
        .args(["--state-root"])
        .arg(state.path())
        .arg("doctor")
        .assert()
        .code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned()
        + &String::from_utf8_lossy(&out.get_output().stderr);
    assert!(text.contains("disableAllHooks"), "{text}");

    v.as_object_mut().unwrap().remove("disableAllHooks");
    std::fs::write(&settings, v.to_string()).unwrap();
    let gemini = dir.path().join(".gemini/settings.json");
    let mut g: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&gemini).unwrap()).unwrap();
    g["hooksConfig"] = serde_json::json!({ "enabled": false });
    std::fs::write(&gemini, g.to_string()).unwrap();
    let out = wazir(dir.path())
        .args(["--state-root"])
        .arg(state.path())
        .arg("doctor")
        .assert()
        .code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("hooksConfig.enabled"), "{text}");
}
