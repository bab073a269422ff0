//! `wazir_export::install_project_files`, the half of the exporter `wazir init` uses:
//! writes a host's project-level files into a project, merges into settings already there (every
//! user key and hook kept, ours added once), changes no byte on a second run, and never registers
//! a Wazir behaviour twice for Cursor, which also runs `.claude/settings.json` hooks.

use crate::support::export as export_support;

use std::collections::BTreeMap;
use std::path::Path;

use export_support::*;
use serde_json::{Value, json};
use wazir_core::Project;
use wazir_export::install_project_files;
use wazir_hosts::Host;

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walk(dir)
        .into_iter()
        .map(|(r, p)| (r, std::fs::read(p).unwrap()))
        .collect()
}

fn project() -> (tempfile::TempDir, Project) {
    let (dir, root) = kit_copy();
    let p = Project::open(&root).unwrap();
    (dir, p)
}

fn our_commands(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for list in v["hooks"].as_object().unwrap().values() {
        for item in list.as_array().unwrap() {
            let handlers = match item.get("hooks") {
                Some(h) => h.as_array().unwrap().clone(),
                None => vec![item.clone()],
            };
            for h in handlers {
                let c = h["command"].as_str().unwrap_or("").to_string();
                if c.starts_with("wazir hook") {
                    out.push(c);
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_host_installs_into_an_empty_project_and_a_second_run_changes_nothing() {
    let (_d, p) = project();
    let target = tempfile::tempdir().unwrap();
    for host in Host::ALL {
        let r = install_project_files(&p, host, target.path(), false).unwrap();
        assert!(!r.written.is_empty(), "{host}");
    }
    let first = snapshot(target.path());
    for f in [
        "CLAUDE.md",
        ".claude/settings.json",
        ".claude/agents/reviewer.md",
        ".claude/commands/plan.md",
        "AGENTS.md",
        ".codex/hooks.json",
        ".agents/skills/tdd/SKILL.md",
        "GEMINI.md",
        ".gemini/settings.json",
        ".gemini/commands/plan-phase.toml",
        ".cursor/hooks.json",
        ".cursor/rules/wazir.mdc",
    ] {
        assert!(first.contains_key(f), "{f} not written");
    }
    for host in Host::ALL {
        let r = install_project_files(&p, host, target.path(), false).unwrap();
        assert!(r.written.is_empty() && r.merged.is_empty(), "{host}: {r:?}");
    }
    assert_eq!(snapshot(target.path()), first, "a second run changed bytes");

    let settings = host_schema("schemastore-claude-code-settings.json");
    assert_valid(
        &settings,
        &read_json(&target.path().join(".claude/settings.json")),
        "settings",
    );
    assert_valid(
        &host_schema("schemastore-codex-hooks.json"),
        &read_json(&target.path().join(".codex/hooks.json")),
        "codex hooks",
    );
    assert_valid(
        &host_schema("gemini-cli-settings.schema.json"),
        &read_json(&target.path().join(".gemini/settings.json")),
        "gemini settings",
    );
    assert_valid(
        &host_schema("derived-cursor-hooks.schema.json"),
        &read_json(&target.path().join(".cursor/hooks.json")),
        "cursor hooks",
    );
}

#[test]
fn user_settings_and_instructions_are_kept() {
    let (_d, p) = project();
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    std::fs::create_dir_all(root.join(".claude")).unwrap();
    let user = json!({
        "model": "opus",
        "permissions": {"allow": ["Bash(cargo test:*)"]},
        "hooks": {
            "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "./scripts/lint-guard.sh"}]}],
            "Notification": [{"hooks": [{"type": "command", "command": "notify-send done"}]}]
        }
    });
    std::fs::write(
        root.join(".claude/settings.json"),
        serde_json::to_string_pretty(&user).unwrap(),
    )
    .unwrap();
    std::fs::write(root.join("CLAUDE.md"), "# Team notes\n\nUse tabs.\n").unwrap();

    let r = install_project_files(&p, Host::Claude, root, false).unwrap();
    assert!(
        r.merged.contains(&".claude/settings.json".to_string()),
        "{r:?}"
    );
    assert!(r.merged.contains(&"CLAUDE.md".to_string()), "{r:?}");
    let merged = read_json(&root.join(".claude/settings.json"));
    assert_eq!(merged["model"], "opus");
    assert_eq!(merged["permissions"], user["permissions"]);
    assert_eq!(
        merged["hooks"]["Notification"],
        user["hooks"]["Notification"]
    );
    assert_eq!(
        merged["hooks"]["PreToolUse"][0], user["hooks"]["PreToolUse"][0],
        "the user's hook stays first"
    );
    let ours = our_commands(&merged);
    let mut dedup = ours.clone();
    dedup.dedup();
    assert_eq!(ours, dedup, "each of ours once");
    // One command per host event: `pre-tool` runs the three pre-tool behaviours.
    assert_eq!(ours.len(), 6);
    assert!(ours.iter().any(|c| c.ends_with(" pre-tool")), "{ours:?}");
    let md = std::fs::read_to_string(root.join("CLAUDE.md")).unwrap();
    assert!(md.starts_with("# Team notes\n\nUse tabs.\n"));
    assert!(md.contains("<!-- wazir:begin"));

    let before = snapshot(root);
    install_project_files(&p, Host::Claude, root, false).unwrap();
    assert_eq!(snapshot(root), before);
}

#[test]
fn cursor_keeps_its_guards_whatever_claude_settings_hold() {
    // Claude first, then Cursor: Cursor still registers every behaviour with failClosed guards,
    // so the guards hold even when Cursor does not read .claude/settings.json.
    let (_d, p) = project();
    let t = tempfile::tempdir().unwrap();
    install_project_files(&p, Host::Claude, t.path(), false).unwrap();
    install_project_files(&p, Host::Cursor, t.path(), false).unwrap();
    let cursor = read_json(&t.path().join(".cursor/hooks.json"));
    assert!(our_commands(&cursor).len() >= 7, "{cursor}");
    assert!(cursor.to_string().contains("\"failClosed\":true"));
    assert_eq!(cursor["version"], 1);

    // Cursor first, then Claude: installing Claude leaves the Cursor file as it was.
    let (_d2, p2) = project();
    let t2 = tempfile::tempdir().unwrap();
    install_project_files(&p2, Host::Cursor, t2.path(), false).unwrap();
    let before = read_json(&t2.path().join(".cursor/hooks.json"));
    install_project_files(&p2, Host::Claude, t2.path(), false).unwrap();
    assert_eq!(read_json(&t2.path().join(".cursor/hooks.json")), before);

    // A user's own Cursor hook survives both.
    let t3 = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t3.path().join(".cursor")).unwrap();
    std::fs::write(
        t3.path().join(".cursor/hooks.json"),
        r#"{"version":1,"hooks":{"afterFileEdit":[{"command":"./format.sh"}]}}"#,
    )
    .unwrap();
    install_project_files(&p2, Host::Cursor, t3.path(), false).unwrap();
    install_project_files(&p2, Host::Claude, t3.path(), false).unwrap();
    let kept = read_json(&t3.path().join(".cursor/hooks.json"));
    assert_eq!(kept["hooks"]["afterFileEdit"][0]["command"], "./format.sh");
}

#[test]
fn broken_settings_are_reported_with_file_and_line_and_left_alone() {
    let (_d, p) = project();
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join(".gemini")).unwrap();
    let bad = "{\n  \"theme\": \"dark\",\n  \"hooks\": \n}\n";
    std::fs::write(t.path().join(".gemini/settings.json"), bad).unwrap();
    let e = install_project_files(&p, Host::Gemini, t.path(), false).unwrap_err();
    let msg = format!("{e:#}");
    assert!(msg.contains(".gemini/settings.json:4:"), "{msg}");
    assert_eq!(
        std::fs::read_to_string(t.path().join(".gemini/settings.json")).unwrap(),
        bad
    );
}

#[test]
fn dry_run_writes_nothing() {
    let (_d, p) = project();
    let t = tempfile::tempdir().unwrap();
    let r = install_project_files(&p, Host::Codex, t.path(), true).unwrap();
    assert!(!r.written.is_empty());
    assert!(walk(t.path()).is_empty());
    assert!(r.notes.iter().any(|n| n.contains("trust")));
}
