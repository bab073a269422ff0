//! Row readers: the one symbol SELECT and its row mapping (search, get-symbol, recall), a
//! file's symbols in order (outline, summaries) and a file's outline entries.

use rusqlite::{CachedStatement, Connection, ToSql, params};
use serde::Serialize;

use crate::extract::{OutlineItem, Symbol};

/// A symbol as stored, with the file it belongs to.
#[derive(Debug, Clone, Serialize)]
pub struct StoredSymbol {
    pub id: i64,
    pub path: String,
    pub language: String,
    #[serde(flatten)]
    pub symbol: Symbol,
}

/// The symbol columns every reader selects, `s` being `symbols` and `f` its file.
const SYMBOL_COLS: &str = "s.id, f.path, f.language, s.kind, s.name, s.container, s.signature, s.start_line, s.end_line, s.name_line, s.doc";

fn stored_symbol(r: &rusqlite::Row) -> rusqlite::Result<StoredSymbol> {
    Ok(StoredSymbol {
        id: r.get(0)?,
        path: r.get(1)?,
        language: r.get(2)?,
        symbol: Symbol {
            kind: r.get(3)?,
            name: r.get(4)?,
            container: r.get(5)?,
            signature: r.get(6)?,
            start_line: r.get(7)?,
            end_line: r.get(8)?,
            name_line: r.get(9)?,
            doc: r.get(10)?,
        },
    })
}

fn collect(mut stmt: CachedStatement) -> rusqlite::Result<Vec<StoredSymbol>> {
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(stored_symbol(r)?);
    }
    Ok(out)
}

/// Symbols matching `cond` (over `s` and `f`, numbered parameters `?1`.. from `args`), of the
/// given kind and language when set, in `order`, at most `limit`.
pub fn symbols_where(
    conn: &Connection,
    cond: &str,
    order: &str,
    args: &[&dyn ToSql],
    kind: Option<&str>,
    lang: Option<&str>,
    limit: usize,
) -> rusqlite::Result<Vec<StoredSymbol>> {
    let sql = format!(
        "SELECT {SYMBOL_COLS} FROM symbols s JOIN files f ON f.id = s.file_id
         WHERE ({cond}) AND (?90 IS NULL OR s.kind = ?90) AND (?91 IS NULL OR f.language = ?91)
         ORDER BY {order} LIMIT {limit}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    for (i, a) in args.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, *a)?;
    }
    stmt.raw_bind_parameter(90, kind)?;
    stmt.raw_bind_parameter(91, lang)?;
    collect(stmt)
}

/// A file's symbols in source order.
pub fn file_symbols(conn: &Connection, file_id: i64) -> rusqlite::Result<Vec<Symbol>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SYMBOL_COLS} FROM symbols s JOIN files f ON f.id = s.file_id
         WHERE s.file_id = ?1 ORDER BY s.start_line, s.id"
    ))?;
    stmt.raw_bind_parameter(1, file_id)?;
    Ok(collect(stmt)?.into_iter().map(|s| s.symbol).collect())
}

/// A file's outline entries (data keys, headings) in line order.
pub fn file_outline_items(conn: &Connection, file_id: i64) -> rusqlite::Result<Vec<OutlineItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, name, depth, line, end_line FROM outlines WHERE file_id = ?1 ORDER BY line, id",
    )?;
    let rows = stmt.query_map(params![file_id], |r| {
        Ok(OutlineItem {
            kind: r.get(0)?,
            name: r.get(1)?,
            depth: r.get(2)?,
            line: r.get(3)?,
            end_line: r.get(4)?,
        })
    })?;
    rows.collect()
}
