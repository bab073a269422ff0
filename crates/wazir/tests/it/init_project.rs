//! `wazir init` on real folders: an empty one, one with user Claude settings, twice in a row,
//! `--dry-run`, and a project with a hand-edited role.

use crate::support::common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

/// Every file under `root` with its bytes, except the lock file's timestamps (it has none).
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn init(dir: &Path, state: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    let mut c = wazir(dir);
    c.arg("init").arg("--state-root").arg(state).args(extra);
    c.assert()
}

#[test]
fn init_into_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let out = init(dir.path(), state.path(), &[]).success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let root = dir.path();
    for f in [
        "wazir.manifest.yaml",
        ".wazir/kit.lock.json",
        ".wazir/roles/reviewer.md",
        ".wazir/workflows/spec-challenge.md",
        ".wazir/schemas/review.schema.json",
        "CLAUDE.md",
        ".claude/settings.json",
        "AGENTS.md",
        ".codex/hooks.json",
        "GEMINI.md",
        ".gemini/settings.json",
        ".cursor/hooks.json",
    ] {
        assert!(root.join(f).is_file(), "{f} missing; output:\n{stdout}");
    }
    assert!(
        stdout.contains("no host folder found: all four"),
        "{stdout}"
    );
    assert!(stdout.contains("/wazir"), "{stdout}");
    assert!(stdout.contains("trust"), "{stdout}");
    assert!(stdout.contains("doctor: ok"), "{stdout}");
    assert!(state.path().join("index").exists(), "index not built");
    wazir(root)
        .args(["validate", "manifest"])
        .assert()
        .success();
}

#[test]
fn existing_claude_settings_are_kept_and_ours_added_once() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join(".claude")).unwrap();
    let user = serde_json::json!({
        "permissions": {"allow": ["Bash(npm test:*)"], "deny": ["Read(./.env)"]},
        "model": "opus",
        "hooks": {"PreToolUse": [{"matcher": "Bash",
            "hooks": [{"type": "command", "command": "./scripts/audit-shell.sh"}]}]}
    });
    std::fs::write(
        root.join(".claude/settings.json"),
        serde_json::to_string_pretty(&user).unwrap(),
    )
    .unwrap();
    let out = init(root, state.path(), &[]).success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    // Only Claude was detected, so only Claude is set up.
    assert!(stdout.contains("found .claude"), "{stdout}");
    assert!(!root.join(".codex").exists());

    let text = std::fs::read_to_string(root.join(".claude/settings.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["model"], "opus");
    assert_eq!(v["permissions"], user["permissions"]);
    let pre = v["hooks"]["PreToolUse"].as_array().unwrap();
    assert!(
        pre.iter()
            .any(|g| g["hooks"][0]["command"] == "./scripts/audit-shell.sh")
    );
    let ours = text
        .matches("wazir hook --host claude protected-path")
        .count();
    assert_eq!(ours, 1, "{text}");

    init(root, state.path(), &[]).success();
    let again = std::fs::read_to_string(root.join(".claude/settings.json")).unwrap();
    assert_eq!(again, text, "second run changed the settings");
}

#[test]
fn second_run_changes_no_byte() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    init(dir.path(), state.path(), &[]).success();
    let before = snapshot(dir.path());
    let out = init(dir.path(), state.path(), &[]).success();
    let after = snapshot(dir.path());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (k, v) in &before {
        assert!(after[k] == *v, "{k} changed on the second run");
    }
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("0 new, 0 updated, 0 overwritten"),
        "{stdout}"
    );
}

#[test]
fn dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let out = init(dir.path(), state.path(), &["--dry-run"]).success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.starts_with("Plan to set up"), "{stdout}");
    assert!(stdout.contains("would write"), "{stdout}");
    assert!(snapshot(dir.path()).is_empty(), "dry run wrote files");
    assert!(std::fs::read_dir(state.path()).unwrap().next().is_none());

    // On a project that already has Wazir, the dry run lists the host files it would touch.
    init(dir.path(), state.path(), &["--host", "claude"]).success();
    std::fs::remove_file(dir.path().join("CLAUDE.md")).unwrap();
    let before = snapshot(dir.path());
    let out = init(dir.path(), state.path(), &["--dry-run", "--host", "claude"]).success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("would write  CLAUDE.md"), "{stdout}");
    assert_eq!(before, snapshot(dir.path()));
}

#[test]
fn hand_edited_role_is_left_alone_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    init(dir.path(), state.path(), &["--host", "codex"]).success();
    let role = dir.path().join(".wazir/roles/reviewer.md");
    let edited = format!(
        "{}\n## House rules\n\nEvery finding names its owner.\n",
        std::fs::read_to_string(&role).unwrap()
    );
    std::fs::write(&role, &edited).unwrap();
    let out = init(dir.path(), state.path(), &["--host", "codex"]).success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("left alone"), "{stdout}");
    assert!(stdout.contains(".wazir/roles/reviewer.md"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&role).unwrap(), edited);

    let out = init(
        dir.path(),
        state.path(),
        &["--host", "codex", "--force", "--json"],
    )
    .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["kit"]["overwritten"][0], ".wazir/roles/reviewer.md");
    assert_ne!(std::fs::read_to_string(&role).unwrap(), edited);
}

#[test]
fn the_example_project_ends_with_doctor_passing() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let src = repo_root().join("examples/tasks-api");
    copy_dir(&src, &dir.path().join("tasks-api"));
    let root = dir.path().join("tasks-api");
    init(&root, state.path(), &[]).success();
    wazir(&root)
        .args(["doctor", "--state-root"])
        .arg(state.path())
        .assert()
        .success();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let t = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

#[test]
fn doctor_names_a_deleted_host_file_and_init_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path();
    init(root, state.path(), &["--host", "claude"]).success();
    std::fs::remove_file(root.join(".claude/agents/reviewer.md")).unwrap();
    let out = wazir(root)
        .args(["doctor", "--state-root"])
        .arg(state.path())
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains(".claude/agents/reviewer.md"), "{stderr}");
    assert!(stderr.contains("wazir init --host claude"), "{stderr}");
    init(root, state.path(), &["--host", "claude"]).success();
    assert!(root.join(".claude/agents/reviewer.md").is_file());
}
