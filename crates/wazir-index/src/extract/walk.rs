//! The definition walk: runs the definition query at candidate nodes only, remembers each
//! definition's nearest ancestors and doc siblings on the way, then gives every definition its
//! container (the nearest enclosing definition) and its kind, signature and doc.

use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, QueryCursor};

use super::lang::{doc_comment, go_receiver, is_constant, signature, symbol_name};
use super::queries::{doc_sibling_kind, query_for};
use super::{Container, Symbol};
use crate::lang::Lang;

struct Def<'t> {
    node: Node<'t>,
    name_node: Node<'t>,
    kind: String,
    name: String,
    pattern: usize,
    /// What the walk knew when it reached the node; `None` sends lookups to the tree.
    lineage: Option<Lineage<'t>>,
}

/// A definition node and its nearest ancestors as the tree walk met them, each with the run of
/// comment and attribute siblings just before it. Node::parent and Node::prev_sibling search
/// from the root or the parent's first child; this answers the same questions in O(1).
pub(super) struct Lineage<'t> {
    /// `levels[0]` is the node itself, `levels[1]` its parent, and so on (at most four).
    levels: Vec<(Node<'t>, Vec<Node<'t>>)>,
}

const LINEAGE_DEPTH: usize = 4;

impl<'t> Lineage<'t> {
    fn level_of(&self, n: Node<'t>) -> Option<usize> {
        self.levels.iter().position(|(m, _)| m.id() == n.id())
    }
}

fn lineage<'t>(path: &[Node<'t>], runs: &[Vec<Node<'t>>]) -> Lineage<'t> {
    let d = path.len() - 1;
    let levels = (0..LINEAGE_DEPTH.min(path.len()))
        .map(|k| (path[d - k], runs[d - k].clone()))
        .collect();
    Lineage { levels }
}

/// Gives the walk's lineage to the pending definitions whose node is `node`. `pending` is
/// sorted by start byte, largest first; entries the walk has passed are dropped (they keep
/// asking the tree), entries of a descendant that starts at the same byte wait for it.
fn attach_lineage<'t>(
    defs: &mut [Def<'t>],
    pending: &mut Vec<usize>,
    node: Node<'t>,
    path: &[Node<'t>],
    runs: &[Vec<Node<'t>>],
) {
    let here = node.start_byte();
    while let Some(&i) = pending.last() {
        if defs[i].node.start_byte() >= here {
            break;
        }
        pending.pop();
    }
    let mut k = pending.len();
    while k > 0 && defs[pending[k - 1]].node.start_byte() == here {
        k -= 1;
    }
    let mut kept = k;
    for idx in k..pending.len() {
        let i = pending[idx];
        if defs[i].node.id() == node.id() {
            defs[i].lineage = Some(lineage(path, runs));
        } else {
            pending[kept] = i;
            kept += 1;
        }
    }
    pending.truncate(kept);
}

/// The parent of `n`, from the lineage when it holds both, else from the tree.
pub(super) fn parent_of<'t>(lin: Option<&Lineage<'t>>, n: Node<'t>) -> Option<Node<'t>> {
    if let Some(l) = lin
        && let Some(k) = l.level_of(n)
        && let Some((p, _)) = l.levels.get(k + 1)
    {
        return Some(*p);
    }
    n.parent()
}

/// The comment and attribute siblings just before `n`, nearest first.
pub(super) fn doc_siblings_before<'t>(lin: Option<&Lineage<'t>>, n: Node<'t>) -> Vec<Node<'t>> {
    if let Some(l) = lin
        && let Some(k) = l.level_of(n)
    {
        return l.levels[k].1.iter().rev().copied().collect();
    }
    let mut out = Vec::new();
    let mut cur = n.prev_sibling();
    while let Some(s) = cur {
        if !doc_sibling_kind(s.kind()) {
            break;
        }
        out.push(s);
        cur = s.prev_sibling();
    }
    out
}

/// Runs the definition query at every node where one of its patterns is rooted, walking the
/// tree with a cursor: the query engine then only works at candidate nodes instead of
/// tracking its state across every node of the file, and the walk does not enter nodes that
/// the grammar says cannot hold a candidate (strings, most expressions, types).
pub(super) fn symbols(lang: Lang, root: Node, src: &str) -> Vec<Symbol> {
    symbols_by(lang, root, src, false)
}

/// `symbols`, or with `whole_tree` the plain query over the whole tree (the reference the
/// walk is tested against).
fn symbols_by(lang: Lang, root: Node, src: &str, whole_tree: bool) -> Vec<Symbol> {
    let Some(dq) = query_for(lang) else {
        return Vec::new();
    };
    let query = &dq.query;
    let names = query.capture_names();
    let mut cursor = QueryCursor::new();
    let mut defs: Vec<Def> = Vec::new();
    if whole_tree || dq.whole_tree {
        let mut matches = cursor.matches(query, root, src.as_bytes());
        while let Some(m) = matches.next() {
            add_match(lang, names, src, m, &mut defs);
        }
    } else {
        cursor.set_max_start_depth(Some(0));
        let mut walk = root.walk();
        // The current branch (path[d] is the node at depth d) and, per depth, the comment and
        // attribute siblings just before that node.
        let mut path: Vec<Node> = vec![root];
        let mut runs: Vec<Vec<Node>> = vec![Vec::new()];
        // Definitions found but not yet reached by the walk, by start byte (last = next).
        let mut pending: Vec<usize> = Vec::new();
        'tree: loop {
            let node = walk.node();
            if dq.is_root.get(node.kind_id() as usize) == Some(&true) {
                let first = defs.len();
                let mut matches = cursor.matches(query, node, src.as_bytes());
                while let Some(m) = matches.next() {
                    add_match(lang, names, src, m, &mut defs);
                }
                if defs.len() > first {
                    pending.extend(first..defs.len());
                    pending.sort_by_key(|&i| std::cmp::Reverse(defs[i].node.start_byte()));
                }
            }
            if !pending.is_empty() {
                attach_lineage(&mut defs, &mut pending, node, &path, &runs);
            }
            let inside =
                node.has_error() || dq.may_hold_root.get(node.kind_id() as usize) != Some(&false);
            if inside && walk.goto_first_child() {
                path.push(walk.node());
                let d = path.len() - 1;
                if runs.len() <= d {
                    runs.push(Vec::new());
                } else {
                    runs[d].clear();
                }
                continue;
            }
            loop {
                let d = path.len() - 1;
                let left = path[d];
                if walk.goto_next_sibling() {
                    if dq.is_doc_sibling.get(left.kind_id() as usize) == Some(&true) {
                        runs[d].push(left);
                    } else {
                        runs[d].clear();
                    }
                    path[d] = walk.node();
                    continue 'tree;
                }
                if !walk.goto_parent() {
                    break 'tree;
                }
                path.pop();
            }
        }
    }
    // One definition per (node, name): the earliest pattern in the query wins.
    defs.sort_by(|a, b| {
        (
            a.node.start_byte(),
            std::cmp::Reverse(a.node.end_byte()),
            a.node.id(),
            a.name_node.start_byte(),
            a.pattern,
        )
            .cmp(&(
                b.node.start_byte(),
                std::cmp::Reverse(b.node.end_byte()),
                b.node.id(),
                b.name_node.start_byte(),
                b.pattern,
            ))
    });
    defs.dedup_by(|b, a| a.node.id() == b.node.id() && a.name == b.name);

    let sep = lang.container_sep();
    // (qualified path of the def, kind after method promotion)
    let mut paths: Vec<Container> = Vec::with_capacity(defs.len());
    let mut result = Vec::with_capacity(defs.len());
    // Definitions sorted by (start, longest first) nest like the tree: a stack of the open
    // ones gives each its nearest enclosing definition without climbing the tree.
    let mut open: Vec<usize> = Vec::new();
    for i in 0..defs.len() {
        let d = &defs[i];
        let (start, end) = (d.node.start_byte(), d.node.end_byte());
        while let Some(&j) = open.last() {
            let n = defs[j].node;
            if n.start_byte() <= start && end <= n.end_byte() {
                break;
            }
            open.pop();
        }
        // The enclosing node may carry several names: the first of them is the container.
        let parent = open
            .iter()
            .rev()
            .find(|&&j| defs[j].node.id() != d.node.id())
            .map(|&j| {
                let mut k = j;
                while k > 0 && defs[k - 1].node.id() == defs[j].node.id() {
                    k -= 1;
                }
                k
            });
        open.push(i);
        let mut container = parent.map(|j| paths[j].clone());
        if lang == Lang::Go && d.kind == "method" && d.node.kind() == "method_declaration" {
            container = go_receiver(d.node, src).map(|r| Container::root(r, sep));
        }
        let mut kind = d.kind.clone();
        let parent_kind = parent.map(|j| defs[j].kind.as_str());
        if kind == "function"
            && matches!(
                parent_kind,
                Some("impl" | "trait" | "class" | "interface" | "struct" | "enum")
            )
        {
            kind = "method".to_string();
        }
        let lin = d.lineage.as_ref();
        if kind == "variable" && is_constant(lang, d.node, lin, &d.name, src) {
            kind = "constant".to_string();
        }
        let path = match &container {
            Some(c) => c.child(d.name.as_str()),
            None => Container::root(d.name.as_str(), sep),
        };
        paths.push(path);
        let start = d.node.start_position();
        let end = d.node.end_position();
        let end_line = if end.column == 0 && end.row > start.row {
            end.row
        } else {
            end.row + 1
        };
        result.push(Symbol {
            signature: signature(lang, &kind, d.node, lin, src),
            doc: doc_comment(lang, d.node, lin, src),
            kind,
            name: d.name.clone(),
            container,
            start_line: start.row as u32 + 1,
            end_line: end_line as u32,
            name_line: d.name_node.start_position().row as u32 + 1,
        });
    }
    result
}

/// Turns one query match into a definition (when it has both a `@def.*` and a `@name`).
fn add_match<'t>(
    lang: Lang,
    names: &[&str],
    src: &str,
    m: &tree_sitter::QueryMatch<'_, 't>,
    defs: &mut Vec<Def<'t>>,
) {
    let mut def: Option<(Node, &str)> = None;
    let mut name: Option<Node> = None;
    for c in m.captures() {
        let cname = names[c.index as usize];
        if let Some(kind) = cname.strip_prefix("def.") {
            def = Some((c.node, kind));
        } else if cname == "name" {
            name = Some(c.node);
        }
    }
    if let (Some((node, kind)), Some(name_node)) = (def, name) {
        let name = symbol_name(lang, kind, name_node, src);
        if !name.is_empty() {
            defs.push(Def {
                node,
                name_node,
                kind: kind.to_string(),
                name,
                pattern: m.pattern_index,
                lineage: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::parse;

    /// The per-node walk must find exactly what the plain whole-tree query finds.
    #[test]
    fn the_walk_matches_the_whole_tree_query_on_every_fixture() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut checked = 0;
        let files = std::fs::read_dir(&dir)
            .expect("fixtures")
            .flat_map(|d| std::fs::read_dir(d.expect("entry").path()).expect("language folder"));
        for entry in files {
            let path = entry.expect("entry").path();
            let Some(lang) = Lang::from_path(&path).filter(|l| l.has_symbols()) else {
                continue;
            };
            let src = std::fs::read_to_string(&path).expect("fixture text");
            let tree = parse(lang, &src).expect("parses");
            let walked = symbols_by(lang, tree.root_node(), &src, false);
            let whole = symbols_by(lang, tree.root_node(), &src, true);
            assert!(!whole.is_empty(), "{}", path.display());
            assert_eq!(walked, whole, "{}", path.display());
            checked += 1;
        }
        assert!(checked >= 7, "only {checked} fixtures");
    }
}
