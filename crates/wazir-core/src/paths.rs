//! Lexical path handling: `.` and `..` folded without touching the file system, absolute paths
//! against the working folder, and the `/`-separated relative paths every message and manifest
//! uses. (The hook runtime's guard resolves symlinks as well; that is a different job, in
//! `wazir-hook`.)

use std::path::{Component, Path, PathBuf};

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
    use super::{normalize, rel_slash, relative};
    use std::path::Path;

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
