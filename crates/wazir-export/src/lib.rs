//! The export compiler: turns a project's canonical sources (manifest, roles, workflows, skills,
//! hook definitions) into each host's native package ([`build`]), checks the packages on disk for
//! drift ([`check`]), and writes a host's project-level files into a project, merging with the
//! settings already there ([`install_project_files`], used by `wazir init`).
//!
//! Export is the approved regeneration flow ([`APPROVED_FLOW`]): the only writer of the protected
//! `exports/hosts/` folders. Output is deterministic (sorted, no timestamps) and every write is
//! atomic.

pub mod init;
pub mod jsonc;
pub mod manifest;
pub mod merge;
pub mod package;
pub mod project_install;
pub mod render;
pub mod sources;

pub use project_install::{
    InstallReport, check_installed, install_project_files, project_install_is_fresh,
};

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;
use wazir_core::Project;
use wazir_core::fsio::atomic_write;
use wazir_core::paths::normalize;

use manifest::{ExportManifest, FileEntry, SourceEntry};
use package::package_files;
use render::{PackageFile, registrations, unit_name};
use sources::{Sources, sha256_hex};
use wazir_hosts::Host;

/// The environment variable naming an approved flow, and the flow export runs as: the one route
/// by which generated host packages may change (the protected-path guard knows it too).
pub use wazir_hosts::{APPROVED_FLOW, APPROVED_FLOW_ENV};

/// The marketplace file, at the root of the repository that holds the Claude Code package.
pub const MARKETPLACE_FILE: &str = ".claude-plugin/marketplace.json";

/// The export code whose behaviour decides the bytes of a package.
const COMPILER_CODE: [&str; 9] = [
    include_str!("lib.rs"),
    include_str!("manifest.rs"),
    include_str!("render.rs"),
    include_str!("sources.rs"),
    include_str!("package/mod.rs"),
    include_str!("package/claude.rs"),
    include_str!("package/codex.rs"),
    include_str!("package/gemini.rs"),
    include_str!("package/cursor.rs"),
];

/// The fingerprint of this compiler: SHA-256 over the version, the export code and the host
/// facts it reads (every host's registration, matcher and timeout for every behaviour). The
/// composition engine is not part of it: a change there shows up when a build rewrites agent
/// files.
pub fn compiler_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        for code in COMPILER_CODE {
            h.update((code.len() as u64).to_le_bytes());
            h.update(code.as_bytes());
        }
        for host in Host::ALL {
            for e in wazir_hosts::HookEvent::ALL {
                for r in host.registrations(e) {
                    h.update(
                        format!(
                            "{host} {} {} {:?} {}\n",
                            e.as_str(),
                            r.host_event,
                            r.matcher,
                            host.timeout_value(render::timeout_seconds(e))
                        )
                        .as_bytes(),
                    );
                }
            }
        }
        hex::encode(h.finalize())
    })
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A source changed since the build: the file no longer matches what the sources produce.
    Stale,
    /// A file the package should have is not on disk.
    Missing,
    /// The file differs from what the last build wrote.
    HandEdited,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Stale => "stale",
            FindingKind::Missing => "missing",
            FindingKind::HandEdited => "hand-edited",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub host: String,
    pub kind: FindingKind,
    /// The file, relative to the project root.
    pub path: String,
    pub detail: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.path, self.kind.as_str(), self.detail)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub ok: bool,
    pub hosts: Vec<String>,
    /// Sources that changed since the packages were built, project-relative.
    pub changed_sources: Vec<String>,
    pub findings: Vec<Finding>,
    /// The command that brings every package back in line, when something is wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// The hosts to work on: those asked for, else the manifest's `hosts` (unknown names are errors).
pub fn select_hosts(project: &Project, asked: &[Host]) -> Result<Vec<Host>> {
    let mut hosts: Vec<Host> = if asked.is_empty() {
        project
            .manifest
            .hosts
            .iter()
            .map(|h| {
                h.parse::<Host>().map_err(|e| {
                    anyhow::anyhow!("{}: `hosts`: {e}", project.manifest_path.display())
                })
            })
            .collect::<Result<_>>()?
    } else {
        asked.to_vec()
    };
    hosts.sort();
    hosts.dedup();
    Ok(hosts)
}

/// The package folder of `host`: `<out>/<host>` with `--out`, else the manifest's
/// `export_targets.<host>.path`, else `<paths.exports>/hosts/<host>`, under the project root.
pub fn package_dir(project: &Project, host: Host, out: Option<&Path>) -> PathBuf {
    if let Some(out) = out {
        return absolute(out).join(host.as_str());
    }
    let m = &project.manifest;
    match m.export_targets.get(host.as_str()) {
        Some(t) => project.root.join(&t.path),
        None => project
            .root
            .join(&m.paths.exports)
            .join("hosts")
            .join(host.as_str()),
    }
}

/// Where the marketplace goes: `--out` itself, else the nearest folder at or above the project
/// root holding `.git`, else the project root.
pub fn marketplace_root(project: &Project, out: Option<&Path>) -> PathBuf {
    if let Some(out) = out {
        return absolute(out);
    }
    let mut dir = Some(project.root.as_path());
    while let Some(d) = dir {
        if d.join(".git").exists() {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    project.root.clone()
}

/// Compiles the package of `host` in memory.
pub fn compile(project: &Project, src: &Sources, host: Host, out: Option<&Path>) -> Compiled {
    let dir = normalize(&package_dir(project, host, out));
    let mut files = package_files(src, host);
    if host == Host::Claude {
        let root = normalize(&marketplace_root(project, out));
        let source = relative(&root, &dir);
        let source = if source.is_empty() {
            "./".to_string()
        } else {
            format!("./{source}")
        };
        let market = root.join(MARKETPLACE_FILE);
        files.push(PackageFile::json(
            relative(&dir, &market),
            &package::claude::marketplace(src, &source),
        ));
        files.sort_by(|a, b| a.path.cmp(&b.path));
    }
    let manifest = ExportManifest {
        schema_version: manifest::SCHEMA_VERSION,
        generator: format!("wazir {}", env!("CARGO_PKG_VERSION")),
        compiler: compiler_id().to_string(),
        host: host.as_str().to_string(),
        project: src.manifest.project.name.clone(),
        project_version: src.manifest.project.version.clone(),
        flow: APPROVED_FLOW.to_string(),
        sources: src
            .read_for(host != Host::Codex)
            .map(|(p, f)| SourceEntry {
                path: p.clone(),
                sha256: f.sha256().to_string(),
                blake3: f.blake3.clone(),
            })
            .collect(),
        files: files
            .iter()
            .map(|f| FileEntry {
                path: f.path.clone(),
                sha256: sha256_hex(&f.bytes),
                blake3: sources::blake3_hex(&f.bytes),
                bytes: f.bytes.len() as u64,
            })
            .collect(),
    };
    Compiled {
        host,
        dir,
        files,
        manifest,
    }
}

fn summary(project: &Project, src: &Sources, c: &Compiled) -> PackageSummary {
    let hooks = registrations(src, c.host)
        .into_iter()
        .map(|r| HookSummary {
            behaviour: r.event.as_str().to_string(),
            hook_id: r.id,
            host_event: r.host_event.to_string(),
            matcher: r.matcher.map(str::to_string),
            timeout: r.timeout,
            timeout_unit: unit_name(c.host).to_string(),
            fail_closed: r.fail_closed,
            command: r.command,
        })
        .collect();
    let mut notes = Vec::new();
    match c.host {
        Host::Claude => notes.push(format!(
            "install as a plugin: /plugin marketplace add <repository>, then /plugin install {}",
            src.package_name()
        )),
        Host::Codex => notes.push(
            "Codex runs project hooks only after you trust them: open Codex in the project and \
             approve the hooks of .codex/hooks.json"
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
    let hosts = select_hosts(project, hosts)?;
    let briefs = needs_briefs(&hosts);
    let mut src = Sources::scan(project, briefs)?;
    let fresh = freshness(project, &src, &hosts, out);
    let mut packages = Vec::new();
    for (host, fresh) in hosts.into_iter().zip(fresh) {
        let dir = normalize(&package_dir(project, host, out));
        if fresh && let Ok(m) = read_manifest(&dir.join(manifest::FILE_NAME)) {
            let files = m.files.len() + 1;
            let c = Compiled {
                host,
                dir,
                files: Vec::new(),
                manifest: m,
            };
            let mut s = summary(project, &src, &c);
            s.files = files;
            s.unchanged = files;
            packages.push(s);
            continue;
        }
        if !src.parsed {
            src = Sources::load(project, briefs)?;
        }
        if host != Host::Codex {
            src.compose_briefs()?;
        }
        let c = compile(project, &src, host, out);
        let mut s = summary(project, &src, &c);
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

/// [`is_fresh`] for each of `hosts`, one thread per host (the work is reading and hashing).
fn freshness(project: &Project, src: &Sources, hosts: &[Host], out: Option<&Path>) -> Vec<bool> {
    std::thread::scope(|s| {
        let jobs: Vec<_> = hosts
            .iter()
            .map(|&h| {
                let dir = normalize(&package_dir(project, h, out));
                s.spawn(move || is_fresh(src, h, &dir))
            })
            .collect();
        jobs.into_iter()
            .map(|j| j.join().unwrap_or(false))
            .collect()
    })
}

/// Whether the package of `host` in `dir` is exactly what a build would write, judged without
/// compiling: the same compiler, the same sources (paths and hashes), and every recorded file on
/// disk with its recorded hash.
fn is_fresh(src: &Sources, host: Host, dir: &Path) -> bool {
    let Ok(m) = read_manifest(&dir.join(manifest::FILE_NAME)) else {
        return false;
    };
    if m.compiler != compiler_id() || m.host != host.as_str() {
        return false;
    }
    let now: Vec<_> = src.read_for(host != Host::Codex).collect();
    if now.len() != m.sources.len()
        || now
            .iter()
            .zip(&m.sources)
            .any(|((p, f), s)| **p != s.path || f.blake3 != s.blake3)
    {
        return false;
    }
    m.files.iter().all(|f| {
        std::fs::read(normalize(&dir.join(&f.path)))
            .is_ok_and(|b| b.len() as u64 == f.bytes && sources::blake3_hex(&b) == f.blake3)
    })
}

fn read_manifest(path: &Path) -> Result<ExportManifest> {
    let text = std::fs::read_to_string(path)?;
    Ok(serde_json::from_str(&text)?)
}

/// Compares the packages on disk with what the sources produce now, naming every stale, missing
/// and hand-edited file.
pub fn check(project: &Project, hosts: &[Host], out: Option<&Path>) -> Result<CheckReport> {
    let hosts = select_hosts(project, hosts)?;
    let briefs = needs_briefs(&hosts);
    let mut src = Sources::scan(project, briefs)?;
    let fresh = freshness(project, &src, &hosts, out);
    let mut findings = Vec::new();
    let mut changed_sources: BTreeSet<String> = BTreeSet::new();
    let installed_any = Host::ALL
        .iter()
        .any(|h| project_install::has_install_record(project, *h, &project.root));
    for (&host, fresh) in hosts.iter().zip(fresh) {
        if fresh {
            continue;
        }
        if out.is_none()
            && !package_dir(project, host, None).exists()
            && project_install::has_install_record(project, host, &project.root)
        {
            // Set up by `wazir init` into the project's own host folders: that install is what
            // must be fresh, judged as `wazir doctor` judges it.
            for path in check_installed(project, host)? {
                findings.push(Finding {
                    host: host.as_str().to_string(),
                    kind: FindingKind::Stale,
                    path,
                    detail: format!("differs from what `wazir init --host {host}` writes now"),
                });
            }
            continue;
        }
        if !src.parsed {
            src = Sources::load(project, briefs)?;
        }
        if host != Host::Codex {
            src.compose_briefs()?;
        }
        let c = compile(project, &src, host, out);
        let h = host.as_str().to_string();
        let manifest_path = c.dir.join(manifest::FILE_NAME);
        let rel = |p: &Path| display_rel(&project.root, p);
        let recorded = match read_manifest(&manifest_path) {
            Ok(m) => Some(m),
            Err(_) if !manifest_path.exists() => {
                if !c.dir.exists() {
                    if out.is_none() && installed_any {
                        // `wazir init` set this project up for other hosts only: as `wazir
                        // doctor` does, a host neither installed nor built is not a finding.
                        continue;
                    }
                    findings.push(Finding {
                        host: h.clone(),
                        kind: FindingKind::Missing,
                        path: rel(&c.dir),
                        detail: "the package was never built here".into(),
                    });
                    continue;
                }
                findings.push(Finding {
                    host: h.clone(),
                    kind: FindingKind::Missing,
                    path: rel(&manifest_path),
                    detail: "no export manifest, so nothing can be compared".into(),
                });
                None
            }
            Err(e) => {
                findings.push(Finding {
                    host: h.clone(),
                    kind: FindingKind::HandEdited,
                    path: rel(&manifest_path),
                    detail: format!("unreadable export manifest ({e})"),
                });
                None
            }
        };
        let rec_files: BTreeMap<String, String> = recorded
            .as_ref()
            .map(|m| {
                m.file_map()
                    .into_iter()
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let changed: Vec<String> = match &recorded {
            Some(m) => {
                let then = m.source_map();
                let mut v: Vec<String> = src
                    .read_for(host != Host::Codex)
                    .filter(|(p, f)| then.get(p.as_str()) != Some(&f.blake3.as_str()))
                    .map(|(p, _)| p.clone())
                    .chain(
                        then.keys()
                            .filter(|p| !src.read.contains_key(**p))
                            .map(|p| format!("{p} (removed)")),
                    )
                    .collect();
                v.sort();
                v
            }
            None => Vec::new(),
        };
        changed_sources.extend(changed.iter().cloned());
        let why_stale = if changed.is_empty() {
            "built by other export code (another wazir version or host table); a rebuild brings \
             it in line"
                .to_string()
        } else {
            format!("changed since the last build: {}", short_list(&changed))
        };
        let mut problems = false;
        for f in &c.files {
            let p = normalize(&c.dir.join(&f.path));
            let Ok(disk) = std::fs::read(&p) else {
                problems = true;
                findings.push(Finding {
                    host: h.clone(),
                    kind: FindingKind::Missing,
                    path: rel(&p),
                    detail: "not on disk".into(),
                });
                continue;
            };
            if disk == f.bytes {
                continue;
            }
            problems = true;
            let disk_hash = sha256_hex(&disk);
            let (kind, detail) = match rec_files.get(&f.path) {
                Some(h) if *h == disk_hash => (FindingKind::Stale, why_stale.clone()),
                Some(_) => (
                    FindingKind::HandEdited,
                    "differs from what the last build wrote; a rebuild replaces it, so move the \
                     change into the canonical source first"
                        .to_string(),
                ),
                None => (
                    FindingKind::Stale,
                    format!("new in this build; {why_stale}"),
                ),
            };
            findings.push(Finding {
                host: h.clone(),
                kind,
                path: rel(&p),
                detail,
            });
        }
        let now: BTreeSet<&str> = c.files.iter().map(|f| f.path.as_str()).collect();
        for (old, _) in rec_files.iter().filter(|(p, _)| !now.contains(p.as_str())) {
            let p = normalize(&c.dir.join(old));
            if p.exists() {
                problems = true;
                findings.push(Finding {
                    host: h.clone(),
                    kind: FindingKind::Stale,
                    path: rel(&p),
                    detail: format!("no longer produced by the sources; {why_stale}"),
                });
            }
        }
        if let Some(m) = &recorded
            && *m != c.manifest
            && !problems
        {
            let edited = changed.is_empty() && m.compiler == c.manifest.compiler;
            let kind = if edited {
                FindingKind::HandEdited
            } else {
                FindingKind::Stale
            };
            findings.push(Finding {
                host: h.clone(),
                kind,
                path: rel(&manifest_path),
                detail: if edited {
                    "differs from what the build writes".into()
                } else {
                    why_stale.clone()
                },
            });
        }
    }
    let ok = findings.is_empty();
    let fix = (!ok).then(|| {
        let bad: BTreeSet<&str> = findings.iter().map(|f| f.host.as_str()).collect();
        let mut cmd = "wazir export build".to_string();
        for h in bad {
            cmd.push_str(" --host ");
            cmd.push_str(h);
        }
        if let Some(o) = out {
            cmd.push_str(&format!(" --out {}", o.display()));
        }
        cmd
    });
    Ok(CheckReport {
        ok,
        hosts: hosts.iter().map(|h| h.as_str().to_string()).collect(),
        changed_sources: changed_sources.into_iter().collect(),
        findings,
        fix,
    })
}

/// Whether any of `hosts` writes agent files (which carry the composed briefs).
pub(crate) fn needs_briefs(hosts: &[Host]) -> bool {
    hosts.iter().any(|h| *h != Host::Codex)
}

fn short_list(items: &[String]) -> String {
    if items.len() <= 4 {
        items.join(", ")
    } else {
        format!("{} and {} more", items[..4].join(", "), items.len() - 4)
    }
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

/// The `/`-separated path from folder `from` to `to` (both absolute), using `..` where needed.
pub fn relative(from: &Path, to: &Path) -> String {
    let from = normalize(from);
    let to = normalize(to);
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_string(), a.len() - common).collect();
    parts.extend(
        b[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// `p` relative to the project root when it is inside it, else as an absolute path.
fn display_rel(root: &Path, p: &Path) -> String {
    let r = relative(root, p);
    if r.is_empty() {
        ".".into()
    } else if r.starts_with("../../") {
        normalize(p).display().to_string()
    } else {
        r
    }
}
