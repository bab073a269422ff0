//! The Cursor package: rules under `.cursor/rules/*.mdc` (one always-on working agreement, one
//! rule attached to the protected paths by glob, and agent-requested rules for every phase, role
//! and skill), `.cursor/hooks.json` (`version: 1`, pre-tool guards with `failClosed: true`), and a
//! Cursor plugin manifest pointing at both. Cursor also runs `.claude/settings.json` hooks, so the
//! project-level hooks leave out every behaviour the Claude settings already register
//! ([`hooks_without`]).

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{ProjectContent, ProjectFile, agent_body, command_prompt, whole};
use crate::render::{
    Fm, PackageFile, Placement, cursor_hooks, front_matter, generated_note, registrations,
    working_agreement,
};
use crate::sources::{Sources, first_sentences};
use wazir_hosts::{HookEvent, Host};

/// `.cursor/hooks.json` with every behaviour except those in `skip`.
pub fn hooks_without(src: &Sources, skip: &BTreeSet<HookEvent>) -> Value {
    let regs: Vec<_> = registrations(src, Host::Cursor)
        .into_iter()
        .filter(|r| !skip.contains(&r.event))
        .collect();
    json!({ "version": 1, "hooks": cursor_hooks(&regs) })
}

pub fn hooks(src: &Sources) -> Value {
    hooks_without(src, &BTreeSet::new())
}

pub fn plugin_manifest(src: &Sources) -> Value {
    let m = &src.manifest;
    let mut v = json!({
        "name": src.package_name(),
        "displayName": src.display_name(),
        "description": src.description(),
        "version": m.project.version,
        "author": { "name": src.display_name() },
        "keywords": ["wazir", "engineering-discipline", "hooks", "rules"],
        "rules": "./.cursor/rules/",
        "hooks": "./.cursor/hooks.json",
    });
    if let Some(l) = &m.project.license {
        v["license"] = json!(l);
    }
    v
}

/// A protected path as a Cursor glob: a folder covers everything under it.
fn glob_of(src: &Sources, p: &str) -> String {
    let p = p.trim_end_matches('/');
    if src.root.join(p).is_file() || p.contains('.') && !src.root.join(p).is_dir() {
        p.to_string()
    } else {
        format!("{p}/**")
    }
}

fn rule(description: &str, globs: &str, always: bool, body: &str) -> String {
    format!(
        "{}{}",
        front_matter(&[
            ("description", Fm::Str(description)),
            ("globs", Fm::Raw(globs)),
            ("alwaysApply", Fm::Bool(always)),
        ]),
        body
    )
}

fn rules(src: &Sources) -> Vec<PackageFile> {
    let name = src.package_name();
    let mut files = vec![PackageFile::new(
        format!(".cursor/rules/{name}.mdc"),
        rule(
            &format!(
                "{}: how work moves through phases, roles, gates and guardrails in this project.",
                src.display_name()
            ),
            "",
            true,
            &working_agreement(src, Host::Cursor, Placement::Package),
        ),
    )];

    let globs: Vec<String> = src
        .manifest
        .protected_paths
        .iter()
        .map(|p| glob_of(src, p))
        .collect();
    files.push(PackageFile::new(
        format!(".cursor/rules/{name}-protected-paths.mdc"),
        rule(
            "Protected canonical sources and generated host packages: never edit them directly.",
            &globs.join(","),
            false,
            &format!(
                "{}\nThe file in front of you is a canonical source or a generated host package. \
                 Do not edit it, move it, delete it or write it through the shell. A change to a \
                 canonical source is proposed, reviewed and accepted first; then the operator \
                 regenerates every host package with `wazir export build`, and `wazir export \
                 check` confirms nothing drifted. The protected-path hook blocks any other write \
                 and says which entry of `protected_paths` the path falls under.\n",
                generated_note(src)
            ),
        ),
    ));

    for w in &src.workflows {
        files.push(PackageFile::new(
            format!(".cursor/rules/{name}-phase-{}.mdc", w.stem),
            rule(
                &format!("Wazir `{}` phase: {}", w.rules.phase, w.summary),
                "",
                false,
                &format!(
                    "{}\n{}",
                    generated_note(src),
                    command_prompt(src, w, Host::Cursor, "(the request in this conversation)")
                ),
            ),
        ));
    }
    for r in &src.roles {
        files.push(PackageFile::new(
            format!(".cursor/rules/{name}-role-{}.mdc", r.stem),
            rule(&r.description, "", false, &agent_body(src, r)),
        ));
    }
    for s in &src.skills {
        let text = s
            .files
            .iter()
            .find(|(p, _)| p == "SKILL.md")
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        let body = wazir_core::frontmatter::split(&text)
            .map(|sp| sp.body.to_string())
            .unwrap_or(text.clone());
        let extra = if s.files.len() > 1 {
            format!(
                "\nThis skill's supporting files are in `{}/{}/`.\n",
                src.manifest.paths.skills, s.name
            )
        } else {
            String::new()
        };
        files.push(PackageFile::new(
            format!(".cursor/rules/{name}-skill-{}.mdc", s.name),
            rule(
                &first_sentences(&s.description, 400),
                "",
                false,
                &format!(
                    "{}\n{}{extra}",
                    generated_note(src),
                    body.trim_start_matches('\n')
                ),
            ),
        ));
    }
    files
}

pub fn package(src: &Sources) -> Vec<PackageFile> {
    let mut files = rules(src);
    files.push(PackageFile::json(".cursor/hooks.json", &hooks(src)));
    files.push(PackageFile::json(
        ".cursor-plugin/plugin.json",
        &plugin_manifest(src),
    ));
    files
}

pub fn project(src: &Sources) -> Vec<ProjectFile> {
    let mut files = whole(rules(src));
    files.push(ProjectFile {
        path: ".cursor/hooks.json".into(),
        content: ProjectContent::MergeSettings(hooks(src)),
    });
    files
}
