//! Heuristic summaries (no model calls): L0 is one line, L1 the structure (signatures, imports,
//! first doc lines). Each is stored with the hash of the source it was made from, so recall can
//! say whether it is still fresh. `summarize` refreshes the index first, then writes summaries
//! for files whose summaries are missing or stale (all of them with `--refresh`). This module
//! makes the texts; `run` gathers the inputs from the store and writes the summaries.

mod run;

use std::collections::HashMap;

use crate::extract::{OutlineItem, ScopeIds, Symbol};

pub use run::{SummarizeReport, summarize};

pub const GENERATOR: &str = "wazir-heuristic-1";
const L0_MAX_CHARS: usize = 360;
const L1_MAX_CHARS: usize = 8000;
/// An L1 file summary aims at no more than this share of the file's size.
const L1_SHARE: f64 = 0.2;

/// Kinds that get a summary of their own.
pub fn summarized_kind(kind: &str) -> bool {
    !matches!(kind, "variable" | "constant" | "index")
}

/// Container paths longer than this are shortened in summary texts, so a summary's size does
/// not grow with the nesting depth.
const PATH_MAX: usize = 60;
/// Container paths longer than this are replaced by a digest in summary keys.
const KEY_PATH_MAX: usize = 200;

/// The summary key of a symbol within its file: kind and qualified name. A container path
/// longer than `KEY_PATH_MAX` is given by its nearest scope and a digest of the whole chain, so
/// keys stay short however deep the nesting.
pub fn symbol_key(s: &Symbol) -> String {
    match &s.container {
        Some(c) if c.path_len() > KEY_PATH_MAX => {
            format!("{} {}.{}~{:016x}", s.kind, c.name(), s.name, c.digest())
        }
        Some(c) => format!("{} {c}.{}", s.kind, s.name),
        None => format!("{} {}", s.kind, s.name),
    }
}

/// Qualified name, joined with `.`; a long container path is shortened in the middle.
pub fn qualified(s: &Symbol) -> String {
    match &s.container {
        Some(c) => format!("{}.{}", c.short(PATH_MAX), s.name),
        None => s.name.clone(),
    }
}

fn first_line(doc: &Option<String>) -> Option<&str> {
    doc.as_deref()
        .and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
}

fn cap(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// The first doc line of the file as a whole (module docstring or leading comment).
pub fn module_doc(lang: &str, src: &str) -> Option<String> {
    let mut lines = src
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty() || l.starts_with("#!"));
    let first = lines.next()?;
    let text = match lang {
        "rust" => first.strip_prefix("//!")?.trim(),
        "python" => {
            let t = first.trim_start_matches(['r', 'u', 'R', 'U']);
            let t = t.strip_prefix("\"\"\"").or_else(|| t.strip_prefix("'''"))?;
            let t = t.trim_end_matches("\"\"\"").trim_end_matches("'''").trim();
            if t.is_empty() {
                lines.next()?.trim_end_matches("\"\"\"").trim()
            } else {
                t
            }
        }
        "markdown" => first.trim_start_matches('#').trim(),
        _ => {
            let t = first
                .strip_prefix("/**")
                .or_else(|| first.strip_prefix("//"))
                .or_else(|| first.strip_prefix("/*"))?;
            let t = t.trim().trim_end_matches("*/").trim();
            if t.is_empty() {
                lines.next()?.trim_start_matches('*').trim()
            } else {
                t
            }
        }
    };
    if text.is_empty()
        || text.starts_with("-*-")
        || text.starts_with("Copyright")
        || text.starts_with("SPDX")
    {
        return None;
    }
    Some(cap(text, 200))
}

fn compact_import(line: &str) -> String {
    let l = line.trim().trim_end_matches(';');
    for p in ["pub use ", "use ", "import ", "from ", "extern crate "] {
        if let Some(r) = l.strip_prefix(p) {
            return cap(r.trim(), 80);
        }
    }
    cap(l, 80)
}

pub struct FileInput<'a> {
    pub path: &'a str,
    pub language: &'a str,
    pub lines: u32,
    pub src: &'a str,
    pub symbols: &'a [Symbol],
    pub imports: &'a [String],
    /// Outline entries (kind, name, depth, line) for data and docs files.
    pub outline: &'a [OutlineItem],
}

fn is_top(s: &Symbol) -> bool {
    s.container.is_none()
}

/// One line: what the file is and what it defines.
pub fn file_l0(f: &FileInput) -> String {
    let mut out = format!("{} ({}, {} lines)", f.path, f.language, f.lines);
    if let Some(d) = module_doc(f.language, f.src) {
        out.push_str(": ");
        out.push_str(&d);
    }
    let names: Vec<String> = if f.symbols.is_empty() {
        f.outline
            .iter()
            .filter(|o| o.depth <= 1)
            .map(|o| o.name.clone())
            .collect()
    } else {
        f.symbols
            .iter()
            .filter(|s| is_top(s) && s.kind != "impl")
            .map(|s| s.name.clone())
            .collect()
    };
    if !names.is_empty() {
        let label = if f.symbols.is_empty() {
            "top-level"
        } else {
            "defines"
        };
        let mut list = String::new();
        let mut shown = 0;
        for n in &names {
            if out.len() + list.len() + n.len() > L0_MAX_CHARS - 20 {
                break;
            }
            if shown > 0 {
                list.push_str(", ");
            }
            list.push_str(n);
            shown += 1;
        }
        if shown < names.len() {
            list.push_str(&format!(" (+{} more)", names.len() - shown));
        }
        out.push_str(&format!(". {label}: {list}"));
    }
    cap(&out, L0_MAX_CHARS)
}

/// The structure of a file, as small as needed to stay near a fifth of the file.
pub fn file_l1(f: &FileInput) -> String {
    let budget = ((f.src.len() as f64) * L1_SHARE) as usize;
    let mut last = String::new();
    for level in 0..5 {
        last = file_l1_at(f, level);
        if last.len() <= budget.min(L1_MAX_CHARS) {
            return last;
        }
    }
    last
}

fn file_l1_at(f: &FileInput, level: u8) -> String {
    if level >= 4 {
        return names_by_kind(f);
    }
    let mut out = format!("{} lines of {}\n", f.lines, f.language);
    if level <= 1
        && let Some(d) = module_doc(f.language, f.src)
    {
        out.push_str(&d);
        out.push('\n');
    }
    if !f.imports.is_empty() {
        let limit = match level {
            0 => 40,
            1 => 8,
            _ => 0,
        };
        let shown: Vec<String> = f
            .imports
            .iter()
            .take(limit)
            .map(|i| compact_import(i))
            .collect();
        if !shown.is_empty() {
            let more = f.imports.len() - shown.len();
            out.push_str(&format!("imports: {}", shown.join(", ")));
            if more > 0 {
                out.push_str(&format!(" (+{more})"));
            }
            out.push('\n');
        }
    }
    if f.symbols.is_empty() {
        for OutlineItem {
            kind,
            name,
            depth,
            line,
            ..
        } in f.outline
        {
            if level >= 2 && *depth > 1 {
                continue;
            }
            let indent = "  ".repeat(depth.saturating_sub(1) as usize);
            let mark = if kind == "heading" {
                "#".repeat(*depth as usize) + " "
            } else {
                String::new()
            };
            out.push_str(&format!("{indent}{mark}{name}  L{line}\n"));
        }
        return out;
    }
    // Children grouped under their top-level ancestor, in order.
    let mut children: HashMap<String, Vec<&Symbol>> = HashMap::new();
    for s in f.symbols.iter().filter(|s| !is_top(s)) {
        let root = s
            .container
            .as_ref()
            .map_or(String::new(), |c| c.root_name().to_string());
        children.entry(root).or_default().push(s);
    }
    let mut used_children: std::collections::HashSet<String> = std::collections::HashSet::new();
    for s in f.symbols.iter().filter(|s| is_top(s)) {
        match level {
            0..=2 => {
                out.push_str(&format!(
                    "{}  L{}-{}\n",
                    s.signature, s.start_line, s.end_line
                ));
                if level <= 1
                    && let Some(d) = first_line(&s.doc)
                {
                    out.push_str(&format!("  /// {}\n", cap(d, 120)));
                }
            }
            _ => out.push_str(&format!("{} {}  L{}\n", s.kind, s.name, s.start_line)),
        }
        if used_children.contains(&s.name) {
            continue;
        }
        let Some(kids) = children.get(&s.name) else {
            continue;
        };
        used_children.insert(s.name.clone());
        let kids: Vec<&&Symbol> = kids
            .iter()
            .filter(|k| k.container.as_ref().is_some_and(|c| c.depth() == 1) || level == 0)
            .collect();
        match level {
            0 | 1 => {
                for k in kids {
                    out.push_str(&format!("  {}  L{}\n", k.signature, k.start_line));
                    if level == 0
                        && let Some(d) = first_line(&k.doc)
                    {
                        out.push_str(&format!("    /// {}\n", cap(d, 100)));
                    }
                }
            }
            2 => {
                let names: Vec<&str> = kids.iter().map(|k| k.name.as_str()).collect();
                if !names.is_empty() {
                    out.push_str(&format!("  members: {}\n", names.join(", ")));
                }
            }
            _ => {
                if !kids.is_empty() {
                    out.push_str(&format!("  ({} members)\n", kids.len()));
                }
            }
        }
    }
    out
}

/// The smallest form: top-level names grouped by kind, one line per kind.
fn names_by_kind(f: &FileInput) -> String {
    let items: Vec<(&str, &str)> = if f.symbols.is_empty() {
        f.outline
            .iter()
            .filter(|o| o.depth <= 1)
            .map(|o| (o.kind.as_str(), o.name.as_str()))
            .collect()
    } else {
        f.symbols
            .iter()
            .filter(|s| is_top(s))
            .map(|s| (s.kind.as_str(), s.name.as_str()))
            .collect()
    };
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for (kind, name) in items {
        match groups.iter_mut().find(|g| g.0 == kind) {
            Some(g) => g.1.push(name),
            None => groups.push((kind, vec![name])),
        }
    }
    let mut out = String::new();
    for (kind, names) in groups {
        out.push_str(&format!("{kind}: {}\n", names.join(", ")));
    }
    out
}

/// One line about a symbol.
pub fn symbol_l0(path: &str, s: &Symbol) -> String {
    let mut out = format!(
        "{} {} ({}:{}-{})",
        s.kind,
        qualified(s),
        path,
        s.start_line,
        s.end_line
    );
    if let Some(d) = first_line(&s.doc) {
        out.push_str(" — ");
        out.push_str(d);
    } else {
        out.push_str(": ");
        out.push_str(&s.signature);
    }
    cap(&out, L0_MAX_CHARS)
}

/// A symbol's signature, doc and members (`kids`: the symbols whose container it is).
pub fn symbol_l1(path: &str, s: &Symbol, kids: &[&Symbol]) -> String {
    let mut out = format!(
        "{}  ({}:{}-{})\n",
        s.signature, path, s.start_line, s.end_line
    );
    if let Some(c) = &s.container {
        out.push_str(&format!("in {}\n", c.short(PATH_MAX)));
    }
    if let Some(d) = &s.doc {
        for l in d.lines().take(12) {
            out.push_str(&format!("/// {l}\n"));
        }
    }
    for k in kids {
        out.push_str(&format!("  {}  L{}", k.signature, k.start_line));
        if let Some(d) = first_line(&k.doc) {
            out.push_str(&format!("  // {}", cap(d, 100)));
        }
        out.push('\n');
        if out.len() > L1_MAX_CHARS {
            out.push_str("  …\n");
            break;
        }
    }
    out
}

/// Each symbol's members: the symbols whose container is the scope that symbol opens (`impl`
/// blocks of a type included, as they open a scope of the same name). Linear in the symbols:
/// scopes are matched by identity and name, never by spelling out their paths.
pub fn members<'s>(symbols: &'s [Symbol]) -> Vec<Vec<&'s Symbol>> {
    let mut ids = ScopeIds::default();
    let mut by_scope: HashMap<i64, Vec<&'s Symbol>> = HashMap::new();
    let mut next = 0i64;
    let mut fresh = |_: Option<i64>, _: &str| -> Result<i64, std::convert::Infallible> {
        next += 1;
        Ok(next)
    };
    for k in symbols {
        if let Some(c) = &k.container {
            let Ok(id) = ids.id_of(c, &mut fresh);
            by_scope.entry(id).or_default().push(k);
        }
    }
    symbols
        .iter()
        .map(|s| {
            let parent = s.container.as_ref().and_then(|c| ids.known(c));
            if s.container.is_some() && parent.is_none() {
                return Vec::new();
            }
            ids.find(parent, &s.name)
                .and_then(|id| by_scope.get(&id))
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

/// The hash a symbol summary keeps of the symbol's source: 128 bits of BLAKE3 in hex (nested
/// symbols each keep one, so half the digest halves what deep nesting costs).
pub fn slice_hash(slice: &str) -> String {
    let mut h = wazir_core::digest::blake3_hex(slice.as_bytes());
    h.truncate(32);
    h
}

/// Lines `start..=end` (1-based, inclusive) of `src`.
pub fn line_slice(src: &str, start: u32, end: u32) -> &str {
    Lines::new(src).slice(start, end)
}

/// A text with the offsets of its line ends, so each slice costs its own length rather than a
/// scan from the start (a file's many symbols are sliced in one pass).
pub struct Lines<'a> {
    src: &'a str,
    /// Offset of every `\n`.
    ends: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(src: &'a str) -> Self {
        let ends = src
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i)
            .collect();
        Lines { src, ends }
    }

    /// Lines `start..=end` (1-based, inclusive); empty when `start` is past the last line.
    pub fn slice(&self, start: u32, end: u32) -> &'a str {
        let start = start.max(1) as usize;
        let from = match start {
            1 => 0,
            _ => match self.ends.get(start - 2) {
                Some(i) => i + 1,
                None => return "",
            },
        };
        let to = match (end as usize).checked_sub(1).and_then(|e| self.ends.get(e)) {
            Some(i) => i + 1,
            None => self.src.len(),
        };
        if from <= to { &self.src[from..to] } else { "" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_slice_is_inclusive_and_one_based() {
        let src = "a\nb\nc\nd\n";
        assert_eq!(line_slice(src, 2, 3), "b\nc\n");
        assert_eq!(line_slice(src, 1, 1), "a\n");
        assert_eq!(line_slice(src, 4, 9), "d\n");
        assert_eq!(line_slice(src, 9, 9), "");
        assert_eq!(line_slice(src, 3, 1), "");
        assert_eq!(line_slice("a\nb", 2, 5), "b");
        assert_eq!(line_slice("a\nb", 1, 0), "a\nb");
    }
}
