//! The kit's own library passes `validate`, apart from the always/auto modules another part of
//! the project is still writing, and composes for every role from the embedded copy.

use std::path::Path;

use wazir_compose::{Library, Request, ValidateOptions, compose, validate};

/// Modules the composition map names that are being written elsewhere; the map may name them
/// before they land. Remove an entry once its module exists.
const PENDING: [&str; 10] = [
    "architecture/foundations/architectural-thinking",
    "architecture/foundations/separation-of-concerns",
    "architecture/foundations/coupling-and-cohesion",
    "architecture/decisions/technology-selection",
    "architecture/decisions/build-vs-buy",
    "architecture/decisions/architecture-decision-records",
    "design/foundations/accessibility-design",
    "design/foundations/visual-hierarchy",
    "security/testing/security-code-review",
    "security/foundations/secrets-management",
];

fn kit_expertise() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kit/expertise")
}

#[test]
fn kit_library_has_no_errors_beyond_pending_modules() {
    let problems = validate(&kit_expertise(), &ValidateOptions::default());
    for p in &problems {
        eprintln!("{p}");
    }
    let errors: Vec<_> = problems
        .iter()
        .filter(|p| p.is_error())
        .filter(|p| !names_pending(p))
        .collect();
    assert!(
        errors.is_empty(),
        "{} errors, first: {}",
        errors.len(),
        errors[0]
    );
}

/// A problem that only says a pending module does not exist yet.
fn names_pending(p: &wazir_compose::Problem) -> bool {
    match p.rule {
        "map-path" => p.module.as_deref().is_some_and(|m| PENDING.contains(&m)),
        "related-unresolved" => PENDING
            .iter()
            .any(|id| p.message.contains(&format!("`{id}`"))),
        _ => false,
    }
}

#[test]
fn every_module_has_sources_and_a_brief() {
    let lib = Library::from_dir(&kit_expertise());
    assert!(lib.modules.len() >= 40, "{}", lib.modules.len());
    assert!(lib.unreadable.is_empty(), "{:?}", lib.unreadable);
    for m in lib.modules.values() {
        assert!(!m.sources.is_empty(), "{} has no sources", m.id);
        assert!(!m.brief.trim().is_empty(), "{} has no brief", m.id);
        assert!(
            m.sections.iter().any(|(s, _)| s == "Sources"),
            "{} has no Sources section",
            m.id
        );
    }
}

#[test]
fn every_role_composes_from_the_embedded_kit() {
    let lib = Library::embedded();
    for role in wazir_compose::DEFAULT_ROLES {
        let c = compose(&lib, &Request::new(role), &[]).unwrap();
        assert!(c.kept().count() > 0 || role_only_pending(&c), "{role}");
        for m in c.kept() {
            assert!(lib.module(&m.id).is_some(), "{role}: {}", m.id);
        }
        assert!(c.tokens_used <= c.budget);
    }
}

fn role_only_pending(c: &wazir_compose::Composition) -> bool {
    c.modules
        .iter()
        .all(|m| m.kept || PENDING.contains(&m.id.as_str()))
}

#[test]
fn schema_examples_validate_and_parse() {
    let kit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kit");
    for name in ["expertise-index", "composition-map"] {
        let schema = wazir_core::schema::Schema::load(name, Some(&kit.join("schemas"))).unwrap();
        let text =
            std::fs::read_to_string(kit.join(format!("templates/examples/{name}.example.json")))
                .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(
            schema.problems(&v).is_empty(),
            "{name}: {:?}",
            schema.problems(&v)
        );
    }
    let text = std::fs::read_to_string(kit.join("templates/examples/composition-map.example.json"))
        .unwrap();
    let map: wazir_compose::CompositionMap = serde_json::from_str(&text).unwrap();
    assert_eq!(
        map.stacks["fastapi"].roles["verifier"],
        ["quality/testing-api"]
    );
    let bad = serde_json::json!({"version": 1, "stack_antipattern_roles": ["reviewer"],
        "always": {}, "auto": ["Not An Id"], "stacks": {}, "concerns": {}});
    let schema =
        wazir_core::schema::Schema::load("composition-map", Some(&kit.join("schemas"))).unwrap();
    assert!(!schema.problems(&bad).is_empty());
}
