//! The `wazir` binary: parses the command line, hands each command to its module under
//! `commands/`, and turns errors into a message on stderr and exit code 1. Commands stay thin:
//! the work lives in the library crates.

mod commands;
mod ctx;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use ctx::Ctx;

/// Engineering discipline inside AI coding agents: role contracts, gated phases, guardrail
/// hooks, code recall and a run ledger for Claude Code, Codex CLI, Gemini CLI and Cursor.
#[derive(Debug, Parser)]
#[command(
    name = "wazir",
    version,
    about,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Print machine-readable JSON instead of text, where the command prints data.
    #[arg(long, global = true)]
    pub json: bool,

    /// Where run state lives (default: $WAZIR_STATE_ROOT, else the manifest's
    /// state_root_default).
    #[arg(long, global = true, value_name = "PATH")]
    pub state_root: Option<std::path::PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set a project up: the kit, the host packages, the index; then check it with doctor.
    Init(commands::init::InitArgs),
    /// Check the project: manifest, hooks, docs, brand, runtime, git, artifacts, expertise.
    Validate(commands::validate::ValidateArgs),
    /// Check the health of the project surface and say the command that fixes each finding.
    Doctor(commands::doctor::DoctorArgs),
    /// Compile the host packages from the canonical sources, or check them for drift.
    Export(commands::export::ExportArgs),
    /// The hook runtime: read a host's hook payload on stdin and answer in its protocol.
    Hook(commands::hook::HookArgs),
    /// Build the code index, refresh it, and query symbols and outlines.
    Index(commands::index::IndexArgs),
    /// Read exact slices of files and symbols, or their L0/L1 summaries.
    Recall(commands::recall::RecallArgs),
    /// Record a run in the ledger: phases, events, artifacts, captured output, usage.
    Capture(commands::capture::CaptureArgs),
    /// Show a run's state (the latest run by default), or with --phase what one phase produced.
    Status(commands::status::StatusArgs),
    /// Run checks and record them as the run's proof; show which are fresh, stale or failed.
    Verify(commands::verify::VerifyArgs),
    /// Compose the expertise bundle for a role: always, auto, stack and concern layers.
    Compose(commands::compose::ComposeArgs),
}

fn main() -> ExitCode {
    // clap exits 2 on a usage error, and every host reads exit 2 from a hook as "block": bad
    // input is exit 1 here, like every other failure. Help and version still exit 0.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let ctx = Ctx::new(cli.json, cli.state_root.clone());
    let result = match &cli.command {
        Command::Init(a) => commands::init::run(a, &ctx),
        Command::Validate(a) => commands::validate::run(a, &ctx),
        Command::Doctor(a) => commands::doctor::run(a, &ctx),
        Command::Export(a) => commands::export::run(a, &ctx),
        Command::Hook(a) => commands::hook::run(a, &ctx),
        Command::Index(a) => commands::index::run(a, &ctx),
        Command::Recall(a) => commands::recall::run(a, &ctx),
        Command::Capture(a) => commands::capture::run(a, &ctx),
        Command::Status(a) => commands::status::run(a, &ctx),
        Command::Verify(a) => commands::verify::run(a, &ctx),
        Command::Compose(a) => commands::compose::run(a, &ctx),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
