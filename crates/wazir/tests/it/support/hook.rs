//! Shared by the hook tests: a temporary Wazir project (the kit's manifest, a file in every
//! protected folder, ordinary folders beside them) with its own state root; running the real
//! binary as a host would; payload builders for each host's write and shell tools; and the
//! answer checks against the hosts' schemas in `../shared/host-schemas/`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

/// `../shared` beside the repository (CI lays it out the same way).
pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

pub fn kit() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kit")
}

pub struct TestProject {
    _dir: tempfile::TempDir,
    _state: tempfile::TempDir,
    /// The project root, symlinks resolved.
    pub root: PathBuf,
    pub state: PathBuf,
}

impl TestProject {
    pub fn new() -> TestProject {
        let dir = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        // The write rule is off here: these projects test the other behaviours
        // (`hook_enforcement` turns it on).
        let manifest = std::fs::read_to_string(kit().join("wazir.manifest.yaml")).unwrap();
        std::fs::write(
            root.join("wazir.manifest.yaml"),
            format!("{manifest}\nenforcement:\n  mode: off\n"),
        )
        .unwrap();
        for f in [
            "roles/executor.md",
            "workflows/plan.md",
            "skills/tdd/SKILL.md",
            "hooks/definitions/loop_cap_guard.yaml",
            "hooks/README.md",
            "schemas/spec.schema.json",
            "exports/hosts/claude/CLAUDE.md",
            "src/main.rs",
            "docs/roles/notes.md",
            "build/out.txt",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            // The workflow must be the real one: the ledger guards read its front matter.
            let body = std::fs::read_to_string(kit().join(f)).unwrap_or_else(|_| "x\n".into());
            std::fs::write(&p, body).unwrap();
        }
        let state_path = state.path().canonicalize().unwrap();
        TestProject {
            _dir: dir,
            _state: state,
            root,
            state: state_path,
        }
    }

    pub fn path(&self, rel: &str) -> String {
        self.root.join(rel).display().to_string()
    }

    /// Runs `wazir hook --host HOST EVENT` in the project with `payload` on stdin.
    pub fn hook(&self, host: &str, event: &str, payload: &Value) -> Out {
        self.hook_with(host, event, &payload.to_string(), &[])
    }

    pub fn hook_with(&self, host: &str, event: &str, stdin: &str, env: &[(&str, &str)]) -> Out {
        run_hook(&self.root, Some(&self.state), host, event, stdin, env)
    }
}

/// Runs the binary in `dir` as a host would: payload on stdin, answer on stdout and stderr.
pub fn run_hook(
    dir: &Path,
    state: Option<&Path>,
    host: &str,
    event: &str,
    stdin: &str,
    env: &[(&str, &str)],
) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wazir"));
    cmd.args(["hook", "--host", host, event])
        .current_dir(dir)
        .env_remove("CLAUDE_PROJECT_DIR")
        .env_remove("GEMINI_PROJECT_DIR")
        .env_remove("WAZIR_APPROVED_FLOW")
        .env_remove("WAZIR_STATE_ROOT")
        .env_remove("WAZIR_CAPTURE_THRESHOLD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(s) = state {
        cmd.env("WAZIR_STATE_ROOT", s);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    // A process that exits before reading (a usage error) closes the pipe: not a failure here.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {:?}", self.stdout))
    }

    /// The host blocked: exit 2 with a non-empty reason on stderr, or (Gemini) the JSON deny
    /// `{"decision":"deny","reason":…}` on exit 0, with the reason also on stderr.
    pub fn blocked(&self) -> bool {
        if self.stderr.trim().is_empty() {
            return false;
        }
        self.code == 2
            || (self.code == 0
                && serde_json::from_str::<Value>(&self.stdout).is_ok_and(|v| {
                    v["decision"] == "deny" && v["reason"].as_str().is_some_and(|r| !r.is_empty())
                }))
    }
}

/// A PreToolUse / BeforeTool / preToolUse payload for the host's file-writing tool.
pub fn write_payload(host: &str, root: &Path, path: &str) -> Value {
    let cwd = root.display().to_string();
    match host {
        "claude" => json!({
            "session_id": "s1", "transcript_path": "/tmp/t.jsonl", "cwd": cwd,
            "permission_mode": "default", "hook_event_name": "PreToolUse",
            "tool_name": "Write", "tool_input": {"file_path": path, "content": "x"},
            "tool_use_id": "toolu_01"
        }),
        "gemini" => json!({
            "session_id": "s1", "transcript_path": "/tmp/t.jsonl", "cwd": cwd,
            "hook_event_name": "BeforeTool", "timestamp": "2026-11-26T14:37:05.264Z",
            "tool_name": "write_file", "tool_input": {"file_path": path, "content": "x"}
        }),
        "cursor" => json!({
            "conversation_id": "c1", "generation_id": "g1", "hook_event_name": "preToolUse",
            "workspace_roots": [cwd], "cursor_version": "3.1.0", "transcript_path": null,
            "tool_name": "Write", "tool_input": {"file_path": path, "contents": "x"},
            "tool_use_id": "tu1"
        }),
        "codex" => patch_payload(
            root,
            &format!("*** Begin Patch\n*** Add File: {path}\n+x\n*** End Patch\n"),
        ),
        other => panic!("unknown host {other}"),
    }
}

/// A Codex `apply_patch` PreToolUse payload, with every field Codex's input schema requires.
pub fn patch_payload(root: &Path, patch: &str) -> Value {
    json!({
        "session_id": "s1", "turn_id": "t1", "transcript_path": null,
        "cwd": root.display().to_string(), "hook_event_name": "PreToolUse",
        "model": "gpt-6.2-sol", "permission_mode": "default",
        "tool_name": "apply_patch", "tool_input": {"command": patch}, "tool_use_id": "call_1"
    })
}

/// A payload for the host's shell tool (Cursor: `beforeShellExecution`).
pub fn shell_payload(host: &str, root: &Path, command: &str) -> Value {
    let cwd = root.display().to_string();
    match host {
        "claude" => json!({
            "session_id": "s1", "transcript_path": "/tmp/t.jsonl", "cwd": cwd,
            "permission_mode": "default", "hook_event_name": "PreToolUse",
            "tool_name": "Bash", "tool_input": {"command": command, "description": "run"},
            "tool_use_id": "toolu_02"
        }),
        "codex" => json!({
            "session_id": "s1", "turn_id": "t1", "transcript_path": null, "cwd": cwd,
            "hook_event_name": "PreToolUse", "model": "gpt-6.2-sol",
            "permission_mode": "default", "tool_name": "Bash",
            "tool_input": {"command": command}, "tool_use_id": "call_2"
        }),
        "gemini" => json!({
            "session_id": "s1", "transcript_path": "/tmp/t.jsonl", "cwd": cwd,
            "hook_event_name": "BeforeTool", "timestamp": "2026-11-26T14:37:05.264Z",
            "tool_name": "run_shell_command", "tool_input": {"command": command}
        }),
        "cursor" => json!({
            "conversation_id": "c1", "generation_id": "g1",
            "hook_event_name": "beforeShellExecution", "workspace_roots": [cwd],
            "cursor_version": "3.1.0", "transcript_path": null, "command": command, "cwd": cwd
        }),
        other => panic!("unknown host {other}"),
    }
}

fn validator(path: &Path) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

/// Codex's schema file stem for a host event name.
fn codex_stem(host_event: &str) -> &'static str {
    match host_event {
        "SessionStart" => "session-start",
        "UserPromptSubmit" => "user-prompt-submit",
        "PreToolUse" => "pre-tool-use",
        "PostToolUse" => "post-tool-use",
        "PreCompact" => "pre-compact",
        "Stop" => "stop",
        other => panic!("no Codex schema for {other}"),
    }
}

fn assert_keys(v: &Value, allowed: &[&str], what: &str) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("{what}: not an object: {v}"));
    for k in obj.keys() {
        assert!(
            allowed.contains(&k.as_str()),
            "{what}: field `{k}` is not allowed in {v}"
        );
    }
}

/// Checks an answer against the host's protocol: exit code 0 or 2 only, a non-empty reason on
/// a block, and every JSON answer valid for the host (Codex: its output schema; Claude Code:
/// the same schema, of which Claude's protocol is the lenient superset, and the field list of
/// HOSTS.md; Gemini and Cursor: their answer fields from HOSTS.md).
pub fn check_answer(host: &str, host_event: &str, out: &Out) {
    assert!(
        out.code == 0 || out.code == 2,
        "exit {} for {host} {host_event}: {out:?}",
        out.code
    );
    if out.code == 2 {
        assert!(
            !out.stderr.trim().is_empty(),
            "a block needs a reason on stderr: {out:?}"
        );
    }
    if out.stdout.trim().is_empty() {
        // Claude Code reads empty stdout as "no opinion"; a block by exit 2 needs no stdout
        // except on Cursor, which reads the reason from stdout first.
        assert!(
            host == "claude" || (out.code == 2 && host != "cursor"),
            "{host} needs JSON on stdout: {out:?}"
        );
        return;
    }
    let mut v = out.json();
    if host == "claude"
        && let Some(replaced) = v
            .get_mut("hookSpecificOutput")
            .and_then(|h| h.as_object_mut())
            .and_then(|h| h.remove("updatedToolOutput"))
    {
        // Claude Code's PostToolUse replacement of a Bash output (HOSTS.md): this exact object;
        // Codex has no such field, so the rest is checked against Codex's schema below.
        assert_eq!(host_event, "PostToolUse", "{replaced}");
        let keys: Vec<&str> = replaced
            .as_object()
            .expect("updatedToolOutput for Bash is an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 4, "{replaced}");
        assert!(
            replaced["stdout"].is_string() && replaced["stderr"].is_string(),
            "{replaced}"
        );
        assert!(
            replaced["interrupted"] == json!(false) && replaced["isImage"] == json!(false),
            "{replaced}"
        );
    }
    match host {
        "claude" | "codex" => {
            let file = shared().join("host-schemas/codex-hooks-io").join(format!(
                "{}.command.output.schema.json",
                codex_stem(host_event)
            ));
            let val = validator(&file);
            let errors: Vec<String> = val.iter_errors(&v).map(|e| e.to_string()).collect();
            assert!(
                errors.is_empty(),
                "{host} {host_event} answer {v} fails {}: {errors:?}",
                file.display()
            );
            assert_keys(
                &v,
                &[
                    "continue",
                    "stopReason",
                    "suppressOutput",
                    "systemMessage",
                    "decision",
                    "reason",
                    "hookSpecificOutput",
                ],
                host,
            );
            if let Some(h) = v.get("hookSpecificOutput") {
                assert_eq!(h["hookEventName"], host_event, "{v}");
                assert_keys(
                    h,
                    &[
                        "hookEventName",
                        "additionalContext",
                        "permissionDecision",
                        "permissionDecisionReason",
                    ],
                    host,
                );
                assert_ne!(
                    h.get("permissionDecision"),
                    Some(&json!("allow")),
                    "never an explicit allow: {v}"
                );
            }
        }
        "gemini" => {
            assert_keys(
                &v,
                &[
                    "decision",
                    "reason",
                    "continue",
                    "stopReason",
                    "suppressOutput",
                    "systemMessage",
                    "hookSpecificOutput",
                ],
                host,
            );
            if let Some(d) = v.get("decision") {
                assert!(
                    ["allow", "deny", "block"].contains(&d.as_str().unwrap()),
                    "{v}"
                );
                assert!(v["reason"].as_str().is_some_and(|r| !r.is_empty()), "{v}");
            }
            if let Some(h) = v.get("hookSpecificOutput") {
                // `tool_input` (a BeforeTool rewrite) replaces the call's arguments: an object.
                assert_keys(
                    h,
                    &["hookEventName", "additionalContext", "tool_input"],
                    host,
                );
                if let Some(t) = h.get("tool_input") {
                    assert_eq!(host_event, "BeforeTool", "{v}");
                    assert!(t["command"].as_str().is_some_and(|c| !c.is_empty()), "{v}");
                }
            }
        }
        "cursor" => {
            let allowed: &[&str] = match host_event {
                "preToolUse" | "beforeShellExecution" => {
                    &["permission", "user_message", "agent_message"]
                }
                "sessionStart" => &["additional_context", "env"],
                "postToolUse" => &["additional_context"],
                "beforeSubmitPrompt" => &["continue", "user_message"],
                "stop" => &["followup_message"],
                _ => &[],
            };
            assert_keys(&v, allowed, host);
            if let Some(p) = v.get("permission") {
                assert!(
                    ["allow", "deny", "ask"].contains(&p.as_str().unwrap()),
                    "{v}"
                );
                assert_eq!(p == "deny", out.code == 2, "deny goes with exit 2: {out:?}");
            }
            if let Some(c) = v.get("additional_context") {
                assert!(
                    c.as_str().unwrap().chars().count() <= 10_000,
                    "Cursor context too long"
                );
            }
        }
        other => panic!("unknown host {other}"),
    }
}
