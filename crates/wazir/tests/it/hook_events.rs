//! `pre-tool`, the one command each host registers before a tool: it runs protected-path (with
//! the write rule), loop-cap and capture-route in one process and must answer exactly as the
//! three single-behaviour commands would together (the first block wins with its own reason,
//! a context is kept), in each host's protocol. Every row runs in-process through
//! `wazir_hook::run` and through the real binary, and every answer is checked against the
//! host's schema (`check_answer`).

use crate::support::hook as hook_support;

use hook_support::*;
use serde_json::{Value, json};
use wazir_hook::Options;
use wazir_hosts::{HookEvent, Host};
use wazir_ledger::{Ledger, RunId};

/// Each host with the host event its file tools and its shell tool arrive on.
const HOSTS: [(&str, &str, &str); 4] = [
    ("claude", "PreToolUse", "PreToolUse"),
    ("codex", "PreToolUse", "PreToolUse"),
    ("gemini", "BeforeTool", "BeforeTool"),
    ("cursor", "preToolUse", "beforeShellExecution"),
];

/// How a row is run: in this process, or through the binary.
#[derive(Clone, Copy, Debug)]
enum Via {
    InProcess,
    Binary,
}

fn ask(p: &TestProject, via: Via, host: &str, event: HookEvent, payload: &Value) -> Out {
    match via {
        Via::Binary => p.hook(host, event.as_str(), payload),
        Via::InProcess => {
            let opts = Options {
                host: host.parse::<Host>().unwrap(),
                event,
                state_root_flag: Some(p.state.clone()),
                approved_flow: None,
            };
            let r = wazir_hook::run(&opts, payload.to_string().as_bytes());
            Out {
                code: i32::from(r.exit_code),
                stdout: r.stdout,
                stderr: r.stderr,
            }
        }
    }
}

/// A call of the host's MCP tool `tool` (named the host's way) on `path`.
fn mcp_payload(host: &str, root: &std::path::Path, tool: &str, path: &str) -> Value {
    let name = match host {
        "claude" | "codex" => format!("mcp__fs__{tool}"),
        "gemini" => format!("mcp_fs_{tool}"),
        _ => format!("MCP:{tool}"),
    };
    let mut v = write_payload(host, root, path);
    v["tool_name"] = json!(name);
    v["tool_input"] = json!({"path": path, "content": "x"});
    v
}

fn ledger_at_cap(p: &TestProject) -> (Ledger, RunId) {
    let ledger = Ledger::new(&p.state);
    let run = RunId::parse("run-1").unwrap();
    ledger.init(&run, "plan", None).unwrap();
    let path = ledger.status_path(&run);
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    v["loops"]["plan"] = json!(3);
    v["phases"]["plan"]["state"] = json!("exited");
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    (ledger, run)
}

fn notes(ledger: &Ledger, run: &RunId) -> usize {
    ledger
        .events(run)
        .unwrap()
        .iter()
        .filter(|e| e.event == "note")
        .count()
}

/// The rows: a label, the payload, the host event, and which behaviour must decide (`None`:
/// the call goes through).
fn rows(
    host: &str,
    shell_event: &'static str,
    file_event: &'static str,
    p: &TestProject,
) -> Vec<(&'static str, Value, &'static str, Option<&'static str>)> {
    let enter = "wazir capture event --event phase_enter --phase plan";
    let target = |rel: &str| {
        if host == "codex" {
            rel.to_string()
        } else {
            p.path(rel)
        }
    };
    vec![
        (
            "file write into roles/",
            write_payload(host, &p.root, &target("roles/new.md")),
            file_event,
            Some("protected-path"),
        ),
        (
            "file write into src/",
            write_payload(host, &p.root, &target("src/new.rs")),
            file_event,
            None,
        ),
        (
            "shell write into workflows/",
            shell_payload(host, &p.root, "echo hi > workflows/plan.md"),
            shell_event,
            Some("protected-path"),
        ),
        (
            "ordinary shell",
            shell_payload(host, &p.root, "cargo test 2>&1 | tee build/test.log"),
            shell_event,
            None,
        ),
        (
            "one more plan loop",
            shell_payload(host, &p.root, enter),
            shell_event,
            Some("loop-cap"),
        ),
        (
            "both guards refuse",
            shell_payload(
                host,
                &p.root,
                &format!("echo x > roles/executor.md && {enter}"),
            ),
            shell_event,
            Some("protected-path"),
        ),
        (
            "MCP write into skills/",
            mcp_payload(host, &p.root, "write_file", &p.path("skills/tdd/SKILL.md")),
            file_event,
            Some("protected-path"),
        ),
        (
            "MCP read of skills/",
            mcp_payload(host, &p.root, "read_file", &p.path("skills/tdd/SKILL.md")),
            file_event,
            None,
        ),
    ]
}

fn pre_tool_answers_as_its_behaviours_together(via: Via) {
    let p = TestProject::new();
    let (ledger, run) = ledger_at_cap(&p);
    let mut asked = 0;
    for (host, file_event, shell_event) in HOSTS {
        for (label, payload, host_event, decider) in rows(host, shell_event, file_event, &p) {
            let what = format!("{host} {label} ({via:?})");
            // The single behaviours, in the order `pre-tool` runs them.
            let singles: Vec<Out> = HookEvent::PreTool
                .behaviours()
                .iter()
                .map(|b| ask(&p, via, host, *b, &payload))
                .collect();
            for s in &singles {
                check_answer(host, host_event, s);
            }
            let notes_before = notes(&ledger, &run);
            let combined = ask(&p, via, host, HookEvent::PreTool, &payload);
            check_answer(host, host_event, &combined);
            asked += 1;
            match decider {
                Some(guard) => {
                    assert!(combined.blocked(), "{what}: {combined:?}");
                    let reason = format!("{}{}", combined.stdout, combined.stderr);
                    assert!(
                        reason.contains(&format!("{guard} guard")),
                        "{what}: {reason}"
                    );
                    // The first single behaviour that blocks gives the same answer, word for word.
                    let first = singles.iter().find(|s| s.blocked()).unwrap();
                    assert_eq!(
                        (first.code, &first.stdout, &first.stderr),
                        (combined.code, &combined.stdout, &combined.stderr),
                        "{what}"
                    );
                    // A refused call is refused once: loop-cap does not run (nor record its
                    // refusal) after the protected-path guard has blocked.
                    let recorded = notes(&ledger, &run) - notes_before;
                    assert_eq!(recorded, usize::from(guard == "loop-cap"), "{what}");
                }
                None => {
                    assert_eq!(combined.code, 0, "{what}: {combined:?}");
                    assert!(!combined.blocked(), "{what}: {combined:?}");
                    assert!(singles.iter().all(|s| !s.blocked()), "{what}");
                    // The guards say nothing here; on Gemini capture routing may wrap a shell
                    // command, and the combined answer is then that rewrite.
                    let expected = singles
                        .iter()
                        .find(|s| s.stdout.contains("\"tool_input\""))
                        .unwrap_or(&singles[0]);
                    assert_eq!(combined.stdout, expected.stdout, "{what}");
                }
            }
        }
    }
    assert_eq!(asked, 32);
}

#[test]
fn pre_tool_in_process_answers_as_its_behaviours_together() {
    pre_tool_answers_as_its_behaviours_together(Via::InProcess);
}

#[test]
fn pre_tool_through_the_binary_answers_as_its_behaviours_together() {
    pre_tool_answers_as_its_behaviours_together(Via::Binary);
}

#[test]
fn pre_tool_keeps_the_write_rules_context_in_each_protocol() {
    let p = TestProject::new();
    let manifest = std::fs::read_to_string(p.root.join("wazir.manifest.yaml")).unwrap();
    std::fs::write(
        p.root.join("wazir.manifest.yaml"),
        manifest.replace("mode: off", "mode: advisory"),
    )
    .unwrap();
    for via in [Via::InProcess, Via::Binary] {
        for (host, file_event, shell_event) in HOSTS {
            let target = if host == "codex" {
                "src/new.rs".to_string()
            } else {
                p.path("src/new.rs")
            };
            for (payload, host_event) in [
                (write_payload(host, &p.root, &target), file_event),
                (
                    shell_payload(host, &p.root, "echo x > src/notes.txt"),
                    shell_event,
                ),
            ] {
                let single = ask(&p, via, host, HookEvent::ProtectedPath, &payload);
                let combined = ask(&p, via, host, HookEvent::PreTool, &payload);
                check_answer(host, host_event, &combined);
                assert_eq!(combined.code, 0, "{host} {via:?}: {combined:?}");
                assert!(
                    combined.stdout.contains("advisory mode"),
                    "{host} {via:?}: the write rule's context was lost: {combined:?}"
                );
                assert_eq!(combined.stdout, single.stdout, "{host} {via:?}");
                let v = combined.json();
                let text = match host {
                    "cursor" => v["agent_message"].clone(),
                    _ => v["hookSpecificOutput"]["additionalContext"].clone(),
                };
                let text = text.as_str().unwrap();
                assert_eq!(
                    text.matches("Wazir write rule").count(),
                    1,
                    "{host}: {text}"
                );
            }
        }
    }
}

#[test]
fn pre_tool_blocks_an_unreadable_payload_and_a_call_past_the_budget() {
    let p = TestProject::new();
    for (host, _, shell_event) in HOSTS {
        for via in [Via::InProcess, Via::Binary] {
            let out = ask(&p, via, host, HookEvent::PreTool, &json!("not an object"));
            assert!(out.blocked(), "{host} {via:?}: {out:?}");
            assert!(
                out.stderr.contains("protected-path guard could not decide"),
                "{}",
                out.stderr
            );
        }
        // A line long enough that reading it takes more than the event's whole budget.
        let long = format!(
            "wazir capture event --event phase_enter --phase plan; {}",
            "echo a$((1+1)) \"$(true)\" | cat; ".repeat(60_000)
        );
        let out = ask(
            &p,
            Via::InProcess,
            host,
            HookEvent::PreTool,
            &shell_payload(host, &p.root, &long),
        );
        check_answer(host, shell_event, &out);
        assert!(out.blocked(), "{host}: {}", out.stderr);
        assert!(
            out.stderr.contains("budget of 25 ms"),
            "{host}: {}",
            out.stderr
        );
    }
}

#[test]
fn a_plugins_pre_tool_steps_aside_only_when_the_project_runs_all_its_behaviours() {
    // With the plugin and the project's own settings both installed, the host runs both
    // copies; the plugin's steps aside when the project's file registers every behaviour of
    // its EVENT, under `pre-tool` or one by one (settings written before `pre-tool`).
    let p = TestProject::new();
    let payload = write_payload("claude", &p.root, &p.path("roles/new.md"));
    let plugin = [("CLAUDE_PLUGIN_ROOT", "/opt/wazir-plugin")];
    let settings = |events: &[&str]| {
        let groups: Vec<Value> = events
            .iter()
            .map(|e| json!({"hooks": [{"type": "command", "command": format!("wazir hook --host claude {e}")}]}))
            .collect();
        std::fs::create_dir_all(p.root.join(".claude")).unwrap();
        std::fs::write(
            p.root.join(".claude/settings.json"),
            json!({"hooks": {"PreToolUse": groups}}).to_string(),
        )
        .unwrap();
    };
    for (project, plugin_acts) in [
        (&["pre-tool"][..], false),
        (&["loop-cap", "capture-route", "protected-path"][..], false),
        (&["protected-path"][..], true),
        (&["capture"][..], true),
    ] {
        settings(project);
        let out = p.hook_with("claude", "pre-tool", &payload.to_string(), &plugin);
        check_answer("claude", "PreToolUse", &out);
        assert_eq!(out.blocked(), plugin_acts, "{project:?}: {out:?}");
    }
    // The single behaviour steps aside for a project that runs it under `pre-tool`.
    settings(&["pre-tool"]);
    let out = p.hook_with("claude", "protected-path", &payload.to_string(), &plugin);
    assert!(!out.blocked(), "{out:?}");
}
