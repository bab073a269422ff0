//! `wazir verify`: evidence wazir collects itself. `run` runs a check in the project and records
//! it in the run's proof, `status` judges every recorded check against the tree now, `security`
//! lists the security dimensions the run's diff asks the review to answer.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use serde::Serialize;
use wazir_ledger::{CheckStatus, Completion, Dimension, Freshness, Ledger, RunId};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(subcommand)]
    pub command: VerifyCommand,
}

#[derive(Debug, Subcommand)]
pub enum VerifyCommand {
    /// Run a check in the project root, stream its output, and record it in the run's proof
    /// (command, exit code, duration, output digest and tail, commit and working-tree digest).
    /// Exits with the check's exit code.
    Run {
        /// The run (default: the one named by <state-root>/runs/latest).
        #[arg(long)]
        run: Option<String>,
        /// The check's name (default: the program and its first word, e.g. cargo-test); a
        /// check run again under its name replaces the earlier result.
        #[arg(long)]
        name: Option<String>,
        /// The command and its arguments, after `--`; run without a shell.
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<String>,
    },
    /// Each recorded check, passed or failed, fresh or stale, and what completing the run still
    /// needs. Exits 1 unless at least one check was run and every check passed and is fresh.
    Status {
        /// The run (default: the one named by <state-root>/runs/latest).
        #[arg(long)]
        run: Option<String>,
    },
    /// The security dimensions the run's diff triggers (patterns from the kit's
    /// workflows/security-triggers.yaml) and whether the recorded review answers each.
    Security {
        /// The run (default: the one named by <state-root>/runs/latest).
        #[arg(long)]
        run: Option<String>,
    },
}

pub fn run(args: &VerifyArgs, ctx: &crate::Ctx) -> Result<ExitCode> {
    let project = ctx.project()?;
    let ledger = Ledger::new(&ctx.state_root(&project)?).with_project(&project);
    match &args.command {
        VerifyCommand::Run { run, name, command } => {
            let id = ledger.require_run(run.as_deref())?;
            let name = name
                .clone()
                .unwrap_or_else(|| wazir_ledger::default_check_name(command));
            let wt = ledger.work_tree().expect("the ledger has the project root");
            let at = wt.state();
            if !ctx.json {
                eprintln!(
                    "wazir: running check `{name}` in {}",
                    project.root.display()
                );
            }
            let out = wazir_ledger::run_streaming(&project.root, command, ctx.json)?;
            let rec = ledger.record_check(&id, &name, command, at, &out)?;
            if ctx.json {
                ctx.print_json(&rec)?;
            } else {
                let code = rec
                    .exit_code
                    .map_or("ended by a signal".into(), |c| format!("exit {c}"));
                let commit = rec.at.commit.as_deref().map_or("no commit".into(), |c| {
                    format!("commit {}", c.chars().take(12).collect::<String>())
                });
                println!(
                    "wazir: recorded check {name}: {} ({code}, {} ms) at {commit}; output: {}",
                    if rec.passed { "passed" } else { "failed" },
                    rec.duration_ms,
                    ledger.run_dir(&id).join(&rec.capture).display()
                );
            }
            return Ok(match rec.exit_code {
                Some(0) => ExitCode::SUCCESS,
                Some(c) => ExitCode::from(u8::try_from(c).ok().filter(|c| *c != 0).unwrap_or(1)),
                None => ExitCode::from(1),
            });
        }
        VerifyCommand::Status { run } => {
            let id = ledger.require_run(run.as_deref())?;
            let st = ledger.status(&id)?;
            let checks = ledger.check_statuses(&id, None)?;
            let problems = wazir_ledger::evidence_problems(&checks);
            let completion = ledger.completion(&id, &st)?;
            let proof_artifact = st.artifacts.get(wazir_ledger::PROOF_ARTIFACT);
            if ctx.json {
                ctx.print_json(&StatusOut {
                    run_id: &id,
                    checks: &checks,
                    problems: &problems,
                    verification_proof: proof_artifact.map(|a| ProofRef {
                        file: &a.file,
                        verified: a.verified,
                    }),
                    completion: &completion,
                })?;
            } else {
                println!("run {id}: {} checks run by wazir", checks.len());
                for c in &checks {
                    let r = &c.record;
                    let fresh = match &c.freshness {
                        Freshness::Fresh => "fresh".to_string(),
                        Freshness::Stale { reason } => format!("stale: {reason}"),
                        Freshness::Unknown => "freshness unknown (not a git work tree)".into(),
                    };
                    let code = r.exit_code.map_or("signal".into(), |c| format!("exit {c}"));
                    println!(
                        "  {} {} ({code}, {} ms, ran {}), {fresh}\n    {}",
                        r.name,
                        if r.passed { "passed" } else { "failed" },
                        r.duration_ms,
                        r.ran_at,
                        r.command_line
                    );
                    if !r.passed || !c.fresh() {
                        println!("    re-run: {}", c.rerun);
                    }
                }
                if let Some(a) = proof_artifact {
                    let how = match a.verified {
                        Some(true) => "every command it cites is a check wazir ran",
                        _ => {
                            "unverified: it cites commands wazir did not run; only the checks \
                              above count"
                        }
                    };
                    println!(
                        "hand-written {}: {}; {how}",
                        wazir_ledger::PROOF_ARTIFACT,
                        a.file
                    );
                }
                if completion.ready() {
                    println!("complete: ready to be marked complete");
                } else {
                    println!("complete: not yet");
                    for m in &completion.missing {
                        println!("  - {m}");
                    }
                }
            }
            if !problems.is_empty() {
                if !ctx.json {
                    eprintln!("wazir: the checks do not prove the tree now:");
                    for p in &problems {
                        eprintln!("  - {p}");
                    }
                }
                return Ok(ExitCode::from(1));
            }
        }
        VerifyCommand::Security { run } => {
            let id = ledger.require_run(run.as_deref())?;
            let dims = ledger.security_dimensions(&id)?;
            if ctx.json {
                ctx.print_json(&SecurityOut {
                    run_id: &id,
                    dimensions: &dims,
                })?;
            } else if dims.is_empty() {
                println!("run {id}: the diff triggers no security dimension");
            } else {
                println!(
                    "run {id}: the review must answer {} security dimension{}:",
                    dims.len(),
                    if dims.len() == 1 { "" } else { "s" }
                );
                for d in &dims {
                    let mark = if d.answered { "answered" } else { "open" };
                    println!("  {} ({}): {mark}\n    {}", d.id, d.title, d.question);
                    for h in &d.hits {
                        match h.line {
                            Some(l) => println!("    {}:{l}: {}", h.path, h.text),
                            None => println!("    {}: {}", h.path, h.text),
                        }
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

// The `--json` answers of `status` and `security`; the field order is the printed order.

#[derive(Serialize)]
struct StatusOut<'a> {
    run_id: &'a RunId,
    checks: &'a [CheckStatus],
    problems: &'a [String],
    verification_proof: Option<ProofRef<'a>>,
    completion: &'a Completion,
}

#[derive(Serialize)]
struct ProofRef<'a> {
    file: &'a str,
    verified: Option<bool>,
}

#[derive(Serialize)]
struct SecurityOut<'a> {
    run_id: &'a RunId,
    dimensions: &'a [Dimension],
}
