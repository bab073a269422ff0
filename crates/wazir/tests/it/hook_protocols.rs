//! The hook runtime against each host's real protocol: every captured payload in
//! `../shared/host-payloads/`, plus the pre-tool payloads of each host's write and shell tools,
//! with the decision, the exit code and the answer checked, and every JSON answer validated
//! against the host's schema.

use crate::support::hook as hook_support;

use hook_support::*;
use serde_json::{Value, json};

/// Our behaviour for a captured payload file.
fn event_for(file: &str) -> &'static str {
    match file {
        "sessionstart.json" => "session-start",
        "prompt.json" | "beforeagent.json" => "prompt",
        other => panic!("add a mapping for the captured payload {other}"),
    }
}

#[test]
fn every_captured_payload_gets_a_valid_answer_inside_and_outside_a_project() {
    let p = TestProject::new();
    let outside = tempfile::tempdir().unwrap();
    let mut seen = 0;
    for host in ["claude", "codex", "gemini", "cursor"] {
        let dir = shared().join("host-payloads").join(host);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let payload: Value = serde_json::from_str(&text).unwrap();
            let host_event = payload["hook_event_name"].as_str().unwrap().to_string();
            let event = event_for(&name);

            let out = p.hook_with(host, event, &text, &[]);
            check_answer(host, &host_event, &out);
            assert_eq!(out.code, 0, "{host} {name}: {out:?}");
            if event == "session-start" {
                let ctx = out.json()["hookSpecificOutput"]["additionalContext"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{host} {name}: no context: {out:?}"))
                    .to_string();
                assert!(ctx.contains("No run is active"), "{ctx}");
                assert!(ctx.contains("wazir index build"), "{ctx}");
            } else {
                // No run: a prompt gets the neutral answer.
                assert!(
                    out.stdout.trim().is_empty() || out.json() == json!({}),
                    "{out:?}"
                );
            }

            let out = run_hook(outside.path(), None, host, event, &text, &[]);
            check_answer(host, &host_event, &out);
            assert_eq!(out.code, 0, "{host} {name} outside a project: {out:?}");
            assert!(
                out.stdout.trim().is_empty() || out.json() == json!({}),
                "{out:?}"
            );
            seen += 1;
        }
    }
    assert!(
        seen >= 6,
        "the captured payloads were not found under {}",
        shared().display()
    );
}

#[test]
fn built_codex_payloads_satisfy_codex_input_schemas() {
    let p = TestProject::new();
    let schema_path =
        shared().join("host-schemas/codex-hooks-io/pre-tool-use.command.input.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    for payload in [
        write_payload("codex", &p.root, "roles/a.md"),
        shell_payload("codex", &p.root, "ls"),
    ] {
        let errors: Vec<String> = v.iter_errors(&payload).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{payload}: {errors:?}");
    }
}

#[test]
fn each_hosts_write_tool_is_blocked_in_a_protected_path_and_let_through_elsewhere() {
    let p = TestProject::new();
    for (host, host_event) in [
        ("claude", "PreToolUse"),
        ("codex", "PreToolUse"),
        ("gemini", "BeforeTool"),
        ("cursor", "preToolUse"),
    ] {
        let target = if host == "codex" {
            "roles/new.md".to_string()
        } else {
            p.path("roles/new.md")
        };
        let out = p.hook(
            host,
            "protected-path",
            &write_payload(host, &p.root, &target),
        );
        check_answer(host, host_event, &out);
        assert!(out.blocked(), "{host}: {out:?}");
        assert!(
            out.stderr.contains("roles/new.md"),
            "names the path: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("`roles`"),
            "names the entry: {}",
            out.stderr
        );
        assert!(out.stderr.contains("wazir export build"), "{}", out.stderr);
        if host == "cursor" {
            let v = out.json();
            assert_eq!(v["permission"], "deny");
            assert!(
                v["agent_message"]
                    .as_str()
                    .unwrap()
                    .contains("roles/new.md")
            );
        }

        let target = if host == "codex" {
            "src/new.rs".to_string()
        } else {
            p.path("src/new.rs")
        };
        let out = p.hook(
            host,
            "protected-path",
            &write_payload(host, &p.root, &target),
        );
        check_answer(host, host_event, &out);
        assert_eq!(out.code, 0, "{host}: {out:?}");
        assert!(out.stderr.is_empty(), "{host}: {out:?}");
        match host {
            "claude" => assert_eq!(out.stdout, ""),
            "codex" | "gemini" => assert_eq!(out.json(), json!({})),
            _ => assert_eq!(out.json(), json!({"permission": "allow"})),
        }
    }
}

#[test]
fn each_hosts_shell_tool_is_read_for_writes() {
    let p = TestProject::new();
    for (host, host_event) in [
        ("claude", "PreToolUse"),
        ("codex", "PreToolUse"),
        ("gemini", "BeforeTool"),
        ("cursor", "beforeShellExecution"),
    ] {
        let out = p.hook(
            host,
            "protected-path",
            &shell_payload(host, &p.root, "echo hi > workflows/plan.md"),
        );
        check_answer(host, host_event, &out);
        assert!(out.blocked(), "{host}: {out:?}");
        let out = p.hook(
            host,
            "protected-path",
            &shell_payload(host, &p.root, "cargo test 2>&1 | tee build/test.log"),
        );
        check_answer(host, host_event, &out);
        assert_eq!(out.code, 0, "{host}: {out:?}");
        // Loop-cap and capture-route on an ordinary command: neutral, nothing read.
        for event in ["loop-cap", "capture-route"] {
            let out = p.hook(host, event, &shell_payload(host, &p.root, "git status"));
            check_answer(host, host_event, &out);
            assert_eq!(out.code, 0, "{host} {event}: {out:?}");
        }
    }
}

#[test]
fn a_guard_that_cannot_read_its_payload_blocks_and_names_doctor() {
    let p = TestProject::new();
    for host in ["claude", "codex", "gemini", "cursor"] {
        for stdin in ["", "not json", "[1,2]"] {
            let out = p.hook_with(host, "protected-path", stdin, &[]);
            assert!(out.blocked(), "{host} {stdin:?}: {out:?}");
            assert!(out.stderr.contains("wazir doctor"), "{}", out.stderr);
        }
        // Non-guards stay out of the way and say why on stderr.
        let out = p.hook_with(host, "capture", "not json", &[]);
        assert_eq!(out.code, 0, "{host}: {out:?}");
        assert!(out.stderr.contains("not JSON"), "{}", out.stderr);
    }
    let log = std::fs::read_to_string(p.state.join("logs/hook-errors.ndjson")).unwrap();
    assert!(log.lines().count() >= 12, "{log}");
    assert!(
        log.lines()
            .all(|l| serde_json::from_str::<Value>(l).is_ok())
    );
}

#[test]
fn an_unreadable_manifest_makes_the_guard_block() {
    let p = TestProject::new();
    std::fs::write(
        p.root.join("wazir.manifest.yaml"),
        "manifest_version: [oops\n",
    )
    .unwrap();
    let out = p.hook(
        "claude",
        "protected-path",
        &write_payload("claude", &p.root, &p.path("src/a.rs")),
    );
    assert!(out.blocked(), "{out:?}");
    assert!(out.stderr.contains("wazir doctor"), "{}", out.stderr);
    // A read-only tool is let through without touching the manifest.
    let read = json!({"session_id": "s", "cwd": p.root, "hook_event_name": "PreToolUse",
                      "tool_name": "Read", "tool_input": {"file_path": p.path("roles/executor.md")}});
    assert_eq!(p.hook("claude", "protected-path", &read).code, 0);
}

#[test]
fn the_approved_flow_lets_regeneration_through() {
    let p = TestProject::new();
    let payload = write_payload("claude", &p.root, &p.path("exports/hosts/claude/CLAUDE.md"));
    assert!(p.hook("claude", "protected-path", &payload).blocked());
    let ok = p.hook_with(
        "claude",
        "protected-path",
        &payload.to_string(),
        &[("WAZIR_APPROVED_FLOW", "host_export_regeneration")],
    );
    assert_eq!(ok.code, 0, "{ok:?}");
    let wrong = p.hook_with(
        "claude",
        "protected-path",
        &payload.to_string(),
        &[("WAZIR_APPROVED_FLOW", "anything")],
    );
    assert!(wrong.blocked());
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wazir"));
    let out = cmd
        .args([
            "hook",
            "--host",
            "claude",
            "--approved-flow",
            "host_export_regeneration",
            "protected-path",
        ])
        .current_dir(&p.root)
        .env("WAZIR_STATE_ROOT", &p.state)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .unwrap()
                .write_all(payload.to_string().as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn bad_host_or_event_is_a_usage_error_not_a_block() {
    let p = TestProject::new();
    let out = p.hook_with("vim", "protected-path", "{}", &[]);
    assert_ne!(out.code, 2);
    assert!(out.stderr.contains("unknown host"), "{}", out.stderr);
    let out = p.hook_with("claude", "guard-everything", "{}", &[]);
    assert_ne!(out.code, 2);
    assert!(out.stderr.contains("unknown hook event"), "{}", out.stderr);
}

#[test]
fn a_byte_order_mark_and_a_stringified_tool_input_are_read() {
    let p = TestProject::new();
    let payload = json!({"conversation_id": "c", "hook_event_name": "preToolUse",
        "workspace_roots": [p.root], "tool_name": "Write",
        "tool_input": json!({"file_path": p.path("schemas/x.json")}).to_string()});
    let out = p.hook_with(
        "cursor",
        "protected-path",
        &format!("\u{feff}{payload}"),
        &[],
    );
    check_answer("cursor", "preToolUse", &out);
    assert!(out.blocked(), "{out:?}");
}

#[test]
fn a_claude_hook_run_by_cursor_steps_aside_for_cursors_own_entry() {
    // Cursor can run .claude/settings.json hooks with its own payload; .cursor/hooks.json
    // registers the same guard, so the Claude copy answers nothing and the guard runs once.
    let p = TestProject::new();
    let payload = write_payload("cursor", &p.root, &p.path("roles/new.md"));
    let via_claude = p.hook("claude", "protected-path", &payload);
    assert_eq!(via_claude.code, 0, "{via_claude:?}");
    assert!(via_claude.stdout.is_empty() && via_claude.stderr.is_empty());
    let via_cursor = p.hook("cursor", "protected-path", &payload);
    assert!(via_cursor.blocked(), "{via_cursor:?}");
}
