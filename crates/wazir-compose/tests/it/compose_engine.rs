//! The engine on a fixture library: layer order, antipatterns first for the reviewer and the
//! verifier, duplicates, the 15-module cap, the budget (a property test over random budgets),
//! dropped modules reported with a reason, and accepted learnings.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use wazir_compose::learnings::{self, Learning};
use wazir_compose::{Layer, Library, Origin, Request, compose};

fn module(id: &str, brief: &str) -> (String, String) {
    let domain = id.split('/').next().unwrap();
    let text = format!(
        "---\nid: {id}\ntitle: Title of {id}\ndomain: {domain}\nroles: [executor, reviewer, verifier]\n\
         stacks: []\nconcerns: []\nsummary: A fixture module.\nfreshness: 2026-11-26\nsources:\n  - \
         \"RFC 9110, HTTP Semantics\"\n---\n\n# T\n\n## Brief\n\n{brief}\n\n## Sources\n\n- RFC 9110.\n"
    );
    (format!("{id}.md"), text)
}

const MAP: &str = "version: 1
stack_antipattern_roles: [executor, verifier, reviewer]
always:
  executor: [quality/always-exec, antipatterns/code/always-anti]
  reviewer: [quality/always-rev, antipatterns/code/always-anti]
  verifier: [quality/always-rev]
auto: [quality/auto-one]
stacks:
  rust:
    antipatterns: [antipatterns/code/rust-anti]
    executor: [quality/rust-exec]
    reviewer: [quality/rust-rev]
  react:
    antipatterns: [antipatterns/frontend/react-anti]
concerns:
  security:
    executor: [quality/sec-exec, quality/always-exec]
    reviewer: [antipatterns/security/sec-anti, quality/sec-rev]
    verifier: [antipatterns/security/sec-anti]
";

fn fixture() -> Library {
    let ids = [
        "quality/always-exec",
        "quality/always-rev",
        "antipatterns/code/always-anti",
        "quality/auto-one",
        "antipatterns/code/rust-anti",
        "quality/rust-exec",
        "quality/rust-rev",
        "antipatterns/frontend/react-anti",
        "quality/sec-exec",
        "antipatterns/security/sec-anti",
        "quality/sec-rev",
    ];
    let mut files: Vec<(String, String)> = ids
        .iter()
        .map(|id| module(id, &format!("Brief of {id}: check the thing.")))
        .collect();
    files.push(("composition-map.yaml".into(), MAP.into()));
    let lib = Library::from_files(Origin::Dir(PathBuf::from("fixture")), files);
    assert!(lib.problems.is_empty(), "{:?}", lib.problems);
    lib
}

fn req(role: &str, stacks: &[&str], concerns: &[&str]) -> Request {
    let mut r = Request::new(role);
    r.stacks = stacks.iter().map(|s| s.to_string()).collect();
    r.concerns = concerns.iter().map(|s| s.to_string()).collect();
    r
}

fn ids(c: &wazir_compose::Composition) -> Vec<&str> {
    c.modules.iter().map(|m| m.id.as_str()).collect()
}

#[test]
fn layers_resolve_always_auto_stacks_concerns() {
    let c = compose(&fixture(), &req("executor", &["rust"], &["security"]), &[]).unwrap();
    assert_eq!(
        ids(&c),
        [
            "quality/always-exec",
            "antipatterns/code/always-anti",
            "quality/auto-one",
            "quality/rust-exec",
            "antipatterns/code/rust-anti",
            "quality/sec-exec",
        ]
    );
    let layers: Vec<Layer> = c.modules.iter().map(|m| m.layer).collect();
    assert!(layers.windows(2).all(|w| w[0] <= w[1]), "{layers:?}");
    assert!(c.modules.iter().all(|m| m.kept));
    // The duplicate from the concern layer kept its first (always) place.
    let first = &c.modules[0];
    assert_eq!(first.also_in, ["concerns.security.executor"]);
}

#[test]
fn reviewer_and_verifier_get_antipatterns_first() {
    let c = compose(&fixture(), &req("reviewer", &["rust"], &["security"]), &[]).unwrap();
    assert_eq!(
        ids(&c),
        [
            "antipatterns/code/always-anti",
            "antipatterns/code/rust-anti",
            "antipatterns/security/sec-anti",
            "quality/always-rev",
            "quality/auto-one",
            "quality/rust-rev",
            "quality/sec-rev",
        ]
    );
    let v = compose(&fixture(), &req("verifier", &["rust"], &["security"]), &[]).unwrap();
    assert_eq!(ids(&v)[0], "antipatterns/code/rust-anti");
    assert_eq!(ids(&v)[1], "antipatterns/security/sec-anti");
    // Other roles keep plain layer order.
    let e = compose(&fixture(), &req("executor", &["rust"], &[]), &[]).unwrap();
    assert_eq!(ids(&e)[0], "quality/always-exec");
}

#[test]
fn unknown_role_stack_and_concern_are_errors() {
    let lib = fixture();
    let e = compose(&lib, &req("boss", &[], &[]), &[]).unwrap_err();
    assert!(e.to_string().contains("unknown role `boss`"), "{e}");
    let e = compose(&lib, &req("executor", &["cobol"], &[]), &[]).unwrap_err();
    assert!(e.to_string().contains("unknown stack `cobol`"), "{e}");
    let e = compose(&lib, &req("executor", &[], &["vibes"]), &[]).unwrap_err();
    assert!(e.to_string().contains("unknown concern `vibes`"), "{e}");
    // Role spelled with a hyphen is accepted.
    assert!(compose(&lib, &req("content-author", &[], &[]), &[]).is_ok());
}

fn big_library(n: usize, brief_words: impl Fn(usize) -> usize) -> Library {
    let mut files = Vec::new();
    let mut list = Vec::new();
    for i in 0..n {
        let id = format!("quality/m{i:02}");
        let brief = "check every boundary and record the evidence. ".repeat(brief_words(i));
        files.push(module(&id, &brief));
        list.push(id);
    }
    let map = format!(
        "version: 1\nstack_antipattern_roles: [reviewer]\nalways:\n  executor: [{}]\nauto: []\n\
         stacks: {{}}\nconcerns: {{}}\n",
        list.join(", ")
    );
    files.push(("composition-map.yaml".into(), map));
    Library::from_files(Origin::Dir(PathBuf::from("big")), files)
}

#[test]
fn at_most_fifteen_modules_and_the_rest_reported() {
    let lib = big_library(20, |_| 2);
    let c = compose(&lib, &Request::new("executor"), &[]).unwrap();
    assert_eq!(c.kept().count(), 15);
    let dropped: Vec<_> = c.modules.iter().filter(|m| !m.kept).collect();
    assert_eq!(dropped.len(), 5);
    for d in dropped {
        assert!(
            d.dropped.as_deref().unwrap().contains("15-module cap"),
            "{d:?}"
        );
        assert!(d.tokens.is_some());
    }
    // The kept ones are the first fifteen in priority order.
    assert!(c.modules[..15].iter().all(|m| m.kept));
}

#[test]
fn over_budget_and_missing_modules_are_dropped_with_a_reason() {
    let lib = big_library(4, |i| if i == 1 { 400 } else { 5 });
    let mut r = Request::new("executor");
    r.budget = 600;
    let c = compose(&lib, &r, &[]).unwrap();
    let m1 = &c.modules[1];
    assert!(!m1.kept);
    assert!(
        m1.dropped.as_deref().unwrap().contains("token budget"),
        "{m1:?}"
    );
    // Smaller, lower-priority modules still fit after it.
    assert!(c.modules[2].kept && c.modules[3].kept);

    let mut files = vec![module("quality/here", "Short brief.")];
    files.push((
        "composition-map.yaml".into(),
        "version: 1\nstack_antipattern_roles: [reviewer]\nalways:\n  executor: [quality/here, \
         quality/not-written]\nauto: []\nstacks: {}\nconcerns: {}\n"
            .into(),
    ));
    let lib = Library::from_files(Origin::Dir(PathBuf::from("f")), files);
    let c = compose(&lib, &Request::new("executor"), &[]).unwrap();
    let missing = c
        .modules
        .iter()
        .find(|m| m.id == "quality/not-written")
        .unwrap();
    assert!(!missing.kept);
    assert!(
        missing
            .dropped
            .as_deref()
            .unwrap()
            .contains("no such module")
    );
    let md = wazir_compose::render::markdown(&c);
    assert!(md.contains("## Not included"), "{md}");
    assert!(
        md.contains("quality/not-written (always.executor): no such module"),
        "{md}"
    );
    let json = serde_json::to_value(&c).unwrap();
    let entry = &json["modules"][1];
    assert_eq!(entry["kept"], false);
    assert_eq!(entry["layer"], "always");
    assert!(entry["reason"].as_str().unwrap().contains("always loaded"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the budget and the brief sizes, the kept blocks never exceed the budget, the
    /// recorded counts are exact, and every module left out says why.
    #[test]
    fn budget_is_never_exceeded(
        budget in 0usize..6_000,
        sizes in proptest::collection::vec(0usize..120, 1..20),
    ) {
        let lib = big_library(sizes.len(), |i| sizes[i]);
        let mut r = Request::new("executor");
        r.budget = budget;
        let c = compose(&lib, &r, &[]).unwrap();
        let mut sum = 0;
        let mut joined = String::new();
        for m in c.kept() {
            let exact = wazir_core::tokens::count(&m.block);
            prop_assert_eq!(m.tokens, Some(exact));
            sum += exact;
            joined.push_str(&m.block);
        }
        prop_assert!(sum <= budget, "sum {} budget {}", sum, budget);
        prop_assert_eq!(sum, c.tokens_used);
        prop_assert!(wazir_core::tokens::count(&joined) <= budget);
        prop_assert!(c.kept().count() <= 15);
        for m in c.modules.iter().filter(|m| !m.kept) {
            prop_assert!(m.dropped.is_some());
        }
        // Greedy in priority order: a dropped module did not fit in what was left before it.
        let mut used = 0;
        let mut kept = 0;
        for m in &c.modules {
            let t = m.tokens.unwrap();
            if m.kept { used += t; kept += 1; }
            else if kept < 15 { prop_assert!(used + t > budget); }
        }
    }
}

fn write_learning(dir: &Path, id: &str, confidence: f64, pattern: &str, expires: Option<&str>) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../kit/templates/examples/accepted-learning.example.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
    v["id"] = id.into();
    v["confidence"] = confidence.into();
    v["scope"]["file_patterns"] = serde_json::json!([pattern]);
    match expires {
        Some(e) => v["expires"] = e.into(),
        None => {
            v.as_object_mut().unwrap().remove("expires");
        }
    }
    std::fs::write(
        dir.join(format!("{id}.json")),
        serde_json::to_string_pretty(&v).unwrap(),
    )
    .unwrap();
}

#[test]
fn learnings_matching_the_paths_top_ten_by_confidence() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..12 {
        write_learning(
            dir.path(),
            &format!("lesson-{i:02}"),
            0.3 + i as f64 * 0.05,
            "app/security/**/*.py",
            None,
        );
    }
    write_learning(dir.path(), "other-files", 0.99, "web/**/*.ts", None);
    write_learning(
        dir.path(),
        "old-lesson",
        0.98,
        "app/**/*.py",
        Some("2020-01-01"),
    );
    std::fs::write(dir.path().join("broken.json"), "{ not json").unwrap();
    let loaded = learnings::load(dir.path(), None);
    assert_eq!(loaded.learnings.len(), 14, "{:?}", loaded.skipped);
    assert_eq!(loaded.skipped.len(), 1);

    let mut r = Request::new("executor");
    r.paths = vec!["app/security/rate_limit.py".into()];
    r.today = "2026-11-26".into();
    let c = compose(&fixture(), &r, &loaded.learnings).unwrap();
    let kept: Vec<&str> = c.kept_learnings().map(|l| l.id.as_str()).collect();
    assert_eq!(kept.len(), 10);
    assert_eq!(kept[0], "lesson-11");
    assert!(!kept.contains(&"lesson-00") && !kept.contains(&"lesson-01"));
    assert!(!c.learnings.iter().any(|l| l.id == "other-files"));
    let old = c.learnings.iter().find(|l| l.id == "old-lesson").unwrap();
    assert!(old.dropped.as_deref().unwrap().contains("expired"));
    let extra = c.learnings.iter().find(|l| l.id == "lesson-00").unwrap();
    assert!(
        extra
            .dropped
            .as_deref()
            .unwrap()
            .contains("10 highest-confidence")
    );
    let modules: usize = c.kept().map(|m| m.tokens.unwrap()).sum();
    let ls: usize = c.kept_learnings().map(|l| l.tokens.unwrap()).sum();
    assert_eq!(modules + ls, c.tokens_used);
    let md = wazir_compose::render::markdown(&c);
    assert!(md.contains("**lesson-11**"), "{md}");

    // A role outside the learnings' scope sees none of them.
    let mut r2 = Request::new("designer");
    r2.paths = r.paths.clone();
    let c2 = compose(&fixture(), &r2, &loaded.learnings).unwrap();
    assert_eq!(c2.learnings.len(), 0);
    // No --paths: nothing added, and a note says how to add them.
    let c3 = compose(&fixture(), &Request::new("executor"), &loaded.learnings).unwrap();
    assert_eq!(c3.learnings.len(), 0);
    assert!(
        c3.notes.iter().any(|n| n.contains("--paths")),
        "{:?}",
        c3.notes
    );
}

#[test]
fn learning_phase_scope_is_respected() {
    let l = Learning {
        id: "phase-bound".into(),
        learning: "Only during review.".into(),
        check: None,
        confidence: 0.9,
        file_patterns: vec!["src/**".into()],
        roles: vec!["reviewer".into()],
        phases: vec!["review".into()],
        expires: None,
        file: PathBuf::from("m.json"),
    };
    let mut r = Request::new("reviewer");
    r.paths = vec!["src/lib.rs".into()];
    r.phase = Some("spec_challenge".into());
    let c = compose(&fixture(), &r, std::slice::from_ref(&l)).unwrap();
    assert!(!c.learnings[0].kept);
    r.phase = Some("review".into());
    let c = compose(&fixture(), &r, &[l]).unwrap();
    assert!(c.learnings[0].kept);
}
