//! `wazir export check`: compares each package on disk with what the sources produce now and
//! names every stale, missing and hand-edited file, with the build command that fixes them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Result;
use serde::Serialize;
use wazir_core::Project;
use wazir_core::paths::normalize;
use wazir_hosts::Host;

use crate::layout::display_rel;
use crate::manifest;
use crate::plan::{Plan, read_manifest};
use crate::sources::sha256_hex;

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

/// Compares the packages on disk with what the sources produce now, naming every stale, missing
/// and hand-edited file.
pub fn check(project: &Project, hosts: &[Host], out: Option<&Path>) -> Result<CheckReport> {
    let mut plan = Plan::new(project, hosts, out)?;
    let mut findings = Vec::new();
    let mut changed_sources: BTreeSet<String> = BTreeSet::new();
    for (host, _, fresh) in plan.hosts.clone() {
        if fresh {
            continue;
        }
        let c = plan.compile(project, host, out)?;
        let src = &plan.src;
        let h = host.as_str().to_string();
        let manifest_path = c.dir.join(manifest::FILE_NAME);
        let rel = |p: &Path| display_rel(&project.root, p);
        let recorded = match read_manifest(&manifest_path) {
            Ok(m) => Some(m),
            Err(_) if !manifest_path.exists() => {
                if !c.dir.exists() {
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
                    .read_for(host.carries_briefs())
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
        hosts: plan
            .hosts
            .iter()
            .map(|(h, ..)| h.as_str().to_string())
            .collect(),
        changed_sources: changed_sources.into_iter().collect(),
        findings,
        fix,
    })
}

fn short_list(items: &[String]) -> String {
    if items.len() <= 4 {
        items.join(", ")
    } else {
        format!("{} and {} more", items[..4].join(", "), items.len() - 4)
    }
}
