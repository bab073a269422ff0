//! The edit–refresh–recall cycle on a small project in a temporary folder: a changed file is
//! re-parsed, an unchanged one is not, a deleted one disappears, and `fresh` turns false after
//! an edit until the summaries are regenerated.

use std::fs;
use std::path::Path;

use wazir_index::{
    IndexConfig, SearchOptions, Tier, build, recall_file, recall_symbol, refresh, search_symbols,
    summarize,
};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

fn project() -> (tempfile::TempDir, IndexConfig) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    write(
        &root,
        "src/lib.rs",
        "/// Adds two numbers.\npub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n",
    );
    write(&root, "src/other.rs", "pub struct Other;\n");
    write(
        &root,
        "app/main.py",
        "def greet(name):\n    \"\"\"Say hello.\"\"\"\n    return 'hi ' + name\n",
    );
    write(&root, "node_modules/dep/index.js", "function hidden() {}\n");
    write(&root, "ignored/skip.rs", "fn skipped() {}\n");
    write(&root, ".gitignore", "ignored/\n");
    write(&root, "assets/blob.json", "{\"a\": 1}\u{0}\u{0}");
    write(&root, "big/huge.rs", &"// padding\n".repeat(200));
    let state = root.join(".state");
    write(
        &state,
        "index/placeholder.rs",
        "fn inside_state_root() {}\n",
    );
    let mut cfg = IndexConfig::new(&root, &state);
    cfg.max_file_bytes = 1000;
    (dir, cfg)
}

fn names(cfg: &IndexConfig, q: &str) -> Vec<String> {
    search_symbols(
        &cfg.state_root,
        q,
        &SearchOptions {
            limit: 50,
            ..Default::default()
        },
    )
    .unwrap()
    .into_iter()
    .map(|h| format!("{}:{}", h.symbol.path, h.symbol.symbol.name))
    .collect()
}

#[test]
fn build_honours_ignores_and_skips() {
    let (_dir, cfg) = project();
    let r = build(&cfg).unwrap();
    assert_eq!(r.parsed, 3, "{r:?}");
    assert_eq!(r.skipped_binary, 1);
    assert_eq!(r.skipped_large, 1);
    assert!(names(&cfg, "hidden").is_empty());
    assert!(names(&cfg, "skipped").is_empty());
    assert!(names(&cfg, "inside_state_root").is_empty());
    assert_eq!(names(&cfg, "add"), vec!["src/lib.rs:add"]);
}

#[test]
fn edit_refresh_recall_cycle() {
    let (_dir, cfg) = project();
    build(&cfg).unwrap();
    let unchanged = refresh(&cfg).unwrap();
    assert_eq!(
        (unchanged.parsed, unchanged.removed, unchanged.unchanged),
        (0, 0, 3)
    );

    let s = summarize(&cfg, false).unwrap();
    assert_eq!(s.files_summarized, 3);
    let l1 = recall_file(
        &cfg.root,
        &cfg.state_root,
        "src/lib.rs",
        None,
        None,
        Tier::L1,
    )
    .unwrap();
    assert!(l1.fresh);
    // A tiny file's L1 shrinks to its names grouped by kind (a fifth of the file).
    assert_eq!(l1.text, "function: add\n");
    let sym = recall_symbol(&cfg.root, &cfg.state_root, "add", Tier::L0).unwrap();
    assert!(sym.fresh);
    assert!(sym.text.contains("Adds two numbers."), "{}", sym.text);
    let greet = recall_symbol(&cfg.root, &cfg.state_root, "greet", Tier::L2).unwrap();
    assert_eq!((greet.start, greet.end), (1, 3));
    assert!(greet.text.starts_with("def greet(name):"));

    // Edit one file (size changes), touch nothing else, delete another.
    write(
        &cfg.root,
        "src/lib.rs",
        "/// Adds two numbers.\npub fn add(a: i64, b: i64) -> i64 {\n    a + b\n}\n\npub fn sub(a: i64, b: i64) -> i64 {\n    a - b\n}\n",
    );
    fs::remove_file(cfg.root.join("src/other.rs")).unwrap();

    // Before the refresh the stored summaries no longer match the disk.
    assert!(
        !recall_file(
            &cfg.root,
            &cfg.state_root,
            "src/lib.rs",
            None,
            None,
            Tier::L1
        )
        .unwrap()
        .fresh
    );
    assert!(
        !recall_symbol(&cfg.root, &cfg.state_root, "add", Tier::L1)
            .unwrap()
            .fresh
    );
    // The untouched file stays fresh.
    assert!(
        recall_file(
            &cfg.root,
            &cfg.state_root,
            "app/main.py",
            None,
            None,
            Tier::L0
        )
        .unwrap()
        .fresh
    );

    let r = refresh(&cfg).unwrap();
    assert_eq!((r.parsed, r.removed, r.unchanged), (1, 1, 1), "{r:?}");
    assert_eq!(names(&cfg, "sub"), vec!["src/lib.rs:sub"]);
    assert!(names(&cfg, "Other").is_empty());
    // The index is fresh again, the summaries still are not.
    assert!(
        !recall_file(
            &cfg.root,
            &cfg.state_root,
            "src/lib.rs",
            None,
            None,
            Tier::L1
        )
        .unwrap()
        .fresh
    );
    assert!(
        recall_file(
            &cfg.root,
            &cfg.state_root,
            "src/lib.rs",
            Some(5),
            Some(6),
            Tier::L2
        )
        .unwrap()
        .fresh
    );

    let s = summarize(&cfg, false).unwrap();
    assert_eq!((s.files_summarized, s.files_fresh), (1, 1));
    let l1 = recall_file(
        &cfg.root,
        &cfg.state_root,
        "src/lib.rs",
        None,
        None,
        Tier::L1,
    )
    .unwrap();
    assert!(l1.fresh);
    assert_eq!(l1.text, "function: add, sub\n");
    assert!(
        recall_symbol(&cfg.root, &cfg.state_root, "add", Tier::L1)
            .unwrap()
            .fresh
    );

    // A touch without a content change is not a re-parse.
    let text = fs::read_to_string(cfg.root.join("app/main.py")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(cfg.root.join("app/main.py"), text).unwrap();
    let r = refresh(&cfg).unwrap();
    assert_eq!((r.parsed, r.unchanged), (0, 2), "{r:?}");
}

#[test]
fn recall_refuses_paths_outside_the_root() {
    let (_dir, cfg) = project();
    build(&cfg).unwrap();
    let err = recall_file(
        &cfg.root,
        &cfg.state_root,
        "../outside.rs",
        None,
        None,
        Tier::L2,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("not inside the project root"),
        "{err}"
    );
}

#[test]
fn missing_index_says_what_to_do() {
    let (_dir, cfg) = project();
    let err = recall_symbol(&cfg.root, &cfg.state_root, "add", Tier::L2).unwrap_err();
    assert!(err.to_string().contains("wazir index build"), "{err}");
}

/// Every recall is logged, and the WAL those log rows go to is checkpointed back to empty
/// before it grows large (each new process re-reads it), without losing a row.
#[test]
fn retrieval_log_keeps_every_row_and_a_small_wal() {
    let (_dir, cfg) = project();
    build(&cfg).unwrap();
    let wal = cfg.state_root.join("index/index.sqlite-wal");
    let mut largest = 0;
    for _ in 0..150 {
        recall_symbol(&cfg.root, &cfg.state_root, "add", Tier::L2).unwrap();
        largest = largest.max(fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
    }
    recall_file(
        &cfg.root,
        &cfg.state_root,
        "src/lib.rs",
        None,
        None,
        Tier::L2,
    )
    .unwrap();
    let s = wazir_index::stats(&cfg.state_root).unwrap();
    assert_eq!(s.retrievals, 151);
    assert!(largest < 512 * 1024, "the WAL reached {largest} bytes");
}

/// Containers are stored once per scope: 10,000 nested TypeScript namespaces and 10,000 nested
/// Rust modules keep the database small, and the full container path still comes back.
#[test]
fn deep_nesting_keeps_the_index_linear() {
    const DEPTH: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let (ts, rs) = nested(DEPTH);
    write(&root, "deep.ts", &ts);
    write(&root, "deep.rs", &rs);
    let mut cfg = IndexConfig::new(&root, root.join(".state"));
    cfg.max_file_bytes = 1 << 20;
    build(&cfg).unwrap();
    let db = cfg.db_path();
    let bytes = db_bytes(&db);
    assert!(bytes < 10 << 20, "database is {bytes} bytes");
    eprintln!("10,000-deep nesting in two files: database {bytes} bytes");

    let hits = search_symbols(
        &cfg.state_root,
        "leaf",
        &SearchOptions {
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap();
    let mut paths: Vec<(String, String)> = hits
        .iter()
        .map(|h| {
            let c = h
                .symbol
                .symbol
                .container
                .as_ref()
                .expect("leaf has a container");
            assert_eq!(c.depth() as usize, DEPTH, "{}", h.symbol.path);
            let p = c.path();
            (
                h.symbol.path.clone(),
                format!("{}…{}", &p[..16], &p[p.len() - 16..]),
            )
        })
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            ("deep.rs".into(), "module0::module1…9998::module9999".into()),
            ("deep.ts".into(), "Space0.Space1.Sp…ce9998.Space9999".into()),
        ]
    );
    let outline = wazir_index::file_outline(&root, &cfg.state_root, "deep.ts").unwrap();
    assert_eq!(outline.symbols.len(), DEPTH + 1);
    let last = outline.symbols.last().unwrap();
    assert_eq!(last.name, "leaf");
    assert!(
        last.container
            .as_ref()
            .unwrap()
            .path()
            .ends_with("Space9998.Space9999")
    );
    // The qualified form finds it through the chain.
    let q = search_symbols(
        &cfg.state_root,
        "Space9998.Space9999.leaf",
        &SearchOptions::default(),
    )
    .unwrap();
    assert_eq!(q.first().map(|h| h.symbol.path.as_str()), Some("deep.ts"));
}

/// Summaries stay linear in the nesting too: each names its container shortened and its one
/// member, its key holds a digest of the chain rather than the chain, and the recall of the
/// innermost one finds its summary.
#[test]
fn deep_nesting_keeps_summaries_linear() {
    const DEPTH: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    let (ts, _) = nested(DEPTH);
    write(&root, "deep.ts", &ts);
    let mut cfg = IndexConfig::new(&root, root.join(".state"));
    cfg.max_file_bytes = 1 << 20;
    let report = summarize(&cfg, false).unwrap();
    assert_eq!(report.files_summarized, 1);
    assert_eq!(report.symbol_summaries as usize, DEPTH + 1);
    let bytes = db_bytes(&cfg.db_path());
    assert!(bytes < 10 << 20, "database with summaries is {bytes} bytes");
    eprintln!("10,000-deep nesting with summaries: database {bytes} bytes");
    let r = recall_symbol(&root, &cfg.state_root, "Space9999.leaf", Tier::L1).unwrap();
    assert!(r.fresh);
    assert!(
        r.text.contains("in Space0.….") && r.text.contains(".Space9998.Space9999\n"),
        "{}",
        r.text
    );
    let r = recall_symbol(&root, &cfg.state_root, "Space5000", Tier::L1).unwrap();
    assert!(r.text.contains("namespace Space5001  L5002"), "{}", r.text);
    assert!(r.text.len() < 300, "{}", r.text);
}

/// `depth` nested TypeScript namespaces and Rust modules around a function `leaf`.
fn nested(depth: usize) -> (String, String) {
    let mut ts = String::new();
    let mut rs = String::new();
    for i in 0..depth {
        ts.push_str(&format!("namespace Space{i} {{\n"));
        rs.push_str(&format!("mod module{i} {{\n"));
    }
    ts.push_str("export function leaf() {}\n");
    rs.push_str("fn leaf() {}\n");
    ts.push_str(&"}\n".repeat(depth));
    rs.push_str(&"}\n".repeat(depth));
    (ts, rs)
}

fn db_bytes(db: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| fs::metadata(format!("{}{s}", db.display())).ok())
        .map(|m| m.len())
        .sum()
}

/// A folder where the database should be is named as such, for building and for reading.
#[test]
fn a_folder_in_place_of_the_database_is_named() {
    let (_dir, cfg) = project();
    fs::create_dir_all(cfg.db_path()).unwrap();
    let built = build(&cfg).unwrap_err().to_string();
    let read = search_symbols(&cfg.state_root, "add", &SearchOptions::default())
        .unwrap_err()
        .to_string();
    for m in [built, read] {
        assert!(
            m.contains("is a folder where the index database should be"),
            "{m}"
        );
        assert!(!m.contains("os error") && !m.contains("disk I/O"), "{m}");
    }
}
