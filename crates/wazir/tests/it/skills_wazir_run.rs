//! Replays the ledger commands the `wazir` skill (`kit/skills/wazir/SKILL.md`) prescribes for a
//! `quick bugfix` run - start, the run manifest, phase enter and exit, one plan_review rejected
//! and then approved, verification proof, review, completion and summary - against a temporary
//! project and state root, and checks `status.json`, `events.ndjson` and `wazir status`.

use crate::support::common;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

const RUN: &str = "20261127-fix-login-timeout";

struct Fixture {
    _dir: tempfile::TempDir,
    project: PathBuf,
    state: PathBuf,
    scratch: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        let state = dir.path().join("state");
        let scratch = dir.path().join("scratch");
        for d in [&project, &state, &scratch] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(
            project.join("wazir.manifest.yaml"),
            common::kit_manifest_text(),
        )
        .unwrap();
        let kit = common::repo_root().join("kit");
        for sub in ["workflows", "schemas"] {
            copy_dir(&kit.join(sub), &project.join(sub));
        }
        Fixture {
            _dir: dir,
            project,
            state,
            scratch,
        }
    }

    /// Runs `wazir --state-root STATE <args>` in the project; returns (exit code, stdout, stderr).
    fn wazir(&self, args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
        let mut cmd = common::wazir(&self.project);
        cmd.arg("--state-root").arg(&self.state).args(args);
        if let Some(input) = stdin {
            cmd.write_stdin(input.to_vec());
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `wazir capture event --event EVENT --phase PHASE`, which must succeed.
    fn event(&self, event: &str, phase: &str) -> String {
        self.ok(&["capture", "event", "--event", event, "--phase", phase])
    }

    /// Like [`Fixture::wazir`], but the command must succeed.
    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.wazir(args, None);
        assert_eq!(code, 0, "wazir {} failed:\n{out}\n{err}", args.join(" "));
        out
    }

    /// Writes `value` as a scratch JSON file and records it as an artifact.
    fn artifact(&self, phase: &str, name: &str, value: &Value) {
        let file = self.scratch.join(format!("{name}.json"));
        std::fs::write(&file, serde_json::to_vec_pretty(value).unwrap()).unwrap();
        let f = file.to_str().unwrap();
        self.ok(&[
            "capture", "artifact", "--phase", phase, "--name", name, "--file", f,
        ]);
    }

    fn run_dir(&self) -> PathBuf {
        self.state.join("runs").join(RUN)
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_file() {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

fn example(schema: &str) -> Value {
    let path = common::repo_root()
        .join("kit/templates/examples")
        .join(format!("{schema}.example.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// An example artifact moved into this run, phase and loop.
fn adapt(mut v: Value, phase: &str, loop_number: u64, status: &str) -> Value {
    v["run_id"] = json!(RUN);
    v["phase"] = json!(phase);
    v["loop"] = json!(loop_number);
    v["status"] = json!(status);
    v
}

fn plan_review(loop_number: u64, approve: bool) -> Value {
    let mut v = adapt(
        example("review"),
        "plan_review",
        loop_number,
        if approve { "approved" } else { "rejected" },
    );
    v["subject"] = json!({
        "kind": "plan",
        "ref": format!("implementation-plan, loop {loop_number}"),
        "author_role": "planner",
    });
    v["dimensions_checked"] = json!(["spec_compliance", "tests", "correctness"]);
    if approve {
        v.as_object_mut().unwrap().remove("findings");
        v["no_findings"] = json!(true);
        v["verdict"] = json!("approve");
        v["summary"] = json!("Every acceptance criterion has a task with a failing test first.");
    } else {
        v["findings"] = json!([{
            "id": "F1",
            "severity": "blocker",
            "dimension": "tests",
            "location": "tests/login_timeout.rs:1-30",
            "detail": "Task T1's failing test passes on the current code, so it cannot show the fix.",
            "evidence": "The test asserts the default timeout, which is already 30 seconds today.",
            "fix": "Assert the timeout read from the configuration file instead of the default."
        }]);
        v["verdict"] = json!("reject");
        v["summary"] = json!("The plan's only test cannot fail today; send it back to plan.");
    }
    v
}

/// The transition and ledger events of `events.ndjson`, as `event phase` strings.
fn event_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_quick_bugfix_run_replays_through_the_ledger() {
    let fx = Fixture::new();

    // Step 1: no run yet, so `wazir status` reports none and exits 1.
    let (code, _, err) = fx.wazir(&["status"], None);
    assert_eq!(code, 1, "status without a run must exit 1: {err}");

    // Step 2: start the run, capture the manifest, note the plan. The skill starts it with
    // `wazir capture ensure`, which names it from today's date (`kit_replay` plays that line);
    // this replay needs a fixed id, so it starts the same run in clarify with `capture init`.
    let out = fx.ok(&["capture", "init", "--run", RUN, "--phase", "clarify"]);
    assert!(out.contains(RUN), "{out}");
    let mut manifest = example("run-manifest");
    manifest["run_id"] = json!(RUN);
    manifest["intent"] = json!("bugfix");
    manifest["depth"] = json!("quick");
    manifest["request"] = json!("Logins time out after 5 seconds although the config says 30.");
    manifest["phases_planned"] = json!([
        "clarify",
        "plan",
        "plan_review",
        "execute",
        "verify",
        "review"
    ]);
    fx.artifact("clarify", "run-manifest", &manifest);
    fx.ok(&[
        "capture",
        "event",
        "--event",
        "note",
        "--phase",
        "clarify",
        "--message",
        "intent bugfix, depth quick: clarify plan plan_review execute verify review",
    ]);

    // clarify
    fx.artifact(
        "clarify",
        "clarification",
        &adapt(example("clarification"), "clarify", 1, "final"),
    );
    fx.event("phase_exit", "clarify");

    // plan, loop 1
    fx.ok(&["capture", "loop-check", "--phase", "plan"]);
    fx.event("phase_enter", "plan");
    let plan = example("implementation-plan");
    fx.artifact(
        "plan",
        "implementation-plan",
        &adapt(plan.clone(), "plan", 1, "final"),
    );
    fx.event("phase_exit", "plan");

    // plan_review, loop 1: rejected
    fx.ok(&["capture", "loop-check", "--phase", "plan_review"]);
    fx.event("phase_enter", "plan_review");
    fx.artifact("plan_review", "plan-review", &plan_review(1, false));
    fx.ok(&[
        "capture",
        "event",
        "--event",
        "gate_rejected",
        "--phase",
        "plan_review",
        "--message",
        "blockers: F1",
    ]);
    // A gate never takes phase_exit.
    let (code, _, _) = fx.wazir(
        &[
            "capture",
            "event",
            "--event",
            "phase_exit",
            "--phase",
            "plan_review",
        ],
        None,
    );
    assert_eq!(code, 1, "phase_exit on a gate must be refused");

    // plan, loop 2: the author answers F1, then the gate again
    fx.event("phase_enter", "plan");
    let mut plan2 = adapt(plan, "plan", 2, "final");
    plan2["review_responses"] = json!([{
        "finding_id": "F1",
        "response": "T1 now asserts the timeout read from the configuration file, which fails today."
    }]);
    fx.artifact("plan", "implementation-plan", &plan2);
    fx.event("phase_exit", "plan");
    fx.ok(&["capture", "loop-check", "--phase", "plan_review"]);
    fx.event("phase_enter", "plan_review");
    fx.artifact("plan_review", "plan-review", &plan_review(2, true));
    fx.ok(&[
        "capture",
        "event",
        "--event",
        "gate_approved",
        "--phase",
        "plan_review",
        "--message",
        "0 blockers",
    ]);

    // execute
    fx.ok(&["capture", "loop-check", "--phase", "execute"]);
    fx.event("phase_enter", "execute");
    fx.ok(&[
        "capture",
        "event",
        "--event",
        "note",
        "--phase",
        "execute",
        "--message",
        "T1 done: cargo test login_timeout passes (exit 0)",
    ]);
    fx.event("phase_exit", "execute");

    // verify: route, run into the file, record output with command and exit code, proof
    fx.ok(&["capture", "loop-check", "--phase", "verify"]);
    fx.event("phase_enter", "verify");
    let routed = fx.ok(&["capture", "route", "--name", "full-tests"]);
    let capture = PathBuf::from(routed.trim());
    assert!(capture.starts_with(fx.run_dir()), "{}", capture.display());
    let test_output = b"running 48 tests\ntest result: ok. 48 passed; 0 failed\n";
    std::fs::write(&capture, test_output).unwrap();
    let (code, out, err) = fx.wazir(
        &[
            "capture",
            "output",
            "--name",
            "full-tests",
            "--command",
            "cargo test --workspace",
            "--exit-code",
            "0",
        ],
        Some(test_output),
    );
    assert_eq!(code, 0, "{out}{err}");
    // Only checks wazir ran count at the verify exit and at completion.
    let (code, out, err) = fx.wazir(
        &[
            "verify",
            "run",
            "--name",
            "full-tests",
            "--",
            "sh",
            "-c",
            "echo 'test result: ok. 48 passed; 0 failed'",
        ],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("recorded check full-tests: passed"), "{out}");
    fx.artifact(
        "verify",
        "verification-proof",
        &adapt(example("verification-proof"), "verify", 1, "final"),
    );
    fx.ok(&[
        "capture",
        "event",
        "--event",
        "verification_recorded",
        "--phase",
        "verify",
        "--message",
        "7 checks, 7 passed",
    ]);
    fx.event("phase_exit", "verify");

    // review
    fx.ok(&["capture", "loop-check", "--phase", "review"]);
    fx.event("phase_enter", "review");
    let mut review = adapt(example("review"), "review", 1, "approved");
    review.as_object_mut().unwrap().remove("findings");
    review["no_findings"] = json!(true);
    review["verdict"] = json!("approve");
    review["summary"] =
        json!("The fix reads the configured timeout and its test fails without it.");
    fx.artifact("review", "review", &review);
    fx.event("phase_exit", "review");

    // finish
    fx.ok(&[
        "capture",
        "event",
        "--event",
        "note",
        "--phase",
        "review",
        "--status",
        "complete",
        "--message",
        "run complete",
    ]);
    let summary = fx.ok(&["capture", "summary"]);
    assert!(
        Path::new(summary.trim()).is_file(),
        "summary path: {summary}"
    );

    // status.json
    let status: Value =
        serde_json::from_str(&std::fs::read_to_string(fx.run_dir().join("status.json")).unwrap())
            .unwrap();
    assert_eq!(status["run_id"], RUN);
    assert_eq!(status["status"], "complete");
    assert_eq!(status["phase"], "review");
    assert_eq!(status["loops"]["plan"], 2, "{status:#}");
    assert_eq!(status["loops"]["plan_review"], 2, "{status:#}");
    assert_eq!(status["loops"]["clarify"], 1, "{status:#}");
    assert_eq!(status["phases"]["plan_review"]["state"], "approved");
    assert_eq!(status["phases"]["plan_review"]["rejections"], 1);
    assert_eq!(status["phases"]["review"]["state"], "exited");
    for a in [
        "run-manifest",
        "clarification",
        "implementation-plan",
        "plan-review",
        "verification-proof",
        "review",
    ] {
        assert!(
            status["artifacts"].get(a).is_some(),
            "artifact {a} missing: {status:#}"
        );
    }
    assert_eq!(
        status["artifacts"]["implementation-plan"]["loop"], 2,
        "{status:#}"
    );
    assert_eq!(
        status["captures"]["full-tests"]["exit_code"], 0,
        "{status:#}"
    );
    assert_eq!(
        status["captures"]["full-tests"]["command"],
        "cargo test --workspace"
    );
    for skipped in [
        "discover",
        "specify",
        "spec_challenge",
        "design",
        "design_review",
        "learn",
    ] {
        assert!(
            status["phases"].get(skipped).is_none(),
            "{skipped} should not have run"
        );
    }

    // events.ndjson: the transitions in order
    let events = event_lines(&fx.run_dir().join("events.ndjson"));
    let transitions: Vec<String> = events
        .iter()
        .filter(|e| {
            matches!(
                e["event"].as_str().unwrap(),
                "phase_enter"
                    | "phase_exit"
                    | "gate_approved"
                    | "gate_rejected"
                    | "verification_recorded"
            )
        })
        .map(|e| {
            format!(
                "{} {}",
                e["event"].as_str().unwrap(),
                e["phase"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        transitions,
        vec![
            "phase_exit clarify",
            "phase_enter plan",
            "phase_exit plan",
            "phase_enter plan_review",
            "gate_rejected plan_review",
            "phase_enter plan",
            "phase_exit plan",
            "phase_enter plan_review",
            "gate_approved plan_review",
            "phase_enter execute",
            "phase_exit execute",
            "phase_enter verify",
            "verification_recorded verify",
            "phase_exit verify",
            "phase_enter review",
            "phase_exit review",
        ]
    );
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    let expected: Vec<u64> = (1..=events.len() as u64).collect();
    assert_eq!(seqs, expected, "event sequence numbers are gapless");
    assert!(events.iter().all(|e| e["run_id"] == RUN));

    // `wazir status`, text and JSON
    let text = fx.ok(&["status"]);
    assert!(text.contains(RUN) && text.contains("complete"), "{text}");
    assert!(text.contains("plan_review approved loop 2"), "{text}");
    let json_out = fx.ok(&["--json", "status"]);
    let st: Value = serde_json::from_str(&json_out).unwrap();
    assert_eq!(st["status"], "complete");
    assert_eq!(st["run_id"], RUN);
}

#[test]
fn the_plan_review_gate_stops_at_its_loop_cap() {
    let fx = Fixture::new();
    fx.ok(&["capture", "init", "--run", RUN, "--phase", "clarify"]);
    let mut manifest = example("run-manifest");
    manifest["run_id"] = json!(RUN);
    fx.artifact("clarify", "run-manifest", &manifest);
    fx.artifact(
        "clarify",
        "clarification",
        &adapt(example("clarification"), "clarify", 1, "final"),
    );
    fx.event("phase_exit", "clarify");
    fx.event("phase_enter", "plan");
    let plan = example("implementation-plan");
    for round in 1..=3u64 {
        fx.artifact(
            "plan",
            "implementation-plan",
            &adapt(plan.clone(), "plan", round, "final"),
        );
        fx.event("phase_exit", "plan");
        fx.event("phase_enter", "plan_review");
        fx.artifact("plan_review", "plan-review", &plan_review(round, false));
        if round < 3 {
            fx.event("gate_rejected", "plan_review");
            fx.event("phase_enter", "plan");
        }
    }
    // Third iteration of three: the last allowed one. loop-check lets it run (exit 0) and says
    // a rejection now would be refused; the ledger agrees.
    let (code, out, _) = fx.wazir(&["capture", "loop-check", "--phase", "plan_review"], None);
    assert_eq!(code, 0, "the last allowed iteration runs: {out}");
    assert!(out.contains("last allowed iteration"), "{out}");
    let (code, _, err) = fx.wazir(
        &[
            "capture",
            "event",
            "--event",
            "gate_rejected",
            "--phase",
            "plan_review",
        ],
        None,
    );
    assert_eq!(code, 1, "a fourth iteration must be refused");
    assert!(!err.is_empty());
    // The skill's escalation: a note, then the user's decision recorded as an approval.
    fx.ok(&[
        "capture",
        "event",
        "--event",
        "note",
        "--phase",
        "plan_review",
        "--message",
        "loop cap reached, escalated",
    ]);
    fx.artifact("plan_review", "plan-review", &plan_review(3, true));
    fx.ok(&[
        "capture",
        "event",
        "--event",
        "gate_approved",
        "--phase",
        "plan_review",
        "--message",
        "user accepted plan loop 3",
    ]);
}
