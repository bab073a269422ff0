//! `wazir export check` on a copy of the kit: fresh packages pass; an edited role makes the files
//! built from it stale; an edited generated file is named as hand-edited; a deleted one as
//! missing; each failure prints the command that fixes it, and that command does fix it.

use crate::support::export as export_support;

use std::path::Path;

use export_support::*;

fn check(root: &Path, out: &Path) -> (i32, String, String) {
    let o = wazir(root)
        .args(["export", "check", "--out"])
        .arg(out)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

fn error_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect()
}

#[test]
fn fresh_packages_pass() {
    let (dir, root) = kit_copy();
    let out = dir.path().join("out");
    build_into(&root, &out);
    let (code, stdout, stderr) = check(&root, &out);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("export check: ok"), "{stdout}");
}

#[test]
fn editing_a_role_makes_check_name_the_stale_files() {
    let (dir, root) = kit_copy();
    let out = dir.path().join("out");
    build_into(&root, &out);
    let role = root.join("roles/reviewer.md");
    let mut text = std::fs::read_to_string(&role).unwrap();
    text.push_str("\n- A finding that repeats an earlier one without new evidence.\n");
    std::fs::write(&role, text).unwrap();

    let (code, _, stderr) = check(&root, &out);
    assert_eq!(code, 1, "{stderr}");
    let errors = error_lines(&stderr);
    for f in [
        "claude/.claude/agents/reviewer.md",
        "claude/agents/reviewer.md",
        "gemini/agents/reviewer.md",
        "cursor/.cursor/rules/wazir-role-reviewer.mdc",
    ] {
        let line = errors
            .iter()
            .find(|l| l.contains(f))
            .unwrap_or_else(|| panic!("{f} not named in:\n{stderr}"));
        assert!(line.contains(": stale: "), "{line}");
        assert!(line.contains("roles/reviewer.md"), "{line}");
    }
    assert!(
        !errors.iter().any(|l| l.contains("agents/planner.md")),
        "files not built from the role stay fresh:\n{stderr}"
    );
    assert!(stderr.contains("fix: run `wazir export build"), "{stderr}");

    // The named command fixes it.
    wazir(&root)
        .args(["export", "build", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(check(&root, &out).0, 0);
}

#[test]
fn editing_a_generated_file_is_named_as_hand_edited() {
    let (dir, root) = kit_copy();
    let out = dir.path().join("out");
    build_into(&root, &out);
    let target = out.join("claude/.claude/settings.json");
    let text = std::fs::read_to_string(&target)
        .unwrap()
        .replace("\"timeout\": 10", "\"timeout\": 1");
    std::fs::write(&target, text).unwrap();

    let (code, _, stderr) = check(&root, &out);
    assert_eq!(code, 1);
    let errors = error_lines(&stderr);
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("claude/.claude/settings.json: hand-edited"),
        "{stderr}"
    );
    assert!(
        stderr.contains("wazir export build --host claude"),
        "{stderr}"
    );
}

#[test]
fn deleting_a_generated_file_is_named_as_missing() {
    let (dir, root) = kit_copy();
    let out = dir.path().join("out");
    build_into(&root, &out);
    std::fs::remove_file(out.join("gemini/commands/plan-review.toml")).unwrap();
    std::fs::remove_file(out.join("codex/AGENTS.md")).unwrap();

    let (code, _, stderr) = check(&root, &out);
    assert_eq!(code, 1);
    let errors = error_lines(&stderr);
    assert_eq!(errors.len(), 2, "{stderr}");
    assert!(
        errors
            .iter()
            .any(|l| l.contains("gemini/commands/plan-review.toml: missing"))
    );
    assert!(
        errors
            .iter()
            .any(|l| l.contains("codex/AGENTS.md: missing"))
    );
    assert!(
        stderr.contains("wazir export build --host codex --host gemini"),
        "{stderr}"
    );
}

#[test]
fn a_package_never_built_is_missing_and_json_lists_findings() {
    let (dir, root) = kit_copy();
    let out = dir.path().join("out");
    let o = wazir(&root)
        .args(["--json", "export", "check", "--host", "cursor", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["findings"][0]["kind"], "missing");
    assert_eq!(v["findings"][0]["host"], "cursor");
}

#[test]
fn the_kits_own_packages_are_fresh_and_the_check_alias_works() {
    // The repository's kit/exports/hosts/ and root marketplace, built by `wazir export build`
    // in kit/, must match the sources; `export --check` is the same check.
    let kit = repo_root().join("kit");
    let o = wazir(&kit).args(["export", "--check"]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        repo_root()
            .join(".claude-plugin/marketplace.json")
            .is_file()
    );
    let m = read_json(&repo_root().join(".claude-plugin/marketplace.json"));
    assert_eq!(m["plugins"][0]["source"], "./kit/exports/hosts/claude");
}

#[test]
fn unknown_host_is_refused_with_the_valid_names() {
    let (_dir, root) = kit_copy();
    wazir(&root)
        .args(["export", "build", "--host", "vim"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("claude, codex, gemini, cursor"));
}
