//! `summarize`: refreshes the index, gathers each stale file's symbols, imports and outline from
//! the store, makes its L0/L1 summaries (and its symbols') in parallel and writes them.

use std::collections::HashMap;
use std::time::Instant;

use rayon::prelude::*;
use rusqlite::params;
use serde::Serialize;

use super::{
    FileInput, GENERATOR, Lines, file_l0, file_l1, members, slice_hash, summarized_kind,
    symbol_key, symbol_l0, symbol_l1,
};
use crate::error::{IndexError, Result};
use crate::indexer::{IndexConfig, refresh};
use crate::store;

#[derive(Debug, Default, Clone, Serialize)]
pub struct SummarizeReport {
    pub files_total: u64,
    pub files_summarized: u64,
    pub files_fresh: u64,
    pub symbol_summaries: u64,
    pub file_source_tokens: u64,
    pub file_l1_tokens: u64,
    /// Mean over files of L1 tokens / source tokens.
    pub l1_mean_ratio: f64,
    /// Sum of L1 tokens over sum of source tokens.
    pub l1_total_ratio: f64,
    pub duration_ms: u64,
}

struct Made {
    path: String,
    rows: Vec<(String, String, String, String, usize, usize)>, // key, tier, text, hash, tokens, source tokens
    l1_tokens: usize,
    src_tokens: usize,
}

/// Writes L0 and L1 summaries for files (and their symbols) whose summaries are missing or
/// stale; `force` rewrites them all.
pub fn summarize(cfg: &IndexConfig, force: bool) -> Result<SummarizeReport> {
    let t0 = Instant::now();
    refresh(cfg)?;
    let db = cfg.db_path();
    let conn =
        store::open_write(&cfg.state_root)?.ok_or(IndexError::Missing { path: db.clone() })?;
    let sq = |e: rusqlite::Error| IndexError::Sqlite {
        path: db.clone(),
        err: e,
    };
    // file id, path, language, lines, hash, summary hash
    let files: Vec<(i64, String, String, u32, String, Option<String>)> = {
        let mut stmt = conn
            .prepare(
                "SELECT f.id, f.path, f.language, f.lines, f.hash, s.source_hash FROM files f
                 LEFT JOIN summaries s ON s.path = f.path AND s.symbol_key = '' AND s.tier = 'L1'
                 ORDER BY f.path",
            )
            .map_err(sq)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .map_err(sq)?;
        rows.collect::<rusqlite::Result<_>>().map_err(sq)?
    };
    let mut report = SummarizeReport {
        files_total: files.len() as u64,
        ..Default::default()
    };
    let todo: Vec<_> = files
        .into_iter()
        .filter(|f| force || f.5.as_deref() != Some(f.4.as_str()))
        .collect();
    report.files_fresh = report.files_total - todo.len() as u64;
    // Gather what the generator needs from the store, then build summaries in parallel.
    let mut inputs = Vec::with_capacity(todo.len());
    for (id, path, lang, lines, hash, _) in todo {
        let symbols = store::file_symbols(&conn, id).map_err(sq)?;
        let imports: String = conn
            .prepare_cached("SELECT imports FROM file_refs WHERE file_id = ?1")
            .and_then(|mut s| s.query_row([id], |r| r.get(0)))
            .unwrap_or_default();
        let outline = store::file_outline_items(&conn, id).map_err(sq)?;
        inputs.push((path, lang, lines, hash, symbols, imports, outline));
    }
    let root = cfg.root.clone();
    let made: Vec<Made> = inputs
        .par_iter()
        .filter_map(|(path, lang, lines, hash, symbols, imports, outline)| {
            let bytes = std::fs::read(root.join(path)).ok()?;
            let src = String::from_utf8_lossy(&bytes);
            let imports: Vec<String> = imports
                .lines()
                .map(str::to_string)
                .filter(|l| !l.is_empty())
                .collect();
            let input = FileInput {
                path,
                language: lang,
                lines: *lines,
                src: &src,
                symbols,
                imports: &imports,
                outline,
            };
            let src_tokens = wazir_core::tokens::count(&src);
            let l0 = file_l0(&input);
            let l1 = file_l1(&input);
            let l1_tokens = wazir_core::tokens::count(&l1);
            let mut rows = vec![
                (
                    String::new(),
                    "L0".to_string(),
                    l0.clone(),
                    hash.clone(),
                    wazir_core::tokens::count(&l0),
                    src_tokens,
                ),
                (
                    String::new(),
                    "L1".to_string(),
                    l1,
                    hash.clone(),
                    l1_tokens,
                    src_tokens,
                ),
            ];
            let mut seen: HashMap<String, u32> = HashMap::new();
            let kids = members(symbols);
            let lines = Lines::new(&src);
            for (s, kids) in symbols
                .iter()
                .zip(&kids)
                .filter(|(s, _)| summarized_kind(&s.kind))
            {
                let mut key = symbol_key(s);
                let n = seen.entry(key.clone()).or_insert(0);
                *n += 1;
                if *n > 1 {
                    key = format!("{key}#{n}");
                }
                let slice = lines.slice(s.start_line, s.end_line);
                let h = slice_hash(slice);
                let share = if src.is_empty() {
                    0
                } else {
                    src_tokens * slice.len() / src.len()
                };
                let s0 = symbol_l0(path, s);
                let s1 = symbol_l1(path, s, kids);
                let (t0, t1) = (s0.len().div_ceil(4), s1.len().div_ceil(4));
                rows.push((key.clone(), "L0".into(), s0, h.clone(), t0, share));
                rows.push((key, "L1".into(), s1, h, t1, share));
            }
            Some(Made {
                path: path.clone(),
                rows,
                l1_tokens,
                src_tokens,
            })
        })
        .collect();
    let now = store::now_secs();
    conn.execute_batch("BEGIN IMMEDIATE").map_err(sq)?;
    let mut ratio_sum = 0.0;
    let mut ratio_n = 0u64;
    for m in &made {
        conn.prepare_cached("DELETE FROM summaries WHERE path = ?1")
            .and_then(|mut s| s.execute([&m.path]))
            .map_err(sq)?;
        let mut ins = conn
            .prepare_cached(
                "INSERT OR REPLACE INTO summaries(path, symbol_key, tier, text, source_hash, generator, tokens, source_tokens, created_at)
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
            )
            .map_err(sq)?;
        for (key, tier, text, hash, tokens, src_tokens) in &m.rows {
            ins.execute(params![
                m.path,
                key,
                tier,
                text,
                hash,
                GENERATOR,
                *tokens as i64,
                *src_tokens as i64,
                now
            ])
            .map_err(sq)?;
            if !key.is_empty() {
                report.symbol_summaries += 1;
            }
        }
        report.files_summarized += 1;
        report.file_source_tokens += m.src_tokens as u64;
        report.file_l1_tokens += m.l1_tokens as u64;
        if m.src_tokens > 0 {
            ratio_sum += m.l1_tokens as f64 / m.src_tokens as f64;
            ratio_n += 1;
        }
    }
    conn.execute_batch("COMMIT").map_err(sq)?;
    report.symbol_summaries /= 2;
    if ratio_n > 0 {
        report.l1_mean_ratio = ratio_sum / ratio_n as f64;
    }
    if report.file_source_tokens > 0 {
        report.l1_total_ratio = report.file_l1_tokens as f64 / report.file_source_tokens as f64;
    }
    report.duration_ms = t0.elapsed().as_millis() as u64;
    Ok(report)
}
