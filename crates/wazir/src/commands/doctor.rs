//! `wazir doctor`: prints the health of the project surface (manifest, hook definitions, state
//! root, host packages, index), one line per area, then each finding with the command that fixes
//! it. Exit 1 when any finding is an error; warnings alone exit 0.

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct DoctorArgs {}

pub fn run(_args: &DoctorArgs, ctx: &crate::Ctx) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir()?;
    let root = wazir_core::project::find_root(&cwd)?;
    let d = wazir_checks::doctor::run(&root, ctx.state_root_flag.as_deref());
    if ctx.json {
        ctx.print_json(&d)?;
    } else {
        for a in &d.areas {
            println!("{:<13}  {:<7}  {}", a.area, a.result, a.detail);
        }
        for f in &d.findings {
            let tag = f.severity.as_str();
            eprintln!("{tag}: {}: {}\n  fix: {}", f.area, f.message, f.fix);
        }
        if d.ok {
            println!("doctor: ok");
        } else {
            println!("doctor: FAILED");
        }
    }
    Ok(if d.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
