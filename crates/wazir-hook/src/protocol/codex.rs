//! Codex CLI: edits arrive as `apply_patch` with the patch text in `tool_input.command` (the
//! `Write` and `Edit` matcher aliases select it too); shell is `Bash`. Codex parses answers
//! strictly against its `*.command.output.schema.json`: an unknown field or bad JSON marks the
//! hook failed and the call goes ahead. So every answer here uses only fields those schemas
//! allow, the neutral answer is `{}` (valid for every event, and no explicit allow), and a
//! block is exit 2 with a non-empty reason on stderr.

use serde_json::json;

use super::{Outcome, Payload, Reply, ToolCall, claude_context_event};

pub fn tool_call(p: &Payload) -> ToolCall {
    match p.tool_name.as_deref() {
        Some("apply_patch" | "ApplyPatch" | "Write" | "Edit") => {
            let text = p
                .input_command()
                .or_else(|| p.input_str(&["patch", "input"]))
                .or_else(|| p.tool_input.as_str().map(str::to_string));
            match text {
                Some(t) => ToolCall::Patch(t),
                // No patch text but a plain path: treat it like a write of that path.
                None => ToolCall::Write(p.input_str(&["file_path", "path"]).into_iter().collect()),
            }
        }
        Some("Bash" | "shell" | "local_shell" | "exec_command" | "unified_exec") => {
            p.input_command().map_or(ToolCall::Other, ToolCall::Shell)
        }
        _ => ToolCall::Other,
    }
}

pub fn encode(host_event: &str, outcome: &Outcome) -> Reply {
    match outcome {
        Outcome::Neutral => Reply::json(json!({})),
        Outcome::Context(text) | Outcome::ReplaceOutput(text)
            if claude_context_event(host_event) =>
        {
            Reply::json(json!({
                "hookSpecificOutput": {
                    "hookEventName": host_event,
                    "additionalContext": text,
                }
            }))
        }
        // Every Codex output schema allows systemMessage; it is shown to the user.
        Outcome::Context(text) | Outcome::ReplaceOutput(text) => {
            Reply::json(json!({ "systemMessage": text }))
        }
        Outcome::Block(reason) | Outcome::RefuseStop(reason) => Reply::block(reason),
        // Not produced for this host (`rewrites_shell_input`).
        Outcome::RewriteInput { .. } => encode(host_event, &outcome.without_rewrite()),
    }
}
