//! Events: what a caller asks the ledger to record ([`Event`]) and the line it stores in
//! `events.ndjson` ([`EventRecord`]: the event plus its sequence number, time and run id).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::LedgerError;

/// Event names with a meaning to the ledger. Any other snake_case name is recorded as is.
pub mod kinds {
    pub const PHASE_ENTER: &str = "phase_enter";
    pub const PHASE_EXIT: &str = "phase_exit";
    pub const GATE_APPROVED: &str = "gate_approved";
    pub const GATE_REJECTED: &str = "gate_rejected";
    pub const VERIFICATION_RECORDED: &str = "verification_recorded";
    pub const NOTE: &str = "note";
    pub const POST_TOOL_CAPTURE: &str = "post_tool_capture";
    pub const PRE_COMPACT: &str = "pre_compact";
    pub const STOP: &str = "stop";
    pub const SESSION_START: &str = "session_start";
    /// Written by `capture artifact`.
    pub const ARTIFACT_RECORDED: &str = "artifact_recorded";
    /// Written by `capture route`.
    pub const CAPTURE_ROUTED: &str = "capture_routed";
    /// Written by `capture output`.
    pub const CAPTURE_OUTPUT: &str = "capture_output";
    /// Written by recall when it serves a summary instead of a whole file.
    pub const RECALL_SERVED: &str = "recall_served";
    /// Written by `verify run`: a check wazir ran, with its result.
    pub const CHECK_RECORDED: &str = "check_recorded";
    /// Written only by the prompt hook, from a user prompt starting `wazir allow:`.
    pub const OVERRIDE: &str = "override";

    /// The events that move a run between phases; they need the workflow rules.
    pub const TRANSITIONS: [&str; 4] = [PHASE_ENTER, PHASE_EXIT, GATE_APPROVED, GATE_REJECTED];

    /// What `wazir capture event --event` accepts: the transitions, verification and notes, and
    /// the events hooks write. The rest are written by their own subcommands.
    pub const CLI: [&str; 10] = [
        PHASE_ENTER,
        PHASE_EXIT,
        GATE_APPROVED,
        GATE_REJECTED,
        VERIFICATION_RECORDED,
        NOTE,
        POST_TOOL_CAPTURE,
        PRE_COMPACT,
        STOP,
        SESSION_START,
    ];
}

/// An event to record. `phase` may be left out: the ledger then uses the run's current phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// A new value for the run's `status` field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Free-form details (capture file names, references, commands, exit codes…).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub data: Value,
}

impl Event {
    pub fn new(event: &str) -> Self {
        Self {
            event: event.to_string(),
            phase: None,
            status: None,
            message: None,
            data: Value::Null,
        }
    }

    pub fn phase(mut self, phase: &str) -> Self {
        self.phase = Some(phase.to_string());
        self
    }

    pub fn status(mut self, status: &str) -> Self {
        self.status = Some(status.to_string());
        self
    }

    pub fn message(mut self, message: &str) -> Self {
        self.message = Some(message.to_string());
        self
    }

    pub fn data(mut self, data: Value) -> Self {
        self.data = data;
        self
    }

    pub fn is_transition(&self) -> bool {
        kinds::TRANSITIONS.contains(&self.event.as_str())
    }

    /// Checks the names in the event and normalises the phase to its underscore id.
    pub(crate) fn normalised(&self) -> Result<Event, LedgerError> {
        check_snake("event name", &self.event)?;
        let mut e = self.clone();
        if let Some(p) = &self.phase {
            e.phase = Some(normalise_phase(p)?);
        }
        if let Some(s) = &self.status {
            check_status(s)?;
        }
        Ok(e)
    }
}

/// `spec-challenge` or `spec_challenge` → `spec_challenge`, checked to be an id.
pub fn normalise_phase(p: &str) -> Result<String, LedgerError> {
    let id = wazir_core::ids::to_id(p);
    check_snake("phase", &id)?;
    Ok(id)
}

/// A run status value: a short lower-case word (`active`, `blocked`, `done`…).
pub(crate) fn check_status(s: &str) -> Result<(), LedgerError> {
    let ok = !s.is_empty()
        && s.len() <= 32
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(LedgerError::InvalidValue {
            what: "status",
            value: s.chars().take(40).collect(),
            reason: "use a short lower-case word such as `active`, `blocked` or `done` \
                     (letters, digits, `_`, `-`; at most 32 characters)"
                .into(),
        })
    }
}

fn check_snake(what: &'static str, s: &str) -> Result<(), LedgerError> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(LedgerError::InvalidValue {
            what,
            value: s.chars().take(40).collect(),
            reason: "use lower-case snake_case (letters, digits and `_`, at most 64 characters)"
                .into(),
        })
    }
}

/// One line of `events.ndjson`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// 1-based position in the run's event log, assigned under the run lock.
    pub seq: u64,
    pub ts: String,
    pub run_id: String,
    pub event: String,
    pub phase: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub data: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_phase_spelling_and_rejects_bad_names() {
        let e = Event::new("phase_enter").phase("spec-challenge");
        assert_eq!(
            e.normalised().unwrap().phase.as_deref(),
            Some("spec_challenge")
        );
        assert!(Event::new("Phase Enter").normalised().is_err());
        assert!(Event::new("x").phase("../etc").normalised().is_err());
        assert!(Event::new("x").status("Done!").normalised().is_err());
    }

    #[test]
    fn record_round_trips_without_empty_fields() {
        let r = EventRecord {
            seq: 1,
            ts: "2026-11-24T09:00:00.000Z".into(),
            run_id: "r".into(),
            event: "note".into(),
            phase: "plan".into(),
            status: None,
            message: Some("hi".into()),
            data: Value::Null,
        };
        let line = serde_json::to_string(&r).unwrap();
        assert!(!line.contains("status") && !line.contains("data"), "{line}");
        assert_eq!(serde_json::from_str::<EventRecord>(&line).unwrap(), r);
    }
}
