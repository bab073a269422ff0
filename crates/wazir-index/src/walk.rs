//! Walking the project tree: `.gitignore` honoured, fixed skip directories and the state root
//! left out, files of unknown languages and over the size limit set aside (counted, not errors).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use ignore::{WalkBuilder, WalkState};

use crate::lang::Lang;

/// Directory names never entered besides `NOT_SOURCE_DIRS`: Wazir's own kit and the agent
/// configuration folders `wazir init` writes, which are not the project's code.
pub const SKIP_DIRS: [&str; 6] = [
    ".wazir", ".claude", ".codex", ".gemini", ".cursor", ".agents",
];

fn skipped_dir(name: &str) -> bool {
    wazir_core::project::NOT_SOURCE_DIRS.contains(&name) || SKIP_DIRS.contains(&name)
}

/// A file the walk kept: a known language under the size limit.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Path relative to the root with `/` separators.
    pub rel: String,
    pub abs: PathBuf,
    pub lang: Lang,
    pub size: u64,
    pub mtime_ns: i64,
}

#[derive(Debug, Default, Clone)]
pub struct WalkResult {
    pub candidates: Vec<Candidate>,
    pub skipped_large: u64,
    pub skipped_unsupported: u64,
    pub walk_errors: u64,
}

/// Path relative to `root`, with forward slashes.
pub fn rel_path(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut s = String::new();
    for (i, c) in rel.components().enumerate() {
        if i > 0 {
            s.push('/');
        }
        s.push_str(&c.as_os_str().to_string_lossy());
    }
    Some(s)
}

pub fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// Walks `root` (already canonical) in parallel and returns the indexable files sorted by path.
pub fn walk(root: &Path, state_root: Option<&Path>, max_file_bytes: u64) -> WalkResult {
    let state_root = state_root.and_then(|s| s.canonicalize().ok());
    let result = Mutex::new(WalkResult::default());
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(true)
        .require_git(false)
        .parents(true)
        .follow_links(false)
        .threads(2);
    let skip_state = state_root.clone();
    builder.filter_entry(move |e| {
        if e.file_type().is_some_and(|t| t.is_dir()) {
            let name = e.file_name().to_string_lossy();
            if skipped_dir(name.as_ref()) {
                return false;
            }
            if let Some(s) = &skip_state
                && e.path() == s.as_path()
            {
                return false;
            }
        }
        true
    });
    builder.build_parallel().run(|| {
        let result = &result;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(_) => {
                    result.lock().expect("walk lock").walk_errors += 1;
                    return WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let path = entry.path();
            let Some(lang) = Lang::from_path(path) else {
                result.lock().expect("walk lock").skipped_unsupported += 1;
                return WalkState::Continue;
            };
            let Ok(meta) = entry.metadata() else {
                result.lock().expect("walk lock").walk_errors += 1;
                return WalkState::Continue;
            };
            if meta.len() > max_file_bytes {
                result.lock().expect("walk lock").skipped_large += 1;
                return WalkState::Continue;
            }
            let Some(rel) = rel_path(root, path) else {
                return WalkState::Continue;
            };
            let cand = Candidate {
                rel,
                abs: path.to_path_buf(),
                lang,
                size: meta.len(),
                mtime_ns: mtime_ns(&meta),
            };
            result.lock().expect("walk lock").candidates.push(cand);
            WalkState::Continue
        })
    });
    let mut r = result.into_inner().expect("walk lock");
    r.candidates.sort_by(|a, b| a.rel.cmp(&b.rel));
    r
}

/// True when the first 8 KiB hold a NUL byte: the file is treated as binary.
pub fn looks_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
}
