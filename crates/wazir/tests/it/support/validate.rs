//! Helpers for the `validate_*` and `doctor_*` tests: copies of the kit in temporary folders,
//! real git repositories with real commits, and the real binary with its state root kept inside
//! the test's temporary area.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;

pub fn kit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kit")
}

/// Copies `src` into `dst` recursively (`exports` folders are left out).
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            if e.file_name() != "exports" {
                copy_dir(&p, &to);
            }
        } else {
            std::fs::copy(&p, &to).unwrap();
        }
    }
}

/// A temporary folder holding a project made of the kit's manifest and the listed kit folders
/// (`["hooks", "schemas"]`); every other declared folder is created empty.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    /// A state root outside the project.
    pub state: tempfile::TempDir,
}

impl Fixture {
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    pub fn edit(&self, rel: &str, f: impl FnOnce(String) -> String) {
        let t = self.read(rel);
        self.write(rel, &f(t));
    }

    /// The real binary run in the project root, with the fixture's state root.
    pub fn wazir(&self) -> Command {
        self.wazir_in(self.root())
    }

    pub fn wazir_in(&self, dir: &Path) -> Command {
        let mut c = Command::cargo_bin("wazir").unwrap();
        c.current_dir(dir);
        c.env("WAZIR_STATE_ROOT", self.state.path());
        for v in ["GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME"] {
            c.env_remove(v);
        }
        c
    }

    /// Runs `wazir <args>` and returns (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.wazir().args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs `git <args>` in the project; panics when git fails.
    pub fn git(&self, args: &[&str]) -> String {
        git(self.root(), args)
    }

    /// Writes `files`, stages everything and commits with `message`; returns the commit hash.
    pub fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        for (rel, text) in files {
            self.write(rel, text);
        }
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }
}

/// A project with the kit's manifest, the kit folders named in `copy`, and the rest of the
/// declared folders empty.
pub fn fixture(copy: &[&str]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path();
    let kit = kit_dir();
    std::fs::copy(
        kit.join("wazir.manifest.yaml"),
        root.join("wazir.manifest.yaml"),
    )
    .unwrap();
    for c in copy {
        let src = kit.join(c);
        if src.is_dir() {
            copy_dir(&src, &root.join(c));
        } else {
            std::fs::create_dir_all(root.join(c).parent().unwrap()).unwrap();
            std::fs::copy(&src, root.join(c)).unwrap();
        }
    }
    for d in [
        "input",
        "roles",
        "workflows",
        "skills",
        "hooks",
        "templates",
        "schemas",
        "expertise",
        "docs",
        "exports",
        "memory",
    ] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    Fixture { dir, state }
}

/// A fixture that is also a git repository on `main` with one commit of everything.
pub fn git_fixture(copy: &[&str]) -> Fixture {
    let f = fixture(copy);
    f.git(&["init", "-q", "-b", "main"]);
    f.commit(&[], "chore: start the project");
    f
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = StdCommand::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.hooksPath=/dev/null",
        ])
        .args(args)
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Test Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The `error: ` lines of stderr, without the tag.
pub fn errors(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error: "))
        .map(str::to_string)
        .collect()
}

/// The `warning: ` lines of stderr, without the tag.
pub fn warnings(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("warning: "))
        .map(str::to_string)
        .collect()
}

/// Asserts exit 1 with exactly one error line, equal to `expected`.
pub fn assert_one_error(out: (i32, String, String), expected: &str) {
    let (code, stdout, stderr) = out;
    assert_eq!(code, 1, "stdout:\n{stdout}\nstderr:\n{stderr}");
    let e = errors(&stderr);
    assert_eq!(e, vec![expected.to_string()], "stderr:\n{stderr}");
}
