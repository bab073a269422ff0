//! The write rule: a tool write into the project happens only in a run's phase whose workflow
//! `writes:` globs cover the path (`execute` everything, `author` the documentation, the other
//! phases nothing), or while the user's `wazir allow:` override is in force. The manifest's
//! `enforcement.mode` says what a violation does: `strict` refuses the call, `advisory` allows
//! it and tells the agent the same decision, `off` skips the rule.
//!
//! Targets come from the protected-path guard ([`super::protected::call_targets`]): the same
//! reading of edit tools, patches and shell commands. Writes outside the project and into the
//! state root (only `wazir` writes the ledger; the guard refuses the agent's own writes there)
//! are not the rule's business. Every decision carries one line naming the run, phase, loop and
//! cap and the next ledger command; an allowed write repeats that line only when it changed
//! since the session's last one (kept in `<state-root>/hooks/`).

use std::path::{Path, PathBuf};

use anyhow::Result;
use globset::{Glob, GlobSet, GlobSetBuilder};
use wazir_core::Project;
use wazir_core::manifest::EnforcementMode;
use wazir_core::paths::normalize;
use wazir_ledger::{PhaseRules, RunStatus};

use super::{Cx, Outcome, override_file, protected};

/// The folder under the state root for the hooks' own small files.
pub const HOOKS_DIR: &str = "hooks";

pub fn run(cx: &Cx) -> Result<Outcome> {
    if cx.approved() {
        return Ok(Outcome::Neutral);
    }
    let call = protected::call_targets(cx)?;
    if call.targets.is_empty() {
        return Ok(Outcome::Neutral);
    }
    let Some(project) = cx.project()? else {
        return Ok(Outcome::Neutral);
    };
    let mode = project.manifest.enforcement_mode();
    if mode == EnforcementMode::Off {
        return Ok(Outcome::Neutral);
    }
    let state_root = cx.state_root(&project)?;
    let written = project_paths(cx, &project, &state_root, &call);
    if written.is_empty() {
        return Ok(Outcome::Neutral);
    }
    let run = cx.active_run(&project)?;
    let st = match &run {
        Some((ledger, id)) => Some(ledger.status(id)?).filter(RunStatus::is_unfinished),
        None => None,
    };
    let Some(st) = st else {
        return no_run(cx, &project, &state_root, mode, &written);
    };
    let rules = super::phase_rules(&project, &st, &st.phase)?;
    let writes = rules.as_ref().map(|r| r.writes.as_slice()).unwrap_or(&[]);
    let step = step_line(&project, &st, rules.as_ref());
    if let Some(o) = st.write_override.as_ref().filter(|o| o.phase == st.phase) {
        let line = format!(
            "{step} The user's override (#{}: {}) lifts the write rule until the next phase \
             change.",
            o.seq, o.reason
        );
        return Ok(allowed(cx, &state_root, line));
    }
    let set = glob_set(writes)?;
    let outside: Vec<&String> = written.iter().filter(|p| !set.is_match(p)).collect();
    let Some(first) = outside.first() else {
        return Ok(allowed(cx, &state_root, step));
    };
    let who = writers(&project, &st, first);
    let what = if writes.is_empty() {
        format!("phase `{}` writes no project file", st.phase)
    } else {
        format!(
            "phase `{}` writes only {}",
            st.phase,
            code_list(writes.iter().map(String::as_str))
        )
    };
    let message = format!(
        "Wazir write rule: this call writes `{first}`, but run `{}` is in phase `{}` and {what}. \
         {who} {step}",
        st.run_id, st.phase
    );
    Ok(decide(mode, message))
}

/// No unfinished run: a project write is refused, unless the user lifted the rule for this
/// session.
fn no_run(
    cx: &Cx,
    project: &Project,
    state_root: &Path,
    mode: EnforcementMode,
    written: &[String],
) -> Result<Outcome> {
    let step = "Wazir: no run is active; next: `wazir capture ensure --request \"<the user's \
                request>\"`."
        .to_string();
    if let Some(reason) = session_override(cx, state_root) {
        let line =
            format!("{step} The user's override ({reason}) lifts the write rule for this session.");
        return Ok(allowed(cx, state_root, line));
    }
    let first = &written[0];
    let who = may_write(&declared_writers(project, first));
    let message = format!(
        "Wazir write rule: this call writes `{first}`, but no Wazir run is active, and project \
         files change only inside a run. {who} Start or resume the run with `wazir capture \
         ensure --request \"<the user's request>\"`, then follow its phases. If the user wants \
         this write without a run, ask them to send a prompt starting `wazir allow: <reason>`; \
         you cannot record an override yourself."
    );
    Ok(decide(mode, message))
}

fn decide(mode: EnforcementMode, message: String) -> Outcome {
    match mode {
        EnforcementMode::Strict => Outcome::Block(message),
        _ => Outcome::Context(format!(
            "Wazir (advisory mode, so the write goes ahead): {message}"
        )),
    }
}

/// An allowed write: the step line, unless it is the session's last one.
fn allowed(cx: &Cx, state_root: &Path, line: String) -> Outcome {
    let Some(session) = cx.payload().session_id.as_deref() else {
        return Outcome::Context(line);
    };
    let path = state_root
        .join(HOOKS_DIR)
        .join(format!("context-{}.txt", override_file::key(session)));
    if std::fs::read_to_string(&path).is_ok_and(|last| last == line) {
        return Outcome::Neutral;
    }
    if let Some(dir) = path.parent()
        && let Err(e) = std::fs::create_dir_all(dir)
            .and_then(|()| wazir_core::fsio::atomic_write(&path, line.as_bytes()))
    {
        cx.warn(format!(
            "cannot remember the last context line in {}: {e}",
            path.display()
        ));
    }
    Outcome::Context(line)
}

/// The user's session override, when one is recorded for this session.
fn session_override(cx: &Cx, state_root: &Path) -> Option<String> {
    let session = cx.payload().session_id.as_deref()?;
    override_file::read(state_root, session)
}

/// The written paths inside the project (relative, `/`-separated), leaving out the state root.
fn project_paths(
    cx: &Cx,
    project: &Project,
    state_root: &Path,
    call: &protected::CallTargets,
) -> Vec<String> {
    let roots: Vec<PathBuf> = root_forms(&project.root);
    let states: Vec<PathBuf> = root_forms(state_root);
    let mut base = cx.base_dir();
    if let Some(d) = &call.shell_dir {
        base = base.join(d);
    }
    let mut out = Vec::new();
    for t in &call.targets {
        let dir = match &t.dir {
            Some(d) => base.join(d),
            None => base.clone(),
        };
        let abs = normalize(&wazir_core::paths::absolute(&dir).join(&t.path));
        let real = super::paths::resolve(&dir, Path::new(&t.path)).unwrap_or_else(|_| abs.clone());
        let in_state = [&abs, &real]
            .iter()
            .any(|p| states.iter().any(|s| p.starts_with(s)));
        if in_state {
            continue;
        }
        let rel = [&abs, &real].into_iter().find_map(|p| {
            roots
                .iter()
                .find_map(|r| p.strip_prefix(r).ok().map(wazir_core::paths::slash))
        });
        if let Some(rel) = rel
            && !out.contains(&rel)
        {
            out.push(if rel.is_empty() { ".".into() } else { rel });
        }
    }
    out
}

fn root_forms(p: &Path) -> Vec<PathBuf> {
    let lexical = normalize(&wazir_core::paths::absolute(p));
    let mut v = vec![lexical.clone()];
    if let Ok(real) = p.canonicalize()
        && real != lexical
    {
        v.push(real);
    }
    v
}

/// Compiles `writes` globs: `*` stays within one segment, `**` crosses segments.
pub fn glob_set(globs: &[String]) -> Result<GlobSet> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(
            globset::GlobBuilder::new(g)
                .literal_separator(true)
                .build()
                .or_else(|_| Glob::new(g))
                .map_err(|e| anyhow::anyhow!("the `writes` glob `{g}` is not usable: {e}"))?,
        );
    }
    Ok(b.build()?)
}

/// "`execute` may write it.", from the phase rules recorded in the run (else the workflows).
fn writers(project: &Project, st: &RunStatus, path: &str) -> String {
    if st.caps.is_empty() {
        return may_write(&declared_writers(project, path));
    }
    let phases: Vec<String> = st
        .caps
        .values()
        .filter(|r| glob_set(&r.writes).is_ok_and(|s| s.is_match(path)))
        .map(|r| r.phase.clone())
        .collect();
    may_write(&phases)
}

/// The phases whose workflow may write `path` (read only on a refusal with no recorded rules).
fn declared_writers(project: &Project, path: &str) -> Vec<String> {
    wazir_core::workflow::for_project(project)
        .map(|ws| {
            ws.into_iter()
                .filter(|w| glob_set(&w.rules.writes).is_ok_and(|s| s.is_match(path)))
                .map(|w| w.rules.phase)
                .collect()
        })
        .unwrap_or_default()
}

fn may_write(phases: &[String]) -> String {
    match phases.len() {
        0 => "No phase of the pipeline writes that path.".into(),
        1 => format!("Phase `{}` may write it.", phases[0]),
        _ => format!(
            "Phases {} may write it.",
            code_list(phases.iter().map(String::as_str))
        ),
    }
}

fn code_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "Wazir: run R, phase P (loop 1 of 3); next: `…`." — where the run stands and the ledger
/// command that moves it on.
pub(crate) fn step_line(project: &Project, st: &RunStatus, rules: Option<&PhaseRules>) -> String {
    let p = &st.phase;
    let cap = rules.map_or("?".to_string(), |r| r.loop_cap.to_string());
    let next = next_command(project, st, rules);
    format!(
        "Wazir: run `{}`, phase `{p}` (loop {} of {cap}); next: `{next}`.",
        st.run_id,
        st.loop_count(p)
    )
}

fn next_command(project: &Project, st: &RunStatus, rules: Option<&PhaseRules>) -> String {
    let p = &st.phase;
    let active = st.phase_state(p) == Some(wazir_ledger::PhaseStateKind::Active);
    if active {
        if let Some(r) = rules {
            if let Some(missing) = r
                .outputs
                .iter()
                .find(|o| !st.artifacts.contains_key(&o.artifact))
            {
                return format!(
                    "wazir capture artifact --phase {p} --name {} --file <{}.json>",
                    missing.artifact, missing.artifact
                );
            }
            if r.gate {
                return format!(
                    "wazir capture event --event gate_approved --phase {p} (or gate_rejected)"
                );
            }
        }
        return format!("wazir capture event --event phase_exit --phase {p}");
    }
    let phases = &project.manifest.phases;
    let next = phases
        .iter()
        .position(|x| x == p)
        .and_then(|i| phases.get(i + 1))
        .map_or("<next phase>", String::as_str);
    format!("wazir capture event --event phase_enter --phase {next}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_keep_star_within_a_segment() {
        let docs = glob_set(&["docs/**".into(), "*.md".into()]).unwrap();
        assert!(docs.is_match("docs/guide/a.md"));
        assert!(docs.is_match("README.md"));
        assert!(!docs.is_match("src/README.md"));
        assert!(!docs.is_match("src/main.rs"));
        let all = glob_set(&["**".into()]).unwrap();
        assert!(all.is_match("app/main.py"));
        assert!(!glob_set(&[]).unwrap().is_match("a"));
    }
}
