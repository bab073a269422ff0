//! Installing the embedded kit into a project (`wazir init`): which files to create, which to
//! update, and which to leave alone because the user changed them. A lock file
//! (`.wazir/kit.lock.json`) records the SHA-256 of every file as installed, so a later run can
//! tell "still as we wrote it" (safe to update) from "edited by the user" (kept unless `--force`).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fsio::atomic_write;
use crate::kit;
use crate::manifest::{self, Manifest};
use crate::project::MANIFEST_FILE;

/// Where the kit's canonical folders go in a project that `wazir init` creates.
pub const KIT_DIR: &str = ".wazir";
/// The lock file, relative to the project root.
pub const LOCK_FILE: &str = ".wazir/kit.lock.json";

/// What init does with one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileAction {
    /// The file does not exist yet.
    Create,
    /// The file is as a previous init wrote it and the kit changed: replaced.
    Update,
    /// The file already has the kit's content.
    Unchanged,
    /// The user changed the file: left alone (`--force` overwrites).
    KeptUserChange,
    /// The user changed the file and `--force` was given: replaced.
    Overwrite,
}

impl FileAction {
    pub fn writes(self) -> bool {
        matches!(self, Self::Create | Self::Update | Self::Overwrite)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PlannedFile {
    /// Relative to the project root, `/`-separated.
    pub path: String,
    pub action: FileAction,
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// The whole plan; nothing is written until [`apply`].
#[derive(Debug, Clone, Serialize)]
pub struct KitInstallPlan {
    pub root: PathBuf,
    /// True when the project had no manifest and init creates one.
    pub new_manifest: bool,
    pub files: Vec<PlannedFile>,
    #[serde(skip)]
    lock: KitLock,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct KitLock {
    pub wazir_version: String,
    /// Installed file (relative path) → SHA-256 of the bytes init wrote.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("{0}")]
    Manifest(#[from] crate::yaml::YamlError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("the embedded kit has no {0}: this binary was built without its kit")]
    MissingKitFile(String),
    #[error(transparent)]
    Escape(#[from] crate::paths::Escape),
}

pub struct InstallOptions {
    /// Overwrite files the user changed.
    pub force: bool,
    /// Name for a new manifest (default: the folder name).
    pub project_name: Option<String>,
}

/// Plans installing the kit into `root`.
pub fn plan(root: &Path, opts: &InstallOptions) -> Result<KitInstallPlan, InstallError> {
    let manifest_path = root.join(MANIFEST_FILE);
    let lock = read_lock(root);
    let mut files = Vec::new();

    let (manifest, new_manifest) = if manifest_path.is_file() {
        let m = Manifest::read(&manifest_path)?;
        // Nothing is planned, let alone written, for a manifest that points outside the root.
        crate::paths::confine(root, &m, &manifest_path)?;
        (m, false)
    } else {
        let name = opts.project_name.clone().unwrap_or_else(|| {
            root.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "project".into())
        });
        let text = project_manifest_text(&name)?;
        let m = Manifest::from_str(Path::new(MANIFEST_FILE), &text)?;
        files.push(PlannedFile {
            path: MANIFEST_FILE.to_string(),
            action: FileAction::Create,
            bytes: text.into_bytes(),
        });
        (m, true)
    };

    for kit_path in kit::files() {
        if kit_path == MANIFEST_FILE {
            continue;
        }
        let Some(target) = target_path(&manifest, &kit_path) else {
            continue;
        };
        let bytes = kit::get(&kit_path)
            .ok_or_else(|| InstallError::MissingKitFile(kit_path.clone()))?
            .into_owned();
        let action = decide(root, &target, &bytes, &lock, opts.force)?;
        files.push(PlannedFile {
            path: target,
            action,
            bytes,
        });
    }

    // Entries for files this run does not plan (a manifest init wrote earlier) carry over.
    let mut new_lock = KitLock {
        wazir_version: env!("CARGO_PKG_VERSION").to_string(),
        files: lock.files.clone(),
    };
    for f in &files {
        match f.action {
            FileAction::KeptUserChange => {
                if let Some(h) = lock.files.get(&f.path) {
                    new_lock.files.insert(f.path.clone(), h.clone());
                }
            }
            _ => {
                new_lock
                    .files
                    .insert(f.path.clone(), crate::digest::sha256_hex(&f.bytes));
            }
        }
    }
    Ok(KitInstallPlan {
        root: root.to_path_buf(),
        new_manifest,
        files,
        lock: new_lock,
    })
}

/// Writes what the plan says, each file atomically, then the lock file. Returns the paths
/// written (the lock file included when it changed).
pub fn apply(plan: &KitInstallPlan) -> Result<Vec<String>, InstallError> {
    let mut written = Vec::new();
    for f in plan.files.iter().filter(|f| f.action.writes()) {
        let p = plan.root.join(&f.path);
        atomic_write(&p, &f.bytes).map_err(|source| InstallError::Io {
            path: p.display().to_string(),
            source,
        })?;
        written.push(f.path.clone());
    }
    let lock_path = plan.root.join(LOCK_FILE);
    let mut text = serde_json::to_string_pretty(&plan.lock).expect("lock serialises");
    text.push('\n');
    let old = std::fs::read(&lock_path).ok();
    if old.as_deref() != Some(text.as_bytes()) {
        atomic_write(&lock_path, text.as_bytes()).map_err(|source| InstallError::Io {
            path: lock_path.display().to_string(),
            source,
        })?;
        written.push(LOCK_FILE.to_string());
    }
    Ok(written)
}

fn decide(
    root: &Path,
    target: &str,
    kit_bytes: &[u8],
    lock: &KitLock,
    force: bool,
) -> Result<FileAction, InstallError> {
    let p = root.join(target);
    let current = match std::fs::read(&p) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(FileAction::Create),
        Err(source) => {
            return Err(InstallError::Io {
                path: p.display().to_string(),
                source,
            });
        }
    };
    if current == kit_bytes {
        return Ok(FileAction::Unchanged);
    }
    let untouched = lock
        .files
        .get(target)
        .is_some_and(|h| *h == crate::digest::sha256_hex(&current));
    Ok(if untouched {
        FileAction::Update
    } else if force {
        FileAction::Overwrite
    } else {
        FileAction::KeptUserChange
    })
}

/// Where a kit file goes in a project: its top folder is one of the manifest's `paths`.
fn target_path(m: &Manifest, kit_path: &str) -> Option<String> {
    let (top, rest) = kit_path.split_once('/')?;
    let base = m
        .paths
        .folders()
        .into_iter()
        .find(|(field, _)| *field == top)
        .map(|(_, dir)| dir)?;
    Some(format!("{}/{}", base.trim_end_matches('/'), rest))
}

fn read_lock(root: &Path) -> KitLock {
    std::fs::read(root.join(LOCK_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// The manifest for a new project: the kit's manifest with the project's own name, every
/// canonical folder under `.wazir/`, and the protected paths to match.
pub fn project_manifest_text(name: &str) -> Result<String, InstallError> {
    let kit_text = kit::text(MANIFEST_FILE)
        .ok_or_else(|| InstallError::MissingKitFile(MANIFEST_FILE.into()))?;
    let mut m = Manifest::from_str(Path::new(MANIFEST_FILE), &kit_text)?;
    let slug = manifest::slug(name);
    m.project.name = slug;
    m.project.display_name = Some(name.to_string());
    m.project.version = "0.1.0".to_string();
    m.project.description = Some(format!(
        "{name}, set up for disciplined agent work with Wazir."
    ));
    m.project.license = None;
    let p = &mut m.paths;
    for dir in [
        &mut p.input,
        &mut p.roles,
        &mut p.workflows,
        &mut p.skills,
        &mut p.hooks,
        &mut p.templates,
        &mut p.schemas,
        &mut p.expertise,
        &mut p.docs,
        &mut p.exports,
        &mut p.memory,
    ] {
        *dir = format!("{KIT_DIR}/{dir}");
    }
    for t in m.export_targets.values_mut() {
        t.path = format!("{KIT_DIR}/{}", t.path);
    }
    for pp in &mut m.protected_paths {
        if pp != MANIFEST_FILE {
            *pp = format!("{KIT_DIR}/{pp}");
        }
    }
    let body = serde_saphyr::to_string(&m).map_err(|e| InstallError::Io {
        path: MANIFEST_FILE.into(),
        source: io::Error::other(e.to_string()),
    })?;
    Ok(format!(
        "# Wazir project manifest, written by `wazir init`. Check it with `wazir validate manifest`.\n\
         # The canonical sources live under {KIT_DIR}/; run state lives outside the repository\n\
         # (paths.state_root_default).\n{body}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(force: bool) -> InstallOptions {
        InstallOptions {
            force,
            project_name: Some("Demo App".into()),
        }
    }

    #[test]
    fn new_project_gets_manifest_and_kit_under_dot_wazir() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan(dir.path(), &opts(false)).unwrap();
        assert!(plan.new_manifest);
        assert!(plan.files.iter().all(|f| f.action == FileAction::Create));
        apply(&plan).unwrap();
        let m = Manifest::read(&dir.path().join(MANIFEST_FILE)).unwrap();
        assert_eq!(m.project.name, "demo-app");
        assert_eq!(m.paths.roles, ".wazir/roles");
        assert!(m.protected_paths.contains(&".wazir/roles".to_string()));
        assert!(m.protected_paths.contains(&MANIFEST_FILE.to_string()));
        assert!(dir.path().join(".wazir/kit.lock.json").is_file());
    }

    #[test]
    fn second_run_changes_nothing_and_user_edits_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        apply(&plan(dir.path(), &opts(false)).unwrap()).unwrap();
        let again = plan(dir.path(), &opts(false)).unwrap();
        let changed: Vec<_> = again
            .files
            .iter()
            .filter(|f| f.action != FileAction::Unchanged)
            .map(|f| (&f.path, f.action))
            .collect();
        assert!(changed.is_empty(), "{changed:?}");
        assert!(apply(&again).unwrap().is_empty());

        let manifest = Manifest::read(&dir.path().join(MANIFEST_FILE)).unwrap();
        let role = dir.path().join(manifest.role_file("reviewer"));
        if role.is_file() {
            std::fs::write(&role, "# my own reviewer\n").unwrap();
            let p = plan(dir.path(), &opts(false)).unwrap();
            let f = p
                .files
                .iter()
                .find(|f| f.path.ends_with("roles/reviewer.md"))
                .unwrap();
            assert_eq!(f.action, FileAction::KeptUserChange);
            apply(&p).unwrap();
            assert_eq!(
                std::fs::read_to_string(&role).unwrap(),
                "# my own reviewer\n"
            );
            let p = plan(dir.path(), &opts(true)).unwrap();
            let f = p
                .files
                .iter()
                .find(|f| f.path.ends_with("roles/reviewer.md"))
                .unwrap();
            assert_eq!(f.action, FileAction::Overwrite);
        }
    }

    #[test]
    fn untouched_file_from_an_older_kit_is_updated() {
        let dir = tempfile::tempdir().unwrap();
        apply(&plan(dir.path(), &opts(false)).unwrap()).unwrap();
        // Simulate an older kit: the installed file and its lock hash both hold old content.
        let rel = ".wazir/input/README.md";
        std::fs::write(dir.path().join(rel), "old kit text\n").unwrap();
        let mut lock = read_lock(dir.path());
        lock.files
            .insert(rel.into(), crate::digest::sha256_hex(b"old kit text\n"));
        std::fs::write(
            dir.path().join(LOCK_FILE),
            serde_json::to_vec(&lock).unwrap(),
        )
        .unwrap();
        let p = plan(dir.path(), &opts(false)).unwrap();
        assert_eq!(
            p.files.iter().find(|f| f.path == rel).unwrap().action,
            FileAction::Update
        );
    }
}
