//! Redaction of obvious credentials in text the ledger keeps from a command's output (a check's
//! tail and capture): `password=…`-style assignments, bearer tokens, credentials in URLs, private
//! key blocks and well-known token shapes. One function, [`redact`], so a shared redaction module
//! can replace it without touching its callers.

use std::sync::LazyLock;

use regex::Regex;

/// What a redacted secret is replaced with.
pub const MASK: &str = "[REDACTED]";

struct Rule {
    re: Regex,
    /// Replacement: `$1`… keep the named parts around the secret.
    with: &'static str,
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let rule = |re: &str, with: &'static str| Rule {
        re: Regex::new(re).expect("a redaction pattern compiles"),
        with,
    };
    vec![
        rule(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
            "[REDACTED PRIVATE KEY]",
        ),
        rule(
            r#"(?i)\b((?:[a-z0-9_.-]*[_.-])?(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|auth)\b["']?\s*[:=]\s*["']?)[^\s"',;]+"#,
            "${1}[REDACTED]",
        ),
        rule(
            r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}",
            "${1} [REDACTED]",
        ),
        rule(r"(://[^/\s:@]+:)[^@\s/]+@", "${1}[REDACTED]@"),
        rule(r"\bAKIA[0-9A-Z]{16}\b", MASK),
        rule(r"\bgh[pousr]_[A-Za-z0-9]{20,}\b", MASK),
        rule(r"\bgithub_pat_[A-Za-z0-9_]{20,}\b", MASK),
        rule(r"\bsk-[A-Za-z0-9_-]{20,}\b", MASK),
        rule(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b", MASK),
        rule(r"\bAIza[0-9A-Za-z_-]{35}\b", MASK),
    ]
});

/// `text` with every obvious credential replaced by [`MASK`].
pub fn redact(text: &str) -> String {
    let mut out = std::borrow::Cow::Borrowed(text);
    for r in RULES.iter() {
        if r.re.is_match(&out) {
            out = std::borrow::Cow::Owned(r.re.replace_all(&out, r.with).into_owned());
        }
    }
    out.into_owned()
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn credentials_are_masked_and_ordinary_text_is_kept() {
        let text = "DB_PASSWORD=hunter2 ok\nAuthorization: Bearer abcdefghijklmnop\n\
                    url https://bob:s3cret@example.com/x\nkey AKIAABCDEFGHIJKLMNOP\n\
                    api_key: \"xyz123\"\ntest result: ok. 48 passed; tokens 5\n";
        let out = redact(text);
        for secret in [
            "hunter2",
            "abcdefghijklmnop",
            "s3cret",
            "AKIAABCDEFGHIJKLMNOP",
            "xyz123",
        ] {
            assert!(!out.contains(secret), "{secret} left in {out}");
        }
        assert!(out.contains("DB_PASSWORD=[REDACTED] ok"), "{out}");
        assert!(
            out.contains("https://bob:[REDACTED]@example.com/x"),
            "{out}"
        );
        assert!(
            out.contains("test result: ok. 48 passed; tokens 5"),
            "{out}"
        );
    }

    #[test]
    fn a_private_key_block_is_removed_whole() {
        let out =
            redact("a\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\nb");
        assert_eq!(out, "a\n[REDACTED PRIVATE KEY]\nb");
    }
}
