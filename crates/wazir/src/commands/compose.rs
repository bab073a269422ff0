//! `wazir compose`: being built (see the issue that owns it).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ComposeArgs {}

pub fn run(_args: &ComposeArgs, _ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`wazir compose` is not built yet")
}
