//! Helpers shared by the integration tests: fixture projects in temporary folders and the real
//! binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn kit_manifest_text() -> String {
    std::fs::read_to_string(repo_root().join("kit/wazir.manifest.yaml")).unwrap()
}

/// The real `wazir` binary, run in `dir`, with a state root inside the temp area.
pub fn wazir(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("wazir").unwrap();
    c.current_dir(dir);
    c.env_remove("WAZIR_STATE_ROOT");
    c
}

/// A complete minimal project: the kit's manifest, every declared folder, a file per role and
/// workflow. Returns the temp dir (keep it alive).
pub fn fixture_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let text = kit_manifest_text();
    std::fs::write(root.join("wazir.manifest.yaml"), &text).unwrap();
    let m: wazir_core::Manifest =
        wazir_core::Manifest::from_str(Path::new("wazir.manifest.yaml"), &text).unwrap();
    for (_, rel) in m.paths.folders() {
        std::fs::create_dir_all(root.join(rel)).unwrap();
    }
    for p in &m.protected_paths {
        let _ = std::fs::create_dir_all(root.join(p));
    }
    for r in &m.roles {
        std::fs::write(root.join(m.role_file(r)), format!("# {r}\n")).unwrap();
    }
    for w in &m.workflows {
        std::fs::write(root.join(m.workflow_file(w)), format!("# {w}\n")).unwrap();
    }
    // The on-demand skills and the using-skills table that names them.
    let skills = root.join(&m.paths.skills);
    let mut table = String::from("# Using skills\n\n| situation | skill |\n|---|---|\n");
    for s in &m.on_demand_skills {
        std::fs::create_dir_all(skills.join(s)).unwrap();
        std::fs::write(skills.join(s).join("SKILL.md"), format!("# {s}\n")).unwrap();
        table.push_str(&format!("| when {s} applies | `{s}` |\n"));
    }
    std::fs::create_dir_all(skills.join("using-skills")).unwrap();
    std::fs::write(skills.join("using-skills/SKILL.md"), table).unwrap();
    dir
}

/// Every file under `root` with its bytes, by `/`-separated path: what a test compares to show a
/// command wrote nothing, or changed no byte.
pub fn snapshot(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}
