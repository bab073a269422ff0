//! The retention limit on captures: files older than a maximum age, and the oldest files while
//! all captures together are over a maximum size, are removed. `wazir capture prune` applies
//! the limits to every run of the state root ([`Ledger::prune`]); each new capture applies them
//! to its own run ([`Ledger::record_output`]). A removed capture keeps its record in
//! `status.json` (with `pruned_at`) and a `capture_pruned` event says what went and why.

use std::path::Path;
use std::time::{Duration, SystemTime};

use serde_json::json;

use crate::error::Result;
use crate::event::Event;
use crate::ledger::Ledger;
use crate::run_id::RunId;
use crate::status::RunStatus;
use crate::upkeep::CAPTURE_PRUNED;

/// Captures older than this many days are removed.
pub const DEFAULT_MAX_AGE_DAYS: u64 = 14;
/// All captures together are kept under this many MiB.
pub const DEFAULT_MAX_MB: u64 = 256;
/// Overrides [`DEFAULT_MAX_AGE_DAYS`].
pub const MAX_AGE_ENV: &str = "WAZIR_CAPTURE_MAX_AGE_DAYS";
/// Overrides [`DEFAULT_MAX_MB`].
pub const MAX_MB_ENV: &str = "WAZIR_CAPTURE_MAX_MB";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Limits {
    pub max_age_days: u64,
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_age_days: DEFAULT_MAX_AGE_DAYS,
            max_bytes: DEFAULT_MAX_MB * 1024 * 1024,
        }
    }
}

impl Limits {
    /// The defaults, overridden by `WAZIR_CAPTURE_MAX_AGE_DAYS` and `WAZIR_CAPTURE_MAX_MB`.
    pub fn from_env() -> Limits {
        let num = |k: &str| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let d = Limits::default();
        Limits {
            max_age_days: num(MAX_AGE_ENV).unwrap_or(d.max_age_days),
            max_bytes: num(MAX_MB_ENV).map_or(d.max_bytes, |m| m * 1024 * 1024),
        }
    }
}

/// One capture file removed by [`Ledger::prune`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pruned {
    pub run_id: String,
    pub capture: String,
    pub bytes: u64,
    /// `age` or `size`.
    pub reason: &'static str,
}

/// What [`Ledger::prune`] did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PruneReport {
    pub limits: Limits,
    pub runs: usize,
    pub removed: Vec<Pruned>,
    /// Captures kept, and their total size.
    pub kept: usize,
    pub kept_bytes: u64,
    /// Repairs and clean-ups made on the way (litter of killed writers, torn log tails), and
    /// runs that could not be visited, each with what to do.
    pub notes: Vec<String>,
}

struct Live {
    run: RunId,
    name: String,
    bytes: u64,
    modified: SystemTime,
}

impl Ledger {
    /// Applies `limits` to the captures of every run, after removing the litter of killed
    /// writers from each run folder.
    pub fn prune(&self, limits: &Limits) -> Result<PruneReport> {
        let mut notes = Vec::new();
        let mut live = Vec::new();
        let runs = self.run_ids();
        for run in &runs {
            // A transaction without an event: repairs the log tail and sweeps litter.
            match self.transact(run, |st, _| Ok((None, st.clone()))) {
                Ok((_, _, st)) => live.extend(live_captures(self, run, &st)),
                Err(e) => notes.push(format!("run {run} skipped: {e}")),
            }
        }
        let now = SystemTime::now();
        let max_age = Duration::from_secs(limits.max_age_days * 86_400);
        let mut removed: Vec<(usize, &'static str)> = Vec::new();
        for (i, c) in live.iter().enumerate() {
            if now.duration_since(c.modified).unwrap_or_default() > max_age {
                removed.push((i, "age"));
            }
        }
        let mut total: u64 = live
            .iter()
            .enumerate()
            .filter(|(i, _)| !removed.iter().any(|(r, _)| r == i))
            .map(|(_, c)| c.bytes)
            .sum();
        let mut by_age: Vec<usize> = (0..live.len())
            .filter(|i| !removed.iter().any(|(r, _)| r == i))
            .collect();
        by_age.sort_by_key(|&i| live[i].modified);
        for i in by_age {
            if total <= limits.max_bytes {
                break;
            }
            total -= live[i].bytes;
            removed.push((i, "size"));
        }
        let mut out = Vec::new();
        for run in &runs {
            let mine: Vec<(String, u64, &'static str)> = removed
                .iter()
                .filter(|(i, _)| &live[*i].run == run)
                .map(|(i, why)| (live[*i].name.clone(), live[*i].bytes, *why))
                .collect();
            if mine.is_empty() {
                continue;
            }
            let names: Vec<String> = mine.iter().map(|(n, _, _)| n.clone()).collect();
            let gone = self.transact(run, |st, now| {
                let gone = remove_captures(self, run, st, &names, now);
                let ev = Event::new(CAPTURE_PRUNED)
                    .data(json!({"captures": gone, "reason": "retention limits"}));
                Ok((Some(ev), gone))
            });
            match gone {
                Ok((_, _, gone)) => {
                    out.extend(mine.into_iter().filter(|m| gone.contains(&m.0)).map(
                        |(capture, bytes, reason)| Pruned {
                            run_id: run.to_string(),
                            capture,
                            bytes,
                            reason,
                        },
                    ))
                }
                Err(e) => notes.push(format!("run {run}: captures not removed: {e}")),
            }
        }
        notes.extend(self.take_notices());
        let kept = live.len() - out.len();
        Ok(PruneReport {
            limits: *limits,
            runs: runs.len(),
            kept,
            kept_bytes: total,
            removed: out,
            notes,
        })
    }

    /// The runs under `runs/` (folders with a valid run id), sorted.
    pub fn run_ids(&self) -> Vec<RunId> {
        let mut ids: Vec<RunId> = std::fs::read_dir(self.runs_dir())
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| RunId::parse(&e.file_name().to_string_lossy()).ok())
            .collect();
        ids.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        ids
    }

    /// Holds this run's captures to `limits` (inside a transaction of the run, after a new
    /// capture `keep` was written); returns the names removed.
    pub(crate) fn retain_run(
        &self,
        run: &RunId,
        st: &mut RunStatus,
        keep: &str,
        limits: &Limits,
        now: &str,
    ) -> Vec<String> {
        let mut live: Vec<Live> = live_captures(self, run, st)
            .into_iter()
            .filter(|c| c.name != keep)
            .collect();
        let kept_new = file_len(&self.captures_dir(run).join(keep));
        let max_age = Duration::from_secs(limits.max_age_days * 86_400);
        let t = SystemTime::now();
        let mut names = Vec::new();
        live.sort_by_key(|c| c.modified);
        let mut total: u64 = kept_new + live.iter().map(|c| c.bytes).sum::<u64>();
        for c in &live {
            let old = t.duration_since(c.modified).unwrap_or_default() > max_age;
            if old || total > limits.max_bytes {
                total -= c.bytes;
                names.push(c.name.clone());
            }
        }
        if names.is_empty() {
            return names;
        }
        remove_captures(self, run, st, &names, now)
    }
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map_or(0, |m| m.len())
}

/// The run's recorded, not yet pruned capture files that exist, with size and change time.
fn live_captures(ledger: &Ledger, run: &RunId, st: &RunStatus) -> Vec<Live> {
    let dir = ledger.captures_dir(run);
    st.captures
        .iter()
        .filter(|(_, c)| c.pruned_at.is_none())
        .filter_map(|(name, _)| {
            let meta = std::fs::metadata(dir.join(name)).ok()?;
            Some(Live {
                run: run.clone(),
                name: name.clone(),
                bytes: meta.len(),
                modified: meta.modified().ok()?,
            })
        })
        .collect()
}

/// Removes the named capture files and marks their records; returns the names removed.
fn remove_captures(
    ledger: &Ledger,
    run: &RunId,
    st: &mut RunStatus,
    names: &[String],
    now: &str,
) -> Vec<String> {
    let dir = ledger.captures_dir(run);
    let mut gone = Vec::new();
    for n in names {
        let p = dir.join(n);
        let ok = match std::fs::remove_file(&p) {
            Ok(()) => true,
            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
        };
        if ok && let Some(c) = st.captures.get_mut(n) {
            c.pruned_at = Some(now.to_string());
            gone.push(n.clone());
        }
    }
    gone
}
