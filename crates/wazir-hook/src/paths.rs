//! Where a path really points, and whether that is inside a protected entry. A target is made
//! absolute against the folder the tool runs in, then walked one component at a time against
//! the file system: every existing component is followed through symlinks (so a symlinked
//! folder or a symlink to a protected file is seen for what it is, even when the link is
//! dangling and the write would create its target), `..` steps up from the real folder, and `.`
//! and repeated separators vanish. Components that do not exist yet are taken as written. On a
//! case-insensitive file system the comparison ignores letter case. Glob characters left in a
//! path (`rm roles/*`) match protected names as the shell would expand them, through `globset`
//! automata: linear time whatever the pattern.

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
                    // Not a folder (`file.txt/x`), a name too long and similar: the write will
                    // fail; take it as written.
                    Err(e)
                        if e.kind() == std::io::ErrorKind::NotADirectory
                            || e.kind() == std::io::ErrorKind::InvalidFilename =>
                    {
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

/// A target path ready to be compared with many entries: each component is either a name or,
/// when it holds glob characters, a pattern compiled once by `globset` into an automaton, so a
/// comparison takes time linear in the names compared whatever the pattern (a recursive
/// matcher is exponential in the number of `*`).
#[derive(Debug, Clone)]
pub struct Pattern {
    parts: Vec<Part>,
    fold_case: bool,
}

#[derive(Debug, Clone)]
enum Part {
    Name(String),
    Glob(globset::GlobMatcher),
}

impl Pattern {
    /// Compiles `target`; `fold_case` ignores letter case.
    pub fn new(target: &Path, fold_case: bool) -> Pattern {
        let parts = names(target)
            .into_iter()
            .map(|n| {
                let n = if fold_case { n.to_lowercase() } else { n };
                if !n.contains(['*', '?', '[', '{']) {
                    return Part::Name(n);
                }
                match globset::GlobBuilder::new(&n)
                    .literal_separator(true)
                    .backslash_escape(true)
                    .case_insensitive(fold_case)
                    .build()
                {
                    Ok(g) => Part::Glob(g.compile_matcher()),
                    // Not a valid pattern (`[` unclosed): the shell takes it literally.
                    Err(_) => Part::Name(n),
                }
            })
            .collect();
        Pattern { parts, fold_case }
    }

    /// How this target relates to the resolved protected `entry`.
    pub fn relate(&self, entry: &Path) -> Relation {
        let e = names(entry);
        let n = self.parts.len().min(e.len());
        for (part, name) in self.parts[..n].iter().zip(&e) {
            let name = if self.fold_case {
                name.to_lowercase()
            } else {
                name.clone()
            };
            let hit = match part {
                Part::Name(t) => *t == name,
                Part::Glob(g) => g.is_match(&name),
            };
            if !hit {
                return Relation::Unrelated;
            }
        }
        if self.parts.len() >= e.len() {
            Relation::Inside
        } else {
            Relation::Holds
        }
    }
}

/// Compares a resolved target with a resolved protected entry, component by component.
/// `fold_case` ignores letter case; glob characters in the target match as the shell would.
pub fn relate(target: &Path, entry: &Path, fold_case: bool) -> Relation {
    Pattern::new(target, fold_case).relate(entry)
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

    fn glob(p: &str, s: &str) -> bool {
        relate(Path::new(p), Path::new(s), false) == Relation::Inside
    }

    #[test]
    fn globs_match_like_the_shell() {
        assert!(glob("r*", "roles"));
        assert!(glob("*", "roles"));
        assert!(glob("ro?es", "roles"));
        assert!(glob("[qr]oles", "roles"));
        assert!(!glob("[!r]oles", "roles"));
        assert!(!glob("s*", "roles"));
        assert!(glob("{roles,skills}", "skills"));
        assert!(glob("[", "["));
    }

    #[test]
    fn many_stars_match_in_linear_time() {
        let pattern = format!("{}Q", "*".repeat(64));
        let name = "a".repeat(200);
        let t = std::time::Instant::now();
        assert!(!glob(&pattern, &name));
        assert!(glob(&pattern, &format!("{name}Q")));
        assert!(
            t.elapsed() < std::time::Duration::from_millis(50),
            "{:?}",
            t.elapsed()
        );
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
