//! The run ledger (docs/design/product.md, "The run ledger"): run ids, `status.json`,
//! `events.ndjson`, captures, artifacts, the phase transitions and gates read from workflow
//! front matter, summaries and token usage.
//!
//! Layout under `<state-root>/runs/<run-id>/`: `status.json`, `events.ndjson`, `captures/`,
//! `artifacts/`, `proof.json` (checks wazir ran: `evidence`), `summary.md`, `usage.json`;
//! `<state-root>/runs/latest` names the current run. Every write is atomic (temporary file, then
//! rename) and every status change happens under the run's lock file, so many hook processes can
//! write one run at once.
//!
//! Hook code may use [`Ledger::append_event`], [`Ledger::status`], [`Ledger::loop_check`],
//! [`Ledger::write_capture`] and friends: none of them parses the kit, validates a schema or
//! counts tokens. Phase transitions need [`Transitions`] (built from the workflows) and are
//! refused without them.
//!
//! Features: `artifacts` (phase transitions that validate required artifacts against their JSON
//! Schemas, and `capture artifact`, in `phases` and `artifact`) and `usage` (token accounting
//! with the o200k tokenizer, in `usage`). Both are on by default; the hook crate turns them off.

#[cfg(feature = "artifacts")]
mod artifact;
mod captures;
mod check_run;
mod completion;
mod enforce;
mod error;
mod event;
mod evidence;
mod ledger;
#[cfg(feature = "artifacts")]
mod phases;
pub mod redact;
mod report;
mod retention;
mod run_id;
#[cfg(feature = "artifacts")]
mod security;
mod status;
mod summary;
mod transitions;
mod upkeep;
#[cfg(feature = "usage")]
mod usage;
mod worktree;

pub use captures::{
    CaptureOutcome, DEFAULT_THRESHOLD, Delivery, LIVE_HEAD_BYTES, LIVE_HEAD_LINES, Origin,
    THRESHOLD_ENV, capture_threshold,
};
pub use check_run::run_streaming;
pub use completion::{COMPLETE, Completion};
pub use enforce::{Ensured, FINISHED, FIRST_PHASE, WriteOverride, run_id_for};
pub use error::{LedgerError, Result};
pub use event::{Event, EventRecord, kinds};
pub use evidence::{
    Base, CheckOutput, CheckRecord, CheckStatus, Freshness, PROOF_ARTIFACT, PROOF_FILE, Proof,
    default_name as default_check_name, problems as evidence_problems, rerun_command,
};
pub use ledger::{Ledger, Recorded};
pub use redact::redact;
pub use report::{DiffSummary, PhaseReport, ReportArtifact, ReportCheck, ReportEvent};
pub use retention::{
    DEFAULT_MAX_AGE_DAYS, DEFAULT_MAX_MB, Limits, MAX_AGE_ENV, MAX_MB_ENV, PruneReport, Pruned,
};
pub use run_id::{MAX_NAME_LEN, MAX_RUN_ID_LEN, RunId, check_name};
#[cfg(feature = "artifacts")]
pub use security::{Dimension, Hit, TRIGGERS_FILE};
pub use status::{
    ArtifactRecord, CaptureRecord, LastEvent, LoopCheck, PhaseState, PhaseStateKind, RunStatus,
};
pub use transitions::Transitions;
pub use upkeep::{CAPTURE_PRUNED, LEDGER_REPAIRED, Repaired, Swept};
#[cfg(feature = "usage")]
pub use usage::{
    CacheStats, DeliveryRow, Skipped, TOKENIZER, Tally, UsageReport, UsageRow, UsageTotals,
};
pub use wazir_core::workflow::{
    Output, PhaseRules, Workflow, WorkflowError, read_dir as read_workflows,
};
pub use worktree::{FileChange, TreeState, WorkTree};

/// The current time as RFC 3339 UTC with millisecond precision.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let ms = now.millisecond();
    let now = now.replace_nanosecond(ms as u32 * 1_000_000).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}
