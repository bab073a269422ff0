//! The host table: the facts about each host (Claude Code, Codex CLI, Gemini CLI, Cursor) that
//! the hook runtime (`wazir-hook`) and the export compiler (`wazir-export`) both depend on, kept
//! in one place so that a host release that changes one is one edit here (see
//! `docs/design/hosts.md`).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// The environment variable that marks the approved regeneration flow.
pub const APPROVED_FLOW_ENV: &str = "WAZIR_APPROVED_FLOW";
/// The one approved flow: `wazir export build` regenerating the host packages.
pub const APPROVED_FLOW: &str = "host_export_regeneration";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Host {
    Claude,
    Codex,
    Gemini,
    Cursor,
}

/// The EVENT of `wazir hook --host H EVENT`: one of our hook behaviours, or `pre-tool`, the
/// combined event that runs every behaviour of the host's before-a-tool event in one process
/// (see [`HookEvent::behaviours`]).
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
    /// Every before-a-tool behaviour in order: protected-path (with the write rule), loop-cap,
    /// capture-route.
    PreTool,
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

    /// Whether the host's package has subagent files, which carry each role's composed expertise
    /// brief (Codex CLI has no subagent files, so its package needs no composition).
    pub fn carries_briefs(self) -> bool {
        self != Host::Codex
    }

    /// The environment variables that name the project folder, in the order to try them
    /// (Gemini also sets Claude's).
    pub fn project_dir_vars(self) -> &'static [&'static str] {
        match self {
            Host::Claude => &["CLAUDE_PROJECT_DIR"],
            Host::Gemini => &["GEMINI_PROJECT_DIR", "CLAUDE_PROJECT_DIR"],
            Host::Codex | Host::Cursor => &[],
        }
    }

    /// How `event` is registered with this host: every host event (with its matcher) that must
    /// run `wazir hook --host H EVENT`. Most behaviours need one entry; Cursor's protected-path
    /// guard needs two, because its shell calls arrive on `beforeShellExecution` and its file
    /// tools on `preToolUse`. Empty when the host has no such hook.
    pub fn registrations(self, event: HookEvent) -> &'static [Registration] {
        use HookEvent::*;
        macro_rules! r {
            ($($ev:literal $(, $m:literal)?);+) => {
                &[$(Registration { host_event: $ev, matcher: r!(@m $($m)?) }),+]
            };
            (@m $m:literal) => { Some($m) };
            (@m) => { None };
        }
        match (self, event) {
            (Host::Claude, SessionStart) => r!("SessionStart", "startup|resume|clear|compact"),
            (Host::Claude, Prompt) => r!("UserPromptSubmit"),
            (Host::Claude, ProtectedPath | PreTool) => {
                r!(
                    "PreToolUse",
                    "^(Write|Edit|MultiEdit|NotebookEdit|Bash|mcp__.*)$"
                )
            }
            (Host::Claude, LoopCap) => r!("PreToolUse", "Bash"),
            (Host::Claude, CaptureRoute) => r!("PreToolUse", "Bash"),
            (Host::Claude, Capture) => r!("PostToolUse"),
            (Host::Claude, PreCompact) => r!("PreCompact", "manual|auto"),
            (Host::Claude, Stop) => r!("Stop"),

            (Host::Codex, SessionStart) => r!("SessionStart"),
            (Host::Codex, Prompt) => r!("UserPromptSubmit"),
            (Host::Codex, ProtectedPath | PreTool) => r!("PreToolUse", "apply_patch|Bash|mcp__.*"),
            (Host::Codex, LoopCap) => r!("PreToolUse", "Bash"),
            (Host::Codex, CaptureRoute) => r!("PreToolUse", "Bash"),
            (Host::Codex, Capture) => r!("PostToolUse"),
            (Host::Codex, PreCompact) => r!("PreCompact"),
            (Host::Codex, Stop) => r!("Stop"),

            (Host::Gemini, SessionStart) => r!("SessionStart"),
            (Host::Gemini, Prompt) => r!("BeforeAgent"),
            (Host::Gemini, ProtectedPath | PreTool) => {
                r!(
                    "BeforeTool",
                    "^(write_file|replace|run_shell_command|mcp_.*)$"
                )
            }
            (Host::Gemini, LoopCap) => r!("BeforeTool", "run_shell_command"),
            (Host::Gemini, CaptureRoute) => r!("BeforeTool", "run_shell_command"),
            (Host::Gemini, Capture) => r!("AfterTool"),
            (Host::Gemini, PreCompact) => r!("PreCompress"),
            (Host::Gemini, Stop) => r!("AfterAgent"),

            (Host::Cursor, SessionStart) => r!("sessionStart"),
            (Host::Cursor, Prompt) => r!("beforeSubmitPrompt"),
            (Host::Cursor, ProtectedPath | PreTool) => r!(
                "preToolUse", "Write|Edit|StrReplace|MultiEdit|Delete|ApplyPatch|NotebookEdit|MCP:.*";
                "beforeShellExecution"
            ),
            (Host::Cursor, LoopCap) => r!("beforeShellExecution"),
            (Host::Cursor, CaptureRoute) => r!("beforeShellExecution"),
            (Host::Cursor, Capture) => r!("postToolUse"),
            (Host::Cursor, PreCompact) => r!("preCompact"),
            (Host::Cursor, Stop) => r!("stop"),
        }
    }

    /// The first of [`Host::registrations`]: the host event that names the behaviour in
    /// answers (`hookEventName`). Register every entry of `registrations`, not only this one.
    pub fn registration(self, event: HookEvent) -> Option<Registration> {
        self.registrations(event).first().copied()
    }

    /// Slash commands built into the host that a project or extension command must not reuse:
    /// Gemini CLI 0.61.0 renames a workspace `/plan` to `/workspace.plan` ("conflicts with
    /// built-in command", seen at interactive start-up by `tests/hosts/`).
    pub fn builtin_commands(self) -> &'static [&'static str] {
        match self {
            Host::Gemini => &["plan"],
            _ => &[],
        }
    }

    /// The project file where `wazir init` registers this host's hooks.
    pub fn project_hooks_file(self) -> Option<&'static str> {
        Some(match self {
            Host::Claude => ".claude/settings.json",
            Host::Codex => ".codex/hooks.json",
            Host::Gemini => ".gemini/settings.json",
            Host::Cursor => ".cursor/hooks.json",
        })
    }

    /// Whether a pre-compact event with this `trigger` means the host is compacting. Gemini CLI
    /// (0.61.0) fires `PreCompress` with trigger `auto` on every turn before it checks whether
    /// to compress, so only its `manual` trigger (`/compress`) counts; the other hosts fire
    /// their pre-compact event only when they compact.
    pub fn pre_compact_trigger_means_compaction(self, trigger: Option<&str>) -> bool {
        match self {
            Host::Gemini => trigger == Some("manual"),
            _ => true,
        }
    }

    /// Whether `host_event` is an event this host answers with a permission (allow, deny, ask):
    /// the events before a tool runs.
    pub fn is_permission_event(self, host_event: &str) -> bool {
        match self {
            Host::Claude | Host::Codex => host_event == "PreToolUse",
            Host::Gemini => host_event == "BeforeTool",
            Host::Cursor => matches!(
                host_event,
                "preToolUse" | "beforeShellExecution" | "beforeMCPExecution" | "beforeReadFile"
            ),
        }
    }
}

/// The hosts a project already uses, each with the first sign of it found in `root`: the
/// host's own folder, else its instructions file. Sorted in [`Host::ALL`] order.
pub fn detect_hosts(root: &std::path::Path) -> Vec<(Host, String)> {
    let signs: [(Host, &[&str]); 4] = [
        (Host::Claude, &[".claude", "CLAUDE.md"]),
        (Host::Codex, &[".codex", "AGENTS.md"]),
        (Host::Gemini, &[".gemini", "GEMINI.md"]),
        (Host::Cursor, &[".cursor"]),
    ];
    signs
        .into_iter()
        .filter_map(|(h, names)| {
            names
                .iter()
                .find(|n| root.join(n).exists())
                .map(|n| (h, n.to_string()))
        })
        .collect()
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
    pub const ALL: [HookEvent; 9] = [
        HookEvent::SessionStart,
        HookEvent::Prompt,
        HookEvent::ProtectedPath,
        HookEvent::LoopCap,
        HookEvent::CaptureRoute,
        HookEvent::Capture,
        HookEvent::PreCompact,
        HookEvent::Stop,
        HookEvent::PreTool,
    ];

    /// The event → behaviours table: what one `wazir hook --host H EVENT` process runs, in
    /// order. A behaviour runs itself; `pre-tool` runs the three behaviours of the host's
    /// before-a-tool event, the guards first, so that one process answers for all of them
    /// (hosts used to start one process per behaviour for each shell call).
    pub fn behaviours(self) -> &'static [HookEvent] {
        match self {
            HookEvent::PreTool => &[
                HookEvent::ProtectedPath,
                HookEvent::LoopCap,
                HookEvent::CaptureRoute,
            ],
            HookEvent::SessionStart => &[HookEvent::SessionStart],
            HookEvent::Prompt => &[HookEvent::Prompt],
            HookEvent::ProtectedPath => &[HookEvent::ProtectedPath],
            HookEvent::LoopCap => &[HookEvent::LoopCap],
            HookEvent::CaptureRoute => &[HookEvent::CaptureRoute],
            HookEvent::Capture => &[HookEvent::Capture],
            HookEvent::PreCompact => &[HookEvent::PreCompact],
            HookEvent::Stop => &[HookEvent::Stop],
        }
    }

    /// The event the export registers for a behaviour: the combined event that runs it
    /// (`pre-tool` for protected-path, loop-cap and capture-route), else the behaviour itself.
    pub fn registered_as(self) -> HookEvent {
        [HookEvent::PreTool]
            .into_iter()
            .find(|c| c.behaviours().contains(&self))
            .unwrap_or(self)
    }

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
            HookEvent::PreTool => "pre-tool",
        }
    }

    /// Guards block; every other behaviour only adds context or records. A combined event is a
    /// guard when one of its behaviours is.
    pub fn is_guard(self) -> bool {
        match self {
            HookEvent::ProtectedPath | HookEvent::LoopCap | HookEvent::Stop => true,
            HookEvent::PreTool => self.behaviours().iter().any(|b| b.is_guard()),
            _ => false,
        }
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
                for r in h.registrations(e) {
                    assert!(
                        !r.host_event.is_empty() && r.matcher != Some(""),
                        "{h} {e:?}"
                    );
                }
            }
        }
        let cursor_guard: Vec<_> = Host::Cursor
            .registrations(HookEvent::ProtectedPath)
            .iter()
            .map(|r| r.host_event)
            .collect();
        assert_eq!(cursor_guard, ["preToolUse", "beforeShellExecution"]);
        assert_eq!(Host::Gemini.timeout_value(10), 10_000);
        assert_eq!(Host::Claude.timeout_value(10), 10);
        assert_eq!("Codex".parse::<Host>(), Ok(Host::Codex));
        assert!("vim".parse::<Host>().is_err());
    }

    /// Every tool name a behaviour's matcher selects, on the host event it names, is
    /// selected by the matcher of the combined event that runs it: `pre-tool` is registered
    /// instead of its behaviours and must not miss a call any of them saw. Hosts read matchers
    /// as regular expressions over tool names (unanchored on Claude Code and Gemini CLI).
    #[test]
    fn a_combined_event_registers_the_union_of_its_behaviours() {
        let names = [
            "Write",
            "Edit",
            "MultiEdit",
            "NotebookEdit",
            "Bash",
            "apply_patch",
            "write_file",
            "replace",
            "run_shell_command",
            "StrReplace",
            "Delete",
            "ApplyPatch",
            "mcp__fs__write_file",
            "mcp_fs_write_file",
            "MCP:write_file",
            "Read",
            "TodoWrite",
        ];
        let selects = |m: Option<&str>, name: &str| {
            m.is_none_or(|m| regex::Regex::new(m).unwrap().is_match(name))
        };
        for h in Host::ALL {
            for b in HookEvent::PreTool.behaviours() {
                assert_eq!(b.registered_as(), HookEvent::PreTool);
                for r in h.registrations(*b) {
                    let combined: Vec<_> = h
                        .registrations(HookEvent::PreTool)
                        .iter()
                        .filter(|c| c.host_event == r.host_event)
                        .collect();
                    assert_eq!(combined.len(), 1, "{h} {b:?} {}", r.host_event);
                    for n in names {
                        if selects(r.matcher, n) {
                            assert!(selects(combined[0].matcher, n), "{h} {b:?} {n}");
                        }
                    }
                }
            }
        }
        // MCP tools reach the guard; reads and harmless look-alikes do not start it.
        for (h, mcp) in [
            (Host::Claude, "mcp__fs__write_file"),
            (Host::Codex, "mcp__fs__write_file"),
            (Host::Gemini, "mcp_fs_write_file"),
            (Host::Cursor, "MCP:write_file"),
        ] {
            let m = h.registration(HookEvent::PreTool).unwrap().matcher;
            assert!(selects(m, mcp), "{h}");
            assert!(!selects(m, "Read") && !selects(m, "read_file"), "{h}");
        }
        let claude = Host::Claude
            .registration(HookEvent::PreTool)
            .unwrap()
            .matcher;
        assert!(!selects(claude, "TodoWrite"));
        assert_eq!(HookEvent::Stop.registered_as(), HookEvent::Stop);
        assert_eq!("pre-tool".parse::<HookEvent>(), Ok(HookEvent::PreTool));
        assert!(HookEvent::PreTool.is_guard() && !HookEvent::Capture.is_guard());
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
