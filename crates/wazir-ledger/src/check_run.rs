//! Running one check for `wazir verify run`: the command runs in the project root with no
//! standard input; its standard output and error are passed through as they arrive and kept
//! (interleaved) for the proof; the wall-clock duration is measured.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::error::{LedgerError, Result};
use crate::evidence::CheckOutput;

/// Runs `argv` in `dir`, streaming its output to this process's standard output and error (both
/// to standard error with `all_to_stderr`, so standard output stays free for JSON).
pub fn run_streaming(dir: &Path, argv: &[String], all_to_stderr: bool) -> Result<CheckOutput> {
    let Some((program, args)) = argv.split_first() else {
        return Err(LedgerError::InvalidValue {
            what: "check command",
            value: String::new(),
            reason: "give the command after `--`, e.g. `wazir verify run -- cargo test`".into(),
        });
    };
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| LedgerError::InvalidValue {
            what: "check command",
            value: program.clone(),
            reason: match e.kind() {
                std::io::ErrorKind::NotFound => {
                    "no such program on PATH or in the project: check the spelling, or run it \
                     through a shell with `-- sh -c '…'`"
                        .to_string()
                }
                std::io::ErrorKind::PermissionDenied => {
                    "the file is not executable: make it executable or run it with its \
                     interpreter"
                        .to_string()
                }
                _ => format!("it could not be started ({e})"),
            },
        })?;
    let kept = Arc::new(Mutex::new(Vec::<u8>::new()));
    let pump = |mut from: Box<dyn Read + Send>, to_err: bool| {
        let kept = Arc::clone(&kept);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match from.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if to_err {
                            let mut e = std::io::stderr().lock();
                            let _ = e.write_all(&buf[..n]);
                            let _ = e.flush();
                        } else {
                            let mut o = std::io::stdout().lock();
                            let _ = o.write_all(&buf[..n]);
                            let _ = o.flush();
                        }
                        kept.lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .extend_from_slice(&buf[..n]);
                    }
                }
            }
        })
    };
    let out = child
        .stdout
        .take()
        .map(|s| pump(Box::new(s), all_to_stderr));
    let err = child.stderr.take().map(|s| pump(Box::new(s), true));
    let status = child
        .wait()
        .map_err(|e| LedgerError::io(dir, "cannot wait for the check", e))?;
    for t in [out, err].into_iter().flatten() {
        let _ = t.join();
    }
    let duration_ms = started.elapsed().as_millis() as u64;
    let output = std::mem::take(&mut *kept.lock().unwrap_or_else(|p| p.into_inner()));
    Ok(CheckOutput {
        exit_code: status.code(),
        duration_ms,
        output,
    })
}
