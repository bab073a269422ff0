//! Workflow front matter (`workflows/<name>.md`, see docs/architecture.md) as typed data, and
//! [`PhaseRules`]: the one type that says what a phase is held to — its workflow, role, required
//! outputs, gate flag, rejection target, loop cap and escalation. The ledger enforces it, copies
//! it into each run's `status.json` (so hooks decide from that one file), and the export
//! compiler describes it in every host's package. A new front-matter field is added here once.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Project;

/// The longest artifact or schema name a workflow may declare (one path segment).
const MAX_NAME_LEN: usize = 128;

/// A workflow file that cannot be read or says something impossible; the message names the
/// file and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WorkflowError(pub String);

/// What the ledger holds one phase to, as read from its workflow's front matter and as recorded
/// in `status.json` under `caps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseRules {
    /// The workflow's name (file stem, `spec-challenge`).
    #[serde(default)]
    pub workflow: String,
    /// The phase id (`spec_challenge`).
    #[serde(default)]
    pub phase: String,
    /// The manifest role that runs the phase.
    #[serde(default)]
    pub role: String,
    pub loop_cap: u32,
    #[serde(default)]
    pub gate: bool,
    /// Gate phases: where a rejection loops back to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejects_to: Option<String>,
    /// What happens past the loop cap.
    pub escalation: String,
    /// Artifacts the phase must record before it may exit.
    #[serde(default)]
    pub outputs: Vec<Output>,
}

impl PhaseRules {
    /// The names of the artifacts the phase must record, in declaration order.
    pub fn output_names(&self) -> Vec<String> {
        self.outputs.iter().map(|o| o.artifact.clone()).collect()
    }
}

/// An artifact a phase must produce before it may exit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Output {
    /// File `<run-dir>/artifacts/<artifact>.json`.
    pub artifact: String,
    /// Kit schema `schemas/<schema>.schema.json`.
    pub schema: String,
}

/// A run recorded before the ledger kept schemas in `status.json` lists outputs by artifact name
/// only; both shapes read back.
impl<'de> Deserialize<'de> for Output {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            Name(String),
            Full { artifact: String, schema: String },
        }
        Ok(match Shape::deserialize(d)? {
            Shape::Name(artifact) => Output {
                schema: artifact.clone(),
                artifact,
            },
            Shape::Full { artifact, schema } => Output { artifact, schema },
        })
    }
}

/// A workflow file: the rules of its phase plus what only the package and the agent need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    pub rules: PhaseRules,
    /// Artifact names the phase reads.
    pub inputs: Vec<String>,
    /// Skills the workflow expects the role to load.
    pub skills: Vec<String>,
    /// Where the workflow was read from (for messages).
    pub source: PathBuf,
}

/// The front matter as written; mapped onto [`Workflow`] after the ids are normalised.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Front {
    name: String,
    phase: String,
    role: String,
    #[serde(default)]
    inputs: Vec<String>,
    #[serde(default)]
    outputs: Vec<FrontOutput>,
    #[serde(default)]
    gate: bool,
    #[serde(default)]
    rejects_to: Option<String>,
    loop_cap: u32,
    escalation: String,
    #[serde(default)]
    skills: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontOutput {
    artifact: String,
    schema: String,
}

impl Workflow {
    /// Parses the front matter of a workflow file; `source` is used in messages.
    pub fn parse(source: &Path, text: &str) -> Result<Workflow, WorkflowError> {
        let (f, _split): (Front, _) = crate::frontmatter::parse(source, text)
            .map_err(|e| WorkflowError(format!("{e}: fix the workflow's front matter")))?;
        let ids = crate::ids::to_id;
        let w = Workflow {
            rules: PhaseRules {
                workflow: f.name,
                phase: ids(&f.phase),
                role: ids(&f.role),
                loop_cap: f.loop_cap,
                gate: f.gate,
                rejects_to: f.rejects_to.as_deref().map(ids),
                escalation: f.escalation,
                outputs: f
                    .outputs
                    .into_iter()
                    .map(|o| Output {
                        artifact: o.artifact,
                        schema: o.schema,
                    })
                    .collect(),
            },
            inputs: f.inputs,
            skills: f.skills,
            source: source.to_path_buf(),
        };
        w.check()?;
        Ok(w)
    }

    /// Reads and parses one workflow file.
    pub fn read(path: &Path) -> Result<Workflow, WorkflowError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            WorkflowError(format!("{}: cannot read the workflow: {e}", path.display()))
        })?;
        Self::parse(path, &text)
    }

    /// The workflow of phase `id` in `project`: the project's file, else the embedded kit's copy.
    /// `None` when the manifest names no such workflow or phase.
    pub fn for_phase(project: &Project, id: &str) -> Result<Option<Workflow>, WorkflowError> {
        let id = crate::ids::to_id(id);
        let m = &project.manifest;
        if !m.workflows.contains(&id) && !m.phases.contains(&id) {
            return Ok(None);
        }
        read_declared(project, &id).map(Some)
    }

    fn check(&self) -> Result<(), WorkflowError> {
        let r = &self.rules;
        let bad = |what: &str| {
            Err(WorkflowError(format!(
                "{}: {what}: fix the workflow's front matter",
                self.source.display()
            )))
        };
        if r.loop_cap == 0 {
            return bad("loop_cap is 0; a phase needs at least one iteration");
        }
        if r.escalation.trim().is_empty() {
            return bad("escalation is empty; say what happens past the loop cap");
        }
        if r.role.is_empty() {
            return bad("role is empty; name the manifest role that runs this workflow");
        }
        if r.gate && r.rejects_to.is_none() {
            return bad("a gate workflow needs `rejects_to`, the phase a rejection returns to");
        }
        if !r.gate && r.rejects_to.is_some() {
            return bad("`rejects_to` is set but `gate` is not true");
        }
        for o in &r.outputs {
            for (what, name) in [("artifact name", &o.artifact), ("schema name", &o.schema)] {
                if let Some(reason) = crate::ids::name_problem(name, MAX_NAME_LEN) {
                    return bad(&format!("{what} `{name}` is not usable: {reason}"));
                }
            }
        }
        Ok(())
    }
}

/// Reads every `*.md` file of `dir` as a workflow, sorted by file name.
pub fn read_dir(dir: &Path) -> Result<Vec<Workflow>, WorkflowError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| WorkflowError(format!("{}: cannot list workflows: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md") && p.is_file())
        .collect();
    paths.sort();
    paths.iter().map(|p| Workflow::read(p)).collect()
}

/// The workflows a project declares: for each manifest workflow id, the file in the project's
/// workflows folder, else the copy in the embedded kit.
pub fn for_project(project: &Project) -> Result<Vec<Workflow>, WorkflowError> {
    project
        .manifest
        .workflows
        .iter()
        .map(|id| read_declared(project, id))
        .collect()
}

/// The workflow file of manifest id `id`, from the project or else the embedded kit.
fn read_declared(project: &Project, id: &str) -> Result<Workflow, WorkflowError> {
    let path = project.path(&project.manifest.workflow_file(id));
    if path.is_file() {
        return Workflow::read(&path);
    }
    let embedded = format!("workflows/{}.md", crate::ids::to_file_stem(id));
    match crate::kit::text(&embedded) {
        Some(text) => Workflow::parse(Path::new(&format!("{embedded} (embedded kit)")), &text),
        None => Err(WorkflowError(format!(
            "{}: the manifest names workflow `{id}` but the file is missing (and the embedded \
             kit has no {embedded}): restore it, reinstall the kit with `wazir init`, or remove \
             it from the manifest",
            path.display()
        ))),
    }
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
        assert_eq!(w.rules.phase, "spec_challenge");
        assert!(w.rules.gate);
        assert_eq!(w.rules.rejects_to.as_deref(), Some("specify"));
        assert_eq!(w.rules.outputs[0].schema, "review");
        assert_eq!(w.inputs, ["spec"]);
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
    fn a_missing_loop_cap_is_an_error() {
        let text = "---\nname: g\nphase: g\nrole: reviewer\nescalation: stop\n---\n";
        let e = Workflow::parse(Path::new("wf/g.md"), text).unwrap_err();
        assert!(e.to_string().contains("loop_cap"), "{e}");
    }

    #[test]
    fn rules_round_trip_and_old_status_outputs_read_back() {
        let text = "---\nname: plan\nphase: plan\nrole: planner\noutputs:\n  - artifact: \
                    implementation-plan\n    schema: implementation-plan\nloop_cap: 3\n\
                    escalation: ask\n---\n";
        let w = Workflow::parse(Path::new("plan.md"), text).unwrap();
        let json = serde_json::to_string(&w.rules).unwrap();
        let back: PhaseRules = serde_json::from_str(&json).unwrap();
        assert_eq!(back, w.rules);
        let old = r#"{"loop_cap":3,"gate":false,"escalation":"ask","workflow":"plan","outputs":["implementation-plan"]}"#;
        let old: PhaseRules = serde_json::from_str(old).unwrap();
        assert_eq!(old.outputs[0].artifact, "implementation-plan");
        assert_eq!(old.loop_cap, 3);
    }

    #[test]
    fn every_kit_workflow_parses() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kit/workflows");
        let ws = read_dir(&dir).unwrap();
        assert_eq!(ws.len(), 15);
        assert_eq!(ws.iter().filter(|w| w.rules.gate).count(), 3);
    }
}
