//! The kit's 15 workflows against the manifest and the schemas: typed front matter, every output
//! schema present, the three gates looping back to their authoring phase under a cap, and every
//! phase and role declared in the manifest.

use std::path::{Path, PathBuf};

use wazir_core::Manifest;
use wazir_ledger::Workflow;

fn kit() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kit")
}

fn workflows() -> Vec<Workflow> {
    let ws = wazir_ledger::read_workflows(&kit().join("workflows")).unwrap();
    assert_eq!(ws.len(), 15);
    ws
}

#[test]
fn every_output_names_a_schema_that_exists() {
    for w in workflows() {
        for o in &w.rules.outputs {
            let schema = kit().join(format!("schemas/{}.schema.json", o.schema));
            assert!(
                schema.is_file(),
                "workflow {}: output `{}` names schema `{}`, which does not exist",
                w.rules.workflow,
                o.artifact,
                o.schema
            );
        }
    }
}

#[test]
fn the_three_gates_reject_back_to_their_authoring_phase_with_a_cap() {
    let ws = workflows();
    let mut gates: Vec<(String, String, u32)> = ws
        .iter()
        .filter(|w| w.rules.gate)
        .map(|w| {
            (
                w.rules.phase.clone(),
                w.rules.rejects_to.clone().unwrap_or_default(),
                w.rules.loop_cap,
            )
        })
        .collect();
    gates.sort();
    assert_eq!(
        gates
            .iter()
            .map(|(p, r, _)| (p.as_str(), r.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("design_review", "design"),
            ("plan_review", "plan"),
            ("spec_challenge", "specify"),
        ]
    );
    for (phase, _, cap) in &gates {
        assert!(*cap >= 1, "{phase} has no loop cap");
    }
    for w in ws.iter().filter(|w| !w.rules.gate) {
        assert!(
            w.rules.rejects_to.is_none(),
            "{} is not a gate but rejects_to",
            w.rules.workflow
        );
    }
}

#[test]
fn every_phase_and_role_is_declared_in_the_manifest() {
    let m = Manifest::read(&kit().join("wazir.manifest.yaml")).unwrap();
    for w in workflows() {
        if w.rules.workflow != "run-audit" {
            assert!(
                m.phases.contains(&w.rules.phase),
                "{}: phase {} not in manifest",
                w.rules.workflow,
                w.rules.phase
            );
        }
        assert!(
            m.roles.contains(&w.rules.role),
            "{}: role {} not in manifest",
            w.rules.workflow,
            w.rules.role
        );
        assert!(
            m.workflows
                .contains(&wazir_core::ids::to_id(&w.rules.workflow)),
            "{} is not a manifest workflow",
            w.rules.workflow
        );
    }
}
