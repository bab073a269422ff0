//! The user's override of the write rule, read from the prompt hook (Claude and Codex
//! `UserPromptSubmit`, Gemini `BeforeAgent`, Cursor `beforeSubmitPrompt`): a prompt whose first
//! line starts with `wazir allow:` and a reason. With an unfinished run it records an
//! `override` event and lifts the rule until the run's next phase change; with none it lifts
//! the rule for the session. Only a user's prompt reaches this hook, so only the user can
//! override: no `wazir` command records one.

use anyhow::{Context as _, Result};
use wazir_core::Project;

use super::{Cx, Outcome, override_file};

/// The words that start an override.
pub const PREFIX: &str = "wazir allow:";

/// `Some(reason)` when the prompt's first line is an override (the reason may be empty).
/// Context a host put in front of the prompt (`<hook_context>…</hook_context>`) is skipped.
pub fn reason(prompt: &str) -> Option<String> {
    let mut text = prompt.trim_start();
    if let Some(rest) = text.strip_prefix("<hook_context>")
        && let Some(end) = rest.find("</hook_context>")
    {
        text = rest[end + "</hook_context>".len()..].trim_start();
    }
    let first = text.lines().next()?.trim();
    let head = first.get(..PREFIX.len())?;
    head.eq_ignore_ascii_case(PREFIX)
        .then(|| first[PREFIX.len()..].trim().to_string())
}

/// Records the override the prompt carries, if it carries one; the answer is the context the
/// agent gets about it.
pub fn from_prompt(cx: &Cx, project: &Project) -> Result<Option<Outcome>> {
    let Some(prompt) = cx.payload().prompt.as_deref() else {
        return Ok(None);
    };
    let Some(reason) = reason(prompt) else {
        return Ok(None);
    };
    if reason.is_empty() {
        return Ok(Some(Outcome::Context(
            "Wazir: an override needs a reason after `wazir allow:`; nothing was recorded. Ask \
             the user to send `wazir allow: <why this write is needed now>`."
                .into(),
        )));
    }
    let session = cx.payload().session_id.as_deref();
    let run = cx.active_run(project)?;
    if let Some((ledger, id)) = run
        && ledger.status(&id)?.is_unfinished()
    {
        let rec = ledger
            .record_override(&id, &reason, session)
            .with_context(|| format!("cannot record the user's override in run {id}"))?;
        return Ok(Some(Outcome::Context(format!(
            "Wazir recorded the user's override as event #{} of run `{id}` (phase `{}`): {reason}. \
             The write rule is lifted until the run's next phase change.",
            rec.seq, rec.status.phase
        ))));
    }
    let Some(session) = session else {
        return Ok(Some(Outcome::Context(
            "Wazir: no run is active and the host gave no session id, so the override could not \
             be recorded. Start a run with `wazir capture ensure`."
                .into(),
        )));
    };
    let state_root = cx.state_root(project)?;
    let path = override_file::write(&state_root, session, &reason)
        .context("cannot record the user's override")?;
    Ok(Some(Outcome::Context(format!(
        "Wazir recorded the user's override for this session (no run is active; {}): {reason}. \
         Project writes are allowed until a run starts.",
        path.display()
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_first_line_only() {
        assert_eq!(
            reason("wazir allow: hotfix typo").as_deref(),
            Some("hotfix typo")
        );
        assert_eq!(reason("  Wazir Allow:  x\nmore").as_deref(), Some("x"));
        assert_eq!(reason("wazir allow:").as_deref(), Some(""));
        assert_eq!(reason("please\nwazir allow: x"), None);
        assert_eq!(reason("wazir allowed: x"), None);
        assert_eq!(
            reason("<hook_context>kit ctx</hook_context>\n\nwazir allow: docs fix").as_deref(),
            Some("docs fix")
        );
        assert_eq!(reason("é"), None);
    }
}
