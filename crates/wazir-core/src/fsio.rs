//! Atomic file writes and advisory file locks. Every file Wazir writes goes through
//! [`atomic_write`]; writers that share a file (ledger appends, status updates) hold a [`FileLock`].
//! A write keeps what it finds: a new file gets the usual mode (0666 less the umask), an existing
//! file keeps its mode, and a symbolic link is written through (its target changes, the link
//! stays).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed to disk,
/// then renamed over the target. Readers see the old content or the new, never half of either.
/// Creates missing parent directories. A new file gets the mode the umask allows; an existing
/// file keeps its mode; a symbolic link is followed and its target written.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let path = write_target(path)?;
    let dir = parent_dir(&path);
    fs::create_dir_all(&dir)?;
    let existing = fs::metadata(&path).ok().map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    builder.prefix(".wazir-tmp-");
    #[cfg(unix)]
    if existing.is_none() {
        use std::os::unix::fs::PermissionsExt;
        // Created with open(2)'s mode argument, so the umask applies as for any new file.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(&dir)?;
    if let Some(perms) = existing {
        tmp.as_file().set_permissions(perms)?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

/// The file a write to `path` changes: `path` itself, or, when it is a symbolic link (or a chain
/// of them), the file the last link names, even when that file does not exist yet.
pub fn write_target(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p)?;
                p = parent_dir(&p).join(to);
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
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

    #[cfg(unix)]
    #[test]
    fn new_files_follow_the_umask_and_existing_files_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let new = dir.path().join("new.md");
        atomic_write(&new, b"x").unwrap();
        // The umask of a test process is unknown; a new file has every bit it allows of 0666.
        let umask = {
            let probe = dir.path().join("probe");
            fs::write(&probe, b"").unwrap();
            !mode(&probe) & 0o666
        };
        assert_eq!(mode(&new), 0o666 & !umask);
        let kept = dir.path().join("kept.md");
        fs::write(&kept, b"old").unwrap();
        fs::set_permissions(&kept, fs::Permissions::from_mode(0o640)).unwrap();
        atomic_write(&kept, b"new").unwrap();
        assert_eq!(mode(&kept), 0o640);
        assert_eq!(fs::read_to_string(&kept).unwrap(), "new");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_written_through_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles/settings.json");
        fs::create_dir_all(real.parent().unwrap()).unwrap();
        fs::write(&real, b"{}").unwrap();
        let link = dir.path().join("settings.json");
        std::os::unix::fs::symlink("dotfiles/settings.json", &link).unwrap();
        atomic_write(&link, b"{\"a\":1}").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "{\"a\":1}");
        // A dangling link creates its target.
        let dangling = dir.path().join("AGENTS.md");
        std::os::unix::fs::symlink("docs/agents.md", &dangling).unwrap();
        atomic_write(&dangling, b"x").unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("docs/agents.md")).unwrap(),
            "x"
        );
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
