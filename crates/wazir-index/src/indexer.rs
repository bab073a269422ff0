//! `index build` and `index refresh`: walk, read, hash, extract in parallel (rayon), write in
//! one transaction. Refresh re-reads only files whose size or mtime moved and re-parses only
//! those whose content hash changed; files gone from the tree are dropped.

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

use rayon::prelude::*;
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::error::{IndexError, Result};
use crate::extract::{Extracted, extract};
use crate::store::{self, FileRow};
use crate::walk::{self, Candidate, looks_binary};

/// Default size limit per file (the kit manifest's `index.max_file_bytes`).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 2_000_000;

/// Where the project and its state live, and how to index it.
#[derive(Debug, Clone)]
pub struct IndexConfig {
    pub root: PathBuf,
    pub state_root: PathBuf,
    pub max_file_bytes: u64,
    /// Show progress: a bar when stderr is a terminal, else a line every few seconds.
    pub progress: bool,
}

impl IndexConfig {
    pub fn new(root: impl Into<PathBuf>, state_root: impl Into<PathBuf>) -> Self {
        let root: PathBuf = root.into();
        let root = root.canonicalize().unwrap_or(root);
        Self {
            root,
            state_root: state_root.into(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            progress: false,
        }
    }

    pub fn db_path(&self) -> PathBuf {
        store::db_path(&self.state_root)
    }
}

/// What a build or refresh did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct IngestReport {
    pub kind: String,
    pub root: String,
    pub database: String,
    pub files_seen: u64,
    pub parsed: u64,
    pub unchanged: u64,
    pub removed: u64,
    pub skipped_binary: u64,
    pub skipped_large: u64,
    pub errors: u64,
    pub symbols: u64,
    pub outline_items: u64,
    pub languages: BTreeMap<String, u64>,
    pub duration_ms: u64,
}

impl IngestReport {
    /// A report for a `kind` run over what the walk found, before anything is parsed.
    fn start(kind: &str, cfg: &IndexConfig, db: &Path, walked: &walk::WalkResult) -> Self {
        IngestReport {
            kind: kind.into(),
            root: cfg.root.display().to_string(),
            database: db.display().to_string(),
            files_seen: walked.candidates.len() as u64 + walked.skipped_large,
            skipped_large: walked.skipped_large,
            errors: walked.walk_errors,
            ..Default::default()
        }
    }

    /// The one-line summary printed when no terminal is attached.
    pub fn one_line(&self) -> String {
        format!(
            "index {}: {} files seen, {} parsed, {} unchanged, {} removed, {} symbols, {} outline items; skipped {} binary, {} too large, {} unreadable; {} ms",
            self.kind,
            self.files_seen,
            self.parsed,
            self.unchanged,
            self.removed,
            self.symbols,
            self.outline_items,
            self.skipped_binary,
            self.skipped_large,
            self.errors,
            self.duration_ms
        )
    }
}

enum Outcome {
    Parsed {
        cand: Candidate,
        hash: String,
        ex: Extracted,
    },
    Binary(String),
    Unreadable(String),
}

fn process(cand: Candidate) -> Outcome {
    let bytes = match std::fs::read(&cand.abs) {
        Ok(b) => b,
        Err(_) => return Outcome::Unreadable(cand.rel),
    };
    if looks_binary(&bytes) {
        return Outcome::Binary(cand.rel);
    }
    let hash = wazir_core::digest::blake3_hex(&bytes);
    let text = String::from_utf8_lossy(&bytes);
    let ex = extract(cand.lang, &text);
    Outcome::Parsed { cand, hash, ex }
}

/// Progress while files are parsed: a bar on a terminal; elsewhere (the log of the build `init`
/// starts in the background, CI) a line on stderr every few seconds once a build is slow.
enum Progress {
    Bar(indicatif::ProgressBar),
    Lines {
        total: u64,
        done: u64,
        start: Instant,
        last: Instant,
    },
    Off,
}

/// Seconds between two progress lines when stderr is not a terminal.
const PROGRESS_LINE_SECS: u64 = 5;

impl Progress {
    fn new(cfg: &IndexConfig, total: u64) -> Progress {
        if !cfg.progress {
            return Progress::Off;
        }
        if !std::io::stderr().is_terminal() {
            let now = Instant::now();
            return Progress::Lines {
                total,
                done: 0,
                start: now,
                last: now,
            };
        }
        let bar = indicatif::ProgressBar::new(total);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}")
        {
            bar.set_style(style);
        }
        Progress::Bar(bar)
    }

    fn inc(&mut self) {
        match self {
            Progress::Bar(b) => b.inc(1),
            Progress::Lines {
                total,
                done,
                start,
                last,
            } => {
                *done += 1;
                if last.elapsed().as_secs() >= PROGRESS_LINE_SECS {
                    *last = Instant::now();
                    eprintln!(
                        "indexing: {done}/{total} files parsed, {} s",
                        start.elapsed().as_secs()
                    );
                }
            }
            Progress::Off => {}
        }
    }

    fn finish(self) {
        match self {
            Progress::Bar(b) => b.finish_and_clear(),
            Progress::Lines { done, start, .. }
                if start.elapsed().as_secs() >= PROGRESS_LINE_SECS =>
            {
                eprintln!(
                    "indexing: {done} files parsed in {} s; writing the search indexes",
                    start.elapsed().as_secs()
                )
            }
            _ => {}
        }
    }
}

fn ensure_dir(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).map_err(|e| IndexError::Io {
        path: path.to_path_buf(),
        err: e,
    })
}

/// Parses `cands` in parallel and hands each outcome to `sink` on the calling thread, so the
/// SQLite writer runs while the pool parses.
fn parse_all(
    cands: Vec<Candidate>,
    progress: &mut Progress,
    mut sink: impl FnMut(Outcome) -> Result<()>,
) -> Result<()> {
    let (tx, rx) = mpsc::sync_channel::<Outcome>(256);
    std::thread::scope(|s| {
        s.spawn(move || {
            cands.into_par_iter().for_each_with(tx, |tx, c| {
                let _ = tx.send(process(c));
            });
        });
        let mut first_err: Option<IndexError> = None;
        for outcome in rx {
            progress.inc();
            if first_err.is_none()
                && let Err(e) = sink(outcome)
            {
                first_err = Some(e);
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    })
}

fn sqlite(path: &Path) -> impl Fn(rusqlite::Error) -> IndexError + '_ {
    move |e| IndexError::Sqlite {
        path: path.to_path_buf(),
        err: e,
    }
}

fn record_run(conn: &Connection, r: &IngestReport, started: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO ingestion_runs(kind, started_at, duration_ms, files_seen, parsed, unchanged, removed, skipped_binary, skipped_large, errors)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
        params![
            r.kind,
            started,
            r.duration_ms as i64,
            r.files_seen as i64,
            r.parsed as i64,
            r.unchanged as i64,
            r.removed as i64,
            r.skipped_binary as i64,
            r.skipped_large as i64,
            r.errors as i64
        ],
    )?;
    Ok(())
}

/// Fills the report's totals: symbols and outline items from the running totals in `meta`
/// (after adding `delta`), files per language from the files table.
fn tally(
    conn: &Connection,
    report: &mut IngestReport,
    delta: store::Counts,
) -> rusqlite::Result<()> {
    let totals = store::add_counts(conn, delta)?;
    report.symbols = totals.symbols as u64;
    report.outline_items = totals.outlines as u64;
    let mut stmt =
        conn.prepare("SELECT language, count(*) FROM files GROUP BY language ORDER BY language")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (l, n) = row?;
        report.languages.insert(l, n as u64);
    }
    Ok(())
}

/// Builds the index from scratch into a new database file, then moves it into place.
pub fn build(cfg: &IndexConfig) -> Result<IngestReport> {
    build_walked(
        cfg,
        walk::walk(&cfg.root, Some(&cfg.state_root), cfg.max_file_bytes),
    )
}

/// [`build`] over the files of a walk the caller already made (`wazir init` walks first to
/// choose between building now and in the background).
pub fn build_walked(cfg: &IndexConfig, walked: walk::WalkResult) -> Result<IngestReport> {
    let t0 = Instant::now();
    let started = store::now_secs();
    let final_path = cfg.db_path();
    let dir = final_path
        .parent()
        .expect("db path has a parent")
        .to_path_buf();
    ensure_dir(&dir)?;
    if final_path.is_dir() {
        return Err(IndexError::NotAFile { path: final_path });
    }
    let _lock = crate::busy::lock(&dir)?;
    let tmp_path = dir.join(format!(
        "{}{}",
        crate::busy::TEMP_PREFIX,
        std::process::id()
    ));
    let mut report = IngestReport::start("build", cfg, &final_path, &walked);
    let conn = store::create_bulk(&tmp_path)?;
    let mut progress = Progress::new(cfg, walked.candidates.len() as u64);
    let now = started;
    let mut delta = store::Counts::default();
    conn.execute_batch("BEGIN").map_err(sqlite(&tmp_path))?;
    parse_all(walked.candidates, &mut progress, |o| {
        match o {
            Outcome::Parsed { cand, hash, ex } => {
                let row = FileRow {
                    path: &cand.rel,
                    language: cand.lang.name(),
                    size: cand.size,
                    hash: &hash,
                    mtime_ns: cand.mtime_ns,
                };
                delta += store::write_file(&conn, &row, &ex, now).map_err(sqlite(&tmp_path))?;
                report.parsed += 1;
            }
            Outcome::Binary(_) => report.skipped_binary += 1,
            Outcome::Unreadable(_) => report.errors += 1,
        }
        Ok(())
    })?;
    progress.finish();
    report.duration_ms = t0.elapsed().as_millis() as u64;
    record_run(&conn, &report, started).map_err(sqlite(&tmp_path))?;
    tally(&conn, &mut report, delta).map_err(sqlite(&tmp_path))?;
    conn.execute_batch("COMMIT").map_err(sqlite(&tmp_path))?;
    store::finish_bulk(&conn, &tmp_path)?;
    drop(conn);
    // Move the new database over the old one; stale WAL files of the old one must go first.
    for ext in ["-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{ext}", final_path.display()));
        if p.exists() {
            let _ = std::fs::remove_file(&p);
        }
    }
    std::fs::rename(&tmp_path, &final_path).map_err(|e| IndexError::Io {
        path: final_path.clone(),
        err: e,
    })?;
    report.duration_ms = t0.elapsed().as_millis() as u64;
    Ok(report)
}

/// Path -> (id, size, mtime) of every file the index holds.
fn known_files(conn: &Connection) -> rusqlite::Result<HashMap<String, (i64, i64, i64)>> {
    let mut stmt = conn.prepare("SELECT id, path, size, mtime_ns FROM files")?;
    let rows = stmt.query_map([], |r| Ok((r.get(1)?, (r.get(0)?, r.get(2)?, r.get(3)?))))?;
    rows.collect()
}

/// Brings the index up to date with the tree; builds it when there is none (or it is of an
/// older schema).
pub fn refresh(cfg: &IndexConfig) -> Result<IngestReport> {
    let Some(conn) = store::open_write(&cfg.state_root)? else {
        let mut r = build(cfg)?;
        r.kind = "refresh (full build)".into();
        return Ok(r);
    };
    let t0 = Instant::now();
    let started = store::now_secs();
    let db = cfg.db_path();
    // The walk runs while the index's file list is read.
    let (walked, known) = std::thread::scope(|s| {
        let walking = s.spawn(|| walk::walk(&cfg.root, Some(&cfg.state_root), cfg.max_file_bytes));
        let known = known_files(&conn).map_err(sqlite(&db));
        (walking.join().expect("the walk does not panic"), known)
    });
    // What the index holds; left with the files gone from the tree.
    let mut known = known?;
    let mut report = IngestReport::start("refresh", cfg, &db, &walked);
    // Files whose size and mtime match are not read at all; the others are read, and re-parsed
    // only when their content hash moved.
    let mut to_read = Vec::new();
    let mut touched: HashMap<String, i64> = HashMap::new();
    for c in walked.candidates {
        match known.remove(&c.rel) {
            Some((_, size, mtime)) if size == c.size as i64 && mtime == c.mtime_ns => {
                report.unchanged += 1
            }
            Some((id, ..)) => {
                touched.insert(c.rel.clone(), id);
                to_read.push(c);
            }
            None => to_read.push(c),
        }
    }
    let mut progress = Progress::new(cfg, to_read.len() as u64);
    let now = started;
    let mut delta = store::Counts::default();
    conn.execute_batch("BEGIN IMMEDIATE").map_err(sqlite(&db))?;
    for (path, (id, ..)) in &known {
        delta += store::delete_file(&conn, *id, path).map_err(sqlite(&db))?;
        report.removed += 1;
    }
    parse_all(to_read, &mut progress, |o| {
        match o {
            Outcome::Parsed { cand, hash, ex } => {
                if let Some(id) = touched.get(&cand.rel) {
                    let old: String = conn
                        .prepare_cached("SELECT hash FROM files WHERE id = ?1")
                        .and_then(|mut s| s.query_row([id], |r| r.get(0)))
                        .map_err(sqlite(&db))?;
                    if old == hash {
                        // Touched but not changed: remember the new size and mtime only.
                        conn.prepare_cached("UPDATE files SET size=?2, mtime_ns=?3 WHERE id=?1")
                            .and_then(|mut s| {
                                s.execute(params![id, cand.size as i64, cand.mtime_ns])
                            })
                            .map_err(sqlite(&db))?;
                        report.unchanged += 1;
                        return Ok(());
                    }
                }
                let row = FileRow {
                    path: &cand.rel,
                    language: cand.lang.name(),
                    size: cand.size,
                    hash: &hash,
                    mtime_ns: cand.mtime_ns,
                };
                delta += store::write_file(&conn, &row, &ex, now).map_err(sqlite(&db))?;
                report.parsed += 1;
            }
            Outcome::Binary(rel) | Outcome::Unreadable(rel) => {
                // No longer indexable: counted, and dropped if it was known.
                if let Some(id) = touched.get(&rel) {
                    delta += store::delete_file(&conn, *id, &rel).map_err(sqlite(&db))?;
                    report.removed += 1;
                }
                if std::fs::metadata(cfg.root.join(&rel)).is_ok() {
                    report.skipped_binary += 1;
                } else {
                    report.errors += 1;
                }
            }
        }
        Ok(())
    })?;
    progress.finish();
    report.duration_ms = t0.elapsed().as_millis() as u64;
    record_run(&conn, &report, started).map_err(sqlite(&db))?;
    tally(&conn, &mut report, delta).map_err(sqlite(&db))?;
    conn.execute_batch("COMMIT").map_err(sqlite(&db))?;
    report.duration_ms = t0.elapsed().as_millis() as u64;
    Ok(report)
}
