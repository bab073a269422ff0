//! Workflow front matter (`workflows/<name>.md`, see docs/architecture.md) as typed data: the
//! phase a workflow runs, its role, the artifacts it must produce, whether it is a gate, where a
//! rejection loops back to, its loop cap and the escalation past the cap.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::LedgerError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    /// The file stem (`spec-challenge`).
    pub name: String,
    /// The phase id (`spec_challenge`).
    pub phase: String,
    pub role: String,
    #[serde(default)]
    pub inputs: Vec<String>,
    #[serde(default)]
    pub outputs: Vec<Output>,
    #[serde(default)]
    pub gate: bool,
    #[serde(default)]
    pub rejects_to: Option<String>,
    pub loop_cap: u32,
    pub escalation: String,
    #[serde(default)]
    pub skills: Vec<String>,
    /// Where the workflow was read from (for messages); not part of the front matter.
    #[serde(skip)]
    pub source: PathBuf,
}

/// An artifact the phase must produce before it may exit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// File `<run-dir>/artifacts/<artifact>.json`.
    pub artifact: String,
    /// Kit schema `schemas/<schema>.schema.json`.
    pub schema: String,
}

impl Workflow {
    /// Parses the front matter of a workflow file; `source` is used in messages.
    pub fn parse(source: &Path, text: &str) -> Result<Workflow, LedgerError> {
        let (mut w, _split): (Workflow, _) = wazir_core::frontmatter::parse(source, text)
            .map_err(|e| LedgerError::Workflow(format!("{e}: fix the workflow's front matter")))?;
        w.source = source.to_path_buf();
        w.phase = wazir_core::ids::to_id(&w.phase);
        w.role = wazir_core::ids::to_id(&w.role);
        w.rejects_to = w.rejects_to.as_deref().map(wazir_core::ids::to_id);
        w.check()?;
        Ok(w)
    }

    /// Reads and parses one workflow file.
    pub fn read(path: &Path) -> Result<Workflow, LedgerError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| LedgerError::io(path, "cannot read the workflow", e))?;
        Self::parse(path, &text)
    }

    fn check(&self) -> Result<(), LedgerError> {
        let bad = |what: &str| {
            Err(LedgerError::Workflow(format!(
                "{}: {what}: fix the workflow's front matter",
                self.source.display()
            )))
        };
        if self.loop_cap == 0 {
            return bad("loop_cap is 0; a phase needs at least one iteration");
        }
        if self.escalation.trim().is_empty() {
            return bad("escalation is empty; say what happens past the loop cap");
        }
        if self.gate && self.rejects_to.is_none() {
            return bad("a gate workflow needs `rejects_to`, the phase a rejection returns to");
        }
        if !self.gate && self.rejects_to.is_some() {
            return bad("`rejects_to` is set but `gate` is not true");
        }
        for o in &self.outputs {
            if let Err(e) = crate::run_id::check_name("artifact name", &o.artifact) {
                return bad(&e.to_string());
            }
            if let Err(e) = crate::run_id::check_name("schema name", &o.schema) {
                return bad(&e.to_string());
            }
        }
        Ok(())
    }
}

/// Reads every `*.md` file of `dir` as a workflow, sorted by file name.
pub fn read_dir(dir: &Path) -> Result<Vec<Workflow>, LedgerError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| LedgerError::io(dir, "cannot list workflows", e))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md") && p.is_file())
        .collect();
    paths.sort();
    paths.iter().map(|p| Workflow::read(p)).collect()
}

/// The workflows a project declares: for each manifest workflow id, the file in the project's
/// workflows folder, else the copy in the embedded kit.
pub fn for_project(project: &wazir_core::Project) -> Result<Vec<Workflow>, LedgerError> {
    let m = &project.manifest;
    let mut out = Vec::with_capacity(m.workflows.len());
    for id in &m.workflows {
        let rel = m.workflow_file(id);
        let path = project.path(&rel);
        if path.is_file() {
            out.push(Workflow::read(&path)?);
            continue;
        }
        let embedded = format!("workflows/{}.md", wazir_core::ids::to_file_stem(id));
        match wazir_core::kit::text(&embedded) {
            Some(text) => out.push(Workflow::parse(
                Path::new(&format!("{embedded} (embedded kit)")),
                &text,
            )?),
            None => {
                return Err(LedgerError::Workflow(format!(
                    "{}: the manifest lists workflow `{id}` but the file is missing (and the \
                     embedded kit has no {embedded}): add the workflow file or remove it from \
                     the manifest",
                    path.display()
                )));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_gate_workflow() {
        let text = "---\nname: spec-challenge\nphase: spec-challenge\nrole: reviewer\n\
                    inputs: [spec]\noutputs:\n  - artifact: spec-challenge\n    schema: review\n\
                    gate: true\nrejects_to: specify\nloop_cap: 3\nescalation: \"Ask the user.\"\n\
                    skills: [verification]\n---\n# Spec challenge\n";
        let w = Workflow::parse(Path::new("spec-challenge.md"), text).unwrap();
        assert_eq!(w.phase, "spec_challenge");
        assert!(w.gate);
        assert_eq!(w.rejects_to.as_deref(), Some("specify"));
        assert_eq!(w.outputs[0].schema, "review");
    }

    #[test]
    fn a_gate_without_rejects_to_is_an_error_naming_the_file() {
        let text = "---\nname: g\nphase: g\nrole: reviewer\ngate: true\nloop_cap: 1\n\
                    escalation: stop\n---\n";
        let e = Workflow::parse(Path::new("wf/g.md"), text).unwrap_err();
        assert!(e.to_string().contains("wf/g.md"), "{e}");
        assert!(e.to_string().contains("rejects_to"), "{e}");
    }

    #[test]
    fn every_kit_workflow_parses() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kit/workflows");
        let ws = read_dir(&dir).unwrap();
        assert_eq!(ws.len(), 15);
        assert_eq!(ws.iter().filter(|w| w.gate).count(), 3);
    }
}
