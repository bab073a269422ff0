//! `wazir status`: shows a run's `status.json` (the latest run by default) as text or JSON, or
//! with `--phase` the phase report: what that phase produced. Nothing is locked or written.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use wazir_ledger::Ledger;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The run (default: the one named by <state-root>/runs/latest).
    #[arg(long)]
    pub run: Option<String>,
    /// Report what this phase produced: artifacts, gate verdicts and loops, checks run, the diff
    /// since the run started, overrides and duration.
    #[arg(long)]
    pub phase: Option<String>,
}

pub fn run(args: &StatusArgs, ctx: &crate::Ctx) -> Result<ExitCode> {
    let project = ctx.project()?;
    let ledger = Ledger::new(&ctx.state_root(&project)?);
    let id = ledger.require_run(args.run.as_deref())?;
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
    if !st.captures.is_empty() {
        println!("captures: {}", st.captures.len());
    }
    println!("folder: {}", ledger.run_dir(&id).display());
    Ok(ExitCode::SUCCESS)
}
