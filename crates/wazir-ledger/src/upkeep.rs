//! Keeping a run's folder sound after failures: the torn tail a failed or killed append left in
//! `events.ndjson` (cut off and reported once, as a `ledger_repaired` event), the litter killed
//! writers leave (temporary files, capture files no event recorded), and the effects of events
//! on `status.json` (captures, artifacts, statuses), so a status can be brought up to date with
//! its log, or rebuilt from it by `wazir status --repair`.

use std::path::Path;

use serde_json::{Value, json};
use wazir_core::fsio::{TEMP_PREFIX, cut_torn_tail};

use crate::error::{LedgerError, Result};
use crate::event::{EventRecord, kinds};
use crate::ledger::{ARTIFACTS_DIR, CAPTURES_DIR, EVENTS_FILE, Ledger};
use crate::run_id::RunId;
use crate::status::{ArtifactRecord, CaptureRecord, LastEvent, RunStatus};

/// Written when a writer found and cut an unfinished last line.
pub const LEDGER_REPAIRED: &str = "ledger_repaired";
/// Written when captures are removed by the retention limits or `capture prune`.
pub const CAPTURE_PRUNED: &str = "capture_pruned";

/// What [`Ledger::sweep`] removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Swept {
    /// Temporary files of writers that died before renaming them into place.
    pub temp_files: Vec<String>,
    /// Capture files that no event and no status entry recorded.
    pub unrecorded_captures: Vec<String>,
    pub bytes: u64,
}

impl Swept {
    pub fn is_empty(&self) -> bool {
        self.temp_files.is_empty() && self.unrecorded_captures.is_empty()
    }
}

impl Ledger {
    /// Cuts an unfinished last line off the run's `events.ndjson`; the caller holds the run lock.
    /// Returns the event data describing the repair, to be recorded as `ledger_repaired`.
    pub(crate) fn cut_tail(&self, run: &RunId) -> Result<Option<Value>> {
        let path = self.run_dir(run).join(EVENTS_FILE);
        let Some(tail) = cut_torn_tail(&path)
            .map_err(|e| LedgerError::io(&path, "cannot repair the unfinished last line", e))?
        else {
            return Ok(None);
        };
        let note = format!(
            "{}: the last line was unfinished ({} bytes, left by a write that failed or was \
             killed); it was cut off and the log continues from the last whole line",
            path.display(),
            tail.len()
        );
        self.notice(note);
        Ok(Some(json!({"file": EVENTS_FILE, "cut_bytes": tail.len()})))
    }

    /// Removes the litter of killed writers from a run folder; the caller holds the run lock,
    /// so no live writer of this run has a temporary file open. A capture file is litter when
    /// `st` does not record it (the status is brought up to date with the log first).
    pub(crate) fn sweep(&self, run: &RunId, st: &RunStatus) -> Swept {
        let dir = self.run_dir(run);
        let mut out = Swept::default();
        for sub in [None, Some(CAPTURES_DIR), Some(ARTIFACTS_DIR)] {
            let d = sub.map_or(dir.clone(), |s| dir.join(s));
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let Ok(meta) = e.metadata() else { continue };
                if !meta.is_file() {
                    continue;
                }
                let temp = name.starts_with(TEMP_PREFIX);
                let unrecorded =
                    sub == Some(CAPTURES_DIR) && !temp && !st.captures.contains_key(&name);
                if (temp || unrecorded) && std::fs::remove_file(e.path()).is_ok() {
                    out.bytes += meta.len();
                    let shown = match sub {
                        Some(s) => format!("{s}/{name}"),
                        None => name,
                    };
                    if temp {
                        out.temp_files.push(shown);
                    } else {
                        out.unrecorded_captures.push(shown);
                    }
                }
            }
        }
        out
    }
}

/// Applies what a logged event says about captures, artifacts and the run's status word to
/// `st` (counts and transitions are the caller's). Used when the status is behind its log and
/// when it is rebuilt.
pub(crate) fn apply_effects(ledger: &Ledger, run: &RunId, st: &mut RunStatus, r: &EventRecord) {
    let text = |k: &str| r.data.get(k).and_then(Value::as_str).map(str::to_string);
    match r.event.as_str() {
        kinds::CAPTURE_ROUTED | kinds::CAPTURE_OUTPUT => {
            if let Some(name) = text("capture") {
                let output = r.event == kinds::CAPTURE_OUTPUT;
                let num = |k: &str| r.data.get(k).and_then(Value::as_u64).unwrap_or(0);
                st.captures.insert(
                    name,
                    CaptureRecord {
                        phase: r.phase.clone(),
                        bytes: num("bytes"),
                        lines: num("lines"),
                        command: text("command"),
                        exit_code: r
                            .data
                            .get("exit_code")
                            .and_then(Value::as_i64)
                            .and_then(|c| i32::try_from(c).ok()),
                        reserved: !output,
                        created_at: r.ts.clone(),
                        pruned_at: None,
                    },
                );
            }
        }
        _ => {}
    }
    if matches!(r.event.as_str(), CAPTURE_PRUNED | kinds::CAPTURE_OUTPUT) {
        let key = if r.event == CAPTURE_PRUNED {
            "captures"
        } else {
            "pruned"
        };
        for n in r
            .data
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(c) = n.as_str().and_then(|n| st.captures.get_mut(n)) {
                c.pruned_at = Some(r.ts.clone());
            }
        }
    }
    if r.event == kinds::ARTIFACT_RECORDED
        && let (Some(name), Some(file)) = (text("artifact"), text("file"))
    {
        let path = ledger.run_dir(run).join(&file);
        let stored: Option<Value> = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        st.artifacts.insert(
            name,
            ArtifactRecord {
                phase: r.phase.clone(),
                schema: text("schema").unwrap_or_default(),
                file,
                blake3: text("blake3").unwrap_or_default(),
                bytes: std::fs::metadata(&path).map_or(0, |m| m.len()),
                status: stored
                    .as_ref()
                    .and_then(|v| v.get("status"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                loop_number: r.data.get("loop").and_then(Value::as_u64),
                recorded_at: r.ts.clone(),
                verified: r.data.get("verified").and_then(Value::as_bool),
            },
        );
    }
    if let Some(s) = &r.status {
        st.status = s.clone();
    }
}

/// Counts, last event and log size of `st` from the records (the whole log, `size` bytes).
pub(crate) fn recount_from(st: &mut RunStatus, records: &[EventRecord], size: u64) {
    st.event_count = records
        .last()
        .map_or(0, |r| r.seq)
        .max(records.len() as u64);
    st.events.clear();
    for r in records {
        *st.events.entry(r.event.clone()).or_default() += 1;
    }
    st.last_event = records.last().map(|r| LastEvent {
        seq: r.seq,
        event: r.event.clone(),
        phase: r.phase.clone(),
        ts: r.ts.clone(),
    });
    st.events_bytes = size;
}

/// Size of a file, 0 when it is missing.
pub(crate) fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map_or(0, |m| m.len())
}

impl Ledger {
    /// Applies a logged transition to `st` again, without checking outputs (it was checked
    /// when it was recorded). Needs the rules; without them the phase states are left as they
    /// are.
    #[cfg(feature = "artifacts")]
    pub(crate) fn replay_transition(&self, st: &mut RunStatus, r: &EventRecord) {
        if let Some(rules) = &self.rules
            && kinds::TRANSITIONS.contains(&r.event.as_str())
        {
            let _ = rules.apply(st, &r.event, &r.phase, &r.ts, &mut |_, _| Ok(()));
        }
    }

    #[cfg(not(feature = "artifacts"))]
    pub(crate) fn replay_transition(&self, _st: &mut RunStatus, _r: &EventRecord) {}

    /// Rebuilds the run's `status.json` from `events.ndjson` (`wazir status --repair`): an
    /// unfinished last line is cut off first, the litter of killed writers is removed after.
    /// The initial phase and start time come from the old status when it can still be read,
    /// else from the first event. Needs the rules to rebuild phase states and caps.
    pub fn repair_status(&self, run: &RunId) -> Result<Repaired> {
        let dir = self.run_dir(run);
        let events_path = dir.join(EVENTS_FILE);
        if !events_path.is_file() {
            return Err(LedgerError::RunNotFound {
                run: run.to_string(),
                path: events_path,
            });
        }
        let _lock = self.lock_run(run)?;
        let status_path = self.status_path(run);
        let (previous, before) = match crate::status::read_status(&status_path, run) {
            Ok(s) => (Some(s), "valid"),
            Err(LedgerError::RunNotFound { .. }) => (None, "missing"),
            Err(LedgerError::Corrupt { .. }) => (None, "corrupt"),
            Err(e) => return Err(e),
        };
        let cut = self.cut_tail(run)?;
        let records = self.events(run)?;
        let (phase, created_at, status) = match (&previous, records.first()) {
            (Some(p), _) => (p.phase_at_start(), p.created_at.clone(), p.status.clone()),
            (None, Some(r)) => (r.phase.clone(), r.ts.clone(), "active".to_string()),
            (None, None) => {
                return Err(LedgerError::Corrupt {
                    path: status_path,
                    line: None,
                    message: format!(
                        "the run status cannot be read and the run has no events to rebuild \
                         it from: remove {} and start the run again with `wazir capture init \
                         --run {run} --phase P`",
                        dir.display()
                    ),
                });
            }
        };
        let mut st = RunStatus::new(run.as_str(), &phase, "active", &created_at);
        if records.is_empty() {
            st.status = status;
        }
        for r in &records {
            self.replay_transition(&mut st, r);
            apply_effects(self, run, &mut st, r);
        }
        recount_from(&mut st, &records, file_len(&events_path));
        match (&self.rules, &previous) {
            (Some(rules), _) => rules.record_caps(&mut st),
            (None, Some(p)) => st.caps = p.caps.clone(),
            (None, None) => {}
        }
        let now = crate::now_rfc3339();
        if let Some(data) = cut.clone() {
            let ev = crate::event::Event::new(LEDGER_REPAIRED).data(data);
            self.append_record(run, &mut st, ev, &now)?;
        }
        st.updated_at = now;
        crate::status::write_status(&status_path, &st)?;
        let swept = self.sweep(run, &st);
        Ok(Repaired {
            run_id: run.to_string(),
            previous: before,
            events: records.len() as u64,
            cut_bytes: cut.and_then(|c| c.get("cut_bytes").and_then(Value::as_u64)),
            swept,
            status: st,
        })
    }
}

/// What [`Ledger::repair_status`] did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Repaired {
    pub run_id: String,
    /// The old `status.json`: `valid`, `corrupt` or `missing`.
    pub previous: &'static str,
    /// Events replayed.
    pub events: u64,
    /// Bytes of an unfinished last line cut off the log.
    pub cut_bytes: Option<u64>,
    pub swept: Swept,
    pub status: RunStatus,
}

impl RunStatus {
    /// The phase the run started in: the one entered first.
    fn phase_at_start(&self) -> String {
        self.phases
            .iter()
            .min_by(|a, b| a.1.entered_at.cmp(&b.1.entered_at))
            .map_or_else(|| self.phase.clone(), |(p, _)| p.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    fn started() -> (tempfile::TempDir, Ledger, RunId) {
        let d = tempfile::tempdir().unwrap();
        let ledger = Ledger::new(d.path());
        let run = RunId::parse("r1").unwrap();
        ledger.init(&run, "execute", None).unwrap();
        (d, ledger, run)
    }

    #[test]
    fn a_capture_logged_before_its_status_write_is_kept() {
        let (_d, ledger, run) = started();
        let before = std::fs::read(ledger.status_path(&run)).unwrap();
        ledger
            .record_output(&run, "a.txt", b"out\n", Some("make"), Some(0))
            .unwrap();
        // The writer died after its append, before its status write.
        std::fs::write(ledger.status_path(&run), before).unwrap();
        ledger.append_event(&run, &Event::new("note")).unwrap();
        assert!(ledger.captures_dir(&run).join("a.txt").is_file());
        let st = ledger.status(&run).unwrap();
        assert_eq!(st.captures["a.txt"].bytes, 4);
        assert_eq!(st.event_count, 2);
    }

    #[test]
    fn litter_is_swept_and_reported_once() {
        let (_d, ledger, run) = started();
        let dir = ledger.run_dir(&run);
        std::fs::write(dir.join(".wazir-tmp-abc"), b"half").unwrap();
        std::fs::write(dir.join("captures/stray.txt"), b"x").unwrap();
        ledger.append_event(&run, &Event::new("note")).unwrap();
        assert!(!dir.join(".wazir-tmp-abc").exists());
        assert!(!dir.join("captures/stray.txt").exists());
        let notes = ledger.take_notices();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains("1 temporary and 1 unrecorded"),
            "{notes:?}"
        );
        ledger.append_event(&run, &Event::new("note")).unwrap();
        assert!(ledger.take_notices().is_empty());
    }

    #[test]
    fn events_and_captures_are_redacted_before_they_are_written() {
        let (_d, ledger, run) = started();
        let token = format!("ghp_{}", "aB3".repeat(12));
        let ev = Event::new("note")
            .message(&format!("pushed with {token}"))
            .data(json!({"command": format!("GH_TOKEN={token} gh pr create")}));
        ledger.append_event(&run, &ev).unwrap();
        ledger
            .record_output(
                &run,
                "o.txt",
                format!("{token}\n").as_bytes(),
                Some(&token),
                None,
            )
            .unwrap();
        ledger.write_summary(&run).unwrap();
        for f in [
            "events.ndjson",
            "status.json",
            "captures/o.txt",
            "summary.md",
        ] {
            let text = std::fs::read_to_string(ledger.run_dir(&run).join(f)).unwrap();
            assert!(!text.contains(&token), "{f}: {text}");
        }
        let evs = ledger.events(&run).unwrap();
        assert_eq!(
            evs[0].message.as_deref(),
            Some("pushed with [REDACTED:github-token]")
        );
    }
}
