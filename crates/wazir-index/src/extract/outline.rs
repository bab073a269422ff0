//! Outlines of data and documentation files: JSON/YAML keys two levels deep and Markdown
//! headings with the line range of their section.

use tree_sitter::Node;

use super::{MAX_OUTLINE, OutlineItem, collapse_ws, count_lines, text, truncate_chars};

pub(super) fn data_outline(root: Node, src: &str) -> Vec<OutlineItem> {
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

pub(super) fn markdown_outline(src: &str) -> Vec<OutlineItem> {
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
}
