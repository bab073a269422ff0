//! `validate` on fixture libraries: a clean one passes, and each broken one fails naming the
//! module and the rule — missing front matter field, brief over budget, a map path that does
//! not exist, a duplicate id, bad related lines, schema and vocabulary mistakes.

use std::path::Path;

use wazir_compose::{Problem, ValidateOptions, validate};

const INDEX: &str = "version: 1
domains:
  - id: quality
    title: Quality
    summary: Proving that software works, with evidence.
    page: quality/index.md
  - id: antipatterns
    title: Antipatterns
    summary: Recurring mistakes with their symptoms and fixes.
    page: antipatterns/index.md
stacks: [rust, react]
concerns: [security, testing]
";

const MAP: &str = "version: 1
stack_antipattern_roles: [reviewer]
always:
  reviewer: [antipatterns/code/smells]
  executor: [quality/proof]
auto: [quality/proof]
stacks:
  rust:
    antipatterns: [antipatterns/code/smells]
concerns:
  testing:
    verifier: [quality/proof]
";

fn module_text(id: &str, related: &[&str]) -> String {
    let domain = id.split('/').next().unwrap();
    let rel: String = related.iter().map(|r| format!("{r}\n")).collect();
    format!(
        "---\nid: {id}\ntitle: A module\ndomain: {domain}\nroles: [reviewer, executor]\nstacks: [rust]\n\
         concerns: [testing]\nsummary: What it gives.\nfreshness: 2026-11-26\nsources:\n  - \
         \"RFC 9110, HTTP Semantics\"\n---\n\n# A module\n\n## Brief\n\nKeep proof.\n\n## Related \
         modules\n\n{rel}\n## Sources\n\n- RFC 9110.\n"
    )
}

fn library() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("index.yaml", INDEX);
    w("composition-map.yaml", MAP);
    w("README.md", "# not a module\n");
    w(
        "quality/proof.md",
        &module_text("quality/proof", &["- antipatterns/code/smells"]),
    );
    w(
        "antipatterns/code/smells.md",
        &module_text(
            "antipatterns/code/smells",
            &["- `quality/proof` — how to prove a fix", "  and keep it"],
        ),
    );
    w(
        "quality/index.md",
        "# Quality\n\n- `quality/proof` — proof.\n",
    );
    w(
        "antipatterns/index.md",
        "# Antipatterns\n\n- `antipatterns/code/smells` — smells.\n",
    );
    dir
}

fn errors(dir: &Path) -> Vec<Problem> {
    validate(dir, &ValidateOptions::default())
        .into_iter()
        .filter(|p| p.is_error())
        .collect()
}

fn write(dir: &Path, rel: &str, text: &str) {
    std::fs::write(dir.join(rel), text).unwrap();
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap()
}

fn has(problems: &[Problem], rule: &str, module: &str) -> bool {
    problems
        .iter()
        .any(|p| p.rule() == rule && p.module.as_deref() == Some(module))
}

#[test]
fn a_clean_library_passes() {
    let dir = library();
    let all: Vec<Problem> = validate(dir.path(), &ValidateOptions::default())
        .into_iter()
        .filter(|p| p.rule() != "map-always")
        .collect();
    assert!(all.is_empty(), "{all:#?}");
}

#[test]
fn missing_front_matter_field_is_named() {
    let dir = library();
    let t = read(dir.path(), "quality/proof.md").replace("summary: What it gives.\n", "");
    write(dir.path(), "quality/proof.md", &t);
    let e = errors(dir.path());
    assert!(has(&e, "field-missing", "quality/proof"), "{e:#?}");
    let p = e.iter().find(|p| p.rule() == "field-missing").unwrap();
    assert!(p.message.contains("`summary`"));
    assert!(p.file.ends_with("quality/proof.md"));
    assert!(p.to_string().contains("quality/proof.md:1:"), "{p}");
}

#[test]
fn brief_over_budget_is_named_with_its_count() {
    let dir = library();
    let long = "Check each input and record what the command printed. ".repeat(150);
    let t = read(dir.path(), "quality/proof.md").replace("Keep proof.", &long);
    write(dir.path(), "quality/proof.md", &t);
    let e = errors(dir.path());
    assert!(has(&e, "brief-budget", "quality/proof"), "{e:#?}");
    let p = e.iter().find(|p| p.rule() == "brief-budget").unwrap();
    assert!(p.message.contains("over the limit of 1200"), "{p}");
    assert_eq!(p.line, Some(16));
}

#[test]
fn map_path_that_does_not_exist_is_named() {
    let dir = library();
    let t = MAP.replace(
        "auto: [quality/proof]",
        "auto: [quality/proof, quality/not-written]",
    );
    write(dir.path(), "composition-map.yaml", &t);
    let e = errors(dir.path());
    assert!(has(&e, "map-path", "quality/not-written"), "{e:#?}");
    let p = e.iter().find(|p| p.rule() == "map-path").unwrap();
    assert_eq!(p.line, Some(6));
    assert!(p.message.contains("auto names"));
}

#[test]
fn duplicate_id_is_named() {
    let dir = library();
    write(
        dir.path(),
        "quality/copy.md",
        &module_text("quality/proof", &[]),
    );
    let e = errors(dir.path());
    assert!(has(&e, "duplicate-id", "quality/proof"), "{e:#?}");
    assert!(has(&e, "id-path", "quality/proof"), "{e:#?}");
    let dup = e.iter().find(|p| p.rule() == "duplicate-id").unwrap();
    assert!(dup.file.ends_with("quality/proof.md") || dup.file.ends_with("quality/copy.md"));
}

#[test]
fn missing_brief_and_sources_are_named() {
    let dir = library();
    let t = read(dir.path(), "quality/proof.md")
        .replace("## Brief", "## Summary")
        .replace("## Sources", "## Reading");
    write(dir.path(), "quality/proof.md", &t);
    let e = errors(dir.path());
    assert!(has(&e, "brief-missing", "quality/proof"), "{e:#?}");
    assert!(has(&e, "sources-section", "quality/proof"), "{e:#?}");
}

#[test]
fn related_lines_must_be_ids_that_exist() {
    let dir = library();
    let t = module_text(
        "quality/proof",
        &[
            "- antipatterns/code/gone",
            "- see [the smells](../antipatterns/code/smells.md)",
        ],
    );
    write(dir.path(), "quality/proof.md", &t);
    let e = errors(dir.path());
    assert!(has(&e, "related-unresolved", "quality/proof"), "{e:#?}");
    assert!(has(&e, "related-format", "quality/proof"), "{e:#?}");
}

#[test]
fn vocabulary_and_schema_mistakes_are_named() {
    let dir = library();
    let t = read(dir.path(), "quality/proof.md")
        .replace(
            "roles: [reviewer, executor]",
            "roles: [reviewer, content-author]",
        )
        .replace("stacks: [rust]", "stacks: [cobol]")
        .replace("freshness: 2026-11-26", "freshness: last week");
    write(dir.path(), "quality/proof.md", &t);
    write(
        dir.path(),
        "composition-map.yaml",
        &MAP.replace("  executor: [quality/proof]", "  boss: [quality/proof]")
            .replace("version: 1", "version: 1\nextra: true"),
    );
    let e = errors(dir.path());
    for rule in ["role", "stack", "freshness"] {
        assert!(has(&e, rule, "quality/proof"), "{rule}: {e:#?}");
    }
    assert!(e.iter().any(|p| p.rule() == "map-schema"), "{e:#?}");
}

#[test]
fn domain_pages_are_checked() {
    let dir = library();
    std::fs::remove_file(dir.path().join("quality/index.md")).unwrap();
    let e = errors(dir.path());
    assert!(
        e.iter()
            .any(|p| p.rule() == "domain-page" && p.file.ends_with("quality/index.md")),
        "{e:#?}"
    );
    let dir = library();
    write(
        dir.path(),
        "antipatterns/index.md",
        "# Antipatterns\n\nNothing listed.\n",
    );
    let all = validate(dir.path(), &ValidateOptions::default());
    assert!(all.iter().all(|p| !p.is_error()), "{all:#?}");
    assert!(
        all.iter().any(|p| p.rule() == "domain-page"
            && p.module.as_deref() == Some("antipatterns/code/smells"))
    );
}

#[test]
fn missing_index_and_map_are_named() {
    let dir = library();
    std::fs::remove_file(dir.path().join("index.yaml")).unwrap();
    std::fs::remove_file(dir.path().join("composition-map.yaml")).unwrap();
    let e = errors(dir.path());
    assert!(e.iter().any(|p| p.rule() == "index-missing"), "{e:#?}");
    assert!(e.iter().any(|p| p.rule() == "map-missing"), "{e:#?}");
}
