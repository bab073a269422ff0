//! The project's git working tree as evidence sees it: the commit checked out, a digest of the
//! working tree (the commit plus every changed or untracked file's content), and the change
//! since a base commit (files and lines, and the added lines themselves for the security scan).
//! Runs `git` (a few milliseconds); a folder that is not a git work tree has no commit and no
//! digest, and its checks cannot be told fresh or stale.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

/// The commit and working-tree digest at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeState {
    /// `git rev-parse HEAD`; absent before the first commit or outside git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// BLAKE3 of the commit, then each changed or untracked path (sorted) with its status and
    /// content; absent outside git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree: Option<String>,
}

/// One file of the change since the base: lines added and removed (binary files count none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    pub path: String,
    pub added: u64,
    pub removed: u64,
}

/// An added line of the change since the base, with its line number in the new file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedLine {
    pub path: String,
    pub line: u64,
    pub text: String,
}

/// A git work tree rooted at `root`; paths under `exclude` (a state root kept inside the project)
/// are left out of every answer.
#[derive(Debug, Clone)]
pub struct WorkTree {
    pub root: PathBuf,
    exclude: Vec<String>,
}

impl WorkTree {
    pub fn new(root: &Path, exclude: &[&Path]) -> WorkTree {
        let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let root_c = canon(root);
        let exclude = exclude
            .iter()
            .filter_map(|p| {
                canon(p)
                    .strip_prefix(&root_c)
                    .ok()
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
            })
            .filter(|r| !r.is_empty())
            .collect();
        WorkTree {
            root: root.to_path_buf(),
            exclude,
        }
    }

    fn excluded(&self, path: &str) -> bool {
        self.exclude
            .iter()
            .any(|e| path == e || path.starts_with(&format!("{e}/")))
    }

    fn git(&self, args: &[&str]) -> Option<Vec<u8>> {
        let out = Command::new("git")
            .arg("-C")
            .arg(&self.root)
            .args(["-c", "core.quotepath=off"])
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        out.status.success().then_some(out.stdout)
    }

    /// True inside a git work tree.
    pub fn is_git(&self) -> bool {
        self.git(&["rev-parse", "--is-inside-work-tree"])
            .is_some_and(|o| o.starts_with(b"true"))
    }

    /// The commit checked out, if any.
    pub fn head(&self) -> Option<String> {
        let out = self.git(&["rev-parse", "--verify", "-q", "HEAD"])?;
        let s = String::from_utf8_lossy(&out).trim().to_string();
        (!s.is_empty()).then_some(s)
    }

    /// The commit and the working-tree digest now.
    pub fn state(&self) -> TreeState {
        if !self.is_git() {
            return TreeState {
                commit: None,
                tree: None,
            };
        }
        let commit = self.head();
        let Some(out) = self.git(&[
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--ignore-submodules=none",
        ]) else {
            return TreeState { commit, tree: None };
        };
        let mut entries: Vec<(String, String)> = Vec::new();
        let mut fields = out.split(|b| *b == 0).filter(|f| !f.is_empty());
        while let Some(f) = fields.next() {
            if f.len() < 4 {
                continue;
            }
            let code = String::from_utf8_lossy(&f[..2]).into_owned();
            let path = String::from_utf8_lossy(&f[3..]).into_owned();
            // A rename or copy is followed by its source path.
            if code.starts_with('R') || code.starts_with('C') {
                fields.next();
            }
            if !self.excluded(&path) {
                entries.push((code, path));
            }
        }
        entries.sort_by(|a, b| a.1.cmp(&b.1));
        let mut h = blake3::Hasher::new();
        h.update(b"wazir-tree-1\0");
        h.update(commit.as_deref().unwrap_or("").as_bytes());
        h.update(b"\0");
        for (code, path) in &entries {
            h.update(code.as_bytes());
            h.update(b"\0");
            h.update(path.as_bytes());
            h.update(b"\0");
            match std::fs::read(self.root.join(path)) {
                Ok(bytes) => {
                    h.update(blake3::hash(&bytes).as_bytes());
                }
                Err(_) => {
                    h.update(b"-");
                }
            }
        }
        TreeState {
            commit,
            tree: Some(h.finalize().to_hex().to_string()),
        }
    }

    /// Untracked files (not ignored), outside the excluded folders.
    fn untracked(&self) -> Vec<String> {
        let Some(out) = self.git(&["ls-files", "--others", "--exclude-standard", "-z"]) else {
            return Vec::new();
        };
        out.split(|b| *b == 0)
            .filter(|f| !f.is_empty())
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .filter(|p| !self.excluded(p))
            .collect()
    }

    /// Files and lines changed from `base` (HEAD when absent) to the working tree, untracked
    /// files included.
    pub fn changes(&self, base: Option<&str>) -> Vec<FileChange> {
        let base = base.unwrap_or("HEAD");
        let mut out: Vec<FileChange> = Vec::new();
        if let Some(text) = self.git(&["diff", "--numstat", "-z", "--no-renames", base, "--"]) {
            for rec in text.split(|b| *b == 0).filter(|f| !f.is_empty()) {
                let rec = String::from_utf8_lossy(rec);
                let mut parts = rec.splitn(3, '\t');
                let (Some(a), Some(r), Some(path)) = (parts.next(), parts.next(), parts.next())
                else {
                    continue;
                };
                if self.excluded(path) {
                    continue;
                }
                out.push(FileChange {
                    path: path.to_string(),
                    added: a.parse().unwrap_or(0),
                    removed: r.parse().unwrap_or(0),
                });
            }
        }
        for path in self.untracked() {
            let added = std::fs::read(self.root.join(&path))
                .ok()
                .filter(|b| !b.contains(&0))
                .map_or(0, |b| {
                    let n = b.iter().filter(|c| **c == b'\n').count() as u64;
                    n + u64::from(!b.is_empty() && !b.ends_with(b"\n"))
                });
            out.push(FileChange {
                path,
                added,
                removed: 0,
            });
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    /// Every added line from `base` (HEAD when absent) to the working tree, untracked files'
    /// lines included, with the new file's line numbers.
    pub fn added_lines(&self, base: Option<&str>) -> Vec<AddedLine> {
        let base = base.unwrap_or("HEAD");
        let mut out = Vec::new();
        if let Some(diff) = self.git(&[
            "diff",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-renames",
            base,
            "--",
        ]) {
            let text = String::from_utf8_lossy(&diff);
            let mut path: Option<String> = None;
            let mut next = 0u64;
            for l in text.lines() {
                if let Some(p) = l.strip_prefix("+++ ") {
                    path = p
                        .strip_prefix("b/")
                        .map(str::to_string)
                        .filter(|p| !self.excluded(p));
                } else if l.starts_with("@@") {
                    next = hunk_start(l).unwrap_or(0);
                } else if let Some(t) = l.strip_prefix('+')
                    && let Some(p) = &path
                {
                    out.push(AddedLine {
                        path: p.clone(),
                        line: next,
                        text: t.to_string(),
                    });
                    next += 1;
                }
            }
        }
        for path in self.untracked() {
            let Ok(bytes) = std::fs::read(self.root.join(&path)) else {
                continue;
            };
            if bytes.contains(&0) {
                continue;
            }
            for (i, t) in String::from_utf8_lossy(&bytes).lines().enumerate() {
                out.push(AddedLine {
                    path: path.clone(),
                    line: i as u64 + 1,
                    text: t.to_string(),
                });
            }
        }
        out
    }
}

/// The new file's first line in a hunk header `@@ -a,b +c,d @@`.
fn hunk_start(header: &str) -> Option<u64> {
    let plus = header.split_whitespace().find(|w| w.starts_with('+'))?;
    plus[1..].split(',').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers_give_the_new_start_line() {
        assert_eq!(hunk_start("@@ -3,0 +4,2 @@ fn x()"), Some(4));
        assert_eq!(hunk_start("@@ -1 +1 @@"), Some(1));
        assert_eq!(hunk_start("@@ garbage"), None);
    }
}
