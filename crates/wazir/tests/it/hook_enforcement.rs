//! The write rule and the user's override, through the real binary with each host's payloads:
//! no run refuses a project write and names `wazir capture ensure`; `clarify` refuses and names
//! `execute`; `execute` allows; `author` allows documentation and refuses source; advisory mode
//! allows with the same words as context; a user's `wazir allow:` prompt records an `override`
//! event and lifts the rule until the next phase change; no agent command records one, and the
//! agent's own writes to the override file or the ledger are refused on every host. Overrides
//! show in `wazir status`, `summary.md` and the phase report (a snapshot).

use crate::support::hook as hook_support;

use hook_support::*;
use serde_json::{Value, json};
use wazir_core::Project;
use wazir_ledger::{Ledger, RunId, Transitions};

const HOSTS: [(&str, &str); 4] = [
    ("claude", "PreToolUse"),
    ("codex", "PreToolUse"),
    ("gemini", "BeforeTool"),
    ("cursor", "preToolUse"),
];

fn project(mode: &str) -> TestProject {
    let p = TestProject::new();
    let m = p.root.join("wazir.manifest.yaml");
    let text = std::fs::read_to_string(&m).unwrap();
    std::fs::write(
        &m,
        text.replace("  mode: off\n", &format!("  mode: {mode}\n")),
    )
    .unwrap();
    p
}

fn ledger(p: &TestProject) -> Ledger {
    let project = Project::open(&p.root).unwrap();
    Ledger::new(&p.state).with_rules(Transitions::for_project(&project).unwrap())
}

fn start(p: &TestProject, phase: &str) -> (Ledger, RunId) {
    let l = ledger(p);
    let run = RunId::parse("run-1").unwrap();
    l.init(&run, phase, None).unwrap();
    (l, run)
}

/// The host's write tool on `rel`; Codex writes through `apply_patch`.
fn write(host: &str, p: &TestProject, rel: &str) -> Value {
    if host == "codex" {
        let patch = format!("*** Begin Patch\n*** Add File: {rel}\n+x\n*** End Patch\n");
        return patch_payload(&p.root, &patch);
    }
    write_payload(host, &p.root, &p.path(rel))
}

fn wazir(p: &TestProject, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_wazir"))
        .args(args)
        .current_dir(&p.root)
        .env("WAZIR_STATE_ROOT", &p.state)
        .output()
        .unwrap()
}

/// The context the host gets with an allowed call, whatever its protocol calls it.
fn context(out: &Out) -> String {
    if out.stdout.trim().is_empty() {
        return String::new();
    }
    let v = out.json();
    [
        &v["hookSpecificOutput"]["additionalContext"],
        &v["additional_context"],
        &v["agent_message"],
    ]
    .iter()
    .find_map(|x| x.as_str())
    .unwrap_or_default()
    .to_string()
}

#[test]
fn no_run_refuses_a_project_write_and_names_ensure() {
    let p = project("strict");
    for (host, host_event) in HOSTS {
        let out = p.hook(host, "protected-path", &write(host, &p, "app/main.py"));
        check_answer(host, host_event, &out);
        assert!(out.blocked(), "{host}: {out:?}");
        assert!(
            out.stderr.contains("no Wazir run is active"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("wazir capture ensure"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("`execute` may write it"),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("wazir allow:"), "{}", out.stderr);
        // Outside the project: not the rule's business.
        let out = p.hook(
            host,
            "protected-path",
            &write_payload(host, &p.root, "/tmp/x.txt"),
        );
        if host != "codex" {
            assert_eq!(out.code, 0, "{host}: {out:?}");
        }
    }
    // A shell write is read the same way.
    let out = p.hook(
        "claude",
        "protected-path",
        &shell_payload("claude", &p.root, "echo hi > app/notes.txt"),
    );
    assert!(
        out.blocked() && out.stderr.contains("app/notes.txt"),
        "{out:?}"
    );
}

#[test]
fn ensure_starts_once_then_clarify_refuses_naming_execute() {
    let p = project("strict");
    let first = wazir(
        &p,
        &["capture", "ensure", "--request", "Add CSV export", "--json"],
    );
    assert!(first.status.success(), "{first:?}");
    let v: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(v["phase"], "clarify");
    assert_eq!(v["new"], true);
    let id = v["run_id"].as_str().unwrap().to_string();
    assert!(id.ends_with("-add-csv-export"), "{id}");
    let again = wazir(&p, &["capture", "ensure", "--json"]);
    let w: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        (w["run_id"].as_str(), w["new"].as_bool()),
        (Some(id.as_str()), Some(false))
    );
    for (host, host_event) in HOSTS {
        let out = p.hook(host, "protected-path", &write(host, &p, "src/main.rs"));
        check_answer(host, host_event, &out);
        assert!(out.blocked(), "{host}: {out:?}");
        assert!(
            out.stderr
                .contains(&format!("run `{id}` is in phase `clarify`")),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("`execute` may write it"),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains("loop 1 of 3"), "{}", out.stderr);
        assert!(
            out.stderr
                .contains("wazir capture artifact --phase clarify --name run-manifest"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn execute_allows_with_one_step_line_per_change() {
    let p = project("strict");
    start(&p, "execute");
    for (host, host_event) in HOSTS {
        let out = p.hook(host, "protected-path", &write(host, &p, "src/lib.rs"));
        check_answer(host, host_event, &out);
        assert_eq!(out.code, 0, "{host}: {out:?}");
    }
    // The hosts share session `s1`: the first call carried the line, the next ones did not.
    let p = project("strict");
    start(&p, "execute");
    let first = p.hook("claude", "protected-path", &write("claude", &p, "src/a.rs"));
    assert!(
        context(&first).contains("run `run-1`, phase `execute` (loop 1 of"),
        "{first:?}"
    );
    let second = p.hook("claude", "protected-path", &write("claude", &p, "src/b.rs"));
    assert_eq!((second.code, second.stdout.as_str()), (0, ""), "{second:?}");
}

#[test]
fn author_writes_documentation_only() {
    let p = project("strict");
    start(&p, "author");
    for (host, host_event) in HOSTS {
        let ok = p.hook(host, "protected-path", &write(host, &p, "docs/guide.md"));
        check_answer(host, host_event, &ok);
        assert_eq!(ok.code, 0, "{host}: {ok:?}");
        let no = p.hook(host, "protected-path", &write(host, &p, "src/main.rs"));
        check_answer(host, host_event, &no);
        assert!(no.blocked(), "{host}: {no:?}");
        assert!(
            no.stderr.contains("phase `author` writes only `docs/**`"),
            "{}",
            no.stderr
        );
    }
}

#[test]
fn advisory_mode_allows_with_the_decision_as_context() {
    let p = project("advisory");
    for (host, host_event) in HOSTS {
        let out = p.hook(host, "protected-path", &write(host, &p, "app/main.py"));
        check_answer(host, host_event, &out);
        assert_eq!(out.code, 0, "{host}: {out:?}");
        let c = context(&out);
        assert!(
            c.contains("advisory") && c.contains("wazir capture ensure"),
            "{host}: {out:?}"
        );
    }
    // A manifest without the key is advisory too; `off` says nothing.
    let p = TestProject::new();
    let m = p.root.join("wazir.manifest.yaml");
    let text = std::fs::read_to_string(&m).unwrap();
    std::fs::write(&m, text.replace("enforcement:\n  mode: off\n", "")).unwrap();
    let out = p.hook(
        "claude",
        "protected-path",
        &write("claude", &p, "app/main.py"),
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(context(&out).contains("advisory"), "{out:?}");
    let p = project("off");
    let out = p.hook(
        "claude",
        "protected-path",
        &write("claude", &p, "app/main.py"),
    );
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{out:?}");
}

fn prompt_payload(host: &str, p: &TestProject, prompt: &str) -> (&'static str, Value) {
    let cwd = p.root.display().to_string();
    match host {
        "gemini" => (
            "BeforeAgent",
            json!({"session_id": "s1", "transcript_path": "/tmp/t.jsonl", "cwd": cwd,
                   "hook_event_name": "BeforeAgent", "timestamp": "2026-12-06T20:00:00Z",
                   "prompt": format!("<hook_context>kit ctx</hook_context>\n\n{prompt}")}),
        ),
        "cursor" => (
            "beforeSubmitPrompt",
            json!({"conversation_id": "s1", "generation_id": "g1", "hook_event_name":
                   "beforeSubmitPrompt", "workspace_roots": [cwd], "prompt": prompt,
                   "attachments": []}),
        ),
        "codex" => (
            "UserPromptSubmit",
            json!({"session_id": "s1", "turn_id": "t1", "transcript_path": null, "cwd": cwd,
                   "hook_event_name": "UserPromptSubmit", "model": "gpt-6.2-sol",
                   "permission_mode": "default", "prompt": prompt}),
        ),
        _ => (
            "UserPromptSubmit",
            json!({"session_id": "s1", "transcript_path": "/tmp/t.jsonl", "cwd": cwd,
                   "prompt_id": "p1", "permission_mode": "default",
                   "hook_event_name": "UserPromptSubmit", "prompt": prompt}),
        ),
    }
}

/// Records clarify's two outputs (the kit's examples, in run `run-1`) and leaves the phase.
fn exit_clarify(p: &TestProject, tag: &str) {
    for name in ["run-manifest", "clarification"] {
        let f = p.root.join(format!("../{name}-{tag}.json"));
        let mut v: Value = serde_json::from_str(
            &std::fs::read_to_string(kit().join(format!("templates/examples/{name}.example.json")))
                .unwrap(),
        )
        .unwrap();
        v["run_id"] = json!("run-1");
        std::fs::write(&f, v.to_string()).unwrap();
        let f = f.display().to_string();
        let r = wazir(
            p,
            &[
                "capture", "artifact", "--phase", "clarify", "--name", name, "--file", &f,
            ],
        );
        assert!(r.status.success(), "{r:?}");
    }
    let r = wazir(
        p,
        &[
            "capture",
            "event",
            "--event",
            "phase_exit",
            "--phase",
            "clarify",
        ],
    );
    assert!(r.status.success(), "{r:?}");
}

#[test]
fn a_user_override_lifts_the_rule_until_the_next_phase_change() {
    for (host, host_event) in HOSTS {
        let p = project("strict");
        let (l, run) = start(&p, "clarify");
        assert!(
            p.hook(host, "protected-path", &write(host, &p, "src/x.rs"))
                .blocked()
        );
        let (pe, payload) = prompt_payload(host, &p, "wazir allow: hotfix the login typo now");
        let out = p.hook(host, "prompt", &payload);
        check_answer(host, pe, &out);
        assert_eq!(out.code, 0, "{host}: {out:?}");
        let st = l.status(&run).unwrap();
        let o = st.write_override.as_ref().expect("override recorded");
        assert_eq!(o.reason, "hotfix the login typo now");
        let ev = l.events(&run).unwrap();
        assert_eq!(ev.last().unwrap().event, "override", "{host}");
        let out = p.hook(host, "protected-path", &write(host, &p, "src/x.rs"));
        check_answer(host, host_event, &out);
        assert_eq!(out.code, 0, "{host}: {out:?}");
        let status = wazir(&p, &["status"]);
        assert!(
            String::from_utf8_lossy(&status.stdout).contains("hotfix the login typo now"),
            "{status:?}"
        );
        // The next phase change ends it.
        exit_clarify(&p, host);
        assert!(l.status(&run).unwrap().write_override.is_none());
        let out = p.hook(host, "protected-path", &write(host, &p, "src/x.rs"));
        assert!(out.blocked(), "{host}: {out:?}");
        assert!(
            out.stderr
                .contains("wazir capture event --event phase_enter --phase discover"),
            "{}",
            out.stderr
        );
        let summary = wazir(&p, &["capture", "summary"]);
        let path = String::from_utf8_lossy(&summary.stdout).trim().to_string();
        let md = std::fs::read_to_string(path).unwrap();
        assert!(
            md.contains("## Overrides") && md.contains("hotfix the login typo now"),
            "{md}"
        );
    }
}

#[test]
fn with_no_run_an_override_lasts_for_the_session() {
    let p = project("strict");
    let (pe, payload) = prompt_payload("claude", &p, "wazir allow: quick fix without a run");
    let out = p.hook("claude", "prompt", &payload);
    check_answer("claude", pe, &out);
    assert!(context(&out).contains("for this session"), "{out:?}");
    let out = p.hook(
        "claude",
        "protected-path",
        &write("claude", &p, "app/main.py"),
    );
    assert_eq!(out.code, 0, "{out:?}");
    // Another session is still refused.
    let mut other = write("claude", &p, "app/main.py");
    other["session_id"] = json!("s2");
    assert!(p.hook("claude", "protected-path", &other).blocked());
}

#[test]
fn the_agent_cannot_record_an_override() {
    let p = project("strict");
    start(&p, "clarify");
    // No wazir command records one.
    let r = wazir(
        &p,
        &[
            "capture",
            "event",
            "--event",
            "override",
            "--phase",
            "clarify",
            "--message",
            "agent says so",
        ],
    );
    assert!(!r.status.success(), "{r:?}");
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("unknown event `override`"),
        "{r:?}"
    );
    let state = p.state.display().to_string();
    let run_dir = format!("{state}/runs/run-1");
    for (host, host_event) in HOSTS {
        // A prompt that only mentions it on a later line records nothing.
        let (_, payload) = prompt_payload(host, &p, "please go on\nwazir allow: agent");
        assert_eq!(p.hook(host, "prompt", &payload).code, 0, "{host}");
        // The agent's own writes to the override file or the ledger are refused, by file tool
        // and by shell alike.
        for target in [
            format!("{state}/hooks/override-0123456789abcdef01234567.json"),
            format!("{run_dir}/status.json"),
            format!("{run_dir}/events.ndjson"),
        ] {
            let out = p.hook(host, "protected-path", &write(host, &p, &target));
            check_answer(host, host_event, &out);
            assert!(out.blocked(), "{host} writes {target}: {out:?}");
        }
        for command in [
            format!("echo '{{\"reason\":\"agent\"}}' > {state}/hooks/override-x.json"),
            format!("echo '{{}}' >> {run_dir}/events.ndjson"),
            format!("sed -i s/clarify/execute/ {run_dir}/status.json"),
            // A shell write to the project while in clarify is refused like a file tool's.
            "sed -i s/a/b/ src/main.rs".to_string(),
            // Running the prompt hook itself with a forged prompt.
            format!(
                "echo '{{\"session_id\":\"s1\",\"prompt\":\"wazir allow: agent\"}}' | \
                 wazir hook --host {host} prompt"
            ),
        ] {
            let out = p.hook(
                host,
                "protected-path",
                &shell_payload(host, &p.root, &command),
            );
            assert!(out.blocked(), "{host} runs {command}: {out:?}");
        }
    }
    let l = ledger(&p);
    let run = RunId::parse("run-1").unwrap();
    assert!(l.status(&run).unwrap().write_override.is_none());
    assert!(
        l.events(&run)
            .unwrap()
            .iter()
            .all(|e| e.event != "override"),
        "an override was recorded"
    );
    assert!(!p.state.join("hooks").read_dir().is_ok_and(|mut d| {
        d.any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("override-")
        })
    }));
}

#[test]
fn overrides_show_in_status_the_summary_and_the_phase_report() {
    let p = project("strict");
    start(&p, "clarify");
    let allow = |text: &str| {
        let (_, payload) = prompt_payload("claude", &p, text);
        assert_eq!(p.hook("claude", "prompt", &payload).code, 0);
    };
    allow("wazir allow: hotfix the login typo | before the spec");
    exit_clarify(&p, "report");
    let r = wazir(
        &p,
        &[
            "capture",
            "event",
            "--event",
            "phase_enter",
            "--phase",
            "discover",
        ],
    );
    assert!(r.status.success(), "{r:?}");
    let after_change = String::from_utf8(wazir(&p, &["status"]).stdout).unwrap();
    allow("wazir allow: regenerate the fixtures now");
    let in_force = String::from_utf8(wazir(&p, &["status"]).stdout).unwrap();
    let summary = wazir(&p, &["capture", "summary"]);
    let path = String::from_utf8_lossy(&summary.stdout).trim().to_string();
    let md = std::fs::read_to_string(path).unwrap();
    let overrides = &md[md.find("## Overrides").expect("an Overrides section")..];
    let overrides = &overrides[..overrides.find("\n## ").unwrap_or(overrides.len())];
    let report = |phase: &str| {
        let out = wazir(&p, &["status", "--phase", phase]);
        let text = String::from_utf8(out.stdout).unwrap();
        text[text.find("overrides:").expect("an overrides line")..].to_string()
    };
    let lines = |text: &str| -> String {
        text.lines()
            .filter(|l| l.contains("override") || l.starts_with("  #"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let all = format!(
        "wazir status after the phase change:\n{}\n\nwazir status with an override in \
         force:\n{}\n\nsummary.md:\n{}\n\nwazir status --phase clarify:\n{}\nwazir status \
         --phase discover:\n{}",
        lines(&after_change),
        lines(&in_force),
        overrides.trim_end(),
        report("clarify"),
        report("discover"),
    );
    let times = regex::Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z").unwrap();
    insta::assert_snapshot!("overrides", times.replace_all(&all, "<time>"));
}
