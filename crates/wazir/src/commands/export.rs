//! `wazir export build|check` (and `wazir export --check`): compiles the host packages from the
//! canonical sources, or checks them for drift. The work lives in `wazir_export`; this
//! module parses the flags and prints the result.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use wazir_export::{CheckReport, Report};
use wazir_hosts::Host;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub command: Option<ExportCommand>,

    /// Same as `wazir export check`.
    #[arg(long)]
    pub check: bool,

    /// With --check: only these hosts (repeat the flag).
    #[arg(long = "host", value_name = "HOST", value_parser = parse_host)]
    pub hosts: Vec<Host>,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write each host's package from the canonical sources (all manifest hosts by default).
    Build {
        /// Only this host: claude, codex, gemini or cursor (repeat the flag for several).
        #[arg(long = "host", value_name = "HOST", value_parser = parse_host)]
        hosts: Vec<Host>,
        /// Write the packages under DIR/<host> instead of the manifest's export targets.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Fail (exit 1) naming every stale, missing or hand-edited file of the packages.
    Check {
        /// Only this host (repeat the flag for several).
        #[arg(long = "host", value_name = "HOST", value_parser = parse_host)]
        hosts: Vec<Host>,
        /// Check packages built with `export build --out DIR`.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

fn parse_host(s: &str) -> Result<Host, String> {
    s.parse()
}

pub fn run(args: &ExportArgs, ctx: &crate::Ctx) -> Result<ExitCode> {
    let project = ctx.project()?;
    match &args.command {
        Some(ExportCommand::Build { hosts, out }) => {
            let report = wazir_export::build(&project, hosts, out.as_deref())?;
            print_build(&report, ctx)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(ExportCommand::Check { hosts, out }) => {
            let report = wazir_export::check(&project, hosts, out.as_deref())?;
            print_check(&report, ctx)
        }
        None if args.check => {
            let report = wazir_export::check(&project, &args.hosts, None)?;
            print_check(&report, ctx)
        }
        None => anyhow::bail!(
            "say what to do: `wazir export build` writes the host packages, `wazir export check` \
             (or `wazir export --check`) checks them"
        ),
    }
}

fn print_build(report: &Report, ctx: &crate::Ctx) -> Result<()> {
    if ctx.json {
        return ctx.print_json(report);
    }
    for p in &report.packages {
        println!(
            "{}: {} files in {} ({} written, {} unchanged{}), {} hooks, from {} sources",
            p.host,
            p.files,
            p.path,
            p.written,
            p.unchanged,
            if p.removed.is_empty() {
                String::new()
            } else {
                format!(", {} removed", p.removed.len())
            },
            p.hooks.len(),
            p.sources
        );
        for n in &p.notes {
            println!("  note: {n}");
        }
    }
    Ok(())
}

fn print_check(report: &CheckReport, ctx: &crate::Ctx) -> Result<ExitCode> {
    if ctx.json {
        ctx.print_json(report)?;
    } else {
        for f in &report.findings {
            eprintln!("error: {f}");
        }
        if let Some(fix) = &report.fix {
            eprintln!("fix: run `{fix}`");
            println!(
                "export check: FAILED, {} problem(s) in {}",
                report.findings.len(),
                report.hosts.join(", ")
            );
        } else {
            println!(
                "export check: ok ({} packages fresh)",
                report.hosts.join(", ")
            );
        }
    }
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
