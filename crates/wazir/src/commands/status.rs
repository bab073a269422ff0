//! `wazir status`: shows a run's `status.json` (the latest run by default) as text or JSON.
//! Reads one small file (and the event log only when the run holds an override); nothing is
//! locked or written. `--repair` rebuilds the file from the
//! run's `events.ndjson` (under the run lock) when it is corrupt, missing or behind.
//! With `--phase`, the phase report: what that phase produced.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use wazir_ledger::{Ledger, Transitions};

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The run (default: the one named by <state-root>/runs/latest).
    #[arg(long)]
    pub run: Option<String>,
    /// Rebuild status.json from the run's events.ndjson (a corrupt or missing status, an
    /// unfinished last event line), and remove files left by stopped writers.
    #[arg(long)]
    pub repair: bool,
    /// Report what this phase produced: artifacts, gate verdicts and loops, checks run, the diff
    /// since the run started, overrides and duration.
    #[arg(long)]
    pub phase: Option<String>,
}

pub fn run(args: &StatusArgs, ctx: &crate::Ctx) -> Result<ExitCode> {
    let project = ctx.project()?;
    let ledger = Ledger::new(&ctx.state_root(&project)?);
    let id = ledger.require_run(args.run.as_deref())?;
    if args.repair {
        return repair(ledger, &id, &project, ctx);
    }
    if let Some(phase) = &args.phase {
        let report = ledger
            .with_project_root(&project.root)
            .phase_report(&id, phase)?;
        if ctx.json {
            ctx.print_json(&report)?;
        } else {
            print!("{}", report.text());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let st = ledger.status(&id)?;
    if ctx.json {
        ctx.print_json(&st)?;
        return Ok(ExitCode::SUCCESS);
    }
    let state = st.phase_state(&st.phase).map_or("-", |k| k.as_str());
    println!(
        "run {} in {} ({state}, loop {}); status {}",
        st.run_id,
        st.phase,
        st.loop_count(&st.phase),
        st.status
    );
    println!("started {}; last change {}", st.created_at, st.updated_at);
    let counts: Vec<String> = st.events.iter().map(|(k, v)| format!("{k} {v}")).collect();
    if counts.is_empty() {
        println!("events: 0");
    } else {
        println!("events: {} ({})", st.event_count, counts.join(", "));
    }
    if !st.phases.is_empty() {
        let phases: Vec<String> = st
            .phases
            .iter()
            .map(|(p, s)| format!("{p} {} loop {}", s.state.as_str(), st.loop_count(p)))
            .collect();
        println!("phases: {}", phases.join("; "));
    }
    if !st.artifacts.is_empty() {
        let arts: Vec<String> = st
            .artifacts
            .iter()
            .map(|(n, a)| match a.loop_number {
                Some(l) => format!("{n} ({}, loop {l})", a.phase),
                None => format!("{n} ({})", a.phase),
            })
            .collect();
        println!("artifacts: {}", arts.join(", "));
    }
    if st.events.contains_key(wazir_ledger::kinds::OVERRIDE) || st.write_override.is_some() {
        print_overrides(&ledger, &id, &st)?;
    }
    if !st.captures.is_empty() {
        println!("captures: {}", st.captures.len());
    }
    println!("folder: {}", ledger.run_dir(&id).display());
    Ok(ExitCode::SUCCESS)
}

/// Each `override` event of the run (read from `events.ndjson` only when there is one): the
/// user's `wazir allow:` prompts, with the one still in force marked.
fn print_overrides(
    ledger: &Ledger,
    id: &wazir_ledger::RunId,
    st: &wazir_ledger::RunStatus,
) -> Result<()> {
    let events = ledger.events(id)?;
    let overrides: Vec<_> = events
        .iter()
        .filter(|e| e.event == wazir_ledger::kinds::OVERRIDE)
        .collect();
    println!(
        "overrides: {} (the user lifted the write rule with `wazir allow:`)",
        overrides.len()
    );
    for e in overrides {
        let live = st.write_override.as_ref().is_some_and(|o| o.seq == e.seq);
        println!(
            "  #{} in {} at {}: {}{}",
            e.seq,
            e.phase,
            e.ts,
            e.message.as_deref().unwrap_or("(no reason given)"),
            if live {
                "; in force until the next phase change"
            } else {
                ""
            }
        );
    }
    Ok(())
}

fn repair(
    ledger: Ledger,
    id: &wazir_ledger::RunId,
    project: &wazir_core::Project,
    ctx: &crate::Ctx,
) -> Result<ExitCode> {
    // Phase states and caps need the workflow rules; without them the rest is still rebuilt.
    let (ledger, rules_note) = match Transitions::for_project(project) {
        Ok(rules) => (ledger.with_rules(rules), None),
        Err(e) => (
            ledger,
            Some(format!(
                "the workflows could not be read ({e}), so phase states and caps were not rebuilt"
            )),
        ),
    };
    let r = ledger.repair_status(id)?;
    crate::commands::capture::print_notices(&ledger);
    if ctx.json {
        ctx.print_json(&r)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "rebuilt {} from {} event(s) (the old status was {}); run {} is in {}",
        ledger.status_path(id).display(),
        r.events,
        r.previous,
        r.run_id,
        r.status.phase
    );
    if let Some(n) = r.cut_bytes {
        println!("cut an unfinished last event line ({n} bytes)");
    }
    if !r.swept.temp_files.is_empty() || !r.swept.unrecorded_captures.is_empty() {
        println!(
            "removed {} temporary and {} unrecorded capture file(s), {} bytes",
            r.swept.temp_files.len(),
            r.swept.unrecorded_captures.len(),
            r.swept.bytes
        );
    }
    if let Some(n) = rules_note {
        println!("note: {n}");
    }
    Ok(ExitCode::SUCCESS)
}
