//! Recall: exact line-bounded slices (L2) read from disk, or stored L0/L1 summaries with
//! `fresh` (does the summary's source hash match the source on disk now?). Opens SQLite
//! read-only, never walks the tree and never loads the tokenizer.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::{IndexError, Result};
use crate::query::{SearchOptions, exact_matches, resolve_rel, search_conn, sq};
use crate::store;
use crate::store::StoredSymbol;
use crate::summary::{line_slice, slice_hash, summarized_kind, symbol_key};

/// Which form recall returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Tier {
    L0,
    L1,
    L2,
}

impl Tier {
    pub fn parse(s: &str) -> Option<Tier> {
        match s.to_ascii_uppercase().as_str() {
            "L0" => Some(Tier::L0),
            "L1" => Some(Tier::L1),
            "L2" => Some(Tier::L2),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Tier::L0 => "L0",
            Tier::L1 => "L1",
            Tier::L2 => "L2",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Recall {
    pub path: String,
    pub tier: Tier,
    /// First and last line covered (1-based, inclusive).
    pub start: u32,
    pub end: u32,
    /// For L2 the exact source lines; for L0/L1 the summary text.
    pub text: String,
    /// L0/L1: the summary was made from the source as it is on disk now. L2: the index entry
    /// for the file matches the disk (line numbers from the index can be trusted).
    pub fresh: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<StoredSymbol>,
    /// Other symbols that matched the query as well as this one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary_generator: Option<String>,
    #[serde(skip)]
    pub tokens: Option<i64>,
    #[serde(skip)]
    pub source_tokens: Option<i64>,
}

fn read_source(root: &Path, rel: &str) -> Result<(Vec<u8>, String)> {
    let path = root.join(rel);
    let bytes = std::fs::read(&path).map_err(|e| IndexError::Io {
        path: path.clone(),
        err: e,
    })?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Ok((bytes, text))
}

fn indexed_hash(conn: &Connection, rel: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT hash FROM files WHERE path = ?1")?
        .query_row([rel], |r| r.get(0))
        .optional()
}

/// A stored summary: text, source hash, generator, tokens, source tokens.
type SummaryRow = (String, String, String, i64, i64);

fn summary(
    conn: &Connection,
    rel: &str,
    key: &str,
    tier: Tier,
) -> rusqlite::Result<Option<SummaryRow>> {
    conn.prepare_cached(
        "SELECT text, source_hash, generator, tokens, source_tokens FROM summaries WHERE path = ?1 AND symbol_key = ?2 AND tier = ?3",
    )?
    .query_row(params![rel, key, tier.name()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
    .optional()
}

fn no_summary(rel: &str, what: &str, tier: Tier) -> IndexError {
    IndexError::BadInput(format!(
        "{rel}: no {} summary for {what}; run `wazir index summarize` first",
        tier.name()
    ))
}

/// `recall file PATH [--start --end] [--tier]`, logged in the retrieval log when the index
/// can be written. An L2 slice needs no index; L0 and L1 read stored summaries.
pub fn recall_file(
    root: &Path,
    state_root: &Path,
    given: &str,
    start: Option<u32>,
    end: Option<u32>,
    tier: Tier,
) -> Result<Recall> {
    let rel = resolve_rel(root, given)?;
    let (bytes, text) = read_source(root, &rel)?;
    let disk_hash = wazir_core::digest::blake3_hex(&bytes);
    let total = text.lines().count().max(1) as u32;
    let start = start.unwrap_or(1).max(1);
    let end = end.unwrap_or(total).min(total.max(start));
    if start > end {
        return Err(IndexError::BadInput(format!(
            "{rel}: --start {start} is after --end {end}"
        )));
    }
    let db = store::db_path(state_root);
    match tier {
        Tier::L2 => {
            // `fresh` says whether the index agrees with the disk.
            let conn = open_for_recall(state_root).ok();
            let fresh = conn
                .as_ref()
                .and_then(|c| indexed_hash(c, &rel).ok().flatten())
                .is_some_and(|h| h == disk_hash);
            let r = Recall {
                path: rel,
                tier,
                start,
                end,
                text: line_slice(&text, start, end).to_string(),
                fresh,
                symbol: None,
                alternatives: Vec::new(),
                summary_generator: None,
                tokens: None,
                source_tokens: None,
            };
            if let Some(c) = &conn {
                log_on(c, &db, "file", given, &r);
            }
            Ok(r)
        }
        Tier::L0 | Tier::L1 => {
            let conn = open_for_recall(state_root)?;
            let (s_text, s_hash, generator, tokens, source_tokens) = summary(&conn, &rel, "", tier)
                .map_err(sq(&db))?
                .ok_or_else(|| no_summary(&rel, "the file", tier))?;
            let r = Recall {
                path: rel,
                tier,
                start: 1,
                end: total,
                text: s_text,
                fresh: s_hash == disk_hash,
                symbol: None,
                alternatives: Vec::new(),
                summary_generator: Some(generator),
                tokens: Some(tokens),
                source_tokens: Some(source_tokens),
            };
            log_on(&conn, &db, "file", given, &r);
            Ok(r)
        }
    }
}

/// The summary key of a stored symbol, counting same-key siblings before it in its file.
fn stored_key(conn: &Connection, s: &StoredSymbol) -> rusqlite::Result<String> {
    let key = symbol_key(&s.symbol);
    let n: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM symbols s JOIN files f ON f.id = s.file_id
             WHERE f.path = ?1 AND s.kind = ?2 AND s.name = ?3 AND s.scope IS ?4 AND (s.start_line < ?5 OR (s.start_line = ?5 AND s.id < ?6))",
        )?
        .query_row(
            params![s.path, s.symbol.kind, s.symbol.name, s.scope, s.symbol.start_line, s.id],
            |r| r.get(0),
        )?;
    Ok(if n == 0 {
        key
    } else {
        format!("{key}#{}", n + 1)
    })
}

/// `recall symbol Q [--tier]`: the best match (exact name or `Container.name`, then prefix),
/// logged in the retrieval log on the same connection when the index can be written (opening
/// it a second time would make SQLite read and parse the schema again).
pub fn recall_symbol(root: &Path, state_root: &Path, q: &str, tier: Tier) -> Result<Recall> {
    let conn = open_for_recall(state_root)?;
    let r = recall_symbol_in(&conn, root, state_root, q, tier)?;
    log_on(&conn, &store::db_path(state_root), "symbol", q, &r);
    Ok(r)
}

/// The index opened read-write when the file allows it (so the recall can be logged on the
/// same connection), else read-only.
fn open_for_recall(state_root: &Path) -> Result<Connection> {
    store::open_existing_rw(state_root).or_else(|_| store::open_read(state_root))
}

fn recall_symbol_in(
    conn: &Connection,
    root: &Path,
    state_root: &Path,
    q: &str,
    tier: Tier,
) -> Result<Recall> {
    let db = store::db_path(state_root);
    let e = sq(&db);
    let mut found = exact_matches(conn, q, None, None, 20).map_err(&e)?;
    if found.is_empty() {
        found = search_conn(
            conn,
            q,
            &SearchOptions {
                limit: 5,
                ..Default::default()
            },
        )
        .map_err(&e)?
        .into_iter()
        .filter(|h| h.rank != crate::query::Rank::Fuzzy)
        .map(|h| h.symbol)
        .collect();
    }
    if tier != Tier::L2 {
        // Summaries exist only for some kinds: prefer those.
        found.sort_by_key(|s| !summarized_kind(&s.symbol.kind));
    }
    let mut iter = found.into_iter();
    let Some(best) = iter.next() else {
        return Err(IndexError::BadInput(format!(
            "no symbol matches `{q}`; try `wazir index search-symbols {q}` or `wazir index refresh`"
        )));
    };
    let alternatives: Vec<String> = iter
        .map(|s| {
            format!(
                "{}:{} {} {}",
                s.path,
                s.symbol.start_line,
                s.symbol.kind,
                crate::summary::qualified(&s.symbol)
            )
        })
        .collect();
    let (bytes, text) = read_source(root, &best.path)?;
    let (start, end) = (best.symbol.start_line, best.symbol.end_line);
    let slice = line_slice(&text, start, end);
    match tier {
        Tier::L2 => {
            let disk_hash = wazir_core::digest::blake3_hex(&bytes);
            let fresh = indexed_hash(conn, &best.path)
                .map_err(&e)?
                .is_some_and(|h| h == disk_hash);
            Ok(Recall {
                path: best.path.clone(),
                tier,
                start,
                end,
                text: slice.to_string(),
                fresh,
                symbol: Some(best),
                alternatives,
                summary_generator: None,
                tokens: None,
                source_tokens: None,
            })
        }
        Tier::L0 | Tier::L1 => {
            let key = stored_key(conn, &best).map_err(&e)?;
            let (s_text, s_hash, generator, tokens, source_tokens) =
                summary(conn, &best.path, &key, tier)
                    .map_err(&e)?
                    .ok_or_else(|| no_summary(&best.path, &format!("`{key}`"), tier))?;
            let fresh = slice_hash(slice) == s_hash;
            Ok(Recall {
                path: best.path.clone(),
                tier,
                start,
                end,
                text: s_text,
                fresh,
                symbol: Some(best),
                alternatives,
                summary_generator: Some(generator),
                tokens: Some(tokens),
                source_tokens: Some(source_tokens),
            })
        }
    }
}

/// Appends one row to the retrieval log (best effort: a busy or read-only store is skipped).
fn log_on(conn: &Connection, db: &Path, command: &str, query: &str, r: &Recall) {
    if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true) {
        return;
    }
    let _ = conn.busy_timeout(std::time::Duration::from_millis(100));
    // In WAL mode NORMAL skips the fsync on commit. Closing the last connection would
    // checkpoint, fsync twice and delete the WAL after every recall; instead the WAL is left
    // in place and truncated by a checkpoint once it passes WAL_TRIM_BYTES. It must stay
    // small: every new process re-reads it to rebuild the WAL index. A lost log row is
    // acceptable, a slow recall is not.
    let _ = conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;");
    let _ = conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    );
    let _ = conn.execute(
        "INSERT INTO retrieval_log(at, command, query, tier, results, returned_tokens, source_tokens) VALUES (?1,?2,?3,?4,1,?5,?6)",
        params![store::now_secs(), command, query, r.tier.name(), r.tokens, r.source_tokens],
    );
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > WAL_TRIM_BYTES) {
        let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
    }
}

/// WAL size past which a recall checkpoints it back to empty (about 64 pages: one fsync
/// every few dozen recalls).
const WAL_TRIM_BYTES: u64 = 256 * 1024;
