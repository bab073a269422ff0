//! Extraction: turns one file's text into symbols (code), outline entries (data and docs),
//! import lines and the identifiers it mentions. Pure functions, no I/O. This module owns the
//! extracted types, the per-thread parsers and the entry point; `queries` compiles each
//! language's definition query, `walk` finds definitions and their containers, `lang` holds the
//! per-language naming, signature, doc-comment and import rules, `outline` the data and
//! Markdown outlines, `container` the shared chain of enclosing scopes, `skim` the Rust
//! function bodies left out of the parse.

mod container;
mod lang;
mod outline;
mod queries;
mod skim;
mod walk;

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tree_sitter::{Node, Parser};

use crate::lang::Lang;

pub use container::{Container, ScopeIds};
pub use queries::tree_sitter_allocator;

/// A named definition found in source code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Symbol {
    pub kind: String,
    pub name: String,
    /// Enclosing definitions (impl type, class, module, outer function), joined with `.` or `::`.
    pub container: Option<Container>,
    /// The declaration without its body, whitespace collapsed.
    pub signature: String,
    pub start_line: u32,
    pub end_line: u32,
    /// The line where the name itself stands (differs from `start_line` after annotations).
    pub name_line: u32,
    pub doc: Option<String>,
}

/// One entry of a data or documentation outline: a JSON/YAML key or a Markdown heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutlineItem {
    pub kind: String,
    pub name: String,
    pub depth: u32,
    pub line: u32,
    pub end_line: u32,
}

/// Everything extracted from one file.
#[derive(Debug, Default, Clone)]
pub struct Extracted {
    pub symbols: Vec<Symbol>,
    pub outline: Vec<OutlineItem>,
    pub imports: Vec<String>,
    /// The distinct identifiers, sorted, joined by spaces (as the index stores them).
    pub idents: String,
    pub lines: u32,
}

const MAX_SIGNATURE: usize = 400;
const MAX_DOC: usize = 1500;
const MAX_OUTLINE: usize = 5000;

thread_local! {
    static PARSERS: std::cell::RefCell<HashMap<Lang, Parser>> = std::cell::RefCell::new(HashMap::new());
}

pub(super) fn parse(lang: Lang, src: &str) -> Option<tree_sitter::Tree> {
    parse_ranges(lang, src, &[])
}

/// Parses only `ranges` of `src` (all of it when empty); positions stay those of `src`.
pub(super) fn parse_ranges(
    lang: Lang,
    src: &str,
    ranges: &[tree_sitter::Range],
) -> Option<tree_sitter::Tree> {
    tree_sitter_allocator();
    let grammar = lang.grammar()?;
    PARSERS.with(|cell| {
        let mut map = cell.borrow_mut();
        let parser = map.entry(lang).or_insert_with(|| {
            let mut p = Parser::new();
            p.set_language(&grammar)
                .expect("grammar ABI is supported by tree-sitter 0.27");
            p
        });
        // Ranges tree-sitter refuses (never seen: the skim's are ordered and disjoint) leave
        // the whole text to parse, which holds the same definitions.
        if ranges.len() <= 1 || parser.set_included_ranges(ranges).is_err() {
            return parser.parse(src, None);
        }
        let tree = parser.parse(src, None);
        parser
            .set_included_ranges(&[])
            .expect("the whole text is a valid range");
        tree
    })
}

/// Extracts symbols or an outline, imports and mentioned identifiers from `src`.
pub fn extract(lang: Lang, src: &str) -> Extracted {
    let mut out = Extracted {
        lines: count_lines(src),
        ..Default::default()
    };
    match lang {
        Lang::Markdown => out.outline = outline::markdown_outline(src),
        Lang::Json | Lang::Yaml => {
            if let Some(tree) = parse(lang, src) {
                out.outline = outline::data_outline(tree.root_node(), src);
            }
        }
        _ => {
            // Rust is parsed without the parts that cannot hold a definition (same offsets and
            // lines); everything is read from the original text.
            let skimmed = match lang {
                Lang::Rust => skim::rust(src).map(|s| (s.blanked(src), s.ranges(src))),
                _ => None,
            };
            let tree = match &skimmed {
                Some((text, ranges)) => parse_ranges(lang, text, ranges),
                None => parse(lang, src),
            };
            if let Some(tree) = tree {
                out.symbols = walk::symbols(lang, tree.root_node(), src);
            }
            out.imports = lang::imports(lang, src);
            out.idents = identifiers(src);
        }
    }
    out
}

pub(super) fn count_lines(src: &str) -> u32 {
    let n = src.bytes().filter(|b| *b == b'\n').count();
    (n + usize::from(!src.is_empty() && !src.ends_with('\n'))) as u32
}

pub(super) fn text<'a>(node: Node, src: &'a str) -> &'a str {
    src.get(node.byte_range()).unwrap_or("")
}

pub(super) fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

pub(crate) fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Distinct identifiers of three characters or more, sorted and joined by spaces, used to rank
/// files by references. A set with a cheap hash keeps each name once, so only the distinct
/// names are sorted (sorting every occurrence took a third more time on the crate sources).
fn identifiers(src: &str) -> String {
    let bytes = src.as_bytes();
    let mut seen: HashSet<&str, WordHash> = HashSet::with_hasher(WordHash);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphabetic() || b == b'_' {
            let s = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            if i - s >= 3 && i - s <= 64 {
                seen.insert(&src[s..i]);
            }
        } else if b.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    let mut words: Vec<&str> = seen.into_iter().collect();
    words.sort_unstable();
    words.join(" ")
}

/// A multiply-rotate hash over eight bytes at a time, for short ASCII words (no protection
/// against chosen collisions is needed for a per-file set).
#[derive(Clone, Copy, Default)]
struct WordHash;

struct WordHasher(u64);

impl std::hash::BuildHasher for WordHash {
    type Hasher = WordHasher;
    fn build_hasher(&self) -> WordHasher {
        WordHasher(0)
    }
}

impl std::hash::Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("eight bytes"));
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(*b)).wrapping_mul(K);
        }
        self.0 = h;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_distinct_and_long_enough() {
        assert_eq!(
            identifiers("foo(a, foo, bar_1, 123abc, Zed)"),
            "Zed bar_1 foo"
        );
    }
}
