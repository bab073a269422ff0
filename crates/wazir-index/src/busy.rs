//! The build lock: one `index build` at a time per state root, so the background build that
//! `wazir init` starts is not repeated by a refresh meanwhile, and readers can say the index is
//! on its way rather than missing. The lock holder also removes the temporary databases of
//! builds that were killed before they finished.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use crate::error::{IndexError, Result};

/// The lock file in the index folder, held (flock) for the whole of a build.
pub const LOCK_FILE: &str = "build.lock";
/// The log of the background build `wazir init` starts, in the index folder.
pub const LOG_FILE: &str = "build.log";
/// A build writes `<TEMP_PREFIX><pid>` and renames it over the index when done.
pub const TEMP_PREFIX: &str = "index.sqlite.build-";

/// Held while a build runs; released when dropped (or when the process ends, however it ends).
pub struct BuildLock {
    _file: File,
}

/// Takes the build lock of the index folder `dir`, or says that a build already holds it.
/// Temporary databases left by killed builds are removed once the lock is held.
pub fn lock(dir: &Path) -> Result<BuildLock> {
    let path = dir.join(LOCK_FILE);
    let mut o = OpenOptions::new();
    o.create(true).read(true).write(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let file = o.open(&path).map_err(|err| IndexError::Io {
        path: path.clone(),
        err,
    })?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(IndexError::Building {
                log: dir.join(LOG_FILE),
            });
        }
        Err(TryLockError::Error(err)) => return Err(IndexError::Io { path, err }),
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(BuildLock { _file: file })
}

/// True when a build holds the lock of the index folder `dir` right now.
pub fn building(dir: &Path) -> bool {
    File::open(dir.join(LOCK_FILE))
        .is_ok_and(|f| matches!(f.try_lock(), Err(TryLockError::WouldBlock)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_build_at_a_time_and_killed_builds_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(format!("{TEMP_PREFIX}12345"));
        std::fs::write(&stale, b"half a database").unwrap();
        assert!(!building(dir.path()));
        let held = lock(dir.path()).unwrap();
        assert!(!stale.exists());
        assert!(building(dir.path()));
        let again = lock(dir.path()).err().expect("the lock is held");
        assert!(again.to_string().contains("being built"), "{again}");
        drop(held);
        assert!(!building(dir.path()));
        lock(dir.path()).unwrap();
    }
}
