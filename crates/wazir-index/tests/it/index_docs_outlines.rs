//! Doc comments, name lines and the outlines of data and documentation files.

use wazir_index::{Lang, extract};

fn extracted(path: &str) -> wazir_index::Extracted {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(&full).expect("fixture");
    extract(
        Lang::from_path(std::path::Path::new(&full)).expect("known language"),
        &src,
    )
}

fn doc_of(path: &str, name: &str) -> Option<String> {
    extracted(path)
        .symbols
        .into_iter()
        .find(|s| s.name == name)
        .and_then(|s| s.doc)
}

#[test]
fn doc_comments_per_language() {
    assert_eq!(
        doc_of("rust/shapes.rs", "Rect").as_deref(),
        Some("A rectangle on the plane.")
    );
    assert_eq!(
        doc_of("rust/shapes.rs", "area").as_deref(),
        Some("The area in square units.")
    );
    assert_eq!(doc_of("rust/shapes.rs", "Shape"), None);
    assert_eq!(
        doc_of("python/inventory.py", "Item").as_deref(),
        Some("One thing on a shelf.")
    );
    assert_eq!(
        doc_of("python/inventory.py", "fetch_all").as_deref(),
        Some("Load items by name.\n\nMissing names are skipped.")
    );
    assert_eq!(
        doc_of("python/inventory.py", "add").as_deref(),
        Some("Adds an item to the registry.")
    );
    assert_eq!(
        doc_of("javascript/cart.js", "Cart").as_deref(),
        Some("A shopping cart.")
    );
    assert_eq!(
        doc_of("javascript/cart.js", "total").as_deref(),
        Some("Sum of prices with tax.")
    );
    assert_eq!(
        doc_of("typescript/store.ts", "Saveable").as_deref(),
        Some("Something that can be saved.")
    );
    assert_eq!(
        doc_of("tsx/Button.tsx", "Button").as_deref(),
        Some("A plain button.")
    );
    assert_eq!(
        doc_of("go/server.go", "Start").as_deref(),
        Some("Start runs the server.")
    );
    assert_eq!(
        doc_of("go/server.go", "MaxConns").as_deref(),
        Some("MaxConns caps open connections.")
    );
    assert_eq!(
        doc_of("java/Account.java", "Account").as_deref(),
        Some("A bank account.")
    );
    assert_eq!(
        doc_of("java/Account.java", "deposit").as_deref(),
        Some("Puts money in.")
    );
}

#[test]
fn annotated_java_method_keeps_its_name_line() {
    let ex = extracted("java/Account.java");
    let deposit = ex
        .symbols
        .iter()
        .find(|s| s.name == "deposit")
        .expect("deposit");
    assert_eq!(
        (deposit.start_line, deposit.name_line, deposit.end_line),
        (17, 18, 20)
    );
}

#[test]
fn imports_are_collected() {
    assert_eq!(
        extracted("python/inventory.py").imports,
        vec!["import os", "from typing import List"]
    );
    assert_eq!(
        extracted("go/server.go").imports,
        vec!["import \"fmt\"", "import \"net/http\""]
    );
    assert_eq!(extracted("rust/shapes.rs").imports, vec!["use std::fmt;"]);
}

fn outline(path: &str) -> Vec<String> {
    extracted(path)
        .outline
        .iter()
        .map(|o| {
            format!(
                "{} {} d{} {}-{}",
                o.kind, o.name, o.depth, o.line, o.end_line
            )
        })
        .collect()
}

#[test]
fn json_keys_to_depth_two() {
    assert_eq!(
        outline("data/config.json"),
        vec![
            "key name d1 2-2",
            "key scripts d1 3-6",
            "key build d2 4-4",
            "key test d2 5-5",
            "key list d1 7-7"
        ]
    );
}

#[test]
fn yaml_keys_to_depth_two() {
    assert_eq!(
        outline("data/config.yaml"),
        vec![
            "key name d1 1-1",
            "key server d1 2-5",
            "key port d2 3-3",
            "key tls d2 4-5",
            "key jobs d1 6-6"
        ]
    );
}

#[test]
fn markdown_headings_with_sections() {
    assert_eq!(
        outline("data/guide.md"),
        vec![
            "heading Guide d1 1-11",
            "heading Install d2 5-8",
            "heading Use it d2 9-11"
        ]
    );
}

#[test]
fn lossy_text_and_garbage_do_not_panic() {
    let bytes = b"fn ok() {}\n\xff\xfe fn broken( {\n";
    let text = String::from_utf8_lossy(bytes);
    let ex = extract(Lang::Rust, &text);
    assert!(ex.symbols.iter().any(|s| s.name == "ok"));
    for lang in Lang::ALL {
        let _ = extract(lang, "}{ ][ :: \u{0} <<< \"unterminated");
    }
}
