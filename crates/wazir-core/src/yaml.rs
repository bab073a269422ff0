//! YAML reading with errors a person can act on: the file, the line and column, and what is
//! wrong. Uses serde-saphyr with YAML 1.2 booleans (`yes` stays a string) and duplicate keys
//! rejected.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// A YAML document that could not be read into the expected shape.
#[derive(Debug, Clone)]
pub struct YamlError {
    pub file: PathBuf,
    /// 1-based line, when the parser knows it.
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for YamlError {}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        strict_booleans: true,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
    }
}

/// Parses `text` (the content of `file`) into `T`. `line_offset` is added to reported lines, for
/// YAML that starts part-way into a file (front matter).
pub fn from_str<T: DeserializeOwned>(
    file: &Path,
    text: &str,
    line_offset: u64,
) -> Result<T, YamlError> {
    serde_saphyr::from_str_with_options::<T>(text, options()).map_err(|e| {
        let loc = e.location();
        let (line, column) = match loc {
            Some(l) if l.line() > 0 => (Some(l.line() + line_offset), Some(l.column())),
            _ => (None, None),
        };
        YamlError {
            file: file.to_path_buf(),
            line,
            column,
            message: first_line(&e.without_snippet().to_string()),
        }
    })
}

/// Reads and parses a YAML file.
pub fn read<T: DeserializeOwned>(file: &Path) -> Result<T, YamlError> {
    let text = std::fs::read_to_string(file).map_err(|e| YamlError {
        file: file.to_path_buf(),
        line: None,
        column: None,
        message: format!("cannot read the file: {e}"),
    })?;
    from_str(file, &text, 0)
}

fn first_line(s: &str) -> String {
    // serde-saphyr messages can carry a trailing location ("at line 3 column 5"); keep the gist.
    let s = s.lines().next().unwrap_or("").trim();
    let s = match s.find(" at line ") {
        Some(i) => &s[..i],
        None => s,
    };
    // Library advice about its own options is no use to a person editing a file.
    if let Some(i) = s.find(", set DuplicateKeyPolicy") {
        return format!("{}: remove or rename one of the two", &s[..i]);
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn duplicate_keys_are_errors_with_a_line() {
        let err =
            from_str::<BTreeMap<String, String>>(Path::new("m.yaml"), "a: 1\nb: 2\na: 3\n", 0)
                .unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        assert!(err.message.to_lowercase().contains("duplicate"), "{err}");
    }

    #[test]
    fn yes_stays_a_string() {
        let v: BTreeMap<String, String> =
            from_str(Path::new("m.yaml"), "answer: yes\n", 0).unwrap();
        assert_eq!(v["answer"], "yes");
    }

    #[test]
    fn malformed_yaml_names_line_and_column() {
        let err = from_str::<BTreeMap<String, String>>(Path::new("m.yaml"), "a: 1\nb: [1, 2\n", 10)
            .unwrap_err();
        assert!(err.line.is_some(), "{err}");
        assert!(err.line.unwrap() > 10, "{err}");
        assert!(err.to_string().starts_with("m.yaml:"), "{err}");
    }
}
