//! `wazir init`: being built (see the issue that owns it).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct InitArgs {}

pub fn run(_args: &InitArgs, _ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`wazir init` is not built yet")
}
