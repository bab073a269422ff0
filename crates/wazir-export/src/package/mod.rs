//! One module per host, each turning the canonical sources into that host's native files: the
//! package written under `exports/hosts/<host>/` ([`package_files`]) and the project-level files
//! `wazir init` writes into a project ([`project_files`]).

pub mod claude;
pub mod codex;
pub mod cursor;
pub mod gemini;

use serde_json::Value;

use super::render::{Fm, PackageFile, front_matter, generated_note};
use super::sources::{Role, Sources, Workflow};
use wazir_hosts::Host;

/// How a project-level file reaches the project.
#[derive(Debug, Clone, PartialEq)]
pub enum ProjectContent {
    /// Ours alone: written as is.
    Whole(Vec<u8>),
    /// A markdown instruction file the user may have written too: our text goes between markers,
    /// the rest of the file is kept.
    MarkedBlock(String),
    /// A JSON settings file: our hooks (and any top-level keys we need) merged into the user's.
    MergeSettings(Value),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProjectFile {
    pub path: String,
    pub content: ProjectContent,
}

/// The package of `host`: every file under its package folder, sorted by path.
pub fn package_files(src: &Sources, host: Host) -> Vec<PackageFile> {
    let mut files = match host {
        Host::Claude => claude::package(src),
        Host::Codex => codex::package(src),
        Host::Gemini => gemini::package(src),
        Host::Cursor => cursor::package(src),
    };
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// The files `wazir init` writes into a project for `host`, sorted by path.
pub fn project_files(src: &Sources, host: Host) -> Vec<ProjectFile> {
    let mut files = match host {
        Host::Claude => claude::project(src),
        Host::Codex => codex::project(src),
        Host::Gemini => gemini::project(src),
        Host::Cursor => cursor::project(src),
    };
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// The agent files of a host that has subagents, one per role: its name, its description, one
/// host field (`extra`: the key and its value for the role), the model (omitted when the tier
/// keeps the session's model) and the turn limit (Claude `maxTurns`, Gemini `max_turns`) from
/// the manifest's `agents` policy, then [`agent_body`].
pub(crate) fn agent_files(
    src: &Sources,
    host: Host,
    extra: (&str, fn(&str) -> &'static str),
    dir: &str,
) -> Vec<PackageFile> {
    let turns_key = match host {
        Host::Claude => "maxTurns",
        _ => "max_turns",
    };
    let policy = src.manifest.agents.over_defaults();
    src.roles
        .iter()
        .map(|r| {
            let agent = policy.resolve(&r.id, host.as_str());
            let turns = agent.max_turns.to_string();
            let mut fields = vec![
                ("name", Fm::Str(&r.stem)),
                ("description", Fm::Str(&r.description)),
                (extra.0, Fm::Str(extra.1(&r.id))),
            ];
            if let Some(model) = &agent.model {
                fields.push(("model", Fm::Str(model)));
            }
            fields.push((turns_key, Fm::Raw(&turns)));
            let text = format!("{}{}", front_matter(&fields), agent_body(src, r));
            PackageFile::new(format!("{dir}/{}.md", r.stem), text)
        })
        .collect()
}

/// The text of an agent file after its front matter: who the agent is, how to get its expertise
/// brief, then the role contract itself.
pub(crate) fn agent_body(src: &Sources, role: &Role) -> String {
    let phases: Vec<String> = src
        .workflows
        .iter()
        .filter(|w| w.rules.role == role.id)
        .map(|w| format!("`{}`", w.rules.phase))
        .collect();
    let owns = if phases.is_empty() {
        String::new()
    } else {
        format!(" You own these phases: {}.", phases.join(", "))
    };
    let first_phase = src
        .workflows
        .iter()
        .find(|w| w.rules.role == role.id)
        .map(|w| w.rules.phase.as_str())
        .unwrap_or("PHASE");
    let brief = match src.briefs.get(&role.id) {
        Some(b) => format!(
            "\n\n## Expertise brief\n\nComposed by the {name} composition engine from the \
             modules every {id} gets (the map's `always` and `auto` layers). For the stacks and \
             concerns of the task at hand, and the accepted learnings that apply, run \
             `wazir compose --role {id} --phase {first_phase} --stack auto`.\n\n{b}\n",
            name = src.display_name(),
            id = role.id,
        ),
        None => String::new(),
    };
    format!(
        "{note}\nYou act as the **{id}** of a {name} run.{owns} The contract below is binding: \
         stay inside its allowed tools, produce its required outputs, and escalate where it says \
         to.\n\nBefore you start, load your expertise brief for the phase at hand, for example:\n\n\
         ```\nwazir compose --role {id} --phase {first_phase} --stack auto\n```\n\n{body}{brief}",
        note = generated_note(src),
        id = role.id,
        name = src.display_name(),
        body = role.body.trim_end(),
    )
}

/// The prompt of a workflow command. `args` is the host's placeholder for what the user typed
/// after the command (`$ARGUMENTS`, `{{args}}`).
pub(crate) fn command_prompt(src: &Sources, wf: &Workflow, host: Host, args: &str) -> String {
    let delegate = match host {
        Host::Claude | Host::Gemini => format!(
            "Hand the work to the `{}` subagent, which carries the role contract; do not do it in \
             this context if this context authored what the phase checks.",
            wf.rules.role.replace('_', "-")
        ),
        Host::Codex | Host::Cursor => format!(
            "Work as the `{}` role: read its contract in `{}/{}.md` first.",
            wf.rules.role,
            src.manifest.paths.roles,
            wf.rules.role.replace('_', "-")
        ),
    };
    let mut facts = Vec::new();
    if !wf.inputs.is_empty() {
        facts.push(format!("reads {}", code_list(&wf.inputs)));
    }
    if !wf.rules.outputs.is_empty() {
        facts.push(format!(
            "must leave {}",
            code_list(&wf.rules.output_names())
        ));
    }
    facts.push(format!("loop cap {}", wf.rules.loop_cap));
    facts.push(if wf.rules.writes.is_empty() {
        "writes no project file (the hooks refuse it)".to_string()
    } else {
        format!("may write project paths {}", code_list(&wf.rules.writes))
    });
    if !wf.skills.is_empty() {
        facts.push(format!("skills {}", code_list(&wf.skills)));
    }
    let facts = if facts.is_empty() {
        String::new()
    } else {
        format!(" This phase {}.", facts.join("; "))
    };
    format!(
        "Run the **{phase}** phase of the {name} process. {delegate}{facts}\n\n\
         What the user asked for, if anything:\n\n{args}\n\n\
         Follow the procedure below exactly.\n\n{body}",
        phase = wf.rules.phase,
        name = src.display_name(),
        body = wf.body,
    )
}

fn code_list(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The skill folders copied under `prefix` (`.claude/skills`, `skills`, …), byte for byte.
/// The name of a workflow's command on `host`. Commands and skills share one namespace in
/// Claude Code and Gemini CLI: with both named `design`, one of them cannot be reached (in a
/// Claude Code project the skill wins, in a plugin the command; Gemini renames both; checked
/// with Claude Code 2.1.332 and Gemini CLI 0.61.0). A workflow whose stem is also a skill's name,
/// or one of the host's built-in commands, gets the command `<stem>-phase`.
pub(crate) fn command_name(src: &Sources, host: Host, workflow_stem: &str) -> String {
    if src.skills.iter().any(|s| s.name == workflow_stem)
        || host.builtin_commands().contains(&workflow_stem)
    {
        format!("{workflow_stem}-phase")
    } else {
        workflow_stem.to_string()
    }
}

pub(crate) fn skill_files(src: &Sources, prefix: &str) -> Vec<PackageFile> {
    let mut out = Vec::new();
    for s in &src.skills {
        for (rel, bytes) in &s.files {
            out.push(PackageFile::new(
                format!("{prefix}/{}/{rel}", s.name),
                bytes.clone(),
            ));
        }
    }
    out
}

/// The project files of a host that has an instruction file: its own files written whole (the
/// package's copy of the instruction file left out), the instruction file as a marked block
/// holding the working agreement, and its settings file merged.
pub(crate) fn with_instructions_and_settings(
    src: &Sources,
    host: Host,
    own: Vec<PackageFile>,
    instructions: &str,
    settings_path: &str,
    settings: Value,
) -> Vec<ProjectFile> {
    let mut files: Vec<ProjectFile> = whole(own)
        .into_iter()
        .filter(|f| f.path != instructions)
        .collect();
    files.push(ProjectFile {
        path: instructions.into(),
        content: ProjectContent::MarkedBlock(super::render::working_agreement(
            src,
            host,
            super::render::Placement::Project,
        )),
    });
    files.push(ProjectFile {
        path: settings_path.into(),
        content: ProjectContent::MergeSettings(settings),
    });
    files
}

/// Package files that are also project files, written whole.
pub(crate) fn whole(files: Vec<PackageFile>) -> Vec<ProjectFile> {
    files
        .into_iter()
        .map(|f| ProjectFile {
            path: f.path,
            content: ProjectContent::Whole(f.bytes),
        })
        .collect()
}
