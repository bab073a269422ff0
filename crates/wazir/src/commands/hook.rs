//! `wazir hook`: being built (see the issue that owns it).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct HookArgs {}

pub fn run(_args: &HookArgs, _ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`wazir hook` is not built yet")
}
