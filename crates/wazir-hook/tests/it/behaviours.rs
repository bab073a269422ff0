//! In-process table tests of the hook behaviours: each row builds one host's real payload shape,
//! runs `wazir_hook::run` on it against a project and state root in a temporary folder, and
//! reads the answer the way that host reads it (exit 2, or the host's own JSON deny on exit 0,
//! blocks). The process-level tests of the `wazir` binary prove the same answers survive stdin,
//! stdout and exit codes; these cover the decisions without spawning a process per row.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use wazir_hook::{Options, Reply};
use wazir_hosts::{HookEvent, Host};
use wazir_ledger::{Ledger, RunId};

/// A project (the kit's manifest and workflows, a file in a protected folder) and its state root.
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    state: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        let state = dir.path().join("state");
        std::fs::create_dir_all(root.join("roles")).unwrap();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(root.join("workflows")).unwrap();
        let manifest = wazir_core::kit::text("wazir.manifest.yaml").unwrap();
        std::fs::write(root.join("wazir.manifest.yaml"), manifest).unwrap();
        for f in wazir_core::kit::files() {
            if let Some(name) = f.strip_prefix("workflows/") {
                let text = wazir_core::kit::text(&f).unwrap();
                std::fs::write(root.join("workflows").join(name), text).unwrap();
            }
        }
        std::fs::write(root.join("roles/executor.md"), "# Executor\n").unwrap();
        std::fs::write(root.join("src/main.rs"), "fn main() {}\n").unwrap();
        Fixture {
            _dir: dir,
            root,
            state,
        }
    }

    /// Starts run `r1` in `phase`, then sets the phase's loop count and state as a run that has
    /// been through it `loops` times would have them.
    fn run_in(&self, phase: &str, loops: u32, state: &str) {
        let project = wazir_core::Project::open(&self.root).unwrap();
        let rules = wazir_ledger::Transitions::for_project(&project).unwrap();
        let ledger = Ledger::new(&self.state).with_rules(rules);
        let run = RunId::parse("r1").unwrap();
        ledger.init(&run, phase, None).unwrap();
        let path = ledger.status_path(&run);
        let mut st: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        st["loops"][phase] = json!(loops);
        st["phases"][phase] = json!({"state": state, "entered_at": "2026-12-06T00:00:00.000Z"});
        std::fs::write(&path, serde_json::to_string_pretty(&st).unwrap()).unwrap();
    }

    fn run(&self, host: Host, event: HookEvent, payload: &Value) -> Reply {
        let opts = Options {
            host,
            event,
            state_root_flag: Some(self.state.clone()),
            approved_flow: None,
        };
        wazir_hook::run(&opts, payload.to_string().as_bytes())
    }
}

/// Whether `host` reads `reply` as a block.
fn blocks(host: Host, r: &Reply) -> bool {
    if r.exit_code == 2 {
        return true;
    }
    let Ok(v) = serde_json::from_str::<Value>(r.stdout.trim()) else {
        return false;
    };
    let deny = |x: &Value| x.as_str().is_some_and(|s| s == "deny" || s == "block");
    match host {
        Host::Claude | Host::Codex => {
            deny(&v["hookSpecificOutput"]["permissionDecision"]) || deny(&v["decision"])
        }
        Host::Gemini => deny(&v["decision"]),
        Host::Cursor => deny(&v["permission"]),
    }
}

/// The pre-tool payload of each host's file-writing tool for `path`.
fn write_call(host: Host, root: &Path, path: &str) -> Value {
    let cwd = root.display().to_string();
    let abs = root.join(path).display().to_string();
    match host {
        Host::Claude => json!({
            "session_id": "s", "transcript_path": "/tmp/t", "cwd": cwd,
            "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "Write",
            "tool_input": {"file_path": abs, "content": "x"}, "tool_use_id": "t1"
        }),
        Host::Codex => json!({
            "session_id": "s", "turn_id": "t", "transcript_path": null, "cwd": cwd,
            "hook_event_name": "PreToolUse", "model": "m", "permission_mode": "default",
            "tool_name": "apply_patch", "tool_use_id": "c1",
            "tool_input": {"command": format!("*** Begin Patch\n*** Add File: {path}\n+x\n*** End Patch\n")}
        }),
        Host::Gemini => json!({
            "session_id": "s", "transcript_path": "/tmp/t", "cwd": cwd,
            "hook_event_name": "BeforeTool", "timestamp": "2026-12-06T00:00:00Z",
            "tool_name": "write_file", "tool_input": {"file_path": abs, "content": "x"}
        }),
        Host::Cursor => json!({
            "hook_event_name": "preToolUse", "conversation_id": "c", "generation_id": "g",
            "workspace_roots": [cwd], "cursor_version": "1.0.0", "transcript_path": null,
            "tool_name": "Write", "tool_input": {"file_path": abs, "contents": "x"}
        }),
    }
}

/// The pre-tool payload of each host's shell tool running `command`.
fn shell_call(host: Host, root: &Path, command: &str) -> Value {
    let cwd = root.display().to_string();
    match host {
        Host::Claude => json!({
            "session_id": "s", "transcript_path": "/tmp/t", "cwd": cwd,
            "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": {"command": command}, "tool_use_id": "t2"
        }),
        Host::Codex => json!({
            "session_id": "s", "turn_id": "t", "transcript_path": null, "cwd": cwd,
            "hook_event_name": "PreToolUse", "model": "m", "permission_mode": "default",
            "tool_name": "Bash", "tool_use_id": "c2", "tool_input": {"command": command}
        }),
        Host::Gemini => json!({
            "session_id": "s", "transcript_path": "/tmp/t", "cwd": cwd,
            "hook_event_name": "BeforeTool", "timestamp": "2026-12-06T00:00:00Z",
            "tool_name": "run_shell_command", "tool_input": {"command": command}
        }),
        Host::Cursor => json!({
            "hook_event_name": "beforeShellExecution", "conversation_id": "c",
            "generation_id": "g", "workspace_roots": [cwd], "cursor_version": "1.0.0",
            "transcript_path": null, "command": command, "cwd": cwd
        }),
    }
}

#[test]
fn the_protected_path_guard_blocks_protected_writes_and_lets_others_through() {
    let f = Fixture::new();
    let rows: [(&str, &str, bool); 6] = [
        ("file tool into roles/", "roles/executor.md", true),
        ("file tool into the manifest", "wazir.manifest.yaml", true),
        ("file tool into src/", "src/lib.rs", false),
        (
            "shell redirect into roles/",
            "echo x > roles/executor.md",
            true,
        ),
        (
            "shell delete in workflows/",
            "rm -f workflows/plan.md",
            true,
        ),
        ("shell write into src/", "echo x > src/notes.txt", false),
    ];
    for host in Host::ALL {
        for (what, target, blocked) in rows {
            let payload = if what.starts_with("file tool") {
                write_call(host, &f.root, target)
            } else {
                shell_call(host, &f.root, target)
            };
            let r = f.run(host, HookEvent::ProtectedPath, &payload);
            assert_eq!(blocks(host, &r), blocked, "{host} {what}: {r:?}");
            if blocked {
                let said = format!("{}{}", r.stdout, r.stderr);
                assert!(
                    said.contains("protected"),
                    "{host} {what}: no reason: {r:?}"
                );
            }
        }
    }
}

#[test]
fn a_payload_the_guards_cannot_read_is_blocked_and_other_behaviours_step_aside() {
    let f = Fixture::new();
    for host in Host::ALL {
        let opts = |event| Options {
            host,
            event,
            state_root_flag: Some(f.state.clone()),
            approved_flow: None,
        };
        for event in [HookEvent::ProtectedPath, HookEvent::LoopCap] {
            let r = wazir_hook::run(&opts(event), b"{not json");
            assert!(blocks(host, &r), "{host} {event:?}: {r:?}");
        }
        let r = wazir_hook::run(&opts(HookEvent::Capture), b"{not json");
        assert!(!blocks(host, &r), "{host} capture: {r:?}");
    }
}

#[test]
fn the_loop_cap_guard_holds_a_finished_phase_at_its_cap() {
    let f = Fixture::new();
    f.run_in("plan", 3, "exited");
    let enter = "wazir capture event --event phase_enter --phase plan";
    let other = "wazir capture event --event phase_enter --phase execute";
    for host in Host::ALL {
        let r = f.run(host, HookEvent::LoopCap, &shell_call(host, &f.root, enter));
        assert!(
            blocks(host, &r),
            "{host}: a fourth plan loop went through: {r:?}"
        );
        let said = format!("{}{}", r.stdout, r.stderr);
        assert!(
            said.contains("plan"),
            "{host}: the reason names no phase: {said}"
        );
        let r = f.run(host, HookEvent::LoopCap, &shell_call(host, &f.root, other));
        assert!(
            !blocks(host, &r),
            "{host}: entering execute was blocked: {r:?}"
        );
        let r = f.run(
            host,
            HookEvent::LoopCap,
            &shell_call(host, &f.root, "cargo test"),
        );
        assert!(
            !blocks(host, &r),
            "{host}: an ordinary command was blocked: {r:?}"
        );
    }
}

#[test]
fn the_loop_cap_guard_lets_the_last_allowed_loop_start() {
    let f = Fixture::new();
    f.run_in("plan", 2, "exited");
    let enter = "wazir capture event --event phase_enter --phase plan";
    for host in Host::ALL {
        let r = f.run(host, HookEvent::LoopCap, &shell_call(host, &f.root, enter));
        assert!(!blocks(host, &r), "{host}: loop 3 of 3 was blocked: {r:?}");
    }
}

#[test]
fn session_start_never_blocks_and_names_the_active_run() {
    let f = Fixture::new();
    f.run_in("plan", 1, "active");
    for host in Host::ALL {
        let cwd = f.root.display().to_string();
        let payload = match host {
            Host::Cursor => json!({
                "hook_event_name": "sessionStart", "conversation_id": "c",
                "generation_id": "g", "workspace_roots": [cwd], "cursor_version": "1.0.0",
                "transcript_path": null
            }),
            Host::Codex => json!({
                "session_id": "s", "turn_id": "t", "transcript_path": null, "cwd": cwd,
                "hook_event_name": "SessionStart", "model": "m", "permission_mode": "default",
                "source": "startup"
            }),
            _ => json!({
                "session_id": "s", "transcript_path": "/tmp/t", "cwd": cwd,
                "hook_event_name": "SessionStart", "source": "startup"
            }),
        };
        let r = f.run(host, HookEvent::SessionStart, &payload);
        assert_eq!(r.exit_code, 0, "{host}: {r:?}");
        assert!(!blocks(host, &r), "{host}: {r:?}");
        assert!(
            r.stdout.contains("r1"),
            "{host}: the context names no run: {r:?}"
        );
    }
}
