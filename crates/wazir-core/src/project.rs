//! Finding the project: walk up from a folder to the nearest `wazir.manifest.yaml`, then read it.

use std::path::{Path, PathBuf};

use crate::manifest::Manifest;
use crate::state_root::{self, Legacy, StateRoot, StateRootError, StateRootSource};
use crate::yaml::YamlError;

pub const MANIFEST_FILE: &str = "wazir.manifest.yaml";

/// Folders that hold version control, dependencies or build output, never the project's own
/// sources: every walk of a project (index, runtime check, stack detection) skips them.
pub const NOT_SOURCE_DIRS: [&str; 7] = [
    ".git",
    "node_modules",
    "target",
    "dist",
    "build",
    "coverage",
    ".next",
];

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error(
        "no {MANIFEST_FILE} found in {} or any folder above it: this is not a Wazir project. \
         Run `wazir init` in the project's root folder to set it up.",
        start.display()
    )]
    NotFound { start: PathBuf },
    #[error("{0}\n  fix the manifest, then check it with `wazir validate manifest`")]
    Manifest(#[from] YamlError),
    #[error(transparent)]
    StateRoot(#[from] StateRootError),
}

/// A Wazir project: its root folder and its parsed manifest.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub manifest_path: PathBuf,
    pub manifest: Manifest,
}

/// The nearest folder at or above `start` that holds `wazir.manifest.yaml`.
pub fn find_root(start: &Path) -> Result<PathBuf, ProjectError> {
    let start_abs = if start.is_absolute() {
        start.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(start))
            .unwrap_or_else(|_| start.to_path_buf())
    };
    let mut dir: Option<&Path> = Some(&start_abs);
    while let Some(d) = dir {
        if d.join(MANIFEST_FILE).is_file() {
            return Ok(d.to_path_buf());
        }
        dir = d.parent();
    }
    Err(ProjectError::NotFound { start: start_abs })
}

impl Project {
    /// Finds the root from `start` and reads its manifest.
    pub fn discover(start: &Path) -> Result<Self, ProjectError> {
        let root = find_root(start)?;
        Self::open(&root)
    }

    /// Reads the manifest of the project whose root is `root`.
    pub fn open(root: &Path) -> Result<Self, ProjectError> {
        let manifest_path = root.join(MANIFEST_FILE);
        let manifest = Manifest::read(&manifest_path)?;
        Ok(Self {
            root: root.to_path_buf(),
            manifest_path,
            manifest,
        })
    }

    /// A path of the project, from a manifest-relative path.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// The state root every command uses: [`Project::resolve_state_root`], and when that is the
    /// manifest default, nothing is there yet and an older Wazir's state root for this project
    /// exists ([`Project::legacy_state_root`]), that folder is moved here first (one rename), so
    /// the runs, index and captures it holds carry on. If the move fails, the old folder is used
    /// where it is and `legacy` says why. On the hook path this costs one or two `stat` calls
    /// once the state root exists, and at most three before.
    pub fn state_root(&self, flag: Option<&Path>) -> Result<StateRoot, ProjectError> {
        let mut sr = self.resolve_state_root(flag)?;
        if let Some(old) = self.legacy_state_root_to_move(&sr) {
            match state_root::move_legacy(&old, &sr.path) {
                Ok(()) => sr.legacy = Some(Legacy::Moved { from: old }),
                // Another process moved it (or made the new folder) first.
                Err(_) if sr.path.symlink_metadata().is_ok() => {}
                Err(e) => {
                    sr.legacy = Some(Legacy::InPlace {
                        reason: format!(
                            "cannot move {} to {}: {e}",
                            old.display(),
                            sr.path.display()
                        ),
                    });
                    sr.path = old;
                }
            }
        }
        Ok(sr)
    }

    /// Resolves the state root without touching anything: `flag`, else `WAZIR_STATE_ROOT`, else
    /// the manifest default.
    pub fn resolve_state_root(&self, flag: Option<&Path>) -> Result<StateRoot, ProjectError> {
        let env = std::env::var_os(state_root::ENV_VAR);
        Ok(state_root::resolve(
            flag,
            env.as_deref().map(Path::new),
            &self.manifest.paths.state_root_default,
            &self.state_key(),
            &self.root,
        )?)
    }

    /// The older state root that [`Project::state_root`] would move to `sr`: only for the manifest
    /// default, only while nothing is at `sr`, and only when the old folder exists.
    pub fn legacy_state_root_to_move(&self, sr: &StateRoot) -> Option<PathBuf> {
        if sr.source != StateRootSource::ManifestDefault || sr.path.symlink_metadata().is_ok() {
            return None;
        }
        self.legacy_state_root()
            .filter(|old| *old != sr.path && old.is_dir())
    }

    /// What `{project_slug}` in `paths.state_root_default` stands for: the manifest's slug, a
    /// dash, and the first 12 hex digits of the SHA-256 of the canonical project root. Two
    /// repositories with one project name, or two worktrees of one repository, never share a
    /// state root. Moving the repository gives it a new, empty one: pass `--state-root` (or set
    /// `WAZIR_STATE_ROOT`) to keep using the old one, or move that folder to the new name.
    pub fn state_key(&self) -> String {
        let canonical = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        let digest = crate::digest::sha256_hex(canonical.to_string_lossy().as_bytes());
        format!("{}-{}", self.manifest.slug(), &digest[..12])
    }

    /// The state root an older Wazir chose by default (`{project_slug}` was the bare slug), when
    /// the template names the slug at all: [`Project::state_root`] moves it to today's path.
    pub fn legacy_state_root(&self) -> Option<PathBuf> {
        let template = &self.manifest.paths.state_root_default;
        if !template.contains("{project_slug}") {
            return None;
        }
        state_root::resolve(None, None, template, &self.manifest.slug(), &self.root)
            .ok()
            .map(|s| s.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_root_from_nested_folder_and_fails_outside() {
        let dir = tempfile::tempdir().unwrap();
        let kit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kit/wazir.manifest.yaml");
        std::fs::copy(kit, dir.path().join(MANIFEST_FILE)).unwrap();
        let nested = dir.path().join("a/b/c");
        std::fs::create_dir_all(&nested).unwrap();
        let p = Project::discover(&nested).unwrap();
        assert_eq!(p.root, dir.path());

        let outside = tempfile::tempdir().unwrap();
        let err = Project::discover(outside.path()).unwrap_err();
        assert!(err.to_string().contains("wazir init"), "{err}");
    }
}
