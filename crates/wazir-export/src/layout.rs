//! Where each host's package goes: the hosts to work on, the package folder of each (`--out`, the
//! manifest's export target, or `<exports>/hosts/<host>`), the marketplace root, and how a path
//! is shown relative to the project.

use std::path::{Path, PathBuf};

use anyhow::Result;
use wazir_core::Project;
use wazir_core::paths::{absolute, normalize, relative};
use wazir_hosts::Host;

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

/// `p` relative to the project root when it is inside it, else as an absolute path.
pub(crate) fn display_rel(root: &Path, p: &Path) -> String {
    let r = relative(root, p);
    if r.is_empty() {
        ".".into()
    } else if r.starts_with("../../") {
        normalize(p).display().to_string()
    } else {
        r
    }
}
