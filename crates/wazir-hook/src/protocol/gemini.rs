//! Gemini CLI: `write_file` and `replace` carry `tool_input.file_path`, `run_shell_command`
//! carries `tool_input.command`. Stdout must be pure JSON: the neutral answer is `{}`, context
//! goes in `hookSpecificOutput.additionalContext`, a tool block is exit 2 with the reason on
//! stderr, and a refused `AfterAgent` (stop) is `decision: "deny"` with the reason, which sends
//! the reason back to the agent as a retry.

use serde_json::json;

use super::{Outcome, Payload, Reply, ToolCall};

pub fn tool_call(p: &Payload) -> ToolCall {
    match p.tool_name.as_deref() {
        Some("write_file" | "replace" | "edit") => {
            let mut paths: Vec<String> = p
                .input_str(&["file_path", "absolute_path", "path"])
                .into_iter()
                .collect();
            paths.extend(p.edit_paths());
            ToolCall::Write(paths)
        }
        Some("run_shell_command") => p.input_command().map_or(ToolCall::Other, ToolCall::Shell),
        _ => ToolCall::Other,
    }
}

pub fn encode(host_event: &str, outcome: &Outcome) -> Reply {
    match outcome {
        Outcome::Neutral => Reply::json(json!({})),
        Outcome::Context(text) => Reply::json(json!({
            "hookSpecificOutput": {
                "hookEventName": host_event,
                "additionalContext": text,
            }
        })),
        Outcome::Block(reason) => Reply::block(reason),
        Outcome::RefuseStop(reason) => Reply::json(json!({
            "decision": "deny",
            "reason": reason,
        })),
    }
}
