//! Row writers: one file's symbols, outline and references replace whatever the index held
//! for it; deletes remove them again. Also the identifier splitter that feeds full-text search.

use rusqlite::{Connection, OptionalExtension, params};

use crate::extract::{Container, Extracted, ScopeIds, Symbol};

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

/// Rows a write added and a delete removed (negative), kept as running totals in `meta` so
/// no command counts millions of rows to report them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub symbols: i64,
    pub outlines: i64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.symbols += o.symbols;
        self.outlines += o.outlines;
    }
}

/// Inserts (or replaces) one file and everything extracted from it. Returns the change in
/// symbol and outline rows.
pub fn write_file(
    conn: &Connection,
    row: &FileRow,
    ex: &Extracted,
    now: i64,
) -> rusqlite::Result<Counts> {
    let existing: Option<i64> = conn
        .prepare_cached("SELECT id FROM files WHERE path = ?1")?
        .query_row([row.path], |r| r.get(0))
        .optional()?;
    let mut counts = Counts {
        symbols: ex.symbols.len() as i64,
        outlines: ex.outline.len() as i64,
    };
    let id = match existing {
        Some(id) => {
            counts += delete_file_rows(conn, id)?;
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
    let mut scopes = Scopes::new(conn, id)?;
    let mut ins = conn.prepare_cached(
        "INSERT INTO symbols(file_id, kind, name, scope, signature, start_line, end_line, name_line, doc, words)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    )?;
    for s in &ex.symbols {
        let scope = match &s.container {
            Some(c) => Some(scopes.id_of(c)?),
            None => None,
        };
        insert_symbol(&mut ins, id, s, scope)?;
    }
    let mut ins_o = conn.prepare_cached(
        "INSERT INTO outlines(file_id, kind, name, depth, line, end_line) VALUES (?1,?2,?3,?4,?5,?6)",
    )?;
    for o in &ex.outline {
        ins_o.execute(params![id, o.kind, o.name, o.depth, o.line, o.end_line])?;
    }
    if !ex.imports.is_empty() || !ex.idents.is_empty() {
        conn.prepare_cached("INSERT INTO file_refs(file_id, imports, idents) VALUES (?1,?2,?3)")?
            .execute(params![id, ex.imports.join("\n"), ex.idents])?;
    }
    Ok(counts)
}

/// Writes a file's scopes once each: a scope row holds its name and its parent's row, so a
/// symbol's container costs one reference however deep it is.
struct Scopes<'c, 'x> {
    ins: rusqlite::CachedStatement<'c>,
    file_id: i64,
    ids: ScopeIds<'x>,
}

impl<'c, 'x> Scopes<'c, 'x> {
    fn new(conn: &'c Connection, file_id: i64) -> rusqlite::Result<Self> {
        Ok(Scopes {
            ins: conn
                .prepare_cached("INSERT INTO scopes(file_id, parent, name) VALUES (?1,?2,?3)")?,
            file_id,
            ids: ScopeIds::default(),
        })
    }

    /// The row of `c`, writing it and any of its enclosing scopes not written yet.
    fn id_of(&mut self, c: &'x Container) -> rusqlite::Result<i64> {
        let (ins, file_id) = (&mut self.ins, self.file_id);
        self.ids
            .id_of(c, |parent, name| ins.insert(params![file_id, parent, name]))
    }
}

fn insert_symbol(
    ins: &mut rusqlite::CachedStatement,
    file_id: i64,
    s: &Symbol,
    scope: Option<i64>,
) -> rusqlite::Result<()> {
    // Full-text search sees the name and the nearest container only: the whole chain would
    // make the index grow with the square of the nesting depth.
    let mut words = split_words(&s.name);
    if let Some(c) = &s.container {
        words.push(' ');
        words.push_str(&split_words(c.name()));
    }
    ins.execute(params![
        file_id,
        s.kind,
        s.name,
        scope,
        s.signature,
        s.start_line,
        s.end_line,
        s.name_line,
        s.doc,
        words
    ])?;
    Ok(())
}

/// Removes a file's symbols, outline and references (the file row itself stays). Returns the
/// rows removed, negative.
pub fn delete_file_rows(conn: &Connection, file_id: i64) -> rusqlite::Result<Counts> {
    let symbols = conn
        .prepare_cached("DELETE FROM symbols WHERE file_id = ?1")?
        .execute([file_id])?;
    let outlines = conn
        .prepare_cached("DELETE FROM outlines WHERE file_id = ?1")?
        .execute([file_id])?;
    conn.prepare_cached("DELETE FROM scopes WHERE file_id = ?1")?
        .execute([file_id])?;
    conn.prepare_cached("DELETE FROM file_refs WHERE file_id = ?1")?
        .execute([file_id])?;
    Ok(Counts {
        symbols: -(symbols as i64),
        outlines: -(outlines as i64),
    })
}

/// Removes a file and everything about it, summaries included. Returns the rows removed.
pub fn delete_file(conn: &Connection, file_id: i64, path: &str) -> rusqlite::Result<Counts> {
    let counts = delete_file_rows(conn, file_id)?;
    conn.prepare_cached("DELETE FROM summaries WHERE path = ?1")?
        .execute([path])?;
    conn.prepare_cached("DELETE FROM files WHERE id = ?1")?
        .execute([file_id])?;
    Ok(counts)
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
