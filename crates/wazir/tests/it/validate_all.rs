//! `wazir validate all`: every check that applies, one table (check, result, first problem),
//! exit 1 when any check failed. Run on a full copy of the kit, as a git repository.

use crate::support::validate as support;

use support::*;

/// A full copy of the kit in a git repository on `main`, with a changelog.
fn kit_repo() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    copy_dir(&kit_dir(), dir.path());
    let f = Fixture { dir, state };
    f.write(
        "CHANGELOG.md",
        "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- The kit.\n",
    );
    f.git(&["init", "-q", "-b", "main"]);
    f.commit(&[], "chore: import the kit");
    f
}

fn row<'a>(stdout: &'a str, check: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(check))
        .unwrap_or_else(|| panic!("no row for {check} in:\n{stdout}"))
}

#[test]
fn the_kit_passes_every_check() {
    let f = kit_repo();
    let (code, out, err) = f.run(&["validate", "all"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.starts_with("check "), "{out}");
    for c in wazir_checks::CHECKS {
        let r = row(&out, c);
        assert_eq!(r.split_whitespace().nth(1), Some("ok"), "{c}: {r}\n{err}");
    }
}

#[test]
fn failed_checks_show_their_first_problem_and_exit_1() {
    let f = kit_repo();
    f.edit("roles/planner.md", |t| format!("{t}\nA seamless plan.\n"));
    f.edit("hooks/definitions/session_start.yaml", |t| {
        t.replace("trigger: session_start", "trigger: whenever")
    });
    let (code, out, err) = f.run(&["validate", "all"]);
    assert_eq!(code, 1, "{out}");
    let line = f.read("roles/planner.md").lines().count();
    assert_eq!(
        row(&out, "brand"),
        format!(
            "brand       failed   roles/planner.md:{line}:3: prohibited term `seamless` (found as \
             \"seamless\"): reword it; the list is prohibited_terms in the manifest"
        )
    );
    assert!(
        row(&out, "hooks").starts_with(
            "hooks       failed   hooks/definitions/session_start.yaml:2: /trigger: \"whenever\" is not one of"
        ),
        "{out}"
    );
    assert_eq!(row(&out, "docs").split_whitespace().nth(1), Some("ok"));
    assert!(out.contains("2 check(s) failed"), "{out}");
    assert!(err.contains("error: brand: roles/planner.md:"), "{err}");
}

#[test]
fn an_unreadable_manifest_fails_and_skips_the_rest() {
    let f = fixture(&[]);
    f.write("wazir.manifest.yaml", "manifest_version: 2\nproject: [\n");
    let (code, out, _) = f.run(&["validate", "all"]);
    assert_eq!(code, 1);
    assert_eq!(
        row(&out, "manifest").split_whitespace().nth(1),
        Some("failed")
    );
    assert_eq!(
        row(&out, "hooks"),
        "hooks       skipped  the manifest cannot be read; fix it first"
    );
}

#[test]
fn outside_git_the_git_checks_are_skipped_and_json_has_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    copy_dir(&kit_dir(), dir.path());
    let f = Fixture { dir, state };
    let out = f
        .wazir()
        .args(["--json", "validate", "all"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    let rows = v["checks"].as_array().unwrap();
    assert_eq!(rows.len(), 11);
    let commits = rows.iter().find(|r| r["check"] == "commits").unwrap();
    assert_eq!(commits["result"], "skipped");
    assert_eq!(commits["first_problem"], "not a git repository");
}
