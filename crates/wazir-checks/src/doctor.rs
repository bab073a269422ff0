//! `wazir doctor`: the health of the project surface — manifest, hook definitions, state root,
//! host packages, index. Each finding is an error (something is invalid or stale: exit 1) or a
//! warning (something is not built yet: exit 0), and each names the command that fixes it.

use std::path::Path;

use serde::Serialize;
use wazir_core::Project;
use wazir_core::state_root::Legacy;

use crate::report::Severity;

/// One thing doctor found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `manifest`, `hooks`, `state-root`, `host-packages`, `index`.
    pub area: String,
    pub severity: Severity,
    pub message: String,
    /// The command (or edit) that fixes it.
    pub fix: String,
}

/// What doctor found, area by area.
#[derive(Debug, Clone, Serialize)]
pub struct Doctor {
    pub ok: bool,
    /// Areas checked with their one-line result.
    pub areas: Vec<Area>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Area {
    pub area: String,
    /// `ok`, `warning` or `error`.
    pub result: String,
    pub detail: String,
}

impl Doctor {
    fn area(&mut self, area: &str, detail: impl Into<String>, found: Vec<Finding>) {
        let result = if found.iter().any(|f| f.severity == Severity::Error) {
            self.ok = false;
            "error"
        } else if found.is_empty() {
            "ok"
        } else {
            "warning"
        };
        let detail = found
            .first()
            .map(|f| f.message.clone())
            .unwrap_or_else(|| detail.into());
        self.areas.push(Area {
            area: area.to_string(),
            result: result.to_string(),
            detail,
        });
        self.findings.extend(found);
    }
}

fn finding(
    area: &str,
    severity: Severity,
    message: impl Into<String>,
    fix: impl Into<String>,
) -> Finding {
    Finding {
        area: area.to_string(),
        severity,
        message: message.into(),
        fix: fix.into(),
    }
}

/// Runs every doctor check on the project rooted at `root`; `state_root_flag` is `--state-root`.
pub fn run(root: &Path, state_root_flag: Option<&Path>) -> Doctor {
    let mut d = Doctor {
        ok: true,
        areas: Vec::new(),
        findings: Vec::new(),
    };

    // Manifest.
    let m = crate::manifest::check(root);
    let found: Vec<Finding> = m
        .problems
        .iter()
        .map(|p| {
            let fix = named_command(&p.message).unwrap_or_else(|| {
                "edit wazir.manifest.yaml as the message says, then run `wazir validate manifest`"
                    .to_string()
            });
            finding("manifest", p.severity, p.to_string(), fix)
        })
        .collect();
    d.area("manifest", m.summary.clone(), found);
    let project = match Project::open(root) {
        Ok(p) => p,
        Err(e) => {
            if d.ok {
                d.area(
                    "manifest",
                    "",
                    vec![finding(
                        "manifest",
                        Severity::Error,
                        e.to_string(),
                        "`wazir validate manifest`",
                    )],
                );
            }
            return d;
        }
    };

    // The areas are independent: check the host packages (which compiles every package) and
    // the index (which walks the project) on their own threads while the rest runs here.
    let project = &project;
    std::thread::scope(|scope| {
        let packages = scope.spawn(|| {
            let (mut found, detail) = host_packages(project);
            found.extend(hooks_enabled(&project.root));
            (found, detail)
        });
        let hooks = crate::hooks::check(project);
        let (sr_found, sr_detail, state_root) = state_root(project, state_root_flag);
        let index = state_root
            .clone()
            .map(|sr| scope.spawn(move || index(project, &sr)));

        let found = hooks
            .problems
            .iter()
            .map(|p| {
                finding(
                    "hooks",
                    p.severity,
                    p.to_string(),
                    "fix the definition, then run `wazir validate hooks` (`wazir init` restores missing kit files)",
                )
            })
            .collect();
        d.area("hooks", hooks.summary.clone(), found);
        d.area("state-root", sr_detail, sr_found);
        let (found, detail) = packages.join().unwrap_or_else(|_| {
            (
                vec![finding(
                    "host-packages",
                    Severity::Error,
                    "the host package check stopped unexpectedly",
                    "`wazir export check`",
                )],
                String::new(),
            )
        });
        d.area("host-packages", detail, found);
        if let Some((found, detail)) = crate::codex_trust::check(&project.root) {
            d.area(crate::codex_trust::AREA, detail, found);
        }
        if let Some(handle) = index {
            let (found, detail) = handle.join().unwrap_or_else(|_| {
                (
                    vec![finding(
                        "index",
                        Severity::Error,
                        "the index check stopped unexpectedly",
                        "`wazir index stats`",
                    )],
                    String::new(),
                )
            });
            d.area("index", detail, found);
        }
    });
    d
}

fn state_root(
    project: &Project,
    flag: Option<&Path>,
) -> (Vec<Finding>, String, Option<std::path::PathBuf>) {
    let area = "state-root";
    let sr = match project.state_root(flag) {
        Ok(s) => s,
        Err(e) => {
            return (
                vec![finding(
                    area,
                    Severity::Error,
                    e.to_string(),
                    "pass --state-root PATH or set WAZIR_STATE_ROOT",
                )],
                String::new(),
                None,
            );
        }
    };
    let mut found = Vec::new();
    let shown = sr.path.display().to_string();
    let mut moved = String::new();
    match &sr.legacy {
        Some(Legacy::Moved { from }) => moved = format!("; moved from {}", from.display()),
        Some(Legacy::InPlace { reason }) => found.push(finding(
            area,
            Severity::Warning,
            format!("the state root is still under the older bare project name: {reason}"),
            "move that folder to the new name by hand (see docs/reference/ledger.md)",
        )),
        None => {}
    }
    if sr.is_repo_local(&project.root) && !sr.repo_local_is_ignored(&project.root) {
        let r = crate::util::rel(&project.root, &sr.path);
        found.push(finding(
            area,
            Severity::Error,
            format!("the state root {shown} is inside the repository and git does not ignore it"),
            format!("add `{r}/` to .gitignore, or choose a state root outside the repository"),
        ));
    }
    let probe = sr.path.join(".wazir-doctor-probe");
    match wazir_core::fsio::atomic_write(&probe, b"ok") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
        }
        Err(e) => found.push(finding(
            area,
            Severity::Error,
            format!("the state root {shown} is not writable ({e})"),
            "pass --state-root PATH (or set WAZIR_STATE_ROOT) to a folder you can write",
        )),
    }
    (found, format!("{shown} is writable{moved}"), Some(sr.path))
}

/// The hook settings of each host installed in the project: where they exist they must still
/// register Wazir's protected-path guard, and must not switch every hook off (Claude Code
/// `disableAllHooks`, Gemini CLI `hooksConfig.enabled: false` or a `hooksConfig.disabled` entry
/// naming Wazir). A guard that is not run protects nothing.
fn hooks_enabled(root: &Path) -> Vec<Finding> {
    let area = "host-packages";
    let mut found = Vec::new();
    let files = [
        (".claude/settings.json", true),
        (".claude/settings.local.json", false),
        (".codex/hooks.json", true),
        (".gemini/settings.json", true),
        (".cursor/hooks.json", true),
    ];
    for (rel, registers) in files {
        let path = root.join(rel);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        // Gemini reads its settings as JSON with comments; the other hosts read strict JSON.
        let parsed = if rel == ".gemini/settings.json" {
            wazir_export::jsonc::parse(&path, &text)
                .map(|j| j.value)
                .map_err(|e| e.to_string())
        } else {
            serde_json::from_str(&text).map_err(|e| e.to_string())
        };
        let json: serde_json::Value = match parsed {
            Ok(v) => v,
            Err(e) => {
                found.push(finding(
                    area,
                    Severity::Error,
                    format!(
                        "{}: not valid JSON ({e}), so the host runs none of its hooks",
                        path.display()
                    ),
                    format!("fix {rel}, or rewrite it with `wazir init`"),
                ));
                continue;
            }
        };
        if json
            .get("disableAllHooks")
            .and_then(serde_json::Value::as_bool)
            == Some(true)
        {
            found.push(finding(
                area,
                Severity::Error,
                format!(
                    "{}: `disableAllHooks` is true, so no Wazir guard runs",
                    path.display()
                ),
                format!("remove `disableAllHooks` from {rel}"),
            ));
        }
        let hc = json.get("hooksConfig");
        if hc
            .and_then(|h| h.get("enabled"))
            .and_then(serde_json::Value::as_bool)
            == Some(false)
        {
            found.push(finding(
                area,
                Severity::Error,
                format!(
                    "{}: `hooksConfig.enabled` is false, so no Wazir guard runs",
                    path.display()
                ),
                format!("remove `hooksConfig.enabled: false` from {rel}"),
            ));
        }
        if let Some(d) = hc
            .and_then(|h| h.get("disabled"))
            .and_then(serde_json::Value::as_array)
            && d.iter()
                .any(|x| x.as_str().is_some_and(|s| s.contains("wazir")))
        {
            found.push(finding(
                area,
                Severity::Error,
                format!(
                    "{}: `hooksConfig.disabled` switches Wazir hooks off",
                    path.display()
                ),
                format!("remove the Wazir entries from `hooksConfig.disabled` in {rel}"),
            ));
        }
        // A file that still runs Wazir hooks but lost the guard (the whole registration gone
        // is reported as a stale project file above).
        // The guard runs under `pre-tool` (or, in a project installed before it, alone).
        let guarded = ["protected-path", "pre-tool"]
            .iter()
            .any(|e| text.contains(&format!(" {e}")));
        if registers && text.contains("wazir hook") && !guarded {
            found.push(finding(
                area,
                Severity::Error,
                format!(
                    "{}: the protected-path guard is no longer registered",
                    path.display()
                ),
                "`wazir init` (it merges the hook registrations back)",
            ));
        }
    }
    found
}

fn host_packages(project: &Project) -> (Vec<Finding>, String) {
    let area = "host-packages";
    // Only packages that were built are checked in full; a package never built is one warning,
    // found without compiling anything.
    let declared = match wazir_export::select_hosts(project, &[]) {
        Ok(h) => h,
        Err(e) => {
            return (
                vec![finding(
                    area,
                    Severity::Error,
                    format!("cannot read the manifest's hosts: {e:#}"),
                    "fix `hosts` in wazir.manifest.yaml, then run `wazir validate manifest`",
                )],
                String::new(),
            );
        }
    };
    let (built, never_built): (Vec<_>, Vec<_>) = declared.into_iter().partition(|h| {
        wazir_export::package_dir(project, *h, None)
            .join("export.manifest.json")
            .is_file()
    });
    let checked = if built.is_empty() {
        Ok(wazir_export::CheckReport {
            ok: true,
            hosts: Vec::new(),
            changed_sources: Vec::new(),
            findings: Vec::new(),
            fix: None,
        })
    } else {
        wazir_export::check(project, &built, None)
    };
    let report = match checked {
        Ok(r) => r,
        Err(e) => {
            return (
                vec![finding(
                    area,
                    Severity::Error,
                    format!("cannot check the host packages: {e:#}"),
                    "fix the sources named above, then run `wazir export build`",
                )],
                String::new(),
            );
        }
    };
    let fix = report
        .fix
        .clone()
        .unwrap_or_else(|| "wazir export build".to_string());
    let mut found = Vec::new();
    // A project set up by `wazir init` uses the hosts' project folders (.claude/, .codex/, …):
    // those must match what init would write now; the packages under the manifest's exports
    // folder are then optional.
    let installed = wazir_hosts::detect_hosts(&project.root);
    let mut fresh_installs = 0;
    for (host, _) in &installed {
        match wazir_export::check_installed(project, *host) {
            Ok(stale) if stale.is_empty() => fresh_installs += 1,
            Ok(stale) => {
                found.push(finding(
                    area,
                    Severity::Error,
                    format!(
                        "{} project files are stale or missing: {}",
                        host.display_name(),
                        stale.join(", ")
                    ),
                    format!("`wazir init --host {host}`"),
                ));
            }
            Err(e) => found.push(finding(
                area,
                Severity::Error,
                format!(
                    "cannot check the {} project files: {e:#}",
                    host.display_name()
                ),
                "fix the sources named above, then run `wazir init`",
            )),
        }
    }
    if fresh_installs == 0 {
        for h in &never_built {
            found.push(finding(
                area,
                Severity::Warning,
                format!(
                    "{h} package: {}: never built here",
                    wazir_export::package_dir(project, *h, None)
                        .strip_prefix(&project.root)
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                ),
                format!("`wazir export build --host {h}` (or `wazir init` to set up the project's own host folders)"),
            ));
        }
    }
    for f in &report.findings {
        let never_built = matches!(f.kind, wazir_export::FindingKind::Missing)
            && f.detail.contains("never built");
        if never_built && fresh_installs > 0 {
            continue;
        }
        let severity = if never_built {
            Severity::Warning
        } else {
            Severity::Error
        };
        found.push(finding(
            area,
            severity,
            format!("{} package: {f}", f.host),
            format!("`{}`", fix.trim_matches('`')),
        ));
    }
    let detail = if fresh_installs > 0 {
        format!("{fresh_installs} host(s) installed in the project and fresh")
    } else {
        format!("{} packages present and fresh", built.len())
    };
    (found, detail)
}

fn index(project: &Project, state_root: &Path) -> (Vec<Finding>, String) {
    let area = "index";
    let stats = match wazir_index::stats(state_root) {
        Ok(s) => s,
        Err(wazir_index::IndexError::Missing { .. }) => {
            return (
                vec![finding(
                    area,
                    Severity::Warning,
                    "no code index yet; recall and the repository map need it",
                    "`wazir index build`",
                )],
                String::new(),
            );
        }
        Err(wazir_index::IndexError::Building { log }) => {
            return (
                vec![finding(
                    area,
                    Severity::Warning,
                    format!(
                        "the code index is being built in the background (log: {}); recall and the repository map need it once it is done",
                        log.display()
                    ),
                    "wait for it to finish; `wazir index stats` shows it then",
                )],
                String::new(),
            );
        }
        Err(e) => {
            return (
                vec![finding(
                    area,
                    Severity::Error,
                    format!("the index cannot be read: {e}"),
                    "`wazir index build` (rebuilds it from scratch)",
                )],
                String::new(),
            );
        }
    };
    let mut found = Vec::new();
    let stale = stale_files(project, state_root);
    if let Some((n, example)) = stale {
        found.push(finding(
            area,
            Severity::Error,
            format!("the index is stale: {n} file(s) changed since it was built (e.g. {example})"),
            "`wazir index refresh`",
        ));
    }
    if stats.stale_summaries > 0 {
        found.push(finding(
            area,
            Severity::Warning,
            format!(
                "{} file summaries are older than their files",
                stats.stale_summaries
            ),
            "`wazir index summarize --refresh`",
        ));
    }
    (
        found,
        format!("{} files, {} symbols, fresh", stats.files, stats.symbols),
    )
}

/// Files whose size or modification time differ from what the index recorded, or that are new
/// or gone: the count and one example.
fn stale_files(project: &Project, state_root: &Path) -> Option<(usize, String)> {
    let recorded = indexed_files(state_root)?;
    let max = project.manifest.index.max_file_bytes.unwrap_or(2_000_000);
    let walked = wazir_index::walk::walk(&project.root, Some(state_root), max);
    let mut n = 0;
    let mut example = String::new();
    let mut seen = std::collections::BTreeSet::new();
    for f in walked.candidates {
        seen.insert(f.rel.clone());
        let fresh = recorded
            .get(&f.rel)
            .is_some_and(|(size, mtime)| *size == f.size && *mtime == f.mtime_ns);
        if !fresh {
            n += 1;
            if example.is_empty() {
                example = f.rel.clone();
            }
        }
    }
    for p in recorded.keys() {
        if !seen.contains(p) {
            n += 1;
            if example.is_empty() {
                example = format!("{p} (deleted)");
            }
        }
    }
    (n > 0).then_some((n, example))
}

/// Path → (size, mtime_ns) of every file the index recorded.
fn indexed_files(state_root: &Path) -> Option<std::collections::HashMap<String, (u64, i64)>> {
    let conn = wazir_index::store::open_read(state_root).ok()?;
    let mut stmt = conn
        .prepare("SELECT path, size, mtime_ns FROM files")
        .ok()?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                (r.get::<_, i64>(1)? as u64, r.get::<_, i64>(2)?),
            ))
        })
        .ok()?;
    rows.collect::<Result<_, rusqlite::Error>>().ok()
}

/// The first backticked `wazir …` command a message names, backticks kept.
fn named_command(message: &str) -> Option<String> {
    let start = message.find("`wazir ")?;
    let len = message[start + 1..].find('`')?;
    Some(message[start..start + len + 2].to_string())
}
