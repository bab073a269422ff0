//! Reading a shell command line for what it plainly does: the files it writes or removes
//! (redirections `>` `>>` `>|` `&>` `<>`, `tee`, `sed -i`, `perl -i`, `cp`, `mv`, `install`,
//! `ln`, `rm`, `rmdir`, `unlink`, `truncate`, `touch`, `dd of=`) and every simple command it
//! runs (for the loop-cap guard). Words are split by `shlex` (quotes and escapes as a POSIX
//! shell reads them); operators glued to words (`a>b`, `x&&y`) are then split off, and lists,
//! pipes, subshells, `sh -c`, `eval`, `cd`, variable assignments and wrapper commands (`sudo`,
//! `env`, `xargs`, …) are followed.
//!
//! Scope: this finds writes whose target is written in the command. A target computed at run
//! time (command substitution, a variable set outside the command line) is read with the
//! hook's own environment, as the shell would when it inherits it, and is otherwise beyond a
//! static reading. Because quoting is gone once words are split, an operator inside a quoted
//! string is read as an operator: that errs toward seeing a write, never toward missing one.

use std::collections::{BTreeMap, VecDeque};

/// A file a command writes or removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The path as the command names it (variables and `~` expanded).
    pub path: String,
    /// The folder the command runs in, when a `cd` earlier in the line moved it (relative to
    /// the hook's working directory, or absolute).
    pub dir: Option<String>,
    /// True when the file (or folder) is removed or moved away rather than written: removing
    /// a folder that holds protected files counts too.
    pub removes: bool,
}

/// What a command line does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    pub targets: Vec<Target>,
    /// Every simple command, as its words, wrappers (`sudo`, `env`, …) removed.
    pub commands: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Op(&'static str),
    /// A word that held operators (so it was quoted): `whole` as the shell passes it, `parts`
    /// as the line reads if the quoting is ignored.
    Split {
        whole: String,
        parts: Vec<Tok>,
    },
}

const OPS: [&str; 22] = [
    "&>>", "<<<", "<<-", "&&", "||", ";;", ">>", ">|", "&>", "<<", "<>", ">&", "<&", "|&", ";",
    "&", "|", "(", ")", "<", ">", "`",
];

const MAX_DEPTH: usize = 8;

/// Reads `command` for its writes and commands.
pub fn scan(command: &str) -> Scan {
    let mut out = Scan::default();
    scan_into(command, &mut State::default(), &mut out, 0);
    // Newlines separate commands, but shlex reads them as spaces: read each line on its own
    // too, so `echo ok\nrm roles/a.md` is seen as two commands.
    if command.contains('\n') {
        let mut heredoc: Option<(String, bool)> = None;
        for line in command.lines() {
            // The body of a here-document is data, not commands.
            if let Some((end, dash)) = &heredoc {
                let l = if *dash {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if l == end {
                    heredoc = None;
                }
                continue;
            }
            scan_into(line, &mut State::default(), &mut out, 0);
            heredoc = heredoc_start(line);
        }
    }
    out.targets.dedup();
    out
}

/// The delimiter of a here-document opened on `line` (`<<EOF`, `<<-'EOF'`, `<< "EOF"`), and
/// whether leading tabs are stripped before it.
fn heredoc_start(line: &str) -> Option<(String, bool)> {
    let i = line.find("<<")?;
    let rest = &line[i + 2..];
    if rest.starts_with('<') {
        return None;
    }
    let (dash, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let word: String = rest
        .trim_start()
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '&' | '|' | '<' | '>' | ')'))
        .filter(|c| !matches!(c, '\'' | '"' | '\\'))
        .collect();
    (!word.is_empty()).then_some((word, dash))
}

#[derive(Debug, Clone, Default)]
struct State {
    vars: BTreeMap<String, String>,
    dir: Option<String>,
}

fn scan_into(command: &str, st: &mut State, out: &mut Scan, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut queue: VecDeque<Tok> = tokens(command).into();
    let mut words: Vec<String> = Vec::new();
    while let Some(tok) = queue.pop_front() {
        match tok {
            Tok::Split { whole, parts } => {
                // The script of `sh -c '…'` and the text of `eval '…'` are read whole (by a
                // nested scan); any other quoted text is also read as if it were unquoted.
                let takes_script = words.first().is_some_and(|w| {
                    let base = w.rsplit('/').next().unwrap_or(w);
                    base == "eval"
                        || (SHELLS.contains(&base) && words.last().is_some_and(|l| is_c_flag(l)))
                });
                if takes_script {
                    words.push(whole);
                } else {
                    for t in parts.into_iter().rev() {
                        queue.push_front(t);
                    }
                }
            }
            Tok::Word(w) => words.push(w),
            Tok::Op(op) => match op {
                ">" | ">>" | ">|" | "&>" | "&>>" | "<>" | ">&" => {
                    if let Some(t) = next_word(&mut queue) {
                        let dup = op == ">&" && (t == "-" || t.chars().all(|c| c.is_ascii_digit()));
                        if !dup {
                            let path = expand(&t, st);
                            out.targets.push(Target {
                                path,
                                dir: st.dir.clone(),
                                removes: false,
                            });
                        }
                    }
                }
                "<" | "<<" | "<<-" | "<<<" | "<&" => {
                    next_word(&mut queue);
                }
                _ => finish(&mut words, st, out, depth),
            },
        }
    }
    finish(&mut words, st, out, depth);
}

/// Takes the next word from the queue (the first part of a split word), if a word is next.
fn next_word(queue: &mut VecDeque<Tok>) -> Option<String> {
    match queue.pop_front()? {
        Tok::Word(w) => Some(w),
        Tok::Split { parts, .. } => {
            let mut parts = parts.into_iter();
            let first = parts.next();
            for t in parts.rev() {
                queue.push_front(t);
            }
            match first {
                Some(Tok::Word(w)) => Some(w),
                Some(other) => {
                    queue.push_front(other);
                    None
                }
                None => None,
            }
        }
        op => {
            queue.push_front(op);
            None
        }
    }
}

const SHELLS: [&str; 5] = ["sh", "bash", "zsh", "dash", "ksh"];

fn is_c_flag(w: &str) -> bool {
    w.starts_with('-') && !w.starts_with("--") && w.contains('c')
}

/// Splits a command line into words and operators.
fn tokens(command: &str) -> Vec<Tok> {
    let words: Vec<String> = {
        let mut lexer = shlex::Shlex::new(command);
        let words: Vec<String> = lexer.by_ref().collect();
        if lexer.had_error {
            // Unbalanced quotes: fall back to white space, which still shows every operator.
            command.split_whitespace().map(str::to_string).collect()
        } else {
            words
        }
    };
    let mut out = Vec::new();
    for w in words {
        let mut parts = Vec::new();
        split_ops(&w, &mut parts);
        match parts.as_slice() {
            [Tok::Word(only)] if *only == w => out.push(Tok::Word(w)),
            _ => out.push(Tok::Split { whole: w, parts }),
        }
    }
    out
}

fn split_ops(word: &str, out: &mut Vec<Tok>) {
    let mut frag = String::new();
    let mut rest = word;
    let mut split = false;
    // A piece between operators is read as shell text: split on white space too.
    let flush = |frag: &mut String, out: &mut Vec<Tok>| {
        out.extend(
            frag.split_whitespace()
                .filter(|w| *w != "$")
                .map(|w| Tok::Word(w.to_string())),
        );
        frag.clear();
    };
    while let Some(c) = rest.chars().next() {
        if let Some(op) = OPS.iter().find(|op| rest.starts_with(**op)) {
            split = true;
            let redirect = op.starts_with('<') || op.starts_with('>');
            // `2>file`: the digits name a file descriptor, not a word.
            if redirect && !frag.is_empty() && frag.chars().all(|c| c.is_ascii_digit()) {
                frag.clear();
            }
            flush(&mut frag, out);
            out.push(Tok::Op(op));
            rest = &rest[op.len()..];
        } else {
            frag.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if !split {
        // No operator at all: the word stays whole, spaces included.
        out.push(Tok::Word(frag));
    } else {
        flush(&mut frag, out);
    }
}

/// Expands `~`, `$NAME` and `${NAME}` from the line's own assignments, else the environment
/// (unset names expand to nothing, as in the shell).
fn expand(word: &str, st: &State) -> String {
    let lookup = |name: &str| -> String {
        st.vars
            .get(name)
            .cloned()
            .or_else(|| std::env::var(name).ok())
            .unwrap_or_default()
    };
    let mut s = String::with_capacity(word.len());
    let mut chars = word.char_indices().peekable();
    if word == "~" || word.starts_with("~/") {
        s.push_str(&lookup("HOME"));
        chars.next();
    }
    while let Some((_, c)) = chars.next() {
        if c != '$' {
            s.push(c);
            continue;
        }
        let mut name = String::new();
        if chars.peek().map(|(_, c)| *c) == Some('{') {
            chars.next();
            for (_, c) in chars.by_ref() {
                if c == '}' {
                    break;
                }
                name.push(c);
            }
            // `${NAME:-default}` and friends: take the name only.
            if let Some(i) = name.find([':', '-', '=', '+', '?', '#', '%', '/']) {
                name.truncate(i);
            }
        } else {
            while let Some((_, c)) = chars.peek() {
                if c.is_ascii_alphanumeric() || *c == '_' {
                    name.push(*c);
                    chars.next();
                } else {
                    break;
                }
            }
        }
        if name.is_empty() {
            s.push('$');
        } else {
            s.push_str(&lookup(&name));
        }
    }
    s
}

fn is_assignment(w: &str) -> Option<(&str, &str)> {
    let (name, value) = w.split_once('=')?;
    let ok = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then_some((name, value))
}

const KEYWORDS: [&str; 14] = [
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time", "in",
];

/// Analyses one simple command and clears `words`.
fn finish(words: &mut Vec<String>, st: &mut State, out: &mut Scan, depth: usize) {
    let mut argv: Vec<String> = std::mem::take(words);
    // Leading keywords and assignments.
    let mut start = 0;
    while start < argv.len() {
        let w = &argv[start];
        if KEYWORDS.contains(&w.as_str()) {
            start += 1;
        } else if let Some((n, v)) = is_assignment(w) {
            let v = expand(v, st);
            st.vars.insert(n.to_string(), v);
            start += 1;
        } else {
            break;
        }
    }
    argv.drain(..start);
    strip_wrappers(&mut argv);
    let Some(first) = argv.first() else {
        return;
    };
    let cmd = first.rsplit('/').next().unwrap_or(first).to_string();
    let args: Vec<String> = argv[1..].iter().map(|a| expand(a, st)).collect();
    match cmd.as_str() {
        "for" | "case" | "select" | "function" => return,
        "export" | "local" | "declare" | "readonly" | "typeset" => {
            for a in &args {
                if let Some((n, v)) = is_assignment(a) {
                    st.vars.insert(n.to_string(), v.to_string());
                }
            }
        }
        "cd" | "pushd" => {
            let to = args
                .iter()
                .find(|a| !a.starts_with('-') || a.as_str() == "-");
            let home = std::env::var("HOME").unwrap_or_default();
            let to = to.cloned().unwrap_or(home);
            if to != "-" {
                st.dir = Some(match &st.dir {
                    Some(d) if !to.starts_with('/') => format!("{d}/{to}"),
                    _ => to,
                });
            }
        }
        s if SHELLS.contains(&s) => {
            if let Some(i) = args.iter().position(|a| is_c_flag(a))
                && let Some(script) = args.get(i + 1)
            {
                scan_into(script, &mut st.clone(), out, depth + 1);
            }
        }
        "eval" => scan_into(&args.join(" "), &mut st.clone(), out, depth + 1),
        _ => writes_of(&cmd, &args, st, out),
    }
    let mut full = vec![cmd];
    full.extend(args);
    out.commands.push(full);
}

/// Removes wrapper commands that run the rest of the line as a command.
fn strip_wrappers(argv: &mut Vec<String>) {
    loop {
        let Some(first) = argv.first() else { return };
        let base = first.rsplit('/').next().unwrap_or(first);
        // Options of the wrapper that take a value.
        let valued: &[&str] = match base {
            "sudo" | "doas" => &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"],
            "env" => &["-u", "-C", "-S"],
            "nice" => &["-n"],
            "timeout" => &["-s", "-k"],
            "xargs" => &["-I", "-L", "-n", "-P", "-s", "-d", "-E", "-a"],
            "stdbuf" => &["-i", "-o", "-e"],
            "command" | "builtin" | "exec" | "nohup" | "time" | "busybox" | "ionice"
            | "chronic" | "unbuffer" => &[],
            _ => return,
        };
        let mut i = 1;
        while i < argv.len() {
            let a = &argv[i];
            if a == "--" {
                i += 1;
                break;
            }
            if a.starts_with('-') && a.len() > 1 {
                if valued.contains(&a.as_str()) {
                    i += 1;
                }
                i += 1;
            } else if base == "env" && is_assignment(a).is_some() {
                i += 1;
            } else {
                break;
            }
        }
        // `timeout 10 cmd`: the duration comes first.
        if base == "timeout" && i < argv.len() {
            i += 1;
        }
        argv.drain(..i.min(argv.len()));
    }
}

/// The operands of a command: its words that are not options (everything after `--`), with
/// the values of `valued` options taken out and returned separately.
fn operands<'a>(args: &'a [String], valued: &[&str]) -> (Vec<&'a str>, Vec<(&'a str, &'a str)>) {
    let mut ops = Vec::new();
    let mut opts = Vec::new();
    let mut i = 0;
    let mut only_operands = false;
    while i < args.len() {
        let a = args[i].as_str();
        if only_operands || a == "-" || !a.starts_with('-') {
            ops.push(a);
        } else if a == "--" {
            only_operands = true;
        } else if let Some((k, v)) = a.split_once('=').filter(|_| a.starts_with("--")) {
            opts.push((k, v));
        } else if valued.contains(&a) {
            if let Some(v) = args.get(i + 1) {
                opts.push((a, v.as_str()));
                i += 1;
            }
        } else if let Some(v) = valued
            .iter()
            .filter(|v| v.len() == 2)
            .find_map(|v| a.strip_prefix(*v).filter(|r| !r.is_empty()))
        {
            opts.push((&a[..2], v));
        }
        i += 1;
    }
    (ops, opts)
}

fn push(out: &mut Scan, st: &State, path: &str, removes: bool) {
    if path.is_empty() || path == "-" {
        return;
    }
    out.targets.push(Target {
        path: path.to_string(),
        dir: st.dir.clone(),
        removes,
    });
}

fn basename(p: &str) -> &str {
    p.trim_end_matches('/').rsplit('/').next().unwrap_or(p)
}

fn writes_of(cmd: &str, args: &[String], st: &State, out: &mut Scan) {
    match cmd {
        "cp" | "mv" | "install" | "ln" | "rsync" | "scp" => {
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
            ];
            let (ops, opts) = operands(args, &valued);
            let target_dir = opts
                .iter()
                .find(|(k, _)| *k == "-t" || *k == "--target-directory")
                .map(|(_, v)| *v);
            let (sources, dest): (Vec<&str>, Option<&str>) = match target_dir {
                Some(d) => (ops.clone(), Some(d)),
                None if ops.len() >= 2 => (ops[..ops.len() - 1].to_vec(), ops.last().copied()),
                // `ln -s target` links into the current folder under the target's name.
                None if cmd == "ln" && ops.len() == 1 => (ops.clone(), Some(".")),
                None => (Vec::new(), None),
            };
            if let Some(dest) = dest {
                push(out, st, dest, false);
                for s in &sources {
                    let b = basename(s);
                    if !b.is_empty() && b != "." && b != ".." {
                        push(
                            out,
                            st,
                            &format!("{}/{b}", dest.trim_end_matches('/')),
                            false,
                        );
                    }
                }
            }
            if cmd == "mv" {
                for s in sources {
                    push(out, st, s, true);
                }
            }
        }
        "rm" | "rmdir" | "unlink" | "shred" => {
            let (ops, _) = operands(args, &[]);
            for p in ops {
                push(out, st, p, true);
            }
        }
        "truncate" | "touch" => {
            let valued = ["-s", "--size", "-r", "--reference", "-d", "--date", "-t"];
            let (ops, _) = operands(args, &valued);
            for p in ops {
                push(out, st, p, false);
            }
        }
        "tee" => {
            let (ops, _) = operands(args, &[]);
            for p in ops {
                push(out, st, p, false);
            }
        }
        "sed" | "perl" => {
            let in_place = args.iter().any(|a| {
                a.starts_with("--in-place")
                    || (a.starts_with('-') && !a.starts_with("--") && a[1..].contains('i'))
            });
            if !in_place {
                return;
            }
            let valued = [
                "-e",
                "--expression",
                "-f",
                "--file",
                "-l",
                "--line-length",
                "-E",
            ];
            let valued: &[&str] = if cmd == "perl" {
                &["-e", "-E", "-I", "-M", "-m"]
            } else {
                &valued[..6]
            };
            let (ops, opts) = operands(args, valued);
            let script_given = opts
                .iter()
                .any(|(k, _)| matches!(*k, "-e" | "--expression" | "-f" | "--file" | "-E"))
                || args.iter().any(|a| {
                    // Combined flags ending in e (`-pie`, `-ne`) take the script as the next word.
                    a.starts_with('-') && !a.starts_with("--") && a.ends_with('e') && a.len() > 2
                });
            let files = if script_given {
                &ops[..]
            } else {
                ops.get(1..).unwrap_or(&[])
            };
            for p in files {
                push(out, st, p, false);
            }
        }
        "git" => {
            // `git rm` and `git mv` remove and move tracked files like rm and mv.
            let (ops, _) = operands(args, &["-C", "-c", "--git-dir", "--work-tree"]);
            if let Some(sub) = ops.first().copied()
                && matches!(sub, "rm" | "mv")
            {
                let i = args
                    .iter()
                    .position(|a| a == sub)
                    .map_or(args.len(), |i| i + 1);
                writes_of(sub, &args[i..], st, out);
            }
        }
        "dd" => {
            for a in args {
                if let Some(p) = a.strip_prefix("of=") {
                    push(out, st, p, false);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(cmd: &str) -> Vec<String> {
        scan(cmd).targets.into_iter().map(|t| t.path).collect()
    }

    #[test]
    fn operators_glued_to_words_are_split() {
        assert_eq!(paths("echo hi>roles/a.md"), ["roles/a.md"]);
        assert_eq!(paths("true&&echo x>>skills/s.md"), ["skills/s.md"]);
        assert_eq!(paths("ls 2>/dev/null"), ["/dev/null"]);
        assert_eq!(paths("cmd 2>&1 | tee -a out.log"), ["out.log"]);
        assert!(paths("sort < roles/a.md").is_empty());
    }

    #[test]
    fn quoted_words_stay_whole() {
        assert_eq!(
            paths("cp 'my file.md' \"roles/new name.md\""),
            ["roles/new name.md", "roles/new name.md/my file.md"]
        );
    }

    #[test]
    fn sed_in_place_names_its_files_not_its_script() {
        assert_eq!(paths("sed -i 's/a/b/' roles/x.md"), ["roles/x.md"]);
        assert_eq!(paths("sed -i.bak -e 's/a/b/' a.md b.md"), ["a.md", "b.md"]);
        assert!(paths("sed 's/a/b/' roles/x.md").is_empty());
        assert_eq!(paths("perl -pi -e 's/a/b/' roles/x.md"), ["roles/x.md"]);
    }

    #[test]
    fn wrappers_cd_variables_and_nested_shells_are_followed() {
        let s = scan("cd roles && sudo -u me rm -f a.md");
        assert_eq!(s.targets[0].path, "a.md");
        assert_eq!(s.targets[0].dir.as_deref(), Some("roles"));
        assert!(s.targets[0].removes);
        assert_eq!(paths("D=roles; echo x > $D/a.md"), ["roles/a.md"]);
        assert_eq!(paths("bash -c 'echo x > ${D:-w}/a.md' "), ["/a.md"]);
        let s = scan("bash -c \"cd roles; rm a.md\"");
        let t = &s.targets[0];
        assert_eq!((t.path.as_str(), t.dir.as_deref()), ("a.md", Some("roles")));
        assert_eq!(paths("eval 'echo x >roles/b.md'"), ["roles/b.md"]);
        assert_eq!(paths("git commit -m 'a && rm roles/x.md'"), ["roles/x.md"]);
        assert_eq!(paths("env A=1 xargs -n 1 rm roles/a.md"), ["roles/a.md"]);
        assert_eq!(paths("echo ok\nrm roles/a.md"), ["roles/a.md"]);
        assert_eq!(paths("git -C . rm -r --cached roles"), ["roles"]);
        assert!(paths("git log --stat roles").is_empty());
        assert!(
            paths("cat > notes.md <<'EOF'\nrm -rf roles\nEOF\n")
                .iter()
                .all(|p| p == "notes.md")
        );
        assert_eq!(
            paths("cat <<-EOF > a.md\n\tx\n\tEOF\nrm roles/b.md"),
            ["a.md", "roles/b.md"]
        );
        assert_eq!(
            paths("(cd /tmp; touch x) && mv a b"),
            ["x", "b", "b/a", "a"]
        );
    }

    #[test]
    fn commands_are_listed_for_the_ledger_guard() {
        let s = scan("git status && wazir capture event --event phase_enter --phase plan | cat");
        assert_eq!(s.commands.len(), 3);
        assert_eq!(s.commands[1][0], "wazir");
        assert_eq!(s.commands[1][4], "phase_enter");
    }
}
