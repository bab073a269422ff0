//! The loop-cap guard: before a shell command runs, finds a ledger call that would start one
//! more iteration of a phase (`wazir capture event --event phase_enter --phase P` when P has
//! finished its last allowed iteration, `--event gate_rejected` on a gate at its cap, or whose
//! rejection would send the run back into a phase at its cap) and blocks it. Every other
//! command passes on its text alone, without reading a file.

use anyhow::{Context as _, Result};
use serde_json::json;
use wazir_ledger::{Event, Ledger, PhaseStateKind, kinds};

use super::{Cx, Outcome, ToolCall, phase_rules, protocol};

/// A `wazir capture event` call found in a command line.
#[derive(Debug, Default, PartialEq, Eq)]
struct LedgerCall {
    event: String,
    phase: Option<String>,
    run: Option<String>,
    state_root: Option<String>,
}

pub fn run(cx: &Cx) -> Result<Outcome> {
    let cmd = match protocol::tool_call(cx.opts.host, cx.payload()) {
        ToolCall::Shell(c) => c,
        _ => return Ok(Outcome::Neutral),
    };
    let mentions = [
        "phase_enter",
        "phase-enter",
        "gate_rejected",
        "gate-rejected",
    ];
    if !cmd.contains("wazir") || !mentions.iter().any(|m| cmd.contains(m)) {
        return Ok(Outcome::Neutral);
    }
    for argv in &cx.shell_scan(&cmd)?.commands {
        let Some(call) = ledger_call(argv) else {
            continue;
        };
        if let Some(reason) = check(cx, &call)? {
            return Ok(Outcome::Block(reason));
        }
    }
    Ok(Outcome::Neutral)
}

fn ledger_call(argv: &[String]) -> Option<LedgerCall> {
    if argv.first().map(String::as_str) != Some("wazir") {
        return None;
    }
    let mut call = LedgerCall::default();
    let mut positional = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        let (key, inline) = match a.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k, Some(v.to_string())),
            _ => (a, None),
        };
        let valued = [
            "--event",
            "--phase",
            "--run",
            "--state-root",
            "--status",
            "--message",
        ];
        if valued.contains(&key) {
            let value = match inline {
                Some(v) => Some(v),
                None => {
                    i += 1;
                    argv.get(i).cloned()
                }
            };
            match key {
                "--event" => call.event = value.unwrap_or_default().replace('-', "_"),
                "--phase" => call.phase = value,
                "--run" => call.run = value,
                "--state-root" => call.state_root = value,
                _ => {}
            }
        } else if !a.starts_with('-') {
            positional.push(a);
        }
        i += 1;
    }
    (positional.starts_with(&["capture", "event"])
        && matches!(call.event.as_str(), "phase_enter" | "gate_rejected"))
    .then_some(call)
}

/// The refusal for `call`, or `None` when it stays within the cap.
fn check(cx: &Cx, call: &LedgerCall) -> Result<Option<String>> {
    let Some(phase) = call.phase.as_deref().map(wazir_core::ids::to_id) else {
        return Ok(None);
    };
    let Some(project) = cx.project()? else {
        return Ok(None);
    };
    let state_root = match &call.state_root {
        Some(s) => cx.base_dir().join(s),
        None => cx.state_root(&project)?,
    };
    let ledger = Ledger::new(&state_root);
    let Some(run) = ledger.resolve_run(call.run.as_deref())? else {
        return Ok(None);
    };
    let st = ledger
        .status(&run)
        .with_context(|| format!("cannot read the loop counts of run `{run}`"))?;
    let Some(wf) = phase_rules(&project, &st, &phase)? else {
        return Ok(None);
    };
    let count = st.loop_count(&phase);
    let mut over: Option<(String, u32, u32, String, String)> = None;
    match call.event.as_str() {
        "phase_enter" => {
            let finished = matches!(
                st.phase_state(&phase),
                Some(PhaseStateKind::Exited | PhaseStateKind::Approved)
            );
            if finished && count >= wf.loop_cap {
                over = Some((
                    phase.clone(),
                    count,
                    wf.loop_cap,
                    wf.workflow.clone(),
                    wf.escalation,
                ));
            }
        }
        _ => {
            if count >= wf.loop_cap {
                over = Some((
                    phase.clone(),
                    count,
                    wf.loop_cap,
                    wf.workflow.clone(),
                    wf.escalation,
                ));
            } else if let Some(to) = &wf.rejects_to
                && st.phase_state(to).is_some()
                && let Some(back) = phase_rules(&project, &st, to)?
                && st.loop_count(to) >= back.loop_cap
            {
                over = Some((
                    to.clone(),
                    st.loop_count(to),
                    back.loop_cap,
                    back.workflow,
                    back.escalation,
                ));
            }
        }
    }
    let Some((capped, used, cap, workflow, escalation)) = over else {
        return Ok(None);
    };
    let reason = format!(
        "Wazir loop-cap guard: run `{run}` has used {used} of the {cap} iterations allowed for \
         phase `{capped}` (workflow {workflow}), so `{}` for `{phase}` would start one more. \
         Do not loop again: {escalation}",
        call.event
    );
    let ev = Event::new(kinds::NOTE)
        .message("loop-cap guard refused an iteration")
        .data(json!({
            "hook": "loop_cap_guard",
            "host": cx.opts.host.as_str(),
            "event": call.event,
            "phase": capped,
            "count": used,
            "cap": cap,
        }));
    if let Err(e) = ledger.append_event(&run, &ev) {
        cx.warn(format!(
            "could not record the refusal in the run ledger: {e:#}"
        ));
    }
    Ok(Some(reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn finds_iteration_calls_in_either_spelling() {
        let c = ledger_call(&words(
            "wazir capture event --event=phase-enter --phase plan --run r1",
        ))
        .unwrap();
        assert_eq!(c.event, "phase_enter");
        assert_eq!(c.phase.as_deref(), Some("plan"));
        assert_eq!(c.run.as_deref(), Some("r1"));
        assert!(ledger_call(&words("wazir capture event --event note --phase plan")).is_none());
        assert!(ledger_call(&words("wazir status --event phase_enter")).is_none());
        assert!(ledger_call(&words("echo wazir capture event --event phase_enter")).is_none());
    }
}
