//! The protected-path write guard: blocks a tool call that writes into (or removes) a protected
//! path, unless the approved regeneration flow is running. The protected paths are the
//! `protected_paths` of every manifest from the session's folder up to the outermost project
//! (a nested manifest adds entries, never takes the root's away), plus the guard's own
//! registration (every host's hook settings, the export targets' `hooks/` folders, the
//! manifest) and the state root, which only `wazir` itself writes. A shell call that runs
//! `wazir hook` itself is blocked too: only the host runs hooks, and a forged prompt payload
//! would record an override only the user may give.
//!
//! Targets come from the host's edit tools, MCP tools that write a path, a Codex patch, or a
//! shell command read by [`super::shell`] (in the folder the host's shell parameter names).
//! Each is resolved (see [`super::paths`]: symlinks followed, and a file with several hard
//! links compared by inode with the protected files) and compared, both as resolved and as
//! written with `..` folded, against every protected entry resolved the same way. A payload
//! that names no tool blocks. All the work runs under the guard's decision [`Budget`]: past it
//! the guard blocks. A refusal writes nothing: the reason reaches the agent and the host's
//! transcript, and the block path stays as fast as the allow path.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use wazir_core::Project;
use wazir_core::paths::normalize;

use super::budget::Budget;
use super::paths::{self, Relation};
use super::shell::Target;
use super::{Cx, Outcome, ToolCall, patch, protocol};

/// Files through which a host registers hooks, relative to the project root: one edit to any
/// of them can remove the guard.
pub const HOOK_SETTINGS: [&str; 8] = [
    ".claude/settings.json",
    ".claude/settings.local.json",
    ".codex/hooks.json",
    ".codex/config.toml",
    ".gemini/settings.json",
    ".cursor/hooks.json",
    ".agents/hooks.json",
    wazir_core::MANIFEST_FILE,
];

pub fn run(cx: &Cx) -> Result<Outcome> {
    if cx.approved() {
        return Ok(Outcome::Neutral);
    }
    let budget = &cx.budget;
    let CallTargets {
        targets,
        shell_dir,
        runs_hook,
    } = call_targets(cx)?;
    if runs_hook {
        return Ok(Outcome::Block(HOOK_BY_AGENT.into()));
    }
    if targets.is_empty() {
        return Ok(Outcome::Neutral);
    }
    let projects = projects(cx)?;
    let Some(outer) = projects.last() else {
        return Ok(Outcome::Neutral);
    };
    let root = real(&outer.root)?;
    let fold = paths::case_insensitive(&root);
    let entries = entries(cx, &projects, budget)?;
    let base = cx.base_dir();
    let mut dirs_base = vec![base.clone()];
    if let Some(d) = &shell_dir {
        dirs_base.insert(0, base.join(d));
    }
    for t in &targets {
        budget.check("comparing the call's targets with the protected paths")?;
        // After a `cd` the target is read from the new folder and, in case the `cd` did not
        // happen (`cd x || …`, a subshell that ended), from the starting ones too.
        let mut dirs = dirs_base.clone();
        if let Some(d) = &t.dir {
            for b in dirs_base.iter().rev() {
                dirs.insert(0, b.join(d));
            }
        }
        for dir in &dirs {
            let written = Path::new(&t.path);
            let resolved = paths::resolve(dir, written)
                .map_err(|e| anyhow!("cannot resolve the target `{}`: {e}", t.path))?;
            let lexical = normalize(&absolute(dir).join(written));
            let cands = [
                paths::Pattern::new(&resolved, fold),
                paths::Pattern::new(&lexical, fold),
            ];
            for (entry, forms) in &entries {
                for cand in &cands {
                    for f in forms {
                        let rel = cand.relate(f);
                        let hit = match rel {
                            Relation::Inside => true,
                            Relation::Holds => t.removes,
                            Relation::Unrelated => false,
                        };
                        if hit {
                            return Ok(Outcome::Block(reason(t, &resolved, entry, rel)));
                        }
                    }
                }
            }
            if let Some(entry) = hard_link(&resolved, &entries, budget)? {
                return Ok(Outcome::Block(format!(
                    "Wazir protected-path guard: `{}` (resolved: {}) is a hard link to a file \
                     under the protected entry `{entry}`: writing it writes the protected file. \
                     {POLICY}",
                    t.path,
                    resolved.display()
                )));
            }
        }
    }
    Ok(Outcome::Neutral)
}

const HOOK_BY_AGENT: &str = "Wazir protected-path guard: this call runs `wazir hook`, which \
    only the host runs, on its own events. Run by the agent with a payload of its choosing, it \
    could record what only the user may decide (a `wazir allow:` override). If the write rule \
    blocks you, follow the refusal's next command, or ask the user to send a prompt starting \
    `wazir allow: <reason>`.";

const POLICY: &str = "Protected files are canonical sources, generated host packages, the \
    guard's own hook registration and Wazir's state: they change only through an accepted \
    change to the canonical source followed by `wazir export build` (or through `wazir` \
    itself), never by a direct edit.";

/// Every project from the session's folder up: the nearest first, the outermost last.
fn projects(cx: &Cx) -> Result<Vec<Project>> {
    let Some(nearest) = cx.root() else {
        return Ok(Vec::new());
    };
    let mut roots: Vec<PathBuf> = Vec::new();
    let mut starts = vec![nearest];
    starts.extend(cx.payload().cwd.clone().filter(|c| c.is_absolute()));
    for s in starts {
        let mut dir: Option<&Path> = Some(&s);
        while let Some(d) = dir {
            if d.join(wazir_core::MANIFEST_FILE).is_file() && !roots.iter().any(|r| r == d) {
                roots.push(d.to_path_buf());
            }
            dir = d.parent();
        }
    }
    roots.sort_by_key(|r| std::cmp::Reverse(r.components().count()));
    roots
        .iter()
        .map(|r| Project::open(r).map_err(|e| anyhow!("{e}")))
        .collect()
}

/// The protected entries of every project, resolved: each entry with its lexical and real
/// forms.
fn entries(cx: &Cx, projects: &[Project], budget: &Budget) -> Result<Vec<(String, Vec<PathBuf>)>> {
    let mut out: Vec<(String, Vec<PathBuf>)> = Vec::new();
    for project in projects {
        budget.check("resolving the protected paths")?;
        let root = real(&project.root)?;
        let m = &project.manifest;
        let mut names: Vec<String> = m.protected_paths.clone();
        names.extend(HOOK_SETTINGS.iter().map(|s| s.to_string()));
        for t in m.export_targets.values() {
            names.push(format!("{}/hooks", t.path.trim_end_matches('/')));
        }
        let state = cx.state_root(project)?;
        names.push(state.to_string_lossy().into_owned());
        for e in names {
            let lexical = normalize(&root.join(&e));
            let resolved = paths::resolve(&root, Path::new(&e))
                .map_err(|err| anyhow!("cannot resolve the protected path `{e}`: {err}"))?;
            let mut forms = vec![lexical];
            if !forms.contains(&resolved) {
                forms.push(resolved);
            }
            let label = if project.root != projects[projects.len() - 1].root {
                format!("{e} (of {})", project.manifest_path.display())
            } else {
                e.clone()
            };
            out.push((label, forms));
        }
    }
    Ok(out)
}

fn real(root: &Path) -> Result<PathBuf> {
    paths::resolve(root, Path::new("."))
        .map_err(|e| anyhow!("cannot resolve the project root {}: {e}", root.display()))
}

/// When `target` is an existing file with more than one link, the protected entry holding a
/// file with the same inode.
#[cfg(unix)]
fn hard_link(
    target: &Path,
    entries: &[(String, Vec<PathBuf>)],
    budget: &Budget,
) -> Result<Option<String>> {
    use std::os::unix::fs::MetadataExt;
    let Ok(md) = std::fs::metadata(target) else {
        return Ok(None);
    };
    if !md.is_file() || md.nlink() < 2 {
        return Ok(None);
    }
    let key = (md.dev(), md.ino());
    for (entry, forms) in entries {
        let mut set = HashSet::new();
        for f in forms {
            collect_inodes(f, &mut set, budget)?;
        }
        if set.contains(&key) {
            return Ok(Some(entry.clone()));
        }
    }
    Ok(None)
}

#[cfg(not(unix))]
fn hard_link(_: &Path, _: &[(String, Vec<PathBuf>)], _: &Budget) -> Result<Option<String>> {
    Ok(None)
}

/// The (device, inode) of every multiply-linked file under `path`.
#[cfg(unix)]
fn collect_inodes(path: &Path, out: &mut HashSet<(u64, u64)>, budget: &Budget) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    budget.check("looking for hard links to protected files")?;
    let Ok(md) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    if md.is_file() && md.nlink() > 1 {
        out.insert((md.dev(), md.ino()));
    } else if md.is_dir() {
        for e in std::fs::read_dir(path)?.flatten() {
            collect_inodes(&e.path(), out, budget)?;
        }
    }
    Ok(())
}

/// What a tool call writes, as the guard reads it.
pub(crate) struct CallTargets {
    pub targets: Vec<Target>,
    /// The folder the host's shell parameter names (Gemini `dir_path`, Codex `workdir`).
    pub shell_dir: Option<PathBuf>,
    /// The shell command runs `wazir hook` (see [`runs_wazir_hook`]).
    pub runs_hook: bool,
}

/// Whether a simple command (wrappers taken off) is `wazir [--json] [--state-root P] hook …`,
/// the program named by any path (`./target/debug/wazir`, `/usr/local/bin/wazir.exe`), or an
/// interpreter given script text that names `wazir` and `hook` as words (`python3 -c
/// "subprocess.run(['wazir', 'hook', …])"`): what such a script runs cannot be shown, and a
/// forged prompt payload would record an override.
fn runs_wazir_hook(argv: &[String]) -> bool {
    let program = argv.first().map(|p| {
        let name = p.rsplit(['/', '\\']).next().unwrap_or(p);
        name.strip_suffix(".exe").unwrap_or(name)
    });
    if program.is_some_and(crate::shell::is_interpreter) {
        return argv[1..].iter().any(|a| {
            let words: Vec<&str> = a
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                .collect();
            words.contains(&"wazir") && words.contains(&"hook")
        });
    }
    if program != Some("wazir") {
        return false;
    }
    let mut words = argv[1..].iter().map(String::as_str);
    while let Some(w) = words.next() {
        match w {
            "--state-root" => {
                words.next();
            }
            w if w.starts_with('-') => {}
            w => return w == "hook",
        }
    }
    false
}

/// The files the payload's tool call writes or removes (edit tools, MCP tools that write a
/// path, a Codex patch, a shell command); empty when the call writes nothing. The write rule
/// ([`super::write_rule`]) asks the same question.
pub(crate) fn call_targets(cx: &Cx) -> Result<CallTargets> {
    let p = cx.payload();
    let mut shell_dir: Option<PathBuf> = None;
    let mut runs_hook = false;
    let targets: Vec<Target> = match protocol::tool_call(cx.opts.host, p) {
        ToolCall::Other if p.tool_name.as_deref().is_none_or(str::is_empty) => bail!(
            "the payload names no tool (`tool_name` is missing), so the call cannot be checked"
        ),
        ToolCall::Other => match protocol::mcp_write_paths(p) {
            Some(paths) => plain(paths, true),
            None => Vec::new(),
        },
        ToolCall::Write(paths) | ToolCall::Delete(paths) if paths.is_empty() => bail!(
            "the {} call names no file path, so its target is unknown",
            p.tool_name.as_deref().unwrap_or("edit")
        ),
        ToolCall::Write(paths) => plain(paths, false),
        ToolCall::Delete(paths) => plain(paths, true),
        ToolCall::Patch(text) => patch::targets(&text),
        ToolCall::Shell(cmd) => {
            // Gemini's `dir_path` / `directory` and Codex's `workdir`: the shell runs there.
            shell_dir = p
                .input_str(&["dir_path", "directory", "workdir"])
                .filter(|d| !d.is_empty())
                .map(PathBuf::from);
            let scan = cx.shell_scan(&cmd)?;
            runs_hook = scan.commands.iter().any(|c| runs_wazir_hook(c));
            scan.targets.clone()
        }
    };
    Ok(CallTargets {
        targets,
        shell_dir,
        runs_hook,
    })
}

fn plain(paths: Vec<String>, removes: bool) -> Vec<Target> {
    paths
        .into_iter()
        .map(|path| Target {
            path,
            dir: None,
            removes,
            why: None,
        })
        .collect()
}

fn absolute(dir: &Path) -> PathBuf {
    if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(dir))
            .unwrap_or_else(|_| dir.to_path_buf())
    }
}

fn reason(t: &Target, resolved: &Path, entry: &str, rel: Relation) -> String {
    let place = match rel {
        Relation::Holds => "holds",
        _ => "falls under",
    };
    match &t.why {
        Some(why) => format!(
            "Wazir protected-path guard: this call names `{}` (resolved: {}), which {place} the \
             protected entry `{entry}`, and {why}. The guard blocks what it cannot prove \
             harmless; read protected files with `cat`, `grep`, `ls` or `git diff`. {POLICY}",
            t.path,
            resolved.display()
        ),
        None => {
            let what = if t.removes {
                "removes or overwrites"
            } else {
                "writes"
            };
            format!(
                "Wazir protected-path guard: this call {what} `{}` (resolved: {}), which \
                 {place} the protected entry `{entry}`. {POLICY}",
                t.path,
                resolved.display()
            )
        }
    }
}
