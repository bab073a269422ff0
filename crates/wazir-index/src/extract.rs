//! Extraction: turns one file's text into symbols (code), outline entries (data and docs),
//! import lines and the identifiers it mentions. Pure functions, no I/O.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::Serialize;
use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, Parser, Query, QueryCursor};

use crate::lang::Lang;

/// A named definition found in source code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Symbol {
    pub kind: String,
    pub name: String,
    /// Enclosing definitions (impl type, class, module, outer function), joined with `.` or `::`.
    pub container: Option<String>,
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
    pub idents: Vec<String>,
    pub lines: u32,
}

const MAX_SIGNATURE: usize = 400;
const MAX_DOC: usize = 1500;
const MAX_OUTLINE: usize = 5000;

/// A language's compiled definition query and the node kinds its patterns are rooted at.
struct DefQuery {
    query: Query,
    /// Indexed by node kind id: some pattern starts at nodes of this kind.
    is_root: Vec<bool>,
    /// A pattern's root could not be read: match over the whole tree instead of per node.
    whole_tree: bool,
    /// Indexed by node kind id: comments and attributes, the siblings a doc comment is read from.
    is_doc_sibling: Vec<bool>,
    /// Indexed by node kind id: a node of this kind may hold a pattern root somewhere below it
    /// (by the grammar's node types), so the walk must go inside.
    may_hold_root: Vec<bool>,
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
fn doc_sibling_kind(kind: &str) -> bool {
    is_attribute_kind(kind) || kind.contains("comment")
}

fn is_attribute_kind(kind: &str) -> bool {
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

fn query_for(lang: Lang) -> Option<&'static DefQuery> {
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

thread_local! {
    static PARSERS: std::cell::RefCell<HashMap<Lang, Parser>> = std::cell::RefCell::new(HashMap::new());
}

fn parse(lang: Lang, src: &str) -> Option<tree_sitter::Tree> {
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
        parser.parse(src, None)
    })
}

/// Extracts symbols or an outline, imports and mentioned identifiers from `src`.
pub fn extract(lang: Lang, src: &str) -> Extracted {
    let mut out = Extracted {
        lines: count_lines(src),
        ..Default::default()
    };
    match lang {
        Lang::Markdown => out.outline = markdown_outline(src),
        Lang::Json | Lang::Yaml => {
            if let Some(tree) = parse(lang, src) {
                out.outline = data_outline(tree.root_node(), src);
            }
        }
        _ => {
            if let Some(tree) = parse(lang, src) {
                out.symbols = symbols(lang, tree.root_node(), src);
            }
            out.imports = imports(lang, src);
            out.idents = identifiers(src);
        }
    }
    out
}

fn count_lines(src: &str) -> u32 {
    let n = src.bytes().filter(|b| *b == b'\n').count();
    (n + usize::from(!src.is_empty() && !src.ends_with('\n'))) as u32
}

fn text<'a>(node: Node, src: &'a str) -> &'a str {
    src.get(node.byte_range()).unwrap_or("")
}

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
struct Lineage<'t> {
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
fn parent_of<'t>(lin: Option<&Lineage<'t>>, n: Node<'t>) -> Option<Node<'t>> {
    if let Some(l) = lin
        && let Some(k) = l.level_of(n)
        && let Some((p, _)) = l.levels.get(k + 1)
    {
        return Some(*p);
    }
    n.parent()
}

/// The comment and attribute siblings just before `n`, nearest first.
fn doc_siblings_before<'t>(lin: Option<&Lineage<'t>>, n: Node<'t>) -> Vec<Node<'t>> {
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
fn symbols(lang: Lang, root: Node, src: &str) -> Vec<Symbol> {
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

    let sep = if lang == Lang::Rust { "::" } else { "." };
    // (qualified path of the def, kind after method promotion)
    let mut paths: Vec<String> = Vec::with_capacity(defs.len());
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
            container = go_receiver(d.node, src);
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
            Some(c) => format!("{c}{sep}{}", d.name),
            None => d.name.clone(),
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

fn symbol_name(lang: Lang, kind: &str, name_node: Node, src: &str) -> String {
    if lang == Lang::Rust && kind == "impl" {
        return rust_type_name(name_node, src);
    }
    let t = text(name_node, src).trim();
    if name_node.kind() == "string" {
        return t
            .trim_matches(|c| c == '"' || c == '\'' || c == '`')
            .to_string();
    }
    collapse_ws(t)
}

fn rust_type_name(node: Node, src: &str) -> String {
    match node.kind() {
        "generic_type" | "reference_type" | "pointer_type" => {
            match node.child_by_field_name("type") {
                Some(inner) => rust_type_name(inner, src),
                None => text(node, src).to_string(),
            }
        }
        _ => collapse_ws(text(node, src)),
    }
}

fn go_receiver(method: Node, src: &str) -> Option<String> {
    let recv = method.child_by_field_name("receiver")?;
    let mut stack = vec![recv];
    while let Some(n) = stack.pop() {
        if n.kind() == "type_identifier" {
            return Some(text(n, src).to_string());
        }
        for i in (0..n.named_child_count()).rev() {
            if let Some(c) = n.named_child(i as u32) {
                stack.push(c);
            }
        }
    }
    None
}

fn is_constant(lang: Lang, node: Node, lin: Option<&Lineage>, name: &str, src: &str) -> bool {
    match lang {
        Lang::JavaScript | Lang::TypeScript | Lang::Tsx => parent_of(lin, node)
            .map(|p| text(p, src).trim_start().starts_with("const"))
            .unwrap_or(false),
        Lang::Python => {
            name.chars().any(|c| c.is_ascii_uppercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        }
        _ => false,
    }
}

/// The node that holds a definition's body, if it has one.
fn body_of(node: Node) -> Option<Node> {
    if let Some(b) = node.child_by_field_name("body") {
        return Some(b);
    }
    match node.kind() {
        "variable_declarator" | "field_definition" | "public_field_definition" => {
            let v = node.child_by_field_name("value")?;
            v.child_by_field_name("body")
        }
        "assignment_expression" => node
            .child_by_field_name("right")?
            .child_by_field_name("body"),
        "pair" => node
            .child_by_field_name("value")?
            .child_by_field_name("body"),
        "type_spec" => {
            let t = node.child_by_field_name("type")?;
            match t.kind() {
                "struct_type" => t
                    .named_child(0)
                    .filter(|c| c.kind() == "field_declaration_list"),
                _ => None,
            }
        }
        _ => None,
    }
}

fn signature(lang: Lang, kind: &str, node: Node, lin: Option<&Lineage>, src: &str) -> String {
    let mut start = node.start_byte();
    let mut prefix = "";
    match node.kind() {
        "variable_declarator" => {
            if let Some(p) = parent_of(lin, node) {
                if p.named_child_count() == 1 {
                    start = p.start_byte();
                    if let Some(e) = parent_of(lin, p).filter(|e| e.kind() == "export_statement") {
                        start = e.start_byte();
                    }
                } else if let Some(first) = text(p, src).split_whitespace().next() {
                    prefix = match first {
                        "const" => "const ",
                        "let" => "let ",
                        "var" => "var ",
                        _ => "",
                    };
                }
            }
        }
        "type_spec" | "type_alias" => prefix = "type ",
        "const_spec" => prefix = "const ",
        "var_spec" => prefix = "var ",
        _ => {
            if let Some(e) = parent_of(lin, node).filter(|e| e.kind() == "export_statement") {
                start = e.start_byte();
            }
        }
    }
    let body = body_of(node);
    let end = match body {
        Some(b) if b.start_byte() > start => b.start_byte(),
        _ => node.end_byte(),
    };
    let mut raw = src.get(start..end).unwrap_or("");
    if body.is_none() {
        if matches!(kind, "constant" | "variable") {
            raw = raw.lines().next().unwrap_or("");
        } else if kind == "macro" {
            raw = raw.split(['{', '(', '[']).next().unwrap_or(raw);
        } else if lang == Lang::Go && kind == "interface" {
            raw = raw.split('{').next().unwrap_or(raw);
        } else if matches!(
            kind,
            "table" | "view" | "function" | "index" | "type" | "trigger"
        ) && lang == Lang::Sql
        {
            raw = raw.split('(').next().unwrap_or(raw);
            if let Some(i) = raw.to_ascii_lowercase().find(" as ") {
                raw = &raw[..i];
            }
        }
    }
    let mut sig = format!("{prefix}{}", collapse_ws(raw));
    if lang == Lang::Python
        && body.is_some()
        && let Some(s) = sig.strip_suffix(':')
    {
        sig = s.trim_end().to_string();
    }
    if lang == Lang::Sql {
        sig = sig.trim_end_matches(';').trim_end().to_string();
    }
    truncate_chars(&sig, MAX_SIGNATURE)
}

fn truncate_chars(s: &str, max: usize) -> String {
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

/// The node whose preceding siblings carry the doc comment.
fn doc_anchor<'t>(node: Node<'t>, lin: Option<&Lineage<'t>>) -> Node<'t> {
    let mut cur = node;
    loop {
        let Some(p) = parent_of(lin, cur) else {
            return cur;
        };
        let wraps = match p.kind() {
            "export_statement" | "decorated_definition" | "ambient_declaration" => true,
            "lexical_declaration"
            | "variable_declaration"
            | "type_declaration"
            | "const_declaration"
            | "var_declaration" => p.named_child_count() == 1,
            "expression_statement" => {
                cur.kind() == "assignment" || cur.kind() == "assignment_expression"
            }
            _ => false,
        };
        if !wraps {
            return cur;
        }
        cur = p;
    }
}

fn doc_comment<'t>(
    lang: Lang,
    node: Node<'t>,
    lin: Option<&Lineage<'t>>,
    src: &str,
) -> Option<String> {
    if lang == Lang::Python
        && let Some(d) = python_docstring(node, src)
    {
        return Some(d);
    }
    let anchor = doc_anchor(node, lin);
    let mut comments: Vec<Node> = Vec::new();
    let mut next_row = anchor.start_position().row;
    for s in doc_siblings_before(lin, anchor) {
        if is_attribute_kind(s.kind()) {
            next_row = s.start_position().row;
            continue;
        }
        let end = s.end_position();
        let end_row = if end.column == 0 && end.row > 0 {
            end.row - 1
        } else {
            end.row
        };
        if end_row + 1 < next_row {
            break;
        }
        let t = text(s, src);
        if lang == Lang::Rust
            && !(t.starts_with("///") && !t.starts_with("////") || t.starts_with("/**"))
        {
            break;
        }
        comments.push(s);
        next_row = s.start_position().row;
    }
    if comments.is_empty() {
        return None;
    }
    comments.reverse();
    let mut lines: Vec<String> = Vec::new();
    for c in comments {
        for line in text(c, src).lines() {
            let l = clean_comment_line(line);
            lines.push(l);
        }
    }
    finish_doc(lines)
}

fn clean_comment_line(line: &str) -> String {
    let mut l = line.trim();
    for p in ["///", "//!", "//", "/**", "/*", "#"] {
        if let Some(r) = l.strip_prefix(p) {
            l = r;
            break;
        }
    }
    if let Some(r) = l.strip_suffix("*/") {
        l = r;
    }
    let l = l.trim();
    let l = l
        .strip_prefix("* ")
        .unwrap_or(if l == "*" { "" } else { l });
    l.trim_end().to_string()
}

fn finish_doc(lines: Vec<String>) -> Option<String> {
    let mut lines: Vec<String> = lines;
    while lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    if lines.is_empty() {
        return None;
    }
    Some(truncate_chars(&lines.join("\n"), MAX_DOC))
}

fn python_docstring(node: Node, src: &str) -> Option<String> {
    let body = node.child_by_field_name("body")?;
    let first = body.named_child(0)?;
    if first.kind() != "expression_statement" {
        return None;
    }
    let s = first.named_child(0)?;
    if s.kind() != "string" {
        return None;
    }
    let raw = text(s, src);
    let t = raw.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let t = t
        .strip_prefix("\"\"\"")
        .or_else(|| t.strip_prefix("'''"))
        .or_else(|| t.strip_prefix('"'))
        .or_else(|| t.strip_prefix('\''))
        .unwrap_or(t);
    let t = t
        .strip_suffix("\"\"\"")
        .or_else(|| t.strip_suffix("'''"))
        .or_else(|| t.strip_suffix('"'))
        .or_else(|| t.strip_suffix('\''))
        .unwrap_or(t);
    // Dedent every line after the first by the smallest indentation found.
    let mut iter = t.lines();
    let first_line = iter.next().unwrap_or("").trim().to_string();
    let rest: Vec<&str> = iter.collect();
    let indent = rest
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut lines = vec![first_line];
    for l in rest {
        lines.push(
            l.get(indent..)
                .unwrap_or(l.trim_start())
                .trim_end()
                .to_string(),
        );
    }
    finish_doc(lines)
}

/// Import and use lines, found by a line scan (cheap and good enough for summaries).
fn imports(lang: Lang, src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_go_block = false;
    for line in src.lines() {
        if out.len() >= 200 {
            break;
        }
        let t = line.trim_end();
        match lang {
            Lang::Rust => {
                let s = t.strip_prefix("pub ").unwrap_or(t);
                if s.starts_with("use ") || s.starts_with("extern crate ") {
                    out.push(collapse_ws(t));
                }
            }
            Lang::Python
                if t.starts_with("import ")
                    || (t.starts_with("from ") && t.contains(" import ")) =>
            {
                out.push(collapse_ws(t));
            }
            Lang::JavaScript | Lang::TypeScript | Lang::Tsx
                if t.starts_with("import ")
                    || (t.starts_with("export ") && t.contains(" from "))
                    || (t.contains("require(")
                        && (t.starts_with("const ")
                            || t.starts_with("var ")
                            || t.starts_with("let "))) =>
            {
                out.push(collapse_ws(t));
            }
            Lang::Go => {
                if in_go_block {
                    if t.trim() == ")" {
                        in_go_block = false;
                    } else if !t.trim().is_empty() {
                        out.push(format!("import {}", t.trim()));
                    }
                } else if t.starts_with("import (") {
                    in_go_block = true;
                } else if t.starts_with("import ") {
                    out.push(collapse_ws(t));
                }
            }
            Lang::Java if t.starts_with("import ") || t.starts_with("package ") => {
                out.push(collapse_ws(t));
            }
            _ => {}
        }
    }
    out
}

/// Distinct identifiers of three characters or more, used to rank files by references.
fn identifiers(src: &str) -> Vec<String> {
    let bytes = src.as_bytes();
    let mut seen: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphabetic() || b == b'_' {
            let s = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            if i - s >= 3 && i - s <= 64 {
                seen.push(&src[s..i]);
            }
        } else if b.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    // Sorting and dropping repeats beats hashing every occurrence.
    seen.sort_unstable();
    seen.dedup();
    seen.into_iter().map(str::to_string).collect()
}

fn data_outline(root: Node, src: &str) -> Vec<OutlineItem> {
    let mut out = Vec::new();
    walk_data(root, src, 0, &mut out);
    out
}

fn walk_data(node: Node, src: &str, depth: u32, out: &mut Vec<OutlineItem>) {
    if depth >= 2 || out.len() >= MAX_OUTLINE {
        return;
    }
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "pair" | "block_mapping_pair" | "flow_pair" => {
                let Some(key) = child.child_by_field_name("key") else {
                    continue;
                };
                let name = data_key(key, src);
                out.push(OutlineItem {
                    kind: "key".to_string(),
                    name,
                    depth: depth + 1,
                    line: key.start_position().row as u32 + 1,
                    end_line: child.end_position().row as u32 + 1,
                });
                if let Some(v) = child.child_by_field_name("value") {
                    walk_data(v, src, depth + 1, out);
                }
            }
            // containers that do not add a level: documents, objects, mappings, nodes
            "document" | "object" | "stream" | "block_node" | "flow_node" | "block_mapping"
            | "flow_mapping" => walk_data(child, src, depth, out),
            _ => {}
        }
        if out.len() >= MAX_OUTLINE {
            return;
        }
    }
}

fn data_key(key: Node, src: &str) -> String {
    let t = collapse_ws(text(key, src));
    let t = t.trim_matches(|c| c == '"' || c == '\'');
    truncate_chars(t, 200)
}

fn markdown_outline(src: &str) -> Vec<OutlineItem> {
    use pulldown_cmark::{Event, HeadingLevel, Parser as MdParser, Tag, TagEnd};
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(src.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |off: usize| match line_starts.binary_search(&off) {
        Ok(i) => i as u32 + 1,
        Err(i) => i as u32,
    };
    let mut out: Vec<OutlineItem> = Vec::new();
    let mut current: Option<(u32, u32, String)> = None;
    for (ev, range) in MdParser::new(src).into_offset_iter() {
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                let depth = match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    HeadingLevel::H4 => 4,
                    HeadingLevel::H5 => 5,
                    HeadingLevel::H6 => 6,
                };
                current = Some((depth, line_of(range.start), String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, s)) = current.as_mut() {
                    s.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((depth, line, name)) = current.take() {
                    out.push(OutlineItem {
                        kind: "heading".to_string(),
                        name: truncate_chars(&collapse_ws(&name), 200),
                        depth,
                        line,
                        end_line: line,
                    });
                }
                if out.len() >= MAX_OUTLINE {
                    break;
                }
            }
            _ => {}
        }
    }
    // A heading's section runs to the line before the next heading of the same or a higher level.
    let total = count_lines(src).max(1);
    for i in 0..out.len() {
        let depth = out[i].depth;
        let next = out[i + 1..]
            .iter()
            .find(|h| h.depth <= depth)
            .map(|h| h.line.saturating_sub(1));
        out[i].end_line = next.unwrap_or(total).max(out[i].line);
    }
    out
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

    #[test]
    fn markdown_sections_end_before_next_peer() {
        let o = markdown_outline("# A\ntext\n## B\nmore\n# C\n");
        let got: Vec<(String, u32, u32, u32)> = o
            .iter()
            .map(|h| (h.name.clone(), h.depth, h.line, h.end_line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("A".into(), 1, 1, 4),
                ("B".into(), 2, 3, 4),
                ("C".into(), 1, 5, 5)
            ]
        );
    }

    #[test]
    fn identifiers_are_distinct_and_long_enough() {
        let mut ids = identifiers("foo(a, foo, bar_1, 123abc)");
        ids.sort();
        assert_eq!(ids, vec!["bar_1".to_string(), "foo".to_string()]);
    }
}
