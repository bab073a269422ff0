//! Shared by the `ledger_*` integration tests: a project in a temporary folder (the kit's
//! manifest; workflows and schemas from the embedded kit unless a test writes its own), a state
//! root beside it, and the real `wazir` binary run inside it.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

pub struct Proj {
    pub dir: tempfile::TempDir,
}

impl Proj {
    /// A project with the kit manifest and nothing else: every workflow and schema comes from
    /// the kit embedded in the binary.
    pub fn new() -> Proj {
        let dir = tempfile::tempdir().unwrap();
        let manifest = repo_root().join("kit/wazir.manifest.yaml");
        std::fs::copy(manifest, dir.path().join("wazir.manifest.yaml")).unwrap();
        Proj { dir }
    }

    /// A project whose `specify`, `spec-challenge` and `execute` workflows are small fixtures:
    /// `specify` must produce `spec` (schema `fixture-spec`), `spec-challenge` is a gate that
    /// must produce `challenge` and rejects to `specify` with a cap of 2, `execute` has cap 2.
    pub fn with_fixture_workflows() -> Proj {
        let p = Proj::new();
        let wf = p.root().join("workflows");
        std::fs::create_dir_all(&wf).unwrap();
        std::fs::write(
            wf.join("specify.md"),
            "---\nname: specify\nphase: specify\nrole: specifier\ninputs: []\noutputs:\n  \
             - artifact: spec\n    schema: fixture-spec\nloop_cap: 3\n\
             escalation: \"Ask the user to pick a spec.\"\nskills: []\n---\n# Specify\n",
        )
        .unwrap();
        std::fs::write(
            wf.join("spec-challenge.md"),
            "---\nname: spec-challenge\nphase: spec_challenge\nrole: reviewer\ninputs: [spec]\n\
             outputs:\n  - artifact: challenge\n    schema: fixture-spec\ngate: true\n\
             rejects_to: specify\nloop_cap: 2\n\
             escalation: \"Stop and ask the user to settle the open challenges.\"\n\
             skills: []\n---\n# Spec challenge\n",
        )
        .unwrap();
        std::fs::write(
            wf.join("execute.md"),
            "---\nname: execute\nphase: execute\nrole: executor\ninputs: []\noutputs: []\n\
             loop_cap: 2\nescalation: \"Hand the failures to the user.\"\nskills: []\n---\n",
        )
        .unwrap();
        let schemas = p.root().join("schemas");
        std::fs::create_dir_all(&schemas).unwrap();
        std::fs::write(
            schemas.join("fixture-spec.schema.json"),
            serde_json::json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "required": ["phase", "run_id", "loop", "title"],
                "properties": {
                    "loop": {"type": "integer", "minimum": 1},
                    "title": {"type": "string", "minLength": 3}
                }
            })
            .to_string(),
        )
        .unwrap();
        p
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn state(&self) -> PathBuf {
        self.root().join(".state")
    }

    pub fn run_dir(&self, run: &str) -> PathBuf {
        self.state().join("runs").join(run)
    }

    /// `wazir ARGS` in the project with the state root given by `--state-root`.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("wazir").unwrap();
        c.current_dir(self.root());
        c.env_remove("WAZIR_STATE_ROOT");
        c.arg("--state-root").arg(self.state());
        c.args(args);
        c
    }

    /// Runs `wazir ARGS`; returns (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `wazir capture event --event EVENT --phase PHASE`, which must succeed.
    pub fn event(&self, event: &str, phase: &str) -> String {
        self.ok(&["capture", "event", "--event", event, "--phase", phase])
    }

    /// `wazir capture event --event EVENT --phase PHASE`, which must be refused; returns stderr.
    pub fn event_refused(&self, event: &str, phase: &str) -> String {
        self.refused(&["capture", "event", "--event", event, "--phase", phase])
    }

    /// Runs `wazir ARGS`, asserts exit 0, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(
            code, 0,
            "wazir {args:?} failed\nstdout: {out}\nstderr: {err}"
        );
        out
    }

    /// Runs `wazir --json ARGS`, asserts exit 0, parses stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.ok(&all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }

    /// Runs `wazir ARGS`, asserts exit 1, returns stderr.
    pub fn refused(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(
            code, 1,
            "wazir {args:?} should fail\nstdout: {out}\nstderr: {err}"
        );
        err
    }

    pub fn status(&self, run: &str) -> Value {
        let text = std::fs::read_to_string(self.run_dir(run).join("status.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    pub fn events(&self, run: &str) -> Vec<Value> {
        std::fs::read_to_string(self.run_dir(run).join("events.ndjson"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Writes a JSON file in the project and returns its path as a string.
    pub fn write_json(&self, name: &str, v: &Value) -> String {
        let p = self.root().join(name);
        std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
        p.display().to_string()
    }
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fixture artifact for the fixture workflows.
pub fn fixture_artifact(run: &str, phase: &str, loop_number: u64) -> Value {
    serde_json::json!({
        "phase": phase,
        "run_id": run,
        "loop": loop_number,
        "status": "final",
        "title": "A title long enough"
    })
}

/// The kit's example for `name`, moved to `run` (the examples carry their own run id).
pub fn kit_example(name: &str, run: &str) -> Value {
    let p = repo_root().join(format!("kit/templates/examples/{name}.example.json"));
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    v["run_id"] = Value::String(run.to_string());
    v
}
