//! What the pipeline's enforcement needs from the ledger: [`Ledger::ensure`] (resume the
//! unfinished run or start one in `clarify`, for `wazir capture ensure`) and
//! [`Ledger::record_override`] (the user's `wazir allow:` override of the write rule, recorded
//! only by the prompt hook and lifted at the run's next phase change). No CLI subcommand
//! records an override: `override` is not one of [`crate::kinds::CLI`].

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::Result;
use crate::event::{Event, kinds};
use crate::ledger::{Ledger, Recorded};
use crate::run_id::{MAX_RUN_ID_LEN, RunId};
use crate::status::RunStatus;

/// The phase a run started by [`Ledger::ensure`] begins in.
pub const FIRST_PHASE: &str = "clarify";

/// Run status words that end a run; any other status is unfinished.
pub const FINISHED: [&str; 2] = ["complete", "stopped"];

/// The user's override of the write rule, kept in `status.json` until the run's next phase
/// change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WriteOverride {
    /// Sequence number of the `override` event.
    pub seq: u64,
    pub phase: String,
    pub reason: String,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

/// The answer of [`Ledger::ensure`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ensured {
    pub run_id: String,
    pub phase: String,
    /// True when this call started the run.
    pub new: bool,
    #[serde(skip)]
    pub status: RunStatus,
}

impl RunStatus {
    /// Whether the run is still going: its status is not `complete` or `stopped`.
    pub fn is_unfinished(&self) -> bool {
        !FINISHED.contains(&self.status.as_str())
    }
}

impl Ledger {
    /// The unfinished latest run (resumed as it is), or a new run in `clarify` whose id is the
    /// date and up to five words of `request` (`20261206-fix-login-timeout`), with `-2`, `-3`…
    /// added when that id is taken. Idempotent: a second call resumes the run the first started.
    pub fn ensure(&self, request: Option<&str>, today: &str) -> Result<Ensured> {
        if let Some(run) = self.latest()?
            && let Ok(st) = self.status(&run)
            && st.is_unfinished()
        {
            return Ok(Ensured {
                run_id: run.to_string(),
                phase: st.phase.clone(),
                new: false,
                status: st,
            });
        }
        let base = run_id_for(request, today);
        let mut n = 1u32;
        loop {
            let id = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            let run = RunId::parse(&id)?;
            if !self.exists(&run) {
                let st = self.init(&run, FIRST_PHASE, None)?;
                return Ok(Ensured {
                    run_id: id,
                    phase: st.phase.clone(),
                    new: true,
                    status: st,
                });
            }
            n += 1;
        }
    }

    /// Records the user's `wazir allow:` override: an `override` event with the reason, and
    /// [`RunStatus::write_override`] until the next phase change.
    pub fn record_override(
        &self,
        run: &RunId,
        reason: &str,
        session: Option<&str>,
    ) -> Result<Recorded> {
        let (seq, status, ()) = self.transact(run, |st, now| {
            let ev = Event::new(kinds::OVERRIDE)
                .phase(&st.phase)
                .message(reason)
                .data(json!({ "session": session, "source": "user_prompt" }));
            st.write_override = Some(WriteOverride {
                seq: st.event_count + 1,
                phase: st.phase.clone(),
                reason: reason.to_string(),
                at: now.to_string(),
                session: session.map(str::to_string),
            });
            Ok((Some(ev), ()))
        })?;
        Ok(Recorded { seq, status })
    }
}

/// `<today>-<up to five words of the request, kebab-case>`, cut to fit a run id; `<today>-run`
/// when the request has no letters or digits.
pub fn run_id_for(request: Option<&str>, today: &str) -> String {
    let words: Vec<String> = request
        .unwrap_or("")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(5)
        .map(str::to_ascii_lowercase)
        .collect();
    let tail = if words.is_empty() {
        "run".to_string()
    } else {
        words.join("-")
    };
    let mut id = format!("{today}-{tail}");
    // Room for a `-NN` suffix.
    id.truncate(MAX_RUN_ID_LEN - 4);
    while id.ends_with('-') {
        id.pop();
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_the_date_and_the_request() {
        assert_eq!(
            run_id_for(Some("Fix the login timeout, please now"), "20261206"),
            "20261206-fix-the-login-timeout-please"
        );
        assert_eq!(run_id_for(None, "20261206"), "20261206-run");
        assert_eq!(run_id_for(Some("¿¿"), "20261206"), "20261206-run");
        assert!(run_id_for(Some(&"a".repeat(200)), "20261206").len() <= MAX_RUN_ID_LEN - 4);
    }

    #[test]
    fn ensure_starts_once_then_resumes_and_starts_again_after_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let l = Ledger::new(dir.path());
        let a = l.ensure(Some("add csv export"), "20261206").unwrap();
        assert!(a.new);
        assert_eq!(
            (a.run_id.as_str(), a.phase.as_str()),
            ("20261206-add-csv-export", "clarify")
        );
        let b = l.ensure(Some("something else"), "20261206").unwrap();
        assert!(!b.new);
        assert_eq!(b.run_id, a.run_id);
        let run = RunId::parse(&a.run_id).unwrap();
        l.append_event(&run, &Event::new("note").status("stopped"))
            .unwrap();
        let c = l.ensure(Some("add csv export"), "20261206").unwrap();
        assert!(c.new);
        assert_eq!(c.run_id, "20261206-add-csv-export-2");
    }

    #[test]
    fn an_override_is_recorded_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        let l = Ledger::new(dir.path());
        let e = l.ensure(None, "20261206").unwrap();
        let run = RunId::parse(&e.run_id).unwrap();
        let r = l
            .record_override(&run, "hotfix the typo", Some("s1"))
            .unwrap();
        let o = r.status.write_override.unwrap();
        assert_eq!(
            (o.seq, o.phase.as_str(), o.reason.as_str()),
            (r.seq, "clarify", "hotfix the typo")
        );
        let evs = l.events(&run).unwrap();
        assert_eq!(evs.last().unwrap().event, "override");
        assert_eq!(
            evs.last().unwrap().message.as_deref(),
            Some("hotfix the typo")
        );
    }
}
