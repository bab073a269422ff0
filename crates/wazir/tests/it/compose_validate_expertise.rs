//! `wazir validate expertise` with the composition engine's rules: passes on the kit and fails,
//! naming the module and the rule, on a fixture library with a missing front matter field, a
//! brief over budget, a map path that does not exist and a duplicate id.

use crate::support::common;

use common::{fixture_project, repo_root, wazir};

fn module(id: &str, brief: &str) -> String {
    let domain = id.split('/').next().unwrap();
    format!(
        "---\nid: {id}\ntitle: T\ndomain: {domain}\nroles: [executor]\nstacks: []\nconcerns: []\n\
         summary: S.\nfreshness: 2026-11-26\nsources:\n  - \"RFC 9110, HTTP Semantics\"\n---\n\n# T\n\n\
         ## Brief\n\n{brief}\n\n## Sources\n\n- RFC 9110.\n"
    )
}

#[test]
fn the_kit_library_passes() {
    wazir(&repo_root().join("kit"))
        .args(["validate", "expertise"])
        .assert()
        .success();
}

#[test]
fn a_broken_library_fails_naming_module_and_rule() {
    let dir = fixture_project();
    let ex = dir.path().join("expertise");
    let w = |rel: &str, text: &str| {
        let p = ex.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w(
        "index.yaml",
        "version: 1\ndomains:\n  - id: quality\n    title: Quality\n    summary: Proving that \
         software works.\n    page: quality/index.md\nstacks: [rust]\nconcerns: [testing]\n",
    );
    w(
        "composition-map.yaml",
        "version: 1\nstack_antipattern_roles: [executor]\nalways:\n  executor: [quality/good, \
         quality/never-written]\nauto: []\nstacks: {}\nconcerns: {}\n",
    );
    w(
        "quality/index.md",
        "# Quality\n\n- `quality/good`\n- `quality/long`\n- `quality/nosum`\n- `quality/copy`\n",
    );
    w("quality/good.md", &module("quality/good", "Short."));
    w(
        "quality/long.md",
        &module(
            "quality/long",
            &"Record the command and its output. ".repeat(300),
        ),
    );
    w(
        "quality/nosum.md",
        &module("quality/nosum", "Short.").replace("summary: S.\n", ""),
    );
    w("quality/copy.md", &module("quality/good", "Short."));
    let out = wazir(dir.path())
        .args(["validate", "expertise"])
        .assert()
        .failure()
        .code(1);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.get_output().stdout),
        String::from_utf8_lossy(&out.get_output().stderr)
    );
    for want in [
        "`quality/nosum`",
        "field-missing",
        "`quality/long`",
        "brief-budget",
        "`quality/never-written`",
        "map-path",
        "duplicate-id",
    ] {
        assert!(text.contains(want), "missing {want}:\n{text}");
    }
}
