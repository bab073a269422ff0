//! Token usage of a run: what capture routing and tiered recall kept out of the agent's context,
//! counted with the real o200k_base tokenizer, per phase and in total. Read from the event log:
//! any event whose `data` has `capture` (a file in `captures/`) and `reference` (the text the
//! agent got instead) is a routed capture; a `recall_served` event with `source` (the whole file)
//! and `served` (the summary or slice given) is a recall. A capture counts as avoided only when
//! the model did not receive the output ([`Delivery`]): one a host sent in full anyway counts 0,
//! and the report says per host which mechanism applied. Counts are cached by BLAKE3 content hash
//! in `<state-root>/cache/token-counts.json`. Never called on the hook path.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use wazir_core::fsio::{FileLock, atomic_write_private as atomic_write};

use crate::captures::Delivery;
use crate::error::{LedgerError, Result};
use crate::event::kinds;
use crate::ledger::Ledger;

/// `<run-dir>/usage.json`: the last usage report written for the run.
pub const USAGE_FILE: &str = "usage.json";
use crate::run_id::{RunId, check_name};

pub const TOKENIZER: &str = "o200k_base";

/// Tokens of one kind of saving.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub items: u64,
    /// Tokens of the whole output or file.
    pub full_tokens: u64,
    /// Tokens of what the agent actually got (reference or summary).
    pub given_tokens: u64,
    /// `full_tokens - given_tokens` (negative when the stand-in was the longer one).
    pub avoided_tokens: i64,
}

impl Tally {
    fn add(&mut self, full: u64, given: u64) {
        self.items += 1;
        self.full_tokens += full;
        self.given_tokens += given;
        self.avoided_tokens += full as i64 - given as i64;
    }

    fn merge(&mut self, o: &Tally) {
        self.items += o.items;
        self.full_tokens += o.full_tokens;
        self.given_tokens += o.given_tokens;
        self.avoided_tokens += o.avoided_tokens;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageRow {
    pub phase: String,
    pub capture: Tally,
    pub recall: Tally,
    pub avoided_tokens: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageTotals {
    pub capture: Tally,
    pub recall: Tally,
    pub avoided_tokens: i64,
}

/// The captures of one host delivered one way, and what they kept out of the model's context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    /// The host whose hook stored the captures; `cli` for `wazir capture output`.
    pub host: String,
    pub delivery: Delivery,
    pub items: u64,
    pub full_tokens: u64,
    pub avoided_tokens: i64,
}

/// An event that looked like a saving but could not be counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub seq: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
}

/// `usage.json` (schema `usage.schema.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageReport {
    pub run_id: String,
    pub created_at: String,
    pub tokenizer: String,
    pub phases: Vec<UsageRow>,
    pub total: UsageTotals,
    /// Captures per host and delivery mechanism.
    pub deliveries: Vec<DeliveryRow>,
    pub skipped: Vec<Skipped>,
    pub cache: CacheStats,
}

impl Ledger {
    /// Counts the run's token savings, writes `usage.json` and returns the report. Relative
    /// recall sources are read from `project_root`.
    pub fn usage(&self, run: &RunId, project_root: Option<&Path>) -> Result<UsageReport> {
        let events = self.events(run)?;
        let mut cache = TokenCache::load(self.state_root());
        let mut by_phase: BTreeMap<String, UsageRow> = BTreeMap::new();
        let mut order: Vec<String> = Vec::new();
        let mut skipped = Vec::new();
        let captures = self.captures_dir(run);
        // Captures a hook stored before deliveries were recorded: no host replaced an output
        // then, so the model received each of them in full.
        let hooked: BTreeMap<&str, &str> = events
            .iter()
            .filter(|e| e.event == kinds::POST_TOOL_CAPTURE)
            .filter_map(|e| {
                let capture = e.data.get("capture").and_then(Value::as_str)?;
                let host = e.data.get("host").and_then(Value::as_str).unwrap_or("hook");
                Some((capture, host))
            })
            .collect();
        let mut deliveries: BTreeMap<(String, Delivery), DeliveryRow> = BTreeMap::new();
        for e in &events {
            let data = &e.data;
            let text = |k: &str| data.get(k).and_then(Value::as_str);
            let item = if let (Some(name), Some(reference)) = (text("capture"), text("reference")) {
                if let Err(err) = check_name("capture name", name) {
                    skipped.push(Skipped {
                        seq: e.seq,
                        reason: err.to_string(),
                    });
                    continue;
                }
                let path = captures.join(name);
                let delivery = data
                    .get("delivery")
                    .and_then(|d| serde_json::from_value::<Delivery>(d.clone()).ok())
                    .unwrap_or(if hooked.contains_key(name) {
                        Delivery::Sent
                    } else {
                        Delivery::Piped
                    });
                let host = text("host")
                    .or_else(|| hooked.get(name).copied())
                    .unwrap_or("cli")
                    .to_string();
                match std::fs::read(&path) {
                    Ok(bytes) => {
                        let full = cache.count(&String::from_utf8_lossy(&bytes));
                        // A host that sent the whole output kept nothing out.
                        let given = if delivery.kept_out() {
                            cache.count(reference)
                        } else {
                            full
                        };
                        let row = deliveries
                            .entry((host.clone(), delivery))
                            .or_insert_with(|| DeliveryRow {
                                host,
                                delivery,
                                items: 0,
                                full_tokens: 0,
                                avoided_tokens: 0,
                            });
                        row.items += 1;
                        row.full_tokens += full;
                        row.avoided_tokens += full as i64 - given as i64;
                        Some((false, full, given))
                    }
                    Err(err) => {
                        skipped.push(Skipped {
                            seq: e.seq,
                            reason: format!(
                                "{}: {}",
                                path.display(),
                                wazir_core::fsio::describe(&err)
                            ),
                        });
                        None
                    }
                }
            } else if e.event == kinds::RECALL_SERVED {
                match (text("source"), text("served")) {
                    (Some(source), Some(served)) => {
                        let p = PathBuf::from(source);
                        let p = match project_root {
                            Some(root) if p.is_relative() => root.join(p),
                            _ => p,
                        };
                        match std::fs::read(&p) {
                            Ok(bytes) => Some((
                                true,
                                cache.count(&String::from_utf8_lossy(&bytes)),
                                cache.count(served),
                            )),
                            Err(err) => {
                                skipped.push(Skipped {
                                    seq: e.seq,
                                    reason: format!(
                                        "{}: {}",
                                        p.display(),
                                        wazir_core::fsio::describe(&err)
                                    ),
                                });
                                None
                            }
                        }
                    }
                    _ => {
                        skipped.push(Skipped {
                            seq: e.seq,
                            reason: "recall_served needs `source` and `served` in its data".into(),
                        });
                        None
                    }
                }
            } else {
                None
            };
            let Some((is_recall, full, given)) = item else {
                continue;
            };
            let row = by_phase.entry(e.phase.clone()).or_insert_with(|| {
                order.push(e.phase.clone());
                UsageRow {
                    phase: e.phase.clone(),
                    capture: Tally::default(),
                    recall: Tally::default(),
                    avoided_tokens: 0,
                }
            });
            if is_recall {
                row.recall.add(full, given);
            } else {
                row.capture.add(full, given);
            }
            row.avoided_tokens += full as i64 - given as i64;
        }
        cache.save();
        let phases: Vec<UsageRow> = order.iter().filter_map(|p| by_phase.remove(p)).collect();
        let mut total = UsageTotals::default();
        for r in &phases {
            total.capture.merge(&r.capture);
            total.recall.merge(&r.recall);
        }
        total.avoided_tokens = total.capture.avoided_tokens + total.recall.avoided_tokens;
        let report = UsageReport {
            run_id: run.to_string(),
            created_at: crate::now_rfc3339(),
            tokenizer: TOKENIZER.to_string(),
            phases,
            total,
            deliveries: deliveries.into_values().collect(),
            skipped,
            cache: CacheStats {
                hits: cache.hits,
                misses: cache.misses,
            },
        };
        let path = self.run_dir(run).join(USAGE_FILE);
        let mut text = serde_json::to_string_pretty(&report).expect("a report serialises");
        text.push('\n');
        let _lock = self.lock_run(run)?;
        atomic_write(&path, text.as_bytes())
            .map_err(|e| LedgerError::io(&path, "cannot write", e))?;
        Ok(report)
    }
}

impl UsageReport {
    /// The report as a plain-text table.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<16} {:<8} {:>6} {:>12} {:>12} {:>12}",
            "phase", "source", "items", "full tokens", "given tokens", "avoided"
        );
        let line = |s: &mut String, phase: &str, source: &str, t: &Tally| {
            let _ = writeln!(
                s,
                "{:<16} {:<8} {:>6} {:>12} {:>12} {:>12}",
                phase,
                source,
                t.items,
                thousands(t.full_tokens as i64),
                thousands(t.given_tokens as i64),
                thousands(t.avoided_tokens)
            );
        };
        for r in &self.phases {
            if r.capture.items > 0 {
                line(&mut s, &r.phase, "capture", &r.capture);
            }
            if r.recall.items > 0 {
                line(&mut s, &r.phase, "recall", &r.recall);
            }
        }
        line(&mut s, "total", "capture", &self.total.capture);
        line(&mut s, "total", "recall", &self.total.recall);
        let _ = writeln!(
            s,
            "{:<16} {:<8} {:>6} {:>12} {:>12} {:>12}",
            "total",
            "all",
            self.total.capture.items + self.total.recall.items,
            thousands((self.total.capture.full_tokens + self.total.recall.full_tokens) as i64),
            thousands((self.total.capture.given_tokens + self.total.recall.given_tokens) as i64),
            thousands(self.total.avoided_tokens)
        );
        if !self.deliveries.is_empty() {
            s.push_str("\nCaptures by host and how the output reached the model:\n");
        }
        for d in &self.deliveries {
            let how = match d.delivery {
                Delivery::Replaced => "the model got the reference in place of the output",
                Delivery::Piped => "only the reference was printed",
                Delivery::Sent => "the host sent the whole output to the model too",
            };
            let _ = writeln!(
                s,
                "  {}: {} {}, {} tokens avoided ({how})",
                d.host,
                d.items,
                d.delivery.as_str(),
                thousands(d.avoided_tokens)
            );
        }
        let _ = writeln!(
            s,
            "\nTokens counted with {}; {} counts from the cache, {} new.",
            self.tokenizer, self.cache.hits, self.cache.misses
        );
        for k in &self.skipped {
            let _ = writeln!(s, "skipped event #{}: {}", k.seq, k.reason);
        }
        s
    }
}

fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Token counts keyed by BLAKE3 of the text, shared by every run of a state root.
struct TokenCache {
    path: PathBuf,
    counts: BTreeMap<String, u64>,
    fresh: BTreeMap<String, u64>,
    hits: u64,
    misses: u64,
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    tokenizer: String,
    counts: BTreeMap<String, u64>,
}

impl TokenCache {
    fn load(state_root: &Path) -> Self {
        let path = state_root.join("cache").join("token-counts.json");
        let counts = read_cache(&path);
        Self {
            path,
            counts,
            fresh: BTreeMap::new(),
            hits: 0,
            misses: 0,
        }
    }

    fn count(&mut self, text: &str) -> u64 {
        let key = wazir_core::digest::blake3_hex(text.as_bytes());
        if let Some(&n) = self.counts.get(&key) {
            self.hits += 1;
            return n;
        }
        self.misses += 1;
        let n = wazir_core::tokens::count(text) as u64;
        self.counts.insert(key.clone(), n);
        self.fresh.insert(key, n);
        n
    }

    /// Merges the new counts into the file under its lock. A cache that cannot be written only
    /// costs a recount next time, so failures are ignored.
    fn save(&self) {
        if self.fresh.is_empty() {
            return;
        }
        let lock = self.path.with_file_name(".token-counts.lock");
        let Ok(_guard) = FileLock::acquire(&lock) else {
            return;
        };
        let mut counts = read_cache(&self.path);
        counts.extend(self.fresh.iter().map(|(k, v)| (k.clone(), *v)));
        let file = CacheFile {
            tokenizer: TOKENIZER.into(),
            counts,
        };
        if let Ok(text) = serde_json::to_string(&file) {
            let _ = atomic_write(&self.path, text.as_bytes());
        }
    }
}

/// The cached counts, or none when the file is missing, unreadable or for another tokenizer.
fn read_cache(path: &Path) -> BTreeMap<String, u64> {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<CacheFile>(&b).ok())
        .filter(|c| c.tokenizer == TOKENIZER)
        .map(|c| c.counts)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(-1234567), "-1,234,567");
    }

    #[test]
    fn the_cache_is_keyed_by_content() {
        let d = tempfile::tempdir().unwrap();
        let mut c = TokenCache::load(d.path());
        assert_eq!(c.count("hello world"), 2);
        assert_eq!(c.count("hello world"), 2);
        assert_eq!((c.hits, c.misses), (1, 1));
        c.save();
        let mut again = TokenCache::load(d.path());
        assert_eq!(again.count("hello world"), 2);
        assert_eq!((again.hits, again.misses), (1, 0));
    }
}
