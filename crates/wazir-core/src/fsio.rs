//! Atomic file writes and advisory file locks. Every file Wazir writes goes through
//! [`atomic_write`] (or [`atomic_write_private`] under the state root); writers that share a file
//! (ledger appends, status updates) hold a [`FileLock`]. Also owns the wording of I/O failures
//! ([`describe`]): what happened and what to do, never `(os error N)`.
//!
//! A project write keeps what it finds: a new file gets the usual mode (0666 less the umask), an
//! existing file keeps its mode, and a symbolic link is written through (its target changes, the
//! link stays). State-root files are private: folders are created 0700 and files 0600 (lock
//! files, appended logs and atomic writes alike), since runs keep command lines and outputs.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};

/// Mode of folders Wazir creates under the state root.
pub const PRIVATE_DIR_MODE: u32 = 0o700;
/// Mode of files Wazir creates under the state root.
pub const PRIVATE_FILE_MODE: u32 = 0o600;
/// Prefix of the temporary files [`atomic_write`] renames into place. A file with this prefix
/// that is still there when no writer holds the folder's lock was left by a killed process.
pub const TEMP_PREFIX: &str = ".wazir-tmp-";

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
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    if existing.is_none() {
        use std::os::unix::fs::PermissionsExt;
        // Created with open(2)'s mode argument, so the umask applies as for any new file.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(&dir)?;
    if let Some(perms) = existing {
        tmp.as_file().set_permissions(perms)?;
    }
    finish(tmp, &path, bytes)
}

/// [`atomic_write`] for state-root files: missing parents are created 0700 and the file is 0600.
pub fn atomic_write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent_dir(path);
    create_private_dir_all(&dir)?;
    // The temporary file is 0600 (tempfile's default) and is removed if anything fails before
    // the rename; only a killed process leaves one behind.
    let tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(&dir)?;
    finish(tmp, path, bytes)
}

fn finish(mut tmp: tempfile::NamedTempFile, path: &Path, bytes: &[u8]) -> io::Result<()> {
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Creates `path` and its missing parents with mode 0700. A parent that is a symbolic link to
/// nothing is reported as such (the system says only "file exists").
pub fn create_private_dir_all(path: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    b.mode(PRIVATE_DIR_MODE);
    match b.create(path) {
        Ok(()) => Ok(()),
        Err(e) => match dangling_link(path) {
            Some((link, target)) => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "{} is a symbolic link to {}, which does not exist: create that folder, \
                     remove the link, or choose another state root with --state-root",
                    link.display(),
                    target.display()
                ),
            )),
            None => Err(e),
        },
    }
}

/// The nearest of `path` and its ancestors that is a symbolic link whose target is missing.
fn dangling_link(path: &Path) -> Option<(PathBuf, PathBuf)> {
    path.ancestors().find_map(|a| {
        let meta = fs::symlink_metadata(a).ok()?;
        if meta.file_type().is_symlink() && fs::metadata(a).is_err() {
            Some((a.to_path_buf(), fs::read_link(a).ok()?))
        } else {
            None
        }
    })
}

/// Opens (creating, 0600) a state-root file for appending or locking; missing parents are
/// created 0700.
fn open_private(path: &Path, append: bool) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir_all(dir)?;
    }
    let mut o = OpenOptions::new();
    o.create(true).read(true);
    if append {
        o.append(true);
    } else {
        o.write(true).truncate(false);
    }
    #[cfg(unix)]
    o.mode(PRIVATE_FILE_MODE);
    o.open(path)
}

/// What an I/O failure means, in words, with what to do about it; never `(os error N)`.
pub fn describe(e: &io::Error) -> String {
    use io::ErrorKind as K;
    let fix = "choose another state root with --state-root";
    match (e.kind(), os_code(e)) {
        (K::StorageFull, _) | (_, Some(28)) => format!(
            "the disk is full (no space left on the device): free some space, or {fix}, then \
             run the command again"
        ),
        (K::QuotaExceeded, _) | (_, Some(122)) => {
            "the disk quota is exhausted: free some space, then run the command again".to_string()
        }
        (K::ReadOnlyFilesystem, _) | (_, Some(30)) => {
            format!("the file system is read-only: remount it read-write, or {fix}")
        }
        (K::PermissionDenied, _) | (_, Some(13)) | (_, Some(1)) => {
            format!("permission denied: make the folder writable by this user, or {fix}")
        }
        (_, Some(2)) => "no such file or folder".to_string(),
        (_, Some(17)) => "a file of that name already exists".to_string(),
        (_, Some(20)) => "a part of the path is a file, not a folder".to_string(),
        (_, Some(21)) => "it is a folder, not a file".to_string(),
        (_, Some(36)) => "the file name is too long".to_string(),
        (_, Some(40)) => "too many levels of symbolic links".to_string(),
        _ => strip_os_error(&e.to_string()),
    }
}

/// The system error number of `e`, or of the I/O error it wraps (tempfile adds the path).
fn os_code(e: &io::Error) -> Option<i32> {
    e.raw_os_error().or_else(|| {
        let inner = e.get_ref()?;
        if let Some(io) = inner.downcast_ref::<io::Error>() {
            return io.raw_os_error();
        }
        inner.source()?.downcast_ref::<io::Error>()?.raw_os_error()
    })
}

/// `No such file (os error 2) at path "x"` → `no such file at path "x"`.
fn strip_os_error(s: &str) -> String {
    let mut s = s.to_string();
    while let Some(i) = s.find(" (os error ") {
        match s[i..].find(')') {
            Some(j) => s.replace_range(i..i + j + 1, ""),
            None => break,
        }
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => "an unknown input/output error".to_string(),
    }
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
    /// Lock files live under the state root: the file is 0600 and missing parents 0700.
    pub fn acquire(path: &Path) -> io::Result<Self> {
        let file = open_private(path, false)?;
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
/// A write that fails part-way (a full disk) is undone: the file is cut back to its length
/// before the write, so it never ends in half a line. A file that already ends in half a line
/// (left by an older version or cut by hand) gets a newline first, so the new line stays whole.
pub fn locked_append_line(path: &Path, lock: &Path, line: &str) -> io::Result<()> {
    debug_assert!(!line.contains('\n'));
    let _guard = FileLock::acquire(lock)?;
    let mut file = open_private(path, true)?;
    let before = file.metadata()?.len();
    let mut buf = Vec::with_capacity(line.len() + 2);
    if before > 0 && last_byte(&mut file, before)? != b'\n' {
        buf.push(b'\n');
    }
    buf.extend_from_slice(line.as_bytes());
    buf.push(b'\n');
    if let Err(e) = file.write_all(&buf).and_then(|()| file.sync_data()) {
        let _ = file.set_len(before);
        let _ = file.sync_data();
        return Err(e);
    }
    Ok(())
}

fn last_byte(file: &mut File, len: u64) -> io::Result<u8> {
    use std::io::Read;
    file.seek(SeekFrom::Start(len - 1))?;
    let mut b = [0u8; 1];
    file.read_exact(&mut b)?;
    Ok(b[0])
}

/// Cuts an unterminated last line off `path` (the file must be held under its writers' lock):
/// the bytes after the last newline, which a writer killed or stopped mid-append left. Returns
/// them, or `None` when the file is empty or ends in a newline.
pub fn cut_torn_tail(path: &Path) -> io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    if len == 0 || last_byte(&mut file, len)? == b'\n' {
        return Ok(None);
    }
    // Read back in growing windows until a newline (or the start) is found.
    let mut window = 4096u64.min(len);
    loop {
        let start = len - window;
        file.seek(SeekFrom::Start(start))?;
        let mut buf = vec![0u8; window as usize];
        file.read_exact(&mut buf)?;
        if let Some(i) = buf.iter().rposition(|&b| b == b'\n') {
            let keep = start + i as u64 + 1;
            let tail = buf[i + 1..].to_vec();
            file.set_len(keep)?;
            file.sync_data()?;
            return Ok(Some(tail));
        }
        if start == 0 {
            file.set_len(0)?;
            file.sync_data()?;
            return Ok(Some(buf));
        }
        window = (window * 2).min(len);
    }
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
    fn torn_tails_are_cut_and_appends_start_on_a_new_line() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("e.ndjson");
        fs::write(&log, "{\"a\":1}\n{\"b\":").unwrap();
        assert_eq!(
            cut_torn_tail(&log).unwrap().as_deref(),
            Some(&b"{\"b\":"[..])
        );
        assert_eq!(fs::read_to_string(&log).unwrap(), "{\"a\":1}\n");
        assert_eq!(cut_torn_tail(&log).unwrap(), None);
        fs::write(&log, "no newline at all").unwrap();
        assert!(cut_torn_tail(&log).unwrap().is_some());
        assert_eq!(fs::read(&log).unwrap(), b"");

        fs::write(&log, "x").unwrap();
        locked_append_line(&log, &dir.path().join(".lock"), "y").unwrap();
        assert_eq!(fs::read_to_string(&log).unwrap(), "x\ny\n");
    }

    #[cfg(unix)]
    #[test]
    fn private_files_and_folders() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("s/runs/r");
        atomic_write_private(&deep.join("status.json"), b"{}").unwrap();
        locked_append_line(&deep.join("e.ndjson"), &deep.join("locks/.lock"), "l").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        for d in ["s", "s/runs", "s/runs/r", "s/runs/r/locks"] {
            assert_eq!(mode(&dir.path().join(d)), 0o700, "{d}");
        }
        for f in ["status.json", "e.ndjson", "locks/.lock"] {
            assert_eq!(mode(&deep.join(f)), 0o600, "{f}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_is_named_and_errors_carry_no_os_codes() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("state");
        std::os::unix::fs::symlink(dir.path().join("gone"), &link).unwrap();
        let e = create_private_dir_all(&link.join("runs")).unwrap_err();
        let msg = describe(&e);
        assert!(
            msg.contains("is a symbolic link to") && msg.contains("gone"),
            "{msg}"
        );
        assert!(!msg.contains("os error"), "{msg}");
        let full = io::Error::from_raw_os_error(28);
        assert!(describe(&full).starts_with("the disk is full"));
        let other = io::Error::from_raw_os_error(5);
        assert_eq!(describe(&other), "input/output error");
        let wrapped = io::Error::other(io::Error::from_raw_os_error(28));
        assert!(describe(&wrapped).starts_with("the disk is full"));
        let text = io::Error::other("Boom (os error 99) at path \"x\"");
        assert_eq!(describe(&text), "boom at path \"x\"");
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
