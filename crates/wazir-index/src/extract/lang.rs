//! Per-language rules: symbol names (Rust impl types, quoted keys), Go receivers, constants,
//! signatures (the declaration without its body), doc comments and Python docstrings, and the
//! import lines found by a line scan.

use tree_sitter::Node;

use super::queries::is_attribute_kind;
use super::walk::{Lineage, doc_siblings_before, parent_of};
use super::{MAX_DOC, MAX_SIGNATURE, collapse_ws, text, truncate_chars};
use crate::lang::Lang;

pub(super) fn symbol_name(lang: Lang, kind: &str, name_node: Node, src: &str) -> String {
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

pub(super) fn go_receiver(method: Node, src: &str) -> Option<String> {
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

pub(super) fn is_constant(
    lang: Lang,
    node: Node,
    lin: Option<&Lineage>,
    name: &str,
    src: &str,
) -> bool {
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

pub(super) fn signature(
    lang: Lang,
    kind: &str,
    node: Node,
    lin: Option<&Lineage>,
    src: &str,
) -> String {
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

pub(super) fn doc_comment<'t>(
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
pub(super) fn imports(lang: Lang, src: &str) -> Vec<String> {
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
