//! The SQLite store under `<state-root>/index/index.sqlite`: schema, versioning, opening
//! read-only (recall) or read-write (build, refresh, summarize), and the row writers (`write`)
//! and readers (`read`) that go with the tables.

mod read;
mod write;

pub use read::{StoredSymbol, file_outline_items, file_symbols, symbols_where};
pub use write::{Counts, FileRow, delete_file, delete_file_rows, split_words, write_file};

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::error::IndexError;

/// Bumped whenever the tables change; an index of another version is rebuilt by `build`/`refresh`.
pub const SCHEMA_VERSION: i64 = 3;

pub const TABLES: &str = r#"
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files(
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  language TEXT NOT NULL,
  size INTEGER NOT NULL,
  hash TEXT NOT NULL,
  mtime_ns INTEGER NOT NULL,
  lines INTEGER NOT NULL,
  indexed_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS scopes(
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
  parent INTEGER REFERENCES scopes(id),
  name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS symbols(
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  scope INTEGER REFERENCES scopes(id),
  signature TEXT NOT NULL,
  start_line INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  name_line INTEGER NOT NULL,
  doc TEXT,
  words TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outlines(
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  depth INTEGER NOT NULL,
  line INTEGER NOT NULL,
  end_line INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS file_refs(
  file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
  imports TEXT NOT NULL,
  idents TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS summaries(
  path TEXT NOT NULL,
  symbol_key TEXT NOT NULL,
  tier TEXT NOT NULL,
  text TEXT NOT NULL,
  source_hash TEXT NOT NULL,
  generator TEXT NOT NULL,
  tokens INTEGER NOT NULL,
  source_tokens INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY(path, symbol_key, tier)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ingestion_runs(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  files_seen INTEGER NOT NULL,
  parsed INTEGER NOT NULL,
  unchanged INTEGER NOT NULL,
  removed INTEGER NOT NULL,
  skipped_binary INTEGER NOT NULL,
  skipped_large INTEGER NOT NULL,
  errors INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS retrieval_log(
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  command TEXT NOT NULL,
  query TEXT NOT NULL,
  tier TEXT NOT NULL,
  results INTEGER NOT NULL,
  returned_tokens INTEGER,
  source_tokens INTEGER
);
"#;

/// Secondary indexes, the FTS5 table and its triggers; created after a bulk load. Full-text
/// search holds the name and its words (with the nearest container's) only, and per column
/// (`detail=column`), not per position: searches are word prefixes within those columns, so
/// positions and signatures would only make the build slower and the file larger.
pub const INDEXES: &str = r#"
CREATE INDEX IF NOT EXISTS symbols_file ON symbols(file_id);
CREATE INDEX IF NOT EXISTS symbols_name ON symbols(name);
CREATE INDEX IF NOT EXISTS symbols_name_nocase ON symbols(name COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS outlines_file ON outlines(file_id);
CREATE INDEX IF NOT EXISTS scopes_file ON scopes(file_id);
CREATE INDEX IF NOT EXISTS scopes_name_nocase ON scopes(name COLLATE NOCASE);
CREATE VIRTUAL TABLE IF NOT EXISTS symbols_fts USING fts5(
  name, words, content='symbols', content_rowid='id', detail=column
);
CREATE TRIGGER IF NOT EXISTS symbols_ai AFTER INSERT ON symbols BEGIN
  INSERT INTO symbols_fts(rowid, name, words) VALUES (new.id, new.name, new.words);
END;
CREATE TRIGGER IF NOT EXISTS symbols_ad AFTER DELETE ON symbols BEGIN
  INSERT INTO symbols_fts(symbols_fts, rowid, name, words)
  VALUES ('delete', old.id, old.name, old.words);
END;
"#;

pub fn db_path(state_root: &Path) -> PathBuf {
    state_root.join("index").join("index.sqlite")
}

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub(crate) fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> IndexError + '_ {
    move |e| IndexError::Sqlite {
        path: path.to_path_buf(),
        err: e,
    }
}

/// Opens the index for reading only; fails with a clear message when it is missing or old.
pub fn open_read(state_root: &Path) -> Result<Connection, IndexError> {
    open_existing(state_root, OpenFlags::SQLITE_OPEN_READ_ONLY)
}

/// Opens the existing index read-write without changing its settings, for a recall that logs
/// what it served; fails when the file is missing, read-only or of another schema.
pub fn open_existing_rw(state_root: &Path) -> Result<Connection, IndexError> {
    open_existing(state_root, OpenFlags::SQLITE_OPEN_READ_WRITE)
}

fn open_existing(state_root: &Path, mode: OpenFlags) -> Result<Connection, IndexError> {
    let path = db_path(state_root);
    if path.is_dir() {
        return Err(IndexError::NotAFile { path });
    }
    if !path.exists() {
        if path.parent().is_some_and(crate::busy::building) {
            let log = path.with_file_name(crate::busy::LOG_FILE);
            return Err(IndexError::Building { log });
        }
        return Err(IndexError::Missing { path });
    }
    let conn = Connection::open_with_flags(&path, mode | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(sql_err(&path))?;
    conn.busy_timeout(std::time::Duration::from_millis(2000))
        .map_err(sql_err(&path))?;
    check_version(&conn, &path)?;
    Ok(conn)
}

fn check_version(conn: &Connection, path: &Path) -> Result<(), IndexError> {
    let v = schema_version(conn);
    if v != Some(SCHEMA_VERSION) {
        return Err(IndexError::Version {
            path: path.to_path_buf(),
            found: v,
            expected: SCHEMA_VERSION,
        });
    }
    Ok(())
}

pub fn schema_version(conn: &Connection) -> Option<i64> {
    conn.query_row(
        "SELECT value FROM meta WHERE key = 'schema_version'",
        [],
        |r| r.get::<_, String>(0),
    )
    .optional()
    .ok()
    .flatten()
    .and_then(|v| v.parse().ok())
}

/// Opens the existing index read-write in WAL mode. Returns `None` when there is none or its
/// schema version differs (the caller then builds from scratch).
pub fn open_write(state_root: &Path) -> Result<Option<Connection>, IndexError> {
    let conn = match open_existing_rw(state_root) {
        Ok(c) => c,
        Err(IndexError::Missing { .. } | IndexError::Version { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let path = db_path(state_root);
    conn.busy_timeout(std::time::Duration::from_millis(5000))
        .map_err(sql_err(&path))?;
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    )
    .map_err(sql_err(&path))?;
    Ok(Some(conn))
}

/// Creates a fresh database at `path` for a bulk load (no journal until `finish_bulk`).
pub fn create_bulk(path: &Path) -> Result<Connection, IndexError> {
    if path.exists() {
        std::fs::remove_file(path).map_err(|e| IndexError::Io {
            path: path.to_path_buf(),
            err: e,
        })?;
    }
    let conn = Connection::open(path).map_err(sql_err(path))?;
    conn.execute_batch(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536;",
    )
    .map_err(sql_err(path))?;
    conn.execute_batch(TABLES).map_err(sql_err(path))?;
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('schema_version', ?1), ('created_at', ?2)",
        params![SCHEMA_VERSION.to_string(), now_secs().to_string()],
    )
    .map_err(sql_err(path))?;
    Ok(conn)
}

/// Adds `delta` to the symbol and outline totals kept in `meta` and returns the new totals.
pub fn add_counts(conn: &Connection, delta: Counts) -> rusqlite::Result<Counts> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + ?2
         RETURNING CAST(value AS INTEGER)",
    )?;
    let mut add = |key: &str, n: i64| stmt.query_row(params![key, n], |r| r.get::<_, i64>(0));
    Ok(Counts {
        symbols: add("symbols", delta.symbols)?,
        outlines: add("outline_items", delta.outlines)?,
    })
}

/// Adds indexes, fills the FTS table and switches the database to WAL.
pub fn finish_bulk(conn: &Connection, path: &Path) -> Result<(), IndexError> {
    // Triggers must not fire for rows already loaded: create the FTS table, rebuild it from the
    // content table, and only then install the triggers (they are in INDEXES, created together).
    conn.execute_batch(INDEXES).map_err(sql_err(path))?;
    // A 64 MiB term hash (default 1 MiB) lets the rebuild write a few large segments instead
    // of merging many small ones: about a sixth less time on 470,000 symbols.
    conn.execute_batch(
        "INSERT INTO symbols_fts(symbols_fts, rank) VALUES ('hashsize', 67108864);
         INSERT INTO symbols_fts(symbols_fts) VALUES ('rebuild');
         INSERT INTO symbols_fts(symbols_fts, rank) VALUES ('hashsize', 1048576);",
    )
    .map_err(sql_err(path))?;
    conn.execute_batch("PRAGMA journal_mode=WAL;")
        .map_err(sql_err(path))?;
    Ok(())
}
