//! Fault tests of the run ledger through the real binary: a small file system that fills up
//! under the state root, writers killed at random moments, a read-only state root, a corrupt
//! `status.json`, an unfinished last event line, a dangling symlinked state root. After each
//! fault the next command works or says exactly what to run, no recorded event is lost, and
//! no message shows a Rust debug form or a raw system error code.
//!
//! The full-disk and read-only cases mount a tmpfs (the tests run as root); where mounting is
//! not possible they say so on stderr and pass without checking.

use crate::support::ledger as ledger_support;
use crate::support::mount::Mount;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use ledger_support::Proj;
use serde_json::Value;

fn no_debug_forms(msg: &str) {
    for bad in ["os error", "Some(", "None", "Os {", "kind:"] {
        assert!(!msg.contains(bad), "debug form `{bad}` in: {msg}");
    }
}

/// Every line of the log parses, ends with a newline, and the sequence numbers run 1..=n.
fn log_is_whole(p: &Proj, state: &Path, run: &str) -> Vec<Value> {
    let _ = p;
    let text = std::fs::read_to_string(state.join("runs").join(run).join("events.ndjson")).unwrap();
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "unterminated log: {text:?}"
    );
    let evs: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    for (i, e) in evs.iter().enumerate() {
        assert_eq!(e["seq"], (i + 1) as u64, "{e}");
    }
    evs
}

fn run_in(p: &Proj, state: &Path, args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let bin = assert_cmd::cargo::cargo_bin("wazir");
    let mut c = Command::new(bin);
    c.current_dir(p.root())
        .env_remove("WAZIR_STATE_ROOT")
        .arg("--state-root")
        .arg(state)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    {
        use std::io::Write;
        let mut sin = child.stdin.take().unwrap();
        let _ = sin.write_all(stdin.unwrap_or_default());
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn note(p: &Proj, state: &Path, msg: &str) -> (i32, String, String) {
    run_in(
        p,
        state,
        &[
            "capture",
            "event",
            "--run",
            "r",
            "--event",
            "note",
            "--phase",
            "execute",
            "--message",
            msg,
        ],
        None,
    )
}

#[test]
fn a_full_disk_fails_cleanly_and_the_run_goes_on_once_space_is_freed() {
    let Some(m) = Mount::tmpfs("256k") else {
        return;
    };
    let p = Proj::new();
    let state = m.path().join("state");
    let (code, _, err) = run_in(
        &p,
        &state,
        &["capture", "init", "--run", "r", "--phase", "execute"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let mut recorded = Vec::new();
    for i in 0..3 {
        let msg = format!("before {i}");
        assert_eq!(note(&p, &state, &msg).0, 0);
        recorded.push(msg);
    }
    // Fill the file system to the last byte.
    let filler = m.path().join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![b'x'; 4096];
        while f.write_all(&chunk).is_ok() {}
        while f.write_all(b"x").is_ok() {}
    }
    let long = "y".repeat(3000);
    let mut failures = 0;
    let mut failed = Vec::new();
    for i in 0..5 {
        let msg = format!("full {i} {long}");
        let (code, _, err) = note(&p, &state, &msg);
        if code == 0 {
            recorded.push(msg);
            continue;
        }
        // The line may have gone in with only the status write failing: then it is counted
        // on the next write. Either way the log stays whole.
        failed.push(msg);
        failures += 1;
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains("the disk is full") && err.contains("free some space"),
            "{err}"
        );
        assert_eq!(err.matches("disk is full").count(), 1, "said once: {err}");
        no_debug_forms(&err);
        log_is_whole(&p, &state, "r");
    }
    assert!(failures > 0, "the disk never filled");
    // A large capture fails the same way and leaves no temporary file behind.
    let big = vec![b'z'; 200_000];
    let (code, _, err) = run_in(
        &p,
        &state,
        &["capture", "output", "--run", "r", "--name", "big.txt"],
        Some(&big),
    );
    assert_eq!(code, 1, "{err}");
    no_debug_forms(&err);
    // Status still reads.
    let (code, out, err) = run_in(&p, &state, &["status", "--run", "r"], None);
    assert_eq!(code, 0, "{out}{err}");

    std::fs::remove_file(&filler).unwrap();
    let (code, _, err) = note(&p, &state, "after");
    assert_eq!(code, 0, "the run goes on once space is freed: {err}");
    recorded.push("after".into());
    let evs = log_is_whole(&p, &state, "r");
    let messages: Vec<&str> = evs.iter().filter_map(|e| e["message"].as_str()).collect();
    let kept: Vec<&str> = messages
        .iter()
        .copied()
        .filter(|m| recorded.iter().any(|r| r == m))
        .collect();
    assert_eq!(
        kept,
        recorded.iter().map(String::as_str).collect::<Vec<_>>(),
        "no event lost"
    );
    assert!(
        messages
            .iter()
            .all(|m| recorded.iter().chain(&failed).any(|r| r == m))
    );
    let (code, out, _) = run_in(&p, &state, &["--json", "status", "--run", "r"], None);
    assert_eq!(code, 0);
    let st: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(st["event_count"], evs.len() as u64);
    let litter = walk(&state)
        .into_iter()
        .filter(|f| {
            f.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".wazir-tmp-")
        })
        .count();
    assert_eq!(litter, 0);
}

#[test]
fn a_read_only_state_root_is_reported_and_recovers() {
    let Some(m) = Mount::tmpfs("1m") else { return };
    let p = Proj::new();
    let state = m.path().join("state");
    assert_eq!(
        run_in(
            &p,
            &state,
            &["capture", "init", "--run", "r", "--phase", "execute"],
            None
        )
        .0,
        0
    );
    assert_eq!(note(&p, &state, "one").0, 0);
    m.remount("ro");
    let (code, _, err) = note(&p, &state, "refused");
    m.remount("rw");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("read-only") && err.contains("--state-root"),
        "{err}"
    );
    no_debug_forms(&err);
    assert_eq!(note(&p, &state, "two").0, 0);
    let evs = log_is_whole(&p, &state, "r");
    let messages: Vec<&str> = evs.iter().filter_map(|e| e["message"].as_str()).collect();
    assert_eq!(messages, ["one", "two"]);
}

/// A small xorshift generator: reproducible random moments without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn writers_killed_at_random_moments_lose_no_event_and_their_litter_is_cleaned() {
    // 60 rounds by default; WAZIR_KILL_ROUNDS asks for more (the issue's measurement used 300).
    let rounds: usize = std::env::var("WAZIR_KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let p = Proj::new();
    let state = p.state();
    p.ok(&["capture", "init", "--run", "r", "--phase", "execute"]);
    let bin = assert_cmd::cargo::cargo_bin("wazir");
    let big: Vec<u8> = (0..200_000).map(|i| b"abcdefgh\n"[i % 9]).collect();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut survived = Vec::new();
    for round in 0..rounds {
        let mut kids = Vec::new();
        for w in 0..3 {
            let mut c = Command::new(&bin);
            c.current_dir(p.root())
                .env_remove("WAZIR_STATE_ROOT")
                .arg("--state-root")
                .arg(&state)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let msg = format!("round {round} writer {w}");
            if w == 0 {
                c.args(["capture", "output", "--run", "r", "--name"])
                    .arg(format!("out-{round}.txt"));
            } else {
                c.args(["capture", "event", "--run", "r", "--event", "note"])
                    .args(["--phase", "execute", "--message", &msg]);
            }
            let mut child = c.spawn().unwrap();
            let stdin = child.stdin.take().unwrap();
            kids.push((child, Some(stdin), msg, w));
        }
        for (_, stdin, _, w) in kids.iter_mut() {
            let mut s = stdin.take().unwrap();
            if *w == 0 {
                use std::io::Write;
                let _ = s.write_all(&big);
            }
        }
        std::thread::sleep(Duration::from_micros(rng.next() % 40_000));
        for (mut child, _, msg, w) in kids {
            if rng.next().is_multiple_of(2) {
                let _ = child.kill();
            }
            let status = child.wait().unwrap();
            if status.success() && w != 0 {
                survived.push(msg);
            }
        }
    }
    // The next command works; afterwards no temporary file or unrecorded capture remains.
    let (code, out, err) = p.run(&["capture", "prune"]);
    assert_eq!(code, 0, "{out}{err}");
    let evs = log_is_whole(&p, &state, "r");
    let logged: std::collections::BTreeSet<&str> =
        evs.iter().filter_map(|e| e["message"].as_str()).collect();
    for m in &survived {
        assert!(
            logged.contains(m.as_str()),
            "event of a writer that exited 0 is lost: {m}"
        );
    }
    let st = p.status("r");
    assert_eq!(st["event_count"], evs.len() as u64);
    let captures = p.run_dir("r").join("captures");
    for f in std::fs::read_dir(&captures).unwrap().flatten() {
        let name = f.file_name().to_string_lossy().into_owned();
        assert!(
            !name.starts_with(".wazir-tmp-"),
            "temporary file left: {name}"
        );
        assert!(
            st["captures"].get(&name).is_some(),
            "unrecorded capture left: {name}"
        );
    }
    for f in walk(&state) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            !name.starts_with(".wazir-tmp-"),
            "temporary file left: {}",
            f.display()
        );
    }
    eprintln!(
        "kill loop: {rounds} rounds, {} events survived, {} lines logged",
        survived.len(),
        evs.len()
    );
}

#[test]
fn a_corrupt_or_missing_status_is_rebuilt_from_the_events() {
    let p = Proj::with_fixture_workflows();
    p.ok(&["capture", "init", "--run", "r", "--phase", "execute"]);
    p.ok(&[
        "capture",
        "event",
        "--event",
        "note",
        "--phase",
        "execute",
        "--message",
        "a",
    ]);
    p.ok(&[
        "capture",
        "event",
        "--event",
        "phase_exit",
        "--phase",
        "execute",
    ]);
    p.ok(&[
        "capture",
        "event",
        "--event",
        "phase_enter",
        "--phase",
        "execute",
    ]);
    let mut out = p.cmd(&[
        "capture",
        "output",
        "--name",
        "log.txt",
        "--command",
        "make",
    ]);
    out.write_stdin("line\n".repeat(10)).assert().success();
    let good = p.status("r");

    let status = p.run_dir("r").join("status.json");
    std::fs::write(&status, "{\"version\": 1, \"run_id\": ").unwrap();
    for args in [
        &["status"][..],
        &["capture", "event", "--event", "note", "--phase", "execute"][..],
    ] {
        let err = p.refused(args);
        assert!(err.contains("wazir status --repair --run r"), "{err}");
        no_debug_forms(&err);
    }
    let said = p.ok(&["status", "--repair"]);
    assert!(said.contains("the old status was corrupt"), "{said}");
    let rebuilt = p.status("r");
    for k in [
        "phase",
        "event_count",
        "events",
        "loops",
        "captures",
        "events_bytes",
    ] {
        assert_eq!(rebuilt[k], good[k], "{k}");
    }
    assert_eq!(rebuilt["phases"]["execute"]["state"], "active");

    std::fs::remove_file(&status).unwrap();
    let err = p.refused(&["status"]);
    assert!(err.contains("wazir status --repair --run r"), "{err}");
    p.ok(&["status", "--repair"]);
    assert_eq!(p.status("r")["event_count"], good["event_count"]);
    p.ok(&["capture", "event", "--event", "note", "--phase", "execute"]);
}

#[test]
fn an_unfinished_last_line_is_cut_and_reported_once() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r", "--phase", "execute"]);
    p.ok(&[
        "capture",
        "event",
        "--event",
        "note",
        "--phase",
        "execute",
        "--message",
        "kept",
    ]);
    let log = p.run_dir("r").join("events.ndjson");
    let mut text = std::fs::read_to_string(&log).unwrap();
    let torn = "{\"seq\":2,\"ts\":\"2026-12-0";
    text.push_str(torn);
    std::fs::write(&log, text).unwrap();
    // Readers leave it out.
    p.ok(&["status"]);
    p.ok(&["capture", "summary"]);
    let (code, _, err) = p.run(&["capture", "event", "--event", "note", "--phase", "execute"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("note:") && err.contains("unfinished"), "{err}");
    let (code, _, err) = p.run(&["capture", "event", "--event", "note", "--phase", "execute"]);
    assert_eq!((code, err.as_str()), (0, ""), "reported once");
    let evs = p.events("r");
    let names: Vec<&str> = evs.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(names, ["note", "ledger_repaired", "note", "note"]);
    assert_eq!(evs[1]["data"]["cut_bytes"], torn.len() as u64);
}

#[cfg(unix)]
#[test]
fn a_dangling_symlinked_state_root_is_named() {
    let p = Proj::new();
    let link = p.root().join("state-link");
    std::os::unix::fs::symlink(p.root().join("missing-target"), &link).unwrap();
    let (code, _, err) = run_in(
        &p,
        &link,
        &["capture", "init", "--run", "r", "--phase", "execute"],
        None,
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("is a symbolic link to") && err.contains("missing-target"),
        "{err}"
    );
    no_debug_forms(&err);
}

#[cfg(unix)]
#[test]
fn state_root_folders_are_0700_and_files_0600() {
    use std::os::unix::fs::PermissionsExt;
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r", "--phase", "execute"]);
    p.ok(&["capture", "event", "--event", "note", "--phase", "execute"]);
    p.cmd(&["capture", "output", "--name", "o.txt"])
        .write_stdin("x\n")
        .assert()
        .success();
    p.ok(&["capture", "summary"]);
    p.ok(&["capture", "usage"]);
    let mut seen = 0;
    for f in walk(&p.state()) {
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
        seen += 1;
        let mut d = f.parent().unwrap();
        while d.starts_with(p.state()) {
            let mode = std::fs::metadata(d).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{}", d.display());
            d = d.parent().unwrap();
        }
    }
    assert!(seen >= 8, "{seen} files");
}

#[test]
fn prune_applies_the_size_limit_oldest_first() {
    let p = Proj::new();
    p.ok(&["capture", "init", "--run", "r", "--phase", "execute"]);
    let mib = "x".repeat(1024 * 1024);
    for i in 0..3 {
        p.cmd(&["capture", "output", "--name", &format!("c{i}.txt")])
            .write_stdin(mib.clone())
            .assert()
            .success();
        std::thread::sleep(Duration::from_millis(20));
    }
    let report = p.json(&["capture", "prune", "--max-mb", "2"]);
    let removed: Vec<&str> = report["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["capture"].as_str().unwrap())
        .collect();
    assert_eq!(removed, ["c0.txt"]);
    assert!(!p.run_dir("r").join("captures/c0.txt").exists());
    let st = p.status("r");
    assert!(st["captures"]["c0.txt"]["pruned_at"].is_string());
    assert!(st["captures"]["c1.txt"]["pruned_at"].is_null());
    assert_eq!(p.events("r").last().unwrap()["event"], "capture_pruned");
    // On new writes the run's own captures are held to the limit from the environment.
    p.cmd(&["capture", "output", "--name", "c3.txt"])
        .env("WAZIR_CAPTURE_MAX_MB", "2")
        .write_stdin(mib)
        .assert()
        .success();
    let st = p.status("r");
    assert!(st["captures"]["c1.txt"]["pruned_at"].is_string(), "{st}");
    assert!(p.run_dir("r").join("captures/c3.txt").is_file());
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let t = e.file_type().unwrap();
            if t.is_dir() {
                stack.push(e.path());
            } else if t.is_file() {
                out.push(e.path());
            }
        }
    }
    out
}
