//! Lexical path handling: `.` and `..` folded without touching the file system. (The hook
//! runtime's guard resolves symlinks as well; that is a different job, in `wazir-hosts`.)

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

#[cfg(test)]
mod tests {
    use super::normalize;
    use std::path::Path;

    #[test]
    fn folds_dots() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), Path::new("/a/c"));
        assert_eq!(normalize(Path::new("../x/./y")), Path::new("../x/y"));
    }
}
