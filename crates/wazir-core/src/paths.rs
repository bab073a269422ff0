//! Lexical path handling: `.` and `..` folded without touching the file system, absolute paths
//! against the working folder, and the `/`-separated relative paths every message and manifest
//! uses. Also path confinement: the one check that every path a manifest declares for writing
//! resolves inside the project root ([`confine`]); every command that writes where the manifest
//! says (`wazir init`, `wazir export build`) runs it before writing anything. (The hook
//! runtime's guard resolves symlinks for its own comparison; that is a different job, in
//! `wazir-hook`.)

use std::path::{Component, Path, PathBuf};

use crate::manifest::Manifest;

/// A manifest path that would take a write outside the project.
#[derive(Debug, thiserror::Error)]
#[error(
    "{manifest}: `{field}` is `{value}`, which resolves to {resolved}, outside the project root \
     {root}. Every path a manifest declares must stay inside the project: make it a relative \
     path under the root (without `..` steps or symlinks that leave it). Nothing was written"
)]
pub struct Escape {
    pub manifest: String,
    pub field: String,
    pub value: String,
    pub resolved: String,
    pub root: String,
}

/// Checks every folder of `paths` and every export target of `manifest` (read from
/// `manifest_path`) against `root`: absolute paths, `..` steps that climb out and symlinked
/// folders that lead out are refused. The state root is not checked: it lives outside the
/// project by design.
pub fn confine(root: &Path, manifest: &Manifest, manifest_path: &Path) -> Result<(), Escape> {
    let mut declared: Vec<(String, &str)> = manifest
        .paths
        .folders()
        .iter()
        .map(|(k, v)| (format!("paths.{k}"), *v))
        .collect();
    for (host, t) in &manifest.export_targets {
        declared.push((format!("export_targets.{host}.path"), t.path.as_str()));
    }
    for (field, value) in declared {
        if let Some(resolved) = outside(root, Path::new(value)) {
            return Err(Escape {
                manifest: manifest_path.display().to_string(),
                field,
                value: value.to_string(),
                resolved: resolved.display().to_string(),
                root: root.display().to_string(),
            });
        }
    }
    Ok(())
}

/// Where `rel` (taken from `root`) really lands when that is outside `root`: lexically (an
/// absolute path, `..` steps) or through a symlinked folder on the way.
pub fn outside(root: &Path, rel: &Path) -> Option<PathBuf> {
    let root_abs = if root.is_absolute() {
        normalize(root)
    } else {
        normalize(&std::env::current_dir().ok()?.join(root))
    };
    let lexical = normalize(&root_abs.join(rel));
    if rel.is_absolute() || !lexical.starts_with(&root_abs) {
        return Some(lexical);
    }
    // The deepest existing folder on the way, symlinks resolved, must stay under the real root.
    let real_root = root_abs.canonicalize().unwrap_or_else(|_| root_abs.clone());
    let mut probe = lexical.clone();
    loop {
        if let Ok(real) = probe.canonicalize() {
            if !real.starts_with(&real_root) {
                return Some(real.join(lexical.strip_prefix(&probe).unwrap_or(Path::new(""))));
            }
            return None;
        }
        if !probe.pop() || !probe.starts_with(&root_abs) {
            return None;
        }
    }
}

/// `p` with `.` removed and `..` folded lexically (no file system access). A `..` that climbs
/// above the start of a relative path is kept.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `p` made absolute against the working folder (lexically, like [`std::path::absolute`]); `p`
/// itself when the working folder cannot be read.
pub fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// `p` as a `/`-separated string.
pub fn slash(p: &Path) -> String {
    let s = p.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// `path` relative to `root`, `/`-separated; `path` itself (`/`-separated) when it is not under
/// `root`.
pub fn rel_slash(root: &Path, path: &Path) -> String {
    slash(path.strip_prefix(root).unwrap_or(path))
}

/// The `/`-separated path from folder `from` to `to` (both absolute), using `..` where needed.
pub fn relative(from: &Path, to: &Path) -> String {
    let from = normalize(from);
    let to = normalize(to);
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_string(), a.len() - common).collect();
    parts.extend(
        b[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::{normalize, outside, rel_slash, relative};
    use std::path::Path;

    #[test]
    fn paths_that_leave_the_root_are_found() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("a")).unwrap();
        assert_eq!(outside(&root, Path::new("a/b")), None);
        assert_eq!(outside(&root, Path::new("a/../b")), None);
        assert!(outside(&root, Path::new("../../.claude")).is_some());
        assert!(outside(&root, Path::new("/etc/x")).is_some());
        assert!(outside(&root, Path::new("a/../../x/.claude/skills")).is_some());
        std::os::unix::fs::symlink("/tmp", root.join("out")).unwrap();
        assert!(outside(&root, Path::new("out/x")).is_some());
    }

    #[test]
    fn folds_dots() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), Path::new("/a/c"));
        assert_eq!(normalize(Path::new("../x/./y")), Path::new("../x/y"));
    }

    #[test]
    fn relative_paths() {
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/c/d")), "../c/d");
        assert_eq!(rel_slash(Path::new("/a"), Path::new("/a/b/c")), "b/c");
        assert_eq!(rel_slash(Path::new("/x"), Path::new("/a/b")), "/a/b");
    }
}
