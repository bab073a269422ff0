//! Replays every `/wazir` path - each intent (feature, bugfix, refactor, docs, spike, audit, prd)
//! at each depth (quick, standard, deep) - through the real binary, with the commands read from
//! the kit's own text (see `replay_support`). Every path rejects once at every gate it has; some
//! also use a gate's last allowed loop, escalate at a gate (accepted or stopped), fail
//! verification or review until the last allowed loop, or escalate at a refused re-entry.

use crate::support::replay::{Decision, Kit, Replay, Scenario};
use serde_json::Value;

fn scenario(intent: &str, depth: &str) -> Scenario {
    let mut sc = Scenario::default();
    match (intent, depth) {
        // The last allowed loop of a gate: two rejections, approval at loop 3 of 3.
        (_, "deep") if ["feature", "bugfix", "docs"].contains(&intent) => {
            sc.gate_rejections.insert("plan_review", 2);
        }
        ("feature", "standard") => sc.gate_escalation = Some(("plan_review", Decision::Accept)),
        ("bugfix", "standard") => sc.gate_escalation = Some(("spec_challenge", Decision::Stop)),
        ("refactor", "quick") => sc.gate_escalation = Some(("plan_review", Decision::Stop)),
        ("docs", "quick") => sc.gate_escalation = Some(("plan_review", Decision::Accept)),
        // Verification fails twice; execute's and verify's third loop is the last allowed one.
        ("refactor", "standard") => sc.verify_failures = 2,
        // Three review rejections: execute's fourth loop is refused and the user accepts.
        ("refactor", "deep") => {
            sc.review_rejections = 3;
            sc.reentry_decision = Some(Decision::Accept);
        }
        // Three failed verifications, then the user stops the run.
        ("docs", "standard") => {
            sc.verify_failures = 3;
            sc.reentry_decision = Some(Decision::Stop);
        }
        ("spike" | "audit" | "prd", "standard") => sc.review_rejections = 1,
        ("spike", "deep") => sc.verify_failures = 1,
        ("audit", "deep") => sc.verify_failures = 1,
        ("prd", "deep") => sc.review_rejections = 1,
        _ => {}
    }
    sc
}

fn expect_stopped(sc: &Scenario) -> bool {
    matches!(sc.gate_escalation, Some((_, Decision::Stop)))
        || sc.reentry_decision == Some(Decision::Stop)
}

fn replay(intent: &str, depth: &str) {
    let kit = Kit::load();
    let sc = scenario(intent, depth);
    let r = Replay::new(&kit, intent, depth);
    let plan: Vec<String> = r.plan().to_vec();
    assert!(plan.first().is_some_and(|p| p == "clarify"), "{plan:?}");
    for always in ["verify", "review"] {
        assert!(
            plan.iter().any(|p| p == always),
            "{intent} {depth}: {plan:?}"
        );
    }
    let ended = r.run(&sc);
    let st = &ended.status;
    let log = ended.transcript.join("\n");
    let want = if expect_stopped(&sc) {
        "stopped"
    } else {
        "complete"
    };
    assert_eq!(st["status"], want, "{intent} {depth}:\n{log}");
    // Skipped phases never ran.
    for (phase, _) in st["phases"].as_object().unwrap() {
        assert!(
            plan.contains(phase),
            "{intent} {depth}: `{phase}` ran but the table skips it"
        );
    }
    // Every loop within its cap; a completed run finished every planned phase.
    for (phase, count) in st["loops"].as_object().unwrap() {
        let cap = st["caps"][phase]["loop_cap"].as_u64().unwrap();
        assert!(count.as_u64().unwrap() <= cap, "{phase}: {count} > {cap}");
    }
    if want == "complete" {
        for p in &plan {
            let state = &st["phases"][p]["state"];
            assert!(
                state == "exited" || state == "approved",
                "{intent} {depth}: `{p}` ended {state}\n{log}"
            );
        }
    }
    // Every gate on the path rejected at least once before it was decided.
    for gate in ["spec_challenge", "design_review", "plan_review"] {
        if plan.iter().any(|p| p == gate) && st["phases"].get(gate).is_some() {
            let rejections = st["phases"][gate]["rejections"].as_u64().unwrap_or(0);
            assert!(rejections >= 1, "{intent} {depth}: {gate} never rejected");
        }
    }
    let expected_loop = |phase: &str| st["loops"][phase].as_u64().unwrap_or(0);
    if let Some((gate, _)) = sc.gate_escalation {
        assert_eq!(
            expected_loop(gate),
            3,
            "{gate} escalated at its last loop\n{log}"
        );
        assert!(log.contains("loop cap reached, escalated"), "{log}");
    }
    if sc.gate_rejections.get("plan_review") == Some(&2) {
        assert_eq!(
            expected_loop("plan"),
            3,
            "plan's last allowed loop was carried out\n{log}"
        );
        assert_eq!(st["phases"]["plan_review"]["state"], "approved");
    }
    if sc.verify_failures == 2 {
        assert_eq!(expected_loop("execute"), 3, "{log}");
    }
    if sc.reentry_decision.is_some() {
        assert!(
            log.contains("[1] wazir capture loop-check"),
            "the escalation came from a refused re-entry\n{log}"
        );
    }
    let _: &Value = st;
}

macro_rules! paths {
    ($($name:ident: $intent:literal $depth:literal;)*) => {
        $(#[test] fn $name() { replay($intent, $depth); })*
    };
}

paths! {
    feature_quick: "feature" "quick";
    feature_standard: "feature" "standard";
    feature_deep: "feature" "deep";
    bugfix_quick: "bugfix" "quick";
    bugfix_standard: "bugfix" "standard";
    bugfix_deep: "bugfix" "deep";
    refactor_quick: "refactor" "quick";
    refactor_standard: "refactor" "standard";
    refactor_deep: "refactor" "deep";
    docs_quick: "docs" "quick";
    docs_standard: "docs" "standard";
    docs_deep: "docs" "deep";
    spike_quick: "spike" "quick";
    spike_standard: "spike" "standard";
    spike_deep: "spike" "deep";
    audit_quick: "audit" "quick";
    audit_standard: "audit" "standard";
    audit_deep: "audit" "deep";
    prd_quick: "prd" "quick";
    prd_standard: "prd" "standard";
    prd_deep: "prd" "deep";
}
