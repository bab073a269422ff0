//! `wazir capture init|event|route|output|summary|loop-check` and `wazir status` through the real
//! binary: what each writes, what each refuses, resuming the latest run, hostile run ids.

use crate::support::ledger as ledger_support;

use ledger_support::Proj;
use serde_json::Value;

#[test]
fn init_creates_the_run_layout_and_points_latest_at_it() {
    let p = Proj::new();
    let v = p.json(&[
        "capture",
        "init",
        "--run",
        "r1",
        "--phase",
        "spec-challenge",
    ]);
    assert_eq!(
        v["status"]["phase"], "spec_challenge",
        "either spelling works"
    );
    assert_eq!(v["status"]["status"], "active");
    let dir = p.run_dir("r1");
    for f in ["status.json", "events.ndjson"] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    for d in ["captures", "artifacts"] {
        assert!(dir.join(d).is_dir(), "{d}");
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("events.ndjson")).unwrap(),
        ""
    );
    assert_eq!(
        std::fs::read_to_string(p.state().join("runs/latest")).unwrap(),
        "r1\n"
    );
    let st = p.status("r1");
    assert_eq!(st["loops"]["spec_challenge"], 1);
    assert_eq!(st["phases"]["spec_challenge"]["state"], "active");
    // The workflow caps are copied into the status for hooks, which must not parse workflows.
    assert_eq!(st["caps"]["spec_challenge"]["loop_cap"], 3);
    assert_eq!(st["caps"]["spec_challenge"]["gate"], true);
    assert_eq!(st["caps"]["execute"]["loop_cap"], 3);

    let out = p.ok(&[
        "capture", "init", "--run", "r2", "--phase", "plan", "--status", "blocked",
    ]);
    assert!(
        out.contains("started run r2 in phase plan (status blocked)"),
        "{out}"
    );
}

#[test]
fn init_refuses_an_existing_run_an_unknown_phase_and_a_bad_status() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "clarify"]);
    let err = p.refused(&["capture", "init", "--run", "r1", "--phase", "clarify"]);
    assert!(err.contains("run `r1` already exists"), "{err}");
    assert!(err.contains("resume it with `--run r1`"), "{err}");

    let err = p.refused(&["capture", "init", "--run", "r2", "--phase", "lunch"]);
    assert!(err.contains("unknown phase `lunch`"), "{err}");
    assert!(
        err.contains("spec_challenge"),
        "the message lists the phases: {err}"
    );
    assert!(!p.run_dir("r2").exists());

    let err = p.refused(&[
        "capture", "init", "--run", "r3", "--phase", "plan", "--status", "Done!",
    ]);
    assert!(err.contains("invalid status"), "{err}");
}

#[test]
fn hostile_run_ids_are_rejected_by_every_subcommand() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "good", "--phase", "plan"]);
    let long = "a".repeat(300);
    let abs = p.root().join("escape").display().to_string();
    let hostile: Vec<(&str, &str)> = vec![
        ("../x", "`..`"),
        ("..", "`..`"),
        ("a/../../b", "`..`"),
        (&abs, "start with a letter or digit"),
        ("/etc", "start with a letter or digit"),
        ("", "it is empty"),
        (&long, "300 characters long; the limit is 64"),
        ("a/b", "'/'"),
        ("a\\b", "'\\\\'"),
        (".hidden", "start with a letter or digit"),
    ];
    for (id, why) in &hostile {
        let runs: Vec<Vec<&str>> = vec![
            vec!["capture", "init", "--run", id, "--phase", "plan"],
            vec![
                "capture", "event", "--run", id, "--event", "note", "--phase", "plan",
            ],
            vec!["capture", "route", "--run", id, "--name", "x"],
            vec!["capture", "output", "--run", id, "--name", "x"],
            vec![
                "capture",
                "artifact",
                "--run",
                id,
                "--phase",
                "plan",
                "--name",
                "implementation-plan",
                "--file",
                "plan.json",
            ],
            vec!["capture", "summary", "--run", id],
            vec!["capture", "usage", "--run", id],
            vec!["capture", "loop-check", "--run", id, "--phase", "plan"],
            vec!["status", "--run", id],
        ];
        for args in runs {
            let err = p.refused(&args);
            assert!(err.contains("invalid run id"), "{args:?}: {err}");
            assert!(err.contains(why), "{args:?}: {err}");
            assert!(err.len() < 400, "the id is not echoed whole: {err}");
        }
    }
    // Nothing was created outside the runs folder, nor any other run inside it.
    assert!(!p.root().join("escape").exists());
    assert!(!p.state().join("x").exists());
    let runs: Vec<String> = std::fs::read_dir(p.state().join("runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut runs = runs;
    runs.sort();
    assert_eq!(runs, ["good", "latest"]);
}

#[test]
fn capture_names_cannot_leave_the_captures_folder() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "execute"]);
    for name in ["../status.json", "/tmp/x", "a/b", ""] {
        let err = p.refused(&["capture", "route", "--name", name]);
        assert!(err.contains("invalid capture name"), "{name}: {err}");
        let err = p.refused(&["capture", "output", "--name", name]);
        assert!(err.contains("invalid capture name"), "{name}: {err}");
    }
}

#[test]
fn a_corrupt_latest_file_is_reported_not_followed() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "plan"]);
    std::fs::write(p.state().join("runs/latest"), "../../etc\n").unwrap();
    let err = p.refused(&["status"]);
    assert!(err.contains("runs/latest:1"), "{err}");
    assert!(err.contains("invalid run id"), "{err}");
}

#[test]
fn latest_resume_and_explicit_runs() {
    let p = Proj::new();
    let err = p.refused(&["status"]);
    assert!(err.contains("no run given and no current run"), "{err}");
    assert!(err.contains("wazir capture init"), "{err}");
    let err = p.event_refused("note", "plan");
    assert!(err.contains("no run given"), "{err}");

    p.ok(&["capture", "init", "--run", "first", "--phase", "plan"]);
    p.ok(&["capture", "init", "--run", "second", "--phase", "design"]);
    // A new process (a new session) resumes the latest run without being told which.
    let v = p.json(&["status"]);
    assert_eq!(v["run_id"], "second");
    assert_eq!(v["phase"], "design");
    p.ok(&[
        "capture",
        "event",
        "--event",
        "note",
        "--phase",
        "design",
        "--message",
        "resumed",
    ]);
    assert_eq!(p.events("second").len(), 1);
    assert_eq!(p.events("first").len(), 0);
    // An explicit run still works and does not move `latest`.
    p.ok(&[
        "capture", "event", "--run", "first", "--event", "note", "--phase", "plan",
    ]);
    assert_eq!(p.events("first").len(), 1);
    assert_eq!(p.json(&["status"])["run_id"], "second");
    assert_eq!(p.json(&["status", "--run", "first"])["run_id"], "first");
    let text = p.ok(&["status"]);
    assert!(
        text.starts_with("run second in design (active, loop 1); status active"),
        "{text}"
    );

    let err = p.refused(&["status", "--run", "nope"]);
    assert!(err.contains("run `nope` not found"), "{err}");
}

#[test]
fn event_records_a_line_and_updates_the_status() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "verify"]);
    let v = p.json(&[
        "capture",
        "event",
        "--event",
        "verification_recorded",
        "--phase",
        "verify",
        "--message",
        "cargo test: 212 passed",
        "--status",
        "checking",
    ]);
    assert_eq!(v["seq"], 1);
    assert_eq!(v["status"]["status"], "checking");
    let out = p.event("note", "verify");
    assert!(
        out.starts_with("recorded #2 note (verify); run r1 is in verify"),
        "{out}"
    );

    let ev = p.events("r1");
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0]["seq"], 1);
    assert_eq!(ev[0]["event"], "verification_recorded");
    assert_eq!(ev[0]["phase"], "verify");
    assert_eq!(ev[0]["run_id"], "r1");
    assert_eq!(ev[0]["message"], "cargo test: 212 passed");
    assert!(ev[0]["ts"].as_str().unwrap().ends_with('Z'));
    let st = p.status("r1");
    assert_eq!(st["event_count"], 2);
    assert_eq!(st["events"]["note"], 1);
    assert_eq!(st["last_event"]["seq"], 2);

    let err = p.event_refused("party", "verify");
    assert!(err.contains("unknown event `party`"), "{err}");
    assert!(err.contains("phase_enter"), "{err}");
    let err = p.refused(&["capture", "event", "--event", "note", "--phase", "../x"]);
    assert!(err.contains("invalid phase"), "{err}");
    assert_eq!(p.events("r1").len(), 2, "refusals record nothing");
}

#[test]
fn route_reserves_distinct_capture_files() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "execute"]);
    let first = p.ok(&["capture", "route", "--name", "test.log"]);
    let first = first.trim();
    assert!(first.ends_with("runs/r1/captures/test.log"), "{first}");
    assert_eq!(std::fs::read(first).unwrap(), b"");
    let v = p.json(&["capture", "route", "--name", "test.log"]);
    assert_eq!(v["capture"], "test-2.log");
    let st = p.status("r1");
    assert_eq!(st["captures"]["test.log"]["reserved"], true);
    let ev = p.events("r1");
    assert_eq!(ev[1]["event"], "capture_routed");
    assert_eq!(ev[1]["data"]["capture"], "test-2.log");
}

#[test]
fn output_saves_stdin_and_prints_a_short_reference() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "execute"]);
    let body: String = (1..=400)
        .map(|i| format!("test case {i} ... ok\n"))
        .collect();
    let body = format!("{body}error: 1 test failed\n");
    let out = p
        .cmd(&[
            "capture",
            "output",
            "--name",
            "cargo-test.txt",
            "--command",
            "cargo test",
            "--exit-code",
            "101",
        ])
        .write_stdin(body.clone())
        .output()
        .unwrap();
    assert!(out.status.success());
    let reference = String::from_utf8(out.stdout).unwrap();
    assert!(
        reference.starts_with("output of `cargo test`, exit 101: 401 lines"),
        "{reference}"
    );
    assert!(
        reference.contains("error: 1 test failed"),
        "the tail: {reference}"
    );
    assert!(reference.len() < 600, "{reference}");
    let saved = p.run_dir("r1").join("captures/cargo-test.txt");
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), body);

    // A reserved name is filled in place; a taken one gets a suffix.
    p.ok(&["capture", "route", "--name", "build.log"]);
    let v: Value = serde_json::from_slice(
        &p.cmd(&[
            "--json",
            "capture",
            "output",
            "--name",
            "build.log",
            "--exit-code",
            "0",
        ])
        .write_stdin("Finished\n")
        .output()
        .unwrap()
        .stdout,
    )
    .unwrap();
    assert_eq!(v["name"], "build.log");
    assert_eq!(v["lines"], 1);
    assert!(!v["reference"].as_str().unwrap().contains("last lines"));
    let v: Value = serde_json::from_slice(
        &p.cmd(&["--json", "capture", "output", "--name", "build.log"])
            .write_stdin("again\n")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(v["name"], "build-2.log");

    let st = p.status("r1");
    assert_eq!(st["captures"]["cargo-test.txt"]["exit_code"], 101);
    assert_eq!(st["captures"]["build.log"]["reserved"], false);
    let outputs: Vec<Value> = p
        .events("r1")
        .into_iter()
        .filter(|e| e["event"] == "capture_output")
        .collect();
    assert_eq!(outputs.len(), 3);
    assert_eq!(outputs[0]["data"]["command"], "cargo test");
    assert_eq!(outputs[0]["data"]["reference"], reference.trim_end());
}

#[test]
fn run_prints_a_short_output_whole_and_keeps_a_long_one_out() {
    let p = Proj::new();
    // No run yet: the command still runs, output whole, exit code kept.
    let (code, out, _) = p.run(&["capture", "run", "--", "echo before-any-run; exit 7"]);
    assert_eq!((code, out.as_str()), (7, "before-any-run\n"));
    p.ok(&["capture", "init", "--run", "r1", "--phase", "execute"]);
    // Standard output and error in the order written, the exit code kept.
    let (code, out, err) = p.run(&[
        "capture",
        "run",
        "--",
        "echo one; echo two >&2; echo three; exit 3",
    ]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (3, "one\ntwo\nthree\n", "")
    );
    assert!(p.status("r1")["captures"].as_object().unwrap().is_empty());
    // Words after `--` are joined: the shell reads them as one line.
    let (_, out, _) = p.run(&["capture", "run", "--", "echo", "a", "&&", "echo", "b"]);
    assert_eq!(out, "a\nb\n");
    // A signal's exit code is 128 + N.
    let (code, _, _) = p.run(&["capture", "run", "--", "kill -9 $$"]);
    assert_eq!(code, 137);
    // Long: the reference only, the whole output in the capture, recorded as piped.
    let (code, out, _) = p.run(&[
        "capture",
        "run",
        "--host",
        "gemini",
        "--name",
        "seq.txt",
        "--",
        "seq 1 5000; exit 1",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.len() < 2000 && out.contains("5000 lines") && out.contains("exit code 1"),
        "{out}"
    );
    let whole = std::fs::read_to_string(p.run_dir("r1").join("captures/seq.txt")).unwrap();
    assert_eq!(
        whole,
        (1..=5000).map(|i| format!("{i}\n")).collect::<String>()
    );
    let ev = p.events("r1");
    let cap = ev.iter().find(|e| e["event"] == "capture_output").unwrap();
    assert_eq!(cap["data"]["delivery"], "piped");
    assert_eq!(cap["data"]["host"], "gemini");
    let usage = p.json(&["capture", "usage"]);
    assert!(
        usage["total"]["capture"]["avoided_tokens"]
            .as_u64()
            .unwrap()
            > 0,
        "{usage}"
    );
    // The command must come after `--`, so a guard reading the line finds it there.
    let (code, out, err) = p.run(&["capture", "run", "seq 1 5"]);
    assert!(
        code != 0 && out.is_empty() && err.contains("-- <COMMAND>"),
        "{code} {err}"
    );
}

#[test]
fn summary_tells_the_run_in_markdown() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "execute"]);
    p.ok(&[
        "capture",
        "event",
        "--event",
        "note",
        "--phase",
        "execute",
        "--message",
        "began",
    ]);
    p.cmd(&[
        "capture",
        "output",
        "--name",
        "t.txt",
        "--command",
        "make",
        "--exit-code",
        "0",
    ])
    .write_stdin("done\n")
    .assert()
    .success();
    let path = p.ok(&["capture", "summary"]);
    let path = path.trim();
    assert!(path.ends_with("runs/r1/summary.md"), "{path}");
    let md = std::fs::read_to_string(path).unwrap();
    assert!(md.starts_with("# Run r1\n"), "{md}");
    assert!(
        md.contains("- Phase: `execute` (active); run status `active`"),
        "{md}"
    );
    assert!(
        md.contains("| execute | active | 1 | 3 |"),
        "the cap comes from the workflow: {md}"
    );
    assert!(
        md.contains("| t.txt | execute | 1 | 5 | `make` | 0 |"),
        "{md}"
    );
    assert!(md.contains("`note` in `execute`: began"), "{md}");
    let v = p.json(&["capture", "summary", "--run", "r1"]);
    assert!(v["path"].as_str().unwrap().ends_with("summary.md"));
}

#[test]
fn loop_check_allows_the_last_iteration_and_refuses_the_next() {
    let p = Proj::with_fixture_workflows();
    p.ok(&["capture", "init", "--run", "r1", "--phase", "execute"]);
    let out = p.ok(&["capture", "loop-check", "--phase", "execute"]);
    assert_eq!(out.trim(), "execute: loop 1 of 2: within the cap");
    p.event("phase_exit", "execute");
    // Finished at loop 1: entering would start loop 2 of 2, the last allowed one.
    let out = p.ok(&["capture", "loop-check", "--phase", "execute"]);
    assert!(
        out.starts_with("execute: loop 2 of 2: the last allowed iteration"),
        "{out}"
    );
    p.event("phase_enter", "execute");
    // In loop 2 of 2: still allowed, so the text's own steps can carry it out.
    let v = p.json(&["capture", "loop-check", "--phase", "execute"]);
    assert_eq!(
        (
            v["count"].as_u64(),
            v["iteration"].as_u64(),
            v["cap"].as_u64()
        ),
        (Some(2), Some(2), Some(2))
    );
    assert_eq!(
        (v["last_allowed"].as_bool(), v["refused"].as_bool()),
        (Some(true), Some(false))
    );
    p.event("phase_exit", "execute");
    // Loop 3 would pass the cap: exit 1, and the ledger refuses the entry just the same.
    let (code, out, _) = p.run(&["capture", "loop-check", "--phase", "execute"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with("execute: loop 3 would pass the cap of 2: entering is refused"),
        "{out}"
    );
    assert!(out.contains("Hand the failures to the user."), "{out}");
    let (code, out, _) = p.run(&["--json", "capture", "loop-check", "--phase", "execute"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["refused"], true);
    assert_eq!(v["iteration"], 3);
    let err = p.refused(&[
        "capture",
        "event",
        "--event",
        "phase_enter",
        "--phase",
        "execute",
    ]);
    assert!(err.contains("loop cap"), "{err}");
    // A phase never entered is at loop 0.
    let v = p.json(&["capture", "loop-check", "--phase", "specify"]);
    assert_eq!(v["count"], 0);
    assert_eq!(v["iteration"], 1);
    assert_eq!(v["escalation"], Value::Null);
    let err = p.refused(&["capture", "loop-check", "--phase", "nap"]);
    assert!(err.contains("unknown phase `nap`"), "{err}");
}
