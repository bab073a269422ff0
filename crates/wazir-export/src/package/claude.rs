//! The Claude Code package: `CLAUDE.md`, one subagent per role, one command per workflow, the
//! skills and the hook entries in `.claude/settings.json`; and, from the same files, a Claude Code
//! plugin (`.claude-plugin/plugin.json`, `agents/`, `commands/`, `skills/`, `hooks/hooks.json`).
//! The marketplace that lists the plugin is written by the export itself (it lives at the
//! repository root, outside the package folder).

use serde_json::{Value, json};

use super::{
    ProjectFile, agent_files, command_name, command_prompt, skill_files,
    with_instructions_and_settings,
};
use crate::render::{
    Fm, PackageFile, Placement, front_matter, generated_note, grouped_hooks, registrations,
    working_agreement,
};
use crate::sources::Sources;
use wazir_hosts::Host;

const SETTINGS_SCHEMA: &str = "https://json.schemastore.org/claude-code-settings.json";

/// The Claude Code tools a role's subagent may use. Every role writes its artifact to a scratch
/// file and runs `wazir`, so Write and Bash are always there; only the executor edits code.
pub fn tools(role: &str) -> &'static str {
    match role {
        "executor" => "Read, Grep, Glob, Edit, MultiEdit, Write, NotebookEdit, Bash, TodoWrite",
        "researcher" => "Read, Grep, Glob, Bash, Write, WebSearch, WebFetch, Task",
        _ => "Read, Grep, Glob, Bash, Write",
    }
}

fn commands(src: &Sources, dir: &str) -> Vec<PackageFile> {
    src.workflows
        .iter()
        .map(|w| {
            let text = format!(
                "{}{}\n{}",
                front_matter(&[
                    ("description", Fm::Str(&w.summary)),
                    (
                        "argument-hint",
                        Fm::Str("[request or notes for this phase]")
                    ),
                    // A phase command is the user's entry point: kept out of the list Claude
                    // Code gives the model every session (the model follows the workflow files).
                    ("disable-model-invocation", Fm::Bool(true)),
                ]),
                generated_note(src),
                command_prompt(src, w, Host::Claude, "$ARGUMENTS")
            );
            PackageFile::new(
                format!("{dir}/{}.md", command_name(src, Host::Claude, &w.stem)),
                text,
            )
        })
        .collect()
}

/// `.claude/settings.json` as we generate it: the schema reference and our hooks.
pub fn settings(src: &Sources) -> Value {
    json!({
        "$schema": SETTINGS_SCHEMA,
        "hooks": grouped_hooks(Host::Claude, &registrations(src, Host::Claude)),
    })
}

pub fn plugin_manifest(src: &Sources) -> Value {
    let m = &src.manifest;
    let mut v = json!({
        "name": src.package_name(),
        "version": m.project.version,
        "description": src.description(),
        "author": { "name": src.display_name() },
        "keywords": ["wazir", "engineering-discipline", "hooks", "subagents", "skills"],
    });
    if let Some(l) = &m.project.license {
        v["license"] = json!(l);
    }
    v
}

/// `.claude-plugin/marketplace.json` listing the plugin found at `source` (`./…`).
pub fn marketplace(src: &Sources, source: &str) -> Value {
    json!({
        "name": src.package_name(),
        "owner": { "name": src.display_name() },
        "metadata": {
            "description": format!("The {} plugin for Claude Code.", src.display_name()),
            "version": src.manifest.project.version,
        },
        "plugins": [{
            "name": src.package_name(),
            "source": source,
            "description": src.description(),
            "version": src.manifest.project.version,
        }],
    })
}

/// The package folder is also the plugin root, and Claude Code's `plugin validate --strict`
/// fails a plugin with a `CLAUDE.md` there ("not loaded as project context"; checked with
/// Claude Code 2.1.332). The plugin's context comes from its skills and the session-start hook;
/// `wazir init` writes the project's own `CLAUDE.md` block.
pub fn package(src: &Sources) -> Vec<PackageFile> {
    let mut files = Vec::new();
    files.extend(
        project_level(src)
            .into_iter()
            .filter(|f| f.path != "CLAUDE.md"),
    );
    files.push(PackageFile::json(".claude/settings.json", &settings(src)));
    // The plugin: the same agents, commands and skills at the plugin root.
    files.push(PackageFile::json(
        ".claude-plugin/plugin.json",
        &plugin_manifest(src),
    ));
    files.extend(agent_files(src, Host::Claude, ("tools", tools), "agents"));
    files.extend(commands(src, "commands"));
    files.extend(skill_files(src, "skills"));
    files.push(PackageFile::json(
        "hooks/hooks.json",
        &json!({
            "description": format!("{} guardrails: every entry runs `wazir hook --host claude`.", src.display_name()),
            "hooks": grouped_hooks(Host::Claude, &registrations(src, Host::Claude)),
        }),
    ));
    files
}

fn project_level(src: &Sources) -> Vec<PackageFile> {
    let mut files = vec![PackageFile::new(
        "CLAUDE.md",
        working_agreement(src, Host::Claude, Placement::Package),
    )];
    files.extend(agent_files(
        src,
        Host::Claude,
        ("tools", tools),
        ".claude/agents",
    ));
    files.extend(commands(src, ".claude/commands"));
    files.extend(skill_files(src, ".claude/skills"));
    files
}

pub fn project(src: &Sources) -> Vec<ProjectFile> {
    with_instructions_and_settings(
        src,
        Host::Claude,
        project_level(src),
        "CLAUDE.md",
        ".claude/settings.json",
        settings(src),
    )
}
