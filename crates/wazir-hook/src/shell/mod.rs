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
use tree_sitter::Parser;

use super::budget::Budget;

mod expand;
mod programs;
mod syntax;
mod targets;
#[cfg(test)]
mod tests;
mod words;
mod wrappers;

use words::*;

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
    /// Some part of the line runs in the background (`cmd &`): it may outlive the line and keep
    /// its output open.
    pub background: bool,
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
        background: false,
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
        background: w.background,
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
    /// A `&` separator was seen.
    background: bool,
}

const SHELLS: [&str; 9] = [
    "sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "yash", "fish",
];

/// Whether `name` (a base name) is a shell.
pub fn is_shell(name: &str) -> bool {
    SHELLS.contains(&name)
}

/// Whether `name` (a base name) is a script interpreter whose effect the reader cannot show.
pub fn is_interpreter(name: &str) -> bool {
    INTERPRETERS.contains(&name) || name.starts_with("python") || name.starts_with("ruby")
}

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
