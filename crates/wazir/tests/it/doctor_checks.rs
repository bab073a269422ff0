//! `wazir doctor` on copies of the kit: a healthy project passes with warnings for what is not
//! built yet; invalid hooks, a state root git does not ignore, and a stale index are errors; each
//! finding names the command that fixes it.

use crate::support::validate as support;

use support::*;

fn kit_copy() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    copy_dir(&kit_dir(), dir.path());
    std::fs::create_dir_all(dir.path().join("exports")).unwrap();
    Fixture { dir, state }
}

#[test]
fn a_fresh_kit_passes_with_warnings_that_name_their_fix() {
    let f = kit_copy();
    let (code, out, err) = f.run(&["doctor"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("doctor: ok"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("hooks ") && l.contains(" ok ")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("state-root ") && l.contains(" ok ")),
        "{out}"
    );
    assert!(
        err.contains(
            "warning: index: no code index yet; recall and the repository map need it\n  fix: `wazir index build`"
        ),
        "{err}"
    );
    assert!(err.contains("warning: host-packages: "), "{err}");
    assert!(err.contains("  fix: `wazir export build"), "{err}");
}

#[test]
fn an_invalid_hook_definition_is_an_error() {
    let f = kit_copy();
    std::fs::remove_file(f.path("hooks/definitions/loop_cap_guard.yaml")).unwrap();
    let (code, out, err) = f.run(&["doctor"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("doctor: FAILED"), "{out}");
    assert!(
        err.contains(
            "error: hooks: hooks/definitions: required_hooks[6]: required hook `loop_cap_guard` has no \
             definition: add hooks/definitions/loop_cap_guard.yaml or remove it from required_hooks in \
             wazir.manifest.yaml\n  fix: fix the definition, then run `wazir validate hooks`"
        ),
        "{err}"
    );
}

#[test]
fn a_repo_local_state_root_git_does_not_ignore_is_an_error() {
    let f = kit_copy();
    git(f.root(), &["init", "-q", "-b", "main"]);
    let out = f
        .wazir()
        .args(["--state-root", "state", "doctor"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is inside the repository and git does not ignore it\n  fix: add `state/` to .gitignore, or choose a state root outside the repository"),
        "{err}"
    );
    f.write(".gitignore", "state/\n");
    let out = f
        .wazir()
        .args(["--state-root", "state", "doctor"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_index_that_no_longer_matches_the_files_is_stale() {
    let f = kit_copy();
    let (code, _, err) = f.run(&["index", "build"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = f.run(&["doctor"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("index ") && l.contains(" ok ")),
        "{out}\n{err}"
    );
    f.write("roles/new-notes.md", "# Notes\n");
    let (code, _, err) = f.run(&["doctor"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "error: index: the index is stale: 1 file(s) changed since it was built (e.g. roles/new-notes.md)\n  fix: `wazir index refresh`"
        ),
        "{err}"
    );
    let (code, _, err) = f.run(&["index", "refresh"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = f.run(&["doctor"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn json_lists_areas_and_findings() {
    let f = kit_copy();
    let out = f.wazir().args(["--json", "doctor"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    let areas: Vec<&str> = v["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["area"].as_str().unwrap())
        .collect();
    assert_eq!(
        areas,
        ["manifest", "hooks", "state-root", "host-packages", "index"]
    );
    let index = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["area"] == "index")
        .unwrap();
    assert_eq!(index["severity"], "warning");
    assert_eq!(index["fix"], "`wazir index build`");
}

#[test]
fn built_packages_are_fresh_and_a_hand_edit_is_an_error() {
    let f = kit_copy();
    let (code, _, err) = f.run(&["export", "build"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = f.run(&["doctor"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("host-packages ") && l.contains(" ok ")),
        "{out}"
    );
    let edited = "exports/hosts/claude/CLAUDE.md";
    f.edit(edited, |t| format!("{t}\nA local note.\n"));
    let (code, out, err) = f.run(&["doctor"]);
    assert_eq!(code, 1, "{out}");
    let finding = err
        .lines()
        .find(|l| l.starts_with("error: host-packages: "))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        finding.starts_with(&format!(
            "error: host-packages: claude package: {edited}: hand-edited: "
        )),
        "{err}"
    );
    assert!(
        err.contains("  fix: `wazir export build --host claude`"),
        "{err}"
    );
}
