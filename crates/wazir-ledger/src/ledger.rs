//! [`Ledger`]: the run folders under a state root and every operation on them. A change to a run
//! happens in one transaction under `<run-dir>/.lock`: read `status.json`, check the change, append
//! the event line (one write, under the events lock), rewrite `status.json` atomically.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use wazir_core::fsio::{
    FileLock, atomic_write_private as atomic_write, create_private_dir_all, locked_append_line,
};

use crate::error::{LedgerError, Result};
use crate::event::{Event, EventRecord, normalise_phase};
use crate::run_id::RunId;
use crate::status::{LastEvent, LoopCheck, RunStatus, read_status, write_status};
use crate::transitions::Transitions;

pub const STATUS_FILE: &str = "status.json";
pub const EVENTS_FILE: &str = "events.ndjson";
pub const SUMMARY_FILE: &str = "summary.md";
pub const CAPTURES_DIR: &str = "captures";
pub const ARTIFACTS_DIR: &str = "artifacts";
const LOCK_FILE: &str = ".lock";
const EVENTS_LOCK_FILE: &str = ".events.lock";

/// The run ledger of one state root.
#[derive(Debug, Clone)]
pub struct Ledger {
    state_root: PathBuf,
    pub(crate) rules: Option<Transitions>,
    pub(crate) schemas_dir: Option<PathBuf>,
    /// Repairs made while working (a torn log tail cut off), for the command to report once.
    notices: Arc<Mutex<Vec<String>>>,
    /// The project the runs belong to: evidence, completion, the phase report and the security
    /// scan read its work tree.
    pub(crate) project_root: Option<PathBuf>,
    /// The project's security triggers file (the embedded kit's copy when absent or missing).
    #[cfg_attr(not(feature = "artifacts"), allow(dead_code))]
    pub(crate) triggers: Option<PathBuf>,
}

/// What [`Ledger::record_event`] recorded.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The event's line number in `events.ndjson`.
    pub seq: u64,
    /// The run's status after the event.
    pub status: RunStatus,
}

impl Ledger {
    pub fn new(state_root: &Path) -> Ledger {
        Ledger {
            state_root: state_root.to_path_buf(),
            rules: None,
            schemas_dir: None,
            notices: Arc::default(),
            project_root: None,
            triggers: None,
        }
    }

    /// The repairs made since the last call, each a sentence saying what was found and done.
    pub fn take_notices(&self) -> Vec<String> {
        std::mem::take(&mut *self.notices.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub(crate) fn notice(&self, text: String) {
        self.notices
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(text);
    }

    /// Holds the run's lock (`<run-dir>/.lock`) until dropped: every writer of the run folder
    /// takes it, so files found there under it belong to no live writer.
    pub(crate) fn lock_run(&self, run: &RunId) -> Result<FileLock> {
        let lock_path = self.run_dir(run).join(LOCK_FILE);
        FileLock::acquire(&lock_path)
            .map_err(|e| LedgerError::io(&lock_path, "cannot lock the run", e))
    }

    /// The error for a run without `status.json`: a run whose log survives can be rebuilt.
    pub(crate) fn not_found(&self, run: &RunId) -> LedgerError {
        let status = self.status_path(run);
        if self.events_path(run).is_file() {
            LedgerError::Corrupt {
                path: status,
                line: None,
                message: format!(
                    "the run status is missing but its events are there: rebuild it with \
                     `wazir status --repair --run {run}`"
                ),
            }
        } else {
            LedgerError::RunNotFound {
                run: run.to_string(),
                path: status,
            }
        }
    }

    /// Adds the project root, whose work tree evidence, completion and reports read.
    pub fn with_project_root(mut self, root: &Path) -> Ledger {
        self.project_root = Some(root.to_path_buf());
        self
    }

    /// Adds the project: its root and its security triggers file
    /// (`<workflows>/security-triggers.yaml`).
    pub fn with_project(self, project: &wazir_core::Project) -> Ledger {
        let mut l = self.with_project_root(&project.root);
        l.triggers = Some(
            project
                .path(&project.manifest.paths.workflows)
                .join("security-triggers.yaml"),
        );
        l
    }

    pub fn project_root(&self) -> Option<&Path> {
        self.project_root.as_deref()
    }

    /// Adds the workflow rules: transitions and `capture artifact` need them.
    pub fn with_rules(mut self, rules: Transitions) -> Ledger {
        self.rules = Some(rules);
        self
    }

    /// The project's schemas folder, searched before the embedded kit's schemas.
    pub fn with_schemas_dir(mut self, dir: Option<PathBuf>) -> Ledger {
        self.schemas_dir = dir;
        self
    }

    pub fn rules(&self) -> Option<&Transitions> {
        self.rules.as_ref()
    }

    pub fn state_root(&self) -> &Path {
        &self.state_root
    }

    pub fn runs_dir(&self) -> PathBuf {
        self.state_root.join("runs")
    }

    /// `<state-root>/runs/latest`: one line naming the current run.
    pub fn latest_path(&self) -> PathBuf {
        self.runs_dir().join("latest")
    }

    pub fn run_dir(&self, run: &RunId) -> PathBuf {
        self.runs_dir().join(run.as_str())
    }

    pub fn captures_dir(&self, run: &RunId) -> PathBuf {
        self.run_dir(run).join(CAPTURES_DIR)
    }

    pub fn artifacts_dir(&self, run: &RunId) -> PathBuf {
        self.run_dir(run).join(ARTIFACTS_DIR)
    }

    pub fn status_path(&self, run: &RunId) -> PathBuf {
        self.run_dir(run).join(STATUS_FILE)
    }

    pub fn events_path(&self, run: &RunId) -> PathBuf {
        self.run_dir(run).join(EVENTS_FILE)
    }

    pub fn exists(&self, run: &RunId) -> bool {
        self.status_path(run).is_file()
    }

    /// The run named by `runs/latest`, if that file exists.
    pub fn latest(&self) -> Result<Option<RunId>> {
        let path = self.latest_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(LedgerError::io(&path, "cannot read the current run", e)),
        };
        RunId::parse(text.trim())
            .map(Some)
            .map_err(|e| LedgerError::Corrupt {
                path,
                line: Some(1),
                message: format!("{e}; fix the file or delete it and pass `--run ID`"),
            })
    }

    /// `Some(id)` validated, or the run named by `runs/latest`, or `None` when neither exists.
    pub fn resolve_run(&self, run: Option<&str>) -> Result<Option<RunId>> {
        match run {
            Some(r) => RunId::parse(r).map(Some),
            None => self.latest(),
        }
    }

    /// Like [`Ledger::resolve_run`], but no run at all is an error that says what to do.
    pub fn require_run(&self, run: Option<&str>) -> Result<RunId> {
        self.resolve_run(run)?.ok_or_else(|| LedgerError::NoRun {
            latest: self.latest_path(),
        })
    }

    /// Points `runs/latest` at `run`.
    pub fn set_latest(&self, run: &RunId) -> Result<()> {
        let path = self.latest_path();
        atomic_write(&path, format!("{run}\n").as_bytes())
            .map_err(|e| LedgerError::io(&path, "cannot write the current run", e))
    }

    /// Starts a run: its folder, `status.json` (in `phase`, status `status` or `active`), an empty
    /// `events.ndjson`, `captures/` and `artifacts/`; then makes it the latest run. With rules,
    /// the phase must be one a workflow runs.
    pub fn init(&self, run: &RunId, phase: &str, status: Option<&str>) -> Result<RunStatus> {
        let phase = normalise_phase(phase)?;
        if let Some(rules) = &self.rules {
            rules.rules(&phase)?;
        }
        let status = status.unwrap_or("active");
        crate::event::check_status(status)?;
        let runs = self.runs_dir();
        create_private_dir_all(&runs)
            .map_err(|e| LedgerError::io(&runs, "cannot create the runs folder", e))?;
        let dir = self.run_dir(run);
        let mut b = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, wazir_core::fsio::PRIVATE_DIR_MODE);
        match b.create(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(LedgerError::RunExists {
                    run: run.to_string(),
                    path: dir,
                });
            }
            Err(e) => return Err(LedgerError::io(&dir, "cannot create the run folder", e)),
        }
        for sub in [CAPTURES_DIR, ARTIFACTS_DIR] {
            let p = dir.join(sub);
            create_private_dir_all(&p).map_err(|e| LedgerError::io(&p, "cannot create", e))?;
        }
        let events = dir.join(EVENTS_FILE);
        atomic_write(&events, b"").map_err(|e| LedgerError::io(&events, "cannot write", e))?;
        let mut st = RunStatus::new(run.as_str(), &phase, status, &crate::now_rfc3339());
        if let Some(rules) = &self.rules {
            rules.record_caps(&mut st);
        }
        write_status(&dir.join(STATUS_FILE), &st)?;
        self.record_base(run)?;
        self.set_latest(run)?;
        Ok(st)
    }

    /// The run's `status.json`.
    pub fn status(&self, run: &RunId) -> Result<RunStatus> {
        read_status(&self.status_path(run), run).map_err(|e| match e {
            LedgerError::RunNotFound { .. } => self.not_found(run),
            e => e,
        })
    }

    /// Every line of `events.ndjson`, parsed.
    pub fn events(&self, run: &RunId) -> Result<Vec<EventRecord>> {
        let path = self.events_path(run);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(LedgerError::RunNotFound {
                    run: run.to_string(),
                    path,
                });
            }
            Err(e) => return Err(LedgerError::io(&path, "cannot read the events", e)),
        };
        // A last line without its newline is a write that never finished (a full disk, a kill):
        // readers leave it out; the next writer cuts it off and reports it.
        let whole = match text.rfind('\n') {
            Some(i) => &text[..=i],
            None => "",
        };
        whole
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| LedgerError::Corrupt {
                    path: path.clone(),
                    line: Some(i + 1),
                    message: format!(
                        "not a valid event line ({e}); the ledger appends whole lines, so this \
                         one was edited by hand: restore or delete that line, then run \
                         `wazir status --repair --run {run}`"
                    ),
                })
            })
            .collect()
    }

    /// Records an event (locked, one whole line) and updates `status.json`. Transition events
    /// (`phase_enter`, `phase_exit`, `gate_approved`, `gate_rejected`) need the rules.
    pub fn append_event(&self, run: &RunId, event: &Event) -> Result<()> {
        self.record_event(run, event).map(|_| ())
    }

    /// [`Ledger::append_event`], returning the event's sequence number and the new status.
    pub fn record_event(&self, run: &RunId, event: &Event) -> Result<Recorded> {
        let ev = event.normalised()?;
        if let Some(rules) = &self.rules
            && let Some(p) = &ev.phase
        {
            rules.rules(p)?;
        }
        if ev.is_transition() {
            if self.rules.is_none() {
                return Err(LedgerError::RulesRequired {
                    event: ev.event.clone(),
                });
            }
            if ev.phase.is_none() {
                return Err(LedgerError::InvalidValue {
                    what: "phase",
                    value: String::new(),
                    reason: format!("{} must name its phase", ev.event),
                });
            }
        }
        let (seq, st, ()) = self.transact(run, |st, now| {
            if ev.is_transition() {
                self.apply_transition(run, st, &ev, now)?;
                // A user's override lasts until the run's next phase change.
                st.write_override = None;
            }
            if ev.status.as_deref() == Some(crate::completion::COMPLETE)
                && st.status != crate::completion::COMPLETE
            {
                self.check_complete(run, st, &ev)?;
            }
            Ok((Some(ev), ()))
        })?;
        Ok(Recorded { seq, status: st })
    }

    /// Runs `f` on the run's status under the run lock; appends the event `f` returns and writes
    /// the status back. Returns the last sequence number and the new status, with `f`'s value.
    pub(crate) fn transact<T>(
        &self,
        run: &RunId,
        f: impl FnOnce(&mut RunStatus, &str) -> Result<(Option<Event>, T)>,
    ) -> Result<(u64, RunStatus, T)>
    where
        T: Sized,
    {
        let dir = self.run_dir(run);
        let status_path = dir.join(STATUS_FILE);
        if !status_path.is_file() {
            return Err(self.not_found(run));
        }
        let _lock = self.lock_run(run)?;
        let mut st = read_status(&status_path, run)?;
        let events = dir.join(EVENTS_FILE);
        let repaired = self.cut_tail(run)?;
        let logged = crate::upkeep::file_len(&events);
        if logged != st.events_bytes {
            self.recount(run, &mut st, logged)?;
        }
        let now = crate::now_rfc3339();
        if let Some(data) = repaired {
            let ev = Event::new(crate::upkeep::LEDGER_REPAIRED).data(data);
            self.append_record(run, &mut st, ev, &now)?;
            st.updated_at = now.clone();
            write_status(&status_path, &st)?;
        }
        let swept = self.sweep(run, &st);
        if !swept.is_empty() {
            self.notice(format!(
                "{}: removed {} temporary and {} unrecorded capture file(s) ({} bytes) left by \
                 writers that were stopped",
                dir.display(),
                swept.temp_files.len(),
                swept.unrecorded_captures.len(),
                swept.bytes
            ));
        }
        let (event, out) = f(&mut st, &now)?;
        if let Some(rules) = &self.rules {
            rules.record_caps(&mut st);
        }
        if let Some(ev) = event {
            self.append_record(run, &mut st, ev, &now)?;
        }
        st.updated_at = now;
        write_status(&status_path, &st)?;
        Ok((st.event_count, st, out))
    }

    /// Appends `ev` (redacted) as the next line of the log and counts it in `st`; the caller
    /// holds the run lock and writes the status afterwards.
    pub(crate) fn append_record(
        &self,
        run: &RunId,
        st: &mut RunStatus,
        ev: Event,
        now: &str,
    ) -> Result<u64> {
        let dir = self.run_dir(run);
        let events = dir.join(EVENTS_FILE);
        let seq = st.event_count + 1;
        let phase = ev.phase.clone().unwrap_or_else(|| st.phase.clone());
        let mut data = ev.data;
        crate::redact::redact_json(&mut data);
        let rec = EventRecord {
            seq,
            ts: now.to_string(),
            run_id: run.to_string(),
            event: ev.event.clone(),
            phase: phase.clone(),
            status: ev.status.clone(),
            message: crate::redact::redact_opt(ev.message.as_deref()),
            data,
        };
        let line = serde_json::to_string(&rec).expect("an event serialises");
        locked_append_line(&events, &dir.join(EVENTS_LOCK_FILE), &line).map_err(|e| {
            LedgerError::io(&events, "cannot append the event (nothing was recorded)", e)
        })?;
        st.event_count = seq;
        st.events_bytes += line.len() as u64 + 1;
        *st.events.entry(ev.event.clone()).or_default() += 1;
        if let Some(s) = ev.status {
            st.status = s;
        }
        st.last_event = Some(LastEvent {
            seq,
            event: ev.event,
            phase,
            ts: now.to_string(),
        });
        Ok(seq)
    }

    /// Brings `st` up to date with a log of `size` bytes that a writer appended to and died
    /// before writing the status: the counts are rebuilt, and the events the status has not
    /// seen are applied (their captures, artifacts, statuses and transitions), so the next
    /// sequence number follows the last line actually written and no recorded capture is taken
    /// for litter.
    fn recount(&self, run: &RunId, st: &mut RunStatus, size: u64) -> Result<()> {
        let records = self.events(run)?;
        let seen = st.event_count;
        for r in records.iter().filter(|r| r.seq > seen) {
            self.replay_transition(st, r);
            crate::upkeep::apply_effects(self, run, st, r);
        }
        crate::upkeep::recount_from(st, &records, size);
        Ok(())
    }

    /// Refuses the status `complete` while the run is not (see [`crate::Completion`]).
    fn check_complete(&self, run: &RunId, st: &RunStatus, ev: &Event) -> Result<()> {
        if self.project_root.is_none() {
            return Err(LedgerError::InvalidValue {
                what: "status",
                value: crate::completion::COMPLETE.into(),
                reason: "a run is marked complete only through `wazir capture event`, which \
                         checks the project's tree"
                    .into(),
            });
        }
        let c = self.completion(run, st)?;
        if c.ready() {
            return Ok(());
        }
        Err(LedgerError::Refused {
            event: ev.event.clone(),
            phase: ev.phase.clone().unwrap_or_else(|| st.phase.clone()),
            reason: format!(
                "the run is not complete; still missing:\n  - {}\n`wazir verify status` \
                 shows the checks and what completion still needs",
                c.missing.join("\n  - ")
            ),
        })
    }

    /// The iteration `phase` is in, or would start by being entered, against `cap`.
    pub fn loop_check(&self, run: &RunId, phase: &str, cap: u32) -> Result<LoopCheck> {
        let phase = normalise_phase(phase)?;
        let st = self.status(run)?;
        Ok(LoopCheck::new(
            st.loop_count(&phase),
            cap,
            st.phase_state(&phase),
        ))
    }

    /// Writes `summary.md` from the status and the event log; returns its path.
    pub fn write_summary(&self, run: &RunId) -> Result<PathBuf> {
        let st = self.status(run)?;
        let events = self.events(run)?;
        let text = crate::summary::render(&st, &events, self.rules.as_ref());
        let text = crate::redact::redact(&text);
        let path = self.run_dir(run).join(SUMMARY_FILE);
        let _lock = self.lock_run(run)?;
        atomic_write(&path, text.as_bytes())
            .map_err(|e| LedgerError::io(&path, "cannot write", e))?;
        Ok(path)
    }
}

/// Without the `artifacts` feature (the hook's build) a transition cannot check its required
/// artifacts, so it is refused like a ledger without rules.
#[cfg(not(feature = "artifacts"))]
impl Ledger {
    pub(crate) fn apply_transition(
        &self,
        _run: &RunId,
        _st: &mut RunStatus,
        ev: &Event,
        _now: &str,
    ) -> Result<()> {
        Err(LedgerError::RulesRequired {
            event: ev.event.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_append_without_its_status_write_is_recounted() {
        let d = tempfile::tempdir().unwrap();
        let ledger = Ledger::new(d.path());
        let run = RunId::parse("r1").unwrap();
        ledger.init(&run, "execute", None).unwrap();
        ledger.append_event(&run, &Event::new("note")).unwrap();
        // A writer that died after appending its line, before writing the status.
        let orphan = r#"{"seq":2,"ts":"2026-11-24T09:00:00.000Z","run_id":"r1","event":"stop","phase":"execute"}"#;
        let events = ledger.events_path(&run);
        let mut text = std::fs::read_to_string(&events).unwrap();
        text.push_str(orphan);
        text.push('\n');
        std::fs::write(&events, text).unwrap();
        assert_eq!(ledger.status(&run).unwrap().event_count, 1);

        let rec = ledger.record_event(&run, &Event::new("note")).unwrap();
        assert_eq!(rec.seq, 3);
        assert_eq!(rec.status.event_count, 3);
        assert_eq!(rec.status.events["stop"], 1);
        assert_eq!(rec.status.events["note"], 2);
        let seqs: Vec<u64> = ledger.events(&run).unwrap().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [1, 2, 3]);
    }

    #[test]
    fn transitions_need_rules_and_other_events_do_not() {
        let d = tempfile::tempdir().unwrap();
        let ledger = Ledger::new(d.path());
        let run = RunId::parse("r1").unwrap();
        ledger.init(&run, "execute", None).unwrap();
        let e = ledger
            .append_event(&run, &Event::new("phase_exit").phase("execute"))
            .unwrap_err();
        assert!(e.to_string().contains("needs the workflow rules"), "{e}");
        ledger
            .append_event(&run, &Event::new("post_tool_capture"))
            .unwrap();
        let st = ledger.status(&run).unwrap();
        assert_eq!(
            st.last_event.unwrap().phase,
            "execute",
            "the current phase is used"
        );
        assert_eq!(ledger.resolve_run(None).unwrap(), Some(run.clone()));
        let other = Ledger::new(&d.path().join("elsewhere"));
        assert_eq!(other.resolve_run(None).unwrap(), None);
        assert!(other.require_run(None).is_err());
    }
}
