//! Capture files under `<run-dir>/captures/`: reserving a file for output a command is about to
//! produce, storing an output with the short reference handed to the agent in its place, and the
//! recall record `capture usage` counts from.

use std::path::{Path, PathBuf};

use serde_json::json;
use wazir_core::fsio::atomic_write;

use crate::error::{LedgerError, Result};
use crate::event::{Event, kinds};
use crate::ledger::Ledger;
use crate::run_id::{RunId, check_name};
use crate::status::CaptureRecord;

/// What [`Ledger::record_output`] stored, and the short text to hand the agent instead.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaptureOutcome {
    pub name: String,
    pub path: PathBuf,
    pub bytes: u64,
    pub lines: u64,
    pub reference: String,
}

impl Ledger {
    /// Writes `bytes` to `captures/<name>` (atomically) and returns the path. Records nothing:
    /// hooks call this, then [`Ledger::append_event`] with the reference they gave the agent.
    pub fn write_capture(&self, run: &RunId, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        check_name("capture name", name)?;
        if !self.exists(run) {
            return Err(LedgerError::RunNotFound {
                run: run.to_string(),
                path: self.status_path(run),
            });
        }
        let path = self.captures_dir(run).join(name);
        atomic_write(&path, bytes).map_err(|e| LedgerError::io(&path, "cannot write", e))?;
        Ok(path)
    }

    /// Reserves `captures/<name>` (or `<name>-2`, `-3`… when taken) as an empty file for output
    /// a command is about to produce, and records a `capture_routed` event.
    pub fn route_capture(&self, run: &RunId, name: &str) -> Result<PathBuf> {
        check_name("capture name", name)?;
        let captures = self.captures_dir(run);
        let (_, _, path) = self.transact(run, |st, now| {
            let chosen = free_name(name, |n| {
                st.captures.contains_key(n) || captures.join(n).exists()
            });
            let path = captures.join(&chosen);
            atomic_write(&path, b"").map_err(|e| LedgerError::io(&path, "cannot reserve", e))?;
            st.captures.insert(
                chosen.clone(),
                CaptureRecord {
                    phase: st.phase.clone(),
                    bytes: 0,
                    lines: 0,
                    command: None,
                    exit_code: None,
                    reserved: true,
                    created_at: now.to_string(),
                },
            );
            let ev = Event::new(kinds::CAPTURE_ROUTED)
                .data(json!({"capture": chosen, "path": path.display().to_string()}));
            Ok((Some(ev), path))
        })?;
        Ok(path)
    }

    /// Stores a command's output as `captures/<name>` (a reserved file of that name is filled; a
    /// taken name gets a `-2`, `-3`… suffix), records a `capture_output` event carrying the short
    /// reference handed to the agent, and returns both.
    pub fn record_output(
        &self,
        run: &RunId,
        name: &str,
        bytes: &[u8],
        command: Option<&str>,
        exit_code: Option<i32>,
    ) -> Result<CaptureOutcome> {
        check_name("capture name", name)?;
        let captures = self.captures_dir(run);
        let (_, _, out) = self.transact(run, |st, now| {
            let chosen = if st.captures.get(name).is_some_and(|c| c.reserved) {
                name.to_string()
            } else {
                free_name(name, |n| {
                    st.captures.contains_key(n) || captures.join(n).exists()
                })
            };
            let path = captures.join(&chosen);
            atomic_write(&path, bytes).map_err(|e| LedgerError::io(&path, "cannot write", e))?;
            let lines = count_lines(bytes);
            let reference = reference_text(&path, bytes, lines, command, exit_code);
            st.captures.insert(
                chosen.clone(),
                CaptureRecord {
                    phase: st.phase.clone(),
                    bytes: bytes.len() as u64,
                    lines,
                    command: command.map(str::to_string),
                    exit_code,
                    reserved: false,
                    created_at: now.to_string(),
                },
            );
            let ev = Event::new(kinds::CAPTURE_OUTPUT).data(json!({
                "capture": chosen,
                "bytes": bytes.len(),
                "lines": lines,
                "command": command,
                "exit_code": exit_code,
                "reference": reference,
            }));
            let out = CaptureOutcome {
                name: chosen,
                path,
                bytes: bytes.len() as u64,
                lines,
                reference,
            };
            Ok((Some(ev), out))
        })?;
        Ok(out)
    }

    /// Records that recall served `served` (a summary or slice) instead of the whole `source`
    /// file, so `capture usage` can count the tokens avoided.
    pub fn record_recall(
        &self,
        run: &RunId,
        source: &str,
        tier: Option<&str>,
        served: &str,
    ) -> Result<()> {
        let ev = Event::new(kinds::RECALL_SERVED).data(json!({
            "source": source,
            "tier": tier,
            "served": served,
        }));
        self.append_event(run, &ev)
    }
}

/// `name` when `taken(name)` is false, else `stem-2.ext`, `stem-3.ext`, …
fn free_name(name: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(name) {
        return name.to_string();
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    (2u32..)
        .map(|i| format!("{stem}-{i}{ext}"))
        .find(|n| !taken(n))
        .expect("some suffix is free")
}

fn count_lines(bytes: &[u8]) -> u64 {
    let n = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    if bytes.last().is_some_and(|&b| b != b'\n') {
        n + 1
    } else {
        n
    }
}

/// The short text handed to the agent in place of the output: where it went, how big it is,
/// and for a failure (or an unknown exit code) its last lines.
fn reference_text(
    path: &Path,
    bytes: &[u8],
    lines: u64,
    command: Option<&str>,
    exit_code: Option<i32>,
) -> String {
    let what = match command {
        Some(c) => format!("output of `{c}`"),
        None => "output".to_string(),
    };
    let exit = match exit_code {
        Some(x) => format!(", exit {x}"),
        None => String::new(),
    };
    let mut s = format!(
        "{what}{exit}: {lines} lines, {} bytes saved to {}",
        bytes.len(),
        path.display()
    );
    if exit_code != Some(0) && !bytes.is_empty() {
        let text = String::from_utf8_lossy(bytes);
        let tail: Vec<&str> = text.lines().rev().take(5).collect();
        s.push_str("\nlast lines:");
        for l in tail.iter().rev() {
            let cut: String = l.chars().take(200).collect();
            s.push_str("\n  ");
            s.push_str(&cut);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn free_names_get_suffixes_before_the_extension() {
        let taken = ["out.txt", "out-2.txt", "log"];
        let t = |n: &str| taken.contains(&n);
        assert_eq!(free_name("new.txt", t), "new.txt");
        assert_eq!(free_name("out.txt", t), "out-3.txt");
        assert_eq!(free_name("log", t), "log-2");
    }

    #[test]
    fn lines_are_counted_with_or_without_a_final_newline() {
        assert_eq!(count_lines(b""), 0);
        assert_eq!(count_lines(b"a\nb\n"), 2);
        assert_eq!(count_lines(b"a\nb"), 2);
    }

    #[test]
    fn references_show_the_tail_only_for_failures() {
        let p = Path::new("/s/captures/t.txt");
        let ok = reference_text(p, b"1\n2\n", 2, Some("make"), Some(0));
        assert_eq!(
            ok,
            "output of `make`, exit 0: 2 lines, 4 bytes saved to /s/captures/t.txt"
        );
        let body: String = (1..=9).map(|i| format!("line {i}\n")).collect();
        let bad = reference_text(p, body.as_bytes(), 9, Some("make"), Some(2));
        assert!(
            bad.contains("last lines:\n  line 5\n") && bad.ends_with("line 9"),
            "{bad}"
        );
    }
}
