//! Gemini CLI: `write_file` and `replace` carry `tool_input.file_path`, `run_shell_command`
//! carries `tool_input.command`. Stdout must be pure JSON: the neutral answer is `{}`, context
//! goes in `hookSpecificOutput.additionalContext`, a tool block is `decision: "deny"` with the
//! reason on exit 0, and a refused `AfterAgent` (stop) is the same answer, which sends the reason
//! back to the agent as a retry. Gemini counts only exit 0 as a hook that succeeded: exit 2 does
//! block, but shows the user a failed-hook warning on every correct block (checked with Gemini
//! CLI 0.61.0 by the conformance suite, `tests/hosts/`). The reason is also put on stderr, which
//! Gemini does not show for a hook that succeeded, for whoever runs the hook by hand.

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
        // The host cannot replace a tool's output: the reference goes in as context.
        Outcome::Context(text) | Outcome::ReplaceOutput(text) => Reply::json(json!({
            "hookSpecificOutput": {
                "hookEventName": host_event,
                "additionalContext": text,
            }
        })),
        Outcome::RewriteInput { input, context } => {
            let mut out = json!({ "hookEventName": host_event, "tool_input": input });
            if !context.is_empty() {
                out["additionalContext"] = json!(context);
            }
            Reply::json(json!({ "hookSpecificOutput": out }))
        }
        Outcome::Block(reason) => {
            let mut r = Reply::json(json!({ "decision": "deny", "reason": reason }));
            r.stderr = Reply::block(reason).stderr;
            r
        }
        Outcome::RefuseStop(reason) => Reply::json(json!({
            "decision": "deny",
            "reason": reason,
        })),
    }
}
