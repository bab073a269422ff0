//! The shell reader, taking wrappers off a command (sudo, env -C, setsid, flock, xargs,
//! …) to find the program it runs.

use super::*;

impl Walker<'_> {
    /// Takes a wrapper's own options off and runs the command it wraps.
    pub(super) fn wrapper(
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
}
