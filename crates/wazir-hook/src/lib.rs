//! The hook runtime behind `wazir hook --host H EVENT`: read the host's payload, find the
//! project, decide, answer in the host's own protocol. The behaviours live in one module each
//! (`protected`, `loop_cap`, `session`, `capture`, `compact`, `stop`); the host formats live in
//! `protocol/`. The path from start to answer reads stdin, the manifest and, only where a
//! decision needs it, one or two small ledger files: it never opens the index, counts tokens,
//! validates a schema or parses the kit beyond the manifest (and, for a ledger call that starts
//! an iteration or for the stop and session hooks, the one workflow file of the phase).
//!
//! Failure rules: a guard (protected-path, loop-cap, stop) that cannot decide blocks with a
//! reason naming `wazir doctor`; every other behaviour never blocks. Every internal error goes
//! to stderr and to the hook error log (`<state-root>/logs/hook-errors.ndjson`).

mod budget;
mod capture;
mod compact;
mod log;
mod loop_cap;
mod patch;
pub mod paths;
mod protected;
pub mod protocol;
mod session;
pub mod shell;
mod stop;

use std::cell::RefCell;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use wazir_core::Project;
use wazir_ledger::{Ledger, PhaseRules, RunId, RunStatus, Workflow};

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

/// Runs one hook: decodes `stdin`, runs the behaviour, encodes the answer.
pub fn run(opts: &Options, stdin: &[u8]) -> Reply {
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
    let cx = Cx {
        opts,
        payload: payload.as_ref().ok(),
        warnings: RefCell::new(Vec::new()),
    };
    let outcome = match &payload {
        Ok(_) => dispatch(&cx).unwrap_or_else(|e| cx.failed(&e)),
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

fn dispatch(cx: &Cx) -> Result<Outcome> {
    match cx.opts.event {
        HookEvent::ProtectedPath => protected::run(cx),
        HookEvent::LoopCap => loop_cap::run(cx),
        HookEvent::SessionStart => session::start(cx),
        HookEvent::Prompt => session::prompt(cx),
        HookEvent::CaptureRoute => capture::route(cx),
        HookEvent::Capture => capture::capture(cx),
        HookEvent::PreCompact => compact::run(cx),
        HookEvent::Stop => stop::run(cx),
    }
}

/// What a behaviour can reach: the options, the payload and the project around it.
pub(crate) struct Cx<'a> {
    pub opts: &'a Options,
    payload: Option<&'a Payload>,
    warnings: RefCell<Vec<String>>,
}

impl<'a> Cx<'a> {
    pub fn payload(&self) -> &'a Payload {
        self.payload
            .expect("behaviours run only on a decoded payload")
    }

    pub fn approved(&self) -> bool {
        self.opts.approved_flow.as_deref() == Some(APPROVED_FLOW)
    }

    /// Logs a problem that does not change the answer; it also goes to stderr.
    pub fn warn(&self, message: String) {
        log::record(self, &message);
        self.warnings.borrow_mut().push(format!(
            "wazir hook {}: {message}",
            self.opts.event.as_str()
        ));
    }

    /// The answer when the behaviour itself failed: guards block, the rest never do.
    fn failed(&self, e: &anyhow::Error) -> Outcome {
        let event = self.opts.event.as_str();
        let message = format!("{e:#}");
        log::record(self, &message);
        match self.opts.event {
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

    /// The project, or `None` outside a Wazir project. An unreadable manifest is an error.
    pub fn project(&self) -> Result<Option<Project>> {
        match self.root() {
            None => Ok(None),
            Some(root) => Ok(Some(Project::open(&root)?)),
        }
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
