//! The shell reader, what becomes a target: find, git, a plain write, and the paths
//! named by a command whose effect cannot be shown.

use super::*;

impl Walker<'_> {
    pub(super) fn find(&mut self, args: &[W], st: &mut St, depth: usize) -> Result<()> {
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

    pub(super) fn git(&mut self, args: &[W], st: &mut St) -> Result<()> {
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
    pub(super) fn write(&mut self, w: &W, st: &St, removes: bool) {
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

    pub(super) fn unknown(&mut self, why: &str) {
        if self.unknown.is_none() {
            self.unknown = Some(why.to_string());
        }
    }

    pub(super) fn mention(&mut self, w: &W, st: &St) {
        for t in tokens(w) {
            self.mentioned.push((t, st.dir.clone()));
        }
    }

    /// A command whose effect cannot be shown: everything it names is a target.
    pub(super) fn opaque(&mut self, argv: &[W], st: &St, why: &str) {
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

    pub(super) fn opaque_text(&mut self, text: &str, st: &St, why: &str) {
        let argv = [W::known(""), W::known(text)];
        self.opaque(&argv, st, why);
    }
}
