//! The export compiler: turns a project's canonical sources (manifest, roles, workflows, skills,
//! hook definitions) into each host's native package ([`build`]), checks the packages on disk for
//! drift ([`check`]), and writes a host's project-level files into a project, merging with the
//! settings already there ([`install_project_files`], used by `wazir init`).
//!
//! Export is the approved regeneration flow ([`APPROVED_FLOW`]): the only writer of the protected
//! `exports/hosts/` folders. Output is deterministic (sorted, no timestamps) and every write is
//! atomic.

mod check;
pub mod init;
pub mod jsonc;
mod layout;
pub mod manifest;
pub mod merge;
pub mod package;
mod plan;
pub mod project_install;
pub mod render;
pub mod sources;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;
use wazir_core::Project;
use wazir_core::fsio::atomic_write;
use wazir_core::paths::normalize;

use layout::display_rel;
use manifest::ExportManifest;
use plan::{Plan, read_manifest};
use render::{PackageFile, registrations, unit_name};
use sources::{Sources, sha256_hex};
use wazir_hosts::Host;

/// The environment variable naming an approved flow, and the flow export runs as: the one route
/// by which generated host packages may change (the protected-path guard knows it too).
pub use wazir_hosts::{APPROVED_FLOW, APPROVED_FLOW_ENV};

/// The marketplace file, at the root of the repository that holds the Claude Code package.
pub const MARKETPLACE_FILE: &str = ".claude-plugin/marketplace.json";

pub use check::{CheckReport, Finding, FindingKind, check};
pub use layout::{marketplace_root, package_dir, select_hosts};
pub use plan::{compile, compiler_id};
pub use project_install::{
    InstallReport, check_installed, install_project_files, project_install_is_fresh,
};

/// One host's package as built: where it goes and every file in it.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub host: Host,
    pub dir: PathBuf,
    /// Path relative to `dir` (may climb out with `..`, for the marketplace) and bytes, sorted.
    pub files: Vec<PackageFile>,
    pub manifest: ExportManifest,
}

/// What `build` did for one host; its JSON shape is `kit/schemas/host-export-package.schema.json`.
#[derive(Debug, Clone, Serialize)]
pub struct PackageSummary {
    pub host: String,
    pub display_name: String,
    /// The package folder, relative to the project root.
    pub path: String,
    pub files: usize,
    pub written: usize,
    pub unchanged: usize,
    pub removed: Vec<String>,
    pub sources: usize,
    pub hooks: Vec<HookSummary>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HookSummary {
    pub behaviour: String,
    pub hook_id: String,
    pub host_event: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matcher: Option<String>,
    pub timeout: u64,
    pub timeout_unit: String,
    pub fail_closed: bool,
    pub command: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub packages: Vec<PackageSummary>,
}

fn summary(project: &Project, src: &Sources, c: &Compiled) -> PackageSummary {
    // One entry per behaviour and host event, naming the command that carries it (a combined
    // `pre-tool` command carries three).
    let hooks = registrations(src, c.host)
        .into_iter()
        .flat_map(|r| {
            r.parts
                .iter()
                .map(move |p| HookSummary {
                    behaviour: p.event.as_str().to_string(),
                    hook_id: p.id.clone(),
                    host_event: r.host_event.to_string(),
                    matcher: r.matcher.map(str::to_string),
                    timeout: r.timeout,
                    timeout_unit: unit_name(c.host).to_string(),
                    fail_closed: r.fail_closed,
                    command: r.command.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut notes = Vec::new();
    match c.host {
        Host::Claude => notes.push(format!(
            "install as a plugin: /plugin marketplace add <repository>, then /plugin install {}",
            src.package_name()
        )),
        Host::Codex => notes.push(
            "Codex runs project hooks only when the project is trusted (`trust_level = \"trusted\"`) \
             and each hook is trusted in `/hooks`; `codex exec` never asks. `wazir doctor` checks \
             both"
                .to_string(),
        ),
        Host::Gemini => notes.push(format!(
            "install the extension: gemini extensions install {}",
            display_rel(&project.root, &c.dir)
        )),
        Host::Cursor => notes.push(
            "Cursor may also run .claude/settings.json hooks; a `wazir hook --host claude` call \
             that arrives with Cursor's payload does nothing, so each guard runs once, from \
             .cursor/hooks.json"
                .to_string(),
        ),
    }
    PackageSummary {
        host: c.host.as_str().to_string(),
        display_name: c.host.display_name().to_string(),
        path: display_rel(&project.root, &c.dir),
        files: c.files.len() + 1,
        written: 0,
        unchanged: 0,
        removed: Vec::new(),
        sources: c.manifest.sources.len(),
        hooks,
        notes,
    }
}

/// Builds the packages of `hosts` (all the manifest's hosts when empty) into their folders, or
/// under `out`. Only files whose bytes change are rewritten; files an earlier build wrote that
/// are no longer produced are removed when unedited.
pub fn build(project: &Project, hosts: &[Host], out: Option<&Path>) -> Result<Report> {
    // Every declared path must stay inside the project before anything is written.
    wazir_core::paths::confine(&project.root, &project.manifest, &project.manifest_path)?;
    let mut plan = Plan::new(project, hosts, out)?;
    let mut packages = Vec::new();
    for (host, dir, fresh) in plan.hosts.clone() {
        if fresh && let Ok(m) = read_manifest(&dir.join(manifest::FILE_NAME)) {
            let files = m.files.len() + 1;
            let c = Compiled {
                host,
                dir,
                files: Vec::new(),
                manifest: m,
            };
            let mut s = summary(project, &plan.src, &c);
            s.files = files;
            s.unchanged = files;
            packages.push(s);
            continue;
        }
        let c = plan.compile(project, host, out)?;
        let mut s = summary(project, &plan.src, &c);
        let manifest_path = c.dir.join(manifest::FILE_NAME);
        let previous = read_manifest(&manifest_path).ok();
        let mut all: Vec<(PathBuf, &[u8])> = c
            .files
            .iter()
            .map(|f| (normalize(&c.dir.join(&f.path)), f.bytes.as_slice()))
            .collect();
        let manifest_bytes = c.manifest.to_bytes();
        all.push((manifest_path.clone(), &manifest_bytes));
        for (path, bytes) in all {
            if std::fs::read(&path).ok().as_deref() == Some(bytes) {
                s.unchanged += 1;
                continue;
            }
            atomic_write(&path, bytes).with_context(|| {
                format!(
                    "cannot write {}: check the folder's permissions and free space",
                    path.display()
                )
            })?;
            s.written += 1;
        }
        if let Some(prev) = previous {
            let now: BTreeSet<&str> = c.files.iter().map(|f| f.path.as_str()).collect();
            for old in prev.files.iter().filter(|f| !now.contains(f.path.as_str())) {
                let p = normalize(&c.dir.join(&old.path));
                if std::fs::read(&p).map(|b| sha256_hex(&b)).ok().as_deref()
                    == Some(old.sha256.as_str())
                {
                    std::fs::remove_file(&p)
                        .with_context(|| format!("cannot remove {}", p.display()))?;
                    s.removed.push(display_rel(&project.root, &p));
                }
            }
        }
        packages.push(s);
    }
    Ok(Report { packages })
}
