//! Pre-compact: before the host compacts the conversation, appends a `pre_compact` event (with
//! the trigger and custom instructions when the host sends them) and rewrites the run's
//! `summary.md`, which session start puts back in front of the agent afterwards. Compaction
//! always goes ahead; without a run nothing is written.

use anyhow::Result;
use serde_json::json;
use wazir_ledger::{Event, kinds};

use super::{Cx, Outcome};

pub fn run(cx: &Cx) -> Result<Outcome> {
    let p = cx.payload();
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
