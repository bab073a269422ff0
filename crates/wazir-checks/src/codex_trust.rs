//! Whether Codex CLI will run the project's hooks. Codex runs project hooks only when the
//! project is trusted (`[projects."<path>"] trust_level = "trusted"` in `$CODEX_HOME/config.toml`)
//! and each hook's current hash is recorded (`[hooks.state."<key>"] trusted_hash = "…"`, keyed
//! `<abs path of .codex/hooks.json>:<event in snake_case>:<group>:<handler>`). `codex exec` never
//! asks, so without both the guards are silently off. Checked with Codex CLI 0.171.0 (its
//! app-server's `hooks/list` reports the same keys) by the conformance suite, `tests/hosts/`.
//!
//! Doctor reads the config only: it sees a hook never trusted, not one changed since it was
//! trusted (Codex's `/hooks` shows that as untrusted).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::doctor::Finding;
use crate::report::Severity;

pub const AREA: &str = "codex-trust";

/// The steps that make Codex run the project's hooks, for init's note and doctor's fix.
pub fn steps(root: &Path, config: &Path) -> String {
    format!(
        "trust the project: add `[projects.\"{}\"]` with `trust_level = \"trusted\"` to {} (or \
         answer yes when `codex` asks to trust this folder); then start `codex` here, open \
         `/hooks` and trust each Wazir hook (Codex records a `trusted_hash` per hook; `codex \
         exec` never asks); check again with `wazir doctor`",
        root.display(),
        config.display()
    )
}

/// `$CODEX_HOME/config.toml`, else `~/.codex/config.toml`.
pub fn config_path() -> Option<PathBuf> {
    if let Some(h) = std::env::var_os("CODEX_HOME").filter(|h| !h.is_empty()) {
        return Some(PathBuf::from(h).join("config.toml"));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".codex").join("config.toml"))
}

/// The Codex trust findings for a project whose `.codex/hooks.json` registers Wazir hooks;
/// `None` when Codex is not installed in the project.
pub fn check(root: &Path) -> Option<(Vec<Finding>, String)> {
    let hooks_file = root.join(".codex").join("hooks.json");
    let hooks: Value = serde_json::from_str(&std::fs::read_to_string(&hooks_file).ok()?).ok()?;
    let config = config_path()?;
    let text = std::fs::read_to_string(&config).unwrap_or_default();
    let finding = |message: String| Finding {
        area: AREA.to_string(),
        severity: Severity::Warning,
        message,
        fix: steps(root, &config),
    };
    let cfg: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            return Some((
                vec![finding(format!(
                    "cannot read {}: {e}: Codex's trust in this project is unknown",
                    config.display()
                ))],
                String::new(),
            ));
        }
    };
    let roots = spellings(root);
    let mut found = Vec::new();
    let projects = cfg.get("projects").and_then(toml::Value::as_table);
    let trusted = projects.is_some_and(|p| {
        p.iter().any(|(k, v)| {
            v.get("trust_level").and_then(toml::Value::as_str) == Some("trusted")
                && roots.iter().any(|r| r.starts_with(Path::new(k)))
        })
    });
    if !trusted {
        found.push(finding(format!(
            "Codex CLI does not trust this project ({} has no `trust_level = \"trusted\"` for \
             it): Codex loads none of its hooks, so Wazir's guards are off",
            config.display()
        )));
    }
    let state = cfg
        .get("hooks")
        .and_then(|h| h.get("state"))
        .and_then(toml::Value::as_table);
    let keys = wazir_hook_keys(&hooks);
    let untrusted: Vec<&(String, String, usize, usize)> = keys
        .iter()
        .filter(|(_, event, g, h)| {
            !roots.iter().any(|r| {
                let key = format!(
                    "{}:{event}:{g}:{h}",
                    r.join(".codex").join("hooks.json").display()
                );
                state
                    .and_then(|s| s.get(&key))
                    .and_then(|e| e.get("trusted_hash"))
                    .and_then(toml::Value::as_str)
                    .is_some_and(|h| !h.is_empty())
            })
        })
        .collect();
    if !untrusted.is_empty() {
        let names: Vec<String> = untrusted
            .iter()
            .map(|(cmd, ..)| format!("`{cmd}`"))
            .collect();
        found.push(finding(format!(
            "Codex CLI has no trusted hash for {} of the {} Wazir hooks in .codex/hooks.json \
             ({}): Codex skips them",
            untrusted.len(),
            keys.len(),
            names.join(", ")
        )));
    }
    let detail = format!(
        "project trusted and {} Wazir hooks trusted in {}",
        keys.len(),
        config.display()
    );
    Some((found, detail))
}

/// The project root as written and as resolved (Codex keys by the path it was started in).
fn spellings(root: &Path) -> Vec<PathBuf> {
    let mut v = vec![root.to_path_buf()];
    if let Ok(c) = root.canonicalize()
        && c != root
    {
        v.push(c);
    }
    v
}

/// Every `wazir hook` handler of a Codex hooks file: its command, its event in snake_case and
/// its group and handler indexes, which make its key in Codex's config.
fn wazir_hook_keys(hooks: &Value) -> Vec<(String, String, usize, usize)> {
    let mut out = Vec::new();
    let Some(events) = hooks.get("hooks").and_then(Value::as_object) else {
        return out;
    };
    for (event, groups) in events {
        for (g, group) in groups.as_array().into_iter().flatten().enumerate() {
            for (h, handler) in group
                .get("hooks")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if let Some(cmd) = handler.get("command").and_then(Value::as_str)
                    && cmd.contains("wazir hook")
                {
                    out.push((cmd.to_string(), snake_case(event), g, h));
                }
            }
        }
    }
    out
}

/// `PreToolUse` → `pre_tool_use`.
fn snake_case(event: &str) -> String {
    let mut s = String::new();
    for (i, c) in event.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                s.push('_');
            }
            s.push(c.to_ascii_lowercase());
        } else {
            s.push(c);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_codex() {
        assert_eq!(snake_case("PreToolUse"), "pre_tool_use");
        assert_eq!(snake_case("Stop"), "stop");
        let hooks = serde_json::json!({"hooks": {"PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "wazir hook --host codex loop-cap"}]},
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "other"}]}
        ]}});
        assert_eq!(
            wazir_hook_keys(&hooks),
            vec![(
                "wazir hook --host codex loop-cap".to_string(),
                "pre_tool_use".to_string(),
                0,
                0
            )]
        );
    }
}
