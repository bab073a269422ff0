//! A state root an older Wazir kept under the bare project name (`~/.wazir/projects/<slug>`), met
//! by every command that reads or writes run state, through the real binary: `status`,
//! `capture`, a hook and `doctor` each move it to today's name (slug and path digest) and carry
//! on with its runs; a move that cannot happen leaves it in use where it is, and says so.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::hook::run_hook;
use crate::support::ledger::Proj;
use serde_json::{Value, json};
use wazir_ledger::{Ledger, RunId};

/// A project (the kit's manifest: slug `wazir`), a home folder, and a run `run-1` in the execute
/// phase recorded under the state root the older Wazir used by default.
struct Legacy {
    proj: Proj,
    home: tempfile::TempDir,
}

impl Legacy {
    fn new() -> Legacy {
        Legacy::with_template(None)
    }

    /// With `paths.state_root_default` set to `template` (relative to home) when given.
    fn with_template(template: Option<&str>) -> Legacy {
        let l = Legacy {
            proj: Proj::new(),
            home: tempfile::tempdir().unwrap(),
        };
        if let Some(t) = template {
            let path = l.proj.root().join("wazir.manifest.yaml");
            let text = std::fs::read_to_string(&path).unwrap().replace(
                "state_root_default: \"~/.wazir/projects/{project_slug}\"",
                &format!("state_root_default: \"{t}\""),
            );
            assert!(text.contains(t), "the kit's default changed");
            std::fs::write(&path, text).unwrap();
        }
        let ledger = Ledger::new(&l.old());
        ledger
            .init(&RunId::parse("run-1").unwrap(), "execute", None)
            .unwrap();
        l
    }

    fn template(&self) -> String {
        let text = std::fs::read_to_string(self.proj.root().join("wazir.manifest.yaml")).unwrap();
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("state_root_default:"))
            .unwrap();
        let value = line.split_once(':').unwrap().1.trim().trim_matches('"');
        value.replacen('~', &self.home.path().display().to_string(), 1)
    }

    /// Where the older Wazir kept the state: `{project_slug}` was the bare slug.
    fn old(&self) -> PathBuf {
        PathBuf::from(self.template().replace("{project_slug}", "wazir"))
    }

    /// Where today's Wazir keeps it: the slug and 12 hex digits of the root's digest.
    fn new_root(&self) -> PathBuf {
        let canonical = self.proj.root().canonicalize().unwrap();
        let digest = wazir_core::digest::sha256_hex(canonical.to_string_lossy().as_bytes());
        let key = format!("wazir-{}", &digest[..12]);
        PathBuf::from(self.template().replace("{project_slug}", &key))
    }

    /// `wazir ARGS` in the project, with this home and no state root flag or variable.
    fn wazir(&self, args: &[&str]) -> Output {
        assert_cmd::Command::cargo_bin("wazir")
            .unwrap()
            .current_dir(self.proj.root())
            .env_remove("WAZIR_STATE_ROOT")
            .env("HOME", self.home.path())
            .args(args)
            .output()
            .unwrap()
    }

    /// The run's events, read from wherever the state root now is.
    fn events(&self, state: &Path) -> Vec<String> {
        Ledger::new(state)
            .events(&RunId::parse("run-1").unwrap())
            .unwrap()
            .into_iter()
            .map(|e| e.event)
            .collect()
    }

    fn assert_moved(&self) {
        assert!(
            !self.old().exists(),
            "{} is still there",
            self.old().display()
        );
        assert!(
            self.new_root().join("runs/run-1/status.json").is_file(),
            "the run was not moved to {}",
            self.new_root().display()
        );
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn status_moves_the_old_state_root_and_shows_its_run() {
    let l = Legacy::new();
    let out = l.wazir(&["--json", "status"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["run_id"], "run-1", "{v}");
    let err = text(&out.stderr);
    assert!(
        err.contains("moved this project's state root")
            && err.contains(&l.old().display().to_string()),
        "{err}"
    );
    l.assert_moved();
    // The next command finds it at its new place and says nothing more.
    let again = l.wazir(&["status"]);
    assert!(again.status.success());
    assert!(text(&again.stdout).contains("run-1"));
    assert_eq!(text(&again.stderr), "");
}

#[test]
fn capture_writes_into_the_moved_run() {
    let l = Legacy::new();
    let out = l.wazir(&[
        "capture", "event", "--run", "run-1", "--event", "note", "--phase", "execute",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    l.assert_moved();
    let events = l.events(&l.new_root());
    assert_eq!(
        events.last().map(String::as_str),
        Some("note"),
        "{events:?}"
    );
}

#[test]
fn a_hook_moves_it_silently_and_the_session_starts_in_the_old_run() {
    let l = Legacy::new();
    let home = l.home.path().display().to_string();
    let root = l.proj.root().canonicalize().unwrap();
    let payload = json!({"session_id": "s", "cwd": root, "hook_event_name": "SessionStart",
        "source": "startup"});
    let out = run_hook(
        &root,
        None,
        "claude",
        "session-start",
        &payload.to_string(),
        &[("HOME", home.as_str())],
    );
    assert_eq!(out.code, 0, "{out:?}");
    // The hook speaks the host's protocol only: no note on stderr.
    assert_eq!(out.stderr, "");
    let ctx = out.json()["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ctx.contains("run-1"), "{ctx}");
    l.assert_moved();
}

#[test]
fn doctor_moves_it_and_reports_where_from() {
    let l = Legacy::new();
    let out = l.wazir(&["--json", "doctor"]);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)));
    let area = v["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["area"] == "state-root")
        .unwrap_or_else(|| panic!("no state-root area: {v}"));
    let detail = area["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("moved from {}", l.old().display())),
        "{detail}"
    );
    l.assert_moved();
}

#[test]
fn an_explicit_state_root_leaves_the_old_one_alone() {
    let l = Legacy::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = l.wazir(&["--state-root", elsewhere.path().to_str().unwrap(), "status"]);
    assert!(!out.status.success(), "no run there: {}", text(&out.stdout));
    assert!(l.old().join("runs/run-1").is_dir());
    assert!(!l.new_root().exists());
}

#[test]
fn an_old_state_root_that_cannot_be_moved_is_used_where_it_is() {
    // `{project_slug}` in the middle of the template: the new root's parent folder would be
    // `state/wazir-<digest>`, and a file of that name stops the move.
    let l = Legacy::with_template(Some("~/state/{project_slug}/here"));
    let blocker = l.new_root().parent().unwrap().to_path_buf();
    std::fs::create_dir_all(blocker.parent().unwrap()).unwrap();
    std::fs::write(&blocker, "not a folder\n").unwrap();

    let out = l.wazir(&[
        "capture", "event", "--run", "run-1", "--event", "note", "--phase", "execute",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("using the older state root"), "{err}");
    assert_eq!(
        l.events(&l.old()).last().map(String::as_str),
        Some("note"),
        "the event went to the old state root"
    );

    let out = l.wazir(&["--json", "doctor"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v.to_string();
    assert!(
        findings.contains("still under the older bare project name"),
        "{findings}"
    );
}

#[test]
fn init_dry_run_moves_nothing_and_init_moves_it() {
    let l = Legacy::new();
    let args = ["init", "--no-index", "--host", "codex"];
    let out = l.wazir(&[&args[..], &["--dry-run"]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(l.old().join("runs/run-1").is_dir());
    assert!(!l.new_root().exists());
    let out = l.wazir(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("moved from {}", l.old().display())),
        "{}",
        text(&out.stdout)
    );
    l.assert_moved();
}
