//! The shell reader, evaluating words (concatenation, expansions, eval) and reading the
//! scripts a nested shell runs.

use tree_sitter::Node;

use super::*;

impl Walker<'_> {
    /// Evaluates a word node to its values (several for brace expansion), or `None` when a
    /// part is only known at run time. Command substitutions inside are walked (they run).
    pub(super) fn eval(
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
    pub(super) fn concat(
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

    pub(super) fn expansion(
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
    pub(super) fn run(
        &mut self,
        argv: &[W],
        st: &mut St,
        input: &Input,
        depth: usize,
    ) -> Result<()> {
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
            s if is_shell(s) => self.shell(&cmd, args, st, input, depth)?,
            // `wazir capture run [options] -- COMMAND…` runs COMMAND in a shell (the words after
            // `--` joined by spaces); every other `wazir` command is a reader.
            "wazir" if vals.windows(2).any(|w| w == ["capture", "run"]) => {
                match args.iter().position(|w| w.text() == "--") {
                    Some(i) if i + 1 < args.len() => {
                        let text: Vec<&str> = args[i + 1..].iter().map(|w| w.text()).collect();
                        self.nested(&W::known(&text.join(" ")), st, &Input::None, depth)?;
                    }
                    _ => {}
                }
            }
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
                        for mut t in crate::patch::targets(&t) {
                            t.dir = st.dir.clone();
                            self.targets.push(t);
                        }
                    }
                    None => self.unknown("the patch given to `apply_patch` is not on the line"),
                }
            }
            "parallel" => self.opaque(argv, st, "`parallel` builds commands from its arguments"),
            s if is_interpreter(s) => {
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
    pub(super) fn shell(
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

    pub(super) fn nested(
        &mut self,
        script: &W,
        st: &mut St,
        input: &Input,
        depth: usize,
    ) -> Result<()> {
        let mut inner = st.clone();
        self.nested_in(script, &mut inner, input, depth)
    }

    pub(super) fn nested_in(
        &mut self,
        script: &W,
        st: &mut St,
        input: &Input,
        depth: usize,
    ) -> Result<()> {
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
}
