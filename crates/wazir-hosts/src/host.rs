//! The facts about each host that the hook runtime and the exporter both depend on, kept in one
//! table so that a host release that changes one is one edit here (see HOSTS.md).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Host {
    Claude,
    Codex,
    Gemini,
    Cursor,
}

/// Our hook behaviours: the EVENT of `wazir hook --host H EVENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HookEvent {
    SessionStart,
    Prompt,
    ProtectedPath,
    LoopCap,
    CaptureRoute,
    Capture,
    PreCompact,
    Stop,
}

/// The unit a host reads hook timeouts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutUnit {
    Seconds,
    Milliseconds,
}

/// How a host expects one of our behaviours to be registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registration {
    /// The host's own event name.
    pub host_event: &'static str,
    /// Regular expression over tool names (`None`: no matcher).
    pub matcher: Option<&'static str>,
}

impl Host {
    pub const ALL: [Host; 4] = [Host::Claude, Host::Codex, Host::Gemini, Host::Cursor];

    pub fn as_str(self) -> &'static str {
        match self {
            Host::Claude => "claude",
            Host::Codex => "codex",
            Host::Gemini => "gemini",
            Host::Cursor => "cursor",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Host::Claude => "Claude Code",
            Host::Codex => "Codex CLI",
            Host::Gemini => "Gemini CLI",
            Host::Cursor => "Cursor",
        }
    }

    pub fn timeout_unit(self) -> TimeoutUnit {
        match self {
            Host::Gemini => TimeoutUnit::Milliseconds,
            _ => TimeoutUnit::Seconds,
        }
    }

    /// A timeout of `seconds`, in the unit this host reads.
    pub fn timeout_value(self, seconds: u64) -> u64 {
        match self.timeout_unit() {
            TimeoutUnit::Seconds => seconds,
            TimeoutUnit::Milliseconds => seconds * 1000,
        }
    }

    /// Whether a blocking answer must also put the reason on stdout (Cursor reads stdout first).
    pub fn block_reason_on_stdout(self) -> bool {
        matches!(self, Host::Cursor)
    }

    /// Whether the host rejects unknown fields in a JSON answer (and then fails open).
    pub fn strict_json_answer(self) -> bool {
        matches!(self, Host::Codex)
    }

    /// The environment variable that names the project folder, when the host sets one.
    pub fn project_dir_env(self) -> Option<&'static str> {
        match self {
            Host::Claude => Some("CLAUDE_PROJECT_DIR"),
            Host::Gemini => Some("GEMINI_PROJECT_DIR"),
            Host::Codex | Host::Cursor => None,
        }
    }

    /// How `event` is registered with this host, or `None` when the host has no such hook.
    pub fn registration(self, event: HookEvent) -> Option<Registration> {
        use HookEvent::*;
        let r = |host_event, matcher| {
            Some(Registration {
                host_event,
                matcher,
            })
        };
        match (self, event) {
            (Host::Claude, SessionStart) => r("SessionStart", Some("startup|resume|clear|compact")),
            (Host::Claude, Prompt) => r("UserPromptSubmit", None),
            (Host::Claude, ProtectedPath) => {
                r("PreToolUse", Some("Write|Edit|MultiEdit|NotebookEdit|Bash"))
            }
            (Host::Claude, LoopCap) => r("PreToolUse", Some("Bash")),
            (Host::Claude, CaptureRoute) => r("PreToolUse", Some("Bash")),
            (Host::Claude, Capture) => r("PostToolUse", None),
            (Host::Claude, PreCompact) => r("PreCompact", Some("manual|auto")),
            (Host::Claude, Stop) => r("Stop", None),

            (Host::Codex, SessionStart) => r("SessionStart", None),
            (Host::Codex, Prompt) => r("UserPromptSubmit", None),
            (Host::Codex, ProtectedPath) => r("PreToolUse", Some("apply_patch|Bash")),
            (Host::Codex, LoopCap) => r("PreToolUse", Some("Bash")),
            (Host::Codex, CaptureRoute) => r("PreToolUse", Some("Bash")),
            (Host::Codex, Capture) => r("PostToolUse", None),
            (Host::Codex, PreCompact) => r("PreCompact", None),
            (Host::Codex, Stop) => r("Stop", None),

            (Host::Gemini, SessionStart) => r("SessionStart", None),
            (Host::Gemini, Prompt) => r("BeforeAgent", None),
            (Host::Gemini, ProtectedPath) => {
                r("BeforeTool", Some("write_file|replace|run_shell_command"))
            }
            (Host::Gemini, LoopCap) => r("BeforeTool", Some("run_shell_command")),
            (Host::Gemini, CaptureRoute) => r("BeforeTool", Some("run_shell_command")),
            (Host::Gemini, Capture) => r("AfterTool", None),
            (Host::Gemini, PreCompact) => r("PreCompress", None),
            (Host::Gemini, Stop) => r("AfterAgent", None),

            (Host::Cursor, SessionStart) => r("sessionStart", None),
            (Host::Cursor, Prompt) => r("beforeSubmitPrompt", None),
            (Host::Cursor, ProtectedPath) => r("preToolUse", None),
            (Host::Cursor, LoopCap) => r("beforeShellExecution", None),
            (Host::Cursor, CaptureRoute) => r("beforeShellExecution", None),
            (Host::Cursor, Capture) => r("postToolUse", None),
            (Host::Cursor, PreCompact) => r("preCompact", None),
            (Host::Cursor, Stop) => r("stop", None),
        }
    }
}

/// The hosts a project already uses, each with the file or folder that shows it.
pub fn detect_hosts(root: &std::path::Path) -> Vec<(Host, String)> {
    const SIGNS: [(Host, &[&str]); 4] = [
        (Host::Claude, &[".claude", "CLAUDE.md", ".claude-plugin"]),
        (Host::Codex, &[".codex", "AGENTS.md", ".agents"]),
        (Host::Gemini, &[".gemini", "GEMINI.md"]),
        (Host::Cursor, &[".cursor", ".cursorrules"]),
    ];
    let mut found = Vec::new();
    for (host, signs) in SIGNS {
        if let Some(sign) = signs.iter().find(|s| root.join(s).exists()) {
            found.push((host, sign.to_string()));
        }
    }
    found
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Host {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "claude" | "claude-code" => Ok(Host::Claude),
            "codex" | "codex-cli" => Ok(Host::Codex),
            "gemini" | "gemini-cli" => Ok(Host::Gemini),
            "cursor" => Ok(Host::Cursor),
            other => Err(format!(
                "unknown host `{other}`: use one of claude, codex, gemini, cursor"
            )),
        }
    }
}

impl HookEvent {
    pub const ALL: [HookEvent; 8] = [
        HookEvent::SessionStart,
        HookEvent::Prompt,
        HookEvent::ProtectedPath,
        HookEvent::LoopCap,
        HookEvent::CaptureRoute,
        HookEvent::Capture,
        HookEvent::PreCompact,
        HookEvent::Stop,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HookEvent::SessionStart => "session-start",
            HookEvent::Prompt => "prompt",
            HookEvent::ProtectedPath => "protected-path",
            HookEvent::LoopCap => "loop-cap",
            HookEvent::CaptureRoute => "capture-route",
            HookEvent::Capture => "capture",
            HookEvent::PreCompact => "pre-compact",
            HookEvent::Stop => "stop",
        }
    }

    /// Guards block; every other behaviour only adds context or records.
    pub fn is_guard(self) -> bool {
        matches!(
            self,
            HookEvent::ProtectedPath | HookEvent::LoopCap | HookEvent::Stop
        )
    }
}

impl FromStr for HookEvent {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HookEvent::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = HookEvent::ALL.iter().map(|e| e.as_str()).collect();
                format!("unknown hook event `{s}`: use one of {}", names.join(", "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_host_registers_every_event() {
        for h in Host::ALL {
            for e in HookEvent::ALL {
                assert!(h.registration(e).is_some(), "{h} {e:?}");
            }
        }
        assert_eq!(Host::Gemini.timeout_value(10), 10_000);
        assert_eq!(Host::Claude.timeout_value(10), 10);
        assert_eq!("Codex".parse::<Host>(), Ok(Host::Codex));
        assert!("vim".parse::<Host>().is_err());
    }

    #[test]
    fn detects_hosts_from_their_folders() {
        let dir = tempfile::tempdir().unwrap();
        assert!(detect_hosts(dir.path()).is_empty());
        std::fs::create_dir(dir.path().join(".cursor")).unwrap();
        std::fs::write(dir.path().join("AGENTS.md"), "x").unwrap();
        let found = detect_hosts(dir.path());
        assert_eq!(
            found,
            vec![
                (Host::Codex, "AGENTS.md".into()),
                (Host::Cursor, ".cursor".into())
            ]
        );
    }
}
