//! A tmpfs for the fault tests (a full or read-only file system under the state root): mounted
//! at a fresh folder or at a given one, unmounted on drop. Mounting needs root and mount
//! rights; where it is not possible the caller is told so on stderr and skips its check.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Mount {
    path: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl Mount {
    /// A tmpfs of `size` (a mount option: `256k`, `1m`) at a fresh folder.
    pub fn tmpfs(size: &str) -> Option<Mount> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        Self::mount(&path, &format!("size={size},mode=0700"))?;
        Some(Mount {
            path,
            _dir: Some(dir),
        })
    }

    /// A tmpfs with mount options `opts` over the existing folder `dir`.
    pub fn tmpfs_at(dir: &Path, opts: &str) -> Option<Mount> {
        Self::mount(dir, opts)?;
        Some(Mount {
            path: dir.to_path_buf(),
            _dir: None,
        })
    }

    fn mount(dir: &Path, opts: &str) -> Option<()> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", opts])
            .arg("tmpfs")
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!(
                "SKIPPED: cannot mount a tmpfs at {} (needs root and mount rights); the \
                 full-disk and read-only checks did not run",
                dir.display()
            );
        }
        ok.then_some(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn remount(&self, opts: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{opts}")])
            .arg(self.path())
            .status()
            .unwrap();
        assert!(ok.success(), "remount {opts}");
    }

    /// Fills the file system: files until no inode is left, then one file until no block is.
    pub fn fill(&self) {
        use std::io::Write;
        let mut n = 0;
        while std::fs::write(self.path.join(format!("fill-{n}")), b"").is_ok() {
            n += 1;
            assert!(
                n < 100_000,
                "the tmpfs never filled up: mount it with nr_inodes"
            );
        }
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(self.path.join("fill-0"))
            .unwrap();
        let block = [0u8; 4096];
        while f.write_all(&block).and_then(|()| f.sync_data()).is_ok() {}
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}
