//! Markdown front matter: the `---` block at the top of a file, split by hand and parsed as YAML
//! (see [`crate::yaml`]), so errors point at the line in the markdown file.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::yaml::{self, YamlError};

/// A markdown document split into its front matter and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences, without them.
    pub yaml: &'a str,
    /// Everything after the closing fence.
    pub body: &'a str,
    /// Number of lines before the YAML starts (the opening fence), for error line numbers.
    pub yaml_line_offset: u64,
    /// 1-based line where the body starts.
    pub body_start_line: usize,
}

/// Splits `text` into front matter and body, or `None` when it has no front matter.
pub fn split(text: &str) -> Option<Split<'_>> {
    let text_nobom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text_nobom
        .strip_prefix("---\n")
        .or_else(|| text_nobom.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    // `lines_seen` counts the opening fence and every YAML line before this one.
    for (lines_seen, line) in (1..).zip(rest.split_inclusive('\n')) {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if trimmed == "---" || trimmed == "..." {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Some(Split {
                yaml,
                body,
                yaml_line_offset: 1,
                body_start_line: lines_seen + 2,
            });
        }
        offset += line.len();
    }
    None
}

/// Parses the front matter of `text` (the content of `file`) into `T`.
pub fn parse<'t, T: DeserializeOwned>(
    file: &Path,
    text: &'t str,
) -> Result<(T, Split<'t>), YamlError> {
    let Some(split) = split(text) else {
        return Err(YamlError {
            file: file.to_path_buf(),
            line: Some(1),
            column: None,
            message: "no front matter: the file must start with a `---` line, the YAML fields, \
                      and a closing `---` line"
                .into(),
        });
    };
    let value = yaml::from_str(file, split.yaml, split.yaml_line_offset)?;
    Ok((value, split))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn splits_and_parses() {
        let text = "---\nname: tdd\ndescription: x\n---\n# Body\n";
        let s = split(text).unwrap();
        assert_eq!(s.yaml, "name: tdd\ndescription: x\n");
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_start_line, 5);
        let (m, _): (BTreeMap<String, String>, _) = parse(Path::new("S.md"), text).unwrap();
        assert_eq!(m["name"], "tdd");
    }

    #[test]
    fn missing_front_matter_is_an_error() {
        assert!(split("# no\n").is_none());
        let e = parse::<BTreeMap<String, String>>(Path::new("S.md"), "# no\n").unwrap_err();
        assert!(e.message.contains("front matter"));
    }

    #[test]
    fn error_lines_are_file_lines() {
        let text = "---\nname: a\nname: b\n---\n";
        let e = parse::<BTreeMap<String, String>>(Path::new("S.md"), text).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
    }
}
