//! The Codex CLI package: `AGENTS.md`, the skills under `.agents/skills/`, the hooks in
//! `.codex/hooks.json` (the protected-path guard matches `apply_patch`, Codex's edit tool, whose
//! patch text the runtime reads for paths), and a Codex plugin manifest pointing at the same
//! skills, with the same hooks in `hooks/hooks.json`.

use serde_json::{Value, json};

use super::{ProjectFile, skill_files, with_instructions_and_settings};
use crate::render::{PackageFile, Placement, grouped_hooks, registrations, working_agreement};
use crate::sources::Sources;
use wazir_hosts::Host;

pub fn hooks(src: &Sources) -> Value {
    json!({ "hooks": grouped_hooks(Host::Codex, &registrations(src, Host::Codex)) })
}

pub fn plugin_manifest(src: &Sources) -> Value {
    let m = &src.manifest;
    let mut v = json!({
        "name": src.package_name(),
        "version": m.project.version,
        "description": src.description(),
        "author": { "name": src.display_name() },
        "skills": "./.agents/skills/",
        "interface": {
            "displayName": src.display_name(),
            "shortDescription": "Role contracts, gated phases, skills and guardrail hooks.",
            "longDescription": src.description(),
            "developerName": src.display_name(),
            "category": "Coding",
            "capabilities": ["Interactive", "Write"],
            "defaultPrompt": "Start a run with the wazir skill: clarify what I want to build.",
        },
        "keywords": ["wazir", "engineering-discipline", "hooks", "skills"],
    });
    if let Some(l) = &m.project.license {
        v["license"] = json!(l);
    }
    v
}

fn project_level(src: &Sources) -> Vec<PackageFile> {
    let mut files = vec![PackageFile::new(
        "AGENTS.md",
        working_agreement(src, Host::Codex, Placement::Package),
    )];
    files.extend(skill_files(src, ".agents/skills"));
    files
}

pub fn package(src: &Sources) -> Vec<PackageFile> {
    let mut files = project_level(src);
    files.push(PackageFile::json(".codex/hooks.json", &hooks(src)));
    files.push(PackageFile::json(
        ".codex-plugin/plugin.json",
        &plugin_manifest(src),
    ));
    files.push(PackageFile::json("hooks/hooks.json", &hooks(src)));
    files
}

pub fn project(src: &Sources) -> Vec<ProjectFile> {
    with_instructions_and_settings(
        src,
        Host::Codex,
        project_level(src),
        "AGENTS.md",
        ".codex/hooks.json",
        hooks(src),
    )
}
