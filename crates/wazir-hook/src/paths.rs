//! Where a path really points, and whether that is inside a protected entry. A target is made
//! absolute against the folder the tool runs in, then walked one component at a time against
//! the file system: every existing component is followed through symlinks (so a symlinked
//! folder or a symlink to a protected file is seen for what it is, even when the link is
//! dangling and the write would create its target), `..` steps up from the real folder, and `.`
//! and repeated separators vanish. Components that do not exist yet are taken as written. On a
//! case-insensitive file system the comparison ignores letter case. Glob characters left in a
//! path (`rm roles/*`) match protected names as the shell would expand them.

use std::path::{Component, Path, PathBuf};

/// Symlinks followed before a path is declared unresolvable (Linux's own limit is 40).
const MAX_LINKS: usize = 40;

/// Resolves `path` (absolute, or relative to `base`) to the real location it names.
pub fn resolve(base: &Path, path: &Path) -> std::io::Result<PathBuf> {
    let mut links = 0;
    let start = if path.is_absolute() {
        PathBuf::from("/")
    } else {
        real_dir(base)?
    };
    walk(start, path, &mut links)
}

/// `base` itself resolved (the folder a tool runs in may be reached through a symlink).
fn real_dir(base: &Path) -> std::io::Result<PathBuf> {
    let mut links = 0;
    let base = if base.is_absolute() {
        base.to_path_buf()
    } else {
        std::env::current_dir()?.join(base)
    };
    walk(PathBuf::from("/"), &base, &mut links)
}

fn walk(mut cur: PathBuf, path: &Path, links: &mut usize) -> std::io::Result<PathBuf> {
    // Once a component is missing, everything after it is taken lexically.
    let mut missing = false;
    for comp in path.components() {
        match comp {
            Component::Prefix(p) => {
                cur = PathBuf::from(p.as_os_str());
                missing = false;
            }
            Component::RootDir => {
                cur.push(std::path::MAIN_SEPARATOR_STR);
                if !cfg!(windows) {
                    cur = PathBuf::from("/");
                }
                missing = false;
            }
            Component::CurDir => {}
            Component::ParentDir => {
                cur.pop();
                // Stepping back out of a missing folder can land in a real one again.
                if missing {
                    missing = std::fs::symlink_metadata(&cur).is_err();
                }
            }
            Component::Normal(name) => {
                let next = cur.join(name);
                if missing {
                    cur = next;
                    continue;
                }
                match std::fs::symlink_metadata(&next) {
                    Ok(md) if md.file_type().is_symlink() => {
                        *links += 1;
                        if *links > MAX_LINKS {
                            return Err(std::io::Error::other(format!(
                                "{}: too many levels of symbolic links",
                                next.display()
                            )));
                        }
                        let target = std::fs::read_link(&next)?;
                        let from = if target.is_absolute() {
                            PathBuf::from("/")
                        } else {
                            cur.clone()
                        };
                        cur = walk(from, &target, links)?;
                    }
                    Ok(_) => cur = next,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        missing = true;
                        cur = next;
                    }
                    // Not a folder (`file.txt/x`) and similar: the write will fail; take it as
                    // written.
                    Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
                        missing = true;
                        cur = next;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(cur)
}

/// How a target relates to a protected entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The target is the entry or inside it.
    Inside,
    /// The target is a folder holding the entry (removing it removes the entry).
    Holds,
    Unrelated,
}

/// Compares a resolved target with a resolved protected entry, component by component.
/// `fold_case` ignores letter case; glob characters in the target match as the shell would.
pub fn relate(target: &Path, entry: &Path, fold_case: bool) -> Relation {
    let t: Vec<String> = names(target);
    let e: Vec<String> = names(entry);
    let n = t.len().min(e.len());
    for i in 0..n {
        if !component_matches(&t[i], &e[i], fold_case) {
            return Relation::Unrelated;
        }
    }
    if t.len() >= e.len() {
        Relation::Inside
    } else {
        Relation::Holds
    }
}

fn names(p: &Path) -> Vec<String> {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            Component::Prefix(p) => Some(p.as_os_str().to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

fn component_matches(target: &str, entry: &str, fold_case: bool) -> bool {
    let (t, e) = if fold_case {
        (target.to_lowercase(), entry.to_lowercase())
    } else {
        (target.to_string(), entry.to_string())
    };
    if t == e {
        return true;
    }
    t.contains(['*', '?', '[']) && glob(t.as_bytes(), e.as_bytes())
}

/// Shell pattern matching of one component: `*`, `?` and `[…]` (with `!`/`^` negation).
fn glob(p: &[u8], s: &[u8]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => glob(&p[1..], s) || (!s.is_empty() && glob(p, &s[1..])),
        (Some(b'?'), Some(_)) => glob(&p[1..], &s[1..]),
        (Some(b'['), Some(&c)) => match p.iter().position(|&b| b == b']').filter(|&i| i > 1) {
            Some(close) => {
                let set = &p[1..close];
                let (neg, set) = match set.first() {
                    Some(b'!' | b'^') => (true, &set[1..]),
                    _ => (false, set),
                };
                let mut hit = false;
                let mut i = 0;
                while i < set.len() {
                    if i + 2 < set.len() && set[i + 1] == b'-' {
                        hit |= set[i] <= c && c <= set[i + 2];
                        i += 3;
                    } else {
                        hit |= set[i] == c;
                        i += 1;
                    }
                }
                hit != neg && glob(&p[close + 1..], &s[1..])
            }
            None => c == b'[' && glob(&p[1..], &s[1..]),
        },
        (Some(a), Some(b)) => a == b && glob(&p[1..], &s[1..]),
        _ => false,
    }
}

/// Whether the file system holding `root` ignores letter case: the manifest is found under
/// its name in upper case and is the same file.
pub fn case_insensitive(root: &Path) -> bool {
    let upper = root.join(wazir_core::MANIFEST_FILE.to_uppercase());
    match (
        std::fs::metadata(&upper),
        std::fs::metadata(root.join(wazir_core::MANIFEST_FILE)),
    ) {
        (Ok(a), Ok(b)) => same_file(&a, &b),
        _ => false,
    }
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_the_shell() {
        assert!(glob(b"r*", b"roles"));
        assert!(glob(b"*", b"roles"));
        assert!(glob(b"ro?es", b"roles"));
        assert!(glob(b"[qr]oles", b"roles"));
        assert!(!glob(b"[!r]oles", b"roles"));
        assert!(!glob(b"s*", b"roles"));
    }

    #[test]
    fn relations() {
        let e = Path::new("/p/hooks/definitions");
        assert_eq!(
            relate(Path::new("/p/hooks/definitions/a.yaml"), e, false),
            Relation::Inside
        );
        assert_eq!(relate(Path::new("/p/hooks"), e, false), Relation::Holds);
        assert_eq!(
            relate(Path::new("/p/hooks/other"), e, false),
            Relation::Unrelated
        );
        assert_eq!(
            relate(Path::new("/p/HOOKS/Definitions/x"), e, true),
            Relation::Inside
        );
        assert_eq!(
            relate(Path::new("/p/HOOKS/Definitions/x"), e, false),
            Relation::Unrelated
        );
        assert_eq!(
            relate(Path::new("/p/h*/def*/x"), e, false),
            Relation::Inside
        );
    }

    #[test]
    fn resolves_dots_and_symlinked_folders() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("roles")).unwrap();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::os::unix::fs::symlink(root.join("roles"), root.join("src/link")).unwrap();
        // `link/..` is the parent of the link's target, as the kernel reads it (the guard also
        // checks the lexical reading, `src/roles/x.md` here).
        let r = resolve(&root.join("src"), Path::new("./link//../src/./x.md")).unwrap();
        assert_eq!(r, root.join("src/x.md"));
        let r = resolve(&root.join("src"), Path::new("link/../../roles/x.md")).unwrap();
        assert_eq!(r, root.parent().unwrap().join("roles/x.md"));
        let r = resolve(&root, Path::new("src/link/new/x.md")).unwrap();
        assert_eq!(r, root.join("roles/new/x.md"));
        std::os::unix::fs::symlink(root.join("roles/absent.md"), root.join("dangling")).unwrap();
        assert_eq!(
            resolve(&root, Path::new("dangling")).unwrap(),
            root.join("roles/absent.md")
        );
    }
}
