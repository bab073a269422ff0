//! Reads the kit's own text the way an agent does: the sections of a skill or workflow, the
//! `wazir …` commands in their code blocks and code spans (in order), the workflow front matter,
//! and the `/wazir` skill's phase-policy table. Markdown is parsed with pulldown-cmark.

use std::collections::BTreeMap;
use std::path::Path;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// One piece of code in a section: an inline span or the lines of a fenced block.
#[derive(Debug, Clone)]
pub enum Code {
    Inline(String),
    Block(Vec<String>),
}

/// A section: its heading, its prose (code spans included) and its code, in order.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub heading: String,
    pub text: String,
    pub code: Vec<Code>,
}

impl Section {
    /// Every `wazir …` command of the section, spans and block lines alike, in order.
    pub fn commands(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.code {
            match c {
                Code::Inline(s) if s.starts_with("wazir ") => out.push(s.clone()),
                Code::Block(lines) => {
                    out.extend(lines.iter().filter(|l| l.starts_with("wazir ")).cloned())
                }
                _ => {}
            }
        }
        out
    }

    /// The `wazir …` lines of the section's `n`th fenced block.
    pub fn block(&self, n: usize) -> Vec<String> {
        self.code
            .iter()
            .filter_map(|c| match c {
                Code::Block(lines) => Some(lines),
                _ => None,
            })
            .nth(n)
            .map(|lines| {
                lines
                    .iter()
                    .filter(|l| l.starts_with("wazir "))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A markdown document split at its `##` headings, plus its tables.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub front: String,
    pub sections: Vec<Section>,
    /// Each table as rows of cell texts (the header row first).
    pub tables: Vec<Vec<Vec<String>>>,
}

impl Doc {
    pub fn read(path: &Path) -> Doc {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let (front, body) = match text
            .strip_prefix("---\n")
            .and_then(|r| r.split_once("\n---\n"))
        {
            Some((f, b)) => (f.to_string(), b.to_string()),
            None => (String::new(), text.clone()),
        };
        let mut doc = Doc {
            front,
            ..Doc::default()
        };
        let mut cur = Section::default();
        let mut in_heading = false;
        let mut block: Option<String> = None;
        let mut row: Option<Vec<String>> = None;
        let mut cell: Option<String> = None;
        for ev in Parser::new_ext(&body, Options::ENABLE_TABLES) {
            match ev {
                Event::Start(Tag::Heading { level, .. }) if level <= HeadingLevel::H2 => {
                    doc.sections.push(std::mem::take(&mut cur));
                    in_heading = true;
                }
                Event::End(TagEnd::Heading(level)) if level <= HeadingLevel::H2 => {
                    in_heading = false
                }
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => {
                    block = Some(String::new())
                }
                Event::End(TagEnd::CodeBlock) => {
                    if let Some(b) = block.take() {
                        cur.code.push(Code::Block(
                            b.lines().map(|l| l.trim().to_string()).collect(),
                        ));
                    }
                }
                Event::Start(Tag::Table(_)) => doc.tables.push(Vec::new()),
                Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                    row = Some(Vec::new())
                }
                Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                    if let (Some(r), Some(t)) = (row.take(), doc.tables.last_mut()) {
                        t.push(r);
                    }
                }
                Event::Start(Tag::TableCell) => cell = Some(String::new()),
                Event::End(TagEnd::TableCell) => {
                    if let (Some(c), Some(r)) = (cell.take(), row.as_mut()) {
                        r.push(c.trim().to_string());
                    }
                }
                Event::Text(t) => {
                    if let Some(b) = block.as_mut() {
                        b.push_str(&t);
                    } else if in_heading {
                        cur.heading.push_str(&t);
                    } else if let Some(c) = cell.as_mut() {
                        c.push_str(&t);
                    } else {
                        cur.text.push_str(&t);
                    }
                }
                Event::Code(t) => {
                    if in_heading {
                        cur.heading.push_str(&t);
                    } else if let Some(c) = cell.as_mut() {
                        c.push_str(&t);
                    } else {
                        cur.text.push('`');
                        cur.text.push_str(&t);
                        cur.text.push('`');
                        cur.code.push(Code::Inline(t.to_string()));
                    }
                }
                Event::SoftBreak | Event::HardBreak => cur.text.push(' '),
                _ => {}
            }
        }
        doc.sections.push(cur);
        doc
    }

    /// The section whose heading starts with `prefix`.
    pub fn section(&self, prefix: &str) -> &Section {
        self.sections
            .iter()
            .find(|s| s.heading.starts_with(prefix))
            .unwrap_or_else(|| panic!("no section starting with `{prefix}`"))
    }

    pub fn has_section(&self, prefix: &str) -> bool {
        self.sections.iter().any(|s| s.heading.starts_with(prefix))
    }

    /// A scalar of the front matter (`phase`, `role`, `rejects_to`, `loop_cap`, `gate`).
    pub fn front_value(&self, key: &str) -> Option<String> {
        self.front.lines().find_map(|l| {
            l.strip_prefix(&format!("{key}:"))
                .map(|v| v.trim().trim_matches('"').to_string())
        })
    }

    /// A flow list of the front matter (`inputs: [spec, research]`).
    pub fn front_list(&self, key: &str) -> Vec<String> {
        self.front_value(key)
            .map(|v| {
                v.trim_matches(|c| c == '[' || c == ']')
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `outputs:` entries as `(artifact, schema)`.
    pub fn outputs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut artifact = None;
        for l in self.front.lines() {
            let l = l.trim().trim_start_matches("- ");
            if let Some(a) = l.strip_prefix("artifact:") {
                artifact = Some(a.trim().to_string());
            } else if let Some(s) = l.strip_prefix("schema:")
                && let Some(a) = artifact.take()
            {
                out.push((a, s.trim().to_string()));
            }
        }
        out
    }
}

/// The phase-policy table of the `/wazir` skill: intent → depth → planned phases, in row order.
pub fn phase_policy(skill: &Doc) -> BTreeMap<(String, String), Vec<String>> {
    let table = skill
        .tables
        .iter()
        .find(|t| {
            t.first()
                .is_some_and(|h| h.first().is_some_and(|c| c == "phase") && h.len() > 3)
        })
        .expect("the /wazir skill has a phase table");
    let header = &table[0];
    let mut plan: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (col, intent) in header.iter().enumerate().skip(1) {
        for (letter, depth) in [("Q", "quick"), ("S", "standard"), ("D", "deep")] {
            let mut phases = Vec::new();
            for row in &table[1..] {
                let runs = row[col].split_whitespace().any(|w| w == letter);
                if runs {
                    for p in row[0].split(',') {
                        let p = p.split('(').next().unwrap().trim();
                        phases.push(p.to_string());
                    }
                }
            }
            plan.insert((intent.clone(), depth.to_string()), phases);
        }
    }
    plan
}
