//! Capture routing and post-tool capture. After any call, `capture` records it as a
//! `post_tool_capture` event; output over the threshold is stored in the call's capture file
//! (named by the host's tool call id, or on Cursor by the generation id and a hash of the
//! command) and the agent gets the file's path, size, head and tail, so later turns read slices
//! of the file instead of carrying the whole output. On Claude Code a shell call's output is
//! replaced by that reference (`updatedToolOutput`), so the model never receives the whole of
//! it; elsewhere the reference comes as added context and the capture is recorded as `sent`
//! (the host still sent the output), which `capture usage` counts as nothing avoided. Neither ever blocks; without a run both do
//! nothing.
//!
//! `capture-route`, before a shell call, on a host that runs a rewritten tool input (Gemini
//! CLI: [`protocol::rewrites_shell_input`]) and with a run active, wraps a command that is safe
//! to wrap in `wazir capture run`: the command runs as before (same shell, folder, environment
//! and exit code), a short output comes back whole, and an output over the threshold is stored
//! in the run's captures while the model gets only its path, head and tail, recorded as
//! `piped`. A command is left alone when it runs something in the background (it could hold
//! the output open), starts a program that needs a terminal (an editor, a pager, a remote
//! shell, an interpreter with no script), already runs `wazir`, or cannot be read. It records
//! nothing itself: hosts run the hooks of one event in parallel, and a guard may still refuse
//! the call (a file reserved here stayed empty and counted a capture that never happened, seen
//! with Claude Code 2.1.332, Codex CLI 0.171.0 and Gemini CLI 0.61.0 by `tests/hosts/`).

use anyhow::Result;
use serde_json::{Value, json};
use wazir_ledger::redact::{command_reads_secret_file, is_secret_file, redact};
use wazir_ledger::{Delivery, Event, Origin, capture_threshold, kinds};

use super::{Cx, Outcome, Payload, ToolCall, protocol, shell};

/// Programs that need a terminal, or wait for one: wrapped, their output would be a pipe.
const NEEDS_A_TERMINAL: [&str; 26] = [
    "vi", "vim", "nvim", "nano", "emacs", "pico", "less", "more", "most", "man", "top", "htop",
    "btop", "watch", "tmux", "screen", "ssh", "telnet", "ftp", "sftp", "mysql", "psql", "sqlite3",
    "mongosh", "irb", "ghci",
];

/// Before a shell call: the call's input with its command wrapped in `wazir capture run`, when
/// the host runs a rewritten input, a run is active and the command is safe to wrap.
pub fn route(cx: &Cx) -> Result<Outcome> {
    let host = cx.opts.host;
    if !protocol::rewrites_shell_input(host) {
        return Ok(Outcome::Neutral);
    }
    let p = cx.payload();
    let ToolCall::Shell(command) = protocol::tool_call(host, p) else {
        return Ok(Outcome::Neutral);
    };
    let background = p.tool_input.get("is_background").and_then(Value::as_bool);
    if background == Some(true)
        || p.tool_input
            .get("command")
            .and_then(Value::as_str)
            .is_none()
    {
        return Ok(Outcome::Neutral);
    }
    let Some(project) = cx.project()? else {
        return Ok(Outcome::Neutral);
    };
    if cx.active_run(&project)?.is_none() {
        return Ok(Outcome::Neutral);
    }
    let Ok(scan) = cx.shell_scan(&command) else {
        return Ok(Outcome::Neutral);
    };
    if !safe_to_wrap(&scan) {
        return Ok(Outcome::Neutral);
    }
    let exe = std::env::current_exe()?;
    let name = call_name(p, Some(&command));
    let quote = |s: &str| shlex::try_quote(s).map(|q| q.into_owned());
    let (Ok(exe), Ok(name), Ok(cmd)) =
        (quote(&exe.to_string_lossy()), quote(&name), quote(&command))
    else {
        // A NUL byte cannot be quoted for the shell: run the command as it is.
        return Ok(Outcome::Neutral);
    };
    let mut input = p.tool_input.clone();
    input["command"] = json!(format!(
        "{exe} capture run --host {} --name {name} -- {cmd}",
        host.as_str()
    ));
    Ok(Outcome::RewriteInput {
        input,
        context: String::new(),
    })
}

/// Whether wrapping the command keeps what it does: nothing in the background, no program that
/// needs a terminal, no `wazir` (its output is short, and a wrapped wrapper gains nothing).
fn safe_to_wrap(scan: &shell::Scan) -> bool {
    !scan.background
        && !scan.commands.iter().any(|words| {
            let Some(name) = words.first() else {
                return false;
            };
            name == "wazir"
                || NEEDS_A_TERMINAL.contains(&name.as_str())
                // An interpreter or shell with no script reads one from the terminal.
                || (words.len() == 1 && (shell::is_interpreter(name) || shell::is_shell(name)))
        })
}

pub fn capture(cx: &Cx) -> Result<Outcome> {
    let p = cx.payload();
    let Some(project) = cx.project()? else {
        return Ok(Outcome::Neutral);
    };
    let Some((ledger, run)) = cx.active_run(&project)? else {
        return Ok(Outcome::Neutral);
    };
    let call = protocol::tool_call(cx.opts.host, p);
    let command = match &call {
        ToolCall::Shell(c) => Some(c.clone()),
        _ => None,
    };
    let target = match &call {
        ToolCall::Write(paths) | ToolCall::Delete(paths) => paths.first().cloned(),
        ToolCall::Shell(c) => Some(c.clone()),
        _ => p.input_str(&["file_path", "path", "command", "pattern", "query"]),
    };
    // A read of a credential file (`.env`, a key) is never stored, whatever its size.
    let secret_file = match &call {
        ToolCall::Shell(c) => command_reads_secret_file(c),
        ToolCall::Write(paths) | ToolCall::Delete(paths) => paths.iter().any(|f| is_secret_file(f)),
        _ => p
            .input_str(&["file_path", "path", "filePath", "target_file"])
            .is_some_and(|f| is_secret_file(&f)),
    };
    let output = output_text(&p.tool_response);
    let exit_code = exit_code(&p.tool_response);
    let threshold = capture_threshold();

    let mut answer = Outcome::Neutral;
    let mut capture = None;
    let mut delivery = None;
    if output.len() > threshold && !secret_file {
        let name = call_name(p, command.as_deref());
        // Claude Code takes a replacement for a shell call's output, so the model gets the
        // reference instead; every other host sends the whole output whatever the hook answers.
        let replaceable = protocol::replaceable_output(cx.opts.host, p);
        let origin = Origin {
            host: Some(cx.opts.host.as_str()),
            delivery: if replaceable {
                Delivery::Replaced
            } else {
                Delivery::Sent
            },
        };
        let stored = ledger.record_output(
            &run,
            &name,
            output.as_bytes(),
            command.as_deref(),
            exit_code,
            origin,
        )?;
        answer = if replaceable {
            Outcome::ReplaceOutput(stored.reference)
        } else {
            Outcome::Context(stored.reference)
        };
        capture = Some(stored.name);
        delivery = Some(origin.delivery);
    }
    let ev = Event::new(kinds::POST_TOOL_CAPTURE).data(json!({
        "host": cx.opts.host.as_str(),
        "tool": p.tool_name,
        // Redacted before it is shortened, so a cut cannot hide a credential's shape.
        "target": target.map(|t| redact(&t).chars().take(300).collect::<String>()),
        "exit_code": exit_code,
        "output_bytes": output.len(),
        "capture": capture,
        "delivery": delivery,
        "secret_file": secret_file.then_some(true),
        "tool_use_id": p.tool_use_id,
    }));
    ledger.append_event(&run, &ev)?;
    Ok(answer)
}

/// The text a tool returned: a string, or the text fields of an object (`stdout`, `stderr`,
/// `output`, `content`, …), whichever the host and tool send. Cursor sends JSON in a string.
pub fn output_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(inner @ Value::Object(_)) => output_text(&inner),
            _ => s.clone(),
        },
        Value::Array(a) => a
            .iter()
            .map(output_text)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
        Value::Object(o) => {
            let mut parts = Vec::new();
            for k in [
                "stdout",
                "output",
                "content",
                "result",
                "text",
                "llmContent",
            ] {
                if let Some(x) = o.get(k) {
                    let t = output_text(x);
                    if !t.is_empty() {
                        parts.push(t);
                    }
                }
            }
            if let Some(e) = o.get("stderr").map(output_text).filter(|e| !e.is_empty()) {
                parts.push(format!("[stderr]\n{e}"));
            }
            if parts.is_empty() {
                v.to_string()
            } else {
                parts.join("\n")
            }
        }
        other => other.to_string(),
    }
}

fn exit_code(v: &Value) -> Option<i32> {
    let v = match v {
        Value::String(s) => serde_json::from_str::<Value>(s).ok()?,
        other => other.clone(),
    };
    ["exit_code", "exitCode", "returncode", "code"]
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_i64))
        .and_then(|c| i32::try_from(c).ok())
}

/// The capture file name of a call: its tool call id, else the generation id and a hash of
/// the command, else a hash of the tool input.
pub fn call_name(p: &Payload, command: Option<&str>) -> String {
    let hash = |s: &str| wazir_core::digest::sha256_prefix_hex(s.as_bytes(), 6);
    let name = match (&p.tool_use_id, &p.generation_id) {
        (Some(id), _) if !id.is_empty() => sanitize(id),
        (_, Some(g)) if !g.is_empty() => format!(
            "{}-{}",
            sanitize(g),
            hash(command.unwrap_or(&p.tool_input.to_string()))
        ),
        _ => format!("call-{}", hash(&p.tool_input.to_string())),
    };
    format!("{name}.txt")
}

fn sanitize(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .skip_while(|c| !c.is_ascii_alphanumeric())
        .take(100)
        .collect();
    if s.is_empty() { "call".to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_text_takes_the_text_fields_of_any_shape() {
        assert_eq!(output_text(&json!("plain")), "plain");
        assert_eq!(
            output_text(&json!({"stdout": "a", "stderr": "b"})),
            "a\n[stderr]\nb"
        );
        assert_eq!(output_text(&json!("{\"output\":\"x\"}")), "x");
        assert_eq!(
            output_text(&json!({"content": [{"type": "text", "text": "t"}]})),
            "t"
        );
        assert_eq!(exit_code(&json!({"exit_code": 3})), Some(3));
    }

    #[test]
    fn capture_names_are_safe_file_names() {
        let p = Payload {
            tool_use_id: Some("../toolu_01/x".into()),
            ..Payload::default()
        };
        assert_eq!(call_name(&p, None), "toolu_01-x.txt");
        let p = Payload {
            generation_id: Some("gen-1".into()),
            ..Payload::default()
        };
        assert!(call_name(&p, Some("ls")).starts_with("gen-1-"));
    }
}
