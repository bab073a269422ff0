//! Cursor: `preToolUse` carries `tool_name` (`Write`, `StrReplace`, `Delete`, `Shell`, …) and
//! `tool_input`; `beforeShellExecution` carries `command` and `cwd` at the top level. Cursor
//! reads a blocking reason from stdout first, so a block is exit 2 with the JSON deny
//! (`permission`, `user_message`, `agent_message`) on stdout and the reason on stderr. The
//! export registers the guards with `failClosed`, under which Cursor takes empty stdout for a
//! failed hook and blocks: so the neutral answer on a permission event is
//! `{"permission":"allow"}`, `{"continue":true}` on `beforeSubmitPrompt`, and `{}` elsewhere.
//! Context is `additional_context`, cut to Cursor's 10,000 characters; a refused stop is a
//! `followup_message`, which Cursor sends as the agent's next message.

use serde_json::json;

use super::{Outcome, Payload, Reply, ToolCall};
use wazir_hosts::Host;

/// Cursor's limit on `additional_context`.
pub const MAX_CONTEXT_CHARS: usize = 10_000;

pub fn tool_call(p: &Payload) -> ToolCall {
    if p.hook_event_name.as_deref() == Some("beforeShellExecution")
        || (p.tool_name.is_none() && p.command.is_some())
    {
        return p.command.clone().map_or(ToolCall::Other, ToolCall::Shell);
    }
    let paths = || -> Vec<String> {
        let mut v: Vec<String> = p
            .input_str(&[
                "file_path",
                "path",
                "target_file",
                "filePath",
                "notebook_path",
                "target_notebook",
            ])
            .into_iter()
            .collect();
        v.extend(p.edit_paths());
        v
    };
    match p.tool_name.as_deref() {
        Some("Shell" | "Terminal" | "Bash") => {
            p.input_command().map_or(ToolCall::Other, ToolCall::Shell)
        }
        Some("Delete") => ToolCall::Delete(paths()),
        Some("ApplyPatch") => match p.input_str(&["patch", "command", "input"]) {
            Some(t) if t.contains("*** ") => ToolCall::Patch(t),
            _ => ToolCall::Write(paths()),
        },
        Some(
            "Write" | "Edit" | "StrReplace" | "MultiEdit" | "NotebookEdit" | "EditNotebook"
            | "MultiStrReplace",
        ) => ToolCall::Write(paths()),
        _ => ToolCall::Other,
    }
}

pub fn encode(host_event: &str, outcome: &Outcome) -> Reply {
    match outcome {
        Outcome::Neutral => neutral(host_event),
        // The host cannot replace a tool's output: the reference goes in as context.
        Outcome::Context(text) | Outcome::ReplaceOutput(text) => match host_event {
            "sessionStart" | "postToolUse" | "subagentStart" => {
                Reply::json(json!({ "additional_context": cut(text, MAX_CONTEXT_CHARS) }))
            }
            // The permission events take no context; the agent reads `agent_message`.
            "preToolUse" | "beforeShellExecution" => Reply::json(json!({
                "permission": "allow",
                "agent_message": cut(text, MAX_CONTEXT_CHARS),
            })),
            _ => neutral(host_event),
        },
        Outcome::Block(reason) => {
            let mut r = Reply::block(reason);
            r.stdout = json!({
                "permission": "deny",
                "user_message": reason,
                "agent_message": reason,
            })
            .to_string();
            r
        }
        Outcome::RefuseStop(reason) => Reply::json(json!({ "followup_message": reason })),
        // Not produced for this host (`rewrites_shell_input`).
        Outcome::RewriteInput { .. } => encode(host_event, &outcome.without_rewrite()),
    }
}

fn neutral(host_event: &str) -> Reply {
    if Host::Cursor.is_permission_event(host_event) {
        Reply::json(json!({ "permission": "allow" }))
    } else if host_event == "beforeSubmitPrompt" {
        Reply::json(json!({ "continue": true }))
    } else {
        Reply::json(json!({}))
    }
}

/// At most `max` characters, cut at a character boundary with a note when shortened.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let note = "\n[cut to fit Cursor's context limit]";
    let keep = max.saturating_sub(note.chars().count());
    let mut s: String = text.chars().take(keep).collect();
    s.push_str(note);
    s
}
