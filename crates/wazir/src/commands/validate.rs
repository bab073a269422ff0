//! `wazir validate <check>`: runs one check (or all) and prints each problem on one line, or the
//! reports as JSON. Exit 1 when any check fails.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, CommandFactory, Subcommand};
use wazir_checks::Report;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(subcommand)]
    pub check: Check,
}

#[derive(Debug, Subcommand)]
pub enum Check {
    /// The manifest against its schema; declared folders, role and workflow files exist.
    Manifest,
    /// Every hook definition against hook.schema.json; the set of ids equals required_hooks.
    Hooks,
    /// Truth claims against the real command tree and files; relative links and #anchors.
    Docs,
    /// Prohibited terms absent from role and workflow files (whole words, any case).
    Brand,
    /// No run state, index or captures inside the repository (a repo-local state root must be
    /// git-ignored).
    Runtime,
    /// The branch name fits the git-flow patterns.
    Branches {
        /// The branch to check (default: the checked-out branch).
        #[arg(long, value_name = "NAME")]
        branch: Option<String>,
    },
    /// Every commit of BASE..HEAD is a Conventional Commit.
    Commits {
        /// Start of the range, excluded (default: main or master, else the last commit alone).
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// End of the range, included (default: HEAD).
        #[arg(long, value_name = "REV")]
        head: Option<String>,
    },
    /// CHANGELOG.md follows Keep a Changelog; optionally new work has an [Unreleased] entry.
    Changelog {
        /// Fail when commits since --base add no entry under [Unreleased].
        #[arg(long)]
        require_entries: bool,
        /// The revision to compare against (default: main or master).
        #[arg(long, value_name = "REV")]
        base: Option<String>,
    },
    /// Roles, workflows, skills or hooks changed since --base without their docs (advisory).
    DocsDrift {
        /// The revision to compare against (default: main or master).
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// Fail instead of warning.
        #[arg(long)]
        strict: bool,
    },
    /// Template examples against their schemas; with --run, a run's artifacts.
    Artifacts {
        /// Validate every artifact of this run instead of the template examples.
        #[arg(long, value_name = "ID")]
        run: Option<String>,
    },
    /// The expertise library: front matter, brief budget, cross-references, map and index paths.
    Expertise,
    /// Every check that applies; one table of results.
    All,
}

pub fn run(args: &ValidateArgs, ctx: &crate::Ctx) -> Result<ExitCode> {
    let cwd = std::env::current_dir()?;
    let root = wazir_core::project::find_root(&cwd)?;
    if let Check::Manifest = &args.check {
        return print_reports(&[wazir_checks::manifest::check(&root)], ctx);
    }
    if let Check::All = &args.check {
        let cli = crate::Cli::command();
        let all = wazir_checks::all(&root, &cli, ctx.state_root_flag.as_deref());
        return print_all(&all, ctx);
    }
    // Every other check needs a readable manifest; say so in the check's own report if not.
    let project = match wazir_core::Project::open(&root) {
        Ok(p) => p,
        Err(e) => {
            let mut r = Report::new(check_name(&args.check));
            r.push(wazir_checks::Problem::error(
                wazir_core::MANIFEST_FILE,
                format!("{e}"),
            ));
            return print_reports(&[r], ctx);
        }
    };
    let report = match &args.check {
        Check::Manifest | Check::All => unreachable!("handled above"),
        Check::Hooks => wazir_checks::hooks::check(&project),
        Check::Docs => wazir_checks::docs::check(&project, &crate::Cli::command()),
        Check::Brand => wazir_checks::brand::check(&project),
        Check::Runtime => wazir_checks::runtime::check(&project, ctx.state_root_flag.as_deref()),
        Check::Branches { branch } => wazir_checks::branches::check(&root, branch.as_deref()),
        Check::Commits { base, head } => {
            wazir_checks::commits::check(&root, base.as_deref(), head.as_deref())
        }
        Check::Changelog {
            require_entries,
            base,
        } => wazir_checks::changelog::check(
            &project,
            &wazir_checks::changelog::Options {
                require_entries: *require_entries,
                base: base.clone(),
            },
        ),
        Check::DocsDrift { base, strict } => {
            wazir_checks::docs_drift::check(&project, base.as_deref(), *strict)
        }
        Check::Artifacts { run: None } => wazir_checks::artifacts::check_examples(&project),
        Check::Artifacts { run: Some(id) } => {
            let state_root = ctx.state_root(&project)?;
            wazir_checks::artifacts::check_run(&project, &state_root, id)
        }
        Check::Expertise => wazir_checks::expertise::check(&project),
    };
    print_reports(&[report], ctx)
}

fn check_name(c: &Check) -> &'static str {
    match c {
        Check::Manifest => "manifest",
        Check::Hooks => "hooks",
        Check::Docs => "docs",
        Check::Brand => "brand",
        Check::Runtime => "runtime",
        Check::Branches { .. } => "branches",
        Check::Commits { .. } => "commits",
        Check::Changelog { .. } => "changelog",
        Check::DocsDrift { .. } => "docs-drift",
        Check::Artifacts { .. } => "artifacts",
        Check::Expertise => "expertise",
        Check::All => "all",
    }
}

/// Prints `validate all`: one table (check, result, first problem); every problem of a failed
/// check on stderr.
fn print_all(all: &wazir_checks::AllReport, ctx: &crate::Ctx) -> Result<ExitCode> {
    if ctx.json {
        ctx.print_json(all)?;
    } else {
        for row in &all.checks {
            if let Some(r) = &row.report {
                for p in &r.problems {
                    let tag = p.severity.as_str();
                    eprintln!("{tag}: {}: {p}", r.check);
                }
            }
        }
        let width = all
            .checks
            .iter()
            .map(|r| r.check.len())
            .max()
            .unwrap_or(5)
            .max(5);
        println!("{:<width$}  {:<7}  first problem", "check", "result");
        for row in &all.checks {
            let first = match (row.result.as_str(), &row.first_problem) {
                ("ok", Some(p)) => format!("(warning) {p}"),
                (_, Some(p)) => p.clone(),
                (_, None) => "-".to_string(),
            };
            println!("{:<width$}  {:<7}  {first}", row.check, row.result);
        }
        let failed = all.checks.iter().filter(|r| r.result == "failed").count();
        if failed > 0 {
            println!("{failed} check(s) failed");
        }
    }
    Ok(if all.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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
                let tag = p.severity.as_str();
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// The subcommands are the one list of checks (`wazir_checks::CHECKS`) plus `all`.
    #[test]
    fn the_subcommands_are_the_checks() {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(subcommand)]
            check: super::Check,
        }
        let names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        let mut want: Vec<String> = wazir_checks::CHECKS.iter().map(|c| c.to_string()).collect();
        want.push("all".into());
        assert_eq!(names, want);
    }
}
