//! Capture routing and post-tool capture. After any call, `capture` records it as a
//! `post_tool_capture` event; output over the threshold is stored in the call's capture file
//! (named by the host's tool call id, or on Cursor by the generation id and a hash of the
//! command) and the agent gets the file's path, size, head and tail, so later turns read slices
//! of the file instead of carrying the whole output. Neither ever blocks; without a run both do
//! nothing.
//!
//! `capture-route`, before a shell call, records nothing. Hosts run the hooks of one event in
//! parallel, so it also runs for a call that a guard blocks: a file it reserved there stayed
//! empty and its `capture_routed` event counted a capture that never happened (seen with Claude
//! Code 2.1.332, Codex CLI 0.171.0 and Gemini CLI 0.61.0 by `tests/hosts/`). The capture file is
//! made after the call, only when the call ran and its output is over the threshold.

use anyhow::Result;
use serde_json::{Value, json};
use wazir_ledger::{Event, kinds};

use super::{Cx, Outcome, Payload, ToolCall, protocol};

/// Output larger than this many bytes is routed to a capture file.
pub const DEFAULT_THRESHOLD: usize = 8 * 1024;
/// Overrides [`DEFAULT_THRESHOLD`].
pub const THRESHOLD_ENV: &str = "WAZIR_CAPTURE_THRESHOLD";
/// Lines of head and of tail handed to the agent.
const EDGE_LINES: usize = 10;
/// Longest line shown in the head or tail.
const EDGE_LINE_CHARS: usize = 200;

/// Before a shell call: nothing to record yet (see the module note), so always neutral.
pub fn route(_cx: &Cx) -> Result<Outcome> {
    Ok(Outcome::Neutral)
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
    let output = output_text(&p.tool_response);
    let exit_code = exit_code(&p.tool_response);
    let threshold = std::env::var(THRESHOLD_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_THRESHOLD);

    let mut context = None;
    let mut capture = None;
    if output.len() > threshold {
        let name = call_name(p, command.as_deref());
        let stored = ledger.record_output(
            &run,
            &name,
            output.as_bytes(),
            command.as_deref(),
            exit_code,
        )?;
        context = Some(reference(
            &stored.path.display().to_string(),
            &output,
            exit_code,
        ));
        capture = Some(stored.name);
    }
    let ev = Event::new(kinds::POST_TOOL_CAPTURE).data(json!({
        "host": cx.opts.host.as_str(),
        "tool": p.tool_name,
        "target": target.map(|t| t.chars().take(300).collect::<String>()),
        "exit_code": exit_code,
        "output_bytes": output.len(),
        "capture": capture,
        "tool_use_id": p.tool_use_id,
    }));
    ledger.append_event(&run, &ev)?;
    Ok(context.map_or(Outcome::Neutral, Outcome::Context))
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

/// What the agent gets instead of carrying the whole output.
fn reference(path: &str, output: &str, exit_code: Option<i32>) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let edge = |ls: &[&str]| -> String {
        ls.iter()
            .map(|l| {
                let short: String = l.chars().take(EDGE_LINE_CHARS).collect();
                format!("  {short}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let exit = exit_code
        .map(|c| format!(", exit code {c}"))
        .unwrap_or_default();
    let mut s = format!(
        "Wazir captured this output ({} lines, {} bytes{exit}) to {path}. Read exact slices of \
         that file (e.g. with sed -n 'A,Bp') instead of re-running the command or keeping the \
         whole output in context.",
        lines.len(),
        output.len()
    );
    if lines.len() <= 2 * EDGE_LINES {
        s.push_str(&format!("\nFirst lines:\n{}", edge(&lines)));
    } else {
        s.push_str(&format!(
            "\nFirst {EDGE_LINES} lines:\n{}",
            edge(&lines[..EDGE_LINES])
        ));
        s.push_str(&format!(
            "\nLast {EDGE_LINES} lines:\n{}",
            edge(&lines[lines.len() - EDGE_LINES..])
        ));
    }
    s
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
