//! Enforced transitions through the real binary: `capture artifact` validation and recording,
//! `phase_exit` refused while a required artifact is missing, invalid, tampered with or stale,
//! gates that exit only through a verdict, rejections that loop back, and the loop cap's
//! escalation.

use crate::support::ledger as ledger_support;

use ledger_support::{Proj, fixture_artifact, kit_example};
use serde_json::{Value, json};

#[test]
fn artifact_is_validated_against_the_workflow_schema_and_recorded() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "specify"]);
    let example = kit_example("spec", "r1");
    let file = p.write_json("spec.json", &example);
    let v = p.json(&[
        "capture", "artifact", "--phase", "specify", "--name", "spec", "--file", &file,
    ]);
    assert_eq!(v["record"]["schema"], "spec");
    assert_eq!(v["record"]["file"], "artifacts/spec.json");
    let stored = p.run_dir("r1").join("artifacts/spec.json");
    assert_eq!(
        std::fs::read(&stored).unwrap(),
        std::fs::read(&file).unwrap(),
        "copied byte for byte"
    );
    let st = p.status("r1");
    assert_eq!(st["artifacts"]["spec"]["phase"], "specify");
    assert_eq!(st["artifacts"]["spec"]["loop"], example["loop"]);
    let ev = p.events("r1");
    assert_eq!(ev[0]["event"], "artifact_recorded");
    assert_eq!(ev[0]["data"]["artifact"], "spec");
}

#[test]
fn artifact_refusals_name_the_problem_and_record_nothing() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "specify"]);

    // Not one of the phase's outputs.
    let file = p.write_json("plan.json", &kit_example("implementation-plan", "r1"));
    let err = p.refused(&[
        "capture",
        "artifact",
        "--phase",
        "specify",
        "--name",
        "implementation-plan",
        "--file",
        &file,
    ]);
    assert!(
        err.contains("phase `specify` (workflow specify) produces `spec`"),
        "{err}"
    );

    // Fails the schema: the pointer and the rule are named.
    let mut bad = kit_example("spec", "r1");
    bad["loop"] = json!(0);
    bad.as_object_mut().unwrap().remove("goals");
    let file = p.write_json("bad.json", &bad);
    let err = p.refused(&[
        "capture", "artifact", "--phase", "specify", "--name", "spec", "--file", &file,
    ]);
    assert!(err.contains("nothing was recorded"), "{err}");
    assert!(err.contains("bad.json: schema spec: /loop"), "{err}");
    assert!(err.contains("\"goals\" is a required property"), "{err}");

    // Another run's artifact.
    let file = p.write_json("other.json", &kit_example("spec", "someone-else"));
    let err = p.refused(&[
        "capture", "artifact", "--phase", "specify", "--name", "spec", "--file", &file,
    ]);
    assert!(
        err.contains("run_id is `someone-else` but this run is `r1`"),
        "{err}"
    );

    // Not JSON: the line and column are named.
    std::fs::write(p.root().join("broken.json"), "{\n  \"phase\": \n").unwrap();
    let file = p.root().join("broken.json").display().to_string();
    let err = p.refused(&[
        "capture", "artifact", "--phase", "specify", "--name", "spec", "--file", &file,
    ]);
    assert!(err.contains("broken.json:3:"), "{err}");
    assert!(err.contains("not valid JSON"), "{err}");

    let err = p.refused(&[
        "capture",
        "artifact",
        "--phase",
        "specify",
        "--name",
        "spec",
        "--file",
        "missing.json",
    ]);
    assert!(
        err.contains("missing.json: cannot read the artifact file"),
        "{err}"
    );

    assert!(!p.run_dir("r1").join("artifacts/spec.json").exists());
    assert!(p.events("r1").is_empty());
}

#[test]
fn phase_exit_waits_for_the_required_artifact() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "specify"]);
    let err = p.event_refused("phase_exit", "specify");
    assert!(err.contains("phase_exit for `specify` refused"), "{err}");
    assert!(
        err.contains("`spec` (artifacts/spec.json): not recorded"),
        "{err}"
    );
    assert!(
        err.contains("wazir capture artifact --phase specify --name spec --file PATH"),
        "{err}"
    );
    // Moving on without exiting is refused too.
    let err = p.event_refused("phase_enter", "design");
    assert!(err.contains("`specify` is still active"), "{err}");
    assert!(p.events("r1").is_empty());

    let file = p.write_json("spec.json", &kit_example("spec", "r1"));
    p.ok(&[
        "capture", "artifact", "--phase", "specify", "--name", "spec", "--file", &file,
    ]);
    p.event("phase_exit", "specify");
    p.event("phase_enter", "spec-challenge");
    let st = p.status("r1");
    assert_eq!(st["phases"]["specify"]["state"], "exited");
    assert_eq!(st["phase"], "spec_challenge");
}

#[test]
fn a_tampered_artifact_is_checked_again_at_exit() {
    let p = Proj::with_fixture_workflows();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "specify"]);
    let file = p.write_json("spec.json", &fixture_artifact("r1", "specify", 1));
    p.ok(&[
        "capture", "artifact", "--phase", "specify", "--name", "spec", "--file", &file,
    ]);
    let stored = p.run_dir("r1").join("artifacts/spec.json");
    std::fs::write(
        &stored,
        json!({"phase": "specify", "run_id": "r1"}).to_string(),
    )
    .unwrap();
    let err = p.event_refused("phase_exit", "specify");
    assert!(
        err.contains("`spec` (artifacts/spec.json) fails its checks"),
        "{err}"
    );
    assert!(err.contains("schema fixture-spec"), "{err}");
    assert!(err.contains("\"title\" is a required property"), "{err}");
    // Putting a valid file back by hand is accepted: it is validated, not trusted.
    std::fs::write(&stored, fixture_artifact("r1", "specify", 1).to_string()).unwrap();
    p.event("phase_exit", "specify");
}

#[test]
fn gates_exit_only_through_a_verdict() {
    let p = Proj::with_fixture_workflows();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "specify"]);
    let spec = p.write_json("spec.json", &fixture_artifact("r1", "specify", 1));
    p.ok(&[
        "capture", "artifact", "--phase", "specify", "--name", "spec", "--file", &spec,
    ]);
    let err = p.event_refused("gate_approved", "specify");
    assert!(
        err.contains("`specify` is not a gate (workflow specify)"),
        "{err}"
    );
    assert!(err.contains("leave it with phase_exit"), "{err}");
    p.event("phase_exit", "specify");
    p.event("phase_enter", "spec_challenge");

    let err = p.event_refused("phase_exit", "spec_challenge");
    assert!(
        err.contains(
            "`spec_challenge` is a gate: it exits only through gate_approved or gate_rejected"
        ),
        "{err}"
    );
    let err = p.event_refused("phase_enter", "execute");
    assert!(
        err.contains("`spec_challenge` is a gate still open"),
        "{err}"
    );
    // A verdict needs the gate's own artifact.
    let err = p.event_refused("gate_approved", "spec_challenge");
    assert!(
        err.contains("`challenge` (artifacts/challenge.json): not recorded"),
        "{err}"
    );

    let ch = p.write_json(
        "challenge.json",
        &fixture_artifact("r1", "spec_challenge", 1),
    );
    p.ok(&[
        "capture",
        "artifact",
        "--phase",
        "spec_challenge",
        "--name",
        "challenge",
        "--file",
        &ch,
    ]);
    p.event("gate_approved", "spec_challenge");
    let st = p.status("r1");
    assert_eq!(st["phases"]["spec_challenge"]["state"], "approved");
    p.event("phase_enter", "execute");
    // Verdicts only for the active phase.
    let err = p.event_refused("gate_rejected", "spec_challenge");
    assert!(
        err.contains("`spec_challenge` is not the active phase"),
        "{err}"
    );
}

#[test]
fn rejections_loop_back_until_the_cap_then_escalate() {
    let p = Proj::with_fixture_workflows();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "specify"]);
    let record = |phase: &str, name: &str, loop_number: u64| {
        let file = p.write_json(
            &format!("{name}-{loop_number}.json"),
            &fixture_artifact("r1", phase, loop_number),
        );
        p.ok(&[
            "capture", "artifact", "--phase", phase, "--name", name, "--file", &file,
        ]);
    };
    let event = |e: &str, phase: &str| {
        p.ok(&["capture", "event", "--event", e, "--phase", phase]);
    };

    record("specify", "spec", 1);
    event("phase_exit", "specify");
    event("phase_enter", "spec_challenge");
    record("spec_challenge", "challenge", 1);
    let v = p.json(&[
        "capture",
        "event",
        "--event",
        "gate_rejected",
        "--phase",
        "spec_challenge",
        "--message",
        "R2 is ambiguous",
    ]);
    let st = &v["status"];
    assert_eq!(st["phase"], "specify", "a rejection re-enters rejects_to");
    assert_eq!(st["phases"]["specify"]["state"], "active");
    assert_eq!(st["phases"]["spec_challenge"]["state"], "rejected");
    assert_eq!(st["phases"]["spec_challenge"]["rejections"], 1);
    assert_eq!(st["loops"]["spec_challenge"], 2);
    assert_eq!(st["loops"]["specify"], 2);

    // The spec from loop 1 no longer counts.
    let err = p.event_refused("phase_exit", "specify");
    assert!(
        err.contains("is from loop 1 but `specify` is in loop 2"),
        "{err}"
    );
    record("specify", "spec", 2);
    event("phase_exit", "specify");
    event("phase_enter", "spec_challenge");
    assert_eq!(p.status("r1")["loops"]["spec_challenge"], 2);
    record("spec_challenge", "challenge", 2);

    // Loop 2 of 2: another rejection is refused with the workflow's escalation.
    let before = std::fs::read_to_string(p.run_dir("r1").join("status.json")).unwrap();
    let lines_before = p.events("r1").len();
    let err = p.event_refused("gate_rejected", "spec_challenge");
    assert!(
        err.contains(
            "gate_rejected for `spec_challenge` refused: loop cap reached (2 of 2 iterations used)"
        ),
        "{err}"
    );
    assert!(
        err.contains("Escalate as the spec-challenge workflow says: Stop and ask the user to settle the open challenges."),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(p.run_dir("r1").join("status.json")).unwrap(),
        before,
        "a refusal leaves status.json untouched"
    );
    assert_eq!(p.events("r1").len(), lines_before);
    // Approving is still possible.
    event("gate_approved", "spec_challenge");
}

#[test]
fn re_entering_a_phase_past_its_cap_is_refused_with_the_escalation() {
    let p = Proj::with_fixture_workflows();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "execute"]);
    p.event("phase_exit", "execute");
    p.event("phase_enter", "execute");
    p.event("phase_exit", "execute");
    let err = p.event_refused("phase_enter", "execute");
    assert!(
        err.contains("loop cap reached (2 of 2 iterations used)"),
        "{err}"
    );
    assert!(err.contains("Hand the failures to the user."), "{err}");
    let st: Value = p.status("r1");
    assert_eq!(st["loops"]["execute"], 2);
}

#[test]
fn the_kit_workflows_drive_the_real_gates() {
    // No fixture: the embedded kit's spec-challenge gate and its review-style artifact.
    let p = Proj::new();
    p.ok(&[
        "capture",
        "init",
        "--run",
        "r1",
        "--phase",
        "spec_challenge",
    ]);
    let file = p.write_json("sc.json", &kit_example("spec-challenge", "r1"));
    p.ok(&[
        "capture",
        "artifact",
        "--phase",
        "spec-challenge",
        "--name",
        "spec-challenge",
        "--file",
        &file,
    ]);
    let v = p.json(&[
        "capture",
        "event",
        "--event",
        "gate_rejected",
        "--phase",
        "spec-challenge",
    ]);
    assert_eq!(v["status"]["phase"], "specify");
    assert_eq!(
        v["status"]["loops"]["specify"], 1,
        "never entered before: first loop"
    );
}
