//! The user's `wazir allow:` override when no run is active: one small file per session,
//! `<state-root>/hooks/override-<key>.json`, written only by the prompt hook (the agent's own
//! tool writes to the state root are refused by the guard). With a run, the override lives in
//! the run's `status.json` instead ([`wazir_ledger::Ledger::record_override`]).

use std::path::{Path, PathBuf};

use serde_json::json;
use sha2::{Digest, Sha256};

use super::write_rule::HOOKS_DIR;

/// A file-name-safe key for a host session id.
pub fn key(session: &str) -> String {
    let digest = Sha256::digest(session.as_bytes());
    hex::encode(&digest[..12])
}

fn path(state_root: &Path, session: &str) -> PathBuf {
    state_root
        .join(HOOKS_DIR)
        .join(format!("override-{}.json", key(session)))
}

/// The reason of the session's override, when there is one.
pub fn read(state_root: &Path, session: &str) -> Option<String> {
    let text = std::fs::read_to_string(path(state_root, session)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    (v["session"].as_str() == Some(session))
        .then(|| v["reason"].as_str().map(str::to_string))
        .flatten()
}

/// Records the session's override; returns the file written.
pub fn write(state_root: &Path, session: &str, reason: &str) -> std::io::Result<PathBuf> {
    let p = path(state_root, session);
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let body = json!({
        "session": session,
        "reason": reason,
        "at": wazir_ledger::now_rfc3339(),
        "source": "user_prompt",
    });
    wazir_core::fsio::atomic_write(&p, format!("{body}\n").as_bytes())?;
    Ok(p)
}
