//! Snapshots of `--help` for every command and subcommand, found by walking the real binary's
//! own help output. A changed flag or description shows up as a snapshot diff to review.

use crate::support::common;

use common::*;

fn help(path: &[String]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = wazir(dir.path())
        .args(path)
        .arg("--help")
        .env("COLUMNS", "100")
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

/// Subcommand names listed under `Commands:` in a help text (without `help`).
fn subcommands(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("Commands:") {
            inside = true;
            continue;
        }
        if inside {
            if line.trim().is_empty() || !line.starts_with("  ") {
                break;
            }
            // A subcommand line starts at two spaces of indent; deeper lines continue a
            // description.
            if line.starts_with("   ") {
                continue;
            }
            let name = line.split_whitespace().next().unwrap_or("");
            if !name.is_empty() && name != "help" {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// Long flags of a help text's `Options:` section, without the global ones.
fn own_flags(text: &str) -> Vec<String> {
    let Some(start) = text.find("Options:") else {
        return Vec::new();
    };
    text[start..]
        .lines()
        .filter_map(|l| {
            let t = l.trim_start();
            let t = t.strip_prefix("-h, ").or(Some(t))?;
            let t = if t.len() > 4 && t.as_bytes()[0] == b'-' && t.as_bytes()[2] == b',' {
                &t[4..]
            } else {
                t
            };
            t.starts_with("--")
                .then(|| t.split_whitespace().next().unwrap_or("").to_string())
        })
        .filter(|f| !["--json", "--state-root", "--help", "--version"].contains(&f.as_str()))
        .collect()
}

#[test]
fn help_text_of_every_command() {
    let reference = std::fs::read_to_string(repo_root().join("docs/reference/cli.md")).unwrap();
    let mut queue: Vec<Vec<String>> = vec![Vec::new()];
    let mut seen = 0;
    while let Some(path) = queue.pop() {
        let text = help(&path);
        let name = if path.is_empty() {
            "wazir".to_string()
        } else {
            format!("wazir-{}", path.join("-"))
        };
        insta::assert_snapshot!(name, text);
        seen += 1;
        let subs = subcommands(&text);
        if subs.is_empty() && !path.is_empty() {
            // A leaf command: docs/reference/cli.md has its line, naming every flag it takes.
            let prefix = format!("wazir {} ", path.join(" "));
            let exact = format!("wazir {}", path.join(" "));
            let line = reference
                .lines()
                .find(|l| l.starts_with(&prefix) || *l == exact)
                .unwrap_or_else(|| panic!("docs/reference/cli.md has no line for `{exact}`"));
            for flag in own_flags(&text) {
                assert!(
                    line.split([' ', '[', ']']).any(|w| w == flag),
                    "docs/reference/cli.md: `{exact}` does not mention {flag}: {line}"
                );
            }
        }
        for sub in subs {
            let mut p = path.clone();
            p.push(sub);
            queue.push(p);
        }
    }
    assert!(seen > 30, "only {seen} help texts found");
}
