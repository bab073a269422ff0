//! `wazir validate <check>`: runs one check (or all) and prints each problem on one line, or the
//! reports as JSON. Exit 1 when any check fails.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use wazir_checks::{Report, Severity};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(subcommand)]
    pub check: Check,
}

#[derive(Debug, Subcommand)]
pub enum Check {
    /// The manifest against its schema; declared folders, role and workflow files exist.
    Manifest,
}

pub fn run(args: &ValidateArgs, ctx: &crate::Ctx) -> Result<ExitCode> {
    let cwd = std::env::current_dir()?;
    let root = wazir_core::project::find_root(&cwd)?;
    let reports = match &args.check {
        Check::Manifest => vec![wazir_checks::manifest::check(&root)],
    };
    print_reports(&reports, ctx)
}

/// Prints reports (text or JSON) and returns the exit code: 1 when any report failed.
pub fn print_reports(reports: &[Report], ctx: &crate::Ctx) -> Result<ExitCode> {
    let ok = reports.iter().all(|r| r.ok);
    if ctx.json {
        if reports.len() == 1 {
            ctx.print_json(&reports[0])?;
        } else {
            ctx.print_json(&serde_json::json!({ "ok": ok, "checks": reports }))?;
        }
    } else {
        for r in reports {
            for p in &r.problems {
                let tag = match p.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                eprintln!("{tag}: {p}");
            }
            if r.ok {
                let extra = if r.summary.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", r.summary)
                };
                println!("{}: ok{extra}", r.check);
            } else {
                println!("{}: FAILED, {} problem(s)", r.check, r.errors().count());
            }
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
