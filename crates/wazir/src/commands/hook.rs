//! `wazir hook --host H EVENT`: the hook runtime's command. Reads the host's payload from
//! stdin, runs the EVENT's behaviours in `wazir_hook`, writes its answer on stdout and stderr and
//! exits with the code the host reads (2 blocks; 0 otherwise). Nothing else runs on this path:
//! it is the one command every tool call of the agent pays for.

use std::io::{Read, Write};
use std::process::ExitCode;

use wazir_hook::{APPROVED_FLOW_ENV, Options};
use wazir_hosts::{HookEvent, Host};

#[derive(Debug, clap::Args)]
pub struct HookArgs {
    /// The host that runs the hook: claude, codex, gemini or cursor. Generated hook commands
    /// always name it; it is never guessed from the payload.
    #[arg(long, value_name = "HOST")]
    pub host: String,

    /// The event: pre-tool (before a tool: protected-path, loop-cap and capture-route in one
    /// process, as the generated settings register it), or one behaviour alone: session-start,
    /// prompt, protected-path, loop-cap, capture-route, capture, pre-compact or stop.
    #[arg(value_name = "EVENT")]
    pub event: String,

    /// Run inside an approved flow (only `host_export_regeneration`, the flow of
    /// `wazir export build`): the protected-path guard lets writes through. Same as setting
    /// WAZIR_APPROVED_FLOW.
    #[arg(long, value_name = "FLOW")]
    pub approved_flow: Option<String>,
}

pub fn run(args: &HookArgs, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    // Parsed here, not by a clap value parser: clap would reject a placeholder such as
    // `wazir hook <host> --help` (how the kit's command check reads a documented hook line)
    // before printing the help. A bad name is an error (exit 1), never a decision (exit 2).
    let host: Host = args.host.parse().map_err(anyhow::Error::msg)?;
    let event: HookEvent = args.event.parse().map_err(anyhow::Error::msg)?;
    let mut stdin = Vec::new();
    // An unreadable stdin is decided like an empty one: guards block, the rest stay neutral.
    let _ = std::io::stdin().lock().read_to_end(&mut stdin);
    let opts = Options {
        host,
        event,
        state_root_flag: ctx
            .state_root_flag
            .as_deref()
            .map(wazir_core::paths::absolute),
        approved_flow: args
            .approved_flow
            .clone()
            .or_else(|| std::env::var(APPROVED_FLOW_ENV).ok())
            .filter(|f| !f.is_empty()),
    };
    let reply = wazir_hook::run(&opts, &stdin);
    // A host that closed its pipes early gets the exit code regardless.
    let _ = std::io::stdout().lock().write_all(reply.stdout.as_bytes());
    let _ = std::io::stderr().lock().write_all(reply.stderr.as_bytes());
    Ok(ExitCode::from(reply.exit_code))
}
