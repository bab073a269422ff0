//! `wazir capture`: the run ledger's command layer. Parses the subcommands, opens the ledger of
//! the project's state root (with the workflow rules when a subcommand needs them), calls one
//! `wazir_ledger` function and prints its answer as text or JSON.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde::Serialize;
use wazir_core::Project;
use wazir_ledger::{
    ArtifactRecord, Ensured, Event, Ledger, Limits, Origin, RunId, RunStatus, Transitions, kinds,
};

#[derive(Debug, Args)]
pub struct CaptureArgs {
    #[command(subcommand)]
    pub command: CaptureCommand,
}

#[derive(Debug, Subcommand)]
pub enum CaptureCommand {
    /// Start a run: its folder, status.json, events.ndjson, captures/; make it the latest run.
    Init {
        /// The run id: a letter or digit, then up to 63 letters, digits, `.`, `_` or `-`.
        #[arg(long)]
        run: String,
        /// The phase the run starts in (either spelling: spec-challenge or spec_challenge).
        #[arg(long)]
        phase: String,
        /// The run's status word (default: active).
        #[arg(long)]
        status: Option<String>,
    },
    /// Resume the unfinished run, or start one in clarify; prints the run and its phase.
    /// Idempotent: the hooks refuse project writes until a run is in a phase that may write.
    Ensure {
        /// What the user asked for; up to five of its words name a new run
        /// (`<yyyymmdd>-<words>`).
        #[arg(long)]
        request: Option<String>,
    },
    /// Record an event; phase transitions are checked against the workflow rules.
    Event {
        /// The run (default: the one named by <state-root>/runs/latest).
        #[arg(long)]
        run: Option<String>,
        /// phase_enter, phase_exit, gate_approved, gate_rejected, verification_recorded, note,
        /// post_tool_capture, pre_compact, stop or session_start. An override of the write rule
        /// is not among them: only the user records one, with a prompt starting `wazir allow:`.
        #[arg(long)]
        event: String,
        /// The phase the event belongs to (`spec_challenge` or `spec-challenge`).
        #[arg(long)]
        phase: String,
        /// A new status word for the run.
        #[arg(long)]
        status: Option<String>,
        /// A short note stored with the event (a verdict's reason, an escalation).
        #[arg(long)]
        message: Option<String>,
    },
    /// Validate an artifact against the schema its workflow names and record it.
    Artifact {
        /// The run (default: the one named by <state-root>/runs/latest).
        #[arg(long)]
        run: Option<String>,
        /// The phase whose workflow lists the artifact as an output.
        #[arg(long)]
        phase: String,
        /// The artifact name from the workflow's outputs (stored as artifacts/<name>.json).
        #[arg(long)]
        name: String,
        /// The JSON file to record.
        #[arg(long)]
        file: PathBuf,
    },
    /// Reserve a capture file for output a command is about to write; prints its path.
    Route {
        /// The run (default: the one named by <state-root>/runs/latest).
        #[arg(long)]
        run: Option<String>,
        /// The capture's name (letters, digits, `.`, `_`, `-`); the file is captures/<name>.
        #[arg(long)]
        name: String,
    },
    /// Save standard input as a capture file and print the short reference to use instead.
    Output {
        /// The run (default: the one named by <state-root>/runs/latest).
        #[arg(long)]
        run: Option<String>,
        /// The capture's name (letters, digits, `.`, `_`, `-`); the file is captures/<name>.
        #[arg(long)]
        name: String,
        /// The command that produced the output.
        #[arg(long)]
        command: Option<String>,
        /// Its exit code.
        #[arg(long, allow_negative_numbers = true)]
        exit_code: Option<i32>,
    },
    /// Run a shell command and print its output, or, when it is longer than the capture
    /// threshold, store it as a capture file and print the short reference instead; exits
    /// with the command's code.
    Run {
        /// The run (default: the one named by <state-root>/runs/latest).
        #[arg(long)]
        run: Option<String>,
        /// The capture's name (letters, digits, `.`, `_`, `-`; default: from the command).
        #[arg(long)]
        name: Option<String>,
        /// The host whose shell call this is, recorded with the capture.
        #[arg(long, value_parser = ["claude", "codex", "gemini", "cursor"])]
        host: Option<String>,
        /// The command, run by `bash -c` (the words after `--`, joined by spaces).
        #[arg(last = true, required = true, value_name = "COMMAND")]
        command: Vec<String>,
    },
    /// Write summary.md from the ledger; prints its path.
    Summary {
        /// The run (default: the one named by <state-root>/runs/latest).
        #[arg(long)]
        run: Option<String>,
    },
    /// Tokens kept out of context by capture routing and tiered recall (o200k_base).
    Usage {
        /// The run (default: the one named by <state-root>/runs/latest).
        #[arg(long)]
        run: Option<String>,
    },
    /// Remove captures past the retention limits and files left by stopped writers, in every run.
    Prune {
        /// Remove captures older than this many days (default: WAZIR_CAPTURE_MAX_AGE_DAYS or 14).
        #[arg(long)]
        max_age_days: Option<u64>,
        /// Keep all captures together under this many MiB, removing the oldest first (default:
        /// WAZIR_CAPTURE_MAX_MB or 256).
        #[arg(long)]
        max_mb: Option<u64>,
    },
    /// Exit 0 while the phase's current or next iteration is within its loop cap (the last
    /// allowed one included), 1 when entering would pass the cap.
    LoopCheck {
        /// The run (default: the one named by <state-root>/runs/latest).
        #[arg(long)]
        run: Option<String>,
        /// The phase whose loop count to check against its cap.
        #[arg(long)]
        phase: String,
    },
    /// Print the o200k_base tokens and the characters of standard input (used by the host
    /// conformance suite to measure what a session carries).
    #[command(hide = true)]
    CountTokens,
}

/// `capture count-tokens --json`.
#[derive(Serialize)]
struct TokenCount {
    tokens: usize,
    chars: usize,
    tokenizer: &'static str,
}

/// The project, its ledger (no rules yet) and the project's schemas folder.
struct Opened {
    project: Project,
    ledger: Ledger,
}

fn open(ctx: &crate::Ctx) -> Result<Opened> {
    let project = ctx.project()?;
    let state_root = ctx.state_root(&project)?;
    let schemas = project.path(&project.manifest.paths.schemas);
    let ledger = Ledger::new(&state_root)
        .with_schemas_dir(Some(schemas))
        .with_project(&project);
    Ok(Opened { project, ledger })
}

fn with_rules(o: Opened) -> Result<Opened> {
    let rules = Transitions::for_project(&o.project)?;
    Ok(Opened {
        ledger: o.ledger.with_rules(rules),
        project: o.project,
    })
}

fn run_id(ledger: &Ledger, run: Option<&str>) -> Result<RunId> {
    Ok(ledger.require_run(run)?)
}

/// Prints the repairs the ledger made while working (a torn log tail, litter of stopped
/// writers), once, on standard error.
pub(crate) fn print_notices(ledger: &Ledger) {
    for n in ledger.take_notices() {
        eprintln!("note: {n}");
    }
}

pub fn run(args: &CaptureArgs, ctx: &crate::Ctx) -> Result<ExitCode> {
    let opened = std::cell::RefCell::new(None::<Ledger>);
    let code = run_command(args, ctx, &opened);
    if let Some(l) = opened.borrow().as_ref() {
        print_notices(l);
    }
    code
}

fn run_command(
    args: &CaptureArgs,
    ctx: &crate::Ctx,
    opened: &std::cell::RefCell<Option<Ledger>>,
) -> Result<ExitCode> {
    let open = |ctx: &crate::Ctx| -> Result<Opened> {
        let o = open(ctx)?;
        *opened.borrow_mut() = Some(o.ledger.clone());
        Ok(o)
    };
    match &args.command {
        CaptureCommand::Init { run, phase, status } => {
            let id = RunId::parse(run)?;
            let o = with_rules(open(ctx)?)?;
            let st = o.ledger.init(&id, phase, status.as_deref())?;
            let dir = o.ledger.run_dir(&id);
            if ctx.json {
                ctx.print_json(&Started {
                    run_dir: &dir,
                    status: &st,
                })?;
            } else {
                println!(
                    "started run {id} in phase {} (status {}); it is now the latest run\n  {}",
                    st.phase,
                    st.status,
                    dir.display()
                );
            }
        }
        CaptureCommand::Ensure { request } => {
            let o = with_rules(open(ctx)?)?;
            let today: String = wazir_ledger::now_rfc3339()
                .chars()
                .take(10)
                .filter(char::is_ascii_digit)
                .collect();
            let e = o.ledger.ensure(request.as_deref(), &today)?;
            if ctx.json {
                ctx.print_json(&EnsuredOut {
                    ensured: &e,
                    run_dir: &o.ledger.run_dir(&RunId::parse(&e.run_id)?),
                })?;
            } else if e.new {
                println!(
                    "started run {} in phase {}; it is now the latest run",
                    e.run_id, e.phase
                );
            } else {
                let st = &e.status;
                let state = st.phase_state(&st.phase).map_or("-", |k| k.as_str());
                println!(
                    "resuming run {} in phase {} ({state}, loop {}); status {}",
                    e.run_id,
                    e.phase,
                    st.loop_count(&st.phase),
                    st.status
                );
            }
        }
        CaptureCommand::Event {
            run,
            event,
            phase,
            status,
            message,
        } => {
            if !kinds::CLI.contains(&event.as_str()) {
                bail!(
                    "unknown event `{event}`: use one of {} (artifact, route and output record \
                     their own events)",
                    kinds::CLI.join(", ")
                );
            }
            let mut ev = Event::new(event).phase(phase);
            if let Some(s) = status {
                ev = ev.status(s);
            }
            if let Some(m) = message {
                ev = ev.message(m);
            }
            let mut o = open(ctx)?;
            if ev.is_transition() {
                o = with_rules(o)?;
            }
            let id = run_id(&o.ledger, run.as_deref())?;
            let rec = o.ledger.record_event(&id, &ev)?;
            if ctx.json {
                ctx.print_json(&EventRecorded {
                    seq: rec.seq,
                    event,
                    status: &rec.status,
                })?;
            } else {
                let st = &rec.status;
                let state = st.phase_state(&st.phase).map_or("-", |k| k.as_str());
                println!(
                    "recorded #{} {event} ({}); run {id} is in {} ({state}, loop {})",
                    rec.seq,
                    wazir_core::ids::to_id(phase),
                    st.phase,
                    st.loop_count(&st.phase)
                );
            }
        }
        CaptureCommand::Artifact {
            run,
            phase,
            name,
            file,
        } => {
            let o = with_rules(open(ctx)?)?;
            let id = run_id(&o.ledger, run.as_deref())?;
            let bytes = std::fs::read(file)
                .with_context(|| format!("{}: cannot read the artifact file", file.display()))?;
            let rec =
                o.ledger
                    .record_artifact(&id, phase, name, &bytes, &file.display().to_string())?;
            let path = o.ledger.run_dir(&id).join(&rec.file);
            if ctx.json {
                ctx.print_json(&ArtifactRecorded {
                    artifact: name,
                    path: &path,
                    record: &rec,
                })?;
            } else {
                println!(
                    "recorded artifact {name} for {} (schema {}, loop {}): {}",
                    rec.phase,
                    rec.schema,
                    rec.loop_number.map_or("-".into(), |l| l.to_string()),
                    path.display()
                );
            }
        }
        CaptureCommand::Route { run, name } => {
            let o = open(ctx)?;
            let id = run_id(&o.ledger, run.as_deref())?;
            let path = o.ledger.route_capture(&id, name)?;
            if ctx.json {
                let capture = path.file_name().map(|n| n.to_string_lossy().into_owned());
                ctx.print_json(&Routed {
                    capture,
                    path: &path,
                })?;
            } else {
                println!("{}", path.display());
            }
        }
        CaptureCommand::Output {
            run,
            name,
            command,
            exit_code,
        } => {
            let o = open(ctx)?;
            let id = run_id(&o.ledger, run.as_deref())?;
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("cannot read standard input")?;
            let out = o.ledger.record_output(
                &id,
                name,
                &bytes,
                command.as_deref(),
                *exit_code,
                Origin::PIPED,
            )?;
            if ctx.json {
                ctx.print_json(&out)?;
            } else {
                println!("{}", out.reference);
            }
        }
        CaptureCommand::Run {
            run,
            name,
            host,
            command,
        } => {
            // Outside a project or without a run the command still runs, its output printed whole.
            let ledger = open(ctx).ok().and_then(|o| {
                let id = o.ledger.resolve_run(run.as_deref()).ok().flatten()?;
                Some((o.ledger, id))
            });
            return super::capture_run::run(super::capture_run::RunCaptured {
                ledger,
                name: name.as_deref(),
                host: host.as_deref(),
                command: command.join(" "),
            });
        }
        CaptureCommand::Summary { run } => {
            let o = open(ctx)?;
            let id = run_id(&o.ledger, run.as_deref())?;
            // The summary shows each phase's cap when the workflows can be read.
            let ledger = match Transitions::for_project(&o.project) {
                Ok(rules) => o.ledger.with_rules(rules),
                Err(_) => o.ledger,
            };
            let path = ledger.write_summary(&id)?;
            if ctx.json {
                ctx.print_json(&Written { path: &path })?;
            } else {
                println!("{}", path.display());
            }
        }
        CaptureCommand::CountTokens => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read standard input as UTF-8 text")?;
            let tokens = wazir_core::tokens::count(&text);
            let chars = text.chars().count();
            if ctx.json {
                ctx.print_json(&TokenCount {
                    tokens,
                    chars,
                    tokenizer: wazir_ledger::TOKENIZER,
                })?;
            } else {
                println!("{tokens} tokens, {chars} characters");
            }
        }
        CaptureCommand::Usage { run } => {
            let o = open(ctx)?;
            let id = run_id(&o.ledger, run.as_deref())?;
            let report = o.ledger.usage(&id, Some(&o.project.root))?;
            if ctx.json {
                ctx.print_json(&report)?;
            } else {
                print!("{}", report.table());
            }
        }
        CaptureCommand::Prune {
            max_age_days,
            max_mb,
        } => {
            let o = open(ctx)?;
            let env = Limits::from_env();
            let limits = Limits {
                max_age_days: max_age_days.unwrap_or(env.max_age_days),
                max_bytes: max_mb.map_or(env.max_bytes, |m| m * 1024 * 1024),
            };
            let report = o.ledger.prune(&limits)?;
            if ctx.json {
                ctx.print_json(&report)?;
            } else {
                let freed: u64 = report.removed.iter().map(|r| r.bytes).sum();
                println!(
                    "removed {} capture(s) ({freed} bytes) past the limits ({} days, {} MiB) in \
                     {} run(s); {} kept ({} bytes)",
                    report.removed.len(),
                    limits.max_age_days,
                    limits.max_bytes / (1024 * 1024),
                    report.runs,
                    report.kept,
                    report.kept_bytes
                );
                for r in &report.removed {
                    println!(
                        "  {}/{} ({} bytes, {})",
                        r.run_id, r.capture, r.bytes, r.reason
                    );
                }
                for n in &report.notes {
                    println!("note: {n}");
                }
            }
        }
        CaptureCommand::LoopCheck { run, phase } => {
            let o = with_rules(open(ctx)?)?;
            let id = run_id(&o.ledger, run.as_deref())?;
            let phase = wazir_core::ids::to_id(phase);
            let rules = o.ledger.rules().expect("loaded").rules(&phase)?.clone();
            let check = o.ledger.loop_check(&id, &phase, rules.loop_cap)?;
            if ctx.json {
                ctx.print_json(&LoopChecked {
                    run_id: &id,
                    phase: &phase,
                    count: check.count,
                    cap: check.cap,
                    iteration: check.iteration,
                    last_allowed: check.last_allowed,
                    refused: check.refused,
                    escalation: (check.last_allowed || check.refused).then_some(&rules.escalation),
                })?;
            } else if check.refused {
                println!(
                    "{phase}: loop {} would pass the cap of {}: entering is refused. Escalate: {}",
                    check.iteration, check.cap, rules.escalation
                );
            } else if check.last_allowed {
                let after = if rules.gate {
                    "a rejection now would start another and is refused, so with a blocker open, \
                     escalate instead of rejecting"
                } else {
                    "entering again after it is refused"
                };
                println!(
                    "{phase}: loop {} of {}: the last allowed iteration; carry it out in full. \
                     {after}. At that point: {}",
                    check.iteration, check.cap, rules.escalation
                );
            } else {
                println!(
                    "{phase}: loop {} of {}: within the cap",
                    check.iteration, check.cap
                );
            }
            if check.refused {
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

// The `--json` answers of the subcommands whose library call returns more than one value; the
// field order is the printed order.

#[derive(Serialize)]
struct Started<'a> {
    run_dir: &'a std::path::Path,
    status: &'a RunStatus,
}

#[derive(Serialize)]
struct EnsuredOut<'a> {
    #[serde(flatten)]
    ensured: &'a Ensured,
    run_dir: &'a std::path::Path,
}

#[derive(Serialize)]
struct EventRecorded<'a> {
    seq: u64,
    event: &'a str,
    status: &'a RunStatus,
}

#[derive(Serialize)]
struct ArtifactRecorded<'a> {
    artifact: &'a str,
    path: &'a std::path::Path,
    record: &'a ArtifactRecord,
}

#[derive(Serialize)]
struct Routed<'a> {
    capture: Option<String>,
    path: &'a std::path::Path,
}

#[derive(Serialize)]
struct Written<'a> {
    path: &'a std::path::Path,
}

#[derive(Serialize)]
struct LoopChecked<'a> {
    run_id: &'a RunId,
    phase: &'a str,
    count: u32,
    cap: u32,
    iteration: u32,
    last_allowed: bool,
    refused: bool,
    escalation: Option<&'a String>,
}
