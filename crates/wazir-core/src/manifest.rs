//! `wazir.manifest.yaml` as typed data (docs/design/product.md, "The kit"). Reading it is on the
//! hook fast path, so this module does nothing but deserialise; schema checks live in `wazir
//! validate manifest`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::agents::AgentPolicy;
use crate::ids;
use crate::yaml::{self, YamlError};

/// The manifest version this build reads.
pub const MANIFEST_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub manifest_version: u32,
    pub project: ProjectInfo,
    #[serde(default)]
    pub versioning_policy: VersioningPolicy,
    pub paths: Paths,
    pub hosts: Vec<String>,
    #[serde(default)]
    pub export_targets: BTreeMap<String, ExportTarget>,
    pub workflows: Vec<String>,
    pub phases: Vec<String>,
    pub roles: Vec<String>,
    pub required_hooks: Vec<String>,
    #[serde(default)]
    pub protected_paths: Vec<String>,
    #[serde(default)]
    pub prohibited_terms: Vec<String>,
    /// Skills the agent loads when a workflow's `skills:` or the `using-skills` table names them,
    /// not from the host's list. A host that puts every skill's name, description and path in
    /// each session's first request (Gemini CLI) does not list these; their files stay where the
    /// host and the kit keep skills, and the agent reads them from there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_demand_skills: Vec<String>,
    #[serde(default)]
    pub adapters: Adapters,
    #[serde(default)]
    pub index: IndexConfig,
    #[serde(default)]
    pub validation_checks: Vec<String>,
    /// How the hooks hold the pipeline. `wazir init` writes `strict`; a manifest without the
    /// key (a project set up before enforcement existed) is [`EnforcementMode::Advisory`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enforcement: Option<Enforcement>,
    /// Each role's model tier and turn limit, over the built-in defaults.
    #[serde(default, skip_serializing_if = "is_empty_policy")]
    pub agents: AgentPolicy,
}

fn is_empty_policy(p: &AgentPolicy) -> bool {
    p == &AgentPolicy::default()
}

/// `enforcement:` in the manifest.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Enforcement {
    pub mode: EnforcementMode,
}

/// What the hooks do with a write the pipeline does not allow.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum EnforcementMode {
    /// Refuse it, saying what to do instead.
    Strict,
    /// Allow it, with the same decision given to the agent as context.
    #[default]
    Advisory,
    /// Neither refuse nor comment.
    Off,
}

impl EnforcementMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Strict => "strict",
            Self::Advisory => "advisory",
            Self::Off => "off",
        }
    }
}

impl std::str::FromStr for EnforcementMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "strict" => Ok(Self::Strict),
            "advisory" => Ok(Self::Advisory),
            "off" => Ok(Self::Off),
            other => Err(format!(
                "unknown enforcement mode `{other}`: use strict, advisory or off"
            )),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProjectInfo {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VersioningPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changelog: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changelog_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_convention: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaking_change_requires: Option<String>,
}

/// Folders of the canonical sources, relative to the project root.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Paths {
    pub input: String,
    pub roles: String,
    pub workflows: String,
    pub skills: String,
    pub hooks: String,
    pub templates: String,
    pub schemas: String,
    pub expertise: String,
    pub docs: String,
    pub exports: String,
    pub memory: String,
    pub state_root_default: String,
}

impl Paths {
    /// Every declared folder with its field name, except `state_root_default`.
    pub fn folders(&self) -> [(&'static str, &str); 11] {
        [
            ("input", &self.input),
            ("roles", &self.roles),
            ("workflows", &self.workflows),
            ("skills", &self.skills),
            ("hooks", &self.hooks),
            ("templates", &self.templates),
            ("schemas", &self.schemas),
            ("expertise", &self.expertise),
            ("docs", &self.docs),
            ("exports", &self.exports),
            ("memory", &self.memory),
        ]
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExportTarget {
    pub path: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Adapters {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub available: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IndexConfig {
    #[serde(default)]
    pub parsers: Vec<ParserEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_file_bytes: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ParserEntry {
    pub language: String,
    pub extensions: Vec<String>,
    /// `symbols` (tree-sitter extraction) or `outline`.
    pub kind: String,
}

impl Manifest {
    /// Parses a manifest file into typed data.
    pub fn read(path: &Path) -> Result<Self, YamlError> {
        yaml::read(path)
    }

    pub fn from_str(path: &Path, text: &str) -> Result<Self, YamlError> {
        yaml::from_str(path, text, 0)
    }

    /// The project slug used for `{project_slug}`: see [`slug`].
    pub fn slug(&self) -> String {
        slug(&self.project.name)
    }

    /// The enforcement mode: the manifest's `enforcement.mode`, else advisory (a project set
    /// up before the key existed keeps working and sees each decision as context).
    pub fn enforcement_mode(&self) -> EnforcementMode {
        self.enforcement.map(|e| e.mode).unwrap_or_default()
    }

    /// File of a role, relative to the project root: `roles/content-author.md`.
    pub fn role_file(&self, role: &str) -> String {
        format!("{}/{}.md", self.paths.roles, ids::to_file_stem(role))
    }

    /// File of a workflow, relative to the project root: `workflows/spec-challenge.md`.
    pub fn workflow_file(&self, workflow: &str) -> String {
        format!(
            "{}/{}.md",
            self.paths.workflows,
            ids::to_file_stem(workflow)
        )
    }
}

/// The slug rule: lower-case the project name, turn every run of characters other than ASCII
/// letters and digits into one `-`, trim `-` from both ends, cut to 64 characters; an empty
/// result becomes `project`. `My App (v2)` → `my-app-v2`.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out.truncate(64);
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "project".to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_rule() {
        assert_eq!(slug("My App (v2)"), "my-app-v2");
        assert_eq!(slug("wazir"), "wazir");
        assert_eq!(slug("  --Ünïcode__name--  "), "n-code-name");
        assert_eq!(slug("../../etc"), "etc");
        assert_eq!(slug("///"), "project");
        assert_eq!(slug(&"a".repeat(100)).len(), 64);
    }

    #[test]
    fn kit_manifest_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kit/wazir.manifest.yaml");
        let m = Manifest::read(&path).unwrap();
        assert_eq!(m.manifest_version, MANIFEST_VERSION);
        assert_eq!(m.roles.len(), 10);
        assert_eq!(m.workflows.len(), 15);
        assert_eq!(m.required_hooks.len(), 8);
        assert_eq!(m.enforcement_mode(), EnforcementMode::Advisory);
        let strict = Manifest::from_str(
            &path,
            &format!(
                "{}\nenforcement:\n  mode: strict\n",
                std::fs::read_to_string(&path).unwrap()
            ),
        )
        .unwrap();
        assert_eq!(strict.enforcement_mode(), EnforcementMode::Strict);
        assert_eq!(m.role_file("content_author"), "roles/content-author.md");
        assert_eq!(
            m.workflow_file("spec_challenge"),
            "workflows/spec-challenge.md"
        );
    }
}
