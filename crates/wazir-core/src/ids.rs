//! Identifier spelling: manifest ids use underscores (`spec_challenge`), file names use hyphens
//! (`spec-challenge.md`). Commands accept either and normalise to the manifest id.

/// `spec-challenge` or `spec_challenge` → `spec_challenge`.
pub fn to_id(name: &str) -> String {
    name.trim().replace('-', "_")
}

/// `spec_challenge` → `spec-challenge` (the file stem).
pub fn to_file_stem(id: &str) -> String {
    id.trim().replace('_', "-")
}

/// What is wrong with a run id, capture, artifact or schema name, or `None` when it is fine: it
/// must be 1 to `max` characters of ASCII letters, digits, `.`, `_` and `-`, start with a letter
/// or digit, and never contain `..` (so it is always one safe path segment).
pub fn name_problem(s: &str, max: usize) -> Option<String> {
    if s.is_empty() {
        Some("it is empty".to_string())
    } else if s.chars().count() > max {
        Some(format!(
            "it is {} characters long; the limit is {max}",
            s.chars().count()
        ))
    } else if s.contains("..") {
        Some("it contains `..`".to_string())
    } else if !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        Some("it must start with a letter or digit".to_string())
    } else {
        s.chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
            .map(|c| format!("it contains {c:?}, which is not allowed"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips() {
        assert_eq!(super::to_id("spec-challenge"), "spec_challenge");
        assert_eq!(super::to_file_stem("content_author"), "content-author");
        assert_eq!(super::to_id("clarify"), "clarify");
    }
}
