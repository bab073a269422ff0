//! The shell reader, the programs whose effect on files is known: writers, in-place
//! editors and readers.

use super::*;

impl Walker<'_> {
    /// Known programs: writers give targets, readers nothing, the rest is unprovable.
    pub(super) fn known(
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
    pub(super) fn in_place(&mut self, args: &[W], valued: &[&str], st: &St) {
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
}
