//! Settings files with comments (JSONC, which Gemini CLI reads): parsed with `jsonc-parser`, and
//! written back through its concrete syntax tree so the user's comments, order and layout outside
//! the keys we change are kept. When a key we must replace holds comments of its own, the write
//! is refused with a clear message rather than losing them.

use std::path::Path;

use anyhow::{Result, bail};
use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstInputValue, CstNode, CstRootNode};
use serde_json::Value;

/// A settings file read as JSONC: its value and the tree it came from.
pub struct Jsonc {
    root: CstRootNode,
    pub value: Value,
}

/// Parses `text` as JSON with comments and trailing commas. The error names the file, line and
/// column.
pub fn parse(path: &Path, text: &str) -> Result<Jsonc> {
    let root = CstRootNode::parse(text, &ParseOptions::default()).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: not valid JSON or JSONC ({}); fix the file (nothing was written), then \
             run the command again",
            path.display(),
            e.line_display(),
            e.column_display(),
            e.kind()
        )
    })?;
    let value = root.to_serde_value().unwrap_or(Value::Null);
    Ok(Jsonc { root, value })
}

impl Jsonc {
    /// The text with the top-level keys of `merged` that differ from the parsed value set (or
    /// appended), everything else as the user wrote it.
    pub fn write_back(&self, path: &Path, merged: &Value) -> Result<String> {
        let (Some(obj), Some(new)) = (self.root.object_value(), merged.as_object()) else {
            bail!("{}: the file must hold a JSON object", path.display());
        };
        for (key, v) in new {
            if self.value.get(key) == Some(v) {
                continue;
            }
            match obj.get(key) {
                Some(prop) => {
                    if let Some(value_node) = prop.value()
                        && has_comments(&value_node)
                    {
                        bail!(
                            "{}: `{key}` holds comments, and Wazir must rewrite `{key}`, which \
                             would lose them; move the comments above `\"{key}\"` (they are kept \
                             there), then run the command again (nothing was written)",
                            path.display()
                        );
                    }
                    prop.set_value(input(v));
                }
                None => {
                    obj.append(key, input(v));
                }
            }
        }
        let mut text = self.root.to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        Ok(text)
    }
}

fn has_comments(node: &CstNode) -> bool {
    match node {
        CstNode::Container(c) => c.children().iter().any(has_comments),
        CstNode::Leaf(_) => node.is_comment(),
    }
}

fn input(v: &Value) -> CstInputValue {
    match v {
        Value::Null => CstInputValue::Null,
        Value::Bool(b) => CstInputValue::Bool(*b),
        Value::Number(n) => CstInputValue::Number(n.to_string()),
        Value::String(s) => CstInputValue::String(s.clone()),
        Value::Array(a) => CstInputValue::Array(a.iter().map(input).collect()),
        Value::Object(o) => {
            CstInputValue::Object(o.iter().map(|(k, v)| (k.clone(), input(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn comments_outside_the_changed_keys_are_kept() {
        let text = "// my Gemini settings\n{\n  // dark, always\n  \"theme\": \"dark\", /* yes */\n  \"hooks\": {},\n}\n";
        let p = Path::new(".gemini/settings.json");
        let j = parse(p, text).unwrap();
        assert_eq!(j.value, json!({"theme": "dark", "hooks": {}}));
        let merged = json!({"theme": "dark", "hooks": {"BeforeTool": [{"hooks": [{"command": "wazir hook --host gemini x"}]}]}});
        let out = j.write_back(p, &merged).unwrap();
        assert!(out.contains("// my Gemini settings"), "{out}");
        assert!(
            out.contains("// dark, always") && out.contains("/* yes */"),
            "{out}"
        );
        assert_eq!(parse(p, &out).unwrap().value, merged);
    }

    #[test]
    fn comments_inside_a_replaced_key_refuse_the_write() {
        let text = "{\n  \"hooks\": {\n    // mine\n    \"BeforeTool\": []\n  }\n}\n";
        let p = Path::new("s.json");
        let j = parse(p, text).unwrap();
        let e = j
            .write_back(p, &json!({"hooks": {"AfterTool": []}}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("`hooks` holds comments"), "{e}");
    }

    #[test]
    fn a_syntax_error_names_the_line() {
        let e = parse(Path::new("s.json"), "{\n  \"a\": ,\n}")
            .err()
            .unwrap()
            .to_string();
        assert!(e.starts_with("s.json:2:"), "{e}");
    }
}
