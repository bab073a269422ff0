//! The shell reader, the walk over bash's syntax tree: scripts, lists, pipelines, redirections,
//! assignments, loops and simple commands.

use tree_sitter::Node;

use super::*;

impl Walker<'_> {
    /// Parses and walks one script (the whole line, or a nested one).
    pub(super) fn script(
        &mut self,
        text: &str,
        st: &mut St,
        input: &Input,
        depth: usize,
    ) -> Result<()> {
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

    pub(super) fn node(
        &mut self,
        src: &str,
        n: Node,
        st: &mut St,
        input: &Input,
        depth: usize,
    ) -> Result<()> {
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

    pub(super) fn node_inner(
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

    pub(super) fn children(
        &mut self,
        src: &str,
        n: Node,
        st: &mut St,
        input: &Input,
        depth: usize,
    ) -> Result<()> {
        let mut c = n.walk();
        if n.children(&mut c).any(|k| k.kind() == "&") {
            self.background = true;
        }
        let kids: Vec<Node> = n.named_children(&mut c).collect();
        for ch in kids {
            self.node(src, ch, st, input, depth)?;
        }
        Ok(())
    }

    /// Runs the command substitutions inside a heredoc body (they run even though the body is
    /// data).
    pub(super) fn substitutions(
        &mut self,
        src: &str,
        n: Node,
        st: &mut St,
        depth: usize,
    ) -> Result<()> {
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

    pub(super) fn pipeline(
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
    pub(super) fn output_of(
        &mut self,
        src: &str,
        n: Node,
        st: &mut St,
        depth: usize,
    ) -> Result<Input> {
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

    pub(super) fn redirected(
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
    pub(super) fn stdin_of(
        &mut self,
        src: &str,
        r: Node,
        st: &mut St,
        depth: usize,
    ) -> Result<Option<Input>> {
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

    pub(super) fn redirect(&mut self, src: &str, r: Node, st: &mut St, depth: usize) -> Result<()> {
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

    pub(super) fn assign(&mut self, src: &str, n: Node, st: &mut St, depth: usize) -> Result<()> {
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

    pub(super) fn for_loop(
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
    pub(super) fn words_of(
        &mut self,
        src: &str,
        n: Node,
        st: &mut St,
        depth: usize,
    ) -> Result<Vec<W>> {
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

    pub(super) fn command(
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
}
