//! Helpers for the export tests: a copy of the kit in a temporary folder, the real binary, the
//! hosts' published schemas (from `../shared/host-schemas/` beside the repository) and the kit's
//! own schemas.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use wazir_core::schema::Schema;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `../shared/host-schemas/` beside the repository clone.
pub fn host_schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/host-schemas")
}

/// A host schema, compiled.
pub fn host_schema(file: &str) -> Schema {
    let p = host_schemas_dir().join(file);
    let text =
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
    let doc: Value = serde_json::from_str(&text).unwrap();
    Schema::compile(file, &doc).unwrap()
}

/// A kit schema (`kit/schemas/<name>.schema.json`), compiled.
pub fn kit_schema(name: &str) -> Schema {
    Schema::load(name, Some(&repo_root().join("kit/schemas"))).unwrap()
}

pub fn assert_valid(schema: &Schema, value: &Value, label: &str) {
    let problems = schema.problems(value);
    assert!(
        problems.is_empty(),
        "{label} fails {}:\n{}",
        schema.name,
        problems
            .iter()
            .map(|p| format!("  {p}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

pub fn read_json(p: &Path) -> Value {
    let text =
        std::fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// A copy of the kit (without its generated `exports/`) at `<tmp>/kit`. Returns the temp dir and
/// the project root.
pub fn kit_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("kit");
    let kit = repo_root().join("kit");
    std::fs::create_dir_all(&root).unwrap();
    for e in std::fs::read_dir(&kit).unwrap() {
        let e = e.unwrap();
        if e.file_name() == "exports" {
            continue;
        }
        let p = e.path();
        if p.is_dir() {
            copy_tree(&p, &root.join(e.file_name()));
        } else {
            std::fs::copy(&p, root.join(e.file_name())).unwrap();
        }
    }
    (dir, root)
}

/// The real `wazir` binary, run in `dir`.
pub fn wazir(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("wazir").unwrap();
    c.current_dir(dir);
    c.env_remove("WAZIR_STATE_ROOT");
    c
}

/// Every file under `dir`: (`/`-separated relative path, absolute path), sorted.
pub fn walk(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, p));
            }
        }
    }
    out.sort();
    out
}

/// Builds every package of the kit copy at `root` into `out`.
pub fn build_into(root: &Path, out: &Path) {
    wazir(root)
        .args(["export", "build", "--out"])
        .arg(out)
        .assert()
        .success();
}

/// The front matter of a markdown file as JSON.
pub fn front_matter(p: &Path) -> Value {
    let text = std::fs::read_to_string(p).unwrap();
    let (v, _) = wazir_core::frontmatter::parse::<Value>(p, &text)
        .unwrap_or_else(|e| panic!("front matter of {}: {e}", p.display()));
    v
}
