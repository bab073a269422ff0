//! `index.yaml`: the library's register of domains (id, title, summary, page) and of the stack
//! and concern ids modules and the composition map may use. Checked against
//! `schemas/expertise-index.schema.json`.

use serde::{Deserialize, Serialize};

/// The parsed `index.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpertiseIndex {
    pub version: u32,
    pub domains: Vec<Domain>,
    /// Stack ids, in the order bundles list them.
    pub stacks: Vec<String>,
    /// Concern ids.
    pub concerns: Vec<String>,
}

/// One domain of the library: the first path segment of its modules' ids.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// The domain's overview page inside the library (`<domain>/index.md`).
    pub page: String,
}

impl ExpertiseIndex {
    pub fn domain(&self, id: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.id == id)
    }
}

/// The stack ids the detector knows, in bundle order; the kit's `index.yaml` lists the same.
pub const KNOWN_STACKS: [&str; 18] = [
    "rust",
    "node",
    "react",
    "next",
    "vue",
    "angular",
    "electron",
    "react-native",
    "python",
    "fastapi",
    "go",
    "java",
    "native-android",
    "native-ios",
    "flutter",
    "postgres",
    "mongodb",
    "solidity",
];
