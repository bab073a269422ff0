//! The hook error log, `<state-root>/logs/hook-errors.ndjson`: one JSON line per internal error
//! (time, host, event, message), appended under a lock so concurrent hooks never tear a line.
//! When a run is active (and its ledger is readable) the error is also recorded there as a
//! `hook_error` event, so the run audit sees the gap where it happened. `wazir doctor` reads the
//! log; a hook that cannot even find its state root reports on stderr only.

use std::path::PathBuf;

use serde_json::json;

use super::Cx;

pub const LOG_DIR: &str = "logs";
pub const LOG_FILE: &str = "hook-errors.ndjson";

/// Appends `message` to the log; failures to log are swallowed (the caller already prints the
/// message on stderr).
pub fn record(cx: &Cx, message: &str) {
    let message = &*wazir_ledger::redact::redact(message);
    let Some(dir) = log_dir(cx) else { return };
    let line = json!({
        "ts": wazir_ledger::now_rfc3339(),
        "host": cx.opts.host.as_str(),
        "event": cx.behaviour().as_str(),
        "message": message,
    })
    .to_string();
    let _ = wazir_core::fsio::locked_append_line(
        &dir.join(LOG_FILE),
        &dir.join(".hook-errors.lock"),
        &line,
    );
    if let Ok(Some(project)) = cx.project()
        && let Ok(Some((ledger, run))) = cx.active_run(&project)
    {
        let ev = wazir_ledger::Event::new("hook_error").data(json!({
            "host": cx.opts.host.as_str(),
            "hook": cx.behaviour().as_str(),
            "message": message,
        }));
        let _ = ledger.append_event(&run, &ev);
    }
}

fn log_dir(cx: &Cx) -> Option<PathBuf> {
    if let Some(p) = &cx.opts.state_root_flag {
        return Some(p.join(LOG_DIR));
    }
    if let Some(p) = std::env::var_os(wazir_core::state_root::ENV_VAR).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p).join(LOG_DIR));
    }
    let project = cx.project().ok()??;
    cx.state_root(&project).ok().map(|p| p.join(LOG_DIR))
}
