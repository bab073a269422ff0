//! Run ids and the other names that become file names in a run folder (captures, artifacts).
//! A name is a letter or digit, then letters, digits, `.`, `_` or `-`, never `..`, and bounded in
//! length, so it can never leave its folder: no separators, no absolute paths, no traversal.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::LedgerError;

/// Longest run id accepted (characters).
pub const MAX_RUN_ID_LEN: usize = 64;
/// Longest capture or artifact name accepted (characters).
pub const MAX_NAME_LEN: usize = 128;

/// A validated run id (`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`, no `..`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RunId(String);

impl RunId {
    pub fn parse(s: &str) -> Result<RunId, LedgerError> {
        check("run id", s, MAX_RUN_ID_LEN)?;
        Ok(RunId(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RunId {
    type Error = LedgerError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        RunId::parse(&s)
    }
}

impl From<RunId> for String {
    fn from(r: RunId) -> String {
        r.0
    }
}

impl AsRef<str> for RunId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Checks a capture or artifact name (same rule as run ids, up to [`MAX_NAME_LEN`]).
pub fn check_name(what: &'static str, s: &str) -> Result<(), LedgerError> {
    check(what, s, MAX_NAME_LEN)
}

fn check(what: &'static str, s: &str, max: usize) -> Result<(), LedgerError> {
    match wazir_core::ids::name_problem(s, max) {
        None => Ok(()),
        Some(reason) => Err(LedgerError::InvalidName {
            what,
            shown: shorten(s),
            reason,
            max: max - 1,
        }),
    }
}

/// The first 40 characters of a hostile name, so a 10,000-character id does not flood the
/// terminal; control characters are escaped.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(40).flat_map(char::escape_default).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_ids() {
        for ok in [
            "r1",
            "20261124-reset-rate-limit",
            "A.b_c-d",
            &"a".repeat(64),
        ] {
            assert_eq!(RunId::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn rejects_hostile_ids_with_a_reason() {
        let cases = [
            ("", "empty"),
            ("../x", "`..`"),
            ("a/../b", "`..`"),
            ("a..b", "`..`"),
            ("/etc/passwd", "start with"),
            ("a/b", "'/'"),
            ("a\\b", "'\\\\'"),
            (".hidden", "start with"),
            ("-flag", "start with"),
            ("a b", "' '"),
            ("a\nb", "'\\n'"),
            ("é", "start with"),
        ];
        for (id, why) in cases {
            let e = RunId::parse(id).unwrap_err().to_string();
            assert!(e.contains(why), "{id:?}: {e}");
            assert!(e.starts_with("invalid run id"), "{e}");
        }
        let long = "a".repeat(300);
        let e = RunId::parse(&long).unwrap_err().to_string();
        assert!(e.contains("300 characters long; the limit is 64"), "{e}");
        assert!(e.len() < 300, "the message must not echo the whole id: {e}");
    }

    #[test]
    fn deserialising_validates() {
        assert!(serde_json::from_str::<RunId>("\"ok-1\"").is_ok());
        assert!(serde_json::from_str::<RunId>("\"../x\"").is_err());
    }
}
