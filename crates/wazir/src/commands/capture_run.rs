//! `wazir capture run -- COMMAND`: runs a shell command and keeps a long output out of the
//! agent's context. The command runs under `bash -c` (`sh -c` where there is no bash) in this
//! folder, with this environment and standard input; its standard output and error go to one
//! pipe, in the order written. The first lines are printed as they come (a host shows them, and
//! a host that stops a silent command sees it is alive); the rest is held. An output up to the
//! capture threshold is then printed whole; a longer one is stored (redacted) as a capture file
//! of the latest run and only the reference (path, size, tail) follows the head, recorded as
//! `piped`, which `capture usage` counts as kept out. While output is held, a line saying how
//! much is printed at most once a minute, so a host's inactivity timeout (Gemini CLI: 300 s)
//! does not stop a command that is still writing. The exit code is the command's (128 + N when
//! signal N ended it). Capture routing wraps a Gemini CLI shell call in this command
//! (`wazir-hook`'s `capture::route`); an agent may use it directly on any host.

use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, Result};
use std::time::{Duration, Instant};

use wazir_ledger::{
    Delivery, LIVE_HEAD_BYTES, LIVE_HEAD_LINES, Ledger, Origin, RunId, capture_threshold,
};

/// Most output bytes kept in memory and in the capture; the rest is read and dropped, and the
/// reference says so.
const MAX_KEPT: usize = 256 * 1024 * 1024;
/// Longest time without a printed line while output is held.
const HEARTBEAT: Duration = Duration::from_secs(60);

/// Where the live head of `out` ends: after its first [`LIVE_HEAD_LINES`] lines, at most
/// [`LIVE_HEAD_BYTES`] bytes (cut at a character boundary).
fn live_head_end(out: &[u8]) -> usize {
    let mut end = out.len().min(LIVE_HEAD_BYTES);
    if let Some(nl) = out[..end]
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(LIVE_HEAD_LINES - 1)
        .map(|(i, _)| i + 1)
    {
        end = end.min(nl);
    }
    // Never split a UTF-8 character: back off to the start of the one cut.
    while end > 0 && end < out.len() && (out[end] & 0xC0) == 0x80 {
        end -= 1;
    }
    end
}

pub struct RunCaptured<'a> {
    pub ledger: Option<(Ledger, RunId)>,
    pub name: Option<&'a str>,
    pub host: Option<&'a str>,
    pub command: String,
}

/// Runs the command, prints its output or the capture's reference, and returns its exit code.
pub fn run(r: RunCaptured<'_>) -> Result<ExitCode> {
    let (mut reader, writer) = std::io::pipe().context("cannot make a pipe for the output")?;
    let mut child = {
        let spawn = |shell: &str| {
            Command::new(shell)
                .arg("-c")
                .arg(&r.command)
                .stdin(Stdio::inherit())
                .stdout(writer.try_clone()?)
                .stderr(writer.try_clone()?)
                .spawn()
        };
        match spawn("bash") {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => spawn("sh"),
            other => other,
        }
        .context("cannot start `bash -c` (nor `sh -c`) for the command")?
    };
    // Our copies of the pipe's write end must close, or reading never ends.
    drop(writer);
    let threshold = capture_threshold();
    let mut stdout = std::io::stdout().lock();
    let mut out = Vec::new();
    let mut dropped = 0u64;
    let mut head = 0usize;
    let mut last_print = Instant::now();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("cannot read the command's output"),
        };
        let keep = n.min(MAX_KEPT - out.len());
        out.extend_from_slice(&buf[..keep]);
        dropped += (n - keep) as u64;
        // The head goes out as it comes: up to LIVE_HEAD_LINES lines or LIVE_HEAD_BYTES bytes.
        let end = live_head_end(&out);
        if end > head {
            stdout.write_all(&out[head..end])?;
            stdout.flush()?;
            head = end;
            last_print = Instant::now();
        } else if out.len() > threshold && last_print.elapsed() >= HEARTBEAT {
            let lines = out.iter().filter(|&&b| b == b'\n').count();
            writeln!(
                stdout,
                "[wazir capture run: still running, {lines} lines so far, held for the capture file]"
            )?;
            stdout.flush()?;
            last_print = Instant::now();
        }
    }
    let status = child.wait().context("cannot wait for the command")?;
    let code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    let stored = match &r.ledger {
        Some((ledger, run)) if out.len() > threshold => {
            let name = match r.name {
                Some(n) => n.to_string(),
                None => format!(
                    "run-{}.txt",
                    wazir_core::digest::sha256_prefix_hex(r.command.as_bytes(), 6)
                ),
            };
            let origin = Origin {
                host: r.host,
                delivery: Delivery::Piped,
            };
            match ledger.record_output(run, &name, &out, Some(&r.command), Some(code), origin) {
                Ok(s) => Some(s.reference),
                Err(e) => {
                    // The output is not lost: it is printed whole, and the reason on stderr.
                    eprintln!(
                        "wazir capture run: the output could not be stored ({e}); printed whole"
                    );
                    None
                }
            }
        }
        _ => None,
    };
    match stored {
        Some(reference) => {
            if !out[..head].ends_with(b"\n") && head > 0 {
                writeln!(stdout)?;
            }
            writeln!(stdout, "{reference}")?;
            if dropped > 0 {
                writeln!(
                    stdout,
                    "(the output went on for {dropped} bytes past the {} MiB kept)",
                    MAX_KEPT / (1024 * 1024)
                )?;
            }
        }
        None => stdout.write_all(&out[head..])?,
    }
    stdout.flush()?;
    Ok(ExitCode::from(u8::try_from(code & 0xff).unwrap_or(1)))
}
