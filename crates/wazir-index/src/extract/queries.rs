//! Definition queries: compiles each language's `.scm` query once, notes the node kinds its
//! patterns are rooted at and, from the grammar's node types, which kinds may hold such a root
//! (so the walk can skip the rest). Also points tree-sitter's allocations at mimalloc.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use tree_sitter::Query;

use crate::lang::Lang;

/// A language's compiled definition query and the node kinds its patterns are rooted at.
pub(super) struct DefQuery {
    pub(super) query: Query,
    /// Indexed by node kind id: some pattern starts at nodes of this kind.
    pub(super) is_root: Vec<bool>,
    /// A pattern's root could not be read: match over the whole tree instead of per node.
    pub(super) whole_tree: bool,
    /// Indexed by node kind id: comments and attributes, the siblings a doc comment is read from.
    pub(super) is_doc_sibling: Vec<bool>,
    /// Indexed by node kind id: a node of this kind may hold a pattern root somewhere below it
    /// (by the grammar's node types), so the walk must go inside.
    pub(super) may_hold_root: Vec<bool>,
}

/// For each kind name in a grammar's `node-types.json`, whether a node of that kind can have a
/// node of one of `targets` among its descendants. Supertypes (`expression`, ...) stand for
/// their subtypes. Kinds the file does not describe are absent: the caller treats them as
/// "may hold".
fn kinds_that_may_hold(node_types: &str, targets: &HashSet<&str>) -> HashMap<String, bool> {
    #[derive(serde::Deserialize)]
    struct TypeRef {
        #[serde(rename = "type")]
        kind: String,
        named: bool,
    }
    #[derive(serde::Deserialize)]
    struct Children {
        #[serde(default)]
        types: Vec<TypeRef>,
    }
    #[derive(serde::Deserialize)]
    struct NodeType {
        #[serde(rename = "type")]
        kind: String,
        named: bool,
        #[serde(default)]
        fields: HashMap<String, Children>,
        children: Option<Children>,
        #[serde(default)]
        subtypes: Vec<TypeRef>,
    }
    let Ok(types) = serde_json::from_str::<Vec<NodeType>>(node_types) else {
        return HashMap::new();
    };
    // kind -> kinds that may appear directly inside it (or that it stands for).
    let mut inside: HashMap<&str, Vec<&str>> = HashMap::new();
    for t in types.iter().filter(|t| t.named) {
        let list = inside.entry(t.kind.as_str()).or_default();
        let refs = t
            .fields
            .values()
            .chain(t.children.as_ref())
            .flat_map(|c| c.types.iter())
            .chain(t.subtypes.iter());
        list.extend(refs.filter(|r| r.named).map(|r| r.kind.as_str()));
    }
    let mut holds: HashMap<&str, bool> = inside
        .iter()
        .map(|(k, kids)| (*k, kids.iter().any(|c| targets.contains(c))))
        .collect();
    // Grow to a fixed point: a kind holds a target when something inside it does.
    loop {
        let mut changed = false;
        for (k, kids) in &inside {
            if !holds[k] && kids.iter().any(|c| holds.get(c) == Some(&true)) {
                holds.insert(k, true);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    holds.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Kinds that may stand between a definition and its doc comment, or be the comment.
pub(super) fn doc_sibling_kind(kind: &str) -> bool {
    is_attribute_kind(kind) || kind.contains("comment")
}

pub(super) fn is_attribute_kind(kind: &str) -> bool {
    matches!(
        kind,
        "attribute_item" | "decorator" | "annotation" | "marker_annotation"
    )
}

/// The node kind a pattern starts with (`(kind ...`), or `None` for a wildcard, an alternation
/// or anything else this short reader does not handle. Reads our own `.scm` files only, and
/// only up to the first kind name: tree-sitter has already compiled the pattern.
fn pattern_root(pattern: &str) -> Option<&str> {
    let mut rest = pattern;
    loop {
        rest = rest.trim_start();
        if rest.starts_with(';') {
            rest = rest.split_once('\n').map_or("", |(_, r)| r);
        } else {
            break;
        }
    }
    let body = rest.strip_prefix('(')?.trim_start();
    let end = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    let kind = &body[..end];
    (!kind.is_empty() && kind != "_").then_some(kind)
}

fn compile(lang: Lang) -> Option<DefQuery> {
    let src = lang.query_source()?;
    let grammar = lang.grammar()?;
    let query = match Query::new(&grammar, &src) {
        Ok(q) => q,
        Err(e) => panic!("built-in {} query does not compile: {e}", lang.name()),
    };
    let kinds = grammar.node_kind_count();
    let mut is_root = vec![false; kinds];
    let mut roots: HashSet<&str> = HashSet::new();
    let mut whole_tree = false;
    for i in 0..query.pattern_count() {
        let text = &src[query.start_byte_for_pattern(i)..query.end_byte_for_pattern(i)];
        let Some(root) = pattern_root(text) else {
            whole_tree = true;
            continue;
        };
        roots.insert(root);
        // Mark every named kind of that name: aliases give one name several ids.
        let mut found = false;
        for id in 0..kinds as u16 {
            if grammar.node_kind_is_named(id) && grammar.node_kind_for_id(id) == Some(root) {
                is_root[id as usize] = true;
                found = true;
            }
        }
        whole_tree |= !found;
    }
    let is_doc_sibling = (0..kinds as u16)
        .map(|id| grammar.node_kind_for_id(id).is_some_and(doc_sibling_kind))
        .collect();
    let holds = lang
        .node_types()
        .map(|json| kinds_that_may_hold(json, &roots))
        .unwrap_or_default();
    let may_hold_root = (0..kinds as u16)
        .map(|id| {
            !grammar.node_kind_is_named(id)
                || grammar
                    .node_kind_for_id(id)
                    .and_then(|name| holds.get(name))
                    .is_none_or(|h| *h)
        })
        .collect();
    Some(DefQuery {
        query,
        is_root,
        whole_tree,
        is_doc_sibling,
        may_hold_root,
    })
}

pub(super) fn query_for(lang: Lang) -> Option<&'static DefQuery> {
    static CELLS: [OnceLock<Option<DefQuery>>; 11] = [const { OnceLock::new() }; 11];
    let idx = Lang::ALL.iter().position(|l| *l == lang)?;
    tree_sitter_allocator();
    CELLS[idx].get_or_init(|| compile(lang)).as_ref()
}

/// Points tree-sitter's C allocations at mimalloc, once, before any tree-sitter object exists.
/// Code outside this crate that makes its own parsers must call it first.
/// Parsing allocates and frees many small nodes; mimalloc's per-thread heaps do that without
/// the lock contention and consolidation passes of the system allocator.
pub fn tree_sitter_allocator() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: the four functions are one allocator family that returns malloc-aligned
        // memory, and this runs before this process creates any tree-sitter object: every
        // parser and query of the crate is made after `query_for` or `parse` called this.
        unsafe {
            tree_sitter::set_allocator(Some(tree_sitter::Allocator {
                malloc: libmimalloc_sys::mi_malloc,
                calloc: libmimalloc_sys::mi_calloc,
                realloc: libmimalloc_sys::mi_realloc,
                free: libmimalloc_sys::mi_free,
            }))
        };
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_query_compiles() {
        for lang in Lang::ALL {
            if lang.query_source().is_some() {
                assert!(query_for(lang).is_some(), "{}", lang.name());
            }
        }
    }

    #[test]
    fn pattern_roots_are_read_past_comments() {
        assert_eq!(
            pattern_root("; a note\n(function_item name: (identifier) @name) @def.function"),
            Some("function_item")
        );
        assert_eq!(pattern_root("(_ name: (identifier) @name) @def.x"), None);
        assert_eq!(pattern_root("[(a) (b)] @def.x"), None);
    }

    #[test]
    fn every_builtin_pattern_has_a_known_root() {
        for lang in Lang::ALL {
            if let Some(dq) = query_for(lang) {
                assert!(
                    !dq.whole_tree,
                    "{}: a pattern root is not a node kind",
                    lang.name()
                );
            }
        }
    }

    #[test]
    fn the_walk_skips_only_kinds_that_cannot_hold_a_definition() {
        let dq = query_for(Lang::Python).expect("python query");
        let grammar = Lang::Python.grammar().expect("grammar");
        let may = |kind: &str| dq.may_hold_root[grammar.id_for_node_kind(kind, true) as usize];
        assert!(may("module") && may("block") && may("if_statement") && may("class_definition"));
        assert!(!may("string") && !may("call") && !may("binary_operator"));
    }
}
