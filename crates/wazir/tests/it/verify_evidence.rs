//! Evidence wazir collects itself, through the real binary in a temporary git project: checks run
//! by `wazir verify run`, their freshness against the commit and working tree, the stop guard and
//! the verify exit that accept only those checks, completion, the phase report, and the
//! security dimensions the run's diff adds to the review.

use std::path::Path;
use std::process::Command as StdCommand;

use crate::support::ledger::{Proj, fixture_artifact, kit_example};
use serde_json::{Value, json};

const RUN: &str = "r1";

fn git(root: &Path, args: &[&str]) {
    let out = StdCommand::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A project under git with one commit; the state root (`.state`) is ignored.
fn git_project(p: &Proj) {
    // Scratch JSON files the tests record as artifacts stay out of the diff.
    std::fs::write(p.root().join(".gitignore"), ".state/\n/*.json\n").unwrap();
    std::fs::create_dir_all(p.root().join("src")).unwrap();
    std::fs::write(p.root().join("src/lib.rs"), "pub fn one() -> u32 { 1 }\n").unwrap();
    git(p.root(), &["init", "-q"]);
    git(p.root(), &["add", "-A"]);
    git(p.root(), &["commit", "-q", "-m", "initial"]);
}

fn commit_all(p: &Proj, msg: &str) {
    git(p.root(), &["add", "-A"]);
    git(p.root(), &["commit", "-q", "-m", msg]);
}

/// `wazir hook --host claude stop` with Claude Code's Stop payload.
fn stop(p: &Proj) -> (i32, String) {
    let payload = json!({"session_id": "s1", "transcript_path": "/tmp/t.jsonl",
        "cwd": p.root().display().to_string(), "hook_event_name": "Stop",
        "stop_hook_active": false});
    let out = p
        .cmd(&["hook", "--host", "claude", "stop"])
        .write_stdin(payload.to_string())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The kit's example proof for this run: its evidence cites commands wazir never ran.
fn hand_written_proof(p: &Proj) -> String {
    let mut v = kit_example("verification-proof", RUN);
    v["loop"] = json!(1);
    p.write_json("proof-by-hand.json", &v)
}

#[test]
fn only_checks_wazir_ran_let_the_stop_through_and_they_go_stale() {
    let p = Proj::new();
    git_project(&p);
    p.ok(&["capture", "init", "--run", RUN, "--phase", "verify"]);

    // A hand-written passing proof is kept, marked unverified, and does not let the stop through.
    let file = hand_written_proof(&p);
    let out = p.json(&[
        "capture",
        "artifact",
        "--phase",
        "verify",
        "--name",
        "verification-proof",
        "--file",
        &file,
    ]);
    assert_eq!(out["record"]["verified"], json!(false), "{out:#}");
    let (code, err) = stop(&p);
    assert_eq!(
        code, 2,
        "a hand-written proof must not end the session: {err}"
    );
    assert!(err.contains("no check has been run by wazir"), "{err}");
    let err = p.event_refused("phase_exit", "verify");
    assert!(err.contains("no check has been run by wazir"), "{err}");

    // A failing check blocks the stop and names itself with the command that re-runs it.
    let (code, out, err) = p.run(&[
        "verify",
        "run",
        "--name",
        "unit",
        "--",
        "sh",
        "-c",
        "echo boom; exit 3",
    ]);
    assert_eq!(code, 3, "the check's exit code comes back: {out}{err}");
    assert!(out.contains("boom"), "the output streams through: {out}");
    assert!(out.contains("recorded check unit: failed (exit 3"), "{out}");
    let (code, err) = stop(&p);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("check `unit` failed (exit 3"), "{err}");
    assert!(
        err.contains("wazir verify run --name unit -- sh -c 'echo boom; exit 3'"),
        "{err}"
    );

    // The check passes: the stop goes through.
    let (code, _, err) = p.run(&["verify", "run", "--name", "unit", "--", "true"]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = stop(&p);
    assert_eq!(
        code, 0,
        "a passing fresh check lets the stop through: {err}"
    );
    let proof: Value =
        serde_json::from_str(&std::fs::read_to_string(p.run_dir(RUN).join("proof.json")).unwrap())
            .unwrap();
    let unit = &proof["checks"]["unit"];
    assert_eq!(unit["exit_code"], 0);
    assert_eq!(unit["runs"], 2);
    assert_eq!(unit["command"], json!(["true"]));
    assert!(unit["commit"].as_str().unwrap().len() >= 40, "{unit:#}");
    assert_eq!(unit["output_blake3"].as_str().unwrap().len(), 64);
    assert!(p.run_dir(RUN).join("captures/check-unit.log").is_file());

    // A commit after the check makes it stale; status says so and exits 1.
    std::fs::write(p.root().join("src/lib.rs"), "pub fn one() -> u32 { 2 }\n").unwrap();
    let (code, out, err) = p.run(&["verify", "status"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("stale: the working tree changed since it ran"),
        "{out}"
    );
    commit_all(&p, "change one");
    let (code, err) = stop(&p);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("check `unit` is stale (the commit changed since it ran"),
        "{err}"
    );
    assert!(
        err.contains("wazir verify run --name unit -- true"),
        "{err}"
    );

    // A re-run makes it fresh again.
    p.ok(&["verify", "run", "--name", "unit", "--", "true"]);
    let st = p.json(&["verify", "status"]);
    assert_eq!(st["checks"][0]["freshness"]["state"], "fresh", "{st:#}");
    assert_eq!(st["problems"], json!([]));
    assert_eq!(st["verification_proof"]["verified"], json!(false));
    let (code, err) = stop(&p);
    assert_eq!(code, 0, "{err}");
    p.event("phase_exit", "verify");
}

#[test]
fn secrets_in_a_checks_output_are_redacted_in_the_proof() {
    let p = Proj::new();
    git_project(&p);
    p.ok(&["capture", "init", "--run", RUN, "--phase", "verify"]);
    p.ok(&[
        "verify",
        "run",
        "--",
        "sh",
        "-c",
        "echo DB_PASSWORD=hunter2; echo token: abc123456; echo done",
    ]);
    let proof: Value =
        serde_json::from_str(&std::fs::read_to_string(p.run_dir(RUN).join("proof.json")).unwrap())
            .unwrap();
    let check = &proof["checks"]["sh"];
    let tail = check["tail"].as_str().unwrap();
    assert!(
        !tail.contains("hunter2") && !tail.contains("abc123456"),
        "{tail}"
    );
    assert!(
        !tail.contains("hunter2") && tail.contains("DB_PASSWORD=") && tail.ends_with("done"),
        "{tail}"
    );
    let log = std::fs::read_to_string(p.run_dir(RUN).join("captures/check-sh.log")).unwrap();
    assert!(!log.contains("hunter2"), "{log}");
}

/// Fixture workflows plus a `clarify` that records the run manifest and a `verify` that needs
/// the verification proof.
fn completion_project() -> Proj {
    let p = Proj::with_fixture_workflows();
    let wf = p.root().join("workflows");
    std::fs::write(
        wf.join("clarify.md"),
        "---\nname: clarify\nphase: clarify\nrole: clarifier\ninputs: []\noutputs:\n  \
         - artifact: run-manifest\n    schema: run-manifest\nloop_cap: 2\n\
         escalation: \"Ask the user.\"\nskills: []\n---\n# Clarify\n",
    )
    .unwrap();
    git_project(&p);
    p
}

fn manifest(planned: &[&str], skipped: &[(&str, &str)]) -> Value {
    let mut v = kit_example("run-manifest", RUN);
    v["phases_planned"] = json!(planned);
    v["phases_skipped"] = Value::Array(
        skipped
            .iter()
            .map(|(p, r)| json!({"phase": p, "reason": r}))
            .collect(),
    );
    v
}

fn complete(p: &Proj, phase: &str) -> (i32, String) {
    let (code, _, err) = p.run(&[
        "capture",
        "event",
        "--event",
        "note",
        "--phase",
        phase,
        "--status",
        "complete",
        "--message",
        "run complete",
    ]);
    (code, err)
}

#[test]
fn completion_is_refused_until_every_planned_phase_is_done_and_the_report_counts_it() {
    let p = completion_project();
    p.ok(&["capture", "init", "--run", RUN, "--phase", "clarify"]);
    let m = p.write_json(
        "run-manifest.json",
        &manifest(
            &["clarify", "specify", "spec_challenge", "design", "execute"],
            &[(
                "design",
                "No new interface: the change stays inside one function.",
            )],
        ),
    );
    p.ok(&[
        "capture",
        "artifact",
        "--phase",
        "clarify",
        "--name",
        "run-manifest",
        "--file",
        &m,
    ]);
    let (code, err) = complete(&p, "clarify");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`clarify` is still active"), "{err}");
    assert!(err.contains("`specify` was never entered"), "{err}");
    assert!(err.contains("`spec_challenge` was never entered"), "{err}");
    assert!(err.contains("`execute` was never entered"), "{err}");
    assert!(
        !err.contains("`design`"),
        "design is skipped with a reason: {err}"
    );
    assert!(
        err.contains("proof: no check has been run by wazir"),
        "{err}"
    );
    assert_eq!(
        p.status(RUN)["status"],
        "active",
        "a refusal changes nothing"
    );

    p.event("phase_exit", "clarify");
    p.event("phase_enter", "specify");
    let spec = p.write_json("spec.json", &fixture_artifact(RUN, "specify", 1));
    p.ok(&[
        "capture", "artifact", "--phase", "specify", "--name", "spec", "--file", &spec,
    ]);
    p.event("phase_exit", "specify");
    p.event("phase_enter", "spec_challenge");
    let ch = p.write_json(
        "challenge.json",
        &fixture_artifact(RUN, "spec_challenge", 1),
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
    let (code, err) = complete(&p, "spec_challenge");
    assert_eq!(code, 1);
    assert!(
        err.contains("gate `spec_challenge` has no verdict"),
        "{err}"
    );
    p.ok(&[
        "capture",
        "event",
        "--event",
        "gate_approved",
        "--phase",
        "spec_challenge",
        "--message",
        "0 blockers",
    ]);
    // Only the user records an override: through the prompt hook, as a host would run it.
    let prompt = json!({
        "session_id": "s", "transcript_path": "/tmp/t",
        "cwd": p.root().display().to_string(), "permission_mode": "default",
        "hook_event_name": "UserPromptSubmit",
        "prompt": "wazir allow: user accepted the open question on naming",
    });
    let out = p
        .cmd(&["hook", "--host", "claude", "prompt"])
        .write_stdin(prompt.to_string())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    p.event("phase_enter", "execute");
    std::fs::write(
        p.root().join("src/lib.rs"),
        "pub fn one() -> u32 {\n    1\n}\n",
    )
    .unwrap();
    std::fs::write(
        p.root().join("src/two.rs"),
        "pub fn two() -> u32 {\n    2\n}\n",
    )
    .unwrap();
    let (code, _, _) = p.run(&["verify", "run", "--name", "unit", "--", "false"]);
    assert_eq!(code, 1);
    p.ok(&["verify", "run", "--name", "unit", "--", "true"]);
    p.ok(&["verify", "run", "--name", "lint", "--", "true"]);
    let (code, err) = complete(&p, "execute");
    assert_eq!(code, 1);
    assert!(err.contains("`execute` is still active"), "{err}");
    assert!(!err.contains("proof:"), "the checks are fresh: {err}");
    p.event("phase_exit", "execute");
    let (code, err) = complete(&p, "execute");
    assert_eq!(code, 0, "{err}");
    assert_eq!(p.status(RUN)["status"], "complete");

    // The phase report of execute: three checks (one failed), the diff since the run started.
    let r = p.json(&["status", "--phase", "execute"]);
    assert_eq!(r["state"], "exited", "{r:#}");
    assert_eq!(r["loops_used"], 1);
    assert_eq!(r["loop_cap"], 2);
    assert_eq!(r["checks"].as_array().unwrap().len(), 3, "{r:#}");
    assert_eq!(
        (r["checks_passed"].clone(), r["checks_failed"].clone()),
        (json!(2), json!(1))
    );
    assert_eq!(r["diff"]["files"], 2, "{r:#}");
    assert_eq!(r["diff"]["added"], 6, "{r:#}");
    assert_eq!(r["diff"]["removed"], 1, "{r:#}");
    assert!(r["duration_ms"].as_u64().is_some(), "{r:#}");
    let r = p.json(&["status", "--phase", "spec_challenge"]);
    assert_eq!(r["verdicts"].as_array().unwrap().len(), 1, "{r:#}");
    assert_eq!(r["verdicts"][0]["event"], "gate_approved");
    assert_eq!(r["artifacts"][0]["name"], "challenge");
    assert_eq!(r["overrides"].as_array().unwrap().len(), 1, "{r:#}");
    assert_eq!(r["checks"], json!([]));
    let text = p.ok(&["status", "--phase", "execute"]);
    assert!(text.contains("checks: 3 run, 2 passed, 1 failed"), "{text}");
    assert!(text.contains("2 files, +6 -1"), "{text}");
    assert!(text.contains("  unit failed (exit 1"), "{text}");
}

#[test]
fn a_diff_touching_a_password_hash_and_raw_sql_needs_security_answers_in_review() {
    let p = Proj::new();
    git_project(&p);
    p.ok(&["capture", "init", "--run", RUN, "--phase", "review"]);
    std::fs::write(
        p.root().join("src/accounts.py"),
        "import bcrypt\n\n\ndef store(cur, name, password):\n    \
         hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())\n    \
         cur.execute(\"INSERT INTO users (name, hash) VALUES ('\" + name + \"', %s)\", (hashed,))\n",
    )
    .unwrap();
    commit_all(&p, "store accounts");

    let scan = p.json(&["verify", "security"]);
    let ids: Vec<&str> = scan["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"authentication"), "{scan:#}");
    assert!(ids.contains(&"sql_from_input"), "{scan:#}");
    assert!(!ids.contains(&"dependencies"), "{scan:#}");
    let auth = scan["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "authentication")
        .unwrap();
    assert_eq!(auth["hits"][0]["path"], "src/accounts.py", "{auth:#}");
    assert_eq!(auth["answered"], false);

    let mut review = kit_example("review", RUN);
    review["phase"] = json!("review");
    review["loop"] = json!(1);
    let file = p.write_json("review.json", &review);
    p.ok(&[
        "capture", "artifact", "--phase", "review", "--name", "review", "--file", &file,
    ]);
    let err = p.event_refused("phase_exit", "review");
    assert!(err.contains("security-sensitive"), "{err}");
    assert!(err.contains("`authentication`"), "{err}");
    assert!(err.contains("`sql_from_input`"), "{err}");
    assert!(err.contains("src/accounts.py:"), "{err}");

    // One answer is not enough.
    review["security_dimensions"] = json!([
        {"dimension": "authentication", "answer": "bcrypt with a per-user salt from gensalt(); cost 12 by default.",
         "locations": ["src/accounts.py:5"]}
    ]);
    let file = p.write_json("review.json", &review);
    p.ok(&[
        "capture", "artifact", "--phase", "review", "--name", "review", "--file", &file,
    ]);
    let err = p.event_refused("phase_exit", "review");
    assert!(
        err.contains("`sql_from_input`") && !err.contains("`authentication`"),
        "{err}"
    );

    review["security_dimensions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"dimension": "sql_from_input",
            "answer": "The name is concatenated into the INSERT: finding F7 asks for a parameter."}));
    let file = p.write_json("review.json", &review);
    p.ok(&[
        "capture", "artifact", "--phase", "review", "--name", "review", "--file", &file,
    ]);
    p.event("phase_exit", "review");
}
