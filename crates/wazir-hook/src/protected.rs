//! The protected-path write guard: blocks a tool call that writes into (or removes) an entry
//! of the manifest's `protected_paths`, unless the approved regeneration flow is running.
//! Targets come from the host's edit tools, from a Codex patch, or from a shell command that
//! plainly writes; each is resolved (see [`super::paths`]) and compared, both as resolved and
//! as written with `..` folded, against every protected entry resolved the same way. A refusal
//! writes nothing: the reason reaches the agent and the host's transcript, and the block path
//! stays as fast as the allow path (a ledger note would cost two disk flushes per refusal).

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use wazir_core::paths::normalize;

use super::paths::{self, Relation};
use super::shell::{self, Target};
use super::{Cx, Outcome, ToolCall, patch, protocol};

pub fn run(cx: &Cx) -> Result<Outcome> {
    if cx.approved() {
        return Ok(Outcome::Neutral);
    }
    let targets = call_targets(cx)?;
    if targets.is_empty() {
        return Ok(Outcome::Neutral);
    }
    let Some(project) = cx.project()? else {
        return Ok(Outcome::Neutral);
    };
    let root = paths::resolve(&project.root, Path::new(".")).map_err(|e| {
        anyhow!(
            "cannot resolve the project root {}: {e}",
            project.root.display()
        )
    })?;
    let fold = paths::case_insensitive(&root);
    let mut entries: Vec<(&str, Vec<PathBuf>)> = Vec::new();
    for e in &project.manifest.protected_paths {
        let lexical = normalize(&root.join(e));
        let real = paths::resolve(&root, Path::new(e))
            .map_err(|err| anyhow!("cannot resolve the protected path `{e}`: {err}"))?;
        let mut forms = vec![lexical];
        if !forms.contains(&real) {
            forms.push(real);
        }
        entries.push((e.as_str(), forms));
    }
    let base = cx.base_dir();
    for t in &targets {
        // After a `cd` the target is read from the new folder and, in case the `cd` did not
        // happen (`cd x || …`, a subshell that ended), from the starting one too.
        let mut dirs = vec![base.clone()];
        if let Some(d) = &t.dir {
            dirs.insert(0, base.join(d));
        }
        for dir in &dirs {
            let written = Path::new(&t.path);
            let resolved = paths::resolve(dir, written)
                .map_err(|e| anyhow!("cannot resolve the target `{}`: {e}", t.path))?;
            let lexical = normalize(&absolute(dir).join(written));
            for (entry, forms) in &entries {
                for cand in [&resolved, &lexical] {
                    let hit = forms.iter().any(|f| match paths::relate(cand, f, fold) {
                        Relation::Inside => true,
                        Relation::Holds => t.removes,
                        Relation::Unrelated => false,
                    });
                    if hit {
                        return Ok(Outcome::Block(reason(t, &resolved, entry)));
                    }
                }
            }
        }
    }
    Ok(Outcome::Neutral)
}

/// The files the payload's tool call writes or removes, as the guard reads them (edit tools,
/// a Codex patch, a shell command); empty when the call writes nothing. The write rule
/// ([`super::write_rule`]) asks the same question.
pub(crate) fn call_targets(cx: &Cx) -> Result<Vec<Target>> {
    let p = cx.payload();
    Ok(match protocol::tool_call(cx.opts.host, p) {
        ToolCall::Other => Vec::new(),
        ToolCall::Write(paths) | ToolCall::Delete(paths) if paths.is_empty() => bail!(
            "the {} call names no file path, so its target is unknown",
            p.tool_name.as_deref().unwrap_or("edit")
        ),
        ToolCall::Write(paths) => plain(paths, false),
        ToolCall::Delete(paths) => plain(paths, true),
        ToolCall::Patch(text) => patch::targets(&text),
        ToolCall::Shell(cmd) => {
            let mut t = shell::scan(&cmd).targets;
            // A patch fed to apply_patch through the shell (`apply_patch <<'EOF' …`).
            if cmd.contains("*** ") {
                t.extend(patch::targets(&cmd));
            }
            t
        }
    })
}

fn plain(paths: Vec<String>, removes: bool) -> Vec<Target> {
    paths
        .into_iter()
        .map(|path| Target {
            path,
            dir: None,
            removes,
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

fn reason(t: &Target, resolved: &Path, entry: &str) -> String {
    let what = if t.removes { "removes" } else { "writes" };
    format!(
        "Wazir protected-path guard: this call {what} `{}` (resolved: {}), which falls under \
         the protected entry `{entry}` of wazir.manifest.yaml. Protected files are canonical \
         sources and generated host packages: they change only through an accepted change to \
         the canonical source followed by `wazir export build`, never by a direct edit.",
        t.path,
        resolved.display()
    )
}
