//! `wazir export build` on a copy of the kit: every generated JSON file validates against the
//! host's published schema, every TOML command, `.mdc` rule, agent, command and SKILL.md front
//! matter parses with the fields its host needs, two builds give identical bytes, and the hook
//! configurations and plugin manifests are pinned by snapshots.

use crate::support::export as export_support;

use std::collections::BTreeSet;

use export_support::*;
use serde_json::{Value, json};

fn built() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let (dir, root) = kit_copy();
    let out = dir.path().join("out");
    build_into(&root, &out);
    (dir, root, out)
}

/// The hooks object of a grouped configuration, wrapped as a settings document.
fn as_settings(hooks_file: &Value) -> Value {
    json!({ "hooks": hooks_file["hooks"].clone() })
}

#[test]
fn claude_files_validate_against_claude_code_schemas() {
    let (_d, _root, out) = built();
    let settings = host_schema("schemastore-claude-code-settings.json");
    let plugin = host_schema("schemastore-claude-code-plugin-manifest.json");
    let market = host_schema("schemastore-claude-code-marketplace.json");

    let s = read_json(&out.join("claude/.claude/settings.json"));
    assert_valid(&settings, &s, ".claude/settings.json");
    assert!(
        !settings.is_valid(&json!({"hooks": {"PreToolUsed": []}})),
        "the settings schema rejects an unknown event"
    );
    let h = read_json(&out.join("claude/hooks/hooks.json"));
    assert_valid(&settings, &as_settings(&h), "hooks/hooks.json");
    assert_eq!(s["hooks"], h["hooks"], "plugin and project hooks agree");
    assert_valid(
        &plugin,
        &read_json(&out.join("claude/.claude-plugin/plugin.json")),
        "plugin.json",
    );
    let m = read_json(&out.join(".claude-plugin/marketplace.json"));
    assert_valid(&market, &m, "marketplace.json");
    assert_eq!(m["plugins"][0]["source"], "./claude");

    // Every registration names the host and a known behaviour.
    for (event, groups) in s["hooks"].as_object().unwrap() {
        for g in groups.as_array().unwrap() {
            for h in g["hooks"].as_array().unwrap() {
                let cmd = h["command"].as_str().unwrap();
                assert!(
                    cmd.starts_with("wazir hook --host claude "),
                    "{event}: {cmd}"
                );
            }
        }
    }
    let guard = &s["hooks"]["PreToolUse"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["hooks"][0]["command"] == "wazir hook --host claude pre-tool")
        .unwrap()["matcher"];
    // Claude Code reads this matcher as a regular expression.
    let matcher = regex::Regex::new(guard.as_str().unwrap()).unwrap();
    for tool in [
        "Write",
        "Edit",
        "MultiEdit",
        "NotebookEdit",
        "Bash",
        "mcp__fs__write_file",
    ] {
        assert!(matcher.is_match(tool), "{tool}");
    }
    assert!(!matcher.is_match("TodoWrite") && !matcher.is_match("Read"));
    // One command per host event: the guards and capture routing run in one process.
    let pre = s["hooks"]["PreToolUse"].as_array().unwrap();
    assert_eq!(pre.len(), 1, "{pre:?}");
}

#[test]
fn claude_agents_commands_and_skills_have_their_front_matter() {
    let (_d, root, out) = built();
    let m = wazir_core::Manifest::read(&root.join("wazir.manifest.yaml")).unwrap();
    for base in ["claude/.claude", "claude"] {
        for r in &m.roles {
            let stem = r.replace('_', "-");
            let p = out.join(format!("{base}/agents/{stem}.md"));
            let fm = front_matter(&p);
            assert_eq!(fm["name"], stem.as_str(), "{}", p.display());
            assert!(fm["description"].as_str().unwrap().len() > 40);
            let tools = fm["tools"].as_str().unwrap();
            assert!(tools.contains("Read") && tools.contains("Bash"), "{tools}");
            let body = std::fs::read_to_string(&p).unwrap();
            assert!(
                body.contains("## Purpose"),
                "role contract in {}",
                p.display()
            );
            assert!(
                body.contains("## Expertise brief"),
                "composed brief in {}",
                p.display()
            );
        }
        for w in &m.workflows {
            // A workflow that shares its name with a skill gets `<name>-phase`: commands and
            // skills share one namespace in Claude Code.
            let stem = w.replace('_', "-");
            let name = if root.join("skills").join(&stem).join("SKILL.md").is_file() {
                format!("{stem}-phase")
            } else {
                stem
            };
            let p = out.join(format!("{base}/commands/{name}.md"));
            let fm = front_matter(&p);
            assert!(fm["description"].as_str().unwrap().starts_with("Wazir "));
            assert!(std::fs::read_to_string(&p).unwrap().contains("$ARGUMENTS"));
        }
    }
    let tools = front_matter(&out.join("claude/agents/reviewer.md"))["tools"].clone();
    assert!(
        !tools.as_str().unwrap().contains("Edit"),
        "the reviewer edits nothing"
    );
    assert_skills(&out.join("claude/.claude/skills"), &root);
    assert_skills(&out.join("claude/skills"), &root);
}

fn assert_skills(dir: &std::path::Path, root: &std::path::Path) {
    let expected: BTreeSet<String> = std::fs::read_dir(root.join("skills"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| root.join("skills").join(n).join("SKILL.md").is_file())
        .collect();
    let mut seen = BTreeSet::new();
    for (rel, p) in walk(dir) {
        if let Some(name) = rel.strip_suffix("/SKILL.md") {
            let fm = front_matter(&p);
            assert_eq!(fm["name"], name, "{}", p.display());
            assert!(!fm["description"].as_str().unwrap().is_empty());
            seen.insert(name.to_string());
        }
    }
    assert_eq!(seen, expected, "skills under {}", dir.display());
}

#[test]
fn codex_files_validate_against_codex_schemas() {
    let (_d, root, out) = built();
    let hooks = host_schema("schemastore-codex-hooks.json");
    let plugin = host_schema("schemastore-codex-plugin-manifest.json");
    let h = read_json(&out.join("codex/.codex/hooks.json"));
    assert_valid(&hooks, &h, ".codex/hooks.json");
    assert_valid(
        &hooks,
        &read_json(&out.join("codex/hooks/hooks.json")),
        "hooks/hooks.json",
    );
    assert_valid(
        &plugin,
        &read_json(&out.join("codex/.codex-plugin/plugin.json")),
        ".codex-plugin/plugin.json",
    );
    let guard = h["hooks"]["PreToolUse"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["hooks"][0]["command"] == "wazir hook --host codex pre-tool")
        .expect("the guards are registered through pre-tool");
    let alts: Vec<&str> = guard["matcher"].as_str().unwrap().split('|').collect();
    assert!(
        alts.contains(&"apply_patch"),
        "Codex edits go through apply_patch"
    );
    assert!(alts.contains(&"Bash") && alts.contains(&"mcp__.*"));
    assert_eq!(h["hooks"]["PreToolUse"].as_array().unwrap().len(), 1);
    let agents = std::fs::read_to_string(out.join("codex/AGENTS.md")).unwrap();
    assert!(
        agents.contains("trust"),
        "AGENTS.md says project hooks need trust"
    );
    assert_skills(&out.join("codex/.agents/skills"), &root);
    // Codex has no agent files, so its package does not depend on the expertise library.
    let m = read_json(&out.join("codex/export.manifest.json"));
    assert!(
        m["sources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| !s["path"].as_str().unwrap().starts_with("expertise/"))
    );
}

#[test]
fn gemini_extension_has_known_events_millisecond_timeouts_and_toml_commands() {
    let (_d, root, out) = built();
    let settings = host_schema("gemini-cli-settings.schema.json");
    let h = read_json(&out.join("gemini/hooks/hooks.json"));
    assert_valid(&settings, &as_settings(&h), "gemini hooks/hooks.json");

    // The settings schema does not reject unknown events; check them against the ones it lists.
    let doc = read_json(&host_schemas_dir().join("gemini-cli-settings.schema.json"));
    let known: BTreeSet<&str> = doc["properties"]["hooks"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for (event, groups) in h["hooks"].as_object().unwrap() {
        assert!(
            known.contains(event.as_str()),
            "unknown Gemini event {event}"
        );
        for g in groups.as_array().unwrap() {
            for hk in g["hooks"].as_array().unwrap() {
                let t = hk["timeout"].as_u64().unwrap();
                assert!(
                    t >= 1000 && t % 1000 == 0,
                    "{event}: {t} is not milliseconds"
                );
                assert!(
                    hk["command"]
                        .as_str()
                        .unwrap()
                        .starts_with("wazir hook --host gemini ")
                );
            }
        }
    }
    let ext = read_json(&out.join("gemini/gemini-extension.json"));
    assert_eq!(ext["contextFileName"], "GEMINI.md");
    let name = ext["name"].as_str().unwrap();
    assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    assert!(out.join("gemini/GEMINI.md").is_file());

    let m = wazir_core::Manifest::read(&root.join("wazir.manifest.yaml")).unwrap();
    let mut count = 0;
    for (rel, p) in walk(&out.join("gemini/commands")) {
        assert!(rel.ends_with(".toml"), "{rel}");
        let t: toml::Table = toml::from_str(&std::fs::read_to_string(&p).unwrap())
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(t["description"].as_str().unwrap().starts_with("Wazir "));
        let prompt = t["prompt"].as_str().unwrap();
        assert_eq!(prompt.matches("{{args}}").count(), 1, "{rel}");
        assert!(
            !prompt.contains("!{"),
            "{rel}: no shell injection in prompts"
        );
        count += 1;
    }
    assert_eq!(count, m.workflows.len());
    for r in &m.roles {
        let fm = front_matter(&out.join(format!("gemini/agents/{}.md", r.replace('_', "-"))));
        assert_eq!(fm["kind"], "local");
        let n = fm["name"].as_str().unwrap();
        assert!(
            n.chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c == '_')
        );
    }
    assert_skills(&out.join("gemini/skills"), &root);
}

#[test]
fn cursor_rules_and_hooks_validate() {
    let (_d, root, out) = built();
    let hooks = host_schema("derived-cursor-hooks.schema.json");
    let plugin = host_schema("cursor-plugin.schema.json");
    let h = read_json(&out.join("cursor/.cursor/hooks.json"));
    assert_valid(&hooks, &h, ".cursor/hooks.json");
    assert_eq!(h["version"], 1);
    assert!(
        !hooks.is_valid(&json!({"version": 1, "hooks": {"beforeEverything": []}})),
        "the derived schema rejects an unknown event"
    );
    assert_valid(
        &plugin,
        &read_json(&out.join("cursor/.cursor-plugin/plugin.json")),
        ".cursor-plugin/plugin.json",
    );
    // Pre-tool guards fail closed; nothing else does; no command sits twice on one event, and
    // each event has one. The guards (`pre-tool`) cover file and MCP tools (preToolUse) and
    // shell (beforeShellExecution).
    let mut seen = BTreeSet::new();
    for (event, list) in h["hooks"].as_object().unwrap() {
        for s in list.as_array().unwrap() {
            let cmd = s["command"].as_str().unwrap();
            let behaviour = cmd.strip_prefix("wazir hook --host cursor ").unwrap();
            assert!(
                seen.insert((behaviour.to_string(), event.clone())),
                "{behaviour} twice on {event}"
            );
            assert_eq!(list.as_array().unwrap().len(), 1, "{event}");
            let guard = matches!(behaviour, "pre-tool");
            assert_eq!(
                s.get("failClosed") == Some(&Value::Bool(true)),
                guard,
                "{event} {behaviour}"
            );
        }
    }
    let seen: BTreeSet<String> = seen.into_iter().map(|(b, _)| b).collect();
    assert!(seen.contains("pre-tool") && !seen.contains("loop-cap"));

    let m = wazir_core::Manifest::read(&root.join("wazir.manifest.yaml")).unwrap();
    let mut always = 0;
    let mut with_globs = 0;
    let mut rules = 0;
    for (rel, p) in walk(&out.join("cursor/.cursor/rules")) {
        assert!(rel.ends_with(".mdc"), "{rel}");
        let fm = front_matter(&p);
        let obj = fm.as_object().unwrap();
        assert!(!fm["description"].as_str().unwrap().is_empty(), "{rel}");
        assert!(obj.contains_key("globs"), "{rel}: globs");
        let a = fm["alwaysApply"].as_bool().unwrap();
        always += usize::from(a);
        if let Some(g) = fm["globs"].as_str() {
            with_globs += 1;
            for p in &m.protected_paths {
                assert!(
                    g.split(',').any(|x| x.starts_with(p.as_str())),
                    "{p} in {g}"
                );
            }
        }
        rules += 1;
    }
    assert_eq!(always, 1, "one always-on working agreement");
    assert_eq!(with_globs, 1, "one rule attached to the protected paths");
    assert!(rules >= 2 + m.workflows.len() + m.roles.len());
}

#[test]
fn export_manifests_and_json_report_validate_against_kit_schemas() {
    let (dir, root, _) = built();
    let out = dir.path().join("again");
    let res = wazir(&root)
        .args(["--json", "export", "build", "--out"])
        .arg(&out)
        .assert()
        .success();
    let report: Value = serde_json::from_slice(&res.get_output().stdout).unwrap();
    let pkg = kit_schema("host-export-package");
    let packages = report["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 4);
    for p in packages {
        assert_valid(&pkg, p, "export build --json package");
        let behaviours: BTreeSet<&str> = p["hooks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["behaviour"].as_str().unwrap())
            .collect();
        assert_eq!(behaviours.len(), 8, "{}", p["host"]);
    }
    let manifest = kit_schema("export-manifest");
    for host in ["claude", "codex", "gemini", "cursor"] {
        let m = read_json(&out.join(host).join("export.manifest.json"));
        assert_valid(&manifest, &m, host);
        // Sorted and complete: every file of the package folder is listed, with its hash.
        let files: Vec<&str> = m["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        let mut sorted = files.clone();
        sorted.sort();
        assert_eq!(files, sorted);
        let on_disk: Vec<String> = walk(&out.join(host))
            .into_iter()
            .map(|(r, _)| r)
            .filter(|r| r != "export.manifest.json")
            .collect();
        let listed: Vec<String> = files
            .iter()
            .filter(|f| !f.starts_with(".."))
            .map(|s| s.to_string())
            .collect();
        assert_eq!(listed, on_disk, "{host}");
    }
    for example in ["export-manifest", "host-export-package"] {
        let v =
            read_json(&repo_root().join(format!("kit/templates/examples/{example}.example.json")));
        assert_valid(&kit_schema(example), &v, example);
    }
}

#[test]
fn two_builds_give_identical_bytes() {
    let (dir, root, a) = built();
    let b = dir.path().join("b");
    build_into(&root, &b);
    let fa = walk(&a);
    let fb = walk(&b);
    assert_eq!(
        fa.iter().map(|x| &x.0).collect::<Vec<_>>(),
        fb.iter().map(|x| &x.0).collect::<Vec<_>>()
    );
    for ((rel, pa), (_, pb)) in fa.iter().zip(&fb) {
        assert_eq!(
            std::fs::read(pa).unwrap(),
            std::fs::read(pb).unwrap(),
            "{rel}"
        );
    }
    // Building again over an existing package rewrites nothing.
    let res = wazir(&root)
        .args(["--json", "export", "build", "--out"])
        .arg(&a)
        .assert()
        .success();
    let report: Value = serde_json::from_slice(&res.get_output().stdout).unwrap();
    for p in report["packages"].as_array().unwrap() {
        assert_eq!(p["written"], 0, "{}", p["host"]);
    }
    // No timestamp, no absolute path of this machine in any file.
    let tmp = dir.path().to_string_lossy().into_owned();
    for (rel, p) in fa {
        let text = String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
        assert!(!text.contains(&tmp), "{rel} names the build folder");
    }
}

#[test]
fn snapshots_of_hook_configurations_and_manifests() {
    let (_d, _root, out) = built();
    let text = |rel: &str| std::fs::read_to_string(out.join(rel)).unwrap();
    insta::assert_snapshot!("claude_settings", text("claude/.claude/settings.json"));
    insta::assert_snapshot!("claude_plugin", text("claude/.claude-plugin/plugin.json"));
    insta::assert_snapshot!(
        "claude_marketplace",
        text(".claude-plugin/marketplace.json")
    );
    insta::assert_snapshot!("codex_hooks", text("codex/.codex/hooks.json"));
    insta::assert_snapshot!("codex_plugin", text("codex/.codex-plugin/plugin.json"));
    insta::assert_snapshot!("gemini_hooks", text("gemini/hooks/hooks.json"));
    insta::assert_snapshot!("gemini_extension", text("gemini/gemini-extension.json"));
    insta::assert_snapshot!("cursor_hooks", text("cursor/.cursor/hooks.json"));
    insta::assert_snapshot!("cursor_plugin", text("cursor/.cursor-plugin/plugin.json"));
    let listing: String = ["claude", "codex", "gemini", "cursor"]
        .iter()
        .flat_map(|h| {
            walk(&out.join(h))
                .into_iter()
                .map(move |(rel, _)| format!("{h}/{rel}\n"))
        })
        .collect();
    insta::assert_snapshot!("package_files", listing);
}

/// Claude Code agents carry `model` and `maxTurns`, Gemini CLI agents `model` and `max_turns`,
/// from the manifest's `agents` policy; a project's override replaces one role's entry.
#[test]
fn agents_carry_each_hosts_model_and_turn_fields_and_a_project_overrides_them() {
    let (_d, _root, out) = built();
    let claude = |role: &str, out: &std::path::Path| {
        front_matter(&out.join(format!("claude/.claude/agents/{role}.md")))
    };
    let gemini = |role: &str, out: &std::path::Path| {
        front_matter(&out.join(format!("gemini/agents/{role}.md")))
    };
    assert_eq!(claude("reviewer", &out)["model"], "opus");
    assert_eq!(claude("reviewer", &out)["maxTurns"], 60);
    assert_eq!(claude("researcher", &out)["model"], "haiku");
    assert_eq!(claude("executor", &out)["maxTurns"], 150);
    assert_eq!(gemini("reviewer", &out)["model"], "gemini-3-pro-preview");
    assert_eq!(gemini("learner", &out)["max_turns"], 30);
    for r in ["reviewer", "researcher", "content-author"] {
        assert!(claude(r, &out)["maxTurns"].as_u64().unwrap() > 0);
        assert!(gemini(r, &out)["max_turns"].as_u64().unwrap() > 0);
    }

    // A project override: the researcher on the strong tier with 12 turns, and the strong tier
    // keeping the session's model on Claude Code.
    let (dir, root) = kit_copy();
    let manifest = root.join("wazir.manifest.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text
        .replace(
            "researcher: { tier: light, max_turns: 60 }",
            "researcher: { tier: strong, max_turns: 12 }",
        )
        .replace(
            "strong: { claude: opus, gemini: gemini-3-pro-preview }",
            "strong: { claude: inherit, gemini: gemini-3-pro-preview }",
        );
    std::fs::write(&manifest, text).unwrap();
    let out2 = dir.path().join("out");
    build_into(&root, &out2);
    let r = claude("researcher", &out2);
    assert_eq!(r["maxTurns"], 12);
    assert!(
        r.get("model").is_none(),
        "inherit leaves the model out: {r}"
    );
    let g = gemini("researcher", &out2);
    assert_eq!(g["model"], "gemini-3-pro-preview");
    assert_eq!(g["max_turns"], 12);
}
