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

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips() {
        assert_eq!(super::to_id("spec-challenge"), "spec_challenge");
        assert_eq!(super::to_file_stem("content_author"), "content-author");
        assert_eq!(super::to_id("clarify"), "clarify");
    }
}
