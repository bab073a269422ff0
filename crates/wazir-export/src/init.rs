//! `wazir init` as a library operation: [`plan`] reads and checks every input (the manifest, the
//! kit files, each chosen host's settings and instruction files, every target path) and decides
//! every byte in memory; [`apply`] writes it. A failure in planning leaves the project as it was.
//! The command builds the code index and runs doctor afterwards and prints the [`InitReport`].
//!
//! A new project's host files are composed from a staged copy of the kit (a temporary folder
//! holding the canonical sources as they will be after the install), so even a first run plans
//! every host before writing anything.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Serialize;
use wazir_core::install::{self, FileAction, InstallOptions, KitInstallPlan};
use wazir_core::{MANIFEST_FILE, Manifest, Project};
use wazir_hosts::{Host, detect_hosts};

use crate::project_install::{FileChange, HostPlan, plan_host, record_host, write_host_files};

pub struct InitOptions {
    /// Hosts asked for (empty: the ones the project already uses, else all four).
    pub hosts: Vec<Host>,
    /// Overwrite kit files the user changed.
    pub force: bool,
    /// `--state-root`, when given.
    pub state_root_flag: Option<PathBuf>,
    /// The enforcement mode a new manifest records (an existing manifest keeps its own).
    pub enforcement: wazir_core::manifest::EnforcementMode,
}

/// Everything init will do, decided before the first write.
pub struct InitPlan {
    pub root: PathBuf,
    kit: KitInstallPlan,
    /// The project as it will be (its sources possibly staged in `_staging`).
    sources: Project,
    _staging: Option<tempfile::TempDir>,
    pub hosts: Vec<(HostPlan, String)>,
    pub state_root: StateRootPlan,
}

#[derive(Debug, Clone, Serialize)]
pub struct StateRootPlan {
    pub path: PathBuf,
    pub repo_local: bool,
    /// What happens to `.gitignore`.
    pub gitignore: &'static str,
    /// An older state root of this project (named by the bare slug) that init moves here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<PathBuf>,
}

/// What init did (or, on a dry run, would do).
#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    pub root: PathBuf,
    pub dry_run: bool,
    /// `created` or `existing`.
    pub manifest: &'static str,
    pub kit: KitSummary,
    pub hosts: Vec<HostReport>,
    pub state_root: StateRootPlan,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct KitSummary {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub overwritten: Vec<String>,
    pub kept_user_changes: Vec<String>,
    pub read_only: Vec<String>,
    pub unchanged: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct HostReport {
    pub host: Host,
    pub chosen_because: String,
    pub files: Vec<crate::project_install::PlannedFile>,
    pub notes: Vec<String>,
}

/// Plans `wazir init` in `root` (an existing folder). Reads everything, writes nothing; every
/// problem found in any host is reported together.
pub fn plan(root: &Path, opts: &InitOptions) -> Result<InitPlan> {
    let kit = install::plan(
        root,
        &InstallOptions {
            force: opts.force,
            project_name: None,
            enforcement: opts.enforcement,
        },
    )
    .with_context(|| format!("planning the kit install into {}", root.display()))?;
    let kit_writes = kit.new_manifest || kit.files.iter().any(|f| f.action.writes());
    let (sources, staging) = if kit_writes {
        let (p, dir) = stage(root, &kit)?;
        (p, Some(dir))
    } else {
        (Project::open(root)?, None)
    };
    let real = Project {
        root: root.to_path_buf(),
        manifest_path: root.join(MANIFEST_FILE),
        manifest: sources.manifest.clone(),
    };

    let mut hosts = Vec::new();
    let mut problems = Vec::new();
    for (host, why) in choose_hosts(root, &opts.hosts) {
        match plan_host(&sources, host, root) {
            Ok(p) => hosts.push((p, why)),
            Err(e) => problems.push(format!("{}: {e:#}", host.display_name())),
        }
    }
    if !problems.is_empty() {
        bail!(
            "nothing was written; fix these first, then run `wazir init` again:\n  {}",
            problems.join("\n  ")
        );
    }
    share_linked_files(&mut hosts);
    let state_root = plan_state_root(&real, opts.state_root_flag.as_deref())?;
    Ok(InitPlan {
        root: root.to_path_buf(),
        kit,
        sources,
        _staging: staging,
        hosts,
        state_root,
    })
}

/// Writes what `plan` decided: the kit, each host's files and install record, the state root
/// (moved from its older place when there is one) and the `.gitignore` line.
pub fn apply(plan: &InitPlan) -> Result<()> {
    install::apply(&plan.kit)?;
    let project = Project::open(&plan.root)?;
    for (h, _) in &plan.hosts {
        write_host_files(h, &plan.root)?;
    }
    for (h, _) in &plan.hosts {
        record_host(&project, h, &plan.root)?;
    }
    let sr = &plan.state_root;
    if let Some(old) = &sr.moved_from {
        wazir_core::state_root::move_legacy(old, &sr.path).with_context(|| {
            format!(
                "moving the state root {} to {}",
                old.display(),
                sr.path.display()
            )
        })?;
    }
    if sr.gitignore == "add to .gitignore" {
        add_to_gitignore(&plan.root, &sr.path)?;
    }
    Ok(())
}

impl InitPlan {
    /// The report of this plan, as done (`dry_run` false) or as it would be done.
    pub fn report(&self, dry_run: bool) -> InitReport {
        let mut kit = KitSummary::default();
        for f in &self.kit.files {
            let list = match f.action {
                FileAction::Create => &mut kit.created,
                FileAction::Update => &mut kit.updated,
                FileAction::Overwrite => &mut kit.overwritten,
                FileAction::KeptUserChange => &mut kit.kept_user_changes,
                FileAction::ReadOnly => &mut kit.read_only,
                FileAction::Unchanged => {
                    kit.unchanged += 1;
                    continue;
                }
            };
            list.push(f.path.clone());
        }
        InitReport {
            root: self.root.clone(),
            dry_run,
            manifest: if self.kit.new_manifest {
                "created"
            } else {
                "existing"
            },
            kit,
            hosts: self
                .hosts
                .iter()
                .map(|(h, why)| HostReport {
                    host: h.host,
                    chosen_because: why.clone(),
                    files: h.files.clone(),
                    notes: h.notes.clone(),
                })
                .collect(),
            state_root: StateRootPlan {
                gitignore: match (self.state_root.gitignore, dry_run) {
                    ("add to .gitignore", false) => "added to .gitignore",
                    (g, _) => g,
                },
                ..self.state_root.clone()
            },
        }
    }

    /// The project whose sources the host files were planned from.
    pub fn sources(&self) -> &Project {
        &self.sources
    }
}

/// A temporary folder holding the project's canonical sources as they will be once the kit plan
/// is applied: the files on disk, with the plan's writes over them.
fn stage(root: &Path, kit: &KitInstallPlan) -> Result<(Project, tempfile::TempDir)> {
    let dir = tempfile::tempdir().context("creating a staging folder for the plan")?;
    let manifest_bytes = match kit.files.iter().find(|f| f.path == MANIFEST_FILE) {
        Some(f) => f.bytes.clone(),
        None => std::fs::read(root.join(MANIFEST_FILE))
            .with_context(|| format!("reading {}", root.join(MANIFEST_FILE).display()))?,
    };
    let manifest_path = dir.path().join(MANIFEST_FILE);
    std::fs::write(&manifest_path, &manifest_bytes)?;
    let manifest = Manifest::read(&manifest_path)?;
    let p = &manifest.paths;
    for folder in [&p.roles, &p.workflows, &p.skills, &p.hooks, &p.expertise] {
        copy_tree(&root.join(folder), &dir.path().join(folder))?;
    }
    for f in kit.files.iter().filter(|f| f.action.writes()) {
        let to = dir.path().join(&f.path);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&to, &f.bytes)?;
    }
    let project = Project {
        root: dir.path().to_path_buf(),
        manifest_path,
        manifest,
    };
    Ok((project, dir))
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(from) else {
        return Ok(());
    };
    std::fs::create_dir_all(to)?;
    for e in entries {
        let e = e?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst)?;
        } else if src.is_file() {
            std::fs::copy(&src, &dst).with_context(|| format!("reading {}", src.display()))?;
        }
    }
    Ok(())
}

/// The hosts asked for, else the ones the project already uses, else all four; with why.
pub fn choose_hosts(root: &Path, asked: &[Host]) -> Vec<(Host, String)> {
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

/// Two hosts' files that are one file on disk (`CLAUDE.md -> AGENTS.md`): the host whose own
/// path it is writes it; the other's write is dropped, with a note, so neither undoes the other.
/// Two hosts that write the same path on purpose (`.agents/skills/`, read by Codex and Gemini)
/// with the same bytes share it without a note.
fn share_linked_files(hosts: &mut [(HostPlan, String)]) {
    let mut owner: BTreeMap<PathBuf, (usize, bool)> = BTreeMap::new();
    for (i, (h, _)) in hosts.iter().enumerate() {
        for f in &h.files {
            let direct = f.through_link.is_none();
            let e = owner.entry(f.real.clone()).or_insert((i, direct));
            if direct && !e.1 {
                *e = (i, true);
            }
        }
    }
    let names: Vec<&'static str> = hosts.iter().map(|(h, _)| h.host.display_name()).collect();
    // The bytes the owner writes to each file it owns directly, at the same path as another
    // host's (the deliberate sharing case).
    let mut shared: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
    for (i, (h, _)) in hosts.iter().enumerate() {
        for f in &h.files {
            if owner[&f.real].0 == i && f.through_link.is_none() {
                shared.insert(f.real.clone(), f.bytes.clone());
            }
        }
    }
    for (i, (h, _)) in hosts.iter_mut().enumerate() {
        let mut notes = Vec::new();
        for f in &mut h.files {
            let (o, _) = owner[&f.real];
            if o != i && f.change != FileChange::SharedLink && shared.get(&f.real) == Some(&f.bytes)
            {
                f.change = FileChange::SharedLink;
                continue;
            }
            if o != i && f.change != FileChange::SharedLink {
                notes.push(format!(
                    "{} is the same file as {}'s {}: kept {}'s text in it",
                    f.path,
                    names[o],
                    f.real.display(),
                    names[o]
                ));
                f.change = FileChange::SharedLink;
            }
        }
        h.notes.extend(notes);
    }
}

fn plan_state_root(project: &Project, flag: Option<&Path>) -> Result<StateRootPlan> {
    let root = project.root.as_path();
    // Resolved without moving anything: a dry run must change nothing, and `apply` moves.
    let sr = project.resolve_state_root(flag)?;
    let repo_local = sr.is_repo_local(root);
    let gitignore = if !repo_local {
        "not needed: outside the project"
    } else if sr.repo_local_is_ignored(root) {
        "already ignored"
    } else {
        "add to .gitignore"
    };
    let moved_from = project.legacy_state_root_to_move(&sr);
    Ok(StateRootPlan {
        path: sr.path,
        repo_local,
        gitignore,
        moved_from,
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
