//! One EVENT, one process: runs every behaviour of the EVENT ([`HookEvent::behaviours`], the
//! table in `wazir-hosts`) in order inside this process and merges their outcomes into the one
//! answer the host reads. A single behaviour's EVENT runs that behaviour alone; `pre-tool` runs
//! protected-path (with the write rule), loop-cap and capture-route, so one shell call starts
//! one process where it used to start three.
//!
//! The merge: the first block (or refused stop) wins and its reason is the one shown; the
//! behaviours after it do not run, since nothing they say could change the answer (and a
//! guard that records its refusal would record one for a call already refused). Otherwise the
//! contexts are joined in order, each distinct text once. Each behaviour keeps its own failure
//! rule: a guard that cannot decide blocks, the others stay neutral. One decision budget
//! (`Cx::budget`) covers the whole EVENT, so a combined event stops and blocks past it as a
//! single guard does.

use anyhow::Result;

use super::{Cx, Outcome, capture, compact, loop_cap, protected, session, stop, write_rule};
use wazir_hosts::HookEvent;

/// Runs every behaviour of the EVENT and merges their outcomes.
pub(crate) fn run(cx: &Cx) -> Outcome {
    let mut outcomes = Vec::new();
    for &b in cx.opts.event.behaviours() {
        cx.behaviour.set(b);
        let outcome = behaviour(cx, b).unwrap_or_else(|e| cx.failed(&e));
        let decisive = is_decisive(&outcome);
        outcomes.push(outcome);
        if decisive {
            break;
        }
    }
    merge(outcomes)
}

fn behaviour(cx: &Cx, b: HookEvent) -> Result<Outcome> {
    match b {
        // The write rule runs right after the protected-path guard, on the same targets: a call
        // the guard refuses is refused for that reason first.
        HookEvent::ProtectedPath => match protected::run(cx)? {
            Outcome::Neutral => write_rule::run(cx),
            other => Ok(other),
        },
        HookEvent::LoopCap => loop_cap::run(cx),
        HookEvent::SessionStart => session::start(cx),
        HookEvent::Prompt => session::prompt(cx),
        HookEvent::CaptureRoute => capture::route(cx),
        HookEvent::Capture => capture::capture(cx),
        HookEvent::PreCompact => compact::run(cx),
        HookEvent::Stop => stop::run(cx),
        HookEvent::PreTool => anyhow::bail!(
            "`pre-tool` is a combined event, not a behaviour (the event table lists it as one \
             of its own behaviours)"
        ),
    }
}

fn is_decisive(o: &Outcome) -> bool {
    matches!(o, Outcome::Block(_) | Outcome::RefuseStop(_))
}

/// The one outcome of a list, in the order the behaviours ran: the first block or refused
/// stop; else the distinct contexts joined by a blank line, with the rewritten tool input when
/// a behaviour rewrote it (capture routing), as the tool's output when a behaviour replaced it
/// (the capture on Claude Code) and as context otherwise; else neutral.
pub fn merge(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
    let mut contexts: Vec<String> = Vec::new();
    let mut replaced = false;
    let mut rewrite = None;
    for o in outcomes {
        let text = match o {
            Outcome::Block(_) | Outcome::RefuseStop(_) => return o,
            Outcome::Neutral => continue,
            Outcome::Context(text) => text,
            Outcome::ReplaceOutput(text) => {
                replaced = true;
                text
            }
            Outcome::RewriteInput { input, context } => {
                rewrite = Some(input);
                context
            }
        };
        if !text.trim().is_empty() && !contexts.contains(&text) {
            contexts.push(text);
        }
    }
    if let Some(input) = rewrite {
        Outcome::RewriteInput {
            input,
            context: contexts.join("\n\n"),
        }
    } else if contexts.is_empty() {
        Outcome::Neutral
    } else if replaced {
        Outcome::ReplaceOutput(contexts.join("\n\n"))
    } else {
        Outcome::Context(contexts.join("\n\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(s: &str) -> Outcome {
        Outcome::Context(s.into())
    }

    fn rewrite(context: &str) -> Outcome {
        Outcome::RewriteInput {
            input: serde_json::json!({"command": "x"}),
            context: context.into(),
        }
    }

    #[test]
    fn merge_table() {
        let b = |s: &str| Outcome::Block(s.into());
        let cases: Vec<(Vec<Outcome>, Outcome)> = vec![
            (vec![], Outcome::Neutral),
            (vec![Outcome::Neutral, Outcome::Neutral], Outcome::Neutral),
            (vec![Outcome::Neutral, ctx("a")], ctx("a")),
            (vec![ctx("a"), ctx("b"), ctx("a")], ctx("a\n\nb")),
            (vec![ctx("a"), ctx("  ")], ctx("a")),
            (vec![ctx("a"), b("guard"), ctx("c")], b("guard")),
            (vec![b("first"), b("second")], b("first")),
            (vec![Outcome::Neutral, b("late")], b("late")),
            (
                vec![ctx("a"), Outcome::RefuseStop("r".into())],
                Outcome::RefuseStop("r".into()),
            ),
            // A replaced tool output carries the other contexts with it.
            (
                vec![ctx("a"), Outcome::ReplaceOutput("ref".into())],
                Outcome::ReplaceOutput("a\n\nref".into()),
            ),
            (
                vec![Outcome::ReplaceOutput("ref".into()), b("guard")],
                b("guard"),
            ),
            // A rewritten input keeps the guards' contexts, and a block still wins.
            (
                vec![ctx("a"), rewrite("")],
                Outcome::RewriteInput {
                    input: serde_json::json!({"command": "x"}),
                    context: "a".into(),
                },
            ),
            (vec![rewrite("r"), b("guard")], b("guard")),
        ];
        for (input, want) in cases {
            assert_eq!(merge(input.clone()), want, "{input:?}");
        }
        // A host that does not run a rewritten input gets the rewrite's context alone.
        assert_eq!(rewrite("").without_rewrite(), Outcome::Neutral);
        assert_eq!(rewrite("a").without_rewrite(), ctx("a"));
        assert_eq!(ctx("b").without_rewrite(), ctx("b"));
    }

    #[test]
    fn every_event_runs_only_behaviours() {
        for e in HookEvent::ALL {
            assert!(!e.behaviours().is_empty(), "{e:?}");
            for b in e.behaviours() {
                assert_eq!(b.behaviours(), [*b], "{e:?} runs {b:?}, itself combined");
            }
        }
        // The guards run first, so a payload no behaviour can read blocks.
        assert!(HookEvent::PreTool.behaviours()[0].is_guard());
    }
}
