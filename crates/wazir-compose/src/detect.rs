//! Stack detection: which of the known stacks a project uses, read from its manifests and files
//! (Cargo.toml, package.json, pyproject.toml and requirements files, go.mod, pom.xml and Gradle
//! files, pubspec.yaml, Xcode projects, Solidity sources, Prisma schemas), each with the evidence
//! that made the call. Folders of examples, fixtures, vendored code and build output are not
//! read: they are not the project's own stack.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::index::KNOWN_STACKS;

/// How deep below the root manifests are looked for (root files are depth 1).
const MAX_DEPTH: usize = 4;
/// The largest manifest file whose content is read.
const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// The most directory entries read before detection stops looking.
const MAX_ENTRIES: usize = 50_000;

/// Folders never read besides `NOT_SOURCE_DIRS`: vendored code, virtual environments, and
/// examples and fixtures, which are not the project's own stack.
const SKIP_DIRS: [&str; 16] = [
    "vendor",
    "third_party",
    "third-party",
    "Pods",
    "venv",
    ".venv",
    "__pycache__",
    "examples",
    "example",
    "fixtures",
    "__fixtures__",
    "testdata",
    "test-fixtures",
    "samples",
    "exports",
    "DerivedData",
];

fn skipped_dir(name: &str) -> bool {
    wazir_core::project::NOT_SOURCE_DIRS.contains(&name) || SKIP_DIRS.contains(&name)
}

/// One detected stack and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detection {
    pub stack: String,
    /// What was found: `Cargo.toml`, `web/package.json: dependency react`, …
    pub evidence: Vec<String>,
}

#[derive(Default)]
struct Found(BTreeMap<&'static str, Vec<String>>);

impl Found {
    fn add(&mut self, stack: &'static str, evidence: String) {
        let e = self.0.entry(stack).or_default();
        if e.len() < 5 && !e.contains(&evidence) {
            e.push(evidence);
        }
    }
}

/// Detects the stacks of the project at `root`, in the order of [`KNOWN_STACKS`].
pub fn detect_stacks(root: &Path) -> Vec<Detection> {
    let mut found = Found::default();
    let mut sol_files = 0usize;
    let walker = ignore::WalkBuilder::new(root)
        .max_depth(Some(MAX_DEPTH))
        .hidden(true)
        .require_git(false)
        .filter_entry(|e| {
            e.depth() == 0
                || !e.file_type().is_some_and(|t| t.is_dir())
                || !skipped_dir(&e.file_name().to_string_lossy())
        })
        .build();
    for (n, entry) in walker.flatten().enumerate() {
        if n > MAX_ENTRIES {
            break;
        }
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if is_dir {
            if name.ends_with(".xcodeproj") || name.ends_with(".xcworkspace") {
                found.add("native-ios", format!("{rel} (Xcode project)"));
            }
            continue;
        }
        if name.ends_with(".sol") {
            sol_files += 1;
            if sol_files == 1 {
                found.add("solidity", format!("{rel} (Solidity source)"));
            }
            continue;
        }
        // Manifests are small; a huge or binary file is treated as empty rather than read.
        let read = || {
            let small = entry
                .metadata()
                .is_ok_and(|m| m.len() <= MAX_MANIFEST_BYTES);
            if small {
                std::fs::read_to_string(path).unwrap_or_default()
            } else {
                String::new()
            }
        };
        match name.as_str() {
            "Cargo.toml" => {
                found.add("rust", rel.clone());
                cargo(&rel, &read(), &mut found);
            }
            "package.json" => {
                found.add("node", rel.clone());
                package_json(&rel, &read(), &mut found);
            }
            "pyproject.toml" | "setup.py" | "setup.cfg" | "Pipfile" => {
                found.add("python", rel.clone());
                python(&rel, &read(), &mut found);
            }
            n if n.starts_with("requirements") && n.ends_with(".txt") => {
                found.add("python", rel.clone());
                python(&rel, &read(), &mut found);
            }
            "go.mod" => {
                found.add("go", rel.clone());
                let t = read();
                deps_in_text(&rel, &t, GO_DB, &mut found);
            }
            "pom.xml" | "build.gradle" | "build.gradle.kts" => {
                let t = read();
                jvm(&rel, &t, &mut found);
            }
            "AndroidManifest.xml" => found.add("native-android", rel.clone()),
            "pubspec.yaml" => {
                let t = read();
                if t.contains("sdk: flutter") || t.lines().any(|l| l.trim() == "flutter:") {
                    found.add("flutter", format!("{rel}: depends on the Flutter SDK"));
                }
                deps_in_text(&rel, &t, DART_DB, &mut found);
            }
            "Podfile" if read().contains("platform :ios") => {
                found.add("native-ios", format!("{rel}: platform :ios"));
            }
            "schema.prisma" => {
                let t = read();
                if t.contains("\"postgresql\"") {
                    found.add("postgres", format!("{rel}: provider postgresql"));
                }
                if t.contains("\"mongodb\"") {
                    found.add("mongodb", format!("{rel}: provider mongodb"));
                }
            }
            "foundry.toml" => found.add("solidity", rel.clone()),
            n if n.starts_with("hardhat.config.") => found.add("solidity", rel.clone()),
            _ => {}
        }
    }
    if sol_files > 1
        && let Some(e) = found.0.get_mut("solidity")
    {
        e.push(format!("{sol_files} .sol files in all"));
    }
    KNOWN_STACKS
        .iter()
        .filter_map(|s| {
            found.0.remove(s).map(|evidence| Detection {
                stack: s.to_string(),
                evidence,
            })
        })
        .collect()
}

/// Package names that mean a stack, per ecosystem.
const NODE_DEPS: &[(&str, &[&str])] = &[
    ("react", &["react"]),
    ("next", &["next", "react"]),
    ("vue", &["vue"]),
    ("nuxt", &["vue"]),
    ("@angular/core", &["angular"]),
    ("electron", &["electron"]),
    ("react-native", &["react-native"]),
    ("expo", &["react-native"]),
    ("pg", &["postgres"]),
    ("postgres", &["postgres"]),
    ("pg-promise", &["postgres"]),
    ("@vercel/postgres", &["postgres"]),
    ("@neondatabase/serverless", &["postgres"]),
    ("mongodb", &["mongodb"]),
    ("mongoose", &["mongodb"]),
];

const PY_DEPS: &[(&str, &str)] = &[
    ("fastapi", "fastapi"),
    ("psycopg", "postgres"),
    ("psycopg2", "postgres"),
    ("psycopg2-binary", "postgres"),
    ("psycopg-binary", "postgres"),
    ("asyncpg", "postgres"),
    ("pg8000", "postgres"),
    ("pymongo", "mongodb"),
    ("motor", "mongodb"),
    ("mongoengine", "mongodb"),
    ("beanie", "mongodb"),
];

const GO_DB: &[(&str, &str)] = &[
    ("github.com/lib/pq", "postgres"),
    ("github.com/jackc/pgx", "postgres"),
    ("go.mongodb.org/mongo-driver", "mongodb"),
];

const JVM_DB: &[(&str, &str)] = &[
    ("org.postgresql", "postgres"),
    ("org.mongodb", "mongodb"),
    ("spring-boot-starter-data-mongodb", "mongodb"),
];

const DART_DB: &[(&str, &str)] = &[("postgres:", "postgres"), ("mongo_dart:", "mongodb")];

fn stack_id(s: &str) -> &'static str {
    KNOWN_STACKS
        .iter()
        .find(|k| **k == s)
        .copied()
        .unwrap_or("node")
}

fn package_json(rel: &str, text: &str, found: &mut Found) {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    for section in [
        "dependencies",
        "devDependencies",
        "peerDependencies",
        "optionalDependencies",
    ] {
        let Some(deps) = v.get(section).and_then(|d| d.as_object()) else {
            continue;
        };
        for name in deps.keys() {
            for (dep, stacks) in NODE_DEPS {
                if name == dep {
                    for s in *stacks {
                        found.add(stack_id(s), format!("{rel}: {section} has `{name}`"));
                    }
                }
            }
        }
    }
}

fn cargo(rel: &str, text: &str, found: &mut Found) {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return;
    };
    let mut tables: Vec<&toml::Table> = Vec::new();
    for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(t) = doc.get(key).and_then(|v| v.as_table()) {
            tables.push(t);
        }
    }
    if let Some(t) = doc
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|v| v.as_table())
    {
        tables.push(t);
    }
    if let Some(targets) = doc.get("target").and_then(|v| v.as_table()) {
        for t in targets.values() {
            if let Some(d) = t.get("dependencies").and_then(|v| v.as_table()) {
                tables.push(d);
            }
        }
    }
    for t in tables {
        for (name, spec) in t {
            let features: Vec<&str> = spec
                .get("features")
                .and_then(|f| f.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
                .unwrap_or_default();
            let pg_feature = features.iter().any(|f| f.contains("postgres"));
            match name.as_str() {
                "postgres" | "tokio-postgres" | "deadpool-postgres" | "bb8-postgres" => {
                    found.add("postgres", format!("{rel}: dependency `{name}`"))
                }
                "sqlx" | "diesel" | "sea-orm" if pg_feature => found.add(
                    "postgres",
                    format!("{rel}: dependency `{name}` with a postgres feature"),
                ),
                "mongodb" => found.add("mongodb", format!("{rel}: dependency `{name}`")),
                _ => {}
            }
        }
    }
}

/// A Python requirement's distribution name, normalised (`Psycopg2_Binary>=2` → `psycopg2-binary`).
fn py_name(req: &str) -> String {
    req.trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect::<String>()
        .to_ascii_lowercase()
        .replace('_', "-")
}

fn python(rel: &str, text: &str, found: &mut Found) {
    let mut names: Vec<String> = Vec::new();
    if rel.ends_with(".txt") {
        for line in text.lines() {
            let l = line.split('#').next().unwrap_or("").trim();
            if l.is_empty() || l.starts_with('-') {
                continue;
            }
            names.push(py_name(l));
        }
    } else if rel.ends_with(".toml") || rel.ends_with("Pipfile") {
        if let Ok(doc) = text.parse::<toml::Table>() {
            collect_py_toml(&toml::Value::Table(doc), &mut names);
        }
    } else {
        // setup.py / setup.cfg: requirement strings appear quoted or one per line.
        for token in text.split(['"', '\'', '\n', ',']) {
            let n = py_name(token);
            if !n.is_empty() {
                names.push(n);
            }
        }
    }
    for n in names {
        for (dep, stack) in PY_DEPS {
            if n == *dep {
                found.add(stack, format!("{rel}: requires `{n}`"));
            }
        }
    }
}

/// Requirement names from pyproject.toml (PEP 621, optional and dependency groups, Poetry) and
/// Pipfile sections.
fn collect_py_toml(doc: &toml::Value, names: &mut Vec<String>) {
    let strings = |v: Option<&toml::Value>, names: &mut Vec<String>| {
        if let Some(a) = v.and_then(|v| v.as_array()) {
            for s in a.iter().filter_map(|x| x.as_str()) {
                names.push(py_name(s));
            }
        }
    };
    let keys = |v: Option<&toml::Value>, names: &mut Vec<String>| {
        if let Some(t) = v.and_then(|v| v.as_table()) {
            for k in t.keys() {
                names.push(py_name(k));
            }
        }
    };
    let project = doc.get("project");
    strings(project.and_then(|p| p.get("dependencies")), names);
    if let Some(opt) = project
        .and_then(|p| p.get("optional-dependencies"))
        .and_then(|v| v.as_table())
    {
        for v in opt.values() {
            strings(Some(v), names);
        }
    }
    if let Some(groups) = doc.get("dependency-groups").and_then(|v| v.as_table()) {
        for v in groups.values() {
            strings(Some(v), names);
        }
    }
    let poetry = doc.get("tool").and_then(|t| t.get("poetry"));
    keys(poetry.and_then(|p| p.get("dependencies")), names);
    keys(poetry.and_then(|p| p.get("dev-dependencies")), names);
    if let Some(groups) = poetry
        .and_then(|p| p.get("group"))
        .and_then(|v| v.as_table())
    {
        for g in groups.values() {
            keys(g.get("dependencies"), names);
        }
    }
    keys(doc.get("packages"), names);
    keys(doc.get("dev-packages"), names);
}

fn deps_in_text(rel: &str, text: &str, table: &[(&str, &'static str)], found: &mut Found) {
    for (needle, stack) in table {
        if text.contains(needle) {
            found.add(
                stack,
                format!("{rel}: mentions `{}`", needle.trim_end_matches(':')),
            );
        }
    }
}

fn jvm(rel: &str, text: &str, found: &mut Found) {
    let android = [
        "com.android.application",
        "com.android.library",
        "com.android.tools.build",
    ]
    .iter()
    .find(|m| text.contains(*m));
    match android {
        Some(m) => found.add("native-android", format!("{rel}: applies `{m}`")),
        None => found.add("java", rel.to_string()),
    }
    deps_in_text(rel, text, JVM_DB, found);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_names_are_normalised() {
        assert_eq!(py_name("Psycopg2_Binary>=2.9"), "psycopg2-binary");
        assert_eq!(py_name("fastapi[all]==0.110"), "fastapi");
    }
}
