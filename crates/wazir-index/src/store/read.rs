//! Row readers: the one symbol SELECT and its row mapping (search, get-symbol, recall, outline,
//! summaries), with containers rebuilt from the scope rows, and a file's outline entries.

use std::collections::HashMap;

use rusqlite::{CachedStatement, Connection, OptionalExtension, ToSql, params};
use serde::Serialize;

use crate::extract::{Container, OutlineItem, Symbol};
use crate::lang::Lang;

/// A symbol as stored, with the file it belongs to.
#[derive(Debug, Clone, Serialize)]
pub struct StoredSymbol {
    pub id: i64,
    pub path: String,
    pub language: String,
    /// The row of the symbol's nearest container: equal rows mean equal containers in a file.
    #[serde(skip)]
    pub scope: Option<i64>,
    #[serde(flatten)]
    pub symbol: Symbol,
}

/// The symbol columns every reader selects, `s` being `symbols` and `f` its file.
const SYMBOL_COLS: &str = "s.id, f.path, f.language, s.kind, s.name, s.scope, s.signature, s.start_line, s.end_line, s.name_line, s.doc";

/// Containers met so far, by scope row.
#[derive(Default)]
struct ScopeCache {
    known: HashMap<i64, Container>,
}

impl ScopeCache {
    /// Loads every scope of a file at once (parents are written before their children).
    fn load_file(
        &mut self,
        conn: &Connection,
        file_id: i64,
        sep: &'static str,
    ) -> rusqlite::Result<()> {
        let mut stmt = conn
            .prepare_cached("SELECT id, parent, name FROM scopes WHERE file_id = ?1 ORDER BY id")?;
        let mut rows = stmt.query(params![file_id])?;
        while let Some(r) = rows.next()? {
            let (id, parent, name): (i64, Option<i64>, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let c = match parent.and_then(|p| self.known.get(&p)) {
                Some(p) => p.child(name),
                None => Container::root(name, sep),
            };
            self.known.insert(id, c);
        }
        Ok(())
    }

    /// The container of scope row `id`, reading its chain up to the first scope already known.
    fn get(
        &mut self,
        conn: &Connection,
        id: i64,
        sep: &'static str,
    ) -> rusqlite::Result<Container> {
        if let Some(c) = self.known.get(&id) {
            return Ok(c.clone());
        }
        let mut stmt = conn.prepare_cached("SELECT parent, name FROM scopes WHERE id = ?1")?;
        let mut todo: Vec<(i64, String)> = Vec::new();
        let mut cur = Some(id);
        let mut base: Option<Container> = None;
        while let Some(at) = cur {
            if let Some(c) = self.known.get(&at) {
                base = Some(c.clone());
                break;
            }
            let row: Option<(Option<i64>, String)> = stmt
                .query_row(params![at], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((parent, name)) = row else { break };
            todo.push((at, name));
            cur = parent;
        }
        for (at, name) in todo.into_iter().rev() {
            let c = match &base {
                Some(p) => p.child(name),
                None => Container::root(name, sep),
            };
            self.known.insert(at, c.clone());
            base = Some(c);
        }
        Ok(base.unwrap_or_else(|| Container::root("", sep)))
    }
}

fn sep_of(language: &str) -> &'static str {
    Lang::from_name(language).map_or(".", Lang::container_sep)
}

fn collect(
    conn: &Connection,
    mut stmt: CachedStatement,
    cache: &mut ScopeCache,
) -> rusqlite::Result<Vec<StoredSymbol>> {
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let language: String = r.get(2)?;
        let scope: Option<i64> = r.get(5)?;
        let container = match scope {
            Some(id) => Some(cache.get(conn, id, sep_of(&language))?),
            None => None,
        };
        out.push(StoredSymbol {
            id: r.get(0)?,
            path: r.get(1)?,
            language,
            scope,
            symbol: Symbol {
                kind: r.get(3)?,
                name: r.get(4)?,
                container,
                signature: r.get(6)?,
                start_line: r.get(7)?,
                end_line: r.get(8)?,
                name_line: r.get(9)?,
                doc: r.get(10)?,
            },
        });
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
    collect(conn, stmt, &mut ScopeCache::default())
}

/// A file's symbols in source order.
pub fn file_symbols(conn: &Connection, file_id: i64) -> rusqlite::Result<Vec<Symbol>> {
    let language: String = conn
        .prepare_cached("SELECT language FROM files WHERE id = ?1")?
        .query_row(params![file_id], |r| r.get(0))?;
    let mut cache = ScopeCache::default();
    cache.load_file(conn, file_id, sep_of(&language))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SYMBOL_COLS} FROM symbols s JOIN files f ON f.id = s.file_id
         WHERE s.file_id = ?1 ORDER BY s.start_line, s.id"
    ))?;
    stmt.raw_bind_parameter(1, file_id)?;
    Ok(collect(conn, stmt, &mut cache)?
        .into_iter()
        .map(|s| s.symbol)
        .collect())
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
