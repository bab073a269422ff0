//! `wazir validate runtime`: no run state, index or captures inside the repository; a repo-local
//! state root must be git-ignored.

use crate::support::validate as support;

use support::*;

#[test]
fn a_state_root_outside_the_repository_passes() {
    let f = git_fixture(&[]);
    let (code, out, err) = f.run(&["validate", "runtime"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("is outside the repository"), "{out}");
}

#[test]
fn a_repo_local_state_root_must_be_ignored() {
    let f = git_fixture(&[]);
    let (code, out, err) = f
        .wazir()
        .env_remove("WAZIR_STATE_ROOT")
        .args(["--state-root", ".wazir-state", "validate", "runtime"])
        .output()
        .map(|o| {
            (
                o.status.code().unwrap(),
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        })
        .unwrap();
    assert_one_error(
        (code, out, err),
        ".wazir-state: paths.state_root_default: the state root `.wazir-state` is inside the repository \
         and git does not ignore it: add `.wazir-state/` to .gitignore, or use a state root outside the \
         repository (paths.state_root_default, --state-root or WAZIR_STATE_ROOT)",
    );
    f.write(".gitignore", ".wazir-state/\n");
    std::fs::create_dir_all(f.path(".wazir-state/runs/r1")).unwrap();
    f.write(".wazir-state/runs/r1/events.ndjson", "{}\n");
    let out = f
        .wazir()
        .args(["--state-root", ".wazir-state", "validate", "runtime"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("repo-local and git-ignored"));
}

#[test]
fn stray_run_state_and_an_index_inside_the_repository_are_named() {
    let f = git_fixture(&[]);
    f.write("tmp/runs/r1/status.json", "{}");
    f.write("tmp/runs/r1/events.ndjson", "{}\n");
    f.write("tmp/runs/r1/captures/out.txt", "x");
    f.write("tmp/runs/latest", "r1\n");
    f.write("cache/index/index.sqlite", "");
    let (code, _, err) = f.run(&["validate", "runtime"]);
    assert_eq!(code, 1);
    let state = f.state.path().display().to_string();
    let tail = format!(
        " inside the repository: run state belongs in the state root ({state}); move it there or delete it"
    );
    assert_eq!(
        errors(&err),
        vec![
            format!("cache/index/index.sqlite: a code index database{tail}"),
            format!("tmp/runs/latest: a runs/latest pointer{tail}"),
            format!("tmp/runs/r1/captures: a run's captures folder{tail}"),
            format!("tmp/runs/r1/events.ndjson: a run event log (events.ndjson){tail}"),
        ],
        "{err}"
    );
}
