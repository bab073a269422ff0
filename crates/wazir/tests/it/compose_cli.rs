//! `wazir compose` end to end: outside any project (embedded kit, stacks detected in the current
//! folder), inside a project with its own library and accepted learnings, `--json`, and errors.

use crate::support::common;

use common::{fixture_project, repo_root, wazir};

fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

#[test]
fn reviewer_in_a_rust_folder_without_a_manifest_uses_the_embedded_kit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    let out = wazir(dir.path())
        .args(["compose", "--role", "reviewer", "--stack", "auto"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.starts_with("# Expertise for the reviewer"), "{text}");
    assert!(text.contains("- Stacks: rust (Cargo.toml)"), "{text}");
    assert!(
        text.contains("### antipatterns/process/code-review-antipatterns"),
        "{text}"
    );
    assert!(text.contains("embedded kit"), "{text}");

    let out = wazir(dir.path())
        .args(["compose", "--role", "reviewer", "--stack", "auto", "--json"])
        .assert()
        .success();
    let v = json(&out.get_output().stdout);
    assert_eq!(v["role"], "reviewer");
    assert_eq!(v["stacks"][0]["id"], "rust");
    assert_eq!(v["stacks"][0]["evidence"][0], "Cargo.toml");
    let modules = v["modules"].as_array().unwrap();
    assert!(!modules.is_empty());
    // Antipatterns come first for the reviewer.
    let first_other = modules
        .iter()
        .position(|m| !m["id"].as_str().unwrap().starts_with("antipatterns/"))
        .unwrap_or(modules.len());
    assert!(
        modules[first_other..]
            .iter()
            .all(|m| !m["id"].as_str().unwrap().starts_with("antipatterns/"))
    );
    for m in modules {
        assert!(m["layer"].is_string() && m["reason"].is_string() && m["kept"].is_boolean());
    }
    assert!(v["tokens_used"].as_u64().unwrap() <= 20_000);
}

#[test]
fn a_small_budget_drops_modules_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = wazir(dir.path())
        .args([
            "compose", "--role", "executor", "--budget", "1500", "--json",
        ])
        .assert()
        .success();
    let v = json(&out.get_output().stdout);
    assert!(v["tokens_used"].as_u64().unwrap() <= 1500);
    let dropped: Vec<_> = v["modules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kept"] == false)
        .collect();
    assert!(!dropped.is_empty());
    assert!(
        dropped
            .iter()
            .all(|m| m["dropped"].as_str().unwrap().contains("token budget"))
    );
    let out = wazir(dir.path())
        .args(["compose", "--role", "executor", "--budget", "1500"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("## Not included"), "{text}");
}

const MODULE: &str = "---\nid: quality/proof\ntitle: Proof\ndomain: quality\nroles: [executor]\n\
stacks: []\nconcerns: []\nsummary: Proof first.\nfreshness: 2026-11-26\nsources:\n  - \"RFC 9110\"\n\
---\n\n# Proof\n\n## Brief\n\nRun the command and quote its output.\n\n## Sources\n\n- RFC 9110.\n";

const MAP: &str = "version: 1\nstack_antipattern_roles: [executor]\nalways:\n  executor: \
[quality/proof]\nauto: []\nstacks:\n  python:\n    executor: [quality/proof]\nconcerns: {}\n";

fn project_with_library() -> tempfile::TempDir {
    let dir = fixture_project();
    let root = dir.path();
    std::fs::create_dir_all(root.join("expertise/quality")).unwrap();
    std::fs::write(root.join("expertise/quality/proof.md"), MODULE).unwrap();
    std::fs::write(root.join("expertise/composition-map.yaml"), MAP).unwrap();
    std::fs::write(root.join("requirements.txt"), "fastapi\n").unwrap();
    let example = repo_root().join("kit/templates/examples/accepted-learning.example.json");
    std::fs::copy(example, root.join("memory/redis-counter.json")).unwrap();
    dir
}

#[test]
fn a_project_uses_its_own_library_and_matching_learnings() {
    let dir = project_with_library();
    let root = dir.path();
    let out = wazir(root)
        .args([
            "compose",
            "--role",
            "executor",
            "--phase",
            "execute",
            "--stack",
            "auto",
            "--paths",
            "app/security/rate_limit.py",
            "--json",
        ])
        .assert()
        .success();
    let v = json(&out.get_output().stdout);
    assert_eq!(v["phase"], "execute");
    let stacks: Vec<&str> = v["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(stacks, ["python", "fastapi"]);
    assert_eq!(v["modules"][0]["id"], "quality/proof");
    assert_eq!(v["modules"][0]["also_in"][0], "stacks.python.executor");
    assert_eq!(
        v["learnings"][0]["id"],
        "redis-counter-expiry-same-transaction"
    );
    assert_eq!(v["learnings"][0]["kept"], true);
    assert!(
        v["library"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{}expertise", std::path::MAIN_SEPARATOR))
    );

    // From a sub-folder, --paths are read relative to where the command runs.
    std::fs::create_dir_all(root.join("app/security")).unwrap();
    let out = wazir(&root.join("app"))
        .args([
            "compose",
            "--role",
            "executor",
            "--paths",
            "security/rate_limit.py",
        ])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.contains("**redis-counter-expiry-same-transaction**"),
        "{text}"
    );
    assert!(
        text.contains("Full module: expertise/quality/proof.md"),
        "{text}"
    );

    // A glob or a folder of the task matches the learning's patterns too.
    for task in ["app/security/**", "app/security"] {
        let out = wazir(root)
            .args(["compose", "--role", "executor", "--paths", task, "--json"])
            .assert()
            .success();
        let v = json(&out.get_output().stdout);
        assert_eq!(v["learnings"][0]["kept"], true, "{task}");
    }

    // A path outside the learning's patterns adds nothing.
    let out = wazir(root)
        .args([
            "compose",
            "--role",
            "executor",
            "--paths",
            "web/app.ts",
            "--json",
        ])
        .assert()
        .success();
    assert_eq!(
        json(&out.get_output().stdout)["learnings"],
        serde_json::json!([])
    );
}

#[test]
fn bad_input_fails_with_a_clear_message() {
    let dir = project_with_library();
    for (args, want) in [
        (vec!["--role", "boss"], "unknown role `boss`"),
        (
            vec!["--role", "executor", "--stack", "cobol"],
            "unknown stack `cobol`",
        ),
        (
            vec!["--role", "executor", "--phase", "lunch"],
            "unknown phase `lunch`",
        ),
    ] {
        let out = wazir(dir.path())
            .arg("compose")
            .args(&args)
            .assert()
            .failure()
            .code(1);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(err.contains(want), "{args:?}: {err}");
    }
    std::fs::write(
        dir.path().join("expertise/composition-map.yaml"),
        "version: 1\nauto: [unclosed\n",
    )
    .unwrap();
    let out = wazir(dir.path())
        .args(["compose", "--role", "executor"])
        .assert()
        .failure()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("composition-map.yaml: line"), "{err}");
    std::fs::remove_file(dir.path().join("expertise/composition-map.yaml")).unwrap();
    let out = wazir(dir.path())
        .args(["compose", "--role", "executor"])
        .assert()
        .failure()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("composition-map.yaml"), "{err}");
    assert!(err.contains("wazir validate expertise"), "{err}");
}

#[test]
fn this_repository_composes_for_the_reviewer_as_rust() {
    let root = repo_root();
    let out = wazir(&root)
        .args(["compose", "--role", "reviewer", "--stack", "auto", "--json"])
        .assert()
        .success();
    let v = json(&out.get_output().stdout);
    let stacks: Vec<&str> = v["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(stacks, ["rust"]);
    assert!(
        v["modules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["kept"] == true)
    );
}
