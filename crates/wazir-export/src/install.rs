//! The half of export that `wazir init` uses: writing a host's project-level files into the
//! project (merging settings and instruction files with what is there), and the records of what
//! was written (`exports/project-install/<host>.json`) that let `doctor` judge them fresh from
//! digests alone.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;
use wazir_core::Project;
use wazir_core::fsio::atomic_write;
use wazir_hosts::Host;

use crate::merge;
use crate::package::{ProjectContent, project_files};
use crate::plan::compiler_id;
use crate::render;
use crate::sources::{self, Sources};

/// What [`install_project_files`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct InstallReport {
    pub host: String,
    /// Files created or replaced, relative to the target.
    pub written: Vec<String>,
    /// Settings and instruction files merged with the user's content.
    pub merged: Vec<String>,
    pub unchanged: Vec<String>,
    /// What the user must still do, and what was left out on purpose.
    pub notes: Vec<String>,
}

/// Writes the project-level files of `host` into `target`: our own files whole, instruction files
/// as a marked block, settings merged (every user key and hook kept, ours added once). A second
/// run changes no byte. With `dry_run` nothing is written and the report says what would be.
///
/// Cursor can run `.claude/settings.json` hooks too (when its third-party hooks setting is on).
/// `.cursor/hooks.json` still registers every behaviour, so the guards hold with that setting
/// off; with it on, the hook runtime answers a `--host claude` call that carries Cursor's payload
/// with nothing, so each guard runs once.
pub fn install_project_files(
    project: &Project,
    host: Host,
    target: &Path,
    dry_run: bool,
) -> Result<InstallReport> {
    let mut src = Sources::load(project, host.carries_briefs())?;
    src.compose_briefs()?;
    let mut report = InstallReport {
        host: host.as_str().to_string(),
        ..Default::default()
    };
    let mut installed_paths = Vec::new();
    for f in project_files(&src, host) {
        installed_paths.push(f.path.clone());
        let path = target.join(&f.path);
        let existing = match std::fs::read(&path) {
            Ok(b) => Some(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let (bytes, merged) = match f.content {
            ProjectContent::Whole(b) => (b, false),
            ProjectContent::MarkedBlock(block) => {
                let text = existing
                    .as_ref()
                    .map(|b| String::from_utf8_lossy(b).into_owned());
                (
                    merge::merge_block(text.as_deref(), &block).into_bytes(),
                    existing.is_some(),
                )
            }
            ProjectContent::MergeSettings(ours) => {
                let current = existing
                    .as_ref()
                    .map(|b| merge::parse_json(&path, &String::from_utf8_lossy(b)))
                    .transpose()?;
                let value = merge::merge_settings(&path, current.clone(), &ours, host)?;
                if current.as_ref() == Some(&value) {
                    report.unchanged.push(f.path.clone());
                    continue;
                }
                (render::json_bytes(&value), existing.is_some())
            }
        };
        if existing.as_deref() == Some(bytes.as_slice()) {
            report.unchanged.push(f.path.clone());
            continue;
        }
        if !dry_run {
            atomic_write(&path, &bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        if merged {
            report.merged.push(f.path.clone());
        } else {
            report.written.push(f.path.clone());
        }
    }
    if !dry_run {
        write_install_record(project, &src, host, target, &installed_paths)?;
    }
    if host == Host::Codex {
        report.notes.push(
            "Codex runs project hooks only after you trust them: open Codex here and approve the \
             hooks in .codex/hooks.json"
                .into(),
        );
    }
    Ok(report)
}

/// What [`install_project_files`] last wrote for one host: the compiler, the sources it read and
/// the digest of every project file as it stood afterwards. It lets [`project_install_is_fresh`]
/// answer without composing anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
struct InstallRecord {
    compiler: String,
    host: String,
    sources: Vec<(String, String)>,
    files: Vec<(String, String)>,
}

fn install_record_path(project: &Project, host: Host, target: &Path) -> PathBuf {
    target
        .join(&project.manifest.paths.exports)
        .join("project-install")
        .join(format!("{}.json", host.as_str()))
}

fn write_install_record(
    project: &Project,
    src: &Sources,
    host: Host,
    target: &Path,
    paths: &[String],
) -> Result<()> {
    let mut files = Vec::new();
    for p in paths {
        let bytes = std::fs::read(target.join(p))
            .with_context(|| format!("cannot read {} after writing it", p))?;
        files.push((p.clone(), sources::blake3_hex(&bytes)));
    }
    files.sort();
    let record = InstallRecord {
        compiler: compiler_id().to_string(),
        host: host.as_str().to_string(),
        sources: src
            .read_for(host.carries_briefs())
            .map(|(p, f)| (p.clone(), f.blake3.clone()))
            .collect(),
        files,
    };
    let path = install_record_path(project, host, target);
    let bytes = render::json_bytes(&serde_json::to_value(&record)?);
    if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
        atomic_write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Whether the project files of `host` in `target` are exactly what [`install_project_files`]
/// wrote from the current sources, judged from digests alone (no parsing, no composing). `false`
/// means "not known to be fresh": run the install with `dry_run` to learn what differs.
pub fn project_install_is_fresh(project: &Project, host: Host, target: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(install_record_path(project, host, target)) else {
        return false;
    };
    let Ok(record) = serde_json::from_str::<InstallRecord>(&text) else {
        return false;
    };
    if record.compiler != compiler_id() || record.host != host.as_str() {
        return false;
    }
    let Ok(src) = Sources::scan(project, host.carries_briefs()) else {
        return false;
    };
    let now: Vec<(String, String)> = src
        .read_for(host.carries_briefs())
        .map(|(p, f)| (p.clone(), f.blake3.clone()))
        .collect();
    if now != record.sources {
        return false;
    }
    record.files.iter().all(|(p, digest)| {
        std::fs::read(target.join(p)).is_ok_and(|b| sources::blake3_hex(&b) == *digest)
    })
}
