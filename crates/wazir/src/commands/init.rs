//! `wazir init [DIR]`: sets a project up for disciplined agent work. The library plans and writes
//! the install (`wazir_export::init`); this command then builds the code index, runs doctor, and
//! prints the result: one line per host and what the user must still do (`--verbose` lists every
//! file, `--json` gives everything). `--dry-run` prints the same plan and writes nothing.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;
use wazir_core::manifest::EnforcementMode;
use wazir_export::init::{self, InitOptions, InitReport};
use wazir_export::project_install::FileChange;
use wazir_hosts::Host;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project folder (default: the current folder; created when missing).
    pub dir: Option<PathBuf>,
    /// A host to set up; repeat for several (default: the hosts the project already uses, else
    /// all four).
    #[arg(long = "host", value_name = "HOST", value_parser = parse_host)]
    pub hosts: Vec<Host>,
    /// Print the plan and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Overwrite kit files the user changed (they are listed either way).
    #[arg(long)]
    pub force: bool,
    /// Do not build the code index.
    #[arg(long)]
    pub no_index: bool,
    /// List every file written, merged or kept.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// What a new manifest's hooks do with a project write outside the active phase: strict
    /// (refuse), advisory (allow and say so) or off. An existing manifest keeps its own.
    #[arg(long, value_name = "MODE", default_value = "strict", value_parser = parse_mode)]
    pub enforcement: EnforcementMode,
}

fn parse_mode(s: &str) -> Result<EnforcementMode, String> {
    s.parse()
}

fn parse_host(s: &str) -> Result<Host, String> {
    s.parse()
}

#[derive(Debug, Serialize)]
struct Output {
    #[serde(flatten)]
    init: InitReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    doctor: Option<wazir_checks::doctor::Doctor>,
    next_steps: Vec<String>,
}

pub fn run(args: &InitArgs, ctx: &crate::Ctx) -> Result<ExitCode> {
    let root = resolve_dir(args.dir.as_deref(), args.dry_run)?;
    let plan = init::plan(
        &root,
        &InitOptions {
            hosts: args.hosts.clone(),
            force: args.force,
            state_root_flag: ctx.state_root_flag.clone(),
            enforcement: args.enforcement,
        },
    )?;
    if !args.dry_run {
        init::apply(&plan)?;
    }
    let report = plan.report(args.dry_run);

    let index = if args.no_index {
        None
    } else if args.dry_run {
        Some("would build the code index".to_string())
    } else {
        let mut cfg = wazir_index::IndexConfig::new(&root, &report.state_root.path);
        cfg.progress = !ctx.json;
        // A large tree is indexed in the background so init does not wait for it.
        Some(crate::commands::index::build_for_init(&cfg)?)
    };
    let doctor =
        (!args.dry_run).then(|| wazir_checks::doctor::run(&root, ctx.state_root_flag.as_deref()));
    let healthy = doctor.as_ref().is_none_or(|d| d.ok);
    let hosts: Vec<Host> = report.hosts.iter().map(|h| h.host).collect();
    let out = Output {
        init: report,
        index,
        doctor,
        next_steps: next_steps(&hosts),
    };
    if ctx.json {
        ctx.print_json(&out)?;
    } else {
        print_report(&out, args.verbose);
    }
    Ok(if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn resolve_dir(dir: Option<&Path>, dry_run: bool) -> Result<PathBuf> {
    let cwd = std::env::current_dir()?;
    let dir = match dir {
        Some(d) => cwd.join(d),
        None => cwd,
    };
    if !dir.exists() {
        if dry_run {
            return Ok(dir);
        }
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the project folder {}", dir.display()))?;
    }
    if !dir.is_dir() {
        anyhow::bail!(
            "{} is not a folder: give the project's root folder",
            dir.display()
        );
    }
    Ok(dir.canonicalize().unwrap_or(dir))
}

fn next_steps(hosts: &[Host]) -> Vec<String> {
    let mut steps: Vec<String> = hosts
        .iter()
        .map(|h| match h {
            Host::Claude => "Claude Code: start `claude` here; the hooks load on their own.",
            Host::Codex => {
                "Codex CLI: trust the project (`trust_level = \"trusted\"` under its \
                 `[projects.\"…\"]` in ~/.codex/config.toml, or yes when `codex` asks), then start \
                 `codex` here, open `/hooks` and trust the Wazir hooks. `codex exec` never asks; \
                 `wazir doctor` checks both."
            }
            Host::Gemini => "Gemini CLI: start `gemini` here; hooks are in .gemini/settings.json.",
            Host::Cursor => "Cursor: open the folder (reload the window if it was open).",
        })
        .map(str::to_string)
        .collect();
    steps.push("In the agent, start a run with: /wazir <what you want done>".to_string());
    steps
}

fn count(files: &[wazir_export::project_install::PlannedFile], c: FileChange) -> usize {
    files.iter().filter(|f| f.change == c).count()
}

/// At most 25 lines without `--verbose`: a header, the kit, one line per host, the state root,
/// the index, doctor's verdict (its findings only when it fails) and the next steps.
fn print_report(o: &Output, verbose: bool) {
    let r = &o.init;
    let (w, u) = if r.dry_run {
        ("would write", "would update")
    } else {
        ("wrote", "updated")
    };
    println!(
        "{} Wazir in {}",
        if r.dry_run {
            "Plan to set up"
        } else {
            "Set up"
        },
        r.root.display()
    );
    let k = &r.kit;
    let manifest = if r.manifest == "created" {
        format!("{w} wazir.manifest.yaml; ")
    } else {
        String::new()
    };
    println!(
        "  kit (.wazir/): {manifest}{} new, {} {u}, {} overwritten, {} unchanged",
        k.created.len(),
        k.updated.len(),
        k.overwritten.len(),
        k.unchanged
    );
    if !k.kept_user_changes.is_empty() {
        let list = if verbose {
            k.kept_user_changes.join(", ")
        } else {
            short(&k.kept_user_changes)
        };
        println!(
            "  kit: left alone {} file(s) you changed (`wazir init --force` replaces them): {list}",
            k.kept_user_changes.len()
        );
    }
    if !k.read_only.is_empty() {
        println!(
            "  kit: left {} read-only file(s) as they are: {}",
            k.read_only.len(),
            short(&k.read_only)
        );
    }
    let reasons: std::collections::BTreeSet<&str> =
        r.hosts.iter().map(|h| h.chosen_because.as_str()).collect();
    if let [only] = reasons.into_iter().collect::<Vec<_>>()[..] {
        println!("  hosts ({only}):");
    }
    for h in &r.hosts {
        let created = count(&h.files, FileChange::Create);
        let updated = count(&h.files, FileChange::Update);
        let merged = count(&h.files, FileChange::Merge);
        let kept = count(&h.files, FileChange::Unchanged) + count(&h.files, FileChange::SharedLink);
        let ro = count(&h.files, FileChange::ReadOnly);
        let mut line = format!(
            "  {:<12} {created} new, {updated} {u}, {merged} merged, {kept} kept",
            h.host.display_name()
        );
        if ro > 0 {
            line.push_str(&format!(", {ro} read-only left alone"));
        }
        line.push_str(&format!(" in {}", folders(&h.files)));
        println!("{line}");
        if verbose {
            for f in &h.files {
                let via = f
                    .through_link
                    .as_ref()
                    .map(|p| format!(" (through the link to {})", p.display()))
                    .unwrap_or_default();
                println!(
                    "    {:<11} {}{via}",
                    change_word(f.change, r.dry_run),
                    f.path
                );
            }
        }
        for n in h
            .notes
            .iter()
            .filter(|n| verbose || !n.starts_with("Codex runs"))
        {
            println!("    note: {n}");
        }
    }
    let sr = &r.state_root;
    let moved = sr
        .moved_from
        .as_ref()
        .map(|p| format!("; moved from {}", p.display()))
        .unwrap_or_default();
    println!(
        "  state root: {} ({}{moved})",
        sr.path.display(),
        sr.gitignore
    );
    if let Some(i) = &o.index {
        println!("  {i}");
    }
    if let Some(d) = &o.doctor {
        if d.ok && !verbose {
            println!("  doctor: ok ({} areas checked)", d.areas.len());
        } else {
            println!("  doctor: {}", if d.ok { "ok" } else { "FAILED" });
            for a in &d.areas {
                if verbose || a.result != "ok" {
                    println!("    {:<13}  {:<7}  {}", a.area, a.result, a.detail);
                }
            }
            for f in &d.findings {
                let tag = f.severity.as_str();
                println!("    {tag}: {}: {} (fix: {})", f.area, f.message, f.fix);
            }
        }
    }
    println!("Next:");
    for s in &o.next_steps {
        println!("  - {s}");
    }
}

fn change_word(c: FileChange, dry_run: bool) -> &'static str {
    match (c, dry_run) {
        (FileChange::Create, false) => "wrote",
        (FileChange::Create, true) => "would write",
        (FileChange::Update, false) => "updated",
        (FileChange::Update, true) => "would update",
        (FileChange::Merge, false) => "merged",
        (FileChange::Merge, true) => "would merge",
        (FileChange::Unchanged, _) => "unchanged",
        (FileChange::ReadOnly, _) => "read-only",
        (FileChange::SharedLink, _) => "shared",
    }
}

/// The top folders (or files) a host's files are in: `.claude/, CLAUDE.md`.
fn folders(files: &[wazir_export::project_install::PlannedFile]) -> String {
    let mut tops: Vec<String> = files
        .iter()
        .map(|f| match f.path.split_once('/') {
            Some((top, _)) => format!("{top}/"),
            None => f.path.clone(),
        })
        .collect();
    tops.sort();
    tops.dedup();
    tops.join(", ")
}

fn short(items: &[String]) -> String {
    if items.len() <= 3 {
        items.join(", ")
    } else {
        format!("{} and {} more", items[..3].join(", "), items.len() - 3)
    }
}
