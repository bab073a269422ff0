//! `wazir capture run -- COMMAND`: runs a shell command and keeps a long output out of the
//! agent's context. The command runs under `bash -c` (`sh -c` where there is no bash) in this
//! folder, with this environment and standard input; its standard output and error go to one
//! pipe, in the order written. An output up to the capture threshold is printed whole; a longer
//! one is stored (redacted) as a capture file of the latest run and only the reference (path,
//! size, head and tail) is printed, recorded as `piped`, which `capture usage` counts as kept
//! out. The exit code is the command's (128 + N when signal N ended it). Capture routing wraps
//! a host's shell call in this command (`wazir-hook`'s `capture::route`); an agent may use it
//! directly on any host.

use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, Result};
use wazir_ledger::{Delivery, Ledger, Origin, RunId, capture_threshold};

/// Most output bytes kept in memory and in the capture; the rest is read and dropped, and the
/// reference says so.
const MAX_KEPT: usize = 256 * 1024 * 1024;

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
    let mut out = Vec::new();
    let mut dropped = 0u64;
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
    }
    let status = child.wait().context("cannot wait for the command")?;
    let code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    let threshold = capture_threshold();

    let mut stdout = std::io::stdout().lock();
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
            writeln!(stdout, "{reference}")?;
            if dropped > 0 {
                writeln!(
                    stdout,
                    "(the output went on for {dropped} bytes past the {} MiB kept)",
                    MAX_KEPT / (1024 * 1024)
                )?;
            }
        }
        None => stdout.write_all(&out)?,
    }
    stdout.flush()?;
    Ok(ExitCode::from(u8::try_from(code & 0xff).unwrap_or(1)))
}
