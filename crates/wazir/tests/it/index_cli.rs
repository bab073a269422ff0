//! `wazir index` and `wazir recall` end to end: a project with the kit manifest, JSON output,
//! the refresh cycle through the binary, and clear errors.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let manifest = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../kit/wazir.manifest.yaml"
    ))
    .unwrap();
    write(root, "wazir.manifest.yaml", &manifest);
    write(
        root,
        "src/geometry.rs",
        "/// A point.\npub struct Point {\n    pub x: f64,\n}\n\nimpl Point {\n    /// Distance to the origin.\n    pub fn norm(&self) -> f64 {\n        self.x.abs()\n    }\n}\n",
    );
    write(
        root,
        "tools/report.py",
        "def render_report(rows):\n    \"\"\"Render rows as text.\"\"\"\n    return '\\n'.join(rows)\n",
    );
    write(root, "docs/notes.md", "# Notes\n\n## Setup\n");
    dir
}

fn wazir(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("wazir").unwrap();
    c.current_dir(dir)
        .arg("--state-root")
        .arg(dir.join("state"))
        .env_remove("WAZIR_STATE_ROOT");
    c
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let out = wazir(dir)
        .arg("--json")
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn build_search_outline_and_recall_as_json() {
    let dir = project();
    let d = dir.path();
    let build = json(d, &["index", "build"]);
    assert_eq!(build["parsed"], 4, "{build}");
    assert_eq!(build["languages"]["rust"], 1);

    let hits = json(d, &["index", "search-symbols", "nor"]);
    assert_eq!(hits[0]["name"], "norm");
    assert_eq!(hits[0]["rank"], "prefix");
    assert_eq!(hits[0]["container"], "Point");

    let got = json(d, &["index", "get-symbol", "Point.norm"]);
    assert_eq!(got["exact"], true);
    assert_eq!(got["symbols"][0]["signature"], "pub fn norm(&self) -> f64");
    assert_eq!(got["symbols"][0]["doc"], "Distance to the origin.");

    let outline = json(d, &["index", "get-file-outline", "docs/notes.md"]);
    assert_eq!(outline["outline"][1]["name"], "Setup");

    let slice = json(d, &["recall", "symbol", "render_report"]);
    assert_eq!(slice["tier"], "L2");
    assert_eq!(slice["start"], 1);
    assert_eq!(slice["end"], 3);
    assert_eq!(slice["fresh"], true);

    let lines = json(
        d,
        &[
            "recall",
            "file",
            "src/geometry.rs",
            "--start",
            "2",
            "--end",
            "3",
        ],
    );
    assert_eq!(lines["text"], "pub struct Point {\n    pub x: f64,\n");
}

#[test]
fn summaries_go_stale_after_an_edit_until_summarize() {
    let dir = project();
    let d = dir.path();
    json(d, &["index", "build"]);
    json(d, &["index", "summarize"]);
    let l1 = json(d, &["recall", "file", "src/geometry.rs", "--tier", "L1"]);
    assert_eq!(l1["fresh"], true);
    assert!(
        l1["text"].as_str().unwrap().contains("struct: Point"),
        "{l1}"
    );

    write(
        d,
        "src/geometry.rs",
        "/// A point.\npub struct Point {\n    pub x: f64,\n    pub y: f64,\n}\n",
    );
    assert_eq!(
        json(d, &["recall", "file", "src/geometry.rs", "--tier", "L1"])["fresh"],
        false
    );
    let r = json(d, &["index", "refresh"]);
    assert_eq!(
        (r["parsed"].as_u64(), r["unchanged"].as_u64()),
        (Some(1), Some(3))
    );
    json(d, &["index", "summarize"]);
    assert_eq!(
        json(d, &["recall", "file", "src/geometry.rs", "--tier", "L0"])["fresh"],
        true
    );

    let stats = json(d, &["index", "stats"]);
    assert_eq!(stats["files"], 4);
    assert!(stats["retrievals"].as_u64().unwrap() >= 3);
}

#[test]
fn map_fits_its_budget_and_text_output_is_plain() {
    let dir = project();
    let d = dir.path();
    wazir(d).args(["index", "build"]).assert().success();
    let map = json(
        d,
        &[
            "index",
            "map",
            "--budget",
            "60",
            "--focus",
            "tools/report.py",
        ],
    );
    assert!(map["tokens"].as_u64().unwrap() <= 60);
    assert_eq!(map["files"][0]["path"], "tools/report.py");
    let out = wazir(d)
        .args(["recall", "symbol", "Point"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("# src/geometry.rs:2-4 struct Point (L2, fresh)\n"),
        "{text}"
    );
}

#[test]
fn errors_say_what_to_do() {
    let dir = project();
    let d = dir.path();
    let out = wazir(d)
        .args(["recall", "symbol", "norm"])
        .assert()
        .failure()
        .code(1)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("wazir index build"));
    wazir(d).args(["index", "build"]).assert().success();
    let out = wazir(d)
        .args(["recall", "file", "src/geometry.rs", "--tier", "L1"])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("wazir index summarize"));
    let out = wazir(d)
        .args(["recall", "file", "../../etc/passwd"])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("not inside the project root"));
    wazir(d)
        .args(["recall", "symbol", "norm", "--tier", "L9"])
        .assert()
        .failure();
}

#[test]
fn root_flag_indexes_a_folder_without_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("plain");
    write(&src, "main.go", "package main\n\nfunc main() {}\n");
    let mut c = Command::cargo_bin("wazir").unwrap();
    c.env("WAZIR_STATE_ROOT", dir.path().join("st"))
        .args(["--json", "index", "--root"])
        .arg(&src)
        .arg("build");
    let out = c.assert().success().get_output().stdout.clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["parsed"], 1);
}

#[test]
fn recall_during_a_run_is_counted_in_usage() {
    let dir = project();
    let root = dir.path();
    wazir(root).args(["index", "build"]).assert().success();
    wazir(root).args(["index", "summarize"]).assert().success();
    // No run: recall works and records nothing.
    wazir(root)
        .args(["recall", "file", "src/geometry.rs", "--tier", "L1"])
        .assert()
        .success();
    wazir(root)
        .args(["capture", "init", "--run", "r1", "--phase", "clarify"])
        .assert()
        .success();
    wazir(root)
        .args(["recall", "file", "src/geometry.rs", "--tier", "L0"])
        .assert()
        .success();
    let usage = json(root, &["capture", "usage"]);
    let text = usage.to_string();
    assert!(text.contains("recall"), "{usage:#}");
    let events = fs::read_to_string(root.join("state/runs/r1/events.ndjson")).unwrap();
    let served: Vec<&str> = events
        .lines()
        .filter(|l| l.contains("recall_served"))
        .collect();
    assert_eq!(served.len(), 1, "{events}");
    assert!(served[0].contains("src/geometry.rs"), "{}", served[0]);
}

/// A damaged database (garbage, or cut in half) never wedges the index: readers say what to
/// run, without SQLite's or Rust's own forms, and that command brings it back.
#[test]
fn a_corrupt_database_says_what_to_run_and_is_rebuilt() {
    let dir = project();
    let d = dir.path();
    let db = d.join("state/index/index.sqlite");
    let stderr = |args: &[&str]| {
        let out = wazir(d).args(args).assert().failure().code(1);
        String::from_utf8_lossy(&out.get_output().stderr).into_owned()
    };
    // Garbage where the database should be: refresh rebuilds it from scratch.
    fs::create_dir_all(db.parent().unwrap()).unwrap();
    fs::write(&db, vec![0x5au8; 64 * 1024]).unwrap();
    let err = stderr(&["recall", "symbol", "norm"]);
    assert!(err.contains("wazir index build"), "{err}");
    assert!(!err.contains("Some(") && !err.contains("os error"), "{err}");
    let v = json(d, &["index", "refresh"]);
    assert_eq!(v["kind"], "refresh (full build)");
    assert_eq!(v["parsed"], 4);
    wazir(d)
        .args(["recall", "symbol", "norm"])
        .assert()
        .success();
    // A database cut in half: the message names the file and the command that rebuilds it.
    let bytes = fs::read(&db).unwrap();
    fs::write(&db, &bytes[..bytes.len() / 2]).unwrap();
    for ext in ["-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{ext}", db.display()));
    }
    let err = stderr(&["index", "search-symbols", "norm"]);
    assert!(
        err.contains(&db.display().to_string()) && err.contains("wazir index build"),
        "{err}"
    );
    json(d, &["index", "build"]);
    let v = json(d, &["index", "search-symbols", "norm"]);
    assert_eq!(v[0]["name"], "norm", "{v}");
}
