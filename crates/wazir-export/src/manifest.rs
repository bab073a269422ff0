//! `export.manifest.json`, written into every package: what it was built from (the SHA-256 of
//! each source read) and what it wrote (the SHA-256 and size of each file), each with a BLAKE3
//! digest too, for the quick freshness test, sorted, with no
//! timestamps, so two builds from the same sources give the same bytes. `wazir export check`
//! compares it with the sources and the files on disk. Shape:
//! `kit/schemas/export-manifest.schema.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const FILE_NAME: &str = "export.manifest.json";
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportManifest {
    pub schema_version: u32,
    /// `wazir <version>`: the compiler that wrote the package.
    pub generator: String,
    /// SHA-256 of the compiler (its version, the export code and the host facts it reads; see
    /// [`super::compiler_id`]), so a package built by different code is never taken for fresh.
    pub compiler: String,
    pub host: String,
    pub project: String,
    pub project_version: String,
    /// The approved regeneration flow the package was written under.
    pub flow: String,
    /// Canonical sources read, project-relative, sorted by path.
    pub sources: Vec<SourceEntry>,
    /// Files written, relative to the package folder, sorted by path.
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    pub path: String,
    pub sha256: String,
    pub blake3: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub path: String,
    pub sha256: String,
    /// The fast digest `export check` compares before compiling anything.
    pub blake3: String,
    pub bytes: u64,
}

impl ExportManifest {
    /// Source path → BLAKE3.
    pub fn source_map(&self) -> BTreeMap<&str, &str> {
        self.sources
            .iter()
            .map(|s| (s.path.as_str(), s.blake3.as_str()))
            .collect()
    }

    pub fn file_map(&self) -> BTreeMap<&str, &str> {
        self.files
            .iter()
            .map(|f| (f.path.as_str(), f.sha256.as_str()))
            .collect()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = serde_json::to_string_pretty(self).expect("the manifest serialises");
        s.push('\n');
        s.into_bytes()
    }
}
