//! Drives the real binary through a `/wazir` run exactly as the kit's text says: the commands
//! are read from `kit/skills/wazir/SKILL.md` and `kit/workflows/*.md` (never copied here), the
//! artifacts are built from the kit's examples, and every refusal of a step the text demands,
//! every escalation the ledger would not have needed, and every input a phase reads that its
//! path never produced (without the text saying what stands in for it) fails the replay.
//! `wazir compose`, `index` and `recall` lines are not run: they do not touch the ledger.
#![allow(dead_code)]

pub mod kit_text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use kit_text::{Doc, phase_policy};

use super::common;

/// What a scenario does at each decision point.
#[derive(Debug, Clone, Default)]
pub struct Scenario {
    /// Gate phase → rejections before it approves (each gate not listed: 1).
    pub gate_rejections: BTreeMap<&'static str, u32>,
    /// A gate that keeps rejecting until its last loop, then escalates: accepted or stopped.
    pub gate_escalation: Option<(&'static str, Decision)>,
    /// Failed verifications before one passes; past the cap, the run escalates.
    pub verify_failures: u32,
    /// Review rejections before an approval.
    pub review_rejections: u32,
    /// What the user decides at an escalation from a refused re-entry.
    pub reentry_decision: Option<Decision>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Stop,
}

/// The kit text the replay reads.
pub struct Kit {
    pub skill: Doc,
    pub workflows: BTreeMap<String, Doc>,
}

impl Kit {
    pub fn load() -> Kit {
        let kit = common::repo_root().join("kit");
        let skill = Doc::read(&kit.join("skills/wazir/SKILL.md"));
        let mut workflows = BTreeMap::new();
        for e in std::fs::read_dir(kit.join("workflows")).unwrap().flatten() {
            // Workflows are the markdown files; the folder also holds data the phases read.
            if e.path().extension().is_none_or(|x| x != "md") {
                continue;
            }
            let d = Doc::read(&e.path());
            workflows.insert(d.front_value("phase").expect("workflow phase"), d);
        }
        Kit { skill, workflows }
    }

    fn wf(&self, phase: &str) -> &Doc {
        self.workflows
            .get(phase)
            .unwrap_or_else(|| panic!("no workflow for phase `{phase}`"))
    }
}

/// How a replayed run ended.
#[derive(Debug)]
pub struct Ended {
    pub status: Value,
    pub transcript: Vec<String>,
}

enum Entered {
    Yes { last_allowed: bool },
    Refused,
}

pub struct Replay<'k> {
    kit: &'k Kit,
    _dir: tempfile::TempDir,
    project: PathBuf,
    state: PathBuf,
    run: String,
    intent: String,
    depth: String,
    plan: Vec<String>,
    pub transcript: Vec<String>,
}

impl<'k> Replay<'k> {
    pub fn new(kit: &'k Kit, intent: &str, depth: &str) -> Replay<'k> {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        let state = dir.path().join("state");
        for d in [&project, &state] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(
            project.join("wazir.manifest.yaml"),
            common::kit_manifest_text(),
        )
        .unwrap();
        let kit_dir = common::repo_root().join("kit");
        for sub in ["workflows", "schemas"] {
            copy_dir(&kit_dir.join(sub), &project.join(sub));
        }
        let plan = phase_policy(&kit.skill)
            .remove(&(intent.to_string(), depth.to_string()))
            .unwrap_or_else(|| panic!("the phase table has no column `{intent}`"));
        Replay {
            kit,
            _dir: dir,
            project,
            state,
            // Replaced by the name `wazir capture ensure` gives the run (Step 1).
            run: String::new(),
            intent: intent.into(),
            depth: depth.into(),
            plan,
            transcript: Vec::new(),
        }
    }

    pub fn plan(&self) -> &[String] {
        &self.plan
    }

    fn run_dir(&self) -> PathBuf {
        self.state.join("runs").join(&self.run)
    }

    fn where_(&self) -> String {
        format!("{} {} run", self.depth, self.intent)
    }

    /// Runs one command line of the kit text; `phase` replaces its `--phase` value (for the
    /// skill's generic examples). Returns (exit code, stdout, stderr).
    fn sh(&mut self, line: &str, phase: Option<&str>) -> (i32, String, String) {
        let run_dir = self.run_dir().display().to_string();
        let line = line.replace("<run-dir>", &run_dir);
        let mut args = shell_words::split(&line)
            .unwrap_or_else(|e| panic!("kit command `{line}` does not parse: {e}"));
        assert_eq!(args.remove(0), "wazir");
        for i in 0..args.len().saturating_sub(1) {
            match args[i].as_str() {
                "--run" => args[i + 1] = self.run.clone(),
                "--phase" if phase.is_some() => args[i + 1] = phase.unwrap().to_string(),
                _ => {}
            }
        }
        let out = common::wazir(&self.project)
            .arg("--state-root")
            .arg(&self.state)
            .args(&args)
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        self.transcript
            .push(format!("[{code}] wazir {}", args.join(" ")));
        (
            code,
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs a command the text demands; the ledger must accept it.
    fn must(&mut self, line: &str, phase: Option<&str>) -> String {
        let (code, out, err) = self.sh(line, phase);
        assert_eq!(
            code,
            0,
            "{}: the text says `{line}`, and the ledger refused it:\n{out}{err}\ntranscript:\n{}",
            self.where_(),
            self.transcript.join("\n")
        );
        out
    }

    fn status(&self) -> Value {
        let p = self.run_dir().join("status.json");
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    fn loop_of(&self, phase: &str) -> u64 {
        self.status()["loops"][phase].as_u64().unwrap_or(1).max(1)
    }

    /// Runs a `capture artifact` line after writing the artifact it names to its `--file`.
    fn record(&mut self, line: &str, phase: &str, verdict: Verdict) {
        let args = shell_words::split(line).unwrap();
        let val = |k: &str| {
            let i = args.iter().position(|a| a == k).unwrap();
            args[i + 1].clone()
        };
        let name = val("--name");
        let file = val("--file");
        assert!(
            file.starts_with("<run-dir>/drafts/"),
            "`{line}`: drafts go under <run-dir>/drafts/"
        );
        let wf = self.kit.wf(phase);
        let schema = wf
            .outputs()
            .into_iter()
            .find(|(a, _)| *a == name)
            .map(|(_, s)| s)
            .unwrap_or_else(|| panic!("`{line}`: `{name}` is not an output of `{phase}`"));
        let role = wf.front_value("role").unwrap();
        let v = self.artifact(&schema, phase, &role, verdict);
        let path = PathBuf::from(file.replace("<run-dir>", &self.run_dir().display().to_string()));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
        self.must(line, None);
    }

    fn artifact(&self, schema: &str, phase: &str, role: &str, verdict: Verdict) -> Value {
        let mut v = example(schema);
        v["run_id"] = json!(self.run);
        v["phase"] = json!(phase);
        v["role"] = json!(role);
        v["loop"] = json!(self.loop_of(phase));
        match schema {
            "run-manifest" if phase == "clarify" => {
                v["intent"] = json!(self.intent);
                v["depth"] = json!(self.depth);
                v["request"] = json!(format!(
                    "A {} request replayed by the kit test.",
                    self.intent
                ));
                v["phases_planned"] = json!(self.plan);
                let all: Vec<String> = phase_policy(&self.kit.skill)
                    .into_values()
                    .flatten()
                    .collect();
                let mut skipped: Vec<Value> = Vec::new();
                for p in all {
                    if !self.plan.contains(&p) && !skipped.iter().any(|s| s["phase"] == p) {
                        skipped.push(
                            json!({"phase": p, "reason": "not run at this depth and intent"}),
                        );
                    }
                }
                v["phases_skipped"] = json!(skipped);
            }
            "review" => {
                if verdict == Verdict::Approve {
                    v.as_object_mut().unwrap().remove("findings");
                    v["no_findings"] = json!(true);
                    v["verdict"] = json!("approve");
                    v["status"] = json!("approved");
                } else {
                    v.as_object_mut().unwrap().remove("no_findings");
                    v["findings"] = json!([{
                        "id": "F1", "severity": "blocker", "dimension": "correctness",
                        "location": "src/lib.rs:1-5",
                        "detail": "The replay's blocking finding.",
                        "evidence": "Planted by the replay test.",
                        "fix": "Answer it in the next loop."
                    }]);
                    v["verdict"] = json!("reject");
                    v["status"] = json!("rejected");
                }
            }
            "spec-challenge" => {
                if verdict == Verdict::Approve {
                    v["decision"] = json!("approve");
                    v["status"] = json!("approved");
                    if let Some(cs) = v["challenges"].as_array_mut() {
                        for c in cs {
                            c["severity"] = json!("minor");
                        }
                    }
                } else {
                    v["decision"] = json!("reject");
                    v["status"] = json!("rejected");
                }
            }
            "verification-proof" if verdict == Verdict::Fail => {
                v["verdict"] = json!("fail");
                v["claims"][0]["holds"] = json!(false);
            }
            "run-manifest" => {
                v["carry_over"] = json!([{
                    "kind": "deferred_task",
                    "ref": "implementation-plan#/deferred/0",
                    "detail": "Left for the next run by the replay."
                }]);
                v["ordering_rationale"] = json!("One item, nothing to order.");
                v["branch_outcome"] = json!("kept");
            }
            _ => {}
        }
        v
    }

    /// A phase's Entry, as its first code block says. `Refused` when `loop-check` exits 1 and
    /// the ledger agrees the entry is past the cap.
    fn enter(&mut self, phase: &str) -> Entered {
        let wf = self.kit.wf(phase);
        let lines = wf.section("Entry").block(0);
        let entry_text = wf.section("Entry").text.clone();
        let mut last_allowed = false;
        for line in lines {
            if line.starts_with("wazir compose") || line.starts_with("wazir index") {
                continue;
            }
            if line.starts_with("wazir capture loop-check") {
                let (code, out, err) = self.sh(&line, None);
                if code == 1 {
                    let probe = format!("wazir capture event --event phase_enter --phase {phase}");
                    let (pc, _, perr) = self.sh(&probe, None);
                    assert!(
                        pc == 1 && perr.contains("loop cap"),
                        "{}: `{line}` exited 1 ({out}), so the text escalates, but the ledger \
                         accepts entering `{phase}`: the text wastes an allowed loop.\n{}",
                        self.where_(),
                        self.transcript.join("\n")
                    );
                    return Entered::Refused;
                }
                assert_eq!(code, 0, "{line}: {out}{err}");
                last_allowed = out.contains("last allowed iteration");
                continue;
            }
            self.must(&line, None);
        }
        // Inputs from skipped phases: the text must say what stands in for them.
        let recorded = self.status()["artifacts"].clone();
        for input in wf.front_list("inputs") {
            if recorded.get(&input).is_none() {
                assert!(
                    entry_text.contains(&format!("no `{input}`")),
                    "{}: `{phase}` reads `{input}`, which this run never produced, and its Entry \
                     does not say what to do with no `{input}`",
                    self.where_()
                );
            }
        }
        Entered::Yes { last_allowed }
    }

    /// The Artifact section's code blocks, in order (artifacts, events, summaries).
    fn artifacts(&mut self, phase: &str, verdict: Verdict) {
        let wf = self.kit.wf(phase);
        let sec = wf.section("Artifact");
        let mut lines = Vec::new();
        let mut n = 0;
        loop {
            let b = sec.block(n);
            if b.is_empty() && n > 3 {
                break;
            }
            lines.extend(b);
            n += 1;
        }
        for line in lines {
            if line.starts_with("wazir capture artifact") {
                self.record(&line, phase, verdict);
            } else {
                self.must(&line, None);
            }
        }
    }

    /// A non-gate phase's Exit block, after the checks its Work section runs through
    /// `wazir verify run` (the fixture has no test suite, so each check's command is `true`).
    fn exit(&mut self, phase: &str) {
        let wf = self.kit.wf(phase);
        let checks: Vec<String> = if wf.has_section("Work") {
            wf.section("Work")
                .commands()
                .into_iter()
                .filter(|l| l.starts_with("wazir verify run"))
                .collect()
        } else {
            Vec::new()
        };
        for line in checks {
            let head = line.split(" -- ").next().unwrap_or(&line).to_string();
            self.must(&format!("{head} -- true"), None);
        }
        for line in self.kit.wf(phase).section("Exit").block(0) {
            self.must(&line, None);
        }
    }

    /// A gate's decision command chosen by kind from its "Gate decision" section.
    fn gate_line(&self, gate: &str, pick: &dyn Fn(&str) -> bool, what: &str) -> String {
        self.kit
            .wf(gate)
            .section("Gate decision")
            .commands()
            .into_iter()
            .find(|c| pick(c))
            .unwrap_or_else(|| panic!("workflow `{gate}` never says how to {what}"))
    }

    /// The `/wazir` skill's command of a step, chosen by `pick`.
    fn skill_line(&self, step: &str, pick: &dyn Fn(&str) -> bool, what: &str) -> String {
        self.kit
            .skill
            .section(step)
            .commands()
            .into_iter()
            .find(|c| pick(c))
            .unwrap_or_else(|| panic!("the /wazir skill's `{step}` never says how to {what}"))
    }

    /// The phase that made what review judges, and where a failed verification goes back to.
    fn maker(&self) -> String {
        match self.intent.as_str() {
            "audit" => "run_audit",
            "prd" => "author",
            "spike" => "verify",
            _ => "execute",
        }
        .to_string()
    }

    /// The whole run. Panics at the first disagreement between text and ledger.
    pub fn run(mut self, sc: &Scenario) -> Ended {
        // Step 1 and Step 2 of the skill.
        let ensure_line = self.skill_line(
            "Step 1",
            &|c| c.starts_with("wazir capture ensure"),
            "start or resume the run",
        );
        let out = self.must(&ensure_line, None);
        assert!(out.starts_with("started run "), "no run yet: {out}");
        // The run is named from the date and the request: follow the name it was given.
        self.run = std::fs::read_to_string(self.state.join("runs/latest"))
            .unwrap()
            .trim()
            .to_string();
        for line in self.kit.skill.section("Step 2").commands() {
            if line.starts_with("wazir capture artifact") {
                self.record(&line, "clarify", Verdict::Pass);
            } else {
                self.must(&line, None);
            }
        }
        let mut rejections: BTreeMap<String, u32> = BTreeMap::new();
        let mut verify_fails = 0;
        let mut review_rejects = 0;
        let mut i = 0;
        let mut stopped = false;
        while i < self.plan.len() {
            let phase = self.plan[i].clone();
            let wf_gate = self.kit.wf(&phase).front_value("gate").as_deref() == Some("true");
            // clarify was entered by `capture ensure`: its Entry's first block only loads the brief.
            let entered = self.enter(&phase);
            let last_allowed = match entered {
                Entered::Yes { last_allowed } => last_allowed,
                Entered::Refused => {
                    let sender = self.plan[i..]
                        .iter()
                        .rev()
                        .find(|p| self.status()["phases"].get(p.as_str()).is_some())
                        .cloned()
                        .unwrap_or_else(|| self.plan[i].clone());
                    let note = self.skill_line(
                        "Step 6",
                        &|c| c.contains("loop cap reached"),
                        "record an escalation",
                    );
                    self.must(&note, Some(&phase));
                    match sc
                        .reentry_decision
                        .expect("scenario decides at a refused re-entry")
                    {
                        Decision::Stop => {
                            let stop = self.skill_line(
                                "Step 6",
                                &|c| c.contains("--status stopped"),
                                "stop the run",
                            );
                            self.must(&stop, Some(&phase));
                            stopped = true;
                            break;
                        }
                        Decision::Accept => {
                            let accept = self.skill_line(
                                "Step 6",
                                &|c| c.contains("--event note") && c.contains("user accepted"),
                                "accept after a refused re-entry",
                            );
                            self.must(&accept, Some(&sender));
                            i = self.plan.iter().position(|p| *p == sender).unwrap() + 1;
                            continue;
                        }
                    }
                }
            };
            if wf_gate {
                let want = sc.gate_rejections.get(phase.as_str()).copied().unwrap_or(1);
                let escalate = sc.gate_escalation.filter(|(g, _)| *g == phase);
                let done = rejections.entry(phase.clone()).or_default();
                let reject = escalate.is_some() || *done < want;
                if reject && last_allowed {
                    // The last allowed loop still has a blocker: record it, then escalate.
                    self.artifacts(&phase, Verdict::Reject);
                    let note =
                        self.gate_line(&phase, &|c| c.contains("loop cap reached"), "escalate");
                    self.must(&note, None);
                    match escalate
                        .map(|(_, d)| d)
                        .expect("a rejection wanted past the scenario's plan")
                    {
                        Decision::Accept => {
                            let a = self.gate_line(
                                &phase,
                                &|c| c.contains("gate_approved") && c.contains("user accepted"),
                                "record the user's acceptance",
                            );
                            self.must(&a, None);
                        }
                        Decision::Stop => {
                            let s = self.gate_line(
                                &phase,
                                &|c| c.contains("--status stopped"),
                                "stop the run",
                            );
                            self.must(&s, None);
                            stopped = true;
                            break;
                        }
                    }
                    i += 1;
                } else if reject {
                    *done += 1;
                    self.artifacts(&phase, Verdict::Reject);
                    let r = self.gate_line(&phase, &|c| c.contains("gate_rejected"), "reject");
                    self.must(&r, None);
                    let back = self.kit.wf(&phase).front_value("rejects_to").unwrap();
                    assert_eq!(
                        self.status()["phase"],
                        back.as_str(),
                        "a rejection re-activates `{back}`"
                    );
                    i = self.plan.iter().position(|p| *p == back).unwrap();
                } else {
                    self.artifacts(&phase, Verdict::Approve);
                    let a = self.gate_line(
                        &phase,
                        &|c| c.contains("gate_approved") && !c.contains("user"),
                        "approve",
                    );
                    self.must(&a, None);
                    i += 1;
                }
                continue;
            }
            match phase.as_str() {
                "verify" => {
                    let fail = verify_fails < sc.verify_failures;
                    self.artifacts(&phase, if fail { Verdict::Fail } else { Verdict::Pass });
                    self.exit(&phase);
                    if fail {
                        verify_fails += 1;
                        let maker = self.maker();
                        i = self.plan.iter().position(|p| *p == maker).unwrap();
                        continue;
                    }
                }
                "review" => {
                    let reject = review_rejects < sc.review_rejections;
                    self.artifacts(
                        &phase,
                        if reject {
                            Verdict::Reject
                        } else {
                            Verdict::Approve
                        },
                    );
                    if reject {
                        let note = self
                            .kit
                            .wf("review")
                            .section("Artifact")
                            .commands()
                            .into_iter()
                            .find(|c| c.contains("--event note"))
                            .expect("review says how to note a rejection");
                        self.must(&note, None);
                    }
                    self.exit(&phase);
                    if reject {
                        review_rejects += 1;
                        let maker = self.maker();
                        i = self.plan.iter().position(|p| *p == maker).unwrap();
                        continue;
                    }
                }
                _ => {
                    self.artifacts(&phase, Verdict::Pass);
                    self.exit(&phase);
                }
            }
            i += 1;
        }
        // Step 7.
        let step7 = self.kit.skill.section("Step 7").commands();
        for line in step7 {
            if line.contains("--status complete") {
                if stopped {
                    continue;
                }
                let last = self.plan.last().unwrap().clone();
                self.must(&line, Some(&last));
            } else {
                self.must(&line, None);
            }
        }
        Ended {
            status: self.status(),
            transcript: self.transcript,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    Approve,
    Reject,
}

fn example(schema: &str) -> Value {
    let path = common::repo_root()
        .join("kit/templates/examples")
        .join(format!("{schema}.example.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
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
