//! Claude Code: `Write`, `Edit`, `MultiEdit` and `NotebookEdit` carry `tool_input.file_path`
//! (`notebook_path` for notebooks), `Bash` carries `tool_input.command`. Answers: nothing on
//! stdout is the neutral answer (an explicit allow would skip the user's permission prompt);
//! context goes in `hookSpecificOutput.additionalContext`; a replaced shell output in
//! `hookSpecificOutput.updatedToolOutput`; a block is exit 2 with the reason on stderr, which
//! Claude Code shows to the model.

use serde_json::json;

use super::{Outcome, Payload, Reply, ToolCall, claude_context_event};

pub fn tool_call(p: &Payload) -> ToolCall {
    match p.tool_name.as_deref() {
        Some("Write" | "Edit" | "MultiEdit" | "NotebookEdit") => {
            let mut paths: Vec<String> = p
                .input_str(&["file_path", "notebook_path"])
                .into_iter()
                .collect();
            paths.extend(p.edit_paths());
            ToolCall::Write(paths)
        }
        Some("Bash") => p.input_command().map_or(ToolCall::Other, ToolCall::Shell),
        // Cursor runs the hooks of .claude/settings.json too; its shell event has no tool name.
        None => p.command.clone().map_or(ToolCall::Other, ToolCall::Shell),
        Some(_) => ToolCall::Other,
    }
}

/// Whether Claude Code takes a replacement for this tool's output. The replacement must match
/// the tool's own output shape, or Claude Code keeps the original (checked with Claude Code
/// 2.1.332); only `Bash`'s shape is known here.
pub fn replaceable_output(p: &Payload) -> bool {
    p.tool_name.as_deref() == Some("Bash")
}

/// `Bash`'s output shape, holding `text` as its standard output.
fn bash_output(text: &str) -> serde_json::Value {
    json!({"stdout": text, "stderr": "", "interrupted": false, "isImage": false})
}

pub fn encode(host_event: &str, outcome: &Outcome) -> Reply {
    match outcome {
        Outcome::Neutral => Reply::empty(),
        Outcome::Context(text) if claude_context_event(host_event) => Reply::json(json!({
            "hookSpecificOutput": {
                "hookEventName": host_event,
                "additionalContext": text,
            }
        })),
        Outcome::Context(text) => Reply::json(json!({ "systemMessage": text })),
        Outcome::ReplaceOutput(text) if host_event == "PostToolUse" => Reply::json(json!({
            "hookSpecificOutput": {
                "hookEventName": host_event,
                "updatedToolOutput": bash_output(text),
            }
        })),
        Outcome::ReplaceOutput(text) => encode(host_event, &Outcome::Context(text.clone())),
        Outcome::Block(reason) | Outcome::RefuseStop(reason) => Reply::block(reason),
        // Not produced for this host (`rewrites_shell_input`).
        Outcome::RewriteInput { .. } => encode(host_event, &outcome.without_rewrite()),
    }
}
