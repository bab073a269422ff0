//! One expertise module: `<domain>/…/<name>.md` with YAML front matter, a `## Brief` as the first
//! section (what a role keeps in context) and the full text after it. Parsing here checks only
//! the shape of one file; rules that need the rest of the library (vocabularies, cross-references,
//! duplicate ids) live in [`crate::validate`].

use std::path::Path;

use serde::Deserialize;

use crate::problem::Problem;

/// The front matter as written, every field optional so each missing one is reported by name.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: Option<String>,
    title: Option<String>,
    domain: Option<String>,
    roles: Option<Vec<String>>,
    stacks: Option<Vec<String>>,
    concerns: Option<Vec<String>>,
    summary: Option<String>,
    freshness: Option<String>,
    sources: Option<Vec<String>>,
}

/// The front matter fields every module must have, in the order the README lists them.
pub const REQUIRED_FIELDS: [&str; 9] = [
    "id",
    "title",
    "domain",
    "roles",
    "stacks",
    "concerns",
    "summary",
    "freshness",
    "sources",
];

/// A parsed module.
#[derive(Debug, Clone)]
pub struct Module {
    pub id: String,
    pub title: String,
    pub domain: String,
    pub roles: Vec<String>,
    pub stacks: Vec<String>,
    pub concerns: Vec<String>,
    pub summary: String,
    pub freshness: String,
    pub sources: Vec<String>,
    /// The file inside the library, `/`-separated (`antipatterns/code/code-smells.md`).
    pub rel_path: String,
    /// The text of `## Brief`, trimmed.
    pub brief: String,
    /// 1-based line of the `## Brief` heading.
    pub brief_line: u64,
    /// Every `##` heading of the body, with its line.
    pub sections: Vec<(String, u64)>,
    /// Module ids listed under `## Related modules`, with their lines.
    pub related: Vec<(String, u64)>,
}

/// The id a file at `rel_path` must declare: the path without `.md`.
pub fn id_for_path(rel_path: &str) -> String {
    rel_path.strip_suffix(".md").unwrap_or(rel_path).to_string()
}

/// Parses the module at `rel_path` (inside the library) whose text is `text`; `file` is the
/// path used in problems. Returns the module when its front matter and brief could be read, and
/// every shape problem found either way.
pub fn parse(rel_path: &str, file: &Path, text: &str) -> (Option<Module>, Vec<Problem>) {
    let mut problems = Vec::new();
    let path_id = id_for_path(rel_path);
    let Some(split) = wazir_core::frontmatter::split(text) else {
        problems.push(
            Problem::rule_error(
                file,
                "front-matter",
                "no front matter: start the file with a `---` line, the fields id, title, \
                 domain, roles, stacks, concerns, summary, freshness and sources, and a closing \
                 `---` line",
            )
            .at_line(Some(1))
            .module(&path_id),
        );
        return (None, problems);
    };
    let raw: RawMeta = match wazir_core::yaml::from_str(file, split.yaml, split.yaml_line_offset) {
        Ok(m) => m,
        Err(e) => {
            problems.push(
                Problem::rule_error(
                    file,
                    "front-matter",
                    format!("the front matter is not valid: {}", e.message),
                )
                .at_line(e.line)
                .module(&path_id),
            );
            return (None, problems);
        }
    };

    let yaml_line = |key: &str| -> Option<u64> {
        split
            .yaml
            .lines()
            .position(|l| l.starts_with(&format!("{key}:")))
            .map(|i| i as u64 + 2)
    };
    let missing = |name: &str, present: bool, problems: &mut Vec<Problem>| {
        if !present {
            problems.push(
                Problem::rule_error(
                    file,
                    "field-missing",
                    format!("front matter field `{name}` is missing; add it (see kit/expertise/README.md)"),
                )
                .at_line(Some(1))
                .module(&path_id),
            );
        }
    };
    missing("id", raw.id.is_some(), &mut problems);
    missing("title", raw.title.is_some(), &mut problems);
    missing("domain", raw.domain.is_some(), &mut problems);
    missing("roles", raw.roles.is_some(), &mut problems);
    missing("stacks", raw.stacks.is_some(), &mut problems);
    missing("concerns", raw.concerns.is_some(), &mut problems);
    missing("summary", raw.summary.is_some(), &mut problems);
    missing("freshness", raw.freshness.is_some(), &mut problems);
    missing("sources", raw.sources.is_some(), &mut problems);

    let id = raw.id.clone().unwrap_or_else(|| path_id.clone());
    if raw.id.as_deref().is_some_and(|i| i != path_id) {
        problems.push(
            Problem::rule_error(
                file,
                "id-path",
                format!(
                    "id `{id}` does not match the file's path; the id must be `{path_id}` (the \
                     path inside the library without `.md`)"
                ),
            )
            .at_line(yaml_line("id"))
            .module(&id),
        );
    }
    let first_segment = path_id.split('/').next().unwrap_or("");
    if let Some(d) = &raw.domain
        && d != first_segment
    {
        problems.push(
            Problem::rule_error(
                file,
                "domain",
                format!("domain `{d}` must be the first segment of the id, `{first_segment}`"),
            )
            .at_line(yaml_line("domain"))
            .module(&id),
        );
    }
    for (field, v) in [("title", &raw.title), ("summary", &raw.summary)] {
        if v.as_deref().is_some_and(|s| s.trim().is_empty()) {
            problems.push(
                Problem::rule_error(file, "field-empty", format!("`{field}` is empty; write it"))
                    .at_line(yaml_line(field))
                    .module(&id),
            );
        }
    }
    if raw.roles.as_ref().is_some_and(|r| r.is_empty()) {
        problems.push(
            Problem::rule_error(
                file,
                "field-empty",
                "`roles` is empty; name at least one role the module serves",
            )
            .at_line(yaml_line("roles"))
            .module(&id),
        );
    }
    if let Some(f) = &raw.freshness
        && !is_date(f)
    {
        problems.push(
            Problem::rule_error(
                file,
                "freshness",
                format!("freshness `{f}` is not a date; write YYYY-MM-DD"),
            )
            .at_line(yaml_line("freshness"))
            .module(&id),
        );
    }
    if let Some(s) = &raw.sources {
        if s.is_empty() {
            problems.push(
                Problem::rule_error(
                    file,
                    "sources",
                    "`sources` is empty; list the references each fact comes from",
                )
                .at_line(yaml_line("sources"))
                .module(&id),
            );
        }
        for src in s {
            if src.trim().len() < 4 {
                problems.push(
                    Problem::rule_error(
                        file,
                        "sources",
                        format!("source `{src}` is not a reference"),
                    )
                    .at_line(yaml_line("sources"))
                    .module(&id),
                );
            }
        }
    }

    let body = Body::scan(split.body, split.body_start_line as u64);
    if !body.sections.iter().any(|(n, _)| n == "Sources") {
        problems.push(
            Problem::rule_error(
                file,
                "sources-section",
                "no `## Sources` section: add one saying what each front-matter source supports",
            )
            .module(&id),
        );
    }
    let brief_line;
    let brief;
    match body.sections.first() {
        Some((name, line)) if name == "Brief" => {
            brief_line = *line;
            brief = body.section_text("Brief").unwrap_or_default();
            if brief.trim().is_empty() {
                problems.push(
                    Problem::rule_error(
                        file,
                        "brief-missing",
                        "`## Brief` is empty; write the working essence a role keeps in context",
                    )
                    .at_line(Some(*line))
                    .module(&id),
                );
            }
        }
        other => {
            let (msg, line) = match body.sections.iter().find(|(n, _)| n == "Brief") {
                Some((_, l)) => (
                    format!(
                        "`## Brief` must be the first `##` section, but `## {}` comes before it",
                        other.map(|(n, _)| n.as_str()).unwrap_or("")
                    ),
                    Some(*l),
                ),
                None => (
                    "no `## Brief` section: add it as the first `##` section after the title"
                        .to_string(),
                    Some(split.body_start_line as u64),
                ),
            };
            problems.push(
                Problem::rule_error(file, "brief-missing", msg)
                    .at_line(line)
                    .module(&id),
            );
            match body.sections.iter().find(|(n, _)| n == "Brief") {
                Some((_, l)) => {
                    brief_line = *l;
                    brief = body.section_text("Brief").unwrap_or_default();
                }
                None => return (None, problems),
            }
        }
    }
    let related = match body.section_lines("Related modules") {
        Some(lines) => {
            let (ids, bad) = parse_related(&lines);
            for (line, text) in bad {
                problems.push(
                    Problem::rule_error(
                        file,
                        "related-format",
                        format!(
                            "`{}` is not a module bullet; write `- <module-id>` or \
                             `- `<module-id>` — <note>`",
                            text.trim()
                        ),
                    )
                    .at_line(Some(line))
                    .module(&id),
                );
            }
            ids
        }
        None => Vec::new(),
    };

    let complete = REQUIRED_FIELDS.len()
        == [
            raw.id.is_some(),
            raw.title.is_some(),
            raw.domain.is_some(),
            raw.roles.is_some(),
            raw.stacks.is_some(),
            raw.concerns.is_some(),
            raw.summary.is_some(),
            raw.freshness.is_some(),
            raw.sources.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
    if !complete {
        return (None, problems);
    }
    let module = Module {
        id,
        title: raw.title.unwrap_or_default(),
        domain: raw.domain.unwrap_or_default(),
        roles: raw.roles.unwrap_or_default(),
        stacks: raw.stacks.unwrap_or_default(),
        concerns: raw.concerns.unwrap_or_default(),
        summary: raw.summary.unwrap_or_default(),
        freshness: raw.freshness.unwrap_or_default(),
        sources: raw.sources.unwrap_or_default(),
        rel_path: rel_path.to_string(),
        brief,
        brief_line,
        sections: body.sections.clone(),
        related,
    };
    (Some(module), problems)
}

fn is_date(s: &str) -> bool {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    s.len() == 10 && time::Date::parse(s, &fmt).is_ok()
}

/// The body's lines and `##` headings, with fenced code blocks skipped so a `#` comment inside
/// an example is never taken for a heading.
struct Body<'a> {
    lines: Vec<(u64, &'a str)>,
    sections: Vec<(String, u64)>,
    /// Index into `lines` of each section heading.
    starts: Vec<usize>,
    /// Index into `lines` of every heading of level 1 or 2 (section ends).
    breaks: Vec<usize>,
}

impl<'a> Body<'a> {
    fn scan(body: &'a str, first_line: u64) -> Self {
        let mut lines = Vec::new();
        let mut sections = Vec::new();
        let mut starts = Vec::new();
        let mut breaks = Vec::new();
        let mut fence: Option<(char, usize)> = None;
        for (i, line) in body.lines().enumerate() {
            let n = first_line + i as u64;
            lines.push((n, line));
            let t = line.trim_start();
            let fence_char = t.chars().next().filter(|c| *c == '`' || *c == '~');
            if let Some(c) = fence_char {
                let run = t.chars().take_while(|x| *x == c).count();
                if run >= 3 {
                    match fence {
                        None => fence = Some((c, run)),
                        Some((fc, fr)) if fc == c && run >= fr && t[run..].trim().is_empty() => {
                            fence = None
                        }
                        _ => {}
                    }
                    continue;
                }
            }
            if fence.is_some() {
                continue;
            }
            if let Some(h) = line.strip_prefix("## ") {
                sections.push((h.trim().trim_end_matches('#').trim().to_string(), n));
                starts.push(lines.len() - 1);
                breaks.push(lines.len() - 1);
            } else if line.starts_with("# ") {
                breaks.push(lines.len() - 1);
            }
        }
        Self {
            lines,
            sections,
            starts,
            breaks,
        }
    }

    fn section_lines(&self, name: &str) -> Option<Vec<(u64, &'a str)>> {
        let k = self.sections.iter().position(|(n, _)| n == name)?;
        let start = self.starts[k] + 1;
        let end = self
            .breaks
            .iter()
            .copied()
            .find(|b| *b >= start)
            .unwrap_or(self.lines.len());
        Some(self.lines[start..end].to_vec())
    }

    fn section_text(&self, name: &str) -> Option<String> {
        let lines = self.section_lines(name)?;
        let text: Vec<&str> = lines.iter().map(|(_, l)| *l).collect();
        Some(text.join("\n").trim().to_string())
    }
}

/// Module ids with their lines, and the lines that are not module bullets.
pub type RelatedLines = (Vec<(String, u64)>, Vec<(u64, String)>);

/// Reads the bullets of `## Related modules`. Accepted forms: `- <id>`, `- <id> — note`,
/// `- `<id>``, `- `<id>` — note` and `- `<id>`: note` (also with `*` bullets); indented lines
/// continue the bullet above; anything else is reported.
pub fn parse_related(lines: &[(u64, &str)]) -> RelatedLines {
    let mut ids = Vec::new();
    let mut bad = Vec::new();
    let mut in_bullet = false;
    for (n, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        if in_bullet && (line.starts_with(' ') || line.starts_with('\t')) {
            continue;
        }
        let rest = line
            .strip_prefix("- ")
            .or_else(|| line.strip_prefix("* "))
            .map(str::trim_start);
        let Some(rest) = rest else {
            in_bullet = false;
            bad.push((*n, line.to_string()));
            continue;
        };
        in_bullet = true;
        let (candidate, after) = if let Some(r) = rest.strip_prefix('`') {
            match r.find('`') {
                Some(end) => (&r[..end], &r[end + 1..]),
                None => {
                    bad.push((*n, line.to_string()));
                    continue;
                }
            }
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        };
        let after = after.trim_start();
        let note_ok = after.is_empty()
            || after.starts_with('—')
            || after.starts_with('–')
            || after.starts_with("- ")
            || after.starts_with(':')
            || after.starts_with('(');
        if is_module_id(candidate) && note_ok {
            ids.push((candidate.to_string(), *n));
        } else {
            bad.push((*n, line.to_string()));
        }
    }
    (ids, bad)
}

/// A module id: lowercase segments of letters, digits and hyphens joined by `/`, at least two.
pub fn is_module_id(s: &str) -> bool {
    let segs: Vec<&str> = s.split('/').collect();
    segs.len() >= 2
        && segs.iter().all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !seg.starts_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---\nid: quality/x\ntitle: X\ndomain: quality\nroles: [reviewer]\nstacks: []\nconcerns: []\nsummary: S.\nfreshness: 2026-11-26\nsources:\n  - \"A Book, 2001\"\n---\n\n# X\n\n## Brief\n\nRule one.\n\n```sh\n## not a heading\n```\n\n## How it works\n\nText.\n\n## Related modules\n\n- quality/y\n- `quality/z` — a note\n  that wraps\n- `quality/w`: another note\n\n## Sources\n\n- A Book.\n";

    #[test]
    fn parses_a_good_module() {
        let (m, p) = parse("quality/x.md", Path::new("x.md"), GOOD);
        assert!(p.is_empty(), "{p:?}");
        let m = m.unwrap();
        assert_eq!(m.id, "quality/x");
        assert!(m.brief.starts_with("Rule one."));
        assert!(m.brief.contains("## not a heading"), "{}", m.brief);
        assert_eq!(m.brief_line, 16);
        let ids: Vec<&str> = m.related.iter().map(|(i, _)| i.as_str()).collect();
        assert_eq!(ids, ["quality/y", "quality/z", "quality/w"]);
    }

    #[test]
    fn reports_each_missing_field() {
        let text = GOOD.replace("summary: S.\n", "").replace("title: X\n", "");
        let (m, p) = parse("quality/x.md", Path::new("x.md"), &text);
        assert!(m.is_none());
        let missing: Vec<&str> = p
            .iter()
            .filter(|p| p.rule() == "field-missing")
            .map(|p| p.message.as_str())
            .collect();
        assert_eq!(missing.len(), 2, "{p:?}");
        assert!(missing[0].contains("`title`"));
    }

    #[test]
    fn id_must_match_path_and_brief_must_be_first() {
        let text = GOOD.replace("## Brief", "## Intro\n\nx\n\n## Brief");
        let (_, p) = parse("quality/other.md", Path::new("o.md"), &text);
        let rules: Vec<&str> = p.iter().map(|p| p.rule()).collect();
        assert!(rules.contains(&"id-path"), "{rules:?}");
        assert!(rules.contains(&"brief-missing"), "{rules:?}");
    }

    #[test]
    fn bad_related_lines_are_reported() {
        let lines = [
            (1, "- [link](x.md)"),
            (2, "See also quality/y"),
            (3, "- `quality/y` does things"),
            (4, "- quality/y"),
        ];
        let (ids, bad) = parse_related(&lines);
        assert_eq!(ids.len(), 1);
        assert_eq!(bad.len(), 3, "{bad:?}");
    }
}
