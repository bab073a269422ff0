//! `status.json`: the run's current state, rewritten whole (atomically, under the run lock) after
//! every event. Readers never need the lock: they see the previous version or the next one.
//! [`read_status`] and [`write_status`] are the only readers and writers of the file.

use std::collections::BTreeMap;

use std::path::Path;

use serde::{Deserialize, Serialize};
use wazir_core::fsio::atomic_write_private as atomic_write;
use wazir_core::workflow::PhaseRules;

use crate::error::{LedgerError, Result};
use crate::run_id::RunId;

/// Version of the `status.json` layout.
pub const STATUS_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunStatus {
    pub version: u32,
    pub run_id: String,
    /// The phase the run is in (or last left).
    pub phase: String,
    /// Free status word: `active` from `capture init`, then whatever events set.
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    /// Lines in `events.ndjson`.
    #[serde(default)]
    pub event_count: u64,
    /// Size of `events.ndjson` after the last append. A log of another size was appended to by a
    /// process that died before writing the status; the counts are then rebuilt from the log.
    #[serde(default)]
    pub events_bytes: u64,
    /// Events recorded, by name.
    #[serde(default)]
    pub events: BTreeMap<String, u64>,
    /// Iteration of each phase entered so far (1 on first entry; a gate rejection or a re-entry
    /// after an exit adds one).
    #[serde(default)]
    pub loops: BTreeMap<String, u32>,
    #[serde(default)]
    pub phases: BTreeMap<String, PhaseState>,
    /// Each phase's loop cap, gate flag and escalation, copied from the workflows whenever the
    /// rules were loaded (init, transitions, artifacts), so hooks can check a cap by reading this
    /// one file instead of parsing workflows.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub caps: BTreeMap<String, PhaseRules>,
    #[serde(default)]
    pub artifacts: BTreeMap<String, ArtifactRecord>,
    #[serde(default)]
    pub captures: BTreeMap<String, CaptureRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event: Option<LastEvent>,
    /// The user's `wazir allow:` override of the write rule; cleared at the next phase change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_override: Option<crate::enforce::WriteOverride>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseStateKind {
    Active,
    Exited,
    Approved,
    Rejected,
}

impl PhaseStateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Exited => "exited",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseState {
    pub state: PhaseStateKind,
    pub entered_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exited_at: Option<String>,
    /// Gate phases: how many times the gate rejected.
    #[serde(default)]
    pub rejections: u32,
}

/// An artifact recorded with `capture artifact`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactRecord {
    pub phase: String,
    pub schema: String,
    /// Relative to the run folder: `artifacts/<name>.json`.
    pub file: String,
    /// BLAKE3 of the stored bytes; a later change to the file is noticed at phase exit.
    pub blake3: String,
    pub bytes: u64,
    /// The artifact's own `status` and `loop` (envelope fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(rename = "loop", default, skip_serializing_if = "Option::is_none")]
    pub loop_number: Option<u64>,
    pub recorded_at: String,
    /// The hand-written `verification-proof` only: true when every command it cites is a check
    /// wazir ran (same command, same exit code), false otherwise. Only collected checks count
    /// at the gates either way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

/// A capture file under `captures/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureRecord {
    pub phase: String,
    pub bytes: u64,
    pub lines: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// True while the file is only reserved (`capture route`) and nothing was written to it.
    #[serde(default)]
    pub reserved: bool,
    pub created_at: String,
    /// When the file was removed by the retention limits or `capture prune`; the record stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pruned_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastEvent {
    pub seq: u64,
    pub event: String,
    pub phase: String,
    pub ts: String,
}

/// The answer of [`crate::Ledger::loop_check`]: the iteration a phase is in, or would start by
/// being entered, against its cap. Iteration N of cap N is allowed (the last one); N+1 is
/// refused, exactly as the transitions decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoopCheck {
    /// Iterations of the phase counted so far (0 if never entered).
    pub count: u32,
    pub cap: u32,
    /// The iteration the phase is in (active, or sent back by a rejection that already counted
    /// it) or would start by `phase_enter` (never entered: 1; finished: `count + 1`).
    pub iteration: u32,
    /// `iteration == cap`: the last allowed iteration. It runs in full; a rejection or re-entry
    /// after it is refused.
    pub last_allowed: bool,
    /// `iteration > cap`: entering is refused; escalate instead.
    pub refused: bool,
}

impl LoopCheck {
    /// The check of a phase with `count` iterations counted, in state `state`, against `cap`.
    pub fn new(count: u32, cap: u32, state: Option<PhaseStateKind>) -> Self {
        let iteration = match state {
            None | Some(PhaseStateKind::Active) | Some(PhaseStateKind::Rejected) => count.max(1),
            Some(PhaseStateKind::Exited) | Some(PhaseStateKind::Approved) => count + 1,
        };
        Self {
            count,
            cap,
            iteration,
            last_allowed: iteration == cap,
            refused: iteration > cap,
        }
    }
}

impl RunStatus {
    pub(crate) fn new(run_id: &str, phase: &str, status: &str, now: &str) -> Self {
        let mut s = Self {
            version: STATUS_VERSION,
            run_id: run_id.to_string(),
            phase: phase.to_string(),
            status: status.to_string(),
            created_at: now.to_string(),
            updated_at: now.to_string(),
            event_count: 0,
            events_bytes: 0,
            events: BTreeMap::new(),
            loops: BTreeMap::new(),
            phases: BTreeMap::new(),
            caps: BTreeMap::new(),
            artifacts: BTreeMap::new(),
            captures: BTreeMap::new(),
            last_event: None,
            write_override: None,
        };
        s.loops.insert(phase.to_string(), 1);
        s.phases.insert(
            phase.to_string(),
            PhaseState {
                state: PhaseStateKind::Active,
                entered_at: now.to_string(),
                exited_at: None,
                rejections: 0,
            },
        );
        s
    }

    /// The loop check of `phase` against the cap recorded in this status, if one is recorded.
    pub fn recorded_loop_check(&self, phase: &str) -> Option<LoopCheck> {
        self.caps
            .get(phase)
            .map(|c| LoopCheck::new(self.loop_count(phase), c.loop_cap, self.phase_state(phase)))
    }

    pub fn loop_count(&self, phase: &str) -> u32 {
        self.loops.get(phase).copied().unwrap_or(0)
    }

    pub fn phase_state(&self, phase: &str) -> Option<PhaseStateKind> {
        self.phases.get(phase).map(|p| p.state)
    }
}

pub(crate) fn read_status(path: &Path, run: &RunId) -> Result<RunStatus> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LedgerError::RunNotFound {
                run: run.to_string(),
                path: path.to_path_buf(),
            });
        }
        Err(e) => return Err(LedgerError::io(path, "cannot read the run status", e)),
    };
    serde_json::from_str(&text).map_err(|e| LedgerError::Corrupt {
        path: path.to_path_buf(),
        line: Some(e.line()),
        message: format!(
            "not a valid run status ({e}); rebuild it from the run's events with \
             `wazir status --repair --run {run}`"
        ),
    })
}

pub(crate) fn write_status(path: &Path, st: &RunStatus) -> Result<()> {
    let mut text = serde_json::to_string_pretty(st).expect("a status serialises");
    text.push('\n');
    atomic_write(path, text.as_bytes()).map_err(|e| LedgerError::io(path, "cannot write", e))
}
