//! The hook error log, `<state-root>/logs/hook-errors.ndjson`: one JSON line per internal error
//! (time, host, event, message), appended under a lock so concurrent hooks never tear a line.
//! `wazir doctor` and the run audit read it; a hook that cannot even find its state root
//! reports on stderr only.

use std::path::PathBuf;

use serde_json::json;

use super::Cx;

pub const LOG_DIR: &str = "logs";
pub const LOG_FILE: &str = "hook-errors.ndjson";

/// Appends `message` to the log; failures to log are swallowed (the caller already prints the
/// message on stderr).
pub fn record(cx: &Cx, message: &str) {
    let Some(dir) = log_dir(cx) else { return };
    let line = json!({
        "ts": wazir_ledger::now_rfc3339(),
        "host": cx.opts.host.as_str(),
        "event": cx.opts.event.as_str(),
        "message": message,
    })
    .to_string();
    let _ = wazir_core::fsio::locked_append_line(
        &dir.join(LOG_FILE),
        &dir.join(".hook-errors.lock"),
        &line,
    );
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
