//! Wazir's shared model: where a project is, what its manifest says, where its run state lives,
//! the kit embedded in the binary, and the small file, YAML, schema and token primitives every
//! other crate builds on.

pub mod digest;
pub mod frontmatter;
pub mod fsio;
pub mod ids;
pub mod install;
pub mod kit;
pub mod manifest;
pub mod paths;
pub mod problem;
pub mod project;
#[cfg(feature = "schema")]
pub mod schema;
pub mod state_root;
#[cfg(feature = "tokens")]
pub mod tokens;
pub mod workflow;
pub mod yaml;

pub use manifest::Manifest;
pub use project::{MANIFEST_FILE, Project, ProjectError};
