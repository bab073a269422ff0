//! The phase rules read from the workflows, and how each transition event changes a run:
//! `phase_enter` (refused while another phase is still open, or past the loop cap),
//! `phase_exit` (refused for gates and while a required artifact is missing or invalid),
//! `gate_approved` and `gate_rejected` (gates only; a rejection counts a loop and re-enters
//! `rejects_to`; past the cap the refusal quotes the workflow's escalation).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{LedgerError, Result};
use crate::event::kinds;
use crate::status::{PhaseCap, PhaseState, PhaseStateKind, RunStatus};
use crate::workflow::{self, Output, Workflow};

/// What the ledger enforces for one phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseRules {
    /// Workflow name (file stem).
    pub workflow: String,
    pub phase: String,
    pub role: String,
    pub outputs: Vec<Output>,
    pub gate: bool,
    pub rejects_to: Option<String>,
    pub loop_cap: u32,
    pub escalation: String,
}

/// The rules of every phase, keyed by phase id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transitions {
    phases: BTreeMap<String, PhaseRules>,
}

/// Checks a phase's required outputs against the run; `Err` carries, per problem, the artifact
/// name and what is wrong with it.
pub(crate) type OutputCheck<'a> =
    dyn FnMut(&PhaseRules, &RunStatus) -> std::result::Result<(), Vec<(String, String)>> + 'a;

impl Transitions {
    /// Builds the rules from parsed workflows. Two workflows for one phase, or a `rejects_to`
    /// naming no workflow's phase, are errors.
    pub fn from_workflows(workflows: Vec<Workflow>) -> Result<Self> {
        let mut phases: BTreeMap<String, PhaseRules> = BTreeMap::new();
        let mut sources: BTreeMap<String, String> = BTreeMap::new();
        for w in workflows {
            let src = w.source.display().to_string();
            if let Some(first) = sources.get(&w.phase) {
                return Err(LedgerError::Workflow(format!(
                    "{src}: phase `{}` is already run by {first}: each phase has one workflow",
                    w.phase
                )));
            }
            sources.insert(w.phase.clone(), src);
            phases.insert(
                w.phase.clone(),
                PhaseRules {
                    workflow: w.name,
                    phase: w.phase,
                    role: w.role,
                    outputs: w.outputs,
                    gate: w.gate,
                    rejects_to: w.rejects_to,
                    loop_cap: w.loop_cap,
                    escalation: w.escalation,
                },
            );
        }
        for r in phases.values() {
            if let Some(to) = &r.rejects_to
                && !phases.contains_key(to)
            {
                return Err(LedgerError::Workflow(format!(
                    "{}: rejects_to `{to}` is not the phase of any workflow: name one of {}",
                    sources[&r.phase],
                    phases.keys().cloned().collect::<Vec<_>>().join(", ")
                )));
            }
        }
        Ok(Self { phases })
    }

    /// The rules of a project's workflows (project files, else the embedded kit).
    pub fn for_project(project: &wazir_core::Project) -> Result<Self> {
        Self::from_workflows(workflow::for_project(project)?)
    }

    /// The rules of every workflow file in `dir` (used for fixture sets in tests).
    pub fn read_dir(dir: &Path) -> Result<Self> {
        Self::from_workflows(workflow::read_dir(dir)?)
    }

    pub fn get(&self, phase: &str) -> Option<&PhaseRules> {
        self.phases.get(phase)
    }

    /// The rules of `phase`, or an error listing the known phases.
    pub fn rules(&self, phase: &str) -> Result<&PhaseRules> {
        self.phases
            .get(phase)
            .ok_or_else(|| LedgerError::UnknownPhase {
                phase: phase.to_string(),
                known: self.phases.keys().cloned().collect::<Vec<_>>().join(", "),
            })
    }

    pub fn phases(&self) -> impl Iterator<Item = &PhaseRules> {
        self.phases.values()
    }

    /// Copies every phase's cap, gate flag, escalation, rejection target and required outputs
    /// into `st.caps`.
    pub(crate) fn record_caps(&self, st: &mut RunStatus) {
        st.caps = self
            .phases
            .values()
            .map(|r| {
                (
                    r.phase.clone(),
                    PhaseCap {
                        loop_cap: r.loop_cap,
                        gate: r.gate,
                        escalation: r.escalation.clone(),
                        workflow: r.workflow.clone(),
                        rejects_to: r.rejects_to.clone(),
                        outputs: r.outputs.iter().map(|o| o.artifact.clone()).collect(),
                    },
                )
            })
            .collect();
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn wf(name: &str, outputs: &[&str], gate: Option<&str>, cap: u32) -> Workflow {
        Workflow {
            name: name.replace('_', "-"),
            phase: name.to_string(),
            role: "r".into(),
            inputs: vec![],
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
