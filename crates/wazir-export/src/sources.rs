//! Reading the canonical sources an export is compiled from: the manifest, the declared roles and
//! workflows, every skill folder and every hook definition. Each file read is hashed (BLAKE3 at
//! once, SHA-256 when a manifest is written) so the export manifest can say exactly what a
//! package was built from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use wazir_core::workflow::PhaseRules;
use wazir_core::{Manifest, Project, frontmatter, ids};

use wazir_hosts::HookEvent;

pub use wazir_core::digest::{blake3_hex, sha256_hex};

/// One source file read: its bytes and digests (SHA-256 computed only when a manifest is
/// written).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub blake3: String,
    bytes: Vec<u8>,
    sha256: std::sync::OnceLock<String>,
}

impl SourceFile {
    fn new(bytes: Vec<u8>) -> Self {
        Self {
            blake3: blake3_hex(&bytes),
            bytes,
            sha256: std::sync::OnceLock::new(),
        }
    }

    pub fn sha256(&self) -> &str {
        self.sha256.get_or_init(|| sha256_hex(&self.bytes))
    }
}

/// A role contract (`roles/<role>.md`).
#[derive(Debug, Clone)]
pub struct Role {
    /// Manifest id (`content_author`).
    pub id: String,
    /// File stem (`content-author`).
    pub stem: String,
    pub description: String,
    /// The markdown after the front matter.
    pub body: String,
}

/// A workflow entrypoint (`workflows/<name>.md`).
#[derive(Debug, Clone)]
pub struct Workflow {
    /// File stem (`spec-challenge`).
    pub stem: String,
    /// The phase's rules, as the ledger enforces them.
    pub rules: PhaseRules,
    pub inputs: Vec<String>,
    pub skills: Vec<String>,
    /// One sentence saying what the phase does, from its Purpose section.
    pub summary: String,
    pub body: String,
}

/// A skill folder (`skills/<name>/`, with `SKILL.md`).
#[derive(Debug, Clone)]
pub struct Skill {
    pub name: String,
    pub description: String,
    /// Every file of the folder: path inside the folder (`/`-separated) and bytes, sorted.
    pub files: Vec<(String, Vec<u8>)>,
}

/// A hook contract (`hooks/definitions/<id>.yaml`): the roster of behaviours to register.
#[derive(Debug, Clone)]
pub struct HookDef {
    pub id: String,
    pub event: HookEvent,
    pub description: String,
}

/// Everything an export reads, parsed, with the hash of each file read.
#[derive(Debug, Clone)]
pub struct Sources {
    /// False after [`Sources::scan`]: roles, workflows and skills are empty; `hooks` and `read`
    /// are filled.
    pub parsed: bool,
    pub root: PathBuf,
    pub manifest: Manifest,
    pub roles: Vec<Role>,
    pub workflows: Vec<Workflow>,
    pub skills: Vec<Skill>,
    pub hooks: Vec<HookDef>,
    /// Each role's composed expertise brief (markdown), when the export needs agent files.
    pub briefs: BTreeMap<String, String>,
    /// The expertise library's files (path inside it, text), when read.
    pub expertise: Vec<(String, String)>,
    /// Project-relative path (`/`-separated) → every file read, with its digests.
    pub read: BTreeMap<String, SourceFile>,
}

#[derive(Deserialize)]
struct RoleFront {
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct SkillFront {
    name: String,
    description: String,
}

#[derive(Deserialize)]
struct HookFront {
    id: String,
    command: String,
    #[serde(default)]
    description: String,
}

impl Sources {
    /// Reads and parses the canonical sources of `project`; with `briefs`, also reads the
    /// expertise library each role's brief is composed from ([`Sources::compose_briefs`]).
    pub fn load(project: &Project, briefs: bool) -> Result<Self> {
        Self::load_with(project, briefs, true)
    }

    /// Reads and hashes the same files as [`Sources::load`] without parsing any of them: enough
    /// to tell whether a package is fresh. [`Sources::parsed`] is false.
    pub fn scan(project: &Project, briefs: bool) -> Result<Self> {
        Self::load_with(project, briefs, false)
    }

    fn load_with(project: &Project, briefs: bool, parse: bool) -> Result<Self> {
        let mut s = Sources {
            parsed: parse,
            root: project.root.clone(),
            manifest: project.manifest.clone(),
            roles: Vec::new(),
            workflows: Vec::new(),
            skills: Vec::new(),
            hooks: Vec::new(),
            briefs: BTreeMap::new(),
            expertise: Vec::new(),
            read: BTreeMap::new(),
        };
        s.read_file(wazir_core::MANIFEST_FILE)?;
        let m = project.manifest.clone();

        for id in &m.roles {
            let rel = m.role_file(id);
            let text = s.read_text(&rel)?;
            if !parse {
                continue;
            }
            let (front, split) = frontmatter::parse::<RoleFront>(&s.root.join(&rel), &text)?;
            s.roles.push(Role {
                id: ids::to_id(id),
                stem: ids::to_file_stem(id),
                description: front
                    .description
                    .unwrap_or_else(|| format!("The {} role of the Wazir pipeline.", id)),
                body: split.body.trim_start_matches('\n').to_string(),
            });
        }

        for id in &m.workflows {
            let rel = m.workflow_file(id);
            let text = s.read_text(&rel)?;
            if !parse {
                continue;
            }
            let path = s.root.join(&rel);
            let wf = wazir_core::workflow::Workflow::parse(&path, &text)?;
            let split = frontmatter::split(&text).expect("a parsed workflow has front matter");
            let body = split.body.trim_start_matches('\n').to_string();
            // Hosts list every command's description in each session, so it stays one short line;
            // the phase's purpose is in its workflow file.
            let summary = format!(
                "Wazir {} phase, run by the {}.",
                wf.rules.phase,
                wf.rules.role.replace('_', " ")
            );
            s.workflows.push(Workflow {
                stem: ids::to_file_stem(id),
                rules: wf.rules,
                inputs: wf.inputs,
                skills: wf.skills,
                summary,
                body,
            });
        }

        s.load_skills(parse)?;
        // Hook definitions are parsed even by a scan: the build summary lists the hooks.
        s.load_hooks()?;
        if briefs {
            s.read_expertise()?;
        }
        Ok(s)
    }

    /// Reads (and hashes) the expertise library the briefs are composed from.
    fn read_expertise(&mut self) -> Result<()> {
        let rel = self.manifest.paths.expertise.clone();
        let dir = self.root.join(&rel);
        if !dir.join(wazir_compose::library::MAP_FILE).is_file() {
            return Ok(());
        }
        for rel_in in walk_files(&dir)? {
            let is_lib = rel_in.ends_with(".md")
                || rel_in == wazir_compose::library::INDEX_FILE
                || rel_in == wazir_compose::library::MAP_FILE;
            if is_lib {
                let text = self.read_text(&format!("{rel}/{rel_in}"))?;
                self.expertise.push((rel_in, text));
            }
        }
        Ok(())
    }

    /// Composes every role's brief with the composition engine (once): the `always` and `auto`
    /// layers of the map (no stack, concern or learning, which depend on the task at hand),
    /// within the engine's default budget. Module paths are shown relative to the project root
    /// so the output is the same on every machine.
    pub fn compose_briefs(&mut self) -> Result<()> {
        if self.expertise.is_empty() || !self.briefs.is_empty() {
            return Ok(());
        }
        let lib = wazir_compose::Library::from_files(
            wazir_compose::Origin::Dir(PathBuf::from(&self.manifest.paths.expertise)),
            self.expertise.clone(),
        );
        for role in &self.manifest.roles {
            let mut req = wazir_compose::Request::new(role);
            req.known_roles = self.manifest.roles.iter().map(|r| ids::to_id(r)).collect();
            let c = wazir_compose::compose(&lib, &req, &[])
                .map_err(|e| anyhow::anyhow!("composing the {role} brief: {e}"))?;
            let blocks: String = c.kept().map(|m| m.block.as_str()).collect();
            if !blocks.is_empty() {
                self.briefs
                    .insert(ids::to_id(role), blocks.trim_end().to_string());
            }
        }
        Ok(())
    }

    /// The sources a package of `host` depends on: the expertise library only where agent
    /// files carry briefs.
    pub fn read_for(&self, uses_briefs: bool) -> impl Iterator<Item = (&String, &SourceFile)> {
        let exp = format!("{}/", self.manifest.paths.expertise);
        self.read
            .iter()
            .filter(move |(p, _)| uses_briefs || !p.starts_with(&exp))
    }

    fn load_skills(&mut self, parse: bool) -> Result<()> {
        let dir_rel = self.manifest.paths.skills.clone();
        let dir = self.root.join(&dir_rel);
        if !dir.is_dir() {
            return Ok(());
        }
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .with_context(|| format!("cannot list {}", dir.display()))?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("SKILL.md").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let mut files = Vec::new();
            for rel_in in walk_files(&dir.join(&name))? {
                let rel = format!("{dir_rel}/{name}/{rel_in}");
                let bytes = self.read_file(&rel)?;
                files.push((rel_in, bytes));
            }
            if !parse {
                continue;
            }
            let skill_md = format!("{dir_rel}/{name}/SKILL.md");
            let text = String::from_utf8_lossy(
                &files
                    .iter()
                    .find(|(p, _)| p == "SKILL.md")
                    .map(|(_, b)| b.clone())
                    .unwrap_or_default(),
            )
            .into_owned();
            let (front, _) = frontmatter::parse::<SkillFront>(&self.root.join(&skill_md), &text)
                .map_err(|e| {
                    anyhow::anyhow!(
                        "{e}\n  a skill needs `name` and `description` in its front matter; fix \
                         it, then run `wazir export build` again"
                    )
                })?;
            if front.name != name {
                bail!(
                    "{}: front matter `name: {}` differs from the folder name `{name}`: hosts \
                     find a skill by its folder, so make them equal",
                    self.root.join(&skill_md).display(),
                    front.name
                );
            }
            self.skills.push(Skill {
                name,
                description: one_line(&front.description),
                files,
            });
        }
        Ok(())
    }

    fn load_hooks(&mut self) -> Result<()> {
        let dir_rel = format!("{}/definitions", self.manifest.paths.hooks);
        let dir = self.root.join(&dir_rel);
        if !dir.is_dir() {
            return Ok(());
        }
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .with_context(|| format!("cannot list {}", dir.display()))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
            .collect();
        names.sort();
        for n in names {
            let rel = format!("{dir_rel}/{n}");
            let text = self.read_text(&rel)?;
            let path = self.root.join(&rel);
            let def: HookFront = wazir_core::yaml::from_str(&path, &text, 0)?;
            let event: HookEvent = def
                .command
                .parse()
                .map_err(|e: String| anyhow::anyhow!("{}: `command`: {e}", path.display()))?;
            self.hooks.push(HookDef {
                id: def.id,
                event,
                description: one_line(&def.description),
            });
        }
        Ok(())
    }

    /// Reads a project file, recording its hash.
    fn read_file(&mut self, rel: &str) -> Result<Vec<u8>> {
        let path = self.root.join(rel);
        let bytes = std::fs::read(&path).with_context(|| {
            format!(
                "cannot read {}: the manifest declares it; restore the file or fix the manifest",
                path.display()
            )
        })?;
        self.read
            .insert(rel.to_string(), SourceFile::new(bytes.clone()));
        Ok(bytes)
    }

    fn read_text(&mut self, rel: &str) -> Result<String> {
        let bytes = self.read_file(rel)?;
        String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", self.root.join(rel).display()))
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        let id = ids::to_id(id);
        self.roles.iter().find(|r| r.id == id)
    }

    /// The display name of the project (falls back to its name).
    pub fn display_name(&self) -> &str {
        self.manifest
            .project
            .display_name
            .as_deref()
            .unwrap_or(&self.manifest.project.name)
    }

    /// The package name hosts see: the project slug.
    pub fn package_name(&self) -> String {
        self.manifest.slug()
    }

    pub fn description(&self) -> String {
        self.manifest
            .project
            .description
            .clone()
            .unwrap_or_else(|| {
                format!(
                    "{}: role contracts, gated phases, skills and guardrail hooks.",
                    self.display_name()
                )
            })
    }
}

/// Every file under `dir`, as `/`-separated paths relative to it, sorted. Hidden files and
/// editor leftovers are skipped.
fn walk_files(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("cannot list {}", d.display()))? {
            let e = e?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name.ends_with('~') {
                continue;
            }
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.is_file() {
                let rel = p
                    .strip_prefix(dir)
                    .expect("walked path is under its root")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(rel);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Folds a possibly multi-line string into one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whole sentences from `text` up to about `max` characters (at least one sentence).
pub fn first_sentences(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut rest = text;
    loop {
        let end = rest
            .char_indices()
            .find(|&(i, c)| c == '.' && (rest[i + 1..].starts_with(' ') || i + 1 == rest.len()))
            .map(|(i, _)| i + 1);
        let Some(end) = end else {
            if out.is_empty() {
                out.push_str(rest.trim());
            }
            break;
        };
        let sentence = rest[..end].trim();
        if !out.is_empty() && out.len() + sentence.len() + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(sentence);
        rest = &rest[end..];
        if rest.trim().is_empty() {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentences_takes_whole_sentences() {
        assert_eq!(first_sentences("A b. C d. E f.", 5), "A b.");
        assert_eq!(first_sentences("no stop", 5), "no stop");
    }
}
