//! Pre-compact: before the host compacts the conversation, appends a `pre_compact` event (with
//! the trigger and custom instructions when the host sends them) and rewrites the run's
//! `summary.md`, which session start puts back in front of the agent afterwards. Compaction
//! always goes ahead; without a run nothing is written.
//!
//! Gemini CLI fires `PreCompress` with `trigger: "auto"` on every turn, before it decides
//! whether to compress at all (checked with Gemini CLI 0.61.0 by `tests/hosts/`), so there an
//! automatic trigger is no sign of a compaction and is not recorded; a manual `/compress` is.

use anyhow::Result;
use serde_json::json;
use wazir_ledger::{Event, kinds};

use super::{Cx, Outcome};

pub fn run(cx: &Cx) -> Result<Outcome> {
    let p = cx.payload();
    if !cx
        .opts
        .host
        .pre_compact_trigger_means_compaction(p.trigger.as_deref())
    {
        return Ok(Outcome::Neutral);
    }
    let Some(project) = cx.project()? else {
        return Ok(Outcome::Neutral);
    };
    let Some((ledger, run)) = cx.active_run(&project)? else {
        return Ok(Outcome::Neutral);
    };
    let ev = Event::new(kinds::PRE_COMPACT).data(json!({
        "host": cx.opts.host.as_str(),
        "trigger": p.trigger,
        "custom_instructions": p.custom_instructions,
        "session_id": p.session_id,
    }));
    ledger.append_event(&run, &ev)?;
    ledger.write_summary(&run)?;
    Ok(Outcome::Neutral)
}
