//! Prints what the extractor finds in each file given on the command line (a debugging aid).
fn main() {
    for arg in std::env::args().skip(1) {
        let path = std::path::Path::new(&arg);
        let Some(lang) = wazir_index::Lang::from_path(path) else {
            continue;
        };
        let src = std::fs::read_to_string(path).unwrap_or_default();
        let ex = wazir_index::extract(lang, &src);
        println!("== {arg} ({})", lang.name());
        for s in &ex.symbols {
            println!(
                "{} {} [{}] {}-{} @{} | {} | doc={:?}",
                s.kind,
                s.name,
                s.container.as_ref().map(|c| c.path()).unwrap_or_default(),
                s.start_line,
                s.end_line,
                s.name_line,
                s.signature,
                s.doc
            );
        }
        for o in &ex.outline {
            println!(
                "{} {} d{} {}-{}",
                o.kind, o.name, o.depth, o.line, o.end_line
            );
        }
        for i in &ex.imports {
            println!("import: {i}");
        }
    }
}
