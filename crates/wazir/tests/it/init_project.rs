//! `wazir init` on real folders: an empty one, one with user Claude settings, twice in a row,
//! `--dry-run`, and a project with a hand-edited role.

use crate::support::common;

use std::path::Path;

use common::*;

fn init(dir: &Path, state: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    let mut c = wazir(dir);
    c.arg("init").arg("--state-root").arg(state).args(extra);
    c.assert()
}

#[test]
fn init_into_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let out = init(dir.path(), state.path(), &[]).success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let root = dir.path();
    for f in [
        "wazir.manifest.yaml",
        ".wazir/kit.lock.json",
        ".wazir/roles/reviewer.md",
        ".wazir/workflows/spec-challenge.md",
        ".wazir/schemas/review.schema.json",
        "CLAUDE.md",
        ".claude/settings.json",
        "AGENTS.md",
        ".codex/hooks.json",
        "GEMINI.md",
        ".gemini/settings.json",
        ".cursor/hooks.json",
    ] {
        assert!(root.join(f).is_file(), "{f} missing; output:\n{stdout}");
    }
    assert!(
        stdout.contains("no host folder found: all four"),
        "{stdout}"
    );
    assert!(stdout.contains("/wazir"), "{stdout}");
    assert!(stdout.contains("trust"), "{stdout}");
    assert!(stdout.contains("doctor: ok"), "{stdout}");
    assert!(state.path().join("index").exists(), "index not built");
    wazir(root)
        .args(["validate", "manifest"])
        .assert()
        .success();
}

#[test]
fn existing_claude_settings_are_kept_and_ours_added_once() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join(".claude")).unwrap();
    let user = serde_json::json!({
        "permissions": {"allow": ["Bash(npm test:*)"], "deny": ["Read(./.env)"]},
        "model": "opus",
        "hooks": {"PreToolUse": [{"matcher": "Bash",
            "hooks": [{"type": "command", "command": "./scripts/audit-shell.sh"}]}]}
    });
    std::fs::write(
        root.join(".claude/settings.json"),
        serde_json::to_string_pretty(&user).unwrap(),
    )
    .unwrap();
    let out = init(root, state.path(), &[]).success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    // Only Claude was detected, so only Claude is set up.
    assert!(stdout.contains("found .claude"), "{stdout}");
    assert!(!root.join(".codex").exists());

    let text = std::fs::read_to_string(root.join(".claude/settings.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["model"], "opus");
    assert_eq!(v["permissions"], user["permissions"]);
    let pre = v["hooks"]["PreToolUse"].as_array().unwrap();
    assert!(
        pre.iter()
            .any(|g| g["hooks"][0]["command"] == "./scripts/audit-shell.sh")
    );
    let ours = text.matches("wazir hook --host claude pre-tool").count();
    assert_eq!(ours, 1, "{text}");

    init(root, state.path(), &[]).success();
    let again = std::fs::read_to_string(root.join(".claude/settings.json")).unwrap();
    assert_eq!(again, text, "second run changed the settings");
}

#[test]
fn second_run_changes_no_byte() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    init(dir.path(), state.path(), &[]).success();
    let before = snapshot(dir.path());
    let out = init(dir.path(), state.path(), &[]).success();
    let after = snapshot(dir.path());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (k, v) in &before {
        assert!(after[k] == *v, "{k} changed on the second run");
    }
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("0 new, 0 updated, 0 overwritten"),
        "{stdout}"
    );
}

#[test]
fn dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let out = init(dir.path(), state.path(), &["--dry-run"]).success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.starts_with("Plan to set up"), "{stdout}");
    assert!(stdout.contains("would write"), "{stdout}");
    assert!(snapshot(dir.path()).is_empty(), "dry run wrote files");
    assert!(std::fs::read_dir(state.path()).unwrap().next().is_none());

    // On a project that already has Wazir, the dry run lists the host files it would touch.
    init(dir.path(), state.path(), &["--host", "claude"]).success();
    std::fs::remove_file(dir.path().join("CLAUDE.md")).unwrap();
    let before = snapshot(dir.path());
    let out = init(
        dir.path(),
        state.path(),
        &["--dry-run", "--host", "claude", "--verbose"],
    )
    .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("would write CLAUDE.md"), "{stdout}");
    assert_eq!(before, snapshot(dir.path()));
}

#[test]
fn hand_edited_role_is_left_alone_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    init(dir.path(), state.path(), &["--host", "codex"]).success();
    let role = dir.path().join(".wazir/roles/reviewer.md");
    let edited = format!(
        "{}\n## House rules\n\nEvery finding names its owner.\n",
        std::fs::read_to_string(&role).unwrap()
    );
    std::fs::write(&role, &edited).unwrap();
    let out = init(dir.path(), state.path(), &["--host", "codex"]).success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("left alone"), "{stdout}");
    assert!(stdout.contains(".wazir/roles/reviewer.md"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&role).unwrap(), edited);

    let out = init(
        dir.path(),
        state.path(),
        &["--host", "codex", "--force", "--json"],
    )
    .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["kit"]["overwritten"][0], ".wazir/roles/reviewer.md");
    assert_ne!(std::fs::read_to_string(&role).unwrap(), edited);
}

#[test]
fn the_example_project_ends_with_doctor_passing() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let src = repo_root().join("examples/tasks-api");
    copy_dir(&src, &dir.path().join("tasks-api"));
    let root = dir.path().join("tasks-api");
    init(&root, state.path(), &[]).success();
    wazir(&root)
        .args(["doctor", "--state-root"])
        .arg(state.path())
        .assert()
        .success();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let t = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

#[test]
fn doctor_names_a_deleted_host_file_and_init_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path();
    init(root, state.path(), &["--host", "claude"]).success();
    std::fs::remove_file(root.join(".claude/agents/reviewer.md")).unwrap();
    let out = wazir(root)
        .args(["doctor", "--state-root"])
        .arg(state.path())
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains(".claude/agents/reviewer.md"), "{stderr}");
    assert!(stderr.contains("wazir init --host claude"), "{stderr}");
    init(root, state.path(), &["--host", "claude"]).success();
    assert!(root.join(".claude/agents/reviewer.md").is_file());
}

// ---- init never damages what it finds ----

fn stdout_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

fn stderr_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn new_files_get_the_umask_mode_and_existing_files_keep_theirs() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("AGENTS.md"), "# Ours\n").unwrap();
    std::fs::set_permissions(
        root.join("AGENTS.md"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    // A file this test creates shows the umask the child process inherits.
    std::fs::write(root.join("probe"), "").unwrap();
    let usual = mode(&root.join("probe"));
    std::fs::remove_file(root.join("probe")).unwrap();
    init(
        root,
        state.path(),
        &["--no-index", "--host", "claude", "--host", "codex"],
    )
    .success();
    assert_eq!(mode(&root.join("AGENTS.md")), 0o640);
    for f in [
        "CLAUDE.md",
        ".claude/settings.json",
        "wazir.manifest.yaml",
        ".wazir/roles/reviewer.md",
        ".wazir/kit.lock.json",
    ] {
        assert_eq!(mode(&root.join(f)), usual, "{f}");
    }
}

#[cfg(unix)]
#[test]
fn symlinked_files_are_written_through_and_stay_links() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("dotfiles")).unwrap();
    std::fs::create_dir_all(root.join(".claude")).unwrap();
    std::fs::write(root.join("dotfiles/claude.json"), "{\"model\": \"opus\"}\n").unwrap();
    std::os::unix::fs::symlink(
        "../dotfiles/claude.json",
        root.join(".claude/settings.json"),
    )
    .unwrap();
    std::fs::write(root.join("AGENTS.md"), "# Team notes\n").unwrap();
    std::os::unix::fs::symlink("AGENTS.md", root.join("CLAUDE.md")).unwrap();
    init(
        root,
        state.path(),
        &["--no-index", "--host", "claude", "--host", "codex"],
    )
    .success();
    for link in [".claude/settings.json", "CLAUDE.md"] {
        let m = std::fs::symlink_metadata(root.join(link)).unwrap();
        assert!(m.file_type().is_symlink(), "{link} was replaced by a file");
    }
    let settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("dotfiles/claude.json")).unwrap())
            .unwrap();
    assert_eq!(settings["model"], "opus");
    assert!(settings["hooks"].is_object(), "{settings}");
    let agents = std::fs::read_to_string(root.join("AGENTS.md")).unwrap();
    assert!(agents.starts_with("# Team notes\n"), "{agents}");
    assert_eq!(agents.matches("wazir:begin").count(), 1, "{agents}");
    // A second run changes nothing and the shared file does not flip between hosts.
    let before = snapshot(root);
    init(
        root,
        state.path(),
        &["--no-index", "--host", "claude", "--host", "codex"],
    )
    .success();
    assert_eq!(before, snapshot(root));
}

#[test]
fn an_unmatched_marker_is_an_error_that_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path();
    let text = "# Mine\n\n<!-- wazir:begin (generated by `wazir init`; edits inside are replaced) -->\nold block\n\nMy own words.\n";
    std::fs::write(root.join("AGENTS.md"), text).unwrap();
    let before = snapshot(root);
    let out = init(root, state.path(), &["--no-index"]).failure();
    let err = stderr_of(&out);
    assert!(err.contains("AGENTS.md:3:"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(before, snapshot(root), "init wrote something");
}

#[cfg(unix)]
#[test]
fn read_only_files_are_reported_not_rewritten() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("CLAUDE.md"), "# Locked\n").unwrap();
    std::fs::set_permissions(
        root.join("CLAUDE.md"),
        std::fs::Permissions::from_mode(0o444),
    )
    .unwrap();
    let out = init(root, state.path(), &["--no-index", "--host", "claude"]);
    let stdout = stdout_of(&out);
    assert!(stdout.contains("CLAUDE.md is read-only"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(root.join("CLAUDE.md")).unwrap(),
        "# Locked\n"
    );
    assert_eq!(mode(&root.join("CLAUDE.md")), 0o444);
}

#[test]
fn malformed_settings_of_one_host_write_nothing_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".gemini")).unwrap();
    std::fs::create_dir_all(root.join(".claude")).unwrap();
    std::fs::write(root.join(".gemini/settings.json"), "{\n  \"theme\": ,\n}\n").unwrap();
    let before = snapshot(root);
    let out = init(root, state.path(), &["--no-index"]).failure();
    let err = stderr_of(&out);
    assert!(err.contains(".gemini/settings.json:2:"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(before, snapshot(root), "init wrote something");
    assert!(!root.join(".wazir").exists());
}

#[test]
fn gemini_settings_with_comments_are_merged_keeping_the_comments() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".gemini")).unwrap();
    let text =
        "// my Gemini settings\n{\n  // always dark\n  \"theme\": \"Dracula\", /* yes */\n}\n";
    std::fs::write(root.join(".gemini/settings.json"), text).unwrap();
    init(root, state.path(), &["--no-index", "--host", "gemini"]).success();
    let after = std::fs::read_to_string(root.join(".gemini/settings.json")).unwrap();
    for c in [
        "// my Gemini settings",
        "// always dark",
        "/* yes */",
        "wazir hook --host gemini",
    ] {
        assert!(after.contains(c), "{c} missing:\n{after}");
    }
    let before = snapshot(root);
    init(root, state.path(), &["--no-index", "--host", "gemini"]).success();
    assert_eq!(before, snapshot(root));
    // Claude Code reads strict JSON: comments there are refused, clearly.
    std::fs::create_dir_all(root.join(".claude")).unwrap();
    std::fs::write(root.join(".claude/settings.json"), "{ // no\n}\n").unwrap();
    let err = stderr_of(&init(root, state.path(), &["--no-index", "--host", "claude"]).failure());
    assert!(err.contains("comments or trailing commas"), "{err}");
}

#[test]
fn gemini_settings_turn_off_the_on_demand_skills_unless_the_user_has_a_skills_key() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path();
    init(root, state.path(), &["--no-index", "--host", "gemini"]).success();
    let settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join(".gemini/settings.json")).unwrap())
            .unwrap();
    let manifest = wazir_core::Manifest::read(&root.join("wazir.manifest.yaml")).unwrap();
    assert!(!manifest.on_demand_skills.is_empty());
    assert_eq!(
        settings["skills"]["disabled"],
        serde_json::json!(manifest.on_demand_skills)
    );
    // Each disabled skill is still on disk where the agent is told to read it.
    for s in &manifest.on_demand_skills {
        assert!(
            root.join(".wazir/skills")
                .join(s)
                .join("SKILL.md")
                .is_file(),
            "{s}"
        );
    }
    let agreement = std::fs::read_to_string(root.join("GEMINI.md")).unwrap();
    assert!(
        agreement.contains("`.wazir/skills/<name>/SKILL.md`"),
        "{agreement}"
    );

    // A user's own `skills` key is theirs: init adds nothing to it.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".gemini")).unwrap();
    std::fs::write(
        root.join(".gemini/settings.json"),
        "{\"skills\": {\"disabled\": [\"my-skill\"]}}\n",
    )
    .unwrap();
    init(root, state.path(), &["--no-index", "--host", "gemini"]).success();
    let settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join(".gemini/settings.json")).unwrap())
            .unwrap();
    assert_eq!(
        settings["skills"],
        serde_json::json!({"disabled": ["my-skill"]})
    );
}

// ---- one project, one state ----

fn json_init(dir: &Path, home: &Path) -> serde_json::Value {
    let out = wazir(dir)
        .env("HOME", home)
        .args(["init", "--no-index", "--json", "--host", "codex"])
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

#[test]
fn same_name_projects_get_separate_state_roots_and_an_old_one_is_moved() {
    let home = tempfile::tempdir().unwrap();
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (pa, pb) = (a.path().join("app"), b.path().join("app"));
    std::fs::create_dir_all(&pa).unwrap();
    std::fs::create_dir_all(&pb).unwrap();
    // An older Wazir kept this project's runs under the bare name.
    let old = home.path().join(".wazir/projects/app");
    std::fs::create_dir_all(old.join("runs")).unwrap();
    std::fs::write(old.join("runs/latest"), "run-1\n").unwrap();
    let va = json_init(&pa, home.path());
    let vb = json_init(&pb, home.path());
    let (sa, sb) = (
        va["state_root"]["path"].as_str().unwrap().to_string(),
        vb["state_root"]["path"].as_str().unwrap().to_string(),
    );
    assert_ne!(sa, sb);
    assert!(sa.contains("/.wazir/projects/app-"), "{sa}");
    assert_eq!(va["state_root"]["moved_from"], old.display().to_string());
    assert!(!old.exists());
    assert_eq!(
        std::fs::read_to_string(Path::new(&sa).join("runs/latest")).unwrap(),
        "run-1\n"
    );
    assert!(vb["state_root"].get("moved_from").is_none());
}

// ---- the first run is clean ----

#[test]
fn on_a_fresh_git_project_init_then_every_check_passes_and_init_is_short() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tasks-api");
    copy_dir(&repo_root().join("examples/tasks-api"), &root);
    let git = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(&root)
        .status()
        .unwrap();
    assert!(git.success());
    let run = |args: &[&str]| wazir(&root).env("HOME", home.path()).args(args).assert();
    let out = run(&["init"]).success();
    let text = stdout_of(&out);
    assert!(
        text.lines().count() <= 25,
        "{} lines:\n{text}",
        text.lines().count()
    );
    run(&["validate", "all"]).success();
    run(&["export", "check"]).success();
    run(&["doctor"]).success();
    let verbose = stdout_of(&run(&["init", "--verbose"]).success());
    assert!(verbose.contains(".claude/settings.json"), "{verbose}");
}

/// A tree too large to index while the user waits is indexed in the background: init says so
/// and returns, meanwhile readers say the index is being built (never that it is missing),
/// and the build's log and the finished index follow.
#[test]
fn a_large_tree_is_indexed_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let root = dir.path();
    // 26 MB of Markdown, above the 24 MB init indexes in the foreground; cheap to outline.
    let page: String = (0..80_000)
        .map(|i| format!("## Section {i}\ntext\n"))
        .collect::<Vec<_>>()
        .join("");
    assert!((1_700_000..2_000_000).contains(&page.len()));
    for i in 0..15 {
        std::fs::create_dir_all(root.join("docs")).unwrap();
        std::fs::write(root.join(format!("docs/page{i}.md")), &page).unwrap();
    }
    let out = init(root, state.path(), &["--host", "claude"]).success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains("code index: building in the background (")
            && stdout.contains("doctor: ok"),
        "{stdout}"
    );
    let stats = || {
        wazir(root)
            .args(["--json", "index", "stats", "--state-root"])
            .arg(state.path())
            .output()
            .unwrap()
    };
    let mut seen_building = false;
    let done = loop {
        let o = stats();
        if o.status.success() {
            break o;
        }
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("is being built right now"), "{err}");
        seen_building = true;
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let v: serde_json::Value = serde_json::from_slice(&done.stdout).unwrap();
    assert!(v["files"].as_u64().unwrap() >= 15, "{v}");
    assert!(state.path().join("index/build.log").is_file());
    eprintln!("background build seen in progress by a reader: {seen_building}\n{stdout}");
}
