//! Where run state lives: `--state-root`, else `WAZIR_STATE_ROOT`, else the manifest's
//! `state_root_default` with `~` and `{project_slug}` expanded. State lives outside the
//! repository; a folder inside it is accepted only when git ignores it.

use std::path::{Path, PathBuf};

pub const ENV_VAR: &str = "WAZIR_STATE_ROOT";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StateRootSource {
    Flag,
    Env,
    ManifestDefault,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StateRoot {
    pub path: PathBuf,
    pub source: StateRootSource,
    /// Set when this resolution found the state root an older Wazir kept under the bare project
    /// name ([`crate::Project::state_root`]): moved here, or still used there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legacy: Option<Legacy>,
}

/// What became of the state root an older Wazir kept under the bare project name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Legacy {
    /// It was moved to today's path by this command.
    Moved { from: PathBuf },
    /// It could not be moved (the error says why), so it is used where it is.
    InPlace { reason: String },
}

/// Moves an older state root `old` to `new` (one rename; `new`'s parent is created first). When
/// two processes race, one rename wins and the other fails with `old` gone and `new` present.
pub fn move_legacy(old: &Path, new: &Path) -> std::io::Result<()> {
    if let Some(parent) = new.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::rename(old, new)
}

#[derive(Debug, thiserror::Error)]
pub enum StateRootError {
    #[error(
        "the state root `{0}` starts with `~` but no home folder is known: set HOME, or pass \
         --state-root / WAZIR_STATE_ROOT with an absolute path"
    )]
    NoHome(String),
    #[error("the state root is empty: pass --state-root PATH or set paths.state_root_default")]
    Empty,
}

/// Resolves the state root. Relative `flag` and `env` paths are taken from the current folder;
/// a relative manifest default from the project `root`.
pub fn resolve(
    flag: Option<&Path>,
    env: Option<&Path>,
    manifest_default: &str,
    slug: &str,
    root: &Path,
) -> Result<StateRoot, StateRootError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| root.to_path_buf());
    if let Some(p) = flag.filter(|p| !p.as_os_str().is_empty()) {
        return Ok(StateRoot {
            path: normalize(&cwd.join(expand_home(&p.to_string_lossy())?)),
            source: StateRootSource::Flag,
            legacy: None,
        });
    }
    if let Some(p) = env.filter(|p| !p.as_os_str().is_empty()) {
        return Ok(StateRoot {
            path: normalize(&cwd.join(expand_home(&p.to_string_lossy())?)),
            source: StateRootSource::Env,
            legacy: None,
        });
    }
    let filled = manifest_default.replace("{project_slug}", slug);
    if filled.trim().is_empty() {
        return Err(StateRootError::Empty);
    }
    Ok(StateRoot {
        path: normalize(&root.join(expand_home(&filled)?)),
        source: StateRootSource::ManifestDefault,
        legacy: None,
    })
}

fn expand_home(p: &str) -> Result<PathBuf, StateRootError> {
    if p == "~" || p.starts_with("~/") {
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .ok_or_else(|| StateRootError::NoHome(p.to_string()))?;
        let rest = p.trim_start_matches('~').trim_start_matches('/');
        Ok(PathBuf::from(home).join(rest))
    } else {
        Ok(PathBuf::from(p))
    }
}

use crate::paths::normalize;

impl StateRoot {
    /// True when the state root is inside the project folder.
    pub fn is_repo_local(&self, root: &Path) -> bool {
        self.path.starts_with(normalize(root))
    }

    /// For a repo-local state root: whether git ignores it (asks `git check-ignore`). A state
    /// root outside the repository is always acceptable. Not for the hook path: it runs git.
    pub fn repo_local_is_ignored(&self, root: &Path) -> bool {
        if !self.is_repo_local(root) {
            return true;
        }
        std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["check-ignore", "-q", "--no-index"])
            // A trailing slash lets directory-only patterns (`state/`) match a folder that
            // does not exist yet.
            .arg(format!("{}/", self.path.display()))
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_flag_env_default() {
        let root = Path::new("/proj");
        let d = "~/.wazir/projects/{project_slug}";
        let home = std::env::var("HOME").unwrap();
        let r = resolve(None, None, d, "my-app", root).unwrap();
        assert_eq!(r.source, StateRootSource::ManifestDefault);
        assert_eq!(r.path, Path::new(&home).join(".wazir/projects/my-app"));

        let r = resolve(None, Some(Path::new("/tmp/env-root")), d, "x", root).unwrap();
        assert_eq!(
            (r.path.as_path(), r.source),
            (Path::new("/tmp/env-root"), StateRootSource::Env)
        );

        let r = resolve(
            Some(Path::new("/tmp/flag")),
            Some(Path::new("/tmp/env")),
            d,
            "x",
            root,
        )
        .unwrap();
        assert_eq!(
            (r.path.as_path(), r.source),
            (Path::new("/tmp/flag"), StateRootSource::Flag)
        );
    }

    #[test]
    fn relative_default_is_under_the_root_and_detected_as_repo_local() {
        let root = Path::new("/proj");
        let r = resolve(None, None, ".wazir-state/{project_slug}", "app", root).unwrap();
        assert_eq!(r.path, Path::new("/proj/.wazir-state/app"));
        assert!(r.is_repo_local(root));
        let r = resolve(None, None, "../state/./{project_slug}", "app", root).unwrap();
        assert_eq!(r.path, Path::new("/state/app"));
        assert!(!r.is_repo_local(root));
    }

    #[test]
    fn repo_local_state_root_must_be_git_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let ok = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(root)
            .status()
            .unwrap();
        assert!(ok.success());
        let sr = resolve(None, None, ".wazir-state", "app", root).unwrap();
        assert!(!sr.repo_local_is_ignored(root));
        std::fs::write(root.join(".gitignore"), ".wazir-state/\n").unwrap();
        assert!(sr.repo_local_is_ignored(root));
    }
}
