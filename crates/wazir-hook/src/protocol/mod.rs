//! Hook protocols: what each host sends on stdin ([`Payload`], decoded leniently so a host that
//! adds fields keeps working) and how each host reads an answer ([`encode`]). One module per
//! host holds that host's tool names and answer shapes; the behaviours never see a host format.

pub mod claude;
pub mod codex;
pub mod cursor;
pub mod gemini;

use std::path::PathBuf;

use serde_json::{Map, Value};

use wazir_hosts::{HookEvent, Host};

/// The fields of a hook payload the behaviours read, in one shape for every host.
#[derive(Debug, Clone, Default)]
pub struct Payload {
    pub hook_event_name: Option<String>,
    /// Claude Code, Codex, Gemini `session_id`; Cursor `conversation_id` when no session id.
    pub session_id: Option<String>,
    pub cwd: Option<PathBuf>,
    /// Cursor's workspace folders (also read from other hosts when present).
    pub workspace_roots: Vec<PathBuf>,
    pub tool_name: Option<String>,
    /// The tool's arguments as an object (a JSON string holding an object is parsed).
    pub tool_input: Value,
    /// What the tool returned (PostToolUse / AfterTool / postToolUse).
    pub tool_response: Value,
    pub tool_use_id: Option<String>,
    pub generation_id: Option<String>,
    /// Cursor `beforeShellExecution` / `afterShellExecution`: the command at the top level.
    pub command: Option<String>,
    pub source: Option<String>,
    pub trigger: Option<String>,
    pub custom_instructions: Option<String>,
    pub stop_hook_active: bool,
    pub prompt: Option<String>,
    /// The whole payload, for host-specific fields.
    pub raw: Value,
}

/// What a tool call is about to do, as far as the guards care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolCall {
    /// Writes (creates or changes) these files.
    Write(Vec<String>),
    /// Deletes these files.
    Delete(Vec<String>),
    /// A Codex `apply_patch` envelope (its paths are on the `*** … File:` lines).
    Patch(String),
    /// A shell command line.
    Shell(String),
    /// Anything else: reads, searches, MCP tools. Guards let it through without reading more.
    Other,
}

/// Why a payload could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error(
        "the hook received no payload on stdin: the host must pipe its hook JSON to `wazir hook`"
    )]
    Empty,
    #[error(
        "the hook payload on stdin is not JSON ({0}): check that the host calls `wazir hook --host H EVENT` directly"
    )]
    NotJson(String),
    #[error("the hook payload on stdin is JSON but not an object")]
    NotObject,
}

/// Decodes a payload: a UTF-8 byte-order mark and surrounding white space are ignored.
pub fn decode(bytes: &[u8]) -> Result<Payload, DecodeError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.is_empty() {
        return Err(DecodeError::Empty);
    }
    let raw: Value = serde_json::from_str(text).map_err(|e| DecodeError::NotJson(e.to_string()))?;
    let Value::Object(obj) = &raw else {
        return Err(DecodeError::NotObject);
    };
    let s = |k: &str| str_field(obj, k);
    let tool_input = match obj.get("tool_input") {
        Some(Value::String(t)) => serde_json::from_str::<Value>(t)
            .ok()
            .filter(Value::is_object)
            .unwrap_or_else(|| Value::String(t.clone())),
        Some(v) => v.clone(),
        None => Value::Null,
    };
    let tool_response = obj
        .get("tool_response")
        .or_else(|| obj.get("tool_output"))
        .or_else(|| obj.get("output"))
        .cloned()
        .unwrap_or(Value::Null);
    let workspace_roots = match obj.get("workspace_roots") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(workspace_root)
            .collect(),
        _ => Vec::new(),
    };
    Ok(Payload {
        hook_event_name: s("hook_event_name"),
        session_id: s("session_id").or_else(|| s("conversation_id")),
        cwd: s("cwd").filter(|c| !c.is_empty()).map(PathBuf::from),
        workspace_roots,
        tool_name: s("tool_name"),
        tool_input,
        tool_response,
        tool_use_id: s("tool_use_id"),
        generation_id: s("generation_id"),
        command: s("command"),
        source: s("source"),
        trigger: s("trigger"),
        custom_instructions: s("custom_instructions"),
        stop_hook_active: obj
            .get("stop_hook_active")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        prompt: s("prompt"),
        raw: raw.clone(),
    })
}

fn str_field(obj: &Map<String, Value>, k: &str) -> Option<String> {
    obj.get(k).and_then(Value::as_str).map(str::to_string)
}

/// Cursor may send a workspace root as a `file://` URI or, on Windows, as `/C:/…`.
fn workspace_root(s: &str) -> PathBuf {
    let s = s.strip_prefix("file://").unwrap_or(s);
    let b = s.as_bytes();
    if cfg!(windows) && b.len() > 2 && b[0] == b'/' && b[2] == b':' {
        return PathBuf::from(&s[1..]);
    }
    PathBuf::from(s)
}

impl Payload {
    /// A string argument of the tool, under the first of `keys` that holds one.
    pub fn input_str(&self, keys: &[&str]) -> Option<String> {
        keys.iter()
            .find_map(|k| self.tool_input.get(*k).and_then(Value::as_str))
            .map(str::to_string)
    }

    /// The shell command of a shell tool: `tool_input.command` as a string, or an argv array
    /// (`["bash", "-lc", "…"]` becomes the script; other arrays are joined with shell quoting).
    pub fn input_command(&self) -> Option<String> {
        match self
            .tool_input
            .get("command")
            .or_else(|| self.tool_input.get("cmd"))
        {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Array(a)) => {
                let words: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                if words.len() >= 3
                    && matches!(words[1], "-c" | "-lc" | "-ic")
                    && is_shell(words[0])
                {
                    return Some(words[2..].join(" "));
                }
                shlex::try_join(words.iter().copied()).ok()
            }
            _ => None,
        }
    }

    /// Paths of every edit in a Claude `MultiEdit`-style or Cursor `edits[]` list that carry
    /// their own `file_path`, besides the tool's own.
    pub fn edit_paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        for key in ["edits", "files"] {
            if let Some(Value::Array(a)) = self.tool_input.get(key) {
                for e in a {
                    for k in ["file_path", "path", "filePath"] {
                        if let Some(p) = e.get(k).and_then(Value::as_str) {
                            out.push(p.to_string());
                        }
                    }
                }
            }
        }
        out
    }
}

/// Whether a tool name is an MCP tool's: `mcp__server__tool` (Claude Code, Codex),
/// `mcp_server_tool` (Gemini CLI 0.61; older releases also used `server__tool`), `MCP:tool`
/// (Cursor).
pub fn is_mcp_tool(name: &str) -> bool {
    name.starts_with("mcp__")
        || name.starts_with("mcp_")
        || name.starts_with("MCP:")
        || name.starts_with("mcp:")
        || name.contains("__")
}

/// The tool's own name inside an MCP tool name: after the last `__` (`mcp__fs__read_file`,
/// `fs__read_file`), after `MCP:`, or after the server of Gemini's `mcp_<server>_<tool>` (a
/// server name holds no `_`, as Gemini itself parses it).
fn mcp_tool_part(name: &str) -> &str {
    if let Some((_, tool)) = name.rsplit_once("__") {
        return tool;
    }
    if let Some(tool) = name
        .strip_prefix("MCP:")
        .or_else(|| name.strip_prefix("mcp:"))
    {
        return tool;
    }
    name.strip_prefix("mcp_")
        .and_then(|rest| rest.split_once('_'))
        .map_or(name, |(_, tool)| tool)
}

/// The paths an MCP tool that may write is about to touch: the string values (and string
/// arrays) under path-like keys of its input. `None` for a non-MCP tool and for one whose name
/// says it only reads (`read_file`, `list_directory`, `search_…`, `get_…`).
pub fn mcp_write_paths(p: &Payload) -> Option<Vec<String>> {
    let name = p.tool_name.as_deref()?;
    if !is_mcp_tool(name) {
        return None;
    }
    let last = mcp_tool_part(name).to_ascii_lowercase();
    let reads = [
        "read", "get", "list", "search", "find", "view", "show", "query", "fetch", "describe",
        "stat", "count", "inspect", "lookup", "grep", "glob", "tree", "info", "diff", "log",
        "status",
    ];
    if reads.iter().any(|r| last.starts_with(r)) && !last.contains("write") {
        return None;
    }
    const KEYS: [&str; 16] = [
        "path",
        "file_path",
        "filePath",
        "file",
        "filename",
        "paths",
        "files",
        "source",
        "destination",
        "dest",
        "target",
        "to",
        "from",
        "directory",
        "dir",
        "uri",
    ];
    let mut out = Vec::new();
    collect_paths(&p.tool_input, &KEYS, &mut out, 0);
    Some(out)
}

fn collect_paths(v: &Value, keys: &[&str], out: &mut Vec<String>, depth: usize) {
    if depth > 4 {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, val) in m {
                if keys.contains(&k.as_str()) {
                    match val {
                        Value::String(s) => {
                            out.push(s.strip_prefix("file://").unwrap_or(s).to_string())
                        }
                        Value::Array(a) => out.extend(
                            a.iter()
                                .filter_map(Value::as_str)
                                .map(|s| s.strip_prefix("file://").unwrap_or(s).to_string()),
                        ),
                        _ => {}
                    }
                }
                collect_paths(val, keys, out, depth + 1);
            }
        }
        Value::Array(a) => {
            for x in a {
                collect_paths(x, keys, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn is_shell(word: &str) -> bool {
    let base = word.rsplit('/').next().unwrap_or(word);
    matches!(base, "sh" | "bash" | "zsh" | "dash" | "ksh")
}

/// What a behaviour decided, before it is put in a host's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to say: the host goes on as if no hook ran.
    Neutral,
    /// Text to put in front of the agent (session start, prompt, captured output).
    Context(String),
    /// Text the model gets in place of the tool's output, where the host can replace it
    /// ([`replaceable_output`]); elsewhere it is put in front of the agent like `Context`.
    ReplaceOutput(String),
    /// The tool call goes ahead with `input` as its whole `tool_input` (capture routing wraps a
    /// shell command where the host runs a rewritten input: [`rewrites_shell_input`]), and
    /// `context`, when not empty, put in front of the agent.
    RewriteInput { input: Value, context: String },
    /// A guard refuses the tool call.
    Block(String),
    /// The stop hook refuses the stop: the agent must keep working.
    RefuseStop(String),
}

impl Outcome {
    /// The outcome for a host that does not run a rewritten input: the rewrite's context alone.
    pub fn without_rewrite(&self) -> Outcome {
        match self {
            Outcome::RewriteInput { context, .. } if context.is_empty() => Outcome::Neutral,
            Outcome::RewriteInput { context, .. } => Outcome::Context(context.clone()),
            other => other.clone(),
        }
    }
}

/// A hook's answer: the process exit code and what goes on stdout and stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub exit_code: u8,
    pub stdout: String,
    pub stderr: String,
}

impl Reply {
    pub(crate) fn json(value: Value) -> Reply {
        Reply {
            exit_code: 0,
            stdout: value.to_string(),
            stderr: String::new(),
        }
    }

    pub(crate) fn empty() -> Reply {
        Reply {
            exit_code: 0,
            stdout: String::new(),
            stderr: String::new(),
        }
    }

    /// Exit 2 with the reason on stderr: a block on every host.
    pub(crate) fn block(reason: &str) -> Reply {
        Reply {
            exit_code: 2,
            stdout: String::new(),
            stderr: non_empty(reason),
        }
    }
}

/// Codex treats exit 2 with empty stderr as a hook failure that fails open: never send one.
fn non_empty(reason: &str) -> String {
    if reason.trim().is_empty() {
        "blocked by a Wazir guard (no reason was given; run `wazir doctor`)".to_string()
    } else {
        reason.to_string()
    }
}

/// The host's tool call, decoded with that host's tool names.
pub fn tool_call(host: Host, p: &Payload) -> ToolCall {
    match host {
        Host::Claude => claude::tool_call(p),
        Host::Codex => codex::tool_call(p),
        Host::Gemini => gemini::tool_call(p),
        Host::Cursor => cursor::tool_call(p),
    }
}

/// Whether `host` takes a hook's replacement for this call's output (only Claude Code does;
/// Codex and Gemini send the full output whatever the hook answers).
pub fn replaceable_output(host: Host, p: &Payload) -> bool {
    match host {
        Host::Claude => claude::replaceable_output(p),
        Host::Codex | Host::Gemini | Host::Cursor => false,
    }
}

/// Whether `host` runs a shell call with the `tool_input` a before-tool hook hands back: Gemini
/// CLI does (`hookSpecificOutput.tool_input`, merged over the model's arguments, and tells the
/// model the input was changed). Claude Code replaces the output after the call instead
/// ([`replaceable_output`]). Codex CLI 0.171.0 accepts `updatedInput` in its PreToolUse answer
/// schema but runs the model's command unchanged (seen by `tests/hosts/` with the call wrapped
/// in `wazir capture run`); Cursor is not checked against a real client.
pub fn rewrites_shell_input(host: Host) -> bool {
    matches!(host, Host::Gemini)
}

/// The host event an answer is for: the payload's own name when it sent one, else the event
/// the behaviour is registered on.
pub fn host_event(host: Host, event: HookEvent, p: Option<&Payload>) -> String {
    p.and_then(|p| p.hook_event_name.clone())
        .filter(|n| !n.is_empty())
        .or_else(|| host.registration(event).map(|r| r.host_event.to_string()))
        .unwrap_or_default()
}

/// Puts `outcome` in the host's words for `host_event`.
pub fn encode(host: Host, host_event: &str, outcome: &Outcome) -> Reply {
    match host {
        Host::Claude => claude::encode(host_event, outcome),
        Host::Codex => codex::encode(host_event, outcome),
        Host::Gemini => gemini::encode(host_event, outcome),
        Host::Cursor => cursor::encode(host_event, outcome),
    }
}

/// The events on which Claude Code and Codex accept `hookSpecificOutput.additionalContext`.
pub(crate) fn claude_context_event(host_event: &str) -> bool {
    matches!(
        host_event,
        "SessionStart" | "UserPromptSubmit" | "PostToolUse" | "SubagentStart" | "PreToolUse"
    )
}
