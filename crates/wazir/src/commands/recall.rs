//! `wazir recall`: exact slices (L2) or stored L0/L1 summaries of files and symbols, with
//! `fresh`. Kept lean: read-only SQLite, no walking, no tokenizer.

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use wazir_index::{Recall, Tier};

#[derive(Debug, Args)]
pub struct RecallArgs {
    /// Read from this folder's index instead of the current project's (see `wazir index --root`).
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<std::path::PathBuf>,

    #[command(subcommand)]
    pub command: RecallCommand,
}

#[derive(Debug, Subcommand)]
pub enum RecallCommand {
    /// A file's lines (L2, optionally bounded) or its L0/L1 summary.
    File {
        /// A file path relative to the project root.
        path: String,
        /// First line (1-based).
        #[arg(long)]
        start: Option<u32>,
        /// Last line (inclusive).
        #[arg(long)]
        end: Option<u32>,
        /// L0 (one line), L1 (structure) or L2 (exact source, the default).
        #[arg(long, value_name = "L0|L1|L2")]
        tier: Option<String>,
    },
    /// A symbol's source (L2) or its L0/L1 summary; QUERY is a name or `Container.name`.
    Symbol {
        /// A symbol name, or `Container.name`.
        query: String,
        #[arg(long, value_name = "L0|L1|L2")]
        tier: Option<String>,
    },
}

fn tier(t: &Option<String>) -> Result<Tier> {
    match t {
        None => Ok(Tier::L2),
        Some(s) => match Tier::parse(s) {
            Some(t) => Ok(t),
            None => bail!("--tier {s}: expected L0, L1 or L2"),
        },
    }
}

fn print(ctx: &crate::Ctx, r: &Recall) -> Result<()> {
    if ctx.json {
        return ctx.print_json(r);
    }
    let what = match &r.symbol {
        Some(s) => format!(" {} {}", s.symbol.kind, s.symbol.name),
        None => String::new(),
    };
    println!(
        "# {}:{}-{}{} ({}, {})",
        r.path,
        r.start,
        r.end,
        what,
        r.tier.name(),
        if r.fresh { "fresh" } else { "stale" }
    );
    print!("{}", r.text);
    if !r.text.ends_with('\n') {
        println!();
    }
    if !r.alternatives.is_empty() {
        println!("# also: {}", r.alternatives.join("; "));
    }
    Ok(())
}

pub fn run(args: &RecallArgs, ctx: &crate::Ctx) -> Result<ExitCode> {
    let cfg = super::index::config(args.root.as_deref(), ctx)?;
    let (root, state_root) = (cfg.root, cfg.state_root);
    let r = match &args.command {
        RecallCommand::File {
            path,
            start,
            end,
            tier: t,
        } => wazir_index::recall_file(&root, &state_root, path, *start, *end, tier(t)?)?,
        RecallCommand::Symbol { query, tier: t } => {
            wazir_index::recall_symbol(&root, &state_root, query, tier(t)?)?
        }
    };
    print(ctx, &r)?;
    record_in_active_run(&state_root, &r);
    Ok(ExitCode::SUCCESS)
}

/// When a run is active, records what recall served instead of the whole file, so `capture
/// usage` can count the tokens a summary or slice saved. Recall answers whether or not this
/// works: the ledger is bookkeeping here, not a condition.
fn record_in_active_run(state_root: &std::path::Path, r: &wazir_index::Recall) {
    let ledger = wazir_ledger::Ledger::new(state_root);
    if let Ok(Some(run)) = ledger.latest() {
        let tier = format!("{:?}", r.tier);
        if let Err(e) = ledger.record_recall(&run, &r.path, Some(&tier), &r.text) {
            eprintln!("warning: recall was not recorded in run `{run}`: {e}");
        }
    }
}
