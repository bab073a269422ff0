//! The phase rules read from the workflows, and how each transition event changes a run:
//! `phase_enter` (refused while another phase is still open, or past the loop cap),
//! `phase_exit` (refused for gates and while a required artifact is missing or invalid),
//! `gate_approved` and `gate_rejected` (gates only; a rejection counts a loop and re-enters
//! `rejects_to`; past the cap the refusal quotes the workflow's escalation).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{LedgerError, Result};
use wazir_core::workflow::{self, PhaseRules, Workflow};

use crate::status::RunStatus;

/// The rules of every phase, keyed by phase id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transitions {
    phases: BTreeMap<String, PhaseRules>,
}

impl Transitions {
    /// Builds the rules from parsed workflows. Two workflows for one phase, or a `rejects_to`
    /// naming no workflow's phase, are errors.
    pub fn from_workflows(workflows: Vec<Workflow>) -> Result<Self> {
        let mut phases: BTreeMap<String, PhaseRules> = BTreeMap::new();
        let mut sources: BTreeMap<String, String> = BTreeMap::new();
        for w in workflows {
            let src = w.source.display().to_string();
            if let Some(first) = sources.get(&w.rules.phase) {
                return Err(LedgerError::Workflow(format!(
                    "{src}: phase `{}` is already run by {first}: each phase has one workflow",
                    w.rules.phase
                )));
            }
            sources.insert(w.rules.phase.clone(), src);
            phases.insert(w.rules.phase.clone(), w.rules);
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

    /// Copies every phase's rules into `st.caps`, so hooks read them from `status.json`.
    pub(crate) fn record_caps(&self, st: &mut RunStatus) {
        st.caps = self.phases.clone();
    }
}
