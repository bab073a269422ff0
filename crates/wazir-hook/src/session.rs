//! Session start and prompt: context for the agent, never a block. Session start gives the
//! current run (phase, iteration, outputs still missing, the next ledger command), the index's
//! health judged from its file's presence and age, the accepted learnings in scope and a pointer
//! to the using-skills skill (the host lists the skills itself, so their text is not repeated);
//! after a compaction it leads with the run summary. Every session pays for this text, so it
//! stays a few hundred characters when there is no summary or learning to restore. A prompt gets
//! one line naming the active run and phase, so a long session does not lose track of it.

use std::path::Path;
use std::time::SystemTime;

use anyhow::Result;
use serde_json::Value;
use wazir_core::Project;
use wazir_ledger::{Ledger, PhaseStateKind, RunId, RunStatus};

use super::{Cx, Outcome, phase_rules};
use wazir_hosts::Host;

/// The run summary written by the pre-compact and stop hooks.
const SUMMARY_FILE: &str = "summary.md";
/// Most learnings listed at session start.
const MAX_LEARNINGS: usize = 10;
/// Longest run summary restored after compaction.
const MAX_SUMMARY_CHARS: usize = 4_000;
/// An index older than this is reported as stale.
const INDEX_STALE_SECS: u64 = 24 * 3600;

pub fn start(cx: &Cx) -> Result<Outcome> {
    let Some(project) = cx.project()? else {
        return Ok(Outcome::Neutral);
    };
    let state_root = cx.state_root(&project)?;
    let ledger = Ledger::new(&state_root);
    let run = ledger.latest()?;
    let status = match &run {
        Some(r) => Some(ledger.status(r)?),
        None => None,
    };

    let mut head = String::new();
    let source = cx.payload().source.as_deref().unwrap_or("startup");
    if let (Some(r), "compact" | "resume") = (&run, source) {
        let summary = ledger.run_dir(r).join(SUMMARY_FILE);
        if let Ok(text) = std::fs::read_to_string(&summary) {
            head.push_str("## Run summary (restored from the ledger)\n\n");
            head.push_str(&cut(&text, MAX_SUMMARY_CHARS));
            head.push_str("\n\n");
        }
    }
    let run_text = run_section(&project, &ledger, run.as_ref(), status.as_ref());
    let mut index = index_section(&state_root);
    if cx.opts.host == Host::Gemini {
        // `wazir init` turns Gemini's workspace tree off (see wazir-export's gemini package):
        // name the folder and its own entries instead.
        index.push_str("\n\n");
        index.push_str(&folder_section(&project.root));
    }
    let mut learnings = learnings(&project);

    let name = project
        .manifest
        .project
        .display_name
        .clone()
        .unwrap_or_else(|| project.manifest.project.name.clone());
    let title = format!("# {SESSION_TITLE} {name}\n\n");
    let mut text = compose(&title, &head, &run_text, &index, &learnings);
    if cx.opts.host == Host::Cursor {
        // Cursor keeps 10,000 characters: drop learnings first and keep the run state whole.
        let limit = super::protocol::cursor::MAX_CONTEXT_CHARS;
        while text.chars().count() > limit && !learnings.is_empty() {
            learnings.pop();
            text = compose(&title, &head, &run_text, &index, &learnings);
        }
        text = cut(&text, limit.saturating_sub(10));
    }
    Ok(Outcome::Context(text))
}

/// Top-level entries that are Wazir's or a host's own, or that Gemini's tree leaves out anyway.
const NOT_THE_PROJECTS: [&str; 10] = [
    ".wazir",
    ".agents",
    ".gemini",
    ".claude",
    ".codex",
    ".cursor",
    ".git",
    "node_modules",
    "__pycache__",
    "dist",
];
/// Most top-level entries named.
const MAX_FOLDER_ENTRIES: usize = 40;

/// The project folder and its own top-level entries (folders end in `/`), sorted, at most
/// [`MAX_FOLDER_ENTRIES`]: where the agent is and what is there, in a line or two.
fn folder_section(root: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if NOT_THE_PROJECTS.contains(&name.as_str()) {
                return None;
            }
            let dir = e.file_type().is_ok_and(|t| t.is_dir());
            Some(if dir { format!("{name}/") } else { name })
        })
        .collect();
    names.sort();
    let more = names.len().saturating_sub(MAX_FOLDER_ENTRIES);
    names.truncate(MAX_FOLDER_ENTRIES);
    let mut s = format!("Project folder `{}`: {}", root.display(), names.join(", "));
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s.push('.');
    s
}

/// The first words of the session-start text.
pub const SESSION_TITLE: &str = "Wazir session:";

fn compose(title: &str, head: &str, run: &str, index: &str, learnings: &[String]) -> String {
    let mut s = String::new();
    s.push_str(title);
    s.push_str(head);
    s.push_str(run);
    s.push_str("\n\n");
    s.push_str(index);
    if !learnings.is_empty() {
        s.push_str("\n\nAccepted learnings in scope:\n");
        s.push_str(&learnings.join("\n"));
    }
    s.push_str("\n\nLoad the `using-skills` skill before acting.\n");
    s
}

fn run_section(
    project: &Project,
    ledger: &Ledger,
    run: Option<&RunId>,
    status: Option<&RunStatus>,
) -> String {
    let (Some(run), Some(st)) = (run, status) else {
        return "No run is active; project writes need one: `wazir capture ensure --request \
                \"<the request>\"`."
            .to_string();
    };
    let phase = &st.phase;
    let state = st
        .phase_state(phase)
        .map_or("unknown", PhaseStateKind::as_str);
    let mut s = format!(
        "Run `{run}` (status {}), phase `{phase}` ({state}), iteration {}",
        st.status,
        st.loop_count(phase)
    );
    match phase_rules(project, st, phase) {
        Ok(Some(wf)) => {
            s.push_str(&format!(" of {} (workflow {}).", wf.loop_cap, wf.workflow));
            let iteration = u64::from(st.loop_count(phase).max(1));
            let missing: Vec<&str> = wf
                .outputs
                .iter()
                .filter(|o| {
                    st.artifacts
                        .get(&o.artifact)
                        .is_none_or(|a| a.loop_number.is_some_and(|l| l < iteration))
                })
                .map(|o| o.artifact.as_str())
                .collect();
            if !missing.is_empty() && state == "active" {
                s.push_str(&format!(
                    "\nStill missing: {}. Record each with `wazir capture artifact --phase {phase} \
                     --name ARTIFACT --file PATH`.",
                    missing.join(", ")
                ));
            }
            let next = if state != "active" {
                "`wazir capture event --event phase_enter --phase NEXT` for the next phase"
                    .to_string()
            } else if wf.gate {
                format!(
                    "`wazir capture event --event gate_approved --phase {phase}` or \
                     `--event gate_rejected` once the review is recorded"
                )
            } else {
                format!(
                    "`wazir capture event --event phase_exit --phase {phase}` once its outputs are recorded"
                )
            };
            s.push_str(&format!(
                "\nNext: {next}. Check the run with `wazir status`."
            ));
        }
        Ok(None) => s.push('.'),
        Err(e) => s.push_str(&format!(
            ". (The phase's workflow could not be read: {e:#}.)"
        )),
    }
    let summary = ledger.run_dir(run).join(SUMMARY_FILE);
    if let Ok(md) = std::fs::metadata(&summary)
        && let Ok(t) = md.modified()
        && let Ok(age) = SystemTime::now().duration_since(t)
    {
        s.push_str(&format!(
            "\nRun summary: {} (written {} ago).",
            summary.display(),
            age_text(age.as_secs())
        ));
    }
    s
}

fn index_section(state_root: &Path) -> String {
    let db = state_root.join("index").join("index.sqlite");
    match std::fs::metadata(&db).and_then(|m| m.modified()) {
        Err(_) => "No code index yet: `wazir index build`.".to_string(),
        Ok(t) => {
            let secs = SystemTime::now()
                .duration_since(t)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let mut s = format!(
                "Code index written {} ago (`wazir index search-symbols`, `wazir recall`).",
                age_text(secs)
            );
            if secs > INDEX_STALE_SECS {
                s.push_str(" It may be stale: run `wazir index refresh`.");
            }
            s
        }
    }
}

fn age_text(secs: u64) -> String {
    match secs {
        0..=119 => format!("{secs} s"),
        120..=7199 => format!("{} min", secs / 60),
        7200..=172_799 => format!("{} h", secs / 3600),
        _ => format!("{} days", secs / 86_400),
    }
}

/// Accepted learnings (`<memory>/*.json`) whose file patterns can match this project, most
/// confident first: a pattern is in scope when the folder before its first wildcard exists.
fn learnings(project: &Project) -> Vec<String> {
    let dir = project.path(&project.manifest.paths.memory);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<(f64, String)> = Vec::new();
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let Ok(v) = std::fs::read_to_string(&p)
            .map_err(|_| ())
            .and_then(|t| serde_json::from_str::<Value>(&t).map_err(|_| ()))
        else {
            continue;
        };
        let Some(lesson) = v.get("learning").and_then(Value::as_str) else {
            continue;
        };
        let patterns: Vec<&str> = v
            .pointer("/scope/file_patterns")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let in_scope = patterns.is_empty()
            || patterns.iter().any(|pat| {
                let fixed: Vec<&str> = pat
                    .split('/')
                    .take_while(|c| !c.contains(['*', '?', '[', '{']))
                    .collect();
                // The last fixed component of a pattern without wildcards is the file itself.
                let dir = if fixed.len() == pat.split('/').count() {
                    &fixed[..fixed.len().saturating_sub(1)]
                } else {
                    &fixed[..]
                };
                project.root.join(dir.join("/")).exists()
            });
        if !in_scope {
            continue;
        }
        let confidence = v.get("confidence").and_then(Value::as_f64).unwrap_or(0.0);
        let id = v.get("id").and_then(Value::as_str).unwrap_or("?");
        found.push((
            confidence,
            format!("- {lesson} ({id}, confidence {confidence:.2})"),
        ));
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    found
        .into_iter()
        .take(MAX_LEARNINGS)
        .map(|(_, s)| s)
        .collect()
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max).collect();
    s.push_str("\n[…]");
    s
}

pub fn prompt(cx: &Cx) -> Result<Outcome> {
    let Some(project) = cx.project()? else {
        return Ok(Outcome::Neutral);
    };
    if let Some(answer) = super::allow::from_prompt(cx, &project)? {
        return Ok(answer);
    }
    let Some((ledger, run)) = cx.active_run(&project)? else {
        return Ok(Outcome::Neutral);
    };
    let st = ledger.status(&run)?;
    let state = st
        .phase_state(&st.phase)
        .map_or("unknown", PhaseStateKind::as_str);
    Ok(Outcome::Context(format!(
        "Wazir run `{run}` is in phase `{}` ({state}, iteration {}). Follow that phase's \
         workflow, record what it produces with `wazir capture`, and check the run with \
         `wazir status`.",
        st.phase,
        st.loop_count(&st.phase)
    )))
}
