//! Accepted learnings: the JSON files under the manifest's memory path, each valid against
//! `accepted-learning.schema.json`. A learning reaches a bundle only when its role scope names the
//! role, its phase scope (when set) names the phase, it has not expired, and one of its file
//! patterns matches a path of the task (`--paths`).

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;

/// One accepted learning, as far as composition needs it.
#[derive(Debug, Clone)]
pub struct Learning {
    pub id: String,
    pub learning: String,
    pub check: Option<String>,
    pub confidence: f64,
    pub file_patterns: Vec<String>,
    pub roles: Vec<String>,
    pub phases: Vec<String>,
    pub expires: Option<String>,
    pub file: PathBuf,
}

#[derive(Deserialize)]
struct Raw {
    id: String,
    learning: String,
    #[serde(default)]
    check: Option<String>,
    confidence: f64,
    scope: RawScope,
    #[serde(default)]
    expires: Option<String>,
}

#[derive(Deserialize)]
struct RawScope {
    file_patterns: Vec<String>,
    roles: Vec<String>,
    #[serde(default)]
    phases: Vec<String>,
}

/// What was found under the memory path.
#[derive(Debug, Default)]
pub struct Loaded {
    pub learnings: Vec<Learning>,
    /// Files that are not valid accepted learnings, with why.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Reads every `*.json` under `memory_dir` (recursively). Files that fail the schema are skipped
/// and reported, never half-used.
pub fn load(memory_dir: &Path, schemas_dir: Option<&Path>) -> Loaded {
    let mut out = Loaded::default();
    if !memory_dir.is_dir() {
        return out;
    }
    let schema = match wazir_core::schema::Schema::load("accepted-learning", schemas_dir) {
        Ok(s) => s,
        Err(e) => {
            out.skipped.push((
                memory_dir.to_path_buf(),
                format!("cannot load the schema: {e}"),
            ));
            return out;
        }
    };
    let mut files = Vec::new();
    let mut stack = vec![memory_dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    files.sort();
    for file in files {
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                out.skipped.push((file, format!("cannot read it: {e}")));
                continue;
            }
        };
        let value: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                out.skipped
                    .push((file, format!("not valid JSON (line {}): {e}", e.line())));
                continue;
            }
        };
        if let Some(p) = schema.problems(&value).first() {
            out.skipped.push((
                file,
                format!(
                    "not a valid accepted learning: {p}; check it with `wazir validate artifacts`"
                ),
            ));
            continue;
        }
        match serde_json::from_value::<Raw>(value) {
            Ok(r) => out.learnings.push(Learning {
                id: r.id,
                learning: r.learning,
                check: r.check,
                confidence: r.confidence,
                file_patterns: r.scope.file_patterns,
                roles: r.scope.roles,
                phases: r.scope.phases,
                expires: r.expires,
                file,
            }),
            Err(e) => out.skipped.push((file, e.to_string())),
        }
    }
    out
}

/// A path given on the command line, as a project-relative `/`-separated path.
pub fn normalize_task_path(p: &str, root: &Path, cwd: &Path) -> String {
    let path = Path::new(p);
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let rel = match abs.strip_prefix(root) {
        Ok(r) => r.to_path_buf(),
        Err(_) => path.to_path_buf(),
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    let mut parts: Vec<&str> = Vec::new();
    for seg in s.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            x => parts.push(x),
        }
    }
    parts.join("/")
}

/// Compiles a learning's file pattern; `*` stays inside one folder, `**` crosses folders.
pub fn matcher(pattern: &str) -> Option<GlobMatcher> {
    GlobBuilder::new(pattern.trim_start_matches("./"))
        .literal_separator(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

/// Whether a task path is a glob (`src/export/**`) rather than a file.
pub fn is_glob(p: &str) -> bool {
    p.contains(['*', '?', '[', '{'])
}

/// The folders of a glob before its first segment with a wildcard: `src/export/**/*.rs` →
/// `["src", "export"]`.
fn literal_prefix(glob: &str) -> Vec<&str> {
    glob.split('/')
        .take_while(|seg| !is_glob(seg))
        .filter(|seg| !seg.is_empty() && *seg != ".")
        .collect()
}

/// The extension a glob's last segment pins, when it is `*.ext`.
fn pinned_extension(glob: &str) -> Option<&str> {
    let last = glob.rsplit('/').next()?;
    let ext = last.strip_prefix('*')?;
    (ext.starts_with('.') && !is_glob(ext)).then_some(ext)
}

/// Whether two globs can match a common file: their literal folder prefixes lie on one path,
/// and they do not pin different extensions. Errs towards yes: a learning shown once too often
/// costs a few tokens, one missed costs the lesson.
pub fn globs_overlap(a: &str, b: &str) -> bool {
    let (pa, pb) = (literal_prefix(a), literal_prefix(b));
    let n = pa.len().min(pb.len());
    if pa[..n] != pb[..n] {
        return false;
    }
    !matches!((pinned_extension(a), pinned_extension(b)), (Some(x), Some(y)) if x != y)
}

/// The `(pattern, path)` pairs where one of `learning`'s patterns matches one of `paths`. A task
/// path may itself be a glob (`src/export/**`); it then matches every learning pattern that can
/// match a file it covers.
pub fn matches(learning: &Learning, paths: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for pat in &learning.file_patterns {
        let Some(m) = matcher(pat) else { continue };
        for p in paths {
            let hit = if is_glob(p) {
                globs_overlap(pat, p)
            } else {
                m.is_match(p)
            };
            if hit {
                out.push((pat.clone(), p.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_respect_folders() {
        let m = matcher("app/security/**/*.py").unwrap();
        assert!(m.is_match("app/security/rate_limit.py"));
        assert!(m.is_match("app/security/a/b.py"));
        assert!(!m.is_match("app/other/x.py"));
        let star = matcher("src/*.rs").unwrap();
        assert!(!star.is_match("src/a/b.rs"));
    }

    #[test]
    fn task_globs_overlap_learning_patterns() {
        assert!(globs_overlap("src/export/*.rs", "src/export/**"));
        assert!(globs_overlap("app/**/*.py", "app/security/**"));
        assert!(globs_overlap("**/*.rs", "src/**"));
        assert!(!globs_overlap("app/**/*.py", "src/export/**"));
        assert!(!globs_overlap("src/**/*.py", "src/**/*.ts"));
        let l = Learning {
            id: "x".into(),
            learning: "y".into(),
            check: None,
            confidence: 0.5,
            file_patterns: vec!["src/export/**/*.rs".into()],
            roles: vec![],
            phases: vec![],
            expires: None,
            file: PathBuf::new(),
        };
        assert_eq!(matches(&l, &["src/export/**".into()]).len(), 1);
        assert_eq!(matches(&l, &["src/export/a/b.rs".into()]).len(), 1);
        assert_eq!(matches(&l, &["src/other/**".into()]).len(), 0);
    }

    #[test]
    fn task_paths_become_project_relative() {
        let root = Path::new("/p");
        assert_eq!(normalize_task_path("./src/a.rs", root, root), "src/a.rs");
        assert_eq!(
            normalize_task_path("a.rs", root, Path::new("/p/src")),
            "src/a.rs"
        );
        assert_eq!(normalize_task_path("/p/x/../y.rs", root, root), "y.rs");
    }
}
