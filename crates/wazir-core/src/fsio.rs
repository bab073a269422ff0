//! Atomic file writes and advisory file locks. Every file Wazir writes goes through
//! [`atomic_write`]; writers that share a file (ledger appends, status updates) hold a [`FileLock`].

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed to disk,
/// then renamed over the target. Readers see the old content or the new, never half of either.
/// Creates missing parent directories.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent_dir(path);
    fs::create_dir_all(&dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".wazir-tmp-")
        .tempfile_in(&dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// An exclusive advisory lock on a lock file, released on drop.
#[derive(Debug)]
pub struct FileLock {
    file: File,
    path: PathBuf,
}

impl FileLock {
    /// Blocks until the exclusive lock on `path` is held. Creates the file (and its parents).
    pub fn acquire(path: &Path) -> io::Result<Self> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)?;
        file.lock()?;
        Ok(Self {
            file,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Appends one line to `path` under the lock file `lock`, as a single write, so concurrent
/// appenders never interleave or tear lines. `line` must not contain a newline; one is added.
pub fn locked_append_line(path: &Path, lock: &Path, line: &str) -> io::Result<()> {
    debug_assert!(!line.contains('\n'));
    let _guard = FileLock::acquire(lock)?;
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    let mut buf = Vec::with_capacity(line.len() + 1);
    buf.extend_from_slice(line.as_bytes());
    buf.push(b'\n');
    file.write_all(&buf)?;
    file.sync_data()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_content_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b/c.json");
        atomic_write(&p, b"one").unwrap();
        atomic_write(&p, b"two").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "two");
        let names: Vec<_> = fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn appends_from_threads_are_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("events.ndjson");
        let lock = dir.path().join(".lock");
        std::thread::scope(|s| {
            for t in 0..8 {
                let (log, lock) = (&log, &lock);
                s.spawn(move || {
                    for i in 0..50 {
                        locked_append_line(log, lock, &format!("{{\"t\":{t},\"i\":{i}}}")).unwrap();
                    }
                });
            }
        });
        let text = fs::read_to_string(&log).unwrap();
        assert_eq!(text.lines().count(), 400);
        assert!(text.lines().all(|l| l.starts_with('{') && l.ends_with('}')));
    }
}
