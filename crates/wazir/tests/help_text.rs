//! Snapshots of `--help` for every command and subcommand, found by walking the real binary's
//! own help output. A changed flag or description shows up as a snapshot diff to review.

mod common;

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

#[test]
fn help_text_of_every_command() {
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
        for sub in subcommands(&text) {
            let mut p = path.clone();
            p.push(sub);
            queue.push(p);
        }
    }
    assert!(seen > 30, "only {seen} help texts found");
}
