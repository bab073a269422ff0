//! `index map`: a ranked map of the repository — files with their key signatures — that fits
//! a token budget. Files are ranked by how often other files mention the names they define;
//! `--focus` (paths or names) pulls the focused files and their neighbours to the top.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::query::sq;
use crate::store;

pub const DEFAULT_BUDGET: usize = 2048;

#[derive(Debug, Serialize)]
pub struct MapFile {
    pub path: String,
    pub score: f64,
    pub lines: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct RepoMap {
    pub budget: usize,
    pub tokens: usize,
    pub files_total: usize,
    pub files_shown: usize,
    pub files: Vec<MapFile>,
}

impl RepoMap {
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for f in &self.files {
            out.push_str(&f.path);
            out.push_str(":\n");
            for l in &f.lines {
                out.push_str("  ");
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }
}

struct FileInfo {
    path: String,
    lines: Vec<(u32, String)>,
    defines: Vec<String>,
}

pub fn map(root: &Path, state_root: &Path, budget: usize, focus: &[String]) -> Result<RepoMap> {
    let conn = store::open_read(state_root)?;
    let db = store::db_path(state_root);
    let e = sq(&db);
    let mut files: HashMap<i64, FileInfo> = HashMap::new();
    {
        let mut stmt = conn.prepare("SELECT id, path FROM files").map_err(&e)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(&e)?;
        for row in rows {
            let (id, path) = row.map_err(&e)?;
            files.insert(
                id,
                FileInfo {
                    path,
                    lines: Vec::new(),
                    defines: Vec::new(),
                },
            );
        }
    }
    // Top-level definitions and the members directly inside them.
    {
        let mut stmt = conn
            .prepare(
                "SELECT file_id, kind, name, scope, signature, start_line FROM symbols
                 WHERE kind NOT IN ('variable') AND (scope IS NULL OR (kind = 'method' AND scope IN (SELECT id FROM scopes WHERE parent IS NULL)))
                 ORDER BY file_id, start_line, id",
            )
            .map_err(&e)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, u32>(5)?,
                ))
            })
            .map_err(&e)?;
        for row in rows {
            let (fid, kind, name, scope, sig, line) = row.map_err(&e)?;
            if let Some(f) = files.get_mut(&fid) {
                let indent = if scope.is_some() { "  " } else { "" };
                f.lines.push((line, format!("{indent}{sig}")));
                if kind != "impl" && name.len() >= 3 {
                    f.defines.push(name);
                }
            }
        }
    }
    // name -> files defining it
    let mut definers: HashMap<&str, Vec<i64>> = HashMap::new();
    for (id, f) in &files {
        for n in &f.defines {
            definers.entry(n.as_str()).or_default().push(*id);
        }
    }
    for v in definers.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    let mut score: HashMap<i64, f64> = HashMap::new();
    // file -> files it refers to
    let mut refers: HashMap<i64, HashSet<i64>> = HashMap::new();
    let mut mentions: HashMap<i64, String> = HashMap::new();
    {
        let mut stmt = conn
            .prepare("SELECT file_id, idents FROM file_refs")
            .map_err(&e)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(&e)?;
        for row in rows {
            let (fid, idents) = row.map_err(&e)?;
            for ident in idents.split(' ') {
                if let Some(defs) = definers.get(ident) {
                    if defs.len() > 50 {
                        continue; // names defined everywhere (new, run, main) say nothing
                    }
                    let w = 1.0 / defs.len() as f64;
                    for d in defs {
                        if *d != fid {
                            *score.entry(*d).or_default() += w;
                            refers.entry(fid).or_default().insert(*d);
                        }
                    }
                }
            }
            if !focus.is_empty() {
                mentions.insert(fid, idents);
            }
        }
    }
    // Focus: paths (files or folders) and names.
    let mut boost: HashMap<i64, f64> = HashMap::new();
    for item in focus {
        let rel = crate::query::resolve_rel(root, item).unwrap_or_else(|_| item.clone());
        let focused: Vec<i64> = files
            .iter()
            .filter(|(_, f)| {
                f.path == rel
                    || f.path
                        .starts_with(&format!("{}/", rel.trim_end_matches('/')))
            })
            .map(|(id, _)| *id)
            .collect();
        if !focused.is_empty() {
            for id in &focused {
                *boost.entry(*id).or_default() += 1000.0;
                if let Some(out) = refers.get(id) {
                    for d in out {
                        *boost.entry(*d).or_default() += 100.0;
                    }
                }
            }
            let set: HashSet<i64> = focused.into_iter().collect();
            for (src, out) in &refers {
                if out.iter().any(|d| set.contains(d)) {
                    *boost.entry(*src).or_default() += 50.0;
                }
            }
        } else {
            if let Some(defs) = definers.get(item.as_str()) {
                for d in defs {
                    *boost.entry(*d).or_default() += 1000.0;
                }
            }
            for (fid, idents) in &mentions {
                if idents.split(' ').any(|i| i == item) {
                    *boost.entry(*fid).or_default() += 100.0;
                }
            }
        }
    }
    let mut ranked: Vec<(f64, &String, i64)> = files
        .iter()
        .filter(|(_, f)| !f.lines.is_empty())
        .map(|(id, f)| {
            (
                score.get(id).copied().unwrap_or(0.0) + boost.get(id).copied().unwrap_or(0.0),
                &f.path,
                *id,
            )
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(b.1))
    });
    let mut out = RepoMap {
        budget,
        tokens: 0,
        files_total: files.len(),
        files_shown: 0,
        files: Vec::new(),
    };
    for (s, _, id) in ranked {
        let f = &files[&id];
        let header = wazir_core::tokens::count(&format!("{}:\n", f.path));
        if out.tokens + header >= budget {
            break;
        }
        let mut used = header;
        let mut lines = Vec::new();
        for (line, sig) in &f.lines {
            let l = format!("{sig}  L{line}");
            let t = wazir_core::tokens::count(&l) + 1;
            if out.tokens + used + t > budget {
                break;
            }
            used += t;
            lines.push(l);
        }
        if lines.is_empty() {
            break;
        }
        out.tokens += used;
        out.files.push(MapFile {
            path: f.path.clone(),
            score: (s * 100.0).round() / 100.0,
            lines,
        });
    }
    out.files_shown = out.files.len();
    Ok(out)
}
