//! The SQLite store under `<state-root>/index/index.sqlite`: schema, versioning, opening
//! read-only (recall) or read-write (build, refresh, summarize), and row writers.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::error::IndexError;
use crate::extract::{Extracted, Symbol};

/// Bumped whenever the tables change; an index of another version is rebuilt by `build`/`refresh`.
pub const SCHEMA_VERSION: i64 = 1;

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
CREATE TABLE IF NOT EXISTS symbols(
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  container TEXT,
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

/// Secondary indexes, the FTS5 table and its triggers; created after a bulk load.
pub const INDEXES: &str = r#"
CREATE INDEX IF NOT EXISTS symbols_file ON symbols(file_id);
CREATE INDEX IF NOT EXISTS symbols_name ON symbols(name);
CREATE INDEX IF NOT EXISTS symbols_name_nocase ON symbols(name COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS outlines_file ON outlines(file_id);
CREATE VIRTUAL TABLE IF NOT EXISTS symbols_fts USING fts5(
  name, words, signature, content='symbols', content_rowid='id'
);
CREATE TRIGGER IF NOT EXISTS symbols_ai AFTER INSERT ON symbols BEGIN
  INSERT INTO symbols_fts(rowid, name, words, signature) VALUES (new.id, new.name, new.words, new.signature);
END;
CREATE TRIGGER IF NOT EXISTS symbols_ad AFTER DELETE ON symbols BEGIN
  INSERT INTO symbols_fts(symbols_fts, rowid, name, words, signature)
  VALUES ('delete', old.id, old.name, old.words, old.signature);
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

fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> IndexError + '_ {
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
    if !path.exists() {
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

/// Splits an identifier into lower-case words: `parseHTTPHeader_v2` → `parse http header v2`.
pub fn split_words(name: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let chars: Vec<char> = name.chars().collect();
    let mut cur = String::new();
    for i in 0..chars.len() {
        let c = chars[i];
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.join(" ")
}

pub struct FileRow<'a> {
    pub path: &'a str,
    pub language: &'a str,
    pub size: u64,
    pub hash: &'a str,
    pub mtime_ns: i64,
}

/// Inserts (or replaces) one file and everything extracted from it. Returns the file id.
pub fn write_file(
    conn: &Connection,
    row: &FileRow,
    ex: &Extracted,
    now: i64,
) -> rusqlite::Result<i64> {
    let existing: Option<i64> = conn
        .prepare_cached("SELECT id FROM files WHERE path = ?1")?
        .query_row([row.path], |r| r.get(0))
        .optional()?;
    let id = match existing {
        Some(id) => {
            delete_file_rows(conn, id)?;
            conn.prepare_cached(
                "UPDATE files SET language=?2, size=?3, hash=?4, mtime_ns=?5, lines=?6, indexed_at=?7 WHERE id=?1",
            )?
            .execute(params![id, row.language, row.size as i64, row.hash, row.mtime_ns, ex.lines, now])?;
            id
        }
        None => {
            conn.prepare_cached(
                "INSERT INTO files(path, language, size, hash, mtime_ns, lines, indexed_at) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            )?
            .execute(params![row.path, row.language, row.size as i64, row.hash, row.mtime_ns, ex.lines, now])?;
            conn.last_insert_rowid()
        }
    };
    let mut ins = conn.prepare_cached(
        "INSERT INTO symbols(file_id, kind, name, container, signature, start_line, end_line, name_line, doc, words)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    )?;
    for s in &ex.symbols {
        insert_symbol(&mut ins, id, s)?;
    }
    let mut ins_o = conn.prepare_cached(
        "INSERT INTO outlines(file_id, kind, name, depth, line, end_line) VALUES (?1,?2,?3,?4,?5,?6)",
    )?;
    for o in &ex.outline {
        ins_o.execute(params![id, o.kind, o.name, o.depth, o.line, o.end_line])?;
    }
    if !ex.imports.is_empty() || !ex.idents.is_empty() {
        conn.prepare_cached("INSERT INTO file_refs(file_id, imports, idents) VALUES (?1,?2,?3)")?
            .execute(params![id, ex.imports.join("\n"), ex.idents.join(" ")])?;
    }
    Ok(id)
}

fn insert_symbol(
    ins: &mut rusqlite::CachedStatement,
    file_id: i64,
    s: &Symbol,
) -> rusqlite::Result<()> {
    let mut words = split_words(&s.name);
    if let Some(c) = &s.container {
        words.push(' ');
        words.push_str(&split_words(c));
    }
    ins.execute(params![
        file_id,
        s.kind,
        s.name,
        s.container,
        s.signature,
        s.start_line,
        s.end_line,
        s.name_line,
        s.doc,
        words
    ])?;
    Ok(())
}

/// Removes a file's symbols, outline and references (the file row itself stays).
pub fn delete_file_rows(conn: &Connection, file_id: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM symbols WHERE file_id = ?1")?
        .execute([file_id])?;
    conn.prepare_cached("DELETE FROM outlines WHERE file_id = ?1")?
        .execute([file_id])?;
    conn.prepare_cached("DELETE FROM file_refs WHERE file_id = ?1")?
        .execute([file_id])?;
    Ok(())
}

/// Removes a file and everything about it, summaries included.
pub fn delete_file(conn: &Connection, file_id: i64, path: &str) -> rusqlite::Result<()> {
    delete_file_rows(conn, file_id)?;
    conn.prepare_cached("DELETE FROM summaries WHERE path = ?1")?
        .execute([path])?;
    conn.prepare_cached("DELETE FROM files WHERE id = ?1")?
        .execute([file_id])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_words;

    #[test]
    fn words_split_on_case_digits_and_underscores() {
        assert_eq!(split_words("parseHTTPHeader_v2"), "parse http header v2");
        assert_eq!(split_words("get_file_outline"), "get file outline");
        assert_eq!(split_words("XMLParser"), "xml parser");
    }
}
