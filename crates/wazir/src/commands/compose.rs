//! `wazir compose`: the expertise bundle for a role. Finds the project (or, outside any project,
//! uses the embedded kit's library and the current folder), detects stacks when asked, reads the
//! accepted learnings, calls `wazir_compose::compose` and prints the bundle as markdown or, with
//! `--json`, the whole resolution.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::Args;
use wazir_compose::{Library, Request, compose, detect_stacks, learnings, render};
use wazir_core::{Project, ProjectError};

#[derive(Debug, Args)]
pub struct ComposeArgs {
    /// The role to compose for (clarifier, researcher, specifier, content-author, designer,
    /// planner, executor, verifier, reviewer, learner).
    #[arg(long, value_name = "ROLE")]
    pub role: String,

    /// The phase the role works in; narrows accepted learnings to those scoped to it.
    #[arg(long, value_name = "PHASE")]
    pub phase: Option<String>,

    /// Stacks to compose for, or `auto` to detect them from the project's files (repeat or
    /// separate with commas).
    #[arg(long = "stack", value_name = "STACK", num_args = 1.., value_delimiter = ',')]
    pub stacks: Vec<String>,

    /// Concerns the task declares: security, performance, accessibility, testing, …
    #[arg(long = "concern", value_name = "CONCERN", num_args = 1.., value_delimiter = ',')]
    pub concerns: Vec<String>,

    /// Most o200k tokens the bundle's briefs and learnings may hold.
    #[arg(long, value_name = "TOKENS", default_value_t = wazir_compose::DEFAULT_BUDGET)]
    pub budget: usize,

    /// The task's files, folders or globs (`src/export/**`); accepted learnings whose file
    /// patterns match them are added.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub paths: Vec<String>,
}

pub fn run(args: &ComposeArgs, ctx: &crate::Ctx) -> Result<ExitCode> {
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let project = match Project::discover(&cwd) {
        Ok(p) => Some(p),
        Err(ProjectError::NotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let mut notes = Vec::new();
    let (library, root, known_roles, phases, memory, schemas) = match &project {
        Some(p) => {
            let m = &p.manifest;
            let dir = p.path(&m.paths.expertise);
            let lib = if dir.is_dir() {
                let mut lib = Library::from_dir(&dir);
                lib.display_base = Some(p.root.clone());
                lib
            } else {
                notes.push(format!(
                    "{} does not exist; composed from the embedded kit's library",
                    dir.display()
                ));
                Library::embedded()
            };
            let mut phases = m.phases.clone();
            phases.push("run_audit".into());
            (
                lib,
                p.root.clone(),
                m.roles.clone(),
                phases,
                Some(p.path(&m.paths.memory)),
                Some(p.path(&m.paths.schemas)),
            )
        }
        None => {
            let kit: wazir_core::Manifest = wazir_core::Manifest::from_str(
                Path::new("wazir.manifest.yaml (embedded kit)"),
                &wazir_core::kit::text("wazir.manifest.yaml").unwrap_or_default(),
            )?;
            let mut phases = kit.phases.clone();
            phases.push("run_audit".into());
            notes.push(format!(
                "no {} found here or above: composed from the embedded kit's library for {}",
                wazir_core::MANIFEST_FILE,
                cwd.display()
            ));
            (
                Library::embedded(),
                cwd.clone(),
                kit.roles,
                phases,
                None,
                None,
            )
        }
    };

    let mut req = Request::new(&args.role);
    req.known_roles = known_roles;
    req.budget = args.budget;
    req.today = wazir_compose::engine::today();
    if let Some(p) = &args.phase {
        let id = wazir_core::ids::to_id(p);
        if !phases.contains(&id) {
            bail!("unknown phase `{p}`; use one of: {}", phases.join(", "));
        }
        req.phase = Some(id);
    }
    let mut auto = false;
    for s in &args.stacks {
        let s = s.trim().to_ascii_lowercase();
        if s == "auto" {
            auto = true;
        } else if !s.is_empty() && !req.stacks.contains(&s) {
            req.stacks.push(s);
        }
    }
    if auto {
        req.detected = detect_stacks(&root);
        if req.detected.is_empty() {
            notes.push(format!(
                "--stack auto found no known stack in {}; name stacks with --stack",
                root.display()
            ));
        }
    }
    req.concerns = args
        .concerns
        .iter()
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty())
        .collect();
    req.paths = args
        .paths
        .iter()
        .map(|p| learnings::normalize_task_path(p, &root, &cwd))
        .filter(|p| !p.is_empty())
        // A folder stands for every file under it.
        .map(|p| {
            if root.join(&p).is_dir() {
                format!("{p}/**")
            } else {
                p
            }
        })
        .collect();

    let loaded = match &memory {
        Some(dir) => learnings::load(dir, schemas.as_deref().filter(|d| d.is_dir())),
        None => learnings::Loaded::default(),
    };
    for (file, why) in &loaded.skipped {
        notes.push(format!("skipped learning {}: {why}", shown(file, &root)));
    }

    let mut c = compose(&library, &req, &loaded.learnings)?;
    c.notes.splice(0..0, notes);
    if ctx.json {
        ctx.print_json(&c)?;
    } else {
        print!("{}", render::markdown(&c));
    }
    Ok(ExitCode::SUCCESS)
}

fn shown(file: &Path, root: &Path) -> String {
    file.strip_prefix(root)
        .map(PathBuf::from)
        .unwrap_or_else(|_| file.to_path_buf())
        .display()
        .to_string()
}
