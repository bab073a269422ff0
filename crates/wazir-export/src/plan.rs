//! The step build and check share: pick the hosts, scan the sources, tell which packages are
//! already fresh (without compiling), and compile a host's package in memory from sources loaded
//! and composed only when some package needs it. Also the compiler's fingerprint.

use std::path::{Path, PathBuf};

use anyhow::Result;
use wazir_core::Project;
use wazir_core::paths::{normalize, relative};
use wazir_hosts::Host;

use crate::layout::{marketplace_root, package_dir, select_hosts};
use crate::manifest::{self, ExportManifest, FileEntry, SourceEntry};
use crate::package::{self, package_files};
use crate::render::{self, PackageFile};
use crate::sources::{self, Sources, sha256_hex};
use crate::{APPROVED_FLOW, Compiled, MARKETPLACE_FILE};

/// The hosts of one build or check, with their package folders and freshness, and the sources.
pub(crate) struct Plan {
    /// `(host, package folder, fresh)` for each host, sorted.
    pub hosts: Vec<(Host, PathBuf, bool)>,
    pub src: Sources,
    briefs: bool,
}

impl Plan {
    /// Selects the hosts (the manifest's when `asked` is empty), scans the sources and judges
    /// each package's freshness.
    pub fn new(project: &Project, asked: &[Host], out: Option<&Path>) -> Result<Plan> {
        let hosts = select_hosts(project, asked)?;
        let briefs = hosts.iter().any(|h| h.carries_briefs());
        let src = Sources::scan(project, briefs)?;
        let dirs: Vec<PathBuf> = hosts
            .iter()
            .map(|&h| normalize(&package_dir(project, h, out)))
            .collect();
        let fresh = freshness(&src, &hosts, &dirs);
        let hosts = hosts
            .into_iter()
            .zip(dirs)
            .zip(fresh)
            .map(|((h, d), f)| (h, d, f))
            .collect();
        Ok(Plan { hosts, src, briefs })
    }

    /// Compiles `host`'s package, loading and parsing the sources (and composing the agents'
    /// briefs, for hosts that carry them) the first time a package needs it.
    pub fn compile(
        &mut self,
        project: &Project,
        host: Host,
        out: Option<&Path>,
    ) -> Result<Compiled> {
        if !self.src.parsed {
            self.src = Sources::load(project, self.briefs)?;
        }
        if host.carries_briefs() {
            self.src.compose_briefs()?;
        }
        Ok(compile(project, &self.src, host, out))
    }
}

/// The export code whose behaviour decides the bytes of a package.
const COMPILER_CODE: [&str; 15] = [
    include_str!("lib.rs"),
    include_str!("layout.rs"),
    include_str!("plan.rs"),
    include_str!("check.rs"),
    include_str!("project_install.rs"),
    include_str!("merge.rs"),
    include_str!("jsonc.rs"),
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
/// facts it reads (every host's registration, matcher and timeout for every EVENT, and the behaviours each EVENT runs). The
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
                            "{host} {} {:?} {} {:?} {}\n",
                            e.as_str(),
                            e.behaviours(),
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
            .read_for(host.carries_briefs())
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

/// [`is_fresh`] for each of `hosts` in its folder, one thread per host (the work is reading and
/// hashing).
fn freshness(src: &Sources, hosts: &[Host], dirs: &[PathBuf]) -> Vec<bool> {
    std::thread::scope(|s| {
        let jobs: Vec<_> = hosts
            .iter()
            .zip(dirs)
            .map(|(&h, dir)| s.spawn(move || is_fresh(src, h, dir)))
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
    let now: Vec<_> = src.read_for(host.carries_briefs()).collect();
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

pub(crate) fn read_manifest(path: &Path) -> Result<ExportManifest> {
    let text = std::fs::read_to_string(path)?;
    Ok(serde_json::from_str(&text)?)
}
