//! `wazir init [DIR]`: sets a project up for disciplined agent work. Installs the kit (or only
//! what is missing), exports the chosen hosts' packages into the project's own host folders
//! (merging with settings already there), git-ignores a repo-local state root, builds the code
//! index, runs doctor, and says what the user must still do. `--dry-run` prints the same plan and
//! writes nothing.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;
use wazir_core::install::{self, FileAction, InstallOptions, KitInstallPlan};
use wazir_core::{MANIFEST_FILE, Project};
use wazir_hosts::{Host, detect_hosts};

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
}

fn parse_host(s: &str) -> Result<Host, String> {
    s.parse()
}

#[derive(Debug, Serialize)]
struct InitReport {
    root: PathBuf,
    dry_run: bool,
    manifest: &'static str,
    kit: KitSummary,
    hosts: Vec<HostSummary>,
    state_root: StateRootSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    doctor: Option<wazir_checks::doctor::Doctor>,
    next_steps: Vec<String>,
}

#[derive(Debug, Serialize, Default)]
struct KitSummary {
    created: Vec<String>,
    updated: Vec<String>,
    overwritten: Vec<String>,
    kept_user_changes: Vec<String>,
    unchanged: usize,
}

#[derive(Debug, Serialize)]
struct HostSummary {
    host: Host,
    chosen_because: String,
    files: Vec<HostFile>,
    notes: Vec<String>,
}

#[derive(Debug, Serialize)]
struct HostFile {
    path: String,
    action: String,
}

#[derive(Debug, Serialize)]
struct StateRootSummary {
    path: PathBuf,
    repo_local: bool,
    gitignore: &'static str,
}

pub fn run(args: &InitArgs, ctx: &crate::Ctx) -> Result<ExitCode> {
    let root = resolve_dir(args.dir.as_deref(), args.dry_run)?;

    // 1. The kit.
    let plan = install::plan(
        &root,
        &InstallOptions {
            force: args.force,
            project_name: None,
        },
    )
    .with_context(|| format!("planning the kit install into {}", root.display()))?;
    let kit = summarize_kit(&plan);
    if !args.dry_run {
        install::apply(&plan)?;
    }

    // 2. Hosts: the ones asked for, else the ones in use, else all four.
    let chosen = choose_hosts(&root, &args.hosts);
    // On a dry run of a new project nothing is on disk yet: the planned manifest, in memory,
    // answers what depends on it (the state root); the host files cannot be planned.
    let project = if args.dry_run && plan.new_manifest {
        None
    } else {
        Some(Project::open(&root)?)
    };
    let planned = match &project {
        Some(p) => p.clone(),
        None => planned_project(&root, &plan)?,
    };
    let mut hosts = Vec::new();
    for (host, why) in &chosen {
        let (files, notes) = match &project {
            Some(p) => export_host(p, *host, args.dry_run)?,
            None => (
                Vec::new(),
                vec![
                    "the package is planned once the manifest exists: run without --dry-run"
                        .to_string(),
                ],
            ),
        };
        hosts.push(HostSummary {
            host: *host,
            chosen_because: why.clone(),
            files,
            notes,
        });
    }

    // 3. The state root: outside the repository by default; a repo-local one is git-ignored.
    let state_root = state_root_summary(&planned, ctx, args.dry_run)?;

    // 4. The index.
    let index = if args.no_index {
        None
    } else if args.dry_run {
        Some("would build the code index".to_string())
    } else {
        let mut cfg = wazir_index::IndexConfig::new(&root, &state_root.path);
        cfg.progress = !ctx.json;
        let r = wazir_index::build(&cfg).context("building the code index")?;
        Some(r.one_line())
    };

    // 5. Doctor: the same health check `wazir doctor` prints.
    let doctor =
        (!args.dry_run).then(|| wazir_checks::doctor::run(&root, ctx.state_root_flag.as_deref()));
    let healthy = doctor.as_ref().is_none_or(|d| d.ok);

    let next_steps = next_steps(&chosen);
    let report = InitReport {
        root: root.clone(),
        dry_run: args.dry_run,
        manifest: if plan.new_manifest {
            "created"
        } else {
            "existing"
        },
        kit,
        hosts,
        state_root,
        index,
        doctor,
        next_steps,
    };
    if ctx.json {
        ctx.print_json(&report)?;
    } else {
        print_report(&report);
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

fn summarize_kit(plan: &KitInstallPlan) -> KitSummary {
    let mut k = KitSummary::default();
    for f in &plan.files {
        match f.action {
            FileAction::Create => k.created.push(f.path.clone()),
            FileAction::Update => k.updated.push(f.path.clone()),
            FileAction::Overwrite => k.overwritten.push(f.path.clone()),
            FileAction::KeptUserChange => k.kept_user_changes.push(f.path.clone()),
            FileAction::Unchanged => k.unchanged += 1,
        }
    }
    k
}

fn choose_hosts(root: &Path, asked: &[Host]) -> Vec<(Host, String)> {
    if !asked.is_empty() {
        let mut v: Vec<Host> = asked.to_vec();
        v.sort();
        v.dedup();
        return v.into_iter().map(|h| (h, "--host".to_string())).collect();
    }
    let found = detect_hosts(root);
    if found.is_empty() {
        Host::ALL
            .into_iter()
            .map(|h| (h, "no host folder found: all four".to_string()))
            .collect()
    } else {
        found
            .into_iter()
            .map(|(h, sign)| (h, format!("found {sign}")))
            .collect()
    }
}

fn export_host(
    project: &Project,
    host: Host,
    dry_run: bool,
) -> Result<(Vec<HostFile>, Vec<String>)> {
    let r = wazir_export::install_project_files(project, host, &project.root, dry_run)
        .with_context(|| format!("exporting the {} package", host.display_name()))?;
    let mut files = Vec::new();
    let (w, m) = if dry_run {
        ("would write", "would merge")
    } else {
        ("wrote", "merged")
    };
    files.extend(r.written.into_iter().map(|path| HostFile {
        path,
        action: w.to_string(),
    }));
    files.extend(r.merged.into_iter().map(|path| HostFile {
        path,
        action: m.to_string(),
    }));
    files.extend(r.unchanged.into_iter().map(|path| HostFile {
        path,
        action: "unchanged".to_string(),
    }));
    Ok((files, r.notes))
}

/// The project a dry run would create, from the manifest the plan would write.
fn planned_project(root: &Path, plan: &KitInstallPlan) -> Result<Project> {
    let text = plan
        .files
        .iter()
        .find(|f| f.path == MANIFEST_FILE)
        .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
        .context("the plan for a new project has no manifest")?;
    let manifest_path = root.join(MANIFEST_FILE);
    let manifest = wazir_core::Manifest::from_str(&manifest_path, &text)?;
    Ok(Project {
        root: root.to_path_buf(),
        manifest_path,
        manifest,
    })
}

fn state_root_summary(
    project: &Project,
    ctx: &crate::Ctx,
    dry_run: bool,
) -> Result<StateRootSummary> {
    let root = project.root.as_path();
    let sr = project.state_root(ctx.state_root_flag.as_deref())?;
    let repo_local = sr.is_repo_local(root);
    let gitignore = if !repo_local {
        "not needed: outside the project"
    } else if sr.repo_local_is_ignored(root) {
        "already ignored"
    } else if dry_run {
        "would add to .gitignore"
    } else {
        add_to_gitignore(root, &sr.path)?;
        "added to .gitignore"
    };
    Ok(StateRootSummary {
        path: sr.path,
        repo_local,
        gitignore,
    })
}

fn add_to_gitignore(root: &Path, state_root: &Path) -> Result<()> {
    let rel = state_root
        .strip_prefix(root)
        .unwrap_or(state_root)
        .to_string_lossy()
        .replace('\\', "/");
    let path = root.join(".gitignore");
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "# Wazir run state (runs, index, captures)\n/{rel}/\n"
    ));
    wazir_core::fsio::atomic_write(&path, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn next_steps(hosts: &[(Host, String)]) -> Vec<String> {
    let mut steps = Vec::new();
    for (h, _) in hosts {
        match h {
            Host::Claude => steps.push(
                "Claude Code: start `claude` in this folder; the hooks in .claude/settings.json \
                 load on their own. To use the plugin instead: `/plugin marketplace add <path to \
                 the wazir repository>` then `/plugin install wazir@wazir`."
                    .to_string(),
            ),
            Host::Codex => steps.push(
                "Codex CLI: project hooks run only once you trust them: start `codex` here and \
                 approve the hooks in .codex/hooks.json when asked (Codex records a trusted hash \
                 per hook)."
                    .to_string(),
            ),
            Host::Gemini => steps.push(
                "Gemini CLI: start `gemini` in this folder; hooks are in .gemini/settings.json."
                    .to_string(),
            ),
            Host::Cursor => steps.push(
                "Cursor: open the folder; rules are in .cursor/rules and hooks in \
                 .cursor/hooks.json (reload the window if Cursor was already open)."
                    .to_string(),
            ),
        }
    }
    steps.push("In the agent, start a run with: /wazir <what you want done>".to_string());
    steps
}

fn print_report(r: &InitReport) {
    let verb = if r.dry_run { "would write" } else { "wrote" };
    println!(
        "{} Wazir in {}",
        if r.dry_run {
            "Plan to set up"
        } else {
            "Set up"
        },
        r.root.display()
    );
    println!(
        "  manifest: {}",
        if r.manifest == "created" {
            format!("{verb} {MANIFEST_FILE}")
        } else {
            format!("kept the existing {MANIFEST_FILE}")
        }
    );
    let k = &r.kit;
    println!(
        "  kit: {} {} new, {} updated, {} overwritten, {} unchanged",
        verb,
        k.created.len(),
        k.updated.len(),
        k.overwritten.len(),
        k.unchanged
    );
    if !k.kept_user_changes.is_empty() {
        println!(
            "  left alone ({} file(s) you changed; `wazir init --force` replaces them):",
            k.kept_user_changes.len()
        );
        for f in &k.kept_user_changes {
            println!("    {f}");
        }
    }
    for h in &r.hosts {
        println!("  {} ({}):", h.host.display_name(), h.chosen_because);
        for f in &h.files {
            println!("    {:<12} {}", f.action, f.path);
        }
        for n in &h.notes {
            println!("    note: {n}");
        }
    }
    println!(
        "  state root: {} ({})",
        r.state_root.path.display(),
        r.state_root.gitignore
    );
    if let Some(i) = &r.index {
        println!("  {i}");
    }
    if let Some(d) = &r.doctor {
        println!("\nwazir doctor:");
        for a in &d.areas {
            println!("  {:<13}  {:<7}  {}", a.area, a.result, a.detail);
        }
        for f in &d.findings {
            let tag = f.severity.as_str();
            println!("  {tag}: {}: {} (fix: {})", f.area, f.message, f.fix);
        }
        println!("  doctor: {}", if d.ok { "ok" } else { "FAILED" });
    }
    println!("\nWhat to do next:");
    for s in &r.next_steps {
        println!("  - {s}");
    }
}
