//! The stop hook: holds back a premature "done". While the active phase lacks an output its
//! workflow declares (not recorded in the ledger, or recorded in an earlier iteration), or the
//! run is in execute or verify without collected evidence (checks `wazir verify run` ran, all
//! passed and fresh against the tree now: `<run-dir>/proof.json`, read as plain JSON; a
//! hand-written proof does not count), the stop is refused with what is missing and the command
//! that records or re-runs it. It always lets the stop through when no run is active, when the
//! phase has exited, and when the host says a stop hook is already active. Gemini and Cursor send
//! no such flag: a refusal is noted per session and the next stop of that session goes through,
//! so it refuses at most once in a row and can never trap a session; when that note cannot be
//! written (a read-only or full state root) the stop goes through at once and the failure is
//! logged. Every stop let through during a run is recorded and refreshes `summary.md`.

use std::path::PathBuf;

use anyhow::Result;
use serde_json::json;
use wazir_ledger::{Event, Ledger, PhaseStateKind, RunId, kinds};

use super::{Cx, Outcome, phase_rules};
use wazir_hosts::Host;

/// The artifact that proves verification.
const PROOF: &str = "verification-proof";

pub fn run(cx: &Cx) -> Result<Outcome> {
    let p = cx.payload();
    if p.stop_hook_active {
        return Ok(Outcome::Neutral);
    }
    if take_refusal_mark(cx) {
        return Ok(Outcome::Neutral);
    }
    let Some(project) = cx.project()? else {
        return Ok(Outcome::Neutral);
    };
    let Some((ledger, run)) = cx.active_run(&project)? else {
        return Ok(Outcome::Neutral);
    };
    let st = ledger.status(&run)?;
    let phase = st.phase.clone();
    let mut missing: Vec<String> = Vec::new();
    if st.phase_state(&phase) == Some(PhaseStateKind::Active) {
        let iteration = u64::from(st.loop_count(&phase).max(1));
        let wf = phase_rules(&project, &st, &phase)?;
        if let Some(wf) = &wf {
            for o in &wf.outputs {
                let ok = st
                    .artifacts
                    .get(&o.artifact)
                    .is_some_and(|a| a.loop_number.is_none_or(|l| l >= iteration));
                if !ok {
                    missing.push(format!(
                        "`{a}` is not recorded for iteration {iteration}: record it with \
                         `wazir capture artifact --phase {phase} --name {a} --file {a}.json`",
                        a = o.artifact
                    ));
                }
            }
        }
        let needs_proof = wf
            .as_ref()
            .is_some_and(|wf| wf.outputs.iter().any(|o| o.artifact == PROOF));
        if matches!(phase.as_str(), "execute" | "verify") || needs_proof {
            // Only checks wazir ran count: passed, and fresh against the tree now.
            let evidence = ledger.clone().with_project_root(&project.root);
            missing.extend(evidence.evidence_problems(&run)?);
        }
    }
    if missing.is_empty() {
        record(cx, &ledger, &run, None);
        return Ok(Outcome::Neutral);
    }
    let reason = format!(
        "Wazir stop guard: run `{run}` is in phase `{phase}` and is not done yet:\n- {}\nRecord \
         what is missing, then leave the phase through its workflow before stopping.",
        missing.join("\n- ")
    );
    record(cx, &ledger, &run, Some(&missing));
    if !mark_refusal(cx) {
        // Without the mark the next stop would be refused again: never trap the session.
        return Ok(Outcome::Neutral);
    }
    Ok(Outcome::RefuseStop(reason))
}

/// The answer when the ledger could not be read: refuse once, then let the next stop through.
pub fn refuse_after_error(cx: &Cx, message: &str) -> Outcome {
    if cx.payload.is_some_and(|p| p.stop_hook_active) {
        return Outcome::Neutral;
    }
    if !mark_refusal(cx) {
        return Outcome::Neutral;
    }
    Outcome::RefuseStop(format!(
        "Wazir's stop hook could not read the run ledger ({message}), so it cannot tell whether \
         the phase is done. Run `wazir doctor` to find the cause; the next stop goes through."
    ))
}

fn record(cx: &Cx, ledger: &Ledger, run: &RunId, missing: Option<&[String]>) {
    let p = cx.payload();
    let ev = Event::new(kinds::STOP).data(json!({
        "host": cx.opts.host.as_str(),
        "session_id": p.session_id,
        "refused": missing.is_some(),
        "missing": missing,
    }));
    let done = ledger.append_event(run, &ev).and_then(|()| {
        if missing.is_none() {
            ledger.write_summary(run)?;
        }
        Ok(())
    });
    if let Err(e) = done {
        cx.warn(format!(
            "could not record the stop in the run ledger: {e:#}"
        ));
    }
}

/// Hosts that send `stop_hook_active` need no mark of their own.
fn uses_marks(host: Host) -> bool {
    matches!(host, Host::Gemini | Host::Cursor)
}

/// `<state-root>/hooks/stop-refusals/<hash of the session id>`.
fn mark_path(cx: &Cx) -> Option<PathBuf> {
    if !uses_marks(cx.opts.host) {
        return None;
    }
    let session = cx.payload.and_then(|p| p.session_id.clone())?;
    let state_root = match &cx.opts.state_root_flag {
        Some(s) => s.clone(),
        None => match std::env::var_os(wazir_core::state_root::ENV_VAR).filter(|s| !s.is_empty()) {
            Some(s) => PathBuf::from(s),
            None => {
                let project = cx.project().ok()??;
                cx.state_root(&project).ok()?
            }
        },
    };
    let id = wazir_core::digest::sha256_prefix_hex(session.as_bytes(), 12);
    Some(state_root.join("hooks").join("stop-refusals").join(id))
}

/// Notes the refusal so the session's next stop goes through. False when a host that needs
/// the mark cannot have it (no session id, or the state root is read-only or full): the caller
/// then lets this stop through, and the failure is logged.
fn mark_refusal(cx: &Cx) -> bool {
    if !uses_marks(cx.opts.host) {
        return true;
    }
    let Some(path) = mark_path(cx) else {
        cx.warn("cannot note a stop refusal without a session id or a state root, so the stop goes through".into());
        return false;
    };
    let written = match path.parent() {
        Some(dir) => std::fs::create_dir_all(dir),
        None => Ok(()),
    }
    .and_then(|()| wazir_core::fsio::atomic_write(&path, b""));
    match written {
        Ok(()) => true,
        Err(e) => {
            cx.warn(format!(
                "could not note the stop refusal at {} ({e}), so the stop goes through rather \
                 than trap the session",
                path.display()
            ));
            false
        }
    }
}

/// True (and the mark removed) when this session's previous stop was refused.
fn take_refusal_mark(cx: &Cx) -> bool {
    match mark_path(cx) {
        Some(path) if path.exists() => {
            let _ = std::fs::remove_file(&path);
            true
        }
        _ => false,
    }
}
