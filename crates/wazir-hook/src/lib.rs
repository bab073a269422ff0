//! The hook runtime behind `wazir hook --host H EVENT`: read the host's payload, find the
//! project, decide, answer in the host's own protocol. The behaviours live in one module each
//! (`protected`, `write_rule`, `loop_cap`, `session`, `capture`, `compact`, `stop`); `event`
//! runs the behaviours of one EVENT (several for `pre-tool`) and merges their outcomes; the
//! host formats live in `protocol/`. The path from start to answer reads stdin, the manifest
//! and, only where a decision needs it, one or two small ledger files: it never opens the
//! index, counts tokens, validates a schema or parses the kit beyond the manifest (and, for a
//! ledger call that starts an iteration or for the stop and session hooks, the one workflow
//! file of the phase).
//!
//! Failure rules: a guard (protected-path, loop-cap, stop) that cannot decide blocks with a
//! reason naming `wazir doctor`; every other behaviour never blocks. Every internal error goes
//! to stderr and to the hook error log (`<state-root>/logs/hook-errors.ndjson`).

mod allow;
mod budget;
mod capture;
mod compact;
mod event;
mod log;
mod loop_cap;
mod override_file;
mod patch;
pub mod paths;
mod protected;
pub mod protocol;
mod session;
pub mod shell;
mod stop;
mod write_rule;

use std::cell::{Cell, OnceCell, RefCell};
use std::path::PathBuf;
use std::rc::Rc;

use anyhow::{Context as _, Result};
use wazir_core::Project;
use wazir_ledger::{Ledger, PhaseRules, RunId, RunStatus, Workflow};

pub use event::merge;
pub use protocol::{Outcome, Payload, Reply, ToolCall};
use wazir_hosts::{HookEvent, Host};

pub use wazir_hosts::{APPROVED_FLOW, APPROVED_FLOW_ENV};

/// How the hook was called.
#[derive(Debug, Clone)]
pub struct Options {
    pub host: Host,
    pub event: HookEvent,
    /// `--state-root`, when given.
    pub state_root_flag: Option<PathBuf>,
    /// The approved flow named by `--approved-flow` or `WAZIR_APPROVED_FLOW`.
    pub approved_flow: Option<String>,
}

/// Runs one hook: decodes `stdin`, runs the EVENT's behaviours, encodes the one answer.
pub fn run(opts: &Options, stdin: &[u8]) -> Reply {
    // The decision budget starts before the payload is read and covers every behaviour.
    let budget = budget::Budget::guard();
    let payload = protocol::decode(stdin);
    if let Ok(p) = &payload
        && called_by_cursor_through_claude_settings(opts.host, p)
    {
        return Reply {
            exit_code: 0,
            stdout: String::new(),
            stderr: String::new(),
        };
    }
    let codex_opts;
    let opts = match &payload {
        Ok(p) if called_by_codex_through_a_claude_package(opts.host, p) => {
            codex_opts = Options {
                host: Host::Codex,
                ..opts.clone()
            };
            &codex_opts
        }
        _ => opts,
    };
    let cx = Cx {
        opts,
        payload: payload.as_ref().ok(),
        warnings: RefCell::new(Vec::new()),
        budget,
        // The first behaviour answers for a payload that cannot be read: for `pre-tool` that
        // is the protected-path guard, which blocks.
        behaviour: Cell::new(opts.event.behaviours()[0]),
        scan: RefCell::new(None),
        project: OnceCell::new(),
    };
    let outcome = match &payload {
        Ok(_) if cx.plugin_copy_of_a_project_hook() => Outcome::Neutral,
        Ok(_) => event::run(&cx),
        Err(e) => cx.failed(&anyhow::anyhow!("{e}")),
    };
    let host_event = protocol::host_event(opts.host, opts.event, cx.payload);
    let mut reply = protocol::encode(opts.host, &host_event, &outcome);
    let warnings = cx.warnings.into_inner();
    if !warnings.is_empty() {
        if !reply.stderr.is_empty() {
            reply.stderr.push('\n');
        }
        reply.stderr.push_str(&warnings.join("\n"));
    }
    if !reply.stderr.is_empty() && !reply.stderr.ends_with('\n') {
        reply.stderr.push('\n');
    }
    reply
}

/// Cursor can also run the hooks of `.claude/settings.json`, with its own payload. The same
/// behaviour is registered in `.cursor/hooks.json` (so it holds when Cursor's third-party hooks
/// are off), so the Claude copy steps aside: each guard runs once, and speaks Cursor's protocol.
fn called_by_cursor_through_claude_settings(host: Host, p: &Payload) -> bool {
    host == Host::Claude && p.raw.get("cursor_version").is_some()
}

/// Codex accepts a Claude Code marketplace and runs its plugin's hooks with the commands written
/// for Claude (checked with Codex CLI 0.171.0 by `tests/hosts/`), so a `--host claude` hook can
/// receive a Codex payload: `apply_patch` with patch text, and `turn_id`, which Claude Code never
/// sends. Such a call is decoded and answered as Codex, or an `apply_patch` into a protected
/// path would go through.
fn called_by_codex_through_a_claude_package(host: Host, p: &Payload) -> bool {
    host == Host::Claude
        && (p.raw.get("turn_id").is_some() || p.tool_name.as_deref() == Some("apply_patch"))
}

/// What a behaviour can reach: the options, the payload and the project around it.
pub(crate) struct Cx<'a> {
    pub opts: &'a Options,
    payload: Option<&'a Payload>,
    warnings: RefCell<Vec<String>>,
    /// The decision budget of the whole EVENT, shared by its behaviours.
    pub budget: budget::Budget,
    /// The behaviour running now (the EVENT itself unless it is a combined one).
    behaviour: Cell<HookEvent>,
    /// The shell command's reading, made once and shared by the behaviours that need it.
    scan: RefCell<Option<(String, Rc<shell::Scan>)>>,
    /// The project (its manifest read once), shared by the behaviours of the EVENT.
    project: OnceCell<Option<Rc<Project>>>,
}

impl<'a> Cx<'a> {
    pub fn payload(&self) -> &'a Payload {
        self.payload
            .expect("behaviours run only on a decoded payload")
    }

    pub fn approved(&self) -> bool {
        self.opts.approved_flow.as_deref() == Some(APPROVED_FLOW)
    }

    /// The behaviour running now.
    pub fn behaviour(&self) -> HookEvent {
        self.behaviour.get()
    }

    /// The reading of the shell command `cmd` (see [`shell::scan`]), under the EVENT's budget;
    /// made once per process, whichever behaviour asks first.
    pub fn shell_scan(&self, cmd: &str) -> Result<Rc<shell::Scan>> {
        if let Some((c, s)) = &*self.scan.borrow()
            && c == cmd
        {
            return Ok(Rc::clone(s));
        }
        let s = Rc::new(shell::scan(cmd, &self.budget)?);
        *self.scan.borrow_mut() = Some((cmd.to_string(), Rc::clone(&s)));
        Ok(s)
    }

    /// Logs a problem that does not change the answer; it also goes to stderr.
    pub fn warn(&self, message: String) {
        log::record(self, &message);
        self.warnings.borrow_mut().push(format!(
            "wazir hook {}: {message}",
            self.behaviour().as_str()
        ));
    }

    /// The answer when the running behaviour itself failed: guards block, the rest never do.
    fn failed(&self, e: &anyhow::Error) -> Outcome {
        let event = self.behaviour().as_str();
        let message = format!("{e:#}");
        log::record(self, &message);
        match self.behaviour() {
            HookEvent::ProtectedPath | HookEvent::LoopCap => Outcome::Block(format!(
                "Wazir's {event} guard could not decide, so it blocks this call: {message}. \
                 Run `wazir doctor` to find and fix the cause."
            )),
            HookEvent::Stop => stop::refuse_after_error(self, &message),
            HookEvent::SessionStart => {
                self.warnings
                    .borrow_mut()
                    .push(format!("wazir hook {event}: {message}"));
                Outcome::Context(format!(
                    "Wazir could not build the session context ({message}). Run `wazir doctor` \
                     to see why."
                ))
            }
            _ => {
                self.warnings
                    .borrow_mut()
                    .push(format!("wazir hook {event}: {message}"));
                Outcome::Neutral
            }
        }
    }

    /// Whether this call comes from a plugin's copy of a hook that the project's own host
    /// settings also register. With the Claude Code plugin enabled in a project set up by
    /// `wazir init`, the host runs both copies of every hook (two session starts, two captures,
    /// two stop refusals; checked with Claude Code 2.1.332 by `tests/hosts/`): the project's
    /// copy acts and the plugin's steps aside. A plugin hook is told by the plugin root the host
    /// sets for it (`CLAUDE_PLUGIN_ROOT`, Codex `PLUGIN_ROOT`).
    fn plugin_copy_of_a_project_hook(&self) -> bool {
        let from_plugin = ["CLAUDE_PLUGIN_ROOT", "PLUGIN_ROOT"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
        if !from_plugin {
            return false;
        }
        let Some(root) = self.root() else {
            return false;
        };
        let Some(file) = self.opts.host.project_hooks_file() else {
            return false;
        };
        let Ok(text) = std::fs::read_to_string(root.join(file)) else {
            return false;
        };
        // The events the project's file registers for this host: the plugin's copy steps aside
        // when they run every behaviour of its own EVENT (a project installed before `pre-tool`
        // registers its three behaviours one by one, and the other way round).
        let prefix = format!("wazir hook --host {} ", self.opts.host.as_str());
        let registered: Vec<HookEvent> = text
            .match_indices(&prefix)
            .filter_map(|(i, _)| {
                let rest = &text[i + prefix.len()..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_lowercase() || c == '-'))
                    .unwrap_or(rest.len());
                rest[..end].parse().ok()
            })
            .collect();
        self.opts
            .event
            .behaviours()
            .iter()
            .all(|b| registered.iter().any(|r| r.behaviours().contains(b)))
    }

    /// The folder the tool runs in: the payload's `cwd`, else the project root, else the
    /// process's own folder.
    pub fn base_dir(&self) -> PathBuf {
        self.payload
            .and_then(|p| p.cwd.clone())
            .or_else(|| {
                self.payload
                    .and_then(|p| p.workspace_roots.first().cloned())
            })
            .or_else(|| self.root())
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// The project root: from the host's project variable, else the payload's `cwd`, else its
    /// workspace roots, else the process's folder, walking up to `wazir.manifest.yaml`.
    pub fn root(&self) -> Option<PathBuf> {
        let mut starts: Vec<PathBuf> = Vec::new();
        for v in self.opts.host.project_dir_vars() {
            if let Some(d) = std::env::var_os(v).filter(|d| !d.is_empty()) {
                starts.push(PathBuf::from(d));
            }
        }
        if let Some(p) = self.payload {
            starts.extend(p.cwd.clone());
            starts.extend(p.workspace_roots.iter().cloned());
        }
        if let Ok(d) = std::env::current_dir() {
            starts.push(d);
        }
        starts
            .iter()
            .filter(|s| s.is_absolute())
            .find_map(|s| wazir_core::project::find_root(s).ok())
    }

    /// The project, or `None` outside a Wazir project, its manifest read once per process and
    /// shared by the EVENT's behaviours. An unreadable manifest is an error (asked again).
    pub fn project(&self) -> Result<Option<Rc<Project>>> {
        if let Some(p) = self.project.get() {
            return Ok(p.clone());
        }
        let p = match self.root() {
            None => None,
            Some(root) => Some(Rc::new(Project::open(&root)?)),
        };
        Ok(self.project.get_or_init(|| p).clone())
    }

    /// The state root: `--state-root`, else `WAZIR_STATE_ROOT`, else the manifest default.
    pub fn state_root(&self, project: &Project) -> Result<PathBuf> {
        Ok(project
            .state_root(self.opts.state_root_flag.as_deref())
            .context("cannot resolve the state root")?
            .path)
    }

    /// The ledger and the run named by `runs/latest`, when there is one.
    pub fn active_run(&self, project: &Project) -> Result<Option<(Ledger, RunId)>> {
        let ledger = Ledger::new(&self.state_root(project)?);
        Ok(ledger.latest()?.map(|run| (ledger, run)))
    }
}

/// The rules of `phase` for the run whose status is `st`: those the ledger recorded in
/// `status.json` (one file, no workflow parsing on the hook path). Only a run recorded before the
/// ledger kept them falls back to reading the phase's workflow front matter.
pub(crate) fn phase_rules(
    project: &Project,
    st: &RunStatus,
    phase: &str,
) -> Result<Option<PhaseRules>> {
    let id = wazir_core::ids::to_id(phase);
    if let Some(rules) = st.caps.get(&id).filter(|r| !r.workflow.is_empty()) {
        return Ok(Some(rules.clone()));
    }
    Ok(Workflow::for_phase(project, &id)?.map(|w| w.rules))
}
