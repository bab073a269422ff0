//! Capture files under `<run-dir>/captures/`: reserving a file for output a command is about to
//! produce, storing an output with the short reference handed to the agent in its place, and the
//! recall record `capture usage` counts from. Each stored output says how it reached the model
//! ([`Delivery`]), so `capture usage` counts as avoided only what the model never received.

use std::path::{Path, PathBuf};

use serde_json::json;
use wazir_core::fsio::atomic_write_private as atomic_write;

use crate::error::{LedgerError, Result};
use crate::event::{Event, kinds};
use crate::ledger::Ledger;
use crate::run_id::{RunId, check_name};
use crate::status::CaptureRecord;

/// How a captured output reached the model, recorded with it: `capture usage` counts tokens as
/// avoided only for [`Delivery::Replaced`] and [`Delivery::Piped`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// The host gave the model the short reference in place of the output (Claude Code's
    /// PostToolUse `updatedToolOutput`).
    Replaced,
    /// The output went straight into the capture and only the reference was printed
    /// (`wazir capture output` reading a pipe).
    Piped,
    /// The host sent the whole output to the model as well (Codex CLI, Gemini CLI, Cursor): the
    /// capture is a copy for later slices, and nothing was kept out.
    Sent,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Replaced => "replaced",
            Delivery::Piped => "piped",
            Delivery::Sent => "sent",
        }
    }

    /// Whether the model did not receive the whole output.
    pub fn kept_out(self) -> bool {
        !matches!(self, Delivery::Sent)
    }
}

/// Where a stored output came from: the host whose hook stored it (none for the command line)
/// and how it reached the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin<'a> {
    pub host: Option<&'a str>,
    pub delivery: Delivery,
}

impl Origin<'_> {
    /// `wazir capture output` reading a pipe: the model sees only the printed reference.
    pub const PIPED: Origin<'static> = Origin {
        host: None,
        delivery: Delivery::Piped,
    };
}

/// Output larger than this many bytes goes to a capture file.
pub const DEFAULT_THRESHOLD: usize = 8 * 1024;
/// Overrides [`DEFAULT_THRESHOLD`].
pub const THRESHOLD_ENV: &str = "WAZIR_CAPTURE_THRESHOLD";

/// The capture threshold in bytes: `$WAZIR_CAPTURE_THRESHOLD`, else [`DEFAULT_THRESHOLD`].
pub fn capture_threshold() -> usize {
    std::env::var(THRESHOLD_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_THRESHOLD)
}

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
    /// Writes `bytes` (redacted) to `captures/<name>` (atomically, under the run lock) and
    /// returns the path. Records nothing, so the file is litter until a `capture_output` or
    /// `capture_routed` event names it: use [`Ledger::record_output`] instead where possible.
    pub fn write_capture(&self, run: &RunId, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        check_name("capture name", name)?;
        if !self.exists(run) {
            return Err(self.not_found(run));
        }
        let _lock = self.lock_run(run)?;
        let path = self.captures_dir(run).join(name);
        let bytes = crate::redact::redact_bytes(bytes);
        atomic_write(&path, &bytes).map_err(|e| LedgerError::io(&path, "cannot write", e))?;
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
                    pruned_at: None,
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
    /// reference handed to the agent and its [`Origin`], and returns both. Output and command are redacted
    /// ([`crate::redact`]) before anything is written, and the run's captures are then held to
    /// the retention limits ([`crate::Limits::from_env`]).
    pub fn record_output(
        &self,
        run: &RunId,
        name: &str,
        bytes: &[u8],
        command: Option<&str>,
        exit_code: Option<i32>,
        origin: Origin<'_>,
    ) -> Result<CaptureOutcome> {
        check_name("capture name", name)?;
        let bytes = &*crate::redact::redact_bytes(bytes);
        let command = crate::redact::redact_opt(command);
        let command = command.as_deref();
        let limits = crate::retention::Limits::from_env();
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
            let reference = if origin.host.is_some() {
                // A host's piped capture comes from `capture run`, which printed the head live.
                let head_shown = origin.delivery == Delivery::Piped;
                hook_reference(&path, bytes, lines, exit_code, head_shown)
            } else {
                reference_text(&path, bytes, lines, command, exit_code)
            };
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
                    pruned_at: None,
                },
            );
            let pruned = self.retain_run(run, st, &chosen, &limits, now);
            let ev = Event::new(kinds::CAPTURE_OUTPUT).data(json!({
                "pruned": (!pruned.is_empty()).then_some(pruned),
                "capture": chosen,
                "bytes": bytes.len(),
                "lines": lines,
                "command": command,
                "exit_code": exit_code,
                "reference": reference,
                "host": origin.host,
                "delivery": origin.delivery,
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

/// Lines of head and of tail in a hook's reference.
const EDGE_LINES: usize = 10;
/// Longest line shown in the head or tail.
const EDGE_LINE_CHARS: usize = 200;
/// Most characters of head, and of tail, in a hook's reference.
const EDGE_CHARS: usize = 600;

/// Lines and bytes of its output `capture run` prints as they come, before it knows whether the
/// output is long: the head a piped capture's reference then leaves out.
pub const LIVE_HEAD_LINES: usize = EDGE_LINES;
pub const LIVE_HEAD_BYTES: usize = EDGE_CHARS;

/// The text a hook hands the agent for a captured tool output: where the whole output is, its
/// size, and its first and last lines (at most [`EDGE_CHARS`] characters each), so the agent
/// reads slices of the file instead of carrying the output. About 1,500 characters at most.
/// Without the first lines when `head_shown` (`capture run` printed them as they came).
fn hook_reference(
    path: &Path,
    bytes: &[u8],
    lines: u64,
    exit_code: Option<i32>,
    head_shown: bool,
) -> String {
    let text = String::from_utf8_lossy(bytes);
    let all: Vec<&str> = text.lines().collect();
    let edge = |ls: &mut dyn Iterator<Item = &&str>| -> Vec<String> {
        let mut used = 0;
        let mut out = Vec::new();
        for l in ls.take(EDGE_LINES) {
            let short: String = l.chars().take(EDGE_LINE_CHARS).collect();
            used += short.chars().count() + 3;
            if used > EDGE_CHARS && !out.is_empty() {
                break;
            }
            out.push(format!("  {short}"));
        }
        out
    };
    let exit = exit_code
        .map(|c| format!(", exit code {c}"))
        .unwrap_or_default();
    let mut s = format!(
        "Wazir captured this output ({lines} lines, {} bytes{exit}) to {}. Read exact slices of \
         that file (e.g. with sed -n 'A,Bp') instead of re-running the command or keeping the \
         whole output in context.",
        bytes.len(),
        path.display()
    );
    let head = edge(&mut all.iter());
    if all.len() <= head.len() {
        s.push_str(&format!("\nAll lines:\n{}", head.join("\n")));
        return s;
    }
    let mut tail = edge(&mut all.iter().rev());
    tail.truncate(all.len() - head.len());
    tail.reverse();
    if head_shown {
        s.push_str(&format!(
            "\nLast {} lines:\n{}",
            tail.len(),
            tail.join("\n")
        ));
        return s;
    }
    s.push_str(&format!(
        "\nFirst {} lines:\n{}\nLast {} lines:\n{}",
        head.len(),
        head.join("\n"),
        tail.len(),
        tail.join("\n")
    ));
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
    fn hook_references_hold_head_and_tail_within_bounds() {
        let p = Path::new("/s/captures/t.txt");
        let body: String = (1..=5000).map(|i| format!("{i}\n")).collect();
        let r = hook_reference(p, body.as_bytes(), 5000, Some(0), false);
        assert!(
            r.contains("5000 lines") && r.contains("/s/captures/t.txt"),
            "{r}"
        );
        assert!(
            r.contains("\n  1\n  2\n") && r.ends_with("  4999\n  5000"),
            "{r}"
        );
        assert!(!r.contains("  2500"), "{r}");
        let wide: String = (0..100)
            .map(|i| format!("{i} {}\n", "x".repeat(500)))
            .collect();
        let r = hook_reference(p, wide.as_bytes(), 100, None, false);
        assert!(
            r.chars().count() < 1_800,
            "{} chars: {r}",
            r.chars().count()
        );
        let r = hook_reference(p, b"a\nb\n", 2, Some(1), false);
        assert!(r.ends_with("All lines:\n  a\n  b"), "{r}");
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
