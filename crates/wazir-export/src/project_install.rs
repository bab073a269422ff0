//! A host's project-level files (`.claude/…`, `CLAUDE.md`, `.codex/hooks.json`, …) in a project:
//! planning them ([`plan_host`]: every input read and checked, nothing written), writing a plan
//! ([`apply_host`]), the install records that say what was written, and the one freshness check
//! that `wazir doctor` and `wazir export check` share ([`check_installed`]).
//!
//! A plan never damages what it finds: an existing file keeps its mode and a symbolic link is
//! written through (both by `wazir_core::fsio`), a read-only file is reported and left alone, an
//! unmatched `wazir:begin` marker or a malformed settings file is an error before any write.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;
use wazir_core::Project;
use wazir_core::fsio::{atomic_write, write_target};
use wazir_hosts::Host;

use crate::package::{ProjectContent, project_files};
use crate::sources::{self, Sources};
use crate::{compiler_id, merge, render};

/// What a plan does with one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileChange {
    /// The file does not exist: written.
    Create,
    /// Ours alone and different: replaced.
    Update,
    /// The user's file (settings or instructions) with our part put in.
    Merge,
    /// Already as it should be.
    Unchanged,
    /// It should change but is read-only: reported, left alone.
    ReadOnly,
    /// A link to a file another host of this plan writes: that host's write serves both.
    SharedLink,
}

impl FileChange {
    pub fn writes(self) -> bool {
        matches!(self, Self::Create | Self::Update | Self::Merge)
    }
}

/// One file of a host plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedFile {
    /// Relative to the target folder, `/`-separated.
    pub path: String,
    pub change: FileChange,
    /// Where the bytes go when `path` is a symbolic link (written through, the link kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub through_link: Option<PathBuf>,
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// The file the write changes (`path` resolved through links).
    #[serde(skip)]
    pub real: PathBuf,
}

/// Everything one host needs in a project, planned.
#[derive(Debug, Clone, Serialize)]
pub struct HostPlan {
    pub host: Host,
    pub files: Vec<PlannedFile>,
    /// What the user must still do, and what was left alone.
    pub notes: Vec<String>,
}

impl HostPlan {
    pub fn count(&self, change: FileChange) -> usize {
        self.files.iter().filter(|f| f.change == change).count()
    }
}

/// Plans the project-level files of `host` in `target` from the sources of `project` (which may
/// be a staged copy of the kit): reads every file it would change, merges settings and
/// instruction blocks in memory, and fails, naming the file, on anything it cannot merge safely.
pub fn plan_host(project: &Project, host: Host, target: &Path) -> Result<HostPlan> {
    let mut src = Sources::load(project, host.carries_briefs())?;
    src.compose_briefs()?;
    plan_from_sources(&src, host, target)
}

fn plan_from_sources(src: &Sources, host: Host, target: &Path) -> Result<HostPlan> {
    let mut plan = HostPlan {
        host,
        files: Vec::new(),
        notes: Vec::new(),
    };
    for f in project_files(src, host) {
        let path = target.join(&f.path);
        let real =
            write_target(&path).with_context(|| format!("cannot follow {}", path.display()))?;
        let through_link = (real != path).then(|| real.clone());
        let existing = match std::fs::read(&real) {
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
                let merged = merge::merge_block(&path, text.as_deref(), &block)?;
                (merged.into_bytes(), existing.is_some())
            }
            ProjectContent::MergeSettings(ours) => {
                let text = existing
                    .as_ref()
                    .map(|b| String::from_utf8_lossy(b).into_owned());
                match merge::merge_settings_text(&path, text.as_deref(), &ours, host)? {
                    Some(b) => (b, existing.is_some()),
                    None => (existing.clone().unwrap_or_default(), existing.is_some()),
                }
            }
        };
        let change = if existing.as_deref() == Some(bytes.as_slice()) {
            FileChange::Unchanged
        } else if existing.is_some() && is_read_only(&real) {
            plan.notes.push(format!(
                "{} is read-only: left as it is; make it writable and run `wazir init` again",
                f.path
            ));
            FileChange::ReadOnly
        } else if existing.is_none() {
            FileChange::Create
        } else if merged {
            FileChange::Merge
        } else {
            FileChange::Update
        };
        plan.files.push(PlannedFile {
            path: f.path,
            change,
            through_link,
            bytes,
            real,
        });
    }
    if host == Host::Codex {
        plan.notes.push(
            "Codex runs project hooks only when the project is trusted (`trust_level = \"trusted\"` \
             under its `[projects.\"…\"]` in ~/.codex/config.toml, or yes to `codex`'s trust \
             prompt) and each hook is trusted (start `codex` here, open `/hooks`, trust the Wazir \
             hooks); `codex exec` never asks, so without both the guards are off. `wazir doctor` \
             checks both"
                .into(),
        );
    }
    Ok(plan)
}

fn is_read_only(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.permissions().readonly())
}

/// Writes what `plan` says into `target` (each file atomically, modes kept, links followed),
/// then records what the project files of the host now hold, from `project`'s sources.
pub fn apply_host(project: &Project, plan: &HostPlan, target: &Path) -> Result<()> {
    write_host_files(plan, target)?;
    record_host(project, plan, target)
}

/// Writes the files of `plan` that change.
pub fn write_host_files(plan: &HostPlan, target: &Path) -> Result<()> {
    for f in plan.files.iter().filter(|f| f.change.writes()) {
        atomic_write(&target.join(&f.path), &f.bytes)
            .with_context(|| format!("cannot write {}", target.join(&f.path).display()))?;
    }
    Ok(())
}

/// Records what the project files of `plan`'s host hold now. When hosts share a file (a link),
/// record only after every host has written.
pub fn record_host(project: &Project, plan: &HostPlan, target: &Path) -> Result<()> {
    let src = Sources::scan(project, plan.host.carries_briefs())?;
    let paths: Vec<String> = plan.files.iter().map(|f| f.path.clone()).collect();
    write_install_record(project, &src, plan.host, target, &paths)
}

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

impl InstallReport {
    fn from_plan(plan: &HostPlan) -> Self {
        let mut r = InstallReport {
            host: plan.host.as_str().to_string(),
            notes: plan.notes.clone(),
            ..Default::default()
        };
        for f in &plan.files {
            match f.change {
                FileChange::Create | FileChange::Update => r.written.push(f.path.clone()),
                FileChange::Merge => r.merged.push(f.path.clone()),
                FileChange::Unchanged | FileChange::ReadOnly | FileChange::SharedLink => {
                    r.unchanged.push(f.path.clone())
                }
            }
        }
        r
    }
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
    let plan = plan_host(project, host, target)?;
    if !dry_run {
        apply_host(project, &plan, target)?;
    }
    Ok(InstallReport::from_plan(&plan))
}

/// What [`apply_host`] last wrote for one host: the compiler, the sources it read and the digest
/// of every project file as it stood afterwards. It lets [`project_install_is_fresh`] answer
/// without composing anything.
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

/// Whether `wazir init` recorded an install of `host` into `target`.
pub fn has_install_record(project: &Project, host: Host, target: &Path) -> bool {
    install_record_path(project, host, target).is_file()
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

/// The one answer to "is `host` installed in the project and fresh?", for `doctor` and `export
/// check` alike: `Ok(vec![])` when fresh, else the project files that differ from what `wazir
/// init` would write now (read-only ones included: they are what keeps the install stale).
pub fn check_installed(project: &Project, host: Host) -> Result<Vec<String>> {
    if project_install_is_fresh(project, host, &project.root) {
        return Ok(Vec::new());
    }
    let plan = plan_host(project, host, &project.root)?;
    Ok(plan
        .files
        .iter()
        .filter(|f| f.change.writes() || f.change == FileChange::ReadOnly)
        .map(|f| f.path.clone())
        .collect())
}
