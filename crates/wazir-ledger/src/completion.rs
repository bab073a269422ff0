//! Complete means complete: a run may take the status `complete` only when every phase its run
//! manifest plans (`artifacts/run-manifest.json`, `phases_planned`) has exited or is listed in
//! `phases_skipped` with a reason, every gate it passed through ended approved, and the collected
//! proof is fresh and passing. Read as plain JSON; no schema is needed.

use serde::Serialize;

use crate::error::Result;
use crate::ledger::{ARTIFACTS_DIR, Ledger};
use crate::run_id::RunId;
use crate::status::{PhaseStateKind, RunStatus};

/// The status word that asks for the check.
pub const COMPLETE: &str = "complete";
const MANIFEST: &str = "run-manifest";

/// What stands between a run and `complete`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Completion {
    /// Planned phases, in order (empty when the manifest is missing).
    pub planned: Vec<String>,
    /// One line per missing thing; empty when the run may be marked complete.
    pub missing: Vec<String>,
}

impl Completion {
    pub fn ready(&self) -> bool {
        self.missing.is_empty()
    }
}

impl Ledger {
    /// Whether the run may be marked complete, judged on `st` and the run's files.
    pub fn completion(&self, run: &RunId, st: &RunStatus) -> Result<Completion> {
        let mut c = Completion::default();
        let path = self
            .run_dir(run)
            .join(ARTIFACTS_DIR)
            .join(format!("{MANIFEST}.json"));
        let manifest: Option<serde_json::Value> = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        let Some(manifest) = manifest else {
            c.missing.push(format!(
                "the run manifest is not recorded ({}): record it in clarify with `wazir capture \
                 artifact --phase clarify --name {MANIFEST} --file {MANIFEST}.json`",
                path.display()
            ));
            return Ok(c);
        };
        c.planned = manifest
            .get("phases_planned")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|p| p.as_str())
                    .map(wazir_core::ids::to_id)
                    .collect()
            })
            .unwrap_or_default();
        let skipped: Vec<String> = manifest
            .get("phases_skipped")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter(|s| {
                        s.get("reason")
                            .and_then(|r| r.as_str())
                            .is_some_and(|r| !r.trim().is_empty())
                    })
                    .filter_map(|s| s.get("phase").and_then(|p| p.as_str()))
                    .map(wazir_core::ids::to_id)
                    .collect()
            })
            .unwrap_or_default();
        if c.planned.is_empty() {
            c.missing
                .push("the run manifest plans no phases (`phases_planned` is empty)".to_string());
        }
        for phase in &c.planned {
            if skipped.contains(phase) {
                continue;
            }
            let gate = st.caps.get(phase).is_some_and(|cap| cap.gate);
            let line = match (st.phase_state(phase), gate) {
                (None, _) => format!(
                    "`{phase}` was never entered: run it, or list it in the manifest's \
                     `phases_skipped` with a reason"
                ),
                (Some(PhaseStateKind::Active), true) => {
                    format!("gate `{phase}` has no verdict: record gate_approved or gate_rejected")
                }
                (Some(PhaseStateKind::Active), false) => format!(
                    "`{phase}` is still active: leave it with `wazir capture event --event \
                     phase_exit --phase {phase}`"
                ),
                (Some(PhaseStateKind::Rejected), _) => format!(
                    "gate `{phase}` last rejected the work: revise, re-enter it and record its \
                     verdict"
                ),
                (Some(PhaseStateKind::Exited), true) => {
                    format!("gate `{phase}` has no verdict: record gate_approved or gate_rejected")
                }
                (Some(PhaseStateKind::Exited), false) | (Some(PhaseStateKind::Approved), _) => {
                    continue;
                }
            };
            c.missing.push(line);
        }
        for (phase, p) in &st.phases {
            let gate = st.caps.get(phase).is_some_and(|cap| cap.gate);
            if gate && !c.planned.contains(phase) && p.state == PhaseStateKind::Active {
                c.missing.push(format!(
                    "gate `{phase}` has no verdict: record gate_approved or gate_rejected"
                ));
            }
        }
        for p in self.evidence_problems(run)? {
            c.missing.push(format!("proof: {p}"));
        }
        Ok(c)
    }
}
