//! Collected evidence: `<run-dir>/proof.json`, the run's proof as wazir collected it. It holds
//! the commit and working-tree digest when the run started (the base of the run's diff) and the
//! latest result of every check `wazir verify run` ran: its command, exit code, duration, a
//! digest and redacted tail of its output, the capture holding the whole output, and the commit
//! and working-tree digest it ran against. A check is fresh while both still match.
//!
//! Only these checks count at the verify phase's exit, at the stop gate and at completion; a
//! `verification-proof` the agent wrote is kept but carries `verified: false` unless every
//! command it cites is a check wazir ran with the same exit code. Plain JSON: the hook reads it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{LedgerError, Result};
use crate::event::{Event, kinds};
use crate::ledger::Ledger;
use crate::run_id::{RunId, check_name};
use crate::status::CaptureRecord;
use crate::worktree::{TreeState, WorkTree};

pub const PROOF_FILE: &str = "proof.json";
/// The hand-written proof artifact the verify phase records.
pub const PROOF_ARTIFACT: &str = "verification-proof";
const PROOF_VERSION: u32 = 1;
/// Lines and characters of output kept inline as a check's tail.
const TAIL_LINES: usize = 40;
const TAIL_CHARS: usize = 4000;

/// `proof.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proof {
    pub version: u32,
    /// The tree when the run started; the run's diff is taken from its commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Base>,
    /// The latest result of each check, by name.
    #[serde(default)]
    pub checks: BTreeMap<String, CheckRecord>,
}

impl Default for Proof {
    fn default() -> Self {
        Proof {
            version: PROOF_VERSION,
            base: None,
            checks: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Base {
    #[serde(flatten)]
    pub at: TreeState,
    pub recorded_at: String,
}

/// One check wazir ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRecord {
    pub name: String,
    /// The program and its arguments, as run.
    pub command: Vec<String>,
    /// The same, quoted for a POSIX shell.
    pub command_line: String,
    /// Absent when a signal ended the process.
    pub exit_code: Option<i32>,
    pub passed: bool,
    pub duration_ms: u64,
    pub ran_at: String,
    /// The phase the run was in.
    pub phase: String,
    /// BLAKE3 of the whole output (standard output and error, interleaved as they arrived).
    pub output_blake3: String,
    pub output_bytes: u64,
    pub output_lines: u64,
    /// The last lines of the output, credentials redacted.
    pub tail: String,
    /// The whole output (redacted), relative to the run folder.
    pub capture: String,
    /// The commit and working-tree digest the check ran against.
    #[serde(flatten)]
    pub at: TreeState,
    /// How many times a check of this name has run in the run.
    #[serde(default = "one")]
    pub runs: u32,
}

fn one() -> u32 {
    1
}

/// What a check's process produced (see [`crate::check_run::run_streaming`]).
#[derive(Debug, Clone)]
pub struct CheckOutput {
    pub exit_code: Option<i32>,
    pub duration_ms: u64,
    pub output: Vec<u8>,
}

/// Whether a check still describes the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Freshness {
    Fresh,
    Stale {
        reason: String,
    },
    /// Not a git work tree: nothing to compare with.
    Unknown,
}

/// A recorded check judged against the tree now.
#[derive(Debug, Clone, Serialize)]
pub struct CheckStatus {
    #[serde(flatten)]
    pub record: CheckRecord,
    pub freshness: Freshness,
    /// The command that runs it again.
    pub rerun: String,
}

impl CheckStatus {
    pub fn fresh(&self) -> bool {
        !matches!(self.freshness, Freshness::Stale { .. })
    }
}

/// `wazir verify run --name NAME -- CMD…`, quoted for a shell.
pub fn rerun_command(name: &str, command: &[String]) -> String {
    format!("wazir verify run --name {name} -- {}", quote(command))
}

fn quote(argv: &[String]) -> String {
    shlex::try_join(argv.iter().map(String::as_str)).unwrap_or_else(|_| argv.join(" "))
}

/// A check name from its command: the program's file name and its first plain argument
/// (`cargo test` → `cargo-test`).
pub fn default_name(argv: &[String]) -> String {
    let mut words: Vec<String> = Vec::new();
    for (i, a) in argv.iter().take(2).enumerate() {
        let a = if i == 0 {
            Path::new(a)
                .file_name()
                .map_or(a.clone(), |f| f.to_string_lossy().into_owned())
        } else {
            a.clone()
        };
        if i > 0 && a.starts_with('-') {
            break;
        }
        let clean: String = a
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let clean = clean.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        if !clean.is_empty() {
            words.push(clean.to_string());
        }
    }
    let mut name = words.join("-");
    name.truncate(64);
    if name.is_empty() {
        "check".to_string()
    } else {
        name
    }
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(TAIL_LINES);
    let mut t = lines[start..].join("\n");
    if t.len() > TAIL_CHARS {
        let mut cut = t.len() - TAIL_CHARS;
        while !t.is_char_boundary(cut) {
            cut += 1;
        }
        t = t[cut..].to_string();
    }
    t
}

impl Ledger {
    pub fn proof_path(&self, run: &RunId) -> std::path::PathBuf {
        self.run_dir(run).join(PROOF_FILE)
    }

    /// The run's `proof.json` (empty when nothing was collected yet).
    pub fn proof(&self, run: &RunId) -> Result<Proof> {
        read_proof(&self.proof_path(run))
    }

    /// The project's work tree, the state root left out; `None` without a project root.
    pub fn work_tree(&self) -> Option<WorkTree> {
        let root = self.project_root.as_deref()?;
        Some(WorkTree::new(root, &[self.state_root()]))
    }

    /// Records the tree at the start of a run (the base of its diff). Needs the project root.
    pub(crate) fn record_base(&self, run: &RunId) -> Result<()> {
        let Some(wt) = self.work_tree() else {
            return Ok(());
        };
        let path = self.proof_path(run);
        let mut proof = read_proof(&path)?;
        proof.base = Some(Base {
            at: wt.state(),
            recorded_at: crate::now_rfc3339(),
        });
        write_proof(&path, &proof)
    }

    /// Records a check wazir ran: its whole output (redacted) as `captures/check-<name>.log`,
    /// its result in `proof.json` (replacing the previous result of that name) and a
    /// `check_recorded` event. `at` is the tree the check ran against.
    pub fn record_check(
        &self,
        run: &RunId,
        name: &str,
        command: &[String],
        at: TreeState,
        out: &CheckOutput,
    ) -> Result<CheckRecord> {
        check_name("check name", name)?;
        if command.is_empty() {
            return Err(LedgerError::InvalidValue {
                what: "check command",
                value: String::new(),
                reason: "give the command after `--`".into(),
            });
        }
        let text = String::from_utf8_lossy(&out.output);
        let redacted = crate::redact::redact(&text);
        let capture_name = format!("check-{name}.log");
        let capture_rel = format!("{}/{capture_name}", crate::ledger::CAPTURES_DIR);
        let proof_path = self.proof_path(run);
        let (_, _, rec) = self.transact(run, |st, now| {
            let capture = self.captures_dir(run).join(&capture_name);
            wazir_core::fsio::atomic_write_private(&capture, redacted.as_bytes())
                .map_err(|e| LedgerError::io(&capture, "cannot write", e))?;
            let mut proof = read_proof(&proof_path)?;
            let runs = proof.checks.get(name).map_or(0, |c| c.runs) + 1;
            let lines = text.lines().count() as u64;
            let command_line = quote(command);
            let rec = CheckRecord {
                name: name.to_string(),
                command: command.to_vec(),
                command_line: command_line.clone(),
                exit_code: out.exit_code,
                passed: out.exit_code == Some(0),
                duration_ms: out.duration_ms,
                ran_at: now.to_string(),
                phase: st.phase.clone(),
                output_blake3: blake3::hash(&out.output).to_hex().to_string(),
                output_bytes: out.output.len() as u64,
                output_lines: lines,
                tail: tail(&redacted),
                capture: capture_rel.clone(),
                at,
                runs,
            };
            proof.checks.insert(name.to_string(), rec.clone());
            write_proof(&proof_path, &proof)?;
            st.captures.insert(
                capture_name.clone(),
                CaptureRecord {
                    phase: st.phase.clone(),
                    bytes: redacted.len() as u64,
                    lines,
                    command: Some(command_line.clone()),
                    exit_code: out.exit_code,
                    reserved: false,
                    created_at: now.to_string(),
                    pruned_at: None,
                },
            );
            let ev = Event::new(kinds::CHECK_RECORDED).data(json!({
                "check": name,
                "command": command_line,
                "exit_code": out.exit_code,
                "passed": rec.passed,
                "duration_ms": out.duration_ms,
                "commit": rec.at.commit,
                "capture": capture_rel,
            }));
            Ok((Some(ev), rec))
        })?;
        Ok(rec)
    }

    /// Every recorded check, judged against the tree now (`now`, or read from the work tree).
    pub fn check_statuses(&self, run: &RunId, now: Option<&TreeState>) -> Result<Vec<CheckStatus>> {
        let proof = self.proof(run)?;
        if proof.checks.is_empty() {
            return Ok(Vec::new());
        }
        let current = match now {
            Some(t) => Some(t.clone()),
            None => self.work_tree().map(|w| w.state()),
        };
        Ok(proof
            .checks
            .into_values()
            .map(|record| {
                let freshness = freshness(&record.at, current.as_ref());
                let rerun = rerun_command(&record.name, &record.command);
                CheckStatus {
                    record,
                    freshness,
                    rerun,
                }
            })
            .collect())
    }

    /// Why the collected evidence does not prove the tree now: no check run by wazir, a failed
    /// check, a stale one. Each line names the check and the command that re-runs it.
    pub fn evidence_problems(&self, run: &RunId) -> Result<Vec<String>> {
        let checks = self.check_statuses(run, None)?;
        Ok(problems(&checks))
    }
}

/// The problem lines of [`Ledger::evidence_problems`] for checks already judged.
pub fn problems(checks: &[CheckStatus]) -> Vec<String> {
    if checks.is_empty() {
        return vec![
            "no check has been run by wazir: run each check through it, e.g. `wazir verify run \
             --name tests -- cargo test`; a proof written by hand does not count"
                .to_string(),
        ];
    }
    let mut out = Vec::new();
    for c in checks {
        let r = &c.record;
        if !r.passed {
            let how = match r.exit_code {
                Some(code) => format!("exit {code}"),
                None => "ended by a signal".to_string(),
            };
            out.push(format!(
                "check `{}` failed ({how}, {}): fix the cause, then re-run it with `{}`",
                r.name, r.command_line, c.rerun
            ));
        } else if let Freshness::Stale { reason } = &c.freshness {
            out.push(format!(
                "check `{}` is stale ({reason}): re-run it with `{}`",
                r.name, c.rerun
            ));
        }
    }
    out
}

fn freshness(at: &TreeState, now: Option<&TreeState>) -> Freshness {
    let Some(now) = now else {
        return Freshness::Unknown;
    };
    if now.tree.is_none() && at.tree.is_none() {
        return Freshness::Unknown;
    }
    if at.commit != now.commit {
        let short = |c: &Option<String>| {
            c.as_deref()
                .map_or("no commit".to_string(), |c| c.chars().take(12).collect())
        };
        return Freshness::Stale {
            reason: format!(
                "the commit changed since it ran: {} then, {} now",
                short(&at.commit),
                short(&now.commit)
            ),
        };
    }
    if at.tree != now.tree {
        return Freshness::Stale {
            reason: "the working tree changed since it ran".to_string(),
        };
    }
    Freshness::Fresh
}

/// Whether a hand-written proof's evidence is all backed by checks wazir ran: every
/// `evidence[].command` must be the command line of a recorded check with the same exit code.
/// Returns the commands that are not.
#[cfg(feature = "artifacts")]
pub fn unbacked_evidence(proof_json: &serde_json::Value, proof: &Proof) -> Vec<String> {
    let Some(items) = proof_json.get("evidence").and_then(|e| e.as_array()) else {
        return vec!["(no evidence)".to_string()];
    };
    let mut out = Vec::new();
    for item in items {
        let cmd = item.get("command").and_then(|c| c.as_str()).unwrap_or("");
        let code = item.get("exit_code").and_then(|c| c.as_i64());
        let backed = proof.checks.values().any(|c| {
            (c.command_line == cmd.trim() || c.command.join(" ") == cmd.trim())
                && c.exit_code.map(i64::from) == code
        });
        if !backed {
            out.push(cmd.to_string());
        }
    }
    if items.is_empty() {
        out.push("(no evidence)".to_string());
    }
    out
}

pub(crate) fn read_proof(path: &Path) -> Result<Proof> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Proof::default()),
        Err(e) => return Err(LedgerError::io(path, "cannot read the run's proof", e)),
    };
    serde_json::from_str(&text).map_err(|e| LedgerError::Corrupt {
        path: path.to_path_buf(),
        line: Some(e.line()),
        message: format!(
            "not a valid proof file: {e}; delete it and re-run the checks with `wazir verify run`"
        ),
    })
}

fn write_proof(path: &Path, proof: &Proof) -> Result<()> {
    let mut text = serde_json::to_string_pretty(proof).expect("a proof serialises");
    text.push('\n');
    wazir_core::fsio::atomic_write_private(path, text.as_bytes())
        .map_err(|e| LedgerError::io(path, "cannot write", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(commit: &str, tree: &str) -> TreeState {
        TreeState {
            commit: Some(commit.into()),
            tree: Some(tree.into()),
        }
    }

    #[test]
    fn names_come_from_the_program_and_its_first_word() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            default_name(&v(&["cargo", "test", "-p", "x"])),
            "cargo-test"
        );
        assert_eq!(default_name(&v(&["/usr/bin/make", "--quiet"])), "make");
        assert_eq!(default_name(&v(&["sh", "-c", "exit 1"])), "sh");
    }

    #[test]
    fn freshness_names_what_changed() {
        assert_eq!(
            freshness(&at("a", "t"), Some(&at("a", "t"))),
            Freshness::Fresh
        );
        let Freshness::Stale { reason } = freshness(&at("a", "t"), Some(&at("b", "u"))) else {
            panic!()
        };
        assert!(reason.contains("commit changed"), "{reason}");
        let Freshness::Stale { reason } = freshness(&at("a", "t"), Some(&at("a", "u"))) else {
            panic!()
        };
        assert!(reason.contains("working tree"), "{reason}");
        let none = TreeState {
            commit: None,
            tree: None,
        };
        assert_eq!(freshness(&none, Some(&none)), Freshness::Unknown);
    }

    #[test]
    fn the_tail_keeps_the_last_lines() {
        let text: String = (1..=100).map(|i| format!("line {i}\n")).collect();
        let t = tail(&text);
        assert!(t.starts_with("line 61\n") && t.ends_with("line 100"), "{t}");
    }
}
