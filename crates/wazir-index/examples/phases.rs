//! Times the extraction phases (read, parse, full extraction) over a folder on one thread:
//! a profiling aid for the index build.
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: phases DIR");
    let root = std::path::Path::new(&dir).canonicalize().expect("folder");
    // The parsers made here must use the allocator the crate's own extraction uses.
    wazir_index::extract::tree_sitter_allocator();
    let walked = wazir_index::walk::walk(&root, None, 2_000_000);
    let mut texts = Vec::new();
    let t = Instant::now();
    for c in &walked.candidates {
        if let Ok(b) = std::fs::read(&c.abs) {
            texts.push((c.lang, String::from_utf8_lossy(&b).into_owned()));
        }
    }
    let bytes: usize = texts.iter().map(|t| t.1.len()).sum();
    println!(
        "read {} files, {} MB in {:?}",
        texts.len(),
        bytes / 1_000_000,
        t.elapsed()
    );
    let t = Instant::now();
    for (lang, src) in &texts {
        if let Some(g) = lang.grammar() {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&g).unwrap();
            let _ = p.parse(src, None);
        }
    }
    println!("parse only: {:?}", t.elapsed());
    let t = Instant::now();
    let mut q = 0usize;
    let mut queries = std::collections::HashMap::new();
    for (lang, src) in &texts {
        let (Some(g), Some(qs)) = (lang.grammar(), lang.query_source()) else {
            continue;
        };
        let query = queries
            .entry(*lang)
            .or_insert_with(|| tree_sitter::Query::new(&g, &qs).unwrap());
        let mut p = tree_sitter::Parser::new();
        p.set_language(&g).unwrap();
        let tree = p.parse(src, None).unwrap();
        let mut cursor = tree_sitter::QueryCursor::new();
        let mut m = cursor.matches(query, tree.root_node(), src.as_bytes());
        use streaming_iterator::StreamingIterator;
        while m.next().is_some() {
            q += 1;
        }
    }
    println!("parse + query: {:?} ({q} matches)", t.elapsed());
    let t = Instant::now();
    let mut n = 0;
    for (lang, src) in &texts {
        n += wazir_index::extract(*lang, src).symbols.len();
    }
    println!("full extract: {:?} ({n} symbols)", t.elapsed());
}
