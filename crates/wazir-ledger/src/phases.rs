//! Phase transitions that check a phase's required artifacts (JSON Schema validation of each
//! artifact's bytes), and `capture artifact`. Built with the `artifacts` feature only: the hook's
//! build leaves it out, so the hook path cannot reach JSON Schema.

use serde_json::json;
use wazir_core::fsio::atomic_write_private as atomic_write;

use crate::artifact;
use crate::error::{LedgerError, Result};
use crate::event::{Event, kinds, normalise_phase};
use crate::ledger::{ARTIFACTS_DIR, Ledger};
use crate::run_id::{RunId, check_name};
use crate::status::{ArtifactRecord, PhaseState, PhaseStateKind, RunStatus};
use crate::transitions::Transitions;
use wazir_core::workflow::PhaseRules;

impl Transitions {
    /// Applies a transition event to `st`, or refuses it leaving `st` as it was.
    pub(crate) fn apply(
        &self,
        st: &mut RunStatus,
        event: &str,
        phase: &str,
        now: &str,
        outputs_ok: &mut OutputCheck<'_>,
    ) -> Result<()> {
        let rules = self.rules(phase)?;
        let refuse = |reason: String| LedgerError::Refused {
            event: event.to_string(),
            phase: phase.to_string(),
            reason,
        };
        let state = st.phase_state(phase);
        match event {
            kinds::PHASE_ENTER => {
                let current = st.phase.clone();
                if current != phase && st.phase_state(&current) == Some(PhaseStateKind::Active) {
                    let how = match self.get(&current) {
                        Some(r) if r.gate => format!(
                            "`{current}` is a gate still open: record gate_approved or \
                             gate_rejected for it first"
                        ),
                        _ => format!(
                            "`{current}` is still active: leave it first with \
                             `wazir capture event --event phase_exit --phase {current}`"
                        ),
                    };
                    return Err(refuse(how));
                }
                let count = st.loop_count(phase);
                let next = match state {
                    None => count.max(1),
                    // Re-entered after a rejection: the rejection already counted the loop.
                    Some(PhaseStateKind::Active) | Some(PhaseStateKind::Rejected) => count.max(1),
                    Some(PhaseStateKind::Exited) | Some(PhaseStateKind::Approved) => {
                        if count >= rules.loop_cap {
                            return Err(loop_cap(event, rules, count));
                        }
                        count + 1
                    }
                };
                let rejections = st.phases.get(phase).map_or(0, |p| p.rejections);
                st.loops.insert(phase.to_string(), next);
                st.phases.insert(
                    phase.to_string(),
                    PhaseState {
                        state: PhaseStateKind::Active,
                        entered_at: now.to_string(),
                        exited_at: None,
                        rejections,
                    },
                );
                st.phase = phase.to_string();
                Ok(())
            }
            kinds::PHASE_EXIT | kinds::GATE_APPROVED | kinds::GATE_REJECTED => {
                let is_exit = event == kinds::PHASE_EXIT;
                if is_exit && rules.gate {
                    return Err(refuse(format!(
                        "`{phase}` is a gate: it exits only through gate_approved or \
                         gate_rejected"
                    )));
                }
                if !is_exit && !rules.gate {
                    return Err(refuse(format!(
                        "`{phase}` is not a gate (workflow {}): leave it with phase_exit",
                        rules.workflow
                    )));
                }
                if st.phase != phase || state != Some(PhaseStateKind::Active) {
                    let cur = st.phase_state(&st.phase).map_or("unknown", |k| k.as_str());
                    return Err(refuse(format!(
                        "`{phase}` is not the active phase (the run is in `{}`, {cur}); enter \
                         it first with `wazir capture event --event phase_enter --phase {phase}`",
                        st.phase
                    )));
                }
                if event == kinds::GATE_REJECTED {
                    let count = st.loop_count(phase);
                    if count >= rules.loop_cap {
                        return Err(loop_cap(event, rules, count));
                    }
                    let to = rules.rejects_to.as_deref().unwrap_or_default();
                    let to_rules = self.rules(to)?;
                    let to_count = st.loop_count(to);
                    if st.phase_state(to).is_some() && to_count >= to_rules.loop_cap {
                        return Err(loop_cap(event, to_rules, to_count));
                    }
                }
                if let Err(problems) = outputs_ok(rules, st) {
                    let names: Vec<&str> = problems.iter().map(|(n, _)| n.as_str()).collect();
                    let lines: Vec<&str> = problems.iter().map(|(_, p)| p.as_str()).collect();
                    let name = if names.len() == 1 {
                        names[0]
                    } else {
                        "ARTIFACT"
                    };
                    return Err(refuse(format!(
                        "required output{} missing or invalid:\n  - {}\nrecord {} with \
                         `wazir capture artifact --phase {phase} --name {name} --file PATH`",
                        if lines.len() == 1 { " is" } else { "s are" },
                        lines.join("\n  - "),
                        if lines.len() == 1 { "it" } else { "each" },
                    )));
                }
                let p = st.phases.get_mut(phase).expect("active phase has a state");
                p.exited_at = Some(now.to_string());
                p.state = match event {
                    kinds::PHASE_EXIT => PhaseStateKind::Exited,
                    kinds::GATE_APPROVED => PhaseStateKind::Approved,
                    _ => PhaseStateKind::Rejected,
                };
                if event == kinds::GATE_REJECTED {
                    p.rejections += 1;
                    let count = st.loop_count(phase);
                    st.loops.insert(phase.to_string(), count + 1);
                    let to = rules.rejects_to.clone().unwrap_or_default();
                    let to_count = st.loop_count(&to);
                    st.loops.insert(to.clone(), to_count + 1);
                    let rejections = st.phases.get(&to).map_or(0, |p| p.rejections);
                    st.phases.insert(
                        to.clone(),
                        PhaseState {
                            state: PhaseStateKind::Active,
                            entered_at: now.to_string(),
                            exited_at: None,
                            rejections,
                        },
                    );
                    st.phase = to;
                }
                Ok(())
            }
            other => Err(LedgerError::InvalidValue {
                what: "transition",
                value: other.to_string(),
                reason: format!("not one of {}", kinds::TRANSITIONS.join(", ")),
            }),
        }
    }
}

fn loop_cap(event: &str, rules: &PhaseRules, count: u32) -> LedgerError {
    LedgerError::LoopCap {
        event: event.to_string(),
        phase: rules.phase.clone(),
        workflow: rules.workflow.clone(),
        count,
        cap: rules.loop_cap,
        escalation: rules.escalation.clone(),
    }
}

/// Checks a phase's required outputs against the run; `Err` carries, per problem, the artifact
/// name and what is wrong with it.
pub(crate) type OutputCheck<'a> =
    dyn FnMut(&PhaseRules, &RunStatus) -> std::result::Result<(), Vec<(String, String)>> + 'a;

impl Ledger {
    /// Applies a transition event under the run lock, checking the phase's required outputs.
    pub(crate) fn apply_transition(
        &self,
        run: &RunId,
        st: &mut RunStatus,
        ev: &Event,
        now: &str,
    ) -> Result<()> {
        let rules = self.rules.as_ref().ok_or(LedgerError::RulesRequired {
            event: ev.event.clone(),
        })?;
        let phase = ev.phase.clone().unwrap_or_default();
        if ev.event == kinds::PHASE_EXIT
            && st.phase == phase
            && st.phase_state(&phase) == Some(PhaseStateKind::Active)
            && let Some(r) = rules.get(&phase)
            && !r.gate
        {
            self.check_exit_evidence(run, r, &phase)?;
        }
        rules.apply(st, &ev.event, &phase, now, &mut |r, st| {
            self.check_outputs(run, r, st)
        })
    }

    /// Collected evidence a phase needs before it exits: a phase whose workflow requires the
    /// verification proof needs passing, fresh checks that wazir ran; the review phase needs an
    /// answer for each security dimension the run's diff triggers.
    fn check_exit_evidence(&self, run: &RunId, r: &PhaseRules, phase: &str) -> Result<()> {
        let refuse = |reason: String| LedgerError::Refused {
            event: kinds::PHASE_EXIT.to_string(),
            phase: phase.to_string(),
            reason,
        };
        if r.outputs
            .iter()
            .any(|o| o.artifact == crate::evidence::PROOF_ARTIFACT)
        {
            let problems = self.evidence_problems(run)?;
            if !problems.is_empty() {
                return Err(refuse(format!(
                    "only checks wazir ran count as evidence, and they do not prove the tree                      now:\n  - {}",
                    problems.join("\n  - ")
                )));
            }
        }
        if phase == crate::security::REVIEW_PHASE
            && let Some(text) = self.security_refusal(run)?
        {
            return Err(refuse(text));
        }
        Ok(())
    }

    /// One problem line per required output of `rules` that is missing or invalid.
    fn check_outputs(
        &self,
        run: &RunId,
        rules: &PhaseRules,
        st: &RunStatus,
    ) -> std::result::Result<(), Vec<(String, String)>> {
        let mut problems: Vec<(String, String)> = Vec::new();
        let mut problem = |name: &str, text: String| problems.push((name.to_string(), text));
        let iteration = st.loop_count(&rules.phase).max(1) as u64;
        for o in &rules.outputs {
            let rel = format!("{ARTIFACTS_DIR}/{}.json", o.artifact);
            let path = self.run_dir(run).join(&rel);
            let bytes = match std::fs::read(&path) {
                Ok(b) => b,
                Err(_) => {
                    problem(
                        &o.artifact,
                        format!("`{}` ({rel}): not recorded", o.artifact),
                    );
                    continue;
                }
            };
            let digest = artifact::hash(&bytes);
            let recorded = st.artifacts.get(&o.artifact).filter(|r| r.blake3 == digest);
            let loop_number = match recorded {
                Some(r) => r.loop_number,
                None => {
                    let label = path.display().to_string();
                    match artifact::check(
                        &bytes,
                        &label,
                        run.as_str(),
                        &rules.phase,
                        &o.schema,
                        self.schemas_dir.as_deref(),
                    ) {
                        Ok(Ok(c)) => c.loop_number,
                        Ok(Err(ps)) => {
                            problem(
                                &o.artifact,
                                format!(
                                    "`{}` ({rel}) fails its checks:\n    {}",
                                    o.artifact,
                                    ps.join("\n    ")
                                ),
                            );
                            continue;
                        }
                        Err(e) => {
                            problem(&o.artifact, format!("`{}` ({rel}): {e}", o.artifact));
                            continue;
                        }
                    }
                }
            };
            if let Some(l) = loop_number
                && l < iteration
            {
                problem(
                    &o.artifact,
                    format!(
                        "`{}` ({rel}) is from loop {l} but `{}` is in loop {iteration}: record the \
                     revised artifact with `\"loop\": {iteration}`",
                        o.artifact, rules.phase
                    ),
                );
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Validates an artifact against the schema the phase's workflow names for it, stores it as
    /// `artifacts/<name>.json` and records an `artifact_recorded` event. Needs the rules.
    pub fn record_artifact(
        &self,
        run: &RunId,
        phase: &str,
        name: &str,
        bytes: &[u8],
        label: &str,
    ) -> Result<ArtifactRecord> {
        let phase = normalise_phase(phase)?;
        let rules = self.rules.as_ref().ok_or(LedgerError::RulesRequired {
            event: kinds::ARTIFACT_RECORDED.into(),
        })?;
        let r = rules.rules(&phase)?;
        check_name("artifact name", name)?;
        let Some(output) = r.outputs.iter().find(|o| o.artifact == name) else {
            let produces = if r.outputs.is_empty() {
                "produces no artifacts".to_string()
            } else {
                format!(
                    "produces {}",
                    r.outputs
                        .iter()
                        .map(|o| format!("`{}`", o.artifact))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(LedgerError::ArtifactRefused {
                name: name.to_string(),
                reason: format!(
                    "phase `{phase}` (workflow {}) {produces}; `{name}` is not one of its outputs",
                    r.workflow
                ),
            });
        };
        if !self.exists(run) {
            return Err(LedgerError::RunNotFound {
                run: run.to_string(),
                path: self.status_path(run),
            });
        }
        let checked = match artifact::check(
            bytes,
            label,
            run.as_str(),
            &phase,
            &output.schema,
            self.schemas_dir.as_deref(),
        )? {
            Ok(c) => c,
            Err(problems) => {
                return Err(LedgerError::ArtifactRefused {
                    name: name.to_string(),
                    reason: format!(
                        "it does not pass its checks, so nothing was recorded:\n  - {}",
                        problems.join("\n  - ")
                    ),
                });
            }
        };
        let rel = format!("{ARTIFACTS_DIR}/{name}.json");
        let dest = self.run_dir(run).join(&rel);
        let schema = output.schema.clone();
        let verified = if name == crate::evidence::PROOF_ARTIFACT {
            let value: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
            Some(crate::evidence::unbacked_evidence(&value, &self.proof(run)?).is_empty())
        } else {
            None
        };
        let (_, _, record) = self.transact(run, |st, now| {
            atomic_write(&dest, bytes).map_err(|e| LedgerError::io(&dest, "cannot write", e))?;
            let record = ArtifactRecord {
                phase: phase.clone(),
                schema: schema.clone(),
                file: rel.clone(),
                blake3: artifact::hash(bytes),
                bytes: bytes.len() as u64,
                status: checked.status.clone(),
                loop_number: checked.loop_number,
                recorded_at: now.to_string(),
                verified,
            };
            st.artifacts.insert(name.to_string(), record.clone());
            let ev = Event::new(kinds::ARTIFACT_RECORDED)
                .phase(&phase)
                .data(json!({
                    "artifact": name,
                    "schema": schema,
                    "file": rel,
                    "blake3": record.blake3,
                    "loop": record.loop_number,
                    "verified": record.verified,
                }));
            Ok((Some(ev), record))
        })?;
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use wazir_core::workflow::{Output, Workflow};

    fn wf(name: &str, outputs: &[&str], gate: Option<&str>, cap: u32) -> Workflow {
        Workflow {
            rules: PhaseRules {
                workflow: name.replace('_', "-"),
                phase: name.to_string(),
                role: "r".into(),
                outputs: outputs
                    .iter()
                    .map(|a| Output {
                        artifact: a.to_string(),
                        schema: a.to_string(),
                    })
                    .collect(),
                gate: gate.is_some(),
                rejects_to: gate.map(str::to_string),
                loop_cap: cap,
                escalation: format!("Escalate {name}."),
                writes: vec![],
            },
            inputs: vec![],
            skills: vec![],
            source: PathBuf::from(format!("{name}.md")),
        }
    }

    fn rules() -> Transitions {
        Transitions::from_workflows(vec![
            wf("specify", &["spec"], None, 3),
            wf("spec_challenge", &["challenge"], Some("specify"), 2),
            wf("execute", &[], None, 2),
        ])
        .unwrap()
    }

    fn apply(t: &Transitions, st: &mut RunStatus, ev: &str, phase: &str, ok: bool) -> Result<()> {
        t.apply(st, ev, phase, "t", &mut |_, _| {
            if ok {
                Ok(())
            } else {
                Err(vec![("x".into(), "`x`: not recorded".into())])
            }
        })
    }

    #[test]
    fn exit_needs_outputs_and_gates_need_verdicts() {
        let t = rules();
        let mut st = RunStatus::new("r", "specify", "active", "t");
        let e = apply(&t, &mut st, "phase_exit", "specify", false).unwrap_err();
        assert!(e.to_string().contains("required output is missing"), "{e}");
        assert_eq!(st.phase_state("specify"), Some(PhaseStateKind::Active));
        apply(&t, &mut st, "phase_exit", "specify", true).unwrap();
        apply(&t, &mut st, "phase_enter", "spec_challenge", true).unwrap();
        let e = apply(&t, &mut st, "phase_exit", "spec_challenge", true).unwrap_err();
        assert!(
            e.to_string().contains("exits only through gate_approved"),
            "{e}"
        );
        let e = apply(&t, &mut st, "phase_enter", "execute", true).unwrap_err();
        assert!(e.to_string().contains("gate still open"), "{e}");
        apply(&t, &mut st, "gate_approved", "spec_challenge", true).unwrap();
        apply(&t, &mut st, "phase_enter", "execute", true).unwrap();
        let e = apply(&t, &mut st, "gate_approved", "execute", true).unwrap_err();
        assert!(e.to_string().contains("not a gate"), "{e}");
    }

    #[test]
    fn rejection_loops_back_until_the_cap() {
        let t = rules();
        let mut st = RunStatus::new("r", "specify", "active", "t");
        apply(&t, &mut st, "phase_exit", "specify", true).unwrap();
        apply(&t, &mut st, "phase_enter", "spec_challenge", true).unwrap();
        apply(&t, &mut st, "gate_rejected", "spec_challenge", true).unwrap();
        assert_eq!(st.phase, "specify");
        assert_eq!(st.loop_count("specify"), 2);
        assert_eq!(st.loop_count("spec_challenge"), 2);
        apply(&t, &mut st, "phase_exit", "specify", true).unwrap();
        apply(&t, &mut st, "phase_enter", "spec_challenge", true).unwrap();
        assert_eq!(
            st.loop_count("spec_challenge"),
            2,
            "re-entry after a rejection"
        );
        let before = st.clone();
        let e = apply(&t, &mut st, "gate_rejected", "spec_challenge", true).unwrap_err();
        assert!(
            e.to_string()
                .contains("loop cap reached (2 of 2 iterations used)"),
            "{e}"
        );
        assert!(e.to_string().contains("Escalate spec_challenge."), "{e}");
        assert_eq!(st, before, "a refusal changes nothing");
    }

    #[test]
    fn re_entering_a_finished_phase_counts_a_loop() {
        let t = rules();
        let mut st = RunStatus::new("r", "execute", "active", "t");
        apply(&t, &mut st, "phase_exit", "execute", true).unwrap();
        apply(&t, &mut st, "phase_enter", "execute", true).unwrap();
        assert_eq!(st.loop_count("execute"), 2);
        apply(&t, &mut st, "phase_enter", "execute", true).unwrap();
        assert_eq!(
            st.loop_count("execute"),
            2,
            "a repeated enter is not a new loop"
        );
        apply(&t, &mut st, "phase_exit", "execute", true).unwrap();
        let e = apply(&t, &mut st, "phase_enter", "execute", true).unwrap_err();
        assert!(e.to_string().contains("Escalate execute."), "{e}");
    }

    #[test]
    fn bad_rejects_to_and_duplicate_phases_are_errors() {
        let e = Transitions::from_workflows(vec![wf("g", &[], Some("nowhere"), 1)]).unwrap_err();
        assert!(e.to_string().contains("rejects_to `nowhere`"), "{e}");
        let e = Transitions::from_workflows(vec![wf("a", &[], None, 1), wf("a", &[], None, 1)])
            .unwrap_err();
        assert!(e.to_string().contains("already run by"), "{e}");
        let e = rules().rules("nope").unwrap_err();
        assert!(e.to_string().contains("unknown phase `nope`"), "{e}");
    }
}
