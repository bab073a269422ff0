//! Reading a shell command line for what it does to files, with bash's own grammar
//! (`tree-sitter-bash`): quoting (`'…'`, `"…"`, `$'…'`), expansions, brace expansion, heredocs,
//! pipelines, lists, subshells, loops, functions, command substitutions and nested scripts
//! (`bash -c`, `eval`, a script fed to a shell on stdin) are read as bash reads them.
//!
//! Every simple command, after its wrappers (`sudo`, `env -C`, `setsid`, `flock`, `xargs`, …)
//! are taken off, falls in one of three classes:
//! - a known writer (redirections, `cp`, `rm`, `sed -i`, `git checkout`, `tar -x`, `curl -o`, …):
//!   the files it writes or removes become [`Target`]s;
//! - a known reader (`cat`, `grep`, `ls`, `git diff`, …): nothing;
//! - anything else (an interpreter, an unknown program, a command name computed at run time, a
//!   script piped into a shell, nesting deeper than [`MAX_DEPTH`]): its effect cannot be shown,
//!   so every path it names (also inside its script text) becomes a target marked with the
//!   reason ([`Target::why`]) and counted as touching everything below it.
//!
//! A write whose target is computed when the command runs (a loop variable read from input, a
//! command substitution, a variable set neither on the line nor in the hook's environment)
//! makes every path the line names a target, with that reason. Heredoc bodies are data, unless
//! the heredoc feeds a shell or `apply_patch`. All work is bounded by the guard's [`Budget`].

use std::collections::BTreeMap;

use anyhow::{Result, anyhow};
use tree_sitter::{Node, Parser};

use super::budget::Budget;

/// A file a command writes or removes, or a path an unprovable command names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The path as the command names it (variables and `~` expanded).
    pub path: String,
    /// The folder the command runs in, when a `cd` earlier in the line moved it (relative to
    /// the hook's working directory, or absolute).
    pub dir: Option<String>,
    /// True when everything below the path is affected (removal, a tree copied over it, an
    /// unprovable command naming it): a folder holding a protected entry counts then.
    pub removes: bool,
    /// Set when the effect could not be shown: why the guard treats the path as written.
    pub why: Option<String>,
}

/// What a command line does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    pub targets: Vec<Target>,
    /// Every simple command, as its words, wrappers (`sudo`, `env`, …) removed and the command
    /// name reduced to its base name.
    pub commands: Vec<Vec<String>>,
}

/// Nested scripts (`bash -c`, `eval`, a heredoc fed to a shell) read before the rest is treated
/// as unprovable.
pub const MAX_DEPTH: usize = 12;
/// Syntax-tree levels walked (parentheses, substitutions, compound commands, nested scripts)
/// before the rest is treated as unprovable: the walk is recursive and must not exhaust the
/// stack.
pub const MAX_TREE_DEPTH: usize = 100;
/// Words one argument may expand to (braces, loops) before the rest is treated as unprovable.
const MAX_EXPANSION: usize = 256;

/// Reads `command` for the files it writes and the commands it runs.
pub fn scan(command: &str, budget: &Budget) -> Result<Scan> {
    let mut w = Walker {
        budget,
        targets: Vec::new(),
        commands: Vec::new(),
        mentioned: Vec::new(),
        unknown: None,
        whole: false,
        level: 0,
    };
    w.script(command, &mut St::default(), &Input::None, 0)?;
    if let Some(why) = w.unknown.take() {
        for (path, dir) in std::mem::take(&mut w.mentioned) {
            w.targets.push(Target {
                path,
                dir,
                removes: true,
                why: Some(why.clone()),
            });
        }
    }
    let mut targets = Vec::new();
    for t in w.targets {
        if !targets.contains(&t) {
            targets.push(t);
        }
    }
    Ok(Scan {
        targets,
        commands: w.commands,
    })
}

/// The shell state the analysis follows along the line.
#[derive(Debug, Clone, Default)]
struct St {
    /// Variables set on the line; `None` when set to something only known at run time.
    vars: BTreeMap<String, Option<String>>,
    /// The folder after the `cd`s so far; `dir_unknown` when a `cd` went somewhere computed.
    dir: Option<String>,
    dir_unknown: bool,
    prev_dir: Option<String>,
    /// `$0`, `$1`, … when the line sets them (`sh -c '…' a b`, `set -- …`).
    pos: Option<Vec<String>>,
}

/// What a command reads on stdin, as far as it matters (a shell runs it).
#[derive(Debug, Clone)]
enum Input {
    None,
    /// Known text: a heredoc, a here-string, the output of `echo`/`printf`.
    Text(String),
    /// Something not on the line: the output of another program, a file.
    Unknown(String),
}

/// One word of a command after expansion: its value, or `None` when only known at run time.
#[derive(Debug, Clone)]
struct W {
    v: Option<String>,
    raw: String,
}

impl W {
    fn text(&self) -> &str {
        self.v.as_deref().unwrap_or(&self.raw)
    }
    fn known(s: &str) -> W {
        W {
            v: Some(s.to_string()),
            raw: s.to_string(),
        }
    }
}

struct Walker<'b> {
    budget: &'b Budget,
    targets: Vec<Target>,
    commands: Vec<Vec<String>>,
    /// Every path-like word the line names, with the folder it is read from.
    mentioned: Vec<(String, Option<String>)>,
    /// Why some write's target is only known at run time.
    unknown: Option<String>,
    /// Inside `find -exec`: every write touches the whole tree it names.
    whole: bool,
    /// How deep the walk is in the syntax tree (nested scripts included).
    level: usize,
}

const SHELLS: [&str; 9] = [
    "sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "yash", "fish",
];

const INTERPRETERS: [&str; 16] = [
    "python",
    "python2",
    "python3",
    "node",
    "nodejs",
    "perl",
    "ruby",
    "php",
    "deno",
    "bun",
    "lua",
    "Rscript",
    "osascript",
    "pwsh",
    "powershell",
    "tclsh",
];

/// Programs whose effect on files is nothing, or reading (options that write are checked
/// separately for `sort`, `sed`, `awk`, `find`, `git`, `tar`, `unzip`, `yq`, `uniq`).
const READERS: &[&str] = &[
    "cat",
    "tac",
    "less",
    "more",
    "head",
    "tail",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "ag",
    "ack",
    "ls",
    "dir",
    "tree",
    "wc",
    "diff",
    "cmp",
    "comm",
    "stat",
    "file",
    "du",
    "df",
    "echo",
    "printf",
    "test",
    "[",
    "[[",
    "true",
    "false",
    ":",
    "pwd",
    "which",
    "type",
    "whereis",
    "basename",
    "dirname",
    "realpath",
    "readlink",
    "md5sum",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "b2sum",
    "cksum",
    "cut",
    "tr",
    "column",
    "nl",
    "od",
    "xxd",
    "hexdump",
    "strings",
    "jq",
    "fold",
    "fmt",
    "paste",
    "join",
    "expand",
    "unexpand",
    "rev",
    "date",
    "sleep",
    "whoami",
    "id",
    "uname",
    "hostname",
    "printenv",
    "ps",
    "kill",
    "exit",
    "return",
    "break",
    "continue",
    "seq",
    "yes",
    "expr",
    "bc",
    "nproc",
    "uptime",
    "fd",
    "fdfind",
    "bat",
    "locate",
    "man",
    "tldr",
    "wazir",
    "alias",
    "history",
    "jobs",
    "wait",
    "trap",
    "shopt",
    "umask",
    "hash",
    "tput",
    "clear",
    "getconf",
    "free",
    "lsof",
    "tokei",
    "cloc",
    "sdiff",
    "diff3",
    "colordiff",
    "numfmt",
    "sum",
    "look",
    "env",
    "let",
    "ulimit",
];

impl Walker<'_> {
    /// Parses and walks one script (the whole line, or a nested one).
    fn script(&mut self, text: &str, st: &mut St, input: &Input, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            let why = format!("it nests scripts deeper than {MAX_DEPTH} levels");
            self.opaque_text(text, st, &why);
            return Ok(());
        }
        self.budget.check("reading the shell command")?;
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_bash::LANGUAGE.into())
            .map_err(|e| anyhow!("the bash grammar cannot be loaded: {e}"))?;
        let budget = self.budget;
        let mut progress = |_: &tree_sitter::ParseState| {
            if budget.expired() {
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        };
        // The grammar's external scanner reads out of bounds on some characters beyond the
        // Basic Multilingual Plane (`{` then U+E0100 crashes the process, and a crashed hook
        // fails open). The parser gets a copy where each such character is U+10000, which has
        // the same UTF-8 length, so every node's byte range still indexes `text` itself.
        let sanitized = astral_to_safe(text);
        let bytes = sanitized.as_bytes();
        let tree = parser
            .parse_with_options(
                &mut |i, _| bytes.get(i..).unwrap_or_default(),
                None,
                Some(tree_sitter::ParseOptions::new().progress_callback(&mut progress)),
            )
            .ok_or_else(|| {
                self.budget
                    .check("parsing the shell command")
                    .err()
                    .unwrap_or_else(|| anyhow!("the shell command could not be parsed"))
            })?;
        self.node(text, tree.root_node(), st, input, depth)
    }

    fn node(&mut self, src: &str, n: Node, st: &mut St, input: &Input, depth: usize) -> Result<()> {
        self.level += 1;
        let r = if self.level > MAX_TREE_DEPTH {
            let why = format!("its syntax nests deeper than {MAX_TREE_DEPTH} levels");
            self.opaque_text(&src[n.byte_range()], st, &why);
            self.unknown(&why);
            Ok(())
        } else {
            self.node_inner(src, n, st, input, depth)
        };
        self.level -= 1;
        r
    }

    fn node_inner(
        &mut self,
        src: &str,
        n: Node,
        st: &mut St,
        input: &Input,
        depth: usize,
    ) -> Result<()> {
        self.budget.check("reading the shell command")?;
        match n.kind() {
            "comment" | "heredoc_start" | "heredoc_end" => {}
            "ERROR" => {
                // Bash's grammar could not read this part: treat what it names as unprovable.
                let text = &src[n.byte_range()];
                self.opaque_text(text, st, "the shell cannot parse this part of the command");
                self.children(src, n, st, input, depth)?;
            }
            "subshell" => {
                let mut inner = st.clone();
                self.children(src, n, &mut inner, input, depth)?;
            }
            "pipeline" => self.pipeline(src, n, st, input, depth)?,
            "redirected_statement" => self.redirected(src, n, st, input, depth)?,
            "command" => self.command(src, n, st, input, depth)?,
            "variable_assignment" => self.assign(src, n, st, depth)?,
            "declaration_command" => {
                let mut c = n.walk();
                for ch in n.named_children(&mut c) {
                    if ch.kind() == "variable_assignment" {
                        self.assign(src, ch, st, depth)?;
                    } else {
                        self.eval(src, ch, st, depth)?;
                    }
                }
            }
            "unset_command" => {
                let mut c = n.walk();
                for ch in n.named_children(&mut c) {
                    st.vars
                        .insert(src[ch.byte_range()].to_string(), Some(String::new()));
                }
            }
            "for_statement" => self.for_loop(src, n, st, input, depth)?,
            "file_redirect" | "heredoc_redirect" | "herestring_redirect" => {
                self.redirect(src, n, st, depth)?
            }
            "heredoc_body" => self.substitutions(src, n, st, depth)?,
            "word"
            | "string"
            | "raw_string"
            | "ansi_c_string"
            | "concatenation"
            | "simple_expansion"
            | "expansion"
            | "command_substitution"
            | "process_substitution"
            | "number"
            | "translated_string"
            | "brace_expression" => {
                self.eval(src, n, st, depth)?;
            }
            _ => self.children(src, n, st, input, depth)?,
        }
        Ok(())
    }

    fn children(
        &mut self,
        src: &str,
        n: Node,
        st: &mut St,
        input: &Input,
        depth: usize,
    ) -> Result<()> {
        let mut c = n.walk();
        let kids: Vec<Node> = n.named_children(&mut c).collect();
        for ch in kids {
            self.node(src, ch, st, input, depth)?;
        }
        Ok(())
    }

    /// Runs the command substitutions inside a heredoc body (they run even though the body is
    /// data).
    fn substitutions(&mut self, src: &str, n: Node, st: &mut St, depth: usize) -> Result<()> {
        let mut c = n.walk();
        let kids: Vec<Node> = n.named_children(&mut c).collect();
        for ch in kids {
            match ch.kind() {
                "command_substitution" | "process_substitution" => {
                    let mut inner = st.clone();
                    self.children(src, ch, &mut inner, &Input::None, depth)?;
                }
                _ => self.substitutions(src, ch, st, depth)?,
            }
        }
        Ok(())
    }

    fn pipeline(
        &mut self,
        src: &str,
        n: Node,
        st: &mut St,
        input: &Input,
        depth: usize,
    ) -> Result<()> {
        let mut c = n.walk();
        let stages: Vec<Node> = n
            .named_children(&mut c)
            .filter(|s| s.kind() != "comment")
            .collect();
        let mut stdin = input.clone();
        for s in stages {
            // Each stage runs in its own subshell.
            let mut inner = st.clone();
            self.node(src, s, &mut inner, &stdin, depth)?;
            stdin = self.output_of(src, s, st, depth)?;
        }
        Ok(())
    }

    /// What a pipeline stage writes on stdout, as far as a shell reading it matters.
    fn output_of(&mut self, src: &str, n: Node, st: &mut St, depth: usize) -> Result<Input> {
        let what = src[n.byte_range()].chars().take(60).collect::<String>();
        if n.kind() == "command" {
            let argv = self.words_of(src, n, st, depth)?;
            if let Some(first) = argv.first().and_then(|w| w.v.clone()) {
                let rest: Option<Vec<String>> = argv[1..].iter().map(|w| w.v.clone()).collect();
                if let Some(rest) = rest {
                    match base(&first) {
                        "echo" => {
                            let words: Vec<&String> =
                                rest.iter().skip_while(|w| w.starts_with('-')).collect();
                            let text: Vec<&str> = words.iter().map(|s| s.as_str()).collect();
                            return Ok(Input::Text(text.join(" ")));
                        }
                        "printf" => return Ok(Input::Text(rest.join(" "))),
                        _ => {}
                    }
                }
            }
        }
        Ok(Input::Unknown(format!("the output of `{what}`")))
    }

    fn redirected(
        &mut self,
        src: &str,
        n: Node,
        st: &mut St,
        input: &Input,
        depth: usize,
    ) -> Result<()> {
        let mut stdin = input.clone();
        let mut c = n.walk();
        let redirects: Vec<Node> = n.children_by_field_name("redirect", &mut c).collect();
        for r in &redirects {
            if let Some(i) = self.stdin_of(src, *r, st, depth)? {
                stdin = i;
            }
        }
        if let Some(body) = n.child_by_field_name("body") {
            self.node(src, body, st, &stdin, depth)?;
        }
        for r in redirects {
            self.redirect(src, r, st, depth)?;
        }
        Ok(())
    }

    /// The stdin a redirect gives its command.
    fn stdin_of(&mut self, src: &str, r: Node, st: &mut St, depth: usize) -> Result<Option<Input>> {
        Ok(match r.kind() {
            "heredoc_redirect" => {
                let mut c = r.walk();
                let body = r
                    .named_children(&mut c)
                    .find(|k| k.kind() == "heredoc_body");
                let dash = src[r.byte_range()].starts_with("<<-");
                body.map(|b| {
                    let text = &src[b.byte_range()];
                    Input::Text(if dash {
                        text.lines()
                            .map(|l| l.trim_start_matches('\t'))
                            .collect::<Vec<_>>()
                            .join("\n")
                    } else {
                        text.to_string()
                    })
                })
            }
            "herestring_redirect" => {
                let mut c = r.walk();
                let word = r.named_children(&mut c).last();
                match word {
                    Some(w) => {
                        let vals = self.eval(src, w, st, depth)?;
                        Some(match vals.and_then(|v| v.into_iter().next()) {
                            Some(t) => Input::Text(t),
                            None => Input::Unknown("a here-string computed at run time".into()),
                        })
                    }
                    None => None,
                }
            }
            "file_redirect"
                if redirect_op(src, r).starts_with('<') && redirect_op(src, r) != "<>" =>
            {
                let dest = r.child_by_field_name("destination");
                let name = dest
                    .map(|d| src[d.byte_range()].to_string())
                    .unwrap_or_default();
                Some(Input::Unknown(format!("the file `{name}`")))
            }
            _ => None,
        })
    }

    fn redirect(&mut self, src: &str, r: Node, st: &mut St, depth: usize) -> Result<()> {
        match r.kind() {
            "file_redirect" => {
                let op = redirect_op(src, r);
                let mut c = r.walk();
                let dests: Vec<Node> = r.children_by_field_name("destination", &mut c).collect();
                for d in dests {
                    let vals = self.eval(src, d, st, depth)?;
                    if !matches!(op, ">" | ">>" | ">|" | "&>" | "&>>" | "<>" | ">&" | "&>|") {
                        continue;
                    }
                    let raw = src[d.byte_range()].to_string();
                    if op == ">&" && (raw == "-" || raw.chars().all(|c| c.is_ascii_digit())) {
                        continue;
                    }
                    match vals {
                        Some(vs) => {
                            for v in vs {
                                self.write(
                                    &W {
                                        v: Some(v),
                                        raw: raw.clone(),
                                    },
                                    st,
                                    false,
                                );
                            }
                        }
                        None => self.write(&W { v: None, raw }, st, false),
                    }
                }
            }
            "heredoc_redirect" => {
                // `cmd <<EOF > out | next`: the redirects and pipeline after the delimiter.
                let mut c = r.walk();
                let kids: Vec<Node> = r.named_children(&mut c).collect();
                for k in kids {
                    match k.kind() {
                        "heredoc_body" => self.substitutions(src, k, st, depth)?,
                        "heredoc_start" | "heredoc_end" => {}
                        "file_redirect" | "herestring_redirect" => {
                            self.redirect(src, k, st, depth)?
                        }
                        _ => {
                            let stdin = Input::Unknown("the output of a heredoc command".into());
                            let mut inner = st.clone();
                            self.node(src, k, &mut inner, &stdin, depth)?;
                        }
                    }
                }
            }
            "herestring_redirect" => {
                let mut c = r.walk();
                let kids: Vec<Node> = r.named_children(&mut c).collect();
                for k in kids {
                    self.eval(src, k, st, depth)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn assign(&mut self, src: &str, n: Node, st: &mut St, depth: usize) -> Result<()> {
        let Some(name) = n.child_by_field_name("name") else {
            return Ok(());
        };
        let name = src[name.byte_range()].to_string();
        let value = match n.child_by_field_name("value") {
            Some(v) => self.eval(src, v, st, depth)?.map(|vs| vs.join(" ")),
            None => Some(String::new()),
        };
        st.vars.insert(name, value);
        Ok(())
    }

    fn for_loop(
        &mut self,
        src: &str,
        n: Node,
        st: &mut St,
        input: &Input,
        depth: usize,
    ) -> Result<()> {
        let var = n
            .child_by_field_name("variable")
            .map(|v| src[v.byte_range()].to_string());
        let mut c = n.walk();
        let value_nodes: Vec<Node> = n.children_by_field_name("value", &mut c).collect();
        let mut values: Option<Vec<String>> = Some(Vec::new());
        if value_nodes.is_empty() {
            values = st.pos.clone().map(|p| p.into_iter().skip(1).collect());
        }
        for v in value_nodes {
            let vals = self.eval(src, v, st, depth)?;
            let split = unquoted_expansion(v);
            match (values.as_mut(), vals) {
                (Some(all), Some(vs)) => {
                    for x in vs {
                        if split {
                            all.extend(x.split_whitespace().map(str::to_string));
                        } else {
                            all.push(x);
                        }
                    }
                }
                _ => values = None,
            }
        }
        let Some(body) = n.child_by_field_name("body") else {
            return Ok(());
        };
        match (var, values) {
            (Some(var), Some(vals)) if vals.len() <= 32 => {
                for v in vals {
                    st.vars.insert(var.clone(), Some(v));
                    self.node(src, body, st, input, depth)?;
                }
            }
            (var, _) => {
                if let Some(var) = var {
                    st.vars.insert(var, None);
                }
                self.node(src, body, st, input, depth)?;
            }
        }
        Ok(())
    }

    /// The words of a command node, expanded (assignments and redirects left out).
    fn words_of(&mut self, src: &str, n: Node, st: &mut St, depth: usize) -> Result<Vec<W>> {
        let mut out = Vec::new();
        let mut c = n.walk();
        let kids: Vec<(Option<&str>, Node)> = n
            .children(&mut c)
            .enumerate()
            .filter(|(_, k)| k.is_named())
            .map(|(i, k)| (n.field_name_for_child(i as u32), k))
            .collect();
        for (field, k) in kids {
            let node = match (field, k.kind()) {
                (Some("name"), _) => k.named_child(0).unwrap_or(k),
                (Some("argument"), _) => k,
                _ => continue,
            };
            let raw = src[node.byte_range()].to_string();
            match self.eval(src, node, st, depth)? {
                Some(vals) => {
                    let split = unquoted_expansion(node);
                    for v in vals {
                        if split {
                            for part in v.split([' ', '\t', '\n']).filter(|p| !p.is_empty()) {
                                out.push(W {
                                    v: Some(part.to_string()),
                                    raw: raw.clone(),
                                });
                            }
                        } else {
                            out.push(W {
                                v: Some(v),
                                raw: raw.clone(),
                            });
                        }
                    }
                }
                None => out.push(W { v: None, raw }),
            }
        }
        Ok(out)
    }

    fn command(
        &mut self,
        src: &str,
        n: Node,
        st: &mut St,
        input: &Input,
        depth: usize,
    ) -> Result<()> {
        let mut c = n.walk();
        let kids: Vec<(Option<&str>, Node)> = n
            .children(&mut c)
            .enumerate()
            .filter(|(_, k)| k.is_named())
            .map(|(i, k)| (n.field_name_for_child(i as u32), k))
            .collect();
        let has_name = kids.iter().any(|(f, _)| *f == Some("name"));
        let mut stdin = input.clone();
        for (field, k) in &kids {
            match (field, k.kind()) {
                // `A=1 cmd`: the assignment is for the command's environment only.
                (_, "variable_assignment") if has_name => {
                    let mut scratch = st.clone();
                    self.assign(src, *k, &mut scratch, depth)?;
                }
                (_, "variable_assignment") => self.assign(src, *k, st, depth)?,
                (_, "file_redirect" | "heredoc_redirect" | "herestring_redirect") => {
                    if let Some(i) = self.stdin_of(src, *k, st, depth)? {
                        stdin = i;
                    }
                }
                _ => {}
            }
        }
        let argv = self.words_of(src, n, st, depth)?;
        if !argv.is_empty() {
            self.run(&argv, st, &stdin, depth)?;
        }
        for (_, k) in kids {
            if matches!(
                k.kind(),
                "file_redirect" | "heredoc_redirect" | "herestring_redirect"
            ) {
                self.redirect(src, k, st, depth)?;
            }
        }
        Ok(())
    }

    /// Evaluates a word node to its values (several for brace expansion), or `None` when a
    /// part is only known at run time. Command substitutions inside are walked (they run).
    fn eval(
        &mut self,
        src: &str,
        n: Node,
        st: &mut St,
        depth: usize,
    ) -> Result<Option<Vec<String>>> {
        self.budget.check("expanding a shell word")?;
        let text = &src[n.byte_range()];
        Ok(match n.kind() {
            "word" | "number" => {
                let mut s = unescape(text);
                if s == "~" || s.starts_with("~/") {
                    s = format!("{}{}", std::env::var("HOME").unwrap_or_default(), &s[1..]);
                }
                Some(brace_expand(&s))
            }
            "raw_string" => Some(vec![
                text.trim_start_matches('\'')
                    .trim_end_matches('\'')
                    .to_string(),
            ]),
            "ansi_c_string" => Some(vec![ansi_c(text)]),
            "string_content" => Some(vec![unescape_dq(text)]),
            "string" | "translated_string" => {
                let start = n.start_byte() + text.find('"').map_or(0, |i| i + 1);
                let end = n.end_byte().saturating_sub(1).max(start);
                self.concat(src, n, start, end, st, depth, false)?
            }
            "concatenation" => {
                self.concat(src, n, n.start_byte(), n.end_byte(), st, depth, true)?
            }
            "simple_expansion" | "expansion" => self.expansion(src, n, st, depth)?,
            "brace_expression" => Some(brace_expand(text)),
            "command_substitution" | "process_substitution" => {
                let mut inner = st.clone();
                self.children(src, n, &mut inner, &Input::None, depth)?;
                None
            }
            "arithmetic_expansion" => None,
            _ => {
                self.substitutions(src, n, st, depth)?;
                None
            }
        })
    }

    /// Joins the parts of a string or concatenation between `start` and `end`: literal text
    /// between parts is kept; values multiply (braces), capped.
    #[allow(clippy::too_many_arguments)]
    fn concat(
        &mut self,
        src: &str,
        n: Node,
        start: usize,
        end: usize,
        st: &mut St,
        depth: usize,
        braces: bool,
    ) -> Result<Option<Vec<String>>> {
        let mut acc: Vec<String> = vec![String::new()];
        let mut pos = start;
        let mut c = n.walk();
        let kids: Vec<Node> = n.named_children(&mut c).collect();
        let mut known = true;
        for k in kids {
            if k.start_byte() > pos && k.start_byte() <= end {
                let gap = &src[pos..k.start_byte()];
                let gap = if n.kind() == "string" {
                    unescape_dq(gap)
                } else {
                    unescape(gap)
                };
                acc.iter_mut().for_each(|a| a.push_str(&gap));
            }
            match self.eval(src, k, st, depth)? {
                Some(vals) if known => {
                    let mut next = Vec::new();
                    for a in &acc {
                        for v in &vals {
                            if next.len() < MAX_EXPANSION {
                                next.push(format!("{a}{v}"));
                            }
                        }
                    }
                    acc = next;
                }
                _ => known = false,
            }
            pos = k.end_byte();
        }
        if pos < end {
            let gap = &src[pos..end];
            let gap = if n.kind() == "string" {
                unescape_dq(gap)
            } else {
                unescape(gap)
            };
            acc.iter_mut().for_each(|a| a.push_str(&gap));
        }
        if !known {
            return Ok(None);
        }
        if braces {
            let mut out = Vec::new();
            for a in acc {
                for b in brace_expand(&a) {
                    if out.len() < MAX_EXPANSION {
                        out.push(b);
                    }
                }
            }
            return Ok(Some(out));
        }
        Ok(Some(acc))
    }

    fn expansion(
        &mut self,
        src: &str,
        n: Node,
        st: &mut St,
        depth: usize,
    ) -> Result<Option<Vec<String>>> {
        let text = &src[n.byte_range()];
        let mut c = n.walk();
        let kids: Vec<Node> = n.named_children(&mut c).collect();
        let name = kids
            .iter()
            .find(|k| matches!(k.kind(), "variable_name" | "special_variable_name"))
            .map(|k| src[k.byte_range()].to_string())
            .or_else(|| {
                // `$1`, `${1}`, `$@`: the grammar may give no name node.
                let t = text.trim_start_matches('$').trim_start_matches('{');
                let t: String = t
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || "@*#?$!-".contains(*c))
                    .collect();
                (!t.is_empty()).then_some(t)
            });
        let Some(name) = name else {
            return Ok(None);
        };
        // Walk the rest (a default value may hold a command substitution).
        for k in kids
            .iter()
            .filter(|k| !matches!(k.kind(), "variable_name" | "special_variable_name"))
        {
            self.eval(src, *k, st, depth)?;
        }
        let value = lookup(&name, st);
        if let Some(v) = value
            .clone()
            .filter(|v| !v.is_empty() || !text.contains(":-"))
        {
            return Ok(Some(v));
        }
        // `${X:-default}` / `${X-default}` with X unknown or empty: the default, if literal.
        if let Some(i) = text
            .find(":-")
            .or_else(|| text.find('-').filter(|&i| i > 2))
        {
            let skip = if text[i..].starts_with(":-") { 2 } else { 1 };
            let d = text[i + skip..].trim_end_matches('}');
            if !d.contains(['$', '`']) {
                let d = d.trim_matches(['"', '\'']);
                return Ok(Some(vec![d.to_string()]));
            }
        }
        Ok(value)
    }

    /// Decides one simple command from its expanded words.
    fn run(&mut self, argv: &[W], st: &mut St, input: &Input, depth: usize) -> Result<()> {
        self.budget.check("reading the shell command")?;
        for w in argv.iter().skip(1) {
            self.mention(w, st);
        }
        let Some(first) = argv.first() else {
            return Ok(());
        };
        let Some(name) = first.v.clone() else {
            let why = format!(
                "the command name `{}` is only known when it runs",
                first.raw
            );
            self.opaque(argv, st, &why);
            return Ok(());
        };
        let cmd = base(&name).to_string();
        let args = &argv[1..];
        let mut full = vec![cmd.clone()];
        full.extend(args.iter().map(|w| w.text().to_string()));
        self.commands.push(full);
        let vals: Vec<&str> = args.iter().map(W::text).collect();
        match cmd.as_str() {
            // Wrappers that run the rest of their words as a command.
            "sudo" | "doas" | "nice" | "nohup" | "time" | "command" | "builtin" | "exec"
            | "stdbuf" | "timeout" | "setsid" | "ionice" | "chrt" | "taskset" | "chronic"
            | "unbuffer" | "caffeinate" | "nocache" | "env" | "xargs" | "flock" | "runuser"
            | "firejail" | "strace" | "ltrace" | "busybox" | "catchsegv" => {
                return self.wrapper(&cmd, args, st, input, depth);
            }
            "cd" | "pushd" => {
                let to = args
                    .iter()
                    .find(|a| !a.text().starts_with('-') || a.text() == "-");
                match to.map(|w| w.v.clone()) {
                    Some(None) => st.dir_unknown = true,
                    Some(Some(to)) if to == "-" => std::mem::swap(&mut st.dir, &mut st.prev_dir),
                    other => {
                        let to = other
                            .flatten()
                            .unwrap_or_else(|| std::env::var("HOME").unwrap_or_default());
                        st.prev_dir = st.dir.clone();
                        st.dir = Some(match &st.dir {
                            Some(d) if !to.starts_with('/') => format!("{d}/{to}"),
                            _ => to,
                        });
                    }
                }
            }
            "popd" => std::mem::swap(&mut st.dir, &mut st.prev_dir),
            "read" | "mapfile" | "readarray" | "getopts" => {
                for w in args.iter().filter(|w| !w.text().starts_with('-')) {
                    st.vars.insert(w.text().to_string(), None);
                }
            }
            "export" | "local" | "declare" | "readonly" | "typeset" => {
                for w in args {
                    if let Some((n, v)) = w.text().split_once('=') {
                        st.vars
                            .insert(n.to_string(), w.v.as_ref().map(|_| v.to_string()));
                    }
                }
            }
            "set" => {
                if let Some(i) = vals.iter().position(|a| *a == "--") {
                    let mut p = vec![String::from("sh")];
                    p.extend(vals[i + 1..].iter().map(|s| s.to_string()));
                    st.pos = Some(p);
                }
            }
            "shift" => {
                if let Some(p) = st.pos.as_mut()
                    && p.len() > 1
                {
                    p.remove(1);
                }
            }
            s if SHELLS.contains(&s) => self.shell(&cmd, args, st, input, depth)?,
            "su" | "script" => {
                // `su -c SCRIPT`, `script -c CMD [FILE]`.
                let mut i = 0;
                while i < args.len() {
                    let a = args[i].text();
                    let cluster = a.starts_with('-') && !a.starts_with("--") && a.contains('c');
                    if cluster || a == "--command" || a == "--session-command" {
                        if let Some(s) = args.get(i + 1) {
                            self.nested(s, st, &Input::None, depth)?;
                        }
                        i += 1;
                    } else if cmd == "script" && !a.starts_with('-') {
                        self.write(&args[i], st, false);
                    }
                    i += 1;
                }
            }
            "watch" => {
                let (ops, _) = operands(args, &["-n", "--interval", "-d", "-q", "--equexit"]);
                let text: Vec<&str> = ops.iter().map(|w| w.text()).collect();
                if !text.is_empty() {
                    self.nested(&W::known(&text.join(" ")), st, &Input::None, depth)?;
                }
            }
            "eval" => {
                let known: Option<Vec<String>> = args.iter().map(|w| w.v.clone()).collect();
                match known {
                    Some(k) => {
                        self.script(&k.join(" "), &mut st.clone(), &Input::None, depth + 1)?
                    }
                    None => self.opaque(argv, st, "`eval` runs text only known when it runs"),
                }
            }
            "source" | "." => {
                if !args.is_empty() {
                    self.opaque(
                        argv,
                        st,
                        "it runs a script file whose commands are not on the line",
                    );
                }
            }
            "apply_patch" | "applypatch" => {
                let text = match (args.first(), input) {
                    (Some(w), _) => w.v.clone(),
                    (None, Input::Text(t)) => Some(t.clone()),
                    _ => None,
                };
                match text {
                    Some(t) => {
                        for mut t in super::patch::targets(&t) {
                            t.dir = st.dir.clone();
                            self.targets.push(t);
                        }
                    }
                    None => self.unknown("the patch given to `apply_patch` is not on the line"),
                }
            }
            "parallel" => self.opaque(argv, st, "`parallel` builds commands from its arguments"),
            s if INTERPRETERS.contains(&s) || s.starts_with("python") || s.starts_with("ruby") => {
                if cmd == "perl" && perl_in_place(&vals) {
                    self.in_place(args, &["-e", "-E", "-I", "-M", "-m"], st);
                }
                let why = format!("`{cmd}` is an interpreter: what it writes is not on the line");
                self.opaque(argv, st, &why);
            }
            "ed" | "ex" | "vi" | "vim" | "nvim" | "view" | "nano" | "emacs" | "pico" | "micro"
            | "joe" | "red" | "kak" | "hx" => {
                let why = format!("`{cmd}` is an editor: it writes the files it is given");
                self.opaque(argv, st, &why);
            }
            _ => self.known(&cmd, args, argv, st, depth)?,
        }
        Ok(())
    }

    /// A shell run as a command: `-c SCRIPT`, a script on stdin, or a script file.
    fn shell(
        &mut self,
        cmd: &str,
        args: &[W],
        st: &mut St,
        input: &Input,
        depth: usize,
    ) -> Result<()> {
        let mut i = 0;
        let mut c_flag = false;
        let mut stdin_flag = false;
        while i < args.len() {
            let a = args[i].text();
            if a == "--" {
                i += 1;
                break;
            }
            if a == "-o"
                || a == "+o"
                || a == "-O"
                || a == "+O"
                || a == "--rcfile"
                || a == "--init-file"
            {
                i += 2;
                continue;
            }
            if (a.starts_with('-') || a.starts_with('+')) && a.len() > 1 {
                if a.starts_with('-') && !a.starts_with("--") {
                    c_flag |= a.contains('c');
                    stdin_flag |= a.contains('s');
                } else if a == "--command" {
                    c_flag = true;
                }
                i += 1;
            } else {
                break;
            }
        }
        let rest = &args[i.min(args.len())..];
        if c_flag {
            let Some(script) = rest.first() else {
                return Ok(());
            };
            let mut inner = st.clone();
            let mut pos: Vec<String> = rest[1..].iter().map(|w| w.text().to_string()).collect();
            if pos.is_empty() {
                pos.push(cmd.to_string());
            }
            inner.pos = Some(pos);
            return self.nested_in(script, &mut inner, &Input::None, depth);
        }
        if !rest.is_empty() && !stdin_flag {
            let mut argv = vec![W::known(cmd)];
            argv.extend(rest.iter().cloned());
            self.opaque(
                &argv,
                st,
                "it runs a script file whose commands are not on the line",
            );
            return Ok(());
        }
        // The script comes on stdin.
        match input {
            Input::Text(t) => {
                let mut inner = st.clone();
                inner.pos = Some(
                    std::iter::once(cmd.to_string())
                        .chain(rest.iter().map(|w| w.text().to_string()))
                        .collect(),
                );
                self.script(&t.clone(), &mut inner, &Input::None, depth + 1)
            }
            Input::Unknown(what) => {
                self.unknown(&format!(
                    "{what} is piped into `{cmd}`, which runs it as a script"
                ));
                Ok(())
            }
            Input::None => Ok(()),
        }
    }

    fn nested(&mut self, script: &W, st: &mut St, input: &Input, depth: usize) -> Result<()> {
        let mut inner = st.clone();
        self.nested_in(script, &mut inner, input, depth)
    }

    fn nested_in(&mut self, script: &W, st: &mut St, input: &Input, depth: usize) -> Result<()> {
        match &script.v {
            Some(text) => self.script(text, st, input, depth + 1),
            None => {
                let argv = [script.clone()];
                self.opaque(&argv, st, "it runs a script only known when it runs");
                self.unknown("a nested script is only known when it runs");
                Ok(())
            }
        }
    }

    /// Takes a wrapper's own options off and runs the command it wraps.
    fn wrapper(
        &mut self,
        cmd: &str,
        args: &[W],
        st: &mut St,
        input: &Input,
        depth: usize,
    ) -> Result<()> {
        let valued: &[&str] = match cmd {
            "sudo" | "doas" => &[
                "-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "--chdir", "--user",
                "--group",
            ],
            "env" => &["-u", "-C", "-S", "--chdir", "--unset", "--split-string"],
            "nice" => &["-n", "--adjustment"],
            "timeout" => &["-s", "-k", "--signal", "--kill-after"],
            "xargs" => &[
                "-I",
                "-L",
                "-n",
                "-P",
                "-s",
                "-d",
                "-E",
                "-a",
                "--arg-file",
                "--delimiter",
                "--max-args",
                "--max-procs",
                "--replace",
            ],
            "stdbuf" => &["-i", "-o", "-e"],
            "ionice" => &["-c", "-n", "--class", "--classdata"],
            "taskset" => &["-c", "--cpu-list"],
            "flock" => &["-w", "--timeout", "-E", "--conflict-exit-code"],
            "runuser" => &["-u", "-g", "-G", "--user", "--group"],
            "strace" | "ltrace" => &["-o", "-e", "-p", "-s", "-u", "-E"],
            _ => &[],
        };
        let mut i = 0;
        let mut chdir: Option<W> = None;
        let mut replace: Option<String> = None;
        let mut shell_cmd: Option<W> = None;
        let mut no_command = false;
        while i < args.len() {
            let a = args[i].text();
            if a == "--" {
                i += 1;
                break;
            }
            if a.starts_with('-') && a.len() > 1 {
                let (key, inline) = match a.split_once('=') {
                    Some((k, v)) if a.starts_with("--") => (k, Some(v.to_string())),
                    _ => (a, None),
                };
                let value = if valued.contains(&key) && inline.is_none() {
                    i += 1;
                    args.get(i).cloned()
                } else {
                    inline.map(|v| W::known(&v))
                };
                match (cmd, key) {
                    ("env" | "sudo", "-C" | "--chdir" | "-D") => chdir = value,
                    ("xargs", "-I" | "--replace") => replace = value.map(|w| w.text().to_string()),
                    ("xargs", "-i") => replace = Some("{}".into()),
                    ("xargs", k) if k.starts_with("-I") && k.len() > 2 => {
                        replace = Some(k[2..].to_string())
                    }
                    ("flock" | "runuser", "-c" | "--command") => {
                        i += 1;
                        shell_cmd = args.get(i).cloned();
                    }
                    ("strace" | "ltrace", "-o") => {
                        if let Some(v) = &value {
                            self.write(v, st, false);
                        }
                    }
                    ("ionice" | "chrt" | "taskset", "-p" | "--pid" | "-a" | "--all-tasks") => {
                        no_command = true
                    }
                    ("env", "-S" | "--split-string") => {
                        if let Some(v) = value {
                            return self.nested(&v, st, input, depth);
                        }
                    }
                    _ => {}
                }
                i += 1;
            } else if cmd == "env" && a.contains('=') && !a.starts_with('=') {
                i += 1;
            } else {
                break;
            }
        }
        if no_command {
            return Ok(());
        }
        let mut rest: Vec<W> = args[i.min(args.len())..].to_vec();
        let taskset_mask = cmd == "taskset"
            && !args
                .iter()
                .any(|a| a.text() == "-c" || a.text().starts_with("--cpu-list"));
        if !rest.is_empty() && (matches!(cmd, "timeout" | "chrt") || taskset_mask) {
            // The duration, priority or mask comes before the command.
            rest.remove(0);
        }
        match cmd {
            // `flock FILE CMD…` creates FILE; `flock FD` runs nothing.
            "flock" if !rest.is_empty() => {
                let lock = rest.remove(0);
                if !lock.text().chars().all(|c| c.is_ascii_digit()) {
                    self.write(&lock, st, false);
                }
                if rest
                    .first()
                    .is_some_and(|w| w.text() == "-c" || w.text() == "--command")
                {
                    shell_cmd = rest.get(1).cloned();
                    rest.clear();
                }
            }
            "busybox" if rest.first().is_some_and(|w| w.text() == "--") => {
                rest.remove(0);
            }
            _ => {}
        }
        let mut inner = st.clone();
        if let Some(d) = chdir {
            match d.v {
                Some(d) => {
                    inner.dir = Some(match &inner.dir {
                        Some(cur) if !d.starts_with('/') => format!("{cur}/{d}"),
                        _ => d,
                    })
                }
                None => inner.dir_unknown = true,
            }
        }
        if let Some(s) = shell_cmd {
            return self.nested_in(&s, &mut inner, input, depth);
        }
        if cmd == "xargs" {
            if rest.is_empty() {
                rest.push(W::known("echo"));
            }
            // The arguments xargs adds come from its input, not from the line.
            let from_input = W {
                v: None,
                raw: "<xargs input>".into(),
            };
            match &replace {
                Some(r) => {
                    for w in rest.iter_mut().skip(1) {
                        if w.text().contains(r.as_str()) {
                            *w = from_input.clone();
                        }
                    }
                }
                None => rest.push(from_input),
            }
        }
        if rest.is_empty() {
            return Ok(());
        }
        self.run(&rest, &mut inner, input, depth)
    }

    /// Known programs: writers give targets, readers nothing, the rest is unprovable.
    fn known(
        &mut self,
        cmd: &str,
        args: &[W],
        argv: &[W],
        st: &mut St,
        depth: usize,
    ) -> Result<()> {
        let vals: Vec<&str> = args.iter().map(W::text).collect();
        let has = |flags: &[&str]| vals.iter().any(|a| flags.contains(a));
        match cmd {
            "cp" | "mv" | "install" | "ln" | "rsync" | "scp" | "ditto" => {
                let valued = [
                    "-t",
                    "--target-directory",
                    "-S",
                    "--suffix",
                    "-m",
                    "--mode",
                    "-o",
                    "--owner",
                    "-g",
                    "--group",
                    "-e",
                    "--exclude",
                    "--include",
                    "--filter",
                    "-f",
                    "--exclude-from",
                    "--files-from",
                    "-P",
                    "--port",
                    "-i",
                ];
                let valued: &[&str] = if cmd == "rsync" || cmd == "scp" {
                    &valued
                } else {
                    &valued[..10]
                };
                let (ops, opts) = operands(args, valued);
                let tree = cmd == "rsync"
                    || cmd == "ditto"
                    || vals.iter().any(|a| {
                        matches!(*a, "--recursive" | "--archive")
                            || (a.starts_with('-')
                                && !a.starts_with("--")
                                && a.contains(['r', 'R', 'a']))
                    });
                let target_dir = opts
                    .iter()
                    .find(|(k, _)| *k == "-t" || *k == "--target-directory")
                    .map(|(_, v)| v.clone());
                let (sources, dest): (Vec<W>, Option<W>) = match target_dir {
                    Some(d) => (ops.clone(), Some(d)),
                    None if ops.len() >= 2 => (ops[..ops.len() - 1].to_vec(), ops.last().cloned()),
                    None if cmd == "ln" && ops.len() == 1 => (ops.clone(), Some(W::known("."))),
                    None => (Vec::new(), None),
                };
                if cmd == "ln" {
                    // A link to a protected path makes it writable through the link. A symlink's
                    // target is read from the link's folder: check it from there too.
                    for s in &sources {
                        self.write(s, st, true);
                        if let (Some(sv), Some(dv)) =
                            (&s.v, dest.as_ref().and_then(|d| d.v.clone()))
                            && !sv.starts_with('/')
                        {
                            let parent = match dv.trim_end_matches('/').rsplit_once('/') {
                                Some((p, _)) => p.to_string(),
                                None => ".".to_string(),
                            };
                            for d in [parent, dv.clone()] {
                                self.write(&W::known(&format!("{d}/{sv}")), st, true);
                            }
                        }
                    }
                }
                if let Some(dest) = dest {
                    // `cp -a X/. D`, `rsync -a X/ D`, `cp -T`: the tree lands on D itself.
                    let onto = vals
                        .iter()
                        .any(|a| matches!(*a, "-T" | "--no-target-directory"))
                        || sources.iter().any(|s| {
                            let t = s.text();
                            t.ends_with('/') || matches!(basename(t), "" | "." | "..")
                        });
                    self.write(&dest, st, tree && onto);
                    for s in &sources {
                        match (&s.v, &dest.v) {
                            (Some(sv), Some(dv)) => {
                                let b = basename(sv);
                                if !b.is_empty() && b != "." && b != ".." {
                                    let p = format!("{}/{b}", dv.trim_end_matches('/'));
                                    self.write(&W::known(&p), st, tree);
                                }
                            }
                            // The name is only known when it runs: anything below the
                            // destination may be written.
                            (None, Some(_)) => self.write(&dest, st, true),
                            _ => self.unknown(
                                "a copy's source or destination is only known when it runs",
                            ),
                        }
                    }
                }
                if cmd == "mv" {
                    for s in &sources {
                        self.write(s, st, true);
                    }
                }
            }
            "rm" | "rmdir" | "unlink" | "shred" | "srm" | "trash" | "trash-put" | "gzip"
            | "gunzip" | "bzip2" | "bunzip2" | "xz" | "unxz" | "zstd" | "unzstd" | "lzma" => {
                if matches!(
                    cmd,
                    "gzip"
                        | "gunzip"
                        | "bzip2"
                        | "bunzip2"
                        | "xz"
                        | "unxz"
                        | "zstd"
                        | "unzstd"
                        | "lzma"
                ) && (has(&["-c", "--stdout", "-l", "--list", "-t", "--test"]))
                {
                    return Ok(());
                }
                let (ops, _) = operands(args, &[]);
                for p in &ops {
                    self.write(p, st, true);
                }
            }
            "truncate" | "touch" | "tee" | "mkdir" | "mkfifo" | "mknod" | "sponge" | "chmod"
            | "chown" | "chgrp" | "chattr" | "setfacl" | "fallocate" => {
                let valued = [
                    "-s",
                    "--size",
                    "-r",
                    "--reference",
                    "-d",
                    "--date",
                    "-t",
                    "-m",
                    "--mode",
                    "-l",
                    "--length",
                    "-o",
                    "--offset",
                    "-M",
                    "-x",
                    "-X",
                    "--modify",
                ];
                let (ops, _) = operands(args, &valued);
                let skip = usize::from(
                    matches!(cmd, "chmod" | "chown" | "chgrp" | "chattr")
                        && !vals.iter().any(|a| a.starts_with("--reference")),
                );
                for p in ops.iter().skip(skip) {
                    self.write(p, st, false);
                }
            }
            "sed" => {
                if vals.iter().any(|a| {
                    a.starts_with("--in-place")
                        || (a.starts_with('-') && !a.starts_with("--") && a[1..].contains('i'))
                }) {
                    self.in_place(
                        args,
                        &["-e", "--expression", "-f", "--file", "-l", "--line-length"],
                        st,
                    );
                }
                if vals.iter().any(|a| sed_script_writes(a)) {
                    self.opaque(argv, st, "its `sed` script writes or runs (`w`, `W`, `e`)");
                }
            }
            "awk" | "gawk" | "mawk" | "nawk" => {
                let inplace = vals.windows(2).any(|w| w[0] == "-i" && w[1] == "inplace")
                    || vals
                        .iter()
                        .any(|a| *a == "-iinplace" || *a == "--include=inplace");
                if inplace {
                    let (ops, _) = operands(args, &["-i", "-f", "-v", "-F", "--include"]);
                    for p in ops.iter().skip(1) {
                        self.write(p, st, false);
                    }
                }
                if vals
                    .iter()
                    .any(|a| a.contains('>') || a.contains("system") || a.contains('|'))
                {
                    self.opaque(argv, st, "its `awk` program writes files or runs commands");
                }
            }
            "yq" => {
                if vals.iter().any(|a| {
                    *a == "-i"
                        || *a == "--inplace"
                        || (a.starts_with('-') && !a.starts_with("--") && a.contains('i'))
                }) {
                    let (ops, _) = operands(
                        args,
                        &[
                            "-o",
                            "--output-format",
                            "-p",
                            "--input-format",
                            "--from-file",
                        ],
                    );
                    for p in ops.iter().skip(1) {
                        self.write(p, st, false);
                    }
                }
            }
            "sort" => {
                let (_, opts) = operands(
                    args,
                    &[
                        "-o",
                        "--output",
                        "-k",
                        "-t",
                        "-S",
                        "-T",
                        "--key",
                        "--field-separator",
                        "--buffer-size",
                    ],
                );
                for (k, v) in opts {
                    if k == "-o" || k == "--output" {
                        self.write(&v, st, false);
                    }
                }
            }
            "uniq" => {
                let (ops, _) = operands(args, &["-f", "-s", "-w"]);
                if let Some(out) = ops.get(1) {
                    self.write(out, st, false);
                }
            }
            "dd" => {
                for a in args {
                    if let Some(p) = a.text().strip_prefix("of=") {
                        self.write(
                            &W {
                                v: a.v.as_ref().map(|_| p.to_string()),
                                raw: a.raw.clone(),
                            },
                            st,
                            false,
                        );
                    }
                }
            }
            "patch" => {
                let (ops, opts) = operands(
                    args,
                    &[
                        "-i",
                        "--input",
                        "-o",
                        "--output",
                        "-d",
                        "--directory",
                        "-p",
                        "-B",
                        "-r",
                        "-D",
                        "-F",
                        "-V",
                        "-z",
                        "--suffix",
                    ],
                );
                let mut inner = st.clone();
                for (k, v) in &opts {
                    match k.as_str() {
                        "-o" | "--output" => self.write(v, st, false),
                        "-d" | "--directory" => {
                            if let Some(d) = &v.v {
                                inner.dir = Some(match &st.dir {
                                    Some(cur) if !d.starts_with('/') => format!("{cur}/{d}"),
                                    _ => d.clone(),
                                });
                            }
                        }
                        _ => {}
                    }
                }
                if let Some(f) = ops.first() {
                    self.write(f, &inner, false);
                }
            }
            "tar" | "bsdtar" | "gtar" => {
                let first = vals.first().copied().unwrap_or("");
                let cluster = if !first.starts_with('-') { first } else { "" };
                let short = |c: char| {
                    cluster.contains(c)
                        || vals
                            .iter()
                            .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(c))
                };
                let extract = short('x') || has(&["--extract", "--get"]);
                let create = short('c')
                    || short('r')
                    || short('u')
                    || short('A')
                    || has(&["--create", "--append", "--update", "--delete"]);
                if extract {
                    let dir =
                        arg_value(args, &["-C", "--directory"]).unwrap_or_else(|| W::known("."));
                    self.write(&dir, st, true);
                }
                if create {
                    // The archive: `-f FILE`, `--file=FILE`, or the word after a cluster with f.
                    let file = arg_value(args, &["-f", "--file"]).or_else(|| {
                        if cluster.contains('f') {
                            args.get(1).cloned()
                        } else {
                            args.iter()
                                .position(|a| {
                                    a.text().starts_with('-')
                                        && !a.text().starts_with("--")
                                        && a.text().ends_with('f')
                                })
                                .and_then(|i| args.get(i + 1).cloned())
                        }
                    });
                    if let Some(f) = file {
                        self.write(&f, st, false);
                    }
                }
            }
            "unzip" | "7z" | "7za" | "unrar" | "cpio" => {
                if has(&["-l", "-p", "-t", "-v", "-Z", "l", "t"]) {
                    return Ok(());
                }
                let dir = arg_value(args, &["-d"]).or_else(|| {
                    vals.iter().find_map(|a| {
                        a.strip_prefix("-o")
                            .filter(|d| !d.is_empty() && cmd.starts_with('7'))
                            .map(W::known)
                    })
                });
                self.write(&dir.unwrap_or_else(|| W::known(".")), st, true);
            }
            "curl" => {
                let mut i = 0;
                let mut remote_name = false;
                let mut out_dir: Option<W> = None;
                let mut outs: Vec<W> = Vec::new();
                while i < args.len() {
                    let a = args[i].text();
                    let (k, inline) = match a.split_once('=') {
                        Some((k, v)) if a.starts_with("--") => (k, Some(W::known(v))),
                        _ => (a, None),
                    };
                    let next = |i: &mut usize| {
                        inline.clone().or_else(|| {
                            *i += 1;
                            args.get(*i).cloned()
                        })
                    };
                    match k {
                        "-o" | "--output" | "-D" | "--dump-header" | "-c" | "--cookie-jar"
                        | "--trace" | "--trace-ascii" | "--stderr" | "--etag-save" | "--hsts"
                        | "--alt-svc" => outs.extend(next(&mut i)),
                        "--output-dir" => out_dir = next(&mut i),
                        "-O" | "--remote-name" | "--remote-name-all" | "-J" => remote_name = true,
                        "-K" | "--config" => {
                            self.opaque(argv, st, "a curl config file can name any output");
                        }
                        s if s.starts_with("-o") && s.len() > 2 && !s.starts_with("--") => {
                            outs.push(W::known(&s[2..]))
                        }
                        s if s.starts_with('-') && !s.starts_with("--") && s.contains('O') => {
                            remote_name = true
                        }
                        s if s.starts_with('-') && !s.starts_with("--") && s.ends_with('o') => {
                            outs.extend(next(&mut i))
                        }
                        _ => {}
                    }
                    i += 1;
                }
                if remote_name {
                    for a in args.iter().filter(|a| a.text().contains("://")) {
                        let name = a
                            .text()
                            .split(['?', '#'])
                            .next()
                            .unwrap_or("")
                            .rsplit('/')
                            .next()
                            .unwrap_or("");
                        outs.push(W::known(if name.is_empty() { "index.html" } else { name }));
                    }
                }
                for o in outs {
                    let o = match (&out_dir, &o.v) {
                        (Some(d), Some(v)) if !v.starts_with('/') => {
                            W::known(&format!("{}/{v}", d.text()))
                        }
                        _ => o,
                    };
                    self.write(&o, st, false);
                }
            }
            "wget" => {
                let out = arg_value(args, &["-O", "--output-document"]);
                let logs = [
                    arg_value(args, &["-o", "--output-file"]),
                    arg_value(args, &["-a", "--append-output"]),
                ];
                for l in logs.into_iter().flatten() {
                    self.write(&l, st, false);
                }
                let prefix = arg_value(args, &["-P", "--directory-prefix"]);
                let recursive = has(&["-r", "--recursive", "-m", "--mirror"]);
                match out {
                    Some(o) => self.write(&o, st, false),
                    None => {
                        let dir = prefix
                            .map(|p| p.text().to_string())
                            .unwrap_or_else(|| ".".into());
                        if recursive {
                            self.write(&W::known(&dir), st, true);
                        }
                        for a in args.iter().filter(|a| a.text().contains("://")) {
                            let name = a
                                .text()
                                .split(['?', '#'])
                                .next()
                                .unwrap_or("")
                                .rsplit('/')
                                .next()
                                .unwrap_or("");
                            let name = if name.is_empty() { "index.html" } else { name };
                            self.write(&W::known(&format!("{dir}/{name}")), st, false);
                        }
                    }
                }
            }
            "find" => self.find(args, st, depth)?,
            "git" => self.git(args, st)?,
            r if READERS.contains(&r) => {}
            _ => {
                let why = format!("`{cmd}` is not a program the guard knows to be read-only");
                self.opaque(argv, st, &why);
            }
        }
        Ok(())
    }

    /// `sed -i` / `perl -i`: the files after the script.
    fn in_place(&mut self, args: &[W], valued: &[&str], st: &St) {
        let (ops, opts) = operands(args, valued);
        let vals: Vec<&str> = args.iter().map(W::text).collect();
        let script_given = opts
            .iter()
            .any(|(k, _)| matches!(k.as_str(), "-e" | "--expression" | "-f" | "--file" | "-E"))
            || vals.iter().any(|a| {
                a.starts_with('-') && !a.starts_with("--") && a.ends_with('e') && a.len() > 2
            });
        let files = if script_given {
            &ops[..]
        } else {
            ops.get(1..).unwrap_or(&[])
        };
        for p in files {
            self.write(p, st, false);
        }
    }

    fn find(&mut self, args: &[W], st: &mut St, depth: usize) -> Result<()> {
        let starts: Vec<W> = args
            .iter()
            .take_while(|a| {
                let t = a.text();
                !(t.starts_with('-') || t == "(" || t == "!" || t == "\\(")
            })
            .cloned()
            .collect();
        let starts = if starts.is_empty() {
            vec![W::known(".")]
        } else {
            starts
        };
        let mut i = 0;
        while i < args.len() {
            let a = args[i].text();
            match a {
                "-delete" => {
                    for s in &starts {
                        self.write(s, st, true);
                    }
                }
                "-fprint" | "-fprint0" | "-fprintf" | "-fls" => {
                    if let Some(f) = args.get(i + 1) {
                        self.write(f, st, false);
                    }
                }
                "-exec" | "-execdir" | "-ok" | "-okdir" => {
                    let end = args[i + 1..]
                        .iter()
                        .position(|w| matches!(w.text(), ";" | "+" | "\\;"))
                        .map_or(args.len(), |p| i + 1 + p);
                    let inner: Vec<W> = args[i + 1..end].to_vec();
                    for s in &starts {
                        let argv: Vec<W> = inner
                            .iter()
                            .map(|w| {
                                if w.text().contains("{}") {
                                    match &s.v {
                                        Some(sv) => W::known(&w.text().replace("{}", sv)),
                                        None => s.clone(),
                                    }
                                } else {
                                    w.clone()
                                }
                            })
                            .collect();
                        if argv.is_empty() {
                            continue;
                        }
                        let was = self.whole;
                        self.whole = true;
                        let mut inner_st = st.clone();
                        let r = self.run(&argv, &mut inner_st, &Input::None, depth);
                        self.whole = was;
                        r?;
                    }
                    i = end;
                }
                _ => {}
            }
            i += 1;
        }
        Ok(())
    }

    fn git(&mut self, args: &[W], st: &mut St) -> Result<()> {
        let mut i = 0;
        let mut inner = st.clone();
        while i < args.len() {
            let a = args[i].text();
            match a {
                "-C" | "--work-tree" => {
                    if let Some(d) = args.get(i + 1) {
                        match &d.v {
                            Some(d) => {
                                inner.dir = Some(match &inner.dir {
                                    Some(cur) if !d.starts_with('/') => format!("{cur}/{d}"),
                                    _ => d.clone(),
                                })
                            }
                            None => inner.dir_unknown = true,
                        }
                    }
                    i += 2;
                }
                "-c" | "--git-dir" | "--namespace" | "--exec-path" | "--config-env" => i += 2,
                s if s.starts_with("--work-tree=") => {
                    inner.dir = Some(s["--work-tree=".len()..].to_string());
                    i += 1;
                }
                s if s.starts_with('-') => i += 1,
                _ => break,
            }
        }
        let Some(sub) = args.get(i).map(|w| w.text().to_string()) else {
            return Ok(());
        };
        let rest = &args[i + 1..];
        let paths = |rest: &[W], valued: &[&str]| -> Vec<W> {
            match rest.iter().position(|w| w.text() == "--") {
                Some(p) => rest[p + 1..].to_vec(),
                None => operands(rest, valued).0,
            }
        };
        match sub.as_str() {
            "rm" | "mv" => {
                let valued: &[&str] = &[];
                let (ops, _) = operands(rest, valued);
                let n = ops.len();
                for (k, p) in ops.iter().enumerate() {
                    // `git mv A B`: A is removed, B written; `git rm` removes each.
                    let removes = sub == "rm" || k + 1 < n;
                    self.write(p, &inner, removes);
                }
            }
            "checkout" | "restore" => {
                let valued = [
                    "-b",
                    "-B",
                    "--orphan",
                    "-s",
                    "--source",
                    "--conflict",
                    "--pathspec-from-file",
                ];
                let ops = paths(rest, &valued);
                let has_dd = rest.iter().any(|w| w.text() == "--");
                for (k, p) in ops.iter().enumerate() {
                    // `git checkout BRANCH`: the first word may be a branch; still read as a path.
                    let _ = (k, has_dd);
                    self.write(p, &inner, true);
                }
                if rest
                    .iter()
                    .any(|w| w.text().starts_with("--pathspec-from-file"))
                {
                    self.unknown("`git` reads its paths from a file");
                }
            }
            "clean" => {
                if rest.iter().any(|w| matches!(w.text(), "-n" | "--dry-run")) {
                    return Ok(());
                }
                let ops = paths(rest, &["-e", "--exclude"]);
                if ops.is_empty() {
                    self.write(&W::known("."), &inner, true);
                }
                for p in &ops {
                    self.write(p, &inner, true);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Records a write of `w` (or, with `removes`, of everything below it).
    fn write(&mut self, w: &W, st: &St, removes: bool) {
        let removes = removes || self.whole;
        match &w.v {
            Some(v) if !v.is_empty() && v != "-" => {
                if st.dir_unknown && !v.starts_with('/') {
                    self.unknown("a `cd` moved to a folder only known when it runs");
                }
                self.targets.push(Target {
                    path: v.clone(),
                    dir: st.dir.clone(),
                    removes,
                    why: None,
                });
            }
            Some(_) => {}
            None => {
                let why = format!("it writes to `{}`, which is only known when it runs", w.raw);
                self.unknown(&why);
            }
        }
    }

    fn unknown(&mut self, why: &str) {
        if self.unknown.is_none() {
            self.unknown = Some(why.to_string());
        }
    }

    fn mention(&mut self, w: &W, st: &St) {
        for t in tokens(w) {
            self.mentioned.push((t, st.dir.clone()));
        }
    }

    /// A command whose effect cannot be shown: everything it names is a target.
    fn opaque(&mut self, argv: &[W], st: &St, why: &str) {
        let why =
            format!("{why}, and its effect on the paths it names cannot be shown to be read-only");
        for w in argv.iter().skip(1) {
            for t in tokens(w) {
                self.targets.push(Target {
                    path: t,
                    dir: st.dir.clone(),
                    removes: true,
                    why: Some(why.clone()),
                });
            }
        }
        if st.dir_unknown {
            self.unknown("a `cd` moved to a folder only known when it runs");
        }
    }

    fn opaque_text(&mut self, text: &str, st: &St, why: &str) {
        let argv = [W::known(""), W::known(text)];
        self.opaque(&argv, st, why);
    }
}

/// `text` with every character outside the Basic Multilingual Plane replaced by U+10000
/// (four UTF-8 bytes each, so byte offsets are kept).
fn astral_to_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(|c| (c as u32) < 0x10000) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| {
                if (c as u32) >= 0x10000 {
                    '\u{10000}'
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// The operator of a file redirect (`>`, `>>`, `2>` gives `>`, `&>`, `<`, …).
fn redirect_op<'s>(src: &'s str, r: Node) -> &'s str {
    let mut c = r.walk();
    for ch in r.children(&mut c) {
        if !ch.is_named() {
            return &src[ch.byte_range()];
        }
    }
    ""
}

/// Whether an argument node is an unquoted expansion (its value is split into words).
fn unquoted_expansion(n: Node) -> bool {
    match n.kind() {
        "simple_expansion" | "expansion" | "command_substitution" => true,
        "concatenation" => {
            let mut c = n.walk();
            n.named_children(&mut c)
                .any(|k| matches!(k.kind(), "simple_expansion" | "expansion"))
        }
        _ => false,
    }
}

/// The value of variable `name`: the line's own, then the positional parameters, then the
/// hook's environment; `None` when only known at run time.
fn lookup(name: &str, st: &St) -> Option<Vec<String>> {
    if let Some(v) = st.vars.get(name) {
        return v.clone().map(|v| vec![v]);
    }
    if name == "@" || name == "*" {
        return st.pos.as_ref().map(|p| p.iter().skip(1).cloned().collect());
    }
    if let Ok(n) = name.parse::<usize>() {
        return st
            .pos
            .as_ref()
            .map(|p| vec![p.get(n).cloned().unwrap_or_default()]);
    }
    match name {
        "PWD" => return Some(vec![st.dir.clone().unwrap_or_else(|| ".".into())]),
        "IFS" => return Some(vec![std::env::var("IFS").unwrap_or_else(|_| " ".into())]),
        "#" => {
            return st
                .pos
                .as_ref()
                .map(|p| vec![(p.len().saturating_sub(1)).to_string()]);
        }
        _ => {}
    }
    std::env::var(name).ok().map(|v| vec![v])
}

/// The words of `w` that may name a path: the whole value, and the pieces of it between
/// quotes, spaces and punctuation (a path inside a script or an option value).
fn tokens(w: &W) -> Vec<String> {
    let text = w.text();
    let mut out = Vec::new();
    if !text.is_empty() && text.len() <= 4096 && !text.contains('\n') {
        out.push(text.to_string());
    }
    for piece in [text, w.raw.as_str()] {
        for t in piece.split(|c: char| c.is_whitespace() || "'\"`(){};|&<>=,:$\\".contains(c)) {
            if t.is_empty()
                || t == "."
                || t == ".."
                || t == "/"
                || t.starts_with('-')
                || t.len() > 4096
            {
                continue;
            }
            if !out.iter().any(|o| o == t) {
                out.push(t.to_string());
            }
        }
    }
    out
}

fn base(cmd: &str) -> &str {
    cmd.rsplit('/').next().unwrap_or(cmd)
}

fn basename(p: &str) -> &str {
    p.trim_end_matches('/').rsplit('/').next().unwrap_or(p)
}

fn perl_in_place(vals: &[&str]) -> bool {
    vals.iter()
        .any(|a| a.starts_with('-') && !a.starts_with("--") && a[1..].contains('i'))
}

/// Whether a sed script writes a file or runs a command (`w FILE`, `W FILE`, `s///w FILE`, `e`).
fn sed_script_writes(script: &str) -> bool {
    let b = script.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        matches!(c, b'w' | b'W' | b'e')
            && (i == 0
                || matches!(
                    b[i - 1],
                    b';' | b'}' | b'/' | b'\n' | b' ' | b'0'..=b'9' | b'$'
                ))
            && b.get(i + 1)
                .is_none_or(|n| n.is_ascii_whitespace() || *n == b';')
    })
}

/// The value of the first of `keys` in `args` (`-k V`, `-kV`, `--key=V`).
fn arg_value(args: &[W], keys: &[&str]) -> Option<W> {
    for (i, a) in args.iter().enumerate() {
        let t = a.text();
        for k in keys {
            if t == *k {
                return args.get(i + 1).cloned();
            }
            if k.starts_with("--") {
                if let Some(v) = t.strip_prefix(&format!("{k}=")) {
                    return Some(W::known(v));
                }
            } else if let Some(v) = t.strip_prefix(k).filter(|v| !v.is_empty()) {
                return Some(W::known(v));
            }
        }
    }
    None
}

/// The operands of a command: its words that are not options (everything after `--`), with
/// the values of `valued` options taken out and returned separately.
fn operands(args: &[W], valued: &[&str]) -> (Vec<W>, Vec<(String, W)>) {
    let mut ops = Vec::new();
    let mut opts = Vec::new();
    let mut i = 0;
    let mut only = false;
    while i < args.len() {
        let a = args[i].text();
        if only || a == "-" || !a.starts_with('-') {
            ops.push(args[i].clone());
        } else if a == "--" {
            only = true;
        } else if let Some((k, v)) = a.split_once('=').filter(|_| a.starts_with("--")) {
            opts.push((k.to_string(), W::known(v)));
        } else if valued.contains(&a) {
            if let Some(v) = args.get(i + 1) {
                opts.push((a.to_string(), v.clone()));
                i += 1;
            }
        } else if let Some(v) = valued
            .iter()
            .filter(|v| v.len() == 2)
            .find_map(|v| a.strip_prefix(*v).filter(|r| !r.is_empty()))
        {
            opts.push((a[..2].to_string(), W::known(v)));
        }
        i += 1;
    }
    (ops, opts)
}

/// An unquoted word with its backslash escapes applied.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\n') | None => {}
                Some(n) => out.push(n),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Text inside double quotes: only `\$`, `` \` ``, `\"`, `\\` and a newline are escapes.
fn unescape_dq(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.peek(), Some('$' | '`' | '"' | '\\' | '\n')) {
            let n = chars.next().unwrap_or_default();
            if n != '\n' {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes ANSI-C quoting `$'…'` as bash does.
fn ansi_c(text: &str) -> String {
    let inner = text
        .strip_prefix("$'")
        .and_then(|t| t.strip_suffix('\''))
        .unwrap_or(text);
    let mut out = String::new();
    let chars: Vec<char> = inner.chars().collect();
    let mut i = 0;
    let hex = |s: &[char]| u32::from_str_radix(&s.iter().collect::<String>(), 16).ok();
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' || i + 1 >= chars.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let n = chars[i + 1];
        i += 2;
        match n {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'e' | 'E' => out.push('\x1b'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            'x' | 'u' | 'U' => {
                let max = match n {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let len = chars[i..]
                    .iter()
                    .take(max)
                    .take_while(|c| c.is_ascii_hexdigit())
                    .count();
                match hex(&chars[i..i + len]).and_then(char::from_u32) {
                    Some(ch) if len > 0 => out.push(ch),
                    _ => {
                        out.push('\\');
                        out.push(n);
                    }
                }
                i += len;
            }
            '0'..='7' => {
                let len = chars[i - 1..]
                    .iter()
                    .take(3)
                    .take_while(|c| ('0'..='7').contains(c))
                    .count();
                let s: String = chars[i - 1..i - 1 + len].iter().collect();
                if let Some(ch) = u32::from_str_radix(&s, 8).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
                i += len - 1;
            }
            'c' => {
                if i < chars.len() {
                    out.push(char::from((chars[i] as u8) & 0x1f));
                    i += 1;
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Bash brace expansion of one word: `a{b,c}d`, `{1..3}`, `{a..c}`, nested; capped at
/// [`MAX_EXPANSION`] results. Text without a valid brace group comes back unchanged.
pub fn brace_expand(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    expand_into(s, &mut out);
    if out.is_empty() {
        out.push(s.to_string());
    }
    out
}

fn expand_into(s: &str, out: &mut Vec<String>) {
    if out.len() >= MAX_EXPANSION {
        return;
    }
    let b = s.as_bytes();
    // Find the first `{` with a matching `}` that holds a top-level `,` or `..`.
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == b'{' {
            let mut d = 0;
            let mut commas = Vec::new();
            let mut j = i;
            let mut close = None;
            while j < b.len() {
                match b[j] {
                    b'\\' => j += 1,
                    b'{' => d += 1,
                    b'}' => {
                        d -= 1;
                        if d == 0 {
                            close = Some(j);
                            break;
                        }
                    }
                    b',' if d == 1 => commas.push(j),
                    _ => {}
                }
                j += 1;
            }
            if let Some(close) = close {
                let pre = &s[..i];
                let post = &s[close + 1..];
                let body = &s[i + 1..close];
                let alts: Vec<String> = if !commas.is_empty() {
                    let mut v = Vec::new();
                    let mut start = i + 1;
                    for c in commas.iter().copied().chain(std::iter::once(close)) {
                        v.push(s[start..c].to_string());
                        start = c + 1;
                    }
                    v
                } else if let Some(r) = range(body) {
                    r
                } else {
                    i = close + 1;
                    continue;
                };
                for a in alts {
                    if out.len() >= MAX_EXPANSION {
                        return;
                    }
                    expand_into(&format!("{pre}{a}{post}"), out);
                }
                return;
            }
        }
        i += 1;
    }
    out.push(s.to_string());
}

/// `1..3`, `a..c`, `1..10..2` inside braces.
fn range(body: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = body.split("..").collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let step: i64 = parts
        .get(2)
        .map_or(Some(1i64), |s| s.parse::<i64>().ok())?
        .abs()
        .max(1);
    if let (Ok(a), Ok(b)) = (parts[0].parse::<i64>(), parts[1].parse::<i64>()) {
        let mut v = Vec::new();
        let mut x = a;
        while v.len() < MAX_EXPANSION {
            v.push(x.to_string());
            if x == b {
                break;
            }
            x += if a < b { step } else { -step };
            if (a < b && x > b) || (a > b && x < b) {
                break;
            }
        }
        return Some(v);
    }
    let (a, b) = (
        parts[0].chars().collect::<Vec<_>>(),
        parts[1].chars().collect::<Vec<_>>(),
    );
    if a.len() == 1 && b.len() == 1 && a[0].is_ascii_alphabetic() && b[0].is_ascii_alphabetic() {
        let (x, y) = (a[0] as u8, b[0] as u8);
        let v: Vec<String> = if x <= y {
            (x..=y).map(|c| (c as char).to_string()).collect()
        } else {
            (y..=x).rev().map(|c| (c as char).to_string()).collect()
        };
        return Some(v);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(cmd: &str) -> Vec<String> {
        scan(cmd, &Budget::guard())
            .unwrap()
            .targets
            .into_iter()
            .map(|t| t.path)
            .collect()
    }

    #[test]
    fn redirections_and_writers() {
        assert_eq!(paths("echo hi>roles/a.md"), ["roles/a.md"]);
        assert_eq!(paths("true&&echo x>>skills/s.md"), ["skills/s.md"]);
        assert_eq!(paths("ls 2>/dev/null"), ["/dev/null"]);
        assert_eq!(
            paths("cmd 2>&1 | tee -a out.log").last().unwrap(),
            "out.log"
        );
        assert!(paths("sort < roles/a.md").is_empty());
        assert_eq!(paths("sed -i 's/a/b/' roles/x.md"), ["roles/x.md"]);
        assert!(paths("sed 's/a/b/' roles/x.md").is_empty());
        assert_eq!(paths("perl -pi -e 's/a/b/' roles/x.md")[0], "roles/x.md");
    }

    #[test]
    fn quoting_and_expansions_are_read_as_bash_reads_them() {
        assert_eq!(paths("rm $'\\x2ewazir/a'"), [".wazir/a"]);
        assert_eq!(
            paths("touch .wazir/{roles,skills}/x.md"),
            [".wazir/roles/x.md", ".wazir/skills/x.md"]
        );
        assert_eq!(paths("D=roles; echo x > $D/a.md"), ["roles/a.md"]);
        assert_eq!(
            paths("cp 'my file.md' \"roles/new name.md\"")[0],
            "roles/new name.md"
        );
        assert_eq!(paths("rm${IFS}roles/a.md"), ["roles/a.md"]);
    }

    #[test]
    fn heredoc_bodies_are_data_unless_a_shell_reads_them() {
        assert_eq!(
            paths("cat > notes.md <<'EOF'\nrm -rf roles\nEOF\n"),
            ["notes.md"]
        );
        assert_eq!(paths("bash <<'EOF'\nrm -rf roles\nEOF\n"), ["roles"]);
        assert_eq!(
            paths("cat <<-EOF > a.md\n\tx\n\tEOF\nrm roles/b.md"),
            ["a.md", "roles/b.md"]
        );
    }

    #[test]
    fn cd_wrappers_and_nesting_are_followed() {
        let s = scan("cd roles\nsudo -u me rm -f a.md", &Budget::guard()).unwrap();
        assert_eq!(s.targets[0].path, "a.md");
        assert_eq!(s.targets[0].dir.as_deref(), Some("roles"));
        assert!(s.targets[0].removes);
        let s = scan("bash -c \"cd roles; rm a.md\"", &Budget::guard()).unwrap();
        assert_eq!(s.targets[0].dir.as_deref(), Some("roles"));
        assert_eq!(paths("eval 'echo x >roles/b.md'"), ["roles/b.md"]);
        assert!(paths("git commit -m 'a && rm roles/x.md'").is_empty());
        assert!(paths("git log --stat roles").is_empty());
    }

    #[test]
    fn unprovable_commands_name_their_paths_with_a_reason() {
        let s = scan("python3 -c \"open('roles/x.md','w')\"", &Budget::guard()).unwrap();
        assert!(
            s.targets
                .iter()
                .any(|t| t.path == "roles/x.md" && t.why.is_some())
        );
        let s = scan(
            "for f in $(cat list); do rm $f; done; ls roles",
            &Budget::guard(),
        )
        .unwrap();
        assert!(
            s.targets
                .iter()
                .any(|t| t.path == "roles" && t.why.is_some())
        );
    }

    #[test]
    fn commands_are_listed_for_the_ledger_guard() {
        let s = scan(
            "git status && wazir capture event --event phase_enter --phase plan | cat",
            &Budget::guard(),
        )
        .unwrap();
        assert_eq!(s.commands.len(), 3);
        assert_eq!(s.commands[1][0], "wazir");
        assert_eq!(s.commands[1][4], "phase_enter");
    }

    #[test]
    fn characters_that_crash_the_grammar_scanner_are_read_safely() {
        for c in ['\u{E0100}', '\u{E01DE}', '\u{10FFFF}', '\u{F0000}'] {
            let cmd = format!("{{{c} && rm roles/{c}x");
            let s = scan(&cmd, &Budget::guard()).unwrap();
            assert!(
                s.targets.iter().any(|t| t.path == format!("roles/{c}x")),
                "{s:?}"
            );
        }
    }

    #[test]
    fn brace_expansion() {
        assert_eq!(brace_expand("a{b,c}d"), ["abd", "acd"]);
        assert_eq!(brace_expand("x{1..3}"), ["x1", "x2", "x3"]);
        assert_eq!(brace_expand("{a,b}{c,d}"), ["ac", "ad", "bc", "bd"]);
        assert_eq!(brace_expand("{x}"), ["{x}"]);
    }
}
