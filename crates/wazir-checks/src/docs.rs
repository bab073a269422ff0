//! `wazir validate docs`: the truth claims of `<docs>/truth-claims.yaml` hold against the real
//! command tree (passed in by the binary, so the check reads the parser it ships) and the file
//! system, and every relative link and `#anchor` in the project's markdown resolves, with
//! anchors computed the way GitHub renders headings.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use regex::Regex;
use serde::Deserialize;
use serde_json::Value;
use wazir_core::schema::Schema;
use wazir_core::{Project, yaml};

use crate::manifest::locate;
use crate::report::{Problem, Report};
use crate::util::{files_with_ext, line_col, rel, schema_problem};

/// The claims file, relative to the docs folder.
pub const CLAIMS_FILE: &str = "truth-claims.yaml";

/// One claim a doc makes about the product.
#[derive(Debug, Clone, Deserialize)]
pub struct Claim {
    pub id: String,
    /// The doc that makes the claim, relative to the project root.
    pub file: String,
    /// `command`, `option` or `path`.
    pub claim_type: String,
    /// `validate hooks`; `validate commits --base`; `schemas/hook.schema.json`.
    pub subject: String,
    /// `cli` (checked against the command tree) or `filesystem`.
    pub verifier: String,
    #[serde(default)]
    pub statement: Option<String>,
}

/// Checks claims and links of `project`; `cli` is the command tree of the binary.
pub fn check(project: &Project, cli: &clap::Command) -> Report {
    let mut report = Report::new("docs");
    let mut tree = cli.clone();
    tree.build();
    let claims = check_claims(&mut report, project, &tree);
    let (files, links) = check_links(&mut report, project);
    report.summary =
        format!("{claims} claims hold, {links} relative links in {files} files resolve");
    report
}

fn check_claims(report: &mut Report, project: &Project, tree: &clap::Command) -> usize {
    let root = &project.root;
    let m = &project.manifest;
    let path = root.join(&m.paths.docs).join(CLAIMS_FILE);
    let file = rel(root, &path);
    let Ok(text) = std::fs::read_to_string(&path) else {
        report.push(Problem::warning(
            &file,
            "no truth claims: list what the docs promise (commands, options, files) there so \
             `wazir validate docs` can hold them to it",
        ));
        return 0;
    };
    let doc: Value = match yaml::from_str(&path, &text, 0) {
        Ok(v) => v,
        Err(e) => {
            report.push(
                Problem::error(&file, format!("not valid YAML: {}", e.message))
                    .at(e.line, e.column),
            );
            return 0;
        }
    };
    let Some(list) = doc.get("claims").and_then(Value::as_array) else {
        report.push(Problem::error(
            &file,
            "expected a `claims:` list at the top: one entry per claim with id, file, \
             claim_type, subject and verifier",
        ));
        return 0;
    };
    let schema = match Schema::load("docs-claim", Some(&root.join(&m.paths.schemas))) {
        Ok(s) => s,
        Err(e) => {
            report.push(Problem::error(&file, e.to_string()));
            return 0;
        }
    };
    let mut ids = BTreeSet::new();
    let mut held = 0;
    for (i, item) in list.iter().enumerate() {
        let idx = i.to_string();
        let line = locate(&text, &["claims", &idx]);
        let problems = crate::util::unique_problems(&schema, item);
        if !problems.is_empty() {
            for sp in problems {
                let mut p = schema_problem(&file, &sp).at(line, None);
                p.field = Some(format!("/claims/{i}{}", sp.pointer));
                report.push(p);
            }
            continue;
        }
        let Ok(claim) = serde_json::from_value::<Claim>(item.clone()) else {
            continue;
        };
        let at = |msg: String| {
            Problem::error(&file, msg)
                .at(line, None)
                .field(format!("claims[{i}] ({})", claim.id))
        };
        if !ids.insert(claim.id.clone()) {
            report.push(at(format!(
                "the id `{}` is used twice: ids must be unique",
                claim.id
            )));
            continue;
        }
        // Claims name files as the kit lays them out (`docs/…`, `schemas/…`); the manifest's
        // paths say where those folders are in this project (`.wazir/docs/…` after `wazir init`).
        let in_project = |p: &str| {
            root.join(wazir_core::install::target_path(m, p).unwrap_or_else(|| p.to_string()))
        };
        let doc_path = in_project(&claim.file);
        let Ok(doc_text) = std::fs::read_to_string(&doc_path) else {
            report.push(at(format!(
                "the claim's file `{}` does not exist: fix `file`",
                claim.file
            )));
            continue;
        };
        let result = match claim.claim_type.as_str() {
            "command" => command_exists(tree, &claim.subject).map(|_| ()),
            "option" => option_exists(tree, &claim.subject),
            "path" => {
                if in_project(&claim.subject).exists() {
                    Ok(())
                } else {
                    Err(format!("`{}` does not exist in the project", claim.subject))
                }
            }
            other => Err(format!("unknown claim_type `{other}`")),
        };
        if let Err(why) = result {
            report.push(at(format!(
                "claim does not hold: {why}; fix {} or the claim",
                claim.file
            )));
            continue;
        }
        let needle = match claim.claim_type.as_str() {
            "option" => claim.subject.rsplit(' ').next().unwrap_or(&claim.subject),
            _ => claim.subject.as_str(),
        };
        if !doc_text.contains(needle) {
            report.push(at(format!(
                "{} does not mention `{needle}`: the claim no longer matches its doc; update \
                 the claim or the doc",
                claim.file
            )));
            continue;
        }
        held += 1;
    }
    held
}

/// The subcommand named by the words of `subject` (a leading `wazir` is allowed).
pub fn command_exists<'a>(
    tree: &'a clap::Command,
    subject: &str,
) -> Result<&'a clap::Command, String> {
    let mut cmd = tree;
    let mut path = vec![tree.get_name().to_string()];
    for word in subject.split_whitespace() {
        if path.len() == 1 && word == tree.get_name() {
            continue;
        }
        match cmd.find_subcommand(word) {
            Some(c) => {
                path.push(word.to_string());
                cmd = c;
            }
            None => {
                let known: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
                return Err(format!(
                    "`{}` has no subcommand `{word}`{}",
                    path.join(" "),
                    if known.is_empty() {
                        String::new()
                    } else {
                        format!(" (it has: {})", known.join(", "))
                    }
                ));
            }
        }
    }
    Ok(cmd)
}

/// `subject` is `<command words> --flag` or `<command words> -f`.
pub fn option_exists(tree: &clap::Command, subject: &str) -> Result<(), String> {
    let (words, flag) = subject.rsplit_once(' ').unwrap_or(("", subject));
    let cmd = command_exists(tree, words)?;
    let found = cmd.get_arguments().any(|a| {
        if let Some(long) = flag.strip_prefix("--") {
            a.get_long() == Some(long) || a.get_all_aliases().is_some_and(|al| al.contains(&long))
        } else if let Some(short) = flag.strip_prefix('-') {
            let mut cs = short.chars();
            matches!((cs.next(), cs.next()), (Some(c), None) if a.get_short() == Some(c))
        } else {
            false
        }
    });
    if found {
        Ok(())
    } else {
        let name = if words.is_empty() {
            tree.get_name().to_string()
        } else {
            format!("{} {words}", tree.get_name())
        };
        Err(format!("`{name}` has no option `{flag}`"))
    }
}

/// Markdown files the link check covers: the project's declared content folders (not the
/// generated exports) and a top-level README.
fn markdown_files(project: &Project) -> Vec<PathBuf> {
    let m = &project.manifest;
    let mut out: Vec<PathBuf> = Vec::new();
    for (field, folder) in m.paths.folders() {
        if field == "exports" {
            continue;
        }
        let dir = project.root.join(folder);
        if dir == project.root {
            continue;
        }
        out.extend(files_with_ext(&dir, &[".md"], &["node_modules", ".git"]));
    }
    let readme = project.root.join("README.md");
    if readme.is_file() {
        out.push(readme);
    }
    out.sort();
    out.dedup();
    out
}

fn check_links(report: &mut Report, project: &Project) -> (usize, usize) {
    let files = markdown_files(project);
    let mut anchors: HashMap<PathBuf, BTreeSet<String>> = HashMap::new();
    let scheme = Regex::new(r"^[A-Za-z][A-Za-z0-9+.-]*:").unwrap();
    let mut count = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let file = rel(&project.root, path);
        for link in links(&text) {
            let dest = link.dest.as_str();
            if dest.is_empty() || scheme.is_match(dest) || dest.starts_with("//") {
                continue;
            }
            count += 1;
            let (target_part, anchor) = match dest.split_once('#') {
                Some((t, a)) => (t, Some(a)),
                None => (dest, None),
            };
            let target_part = target_part.split('?').next().unwrap_or("");
            let target = if target_part.is_empty() {
                path.clone()
            } else {
                let decoded = percent_decode(target_part);
                if let Some(abs) = decoded.strip_prefix('/') {
                    project.root.join(abs)
                } else {
                    path.parent().unwrap_or(&project.root).join(decoded)
                }
            };
            let (line, col) = line_col(&text, link.offset);
            if !target.exists() {
                report.push(
                    Problem::error(
                        &file,
                        format!(
                            "broken link `{dest}`: {} does not exist; fix the path or remove \
                             the link",
                            rel(&project.root, &wazir_core::paths::normalize(&target))
                        ),
                    )
                    .at(Some(line), Some(col)),
                );
                continue;
            }
            let Some(anchor) = anchor.filter(|a| !a.is_empty()) else {
                continue;
            };
            let is_md = target.extension().is_some_and(|e| {
                e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown")
            });
            if !is_md {
                continue;
            }
            let set = anchors.entry(target.clone()).or_insert_with(|| {
                std::fs::read_to_string(&target)
                    .map(|t| heading_anchors(&t))
                    .unwrap_or_default()
            });
            let anchor = percent_decode(anchor);
            if !set.contains(&anchor) && !set.contains(&anchor.to_lowercase()) {
                report.push(
                    Problem::error(
                        &file,
                        format!(
                            "broken anchor `{dest}`: {} has no heading whose anchor is \
                             `#{anchor}`; fix the anchor or the heading",
                            rel(&project.root, &target)
                        ),
                    )
                    .at(Some(line), Some(col)),
                );
            }
        }
    }
    (files.len(), count)
}

/// A link or image destination and the byte offset of the link in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub dest: String,
    pub offset: usize,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// Every link and image of a markdown text, code excluded.
pub fn links(text: &str) -> Vec<Link> {
    let mut out = Vec::new();
    for (ev, range) in Parser::new_ext(text, options()).into_offset_iter() {
        match ev {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                out.push(Link {
                    dest: dest_url.trim().to_string(),
                    offset: range.start,
                });
            }
            _ => {}
        }
    }
    out
}

/// The anchors GitHub gives the headings of a markdown text, plus explicit `id`/`name`
/// attributes in its HTML.
pub fn heading_anchors(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut current: Option<String> = None;
    let html_id = Regex::new(r#"\b(?:id|name)\s*=\s*["']([^"']+)["']"#).unwrap();
    for ev in Parser::new_ext(text, options()) {
        match ev {
            Event::Start(Tag::Heading { .. }) => {
                current = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(t) = current.take() {
                    let base = slug(&t);
                    let n = counts.entry(base.clone()).or_insert(0);
                    let s = if *n == 0 {
                        base.clone()
                    } else {
                        format!("{base}-{n}")
                    };
                    *n += 1;
                    out.insert(s);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t);
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                for c in html_id.captures_iter(&h) {
                    out.insert(c[1].to_string());
                }
            }
            _ => {}
        }
    }
    out
}

/// GitHub's heading slug: lower-case, drop everything but letters, digits, `_`, `-` and spaces,
/// then turn each space into `-`.
pub fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c)
            } else if c == ' ' {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_slugs() {
        assert_eq!(slug("Getting started"), "getting-started");
        assert_eq!(
            slug("`wazir validate` & friends"),
            "wazir-validate--friends"
        );
        assert_eq!(slug("What's new in 1.2?"), "whats-new-in-12");
        assert_eq!(slug("Ünïcode Title"), "ünïcode-title");
    }

    #[test]
    fn duplicate_headings_are_numbered() {
        let a = heading_anchors("# A\n## Usage\n## Usage\n<a id=\"custom\"></a>\n");
        assert!(
            a.contains("usage") && a.contains("usage-1") && a.contains("custom"),
            "{a:?}"
        );
    }

    #[test]
    fn links_skip_code() {
        let l = links("[a](x.md) `[b](y.md)`\n```\n[c](z.md)\n```\n![i](img.png)\n");
        let d: Vec<&str> = l.iter().map(|l| l.dest.as_str()).collect();
        assert_eq!(d, vec!["x.md", "img.png"]);
    }

    #[test]
    fn decodes() {
        assert_eq!(percent_decode("a%20b.md"), "a b.md");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
