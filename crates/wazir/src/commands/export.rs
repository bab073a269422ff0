//! `wazir export`: being built (see the issue that owns it).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {}

pub fn run(_args: &ExportArgs, _ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`wazir export` is not built yet")
}
