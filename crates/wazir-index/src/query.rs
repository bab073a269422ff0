//! Read-side queries: `stats`, ranked `search-symbols` (exact, prefix, then fuzzy),
//! `get-symbol` and `get-file-outline`, plus path resolution shared with recall.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{IndexError, Result};
use crate::extract::{OutlineItem, Symbol};
use crate::store::{self, StoredSymbol, split_words};

pub(crate) fn sq(db: &Path) -> impl Fn(rusqlite::Error) -> IndexError + '_ {
    move |e| IndexError::Sqlite {
        path: db.to_path_buf(),
        err: e,
    }
}

/// Turns a user-given path (absolute, root-relative or cwd-relative) into the index's
/// root-relative form with `/` separators. Paths outside the root are refused.
pub fn resolve_rel(root: &Path, given: &str) -> Result<String> {
    let p = Path::new(given);
    let candidates: Vec<PathBuf> = if p.is_absolute() {
        vec![p.to_path_buf()]
    } else {
        let mut v = vec![root.join(p)];
        if let Ok(cwd) = std::env::current_dir() {
            v.push(cwd.join(p));
        }
        v
    };
    for c in &candidates {
        if let Ok(canon) = c.canonicalize() {
            if let Some(rel) = crate::walk::rel_path(root, &canon) {
                return Ok(rel);
            }
            return Err(IndexError::OutsideRoot {
                path: canon,
                root: root.to_path_buf(),
            });
        }
    }
    // Not on disk (deleted?): accept a clean relative path as it is.
    let clean = given.trim_start_matches("./").replace('\\', "/");
    if p.is_absolute() || clean.split('/').any(|c| c == "..") {
        return Err(IndexError::OutsideRoot {
            path: p.to_path_buf(),
            root: root.to_path_buf(),
        });
    }
    Ok(clean)
}

#[derive(Debug, Serialize)]
pub struct Stats {
    pub database: String,
    pub schema_version: i64,
    pub database_bytes: u64,
    pub files: u64,
    pub symbols: u64,
    pub outline_items: u64,
    pub languages: BTreeMap<String, u64>,
    pub kinds: BTreeMap<String, u64>,
    pub summarized_files: u64,
    pub stale_summaries: u64,
    pub symbol_summaries: u64,
    pub retrievals: u64,
    pub last_run: Option<serde_json::Value>,
}

pub fn stats(state_root: &Path) -> Result<Stats> {
    let conn = store::open_read(state_root)?;
    let db = store::db_path(state_root);
    let e = sq(&db);
    let count = |sql: &str| {
        conn.query_row(sql, [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
    };
    let group = |sql: &str| -> rusqlite::Result<BTreeMap<String, u64>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        rows.collect()
    };
    let last_run = conn
        .query_row(
            "SELECT kind, started_at, duration_ms, files_seen, parsed, unchanged, removed, skipped_binary, skipped_large, errors
             FROM ingestion_runs ORDER BY id DESC LIMIT 1",
            [],
            |r| {
                Ok(serde_json::json!({
                    "kind": r.get::<_, String>(0)?, "started_at": r.get::<_, i64>(1)?,
                    "duration_ms": r.get::<_, i64>(2)?, "files_seen": r.get::<_, i64>(3)?,
                    "parsed": r.get::<_, i64>(4)?, "unchanged": r.get::<_, i64>(5)?,
                    "removed": r.get::<_, i64>(6)?, "skipped_binary": r.get::<_, i64>(7)?,
                    "skipped_large": r.get::<_, i64>(8)?, "errors": r.get::<_, i64>(9)?,
                }))
            },
        )
        .optional()
        .map_err(&e)?;
    Ok(Stats {
        database: db.display().to_string(),
        schema_version: store::schema_version(&conn).unwrap_or(0),
        database_bytes: std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0),
        files: count("SELECT count(*) FROM files").map_err(&e)?,
        symbols: count("SELECT count(*) FROM symbols").map_err(&e)?,
        outline_items: count("SELECT count(*) FROM outlines").map_err(&e)?,
        languages: group("SELECT language, count(*) FROM files GROUP BY language").map_err(&e)?,
        kinds: group("SELECT kind, count(*) FROM symbols GROUP BY kind").map_err(&e)?,
        summarized_files: count(
            "SELECT count(*) FROM summaries WHERE symbol_key = '' AND tier = 'L1'",
        )
        .map_err(&e)?,
        stale_summaries: count(
            "SELECT count(*) FROM summaries s JOIN files f ON f.path = s.path
             WHERE s.symbol_key = '' AND s.tier = 'L1' AND s.source_hash <> f.hash",
        )
        .map_err(&e)?,
        symbol_summaries: count(
            "SELECT count(*) FROM summaries WHERE symbol_key <> '' AND tier = 'L1'",
        )
        .map_err(&e)?,
        retrievals: count("SELECT count(*) FROM retrieval_log").map_err(&e)?,
        last_run,
    })
}

/// How a search hit matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rank {
    Exact,
    Prefix,
    Fuzzy,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub rank: Rank,
    #[serde(flatten)]
    pub symbol: StoredSymbol,
}

#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    pub kind: Option<String>,
    pub lang: Option<String>,
    pub limit: usize,
}

struct Filter<'a> {
    kind: Option<&'a str>,
    lang: Option<&'a str>,
}

fn run_query(
    conn: &Connection,
    cond: &str,
    order: &str,
    args: &[&dyn rusqlite::ToSql],
    f: &Filter,
    limit: usize,
) -> rusqlite::Result<Vec<StoredSymbol>> {
    store::symbols_where(conn, cond, order, args, f.kind, f.lang, limit)
}

/// Splits `Container.name` / `Container::name` into its parts.
fn split_qualified(q: &str) -> Option<(&str, &str)> {
    if let Some(i) = q.rfind("::") {
        return Some((&q[..i], &q[i + 2..]));
    }
    q.rfind('.')
        .filter(|i| *i > 0 && *i + 1 < q.len())
        .map(|i| (&q[..i], &q[i + 1..]))
}

const DEF_ORDER: &str = "CASE s.kind WHEN 'variable' THEN 2 WHEN 'constant' THEN 1 WHEN 'impl' THEN 1 ELSE 0 END, length(f.path), f.path, s.start_line";

/// Exact matches: case-sensitive name, qualified `Container.name`, then case-insensitive.
pub fn exact_matches(
    conn: &Connection,
    q: &str,
    f_kind: Option<&str>,
    f_lang: Option<&str>,
    limit: usize,
) -> rusqlite::Result<Vec<StoredSymbol>> {
    let f = Filter {
        kind: f_kind,
        lang: f_lang,
    };
    // A name defined thousands of times (`__init__`, `new`) would make ranking sort them all:
    // without filters, rank only the first few hundred definitions.
    let cond = if f.kind.is_none() && f.lang.is_none() {
        "s.id IN (SELECT id FROM symbols WHERE name = ?1 LIMIT 400)"
    } else {
        "s.name = ?1"
    };
    let mut out = run_query(conn, cond, DEF_ORDER, &[&q], &f, limit)?;
    if let Some((c, n)) = split_qualified(q) {
        // `a.B.name` or `a::B::name`: the nearest container is found by name, then the chain
        // must end with the given scopes (either separator, ASCII case ignored).
        let want: Vec<&str> = c.split("::").flat_map(|p| p.split('.')).collect();
        let last = want.last().copied().unwrap_or(c);
        let found = run_query(
            conn,
            "s.name = ?1 AND s.scope IN (SELECT id FROM scopes WHERE name = ?2 COLLATE NOCASE)",
            DEF_ORDER,
            &[&n, &last],
            &f,
            limit.saturating_mul(4).max(100),
        )?;
        out.extend(found.into_iter().filter(|s| {
            s.symbol.container.as_ref().is_some_and(|have| {
                have.depth() as usize >= want.len()
                    && have
                        .chain()
                        .zip(want.iter().rev())
                        .all(|(h, w)| h.name().eq_ignore_ascii_case(w))
            })
        }));
    }
    if out.is_empty() {
        out = run_query(
            conn,
            "s.name = ?1 COLLATE NOCASE",
            DEF_ORDER,
            &[&q],
            &f,
            limit,
        )?;
    }
    out.truncate(limit);
    Ok(out)
}

/// Ranked search: exact, then prefix, then fuzzy (word prefixes via FTS5, then subsequence).
pub fn search_conn(conn: &Connection, q: &str, opts: &SearchOptions) -> rusqlite::Result<Vec<Hit>> {
    let limit = if opts.limit == 0 { 20 } else { opts.limit };
    let f = Filter {
        kind: opts.kind.as_deref(),
        lang: opts.lang.as_deref(),
    };
    let mut seen: HashSet<i64> = HashSet::new();
    let mut hits: Vec<Hit> = Vec::new();
    let mut push = |hits: &mut Vec<Hit>, rank: Rank, list: Vec<StoredSymbol>| {
        for s in list {
            if hits.len() >= limit {
                break;
            }
            if seen.insert(s.id) {
                hits.push(Hit { rank, symbol: s });
            }
        }
    };
    push(
        &mut hits,
        Rank::Exact,
        exact_matches(conn, q, f.kind, f.lang, limit)?,
    );
    if hits.len() < limit {
        let hi = format!("{q}\u{10FFFF}");
        let list = run_query(
            conn,
            "s.name >= ?1 COLLATE NOCASE AND s.name < ?2 COLLATE NOCASE",
            &format!("length(s.name), {DEF_ORDER}"),
            &[&q, &hi],
            &f,
            limit * 2,
        )?;
        push(&mut hits, Rank::Prefix, list);
    }
    if hits.len() < limit {
        let words = split_words(q);
        let fts: Vec<String> = words
            .split_whitespace()
            .map(|w| format!("\"{}\"*", w.replace('"', "")))
            .collect();
        if !fts.is_empty() {
            let expr = format!("{{name words}} : {}", fts.join(" AND "));
            let list = run_query(
                conn,
                "s.id IN (SELECT rowid FROM symbols_fts WHERE symbols_fts MATCH ?1 ORDER BY bm25(symbols_fts) LIMIT 500)",
                &format!("length(s.name), {DEF_ORDER}"),
                &[&expr],
                &f,
                limit * 2,
            )?;
            push(&mut hits, Rank::Fuzzy, list);
        }
    }
    if hits.len() < limit && q.chars().count() >= 2 {
        // Subsequence match over distinct names, best (tightest) first.
        let ql: Vec<char> = q.to_lowercase().chars().collect();
        let mut stmt = conn.prepare_cached("SELECT DISTINCT name FROM symbols LIMIT 500000")?;
        let names = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut scored: Vec<(usize, String)> = Vec::new();
        for n in names {
            let n = n?;
            if let Some(span) = subsequence_span(&ql, &n) {
                scored.push((span * 4 + n.len(), n));
            }
        }
        scored.sort();
        for (_, name) in scored.into_iter().take(limit * 2) {
            if hits.len() >= limit {
                break;
            }
            let list = run_query(conn, "s.name = ?1", DEF_ORDER, &[&name], &f, limit)?;
            push(&mut hits, Rank::Fuzzy, list);
        }
    }
    Ok(hits)
}

/// Length of the shortest window of `name` holding `q` as a subsequence (case-insensitive).
fn subsequence_span(q: &[char], name: &str) -> Option<usize> {
    let n: Vec<char> = name.to_lowercase().chars().collect();
    let mut best: Option<usize> = None;
    for start in 0..n.len() {
        if n[start] != q[0] {
            continue;
        }
        let mut qi = 0;
        let mut i = start;
        while i < n.len() && qi < q.len() {
            if n[i] == q[qi] {
                qi += 1;
            }
            i += 1;
        }
        if qi == q.len() {
            let span = i - start;
            best = Some(best.map_or(span, |b: usize| b.min(span)));
        } else {
            break;
        }
    }
    best
}

pub fn search_symbols(state_root: &Path, q: &str, opts: &SearchOptions) -> Result<Vec<Hit>> {
    let conn = store::open_read(state_root)?;
    let db = store::db_path(state_root);
    search_conn(&conn, q, opts).map_err(sq(&db))
}

#[derive(Debug, Serialize)]
pub struct GetSymbol {
    pub query: String,
    pub exact: bool,
    pub symbols: Vec<StoredSymbol>,
}

/// Every exact match of `q` (name or `Container.name`), else the best ranked candidates.
pub fn get_symbol(state_root: &Path, q: &str) -> Result<GetSymbol> {
    let conn = store::open_read(state_root)?;
    let db = store::db_path(state_root);
    let exact = exact_matches(&conn, q, None, None, 100).map_err(sq(&db))?;
    if !exact.is_empty() {
        return Ok(GetSymbol {
            query: q.into(),
            exact: true,
            symbols: exact,
        });
    }
    let hits = search_conn(
        &conn,
        q,
        &SearchOptions {
            limit: 5,
            ..Default::default()
        },
    )
    .map_err(sq(&db))?;
    Ok(GetSymbol {
        query: q.into(),
        exact: false,
        symbols: hits.into_iter().map(|h| h.symbol).collect(),
    })
}

#[derive(Debug, Serialize)]
pub struct FileOutline {
    pub path: String,
    pub language: String,
    pub lines: u32,
    pub size: u64,
    pub hash: String,
    pub symbols: Vec<Symbol>,
    pub outline: Vec<OutlineItem>,
}

pub fn file_outline(root: &Path, state_root: &Path, given: &str) -> Result<FileOutline> {
    let rel = resolve_rel(root, given)?;
    let conn = store::open_read(state_root)?;
    let db = store::db_path(state_root);
    let e = sq(&db);
    let file: Option<(i64, String, u32, i64, String)> = conn
        .query_row(
            "SELECT id, language, lines, size, hash FROM files WHERE path = ?1",
            [&rel],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()
        .map_err(&e)?;
    let Some((id, language, lines, size, hash)) = file else {
        return Err(IndexError::BadInput(format!(
            "{rel}: not in the index (unsupported type, ignored, or added since the last build); run `wazir index refresh`"
        )));
    };
    let symbols = store::file_symbols(&conn, id).map_err(&e)?;
    let outline = store::file_outline_items(&conn, id).map_err(&e)?;
    Ok(FileOutline {
        path: rel,
        language,
        lines,
        size: size as u64,
        hash,
        symbols,
        outline,
    })
}
