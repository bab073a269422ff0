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
