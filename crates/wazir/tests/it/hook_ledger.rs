//! The behaviours that read or write the run ledger, through the real binary: the loop-cap
//! guard, the stop guard (with each host's way of refusing and of never trapping a session),
//! capture routing and post-tool capture, pre-compact, and the session-start and prompt
//! context. Runs are made with the ledger's own API and then placed at the state a test needs.

use crate::support::hook as hook_support;

use hook_support::*;
use serde_json::{Value, json};
use wazir_ledger::{Ledger, RunId};

fn start_run(p: &TestProject, phase: &str) -> (Ledger, RunId) {
    let ledger = Ledger::new(&p.state);
    let run = RunId::parse("run-1").unwrap();
    ledger.init(&run, phase, None).unwrap();
    (ledger, run)
}

/// Rewrites the run's status.json through `f`.
fn edit_status(ledger: &Ledger, run: &RunId, f: impl FnOnce(&mut Value)) {
    let path = ledger.status_path(run);
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

fn events(ledger: &Ledger, run: &RunId) -> Vec<String> {
    ledger
        .events(run)
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect()
}

const HOSTS: [(&str, &str); 4] = [
    ("claude", "PreToolUse"),
    ("codex", "PreToolUse"),
    ("gemini", "BeforeTool"),
    ("cursor", "beforeShellExecution"),
];

#[test]
fn loop_cap_blocks_one_more_iteration_and_nothing_else() {
    let p = TestProject::new();
    let (ledger, run) = start_run(&p, "plan");
    edit_status(&ledger, &run, |v| {
        v["loops"]["plan"] = json!(3);
        v["phases"]["plan"]["state"] = json!("exited");
    });
    let enter = "git add -A && wazir capture event --event phase_enter --phase plan";
    for (host, host_event) in HOSTS {
        let out = p.hook(host, "loop-cap", &shell_payload(host, &p.root, enter));
        check_answer(host, host_event, &out);
        assert!(out.blocked(), "{host}: {out:?}");
        assert!(
            out.stderr.contains("run-1") && out.stderr.contains("3 of the 3"),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("Do not loop again"), "{}", out.stderr);
        for ok in [
            "wazir capture event --event phase_exit --phase plan",
            "wazir capture event --event phase_enter --phase execute",
            "echo wazir capture event --event phase_enter --phase plan is refused",
        ] {
            let out = p.hook(host, "loop-cap", &shell_payload(host, &p.root, ok));
            check_answer(host, host_event, &out);
            assert_eq!(out.code, 0, "{host} `{ok}`: {out:?}");
        }
    }
    assert!(
        events(&ledger, &run)
            .iter()
            .filter(|e| *e == "note")
            .count()
            >= 4
    );

    // One iteration left: the same call goes through.
    edit_status(&ledger, &run, |v| v["loops"]["plan"] = json!(2));
    let out = p.hook(
        "claude",
        "loop-cap",
        &shell_payload("claude", &p.root, enter),
    );
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn loop_cap_guards_a_gate_rejection_at_its_cap() {
    let p = TestProject::new();
    let (ledger, run) = start_run(&p, "spec_challenge");
    let reject = "wazir capture event --run run-1 --event gate-rejected --phase spec-challenge";
    let out = p.hook(
        "codex",
        "loop-cap",
        &shell_payload("codex", &p.root, reject),
    );
    assert_eq!(out.code, 0, "first rejection is within the cap: {out:?}");
    edit_status(&ledger, &run, |v| v["loops"]["spec_challenge"] = json!(3));
    let out = p.hook(
        "codex",
        "loop-cap",
        &shell_payload("codex", &p.root, reject),
    );
    check_answer("codex", "PreToolUse", &out);
    assert!(out.blocked(), "{out:?}");
    assert!(out.stderr.contains("spec_challenge"), "{}", out.stderr);
}

#[test]
fn loop_cap_that_cannot_read_the_run_blocks_and_names_doctor() {
    let p = TestProject::new();
    let enter = "wazir capture event --event phase_enter --phase plan";
    // No run at all: there is nothing to loop, the ledger will refuse on its own.
    let out = p.hook(
        "claude",
        "loop-cap",
        &shell_payload("claude", &p.root, enter),
    );
    assert_eq!(out.code, 0, "{out:?}");
    let (ledger, run) = start_run(&p, "plan");
    std::fs::write(ledger.status_path(&run), "{ torn").unwrap();
    let out = p.hook(
        "gemini",
        "loop-cap",
        &shell_payload("gemini", &p.root, enter),
    );
    assert!(out.blocked(), "{out:?}");
    assert!(out.stderr.contains("wazir doctor"), "{}", out.stderr);
    let bad_id = "wazir capture event --run ../../etc --event phase_enter --phase plan";
    let out = p.hook(
        "gemini",
        "loop-cap",
        &shell_payload("gemini", &p.root, bad_id),
    );
    assert!(out.blocked(), "{out:?}");
}

fn stop_payload(host: &str, p: &TestProject, active: bool) -> Value {
    let r = p.root.display().to_string();
    match host {
        "claude" => json!({"session_id": "s1", "transcript_path": "/tmp/t", "cwd": r,
            "hook_event_name": "Stop", "stop_hook_active": active}),
        "codex" => json!({"session_id": "s1", "turn_id": "t", "transcript_path": null, "cwd": r,
            "hook_event_name": "Stop", "model": "m", "permission_mode": "default",
            "stop_hook_active": active, "last_assistant_message": "done"}),
        "gemini" => json!({"session_id": "s1", "transcript_path": "/tmp/t", "cwd": r,
            "hook_event_name": "AfterAgent", "timestamp": "2026-11-26T14:37:05.264Z",
            "prompt": "x", "prompt_response": "done"}),
        _ => json!({"conversation_id": "c1", "generation_id": "g", "hook_event_name": "stop",
            "workspace_roots": [r], "status": "completed", "loop_count": 0}),
    }
}

#[test]
fn stop_refuses_done_without_proof_and_never_traps_the_session() {
    let p = TestProject::new();
    // No run: every host stops freely.
    for host in ["claude", "codex", "gemini", "cursor"] {
        let out = p.hook(host, "stop", &stop_payload(host, &p, false));
        assert_eq!(out.code, 0, "{host}: {out:?}");
    }
    let (ledger, run) = start_run(&p, "verify");
    for host in ["claude", "codex"] {
        let out = p.hook(host, "stop", &stop_payload(host, &p, false));
        check_answer(host, "Stop", &out);
        assert!(out.blocked(), "{host}: {out:?}");
        assert!(out.stderr.contains("verification-proof"), "{}", out.stderr);
        assert!(
            out.stderr.contains("no check has been run by wazir")
                && out.stderr.contains("wazir verify run"),
            "only checks wazir ran count: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("wazir capture artifact --phase verify"),
            "{}",
            out.stderr
        );
        let out = p.hook(host, "stop", &stop_payload(host, &p, true));
        check_answer(host, "Stop", &out);
        assert_eq!(out.code, 0, "stop_hook_active lets it through: {out:?}");
    }
    let out = p.hook("gemini", "stop", &stop_payload("gemini", &p, false));
    check_answer("gemini", "AfterAgent", &out);
    assert_eq!(
        (out.code, out.json()["decision"].clone()),
        (0, json!("deny")),
        "{out:?}"
    );
    let again = p.hook("gemini", "stop", &stop_payload("gemini", &p, false));
    assert_eq!(
        (again.code, again.json()),
        (0, json!({})),
        "at most once in a row"
    );

    let out = p.hook("cursor", "stop", &stop_payload("cursor", &p, false));
    check_answer("cursor", "stop", &out);
    assert!(
        out.json()["followup_message"]
            .as_str()
            .unwrap()
            .contains("verification-proof")
    );
    let again = p.hook("cursor", "stop", &stop_payload("cursor", &p, false));
    assert_eq!(again.json(), json!({}));

    // The phase has exited: the stop goes through, is recorded, and refreshes the summary.
    edit_status(&ledger, &run, |v| {
        v["phases"]["verify"]["state"] = json!("exited")
    });
    let out = p.hook("claude", "stop", &stop_payload("claude", &p, false));
    assert_eq!(out.code, 0, "{out:?}");
    assert!(ledger.run_dir(&run).join("summary.md").is_file());
    let evs = events(&ledger, &run);
    assert!(evs.iter().filter(|e| *e == "stop").count() >= 5, "{evs:?}");
}

/// Gemini and Cursor stop twice at `p`'s run (in verify, no proof): both stops go through,
/// because the refusal mark cannot be written; returns the answers' stderr.
fn stops_go_through(p: &TestProject, env: &[(&str, &str)]) -> String {
    let mut err = String::new();
    for (host, host_event) in [("gemini", "AfterAgent"), ("cursor", "stop")] {
        for _ in 0..2 {
            let payload = stop_payload(host, p, false).to_string();
            let out = p.hook_with(host, "stop", &payload, env);
            check_answer(host, host_event, &out);
            assert_eq!((out.code, out.json()), (0, json!({})), "{host}: {out:?}");
            assert!(
                out.stderr.contains("could not note the stop refusal")
                    && out.stderr.contains("the stop goes through"),
                "{host}: {}",
                out.stderr
            );
            err.push_str(&out.stderr);
        }
    }
    err
}

#[test]
fn a_stop_whose_refusal_cannot_be_noted_goes_through_and_is_logged() {
    // The marks' folder cannot be made (its parent is a file): this holds even for root.
    let p = TestProject::new();
    let (ledger, run) = start_run(&p, "verify");
    std::fs::write(p.state.join("hooks"), "not a folder").unwrap();
    stops_go_through(&p, &[]);
    let log = std::fs::read_to_string(p.state.join("logs/hook-errors.ndjson")).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{log}");
    assert!(
        lines.iter().all(|l| l["event"] == "stop"
            && l["message"]
                .as_str()
                .unwrap()
                .contains("could not note the stop refusal")),
        "{log}"
    );
    let evs = ledger.events(&run).unwrap();
    assert_eq!(evs.iter().filter(|e| e.event == "hook_error").count(), 4);
    assert!(
        evs.iter().filter(|e| e.event == "stop").count() >= 4,
        "each stop is still recorded"
    );

    // The marks' folder is a full file system, then a read-only one.
    let p = TestProject::new();
    start_run(&p, "verify");
    let hooks = p.state.join("hooks");
    std::fs::create_dir(&hooks).unwrap();
    if let Some(m) = crate::support::mount::Mount::tmpfs_at(&hooks, "size=16k,nr_inodes=8") {
        m.fill();
        stops_go_through(&p, &[]);
        m.remount("ro");
        stops_go_through(&p, &[]);
        drop(m);
        let log = std::fs::read_to_string(p.state.join("logs/hook-errors.ndjson")).unwrap();
        assert_eq!(log.lines().count(), 8, "{log}");
    }

    // The whole state root is read-only: nothing can be logged there, the stop still goes
    // through and says why on stderr, which the host keeps in its hook log.
    let p = TestProject::new();
    if let Some(m) = crate::support::mount::Mount::tmpfs("1m") {
        let state = m.path().display().to_string();
        let ledger = Ledger::new(m.path());
        ledger
            .init(&RunId::parse("run-1").unwrap(), "verify", None)
            .unwrap();
        m.remount("ro");
        let err = stops_go_through(&p, &[("WAZIR_STATE_ROOT", &state)]);
        assert!(err.contains("could not record the stop"), "{err}");
    }
}

#[test]
fn stop_with_an_unreadable_ledger_refuses_once() {
    let p = TestProject::new();
    let (ledger, run) = start_run(&p, "execute");
    std::fs::write(ledger.status_path(&run), "not json").unwrap();
    let out = p.hook("cursor", "stop", &stop_payload("cursor", &p, false));
    assert!(
        out.json()["followup_message"]
            .as_str()
            .unwrap()
            .contains("wazir doctor"),
        "{out:?}"
    );
    let again = p.hook("cursor", "stop", &stop_payload("cursor", &p, false));
    assert_eq!(again.json(), json!({}), "{again:?}");
    let out = p.hook("claude", "stop", &stop_payload("claude", &p, true));
    assert_eq!(out.code, 0);
}

#[test]
fn long_output_is_captured_and_the_agent_gets_path_head_and_tail() {
    let p = TestProject::new();
    let (ledger, run) = start_run(&p, "execute");
    let route = shell_payload("claude", &p.root, "cargo test");
    let out = p.hook("claude", "capture-route", &route);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{out:?}");
    // Nothing is reserved before the call: a guard may still block it.
    assert!(!ledger.captures_dir(&run).join("toolu_02.txt").exists());

    let body: String = (1..=2000).map(|i| format!("test line {i} ok\n")).collect();
    for (host, host_event) in [
        ("claude", "PostToolUse"),
        ("codex", "PostToolUse"),
        ("gemini", "AfterTool"),
    ] {
        let mut post = shell_payload(host, &p.root, "cargo test");
        post["hook_event_name"] = json!(host_event);
        post["tool_response"] = json!({"stdout": body, "stderr": "", "exit_code": 0});
        let out = p.hook(host, "capture", &post);
        check_answer(host, host_event, &out);
        // Claude Code replaces the Bash output with the reference; the others take it as
        // context beside the output they send anyway.
        let answer = &out.json()["hookSpecificOutput"];
        let ctx = if host == "claude" {
            assert!(answer.get("additionalContext").is_none(), "{answer}");
            answer["updatedToolOutput"]["stdout"]
                .as_str()
                .unwrap()
                .to_string()
        } else {
            answer["additionalContext"].as_str().unwrap().to_string()
        };
        assert!(ctx.chars().count() < 2_000, "{ctx}");
        assert!(
            ctx.contains("test line 1 ok") && ctx.contains("test line 2000 ok"),
            "{ctx}"
        );
        assert!(!ctx.contains("test line 1000 ok"), "only head and tail");
        let path = ctx
            .split(" to ")
            .nth(1)
            .unwrap()
            .split(". Read")
            .next()
            .unwrap();
        assert_eq!(std::fs::read_to_string(path).unwrap(), body, "{host}");
    }
    // The ledger says how each output reached the model.
    let deliveries: Vec<(String, String)> = ledger
        .events(&run)
        .unwrap()
        .iter()
        .filter(|e| e.event == "capture_output")
        .map(|e| {
            (
                e.data["host"].as_str().unwrap().to_string(),
                e.data["delivery"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        deliveries,
        [
            ("claude", "replaced"),
            ("codex", "sent"),
            ("gemini", "sent")
        ]
        .map(|(h, d)| (h.to_string(), d.to_string()))
    );
    let mut cursor = json!({"conversation_id": "c", "generation_id": "g7", "hook_event_name": "postToolUse",
        "workspace_roots": [p.root], "tool_name": "Shell", "tool_input": {"command": "cargo test"},
        "tool_output": json!({"output": body}).to_string()});
    let out = p.hook("cursor", "capture", &cursor);
    check_answer("cursor", "postToolUse", &out);
    assert!(
        out.json()["additional_context"]
            .as_str()
            .unwrap()
            .contains("captured")
    );

    cursor["tool_output"] = json!("short");
    let out = p.hook("cursor", "capture", &cursor);
    assert_eq!(out.json(), json!({}), "short output: no context");
    let evs = events(&ledger, &run);
    assert_eq!(
        evs.iter().filter(|e| *e == "post_tool_capture").count(),
        5,
        "{evs:?}"
    );
    // Routing before the call records nothing (a blocked call would leave an empty file);
    // the capture after it does.
    assert!(
        !evs.contains(&"capture_routed".to_string()) && evs.contains(&"capture_output".to_string())
    );
}

#[test]
fn gemini_records_only_a_manual_precompress() {
    // Gemini fires PreCompress with trigger auto on every turn, before it decides to compress.
    let p = TestProject::new();
    let (ledger, run) = start_run(&p, "plan");
    let mut payload = json!({"session_id": "s", "transcript_path": "/tmp/t", "cwd": p.root,
        "hook_event_name": "PreCompress", "timestamp": "2026-12-06T19:37:22.834Z", "trigger": "auto"});
    assert_eq!(p.hook("gemini", "pre-compact", &payload).code, 0);
    assert!(!events(&ledger, &run).contains(&"pre_compact".to_string()));
    payload["trigger"] = json!("manual");
    assert_eq!(p.hook("gemini", "pre-compact", &payload).code, 0);
    assert!(events(&ledger, &run).contains(&"pre_compact".to_string()));
}

#[test]
fn pre_compact_writes_the_summary_and_session_start_brings_it_back() {
    let p = TestProject::new();
    let (ledger, run) = start_run(&p, "plan");
    let payload = json!({"session_id": "s", "transcript_path": "/tmp/t", "cwd": p.root,
        "hook_event_name": "PreCompact", "trigger": "auto", "custom_instructions": ""});
    let out = p.hook("codex", "pre-compact", &payload);
    check_answer("codex", "PreCompact", &out);
    assert_eq!((out.code, out.json()), (0, json!({})));
    assert!(ledger.run_dir(&run).join("summary.md").is_file());
    assert!(events(&ledger, &run).contains(&"pre_compact".to_string()));

    let start = json!({"session_id": "s", "transcript_path": "/tmp/t", "cwd": p.root,
        "hook_event_name": "SessionStart", "source": "compact"});
    let out = p.hook("claude", "session-start", &start);
    check_answer("claude", "SessionStart", &out);
    let ctx = out.json()["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        ctx.contains("Run summary (restored from the ledger)"),
        "{ctx}"
    );
    assert!(
        ctx.contains("Run `run-1`") && ctx.contains("phase `plan`"),
        "{ctx}"
    );
    assert!(
        ctx.contains("implementation-plan"),
        "missing output named: {ctx}"
    );
    assert!(ctx.contains("iteration 1 of 3"), "{ctx}");

    let prompt = json!({"session_id": "s", "cwd": p.root, "hook_event_name": "UserPromptSubmit", "prompt": "go"});
    let out = p.hook("codex", "prompt", &prompt);
    check_answer("codex", "UserPromptSubmit", &out);
    assert!(
        out.json()["hookSpecificOutput"]["additionalContext"]
            .as_str()
            .unwrap()
            .contains("run-1")
    );
}

#[test]
fn cursor_session_context_fits_its_limit_and_keeps_the_run_state() {
    let p = TestProject::new();
    start_run(&p, "plan");
    // Ten accepted learnings of 2,000 characters each: more than Cursor's 10,000.
    let memory = p.root.join("memory");
    std::fs::create_dir_all(&memory).unwrap();
    for i in 0..10 {
        let lesson = format!("lesson {i}: {}", "keep the handler small ".repeat(90));
        let learning = json!({"id": format!("l{i}"), "learning": lesson, "confidence": 0.9 - f64::from(i) / 100.0});
        std::fs::write(memory.join(format!("l{i}.json")), learning.to_string()).unwrap();
    }
    let payload = json!({"conversation_id": "c", "hook_event_name": "sessionStart", "workspace_roots": [p.root]});
    let out = p.hook("cursor", "session-start", &payload);
    check_answer("cursor", "sessionStart", &out);
    let ctx = out.json()["additional_context"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ctx.chars().count() <= 10_000);
    assert!(
        ctx.contains("Run `run-1`") && ctx.contains("lesson 0:") && !ctx.contains("lesson 9:"),
        "{}",
        &ctx[..500]
    );
    assert!(
        ctx.contains("`using-skills`"),
        "the pointer to the skill is kept"
    );
    // Other hosts get every learning.
    let claude = json!({"session_id": "s", "cwd": p.root, "hook_event_name": "SessionStart", "source": "startup"});
    let out = p.hook("claude", "session-start", &claude);
    assert!(
        out.json()["hookSpecificOutput"]["additionalContext"]
            .as_str()
            .unwrap()
            .contains("lesson 9:")
    );
}

#[test]
fn session_context_stays_short_without_learnings_or_a_summary() {
    let p = TestProject::new();
    start_run(&p, "plan");
    let start = json!({"session_id": "s", "cwd": p.root, "hook_event_name": "SessionStart", "source": "startup"});
    let out = p.hook("claude", "session-start", &start);
    let ctx = out.json()["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ctx.starts_with("# Wazir session:"), "{ctx}");
    assert!(
        ctx.contains("phase `plan`") && ctx.contains("`using-skills`"),
        "{ctx}"
    );
    // Every session carries this text (issue 20: at most 6,000 characters added in all).
    assert!(
        ctx.chars().count() < 800,
        "{} chars: {ctx}",
        ctx.chars().count()
    );
}

#[test]
fn a_failing_non_guard_hook_stays_out_of_the_way_and_logs_to_the_run() {
    let p = TestProject::new();
    let (ledger, run) = start_run(&p, "execute");
    for (host, event) in [
        ("claude", "capture"),
        ("codex", "pre-compact"),
        ("gemini", "capture-route"),
    ] {
        let out = p.hook_with(host, event, "{not json", &[]);
        assert_eq!(out.code, 0, "{host} {event}: {out:?}");
        assert!(out.stderr.contains("not JSON"), "{}", out.stderr);
    }
    let evs = events(&ledger, &run);
    assert_eq!(
        evs.iter().filter(|e| *e == "hook_error").count(),
        3,
        "{evs:?}"
    );
    let log = std::fs::read_to_string(p.state.join("logs/hook-errors.ndjson")).unwrap();
    assert_eq!(log.lines().count(), 3);
}

#[test]
fn guards_decide_from_status_json_without_reading_workflows() {
    // `wazir capture init` records every phase's rules in status.json; after that the hook path
    // must not need a workflow file. A broken workflow proves it: were it read, the guard would
    // block with a `wazir doctor` reason instead of the loop-cap reason.
    let p = TestProject::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wazir"))
        .args(["capture", "init", "--run", "run-1", "--phase", "plan"])
        .current_dir(&p.root)
        .env("WAZIR_STATE_ROOT", &p.state)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    std::fs::write(
        p.root.join("workflows/plan.md"),
        "not front matter at all\n",
    )
    .unwrap();
    let ledger = Ledger::new(&p.state);
    let run = RunId::parse("run-1").unwrap();
    edit_status(&ledger, &run, |v| {
        v["loops"]["plan"] = json!(3);
        v["phases"]["plan"]["state"] = json!("exited");
    });
    let enter = "wazir capture event --event phase_enter --phase plan";
    let out = p.hook(
        "claude",
        "loop-cap",
        &shell_payload("claude", &p.root, enter),
    );
    assert!(out.blocked(), "{out:?}");
    assert!(out.stderr.contains("3 of the 3"), "{}", out.stderr);
    assert!(!out.stderr.contains("doctor"), "{}", out.stderr);
}

#[test]
fn gemini_session_context_names_the_project_folder_and_its_own_entries() {
    // `wazir init` turns Gemini's workspace tree off, so the session-start text names the folder
    // and what is in it, leaving Wazir's and the hosts' own folders out.
    let p = TestProject::new();
    std::fs::create_dir_all(p.root.join("src")).unwrap();
    std::fs::write(p.root.join("Cargo.toml"), "[package]\n").unwrap();
    for own in [".wazir", ".agents/skills", ".gemini", ".git"] {
        std::fs::create_dir_all(p.root.join(own)).unwrap();
    }
    let text = std::fs::read_to_string(shared().join("host-payloads/gemini/sessionstart.json"))
        .unwrap()
        .replace("/home/dev/project", &p.root.display().to_string());
    let out = p.hook_with("gemini", "session-start", &text, &[]);
    let ctx = out.json()["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap()
        .to_string();
    let line = ctx
        .lines()
        .find(|l| l.starts_with("Project folder `"))
        .unwrap_or_else(|| panic!("no folder line in:\n{ctx}"));
    assert!(line.contains(&p.root.display().to_string()), "{line}");
    assert!(
        line.contains("Cargo.toml") && line.contains("src/"),
        "{line}"
    );
    for own in [".wazir", ".agents", ".gemini", ".git/"] {
        assert!(!line.contains(own), "{own} listed: {line}");
    }
    // Claude Code shows its own view of the folder: no line there.
    let start = json!({"session_id": "s", "cwd": p.root, "hook_event_name": "SessionStart", "source": "startup"});
    let ctx = p.hook("claude", "session-start", &start).stdout;
    assert!(!ctx.contains("Project folder"), "{ctx}");
}

#[test]
fn gemini_shell_calls_are_wrapped_in_capture_run_and_the_model_gets_the_reference() {
    let p = TestProject::new();
    let routed = |host: &str, command: &str| -> Option<String> {
        let out = p.hook(host, "pre-tool", &shell_payload(host, &p.root, command));
        assert_eq!(out.code, 0, "{out:?}");
        if out.stdout.trim().is_empty() {
            return None;
        }
        out.json()["hookSpecificOutput"]["tool_input"]["command"]
            .as_str()
            .map(str::to_string)
    };
    // No run: nothing to capture into.
    assert_eq!(routed("gemini", "seq 1 5000"), None);
    let (ledger, run) = start_run(&p, "execute");
    let wrapped = routed("gemini", "seq 1 5000").expect("the call was not wrapped");
    assert!(
        wrapped.contains(" capture run --host gemini --name ")
            && wrapped.ends_with(" -- 'seq 1 5000'"),
        "{wrapped}"
    );
    // What Gemini then runs: the model gets the reference, the file holds the whole output.
    let out = std::process::Command::new("bash")
        .args(["-c", &wrapped])
        .current_dir(&p.root)
        .env("WAZIR_STATE_ROOT", &p.state)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(
        shown.len() < 2000 && shown.contains("5000 lines"),
        "{shown}"
    );
    assert!(!shown.contains("\n  2500\n"), "{shown}");
    let st = ledger.status(&run).unwrap();
    let (name, rec) = st.captures.iter().next().expect("no capture recorded");
    assert_eq!(rec.lines, 5000);
    let whole = std::fs::read_to_string(ledger.run_dir(&run).join("captures").join(name)).unwrap();
    assert!(whole.starts_with("1\n2\n") && whole.ends_with("4999\n5000\n"));
    assert!(events(&ledger, &run).iter().any(|e| e == "capture_output"));

    // Left alone: another host, a background job, a program that needs a terminal, a REPL,
    // wazir itself, Gemini's own background flag.
    assert_eq!(routed("claude", "seq 1 5000"), None);
    assert_eq!(routed("codex", "seq 1 5000"), None);
    for command in [
        "npm run dev &",
        "(sleep 5 &); echo started",
        "git log | less",
        "vim notes.txt",
        "python3",
        "wazir status",
    ] {
        assert_eq!(routed("gemini", command), None, "{command}");
    }
    let mut bg = shell_payload("gemini", &p.root, "npm run dev");
    bg["tool_input"]["is_background"] = json!(true);
    let out = p.hook("gemini", "pre-tool", &bg);
    assert!(
        out.json()["hookSpecificOutput"]["tool_input"].is_null(),
        "{out:?}"
    );
    // A guard's block still wins over the wrap.
    let out = p.hook(
        "gemini",
        "pre-tool",
        &shell_payload("gemini", &p.root, "seq 1 5000 > roles/executor.md"),
    );
    assert_eq!(out.json()["decision"], "deny", "{out:?}");
}
