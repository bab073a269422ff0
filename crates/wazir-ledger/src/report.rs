//! The phase report (`wazir status --phase P`): what one phase produced, read from the ledger
//! and the work tree. Its artifacts, gate verdicts and loops used, the checks wazir ran in it
//! with their results, the diff since the run started (files and lines), the overrides recorded
//! in it, and how long it took.

use serde::Serialize;

use crate::error::Result;
use crate::event::{kinds, normalise_phase};
use crate::ledger::Ledger;
use crate::run_id::RunId;
use crate::worktree::FileChange;

#[derive(Debug, Clone, Serialize)]
pub struct PhaseReport {
    pub run_id: String,
    pub phase: String,
    /// `active`, `exited`, `approved`, `rejected`; absent when never entered.
    pub state: Option<String>,
    pub loops_used: u32,
    pub loop_cap: Option<u32>,
    pub entered_at: Option<String>,
    pub ended_at: Option<String>,
    /// From the first entry to the last exit or verdict (to now while the phase is active).
    pub duration_ms: Option<u64>,
    pub artifacts: Vec<ReportArtifact>,
    pub verdicts: Vec<ReportEvent>,
    pub checks: Vec<ReportCheck>,
    pub checks_passed: u32,
    pub checks_failed: u32,
    pub diff: DiffSummary,
    pub overrides: Vec<ReportEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportArtifact {
    pub name: String,
    pub schema: String,
    #[serde(rename = "loop")]
    pub loop_number: Option<u64>,
    pub status: Option<String>,
    /// How many times it was recorded in this phase.
    pub recorded: u32,
    /// Hand-written proofs only: whether every command it cites is a check wazir ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportEvent {
    pub seq: u64,
    pub ts: String,
    pub event: String,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportCheck {
    pub seq: u64,
    pub name: String,
    pub command: String,
    pub exit_code: Option<i64>,
    pub passed: bool,
    pub duration_ms: Option<u64>,
    pub ran_at: String,
}

/// The change since the run started.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DiffSummary {
    /// The commit the run started on; absent outside git or for runs begun before it was kept.
    pub base: Option<String>,
    pub files: usize,
    pub added: u64,
    pub removed: u64,
    pub changes: Vec<FileChange>,
}

fn parse_ts(ts: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339).ok()
}

fn millis(from: &str, to: &str) -> Option<u64> {
    let d = parse_ts(to)? - parse_ts(from)?;
    u64::try_from(d.whole_milliseconds()).ok()
}

impl Ledger {
    /// The report of `phase` in `run`.
    pub fn phase_report(&self, run: &RunId, phase: &str) -> Result<PhaseReport> {
        let phase = normalise_phase(phase)?;
        let st = self.status(run)?;
        let events = self.events(run)?;
        let mine: Vec<_> = events.iter().filter(|e| e.phase == phase).collect();
        let ev = |e: &crate::event::EventRecord| ReportEvent {
            seq: e.seq,
            ts: e.ts.clone(),
            event: e.event.clone(),
            message: e.message.clone(),
        };
        let cap = st.caps.get(&phase).map(|c| c.loop_cap);
        let entered_at = mine
            .iter()
            .find(|e| e.event == kinds::PHASE_ENTER)
            .map(|e| e.ts.clone())
            .or_else(|| st.phases.get(&phase).map(|p| p.entered_at.clone()));
        let active = st.phase_state(&phase) == Some(crate::status::PhaseStateKind::Active);
        let ended_at = if active {
            None
        } else {
            mine.iter()
                .rev()
                .find(|e| {
                    matches!(
                        e.event.as_str(),
                        kinds::PHASE_EXIT | kinds::GATE_APPROVED | kinds::GATE_REJECTED
                    )
                })
                .map(|e| e.ts.clone())
                .or_else(|| st.phases.get(&phase).and_then(|p| p.exited_at.clone()))
        };
        let duration_ms = entered_at.as_deref().and_then(|from| {
            let to = ended_at.clone().unwrap_or_else(crate::now_rfc3339);
            millis(from, &to)
        });
        let proof = self.proof(run)?;
        let artifacts = st
            .artifacts
            .iter()
            .filter(|(_, a)| a.phase == phase)
            .map(|(name, a)| ReportArtifact {
                name: name.clone(),
                schema: a.schema.clone(),
                loop_number: a.loop_number,
                status: a.status.clone(),
                recorded: mine
                    .iter()
                    .filter(|e| {
                        e.event == kinds::ARTIFACT_RECORDED
                            && e.data.get("artifact").and_then(|v| v.as_str()) == Some(name)
                    })
                    .count() as u32,
                verified: a.verified,
            })
            .collect();
        let verdicts = mine
            .iter()
            .filter(|e| {
                matches!(
                    e.event.as_str(),
                    kinds::GATE_APPROVED | kinds::GATE_REJECTED
                )
            })
            .map(|e| ev(e))
            .collect();
        let checks: Vec<ReportCheck> = mine
            .iter()
            .filter(|e| e.event == kinds::CHECK_RECORDED)
            .map(|e| {
                let d = &e.data;
                ReportCheck {
                    seq: e.seq,
                    name: d["check"].as_str().unwrap_or("").to_string(),
                    command: d["command"].as_str().unwrap_or("").to_string(),
                    exit_code: d["exit_code"].as_i64(),
                    passed: d["passed"].as_bool().unwrap_or(false),
                    duration_ms: d["duration_ms"].as_u64(),
                    ran_at: e.ts.clone(),
                }
            })
            .collect();
        let checks_passed = checks.iter().filter(|c| c.passed).count() as u32;
        let checks_failed = checks.len() as u32 - checks_passed;
        let overrides = mine
            .iter()
            .filter(|e| e.event == kinds::OVERRIDE)
            .map(|e| ev(e))
            .collect();
        let base = proof.base.and_then(|b| b.at.commit);
        let diff = match self.work_tree().filter(|w| w.is_git()) {
            Some(wt) => {
                let changes = wt.changes(base.as_deref());
                DiffSummary {
                    base: base.clone(),
                    files: changes.len(),
                    added: changes.iter().map(|c| c.added).sum(),
                    removed: changes.iter().map(|c| c.removed).sum(),
                    changes,
                }
            }
            None => DiffSummary::default(),
        };
        Ok(PhaseReport {
            run_id: run.to_string(),
            state: st.phase_state(&phase).map(|k| k.as_str().to_string()),
            loops_used: st.loop_count(&phase),
            loop_cap: cap,
            entered_at,
            ended_at,
            duration_ms,
            artifacts,
            verdicts,
            checks,
            checks_passed,
            checks_failed,
            diff,
            overrides,
            phase,
        })
    }
}

impl PhaseReport {
    /// The report as text for a person.
    pub fn text(&self) -> String {
        let mut s = String::new();
        let state = self.state.as_deref().unwrap_or("never entered");
        let cap = self.loop_cap.map_or(String::new(), |c| format!(" of {c}"));
        s.push_str(&format!(
            "phase {} of run {}: {state}, loop {}{cap}",
            self.phase, self.run_id, self.loops_used
        ));
        if let Some(ms) = self.duration_ms {
            s.push_str(&format!(", {}", human_duration(ms)));
        }
        s.push('\n');
        s.push_str(&format!("artifacts: {}\n", self.artifacts.len()));
        for a in &self.artifacts {
            let lp = a.loop_number.map_or("-".into(), |l| l.to_string());
            let st = a.status.as_deref().unwrap_or("-");
            let v = match a.verified {
                Some(true) => ", backed by checks wazir ran",
                Some(false) => ", unverified (written by hand)",
                None => "",
            };
            s.push_str(&format!(
                "  {} (schema {}, loop {lp}, {st}, recorded {}x{v})\n",
                a.name, a.schema, a.recorded
            ));
        }
        s.push_str(&format!("gate verdicts: {}\n", self.verdicts.len()));
        for v in &self.verdicts {
            s.push_str(&format!(
                "  #{} {}{}\n",
                v.seq,
                v.event,
                v.message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ));
        }
        s.push_str(&format!(
            "checks: {} run, {} passed, {} failed\n",
            self.checks.len(),
            self.checks_passed,
            self.checks_failed
        ));
        for c in &self.checks {
            let code = c.exit_code.map_or("signal".into(), |x| format!("exit {x}"));
            let ms = c.duration_ms.map(human_duration).unwrap_or_default();
            let verdict = if c.passed { "passed" } else { "failed" };
            s.push_str(&format!(
                "  {} {verdict} ({code}, {ms}): {}\n",
                c.name, c.command
            ));
        }
        let base = self
            .diff
            .base
            .as_deref()
            .map_or("HEAD".to_string(), |b| b.chars().take(12).collect());
        s.push_str(&format!(
            "diff since the run started ({base}): {} files, +{} -{}\n",
            self.diff.files, self.diff.added, self.diff.removed
        ));
        for c in &self.diff.changes {
            s.push_str(&format!("  {} +{} -{}\n", c.path, c.added, c.removed));
        }
        s.push_str(&format!("overrides: {}\n", self.overrides.len()));
        for o in &self.overrides {
            s.push_str(&format!(
                "  #{} {}\n",
                o.seq,
                o.message.as_deref().unwrap_or("(no reason given)")
            ));
        }
        s
    }
}

fn human_duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000)
    }
}
