//! The kit's skills and every `wazir …` command line written in the kit. Skills must have valid
//! front matter (a kebab-case `name` equal to the folder, a `description` under 1,024
//! characters), every skill named by a workflow or by another skill must exist, and every
//! command line in the kit's markdown and YAML (inline code spans and fenced blocks) must name
//! commands, subcommands and flags the real binary has. The command tree is read from the real
//! binary's `--help` output, and each line is also run with `--help` appended, so a renamed
//! command or flag fails here instead of in a user's session.

use crate::support::common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use regex::Regex;

/// The skills the specification requires (docs/design/product.md, "The kit").
const REQUIRED_SKILLS: [&str; 22] = [
    "wazir",
    "brainstorming",
    "debugging",
    "design",
    "dispatching-parallel-agents",
    "executing-plans",
    "finishing-a-development-branch",
    "humanize",
    "init-pipeline",
    "prepare-next",
    "receiving-code-review",
    "requesting-code-review",
    "run-audit",
    "scan-project",
    "self-audit",
    "subagent-driven-development",
    "tdd",
    "using-git-worktrees",
    "using-skills",
    "verification",
    "writing-plans",
    "writing-skills",
];

/// Prompt files the skills hand to subagents (issue 11).
const REQUIRED_PROMPTS: [&str; 4] = [
    "requesting-code-review/reviewer-prompt.md",
    "subagent-driven-development/implementer-prompt.md",
    "subagent-driven-development/spec-reviewer-prompt.md",
    "subagent-driven-development/code-quality-reviewer-prompt.md",
];

fn kit() -> PathBuf {
    common::repo_root().join("kit")
}

fn skills_dir() -> PathBuf {
    kit().join("skills")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: cannot read: {e}", path.display()))
}

/// Every file under `dir` whose name ends with one of `exts`, sorted.
fn files_under(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Some(name) = p.file_name().and_then(|n| n.to_str())
                && exts.iter().any(|x| name.ends_with(x))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Skill folder names under `kit/skills`.
fn skill_names() -> BTreeSet<String> {
    std::fs::read_dir(skills_dir())
        .expect("kit/skills exists")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

fn rel(path: &Path) -> String {
    path.strip_prefix(common::repo_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[derive(Debug, serde::Deserialize)]
struct SkillFront {
    name: String,
    description: String,
}

#[test]
fn every_skill_has_valid_front_matter() {
    let kebab = Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)*$").unwrap();
    let names = skill_names();
    let mut problems = Vec::new();
    for req in REQUIRED_SKILLS {
        if !names.contains(req) {
            problems.push(format!(
                "kit/skills/{req}/SKILL.md: required skill is missing"
            ));
        }
    }
    for req in REQUIRED_PROMPTS {
        if !skills_dir().join(req).is_file() {
            problems.push(format!("kit/skills/{req}: required prompt file is missing"));
        }
    }
    for name in &names {
        let path = skills_dir().join(name).join("SKILL.md");
        if !path.is_file() {
            problems.push(format!(
                "{}: missing; every skill folder needs one",
                rel(&path)
            ));
            continue;
        }
        let text = read(&path);
        let front: SkillFront = match wazir_core::frontmatter::parse(&path, &text) {
            Ok((f, _)) => f,
            Err(e) => {
                problems.push(format!("{e}"));
                continue;
            }
        };
        if !kebab.is_match(&front.name) || front.name.len() > 64 {
            problems.push(format!(
                "{}: name `{}` must be kebab-case (a-z, 0-9, single dashes), at most 64 characters",
                rel(&path),
                front.name
            ));
        }
        if &front.name != name {
            problems.push(format!(
                "{}: name `{}` must equal the folder name `{name}`",
                rel(&path),
                front.name
            ));
        }
        let len = front.description.chars().count();
        if len == 0 || len >= 1024 {
            problems.push(format!(
                "{}: description has {len} characters; it must be non-empty and under 1,024",
                rel(&path)
            ));
        }
        if !front.description.to_lowercase().contains("use ") {
            problems.push(format!(
                "{}: description must say when to use the skill (\"Use when …\")",
                rel(&path)
            ));
        }
        let lines = text.lines().count();
        if !(60..=200).contains(&lines) {
            problems.push(format!(
                "{}: {lines} lines; a skill is 60 to 200 lines (split it or complete it)",
                rel(&path)
            ));
        }
    }
    let readme = read(&skills_dir().join("README.md"));
    for name in &names {
        let entry = format!("[`{name}`]({name}/SKILL.md)");
        if readme.matches(&entry).count() != 1 {
            problems.push(format!(
                "kit/skills/README.md: the catalogue needs exactly one line for `{name}` ({entry})"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[derive(Debug, serde::Deserialize)]
struct WorkflowSkills {
    #[serde(default)]
    skills: Vec<String>,
}

/// Skill names referred to in a skill file: "the `tdd` skill" and the cells of a table column
/// headed `skill`.
fn referenced_skills(text: &str) -> Vec<(usize, String)> {
    let phrase = Regex::new(r"`([a-z0-9][a-z0-9-]*)` skills?\b").unwrap();
    let ticked = Regex::new(r"`([a-z0-9][a-z0-9-]*)`").unwrap();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for c in phrase.captures_iter(line) {
            out.push((i + 1, c[1].to_string()));
        }
    }
    // Tables: find a header row with a `skill` column, then read that column until the table ends.
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].trim();
        if l.starts_with('|') {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            if let Some(col) = cells.iter().position(|c| c.eq_ignore_ascii_case("skill")) {
                let mut j = i + 2; // skip the delimiter row
                while j < lines.len() && lines[j].trim().starts_with('|') {
                    let row: Vec<&str> = lines[j]
                        .trim()
                        .trim_matches('|')
                        .split('|')
                        .map(str::trim)
                        .collect();
                    if let Some(cell) = row.get(col) {
                        for c in ticked.captures_iter(cell) {
                            out.push((j + 1, c[1].to_string()));
                        }
                    }
                    j += 1;
                }
                i = j;
                continue;
            }
        }
        i += 1;
    }
    out
}

#[test]
fn every_named_skill_exists() {
    let names = skill_names();
    let mut problems = Vec::new();
    for path in files_under(&kit().join("workflows"), &[".md"]) {
        let text = read(&path);
        match wazir_core::frontmatter::parse::<WorkflowSkills>(&path, &text) {
            Ok((w, _)) => {
                for s in w.skills {
                    if !names.contains(&s) {
                        problems.push(format!(
                            "{}: `skills:` names `{s}`, which is not a folder in kit/skills",
                            rel(&path)
                        ));
                    }
                }
            }
            Err(e) => problems.push(format!("{e}")),
        }
    }
    let mut refs = 0;
    for path in files_under(&skills_dir(), &[".md"]) {
        for (line, s) in referenced_skills(&read(&path)) {
            refs += 1;
            if !names.contains(&s) {
                problems.push(format!(
                    "{}:{line}: refers to the `{s}` skill, which does not exist in kit/skills",
                    rel(&path)
                ));
            }
        }
    }
    assert!(
        refs > 20,
        "expected the skills to cross-reference each other; found {refs}"
    );
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Command lines

/// One `wazir …` command line found in the kit.
#[derive(Debug, Clone)]
struct CommandLine {
    file: String,
    line: usize,
    text: String,
    /// The arguments after `wazir`, redirections removed.
    args: Vec<String>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Splits a shell text into the `wazir` invocations it contains. Only segments whose command
/// word is `wazir` count; `&&`, `||`, `|` and `;` separate segments; redirections are dropped.
fn wazir_invocations(text: &str) -> Result<Vec<Vec<String>>, String> {
    let joined = text.replace("\\\n", " ");
    let tokens = shell_words::split(&joined).map_err(|e| format!("cannot split: {e}"))?;
    let mut segments: Vec<Vec<String>> = vec![Vec::new()];
    for t in tokens {
        if t.starts_with('#') {
            break; // a shell comment runs to the end of the line
        }
        match t.as_str() {
            "&&" | "||" | "|" | ";" => segments.push(Vec::new()),
            _ => segments.last_mut().unwrap().push(t),
        }
    }
    let redirect = Regex::new(r"^(?:[0-9]?[<>]{1,2}|&>)(&?[0-9]*)?(.*)$").unwrap();
    let mut out = Vec::new();
    for seg in segments {
        if seg.first().map(String::as_str) != Some("wazir") {
            continue;
        }
        let mut args = Vec::new();
        let mut skip_next = false;
        for t in seg.into_iter().skip(1) {
            if skip_next {
                skip_next = false;
                continue;
            }
            if is_placeholder(&t) {
                args.push(t);
                continue;
            }
            if let Some(c) = redirect.captures(&t) {
                // `>` alone takes the next token as its target; `>file` or `2>&1` do not.
                if c.get(1).is_none_or(|m| m.as_str().is_empty()) && c[2].is_empty() {
                    skip_next = true;
                }
                continue;
            }
            args.push(t);
        }
        out.push(args);
    }
    Ok(out)
}

/// Candidate command texts in a markdown file: inline code spans and fenced-block lines.
fn markdown_commands(path: &Path, text: &str, out: &mut Vec<CommandLine>, errs: &mut Vec<String>) {
    let mut push =
        |line: usize, snippet: &str, out: &mut Vec<CommandLine>| match wazir_invocations(snippet) {
            Ok(list) => {
                for args in list {
                    out.push(CommandLine {
                        file: rel(path),
                        line,
                        text: snippet.trim().to_string(),
                        args,
                    });
                }
            }
            Err(e) => {
                if snippet.contains("wazir ") {
                    errs.push(format!("{}:{line}: `{}`: {e}", rel(path), snippet.trim()));
                }
            }
        };
    let mut in_block = false;
    for (ev, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match ev {
            Event::Start(Tag::CodeBlock(_)) => in_block = true,
            Event::End(TagEnd::CodeBlock) => in_block = false,
            Event::Text(t) if in_block => {
                let base = line_of(text, range.start);
                let mut pending = String::new();
                let mut start = base;
                for (i, l) in t.lines().enumerate() {
                    if pending.is_empty() {
                        start = base + i;
                    }
                    if let Some(head) = l.strip_suffix('\\') {
                        pending.push_str(head);
                        pending.push(' ');
                        continue;
                    }
                    pending.push_str(l);
                    let cmd = pending.trim().trim_start_matches("$ ").to_string();
                    if cmd.contains("wazir") {
                        push(start, &cmd, out);
                    }
                    pending.clear();
                }
            }
            Event::Code(c) => {
                let c = c.trim();
                if c.starts_with("wazir ") {
                    push(line_of(text, range.start), c, out);
                }
            }
            _ => {}
        }
    }
}

/// Candidate command texts in a YAML file: backtick spans, folded lines joined.
fn yaml_commands(path: &Path, text: &str, out: &mut Vec<CommandLine>, errs: &mut Vec<String>) {
    let span = Regex::new(r"`([^`]+)`").unwrap();
    let ws = Regex::new(r"\s*\n\s*").unwrap();
    for c in span.captures_iter(text) {
        let m = c.get(1).unwrap();
        let snippet = ws.replace_all(m.as_str(), " ").trim().to_string();
        if !snippet.starts_with("wazir ") {
            continue;
        }
        let line = line_of(text, m.start());
        match wazir_invocations(&snippet) {
            Ok(list) => {
                for args in list {
                    out.push(CommandLine {
                        file: rel(path),
                        line,
                        text: snippet.clone(),
                        args,
                    });
                }
            }
            Err(e) => errs.push(format!("{}:{line}: `{snippet}`: {e}", rel(path))),
        }
    }
}

/// Every `wazir …` command line in the kit.
fn kit_command_lines() -> (Vec<CommandLine>, Vec<String>) {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for path in files_under(&kit(), &[".md", ".yaml", ".yml"]) {
        let text = read(&path);
        if path.extension().is_some_and(|e| e == "md") {
            markdown_commands(&path, &text, &mut out, &mut errs);
        } else {
            yaml_commands(&path, &text, &mut out, &mut errs);
        }
    }
    (out, errs)
}

/// What one command's `--help` says about it.
#[derive(Debug, Clone, Default)]
struct HelpNode {
    subcommands: BTreeSet<String>,
    /// Long option name (without dashes) → whether it takes a value.
    long: BTreeMap<String, bool>,
    /// Short option letter → whether it takes a value.
    short: BTreeMap<char, bool>,
    positionals: usize,
    variadic: bool,
}

fn wazir_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("wazir")
}

/// Runs `wazir <args>` in an empty folder with no project above it; returns exit status,
/// stdout and stderr.
fn run_wazir(args: &[String]) -> (bool, String, String) {
    let dir = std::env::temp_dir();
    let out = Command::new(wazir_bin())
        .args(args)
        .current_dir(dir)
        .env_remove("WAZIR_STATE_ROOT")
        .env("COLUMNS", "100")
        .output()
        .expect("the wazir binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn parse_help(text: &str) -> HelpNode {
    let option = Regex::new(
        r"^\s+(?:-([A-Za-z0-9])(?:[ =](<[^>]+>|\[[^\]]+\]))?,?\s+)?(?:--([A-Za-z0-9][A-Za-z0-9-]*)(?:[ =](<[^>]+>|\[[^\]]+\]))?)?",
    )
    .unwrap();
    let command = Regex::new(r"^  ([a-z][a-z0-9-]*)(?:\s|$)").unwrap();
    let mut node = HelpNode::default();
    let mut section = "";
    let mut usage = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("Usage:") {
            section = "usage";
            usage.push_str(rest);
            continue;
        }
        if !line.starts_with(' ') && line.ends_with(':') {
            section = match line {
                "Commands:" => "commands",
                "Options:" => "options",
                "Arguments:" => "arguments",
                _ => "other",
            };
            continue;
        }
        if line.trim().is_empty() {
            if section == "usage" {
                section = "";
            }
            continue;
        }
        match section {
            "usage" => {
                usage.push(' ');
                usage.push_str(line.trim());
            }
            "commands" => {
                if let Some(c) = command.captures(line)
                    && &c[1] != "help"
                {
                    node.subcommands.insert(c[1].to_string());
                }
            }
            "options" => {
                if let Some(c) = option.captures(line) {
                    let long_value = c.get(4).is_some();
                    if let Some(l) = c.get(3) {
                        node.long.insert(l.as_str().to_string(), long_value);
                    }
                    if let Some(s) = c.get(1) {
                        let short_value = c.get(2).is_some() || long_value;
                        node.short
                            .insert(s.as_str().chars().next().unwrap(), short_value);
                    }
                }
            }
            _ => {}
        }
    }
    // Positionals from the usage line: `<X>` or `[X]` that is not the value of an option.
    let mut after_option = false;
    for w in usage.split_whitespace() {
        let bare = w.trim_start_matches(['[', '(']);
        // `--` ends the options: what follows is a positional (a command to run).
        if bare == "--" {
            after_option = false;
            continue;
        }
        if bare.starts_with('-') {
            after_option = !w.ends_with(']') && !w.ends_with(')');
            continue;
        }
        let inner = bare
            .trim_start_matches('<')
            .trim_end_matches(['.', ']', ')', '>']);
        let is_arg = (w.starts_with('<') || w.starts_with('['))
            && !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !is_arg || inner == "OPTIONS" || inner == "COMMAND" {
            after_option = false;
            continue;
        }
        if after_option {
            after_option = false;
            continue;
        }
        node.positionals += 1;
        if w.contains("...") {
            node.variadic = true;
        }
    }
    node
}

struct Tree {
    cache: HashMap<Vec<String>, Result<HelpNode, String>>,
}

impl Tree {
    fn node(&mut self, path: &[String]) -> Result<HelpNode, String> {
        if let Some(n) = self.cache.get(path) {
            return n.clone();
        }
        let mut args = path.to_vec();
        args.push("--help".into());
        let (ok, stdout, stderr) = run_wazir(&args);
        let res = if ok {
            Ok(parse_help(&stdout))
        } else {
            Err(format!(
                "`wazir {}` fails: {}",
                args.join(" "),
                stderr.lines().next().unwrap_or("").trim()
            ))
        };
        self.cache.insert(path.to_vec(), res.clone());
        res
    }
}

/// A token standing for "some value the reader fills in"; a shell variable (`$EXIT`) is one the
/// shell fills in.
fn is_placeholder(t: &str) -> bool {
    (t.starts_with('<') && t.ends_with('>'))
        || (t.len() > 1 && t.starts_with('$'))
        || (t.starts_with(|c: char| c.is_ascii_uppercase())
            && t.chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c == '-'))
        || (t.starts_with('{') && t.ends_with('}'))
}

fn is_ellipsis(t: &str) -> bool {
    matches!(t, "…" | "..." | "[...]" | "[…]")
}

/// Checks `args` (after `wazir`) against the tree. Returns the argument vectors to run with
/// `--help` (one per alternative in an `a|b` subcommand position).
fn check_args(
    tree: &mut Tree,
    path: Vec<String>,
    args: &[String],
    errors: &mut Vec<String>,
) -> Vec<Vec<String>> {
    let node = match tree.node(&path) {
        Ok(n) => n,
        Err(e) => {
            errors.push(e);
            return Vec::new();
        }
    };
    let mut run = path.clone();
    let mut positionals = 0;
    let mut i = 0;
    while i < args.len() {
        let raw = args[i].as_str();
        let tok = unbracket(raw);
        if is_ellipsis(raw) || is_ellipsis(tok) {
            break;
        }
        if let Some(flag) = tok.strip_prefix("--") {
            let name = flag.split('=').next().unwrap_or(flag);
            let name = name.trim_end_matches("...").trim_end_matches('…');
            if name.is_empty() {
                // `--`: the rest is the command `wazir verify run` runs, not wazir's own words.
                if tok == "--" && node.variadic {
                    positionals = positionals.max(node.positionals);
                    break;
                }
                i += 1;
                continue;
            }
            match node.long.get(name) {
                Some(takes) => {
                    // A placeholder value is left out of the run: its type is unknown, and the
                    // flag itself has just been found in the help.
                    if *takes && !flag.contains('=') {
                        let value = args.get(i + 1).map(|v| unbracket(v));
                        if let Some(v) = value.filter(|v| !is_placeholder(v) && !is_ellipsis(v)) {
                            run.push(format!("--{name}"));
                            run.push(v.to_string());
                        }
                        i += 1;
                    } else if !*takes {
                        run.push(format!("--{name}"));
                    }
                }
                None => {
                    // Skip what is probably its value, so one error does not cascade.
                    if !flag.contains('=')
                        && args
                            .get(i + 1)
                            .is_some_and(|v| !unbracket(v).starts_with('-'))
                    {
                        i += 1;
                    }
                    errors.push(format!(
                        "`wazir {}` has no option `--{name}` (it has: {})",
                        path.join(" "),
                        node.long
                            .keys()
                            .map(|k| format!("--{k}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                }
            }
            i += 1;
            continue;
        }
        if tok.starts_with('-') && tok.len() == 2 && tok != "-" {
            let c = tok.chars().nth(1).unwrap();
            match node.short.get(&c) {
                Some(takes) => {
                    run.push(tok.to_string());
                    if *takes {
                        run.push("sample".into());
                        i += 1;
                    }
                }
                None => errors.push(format!("`wazir {}` has no option `{tok}`", path.join(" "))),
            }
            i += 1;
            continue;
        }
        if !node.subcommands.is_empty() && positionals == 0 {
            if is_placeholder(tok) {
                // "wazir validate CHECK": any subcommand; nothing more to check.
                return vec![run];
            }
            let alternatives: Vec<&str> = tok.split('|').collect();
            let mut runs = Vec::new();
            for alt in alternatives {
                if node.subcommands.contains(alt) {
                    let mut p = path.clone();
                    p.push(alt.to_string());
                    for mut r in check_args(tree, p, &args[i + 1..], errors) {
                        // Keep the flags given before the subcommand.
                        let mut full = run.clone();
                        full.extend(r.drain(path.len()..));
                        runs.push(full);
                    }
                } else {
                    errors.push(format!(
                        "`wazir {}` has no subcommand `{alt}` (it has: {})",
                        path.join(" "),
                        node.subcommands
                            .iter()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
            return runs;
        }
        positionals += 1;
        run.push(substitute(tok));
        i += 1;
    }
    if positionals > node.positionals && !node.variadic {
        errors.push(format!(
            "`wazir {}` takes {} positional argument(s), the line gives {positionals}",
            path.join(" "),
            node.positionals
        ));
    }
    vec![run]
}

/// A synopsis token without its optional-part brackets: `[DIR]` → `DIR`.
fn unbracket(t: &str) -> &str {
    t.trim_start_matches('[').trim_end_matches(']')
}

/// A sample value for a placeholder, the token itself otherwise.
fn substitute(t: &str) -> String {
    if is_placeholder(t) || is_ellipsis(t) || t.contains('…') {
        "sample".into()
    } else {
        t.to_string()
    }
}

#[test]
fn every_wazir_command_line_in_the_kit_exists() {
    let (lines, mut problems) = kit_command_lines();
    assert!(
        lines.len() > 100,
        "expected many `wazir` command lines in the kit, found {}",
        lines.len()
    );
    let mut tree = Tree {
        cache: HashMap::new(),
    };
    let mut checked_runs: HashMap<Vec<String>, Option<String>> = HashMap::new();
    for cl in &lines {
        let mut errors = Vec::new();
        let runs = check_args(&mut tree, Vec::new(), &cl.args, &mut errors);
        // The tree check explains a failure better than clap would; run only clean lines.
        let runs = if errors.is_empty() { runs } else { Vec::new() };
        for mut r in runs {
            r.push("--help".into());
            let outcome = checked_runs
                .entry(r.clone())
                .or_insert_with(|| {
                    let (ok, _, stderr) = run_wazir(&r);
                    (!ok).then(|| stderr.lines().next().unwrap_or("").trim().to_string())
                })
                .clone();
            if let Some(err) = outcome {
                errors.push(format!("`wazir {}` exits non-zero: {err}", r.join(" ")));
            }
        }
        errors.dedup();
        for e in errors {
            problems.push(format!("{}:{}: `{}`\n    {e}", cl.file, cl.line, cl.text));
        }
    }
    problems.dedup();
    assert!(
        problems.is_empty(),
        "\n{} problem(s) in {} command lines:\n{}\n",
        problems.len(),
        lines.len(),
        problems.join("\n")
    );
}

#[test]
fn command_line_extraction_understands_shell_text() {
    let got = wazir_invocations(
        r#"cargo test 2>&1 | wazir capture output --name t --command "cargo test" --exit-code 0 > /dev/null"#,
    )
    .unwrap();
    assert_eq!(
        got,
        vec![vec![
            "capture",
            "output",
            "--name",
            "t",
            "--command",
            "cargo test",
            "--exit-code",
            "0"
        ]]
    );
    let got = wazir_invocations("wazir capture output --name m < run-manifest.json").unwrap();
    assert_eq!(got, vec![vec!["capture", "output", "--name", "m"]]);
    let got = wazir_invocations("git status && echo wazir").unwrap();
    assert!(got.is_empty());

    let help = "Usage: wazir recall file [OPTIONS] <PATH>\n\nArguments:\n  <PATH>  a file\n\n\
                Options:\n      --start <START>  first\n      --json  json\n  -h, --help  help\n";
    let node = parse_help(help);
    assert_eq!(node.positionals, 1);
    assert_eq!(node.long.get("start"), Some(&true));
    assert_eq!(node.long.get("json"), Some(&false));
    assert_eq!(node.short.get(&'h'), Some(&false));
    let help = "Usage: wazir index <COMMAND>\n\nCommands:\n  build  Build\n  search-symbols  Find\n  \
                help  Print\n\nOptions:\n  -h, --help  help\n";
    let node = parse_help(help);
    assert_eq!(
        node.subcommands
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        vec!["build", "search-symbols"]
    );
    assert_eq!(node.positionals, 0);
}
