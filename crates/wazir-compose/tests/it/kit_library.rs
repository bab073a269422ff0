//! The kit's own library passes `validate`, every module has sources and a brief, every role
//! composes from the embedded copy with every module it names present, and the schema examples
//! for the library index and the composition map are valid.

use std::path::Path;

use wazir_compose::{Library, Request, ValidateOptions, compose, validate};

fn kit_expertise() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kit/expertise")
}

#[test]
fn kit_library_has_no_errors() {
    let problems = validate(&kit_expertise(), &ValidateOptions::default());
    for p in &problems {
        eprintln!("{p}");
    }
    let errors: Vec<_> = problems.iter().filter(|p| p.is_error()).collect();
    assert!(
        errors.is_empty(),
        "{} errors, first: {}",
        errors.len(),
        errors[0]
    );
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
        assert!(c.kept().count() > 0, "{role}");
        assert!(c.modules.iter().all(|m| m.kept), "{role}: {:?}", c.modules);
        for m in c.kept() {
            assert!(lib.module(&m.id).is_some(), "{role}: {}", m.id);
        }
        assert!(c.tokens_used <= c.budget);
    }
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

#[test]
fn every_role_stack_and_concern_resolves_to_existing_modules() {
    let lib = Library::from_dir(&kit_expertise());
    let index = lib.index.clone().unwrap();
    for role in wazir_compose::DEFAULT_ROLES {
        let mut r = Request::new(role);
        r.stacks = index.stacks.clone();
        r.concerns = index.concerns.clone();
        r.budget = usize::MAX / 2;
        let c = compose(&lib, &r, &[]).unwrap();
        for m in &c.modules {
            assert!(m.tokens.is_some(), "{role}: {} ({:?})", m.id, m.dropped);
        }
        assert!(c.kept().count() <= 15);
    }
}
