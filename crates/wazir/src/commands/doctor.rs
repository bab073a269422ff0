//! `wazir doctor`: being built (see the issue that owns it).

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct DoctorArgs {}

pub fn run(_args: &DoctorArgs, _ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`wazir doctor` is not built yet")
}
